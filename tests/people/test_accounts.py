"""Account management by administrators, the set-password link and the account-change log.

Issue 9, finding 4 and "Accounts": administrators create, change, disable and re-enable
accounts, send set-password links and see the last sign-in; every change is audited in an
append-only log; administrators see no case content.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services as casework
from ehcflow.people.models import AccountChange, Role, StaffMember, Team, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a quiet river under seven bridges"


def make_staff(username: str, role: str, team: Team | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    email=f"{username}@council.example")
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=username.title(),
                               role=role, team=team, start_date=date(2020, 1, 1))
    return user


@pytest.fixture
def north() -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(make_staff("admin", Role.ADMINISTRATOR))
    return client


def create_form(**overrides: str) -> dict[str, str]:
    form = {"name": "Robin Example", "username": "robin.example",
            "email": "Robin.Example@council.example", "staff_ref": "R100",
            "role": Role.CASE_OFFICER, "team": "", "fte": "0.6",
            "start_date_0": "2", "start_date_1": "4", "start_date_2": "2024",
            "end_date_0": "", "end_date_1": "", "end_date_2": "", "entra_object_id": ""}
    form.update(overrides)
    return form


# --- who may manage accounts ---------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE,
                                  Role.ANALYST, Role.BUSINESS_SUPPORT,
                                  Role.EDUCATIONAL_PSYCHOLOGIST])
def test_only_administrators_reach_the_account_pages(role: str) -> None:
    target = make_staff("target", Role.CASE_OFFICER)
    client = Client()
    client.force_login(make_staff("someone", role))
    for url in (reverse("people:accounts"), reverse("people:account_new"),
                reverse("people:change_log"), reverse("people:staff_file"),
                reverse("people:account", args=[target.staff.public_id])):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 403
    disable = reverse("people:account_disable", args=[target.staff.public_id])  # type: ignore[attr-defined]
    assert client.post(disable).status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("people:accounts"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_leaver_administrator_cannot_manage_accounts(admin: Client) -> None:
    StaffMember.objects.filter(user__username="admin").update(
        end_date=timezone.localdate() - timedelta(days=1))
    assert admin.get(reverse("people:accounts")).status_code == 302


def test_administrators_see_no_case_content(admin: Client, north: Team) -> None:
    officer = make_staff("officer", Role.CASE_OFFICER, north)
    actor = casework.Actor(name="test")
    child = casework.child_create(person_ref="P1", date_of_birth=date(2016, 5, 1),
                                  forename="Ada", surname="Example", by=actor)
    case = casework.request_register(child=child, case_ref="EHC-1",
                                     received_date=timezone.localdate() - timedelta(days=30),
                                     officer=officer.staff, by=actor)  # type: ignore[attr-defined]
    pages = {
        reverse("casework:request", args=[case.public_id]): {403, 404},
        reverse("casework:child", args=[child.public_id]): {403, 404},
        reverse("casework:access_log", args=[case.public_id]): {403, 404},
        reverse("insight:overview"): {403, 404},
        reverse("insight:cases"): {403, 404},
        reverse("planning:list"): {403, 404},
    }
    for url, allowed in pages.items():
        response = admin.get(url)
        assert response.status_code in allowed, url
        assert b"Ada" not in response.content and b"EHC-1" not in response.content
    for url in (reverse("casework:my_work"), reverse("casework:search"), reverse("home")):
        response = admin.get(url)
        assert b"Ada" not in response.content and b"EHC-1" not in response.content, url


# --- the list ------------------------------------------------------------------------------

def test_the_list_shows_each_account_with_status_and_last_sign_in(admin: Client,
                                                                  north: Team) -> None:
    officer = make_staff("officer", Role.CASE_OFFICER, north)
    leaver = make_staff("leaver", Role.ANALYST)
    StaffMember.objects.filter(user=leaver).update(end_date=date(2023, 3, 31))
    disabled = make_staff("disabled", Role.TEAM_MANAGER)
    User.objects.filter(pk=disabled.pk).update(is_active=False)
    assert Client().post(reverse("login"), {"username": "officer", "password": PASSWORD}
                         ).status_code == 302
    officer.refresh_from_db()
    assert officer.last_login is not None
    page = admin.get(reverse("people:accounts")).content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Officer(?:(?!</tr>).)*</tr>", page, re.S)
    assert row is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert "officer" in text and "Case officer" in text and "North" in text
    assert "1.00" in text and "Active" in text and "1 Jan 2020" in text
    assert timezone.localtime(officer.last_login).strftime("%-d %b %Y") in text
    assert "Never" in page  # the others have not signed in
    assert "Left" in page and "31 Mar 2023" in page and "Disabled" in page


def test_the_list_pages_by_fifty(admin: Client) -> None:
    for i in range(60):
        user = User.objects.create_user(username=f"user{i:02d}")
        StaffMember.objects.create(user=user, staff_ref=f"U{i:02d}", name=f"Person {i:02d}",
                                   role=Role.CASE_OFFICER, start_date=date(2020, 1, 1))
    first = admin.get(reverse("people:accounts")).content.decode()
    second = admin.get(reverse("people:accounts") + "?page=2").content.decode()
    assert "Page 1 of 2" in first and "Person 00" in first and "Person 49" not in first
    assert "Page 2 of 2" in second and "Person 55" in second and "Person 00" not in second


# --- create and change ---------------------------------------------------------------------

def test_create_an_account(admin: Client, north: Team) -> None:
    response = admin.post(reverse("people:account_new"), create_form(team=str(north.pk)))
    staff = StaffMember.objects.select_related("user").get(staff_ref="R100")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:account", args=[staff.public_id])
    assert staff.user is not None
    assert staff.user.username == "robin.example"
    assert staff.user.email == "robin.example@council.example"
    assert not staff.user.has_usable_password()
    assert (staff.role, staff.team, staff.fte) == (Role.CASE_OFFICER, north, Decimal("0.60"))
    assert staff.start_date == date(2024, 4, 2) and staff.end_date is None
    change = AccountChange.objects.get(staff=staff)
    assert change.action == "created" and change.by_name == "admin"
    assert change.changes["role"] == ["", "case_officer"]
    assert change.changes["team"] == ["", "North"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Enter the person&#x27;s full name"),
    ({"fte": "1.5"}, "The full-time equivalent must be 1.00 or less"),
    ({"fte": "0"}, "The full-time equivalent must be 0.01 or more"),
    ({"role": ""}, "Select a role"),
    ({"username": "has space"}, "The username must be letters, numbers"),
    ({"email": "not-an-address"}, "Enter an email address in the right format"),
    ({"end_date_0": "1", "end_date_1": "1", "end_date_2": "2023"},
     "The end date must be on or after the start date"),
    ({"entra_object_id": "someone@council.example"},
     "The Microsoft Entra object ID must be a GUID"),
    ({"username": "ADMIN"}, "An account with that username already exists"),
])
def test_bad_input_is_explained_and_changes_nothing(admin: Client, overrides: dict[str, str],
                                                    message: str) -> None:
    users, changes = User.objects.count(), AccountChange.objects.count()
    response = admin.post(reverse("people:account_new"), create_form(**overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert User.objects.count() == users and AccountChange.objects.count() == changes
    assert not StaffMember.objects.filter(staff_ref="R100").exists()


def test_a_duplicate_staff_id_is_refused(admin: Client) -> None:
    make_staff("r100", Role.ANALYST)
    response = admin.post(reverse("people:account_new"), create_form())
    assert "A staff record with that staff ID already exists" in response.content.decode()
    assert not User.objects.filter(username="robin.example").exists()


def change_form(staff: StaffMember, **overrides: str) -> dict[str, str]:
    assert staff.user is not None
    form = {"role": staff.role, "team": str(staff.team_id or ""), "fte": str(staff.fte),
            "end_date_0": "", "end_date_1": "", "end_date_2": "",
            "email": staff.user.email, "entra_object_id": staff.user.entra_object_id or ""}
    form.update(overrides)
    return form


def test_change_role_team_fte_and_end_date(admin: Client, north: Team) -> None:
    user = make_staff("officer", Role.CASE_OFFICER)
    staff = StaffMember.objects.get(user=user)
    url = reverse("people:account_change", args=[staff.public_id])
    response = admin.post(url, change_form(
        staff, role=Role.TEAM_MANAGER, team=str(north.pk), fte="0.8",
        end_date_0="31", end_date_1="8", end_date_2="2027",
        entra_object_id="0A0A0A0A-1B1B-2C2C-3D3D-4E4E4E4E4E4E"))
    assert response.status_code == 302
    staff.refresh_from_db()
    user.refresh_from_db()
    assert (staff.role, staff.team, staff.fte) == (Role.TEAM_MANAGER, north, Decimal("0.80"))
    assert staff.end_date == date(2027, 8, 31)
    assert user.entra_object_id == "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"
    change = AccountChange.objects.get(staff=staff, action="changed")
    assert change.changes == {
        "role": ["case_officer", "team_manager"], "team": ["", "North"],
        "fte": ["1.00", "0.80"], "end_date": ["", "2027-08-31"],
        "entra_object_id": ["", "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"]}
    # Saving the same again records nothing.
    admin.post(url, change_form(staff, end_date_0="31", end_date_1="8", end_date_2="2027"))
    assert AccountChange.objects.filter(staff=staff).count() == 1
    detail = admin.get(reverse("people:account", args=[staff.public_id])).content.decode()
    assert "Role: Case officer to Team manager" in detail
    assert "End date: 2027-08-31" in detail


def test_an_entra_object_id_belongs_to_one_account(admin: Client) -> None:
    oid = "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"
    make_staff("first", Role.ANALYST)
    User.objects.filter(username="first").update(entra_object_id=oid)
    second = StaffMember.objects.get(user=make_staff("second", Role.ANALYST))
    response = admin.post(reverse("people:account_change", args=[second.public_id]),
                          change_form(second, entra_object_id=oid))
    assert "Another account already has that Microsoft Entra object ID" in \
        response.content.decode()
    assert User.objects.get(username="second").entra_object_id is None


def test_administrators_cannot_demote_or_disable_themselves(admin: Client) -> None:
    me = StaffMember.objects.get(user__username="admin")
    response = admin.post(reverse("people:account_change", args=[me.public_id]),
                          change_form(me, role=Role.ANALYST))
    assert "You cannot change your own role" in response.content.decode()
    response = admin.post(reverse("people:account_disable", args=[me.public_id]), follow=True)
    assert "You cannot disable your own account" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.ADMINISTRATOR and me.user is not None and me.user.is_active


# --- disable, re-enable, set-password link --------------------------------------------------

def test_disable_and_re_enable(admin: Client) -> None:
    user = make_staff("officer", Role.CASE_OFFICER)
    staff = StaffMember.objects.get(user=user)
    officer = Client()
    assert officer.post(reverse("login"), {"username": "officer", "password": PASSWORD}
                        ).status_code == 302
    admin.post(reverse("people:account_disable", args=[staff.public_id]))
    user.refresh_from_db()
    assert not user.is_active
    assert officer.get(reverse("casework:my_work")).status_code == 302  # session ended
    assert Client().post(reverse("login"), {"username": "officer", "password": PASSWORD}
                         ).status_code == 200
    admin.post(reverse("people:account_enable", args=[staff.public_id]))
    assert Client().post(reverse("login"), {"username": "officer", "password": PASSWORD}
                         ).status_code == 302
    assert list(AccountChange.objects.filter(staff=staff).order_by("id")
                .values_list("action", flat=True)) == ["disabled", "enabled"]


def test_a_set_password_link_lets_a_new_account_sign_in_once(admin: Client) -> None:
    admin.post(reverse("people:account_new"), create_form())
    staff = StaffMember.objects.get(staff_ref="R100")
    response = admin.post(reverse("people:account_send_link", args=[staff.public_id]),
                          follow=True)
    assert "Set-password link sent to robin.example@council.example" in \
        response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["robin.example@council.example"]
    assert "robin.example" in message.body
    link = re.search(r"http://testserver(/accounts/set-password/\S+)", str(message.body))
    assert link is not None
    person = Client()
    form = person.get(link.group(1), follow=True)
    assert "Set your password" in form.content.decode()
    done = person.post(form.redirect_chain[-1][0],
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().post(reverse("login"), {"username": "robin.example",
                                            "password": NEW_PASSWORD}).status_code == 302
    again = Client().get(link.group(1), follow=True)
    assert "This link does not work" in again.content.decode()
    actions = list(AccountChange.objects.filter(staff=staff).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["created", "set_password_link", "password_set"]
    # The token is never in the log.
    token = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    assert token not in str(list(AccountChange.objects.values_list("changes", flat=True)))


def test_a_link_is_not_sent_to_a_disabled_account_or_a_leaver(admin: Client) -> None:
    user = make_staff("officer", Role.CASE_OFFICER)
    staff = StaffMember.objects.get(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = admin.post(reverse("people:account_send_link", args=[staff.public_id]),
                          follow=True)
    assert "Re-enable the account before sending a set-password link" in \
        response.content.decode()
    User.objects.filter(pk=user.pk).update(is_active=True)
    StaffMember.objects.filter(pk=staff.pk).update(end_date=date(2023, 1, 1))
    response = admin.post(reverse("people:account_send_link", args=[staff.public_id]),
                          follow=True)
    assert "This person has left" in response.content.decode()
    assert mail.outbox == []


# --- the account-change log ------------------------------------------------------------------

def test_the_change_log_page_lists_every_change(admin: Client) -> None:
    admin.post(reverse("people:account_new"), create_form())
    staff = StaffMember.objects.get(staff_ref="R100")
    admin.post(reverse("people:account_disable", args=[staff.public_id]))
    page = admin.get(reverse("people:change_log")).content.decode()
    assert "Account created" in page and "Account disabled" in page
    assert "Robin Example" in page and "Can sign in: yes to no" in page


def test_the_account_change_log_is_append_only_in_the_database(admin: Client) -> None:
    admin.post(reverse("people:account_new"), create_form())
    change = AccountChange.objects.get()
    table = AccountChange._meta.db_table
    statements = [f"UPDATE {table} SET by_name = 'someone else'",
                  f"DELETE FROM {table}"]
    if connection.vendor == "sqlite":
        statements.append(  # REPLACE deletes the old row without firing DELETE triggers
            f"REPLACE INTO {table} (id, at, by_name, staff_id, action, changes) "
            f"SELECT id, at, 'someone else', staff_id, action, '{{}}' FROM {table}")
    else:
        statements.append(f"TRUNCATE {table}")
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    change.refresh_from_db()
    assert change.by_name == "admin" and change.action == "created"
    assert AccountChange.objects.count() == 1


def test_an_account_without_an_email_address_can_still_be_changed(admin: Client) -> None:
    user = User.objects.create_user(username="noemail")
    staff = StaffMember.objects.create(user=user, staff_ref="NE1", name="No Email",
                                       role=Role.ANALYST, start_date=date(2020, 1, 1))
    response = admin.post(reverse("people:account_change", args=[staff.public_id]),
                          change_form(staff, fte="0.5"))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.fte == Decimal("0.50")
    response = admin.post(reverse("people:account_send_link", args=[staff.public_id]),
                          follow=True)
    assert "Add an email address before sending a set-password link" in \
        response.content.decode()


# --- the first administrator -----------------------------------------------------------------

def test_the_first_administrator_is_created_from_the_command_line() -> None:
    from django.core.management import call_command

    call_command("create_administrator", "--staff-id", "A1", "--name", "Ada Admin",
                 "--username", "ada", "--email", "ada@council.example",
                 "--start-date", "2026-01-05", "--url", "https://send.example/")
    staff = StaffMember.objects.select_related("user").get(staff_ref="A1")
    assert staff.role == Role.ADMINISTRATOR and staff.user is not None
    assert not staff.user.has_usable_password()
    assert len(mail.outbox) == 1 and "https://send.example/accounts/set-password/" in \
        str(mail.outbox[0].body)
    assert list(AccountChange.objects.order_by("id").values_list("action", "by_name")) == [
        ("created", "command line"), ("set_password_link", "command line")]


def test_the_command_refuses_bad_input_and_creates_nothing() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    base = ["--staff-id", "A1", "--name", "Ada Admin", "--username", "ada",
            "--url", "https://send.example/"]
    with pytest.raises(CommandError, match="--email must be an email address"):
        call_command("create_administrator", *base, "--email", "not-an-address")
    with pytest.raises(CommandError, match="--start-date must be a date"):
        call_command("create_administrator", *base, "--email", "ada@council.example",
                     "--start-date", "05/01/2026")
    assert not User.objects.exists() and not AccountChange.objects.exists()


def test_emptying_an_empty_account_change_log_is_allowed() -> None:
    """Django's test flush truncates every table; an empty log loses nothing by it."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's flush deletes row by row")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AccountChange._meta.db_table}")
    assert not AccountChange.objects.exists()
