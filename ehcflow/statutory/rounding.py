"""Rounding of published figures: half away from zero, as DfE and council reports round."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

__all__ = ["round_half_up"]


def round_half_up(x: float | Fraction | Decimal | int, places: int = 1) -> float:
    """Round to `places` decimals with halves going up: 0.05 → 0.1, 2.25 → 2.3, 0.15 → 0.2.

    Python's `round` rounds halves to even and sees floats in binary, so `round(0.15, 1)` is
    0.1. A float is read as its shortest decimal form (`repr`), which is the number a person
    typed or a report printed; fractions are rounded exactly. Negative halves round away from
    zero, as `decimal.ROUND_HALF_UP` does.
    """
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"cannot round {x}")
        exact = Fraction(repr(x))
    else:
        exact = Fraction(x)
    scale = Fraction(10) ** places
    scaled = abs(exact) * scale
    magnitude = math.floor(scaled + Fraction(1, 2))
    signed = magnitude if exact >= 0 else -magnitude
    return float(Fraction(signed) / scale)
