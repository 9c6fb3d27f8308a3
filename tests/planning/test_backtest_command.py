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


def test_the_command_prints_the_per_request_check(system_actor: services.Actor) -> None:
    """How many of the requests open on the date that have since had a final plan fell inside
    their 10th-90th interval, and the median errors beside the rule of thumb."""
    register_only(system_actor)
    args = ["plan", "backtest", "--as-of", "2023-01-31", "--today", "2023-07-31", "--months",
            "6", "--replications", "20"]
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    check = json.loads(out.getvalue())["per_request"]
    assert check["plans_issued_since"] == 3  # F6, F7 and F8 (invented)
    text = StringIO()
    call_command(*args, stdout=text)
    assert (f"3 have since had a final plan; the 10th-90th interval held the date for "
            f"{check['inside_10_90']} ({check['coverage']:.0%}; the aim is about 80%)"
            ) in text.getvalue()
    assert "request date plus last year's median time to a plan" in text.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2023-07-31", "--today", "2023-07-31"], "--as-of: must be before today"),
    (["--as-of", "2023-03-31", "--months", "0"], "--months"),
    (["--as-of", "2023-03-31", "--replications", "1"], "--replications"),
    (["--as-of", "2023-03-31", "--utilisation", "2"], "--utilisation: give the share"),
])
def test_bad_arguments_are_explained(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("plan", "backtest", *args)
