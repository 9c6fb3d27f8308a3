"""The load test's users: 50 signed-in members of staff doing what their roles do.

Run by `benchmarks/load/bench_load.py` (which builds the large authority, starts the site as
`make serve-production` does and reads the figures back); not meant to be aimed anywhere else.
It refuses any host but http://127.0.0.1, and Locust's `--run-time` bounds it.

The mix (`fixed_count`, 50 in all): 24 case officers, 8 team managers, 3 heads of service,
5 analysts, 6 business support officers, 4 educational psychologists, joining one a second
(bench_load.py's spawn rate). Each signs in once with the account of its role
(`EHCFLOW_LOAD_ACCOUNTS`: the JSON of `ehcflow demo-users --json`), then, with 2–8 s between
pages (someone reading a page), opens the pages of its role:

- case officer: My work, a request from it, a step's form (GET only: nothing is recorded),
  a search by case reference, the home page;
- team manager: the team's My work with its caseloads, a request, the caseloads dashboard;
- head of service: home, the dashboards with their charts, the cases behind a figure, a request;
- analyst: the dashboards with their charts, the cases behind a figure, a request from it;
- business support: My work, the register form (GET), a search by case reference, a request;
- educational psychologist: My work (the requests where advice was asked of them), a request.

Every page must answer 200 itself: a redirect (to the sign-in page, say) counts as a failure.
Requests are named by page, never by address, so no identifier reaches the figures.

The site runs with production settings over plain HTTP on the loopback (no proxy to end TLS),
so its cookies are marked Secure. A browser sends them to http://127.0.0.1 (a secure context);
Python's cookie jar does not, so after every answer the users clear the flag on their own
copies (`_keep_cookies`).
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

ACCOUNTS_FILE = os.environ.get("EHCFLOW_LOAD_ACCOUNTS", "")
REQUEST_LINK = re.compile(r'href="(/requests/[0-9a-f-]{36}/)">(EHC-\d+)</a>')
STEP_LINK = re.compile(r'href="(/requests/[0-9a-f-]{36}/(?!access-log/)[a-z0-9-]+/)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHART = re.compile(r'<img class="app-chart__img" src="([^"]+)"')
DASHBOARDS = ("/insight/", "/insight/timeliness/", "/insight/backlog/", "/insight/demand/",
              "/insight/advice/", "/insight/caseloads/", "/insight/reviews/")
REGISTER_SIZE = 40_000  # case references EHC-000001 to EHC-040000 (benchmarks/bench_register)


def _accounts() -> dict[str, dict[str, Any]]:
    if not ACCOUNTS_FILE:
        return {}
    with open(ACCOUNTS_FILE, encoding="utf-8") as handle:
        return {a["role"]: a for a in json.load(handle)}


ACCOUNTS = _accounts()


@events.test_start.add_listener
def _only_loopback(environment: Any, **kwargs: Any) -> None:
    """Refuse to run against anything but this machine's loopback address."""
    parts = urlsplit(environment.host or "")
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise SystemExit("The load test only runs against http://127.0.0.1:PORT.")
    if not ACCOUNTS:
        raise SystemExit("EHCFLOW_LOAD_ACCOUNTS must name the demo-users JSON.")


class Staff(HttpUser):
    abstract = True
    role = ""
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.cases: list[tuple[str, str]] = []  # (request page, case reference)
        account = ACCOUNTS[self.role]
        form = self.page("/sign-in/", "sign-in form")
        token = CSRF.search(form)
        with self.client.post("/sign-in/", name="sign in", allow_redirects=False, data={
                "username": account["username"], "password": account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else ""},
                catch_response=True) as response:
            if response.status_code != 302 or "/sign-in/" in response.headers.get("Location", ""):
                response.failure(f"sign-in answered {response.status_code}")
        self._keep_cookies()
        self.client.get("/static/vendor/govuk-frontend/govuk-frontend.min.css",
                        name="static file")

    def _keep_cookies(self) -> None:
        """Loopback HTTP stands in for the TLS the proxy ends: send the Secure cookies too."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def page(self, url: str, name: str, **params: Any) -> str:
        """GET a page that must answer 200 itself; its HTML ('' on failure)."""
        with self.client.get(url, params=params or None, name=name, allow_redirects=False,
                             catch_response=True) as response:
            self._keep_cookies()
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")
                return ""
            return response.text

    def remember_cases(self, html: str) -> None:
        found = REQUEST_LINK.findall(html)
        if found:
            self.cases = random.sample(found, min(20, len(found)))

    def open_request(self) -> str:
        if not self.cases:
            return ""
        url, _ = random.choice(self.cases)
        return self.page(url, "request page")

    def step_form(self) -> None:
        html = self.open_request()
        steps = STEP_LINK.findall(html)
        if steps:
            self.page(random.choice(steps), "step form")

    def search(self) -> None:
        if self.cases and random.random() < 0.7:
            _, case_ref = random.choice(self.cases)
        else:
            case_ref = f"EHC-{random.randint(1, REGISTER_SIZE):06d}"
        form = self.page("/search/", "search form")
        token = CSRF.search(form)
        with self.client.post("/search/", name="search", allow_redirects=False,
                              data={"q": case_ref,
                                    "csrfmiddlewaretoken": token.group(1) if token else ""},
                              catch_response=True) as response:
            self._keep_cookies()
            if response.status_code != 200:
                response.failure(f"search answered {response.status_code}")

    def dashboard(self, url: str) -> None:
        """A dashboard and, as a browser would, each chart image on it."""
        html = self.page(url, "dashboard")
        for src in CHART.findall(html):
            self.page(src.replace("&amp;", "&"), "dashboard chart")

    def cases_behind_a_figure(self) -> None:
        html = self.page("/insight/cases/", "cases behind a figure", measure="over_20_weeks",
                         as_of=date.today().isoformat())
        self.remember_cases(html)


class CaseOfficer(Staff):
    role = "case_officer"
    fixed_count = 24

    def on_start(self) -> None:
        super().on_start()
        self.remember_cases(self.page("/work/", "my work"))

    @task(4)
    def my_work(self) -> None:
        self.remember_cases(self.page("/work/", "my work"))

    @task(5)
    def request(self) -> None:
        self.open_request()

    @task(2)
    def step(self) -> None:
        self.step_form()

    @task(2)
    def find(self) -> None:
        self.search()

    @task(1)
    def home(self) -> None:
        self.page("/", "home")


class TeamManager(Staff):
    role = "team_manager"
    fixed_count = 8

    def on_start(self) -> None:
        super().on_start()
        self.remember_cases(self.page("/work/", "my work (team)", scope="team"))

    @task(3)
    def team_work(self) -> None:
        self.remember_cases(self.page("/work/", "my work (team)", scope="team"))

    @task(3)
    def request(self) -> None:
        self.open_request()

    @task(1)
    def caseloads(self) -> None:
        self.dashboard("/insight/caseloads/")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")


class HeadOfService(Staff):
    role = "head_of_service"
    fixed_count = 3

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(4)
    def dashboards(self) -> None:
        self.dashboard(random.choice(DASHBOARDS))

    @task(2)
    def drill_down(self) -> None:
        self.cases_behind_a_figure()

    @task(1)
    def request(self) -> None:
        self.open_request()


class Analyst(Staff):
    role = "analyst"
    fixed_count = 5

    @task(5)
    def dashboards(self) -> None:
        self.dashboard(random.choice(DASHBOARDS))

    @task(2)
    def drill_down(self) -> None:
        self.cases_behind_a_figure()

    @task(1)
    def request(self) -> None:
        self.open_request()


class BusinessSupport(Staff):
    role = "business_support"
    fixed_count = 6

    def on_start(self) -> None:
        super().on_start()
        self.remember_cases(self.page("/work/", "my work"))

    @task(2)
    def my_work(self) -> None:
        self.remember_cases(self.page("/work/", "my work"))

    @task(2)
    def register_form(self) -> None:
        self.page("/requests/new/", "register form")

    @task(3)
    def find(self) -> None:
        self.search()

    @task(2)
    def request(self) -> None:
        self.open_request()


class EducationalPsychologist(Staff):
    role = "educational_psychologist"
    fixed_count = 4

    def on_start(self) -> None:
        super().on_start()
        self.remember_cases(self.page("/work/", "my work"))

    @task(2)
    def my_work(self) -> None:
        self.remember_cases(self.page("/work/", "my work"))

    @task(3)
    def request(self) -> None:
        self.open_request()
