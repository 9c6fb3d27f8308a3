"""`ehcflow kpis --as-of DATE [--from DATE --to DATE] [--json]`: the measures of
docs/domain/measures.md."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.casework import selectors
from ehcflow.command_options import parse_date
from ehcflow.statutory import measures


class Command(BaseCommand):
    help = ("Timeliness, backlog and demand as docs/domain/measures.md counts them, from the "
            "case records.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="the date the figures are at")
        parser.add_argument("--from", dest="start", help="first day of the period")
        parser.add_argument("--to", dest="end", help="last day of the period")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_date(options["as_of"], "--as-of")
        start, end = options.get("start"), options.get("end")
        if (start is None) != (end is None):
            raise CommandError("Give both --from and --to, or neither (the 12 months to --as-of).")
        period = None
        if start is not None and end is not None:
            first, last = parse_date(start, "--from"), parse_date(end, "--to")
            if last < first:
                raise CommandError("--to is before --from.")
            period = measures.Period(first, last)
        figures = selectors.kpis(as_of=as_of, period=period).as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(render_text(figures))


def render_text(figures: Mapping[str, Any]) -> str:
    def show(value: object) -> str:
        return "–" if value is None else str(value)

    backlog = figures["backlog"]
    lines = [
        f"As of {figures['as_of']}; period {figures['period']['from']} to "
        f"{figures['period']['to']}",
        f"  Requests received                       {figures['requests_received']}",
        f"  New plans issued                        {figures['plans_issued']}",
        f"  Issued within 20 weeks                  {figures['issued_within_20_weeks']}",
        f"  % within 20 weeks                       {show(figures['pct_within_20_weeks'])}",
        "  % within 20 weeks, excluding exceptions "
        f"{show(figures['pct_within_20_weeks_excl_exceptions'])}",
        f"  Average weeks to issue                  {show(figures['avg_weeks_to_issue'])}",
        f"  Open requests                           {backlog['open']}",
        f"  Open over 20 / 30 / 50 weeks            {backlog['over_20_weeks']} / "
        f"{backlog['over_30_weeks']} / {backlog['over_50_weeks']}",
    ]
    return "\n".join(lines)
