"""Making, downloading and importing the SEN2 return: the writes, each audited.

Only staff whose role may read every detail the return holds (name, date of birth, UPN,
postcode, needs and settings: `people.access.child_fields`) and may export may produce it; an
analyst or business support is refused (decision 0016). Every file made is recorded in
`ReturnFile` and the access log in the same transaction as the file is put in place, so a file
exists only if its export is on record.

A file is written to a temporary file beside the target, readable by its owner only (0600),
and renamed over the target only once complete: an error leaves no file, not half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from ehcflow.casework.models import AssessmentRequest, RecordAccess
from ehcflow.people.access import Action, ChildField, child_fields, may
from ehcflow.people.models import User
from ehcflow.sen2 import items, selectors, xmlfile
from ehcflow.sen2.checks import LA_FORM, OFFICER_CODES
from ehcflow.sen2.items import Collection
from ehcflow.sen2.models import ReturnFile

# Everything the return holds about a child; a role must be released all of it.
RETURN_FIELDS = frozenset({ChildField.NAME, ChildField.DATE_OF_BIRTH, ChildField.UPN,
                           ChildField.ADDRESS, ChildField.HEALTH})
FILE_MODE = 0o600


class Sen2Error(ValueError):
    """The return was not made or read; nothing was written. The message says why."""


def may_export_return(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether the user may produce the return: export rights and every detail it holds."""
    return may(user, Action.EXPORT) and child_fields(user) >= RETURN_FIELDS


def named_user(username: str) -> User:
    user = User.objects.filter(username=username.strip()).first() if username else None
    if user is None or not user.is_active:
        raise Sen2Error(f"There is no active account '{username[:40]}'. Name the person making "
                        "the return by their username.")
    return user


def header_problems(header: items.Header) -> list[str]:
    """What is missing from the settings the header needs (decision 0016)."""
    problems = []
    if not LA_FORM.fullmatch(header.la_number):
        problems.append("EHCFLOW_SEN2_LA_NUMBER must be the authority's three-digit LA number")
    officers = [("EHCFLOW_SEN2_DMO", header.dmo), ("EHCFLOW_SEN2_DCO", header.dco)]
    if header.collection.has_dsco:
        officers.append(("EHCFLOW_SEN2_DSCO", header.dsco))
    problems += [f"{name} must be Y, N or R" for name, value in officers
                 if value not in OFFICER_CODES]
    return problems


def coverage_problem(coll: Collection, today: date) -> str | None:
    """Why the records cannot cover a collection's census day, or None when they can."""
    if coll.census_day > today:
        return (f"The {coll.year} return is for census day {items_day(coll.census_day)}, which "
                "has not come yet.")
    first = (AssessmentRequest.objects.order_by("received_date")
             .values_list("received_date", flat=True).first())
    if first is None:
        return "There are no requests on record, so there is no return to make."
    start = coll.activity_year.start
    if first > start:
        return (f"The records begin on {items_day(first)}, after the start of the year the "
                f"{coll.year} return covers ({items_day(start)}), so they cannot cover it.")
    return None


def items_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Made:
    data: bytes
    ret: items.Sen2Return

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def make(year: int | str, *, generated_at: datetime | None = None,
         today: date | None = None) -> Made:
    """The return's file for a collection, valid against its schema, or Sen2Error."""
    try:
        coll = items.collection(year)
    except items.UnknownCollection as error:
        raise Sen2Error(str(error)) from None
    problem = coverage_problem(coll, today or timezone.localdate())
    if problem:
        raise Sen2Error(problem)
    header = selectors.header(coll, generated_at)
    if missing := header_problems(header):
        raise Sen2Error("The return's header cannot be completed: " + "; ".join(missing) + ".")
    ret = selectors.build_return(coll, generated_at)
    data = xmlfile.render(ret)
    invalid = xmlfile.schema_problems(data, coll, limit=5)
    if invalid:
        listed = "; ".join(str(p) for p in invalid)
        raise Sen2Error(f"The {coll.year} return does not match its schema, so no file was "
                        f"made. Run the pre-submission checks and correct the records. First "
                        f"problems: {listed}")
    return Made(data=data, ret=ret)


def _audit(user: User, made: Made, action: str) -> None:
    coll = made.ret.collection
    ReturnFile.objects.create(
        user=user, action=action, collection_year=coll.year, census_day=coll.census_day,
        persons=len(made.ret.persons), requests=len(made.ret.requests()), sha256=made.sha256)
    RecordAccess.objects.create(user=user, kind=RecordAccess.Kind.EXPORT,
                                page=f"SEN2 return {coll.year} ({action})")


def refuse(user: User, year: int | str) -> None:
    """Log a refused attempt (the access log shows refusals too) and raise."""
    RecordAccess.objects.create(user=user, kind=RecordAccess.Kind.REFUSED,
                                page=f"SEN2 return {str(year)[:8]}")
    raise Sen2Error("Your role may not make the SEN2 return: it holds every reported child's "
                    "name, date of birth, UPN and postcode.")


def write_atomically(data: bytes, out: Path) -> None:
    """Write `data` to `out`, mode 0600, via a temporary file renamed into place."""
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise Sen2Error(f"{out} is a folder. Give a file name ending in .xml.")
    if not folder.is_dir():
        raise Sen2Error(f"The folder {folder} does not exist.")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def export_to_file(year: int | str, out: Path, *, by: str,
                   generated_at: datetime | None = None, today: date | None = None) -> Made:
    """`ehcflow sen2 export`: check the person, make the return, write it and record it."""
    user = named_user(by)
    if not may_export_return(user):
        refuse(user, year)
    made = make(year, generated_at=generated_at, today=today)
    try:
        with transaction.atomic():
            _audit(user, made, ReturnFile.Action.EXPORT)
            write_atomically(made.data, out)
    except OSError as error:
        raise Sen2Error(f"{out}: cannot write the file ({error.strerror}).") from None
    return made


def download(user: User, year: int | str) -> Made:
    """The file for the page's download button, recorded as downloaded."""
    if not may_export_return(user):
        refuse(user, year)
    made = make(year)
    with transaction.atomic():
        _audit(user, made, ReturnFile.Action.DOWNLOAD)
    return made
