"""The scenario editor: form pages per section, plain errors beside the field, save as new,
no silent overwrite, add/copy/remove groups, and the attacks a page must refuse."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ehcflow.people.models import Role, StaffMember, User
from ehcflow.planning import services
from ehcflow.planning.models import SavedScenario

pytestmark = pytest.mark.django_db

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "report-000.toml").read_text()


def signed_in(role: str, username: str | None = None) -> Client:
    user = User.objects.create_user(username=username or role, password="x")
    StaffMember.objects.create(user=user, staff_ref=username or role, name=role, role=role,
                               start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


def example(**changes: str) -> str:
    text = EXAMPLE.replace("replications = 1000", "replications = 40").replace(
        "months = 24", "months = 12")
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    return text


@pytest.fixture
def saved() -> SavedScenario:
    text = example().replace("requests_per_year = 837", "requests_per_year = 837.4")
    return services.scenario_save(name="Table 6", toml=text, by=None)


def staff_post(mapping: dict[str, Any], index: int, version: int,
               **overrides: str) -> dict[str, str]:
    """The form a person would submit for staff group ``index``, unchanged but for overrides."""
    group = mapping["staff"][index]
    data = {
        "name": group["name"], "role": group["role"], "count": str(group["count"]),
        "hours_per_week": str(group["hours_per_week"]),
        "ramp_from": str(round(100 * group.get("ramp_from", 1.0), 1)).removesuffix(".0"),
        "ramp_weeks": str(group.get("ramp_weeks", 0)), "serves": group.get("serves", "all"),
        "cost_per_year": str(group.get("cost_per_year", "")), "version": str(version),
        "action": "save",
    }
    for key in ("start", "end"):
        value = group.get(key)
        data[f"{key}_0"] = str(value.day) if value else ""
        data[f"{key}_1"] = str(value.month) if value else ""
        data[f"{key}_2"] = str(value.year) if value else ""
    data.update(overrides)
    return data


def test_the_editor_shows_every_section_with_requests_as_whole_numbers(
        saved: SavedScenario) -> None:
    page = signed_in(Role.HEAD_OF_SERVICE).get(reverse("planning:edit", args=[saved.public_id]))
    text = page.content.decode()
    assert page.status_code == 200
    for heading in ("About the scenario", "Demand", "Work on each request", "Advice from others",
                    "Staff", "Requests open at the start", "For analysts"):
        assert f">{heading}</h2>" in text
    # 837.4 requests a year are shown as 837; the TOML keeps 837.4 until someone changes it.
    assert '<dd class="govuk-summary-list__value">837</dd>' in text
    assert "backlog case officers" in text and "health" in text


def test_an_error_is_shown_beside_the_field_in_plain_english_and_nothing_changes(
        saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    mapping = tomllib.loads(saved.toml)
    url = reverse("planning:item", args=[saved.public_id, "staff", 1])
    response = client.post(url, staff_post(mapping, 1, saved.version, count="four"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    message = "Number of case officers must be a whole number, like 4"
    assert f'<p id="id_count-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {message}' in text  # noqa: E501
    assert 'value="four"' in text  # what was typed is shown again to be fixed
    before = saved.toml
    saved.refresh_from_db()
    assert saved.toml == before and saved.version == 1


def test_a_change_saves_only_what_changed_and_bumps_the_version(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    mapping = tomllib.loads(saved.toml)
    url = reverse("planning:item", args=[saved.public_id, "staff", 1])
    response = client.post(url, staff_post(mapping, 1, saved.version, count="5"))
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:edit", args=[saved.public_id])
    saved.refresh_from_db()
    after = tomllib.loads(saved.toml)
    assert saved.version == 2
    assert after["staff"][1]["count"] == 5
    # untouched figures are kept exactly, not as the form rounds them
    assert after["demand"]["requests_per_year"] == 837.4
    assert after["staff"][1]["ramp_from"] == 0.7
    assert after["staff"][1]["start"] == date(2023, 8, 1)
    assert after["advice"] == mapping["advice"] and after["start_state"] == mapping["start_state"]


def test_demand_in_percent_and_whole_requests(saved: SavedScenario) -> None:
    client = signed_in(Role.ANALYST)
    url = reverse("planning:section", args=[saved.public_id, "demand"])
    page = client.get(url)
    assert 'value="837"' in page.content.decode() and 'value="75"' in page.content.decode()
    response = client.post(url, {"requests_per_year": "1,200", "growth_per_year": "5",
                                 "assess_rate": "75", "plan_rate": "92.5",
                                 "version": "1", "action": "save"})
    assert response.status_code == 302
    saved.refresh_from_db()
    demand = tomllib.loads(saved.toml)["demand"]
    assert demand == {"requests_per_year": 1200, "growth_per_year": 0.05,
                      "assess_rate": 0.75, "plan_rate": 0.925}
    response = client.post(url, {"requests_per_year": "1200.5", "growth_per_year": "5",
                                 "assess_rate": "175", "plan_rate": "",
                                 "version": "2", "action": "save"})
    text = response.content.decode()
    assert "Requests a year must be a whole number, like 1200" in text
    assert "Requests assessed (%) must be 100% or less" in text
    assert "Enter the assessments that lead to a plan (%)" in text


def test_save_as_a_new_scenario_leaves_the_old_one_as_it_was(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    url = reverse("planning:section", args=[saved.public_id, "work"])
    initial = client.get(url).context["form"].initial
    data = {k: str(v) for k, v in initial.items()} | {"ep_hours_median": "15",
                                                      "ep_hours_p90": "25", "action": "new"}
    response = client.post(url, data)
    new = SavedScenario.objects.exclude(pk=saved.pk).get()
    assert response["Location"] == reverse("planning:edit", args=[new.public_id])
    assert new.name == "Table 6 (copy)"
    assert tomllib.loads(new.toml)["work"]["ep_hours"] == {"median": 15, "p90": 25}
    before = saved.toml
    saved.refresh_from_db()
    assert saved.toml == before and saved.version == 1


def test_an_edit_never_silently_overwrites_anothers(saved: SavedScenario) -> None:
    first, second = signed_in(Role.HEAD_OF_SERVICE), signed_in(Role.ANALYST)
    url = reverse("planning:section", args=[saved.public_id, "demand"])
    form = {"requests_per_year": "900", "growth_per_year": "10", "assess_rate": "75",
            "plan_rate": "92", "version": "1", "action": "save"}
    assert first.post(url, form).status_code == 302
    response = second.post(url, form | {"requests_per_year": "1000"})
    text = response.content.decode()
    assert "Someone else saved this scenario after you opened it" in text
    saved.refresh_from_db()
    assert tomllib.loads(saved.toml)["demand"]["requests_per_year"] == 900
    assert saved.version == 2
    # the second person's work is not lost: it can be kept as a new scenario
    response = second.post(url, form | {"requests_per_year": "1000", "action": "new"})
    assert response.status_code == 302
    assert SavedScenario.objects.count() == 2


def test_a_group_is_added_copied_and_removed(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    add = reverse("planning:item_add", args=[saved.public_id, "staff"])
    response = client.post(add, {
        "name": "Agency case officers", "role": "case_officer", "count": "3",
        "hours_per_week": "37", "ramp_from": "100", "ramp_weeks": "0", "serves": "all",
        "day_rate": "450", "days_per_week": "5", "version": "1", "action": "save"})
    assert response.status_code == 302
    saved.refresh_from_db()
    staff = tomllib.loads(saved.toml)["staff"]
    assert len(staff) == 5 and staff[4] == {
        "name": "Agency case officers", "role": "case_officer", "serves": "all", "count": 3,
        "hours_per_week": 37, "day_rate": 450, "days_per_week": 5}  # defaults left implicit
    copy = reverse("planning:item_action", args=[saved.public_id, "staff", 4, "copy"])
    assert client.post(copy, {"version": "2"}).status_code == 302
    saved.refresh_from_db()
    staff = tomllib.loads(saved.toml)["staff"]
    assert [g["name"] for g in staff[4:]] == ["Agency case officers",
                                              "Agency case officers (copy)"]
    remove = reverse("planning:item_action", args=[saved.public_id, "staff", 0, "remove"])
    # a stale page (version 2) removes nothing
    client.post(remove, {"version": "2"})
    saved.refresh_from_db()
    assert len(tomllib.loads(saved.toml)["staff"]) == 6 and saved.version == 3
    client.post(remove, {"version": "3"})
    saved.refresh_from_db()
    names = [g["name"] for g in tomllib.loads(saved.toml)["staff"]]
    assert "case officers in post" not in names and len(names) == 5


def test_an_absurd_count_is_refused_beside_the_field(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    mapping = tomllib.loads(saved.toml)
    url = reverse("planning:item", args=[saved.public_id, "staff", 0])
    response = client.post(url, staff_post(mapping, 0, 1, count="1,000,000,000"))
    assert "Number of case officers must be 2,000 or less" in response.content.decode()
    response = client.post(url, staff_post(mapping, 0, 1, count="9" * 400))
    assert "Number of case officers must be a whole number, like 4" in response.content.decode()
    # a page edit cannot take the whole scenario past what can run: the checker's bound
    # (here the total of all groups) is shown beside the count
    for i in range(1, 4):
        mapping["staff"][i]["count"] = 1_600
    import tomli_w
    services.scenario_save(name="Big", toml=tomli_w.dumps(mapping), by=None, existing=saved,
                           version=1)
    response = client.post(url, staff_post(mapping, 0, 2, count="1500"))
    assert ('<p id="id_count-error" class="govuk-error-message"><span class="govuk-visually-'
            'hidden">Error:</span> Number of case officers must be at most 5,000 people in all '
            'groups, got 6,300') in response.content.decode()
    saved.refresh_from_db()
    assert saved.version == 2


def test_guessed_urls_and_other_roles_are_refused(saved: SavedScenario) -> None:
    officer = signed_in(Role.CASE_OFFICER)
    pid = saved.public_id
    for url in (reverse("planning:edit", args=[pid]),
                reverse("planning:section", args=[pid, "demand"]),
                reverse("planning:item", args=[pid, "staff", 0]),
                reverse("planning:edit_toml", args=[pid]),
                reverse("planning:download_toml", args=[pid])):
        assert officer.get(url).status_code == 403
    for url in (reverse("planning:section", args=[pid, "demand"]),
                reverse("planning:item_action", args=[pid, "staff", 0, "remove"]),
                reverse("planning:run", args=[pid])):
        assert officer.post(url, {"version": "1", "requests_per_year": "1"}).status_code == 403
    manager = signed_in(Role.HEAD_OF_SERVICE)
    assert manager.get(reverse("planning:section", args=[pid, "start-state"])).status_code == 404
    assert manager.get(reverse("planning:item", args=[pid, "staff", 9])).status_code == 404
    assert manager.get(reverse("planning:item", args=[pid, "people", 0])).status_code == 404
    assert manager.post(reverse("planning:item_action", args=[pid, "advice", 0, "copy"]),
                        {"version": "1"}).status_code == 404
    assert manager.post(reverse("planning:item_action", args=[pid, "staff", 0, "delete"]),
                        {"version": "1"}).status_code == 404
    other = "00000000-0000-4000-8000-000000000000"
    assert manager.get(f"/planning/{other}/edit/").status_code in (404,)
    assert manager.get(reverse("planning:item_action", args=[pid, "staff", 0, "remove"])
                       ).status_code == 405
    saved.refresh_from_db()
    assert saved.version == 1


def test_toml_import_and_export_for_analysts(saved: SavedScenario) -> None:
    client = signed_in(Role.ANALYST)
    download = client.get(reverse("planning:download_toml", args=[saved.public_id]))
    assert download["Content-Disposition"] == 'attachment; filename="table-6.toml"'
    assert download.content.decode() == saved.toml
    url = reverse("planning:edit_toml", args=[saved.public_id])
    text = saved.toml.replace("count = 12", "count = 13")
    response = client.post(url, {"name": "Table 6", "toml": text, "version": "1",
                                 "action": "save"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.version == 2 and "count = 13" in saved.toml
    # a stale text edit is refused too
    response = client.post(url, {"name": "Table 6", "toml": text.replace("count = 13",
                                                                          "count = 14"),
                                 "version": "1", "action": "save"})
    assert "Someone else saved this scenario" in response.content.decode()


@pytest.mark.parametrize(("text", "message"), [
    ("x = " + "[" * 5000 + "]" * 5000, "nests lists or tables too deeply"),
    ("name = 'x'\n" + "# padding\n" * 250_000, "must be 2,000,000 characters or fewer"),
    ("this is = = not", "not valid TOML"),
    (example().replace("requests_per_year = 837", "requests_per_year = 1000000"),
     "demand.requests_per_year: must be at most 25,000 requests a year"),
    (example().replace("count = 12", "count = 1000000000"),
     "staff[0].count: must be at most 2,000 people in one group, got 1,000,000,000"),
    (example().replace("replications = 40", "replications = 2000").replace(
        "months = 12", "months = 240"),
     "so at most"),
    (example().replace("growth_per_year = 0.10", "growth_per_year = 9"),
     "demand.growth_per_year: must be at most 1"),
])
def test_huge_and_malformed_input_is_refused_with_a_message(text: str, message: str) -> None:
    client = signed_in(Role.ANALYST)
    response = client.post(reverse("planning:new"), {"name": "Attack", "toml": text})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert SavedScenario.objects.count() == 0


def test_a_double_submitted_save_saves_once(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    url = reverse("planning:section", args=[saved.public_id, "demand"])
    form = {"requests_per_year": "900", "growth_per_year": "10", "assess_rate": "75",
            "plan_rate": "92", "version": "1", "action": "save"}
    first, second = client.post(url, form), client.post(url, form)
    assert first.status_code == second.status_code == 302  # no false "someone else saved"
    saved.refresh_from_db()
    assert saved.version == 2
    new = form | {"version": "2", "action": "new"}
    first, second = client.post(url, new), client.post(url, new)
    assert first["Location"] == second["Location"]
    assert SavedScenario.objects.count() == 2


def test_a_forged_or_missing_version_changes_nothing(saved: SavedScenario) -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    url = reverse("planning:section", args=[saved.public_id, "demand"])
    form = {"requests_per_year": "900", "growth_per_year": "10", "assess_rate": "75",
            "plan_rate": "92", "action": "save"}
    for version in ("", "abc", "0", "99"):
        response = client.post(url, form | {"version": version})
        text = response.content.decode()
        assert response.status_code == 200
        assert ("This page is out of date" in text
                or "Someone else saved this scenario" in text)
    remove = reverse("planning:item_action", args=[saved.public_id, "staff", 0, "remove"])
    client.post(remove, {})
    saved.refresh_from_db()
    assert saved.version == 1 and len(tomllib.loads(saved.toml)["staff"]) == 4


def test_settings_and_a_new_kind_of_advice(saved: SavedScenario) -> None:
    client = signed_in(Role.ANALYST)
    url = reverse("planning:section", args=[saved.public_id, "settings"])
    response = client.post(url, {
        "name": "Table 6, from September", "start_0": "1", "start_1": "9", "start_2": "2023",
        "months": "18", "replications": "40", "seed": "", "policy": "newest_first",
        "cleared_at": "10", "version": "1", "action": "save"})
    assert response.status_code == 302
    saved.refresh_from_db()
    mapping = tomllib.loads(saved.toml)
    assert saved.name == mapping["name"] == "Table 6, from September"
    assert (mapping["start"], mapping["months"], mapping["policy"], mapping["cleared_at"]) == (
        date(2023, 9, 1), 18, "newest_first", 10)
    assert "seed" not in mapping  # emptied: a new seed each run
    add = reverse("planning:item_add", args=[saved.public_id, "advice"])
    response = client.post(add, {"name": "education", "probability": "95",
                                 "delay_median": "40", "delay_p90": "30", "version": "2",
                                 "action": "save"})
    assert ("Days it takes at most in 9 cases out of 10 must be at least the usual days (40)"
            in response.content.decode())
    response = client.post(add, {"name": "health", "probability": "95", "delay_median": "40",
                                 "delay_p90": "80", "version": "2", "action": "save"})
    assert ("Name of the advice: &#x27;health&#x27; is already the name of another kind of "
            "advice") in response.content.decode()
    response = client.post(add, {"name": "education", "probability": "95",
                                 "delay_median": "40", "delay_p90": "80", "version": "2",
                                 "action": "save"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert tomllib.loads(saved.toml)["advice"][-1] == {
        "name": "education", "probability": 0.95, "delay_days": {"median": 40, "p90": 80}}
