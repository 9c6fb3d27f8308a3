"""The ranking rule: standard competition ranking ("1224") from each end. Pure Python."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcflow.insight.ranking import Rank, ordinal, rank_all, rank_of

D = Decimal


def test_equal_values_share_the_better_rank_from_each_end() -> None:
    values = [D(3), D(5), D(5), D(9)]
    assert rank_of(D(3), values) == Rank(from_bottom=1, from_top=4, of=4, tied=1)
    assert rank_of(D(5), values) == Rank(from_bottom=2, from_top=2, of=4, tied=2)
    assert rank_of(D(9), values) == Rank(from_bottom=4, from_top=1, of=4, tied=1)


def test_the_rank_after_a_tie_is_skipped_1224() -> None:
    ranks = rank_all({"a": D("1.0"), "b": D("2.0"), "c": D("2.0"), "d": D("3.0")})
    assert [ranks[k].from_bottom for k in "abcd"] == [1, 2, 2, 4]
    assert [ranks[k].from_top for k in "dcba"] == [1, 2, 2, 4]


def test_decimal_ties_are_exact() -> None:
    # 1.6 and 1.60 are the same figure; floats like 0.1 + 0.2 would not be.
    ranks = rank_all({"Cornwall": D("1.6"), "Portsmouth": D("1.60"), "Essex": D("0.9")})
    assert ranks["Cornwall"] == ranks["Portsmouth"] == Rank(2, 1, 3, 2)


def test_all_equal() -> None:
    assert rank_of(D(7), [D(7)] * 5) == Rank(from_bottom=1, from_top=1, of=5, tied=5)


def test_a_value_not_among_the_values_is_refused() -> None:
    with pytest.raises(ValueError, match="not among"):
        rank_of(D(4), [D(3), D(5)])


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=60))
def test_rank_all_agrees_with_rank_of_and_the_ranks_add_up(numbers: list[int]) -> None:
    values = {index: Decimal(n) / 10 for index, n in enumerate(numbers)}
    ranks = rank_all(values)
    for key, value in values.items():
        rank = rank_of(value, values.values())
        assert ranks[key] == rank
        assert rank.of == len(values)
        # below + above + tied = of, whichever end we count from
        assert (rank.from_bottom - 1) + (rank.from_top - 1) + rank.tied == rank.of
        assert rank.from_bottom == 1 + sum(1 for v in values.values() if v < value)


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (101, "101st"), (111, "111th"), (144, "144th")],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text
