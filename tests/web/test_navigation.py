"""The menu offers each role only what it may use, marks where you are, and error pages lead
somewhere."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ehcflow.people.models import Role, StaffMember, User

pytestmark = pytest.mark.django_db


def signed_in(role: str | None) -> Client:
    user = User.objects.create_user(username=f"u-{role}", password="correct horse battery")
    if role is not None:
        StaffMember.objects.create(user=user, staff_ref=f"S-{role}", name="Sam Staff",
                                   role=role, start_date=date(2020, 1, 1))
    client = Client()
    client.force_login(user)
    return client


def menu(html: str) -> list[str]:
    nav = html.split('id="navigation"')[1].split("</ul>")[0]
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'class="govuk-service-navigation__link"[^>]*>(.*?)</a>', nav)]


@pytest.mark.parametrize(("role", "expected"), [
    (Role.CASE_OFFICER, ["Home", "My work", "Search", "Reviews", "SEN2 return"]),
    (Role.HEAD_OF_SERVICE, ["Home", "My work", "Search", "Reviews", "Dashboards",
                            "Recovery planner", "SEN2 return", "Plan quality"]),
    # Analysts count reviews and plan quality, but the return names children.
    (Role.ANALYST, ["Home", "My work", "Search", "Reviews", "Dashboards", "Recovery planner",
                    "Plan quality"]),
    (Role.EDUCATIONAL_PSYCHOLOGIST, ["Home", "My work", "Search", "Advice requests"]),
    (Role.BUSINESS_SUPPORT, ["Home", "My work", "Search"]),
    (Role.ADMINISTRATOR, ["Home", "Accounts"]),
    (None, ["Home"]),  # a signed-in person with no role in the service
])
def test_the_menu_offers_only_pages_the_role_may_open(role: str | None,
                                                      expected: list[str]) -> None:
    client = signed_in(role)
    html = client.get(reverse("home")).content.decode()
    assert menu(html) == expected
    for label, url in (("My work", reverse("casework:my_work")),
                       ("Search", reverse("casework:search")),
                       ("Reviews", reverse("reviews:team")),
                       ("Dashboards", reverse("insight:overview")),
                       ("SEN2 return", reverse("sen2:overview")),
                       ("Plan quality", reverse("plans:quality")),
                       ("Advice requests", reverse("partners:inbox"))):
        assert (client.get(url).status_code == 200) is (label in expected)


def test_the_current_section_is_marked() -> None:
    client = signed_in(Role.HEAD_OF_SERVICE)
    html = client.get(reverse("casework:search")).content.decode()
    current = re.findall(r'aria-current="page"><strong[^>]*>([^<]+)<', html)
    assert current == ["Search"]
    html = client.get(reverse("insight:overview")).content.decode()
    assert re.findall(r'aria-current="page"><strong[^>]*>([^<]+)<', html) == ["Dashboards"]


@override_settings(DEBUG=False)
def test_a_refusal_and_a_missing_page_keep_the_service_around_them() -> None:
    client = signed_in(Role.CASE_OFFICER)
    refused = client.get(reverse("insight:overview"))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "You cannot use this page" in page and "Go to the home page" in page
    assert menu(page) == ["Home", "My work", "Search", "Reviews", "SEN2 return"]
    missing = client.get("/requests/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "<title>Page not found" in page and 'href="/"' in page


def test_a_form_with_errors_says_error_in_the_title() -> None:
    client = signed_in(Role.CASE_OFFICER)
    html = client.post(reverse("casework:request_new"), {}).content.decode()
    assert re.search(r"<title>Error: Register a request", html)
