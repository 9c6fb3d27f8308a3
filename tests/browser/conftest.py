"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is the system's `/usr/bin/chromium` (`make install` puts it there with apt-get);
Playwright's own browser download is never used. Without Chromium, Playwright or axe-core the
browser tests skip on a developer's machine, with the reason, and FAIL on CI (`CI=true`), where
they must run.

Accessibility checks use axe-core from npm (frontend/package.json), not the PyPI wrapper
axe-playwright-python: the version is pinned beside GOV.UK Frontend, where front-end updates
are made, and it needs no second copy of axe in the Python environment. The script is loaded
with `context.add_init_script`, not `page.add_script_tag`: a script tag is inline script, which
the service's Content-Security-Policy (script-src 'self' + nonce) rightly refuses, and turning
the policy off (`bypass_csp`) would test pages under weaker headers than production serves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection, transaction

from ehcflow.people.models import Role, StaffMember, Team, User

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("EHCFLOW_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# WCAG 2.2 AA means the A and AA rules of every version up to 2.2 (axe has no 2.2 A rules).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery staple"


def _unavailable(reason: str) -> None:
    """Skip locally with the reason; on CI a browser test that cannot run is a failure."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} CI must run the browser tests: run `make install`.",
                    pytrace=False)
    pytest.skip(f"{reason} Run `make install` to install it (CI makes these tests mandatory).")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed when they are done.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started, so
    Django takes the tests' own ORM calls (setting up users and cases) for calls from async
    code and refuses them. Nothing here is async: the guard is lifted for this package only,
    and Playwright is stopped after it, so the rest of the suite runs with Django's guard on.
    """
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (the dev extras).")
    if not AXE_JS.exists():
        _unavailable(f"axe-core is missing ({AXE_JS.relative_to(REPO)}).")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Axe:
    """Runs axe-core on the page in view and keeps every violation, by page, for one report."""

    checked: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def check(self, page: Page, name: str) -> None:
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
        self.checked.append(name)
        if result["violations"]:
            self.violations[f"{name} ({page.url})"] = result["violations"]

    def report(self) -> str:
        lines = []
        for where, found in self.violations.items():
            lines.append(f"\n{where}:")
            for v in found:
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"][:5]:
                    lines.append(f"      at {' '.join(map(str, node['target']))}")
                    summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
                    lines.append(f"         {summary}")
                if len(v["nodes"]) > 5:
                    lines.append(f"      … and {len(v['nodes']) - 5} more")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.violations, (
            f"axe found WCAG 2.2 AA violations on {len(self.violations)} of "
            f"{len(self.checked)} pages:{self.report()}")


@pytest.fixture
def axe() -> Axe:
    return Axe()


@dataclass
class Failures:
    """Responses that went wrong while a test browsed: a missing stylesheet, a 500."""

    seen: list[str] = field(default_factory=list)


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                              locale="en-GB", timezone_id="Europe/London")
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(path=str(AXE_JS))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab that fails the test if any page, stylesheet or script answers with an error."""
    failures = Failures()
    tab = context.new_page()
    # The service has no favicon (the GOV.UK crown is not a council's to use).
    tab.on("response", lambda r: failures.seen.append(f"{r.status} {r.url}")
           if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    tab.on("console", lambda m: failures.seen.append(f"console {m.type}: {m.text}")
           if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
           else None)
    yield tab
    assert not failures.seen, "The browser met errors:\n" + "\n".join(failures.seen)


def make_staff(username: str, name: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    first_name=name.split()[0], last_name=name.split()[-1])
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=name, role=role,
                               team=team, start_date=date(2020, 1, 6))
    return user


APPEND_ONLY_TABLES = ("casework_caseevent", "casework_recordaccess")


@pytest.fixture(autouse=True)
def _append_only_rows_erased(transactional_db: None) -> Iterator[None]:
    """Let the database be emptied after a browser test on SQLite.

    The live server needs committed data, so these tests end by flushing every table. Case
    events and the access log are append-only (casework migrations 0003 and 0005): SQLite's
    flush is a DELETE, which their triggers refuse. PostgreSQL's flush is a TRUNCATE, which
    row triggers do not see. Here, on SQLite only, the delete triggers are lifted for one
    moment to erase the test's rows, and put back exactly as they were.
    """
    yield
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = [(name, sql) for name, table, sql in cursor.fetchall()
                    if table in APPEND_ONLY_TABLES and "DELETE" in sql.upper()]
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f'DELETE FROM "{table}"')
        for _name, sql in triggers:
            cursor.execute(sql)


@pytest.fixture
def north(transactional_db: None) -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def case_officer(north: Team) -> User:
    return make_staff("alex", "Alex Officer", Role.CASE_OFFICER, north)


@pytest.fixture
def teammate(north: Team) -> User:
    return make_staff("blake", "Blake Teammate", Role.CASE_OFFICER, north)


@pytest.fixture
def manager(north: Team) -> User:
    return make_staff("morgan", "Morgan Manager", Role.TEAM_MANAGER, north)


def sign_in(page: Page, user: User, axe: Axe | None = None) -> None:
    """Sign in through the sign-in page as a person would."""
    page.goto("/sign-in/")
    if axe is not None:
        axe.check(page, "sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
