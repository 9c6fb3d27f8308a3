"""`ehcflow sen2 export|check|reconcile|import`: the DfE SEN2 return from the case records.

    ehcflow sen2 export --collection YEAR --out FILE.xml --by USERNAME
    ehcflow sen2 check --collection YEAR [--json]
    ehcflow sen2 reconcile --collection YEAR [--json]
    ehcflow sen2 import FILE.xml --by USERNAME

`export` writes the return for the 2024, 2025 or 2026 collection, valid against that year's
schema, readable by its owner only; the person named by `--by` must be allowed to see every
detail it holds, and the export is recorded. `check` runs the pre-submission checks and exits 1
when any is an error. `reconcile` sets the return's counts beside the dashboards'. `import`
reads a return into a service with no records yet, all or nothing. Any refusal exits 1 with the
reason and writes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.sen2 import checks, importer, items, reconcile, selectors, services


class Command(BaseCommand):
    help = "Make, check and import the DfE SEN2 person-level return."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        export = sub.add_parser("export", help="write the return as an XML file")
        export.add_argument("--collection", required=True, help="the collection year: "
                            + ", ".join(str(y) for y in items.COLLECTIONS))
        export.add_argument("--out", required=True, help="the file to write (.xml)")
        export.add_argument("--by", required=True,
                            help="the username of the person making the return (recorded)")
        check = sub.add_parser("check", help="the pre-submission checks")
        check.add_argument("--collection", required=True)
        check.add_argument("--json", action="store_true", help="print JSON")
        rec = sub.add_parser("reconcile", help="the return's counts beside the dashboards'")
        rec.add_argument("--collection", required=True)
        rec.add_argument("--json", action="store_true", help="print JSON")
        imp = sub.add_parser("import", help="read a return into an empty service")
        imp.add_argument("file")
        imp.add_argument("--by", required=True,
                         help="the username of the person importing (recorded)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            {"export": self.do_export, "check": self.do_check, "reconcile": self.do_reconcile,
             "import": self.do_import}[options["action"]](options)
        except importer.ImportProblem as error:
            listed = "\n".join(f"  {p}" for p in error.problems[:20])
            more = len(error.problems) - 20
            tail = f"\n  … and {more} more" if more > 0 else ""
            raise CommandError(f"{error}\n{listed}{tail}") from None
        except (services.Sen2Error, items.UnknownCollection) as error:
            raise CommandError(str(error)) from None

    def do_export(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        made = services.export_to_file(options["collection"], out, by=options["by"])
        coll = made.ret.collection
        self.stdout.write(
            f"Wrote the SEN2 {coll.year} return (census day {services.items_day(coll.census_day)})"
            f" to {out}: {len(made.ret.persons):,} children, {len(made.ret.requests()):,} "
            "requests. It is valid against the collection's schema and readable by you only. "
            "The export is recorded.")

    def do_check(self, options: dict[str, Any]) -> None:
        coll = items.collection(options["collection"])
        findings = checks.run_checks(selectors.build_return(coll))
        errors = sum(1 for f in findings if f.severity == checks.ERROR)
        if options["json"]:
            self.stdout.write(json.dumps([f.as_json() for f in findings], indent=2))
        else:
            for f in findings:
                where = f" {f.case_ref}" if f.case_ref else ""
                self.stdout.write(f"{f.severity.upper():5} {f.code}{where}: {f.message}")
            self.stdout.write(f"{errors} errors and {len(findings) - errors} queries in the "
                              f"SEN2 {coll.year} return.")
        if errors:
            raise CommandError(f"{errors} error{'s' if errors != 1 else ''} to put right "
                               "before the return is made.")

    def do_reconcile(self, options: dict[str, Any]) -> None:
        coll = items.collection(options["collection"])
        lines = reconcile.reconcile(selectors.build_return(coll))
        if options["json"]:
            self.stdout.write(json.dumps([{"measure": line.key, "return": line.in_return,
                                           "dashboards": line.on_dashboards,
                                           "equal": line.equal} for line in lines], indent=2))
        else:
            for line in lines:
                mark = "equal" if line.equal else "DIFFERENT"
                self.stdout.write(f"{line.label:58} {line.in_return:>7} {line.on_dashboards:>7}"
                                  f"  {mark}")
        if not all(line.equal for line in lines):
            raise CommandError("The return and the dashboards differ; see the checks.")

    def do_import(self, options: dict[str, Any]) -> None:
        result = importer.import_file(Path(options["file"]), by=options["by"])
        self.stdout.write(
            f"Imported the SEN2 {result.collection.year} return: {result.children:,} children, "
            f"{result.requests:,} requests, {result.plans:,} plans. The import is recorded.")
