"""`ehcflow plan-document export`: one version of a child's EHC plan as a PDF or Word file.

    ehcflow plan-document export --request CASE_REF [--version final|latest|N] --out FILE.pdf
    ehcflow plan-document export --request CASE_REF --out FILE.docx [--by USERNAME]

The format follows the file name (.pdf: accessible tagged PDF; .docx: Word). `--version` is
`final` (the latest final version, the default), `latest` (whatever was written last, draft
or not) or a version number. An unknown case reference, a request with no plan or no such
version is refused with a message and exit code 1, and nothing is written: the file is
rendered in memory and moved into place whole. With `--by`, the export is written to the
access log under that user, as a download from the site is.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.casework.models import AssessmentRequest, RecordAccess
from ehcflow.plans import selectors
from ehcflow.plans.models import PlanDocument, PlanVersion, VersionStatus
from ehcflow.plans.output import FORMATS, render


class Command(BaseCommand):
    help = "Write one version of a child's EHC plan to a PDF or Word file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        export = sub.add_parser("export", help="write a plan version to FILE.pdf or FILE.docx")
        export.add_argument("--request", required=True, metavar="CASE_REF",
                            help="the case reference of the request the plan came from")
        export.add_argument("--version", default="final",
                            help="'final' (the latest final version; the default), 'latest' "
                                 "or a version number")
        export.add_argument("--out", required=True, metavar="FILE",
                            help="the file to write, ending .pdf or .docx")
        export.add_argument("--by", metavar="USERNAME",
                            help="record the export in the access log under this user")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(f"--out must end in .pdf or .docx (not '{out.name[:60]}').",
                               returncode=2)
        if not out.parent.is_dir():
            raise CommandError(f"There is no folder {out.parent} to write {out.name} into.")
        user = None
        if options["by"]:
            user = get_user_model().objects.filter(username=options["by"]).first()
            if user is None:
                raise CommandError(f"There is no user '{options['by'][:60]}'.")
        request = AssessmentRequest.objects.filter(case_ref=options["request"].strip()).first()
        if request is None:
            raise CommandError(f"There is no request with case reference "
                               f"'{options['request'][:40]}'.")
        version = find_version(request, options["version"])
        data = render(selectors.plan_content(version), fmt)
        write_whole(out, data)
        if user is not None:
            RecordAccess.objects.create(user=user, kind=RecordAccess.Kind.EXPORT,
                                        page=f"plan:export:{fmt}", child=request.child,
                                        request=request)
        self.stdout.write(f"Wrote version {version.number} ({version.status_label}) of the plan "
                          f"for {request.case_ref} to {out}.")


def find_version(request: AssessmentRequest, wanted: str) -> PlanVersion:
    """The version asked for, or a CommandError saying what the request has instead."""
    document = PlanDocument.objects.filter(request=request).first()
    if document is None:
        raise CommandError(f"Request {request.case_ref} has no EHC plan document.")
    versions = document.versions.select_related("document", "document__child",
                                                 "document__request")
    text = wanted.strip().lower()
    if text == "final":
        found = versions.filter(status=VersionStatus.FINAL).order_by("-number").first()
        if found is None:
            raise CommandError(f"The plan for {request.case_ref} has no final version yet; "
                               "give --version latest for the draft.")
        return found
    if text == "latest":
        found = versions.order_by("-number").first()
    elif text.isdigit():
        found = versions.filter(number=int(text)).first()
    else:
        raise CommandError("--version must be 'final', 'latest' or a version number.",
                           returncode=2)
    if found is None:
        raise CommandError(f"The plan for {request.case_ref} has no version {wanted[:10]}.")
    return found


def write_whole(path: Path, data: bytes) -> None:
    """Write the file whole or not at all: a temporary file beside it, then a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.chmod(temporary, 0o600)  # a child's plan: readable by its owner only
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
