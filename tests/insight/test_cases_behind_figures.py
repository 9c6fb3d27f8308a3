"""Every figure's list of cases: the same count as the figure, only what the user may see, and
one entry in the access log per list."""

from __future__ import annotations

import html
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse

from ehcflow.casework.models import RecordAccess
from ehcflow.insight import dashboards, figures
from ehcflow.insight.dashboards import Query
from ehcflow.insight.tables import Table
from tests.insight.builders import AS_OF, NORTH_CASES, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def client_for(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def listed(client: Client, params: dict[str, str]) -> tuple[int, list[str], str]:
    response = client.get(reverse("insight:cases"), params)
    page = response.content.decode()
    refs = [ref for ref in "abcdefghijk" if f">{ref}</a>" in page]
    return response.status_code, refs, page


def test_over_20_weeks_lists_the_backlog(world: World) -> None:
    status, refs, page = listed(client_for(world, "analyst"),
                                {"measure": "over_20_weeks", "as_of": "2023-07-31"})
    assert status == 200
    assert sorted(refs) == ["b", "e", "k"]
    assert "The figure counts 3 requests" in page


def test_a_team_manager_sees_only_their_teams_cases(world: World) -> None:
    status, refs, page = listed(client_for(world, "manager"),
                                {"measure": "plans_issued", "as_of": "2023-07-31",
                                 "from": "2022-01-01", "to": "2023-12-31"})
    assert status == 200
    assert set(refs) <= NORTH_CASES
    assert refs == []  # every plan issued was the south team's
    assert "The figure counts 4 requests" in page  # c, d, f and j
    assert "You can see 0 of them" in page


def test_people_without_the_dashboards_cannot_list_cases(world: World) -> None:
    for who in ("officer", "ep", "support"):
        response = client_for(world, who).get(reverse("insight:cases"),
                                              {"measure": "open", "as_of": "2023-07-31"})
        assert response.status_code == 403


def test_each_list_is_one_entry_in_the_access_log(world: World) -> None:
    client = client_for(world, "head")
    before = RecordAccess.objects.count()
    listed(client, {"measure": "open", "as_of": "2023-07-31"})
    entries = RecordAccess.objects.order_by("-id")[: RecordAccess.objects.count() - before]
    assert [(e.kind, e.page, e.child_id, e.request_id) for e in entries] == [
        ("view", "insight:open", None, None)]


def test_names_show_only_to_those_who_may_see_personal_details(world: World) -> None:
    _, _, head_html = listed(client_for(world, "head"), {"measure": "open", "as_of": "2023-07-31"})
    _, _, analyst_html = listed(client_for(world, "analyst"),
                                {"measure": "open", "as_of": "2023-07-31"})
    assert "Ada Example" in head_html
    assert "Ada Example" not in analyst_html


def _linked_tables(page: dashboards.Page) -> list[Table]:
    return [t for s in page.sections for t in s.tables]


@pytest.mark.parametrize("key", ["timeliness", "backlog", "demand", "advice", "caseloads",
                                 "reviews", "overview"])
def test_every_list_has_as_many_cases_as_its_figure(world: World, key: str) -> None:
    first = figures.first_request_date()
    assert first is not None
    page = dashboards.build(key, Query(as_of=AS_OF, first=first))
    client = client_for(world, "analyst")
    checked = 0
    for table in _linked_tables(page):
        for row in table.rows:
            for cell in row:
                if not cell.query or not isinstance(cell.value, int) or isinstance(
                        cell.value, bool):
                    continue
                params = {k: v[0] for k, v in parse_qs(cell.query).items()}
                response = client.get(reverse("insight:cases"), params)
                assert response.status_code == 200, (table.key, cell.query)
                assert response.context["list"].total == cell.value, (table.key, cell.query)
                assert response.context["visible"] == cell.value
                checked += 1
    assert checked > 0


def test_a_list_that_names_nothing_is_refused_plainly(world: World) -> None:
    client = client_for(world, "analyst")
    for params, message in [
        ({"measure": "nonsense", "as_of": "2023-07-31"}, "Unknown list 'nonsense'"),
        ({"measure": "open"}, "needs the as-of date"),
        ({"measure": "open", "as_of": "31/07/2023"}, "must be a date like 2023-07-31"),
        ({"measure": "received", "as_of": "2023-07-31"}, "needs a period"),
    ]:
        response = client.get(reverse("insight:cases"), params)
        assert response.status_code == 400
        assert message in html.unescape(response.content.decode())


def test_a_list_for_a_past_date_shows_each_request_as_it_stood_then(world: World) -> None:
    """Request j: received 3 May 2021, decided to issue 1 December 2021, final plan 1 March
    2022. On 1 January 2022 it was waiting for its draft, with no final plan yet."""
    _, refs, page = listed(client_for(world, "analyst"),
                           {"measure": "open", "as_of": "2022-01-01"})
    assert "j" in refs
    row = page.split(">j</a>")[1].split("</tr>")[0]
    cells = [c.strip() for c in html.unescape(row).replace("</td>", "|").split("|")]
    text = [c.split(">")[-1].strip() for c in cells if c]
    assert "1 Mar 2022" not in row and "Final plan issued" not in row
    assert "Decision to issue made: draft plan due" in text
    assert f"{243 / 7:.1f}" in text
    assert "Stage on 1 Jan 2022" in page
