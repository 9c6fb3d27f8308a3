"""`ehcflow sen2 export`: a valid file for each collection, written safely, by the right people."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from ehcflow.casework.models import EHCPlan, PlanSetting, RecordAccess
from ehcflow.people.models import User
from ehcflow.sen2 import items, selectors, xmlfile
from ehcflow.sen2.models import ReturnFile
from ehcflow.sen2.xmlfile import SCHEMA_DIR

pytestmark = pytest.mark.django_db


def export(year: str, out: Path, by: str = "sen2officer") -> str:
    from io import StringIO

    stdout = StringIO()
    call_command("sen2", "export", "--collection", year, "--out", str(out), "--by", by,
                 stdout=stdout)
    return stdout.getvalue()


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_each_collection_exports_a_file_valid_against_its_schema(
        demo: None, staff: dict[str, User], tmp_path: Path, year: int) -> None:
    out = tmp_path / f"sen2-{year}.xml"
    said = export(str(year), out)
    doc = etree.parse(str(out))
    xsd = schema(f"SEN2_{year}.xsd")
    assert xsd.validate(doc), xsd.error_log
    coll = items.collection(year)
    assert doc.findtext("Header/CollectionDetails/Year") == str(year)
    assert doc.findtext("Header/CollectionDetails/ReferenceDate") == coll.census_day.isoformat()
    assert doc.findtext("Header/Source/LEA") == "999"
    persons = doc.findall("Persons/Person")
    assert len(persons) > 50
    assert f"{len(persons):,} children" in said
    # Items by year (docs/domain/sen2.md §2.3).
    assert (doc.find("Header/Source/DSCO") is not None) is (year >= 2026)
    has_source = doc.find("Persons/Person/Requests/RequestSource") is not None
    assert has_source is (year >= 2025)
    assert (doc.find(".//ActivePlans/ReviewMeeting") is not None) is (year >= 2025)
    assert (doc.find(".//ActivePlans/PhaseTransferDueDate") is not None) is (year >= 2026)
    assert all(p.findtext("Sex") in ("M", "F", "U") for p in persons)


def test_the_2024_schema_is_the_third_party_one_with_one_documented_change() -> None:
    original = (SCHEMA_DIR / "SEN2_schema_2024_liia-tools.xsd").read_bytes()
    shipped = Path("/work/shared/data/sen2/SEN2_schema_2024.xsd")
    if shipped.exists():
        assert original == shipped.read_bytes()
    ours = (SCHEMA_DIR / "SEN2_2024.xsd").read_text()
    body = ours[ours.index("-->\n") + 4:]
    unchanged = original.decode().replace("\r\n", "\n")
    unchanged = unchanged[unchanged.index("\n") + 1:]
    assert body.replace('name="SENSetting" minOccurs="0"', 'name="SENSetting" minOccurs="1"') \
        == unchanged
    assert "liia-tools" in ours and "81996262b98082c32f8bc709a2f9a616fb22a187" in ours


def test_a_return_whose_settings_all_have_codes_is_valid_against_the_unchanged_schema(
        demo: None) -> None:
    coll = items.collection(2024)
    ret = selectors.build_return(coll)
    for _person, req in ret.requests():
        places = []
        if req.assessment is not None and req.assessment.named_plan is not None:
            places += req.assessment.named_plan.details
        if req.active_plan is not None:
            places += req.active_plan.placements
        for place in places:
            place.urn = place.ukprn = ""
            place.sen_setting = place.sen_setting or "OLA"
    data = xmlfile.render(ret)
    xsd = schema("SEN2_schema_2024_liia-tools.xsd")
    assert xsd.validate(etree.fromstring(data)), xsd.error_log


def test_the_file_is_readable_by_its_owner_only_and_the_export_is_recorded(
        demo: None, staff: dict[str, User], tmp_path: Path) -> None:
    out = tmp_path / "return.xml"
    export("2026", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    record = ReturnFile.objects.get()
    assert (record.user, record.action, record.collection_year, record.census_day) == (
        staff["officer"], "export", 2026, date(2026, 1, 15))
    assert record.persons == len(etree.parse(str(out)).findall("Persons/Person"))
    access = RecordAccess.objects.get(kind=RecordAccess.Kind.EXPORT)
    assert access.user == staff["officer"] and access.page == "SEN2 return 2026 (export)"
    with pytest.raises(ValueError, match="append-only"):
        record.delete()
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


@pytest.mark.parametrize(("year", "message"), [
    ("2023", "There is no SEN2 collection '2023' in this service. The collections it can "
             "produce are 2024, 2025, 2026."),
    ("next", "There is no SEN2 collection 'next'"),
])
def test_an_unknown_collection_is_refused_with_no_file(
        demo: None, staff: dict[str, User], tmp_path: Path, year: str,
        message: str) -> None:
    out = tmp_path / "return.xml"
    with pytest.raises(CommandError, match=message) as caught:
        export(year, out)
    assert caught.value.returncode == 1
    assert list(tmp_path.iterdir()) == []
    assert not ReturnFile.objects.exists()


def test_a_census_day_the_records_cannot_cover_is_refused(
        staff: dict[str, User], tmp_path: Path, child: object) -> None:
    from ehcflow.casework.models import AssessmentRequest

    AssessmentRequest.objects.create(case_ref="LATE-1", child=child,  # type: ignore[misc]
                                     received_date=date(2024, 6, 3))
    with pytest.raises(CommandError) as caught:
        export("2024", tmp_path / "return.xml")
    assert str(caught.value) == (
        "The records begin on 3 June 2024, after the start of the year the 2024 return covers "
        "(1 January 2023), so they cannot cover it.")
    assert caught.value.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_census_day_still_to_come_is_refused(staff: dict[str, User], tmp_path: Path) -> None:
    from ehcflow.sen2 import services

    with pytest.raises(services.Sen2Error, match="census day 15 January 2026, which has not "
                                                 "come yet"):
        services.export_to_file("2026", tmp_path / "r.xml", by="sen2officer",
                                today=date(2026, 1, 14))
    assert list(tmp_path.iterdir()) == []


def test_missing_header_settings_are_named(
        demo: None, staff: dict[str, User], tmp_path: Path, settings: object
) -> None:
    settings.EHCFLOW_SEN2_LA_NUMBER = ""  # type: ignore[attr-defined]
    settings.EHCFLOW_SEN2_DSCO = ""  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as caught:
        export("2026", tmp_path / "return.xml")
    assert str(caught.value) == (
        "The return's header cannot be completed: EHCFLOW_SEN2_LA_NUMBER must be the "
        "authority's three-digit LA number; EHCFLOW_SEN2_DSCO must be Y, N or R.")
    assert list(tmp_path.iterdir()) == []


def test_records_that_break_the_schema_make_no_file_and_say_where(
        demo: None, staff: dict[str, User], tmp_path: Path) -> None:
    plan = EHCPlan.objects.filter(cease_date__isnull=True,
                                  first_issued_date__lt=date(2025, 1, 1)).first()
    assert plan is not None
    for rank in (1, 2, 3):  # three current settings: the schema allows two
        PlanSetting.objects.create(plan=plan, rank=rank, sen_setting="OLA")
    out = tmp_path / "return.xml"
    out.write_text("yesterday's file")
    with pytest.raises(CommandError) as caught:
        export("2026", out)
    text = str(caught.value)
    assert text.startswith("The 2026 return does not match its schema, so no file was made.")
    assert "/Message/Persons/Person[" in text and "PlacementDetail[3]" in text
    assert out.read_text() == "yesterday's file"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["return.xml"]
    assert not ReturnFile.objects.exists()


def test_an_unwritable_place_leaves_nothing(
        demo: None, staff: dict[str, User], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist") as caught:
        export("2026", tmp_path / "missing" / "return.xml")
    assert caught.value.returncode == 1
    assert not ReturnFile.objects.exists()


@pytest.mark.parametrize("who", ["sen2analyst", "sen2support"])
def test_roles_that_may_not_see_childrens_details_are_refused(
        demo: None, staff: dict[str, User], tmp_path: Path, who: str) -> None:
    with pytest.raises(CommandError) as caught:
        export("2026", tmp_path / "return.xml", by=who)
    assert str(caught.value) == ("Your role may not make the SEN2 return: it holds every "
                                 "reported child's name, date of birth, UPN and postcode.")
    assert caught.value.returncode == 1
    assert list(tmp_path.iterdir()) == []
    refused = RecordAccess.objects.get(kind=RecordAccess.Kind.REFUSED)
    assert refused.user.username == who and refused.page == "SEN2 return 2026"
    assert not ReturnFile.objects.exists()


def test_an_unknown_person_is_refused(demo: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no active account 'nobody'"):
        export("2026", tmp_path / "return.xml", by="nobody")
