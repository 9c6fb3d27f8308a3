"""Every GET parameter of the dashboards and the lists behind their figures, given nonsense,
gets a page with a clear message (status 200 or 400), never a server error.

Issue 9 finding 9: `/insight/cases/` answered 500 to a huge team id, to `year=-1` and to
`from=0001-01-01&to=9999-12-31`.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.insight.builders import World, build_world

pytestmark = pytest.mark.django_db

ABSURD = [
    "", " ", "0", "-1", "1e9", "99999999999999999999", "9" * 400, "-99999999999999999999",
    "0001-01-01", "9999-12-31", "0000-00-00", "2023-02-30", "10000-01-01", "-2023-01-01",
    "2023-1-1", "31/07/2023", "abc", "１２３", "２０２３-０７-３１", "🙂", "\u202e2023",
    "NaN", "None", "null", "true", "[]", "%00", "'; DROP TABLE x; --", "<script>", "a" * 5000,
]

#: parameters every list reads, then each family's own
COMMON = ("measure", "as_of", "on", "team", "page")
DASHBOARD_PARAMS = ("as_of", "as_of_0", "as_of_1", "as_of_2", "period")
#: a valid list for each measure family, to vary one parameter of
BASES = [
    ({"measure": "over_20_weeks", "as_of": "2023-07-31"}, ()),
    ({"measure": "received", "as_of": "2023-07-31", "from": "2022-01-01", "to": "2023-12-31"},
     ("from", "to", "source")),
    ({"measure": "funnel", "as_of": "2023-07-31", "from": "2022-01-01", "to": "2023-12-31",
      "step": "decided"}, ("step",)),
    ({"measure": "advice", "as_of": "2023-07-31", "from": "2023-01-01", "to": "2023-07-31"},
     ("from", "to", "type", "status")),
    ({"measure": "reviews", "as_of": "2023-07-31", "from": "2023-01-01", "to": "2023-07-31"},
     ("from", "to", "status")),
    ({"measure": "phase_transfer", "as_of": "2023-07-31", "year": "2023"},
     ("year", "transfer", "status")),
    ({"measure": "band", "as_of": "2023-07-31", "band": "up_to_6"}, ("band",)),
    ({"measure": "plans_maintained", "as_of": "2023-07-31", "team": "1"}, ()),
]


#: the heading of the page that refuses a list and says why
ERROR = "This list cannot be shown"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def analyst(world: World) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["analyst"])
    return client


def test_the_reported_500s_are_now_clear_400s(analyst: Client) -> None:
    url = reverse("insight:cases")
    for params, message in [
        ({"measure": "open", "as_of": "2023-07-31", "team": "9" * 30},
         "The team must be one of the service&#x27;s teams"),
        ({"measure": "phase_transfer", "as_of": "2023-07-31", "year": "-1"},
         "The year of the phase transfer must be between 2000 and 2099"),
        ({"measure": "plans_issued", "as_of": "2023-07-31", "from": "0001-01-01",
          "to": "9999-12-31"},
         "The start of the period must be the same as or after 1 January 2000"),
    ]:
        response = analyst.get(url, params)
        assert response.status_code == 400, params
        assert message in response.content.decode(), params


@pytest.mark.parametrize(("base", "own"), BASES, ids=[base["measure"] for base, _ in BASES])
def test_no_value_of_any_list_parameter_is_a_server_error(
        analyst: Client, base: dict[str, str], own: tuple[str, ...]) -> None:
    url = reverse("insight:cases")
    assert analyst.get(url, base).status_code == 200
    failures: list[tuple[str, str, object]] = []
    for name in (*COMMON, *own):
        for value in ABSURD:
            response = analyst.get(url, {**base, name: value})
            if response.status_code not in (200, 400):
                failures.append((name, value[:20], response.status_code))
            elif response.status_code == 400 and ERROR not in response.content.decode():
                failures.append((name, value[:20], "no message"))
    assert failures == []


@pytest.mark.parametrize("key", ["overview", "timeliness", "backlog", "demand", "advice",
                                 "caseloads", "reviews"])
def test_no_value_of_any_dashboard_parameter_is_a_server_error(analyst: Client,
                                                               key: str) -> None:
    url = reverse(f"insight:{key}")
    failures: list[tuple[str, str, object]] = []
    for name in DASHBOARD_PARAMS:
        for value in ABSURD[:20]:
            response = analyst.get(url, {"as_of": "2023-07-31", name: value})
            if response.status_code not in (200, 400):
                failures.append((name, value[:20], response.status_code))
    assert failures == []


@pytest.mark.parametrize("name", ["planning:list", "planning:new", "planning:from_caseload",
                                  "planning:compare"])
def test_no_value_of_a_planning_page_parameter_is_a_server_error(analyst: Client,
                                                                 name: str) -> None:
    url = reverse(name)
    failures: list[tuple[str, str, object]] = []
    for param in ("s", "page", "as_of", "scenario"):
        for value in ABSURD:
            response = analyst.get(url, {param: value})
            if response.status_code >= 500:
                failures.append((param, value[:20], response.status_code))
        response = analyst.get(url, [(param, value) for value in ABSURD[:8]])  # repeated
        if response.status_code >= 500:
            failures.append((param, "repeated", response.status_code))
    assert failures == []
