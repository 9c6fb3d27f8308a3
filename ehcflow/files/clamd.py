"""Talking to ClamAV's daemon (clamd) over its socket: the INSTREAM command, and nothing else.

clamd's protocol for a stream is small and stable (clamd(8), "INSTREAM"): send
`zINSTREAM\\0`, then the data as chunks each preceded by its length as a 4-byte big-endian
unsigned integer, then a zero length; clamd answers one line ending in a NUL byte:
`stream: OK`, `stream: <signature> FOUND`, or `<message> ERROR` (for instance
`INSTREAM size limit exceeded. ERROR` past its StreamMaxLength). Decision 0021 says why this
is our own module rather than a PyPI client.

A scan has three outcomes a caller must tell apart: clean, infected (with the signature's
name) and "could not scan" (no daemon, a timeout, an error answer). The last is never taken
for clean: the file waits, unopenable, until a later scan succeeds.
"""

from __future__ import annotations

import hashlib
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

#: bytes sent per chunk: well under clamd's default StreamMaxLength (25 MB) and large enough
#: that a 10 MB upload is a few hundred sends
CHUNK_SIZE = 64 * 1024
#: seconds to wait for the daemon: a 10 MB file scans in well under a second
TIMEOUT_SECONDS = 30.0


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    #: the signature's name when infected; what went wrong when unavailable
    detail: str = ""


@dataclass(frozen=True)
class Daemon:
    """Where clamd listens: a unix socket path, or a host and port."""

    socket_path: str = ""
    host: str = ""
    port: int = 3310
    timeout: float = TIMEOUT_SECONDS

    def connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)


def _receive_line(sock: socket.socket) -> str:
    answer = b""
    while not answer.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_answer(answer: str) -> ScanResult:
    """clamd's one-line answer as a result. Anything not understood is 'could not scan'."""
    _, _, rest = answer.partition(": ") if answer.startswith("stream:") else ("", "", answer)
    if rest == "OK":
        return ScanResult(Verdict.CLEAN)
    if rest.endswith(" FOUND"):
        return ScanResult(Verdict.INFECTED, rest.removesuffix(" FOUND").strip())
    return ScanResult(Verdict.UNAVAILABLE, answer[:200] or "no answer from the scanner")


def scan_chunks(daemon: Daemon, chunks: Iterable[bytes]) -> ScanResult:
    """Send the data to clamd with INSTREAM and read its verdict."""
    try:
        with daemon.connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_SIZE):
                    part = chunk[start:start + CHUNK_SIZE]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            return parse_answer(_receive_line(sock))
    except OSError as error:  # no daemon, refused, timed out, reset mid-stream
        return ScanResult(Verdict.UNAVAILABLE, type(error).__name__)


def scan_bytes(daemon: Daemon, data: bytes) -> ScanResult:
    return scan_chunks(daemon, [data])


def ping(daemon: Daemon) -> bool:
    """Whether clamd answers PING with PONG."""
    try:
        with daemon.connect() as sock:
            sock.sendall(b"zPING\0")
            return _receive_line(sock) == "PONG"
    except OSError:
        return False


# --- a test signature, for the tests and the demo ------------------------------------------

#: The EICAR anti-virus test file (eicar.org): harmless, and detected by every scanner. Kept
#: in three parts so that no file of the project is itself flagged by a scanner.
_EICAR_PARTS = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*")
TEST_SIGNATURE_NAME = "Eicar-Test-Signature"


def eicar() -> bytes:
    """The 68 bytes of the EICAR test file, built at run time."""
    return "".join(_EICAR_PARTS).encode("ascii")


def write_test_database(directory: Path) -> Path:
    """A ClamAV test database: the EICAR file's MD5 and size (`.hdb`), and its bytes (`.ndb`).

    The real signature database comes from freshclam, which cannot reach the internet in the
    tests or the demo; clamd loads this file instead (docs/operations/virus-scanning.md).
    """
    directory.mkdir(parents=True, exist_ok=True)
    data = eicar()
    path = directory / "ehcflow-test.hdb"
    path.write_text(f"{hashlib.md5(data).hexdigest()}:{len(data)}:{TEST_SIGNATURE_NAME}\n")
    # The same bytes anywhere inside a file (`.ndb`: name, any target, any offset, hex), so
    # that a real PDF or image carrying them is caught too, as a real virus inside one is.
    (directory / "ehcflow-test.ndb").write_text(
        f"{TEST_SIGNATURE_NAME}-Inside:0:*:{data.hex()}\n")
    return path


def write_test_config(directory: Path) -> Path:
    """A clamd configuration running in the foreground on a unix socket inside `directory`,
    reading only the test database. Returns the configuration file's path."""
    directory = directory.resolve()
    database = directory / "db"
    write_test_database(database)
    config = directory / "clamd.conf"
    config.write_text("\n".join([
        f"LocalSocket {directory / 'clamd.sock'}",
        f"DatabaseDirectory {database}",
        f"PidFile {directory / 'clamd.pid'}",
        f"TemporaryDirectory {directory}",
        f"LogFile {directory / 'clamd.log'}",
        "Foreground yes",
        "StreamMaxLength 30M",
        "",
    ]))
    return config


def socket_of(config: Path) -> str:
    """The LocalSocket a configuration written by `write_test_config` listens on."""
    return str(config.parent / "clamd.sock")
