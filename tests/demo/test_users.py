"""`ehcflow demo-users`: one account per role, linked to demo staff, passwords that work."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from ehcflow.demo import users
from ehcflow.partners.models import Membership
from ehcflow.people.models import StaffMember, User

pytestmark = pytest.mark.django_db

ROLES = ["case_officer", "team_manager", "head_of_service", "educational_psychologist",
         "business_support", "analyst", "administrator", "parent", "carer", "young_person",
         "health_adviser", "school", "social_care_adviser"]
FAMILY_ROLES = {"parent", "carer", "young_person"}  # no staff record (ehcflow.families.demo)
# Partner organisations' people: no staff record, a membership (ehcflow.partners.demo).
PARTNER_ROLES = {"health_adviser", "school", "social_care_adviser"}


def run_json() -> list[dict[str, str | None]]:
    out = StringIO()
    call_command("demo_users", "--json", stdout=out)
    data: list[dict[str, str | None]] = json.loads(out.getvalue())
    return data


def test_it_refuses_without_the_demo_flag(loaded: object,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHCFLOW_DEMO", raising=False)
    with pytest.raises(CommandError, match="EHCFLOW_DEMO=1"):
        call_command("demo_users")
    assert not User.objects.exists()


def test_it_needs_the_demo_loaded(demo_env: None) -> None:
    with pytest.raises(CommandError, match="demo-data"):
        call_command("demo_users")


def test_json_lists_one_account_per_role(loaded: object, demo_env: None) -> None:
    accounts = run_json()
    assert [a["role"] for a in accounts] == ROLES
    for account in accounts:
        assert set(account) == {"username", "password", "role", "team"}
        assert isinstance(account["password"], str) and len(account["password"]) >= 16
    staffed = [a for a in accounts if a["role"] not in FAMILY_ROLES | PARTNER_ROLES]
    for account in accounts:
        if account["role"] in PARTNER_ROLES:
            assert Membership.objects.filter(user__username=account["username"],
                                             ended_at__isnull=True).exists()
    for account in staffed:
        staff = StaffMember.objects.get(user__username=account["username"])
        assert staff.role == account["role"]
        assert (staff.team.name if staff.team else None) == account["team"]
        assert staff.end_date is None
    parent = next(a for a in accounts if a["role"] == "parent")
    assert parent["team"] is None
    assert not StaffMember.objects.filter(user__username=parent["username"]).exists()


def test_the_passwords_sign_in_and_are_hashed_with_argon2(loaded: object,
                                                          demo_env: None) -> None:
    from ehcflow import settings as project_settings

    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        for account in run_json():
            assert account["username"] and account["password"]
            # Through the project's backends (django-axes wants the request).
            user = authenticate(RequestFactory().post("/"), username=account["username"],
                                password=account["password"])
            assert user is not None, account["role"]
            assert user.password.startswith("argon2$argon2id$")
            validate_password(account["password"], user)
    admin = User.objects.get(staff__role="administrator")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()


def test_a_demo_user_signs_in_through_the_sign_in_page(loaded: object,
                                                        demo_env: None) -> None:
    officer = run_json()[0]
    client = Client()
    response = client.post(reverse("login"), {"username": officer["username"],
                                              "password": officer["password"]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(
        User.objects.get(username=officer["username"]).pk)


def test_running_again_changes_nothing(loaded: object, demo_env: None) -> None:
    first = run_json()
    hashes = dict(User.objects.values_list("username", "password"))
    assert run_json() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_passwords_depend_on_the_secret_key_not_only_the_code() -> None:
    with override_settings(SECRET_KEY="one-installation-" * 4):
        first = users.password_for(2023, "alex.smith")
    with override_settings(SECRET_KEY="another-installation-" * 4):
        second = users.password_for(2023, "alex.smith")
    assert first != second
    assert users.password_for(2023, "alex.smith") == users.password_for(2023, "alex.smith")
    assert users.password_for(2023, "alex.smith") != users.password_for(2024, "alex.smith")


def test_the_table_says_where_to_sign_in(loaded: object, demo_env: None) -> None:
    out = StringIO()
    call_command("demo_users", stdout=out)
    text = out.getvalue()
    assert text.startswith("Sign in at http://127.0.0.1:8000/ as")
    assert "case officer" in text and "parent" in text


def test_the_readme_lists_every_demo_account() -> None:
    """The README names as many demo accounts as `demo-users` prints, and each role."""
    from pathlib import Path

    from ehcflow.demo.users import ROLES
    from ehcflow.people.models import Role

    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert "eight demo accounts" in readme and len(ROLES) == 8
    for role in ROLES:
        label = "a parent" if role is None else Role(role).label.lower()
        assert label in readme.lower(), label
