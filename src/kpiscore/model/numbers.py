"""Exact decimal arithmetic, isolated from the caller's decimal context.

Every number kpiscore scores with is a :class:`decimal.Decimal`. Inputs are converted losslessly
(``float`` through its shortest ``repr``), arithmetic runs in :data:`EXACT`, a private context that
traps any inexact result, and rounding happens only in :func:`quantize` and
:func:`quantize_fraction`, with the policy's rounding mode passed explicitly. Nothing here reads or
changes the thread's current context.
"""

from __future__ import annotations

import decimal
from contextlib import AbstractContextManager
from decimal import Decimal
from fractions import Fraction
from typing import Final

from kpiscore.exceptions import InputError, KpiscoreError

__all__ = [
    "EXACT",
    "ROUNDING_MODES",
    "NumberLike",
    "canonical",
    "exact",
    "format_points",
    "number",
    "optional_number",
    "quantize",
    "quantize_fraction",
    "quantize_ratio",
    "to_decimal",
]

#: Largest magnitude accepted for one input number (points, ratios, quantities, salaries in VND).
MAX_MAGNITUDE: Final = Decimal("1E+15")  # a literal: no context is read at import
#: Finest resolution accepted for one input number: 40 decimal places.
MIN_EXPONENT: Final = -40

#: The private context all scoring arithmetic runs in. Inputs are bounded (see ``to_decimal``), so
#: 400 digits hold any sum or product the engine forms exactly; ``Inexact`` is trapped so a result
#: that would need rounding raises instead of being silently rounded.
EXACT: Final = decimal.Context(
    prec=400,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Underflow,
        decimal.Inexact,
    ],
)

# Context used only to quantize: rounding is the point there, so Inexact is not trapped.
_ROUNDER: Final = decimal.Context(
    prec=400,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: The rounding modes a policy may name: every ``decimal`` module rounding constant.
ROUNDING_MODES: Final = (
    decimal.ROUND_05UP,
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
)


def exact() -> AbstractContextManager[decimal.Context]:
    """A context manager that runs a block in a copy of :data:`EXACT`.

    Decimal operators use the thread's current context; inside this block that is kpiscore's own,
    and the caller's context is restored on exit (contexts are per thread and per task).
    """
    return decimal.localcontext(EXACT)


def to_decimal(
    value: object,
    *,
    owner: str,
    field: str,
    error: type[KpiscoreError] = InputError,
) -> Decimal:
    """Convert an input number to an exact, finite :class:`Decimal`.

    ``int``, ``str`` and ``Decimal`` convert exactly; a ``float`` converts through its shortest
    ``repr`` so ``2.5`` means ``Decimal("2.5")`` and ``0.1`` means ``Decimal("0.1")``. ``bool``,
    NaN, infinities, non-numeric strings and numbers beyond kpiscore's bounds are rejected.

    Args:
        value: The number received.
        owner: What the number belongs to, for the message (``"criterion 'training'"``).
        field: The field name, for the message (``"max_points"``).
        error: The error class to raise (a policy part raises :class:`PolicyError`).

    Returns:
        The exact decimal value.

    Raises:
        InputError: (or ``error``) naming the owner, the field, the value and the expectation.

    >>> to_decimal(2.5, owner="deduction 'absence'", field="points")
    Decimal('2.5')
    >>> to_decimal("abc", owner="deduction 'absence'", field="points")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.InputError: deduction 'absence': points must be a finite number ...
    """
    expected = "a finite number (int, str, Decimal or float)"
    result: Decimal
    if isinstance(value, bool):
        raise error(f"{owner}: {field} must be {expected}, not a bool (got {value!r})")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", "") if value.strip() else "x")
        except decimal.InvalidOperation:
            raise error(f"{owner}: {field} must be {expected} (got {value!r})") from None
    else:
        raise error(f"{owner}: {field} must be {expected} (got {type(value).__name__} {value!r})")
    if not result.is_finite():
        raise error(f"{owner}: {field} must be {expected} (got {value!r})")
    # copy_abs() and comparisons use no context: the caller's cannot overflow or round here.
    if result.copy_abs() >= MAX_MAGNITUDE:
        raise error(f"{owner}: {field} must be less than 10**15 in magnitude (got {value!r})")
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < MIN_EXPONENT and result != 0:
        raise error(f"{owner}: {field} must have at most 40 decimal places (got {value!r})")
    if result.is_zero():
        return result.copy_abs()  # -0 means 0
    return result


def quantize(value: Decimal, precision: Decimal, rounding: str) -> Decimal:
    """Round an exact decimal once, to ``precision``, with the named rounding mode.

    >>> quantize(Decimal("60.665"), Decimal("0.01"), "ROUND_HALF_UP")
    Decimal('60.67')
    >>> quantize(Decimal("60.665"), Decimal("0.01"), "ROUND_HALF_EVEN")
    Decimal('60.66')

    Raises:
        InputError: ``rounding`` is not one of :data:`ROUNDING_MODES`.

    >>> quantize(Decimal("1.5"), Decimal("1"), "half_up")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.InputError: rounding must be one of 'ROUND_05UP', ... (got 'half_up')
    """
    # decimal raises a bare TypeError for an unknown mode, and rounds None as its context does.
    _check_rounding(rounding)
    result = value.quantize(precision, rounding=rounding, context=_ROUNDER)
    return result.copy_abs() if result.is_zero() else result


def _check_rounding(rounding: object) -> None:
    """Refuse a rounding mode that is not one of :data:`ROUNDING_MODES`, naming the valid ones."""
    if rounding not in ROUNDING_MODES:  # ==, not a hash: any object is refused
        modes = ", ".join(repr(mode) for mode in ROUNDING_MODES)
        raise InputError(f"rounding must be one of {modes} (got {rounding!r})")


def quantize_fraction(value: Fraction, precision: Decimal, rounding: str) -> Decimal:
    """Round an exact rational number to ``precision`` with the named mode, exactly.

    Division results (a category's weighted mean, a roll-up's mean) are kept as fractions and
    rounded here, once: the quotient is never rounded to some working precision first, so a
    rounding tie is recognised as a tie and nothing is rounded twice.

    >>> quantize_fraction(Fraction(182, 3), Decimal("0.01"), "ROUND_HALF_UP")
    Decimal('60.67')
    >>> quantize_fraction(Fraction(1, 8), Decimal("0.01"), "ROUND_HALF_EVEN")
    Decimal('0.12')
    """
    return quantize_ratio(value.numerator, value.denominator, precision, rounding)


def quantize_ratio(numerator: int, denominator: int, precision: Decimal, rounding: str) -> Decimal:
    """Round ``numerator / denominator`` (integers, denominator > 0) to ``precision``, exactly.

    Pure integer arithmetic: the quotient in units of ``precision`` is split into its floor and
    remainder, and the named mode decides from those alone — every mode exactly as ``decimal``
    defines it, ties recognised exactly.

    >>> quantize_ratio(182, 3, Decimal("0.01"), "ROUND_HALF_UP")
    Decimal('60.67')
    >>> quantize_ratio(-1, 8, Decimal("0.01"), "ROUND_HALF_UP")
    Decimal('-0.13')

    Raises:
        InputError: ``rounding`` is not one of :data:`ROUNDING_MODES` (whether or not the
            quotient needs rounding, as :func:`quantize`).
    """
    _check_rounding(rounding)
    exponent = precision.adjusted()
    if exponent <= 0:
        numerator *= 10 ** (-exponent)
    else:
        denominator *= 10**exponent
    whole, remainder = divmod(numerator, denominator)  # floor division: 0 <= remainder < den
    if remainder:
        whole = _round_units(whole, remainder, denominator, rounding)
    return Decimal(whole).scaleb(exponent, _ROUNDER)


def _round_units(floor: int, remainder: int, denominator: int, rounding: str) -> int:
    """The rounded integer for ``floor + remainder / denominator`` (0 < remainder < denominator)."""
    negative = floor < 0  # the true value lies strictly between floor and floor + 1
    toward_zero = floor + 1 if negative else floor
    away = floor if negative else floor + 1
    if rounding == decimal.ROUND_FLOOR:
        return floor
    if rounding == decimal.ROUND_CEILING:
        return floor + 1
    if rounding == decimal.ROUND_DOWN:
        return toward_zero
    if rounding == decimal.ROUND_UP:
        return away
    if rounding == decimal.ROUND_05UP:
        return away if toward_zero % 10 in (0, 5) else toward_zero
    twice = 2 * remainder
    if twice != denominator:
        # Not a tie: the nearer neighbour. Above the midpoint means nearer floor + 1.
        return floor + 1 if twice > denominator else floor
    if rounding == decimal.ROUND_HALF_UP:
        return away
    if rounding == decimal.ROUND_HALF_DOWN:
        return toward_zero
    # ROUND_HALF_EVEN, the last mode (quantize_ratio has refused any other).
    return floor if floor % 2 == 0 else floor + 1


def canonical(value: Decimal) -> str:
    """The canonical text of a decimal: normalised, fixed-point, so equal values print equal.

    >>> canonical(Decimal("2.50")), canonical(Decimal("1E+2")), canonical(Decimal("-0"))
    ('2.5', '100', '0')
    """
    if value.is_zero():
        return "0"
    return f"{value.normalize(context=_ROUNDER):f}"


def format_points(value: Decimal) -> str:
    """Format a decimal for people: fixed-point, no exponent, ``-0`` shown as ``0``.

    >>> format_points(Decimal("1E+1"))
    '10'
    >>> format_points(Decimal("-0.00"))
    '0.00'
    """
    if value.is_zero():
        value = value.copy_abs()
    return f"{value:f}"


NumberLike = Decimal | int | str | float
"""What callers may pass where kpiscore expects a number."""


def number(value: NumberLike) -> Decimal:
    """attrs converter: a lossless conversion to ``Decimal``.

    A value it cannot convert is passed through unchanged, so the field's validator, which knows
    the owner and the field, reports it with a full message.
    """
    try:
        return to_decimal(value, owner="value", field="value")
    except KpiscoreError:
        return value  # type: ignore[return-value]


def optional_number(value: NumberLike | None) -> Decimal | None:
    """attrs converter: like :func:`number`, keeping ``None``."""
    return None if value is None else number(value)
