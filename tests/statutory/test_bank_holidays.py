"""Bank holidays in England and Wales, checked against the gov.uk published lists."""

from datetime import date

import pytest

from ehcflow.statutory.bank_holidays import (
    add_working_days,
    bank_holidays,
    easter_sunday,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    working_day_on_or_after,
)

# gov.uk/bank-holidays, England and Wales.
PUBLISHED = {
    2019: ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: [
        *("01-03", "04-15", "04-18", "05-02", "06-02"),
        *("06-03", "08-29", "09-19", "12-26", "12-27"),
    ],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_it_matches_the_published_list(year: int) -> None:
    expected = {date.fromisoformat(f"{year}-{md}") for md in PUBLISHED[year]}
    assert bank_holidays(year) == expected


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (1818, date(1818, 3, 22)),  # earliest possible
        (1943, date(1943, 4, 25)),  # latest possible
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_follows_the_gregorian_computus(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_easter_monday_2024_is_a_bank_holiday() -> None:
    assert is_bank_holiday(date(2024, 4, 1))
    assert not is_working_day(date(2024, 4, 1))


def test_boxing_day_2021_is_substituted_to_tuesday_28th() -> None:
    assert is_bank_holiday(date(2021, 12, 27))
    assert is_bank_holiday(date(2021, 12, 28))


def test_christmas_on_sunday_moves_to_tuesday_when_boxing_day_holds_monday() -> None:
    assert {date(2022, 12, 26), date(2022, 12, 27)} <= bank_holidays(2022)
    assert not is_bank_holiday(date(2022, 12, 28))


def test_new_year_on_saturday_is_taken_on_monday_3rd() -> None:
    assert is_bank_holiday(date(2022, 1, 3))
    assert not is_bank_holiday(date(2022, 1, 4))


def test_moved_holidays_leave_their_usual_day_a_working_day() -> None:
    assert is_working_day(date(2020, 5, 4))  # early May moved to VE Day, Friday 8 May
    assert is_working_day(date(2022, 5, 30))  # spring moved to the Jubilee, 2 June


def test_one_off_holidays() -> None:
    for day in (date(2022, 9, 19), date(2023, 5, 8), date(2011, 4, 29), date(2012, 6, 5)):
        assert is_bank_holiday(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2023, 6, 3))  # Saturday
    assert not is_working_day(date(2023, 6, 4))  # Sunday
    assert is_working_day(date(2023, 6, 5))


def test_working_day_helpers() -> None:
    assert working_day_on_or_after(date(2023, 6, 5)) == date(2023, 6, 5)
    assert working_day_on_or_after(date(2023, 6, 3)) == date(2023, 6, 5)
    assert next_working_day(date(2023, 6, 5)) == date(2023, 6, 6)
    assert next_working_day(date(2024, 3, 28)) == date(2024, 4, 2)  # over Easter


def test_add_working_days_does_not_count_the_starting_day() -> None:
    assert add_working_days(date(2023, 6, 2), 0) == date(2023, 6, 2)
    assert add_working_days(date(2023, 6, 2), 1) == date(2023, 6, 5)
    assert add_working_days(date(2023, 6, 2), 3) == date(2023, 6, 7)
    with pytest.raises(ValueError):
        add_working_days(date(2023, 6, 2), -1)
