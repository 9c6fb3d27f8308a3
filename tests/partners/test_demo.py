"""The demo's partner accounts reach realistic advice requests and sign in with a password."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ehcflow.demo import loader
from ehcflow.partners.models import AdviceAssignment, Consultation, Membership, Organisation

pytestmark = pytest.mark.django_db


def test_demo_partners_see_their_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHCFLOW_DEMO", "1")
    loader.load(seed=11, today=date(2026, 11, 23), scale=0.05)
    out = StringIO()
    call_command("demo_users", "--json", stdout=out)
    accounts = {a["role"]: a for a in json.loads(out.getvalue())}
    assert {"health_adviser", "school", "social_care_adviser",
            "educational_psychologist"} <= set(accounts)
    assert Organisation.objects.count() == 4
    eps = Organisation.objects.get(kind="educational_psychology")
    ep_user = accounts["educational_psychologist"]["username"]
    assert Membership.objects.filter(organisation=eps, user__username=ep_user).exists()
    health = Organisation.objects.get(kind="health")
    assert AdviceAssignment.objects.filter(organisation=health).exists()
    client = Client()
    dco = accounts["health_adviser"]
    assert client.post(reverse("login"), {"username": dco["username"],
                                          "password": dco["password"]}).status_code == 302
    inbox = client.get(reverse("partners:inbox")).content.decode()
    assert "No advice is waiting from you." not in inbox
    waiting = AdviceAssignment.objects.filter(organisation=health,
                                              advice__received_on__isnull=True,
                                              advice__request__stage="assessing").count()
    assert waiting > 0
    assert f"{waiting} advice request{'s' if waiting != 1 else ''} waiting" in inbox
    # Running again changes nothing.
    before = (AdviceAssignment.objects.count(), Consultation.objects.count(),
              Membership.objects.count())
    call_command("demo_users", "--json", stdout=StringIO())
    assert (AdviceAssignment.objects.count(), Consultation.objects.count(),
            Membership.objects.count()) == before
