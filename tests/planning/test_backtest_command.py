"""`ehcflow plan backtest`: the command over the casework database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework import services
from tests.planning.test_forecast import register_only

pytestmark = pytest.mark.django_db


def test_the_command_compares_and_gives_a_verdict(system_actor: services.Actor) -> None:
    register_only(system_actor)
    out = StringIO()
    call_command("plan", "backtest", "--as-of", "2023-03-31", "--today", "2023-07-31",
                 "--months", "6", "--replications", "20", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2023-03-31"
    assert [m["month"] for m in data["months"]] == ["2023-04", "2023-05", "2023-06", "2023-07"]
    assert set(data["summary"]) == {"open", "over_20_weeks", "over_30_weeks", "over_50_weeks",
                                    "plans_issued", "pct_within_20_weeks"}
    assert data["verdict"].startswith("The planner would")
    text = StringIO()
    call_command("plan", "backtest", "--as-of", "2023-03-31", "--today", "2023-07-31",
                 "--months", "6", "--replications", "20", stdout=text)
    assert "backlog over 20 weeks" in text.getvalue()
    assert "How the scenario was estimated:" in text.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2023-07-31", "--today", "2023-07-31"], "--as-of: must be before today"),
    (["--as-of", "2023-03-31", "--months", "0"], "--months"),
    (["--as-of", "2023-03-31", "--replications", "1"], "--replications"),
    (["--as-of", "2023-03-31", "--utilisation", "2"], "--utilisation: give the share"),
])
def test_bad_arguments_are_explained(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("plan", "backtest", *args)
