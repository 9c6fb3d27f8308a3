"""`ehcflow history export --out DIR` and `ehcflow history import DIR`.

Plans, their settings and needs, reviews, mediations, appeals and Tribunal orders, as CSV
files (`disagreements.history_io`). An import is all or nothing: every problem is printed on
stderr as `FILE:ROW:COLUMN: message` and the command exits with status 1 having changed
nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.disagreements import history_io


class Command(BaseCommand):
    help = "Export or import the history after plans are issued: plans, reviews, disagreements."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        export = sub.add_parser("export", help="write the history files into a folder")
        export.add_argument("--out", required=True, help="the folder to write (created if need be)")
        load = sub.add_parser("import", help="read the history files from a folder")
        load.add_argument("folder", help="a folder written by `history export`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            out = Path(options["out"])
            if out.exists() and not out.is_dir():
                raise CommandError(f"{out}: not a folder.", returncode=2)
            written = history_io.export_history(out)
            for file, count in written.items():
                self.stdout.write(f"{file}: {count:,} rows")
            return
        folder = Path(options["folder"])
        try:
            result = history_io.import_history(folder)
        except history_io.HistoryRejected as rejected:
            for line in rejected.lines:
                self.stderr.write(line)
            count = len(rejected.lines)
            raise CommandError(f"{count:,} problem{'s' if count != 1 else ''} found; nothing "
                               "was changed.", returncode=1) from None
        self.stdout.write(f"Children created: {result.children_created:,}")
        self.stdout.write(f"Children's details filled in: {result.children_updated:,}")
        self.stdout.write(f"Plans completed from the request register: "
                          f"{result.plans_matched:,}")
        for file, count in result.rows.items():
            self.stdout.write(f"{file}: {count:,} rows imported")
