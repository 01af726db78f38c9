"""Integer columns rounded with a decimal rounding mode, exactly: :func:`round_units`.

The columnar engine's one rounding step (each category's sum of units, the roll-up's means):
a floor division plus a correction of 0 or 1, computed only as far as the mode needs.

>>> import numpy as np
>>> round_units(np.array([5, -5, 7], dtype=np.int64), 2, "ROUND_HALF_EVEN").tolist()
[2, -2, 4]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kpiscore.engine.columnar._arrays import Bools, Ints

__all__ = ["round_units"]


#: For numerators >= 0, a mode as ``(times, shift)``: the rounded quotient of n / d is
#: ``(times · n + shift(d)) // (times · d)`` (half-way cases: 2n + d over 2d rounds them up,
#: 2n + d - 1 over 2d down). Half-even and 05up take the general path.
_NONNEGATIVE: dict[str, tuple[int, Callable[[int], int]]] = {
    "ROUND_FLOOR": (1, lambda d: 0),
    "ROUND_DOWN": (1, lambda d: 0),
    "ROUND_CEILING": (1, lambda d: d - 1),
    "ROUND_UP": (1, lambda d: d - 1),
    "ROUND_HALF_UP": (2, lambda d: d),
    "ROUND_HALF_DOWN": (2, lambda d: d - 1),
}


def round_units(numerator: Ints, denominator: int, rounding: str) -> Ints:
    """``numerator / denominator`` rounded to integers with a decimal rounding mode, exactly.

    The floor quotient plus a correction of 0 or 1, computed only as far as the mode needs
    (``denominator`` is positive; booleans add as 0 and 1).
    """
    if denominator == 1:
        return numerator
    quick = _NONNEGATIVE.get(rounding)
    if (
        quick is not None
        and numerator.dtype == np.int64
        and len(numerator)
        and denominator < 2**61
        and int(numerator.min()) >= 0
        and int(numerator.max()) < 2**61
    ):
        # Points are seldom negative: then the mode is one floor division of a shifted
        # numerator, (times · n + shift) // (times · d), without overflow below 2^61.
        times, shift = quick
        offset = shift(denominator)
        if times == 1 and not offset:
            quotient: Ints = numerator // denominator
            return quotient
        # One new array, divided in place (a new array's first writes are its cost).
        shifted: Ints = numerator + offset if times == 1 else numerator * times
        if times != 1 and offset:
            shifted += offset
        np.floor_divide(shifted, times * denominator, out=shifted)
        return shifted
    # A floor division and a product, not np.divmod: NumPy divides int64 by a constant about
    # ten times faster with ``//`` (the remainder is the same: denominator > 0, no overflow).
    floor: Ints = numerator // denominator
    remainder: Ints = numerator - floor * denominator
    if rounding == "ROUND_FLOOR":
        return floor
    inexact: Bools = remainder != 0
    negative: Bools = floor < 0
    up: Bools  # add one to the floor
    if rounding == "ROUND_CEILING":
        up = inexact
    elif rounding == "ROUND_DOWN":
        up = inexact & negative
    elif rounding == "ROUND_UP":
        up = inexact & ~negative
    elif rounding == "ROUND_05UP":
        toward_zero = floor + (inexact & negative)
        last = np.abs(toward_zero) % 10
        # Away from zero when the digit toward zero is 0 or 5; else toward zero.
        up = np.where(inexact & ((last == 0) | (last == 5)), ~negative, negative & inexact)
    else:
        twice = 2 * remainder
        tie = twice == denominator  # a tie is inexact: the remainder is half the denominator
        if rounding == "ROUND_HALF_UP":  # away from zero
            up = (twice > denominator) | (tie & ~negative)
        elif rounding == "ROUND_HALF_DOWN":  # toward zero
            up = (twice > denominator) | (tie & negative)
        else:  # ROUND_HALF_EVEN: toward the even neighbour (floor & 1 is 1 for odd, negatives too)
            up = (twice > denominator) | (tie & (floor & 1).astype(bool))
    result: Ints = floor + up
    return result
