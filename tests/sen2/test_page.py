"""The SEN2 return page, the checks command and the reconciliation, per role."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ehcflow.casework import choices as c
from ehcflow.casework.models import AssessmentRequest, Child, EHCPlan, RecordAccess
from ehcflow.insight import figures
from ehcflow.people.models import User
from ehcflow.sen2 import items, reconcile, selectors
from ehcflow.sen2.models import ReturnFile
from ehcflow.statutory.periods import calendar_year
from tests.sen2.conftest import client_for

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_return_counts_equal_the_dashboards(demo: None, year: int) -> None:
    coll = items.collection(year)
    lines = reconcile.reconcile(selectors.build_return(coll))
    assert all(line.equal for line in lines), [(x.key, x.in_return, x.on_dashboards)
                                               for x in lines]
    # The dashboard side is the dashboards' own figures for the calendar year.
    (period,) = figures.period_figures([calendar_year(year - 1)], as_of=coll.census_day)
    by_key = {line.key: line.in_return for line in lines}
    assert by_key["requests_received"] == period.requests_received > 0
    assert by_key["plans_issued"] == period.plans_issued > 0
    assert by_key["within_20_weeks_excl_exceptions"] == \
        period.issued_within_20_weeks_excl_exceptions
    assert by_key["active_on_census_day"] == figures.plans_maintained_series(
        [coll.census_day])[0] > 0


def test_the_page_shows_the_return_the_checks_and_the_counts(
        demo: None, staff: dict[str, User]) -> None:
    bad = AssessmentRequest.objects.filter(received_date__year=2025).select_related("child") \
        .first()
    assert bad is not None
    Child.objects.filter(pk=bad.child_id).update(upn="", upn_unknown="", uln="")
    response = client_for(staff["officer"]).get(reverse("sen2:overview"), {"collection": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    page = text(html)
    assert "SEN2 return 2026" in page
    assert "Census day 15 January 2026" in page
    assert "Requests and decisions from 1 January 2025 to 31 December 2025" in page
    assert "Submit by 12 March 2026" in page
    ret = selectors.build_return(items.collection(2026))
    assert f"{len(ret.persons)} children, {len(ret.requests())} requests" in page
    # The check with a link to the case where it can be put right.
    link = reverse("casework:request", args=[bad.public_id])
    row = re.search(rf'P01</strong></td><td class="govuk-table__cell"><a class="govuk-link" '
                    rf'href="{link}">{bad.case_ref}</a>', html)
    assert row is not None
    assert "The child has no unique pupil number" in page
    for line in reconcile.reconcile(ret):
        assert f"{line.label} {line.in_return} {line.on_dashboards} Yes" in page
    assert "Every count in the return equals the dashboards' for the same year." in page
    assert "Download the 2026 return" in page
    assert RecordAccess.objects.filter(kind="view", page="SEN2 return 2026").count() == 1


def test_a_difference_from_the_dashboards_is_shown(demo: None, staff: dict[str, User]) -> None:
    # A final plan recorded without the decision to assess: the dashboards count the plan,
    # the return cannot report it.
    case = AssessmentRequest.objects.filter(final_date__year=2025).first()
    assert case is not None
    AssessmentRequest.objects.filter(pk=case.pk).update(decision="", decision_date=None)
    page = text(client_for(staff["head"]).get(reverse("sen2:overview"),
                                              {"collection": 2026}).content.decode())
    assert "Some counts in the return differ from the dashboards'." in page
    assert "New plans issued" in page and "Different" in page


def test_an_unknown_collection_on_the_page_is_explained(staff: dict[str, User]) -> None:
    response = client_for(staff["officer"]).get(reverse("sen2:overview"), {"collection": "1999"})
    assert response.status_code == 400
    assert "There is no SEN2 collection &#x27;1999&#x27; in this service." in \
        response.content.decode()


@pytest.mark.parametrize("who", ["analyst", "support"])
def test_roles_that_may_not_see_childrens_details_cannot_open_or_download(
        demo: None, staff: dict[str, User], who: str) -> None:
    client = client_for(staff[who])
    assert client.get(reverse("sen2:overview")).status_code == 403
    assert client.post(reverse("sen2:download", args=[2026])).status_code == 403
    assert not ReturnFile.objects.exists()
    assert RecordAccess.objects.filter(kind="refused", user=staff[who]).count() == 2
    assert "SEN2 return" not in text(client.get(reverse("home")).content.decode())


def test_the_download_is_checked_recorded_and_private(demo: None, staff: dict[str, User]) -> None:
    client = client_for(staff["officer"])
    assert "SEN2 return" in text(client.get(reverse("home")).content.decode())
    assert client.get(reverse("sen2:download", args=[2026])).status_code == 405
    assert client.post(reverse("sen2:download", args=[2031])).status_code == 404
    response = client.post(reverse("sen2:download", args=[2025]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="SEN2_2025.xml"'
    assert "no-store" in response["Cache-Control"]
    assert b"<ReferenceDate>2025-01-16</ReferenceDate>" in response.content
    record = ReturnFile.objects.get()
    assert (record.user, record.action, record.collection_year) == (staff["officer"],
                                                                    "download", 2025)


def test_the_page_says_when_the_header_settings_are_missing(
        demo: None, staff: dict[str, User], settings: object) -> None:
    settings.EHCFLOW_SEN2_LA_NUMBER = ""  # type: ignore[attr-defined]
    client = client_for(staff["officer"])
    page = text(client.get(reverse("sen2:overview")).content.decode())
    assert "The return cannot be made until the system administrator sets the authority's LA " \
           "number" in page
    assert "Download the 2026 return" not in page
    response = client.post(reverse("sen2:download", args=[2026]))
    assert response.status_code == 400
    assert "EHCFLOW_SEN2_LA_NUMBER must be the authority" in response.content.decode()
    assert not ReturnFile.objects.exists()


def test_check_prints_json_and_exits_1_on_errors(demo: None) -> None:
    case = AssessmentRequest.objects.filter(received_date__year=2025).first()
    assert case is not None
    Child.objects.filter(pk=case.child_id).update(upn="", upn_unknown="", uln="")
    out = StringIO()
    with pytest.raises(CommandError, match="to put right before the return is made") as caught:
        call_command("sen2", "check", "--collection", "2026", "--json", stdout=out)
    assert caught.value.returncode == 1
    findings = json.loads(out.getvalue())
    assert findings and all(set(f) == {"code", "severity", "case_ref", "message"}
                            for f in findings)
    assert all(f["severity"] in ("error", "query") for f in findings)
    assert {"code": "P01", "severity": "error", "case_ref": case.case_ref,
            "message": "The child has no unique pupil number, no unique learner number and no "
                       "reason recorded for the number being unknown. Record one of them."} \
        in findings


def test_check_exits_0_when_there_are_only_queries(db: None) -> None:
    child = Child.objects.create(person_ref="P1", forename="Ada", surname="Example",
                                 date_of_birth=date(2016, 5, 1), sex="F", ethnicity="WBRI",
                                 postcode="ZZ99 3AB", upn="A123456789012")
    AssessmentRequest.objects.create(case_ref="R1", child=child, received_date=date(2025, 3, 3),
                                     source=c.RequestSource.PARENT,
                                     decision=c.Decision.NOT_ASSESS,
                                     decision_date=date(2025, 5, 30), stage=c.Stage.NOT_ASSESSED)
    out = StringIO()
    call_command("sen2", "check", "--collection", "2026", stdout=out)
    assert out.getvalue().splitlines() == [
        "QUERY R05 R1: The decision whether to assess was made more than 6 weeks after the "
        "request. DfE will ask why; check the dates.",
        "0 errors and 1 queries in the SEN2 2026 return."]
    assert not EHCPlan.objects.exists()


def test_reconcile_command(demo: None) -> None:
    out = StringIO()
    call_command("sen2", "reconcile", "--collection", "2025", "--json", stdout=out)
    lines = json.loads(out.getvalue())
    assert [line["measure"] for line in lines] == list(reconcile.LABELS)
    assert all(line["equal"] and line["return"] == line["dashboards"] for line in lines)


def test_a_long_list_of_checks_is_shown_in_part(
        demo: None, staff: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    from ehcflow.sen2 import checks, views

    monkeypatch.setattr(views, "SHOWN", 1)
    Child.objects.update(postcode="")  # a query for every child
    ret = selectors.build_return(items.collection(2026))
    queries = [f for f in checks.run_checks(ret) if f.severity == "query"]
    page = text(client_for(staff["officer"]).get(reverse("sen2:overview"),
                                                 {"collection": 2026}).content.decode())
    assert f"And {len(queries) - 1} more queries." in page
    assert page.count("The child's postcode is not recorded.") <= 1


def test_the_page_is_built_once_until_the_records_change(
        demo: None, staff: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    from ehcflow.casework import services as casework

    built: list[int] = []
    real = selectors.build_return

    def counting(coll: items.Collection) -> object:
        built.append(coll.year)
        return real(coll)

    monkeypatch.setattr(selectors, "build_return", counting)
    client = client_for(staff["officer"])
    first = text(client.get(reverse("sen2:overview"), {"collection": 2026}).content.decode())
    again = text(client.get(reverse("sen2:overview"), {"collection": 2026}).content.decode())
    assert built == [2026] and first == again
    # a step recorded through the services (a case event) is a change: built again
    case = AssessmentRequest.objects.filter(stage__in=c.OPEN_STAGES).first()
    assert case is not None
    casework.request_close(request=case, on=date(2026, 1, 10),
                           closed_reason=c.ClosedReason.WITHDRAWN,
                           by=casework.Actor(name="test"))
    client.get(reverse("sen2:overview"), {"collection": 2026})
    assert built == [2026, 2026]
    # so is a change of the settings the header uses
    from django.test import override_settings

    with override_settings(EHCFLOW_SEN2_LA_NUMBER="998"):
        client.get(reverse("sen2:overview"), {"collection": 2026})
    assert built == [2026, 2026, 2026]
