"""`ehcflow messages sweep|schedule`: delivery reports and retries for e-mails, texts, letters.

    ehcflow messages sweep
    ehcflow messages schedule

`sweep` asks GOV.UK Notify for the delivery status of messages still on their way and
attempts any message whose retry time has passed. `schedule` queues the sweep for the worker
(`make worker`), which then re-queues it every 10 minutes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ehcflow.notify import tasks


class Command(BaseCommand):
    help = "Delivery reports and retries for messages sent through GOV.UK Notify."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("sweep", help="poll delivery reports and retry what is due, now")
        sub.add_parser("schedule", help="queue the sweep for the worker, every 10 minutes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedule":
            when = tasks.schedule_sweep()
            self.stdout.write(f"The sweep is queued for {when}." if when else
                              "Nothing queued: a sweep is already waiting, or the task "
                              "backend cannot run tasks later.")
            return
        outcome = tasks.run_sweep()
        self.stdout.write(f"Retried {outcome['retried']} messages; "
                          f"{outcome['statuses_changed']} delivery statuses changed.")
