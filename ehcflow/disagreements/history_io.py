"""Export and import of what happened after plans were issued: plans, reviews, disagreements.

For a council moving from another system: `ehcflow history export --out DIR` writes one CSV
file per table into DIR, `ehcflow history import DIR` reads them back. The files:

    children.csv          the children the other files name (matched on person id)
    plans.csv             casework.EHCPlan      plan_settings.csv  casework.PlanSetting
    plan_needs.csv        casework.PlanNeed     reviews.csv        casework.AnnualReview
    disagreements.csv     disagreements.Disagreement
    tribunal_orders.csv   disagreements.TribunalOrder

The columns are the models' own fields, found at run time (a field added to a plan or a
review is exported and imported without a change here); a reference to another row is
written as that row's natural key: a child's person id, a request's case reference, a staff
member's staff id, an institution's URN (or UKPRN), a plan's or disagreement's public id.

The request register's rules apply (docs/domain/request-register.md), reusing its reader
(`register.formats`: UTF-8 CSV or XLSX, a header row, at most `schema.MAX_ROWS` rows) and its
date parser (`register.validation.parse_date`: YYYY-MM-DD or DD/MM/YYYY):

- all or nothing: every problem of every file is reported as `FILE:ROW:COLUMN: message`
  (the header is row 1) and nothing is written unless there are none;
- dates within `statutory.dates.accepted_range`: a date of something that happened not after
  today, a due date not after 2099, nothing before 2000;
- an exact round trip: export, import into an empty database, export again gives the same
  bytes (rows in a fixed order, dates ISO, booleans `true`/`false`, amounts with 2 decimals).

A row whose public id is already held is a problem (the files were imported before); a child
already held must have the file's date of birth. Requests are not in these files: a case
reference must name a request already held (import the request register first). Each plan
and disagreement created writes one case event, in the same transaction.

Longer than 500 lines on purpose: the export and the import of one file format are kept
together so that the round trip stays exact; every column is read where it is written.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ehcflow.casework import choices as c
from ehcflow.casework.events import EventAction
from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
)
from ehcflow.casework.services import (
    Actor,
    CaseworkError,
    child_create,
    child_problems,
    record_event,
)
from ehcflow.disagreements.models import Disagreement, TribunalOrder
from ehcflow.people.models import StaffMember
from ehcflow.register.formats import Problem, open_register
from ehcflow.register.validation import parse_date
from ehcflow.statutory.dates import DateKind, accepted_range, long_date

_TRUE, _FALSE = "true", "false"
#: Fields never written: the row's own key and its bookkeeping times.
_SKIPPED = frozenset({"id", "created_at", "updated_at"})
CHILD_COLUMNS = ("person_ref", "date_of_birth", "forename", "surname", "sex", "ethnicity",
                 "postcode", "upn", "uln", "upn_unknown")


@dataclass(frozen=True)
class Table:
    """One file: its model, the order of its rows, and how its row is named in a message."""

    file: str
    model: type[models.Model]
    order: tuple[str, ...]
    event: str = ""  # the case event each created row writes ("" for none)


TABLES: tuple[Table, ...] = (
    Table("plans.csv", EHCPlan, ("child__person_ref", "first_issued_date", "public_id"),
          "plan_imported"),
    Table("plan_settings.csv", PlanSetting, ("plan__public_id", "rank", "id")),
    Table("plan_needs.csv", PlanNeed, ("plan__public_id", "rank")),
    Table("reviews.csv", AnnualReview, ("plan__public_id", "due_date", "public_id")),
    Table("disagreements.csv", Disagreement, ("child__person_ref", "started_on", "public_id"),
          "disagreement_imported"),
    Table("tribunal_orders.csv", TribunalOrder, ("appeal__public_id", "made_on", "kind")),
)
CHILDREN_FILE = "children.csv"
FILES = (CHILDREN_FILE, *(t.file for t in TABLES))


class HistoryRejected(Exception):
    """The files had problems; nothing was changed. `lines` are `FILE:ROW:COLUMN: message`."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(f"{len(lines)} problems")
        self.lines = lines


@dataclass
class ImportResult:
    children_created: int = 0
    children_updated: int = 0
    plans_matched: int = 0
    rows: dict[str, int] = field(default_factory=dict)


# --- the columns -----------------------------------------------------------------------------


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's exported fields, in the model's order."""
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.Field) and f.name not in _SKIPPED]


def _natural(related: type[models.Model]) -> str:
    """The field naming a referenced row in the files."""
    return {Child: "person_ref", AssessmentRequest: "case_ref", StaffMember: "staff_ref",
            EHCPlan: "public_id", Disagreement: "public_id"}.get(related, "")


def _write_value(obj: models.Model, f: models.Field[Any, Any]) -> str:
    if f.is_relation:
        related = getattr(obj, f.name)
        if related is None:
            return ""
        if isinstance(related, Institution):
            return related.urn or f"UKPRN {related.ukprn}"
        return str(getattr(related, _natural(type(related))))
    value = getattr(obj, f.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


# --- export ----------------------------------------------------------------------------------


def export_history(out: Path) -> dict[str, int]:
    """Write every file into `out` (created if missing); return the rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    children: set[int] = set()
    for table in TABLES:
        fields = columns(table.model)
        related = [f.name for f in fields if f.is_relation]
        rows = table.model._default_manager.select_related(*related).order_by(*table.order)
        lines = []
        for obj in rows.iterator(chunk_size=2000):
            lines.append([_write_value(obj, f) for f in fields])
            child_id = getattr(obj, "child_id", None)
            if child_id is not None:
                children.add(child_id)
        written[table.file] = _write(out / table.file, [f.name for f in fields], lines)
    kids = Child.objects.filter(pk__in=children).order_by("person_ref")
    child_fields = [f for f in columns(Child) if f.name in CHILD_COLUMNS]
    child_fields.sort(key=lambda f: CHILD_COLUMNS.index(f.name))
    written[CHILDREN_FILE] = _write(out / CHILDREN_FILE, list(CHILD_COLUMNS),
                                    [[_write_value(k, f) for f in child_fields] for k in kids])
    return written


def _write(path: Path, header: list[str], rows: list[list[str]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows)


# --- import ----------------------------------------------------------------------------------


@dataclass
class _Context:
    today: date
    problems: list[str] = field(default_factory=list)
    children: dict[str, Child] = field(default_factory=dict)
    new_children: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: details in the file for children already held (filled in where the record has none)
    fill_in: dict[str, dict[str, str]] = field(default_factory=dict)
    plans: dict[str, EHCPlan] = field(default_factory=dict)
    appeals: dict[str, Disagreement] = field(default_factory=dict)
    matched: int = 0

    def problem(self, file: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message).line(file))


def _read(folder: Path, file: str, ctx: _Context, expected: list[str]
          ) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows as {column: text}; problems with the file itself go to `ctx`."""
    path = folder / file
    if not path.exists():
        ctx.problem(file, 1, "-", "the file is missing: export writes all of "
                    + ", ".join(FILES))
        return
    source = open_register(path)
    header: list[str] | None = None
    for raw in source:
        cells = ["" if c is None else str(c).strip() for c in raw.cells]
        if header is None:
            header = cells
            missing = [c for c in expected if c not in header]
            unknown = [c for c in header if c and c not in expected]
            for name in missing:
                ctx.problem(file, 1, name, "this column is missing")
            for name in unknown:
                ctx.problem(file, 1, name, "this column is not one of the file's columns")
            if missing or unknown:
                break
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            ctx.problem(file, raw.number, "-", "the row has more cells than the header")
            continue
        if not any(cells):
            continue
        yield raw.number, dict(zip(header, cells + [""] * (len(header) - len(cells)),
                                   strict=True))
    for p in source.problems:
        ctx.problems.append(p.line(file))
    if header is None and not source.problems:
        ctx.problem(file, 1, "-", "the file is empty: it needs at least its header row")


def _date(text: str, column: str, ctx: _Context, file: str, row: int) -> date | None:
    day, message = parse_date(text)
    if message:
        ctx.problem(file, row, column, message)
        return None
    if day is None:
        return None
    kind = DateKind.FIGURE if "due" in column else DateKind.EVENT
    accepted = accepted_range(kind, today=ctx.today)
    if day not in accepted:
        later = "today" if kind is DateKind.EVENT else long_date(accepted.latest)
        ctx.problem(file, row, column, f"{day.isoformat()} is outside the dates accepted "
                    f"({long_date(accepted.earliest)} to {later})")
        return None
    return day


def _value(f: models.Field[Any, Any], text: str, ctx: _Context, file: str, row: int,
           lookup: Callable[[models.Field[Any, Any], str], Any]) -> tuple[bool, Any]:
    """(ok, value) for one cell; a problem is reported to `ctx` and ok is False."""
    def bad(message: str) -> tuple[bool, Any]:
        ctx.problem(file, row, f.name, message)
        return False, None

    if f.is_relation:
        if not text:
            return (True, None) if f.null else bad("a value is needed")
        found = lookup(f, text)
        if found is None:
            target = f.related_model
            what = target._meta.verbose_name if isinstance(target, type) else "record"
            return bad(f"'{text[:40]}' is not a known {what}")
        return True, found
    if isinstance(f, models.DateField):
        if not text:
            return (True, None) if f.null else bad("a date is needed")
        before = len(ctx.problems)
        day = _date(text, f.name, ctx, file, row)
        return len(ctx.problems) == before, day
    if isinstance(f, models.BooleanField):
        if text not in (_TRUE, _FALSE):
            return bad(f"'{text[:20]}' is not {_TRUE} or {_FALSE}")
        return True, text == _TRUE
    if isinstance(f, models.UUIDField):
        try:
            return True, uuid.UUID(text)
        except ValueError:
            return bad(f"'{text[:40]}' is not a public id")
    if isinstance(f, models.DecimalField):
        if not text:
            return (True, None) if f.null else bad("an amount is needed")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return bad(f"'{text[:20]}' is not an amount")
        if not amount.is_finite() or amount < 0 or amount.quantize(Decimal("0.01")) != amount \
                or amount >= Decimal(10) ** (f.max_digits - f.decimal_places):
            return bad(f"'{text[:20]}' is not an amount in pounds and pence")
        return True, amount
    if isinstance(f, models.IntegerField):
        if not text:
            return (True, None) if f.null else bad("a number is needed")
        if not (text.isascii() and text.isdigit() and len(text) <= 5):
            return bad(f"'{text[:20]}' is not a whole number")
        return True, int(text)
    if f.choices and text and text not in {str(k) for k, _ in f.flatchoices}:
        allowed = ", ".join(str(k) for k, _ in f.flatchoices if k != "")
        return bad(f"'{text[:40]}' is not one of: {allowed}")
    max_length = getattr(f, "max_length", None)
    if max_length is not None and len(text) > max_length:
        return bad(f"is longer than {max_length} characters")
    return True, text


def _lookup(ctx: _Context) -> Callable[[models.Field[Any, Any], str], Any]:
    def find(f: models.Field[Any, Any], text: str) -> Any:
        related = f.related_model
        if related is Child:
            return ctx.children.get(text) or (text if text in ctx.new_children else None)
        if related in (EHCPlan, Disagreement):
            known = ctx.plans if related is EHCPlan else ctx.appeals
            if text in known:
                return known[text]
            try:
                return related.objects.filter(public_id=uuid.UUID(text)).first()
            except ValueError:
                return None
        if related is Institution:
            if text.upper().startswith("UKPRN "):
                return Institution.objects.filter(ukprn=text[6:].strip()).first()
            return Institution.objects.filter(urn=text).first()
        if related is AssessmentRequest:
            return AssessmentRequest.objects.filter(case_ref=text).first()
        if related is StaffMember:
            return StaffMember.objects.filter(staff_ref=text).first()
        return None
    return find


def _read_children(folder: Path, ctx: _Context) -> None:
    file = CHILDREN_FILE
    for row, cells in _read(folder, file, ctx, list(CHILD_COLUMNS)):
        ref = cells["person_ref"]
        born = _date(cells["date_of_birth"], "date_of_birth", ctx, file, row) if cells[
            "date_of_birth"] else None
        if not ref:
            ctx.problem(file, row, "person_ref", "a person id is needed")
            continue
        if born is None:
            if not cells["date_of_birth"]:
                ctx.problem(file, row, "date_of_birth", "a date of birth is needed")
            continue
        if ref in ctx.children or ref in ctx.new_children:
            ctx.problem(file, row, "person_ref", f"{ref} is in the file twice")
            continue
        held = Child.objects.filter(person_ref=ref).first()
        if held is not None:
            if held.date_of_birth != born:
                ctx.problem(file, row, "date_of_birth", f"{ref} is already recorded with "
                            "another date of birth")
            ctx.children[ref] = held
            ctx.fill_in[ref] = {k: cells[k] for k in CHILD_COLUMNS[2:]}
            continue
        ctx.new_children[ref] = {**cells, "date_of_birth": born, "_row": row}


def _fill_in(ctx: _Context, actor: Actor) -> int:
    """Give a child already held the file's details where the record has none.

    A request register import creates each new child with a person id and date of birth
    only (no names); the history files carry the rest. A detail the record already holds is
    never overwritten. Each child changed gets one case event.
    """
    updated = 0
    for ref, details in ctx.fill_in.items():
        child = ctx.children[ref]
        changes = {}
        for name, text in details.items():
            held = getattr(child, name)
            empty = held in ("", None) or (name == "sex" and held == c.Sex.UNKNOWN)
            if text and empty and text != held:
                changes[name] = text
        if not changes:
            continue
        problems = child_problems(date_of_birth=child.date_of_birth,
                                  upn=changes.get("upn", child.upn),
                                  uln=changes.get("uln", child.uln),
                                  upn_unknown=changes.get("upn_unknown", child.upn_unknown))
        if problems:
            for column, message in problems.items():
                ctx.problem(CHILDREN_FILE, 1, column, f"{ref}: {message}")
            continue
        for name, text in changes.items():
            setattr(child, name, text)
        child.save(update_fields=[*changes, "updated_at"])
        record_event(child=child, action=EventAction.CHILD_UPDATED_BY_IMPORT, on=ctx.today,
                     by=actor,
                      description="Child's details filled in from another system's records",
                      changes={name: ["", "(recorded)"] for name in changes})
        updated += 1
    return updated


def _check(obj: models.Model, fields: list[models.Field[Any, Any]], ctx: _Context, file: str,
           row: int, skip: Iterable[str]) -> bool:
    """The model's own validation (choices, lengths, constraints); False on a problem."""
    try:
        obj.full_clean(exclude=list(skip), validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = "-" if name == NON_FIELD_ERRORS else name
            for message in messages:
                ctx.problem(file, row, column, message.rstrip("."))
        return False
    return True


def import_history(folder: Path, *, by: Actor | None = None) -> ImportResult:
    """Import every file of `folder`, all or nothing; raise `HistoryRejected` on any problem."""
    actor = by or Actor(name="history import")
    ctx = _Context(today=timezone.localdate())
    result = ImportResult()
    if not folder.is_dir():
        raise HistoryRejected([f"{folder.name}:-:-: not a folder of history files"])
    try:
        with transaction.atomic():
            _read_children(folder, ctx)
            for ref, cells in ctx.new_children.items():
                try:
                    ctx.children[ref] = child_create(
                        person_ref=ref, date_of_birth=cells["date_of_birth"], by=actor,
                        **{k: cells[k] for k in CHILD_COLUMNS[2:]})
                    result.children_created += 1
                except CaseworkError as error:
                    ctx.problem(CHILDREN_FILE, cells["_row"], error.field or "-", error.message)
            ctx.new_children.clear()
            result.children_updated = _fill_in(ctx, actor)
            find = _lookup(ctx)
            for table in TABLES:
                result.rows[table.file] = _import_table(folder, table, ctx, find, actor)
            result.plans_matched = ctx.matched
            if ctx.problems:
                raise HistoryRejected(ctx.problems)
    except IntegrityError as error:
        raise HistoryRejected([f"{folder.name}:-:-: the rows clash with records already held "
                               f"or with each other ({str(error)[:120]}); nothing was changed"]
                              ) from None
    return result


def _import_table(folder: Path, table: Table, ctx: _Context,
                  find: Callable[[models.Field[Any, Any], str], Any], actor: Actor) -> int:
    fields = columns(table.model)
    names = [f.name for f in fields]
    held_ids: set[str] = set()
    if any(f.name == "public_id" for f in fields):
        held_ids = {str(u) for u in
                    table.model._default_manager.values_list("public_id", flat=True)}
    created = 0
    seen: set[str] = set()
    for row, cells in _read(folder, table.file, ctx, names):
        values: dict[str, Any] = {}
        ok = True
        for f in fields:
            good, value = _value(f, cells[f.name], ctx, table.file, row, find)
            ok = ok and good
            values[f.name] = value
        public_id = cells.get("public_id", "")
        if public_id and public_id in held_ids:
            ctx.problem(table.file, row, "public_id", "this row is already held (were these "
                        "files imported before?)")
            ok = False
        if public_id and public_id in seen:
            ctx.problem(table.file, row, "public_id", "this public id is in the file twice")
            ok = False
        seen.add(public_id)
        if not ok:
            continue
        obj = table.model(**values)
        bare = _bare_plan(obj, ctx, table.file, row) if isinstance(obj, EHCPlan) else None
        if isinstance(obj, EHCPlan) and bare is not None:
            obj.pk = bare.pk
            obj.created_at = bare.created_at
        skip = [f.name for f in fields if f.is_relation]
        if not _check(obj, fields, ctx, table.file, row, skip):
            continue
        # Known before it is saved, so later files' references to it are checked too.
        if isinstance(obj, EHCPlan):
            ctx.plans[str(obj.public_id)] = obj
        if isinstance(obj, Disagreement):
            ctx.appeals[str(obj.public_id)] = obj
        if ctx.problems:
            continue  # nothing is written once a problem is found; keep checking
        if isinstance(obj, EHCPlan) and bare is not None:
            obj.save(force_update=True)
            ctx.matched += 1
            record_event(child=obj.child, plan=obj, request=obj.request,
                          action=EventAction.PLAN_UPDATED_BY_IMPORT, on=ctx.today, by=actor,
                          description="Plan completed from another system's records")
            continue
        obj.save(force_insert=True)
        created += 1
        if table.event:
            record_event(child=obj.child, plan=obj if isinstance(obj, EHCPlan) else None,  # type: ignore[attr-defined]
                          request=getattr(obj, "request", None), action=table.event,
                          on=_event_day(obj), by=actor,
                          description=("Plan imported from another system" if isinstance(
                              obj, EHCPlan) else "Mediation or appeal imported from another "
                              "system"))
    return created


def _bare_plan(plan: EHCPlan, ctx: _Context, file: str, row: int) -> EHCPlan | None:
    """The plan a request register import made for this plan's request, if there is one.

    The register makes a bare plan (no settings, needs or reviews) for every request with a
    final date; the history's row for that plan completes it rather than adding a second
    plan to the request. Any other plan already held for the request is a problem.
    """
    if plan.request_id is None:
        return None
    held = EHCPlan.objects.filter(request_id=plan.request_id).first()
    if held is None:
        return None
    bare = not (held.settings.exists() or held.needs.exists() or held.reviews.exists())
    if not bare or held.first_issued_date != plan.first_issued_date:
        ctx.problem(file, row, "request", f"request {plan.request} already has a plan "
                    f"(issued {long_date(held.first_issued_date)})")
        return None
    return held


def _event_day(obj: models.Model) -> date:
    if isinstance(obj, EHCPlan):
        return obj.first_issued_date
    assert isinstance(obj, Disagreement)
    return obj.started_on
