"""A figure reads the same on every page: thousands separated, one decimal, % where a share."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehcflow.casework import services
from ehcflow.casework.models import Child
from ehcflow.people.models import Role, StaffMember, User
from ehcflow.web.templatetags.govuk import figure


def test_the_figure_filter_is_the_board_packs_format() -> None:
    assert figure(1299) == "1,299"
    assert figure(66.94, "%") == "66.9%"
    assert figure(None, "%") == "–"


@pytest.mark.django_db
def test_the_home_page_formats_its_figures() -> None:
    user = User.objects.create_user(username="head", password="correct horse battery")
    StaffMember.objects.create(user=user, staff_ref="H", name="Head", start_date=date(2020, 1, 1),
                               role=Role.HEAD_OF_SERVICE)
    child = Child.objects.create(person_ref="P1", date_of_birth=date(2015, 1, 1))
    actor = services.Actor(name="test")
    today = timezone.localdate()
    for n in range(3):
        services.request_register(child=child, case_ref=f"EHC-{n}", by=actor,
                                  received_date=today - timedelta(days=10 + n))
    client = Client()
    client.force_login(user)
    html = " ".join(client.get(reverse("home")).content.decode().split())
    cell = '</th><td class="govuk-table__cell govuk-table__cell--numeric">'
    assert f"% issued within 20 weeks{cell}–" in html
    assert f"Open requests{cell}3<" in html
