"""Where one authority's figure stands among all authorities' figures. Pure Python.

Standard competition ranking ("1224"): authorities with equal figures share the better rank and
the next rank is skipped. Counted from each end separately, so for figures 3, 5, 5, 9:

    from the bottom: 3 → 1, 5 → 2, 5 → 2, 9 → 4
    from the top:    9 → 1, 5 → 2, 5 → 2, 3 → 4

"5th lowest performing authority in the country" (report 000) is `from_bottom == 5` on DfE's
`PC_plans_issued_20_weeks_ex` among the local authorities that have a published figure.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rank:
    from_bottom: int  # 1 = the lowest figure
    from_top: int  # 1 = the highest figure
    of: int  # how many figures were ranked
    tied: int  # how many figures (this one included) are equal to it


def rank_of(value: Decimal, values: Iterable[Decimal]) -> Rank:
    """Rank `value` among `values`, which must contain it at least once.

    >>> rank_of(Decimal(5), [Decimal(3), Decimal(5), Decimal(5), Decimal(9)])
    Rank(from_bottom=2, from_top=2, of=4, tied=2)
    """
    below = above = equal = 0
    for other in values:
        if other < value:
            below += 1
        elif other > value:
            above += 1
        else:
            equal += 1
    if equal == 0:
        raise ValueError(f"{value} is not among the values ranked")
    return Rank(from_bottom=below + 1, from_top=above + 1, of=below + above + equal, tied=equal)


def rank_all[K: Hashable](values: Mapping[K, Decimal]) -> dict[K, Rank]:
    """Rank every entry of `values` (e.g. authority code → figure) in O(n log n)."""
    ordered = sorted(values.values())
    n = len(ordered)
    first: dict[Decimal, int] = {}
    last: dict[Decimal, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index)
        last[value] = index
    return {
        key: Rank(
            from_bottom=first[value] + 1,
            from_top=n - last[value],
            of=n,
            tied=last[value] - first[value] + 1,
        )
        for key, value in values.items()
    }


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
