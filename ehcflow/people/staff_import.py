"""Loading staff and their accounts in bulk from a CSV file: checked, previewed, all or nothing.

Each row is one member of staff, keyed on the council's staff ID. A new staff ID makes a new
account (with no password until a set-password link is used); a known one updates the record.
Every problem is reported by row (as a spreadsheet numbers it, the header being row 1) and
column, and nothing is written unless the whole file is right. Loading the same file again
changes nothing and writes nothing to the account-change log.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction

from ehcflow.people import services
from ehcflow.people.models import AccountChange, Role, StaffMember, Team, User

COLUMNS = ("staff_id", "name", "username", "email", "role", "team", "fte", "start_date",
           "end_date", "entra_object_id")
REQUIRED = ("staff_id", "name", "username", "email", "role", "start_date")
MAX_BYTES = 2_000_000
MAX_ROWS = 10_000
_ROLES = {**{value: value for value in Role.values},
          **{label.lower(): value for value, label in Role.choices}}


@dataclass
class RowPlan:
    """What loading one row will do: `changes` maps field to [before, after]."""

    row: int
    staff_ref: str
    name: str
    values: dict[str, str]
    new: bool
    changes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        if self.new:
            return "New account"
        if not self.changes:
            return "No change"
        return "Changes " + ", ".join(LABELS.get(k, k) for k in self.changes)


LABELS = {"name": "name", "username": "username", "email": "email", "role": "role",
          "team": "team", "fte": "FTE", "start_date": "start date", "end_date": "end date",
          "entra_object_id": "Microsoft Entra object ID"}


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    problems: list[str]
    new_teams: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> list[RowPlan]:
        return [r for r in self.rows if r.new or r.changes]


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def read_plan(data: bytes) -> ImportPlan:
    """Check a staff CSV against the database and say what loading it would do."""
    problems: list[str] = []
    if len(data) > MAX_BYTES:
        return ImportPlan([], [f"The file is larger than {MAX_BYTES // 1_000_000} MB"], [])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportPlan([], ["The file must be a CSV saved as UTF-8"], [])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        return ImportPlan([], ["The file is empty"], [])
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing:
        problems.append("The file has no column " + ", ".join(f"‘{c}’" for c in missing))
    if unknown:
        problems.append("The file has a column this service does not know: "
                        + ", ".join(f"‘{c}’" for c in unknown))
    if len(set(header)) != len(header):
        problems.append("A column name appears twice in the first row")
    if problems:
        return ImportPlan([], problems, [])

    staff_by_ref = {s.staff_ref: s for s in StaffMember.objects.select_related("user", "team")}
    users_by_name = {u.username.lower(): u for u in User.objects.all()}
    users_by_oid = {u.entra_object_id: u for u in User.objects.exclude(entra_object_id=None)}
    teams = {t.name for t in Team.objects.all()}
    new_teams: set[str] = set()
    seen_refs: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    seen_oids: dict[str, int] = {}
    rows: list[RowPlan] = []

    try:
        records = list(reader)
    except csv.Error as error:
        return ImportPlan([], [f"The file is not a readable CSV: {error}"], [])
    if len(records) > MAX_ROWS:
        return ImportPlan([], [f"The file has more than {MAX_ROWS:,} rows"], [])
    for index, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"Row {index}: has {len(record)} cells, but the first row names "
                            f"{len(header)} columns")
            continue
        raw = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        row_problems: list[str] = []

        def problem(column: str, message: str, row: int = index,
                    into: list[str] = row_problems) -> None:
            into.append(f"Row {row}, column ‘{column}’: {message}")

        for column in REQUIRED:
            if not raw.get(column):
                problem(column, "is empty")
        values: dict[str, str] = {k: raw.get(k, "") for k in COLUMNS}
        ref, username = values["staff_id"], values["username"]
        if ref and len(ref) > 40:
            problem("staff_id", "must be 40 characters or fewer")
        if ref in seen_refs:
            problem("staff_id", f"{ref} is also on row {seen_refs[ref]}")
        seen_refs.setdefault(ref, index)
        if len(values["name"]) > 150:
            problem("name", "must be 150 characters or fewer")
        if username:
            if len(username) > 150 or not all(ch.isalnum() or ch in "@.+-_" for ch in username):
                problem("username", "must be letters, numbers and @ . + - _ only")
            if username.lower() in seen_usernames:
                problem("username", f"{username} is also on row "
                                    f"{seen_usernames[username.lower()]}")
            seen_usernames.setdefault(username.lower(), index)
        email = values["email"].lower()
        if email and ("@" not in email or " " in email or len(email) > 254):
            problem("email", "must be an email address, like name@council.gov.uk")
        values["email"] = email
        role = _ROLES.get(values["role"].lower())
        if values["role"] and role is None:
            problem("role", f"‘{values['role']}’ is not a role; use one of "
                            + ", ".join(label for _, label in Role.choices))
        values["role"] = role or ""
        fte_text = values["fte"] or "1.00"
        try:
            fte = Decimal(fte_text)
            if not Decimal("0.01") <= fte <= Decimal("1.00"):
                raise InvalidOperation
            values["fte"] = str(fte.quantize(Decimal("0.01")))
        except InvalidOperation:
            problem("fte", "must be a number from 0.01 to 1.00, like 0.6")
        start = end = None
        for column in ("start_date", "end_date"):
            if values[column]:
                try:
                    parsed = _date(values[column])
                except ValueError:
                    problem(column, "must be a date, like 2024-03-27 or 27/03/2024")
                    continue
                if not date(1950, 1, 1) <= parsed <= date(2100, 12, 31):
                    problem(column, "must be a date between 1950 and 2100")
                    continue
                values[column] = parsed.isoformat()
                if column == "start_date":
                    start = parsed
                else:
                    end = parsed
        if start and end and end < start:
            problem("end_date", "must be on or after the start date")
        if values["team"] and len(values["team"]) > 100:
            problem("team", "must be 100 characters or fewer")
        elif values["team"] and values["team"] not in teams:
            new_teams.add(values["team"])
        try:
            oid = services.normalise_object_id(values["entra_object_id"])
            values["entra_object_id"] = oid
        except services.AccountError as error:
            problem("entra_object_id", str(error).replace("The Microsoft Entra object ID ", ""))
            oid = ""
        if oid:
            if oid in seen_oids:
                problem("entra_object_id", f"is also on row {seen_oids[oid]}")
            seen_oids.setdefault(oid, index)

        existing = staff_by_ref.get(ref)
        if existing is not None:
            # A column left out of the file keeps what the record already holds.
            snapshot = services.account_snapshot(existing)
            for column in COLUMNS:
                if column not in header and column in snapshot:
                    values[column] = snapshot[column]
        holder = users_by_name.get(username.lower()) if username else None
        if holder is not None and (existing is None or existing.user_id != holder.pk):
            problem("username", f"{username} already belongs to another account")
        if existing is not None and existing.user is not None and username and \
                existing.user.username.lower() != username.lower():
            problem("username", f"staff ID {ref} already has the username "
                                f"{existing.user.username}; usernames cannot be changed")
        oid_holder = users_by_oid.get(oid) if oid else None
        if oid_holder is not None and (existing is None or existing.user_id != oid_holder.pk):
            problem("entra_object_id", "already belongs to another account")

        plan = RowPlan(row=index, staff_ref=ref, name=values["name"], values=values,
                       new=existing is None)
        if existing is not None and not row_problems:
            before = services.account_snapshot(existing)
            after = {**before, **{k: values[k] for k in COLUMNS if k != "staff_id"}}
            if existing.user is None:
                before["username"] = ""
            plan.changes = services.changed_fields(before, after)
        problems.extend(row_problems)
        rows.append(plan)
    if not rows and not problems:
        problems.append("The file has no rows of staff")
    return ImportPlan(rows, problems, sorted(new_teams))


def apply_plan(data: bytes, *, by: User | None) -> ImportPlan:
    """Check the file again and, if it is still right, load it in one transaction.

    Checked again because the database may have changed since the preview; nothing is written
    if any problem is found. Each new or changed record gets one account-change log row.
    """
    with transaction.atomic():
        plan = read_plan(data)
        if not plan.ok:
            return plan
        teams = {t.name: t for t in Team.objects.all()}
        for name in plan.new_teams:
            teams[name] = Team.objects.create(name=name)
        for row in plan.changed:
            v = row.values
            team = teams[v["team"]] if v["team"] else None
            details = services.AccountDetails(
                role=v["role"], team=team, fte=Decimal(v["fte"]),
                end_date=date.fromisoformat(v["end_date"]) if v["end_date"] else None,
                email=v["email"], entra_object_id=v["entra_object_id"])
            if row.new:
                staff = StaffMember(staff_ref=row.staff_ref)
                before: dict[str, str] = {}
            else:
                staff = StaffMember.objects.select_related("user", "team").get(
                    staff_ref=row.staff_ref)
                before = services.account_snapshot(staff)
            user = staff.user if staff.pk else None
            if user is None:
                first, _, last = v["name"].partition(" ")
                user = User(username=v["username"], first_name=first[:150],
                            last_name=last[:150])
                user.set_unusable_password()
            services.apply_user_fields(user, details)
            user.save()
            staff.user = user
            staff.name, staff.role, staff.team = v["name"], details.role, team
            staff.fte, staff.end_date = details.fte, details.end_date
            staff.start_date = date.fromisoformat(v["start_date"])
            staff.save()
            AccountChange.objects.create(
                staff=staff, action=AccountChange.Action.IMPORTED, by=by,
                by_name=by.get_username() if by is not None else "command line",
                changes=services.changed_fields(before, services.account_snapshot(staff)))
    return plan


def template_csv() -> str:
    """The header row and one invented example, offered for download on the load page."""
    example = ["EX001", "Alex Example", "alex.example", "alex.example@council.example",
               "Case officer", "North team", "1.00", "2024-04-02", "",
               "" if not settings.OIDC_ENABLED else "00000000-0000-0000-0000-000000000000"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(example)
    return out.getvalue()
