"""`ehcflow sen2 import`: all or nothing, errors by element path, and the round trip."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from ehcflow.casework.models import (
    AnnualReview,
    AssessmentRequest,
    CaseEvent,
    Child,
    EHCPlan,
    Institution,
    PlanNeed,
    PlanSetting,
)
from ehcflow.disagreements.models import Disagreement
from ehcflow.people.models import User
from ehcflow.sen2 import importer, services
from ehcflow.sen2.models import ReturnFile

pytestmark = pytest.mark.django_db

MOMENT = timezone.make_aware(datetime(2026, 2, 1, 9, 30))
CASE_TABLES = (AnnualReview, PlanNeed, PlanSetting, Disagreement, EHCPlan, AssessmentRequest)


def empty_the_records() -> None:
    """Start again from a service with no records. The case events and the access log refuse
    DELETE (database triggers), so the triggers are set aside inside the test's transaction,
    which is rolled back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
        for table in ("casework_caseevent", "casework_recordaccess"):
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                               "tbl_name = %s", [table])
                for (trigger,) in cursor.fetchall():
                    cursor.execute(f'DROP TRIGGER "{trigger}"')
            cursor.execute(f"DELETE FROM {table}")
    for model in (*CASE_TABLES, Child, Institution):
        model.objects.all().delete()


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_export_import_export_gives_the_same_file(
        demo: None, staff: dict[str, User], tmp_path: Path, year: int) -> None:
    first = tmp_path / "first.xml"
    services.export_to_file(str(year), first, by="sen2officer", generated_at=MOMENT)
    empty_the_records()
    assert not Child.objects.exists()
    result = importer.import_file(first, by="sen2officer")
    assert result.children == Child.objects.count() > 50
    assert CaseEvent.objects.filter(action="sen2_import").count() > 50
    second = tmp_path / "second.xml"
    services.export_to_file(str(year), second, by="sen2officer", generated_at=MOMENT)
    assert second.read_bytes() == first.read_bytes()
    assert ReturnFile.objects.filter(action="import", collection_year=year).count() == 1


def run_import(path: Path, by: str = "sen2officer") -> str:
    out = StringIO()
    call_command("sen2", "import", str(path), "--by", by, stdout=out)
    return out.getvalue()


GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>SEN2</Collection><Year>2025</Year>
<ReferenceDate>2025-01-16</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>
<LEA>999</LEA><DMO>Y</DMO><DCO>N</DCO></Source></Header><Persons>
<Person><Surname>Example</Surname><Forename>Ada</Forename><PersonBirthDate>2016-05-01</PersonBirthDate>
<Sex>F</Sex><Ethnicity>WBRI</Ethnicity><PostCode>ZZ99 3AB</PostCode><UPN>A123456789012</UPN>
<Requests><ReceivedDate>2024-03-01</ReceivedDate><RequestSource>1</RequestSource>
<RequestOutcomeDate>2024-04-05</RequestOutcomeDate><RequestOutcome>Y</RequestOutcome>
<Assessment><AssessmentOutcome>Y</AssessmentOutcome><AssessmentOutcomeDate>2024-07-01</AssessmentOutcomeDate>
<Week20>0</Week20><NamedPlan><StartDate>2024-07-01</StartDate><PlanDetail><URN>123456</URN>
<PlacementRank>1</PlacementRank><SENunitIndicator>0</SENunitIndicator>
<ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlanDetail></NamedPlan></Assessment>
<ActivePlans><PlacementDetail><URN>123456</URN><PlacementRank>1</PlacementRank>
<EntryDate>2024-09-01</EntryDate><SENunitIndicator>0</SENunitIndicator>
<ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
<SENneed><SENtype>DS</SENtype><SENtypeRank>1</SENtypeRank></SENneed></ActivePlans>
</Requests></Person>
<Person><Surname>Second</Surname><Forename>Ben</Forename><PersonBirthDate>2015-02-01</PersonBirthDate>
<Sex>M</Sex><Ethnicity>WBRI</Ethnicity><PostCode>ZZ99 3AC</PostCode><UPNunknown>UN8</UPNunknown>
<Requests><ReceivedDate>2024-05-01</ReceivedDate><RequestOutcome>A</RequestOutcome></Requests>
</Person></Persons></Message>
"""


def test_a_good_file_is_imported(staff: dict[str, User], tmp_path: Path) -> None:
    path = tmp_path / "in.xml"
    path.write_text(GOOD)
    said = run_import(path)
    assert said == ("Imported the SEN2 2025 return: 2 children, 2 requests, 1 plans. The "
                    "import is recorded.\n")
    ada = Child.objects.get(surname="Example")
    request = AssessmentRequest.objects.get(child=ada)
    assert (request.received_date, request.decision, request.final_date, request.stage) == (
        date(2024, 3, 1), "assess", date(2024, 7, 1), "plan_issued")
    plan = EHCPlan.objects.get(child=ada)
    assert list(plan.needs.values_list("sen_type", "rank")) == [("DS", 1)]
    setting = plan.settings.get()
    assert setting.institution is not None and setting.institution.urn == "123456"


@pytest.mark.parametrize(("change", "path"), [
    (("<RequestOutcome>A</RequestOutcome>", "<RequestOutcome>Z</RequestOutcome>"),
     "/Message/Persons/Person[2]/Requests/RequestOutcome"),
    (("<SENtype>DS</SENtype>", "<SENtype>XX</SENtype>"),
     "/Message/Persons/Person[1]/Requests/ActivePlans/SENneed/SENtype"),
    (("<UPN>A123456789012</UPN>", "<UPN>12345</UPN>"), "/Message/Persons/Person[1]/UPN"),
])
def test_a_file_breaking_the_schema_names_the_element_and_writes_nothing(
        staff: dict[str, User], tmp_path: Path, change: tuple[str, str], path: str) -> None:
    file = tmp_path / "in.xml"
    file.write_text(GOOD.replace(*change))
    with pytest.raises(CommandError) as caught:
        run_import(file)
    assert caught.value.returncode == 1
    text = str(caught.value)
    assert text.startswith("The file does not match the SEN2 2025 schema.")
    assert f"  {path} (line " in text
    assert not Child.objects.exists() and not ReturnFile.objects.exists()


def test_a_file_breaking_the_records_rules_names_the_element(
        staff: dict[str, User], tmp_path: Path) -> None:
    file = tmp_path / "in.xml"
    file.write_text(GOOD.replace("<RequestOutcomeDate>2024-04-05",
                                 "<RequestOutcomeDate>2024-02-05"))
    with pytest.raises(CommandError) as caught:
        run_import(file)
    assert str(caught.value) == (
        "The file breaks rules the records keep, so nothing was imported.\n"
        "  /Message/Persons/Person[1]/Requests/RequestOutcomeDate: before ReceivedDate")
    assert not Child.objects.exists()


@pytest.mark.parametrize(("text", "message"), [
    ("<Message><Header>", "The file is not well-formed XML."),
    ("<Other/>", "This is not a SEN2 return: its first element is not Message."),
    (GOOD.replace("<Year>2025</Year>", "<Year>2019</Year>"),
     "There is no SEN2 collection '2019' in this service."),
])
def test_unreadable_files_are_refused(staff: dict[str, User], tmp_path: Path, text: str,
                                      message: str) -> None:
    file = tmp_path / "in.xml"
    file.write_text(text)
    with pytest.raises(CommandError, match=message):
        run_import(file)
    assert not Child.objects.exists()


def test_an_import_needs_a_service_with_no_records(
        staff: dict[str, User], tmp_path: Path, child: Child) -> None:
    file = tmp_path / "in.xml"
    file.write_text(GOOD)
    with pytest.raises(CommandError, match="already holds children's records"):
        run_import(file)
    assert Child.objects.count() == 1


def test_an_analyst_may_not_import(staff: dict[str, User], tmp_path: Path) -> None:
    file = tmp_path / "in.xml"
    file.write_text(GOOD)
    with pytest.raises(CommandError, match="Your role may not import a SEN2 return"):
        run_import(file, by="sen2analyst")
