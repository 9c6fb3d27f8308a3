"""A form sent with a date missing shows the GOV.UK error summary, whose link finds the field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ehcflow.people.models import User
from tests.browser.helpers import (
    PASSWORD,
    Axe,
    banner,
    fill_date,
    menu,
    open_step,
    save,
    sign_in,
    stage,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id"))


def expect_error_summary(page: Page, message: str, field_id: str) -> None:
    """The summary takes focus on arrival; its link moves focus to the field in error."""
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=message)
    assert link.get_attribute("href") == f"#{field_id}"
    link.click()
    expect(page.locator(f"#{field_id}")).to_be_focused()
    assert focused_id(page) == field_id


def test_a_missing_date_is_summarised_and_its_link_focuses_the_day_box(
    page: Page, axe: Axe, case_officer: User,
) -> None:
    # A wrong password first: the sign-in page's own error state.
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(case_officer.username)
    page.get_by_label("Password").fill(PASSWORD + " wrong")
    page.get_by_role("button", name="Sign in").click()
    expect_error_summary(page, "Enter a correct username and password", "id_username")
    axe.check(page, "sign-in (error)")

    sign_in(page, case_officer)
    menu(page, "My work")
    page.get_by_role("link", name="Register a request").click()
    page.get_by_label("First name").fill("Imogen")
    page.get_by_label("Last name").fill("Ashdown")
    fill_date(page, "Date of birth", date(2014, 11, 3))
    source = page.get_by_role("group", name="Who made the request?")
    source.get_by_label("School or college").check()
    page.get_by_role("button", name="Register the request").click()

    expect_error_summary(page, "Enter the date the request was received", "id_received_date_0")
    received = page.get_by_role("group", name="Date the request was received")
    expect(received.locator(".govuk-error-message")).to_have_text(
        "Error: Enter the date the request was received")
    # Screen readers hear the error with the question; every box is marked in error.
    expect(received).to_have_attribute("aria-describedby",
                                       "id_received_date-hint id_received_date-error")
    for box in ("Day", "Month", "Year"):
        expect(received.get_by_label(box)).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    # What was typed is kept.
    expect(page.get_by_label("First name")).to_have_value("Imogen")
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value(
        "2014")
    expect(page.get_by_label("School or college")).to_be_checked()
    axe.check(page, "register a request (error)")

    # Put right, the request registers.
    fill_date(page, "Date the request was received", timezone.localdate() - timedelta(days=3))
    page.get_by_role("button", name="Register the request").click()
    assert banner(page).endswith("registered")

    # A step form with only part of a date.
    open_step(page, "Record the decision whether to assess")
    page.get_by_label("Assess", exact=True).check()
    group = page.get_by_role("group", name="Date the decision was notified")
    # The date starts as today; the officer changes the day and deletes the month.
    expect(group.get_by_label("Year")).to_have_value(str(timezone.localdate().year))
    group.get_by_label("Day").fill("2")
    group.get_by_label("Month").fill("")
    save(page)
    expect_error_summary(page, "The date the decision was notified must include a month",
                         "id_on_0")
    axe.check(page, "step: decision (error)")
    page.get_by_role("link", name="Cancel").click()
    assert stage(page) == "Decision to assess due"

    axe.assert_clean()
