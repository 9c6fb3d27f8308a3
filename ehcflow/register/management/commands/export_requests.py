"""`ehcflow export-requests FILE`: write the request register, CSV or XLSX by extension."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.register.exporter import ExportError, export_register


class Command(BaseCommand):
    help = ("Export every initial request as a request register (.csv or .xlsx), in the "
            "format import-requests reads.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write: a .csv or .xlsx file name")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        try:
            count = export_register(Path(name))
        except ExportError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"{name}: cannot write the file ({error.strerror})") from None
        self.stdout.write(f"Wrote {count:,} request{'s' if count != 1 else ''} to {name}")
