"""Numbers as fact and salary files write them: a strict syntax, in one of two number formats.

A number cell holds digits, at most one leading ``-`` and at most one decimal separator, and
nothing else: no ``_`` (Python's ``Decimal("1_7")`` is 17), no exponent, no ``+``, no spaces
inside. A trailing ``%`` divides by a hundred (``"90%"`` is 0.9, exactly). Two formats:

``"point"`` (the default)
    ``.`` is the decimal separator and there is no grouping: ``0.9``, ``7020000``, ``1.000``
    (which is the number 1: one decimal point, three zero decimals).
``"vi"``
    As Vietnamese offices write: ``,`` is the decimal separator and ``.`` groups thousands in
    threes: ``0,9``, ``7.020.000``, ``7.020.000,5``, ``90,5%``.

A cell that the other format would read is refused with a hint naming that format, so a
``7.020.000`` in a default-format file never reads as something else silently.

>>> read_number("7.020.000", "vi"), read_number("0,9", "vi"), read_number("90%")
(Decimal('7020000'), Decimal('0.9'), Decimal('0.90'))
>>> read_number("1_7")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kpiscore.io.file_numbers.NumberSyntaxError: expected a number (got '1_7'); '_' is not read ...
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final, Literal, get_args

from kpiscore.exceptions import InputError, KpiscoreError
from kpiscore.io.documents import _shown
from kpiscore.model.numbers import to_decimal

__all__ = [
    "NUMBER_FORMATS",
    "NumberFormat",
    "NumberSyntaxError",
    "check_number_format",
    "read_number",
]

#: How numbers are written in a file: ``"point"`` (``0.9``, the default) or ``"vi"``
#: (``0,9`` and ``7.020.000``).
NumberFormat = Literal["point", "vi"]
NUMBER_FORMATS: Final[tuple[str, ...]] = get_args(NumberFormat)

_POINT: Final = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_VI: Final = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|-?,\d+")


class NumberSyntaxError(InputError):
    """A cell is not a number in the file's number format (the caller adds the place)."""


def check_number_format(value: object, where: str = "number_format") -> NumberFormat:
    """``value`` when it is a number format, else an :class:`InputError` naming ``where``.

    >>> check_number_format("vi")
    'vi'
    """
    if value == "point":
        return "point"
    if value == "vi":
        return "vi"
    raise InputError(f"{where} must be 'point' or 'vi' (got {value!r})")


def _plain(text: str, fmt: NumberFormat) -> str | None:
    """The number's text in Python's syntax, or ``None`` when ``fmt`` does not read it."""
    if fmt == "vi":
        if not _VI.fullmatch(text):
            return None
        return text.replace(".", "").replace(",", ".")
    return text if _POINT.fullmatch(text) else None


def _hint(text: str, fmt: NumberFormat) -> str:
    """Why ``text`` is not a number in ``fmt``, when that can be told."""
    if fmt == "point" and _plain(text, "vi") is not None:
        if "," in text:
            return (
                "; write the decimal separator as a point ('0.9', not '0,9'), or read the file"
                " with number format 'vi'"
            )
        return (
            f"; did you mean number format 'vi' (--number-format vi), where it reads"
            f" {_plain(text, 'vi')}?"
        )
    if fmt == "vi" and _plain(text, "point") is not None:
        return (
            "; in number format 'vi' the decimal separator is a comma ('0,9') and '.' groups"
            " thousands in threes (7.020.000)"
        )
    if "_" in text:
        return "; '_' is not read in numbers: write the digits only (17, not 1_7)"
    if text.startswith("+"):
        return "; write no '+' sign"
    if re.fullmatch(r"[-+]?[\d.,]*\d[eE][-+]?\d+", text):
        return "; exponents are not read: write the number in full (1500, not 1.5e3)"
    if fmt == "point" and re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return "; write no thousands separators (1234567.5, not 1,234,567.5)"
    return ""


def read_number(value: object, fmt: NumberFormat = "point", *, field: str = "value") -> Decimal:
    """The exact number a file cell holds.

    Text follows the number format ``fmt`` (see the module); a trailing ``%`` divides by a
    hundred. Numbers already typed (a JSON number, an Excel number cell) are taken as they
    are; a boolean is not a number.

    Raises:
        NumberSyntaxError: text that is not a number in ``fmt`` (with a hint when the other
            format reads it), a boolean, or a number beyond kpiscore's bounds (10**15, 40
            decimal places).
    """
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        if percent:
            text = text[:-1].rstrip()
        plain = _plain(text, fmt)
        if plain is None:
            raise NumberSyntaxError(f"expected a number (got {_shown(value)}){_hint(text, fmt)}")
        number = Decimal(plain)  # the syntax is checked: this converts, exactly
        if percent:  # built from its digits: no context rounds it
            sign, digits, exponent = number.as_tuple()
            number = Decimal((sign, digits, int(exponent) - 2))
        return _bounded(number, value, field)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise NumberSyntaxError(f"expected a number (got {type(value).__name__} {_shown(value)})")
    return _bounded(value, value, field)


def _bounded(number: object, given: object, field: str) -> Decimal:
    try:
        return to_decimal(number, owner="cell", field=field)
    except KpiscoreError as error:
        reason = str(error).removeprefix(f"cell: {field} ")
        if "(got" in reason:
            reason = reason[: reason.rindex("(got")].rstrip()
        raise NumberSyntaxError(f"{reason} (got {_shown(given)})") from None
