"""Importing a request register: what it creates, matches, updates, and leaves alone."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from ehcflow.casework import choices as c
from ehcflow.casework import services
from ehcflow.casework.models import (
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    StatutoryException,
)
from ehcflow.people.models import Role, StaffMember
from ehcflow.register import schema
from ehcflow.reviews import services as review_services
from tests.register.conftest import (
    HEADER,
    csv_rows,
    import_file,
    register_row,
    table_counts,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def request(case_ref: str) -> AssessmentRequest:
    return AssessmentRequest.objects.select_related("child", "officer").get(case_ref=case_ref)


def edited(source: Path, target: Path, changes: dict[str, dict[str, str]],
           drop: tuple[str, ...] = (), add: list[list[str]] | None = None) -> Path:
    """A copy of a register with some cells changed (by case_ref and column)."""
    rows = []
    for row in csv_rows(source):
        values = dict(zip(HEADER, row, strict=True))
        if values["case_ref"] in drop:
            continue
        values.update(changes.get(values["case_ref"], {}))
        rows.append([values[column] for column in HEADER])
    return write_csv(target, rows + (add or []))


# --- a first import ---------------------------------------------------------------------------


def test_it_creates_children_requests_exceptions_plans_and_one_event_per_request(
    fixture: Callable[[str], Path], officer: StaffMember,
) -> None:
    path = fixture("good.csv")
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"Rows read from {path}: 6",
        "Requests created: 6",
        "Requests updated: 0",
        "Requests unchanged: 0",
        "Children created: 5",
        "Officers created: 1 (Sam Smith): no staff member had their name or staff id, so each "
        "was added as a case officer with staff id IMP-<name>",
    ]
    assert Child.objects.count() == 5
    p001 = Child.objects.get(person_ref="P001")
    assert (p001.date_of_birth, p001.forename, p001.surname) == (date(2015, 3, 14), "", "")
    assert list(p001.requests.order_by("case_ref").values_list("case_ref", flat=True)) == [
        "EHC-0001", "EHC-0004"]

    first = request("EHC-0001")
    assert first.kind == c.RequestKind.INITIAL
    assert (first.received_date, first.source, first.decision, first.decision_date,
            first.outcome, first.outcome_date, first.draft_date, first.final_date) == (
        date(2023, 1, 9), "parent", "assess", date(2023, 2, 13), "plan", date(2023, 4, 24),
        date(2023, 5, 2), date(2023, 5, 26))
    assert first.officer == officer  # "Alex Officer" is the fixture officer's name
    assert request("EHC-0003").officer == officer  # "CO1" is the same officer's staff id

    withdrawn = request("EHC-0004")
    assert (withdrawn.closed_date, withdrawn.closed_reason, withdrawn.officer) == (
        date(2024, 6, 3), "withdrawn", None)

    plan = EHCPlan.objects.get(request=first)
    assert (plan.child, plan.start_date, plan.first_issued_date, plan.next_review_due,
            plan.officer) == (first.child, date(2023, 5, 26), date(2023, 5, 26),
                              date(2024, 5, 26), officer)
    assert EHCPlan.objects.count() == 2

    excepted = request("EHC-0005")
    assert excepted.week20_exception is True
    exception = StatutoryException.objects.get()
    assert (exception.request, exception.reason, exception.start_date, exception.end_date,
            exception.note) == (excepted, "absent_from_area", date(2024, 1, 15), None,
                                "imported from the request register")
    assert AssessmentRequest.objects.filter(week20_exception=True).count() == 1


def test_the_stage_is_derived_from_the_steps(fixture: Callable[[str], Path]) -> None:
    assert import_file(fixture("good.csv")).status == 0
    assert dict(AssessmentRequest.objects.values_list("case_ref", "stage")) == {
        "EHC-0001": c.Stage.PLAN_ISSUED,
        "EHC-0002": c.Stage.NOT_ASSESSED,
        "EHC-0003": c.Stage.NO_PLAN,
        "EHC-0004": c.Stage.CLOSED,
        "EHC-0005": c.Stage.PLAN_ISSUED,
        "EHC-0006": c.Stage.ASSESSING,
    }
    for case in AssessmentRequest.objects.all():
        assert case.stage == services.derive_stage(case)


def test_each_request_gets_one_event_holding_its_row(fixture: Callable[[str], Path]) -> None:
    assert import_file(fixture("good.csv")).status == 0
    assert CaseEvent.objects.count() == 6
    event = CaseEvent.objects.get(request__case_ref="EHC-0005")
    assert (event.action, event.actor, event.actor_name, event.effective_date,
            event.description, event.plan) == (
        "request_imported", None, "request register import (good.csv)", date(2024, 1, 15),
        "Request imported from the request register", EHCPlan.objects.get(request=event.request))
    assert event.child.person_ref == "P004"
    assert event.changes == {
        "case_ref": "EHC-0005", "person_id": "P004", "date_of_birth": "2019-01-20",
        "request_date": "2024-01-15", "request_source": "social_care",
        "decision_date": "2024-02-19", "decision": "assess", "outcome_date": "2024-05-13",
        "outcome": "plan", "draft_date": "2024-05-20", "final_date": "2024-09-02",
        "exception": "absent_from_area", "closed_date": None, "closed_reason": None,
        "officer": "Alex Officer",
    }


def test_unknown_officers_are_created_as_case_officers_from_their_first_request(
    fixture: Callable[[str], Path],
) -> None:
    run = import_file(fixture("good.csv"))
    assert "Officers created: 3 (Alex Officer, CO1, Sam Smith)" in run.stdout
    staff = {s.name: s for s in StaffMember.objects.all()}
    assert {name: (s.staff_ref, s.role, s.start_date) for name, s in staff.items()} == {
        "Alex Officer": ("IMP-alex-officer", Role.CASE_OFFICER, date(2023, 1, 9)),
        "Sam Smith": ("IMP-sam-smith", Role.CASE_OFFICER, date(2023, 2, 6)),
        "CO1": ("IMP-co1", Role.CASE_OFFICER, date(2023, 3, 1)),
    }
    assert request("EHC-0006").officer == staff["Sam Smith"]


def test_a_created_officers_staff_id_does_not_clash(tmp_path: Path) -> None:
    StaffMember.objects.create(staff_ref="IMP-jo-smith", name="Joanne Smith",
                               role=Role.CASE_OFFICER, start_date=date(2020, 1, 1))
    path = write_csv(tmp_path / "jo.csv", [
        register_row(case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01",
                     request_date="2023-01-09", officer="Jo Smith"),
        register_row(case_ref="EHC-2", person_id="P2", date_of_birth="2015-01-01",
                     request_date="2022-11-01", officer="Jo Smith"),
    ])
    assert import_file(path).status == 0
    created = StaffMember.objects.get(name="Jo Smith")
    assert (created.staff_ref, created.start_date) == ("IMP-jo-smith-2", date(2022, 11, 1))


def test_an_officer_name_shared_by_two_staff_members_must_be_a_staff_id(tmp_path: Path) -> None:
    for ref in ("S1", "S2"):
        StaffMember.objects.create(staff_ref=ref, name="Chris Jones", role=Role.CASE_OFFICER,
                                   start_date=date(2020, 1, 1))
    path = write_csv(tmp_path / "chris.csv", [
        register_row(case_ref="EHC-1", person_id="P1", date_of_birth="2015-01-01",
                     request_date="2023-01-09", officer="Chris Jones"),
        register_row(case_ref="EHC-2", person_id="P2", date_of_birth="2015-01-01",
                     request_date="2023-01-09", officer="S2"),
    ])
    before = table_counts()
    run = import_file(path)
    assert run.problems == [f"{path}:2:officer: 'Chris Jones' is the name of 2 staff members "
                            "(staff ids S1, S2): write the staff id instead"]
    assert table_counts() == before


def test_an_xlsx_register_imports_like_its_csv(fixture: Callable[[str], Path],
                                              tmp_path: Path) -> None:
    """Real Excel date cells, numbers and text; the same data then reads as unchanged."""
    rows: list[list[object]] = []
    for row in csv_rows(fixture("good.csv")):
        cells: list[object] = list(row)
        for index, column in enumerate(HEADER):
            if column in schema.DATE_COLUMNS and cells[index]:
                cells[index] = datetime.fromisoformat(str(cells[index]))
            elif cells[index] == "":
                cells[index] = None
        rows.append(cells)
    rows[1][HEADER.index("request_date")] = "06/02/2023"  # text dates are read too
    path = write_xlsx(tmp_path / "good.xlsx", rows)
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert "Requests created: 6" in run.stdout
    again = import_file(fixture("good.csv"))
    assert "Requests unchanged: 6" in again.stdout
    assert CaseEvent.objects.count() == 6


def test_an_xlsx_formula_is_read_as_its_saved_value(tmp_path: Path) -> None:
    row: list[object] = list(register_row(case_ref="EHC-1", person_id="P1",
                                          date_of_birth="2015-01-01", request_date="2023-01-09"))
    row[HEADER.index("request_source")] = '="par"&"ent"'
    row[HEADER.index("case_ref")] = 1234  # a reference typed as a number
    written = write_xlsx(tmp_path / "written.xlsx", [row])
    # what Excel does on saving: store the formula's result next to it
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # an empty value is written <v/> or <v></v>, depending on openpyxl's XML writer
                data = re.sub(rb'<c r="E2"><f>(.*?)</f>(?:<v ?/>|<v></v>)</c>',
                              rb'<c r="E2" t="str"><f>\1</f><v>parent</v></c>', data)
            target.writestr(item, data)
    run = import_file(saved)
    assert run.status == 0, run.stderr
    imported = request("1234")
    assert imported.source == "parent"


def test_uk_dates_a_byte_order_mark_and_crlf_read_as_iso_dates_do(
    fixture: Callable[[str], Path],
) -> None:
    assert import_file(fixture("good-excel-utf8.csv")).status == 0
    run = import_file(fixture("good.csv"))
    assert "Requests unchanged: 6" in run.stdout
    assert CaseEvent.objects.count() == 6


# --- importing again ---------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(fixture: Callable[[str], Path]) -> None:
    path = fixture("good.csv")
    assert import_file(path).status == 0
    stamps = dict(AssessmentRequest.objects.values_list("case_ref", "updated_at"))
    before = table_counts()
    run = import_file(path)
    assert run.stdout.splitlines()[1:] == [
        "Requests created: 0",
        "Requests updated: 0",
        "Requests unchanged: 6",
        "Children created: 0",
        "Officers created: 0",
    ]
    assert table_counts() == before
    assert dict(AssessmentRequest.objects.values_list("case_ref", "updated_at")) == stamps
    assert set(AssessmentRequest.objects.values_list("version", flat=True)) == {1}


def test_a_changed_row_updates_the_request_and_writes_one_event_with_the_diff(
    fixture: Callable[[str], Path], tmp_path: Path, today: date,
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    events = CaseEvent.objects.count()
    path = edited(fixture("good.csv"), tmp_path / "changed.csv", {
        "EHC-0006": {"outcome_date": "2025-09-01", "outcome": "plan", "officer": "Alex Officer"},
    })
    run = import_file(path)
    assert run.status == 0, run.stderr
    assert run.stdout.splitlines()[1:4] == [
        "Requests created: 0", "Requests updated: 1", "Requests unchanged: 5"]
    changed = request("EHC-0006")
    assert (changed.outcome, changed.outcome_date, changed.stage, changed.version,
            changed.officer.name if changed.officer else None) == (
        "plan", date(2025, 9, 1), c.Stage.AWAITING_DRAFT, 2, "Alex Officer")
    assert CaseEvent.objects.count() == events + 1
    event = CaseEvent.objects.get(action="request_updated_by_import")
    assert (event.request, event.actor_name, event.effective_date, event.description) == (
        changed, "request register import (changed.csv)", today,
        "Updated from the request register: outcome_date, outcome, officer")
    assert event.changes == {"outcome_date": [None, "2025-09-01"], "outcome": [None, "plan"],
                             "officer": ["Sam Smith", "Alex Officer"]}
    # the history is kept: the import event is still there, first
    assert list(changed.events.order_by("id").values_list("action", flat=True)) == [
        "request_imported", "request_updated_by_import"]
    assert import_file(path).stdout.splitlines()[3] == "Requests unchanged: 6"


def test_an_update_issues_moves_and_keeps_plans(fixture: Callable[[str], Path],
                                               tmp_path: Path) -> None:
    assert import_file(fixture("good.csv")).status == 0
    path = edited(fixture("good.csv"), tmp_path / "plans.csv", {
        "EHC-0006": {"outcome_date": "2025-09-01", "outcome": "plan",
                     "draft_date": "2025-09-10", "final_date": "2025-10-06"},
        "EHC-0001": {"final_date": "2023-05-30"},
    })
    assert import_file(path).status == 0
    new = EHCPlan.objects.get(request__case_ref="EHC-0006")
    assert (new.first_issued_date, new.start_date, new.next_review_due, new.child.person_ref) == (
        date(2025, 10, 6), date(2025, 10, 6), date(2026, 10, 6), "P005")
    moved = EHCPlan.objects.get(request__case_ref="EHC-0001")
    assert (moved.first_issued_date, moved.start_date, moved.next_review_due) == (
        date(2023, 5, 30), date(2023, 5, 30), date(2024, 5, 30))
    assert request("EHC-0006").stage == c.Stage.PLAN_ISSUED
    event = CaseEvent.objects.get(action="request_updated_by_import",
                                  request__case_ref="EHC-0006")
    assert event.plan == new


def test_an_update_adds_changes_and_removes_the_imported_exception(
    fixture: Callable[[str], Path], tmp_path: Path,
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    added = edited(fixture("good.csv"), tmp_path / "added.csv",
                   {"EHC-0006": {"exception": "school_closure"}})
    assert import_file(added).status == 0
    exception = StatutoryException.objects.get(request__case_ref="EHC-0006")
    assert (exception.reason, exception.start_date) == ("school_closure", date(2025, 6, 2))
    assert request("EHC-0006").week20_exception is True

    changed = edited(fixture("good.csv"), tmp_path / "changed.csv",
                     {"EHC-0006": {"exception": "personal_circumstances",
                                   "request_date": "2025-06-03"}})
    assert import_file(changed).status == 0
    exception.refresh_from_db()
    assert (exception.reason, exception.start_date) == ("personal_circumstances",
                                                        date(2025, 6, 3))
    assert import_file(fixture("good.csv")).status == 0  # the exception cell is empty again
    assert not StatutoryException.objects.filter(request__case_ref="EHC-0006").exists()
    assert request("EHC-0006").week20_exception is False
    last = CaseEvent.objects.filter(request__case_ref="EHC-0006").order_by("-id").first()
    assert last is not None
    assert last.changes == {"request_date": ["2025-06-03", "2025-06-02"],
                            "exception": ["personal_circumstances", None]}


def test_a_file_without_an_optional_column_leaves_that_column_alone(
    fixture: Callable[[str], Path], tmp_path: Path,
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    header = [column for column in HEADER if column not in ("officer", "exception")]
    rows = [[value for column, value in zip(HEADER, row, strict=True) if column in header]
            for row in csv_rows(fixture("good.csv"))]
    rows[0][header.index("final_date")] = "2023-05-27"
    path = write_csv(tmp_path / "no-officer.csv", rows, header=header)
    run = import_file(path)
    assert run.stdout.splitlines()[2:4] == ["Requests updated: 1", "Requests unchanged: 5"]
    assert request("EHC-0001").officer is not None
    assert request("EHC-0005").week20_exception is True


# --- refused against what ehcflow holds ------------------------------------------------------


def test_a_person_keeps_the_date_of_birth_ehcflow_holds(tmp_path: Path, child: Child) -> None:
    path = write_csv(tmp_path / "dob.csv", [
        register_row(case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-15",
                     request_date="2023-01-09")])
    before = table_counts()
    assert import_file(path).problems == [
        f"{path}:2:date_of_birth: person_id 'P0001' is recorded in ehcflow with date_of_birth "
        "2015-03-14: a person keeps one date of birth (correct it in ehcflow or in the file)"]
    assert table_counts() == before


def test_a_new_request_of_a_known_person_joins_their_record(tmp_path: Path, child: Child) -> None:
    path = write_csv(tmp_path / "known.csv", [
        register_row(case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
                     request_date="2023-01-09")])
    run = import_file(path)
    assert "Children created: 0" in run.stdout
    assert request("EHC-1").child == child


def test_a_request_cannot_move_to_another_child(fixture: Callable[[str], Path],
                                               tmp_path: Path) -> None:
    assert import_file(fixture("good.csv")).status == 0
    path = edited(fixture("good.csv"), tmp_path / "moved.csv",
                  {"EHC-0006": {"person_id": "P999"}})
    assert import_file(path).problems == [
        f"{path}:7:person_id: case_ref 'EHC-0006' belongs to person_id 'P005' in ehcflow: a "
        "request cannot move to another child"]


def test_a_reassessment_is_not_a_register_row(tmp_path: Path, child: Child,
                                             system_actor: services.Actor) -> None:
    services.request_register(child=child, case_ref="RA-1", received_date=date(2023, 1, 9),
                              by=system_actor, kind=c.RequestKind.REASSESSMENT)
    path = write_csv(tmp_path / "ra.csv", [
        register_row(case_ref="RA-1", person_id="P0001", date_of_birth="2015-03-14",
                     request_date="2023-01-09")])
    assert import_file(path).problems == [
        f"{path}:2:case_ref: 'RA-1' is a reassessment in ehcflow; the register holds initial "
        "requests only"]


def test_an_update_may_not_put_the_decision_after_advice_ehcflow_holds(
    tmp_path: Path, child: Child, system_actor: services.Actor,
) -> None:
    case = services.request_register(child=child, case_ref="EHC-1",
                                     received_date=date(2023, 1, 9), by=system_actor)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=date(2023, 2, 13), by=system_actor)
    services.advice_request(request=case, adviser_type="health", requested_on=date(2023, 2, 14),
                            by=system_actor)
    row = dict(case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
               request_date="2023-01-09", decision="assess")
    later = write_csv(tmp_path / "later.csv", [register_row(**row, decision_date="2023-03-01")])
    assert import_file(later).problems == [
        f"{later}:2:decision_date: 2023-03-01 is after advice was requested in ehcflow "
        "(2023-02-14)"]
    undone = write_csv(tmp_path / "undone.csv", [register_row(**{**row, "decision": ""})])
    assert import_file(undone).problems == [
        f"{undone}:2:decision: advice for this assessment was requested in ehcflow on "
        "2023-02-14, so the decision must stay assess"]
    assert request("EHC-1").decision_date == date(2023, 2, 13)


def test_an_update_may_not_remove_a_plan_or_an_exception_recorded_in_ehcflow(
    tmp_path: Path, child: Child, system_actor: services.Actor,
) -> None:
    case = services.request_register(child=child, case_ref="EHC-1",
                                     received_date=date(2023, 1, 9), by=system_actor)
    services.exception_apply(request=case, reason="personal_circumstances",
                             start=date(2023, 1, 20), end=None, by=system_actor)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=date(2023, 2, 13), by=system_actor)
    case = services.request_record_outcome(request=case, outcome="plan", on=date(2023, 4, 3),
                                           by=system_actor)
    case = services.request_issue_draft(request=case, on=date(2023, 4, 10), by=system_actor)
    plan = services.request_issue_final(request=case, on=date(2023, 5, 2), by=system_actor)
    review_services.review_schedule(plan=plan, due_date=date(2024, 5, 1), by=system_actor)
    path = write_csv(tmp_path / "undo.csv", [register_row(
        case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
        request_date="2023-01-21", decision_date="2023-02-13", decision="assess",
        outcome_date="2023-04-03", outcome="plan", draft_date="2023-04-10")])
    assert import_file(path).problems == [
        f"{path}:2:request_date: 2023-01-21 is after the start of an exception recorded in "
        "ehcflow (2023-01-20)",
        f"{path}:2:final_date: the EHC plan issued from this request is recorded in ehcflow; an "
        "import cannot remove it",
        f"{path}:2:exception: this request has an exception recorded in ehcflow itself, which "
        "an import cannot remove: end it on the case page",
    ]
    moved = write_csv(tmp_path / "moved.csv", [register_row(
        case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
        request_date="2023-01-09", decision_date="2023-02-13", decision="assess",
        outcome_date="2023-04-03", outcome="plan", draft_date="2023-04-10",
        final_date="2023-05-03", exception="personal_circumstances")])
    assert import_file(moved).problems == [
        f"{moved}:2:final_date: the plan has a review recorded in ehcflow, so its issue date "
        "cannot change by import"]


def test_an_update_may_not_remove_a_draft_that_was_commented_on(
    tmp_path: Path, child: Child, system_actor: services.Actor,
) -> None:
    case = services.request_register(child=child, case_ref="EHC-1",
                                     received_date=date(2023, 1, 9), by=system_actor)
    case = services.request_record_decision(request=case, decision="assess",
                                            on=date(2023, 2, 13), by=system_actor)
    case = services.request_record_outcome(request=case, outcome="plan", on=date(2023, 4, 3),
                                           by=system_actor)
    case = services.request_issue_draft(request=case, on=date(2023, 4, 10), by=system_actor)
    services.request_record_comments(request=case, on=date(2023, 4, 20), by=system_actor)
    row = dict(case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
               request_date="2023-01-09", decision_date="2023-02-13", decision="assess",
               outcome_date="2023-04-03", outcome="plan")
    path = write_csv(tmp_path / "draft.csv", [register_row(**row, draft_date="2023-04-21")])
    assert import_file(path).problems == [
        f"{path}:2:draft_date: 2023-04-21 is after the comments on the draft recorded in "
        "ehcflow (2023-04-20)"]
    path = write_csv(tmp_path / "nodraft.csv", [register_row(**row)])
    assert import_file(path).problems == [
        f"{path}:2:draft_date: comments on the draft plan were recorded in ehcflow on "
        "2023-04-20, so the draft date cannot be removed"]


def test_a_refused_file_changes_nothing_not_even_its_good_rows(
    fixture: Callable[[str], Path], tmp_path: Path,
) -> None:
    assert import_file(fixture("good.csv")).status == 0
    stored = list(AssessmentRequest.objects.order_by("id").values())
    before = table_counts()
    path = edited(fixture("good.csv"), tmp_path / "mixed.csv",
                  {"EHC-0001": {"officer": "New Person", "closed_date": ""},
                   "EHC-0002": {"decision": "maybe"}},
                  add=[register_row(case_ref="EHC-0100", person_id="P100",
                                    date_of_birth="2016-01-01", request_date="2024-01-01")])
    run = import_file(path)
    assert run.problems == [f"{path}:3:decision: 'maybe' is not one of: assess, not_assess"]
    assert table_counts() == before
    assert list(AssessmentRequest.objects.order_by("id").values()) == stored


def test_a_dry_run_reports_and_changes_nothing(fixture: Callable[[str], Path]) -> None:
    before = table_counts()
    path = fixture("good.csv")
    run = import_file(path, "--dry-run")
    assert run.status == 0
    assert run.stdout.splitlines()[:4] == [
        "Dry run: nothing was changed. The import would make these changes.",
        f"Rows read from {path}: 6",
        "Requests created: 6",
        "Requests updated: 0",
    ]
    assert "Officers created: 3 (Alex Officer, CO1, Sam Smith)" in run.stdout
    assert table_counts() == before


def test_a_dry_run_still_reports_every_problem(fixture: Callable[[str], Path]) -> None:
    run = import_file(fixture("many-errors.csv"), "--dry-run")
    assert run.status == 1
    assert len(run.problems) == 21


def test_the_console_script_takes_the_hyphenated_name() -> None:
    from ehcflow.cli import command_name

    assert command_name(["ehcflow", "import-requests", "x.csv", "--dry-run"]) == [
        "ehcflow", "import_requests", "x.csv", "--dry-run"]
    assert command_name(["ehcflow", "export-requests", "x.csv"])[1] == "export_requests"


def test_a_clash_with_a_concurrent_change_is_reported_and_rolled_back(
    tmp_path: Path, child: Child, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process created the same child between the checks and the writes."""
    from ehcflow.register import lookup

    monkeypatch.setattr(lookup.ImportBatch, "_load_people", lambda self: {})
    path = write_csv(tmp_path / "race.csv", [
        register_row(case_ref="EHC-1", person_id="P0001", date_of_birth="2015-03-14",
                     request_date="2023-01-09", officer="New Officer")])
    before = table_counts()
    run = import_file(path)
    assert (run.status, run.stdout) == (1, "")
    assert run.stderr == (f"CommandError: {path}: the records changed while the file was being "
                          "imported (another import or an officer's edit): nothing was changed; "
                          "import the file again\n")
    assert table_counts() == before
