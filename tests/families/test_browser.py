"""A parent and a young person use their pages in Chromium, on a desktop and a phone, and
every page passes axe's WCAG 2.2 AA checks (the helpers and fixtures of tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from ehcflow.families.models import Relationship
from ehcflow.people.models import Role, Team
from tests.browser.conftest import (  # noqa: F401 - fixtures, used by name
    AXE_JS,
    _append_only_rows_erased,
    axe,
    browser,
    context,
    page,
)
from tests.browser.helpers import Axe, long
from tests.families.builders import link, make_case, make_family, make_staff, pdf_bytes, to_draft
from tests.files.clamd_daemon import clamd_socket, scanner  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PHONE: ViewportSize = {"width": 375, "height": 812}


@pytest.fixture
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHCFLOW_DEMO", "1")


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:  # noqa: F811
    ctx = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB",
                              timezone_id="Europe/London", is_mobile=True, has_touch=True)
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(path=str(AXE_JS))
    tab = ctx.new_page()
    yield tab
    ctx.close()


def family_with_draft() -> tuple[Any, Any]:
    north = Team.objects.create(name="North")
    officer = make_staff("alex", Role.CASE_OFFICER, north, "alex@council.example")
    today = timezone.localdate()
    case = make_case("EHC-2026-00042", forename="Ada", born=today.replace(year=today.year - 9),
                     officer=officer, received_days_ago=60)
    case = to_draft(case, draft_days_ago=2)
    parent = make_family("fam-parent", email="parent@example.com", first="Sam", last="Parent")
    parent.user.set_password(PASSWORD)
    parent.user.save()
    link(parent, case.child)
    return parent, case


def demo_sign_in(tab: Page, username: str, axe: Axe | None = None) -> None:  # noqa: F811
    tab.goto("/family/sign-in/")
    if axe is not None:
        axe.check(tab, "family sign-in")
    tab.get_by_label("Demo username").fill(username)
    tab.get_by_label("Demo password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in to the demo").click()
    tab.get_by_role("heading", level=1, name="Your EHC needs assessments").wait_for()


def test_a_parent_follows_the_draft_and_responds(
        page: Page, axe: Axe, demo_mode: None, scanner: str,  # noqa: F811
        tmp_path: Path) -> None:
    parent, case = family_with_draft()
    # The code route: the pages a family without a demo account sees.
    page.goto("/family/sign-in/")
    page.get_by_label("Email address or mobile phone number").fill("not an address")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_text("Enter an email address, or a UK mobile number starting 07.").first.wait_for()
    axe.check(page, "sign-in with an error")
    page.get_by_label("Email address or mobile phone number").fill("parent@example.com")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_role("heading", level=1, name="Enter your code").wait_for()
    axe.check(page, "enter your code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "wrong code")

    demo_sign_in(page, parent.user.username, axe)
    axe.check(page, "family home")
    page.get_by_role("link", name="Ada: request received").click()
    page.get_by_role("heading", level=1).wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Ada: the draft plan is ready for your comments")
    ends = case.draft_date.fromordinal(case.draft_date.toordinal() + 14)
    assert f"You can send your comments on the draft plan until {long(ends)}" in (
        page.locator("#next-date").inner_text())
    assert "Your case officer is Alex Staff." in page.locator("#officer").inner_text()
    axe.check(page, "family case page")

    page.get_by_role("link", name="Send us a document").click()
    axe.check(page, "send a document")
    page.get_by_label("What is the document?").fill("Occupational therapy report")
    report = tmp_path / "report.pdf"
    report.write_bytes(pdf_bytes())
    page.get_by_label("Document", exact=True).set_input_files(str(report))
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your document has been sent").wait_for()
    assert page.get_by_role("link", name="Occupational therapy report").is_visible()

    page.get_by_role("link", name="Respond to the draft plan").click()
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "draft response with an error")
    page.get_by_label("Your comments on the draft plan").fill("Please add speech therapy.")
    page.get_by_label("School or college you would like named (optional)").fill("Hillside")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your response to the draft plan has been sent").wait_for()
    assert "We received your comments on the draft plan" in page.locator("#history").inner_text()

    page.get_by_role("link", name="Ask for a meeting").click()
    axe.check(page, "ask for a meeting")
    axe.assert_clean()


def test_the_pages_work_at_phone_width(phone: Page, axe: Axe, demo_mode: None) -> None:  # noqa: F811
    parent, _case = family_with_draft()
    young = make_family("fam-young", mobile="+447700900123", first="Cal", last="Young")
    young.user.set_password(PASSWORD)
    young.user.save()
    today = timezone.localdate()
    cal = make_case("EHC-2026-00043", forename="Cal", born=today.replace(year=today.year - 17),
                    officer=None, received_days_ago=10)
    link(young, cal.child, Relationship.YOUNG_PERSON)
    link(parent, cal.child)

    demo_sign_in(phone, parent.user.username, axe)
    axe.check(phone, "family home (phone)")
    phone.get_by_role("link", name="Ada: request received").click()
    phone.get_by_role("heading", level=1).wait_for()
    axe.check(phone, "family case page (phone)")
    # Nothing wider than the screen: no sideways scrolling on a phone (WCAG 1.4.10 reflow).
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="Respond to the draft plan").click()
    axe.check(phone, "draft response (phone)")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.context.clear_cookies()
    demo_sign_in(phone, young.user.username)
    phone.get_by_role("link", name="Choose who else can follow your case").click()
    axe.check(phone, "sharing (phone)")
    phone.get_by_role("button", name="Let them see it").click()
    phone.get_by_text("They can now follow your case").wait_for()
    phone.get_by_role("link", name="Back").click()
    phone.get_by_role("link", name="Cal: request received").click()
    phone.get_by_role("heading", level=1).wait_for()
    phone.get_by_role("link", name="Tell us your views and your child's").click()
    axe.check(phone, "views (phone)")
    axe.assert_clean()
