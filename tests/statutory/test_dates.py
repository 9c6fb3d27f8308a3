"""Calendar months and years: the corresponding-date rule with month-end clamping."""

from datetime import date

import pytest

from ehcflow.statutory.dates import add_days, add_months, add_years, days_between


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 3, 15), 1, date(2023, 4, 15)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2023, 10, 31), 2, date(2023, 12, 31)),
        (date(2023, 3, 31), -1, date(2023, 2, 28)),
        (date(2024, 7, 31), -5, date(2024, 2, 29)),
        (date(2024, 1, 15), -5, date(2023, 8, 15)),
        (date(2023, 5, 20), 0, date(2023, 5, 20)),
        (date(2023, 5, 20), 24, date(2025, 5, 20)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_years_takes_29_february_to_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2023, 7, 31), -1) == date(2022, 7, 31)


def test_days() -> None:
    assert add_days(date(2023, 12, 31), 1) == date(2024, 1, 1)
    assert days_between(date(2022, 1, 10), date(2023, 2, 1)) == 387
    assert days_between(date(2023, 2, 1), date(2022, 1, 10)) == -387
