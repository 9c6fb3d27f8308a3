"""Every `EHCFLOW_*` environment variable the settings read is in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_read_from_the_environment_is_documented() -> None:
    settings = (ROOT / "ehcflow" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:environ(?:\.get)?[(\[]|_env_bool\()\s*"(EHCFLOW_[A-Z0-9_]+)"',
                          settings))
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `EHCFLOW_")]
    documented = {name for row in rows for name in re.findall(r"`(EHCFLOW_[A-Z0-9_]+)`",
                                                             row.split("|")[1])}
    assert len(read) > 40
    assert sorted(read - documented) == []
