"""Mediation and appeal deadlines: calendar months, working days, August and Christmas."""

from datetime import date

import pytest

from ehcflow.statutory import clock


@pytest.mark.parametrize(
    ("sent", "deadline"),
    [
        (date(2023, 6, 15), date(2023, 8, 15)),
        (date(2023, 10, 31), date(2023, 12, 31)),
        (date(2023, 12, 31), date(2024, 2, 29)),  # leap year month end
        (date(2022, 12, 31), date(2023, 2, 28)),
    ],
)
def test_mediation_adviser_must_be_contacted_within_2_months(sent: date, deadline: date) -> None:
    assert clock.mediation_contact_deadline(sent) == deadline


def test_mediation_is_arranged_within_30_days() -> None:
    assert clock.mediation_arranged_due(date(2024, 2, 1)) == date(2024, 3, 2)


@pytest.mark.parametrize(
    ("informed", "due"),
    [
        (date(2023, 6, 2), date(2023, 6, 7)),  # Friday: Mon, Tue, Wed
        (date(2023, 6, 3), date(2023, 6, 7)),  # Saturday
        (date(2024, 3, 28), date(2024, 4, 4)),  # Good Friday and Easter Monday skipped
        (date(2021, 12, 23), date(2021, 12, 30)),  # substitute Christmas and Boxing Day
        (date(2023, 5, 5), date(2023, 5, 11)),  # Coronation bank holiday, 8 May 2023
    ],
)
def test_certificate_is_due_in_3_working_days(informed: date, due: date) -> None:
    assert clock.certificate_due(informed) == due
    assert clock.commissioning_body_notice_due(informed) == due


def test_appeal_is_due_2_months_after_the_letter() -> None:
    assert clock.appeal_deadline(date(2023, 3, 15)) == date(2023, 5, 15)
    assert clock.appeal_deadline(date(2023, 12, 31)) == date(2024, 2, 29)


def test_appeal_takes_the_later_of_letter_and_certificate() -> None:
    assert clock.appeal_deadline(date(2023, 3, 15), date(2023, 5, 1)) == date(2023, 6, 1)
    assert clock.appeal_deadline(date(2023, 3, 15), date(2023, 3, 20)) == date(2023, 5, 15)
    assert clock.appeal_deadline(date(2023, 11, 30), date(2024, 1, 31)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("letter", "deadline"),
    [
        (date(2023, 6, 15), date(2023, 9, 1)),  # Friday 1 September
        (date(2024, 6, 30), date(2024, 9, 2)),  # 1 September 2024 is a Sunday
        (date(2019, 6, 1), date(2019, 9, 2)),  # 1 September 2019 is a Sunday
        (date(2023, 5, 31), date(2023, 7, 31)),  # 31 July is not moved
        (date(2023, 7, 1), date(2023, 9, 1)),  # 1 September itself
    ],
)
def test_an_august_deadline_moves_to_the_first_working_day_of_september(
    letter: date, deadline: date
) -> None:
    assert clock.appeal_deadline(letter) == deadline


@pytest.mark.parametrize(
    ("letter", "certificate", "deadline"),
    [
        # IPSEA's example: letter 1 October, certificate 29 November -> 29 December.
        (date(2023, 10, 1), date(2023, 11, 29), date(2024, 1, 2)),  # 1 Jan 2024 is a Monday
        (date(2021, 10, 1), date(2021, 11, 29), date(2022, 1, 4)),  # 3 Jan 2022 substitute
        (date(2023, 10, 25), None, date(2024, 1, 2)),  # 25 December itself
        (date(2022, 11, 1), None, date(2023, 1, 3)),  # 1 Jan 2023 Sunday, 2 Jan substitute
        (date(2023, 11, 2), None, date(2024, 1, 2)),  # 2 January is not moved
    ],
)
def test_a_christmas_deadline_moves_to_the_next_working_day_in_january(
    letter: date, certificate: date | None, deadline: date
) -> None:
    assert clock.appeal_deadline(letter, certificate) == deadline


def test_a_weekend_deadline_outside_the_closures_is_not_moved() -> None:
    # 24 December 2023 is a Sunday: the spec moves only August and 25 Dec to 1 Jan.
    assert clock.appeal_deadline(date(2023, 10, 24)) == date(2023, 12, 24)
