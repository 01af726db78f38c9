"""Numbers for people, in the language of the page: ``74,51`` and ``11.653.200 đồng`` in
Vietnamese, ``74.51`` and ``11,653,200`` in English.

These are display strings only. CSV and JSON stay canonical machine formats (point decimal,
no grouping); a number is never parsed back from these strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpiscore.exceptions import InputError
from kpiscore.model.numbers import canonical, format_points

__all__ = [
    "LANGS",
    "check_lang",
    "format_amount",
    "format_date",
    "format_figure",
    "format_number",
    "localise_number",
]

#: The languages every report speaks.
LANGS = ("vi", "en")

# (decimal mark, thousands separator) per language: Vietnamese writes 11.653.200,5.
_MARKS = {"vi": (",", "."), "en": (".", ",")}


def check_lang(lang: str, where: str) -> str:
    """Return ``lang`` when it is ``"vi"`` or ``"en"``; else raise naming ``where``.

    >>> check_lang("vi", "excel")
    'vi'
    """
    if lang not in _MARKS:
        raise InputError(f"{where}: lang must be 'vi' or 'en' (got {lang!r})")
    return lang


def format_date(on: date, lang: str = "vi") -> str:
    """A date as people of ``lang`` write it: ``03/02/2026`` in Vietnamese, ISO in English.

    Display only: CSV and JSON keep ISO dates (``2026-02-03``).

    >>> format_date(date(2026, 2, 3)), format_date(date(2026, 2, 3), "en")
    ('03/02/2026', '2026-02-03')
    """
    if check_lang(lang, "date format") == "vi":
        return f"{on.day:02d}/{on.month:02d}/{on.year:04d}"
    return on.isoformat()


def localise_number(text: str, lang: str = "vi", *, grouping: bool = True) -> str:
    """Rewrite a plain number's text (``-1234.5``) with the language's marks.

    Args:
        text: Digits, an optional leading ``-`` and at most one ``.``.
        lang: ``"vi"`` (``1.234,5``) or ``"en"`` (``1,234.5``).
        grouping: Group the integer part's thousands (off for ids and years).

    >>> localise_number("-11653200.5")
    '-11.653.200,5'
    >>> localise_number("74.51", "en")
    '74.51'
    """
    point, thousands = _MARKS[check_lang(lang, "number format")]
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if grouping and len(whole) > 3:
        head = len(whole) % 3 or 3
        groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
        whole = thousands.join(groups)
    return sign + whole + (point + fraction if fraction else "")


def format_number(
    value: Decimal, lang: str = "vi", *, keep_places: bool = True, grouping: bool = True
) -> str:
    """A decimal as people of ``lang`` write it.

    Args:
        value: The number.
        lang: ``"vi"`` or ``"en"``.
        keep_places: Keep the value's decimal places (``74.50`` stays ``74,50``, as a reported
            figure quantized to 0.01 should); ``False`` drops trailing zeros (``2.5``).
        grouping: Group thousands.

    >>> format_number(Decimal("74.51"))
    '74,51'
    >>> format_number(Decimal("2.50"), keep_places=False), format_number(Decimal("1234.5"), "en")
    ('2,5', '1,234.5')
    """
    text = format_points(value) if keep_places else canonical(value)
    return localise_number(text, lang, grouping=grouping)


def format_figure(value: Decimal, lang: str = "vi") -> str:
    """A figure of a rule's arithmetic as given, trailing zeros dropped: ``1.000,5`` in
    Vietnamese (grouped), canonical ``1000.5`` in English (as the CSV and JSON write it).

    The one number format of the arithmetic phrases of explanations and printed forms.

    >>> format_figure(Decimal("1000.50")), format_figure(Decimal("1000.50"), "en")
    ('1.000,5', '1000.5')
    """
    if check_lang(lang, "number format") == "en":
        return canonical(value)
    return format_number(value, lang, keep_places=False)


def format_amount(value: Decimal | None, lang: str = "vi", *, unit: bool = True) -> str:
    """An amount of money in đồng: ``11.653.200 đồng`` (``11,653,200 VND`` in English).

    The one money format of kpiscore: ``kpiscore.payout.format_money`` (public, English digits,
    no unit) is this one with ``lang="en", unit=False``; the two names say which is which.
    Trailing zero decimals are dropped; a fractional part is kept as given; ``None`` (no amount)
    is ``""``.

    >>> format_amount(Decimal("11653200"))
    '11.653.200 đồng'
    >>> format_amount(Decimal("11653200.00"), "en")
    '11,653,200 VND'
    >>> format_amount(Decimal("468000.50"), "en", unit=False), format_amount(None)
    ('468,000.5', '')
    """
    name = "đồng" if check_lang(lang, "money format") == "vi" else "VND"
    if value is None:
        return ""
    text = format_number(value, lang, keep_places=False)
    return f"{text} {name}" if unit else text
