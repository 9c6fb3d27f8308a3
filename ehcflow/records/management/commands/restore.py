"""`ehcflow restore FILE`: load a backup into an empty database (SQLite or PostgreSQL)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.records.restore import RestoreRefused, restore_backup


class Command(BaseCommand):
    help = ("Restore a file written by `ehcflow backup` into an empty database of either "
            "engine (run `ehcflow migrate` on it first). Refuses a database that holds "
            "records, a damaged file or a backup of another database version, changing "
            "nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = restore_backup(Path(options["file"]))
        except RestoreRefused as refused:
            raise CommandError(str(refused)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"Restored {result.rows:,} rows into {result.tables} tables in "
                          f"{seconds:.1f} s.")
