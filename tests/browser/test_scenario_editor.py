"""A head of service changes a planner scenario on its form pages, meets a plain error beside
the field, fixes it, saves the change as a new scenario and reads the figures back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ehcflow.people.models import Role
from ehcflow.planning import services
from ehcflow.planning.models import SavedScenario, ScenarioRun
from tests.browser.helpers import Axe, banner, make_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "report-000.toml").read_text()


def staff_card(page: Page, name: str) -> dict[str, str]:
    """The rows of the summary card of one staff group, key → value."""
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=name, exact=True))
    keys = [k.strip() for k in card.locator("dt").all_inner_texts()]
    values = [v.strip() for v in card.locator("dd").all_inner_texts()]
    return dict(zip(keys, values, strict=True))


def test_a_head_of_service_edits_a_scenario_and_saves_it_as_new(page: Page, axe: Axe) -> None:
    head = make_staff("harper", "Harper Head", Role.HEAD_OF_SERVICE, None)
    original = services.scenario_save(
        name="Backlog team", by=None,
        toml=EXAMPLE.replace("replications = 1000", "replications = 40"))

    sign_in(page, head, axe)
    page.goto("/planning/")
    page.get_by_role("link", name="Backlog team", exact=True).click()
    page.get_by_role("link", name="Change the scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Backlog team")
    assert staff_card(page, "case officers in post")["Number of people"] == "12"
    axe.check(page, "scenario editor")

    page.get_by_role("link", name="Change case officers in post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the staff group")
    count = page.get_by_label("Number of case officers")
    expect(count).to_have_value("12")
    count.fill("four")
    page.get_by_role("button", name="Save changes").click()

    message = "Number of case officers must be a whole number, like 4"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#id_count-error")).to_have_text(f"Error: {message}")
    expect(page.get_by_label("Number of case officers")).to_have_value("four")
    axe.check(page, "staff group with an error")
    page.locator(".govuk-error-summary").get_by_role("link", name=message).click()
    expect(page.get_by_label("Number of case officers")).to_be_focused()

    page.get_by_label("Number of case officers").fill("14")
    page.get_by_role("button", name="Save as a new scenario").click()

    assert banner(page) == "Saved as a new scenario: Backlog team (copy)"
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Backlog team (copy)")
    assert staff_card(page, "case officers in post")["Number of people"] == "14"
    assert staff_card(page, "backlog case officers")["Number of people"] == "4"
    page.get_by_role("link", name="Back to the projections").click()
    costs = page.get_by_role("table", name="Staff, how long and what it costs")
    expect(costs).to_contain_text("14 Case officers")
    axe.check(page, "scenario after the change")

    # the scenario edited from is as it was
    original.refresh_from_db()
    assert original.version == 1
    assert tomllib.loads(original.toml)["staff"][0]["count"] == 12
    copy = SavedScenario.objects.get(name="Backlog team (copy)")
    assert tomllib.loads(copy.toml)["staff"][0]["count"] == 14

    # every other form page of the editor, and a background run's progress page, pass axe
    page.get_by_role("link", name="Change the scenario").click()
    for link, heading in (("Change the name, start and horizon", "About the scenario"),
                          ("Change the demand", "Demand"),
                          ("Change the work on each request", "Work on each request"),
                          ("Change health", "Change the advice"),
                          ("Add a staff group", "Add a staff group"),
                          ("Add advice", "Add advice")):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe.check(page, heading)
        page.get_by_role("link", name="Back to the scenario").click()
    run = ScenarioRun.objects.create(scenario=copy, version=copy.version, toml=copy.toml,
                                     replications=40, work=5e6)
    page.goto(f"/planning/{copy.public_id}/runs/{run.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Running 40 replications")
    axe.check(page, "a run's progress")
    # the worker finishes the run: the page notices by itself and shows the results
    services.run_execute(run.pk)
    page.wait_for_url(f"**/planning/{copy.public_id}/", timeout=15_000)
    expect(page.get_by_role("heading", name="When the backlog clears")).to_be_visible()
    axe.assert_clean()
