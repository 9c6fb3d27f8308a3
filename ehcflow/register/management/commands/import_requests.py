"""`ehcflow import-requests FILE [--dry-run] [--ignore-unknown-columns]`
(docs/domain/request-register.md).

All or nothing: every problem is printed on stderr as `FILE:ROW:COLUMN: message` and the
command exits with status 1 having changed nothing; otherwise it prints what it did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.register import schema
from ehcflow.register.importer import (
    ImportConflict,
    ImportRejected,
    ImportResult,
    import_register,
)


class Command(BaseCommand):
    help = ("Import a request register (CSV or XLSX) into ehcflow. The whole file is checked "
            "first; a file with any problem changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the register: a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report what would change, changing nothing")
        parser.add_argument("--ignore-unknown-columns", action="store_true",
                            help="leave out columns the register does not define, instead of "
                                 "refusing the file")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        try:
            result = import_register(Path(name), dry_run=options["dry_run"],
                                     ignore_unknown_columns=options["ignore_unknown_columns"])
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(problem.line(name))
            count = len(rejected.problems)
            raise CommandError(
                f"{name}: {count:,} problem{'s' if count != 1 else ''} found; nothing was "
                "changed.", returncode=1) from None
        except ImportConflict as conflict:
            raise CommandError(f"{name}: {conflict}", returncode=1) from None
        self.stdout.write(summary(name, result))


def summary(name: str, result: ImportResult) -> str:
    """The summary printed after an import (or a dry run)."""
    lines = []
    if result.dry_run:
        lines.append("Dry run: nothing was changed. The import would make these changes.")
    lines.append(f"Rows read from {name}: {result.rows_read:,}")
    if result.ignored_columns:
        lines.append(f"Columns ignored: {', '.join(result.ignored_columns)}")
    lines += [
        f"Requests created: {result.created:,}",
        f"Requests updated: {result.updated:,}",
        f"Requests unchanged: {result.unchanged:,}",
        f"Children created: {result.children_created:,}",
    ]
    officers = result.officers_created
    line = f"Officers created: {len(officers):,}"
    if officers:
        shown = ", ".join(officers[:10]) + (", …" if len(officers) > 10 else "")
        line += (f" ({shown}): no staff member had their name or staff id, so each was added "
                 f"as a case officer with staff id {schema.IMPORTED_STAFF_PREFIX}<name>")
    lines.append(line)
    return "\n".join(lines)
