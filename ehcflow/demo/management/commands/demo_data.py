"""`ehcflow demo-data [--seed N] [--today YYYY-MM-DD] [--status]`: load the invented authority.

Writes an invented council (staff, schools, about 10,000 children, 7,000 requests from
September 2018, their plans, reviews and every case event) calibrated to report 000 and
DfE's figures for its council. Because it writes invented people into the database it runs
only with EHCFLOW_DEMO=1, and only into an empty database or one that already holds the demo
(then, with the same seed, it does nothing). `--status` prints `loaded` or `empty`.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ehcflow.command_options import parse_date
from ehcflow.demo import loader
from ehcflow.demo.generator import EARLIEST_TODAY

ENV_FLAG = "EHCFLOW_DEMO"


def demo_enabled() -> bool:
    return os.environ.get(ENV_FLAG, "").strip() == "1"


def refuse_without_flag(command: str, why: str = "writes invented people into the database"
                        ) -> None:
    """Stop unless EHCFLOW_DEMO=1: the demo must never run on a council's live system."""
    if not demo_enabled():
        raise CommandError(
            f"{command} {why}, so it runs only when the environment variable {ENV_FLAG}=1 is "
            f"set (for example `{ENV_FLAG}=1 ehcflow {command}`). Never set it on a "
            "council's live system.")


class Command(BaseCommand):
    help = (
        "Load the demo authority: an invented council calibrated to report 000 (BCP) and "
        "DfE figures. Needs EHCFLOW_DEMO=1 and an empty database. Re-running with the same "
        "seed does nothing; another seed is refused (case events cannot be deleted), so start "
        "from a fresh database to change it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=loader.DEFAULT_SEED,
                            help=f"random seed (default {loader.DEFAULT_SEED}); the same seed "
                                 "and date always give the same authority")
        parser.add_argument("--today", help="build the history up to this date, YYYY-MM-DD "
                                            "(default: today)")
        parser.add_argument("--status", action="store_true",
                            help="print `loaded` or `empty` and stop (needs no EHCFLOW_DEMO)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="for tests: a smaller authority, this fraction of the volumes "
                                 "(calibration holds at 1 only)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self.stdout.write(loader.status())
            return
        refuse_without_flag("demo-data")
        seed: int = options["seed"]
        if seed < 0:
            raise CommandError("--seed must be 0 or more.")
        today = timezone.localdate()
        if options["today"]:
            today = parse_date(options["today"], "--today")
        if today < EARLIEST_TODAY:
            raise CommandError(f"--today must be on or after {EARLIEST_TODAY.isoformat()}: the "
                               "demo's history starts in September 2018.")
        scale: float = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1.")
        try:
            result = loader.load(seed=seed, today=today, scale=scale)
        except loader.DemoRefused as refused:
            raise CommandError(str(refused)) from refused
        record = result.load
        if result.already:
            self.stdout.write(f"The demo authority is already loaded (seed {record.seed}, as at "
                              f"{record.today.isoformat()}); nothing to do.")
            return
        counts = record.counts
        self.stdout.write(self.style.SUCCESS(
            f"Loaded the demo authority (seed {seed}, as at {today.isoformat()}) in "
            f"{result.seconds:.1f} s: {counts['children']:,} children, "
            f"{counts['requests']:,} requests, {counts['plans']:,} plans, "
            f"{counts['reviews']:,} reviews, {counts['events']:,} case events, "
            f"{counts['staff']:,} staff."))
