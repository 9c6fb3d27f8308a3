"""The dashboard pages: who may see them, and that their figures are `ehcflow kpis`'s."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ehcflow.casework import selectors
from ehcflow.insight import dashboards, figures
from ehcflow.insight.dashboards import Query
from ehcflow.statutory.periods import calendar_month, calendar_year
from tests.insight.builders import AS_OF, World, build_world

pytestmark = pytest.mark.django_db

PAGES = list(dashboards.BUILDERS)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def client_for(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def query() -> Query:
    first = figures.first_request_date()
    assert first is not None
    return Query(as_of=AS_OF, first=first)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("who", "status"), [
    ("head", 200), ("analyst", 200), ("manager", 200), ("officer", 403), ("ep", 403),
    ("support", 403), ("admin", 403),
])
def test_who_may_see_each_dashboard(world: World, page: str, who: str, status: int) -> None:
    response = client_for(world, who).get(reverse(f"insight:{page}"), {"as_of": "2023-07-31"})
    assert response.status_code == status


def test_signed_out_people_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("insight:overview"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_navigation_shows_dashboards_only_to_those_who_may(world: World) -> None:
    link = reverse("insight:overview").encode()
    assert link in client_for(world, "analyst").get(reverse("home")).content
    assert link not in client_for(world, "officer").get(reverse("home")).content


def test_the_timeliness_tables_are_the_kpis_of_each_year_and_month(world: World) -> None:
    page = dashboards.timeliness(query(), None)
    years = page.table("timeliness_by_year")
    for row in years.rows:
        year = row[0].value
        assert isinstance(year, int)
        kpis = selectors.kpis(as_of=AS_OF, period=calendar_year(year))
        assert years.value(str(year), "Requests received") == kpis.requests_received
        assert years.value(str(year), "New plans issued") == kpis.plans_issued
        assert years.value(str(year), "% within 20 weeks") == kpis.pct_within_20_weeks
        assert (years.value(str(year), "% within 20 weeks excluding exceptions")
                == kpis.pct_within_20_weeks_excl_exceptions)
        assert years.value(str(year), "Average weeks to issue") == kpis.avg_weeks_to_issue
    # docs/domain/measures.md's worked example: c within, d late, f late with an exception, all
    # 2022-23
    assert years.value("2022", "New plans issued") == 3  # c, d and j
    assert years.value("2023", "New plans issued") == 1  # f (e's plan comes after 31 July)
    months = page.table("timeliness_by_month")
    for row in months.rows:
        start = row[0].value
        assert isinstance(start, date)
        kpis = selectors.kpis(as_of=AS_OF, period=calendar_month(start.year, start.month))
        assert row[1].value == kpis.plans_issued
        assert row[3].value == kpis.pct_within_20_weeks
        assert row[5].value == kpis.avg_weeks_to_issue


def test_table_4_is_the_backlog_of_the_kpis_command(world: World) -> None:
    page = dashboards.backlog(query(), None)
    kpis = selectors.kpis(as_of=AS_OF)
    table = page.table("table_4")
    assert table.value("Requests open over 20 weeks", "31 Jul 2023") == kpis.backlog.over_20_weeks
    assert table.value("Requests open over 30 weeks", "31 Jul 2023") == kpis.backlog.over_30_weeks
    assert table.value("Requests open over 50 weeks", "31 Jul 2023") == kpis.backlog.over_50_weeks
    assert table.value("All open requests", "31 Jul 2023") == kpis.backlog.open
    # b, e and k (docs/domain/measures.md: b and e; k is older)
    assert kpis.backlog.over_20_weeks == 3
    bands = page.table("backlog_bands")
    for row in bands.rows:
        day = row[0].value
        assert isinstance(day, date)
        backlog = selectors.backlog(on=day)
        assert bands.value(row[0].text, "All open") == backlog.open
        assert bands.value(row[0].text, "Over 20 weeks") == backlog.over_20_weeks


def test_the_overview_is_the_kpis_of_the_period(world: World) -> None:
    page = dashboards.overview(query(), None)
    kpis = selectors.kpis(as_of=AS_OF)
    table = page.table("headline")
    assert table.value("Requests received", "Value") == kpis.requests_received == 4
    assert table.value("% issued within 20 weeks", "Value") == kpis.pct_within_20_weeks == 33.3
    assert table.value("Average weeks to issue", "Value") == kpis.avg_weeks_to_issue == 31.8


def test_caseloads_set_plans_and_assessments_against_fte(world: World) -> None:
    page = dashboards.caseloads(query(), None)
    table = page.table("caseloads")
    assert table.value("Whole service", "Case officer FTE") == 2.0
    assert table.value("Whole service", "Plans maintained") == 5  # c, d, f, i, j
    assert table.value("Whole service", "Plans per FTE") == 2.5
    assert table.value("Whole service", "Open assessments") == 4  # a, b, e, k
    assert table.value("North", "Open assessments") == 4


def test_advice_is_split_by_adviser(world: World) -> None:
    q = Query(as_of=AS_OF, period_key="year", first=figures.first_request_date()
              or AS_OF)
    page = dashboards.advice(q, None)
    table = page.table("advice")
    # b's advice was asked on 23 April 2023 and fell due on 4 June: EP came back late (60
    # days), health in time (40), social care on the due day (42).
    assert table.value("Educational psychology", "Returned late") == 1
    assert table.value("Health", "Returned within 6 weeks") == 1
    assert table.value("Social care", "% within 6 weeks") == 100.0


def test_every_figure_links_to_its_cases_and_no_url_carries_a_name(world: World) -> None:
    client = client_for(world, "head")
    for page in PAGES:
        html = client.get(reverse(f"insight:{page}"), {"as_of": "2023-07-31"}).content.decode()
        hrefs = re.findall(r'href="([^"]+)"', html)
        assert any("/insight/cases/?" in h for h in hrefs) or page == "overview"
        assert not any("Ada" in h or "Example" in h for h in hrefs)
        assert "style=" not in html  # the Content Security Policy allows no inline styles
        assert "<style" not in html


def test_a_date_before_any_request_is_explained_and_nothing_is_shown(world: World) -> None:
    response = client_for(world, "head").get(reverse("insight:timeliness"),
                                             {"as_of": "2019-01-31"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"the first request on record was received on 1 March 2021" in response.content
    assert b"table-timeliness_by_year" not in response.content


def test_a_date_that_is_not_a_date_is_explained(world: World) -> None:
    response = client_for(world, "head").get(reverse("insight:backlog"),
                                             {"as_of_0": "31", "as_of_1": "2",
                                              "as_of_2": "2023"})
    assert b"must be a real date" in response.content
    response = client_for(world, "head").get(reverse("insight:backlog"), {"as_of": "2023-02-31"})
    assert b"must be a real date" in response.content


def test_with_no_requests_at_all_the_pages_say_so(db: None) -> None:
    from ehcflow.people.models import Role, StaffMember, User

    user = User.objects.create_user(username="lonely", password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref="L1", name="Lonely", role=Role.ANALYST,
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    response = client.get(reverse("insight:overview"))
    assert b"There are no requests on record yet" in response.content


def test_charts_are_svg_without_inline_styles(world: World) -> None:
    client = client_for(world, "analyst")
    html = client.get(reverse("insight:backlog"), {"as_of": "2023-07-31"}).content.decode()
    sources = re.findall(r'<img class="app-chart__img" src="([^"]+)" alt="([^"]+)"', html)
    assert sources
    for source, alt in sources:
        response = client.get(source.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        svg = response.content.decode()
        assert svg.startswith("<svg") and "style=" not in svg and "<style" not in svg
        assert "<title" in svg and alt
    officer = client_for(world, "officer").get(sources[0][0].replace("&amp;", "&"))
    assert officer.status_code == 403


def test_the_national_figures_sit_beside_ours(world: World, national: object) -> None:
    page = dashboards.timeliness(query(), None)
    table = page.table("timeliness_by_year")
    assert table.value("2022", "England % excluding exceptions") == Decimal("49.2")
    assert table.value("2021", "England % excluding exceptions") == Decimal("59.9")


def test_a_future_date_is_explained(world: World) -> None:
    response = client_for(world, "head").get(reverse("insight:overview"),
                                             {"as_of": "2999-01-01"})
    assert b"The date of the figures must be today or in the past" in response.content


def test_the_period_chooses_what_the_headline_counts(world: World) -> None:
    client = client_for(world, "head")
    response = client.get(reverse("insight:overview"), {"as_of": "2023-07-31", "period": "year"})
    page = response.context["page"]
    assert page.table("headline").value("Requests received", "Value") == 3  # a, b and g
    assert "1 January 2023 to 31 July 2023" in response.content.decode()
    response = client.get(reverse("insight:overview"), {"as_of": "2023-07-31", "period": "fy"})
    assert "1 April 2023 to 31 July 2023" in response.content.decode()


def test_growth_by_source_compares_twelve_months_with_the_twelve_before(world: World) -> None:
    page = dashboards.demand(query(), None)
    table = page.table("growth_by_source")
    now = selectors.kpis(as_of=AS_OF)
    before = selectors.kpis(as_of=date(2022, 7, 31))
    assert table.value("All requests", "To 31 Jul 2023") == now.requests_received == 4
    assert table.value("All requests", "To 31 Jul 2022") == before.requests_received == 5
    assert table.value("All requests", "Growth") == -20.0
    parents = table.value("Parent or carer", "To 31 Jul 2023")
    schools = table.value("School or college", "To 31 Jul 2023")
    assert isinstance(parents, int) and isinstance(schools, int)
    assert parents + schools == 4


def test_with_our_authority_chosen_its_region_and_neighbours_sit_beside_it(
        world: World, national: object) -> None:
    from ehcflow.insight import selectors as national_selectors
    from ehcflow.insight import services

    ours = national_selectors.authority_find("Bournemouth, Christchurch and Poole")
    services.our_authority_set(authority=ours)
    services.neighbours_set(authority=ours, neighbours=[
        national_selectors.authority_find("Dorset", measure="pct_within_20_weeks_excl_exceptions",
                                          year=2022),
        national_selectors.authority_find("Wiltshire")])
    page = dashboards.build("timeliness", query())
    table = page.table("timeliness_by_year")
    labels = [c.label for c in table.columns]
    assert "South West % excluding exceptions" in labels
    assert "Neighbours' average % excluding exceptions" in labels
    assert ("Bournemouth, Christchurch and Poole (DfE published) % excluding exceptions"
            in labels)
    assert table.value("2022", "Bournemouth, Christchurch and Poole (DfE published) % "
                               "excluding exceptions") == Decimal("7.3")


def test_part_years_are_named_and_left_out_of_trends(world: World) -> None:
    """The records begin on 1 March 2021 and the as-of date is 31 July 2023: 2021 and 2023
    are part-years, 2022 the only whole one."""
    q = query()
    assert [q.is_full_year(y) for y in q.years] == [False, True, False]
    assert [q.year_label(y) for y in q.years] == [
        "2021 (from 1 March)", "2022", "2023 (to 31 July)"]
    page = dashboards.build("demand", q)
    table = page.table("requests_by_source")
    growth = [row[-2].value for row in table.rows]
    assert growth == [None, None, None]  # no whole year follows a whole year yet
    index = next(c for c in page.all_charts() if c.key == "requests-index")
    assert index.title == "Requests received, as a share of 2022's"
    assert index.series[0].values == [None, 100.0, None]
    timeliness = dashboards.build("timeliness", q)
    chart = next(c for c in timeliness.all_charts() if c.key == "timeliness-years")
    assert chart.series[0].values[0] is None and chart.series[0].values[2] is None
    assert [row[0].text for row in timeliness.table("timeliness_by_year").rows] == [
        "2021 (from 1 March)", "2022", "2023 (to 31 July)"]


def test_the_timeliness_headline_is_the_last_whole_month(world: World) -> None:
    first = figures.first_request_date()
    assert first is not None
    page = dashboards.build("timeliness", Query(as_of=date(2023, 8, 4), first=first))
    assert page.summary.startswith("In July 2023,")


def test_cases_held_by_a_leaver_are_not_counted_to_their_old_team(world: World) -> None:
    """The north team's only officer left in June 2023: on 31 July the team has no FTE, and
    its cases are listed as waiting for reallocation, not as the team's."""
    from ehcflow.people.models import StaffMember

    north = StaffMember.objects.get(user=world.users["officer"])
    north.end_date = date(2023, 6, 30)
    north.save()
    total, teams = figures.caseloads_at(AS_OF)
    by_name = {t.name: t for t in teams}
    assert "North" not in by_name or by_name["North"].open_assessments == 0
    left = by_name["Held by staff who have left (to be reallocated)"]
    expected = selectors.initial_requests().filter(
        selectors.open_on(AS_OF), officer=north).count()
    assert left.open_assessments == expected > 0
    assert sum(t.open_assessments for t in teams) == total.open_assessments
    response = client_for(world, "analyst").get(reverse("insight:cases"), {
        "measure": "open", "as_of": AS_OF.isoformat(), "team": "left"})
    assert f"The figure counts {expected} request" in response.content.decode()


def test_a_column_with_no_figures_is_left_out_of_the_page(world: World) -> None:
    """With no nightly snapshots, the 'as recorded that month' column is all '–': the page
    leaves it out and says so, while the workbook keeps every column."""
    page = dashboards.build("timeliness", query())
    full = page.table("timeliness_by_month")
    label = "% within 20 weeks as recorded that month"
    assert label in [c.label for c in full.columns]
    shown = full.without_empty_columns()
    assert label not in [c.label for c in shown.columns]
    assert shown.notes[-1].startswith("Left out, having no figures yet: ")
    html = client_for(world, "analyst").get(reverse("insight:timeliness"),
                                            {"as_of": AS_OF.isoformat()}).content.decode()
    assert f">{label}<" not in html


def test_open_assessments_mean_the_same_in_my_work_and_on_the_caseloads_page(
    world: World,
) -> None:
    """Both count the initial requests open on the day (docs/domain/measures.md, "Caseloads"),
    so an officer's row in My work adds up to their team's row on the dashboard."""
    _, teams = figures.caseloads_at(AS_OF)
    mine = selectors.team_caseloads(team_id=None, today=AS_OF)
    by_team: dict[str, int] = {}
    for row in mine:
        key = str(row.officer.team_id)
        by_team[key] = by_team.get(key, 0) + row.open_assessments
    for team in teams:
        if team.team in by_team:
            assert team.open_assessments == by_team[team.team]
    assert sum(row.open_assessments for row in mine) == sum(
        t.open_assessments for t in teams if t.team in by_team) > 0
