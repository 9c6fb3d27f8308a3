"""`ehcflow retention due|propose|approve|dispose|show`: the retention schedule.

    ehcflow retention due [--as-of DATE]
    ehcflow retention propose --by USERNAME [--as-of DATE]
    ehcflow retention approve REFERENCE --reviewer USERNAME
    ehcflow retention dispose REFERENCE --by USERNAME
    ehcflow retention show REFERENCE

Records are kept until the young person's 25th birthday plus EHCFLOW_RETENTION_YEARS (default
6; decision 0010). Output names children only by the authority's internal reference.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ehcflow.command_options import parse_date
from ehcflow.records import schedule, selectors, services
from ehcflow.records.models import DisposalBatch, DisposalRecord


class Command(BaseCommand):
    help = ("The retention schedule: list records past retention, and dispose of them as a "
            "reviewed job (propose a batch, a named reviewer approves it, then dispose).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        due = sub.add_parser("due", help="list the children whose records are past retention")
        due.add_argument("--as-of", help="the date to assess on, YYYY-MM-DD (default today)")
        propose = sub.add_parser("propose", help="put the records due in a batch for review")
        propose.add_argument("--as-of", help="the date to assess on (default today)")
        propose.add_argument("--by", required=True, help="your username")
        approve = sub.add_parser("approve", help="approve a proposed batch as its reviewer")
        approve.add_argument("reference")
        approve.add_argument("--reviewer", required=True,
                             help="the reviewer's username (not the proposer)")
        dispose = sub.add_parser("dispose", help="delete the records of an approved batch")
        dispose.add_argument("reference")
        dispose.add_argument("--by", required=True, help="your username")
        show = sub.add_parser("show", help="show a batch and, once disposed, its record")
        show.add_argument("reference")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "due":
                self.due(options)
            elif action == "propose":
                batch = services.propose(as_of=self._as_of(options), by=options["by"])
                self.stdout.write(
                    f"Proposed batch {batch.reference}: {batch.items.count()} records past "
                    f"retention on {batch.as_of.isoformat()}. A reviewer other than you "
                    f"approves it with `ehcflow retention approve {batch.reference} "
                    "--reviewer USERNAME`.")
            elif action == "approve":
                batch = services.approve(options["reference"], reviewer=options["reviewer"])
                self.stdout.write(f"Batch {batch.reference} approved by {batch.reviewer}.")
            elif action == "dispose":
                result = services.dispose(options["reference"], by=options["by"])
                self._disposed(result)
            else:
                self.show(options["reference"])
        except (services.RecordsError, schedule.ScheduleError) as error:
            raise CommandError(str(error)) from None

    def _as_of(self, options: dict[str, Any]) -> Any:
        if options.get("as_of"):
            return parse_date(options["as_of"], "--as-of")
        return timezone.localdate()

    def due(self, options: dict[str, Any]) -> None:
        as_of = self._as_of(options)
        years = selectors.retention_years()
        found = selectors.past_retention(as_of, years)
        self.stdout.write(f"Kept until the 25th birthday + {years} years. On "
                          f"{as_of.isoformat()}: {sum(s.due for s in found)} due for "
                          f"disposal, {sum(not s.due for s in found)} held.")
        if found:
            self.stdout.write(f"{'person id':<20} {'retain until':<12} status")
        for status in found:
            state = status.held or "due"
            if status.in_batch:
                state += f" (in batch {status.in_batch})"
            self.stdout.write(f"{status.person_ref:<20} {status.retain_until.isoformat():<12} "
                              f"{state}")

    def _disposed(self, result: services.DisposalResult) -> None:
        record = result.record
        counts = ", ".join(f"{count:,} {kind}" for kind, count in record.counts.items()
                           if count) or "nothing"
        self.stdout.write(f"Disposed of batch {record.batch_reference}: the records of "
                          f"{record.children} children ({counts}). Approved by "
                          f"{record.reviewer}; run by {record.disposed_by}. The disposal "
                          "record is kept permanently.")
        for ref, why in result.skipped:
            self.stdout.write(f"Kept {ref}: {why}.")

    def show(self, reference: str) -> None:
        batch = DisposalBatch.objects.filter(reference=reference).first()
        if batch is None:
            raise CommandError(f"There is no disposal batch {reference}.")
        self.stdout.write(f"Batch {batch.reference}: {batch.get_status_display()}. Assessed "
                          f"on {batch.as_of.isoformat()} (25th birthday + "
                          f"{batch.retention_years} years); proposed by {batch.proposed_by}.")
        if batch.reviewer:
            self.stdout.write(f"Approved by {batch.reviewer}.")
        record = DisposalRecord.objects.filter(batch_reference=reference).first()
        if record is not None:
            self.stdout.write(f"Disposed of {record.children} children's records on "
                              f"{record.disposed_at:%Y-%m-%d} by {record.disposed_by}: "
                              + ", ".join(f"{n:,} {kind}" for kind, n in record.counts.items()))
        for item in batch.items.all():
            self.stdout.write(f"  {item.person_ref:<20} retain until "
                              f"{item.retain_until.isoformat()}"
                              f"{'  disposed' if item.disposed else ''}")
