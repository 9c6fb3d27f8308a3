"""`ehcflow backup --out FILE`: the whole database in one checksummed, engine-neutral file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.records.backup import write_backup


class Command(BaseCommand):
    help = ("Back up every record (casework, staff and accounts, planning, national figures, "
            "snapshots, the case history, the access log and the audit chains) into one "
            "file, consistently, while the service runs. Restore it with `ehcflow restore`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True,
                            help="the file to write (it must not exist yet), e.g. "
                                 "ehcflow-2026-12-04.zip; FILE.sha256 is written beside it")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} already exists; a backup never overwrites a file. "
                               "Choose a new name.")
        if not out.parent.is_dir():
            raise CommandError(f"There is no folder {out.parent} to write the backup into.")
        started = time.perf_counter()
        try:
            result = write_backup(out)
        except OSError as error:
            raise CommandError(f"{out}: cannot write the backup ({error.strerror}).") from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Backed up {result.rows:,} rows from {result.tables} tables to {out} "
            f"({result.size / 1e6:.1f} MB) in {seconds:.1f} s.\n"
            f"SHA-256 {result.sha256} (also in {out.name}.sha256). The file holds children's "
            "personal data: keep it encrypted and access-controlled.")
