"""`ehcflow subject-access --child ID --out DIR --by USERNAME`: all that is held about a child."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ehcflow.records import selectors, services, subject_access


class Command(BaseCommand):
    help = ("Gather everything held about one child or young person for a subject access "
            "request: a readable summary (summary.html), records.json and a CSV per kind of "
            "record, into an empty folder. The gathering is written to the access log.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--child", required=True,
                            help="the child's person reference or public id")
        parser.add_argument("--out", required=True,
                            help="an empty (or new) folder to write into")
        parser.add_argument("--by", required=True,
                            help="the username of the person gathering the records (recorded "
                                 "in the access log)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"{out} is not an empty folder. Give a new or empty folder, so "
                               "that nothing else is sent by mistake.")
        child = selectors.find_child(options["child"])
        if child is None:
            raise CommandError("There is no child with that person reference or public id.")
        try:
            with transaction.atomic():
                user = services.record_subject_access(child, by=options["by"])
                sections = selectors.subject_access(child)
                out.mkdir(mode=0o700, parents=True, exist_ok=True)
                files = subject_access.write(child, sections, out,
                                             gathered_by=services.label(user))
        except services.RecordsError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"{out}: cannot write there ({error.strerror}).") from None
        total = sum(len(section.rows) for section in sections)
        self.stdout.write(f"Wrote {total:,} records about {child.person_ref} to {out} "
                          f"({len(files)} files; start with summary.html). The gathering is "
                          "in the access log.")
