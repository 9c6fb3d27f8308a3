"""`ehcflow likely-plans [--today D]`: work out and keep every open request's likely final plan.

The nightly snapshot task queues the same work; this runs it now (after an import, or from
cron where no task worker runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ehcflow.command_options import parse_date
from ehcflow.planning import forecasts


class Command(BaseCommand):
    help = "Work out every open request's likely final-plan dates and keep them for the pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to forecast from (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["today"], "--today") if options["today"] else None
        done = forecasts.refresh(today=today)
        self.stdout.write(f"Likely final-plan dates worked out for {done.requests:,} open "
                          f"request{'s' if done.requests != 1 else ''} on "
                          f"{done.as_of:%-d %B %Y}.")
