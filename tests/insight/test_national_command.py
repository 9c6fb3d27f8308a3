"""`ehcflow national load|rank|neighbours|ours|measures`, as a user runs them."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ehcflow.insight import dfe
from ehcflow.insight.management.commands.national import Command
from ehcflow.insight.models import Release
from tests.insight.conftest import BROKEN, SAMPLE_2025, counts


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("national", *args, stdout=out)
    return out.getvalue()


def test_rank_json_for_bcp_2022(national: Release) -> None:
    result = json.loads(run("rank", "--la", "Bournemouth, Christchurch and Poole",
                            "--year", "2022", "--json"))
    assert {k: result[k] for k in ("value", "rank_from_bottom", "rank_from_top", "of")} == {
        "value": 7.3, "rank_from_bottom": 4, "rank_from_top": 144, "of": 147}
    assert result["la"] == "Bournemouth, Christchurch and Poole"
    assert result["measure"] == "pct_within_20_weeks_excl_exceptions"
    assert result["dfe_column"] == "PC_plans_issued_20_weeks_ex"
    assert (result["year"], result["england"], result["release"]) == (2022, 49.2, 2025)


def test_rank_text(national: Release) -> None:
    text = run("rank", "--la", "839", "--year", "2022")
    assert "Bournemouth, Christchurch and Poole (E06000058, 839), 2022" in text
    assert "4th lowest and 144th highest of 147 local authorities with a figure" in text
    assert "England: 49.2" in text
    assert "England: 638,745" in run("rank", "--la", "839", "--year", "2025", "--measure",
                                     "plans_maintained")
    tied = run("rank", "--la", "cornwall", "--year", "2023")
    assert "3rd lowest and 147th highest of 150 local authorities with a figure, tied with 1 " \
           "other" in tied


def test_rank_of_other_measures(national: Release) -> None:
    caseload = json.loads(run("rank", "--la", "E06000058", "--year", "2025", "--measure",
                              "plans_maintained", "--json"))
    assert (caseload["value"], caseload["england"]) == (4432, 638745)
    reviews = json.loads(run("rank", "--la", "E06000058", "--year", "2024", "--measure",
                             "pct_review_decisions_within_4_weeks", "--json"))
    assert reviews["value"] == 10.6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "Bornemouth", "--year", "2022"],
         "No local authority matches 'Bornemouth'. Close matches: "),
        (["--la", "BCP", "--year", "2022", "--measure", "pct_in_time"], "Measures: plans_issued"),
        (["--la", "839", "--year", "2018"], "Years available: 2019, 2020, 2021, 2022"),
        (["--la", "839", "--year", "2022", "--release", "2024"], "Release 2024 is not loaded"),
    ],
)
def test_rank_refuses_clearly(national: Release, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("rank", *args)


def test_errors_exit_with_status_1(national: Release, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["ehcflow", "national", "rank", "--la", "Nowhere", "--year",
                                 "2022"])
    assert exit_.value.code == 1
    assert "No local authority matches 'Nowhere'" in capsys.readouterr().err


def test_load_prints_a_summary(national: Release) -> None:
    text = run("load")
    assert text.startswith("Replaced DfE Education, health and care plans, reporting year 2025")
    assert "timeliness_20_week.csv     970 rows  years 2019–2024" in text
    assert "6 files, 5180 rows, 29790 figures; authorities: 1 national, 9 regions" in text


def test_load_of_a_broken_release_names_the_problem_and_loads_nothing(
    national: Release, tmp_path: Path
) -> None:
    folder = tmp_path / "release"
    shutil.copytree(SAMPLE_2025, folder)
    shutil.copyfile(BROKEN / "newplans.bad-number.csv", folder / dfe.NEW_PLANS)
    before = counts()
    with pytest.raises(CommandError) as error:
        run("load", str(folder))
    assert str(error.value).startswith("Nothing loaded.\n")
    assert "newplans.csv:13:new_ehc_plans: '1O34' is not a number" in str(error.value)
    assert counts() == before


def test_neighbours_and_ours(national: Release) -> None:
    with pytest.raises(CommandError, match="Say which authority with --la"):
        run("neighbours")
    assert "Our authority: Bournemouth, Christchurch and Poole" in run("ours", "839")
    assert "has no neighbours chosen" in run("neighbours")
    run("neighbours", "--set", "Dorset", "Plymouth")
    run("neighbours", "--add", "Torbay")
    run("neighbours", "--remove", "Plymouth")
    listed = json.loads(run("neighbours", "--json"))
    assert [n["la"] for n in listed["neighbours"]] == ["Dorset", "Torbay"]
    with pytest.raises(CommandError, match="Not on Bournemouth, Christchurch and Poole's list"):
        run("neighbours", "--remove", "Plymouth")
    run("neighbours", "--clear")
    assert json.loads(run("neighbours", "--json"))["neighbours"] == []
    # --la defaults to ours for rank too
    assert json.loads(run("rank", "--year", "2023", "--json"))["value"] == 4.8
    assert "No authority chosen" in run("ours", "--clear")


def test_measures_lists_file_and_column(national: Release) -> None:
    text = run("measures")
    assert len(text.splitlines()) == len(dfe.MEASURES)
    assert "PC_plans_issued_20_weeks_ex" in text
