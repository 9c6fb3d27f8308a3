"""An administrator manages accounts in the browser: create, change, link, disable, load a file.

Every page is checked with axe-core against WCAG 2.2 AA.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from playwright.sync_api import Page, expect

from ehcflow.people.models import AccountChange, Role, StaffMember, Team, User
from tests.browser.helpers import Axe, banner, fill_date, make_staff, menu, sign_in, summary_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "people_accountchange"


@pytest.fixture(autouse=True)
def _account_changes_erased(transactional_db: None) -> Iterator[None]:
    """The account-change log is append-only (people migration 0002): lift its triggers for a
    moment after the test so the live-server database can be emptied, then put them back."""
    yield
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [TABLE])
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute(f'DELETE FROM "{TABLE}"')
            for _name, sql in saved:
                cursor.execute(sql)
        else:
            cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER USER')
            cursor.execute(f'DELETE FROM "{TABLE}"')
            cursor.execute(f'ALTER TABLE "{TABLE}" ENABLE TRIGGER USER')


@pytest.fixture
def administrator(transactional_db: None) -> User:
    return make_staff("ada", "Ada Administrator", Role.ADMINISTRATOR, None)


def test_an_administrator_manages_accounts(page: Page, axe: Axe, administrator: User,
                                           tmp_path: Path) -> None:
    Team.objects.create(name="North")
    sign_in(page, administrator, axe)
    menu(page, "Accounts")
    expect(page.get_by_role("heading", level=1, name="Accounts")).to_be_visible()
    axe.check(page, "accounts")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe.check(page, "create an account (errors)")
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_label("Username").fill("robin.example")
    page.get_by_label("Email address").fill("robin.example@council.example")
    page.get_by_label("Staff ID").fill("R100")
    page.get_by_label("Case officer").check()
    page.get_by_label("Team", exact=True).select_option(label="North")
    page.get_by_label("Full-time equivalent (FTE)").fill("0.6")
    fill_date(page, "Start date", date(2024, 4, 2))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Robin Example")).to_be_visible()
    assert "Account created" in banner(page)
    assert summary_value(page, "Role") == "Case officer"
    assert summary_value(page, "Last signed in") == "Never"
    axe.check(page, "account")

    page.get_by_role("button", name="Send a set-password link").click()
    assert "Set-password link sent" in banner(page)
    assert len(mail.outbox) == 1
    link = re.search(r"(/accounts/set-password/\S+)", str(mail.outbox[0].body))
    assert link is not None

    page.get_by_role("link", name="Change details").click()
    page.get_by_label("Team manager").check()
    page.get_by_role("button", name="Save").click()
    assert summary_value(page, "Role") == "Team manager"
    expect(page.get_by_role("cell", name="Role: Case officer to Team manager")).to_be_visible()

    page.get_by_role("button", name="Disable account").click()
    assert "Account disabled" in banner(page)
    expect(page.get_by_role("button", name="Re-enable account")).to_be_visible()

    menu(page, "Accounts")
    page.get_by_role("link", name="Load staff from a file").click()
    axe.check(page, "load staff")
    staff_file = tmp_path / "staff.csv"
    staff_file.write_text(
        "staff_id,name,username,email,role,team,fte,start_date\n"
        "S1,Sam Sample,sam.sample,sam@council.example,Analyst,,1,2021-01-04\n"
        "S2,Kim Instance,,kim@council.example,Wizard,,2,2021-01-04\n")
    page.get_by_label("Upload a staff file (CSV)").set_input_files(str(staff_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Row 3, column ‘username’: is empty")).to_be_visible()
    axe.check(page, "load staff (problems)")
    staff_file.write_text(
        "staff_id,name,username,email,role,team,fte,start_date\n"
        "S1,Sam Sample,sam.sample,sam@council.example,Analyst,,1,2021-01-04\n")
    page.get_by_label("Upload a staff file (CSV)").set_input_files(str(staff_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check before loading")).to_be_visible()
    axe.check(page, "load staff (preview)")
    page.get_by_role("button", name="Load 1 change").click()
    assert "Staff file loaded: 1 account created or changed" in banner(page)
    assert StaffMember.objects.filter(staff_ref="S1", user__username="sam.sample").exists()

    page.get_by_role("link", name="Account changes").click()
    axe.check(page, "account changes")
    expect(page.get_by_role("cell", name="Loaded from a staff file")).to_be_visible()
    assert AccountChange.objects.count() == 5

    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1, name="This link does not work")).to_be_visible()
    axe.check(page, "set password (disabled account)")
    axe.assert_clean()
