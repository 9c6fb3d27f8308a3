"""`ehcflow forecast --as-of DATE [--json]`: a likely final-plan date for every open request.

    ehcflow forecast --as-of 2026-06-30 --json
    {"as_of": "2026-06-30", "requests": [{"case_ref": …, "p_plan": 0.83,
      "final_p10": "2026-09-03", "final_p50": …, "final_p90": …}, …]}

The same model as the recovery planner and the backtests, estimated from the records as they
stood on the date (``planning.estimate``), with that day's queues.  It needs only the request
register: with no staff records, notional staff do last year's work.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.command_options import parse_date


class Command(BaseCommand):
    help = "A likely final-plan date for every request open on a date."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--replications", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from ehcflow.planning.backtest import likely_final_plans
        from ehcflow.planning.estimate import load_history

        as_of = parse_date(options["as_of"], "--as-of")
        if not 20 <= options["replications"] <= 2000:
            raise CommandError("--replications: must be between 20 and 2,000.")
        plans = likely_final_plans(load_history(), as_of=as_of,
                                   replications=options["replications"], seed=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(),
                                          "requests": [p.as_dict() for p in plans]}))
            return
        self.stdout.write(f"{len(plans)} requests open on {as_of:%d %B %Y}: the chance each "
                          "ends in a plan, and the likely final-plan dates (10th, 50th and "
                          "90th percentiles).")
        for p in plans:
            dates = " ".join("after the horizon" if d is None else d.isoformat()
                             for d in (p.final_p10, p.final_p50, p.final_p90))
            self.stdout.write(f"  {p.case_ref}  {p.p_plan:.0%}  {dates}")
