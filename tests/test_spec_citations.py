"""The project's spec is cited where it lives: `docs/domain/<name>.md`, never a bare name that a
reader cannot find, and every cited page exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs" / "domain"
NAMES = sorted(p.stem for p in SPEC.glob("*.md"))
BARE = re.compile(r"(?<![/\w-])(" + "|".join(map(re.escape, NAMES)) + r")\.md")
CITED = re.compile(r"docs/domain/([\w-]+)\.md")
#: Files that name a spec page as text that must not appear somewhere (a page, a PDF).
NAMED_AS_TEXT = {"test_spec_citations.py", "test_board_pack.py"}


def test_the_spec_is_cited_by_its_path_and_every_cited_page_exists() -> None:
    bare, missing = [], []
    for folder in ("ehcflow", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), start=1):
                where = f"{path.relative_to(ROOT)}:{number}"
                if path.name not in NAMED_AS_TEXT and BARE.search(line):
                    bare.append(where)
                missing += [f"{where} {name}" for name in CITED.findall(line)
                            if not (SPEC / f"{name}.md").exists()]
    assert bare == [] and missing == []
