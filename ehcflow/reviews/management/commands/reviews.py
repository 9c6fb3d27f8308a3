"""`ehcflow reviews --as-of DATE [--from DATE --to DATE] [--json]`: annual review figures.

Counted as DfE's annual_reviews.csv counts them (docs/domain/annual-reviews.md): the plans in
force on --as-of, those whose review fell due by the end of the period, the meetings held and
the decisions sent within 4 weeks. Without --from and --to, the period is the 12 months to
--as-of. A bad date or period prints a message and exits with status 1.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.command_options import parse_date
from ehcflow.reviews import selectors
from ehcflow.statutory.periods import Period, twelve_months_ending


def _date(value: str, option: str) -> Any:
    try:
        return parse_date(value, option)
    except CommandError as error:
        raise CommandError(str(error), returncode=1) from error


class Command(BaseCommand):
    help = "Annual reviews and phase transfers as DfE's annual_reviews.csv counts them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="the date the figures are at")
        parser.add_argument("--from", dest="start", help="first day of the period")
        parser.add_argument("--to", dest="end", help="last day of the period")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"], "--as-of")
        start, end = options.get("start"), options.get("end")
        if (start is None) != (end is None):
            raise CommandError("Give both --from and --to, or neither (the 12 months to "
                               "--as-of).", returncode=1)
        period = twelve_months_ending(as_of)
        if start is not None and end is not None:
            first, last = _date(start, "--from"), _date(end, "--to")
            if last < first:
                raise CommandError("--to is before --from.", returncode=1)
            if last > as_of:
                raise CommandError("--to is after --as-of: a period is counted once it is "
                                   "over.", returncode=1)
            period = Period(first, last)
        figures = selectors.review_figures(period, as_of).as_json()
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        outcomes, transfers = figures["outcomes"], figures["phase_transfers"]
        pct = figures["pct_decisions_within_4_weeks"]
        assert isinstance(outcomes, dict) and isinstance(transfers, dict)
        self.stdout.write("\n".join([
            f"As of {as_of}; period {period.start} to {period.end}",
            f"  Plans maintained                  {figures['plans_maintained']}",
            f"  Reviews due                       {figures['reviews_due']}",
            f"  Review meetings held              {figures['meetings_held']}",
            f"  Decisions                         {figures['decisions']}",
            f"  Decisions within 4 weeks          {figures['decisions_within_4_weeks']} "
            f"({'–' if pct is None else pct}%)",
            f"  Maintain / amend / cease          {outcomes['maintain']} / "
            f"{outcomes['amend']} / {outcomes['cease']}",
            f"  Reviews overdue                   {figures['overdue_reviews']}",
            f"  Phase transfers due / by deadline {transfers['due']} / "
            f"{transfers['final_by_deadline']}",
        ]))
