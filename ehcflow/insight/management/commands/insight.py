"""`ehcflow insight snapshot|schedule`: the nightly snapshots of the measures.

    ehcflow insight snapshot [--as-of DATE] [--backfill]
    ehcflow insight schedule

`snapshot` records the figures of a day (default today) and, with --backfill (or when there
are no snapshots yet), the month ends since the first request and every day of the last three
months first. Running it again changes nothing but today's row. `schedule` queues the nightly
task for the worker (`make worker`), which then re-queues itself each night.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ehcflow.command_options import parse_date
from ehcflow.insight import snapshots, tasks
from ehcflow.insight.models import Snapshot
from ehcflow.insight.tables import long_date


class Command(BaseCommand):
    help = "Record the measures each night (snapshots), backfilled on the first run."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        take = sub.add_parser("snapshot", help="record a day's figures (default today)")
        take.add_argument("--as-of", help="the day to record (YYYY-MM-DD; default today)")
        take.add_argument("--backfill", action="store_true",
                          help="first fill month ends since the first request and the last "
                               "three months' days")
        sub.add_parser("schedule", help="queue the nightly task for the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedule":
            when = tasks.schedule_next()
            if when is None:
                self.stdout.write("Nothing queued: a nightly run is already waiting, or the "
                                  "task backend cannot run tasks later.")
            else:
                self.stdout.write(f"The nightly snapshot is queued for {when:%Y-%m-%d %H:%M}; "
                                  "`make worker` runs it.")
            return
        on = parse_date(options["as_of"], "--as-of") if options.get("as_of") else None
        before = Snapshot.objects.count()
        created = 0
        try:
            snapshots.check_as_of(on or timezone.localdate())
            if options["backfill"] or before == 0:
                created = snapshots.snapshot_backfill()
            result = snapshots.snapshot_take(on=on)
        except snapshots.NoData as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(f"Backfilled {created} days from the records as they stand.")
        verb = ("Recorded" if result.created else "Replaced" if result.replaced
                else "Kept the snapshot already recorded for")
        self.stdout.write(f"{verb} {long_date(result.on)}. "
                          f"{Snapshot.objects.count()} snapshots in all.")
