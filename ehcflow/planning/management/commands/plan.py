"""`ehcflow plan run|optimise|from-caseload`: the recovery planner from the command line.

    ehcflow plan run SCENARIO.toml [--replications N] [--seed N] [--json | --csv]
    ehcflow plan optimise SCENARIO.toml --options OPTIONS.toml [--json]
    ehcflow plan from-caseload --as-of DATE --out FILE.toml [--utilisation U]
    ehcflow plan backtest --as-of DATE [--months 12] [--replications N] [--utilisation U] [--json]

The engine is `ehcflow.planner` (pure Python and NumPy); this command only reads files,
reports errors in words and, for from-caseload, reads the casework database.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.command_options import parse_date
from ehcflow.planner.scenario import ScenarioError, parse_scenario
from ehcflow.planning.estimate import scenario_from_caseload


class Command(BaseCommand):
    help = "Simulate, cost and optimise the recovery of the assessment backlog."
    requires_system_checks: list[str] = []  # the planner needs no URLs or templates

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        run = sub.add_parser("run", help="simulate a scenario")
        run.add_argument("scenario")
        run.add_argument("--replications", type=int)
        run.add_argument("--seed", type=int)
        fmt = run.add_mutually_exclusive_group()
        fmt.add_argument("--json", action="store_const", const="json", dest="fmt")
        fmt.add_argument("--csv", action="store_const", const="csv", dest="fmt")
        opt = sub.add_parser("optimise", help="the cheapest staffing that meets the targets")
        opt.add_argument("scenario")
        opt.add_argument("--options", required=True)
        opt.add_argument("--json", action="store_const", const="json", dest="fmt")
        caseload = sub.add_parser("from-caseload", help="a scenario from today's open requests")
        caseload.add_argument("--as-of", required=True)
        caseload.add_argument("--out", required=True)
        caseload.add_argument("--months", type=int, default=24)
        caseload.add_argument("--utilisation", type=float)
        back = sub.add_parser("backtest", help="the planner from a past date against what "
                                               "happened")
        back.add_argument("--as-of", required=True)
        back.add_argument("--months", type=int, default=12)
        back.add_argument("--replications", type=int, default=300)
        back.add_argument("--seed", type=int, default=1)
        back.add_argument("--today")
        back.add_argument("--utilisation", type=float)
        back.add_argument("--json", action="store_const", const="json", dest="fmt")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "from-caseload":
            self.from_caseload(options)
            return
        if action == "backtest":
            self.backtest(options)
            return
        scenario = Path(options["scenario"])
        if not scenario.is_file():
            raise CommandError(f"{scenario}: no such scenario file.")
        from ehcflow.planner import cli

        try:
            if action == "run":
                output = cli.run_command(scenario, replications=options.get("replications"),
                                         seed=options.get("seed"),
                                         fmt=options.get("fmt") or "text")
            else:
                options_path = Path(options["options"])
                if not options_path.is_file():
                    raise CommandError(f"{options_path}: no such options file.")
                output = cli.optimise_command(scenario, options_path,
                                              fmt=options.get("fmt") or "text")
        except ScenarioError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(output)

    def from_caseload(self, options: dict[str, Any]) -> None:
        as_of = parse_date(options["as_of"], "--as-of")
        if not 1 <= options["months"] <= 240:
            raise CommandError("--months: must be between 1 and 240.")
        out = Path(options["out"])
        if out.suffix != ".toml":
            raise CommandError(f"--out: write the scenario to a .toml file, not '{out.name}'.")
        utilisation = _utilisation(options.get("utilisation"))
        estimate = scenario_from_caseload(as_of=as_of, months=options["months"],
                                          utilisation=utilisation)
        try:
            parse_scenario(estimate.scenario, source=str(out), base_dir=out.parent)
        except ScenarioError as error:  # a bug here, not bad input: say so plainly
            raise CommandError(f"The estimated scenario is not valid: {error}") from error
        header = "".join(f"# {note}\n" for note in estimate.notes)
        out.write_text(
            f"# Recovery-planner scenario estimated from the casework by "
            f"`ehcflow plan from-caseload --as-of {as_of.isoformat()}`.\n{header}\n"
            + tomli_w.dumps(estimate.scenario), encoding="utf-8")
        self.stdout.write(f"Wrote {out} ({len(estimate.scenario['start_state']['requests'])} "
                          "open requests).")
        for note in estimate.notes:
            self.stdout.write(f"  {note}")

    def backtest(self, options: dict[str, Any]) -> None:
        from ehcflow.planning.backtest import MEASURES, backtest
        from ehcflow.planning.estimate import load_history

        as_of = parse_date(options["as_of"], "--as-of")
        today = parse_date(options["today"], "--today") if options.get("today") else date.today()
        if as_of >= today:
            raise CommandError("--as-of: must be before today, so that there is something to "
                               "compare with.")
        if not 1 <= options["months"] <= 60:
            raise CommandError("--months: must be between 1 and 60.")
        if not 10 <= options["replications"] <= 5000:
            raise CommandError("--replications: must be between 10 and 5,000.")
        result = backtest(load_history(), as_of=as_of, today=today, months=options["months"],
                          replications=options["replications"], seed=options["seed"],
                          utilisation=_utilisation(options.get("utilisation")))
        if options.get("fmt") == "json":
            self.stdout.write(json.dumps(result, indent=1))
            return
        out = [f"Backtest from {as_of:%d %B %Y}: forecast 10th-50th-90th percentile, actual, "
               "and * where the actual fell outside the range.", ""]
        for key, words in MEASURES:
            out.append(words)
            for row in result["months"]:
                cell = row[key]
                mark = " " if cell["inside"] in (True, None) else "*"
                out.append(f"  {row['month']}  {_n(cell['p10']):>7} {_n(cell['p50']):>7} "
                           f"{_n(cell['p90']):>7}   actual {_n(cell['actual']):>7} {mark}")
            s = result["summary"][key]
            out.append(f"  inside the range in {s['inside']} of {s['months']} months; median "
                       f"error {_n(s['median_error'])}")
        check = result["per_request"]
        if check["coverage"] is not None:
            out += ["", "likely final-plan dates of the requests open on the date",
                    f"  {check['plans_issued_since']} have since had a final plan; the 10th-90th "
                    f"interval held the date for {check['inside_10_90']} "
                    f"({check['coverage']:.0%}; the aim is about 80%)",
                    f"  median error {_n(check['median_error_days'])} days; request date plus "
                    f"last year's median time to a plan: {_n(check['naive_median_error_days'])}"
                    " days"]
        out += ["", result["verdict"], "", "How the scenario was estimated:"]
        out += [f"  {note}" for note in result["estimate"]]
        self.stdout.write("\n".join(out))


def _n(value: object) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _utilisation(value: float | None) -> float | None:
    if value is not None and not 0.1 <= value <= 1.0:
        raise CommandError("--utilisation: give the share of their hours staff are busy, from "
                           "0.1 to 1, like 0.8.")
    return value
