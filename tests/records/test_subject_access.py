"""Subject access: everything held about one child, readable and machine-readable, logged."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.casework.models import CaseEvent, Child, RecordAccess
from tests.records.conftest import Old


def _gather(*args: str) -> str:
    out = StringIO()
    call_command("subject_access", *args, stdout=out)
    return out.getvalue()


def test_everything_held_about_the_child_is_gathered(old: Old, child: Child,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "sar"
    text = _gather("--child", "R0001", "--out", str(out), "--by", "reviewer")
    assert "summary.html" in text
    names = sorted(path.name for path in out.iterdir())
    assert {path.stat().st_mode & 0o777 for path in out.iterdir()} == {0o600}
    assert names == sorted(["summary.html", "records.json", "child.csv", "requests.csv",
                            "advice.csv", "exceptions.csv", "plans.csv", "settings.csv",
                            "needs.csv", "reviews.csv", "disagreements.csv", "orders.csv",
                            "events.csv", "access.csv"])
    data = json.loads((out / "records.json").read_text())
    sections = data["sections"]
    assert sections["child"]["records"][0]["forename"] == "Ada"
    assert [r["case_ref"] for r in sections["requests"]["records"]] == ["RC-1"]
    assert len(sections["disagreements"]["records"]) == 1
    events = CaseEvent.objects.filter(child=old.done).count()
    assert len(sections["events"]["records"]) == events
    # Who viewed the record: both views (one logged against the request only).
    viewers = [r for r in sections["access"]["records"] if r["kind"] == "Viewed"]
    assert len(viewers) == 2
    assert {r["user"] for r in viewers} == {"Runner Tester"}
    # Nothing about anyone else.
    blob = (out / "records.json").read_text() + (out / "summary.html").read_text()
    for other in ("R0002", "Bea", "P0001", "RC-2"):
        assert other not in blob
    summary = (out / "summary.html").read_text()
    assert "Records held about a child or young person" in summary
    assert "Ada" in summary and "RC-1" in summary
    assert "Reviewer Tester (reviewer)" in summary
    with open(out / "requests.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    column = rows[0].index("Case reference")
    assert [row[column] for row in rows[1:]] == ["RC-1"]


def test_the_gathering_is_written_to_the_access_log(old: Old, tmp_path: Path) -> None:
    before = RecordAccess.objects.count()
    _gather("--child", str(old.done.public_id), "--out", str(tmp_path / "a"),
            "--by", "reviewer")
    assert RecordAccess.objects.count() == before + 1
    entry = RecordAccess.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.child_id, entry.user.username, entry.page) == (
        RecordAccess.Kind.EXPORT, old.done.pk, "reviewer", "subject access request")


def test_a_non_empty_folder_is_refused_and_nothing_is_logged(old: Old, tmp_path: Path) -> None:
    (tmp_path / "letter.txt").write_text("someone else's letter")
    before = RecordAccess.objects.count()
    with pytest.raises(CommandError, match="not an empty folder"):
        _gather("--child", "R0001", "--out", str(tmp_path), "--by", "reviewer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.txt"]
    assert RecordAccess.objects.count() == before


@pytest.mark.parametrize("args, message", [
    (("--child", "NOPE"), "no child with that person reference"),
    (("--child", "00000000-0000-0000-0000-000000000000"), "no child"),
    (("--child", "R0001", "--by", "nobody"), "no active account 'nobody'"),
])
def test_bad_requests_are_refused(old: Old, tmp_path: Path, args: tuple[str, ...],
                                  message: str) -> None:
    full = [*args] if "--by" in args else [*args, "--by", "reviewer"]
    before = RecordAccess.objects.count()
    with pytest.raises(CommandError, match=message):
        _gather(*full, "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert RecordAccess.objects.count() == before


def test_cells_that_look_like_formulas_stay_text(system_actor: object, staff: object,
                                                 tmp_path: Path) -> None:
    from datetime import date

    from ehcflow.casework import services
    services.child_create(person_ref="F1", date_of_birth=date(2012, 1, 1),
                          forename="=HYPERLINK(\"x\")", by=system_actor)  # type: ignore[arg-type]
    _gather("--child", "F1", "--out", str(tmp_path / "f"), "--by", "reviewer")
    with open(tmp_path / "f" / "child.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert "'=HYPERLINK(\"x\")" in rows[1]
