"""`ehcflow national load|rank|neighbours|ours|measures`: DfE's published figures for every LA.

    ehcflow national load [PATH] [--reporting-year N]
    ehcflow national rank --la NAME --year YEAR [--measure M] [--release N] [--json]
    ehcflow national neighbours [--la NAME] [--set NAME ...|--add NAME ...|--remove NAME ...|
                                --clear] [--json]
    ehcflow national ours [NAME] [--clear]
    ehcflow national measures

PATH is a DfE "Education, health and care plans" release folder, raw or trimmed; without it the
trimmed reporting-year-2025 copy shipped in ehcflow/insight/data/dfe-ehcp-2025 is loaded.
Any problem exits with status 1 and a message; a failed load writes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.insight import dfe, selectors, services
from ehcflow.insight.models import Authority
from ehcflow.insight.ranking import ordinal

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "dfe-ehcp-2025"
DEFAULT_MEASURE = "pct_within_20_weeks_excl_exceptions"


def _years(years: list[int]) -> str:
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(str(y) for y in years)


def _show(value: Decimal | None, status: str = "") -> str:
    if value is None:
        return {"x": "x (unavailable)", "z": "z (not applicable)"}.get(status, status or "–")
    return format(value.normalize(), ",f")  # 7.3, 638,745


class Command(BaseCommand):
    help = "Load DfE's published EHC plan statistics and compare authorities."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        load = sub.add_parser("load", help="load a DfE release folder (raw or trimmed)")
        load.add_argument("path", nargs="?", default=str(SHIPPED),
                          help="release folder (default: the shipped reporting-year-2025 copy)")
        load.add_argument("--reporting-year", type=int,
                          help="the release's reporting year, if data-guidance.txt lacks it")

        rank = sub.add_parser("rank", help="an authority's figure and rank among all LAs")
        rank.add_argument("--la", help="la_name, new_la_code or old_la_code (default: ours)")
        rank.add_argument("--year", type=int, required=True,
                          help="calendar year; for plans_maintained the year of the January")
        rank.add_argument("--measure", default=DEFAULT_MEASURE,
                          help=f"default {DEFAULT_MEASURE}; `national measures` lists them")
        rank.add_argument("--release", type=int, help="read this reporting year's release only")
        rank.add_argument("--json", action="store_true", help="print JSON")

        near = sub.add_parser("neighbours", help="show or choose an authority's comparators")
        near.add_argument("--la", help="the authority (default: ours)")
        group = near.add_mutually_exclusive_group()
        group.add_argument("--set", nargs="+", metavar="NAME", help="replace the list")
        group.add_argument("--add", nargs="+", metavar="NAME", help="append to the list")
        group.add_argument("--remove", nargs="+", metavar="NAME", help="take off the list")
        group.add_argument("--clear", action="store_true", help="empty the list")
        near.add_argument("--json", action="store_true", help="print JSON")

        ours = sub.add_parser("ours", help="show or choose the authority this service is")
        ours.add_argument("name", nargs="?", help="la_name, new_la_code or old_la_code")
        ours.add_argument("--clear", action="store_true", help="forget the choice")

        sub.add_parser("measures", help="list the measures and their DfE file and column")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"handle_{action}")(options)
        except dfe.ReleaseError as error:
            raise CommandError("Nothing loaded.\n" + "\n".join(error.problems)) from error
        except (selectors.NotFound, services.InsightError) as error:
            raise CommandError(str(error)) from error

    def _authority(self, name: str | None, **hints: Any) -> Authority:
        if name:
            return selectors.authority_find(name, **hints)
        ours = selectors.our_authority()
        if ours is None:
            raise CommandError(
                "Say which authority with --la, or choose ours with `ehcflow national ours NAME` "
                "(or set EHCFLOW_LA_CODE)."
            )
        return ours

    def handle_load(self, options: dict[str, Any]) -> None:
        folder = Path(options["path"])
        summary = services.national_load(folder=folder,
                                         reporting_year=options.get("reporting_year"))
        verb = "Replaced" if summary.replaced else "Loaded"
        self.stdout.write(
            f"{verb} DfE Education, health and care plans, reporting year "
            f"{summary.reporting_year}, from {summary.source}:"
        )
        for f in summary.files:
            self.stdout.write(
                f"  {f.name:<24} {f.rows:>5} rows  years {_years(f.years):<10} "
                f"{f.suppressed:>5} figures not published (x/z)"
            )
        levels = summary.authorities
        self.stdout.write(
            f"  {len(summary.files)} files, {summary.rows} rows, {summary.figures} figures; "
            f"authorities: {levels.get(dfe.NATIONAL, 0)} national, "
            f"{levels.get(dfe.REGIONAL, 0)} regions, "
            f"{levels.get(dfe.LOCAL_AUTHORITY, 0)} local authorities "
            f"({summary.new_authorities} new); years {_years(summary.years)}."
        )

    def handle_rank(self, options: dict[str, Any]) -> None:
        measure = selectors.measure_get(options["measure"])
        year = options["year"]
        authority = self._authority(options.get("la"), measure=measure.key, year=year)
        result = selectors.rank(authority=authority, measure=measure.key, year=year,
                                release=options.get("release"))
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        codes = ", ".join(c for c in (authority.code, authority.old_la_code) if c)
        lines = [
            f"{authority.name} ({codes}), {year}",
            f"  {measure.label}: {_show(result.value, result.status)}",
            f"  (DfE {measure.file}, column {measure.column}, release {result.release})",
        ]
        if result.rank is None:
            lines.append(f"  Not ranked: DfE did not publish this figure. {result.of} local "
                         "authorities have one.")
        else:
            tie = (f", tied with {result.rank.tied - 1} other"
                   f"{'s' if result.rank.tied > 2 else ''}") if result.rank.tied > 1 else ""
            lines.append(
                f"  {ordinal(result.rank.from_bottom)} lowest and "
                f"{ordinal(result.rank.from_top)} highest of {result.of} local authorities "
                f"with a figure{tie}"
            )
        lines.append(f"  England: {_show(result.england)}")
        self.stdout.write("\n".join(lines))

    def handle_neighbours(self, options: dict[str, Any]) -> None:
        authority = self._authority(options.get("la"))
        current = selectors.neighbours(authority=authority)
        if options.get("set"):
            services.neighbours_set(authority=authority,
                                    neighbours=[selectors.authority_find(n)
                                                for n in options["set"]])
        elif options.get("add"):
            services.neighbours_set(authority=authority, neighbours=[
                *current, *(selectors.authority_find(n) for n in options["add"])])
        elif options.get("remove"):
            named = [(n, selectors.authority_find(n)) for n in options["remove"]]
            gone = {a.pk for _, a in named}
            missing = [n for n, a in named if a not in current]
            if missing:
                raise CommandError(f"Not on {authority.name}'s list: {', '.join(missing)}.")
            services.neighbours_set(authority=authority,
                                    neighbours=[a for a in current if a.pk not in gone])
        elif options.get("clear"):
            services.neighbours_set(authority=authority, neighbours=[])
        listed = selectors.neighbours(authority=authority)
        if options["json"]:
            self.stdout.write(json.dumps({
                "la": authority.name,
                "neighbours": [{"la": a.name, "new_la_code": a.new_la_code,
                                "old_la_code": a.old_la_code} for a in listed],
            }, indent=2))
            return
        if not listed:
            self.stdout.write(f"{authority.name} has no neighbours chosen. "
                              "Choose them with --set NAME ...")
            return
        self.stdout.write(f"{authority.name} compares with:")
        for index, a in enumerate(listed, start=1):
            self.stdout.write(f"  {index}. {a.name} ({a.new_la_code}, {a.old_la_code})")

    def handle_ours(self, options: dict[str, Any]) -> None:
        if options.get("clear"):
            services.our_authority_set(authority=None)
        elif options.get("name"):
            services.our_authority_set(authority=selectors.authority_find(options["name"]))
        ours = selectors.our_authority()
        if ours is None:
            self.stdout.write("No authority chosen: `ehcflow national ours NAME` chooses one.")
        else:
            self.stdout.write(f"Our authority: {ours.name} ({ours.new_la_code}, "
                              f"{ours.old_la_code}), {ours.region_name}")

    def handle_measures(self, options: dict[str, Any]) -> None:
        for measure in dfe.MEASURES.values():
            self.stdout.write(f"{measure.key:<40} {measure.file:<24} {measure.column:<34} "
                              f"{measure.label}")
