"""The `ehcflow` console script: Django's manage.py under the project's own name."""

from __future__ import annotations

import os
import sys


def command_name(argv: list[str]) -> list[str]:
    """Let people type the hyphenated names the docs use (`import-requests`, `demo-data`).

    Django names a command after its module, which cannot contain a hyphen.
    """
    if len(argv) > 1 and not argv[1].startswith("-") and "-" in argv[1]:
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return argv


def main() -> None:
    """Run a management command, e.g. `ehcflow kpis --as-of 2023-07-31 --json`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehcflow.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_name(sys.argv))


if __name__ == "__main__":
    main()
