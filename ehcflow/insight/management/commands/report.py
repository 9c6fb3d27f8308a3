"""`ehcflow report board-pack --as-of DATE --out FILE`: the board pack as PDF or Excel.

The extension of FILE chooses the format (.pdf or .xlsx). The file is written whole or not at
all; a date before any request, an unknown extension or a missing folder exits with status 1
and a message, and writes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.command_options import parse_date
from ehcflow.insight import boardpack, snapshots
from ehcflow.insight.tables import long_date


class Command(BaseCommand):
    help = "Reports for the SEND improvement board and DfE monitoring meetings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        pack = sub.add_parser("board-pack", help="tables, charts and commentary (PDF or XLSX)")
        pack.add_argument("--as-of", required=True, help="the date of the figures (YYYY-MM-DD)")
        pack.add_argument("--out", required=True, help="the file to write: .pdf or .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_date(options["as_of"], "--as-of")
        out = Path(options["out"])
        started = time.perf_counter()
        try:
            boardpack.format_for(out)
            if not out.parent.is_dir():
                raise boardpack.BoardPackError(f"{out.parent}: no such folder.")
            pack = boardpack.build(as_of=as_of)
            size = boardpack.write(pack, out)
        except (snapshots.NoData, boardpack.BoardPackError) as error:
            raise CommandError(f"{error} Nothing written.") from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"Wrote the board pack for {long_date(as_of)} to {out} "
                          f"({size / 1024:.0f} kB, {len(boardpack.describe(pack))} tables, "
                          f"{seconds:.1f} s).")
