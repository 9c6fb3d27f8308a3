"""`make serve-production`: run ehcflow locally the way a council's server runs it.

What it starts (README, "Running it in production"; decision 0011):

- gunicorn with `--web-workers` (2) worker processes on 127.0.0.1, serving the WSGI
  application with EHCFLOW_PRODUCTION=1 (secure cookies, HSTS behind TLS, the proxy's
  X-Forwarded-Proto trusted); static files come from whitenoise, so no separate file server;
- `--task-workers` (2) `ehcflow db_worker` processes taking background tasks (the nightly
  snapshots) from the database queue;

against PostgreSQL (`--database-url`, default `$DATABASE_URL` or the Makefile's PG_URL), after
`migrate`, `collectstatic` and queuing the nightly snapshot.

Locally there is no reverse proxy in front to end TLS, so the launcher sets
EHCFLOW_SSL_REDIRECT=0: with the redirect on, every plain-HTTP request would be sent to
https://127.0.0.1, where nothing listens. Everything else stays as in production: cookies
are still marked Secure (browsers accept Secure cookies from http://127.0.0.1 and
http://localhost, which they treat as secure contexts), and HSTS is still sent whenever the
request arrived over HTTPS at the proxy.

The secret key is EHCFLOW_SECRET_KEY when set; otherwise one is generated on first run into
`$EHCFLOW_VAR_DIR/production-secret-key` (mode 0600) and reused, so restarting does not sign
everyone out. It is never printed.

Ctrl+C (SIGINT) or SIGTERM stops everything: each child runs in a session of its own (so a
Ctrl+C reaches only this launcher, which stops the children in order), is asked to stop with
SIGTERM, and after `--stop-timeout` seconds its whole process group is killed. On Linux every
child also gets SIGTERM if the launcher itself dies (PR_SET_PDEATHSIG), so no worker is left
orphaned. If any child exits on its own, the others are stopped and the launcher exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/ehcflow"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the launcher dies (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def secret_key(var_dir: Path) -> str:
    """EHCFLOW_SECRET_KEY, or a key generated once into var/production-secret-key (0600)."""
    configured = os.environ.get("EHCFLOW_SECRET_KEY")
    if configured:
        return configured
    path = var_dir / "production-secret-key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def production_environment(database_url: str, var_dir: Path, host: str) -> dict[str, str]:
    """The environment every process of the site runs with."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "EHCFLOW_PRODUCTION": "1",
        "EHCFLOW_SECRET_KEY": secret_key(var_dir),
        # No TLS proxy in front locally: a redirect to https:// would reach nothing.
        "EHCFLOW_SSL_REDIRECT": "0",
        "EHCFLOW_VAR_DIR": str(var_dir),
        "EHCFLOW_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "ehcflow.settings",
    })
    hosts = {h for h in env.get("EHCFLOW_ALLOWED_HOSTS", "").split(",") if h.strip()}
    env["EHCFLOW_ALLOWED_HOSTS"] = ",".join(sorted(hosts | {host, "127.0.0.1", "localhost"}))
    return env


def postgres_ready(database_url: str) -> bool:
    """True when the server answers (the database is created if missing): scripts/pg_ready.py."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "pg_ready.py"), database_url],
                          check=False)
    return done.returncode == 0


SETUP = """
import django
django.setup()
from django.core.management import call_command
print("Migrating the database...", flush=True)
call_command("migrate", interactive=False, verbosity=0)
print("Collecting the static files...", flush=True)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("insight", "schedule")
"""


def setup(env: dict[str, str]) -> None:
    """Migrate, collect the static files for whitenoise, queue the nightly snapshot.

    One process for the three (each `ehcflow` command would load Django again).
    """
    subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True)


class Site:
    """The application server and the task workers, started and stopped together."""

    def __init__(self, env: dict[str, str], host: str, port: int, web_workers: int,
                 task_workers: int, stop_timeout: float) -> None:
        self.env, self.host, self.port = env, host, port
        self.web_workers, self.task_workers = web_workers, task_workers
        self.stop_timeout = stop_timeout
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def _spawn(self, name: str, command: list[str]) -> None:
        process = subprocess.Popen(command, env=self.env, cwd=ROOT, start_new_session=True,
                                   preexec_fn=_die_with_parent)
        self.children.append((name, process))

    def start(self) -> None:
        self._spawn("gunicorn", [
            str(BIN / "gunicorn"), "ehcflow.wsgi:application",
            "--bind", f"{self.host}:{self.port}", "--workers", str(self.web_workers),
            # The proxy on the same machine is the only one whose X-Forwarded-* is trusted.
            "--forwarded-allow-ips", "127.0.0.1",
            "--graceful-timeout", "10", "--timeout", "60",
            "--no-control-socket", "--error-logfile", "-",
        ])
        for n in range(self.task_workers):
            self._spawn(f"task worker {n + 1}", [
                str(BIN / "ehcflow"), "db_worker", "--interval", "5", "--no-reload",
                "--worker-id", f"{os.uname().nodename[:40]}-{os.getpid()}-{n + 1}"])

    def wait_until_ready(self, timeout: float = 60.0) -> bool:
        url = f"http://{self.host}:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        return False

    def exited(self) -> str | None:
        """The name of a child that has exited, if any."""
        for name, process in self.children:
            if process.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        """SIGTERM each child (gunicorn stops its workers gracefully), then kill stragglers."""
        for _, process in self.children:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for _, process in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for _, process in self.children:
            # Each child leads its own process group: this also reaches gunicorn's workers.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


class _Stop(Exception):
    pass


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default=os.environ.get("PG_URL") or os.environ.get("DATABASE_URL")
                        or DEFAULT_PG, help="a postgres:// URL (default: $PG_URL)")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--var-dir", type=Path,
                        default=Path(os.environ.get("EHCFLOW_VAR_DIR", ROOT / "var")))
    parser.add_argument("--skip-setup", action="store_true",
                        help="do not migrate, collect static files or queue the snapshot")
    parser.add_argument("--stop-timeout", type=float, default=15.0)
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("serve-production runs on PostgreSQL: give a postgres:// URL (PG_URL).",
              file=sys.stderr)
        return 2
    if not postgres_ready(args.database_url):
        print("PostgreSQL does not answer at that address; start it or set PG_URL.",
              file=sys.stderr)
        return 1
    env = production_environment(args.database_url, args.var_dir.resolve(), args.host)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    site = Site(env, args.host, args.port, args.web_workers, args.task_workers,
                args.stop_timeout)
    status = 0
    try:
        if not args.skip_setup:
            setup(env)
        site.start()
        if not site.wait_until_ready():
            print("The site did not answer /healthz; stopping.", file=sys.stderr, flush=True)
            status = 1
        else:
            print(f"Serving on http://{args.host}:{args.port}/ with {args.web_workers} "
                  f"application-server processes and {args.task_workers} task workers "
                  "(Ctrl+C to stop)", flush=True)
            while (gone := site.exited()) is None:
                time.sleep(0.5)
            print(f"The {gone} stopped unexpectedly; stopping the rest.", file=sys.stderr,
                  flush=True)
            status = 1
    except _Stop:
        print("Stopping...", flush=True)
    except subprocess.CalledProcessError as failed:
        print(f"Setting up failed (exit {failed.returncode}).", file=sys.stderr)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        site.stop()
    print("Stopped.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
