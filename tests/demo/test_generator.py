"""The generated authority, before the database: every record is one the services could make.

Runs the whole generator at 5% of the volumes and checks the rules of casework.services on
every row (the legal order of steps, the 15-day comment period, exceptions only on lawful
grounds, a plan for every final plan), the case events against the rows, valid identifiers,
and determinism.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta

from ehcflow.casework.identifiers import upn_problem
from ehcflow.demo import generator, names, plans, targets
from ehcflow.demo.rows import Authority, EventRow
from ehcflow.statutory import clock
from ehcflow.statutory.exceptions import ExceptionReason, Step, validate_exception
from tests.demo.conftest import SMALL, SMALL_SEED, TODAY

SAVES = {"request_allocated", "decision_recorded", "exception_applied", "outcome_recorded",
         "draft_issued", "comments_received", "final_issued", "request_closed"}


def events_by_request(authority: Authority) -> dict[int, list[EventRow]]:
    found: dict[int, list[EventRow]] = defaultdict(list)
    for event in authority.events:
        if event.request is not None:
            found[event.request].append(event)
    return found


def test_every_request_follows_the_legal_order(small_authority: Authority) -> None:
    for r in small_authority.requests:
        dates = [d for d in (r.received_date, r.decision_date, r.outcome_date, r.draft_date,
                             r.comments_received_date, r.final_date, r.closed_date) if d]
        assert max(dates) <= TODAY, r.case_ref
        if r.decision_date:
            assert r.decision_date >= r.received_date
        if r.decision == "not_assess":
            assert not r.advice and not r.outcome and not r.final_date
        for advice in r.advice:
            assert r.decision == "assess" and r.decision_date is not None
            assert advice.requested_on >= r.decision_date
            assert advice.due_on == clock.advice_due(advice.requested_on)
            assert advice.received_on is None or advice.received_on >= advice.requested_on
        if r.outcome:
            assert r.outcome_date is not None and r.decision_date is not None
            assert r.outcome_date >= r.decision_date
        if r.outcome == "plan":  # reg 7: the plan takes account of all the advice
            assert r.outcome_date is not None
            assert all(a.received_on is not None and a.received_on <= r.outcome_date
                       for a in r.advice)
        if r.draft_date:
            assert r.outcome == "plan" and r.outcome_date is not None
            assert r.draft_date >= r.outcome_date
        if r.final_date:
            assert r.draft_date is not None and r.closed_date is None
            # reg 13(1)(a): the 15 days to comment run before the final plan
            assert r.final_date > clock.comment_period_ends(r.draft_date)
        if r.comments_received_date:
            assert r.draft_date is not None and r.comments_received_date >= r.draft_date
            assert r.final_date is None or r.comments_received_date <= r.final_date


def test_exceptions_are_recorded_lawfully(small_authority: Authority) -> None:
    for r in small_authority.requests:
        assert r.week20_exception == bool(r.exceptions)
        for e in r.exceptions:
            reason = ExceptionReason(e.reason)
            assert not validate_exception(Step.FINAL_PLAN, reason, e.start_date, e.end_date)
            assert e.start_date >= r.received_date
            assert e.start_date < (r.final_date or r.closed_date or TODAY + timedelta(1))


def test_events_match_the_rows_and_run_in_order(small_authority: Authority) -> None:
    by_request = events_by_request(small_authority)
    for r in small_authority.requests:
        events = by_request[r.key]
        actions = Counter(e.action for e in events)
        assert events[0].action == "request_received"
        assert actions["advice_requested"] == len(r.advice)
        assert actions["advice_received"] == sum(1 for a in r.advice if a.received_on)
        assert actions["final_issued"] == (1 if r.final_date else 0)
        assert actions["exception_applied"] == len(r.exceptions)
        assert r.version == 1 + sum(actions[a] for a in SAVES)
        keys = [(e.effective_date, e.order) for e in events]
        assert keys == sorted(keys)
    ordered = [(e.effective_date, e.order) for e in small_authority.events]
    assert ordered == sorted(ordered)


def test_final_plans_have_plan_records_with_a_review_date(small_authority: Authority) -> None:
    plan_of = {p.request: p for p in small_authority.plans if p.request is not None}
    for r in small_authority.requests:
        if r.final_date:
            plan = plan_of.pop(r.key)
            assert plan.first_issued_date == r.final_date and plan.child == r.child
            assert plan.next_review_due is not None
    assert not plan_of
    for plan in small_authority.plans:
        assert plan.cease_date is None or plan.cease_date >= plan.first_issued_date
        assert [s.rank for s in plan.settings].count(1) == 1
        assert 1 <= len(plan.needs) <= 2
        for review in plan.reviews:
            if review.meeting_date and plan.cease_date:
                assert review.meeting_date < plan.cease_date
            if review.decision_date:
                assert review.meeting_date and review.decision_date >= review.meeting_date
                assert review.outcome in ("maintain", "amend", "cease")
            if review.amended_final_date:
                assert review.outcome == "amend" and review.decision_date
                assert review.amended_final_date >= review.decision_date


def test_plans_maintained_land_on_each_january_census(small_authority: Authority) -> None:
    for year, wanted in targets.PLANS_MAINTAINED_JANUARY.items():
        on = targets.census_date(year)
        in_force = sum(1 for p in small_authority.plans if p.first_issued_date <= on and
                       (p.cease_date is None or p.cease_date > on))
        assert in_force == round(wanted * SMALL)


def test_children_are_invented_with_valid_identifiers(small_authority: Authority) -> None:
    postcode = re.compile(rf"^{names.POSTCODE_AREA}\d{{1,2}} \d[{names.UNIT_LETTERS}]{{2}}$")
    refs = set()
    for child in small_authority.children:
        assert postcode.match(child.postcode), child.postcode
        if child.upn:
            assert upn_problem(child.upn) is None and child.upn[1:4] == "999"
            assert not child.upn_unknown
        else:
            assert child.upn_unknown
        assert child.date_of_birth < child.recorded_on
        assert child.person_ref not in refs
        refs.add(child.person_ref)
    assert len({c.upn for c in small_authority.children if c.upn}) == \
        sum(1 for c in small_authority.children if c.upn)


def test_requests_go_to_case_officers_in_post(small_authority: Authority) -> None:
    # services.request_allocate: a case officer, or a team manager covering a vacancy.
    officers = {s.key: s for s in small_authority.staff
                if s.role in ("case_officer", "team_manager")}
    by_request = events_by_request(small_authority)
    for r in small_authority.requests:
        assert r.officer in officers
        officer = officers[r.officer]
        handed = [e.effective_date for e in by_request[r.key] if e.action == "request_allocated"]
        allocated = max([r.received_date, *handed])
        assert officer.start_date <= allocated
        assert officer.end_date is None or officer.end_date >= allocated
        is_open = not (r.final_date or r.closed_date or r.decision == "not_assess"
                       or r.outcome == "no_plan")
        if is_open:
            assert officer.end_date is None, r.case_ref


def test_the_service_has_every_role_and_turnover(small_authority: Authority) -> None:
    roles = Counter(s.role for s in small_authority.staff)
    for role in ("case_officer", "team_manager", "head_of_service", "educational_psychologist",
                 "business_support", "analyst", "administrator"):
        assert roles[role] >= 1, role
    officers = [s for s in small_authority.staff if s.role == "case_officer"]
    assert any(s.agency for s in officers) and any(s.end_date for s in officers)
    heads = [s for s in small_authority.staff if s.role == "head_of_service"]
    assert [h.end_date for h in heads if h.start_date == targets.PERMANENT_HEAD_OF_SERVICE_FROM
            ] == [None]


def test_phase_transfers_are_reviewed_before_the_regulation_18_date(
    small_authority: Authority,
) -> None:
    transfers = [rv for p in small_authority.plans for rv in p.reviews if rv.phase_transfer]
    assert transfers
    for review in transfers:
        assert review.transfer_year is not None
        assert review.phase_transfer_due == clock.phase_transfer_deadline(
            review.transfer_year, secondary_to_post16=review.secondary_to_post16)
    assert plans.transfer_years(small_authority.children[0].date_of_birth)


def test_the_same_seed_gives_the_same_authority(small_authority: Authority) -> None:
    again = generator.generate(SMALL_SEED, TODAY, SMALL)
    assert again == small_authority
    other = generator.generate(SMALL_SEED + 1, TODAY, SMALL)
    assert other.requests != small_authority.requests


def test_every_plan_has_a_case_officer_and_live_plans_one_in_post(
    small_authority: Authority,
) -> None:
    staff = {s.key: s for s in small_authority.staff}
    officer_of_request = {r.key: r.officer for r in small_authority.requests}
    for plan in small_authority.plans:
        assert plan.officer in staff
        holder = staff[plan.officer]
        assert holder.role in ("case_officer", "team_manager")
        if plan.cease_date is None:
            assert holder.end_date is None, plan.key
        request_officer = officer_of_request[plan.request] if plan.request is not None else None
        if request_officer is not None and holder.end_date is None and \
                staff[request_officer].end_date is None:
            # services.request_issue_final: the plan goes to the request's officer
            assert plan.officer == request_officer
