"""A case officer works a request from registration to the final plan, in the browser.

Every date is in the past, as a case officer back-records steps: the request arrived 130 days
ago, so the statutory clock has run and each deadline shows whether it was kept. The statutory
timeline, the stage and the event history are read off the page after every step.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ehcflow.people.models import User
from tests.browser.helpers import (
    Axe,
    banner,
    events,
    fill_date,
    long,
    menu,
    open_step,
    save,
    short,
    sign_in,
    stage,
    summary_value,
    table_rows,
    timeline,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECISION = "Decision whether to assess"
ISSUE_DECISION = "Decision whether to issue a plan"
EP = "Advice: Educational psychology"
HEALTH = "Advice: Health"
COMMENTS = "15 days for comments on the draft"
FINAL = "Final EHC plan"
DRAFT = "Draft EHC plan"


def back_to_request(page: Page, case_ref: str) -> None:
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case_ref)


def test_a_case_officer_takes_a_request_from_registration_to_final_plan(
    page: Page, axe: Axe, case_officer: User,
) -> None:
    today = timezone.localdate()
    received = today - timedelta(days=130)

    def day(n: int) -> date:
        return received + timedelta(days=n)

    # Sign in, and the GOV.UK styles are really there (axe's contrast checks need them).
    sign_in(page, case_officer, axe)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Where the service stands on {long(today)}")
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    axe.check(page, "home")

    menu(page, "My work")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_text("Open requests, the next statutory deadline first.")).to_contain_text(
        "0 requests.")
    axe.check(page, "my work (empty)")

    # Register a request.
    page.get_by_role("link", name="Register a request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Register a request for an EHC needs assessment")
    axe.check(page, "register a request")
    page.get_by_label("First name").fill("Rosalind")
    page.get_by_label("Last name").fill("Quennell")
    fill_date(page, "Date of birth", date(2016, 2, 29))
    page.get_by_label("Postcode").fill("AB1 2CD")
    fill_date(page, "Date the request was received", received)
    page.get_by_role("group", name="Who made the request?").get_by_label(
        "Parent or carer").check()
    page.get_by_role("button", name="Register the request").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Rosalind Quennell")
    case_ref = heading.inner_text().split(":")[0]
    assert case_ref == f"EHC-{received.year}-00001"
    assert banner(page) == f"Request {case_ref} registered"
    assert stage(page) == "Decision to assess due"
    expect(page.get_by_text("Week 19 of 20.")).to_contain_text(
        f"Final plan due {long(day(140))}.")
    rows = timeline(page)
    assert list(rows) == [DECISION, ISSUE_DECISION, FINAL]
    assert (rows[DECISION].due, rows[DECISION].done, rows[DECISION].status) == (
        short(day(42)), "–", "Missed")
    assert (rows[FINAL].due, rows[FINAL].done, rows[FINAL].status) == (
        short(day(140)), "–", "Not yet due")
    assert events(page) == ["Request for an EHC needs assessment received"]
    assert summary_value(page, "Case officer") == "Alex Officer"
    assert summary_value(page, "Received") == long(received)
    axe.check(page, "request page (registered)")

    # My work lists it under its next deadline, already overdue.
    menu(page, "My work")
    assert table_rows(page, "Open requests by next deadline") == [
        [f"{case_ref} Rosalind Quennell", "Decision to assess due",
         f"{short(day(42))} Overdue Decision whether to assess", "18.6", "Not yet worked out",
         "Alex Officer"]]
    axe.check(page, "my work (one request)")
    page.get_by_role("link", name=case_ref).click()

    # The decision to assess, inside six weeks: the row turns from Missed to Met.
    open_step(page, "Record the decision whether to assess")
    axe.check(page, "step: decision")
    page.get_by_role("group", name="Decision").get_by_label("Assess", exact=True).check()
    fill_date(page, "Date the decision was notified", day(40))
    page.get_by_label("Reasons (shared with the family)").fill("School evidence of need.")
    save(page)
    assert banner(page) == "Decision recorded"
    assert stage(page) == "Assessment: advice being gathered"
    rows = timeline(page)
    assert (rows[DECISION].done, rows[DECISION].status) == (short(day(40)), "Met")
    assert events(page)[0] == "Decided to carry out an EHC needs assessment"
    expect(page.get_by_text("School evidence of need.")).to_be_visible()

    # Ask for educational psychology and health advice.
    for adviser, requested in (("Educational psychology", day(42)), ("Health", day(43))):
        open_step(page, "Request advice")
        if adviser == "Health":  # the same form twice: check it once
            axe.check(page, "step: request advice")
        page.get_by_role("group", name="Advice from").get_by_label(adviser, exact=True).check()
        page.get_by_label("Organisation").fill("Demo NHS Trust" if adviser == "Health" else "")
        fill_date(page, "Date advice was requested", requested)
        save(page)
        assert banner(page) == "Advice requested"
        assert events(page)[0] == f"Advice requested: {adviser.lower()}"
    rows = timeline(page)
    assert (rows[EP].due, rows[EP].done, rows[EP].status) == (short(day(84)), "–", "Missed")
    assert (rows[HEALTH].due, rows[HEALTH].done) == (short(day(85)), "–")
    assert stage(page) == "Assessment: advice being gathered"
    axe.check(page, "request page (advice outstanding)")

    # The other forms open while advice is outstanding; each is checked, nothing is saved.
    for title in ("Chase advice", "Apply an exception to the time limit", "Close the request"):
        open_step(page, title)
        axe.check(page, f"step: {title.lower()}")
        back_to_request(page, case_ref)

    # The psychologist's advice arrives in time; the health advice late.
    for option, received_on in ((f"Educational psychology – requested {day(42):%-d %B %Y}",
                                 day(80)),
                                (f"Health – requested {day(43):%-d %B %Y}", day(90))):
        open_step(page, "Record advice received")
        if received_on == day(80):
            axe.check(page, "step: record advice received")
        page.get_by_label("Advice", exact=True).select_option(label=option)
        fill_date(page, "Date advice was received", received_on)
        save(page)
        assert banner(page) == "Advice recorded as received"
    rows = timeline(page)
    assert (rows[EP].done, rows[EP].status) == (short(day(80)), "Met")
    assert (rows[HEALTH].done, rows[HEALTH].status) == (short(day(90)), "Missed")
    assert events(page)[:2] == ["Advice received: health",
                                "Advice received: educational psychology"]
    advice = table_rows(page, "Advice requested for this assessment")
    assert [r[3] for r in advice] == [short(day(80)), f"{short(day(90))} Late"]
    expect(page.get_by_role("link", name="Record advice received")).to_have_count(0)

    # Decide to issue a plan: the week-16 row keeps its place, now done.
    open_step(page, "Record the decision whether to issue a plan")
    axe.check(page, "step: decision whether to issue a plan")
    page.get_by_role("group", name="Decision after the assessment").get_by_label(
        "Issue a plan", exact=True).check()
    fill_date(page, "Date the decision was made", day(95))
    save(page)
    assert banner(page) == "Decision recorded"
    assert stage(page) == "Decision to issue made: draft plan due"
    rows = timeline(page)
    assert (rows[ISSUE_DECISION].done, rows[ISSUE_DECISION].status) == (short(day(95)), "Met")
    assert rows[DRAFT].due == short(day(125))
    assert events(page)[0] == "Decided to issue an EHC plan"
    axe.check(page, "request page (draft due)")

    # The draft plan starts the family's 15-day comment period.
    open_step(page, "Issue the draft plan")
    axe.check(page, "step: issue the draft plan")
    fill_date(page, "Date the draft plan was sent", day(100))
    save(page)
    assert banner(page) == "Draft plan recorded as issued"
    assert stage(page) == "Draft plan issued: comment period"
    rows = timeline(page)
    assert (rows[COMMENTS].due, rows[COMMENTS].done, rows[COMMENTS].status) == (
        short(day(114)), "Ended", "Ended")
    assert events(page)[0] == "Draft EHC plan issued for comment"

    open_step(page, "Record comments and the school requested")
    axe.check(page, "step: record comments")
    fill_date(page, "Date comments were received", day(108))
    save(page)
    assert banner(page) == "Comments recorded"
    assert stage(page) == "Draft plan issued: comment period"
    assert events(page)[0] == "Comments on the draft plan received"

    # The final plan, after the comment period and inside 20 weeks.
    open_step(page, "Issue the final plan")
    axe.check(page, "step: issue the final plan")
    fill_date(page, "Date the final plan was issued", day(120))
    page.get_by_label("Primary need").select_option(label="Autistic spectrum disorder")
    page.get_by_label("Secondary need (optional)").select_option(
        label="Speech, language and communication needs")
    save(page)
    assert banner(page) == "Final plan recorded as issued"
    assert stage(page) == "Final plan issued"
    rows = timeline(page)
    assert (rows[FINAL].due, rows[FINAL].done, rows[FINAL].status) == (
        short(day(140)), short(day(120)), "Met")
    # The comment period's row does not take the final plan's date as its own.
    assert (rows[COMMENTS].done, rows[COMMENTS].status) == ("Ended", "Respected")
    assert (rows[DRAFT].done, rows[DRAFT].status) == (short(day(100)), "Met")
    assert (rows[DECISION].status, rows[EP].status, rows[HEALTH].status) == (
        "Met", "Met", "Missed")
    expect(page.get_by_text(f"Final plan issued {long(day(120))}, 17 weeks after the request "
                            "(within the 20 weeks).")).to_be_visible()
    assert events(page) == [
        "Final EHC plan issued",
        "Comments on the draft plan received",
        "Draft EHC plan issued for comment",
        "Decided to issue an EHC plan",
        "Advice received: health",
        "Advice received: educational psychology",
        "Advice requested: health",
        "Advice requested: educational psychology",
        "Decided to carry out an EHC needs assessment",
        "Request for an EHC needs assessment received",
    ]
    expect(page.locator(".moj-timeline__byline").first).to_have_text("by Alex Officer")
    expect(page.get_by_text("There is nothing for you to record on this request now.")
           ).to_be_visible()
    axe.check(page, "request page (final plan issued)")

    # The child's record shows the plan.
    page.get_by_role("link", name="Rosalind Quennell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosalind Quennell")
    assert table_rows(page, "Requests for an assessment") == [
        [case_ref, short(received), "Final plan issued"]]
    expect(page.get_by_role("heading", name=f"Plan issued {long(day(120))}")).to_be_visible()
    axe.check(page, "child's record")

    # Search finds the request; My work no longer lists it.
    menu(page, "Search")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a request")
    axe.check(page, "search")
    page.get_by_label("Child's name, UPN or case reference").fill("quennell")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name="1 result")).to_be_visible()
    expect(page.get_by_role("link", name=case_ref)).to_be_visible()
    axe.check(page, "search results")

    menu(page, "My work")
    expect(page.get_by_text("Open requests, the next statutory deadline first.")).to_contain_text(
        "0 requests.")

    axe.assert_clean()
