"""The columns of the request register and their codes (docs/domain/request-register.md).

This module is the one place the format's vocabulary is written down in code: the importer,
the validator and the exporter all read it from here, so the contract cannot drift between
them. It imports nothing from Django.
"""

from __future__ import annotations

from typing import Final

#: Every column, in the order of the table in docs/domain/request-register.md; the exporter writes
#: them in this order.
COLUMNS: Final = (
    "case_ref",
    "person_id",
    "date_of_birth",
    "request_date",
    "request_source",
    "decision_date",
    "decision",
    "outcome_date",
    "outcome",
    "draft_date",
    "final_date",
    "exception",
    "closed_date",
    "closed_reason",
    "officer",
)

#: Columns that must be in the header and have a value in every row.
REQUIRED: Final = frozenset({"case_ref", "person_id", "date_of_birth", "request_date"})

DATE_COLUMNS: Final = frozenset(
    {"date_of_birth", "request_date", "decision_date", "outcome_date", "draft_date",
     "final_date", "closed_date"}
)

#: Coded columns and the values each allows, in the spec's order (used in error messages).
CODES: Final[dict[str, tuple[str, ...]]] = {
    "request_source": ("parent", "young_person", "school", "health", "social_care", "other"),
    "decision": ("assess", "not_assess"),
    "outcome": ("plan", "no_plan"),
    # The spec's four, then the two the casework also records (reg 10(4)(b); SI 2020/471), so
    # that every request ehcflow exports imports again (docs/decisions/0006).
    "exception": ("school_closure", "personal_circumstances", "absent_from_area",
                  "missed_appointment", "early_years_closure", "coronavirus"),
    "closed_reason": ("withdrawn", "moved_away", "other"),
}

TEXT_COLUMNS: Final = frozenset({"case_ref", "person_id", "officer"})

#: Maximum length of each free-text column: 1–40 characters for the references (spec), and
#: the length of `StaffMember.name` for the officer.
MAX_LENGTH: Final[dict[str, int]] = {"case_ref": 40, "person_id": 40, "officer": 150}

#: A code column and the date column it goes "with" (spec: `decision` "with decision_date").
PAIRED: Final[dict[str, str]] = {
    "decision": "decision_date",
    "outcome": "outcome_date",
    "closed_reason": "closed_date",
}

#: The steps that must be on or after `request_date` "and in that order where present".
ORDERED_DATES: Final = (
    "request_date", "decision_date", "outcome_date", "draft_date", "final_date", "closed_date",
)

#: The largest file the importer takes, in data rows. The whole file is validated before
#: anything is written (all or nothing), so its rows are held in memory; half a million rows
#: is several times a national year of requests (150,000) and a few hundred megabytes.
MAX_ROWS: Final = 500_000

#: The longest physical line of a CSV file, in bytes: a register row is a few hundred bytes,
#: so a longer line is a file that is not a register (and would otherwise fill memory).
MAX_LINE_BYTES: Final = 64 * 1024

#: Where a request created or changed by the importer records it.
IMPORT_NOTE: Final = "imported from the request register"
#: The staff id of an officer the importer creates starts with this, then the name's slug.
IMPORTED_STAFF_PREFIX: Final = "IMP-"


def actor_name(file_name: str) -> str:
    """The `CaseEvent.actor_name` of an import: "request register import (<file name>)"."""
    label = f"request register import ({file_name})"
    if len(label) > 150:  # CaseEvent.actor_name max_length
        label = f"request register import ({file_name[:120]}…)"
    return label
