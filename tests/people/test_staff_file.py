"""Loading staff in bulk from a CSV: preview, all or nothing, problems by row and column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ehcflow.people.models import AccountChange, Role, StaffMember, Team, User
from ehcflow.people.staff_import import read_plan

pytestmark = pytest.mark.django_db

HEADER = "staff_id,name,username,email,role,team,fte,start_date,end_date,entra_object_id\r\n"
GOOD = HEADER + (
    "S001,Robin Example,robin.example,robin@council.example,Case officer,North,0.6,"
    "2024-04-02,,0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e\r\n"
    "S002,Sam Sample,sam.sample,sam@council.example,team_manager,North,1,02/09/2019,,\r\n"
    "S003,Kim Instance,kim.instance,kim@council.example,Analyst,,,2021-01-04,2026-03-31,\r\n"
)


@pytest.fixture
def admin() -> Client:
    user = User.objects.create_user(username="admin", password="x")
    StaffMember.objects.create(user=user, staff_ref="ADMIN", name="Ada Admin",
                               role=Role.ADMINISTRATOR, start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    response = client.post(reverse("people:staff_file"),
                           {"file": SimpleUploadedFile("staff.csv", data, "text/csv")})
    assert response.status_code == 200
    return response.content.decode()


def confirm(client: Client, page: str) -> str:
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page)
    assert digest is not None, "the preview offers to load"
    response = client.post(reverse("people:staff_file_load"), {"digest": digest.group(1)},
                           follow=True)
    return response.content.decode()


def test_preview_then_load_creates_accounts_and_teams(admin: Client) -> None:
    page = upload(admin, GOOD)
    assert "Check before loading" in page and "3 of 3 rows will create or change" in page
    assert "New teams: North" in page and page.count("New account") == 3
    assert StaffMember.objects.count() == 1 and not Team.objects.exists()  # nothing yet
    done = confirm(admin, page)
    assert "Staff file loaded: 3 accounts created or changed" in done
    robin = StaffMember.objects.select_related("user", "team").get(staff_ref="S001")
    assert robin.user is not None and robin.user.username == "robin.example"
    assert robin.user.entra_object_id == "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"
    assert not robin.user.has_usable_password()
    assert (robin.role, robin.team and robin.team.name, robin.fte) == (
        Role.CASE_OFFICER, "North", Decimal("0.60"))
    sam = StaffMember.objects.get(staff_ref="S002")
    assert sam.role == Role.TEAM_MANAGER and sam.start_date == date(2019, 9, 2)
    kim = StaffMember.objects.get(staff_ref="S003")
    assert kim.team is None and kim.fte == Decimal("1.00") and kim.end_date == date(2026, 3, 31)
    assert AccountChange.objects.filter(action="imported").count() == 3
    assert AccountChange.objects.filter(action="imported", by__username="admin").count() == 3


def test_loading_the_same_file_again_changes_nothing(admin: Client) -> None:
    confirm(admin, upload(admin, GOOD))
    before = (list(StaffMember.objects.order_by("pk").values()),
              list(User.objects.order_by("pk").values()), AccountChange.objects.count())
    page = upload(admin, GOOD)
    assert page.count("No change") == 3
    assert "there is nothing to load" in page and 'name="digest"' not in page
    after = (list(StaffMember.objects.order_by("pk").values()),
             list(User.objects.order_by("pk").values()), AccountChange.objects.count())
    assert before == after


def test_a_changed_row_updates_the_record_and_logs_the_difference(admin: Client) -> None:
    confirm(admin, upload(admin, GOOD))
    changed = GOOD.replace("Analyst,,,2021-01-04,2026-03-31", "Analyst,South,0.5,2021-01-04,")
    page = upload(admin, changed)
    assert "Changes team, FTE, end date" in page and page.count("No change") == 2
    confirm(admin, page)
    kim = StaffMember.objects.select_related("team").get(staff_ref="S003")
    assert kim.team is not None and kim.team.name == "South"
    assert kim.fte == Decimal("0.50") and kim.end_date is None
    last = AccountChange.objects.filter(staff=kim).order_by("-id").first()
    assert last is not None and last.changes == {
        "team": ["", "South"], "fte": ["1.00", "0.50"], "end_date": ["2026-03-31", ""]}


def test_a_column_left_out_keeps_what_the_record_holds(admin: Client) -> None:
    confirm(admin, upload(admin, GOOD))
    short = ("staff_id,name,username,email,role,start_date\r\n"
             "S001,Robin Example,robin.example,robin@council.example,Case officer,2024-04-02\r\n")
    page = upload(admin, short)
    assert "No change" in page


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_loaded(
    admin: Client,
) -> None:
    User.objects.create_user(username="taken")
    bad = HEADER + (
        "S001,Robin Example,robin.example,robin@council.example,Case officer,North,0.6,"
        "2024-04-02,,\r\n"
        "S002,,sam.sample,not-an-address,Wizard,North,1.4,31/02/2019,,\r\n"
        "S001,Kim Instance,taken,kim@council.example,Analyst,,,2021-01-04,2020-01-01,"
        "kim@council.example\r\n"
        "S004,Lee Short,lee\r\n"
    )
    page = upload(admin, bad)
    assert "The file was not loaded" in page and "Nothing has been changed" in page
    problems = re.findall(r"<li>(Row [^<]+)</li>", page)
    expected = [
        "Row 3, column ‘name’: is empty",
        "Row 3, column ‘email’: must be an email address, like name@council.gov.uk",
        "Row 3, column ‘role’: ‘Wizard’ is not a role; use one of Case officer",
        "Row 3, column ‘fte’: must be a number from 0.01 to 1.00, like 0.6",
        "Row 3, column ‘start_date’: must be a date, like 2024-03-27 or 27/03/2024",
        "Row 4, column ‘staff_id’: S001 is also on row 2",
        "Row 4, column ‘end_date’: must be on or after the start date",
        "Row 4, column ‘entra_object_id’: must be a GUID",
        "Row 4, column ‘username’: taken already belongs to another account",
        "Row 5: has 3 cells, but the first row names 10 columns",
    ]
    for message in expected:
        assert any(p.replace("&#x27;", "'").startswith(message) for p in problems), message
    assert len(problems) == len(expected)
    assert StaffMember.objects.count() == 1 and User.objects.count() == 2
    assert not Team.objects.exists() and not AccountChange.objects.exists()
    assert 'name="digest"' not in page


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The selected file is empty"),
    (b"\xff\xfe\x00not utf-8", "The file must be a CSV saved as UTF-8"),
    (b"staff_id,name\r\nS1,Robin\r\n",
     "The file has no column ‘username’, ‘email’, ‘role’, ‘start_date’"),
    ((HEADER.strip() + ",salary\r\n").encode(),
     "The file has a column this service does not know: ‘salary’"),
    (HEADER.encode(), "The file has no rows of staff"),
])
def test_a_file_that_cannot_be_read_is_refused(admin: Client, data: bytes,
                                               message: str) -> None:
    page = upload(admin, data)
    assert message in page.replace("&#x27;", "'")
    assert StaffMember.objects.count() == 1


def test_the_file_is_checked_again_when_loaded(admin: Client) -> None:
    page = upload(admin, GOOD)
    User.objects.create_user(username="sam.sample")  # someone took the username meanwhile
    done = confirm(admin, page)
    assert "Row 3, column ‘username’: sam.sample already belongs to another account" in \
        done.replace("&#x27;", "'")
    assert StaffMember.objects.count() == 1 and not AccountChange.objects.exists()


def test_an_expired_or_tampered_preview_loads_nothing(admin: Client) -> None:
    upload(admin, GOOD)
    response = admin.post(reverse("people:staff_file_load"), {"digest": "0" * 64}, follow=True)
    assert "Upload the staff file again" in response.content.decode()
    assert StaffMember.objects.count() == 1


def test_a_username_cannot_be_changed_by_the_file(admin: Client) -> None:
    confirm(admin, upload(admin, GOOD))
    page = upload(admin, GOOD.replace("robin.example,", "robin.renamed,"))
    assert "staff ID S001 already has the username robin.example" in page


def test_the_example_file_is_a_file_the_loader_accepts(admin: Client) -> None:
    response = admin.get(reverse("people:staff_file_template"))
    assert response["Content-Type"] == "text/csv"
    plan = read_plan(response.content)
    assert plan.ok and len(plan.rows) == 1 and plan.rows[0].new
