"""`ehcflow files scan` and `ehcflow files test-scanner DIR`.

- `scan`: check the files still waiting for their virus check (clamd was not answering when
  they came in); run it from cron or after clamd is back.
- `test-scanner DIR`: write a clamd configuration with a one-signature test database (the
  EICAR test file) into DIR and print its path, for the demo and for machines where the real
  signature database cannot be downloaded (docs/operations/virus-scanning.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.files import clamd, services


class Command(BaseCommand):
    help = "Virus checks of kept files: scan the waiting ones, or set up a test scanner."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="check the files waiting for their virus check")
        scan.add_argument("--limit", type=int, default=500)
        test = sub.add_parser("test-scanner",
                              help="write a clamd configuration with a test signature only")
        test.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "test-scanner":
            config = clamd.write_test_config(options["directory"])
            self.stdout.write(str(config))
            return
        if not clamd.ping(services.daemon()):
            raise CommandError("The virus scanner (clamd) does not answer: nothing was "
                               "checked. Start clamd, then run this again.")
        counts = services.rescan_pending(limit=max(1, options["limit"]))
        self.stdout.write(f"Checked: {counts['clean']} clean, {counts['infected']} with a "
                          f"virus (removed), {counts['pending']} still waiting.")
