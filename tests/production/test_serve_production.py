"""`make serve-production`'s launcher starts the site as production runs it, and stops cleanly.

Starts scripts/serve_production.py against a PostgreSQL database of its own, then over
real HTTP: /healthz answers, a case officer signs in and opens My work, the production
settings show (Secure and HttpOnly cookies, the security headers, HSTS once the proxy says the
request came over HTTPS, no redirect to HTTPS on the loopback), and Ctrl+C (SIGINT) stops the
application server, its worker processes and both task workers.

A second test kills the launcher outright (SIGKILL, which it cannot catch) and checks that its
children stop anyway.

Skips when PostgreSQL does not answer, except on CI (`CI=true`), where that is a failure.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("EHCFLOW_TEST_PG_PRODUCTION",
                        "postgres://postgres@127.0.0.1:5432/ehcflow_production_test")
ON_CI = os.environ.get("CI", "").strip().lower() == "true"
# An invented account, made for this test only.
USERNAME = "test.officer"
PASSWORD = "correct horse battery staple 42"
MAKE_OFFICER = """
import datetime, os
from ehcflow.people.models import Role, StaffMember, User
user, _ = User.objects.get_or_create(username=os.environ["T_USER"])
user.set_password(os.environ["T_PASS"])
user.is_active = True
user.save()
StaffMember.objects.update_or_create(staff_ref="TEST-CO", defaults=dict(
    user=user, name="Test Officer", role=Role.CASE_OFFICER, start_date=datetime.date(2020, 1, 6)))
"""


def _server_params() -> dict[str, object]:
    config = dj_database_url.parse(PG_URL)
    return {"host": config.get("HOST") or "127.0.0.1", "port": int(config.get("PORT") or 5432),
            "user": config.get("USER") or "postgres", "password": config.get("PASSWORD") or None,
            "connect_timeout": 3}


@pytest.fixture
def database() -> str:
    """The test's own database, created when missing and kept, so later runs migrate nothing."""
    name = dj_database_url.parse(PG_URL)["NAME"]
    try:
        conn = psycopg.connect(dbname="postgres", autocommit=True, **_server_params())  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        if ON_CI:
            pytest.fail(f"PostgreSQL does not answer at {PG_URL} ({error}); CI must run this.")
        pytest.skip("PostgreSQL does not answer at the production test's address "
                    "(CI makes this mandatory).")
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (the launcher's children and theirs)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header, flags included)."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_all("Set-Cookie") or []}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="runs once per `make test`, in the SQLite leg: it starts its own "
                           "PostgreSQL-backed site whatever the suite's database")
def test_launcher_serves_with_production_settings_and_stops_cleanly(
        database: str, tmp_path: Path) -> None:
    port = _free_port()
    log_path = tmp_path / "site.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCFLOW_")}
    env.pop("DATABASE_URL", None)
    with log_path.open("w") as log:
        launcher = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve_production.py"),
             "--database-url", database, "--port", str(port),
             "--var-dir", str(tmp_path / "var"), "--stop-timeout", "10"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server: set[int] = set()
    try:
        # Seconds once the database is migrated; the first run on a new database migrates it.
        deadline = time.monotonic() + 120
        while "Serving on" not in log_path.read_text():
            assert launcher.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        # The secret key was generated into the var directory, readable by its owner only.
        key = tmp_path / "var" / "production-secret-key"
        assert key.stat().st_mode & 0o777 == 0o600
        assert key.read_text().strip() not in log_path.read_text()

        server = _descendants(launcher.pid)
        commands = [Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    for p in server if _alive(p)]
        assert sum("db_worker" in c for c in commands) == 2
        assert sum("gunicorn" in c for c in commands) == 3  # the master and its 2 workers

        def request(method: str, path: str, body: str = "", **headers: str
                    ) -> http.client.HTTPResponse:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            if body:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.body = response.read()  # type: ignore[attr-defined]
            return response

        health = request("GET", "/healthz")
        assert health.status == 200
        assert health.body == b'{"status": "ok"}'  # type: ignore[attr-defined]
        assert health.headers["X-Frame-Options"] == "DENY"
        assert health.headers["X-Content-Type-Options"] == "nosniff"
        assert health.headers["Referrer-Policy"] == "same-origin"
        assert health.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in health.headers["Content-Security-Policy"]
        # Plain HTTP on the loopback: no redirect to HTTPS and no HSTS (redirect off locally).
        assert health.headers["Strict-Transport-Security"] is None
        # Behind the proxy, which ends TLS and says so: HSTS for a year, subdomains too.
        proxied = request("GET", "/healthz", **{"X-Forwarded-Proto": "https"})
        assert proxied.status == 200
        assert proxied.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains")

        made = subprocess.run(
            [str(Path(sys.executable).parent / "ehcflow"), "shell", "-c", MAKE_OFFICER],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
            env={**env, "DATABASE_URL": database, "EHCFLOW_VAR_DIR": str(tmp_path / "v2"),
                 "T_USER": USERNAME, "T_PASS": PASSWORD})
        assert made.returncode == 0, made.stderr

        form = request("GET", "/sign-in/")
        assert form.status == 200
        csrf_cookie = _cookies(form)["csrftoken"]
        assert "; Secure" in csrf_cookie and "; HttpOnly" in csrf_cookie
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"',
                          form.body).group(1).decode()  # type: ignore[attr-defined,union-attr]
        csrf = csrf_cookie.split(";", 1)[0]
        signed_in = request("POST", "/sign-in/", f"username={USERNAME}&password="
                            f"{PASSWORD.replace(' ', '+')}&csrfmiddlewaretoken={token}",
                            Cookie=csrf)
        assert signed_in.status == 302, signed_in.body  # type: ignore[attr-defined]
        session_cookie = _cookies(signed_in)["sessionid"]
        assert "; Secure" in session_cookie and "; HttpOnly" in session_cookie
        session = session_cookie.split(";", 1)[0]

        work = request("GET", "/work/", Cookie=f"{csrf}; {session}")
        assert work.status == 200
        assert b"My work" in work.body  # type: ignore[attr-defined]
        assert work.headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self' 'nonce-" in work.headers["Content-Security-Policy"]
        # Without the session the same page sends the visitor to sign in.
        assert request("GET", "/work/").status == 302

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=30) == 0, log_path.read_text()
        assert "Stopped." in log_path.read_text()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in server if _alive(p)], "processes left running"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        for pid in server:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; prctl")
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="runs once per `make test`, in the SQLite leg")
def test_children_stop_when_the_launcher_is_killed(database: str, tmp_path: Path) -> None:
    port = _free_port()
    log_path = tmp_path / "site.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCFLOW_")}
    env.pop("DATABASE_URL", None)
    with log_path.open("w") as log:
        # --skip-setup: /healthz needs no tables, so this test does not wait for migrations.
        launcher = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve_production.py"),
             "--database-url", database, "--port", str(port), "--skip-setup",
             "--var-dir", str(tmp_path / "var")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while "Serving on" not in log_path.read_text():
            assert launcher.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        server = {p for p in _descendants(launcher.pid) if _alive(p)}
        assert len(server) == 5  # gunicorn, its 2 workers, 2 task workers

        launcher.kill()
        launcher.wait()
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in server if _alive(p)], "processes outlived the launcher"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        for pid in server:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
