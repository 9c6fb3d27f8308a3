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
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection, transaction

from ehcflow.people.models import Role, Team, User
from tests.browser.helpers import Axe, make_staff

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ON_CI = os.environ.get("CI", "").strip().lower() == "true"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extras install it; `make install` installs those
    sync_playwright = None  # type: ignore[assignment]
    if not ON_CI:
        # The test modules cannot even be imported without Playwright: leave them out, and
        # say so. On CI they are collected, and fail.
        collect_ignore_glob = ["test_*.py"]
        warnings.warn("Browser tests not run: Playwright for Python is not installed "
                      "(run `make install`).", stacklevel=1)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("EHCFLOW_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _unavailable(reason: str) -> None:
    """Skip locally with the reason; on CI a browser test that cannot run is a failure."""
    if ON_CI:
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
    if sync_playwright is None:
        _unavailable("Playwright for Python is not installed (the dev extras).")
    if not AXE_JS.exists():
        _unavailable(f"axe-core is missing ({AXE_JS.relative_to(REPO)}).")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def axe() -> Axe:
    return Axe()


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
    seen: list[str] = []
    tab = context.new_page()
    # The service has no favicon (the GOV.UK crown is not a council's to use).
    tab.on("response", lambda r: seen.append(f"{r.status} {r.url}")
           if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    tab.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
           if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
           else None)
    yield tab
    assert not seen, "The browser met errors:\n" + "\n".join(seen)


# Every append-only table (database triggers refuse UPDATE and DELETE): the case events and
# the access log (casework), disposals (audit, records) and the account-change log (people).
APPEND_ONLY_TABLES = ("casework_caseevent", "casework_recordaccess", "audit_disposal",
                      "records_disposalrecord", "people_accountchange")


@pytest.fixture(autouse=True)
def _append_only_rows_erased(transactional_db: None) -> Iterator[None]:
    """Let the database be emptied after a browser test.

    The live server needs committed data, so these tests end by flushing every table. The
    append-only logs refuse it: SQLite's flush is a DELETE, which their triggers refuse, and
    PostgreSQL's is a TRUNCATE, which a statement trigger refuses while the log holds rows.
    Here the test's log rows are erased with the triggers lifted for one moment (dropped and
    recreated on SQLite, disabled and enabled on PostgreSQL), so the flush then finds the logs
    empty; the triggers are exactly as they were before the next test.
    """
    yield
    with transaction.atomic(), connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        tables = [t for t in APPEND_ONLY_TABLES if t in present]
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                cursor.execute(f'DELETE FROM "{table}"')
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            return
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = [(name, sql) for name, table, sql in cursor.fetchall()
                    if table in tables and "DELETE" in sql.upper()]
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        for table in tables:
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
