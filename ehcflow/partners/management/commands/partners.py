"""`ehcflow partners chase|schedule`: the daily reminders to partners about advice.

    ehcflow partners chase [--as-of DATE]
    ehcflow partners schedule

`chase` sends the reminders owed on a day (default today): 7 days before advice is due, on
the due day, then weekly with the case officer's manager told. Running it twice sends nothing
new. `schedule` queues the daily task for the worker (`make worker`), at 07:00 each day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ehcflow.command_options import parse_date
from ehcflow.partners import services, tasks


class Command(BaseCommand):
    help = "Send the daily reminders to partners about advice that is due or late."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        chase = sub.add_parser("chase", help="send the reminders owed today (or --as-of)")
        chase.add_argument("--as-of", help="the day to send for (YYYY-MM-DD; default today)")
        sub.add_parser("schedule", help="queue the daily task for the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedule":
            when = tasks.schedule_next()
            self.stdout.write(f"The daily reminders are queued for {when:%Y-%m-%d %H:%M}." if when
                              else "Nothing queued: a run is already waiting, or the task "
                                   "backend cannot run tasks later.")
            return
        on = parse_date(options["as_of"], "--as-of") if options.get("as_of") else None
        sent = services.chase_advice(today=on)
        self.stdout.write(
            f"Reminders sent: {sent['due_soon']} due in 7 days, {sent['due_today']} due today, "
            f"{sent['overdue']} late, {sent['escalated']} raised with managers.")
