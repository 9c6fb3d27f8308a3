"""A team manager sees the team's caseloads, reallocates a request and reads its access log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ehcflow.casework import services
from ehcflow.people.models import User
from tests.browser.helpers import (
    Axe,
    banner,
    events,
    menu,
    open_step,
    save,
    sign_in,
    summary_value,
    table_rows,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASELOADS = ("Per case officer FTE, against DfE benchmarks of 150–200 plans and 25 "
             "assessments")


def caseloads(page: Page) -> dict[str, list[str]]:
    """Officer → [FTE, plans, plans per FTE, open assessments, assessments per FTE]."""
    return {row[0]: row[1:] for row in table_rows(page, CASELOADS)}


def test_a_manager_reallocates_a_request_and_the_caseloads_follow(
    page: Page, axe: Axe, case_officer: User, teammate: User, manager: User,
) -> None:
    by = services.Actor(user=case_officer)
    child = services.child_create(person_ref="P900", date_of_birth=date(2017, 9, 1),
                                  forename="Tobias", surname="Fairweather", by=by)
    case = services.request_register(
        child=child, case_ref="EHC-T-1", received_date=timezone.localdate() - timedelta(days=20),
        officer=case_officer.staff, by=by)  # type: ignore[attr-defined]

    sign_in(page, manager, axe)
    menu(page, "My work")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team work")
    page.get_by_role("link", name="Caseloads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseloads")
    assert caseloads(page) == {
        "Alex Officer": ["1.0", "0", "0.0", "1", "1.0"],
        "Blake Teammate": ["1.0", "0", "0.0", "0", "0.0"],
    }
    axe.check(page, "caseloads")
    page.get_by_role("link", name="All I can see").click()

    page.get_by_role("link", name="EHC-T-1").click()
    assert summary_value(page, "Case officer") == "Alex Officer"
    open_step(page, "Allocate to a case officer")
    axe.check(page, "step: allocate")
    page.get_by_label("Case officer").select_option(label="Blake Teammate")
    page.get_by_label("Reason").fill("Alex is on leave for a month")
    save(page)

    assert banner(page) == "Request allocated"
    assert summary_value(page, "Case officer") == "Blake Teammate"
    assert events(page)[0] == "Allocated to Blake Teammate"
    expect(page.get_by_text("Alex is on leave for a month")).to_be_visible()
    axe.check(page, "request page (manager)")

    page.get_by_role("link", name="Who has looked at this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has looked at EHC-T-1")
    log = table_rows(page, "Access to this child's record, newest first")
    assert [row[1:] for row in log] == [
        ["Morgan Manager", "Viewed", "Request page"],
        ["Morgan Manager", "Changed", "Allocate to a case officer"],
        ["Morgan Manager", "Viewed", "Allocate to a case officer"],
        ["Morgan Manager", "Viewed", "Request page"],
    ]
    axe.check(page, "access log")

    menu(page, "My work")
    assert table_rows(page, "Open requests by next deadline")[0][-1] == "Blake Teammate"
    page.get_by_role("link", name="Caseloads").click()
    assert caseloads(page)["Alex Officer"][3] == "0"
    assert caseloads(page)["Blake Teammate"][3] == "1"
    case.refresh_from_db()
    assert case.officer == teammate.staff  # type: ignore[attr-defined]

    axe.assert_clean()
