"""A real ClamAV daemon for the tests: clamd on a unix socket in a temporary folder.

The signature database cannot be downloaded here (freshclam has no internet), so clamd loads
one test signature: the EICAR test file's MD5 and size (`ehcflow.files.clamd`). Started once
per test session by the `clamd_socket` fixture and stopped after. Without clamd installed the
tests that need it skip on a developer's machine and FAIL on CI (CI=true), where `make
install` has installed clamav-daemon.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehcflow.files import clamd

ON_CI = os.environ.get("CI", "").strip().lower() == "true"
STARTUP_SECONDS = 60


def _clamd_binary() -> str | None:
    return shutil.which("clamd") or next(
        (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if Path(p).exists()), None)


def start(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = _clamd_binary()
    if binary is None:
        message = "clamd (clamav-daemon) is not installed: run `make install`."
        if ON_CI:
            pytest.fail(f"{message} CI must run the virus-scanning tests.", pytrace=False)
        pytest.skip(message)
    config = clamd.write_test_config(directory)
    socket_path = clamd.socket_of(config)
    process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    daemon = clamd.Daemon(socket_path=socket_path, timeout=5)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = directory / "clamd.log"
            said = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"clamd stopped at start: {said}")
        if clamd.ping(daemon):
            return process, socket_path
        time.sleep(0.1)
    process.kill()
    pytest.fail("clamd did not answer within a minute")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket of a running clamd that knows only the EICAR test signature."""
    process, socket_path = start(tmp_path_factory.mktemp("clamd"))
    yield socket_path
    stop(process)


@pytest.fixture
def scanner(clamd_socket: str, settings: object, tmp_path: Path) -> str:
    """Point the service at the test clamd, and keep files in this test's own folder."""
    settings.EHCFLOW_CLAMD_SOCKET = clamd_socket  # type: ignore[attr-defined]
    settings.EHCFLOW_CLAMD_HOST = ""  # type: ignore[attr-defined]
    storages = dict(settings.STORAGES)  # type: ignore[attr-defined]
    storages["files"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                         "OPTIONS": {"location": tmp_path / "files"}}
    settings.STORAGES = storages  # type: ignore[attr-defined]
    return clamd_socket


@pytest.fixture
def no_scanner(settings: object, tmp_path: Path) -> None:
    """A clamd that does not answer (a socket path with nothing listening)."""
    settings.EHCFLOW_CLAMD_SOCKET = str(tmp_path / "nothing.sock")  # type: ignore[attr-defined]
    settings.EHCFLOW_CLAMD_HOST = ""  # type: ignore[attr-defined]
    storages = dict(settings.STORAGES)  # type: ignore[attr-defined]
    storages["files"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                         "OPTIONS": {"location": tmp_path / "files"}}
    settings.STORAGES = storages  # type: ignore[attr-defined]
