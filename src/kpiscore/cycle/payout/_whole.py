"""A payout table's monthly amounts for many whole salaries at once, on integers
(:meth:`kpiscore.payout.PayoutTable.paid_whole`), and a payout run's amounts for everyone on a
whole salary (:func:`amounts_whole`, behind :func:`kpiscore.payout.payout_amounts`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from kpiscore.model.numbers import EXACT

if TYPE_CHECKING:
    from kpiscore.cycle.payout._table import PayoutRate, PayoutTable

__all__ = ["amounts_whole", "monthly_whole"]


def monthly_whole(
    table: PayoutTable, rate: PayoutRate, salaries: Sequence[int]
) -> tuple[list[int], int]:
    """``PayoutTable._monthly``'s ``monthly`` for each whole salary, as integers in units of
    ``10 ** -places``: ``(values, places)``; the same steps in the same order."""
    relations = [
        (relation.at_most, monthly_whole(table, table.rate(relation.of), salaries))
        for relation in table.relations
        if relation.rating == rate.rating
    ]
    figures = [rate.coefficient, rate.floor, rate.cap, rate.cap_multiple]
    places = max(_places(figure) for figure in figures if figure is not None)
    for at_most, (_, other) in relations:
        places = max(places, _places(at_most) + other)

    def units(figure: Decimal, at: int = places) -> int:
        return int(figure.scaleb(at, EXACT))  # exact: at >= the figure's places

    coefficient = units(rate.coefficient)
    values = [coefficient * salary for salary in salaries]
    if rate.floor is not None:
        floor = units(rate.floor)
        values = [max(value, floor) for value in values]
    if rate.cap is not None:
        cap = units(rate.cap)
        values = [min(value, cap) for value in values]
    if rate.cap_multiple is not None:
        multiple = units(rate.cap_multiple)
        values = [min(v, multiple * s) for v, s in zip(values, salaries, strict=True)]
    for at_most, (other_values, other) in relations:
        share = units(at_most, places - other)
        values = [min(v, share * o) for v, o in zip(values, other_values, strict=True)]
    return values, places


def _places(figure: Decimal) -> int:
    """The decimal places of an exact figure (0 for a whole one)."""
    exponent = figure.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def amounts_whole(
    table: PayoutTable, ratings: Sequence[str], salaries: Sequence[int], months: int
) -> list[Decimal]:
    """Each person's amount for ``months`` at their rating, on a whole salary >= 0 (both in
    order): one exact computation per distinct (rating, salary), ratings in order of first
    appearance (an unknown one is named as a person-by-person loop would name it).

    With NumPy installed and many people, the distinct pairs are found with one integer sort
    and each person's amount taken from them by position (no dictionary look-up per person);
    otherwise one integer key per person in a dictionary. The same amounts either way.

    >>> from kpiscore.payout import load
    >>> amounts_whole(load("danang-2026"), ["HTT", "HT", "HTT"], [7_020_000, 4_000_000,
    ...     7_020_000], 1)
    [Decimal('2106000'), Decimal('500000'), Decimal('2106000')]
    """
    code_of = {rating: code for code, rating in enumerate(dict.fromkeys(ratings))}
    width = len(code_of)
    found = _by_position(table, code_of, ratings, salaries, months)
    if found is not None:
        return found
    keys = [
        value * width + code
        for value, code in zip(salaries, map(code_of.__getitem__, ratings), strict=True)
    ]
    by_code: list[list[int]] = [[] for _ in code_of]
    for key in set(keys):
        by_code[key % width].append(key)
    known: dict[int, Decimal] = {}
    for (rating, code), group in zip(code_of.items(), by_code, strict=True):
        whole = [(key - code) // width for key in group]
        known.update(zip(group, table.paid_whole(rating, whole, months), strict=True))
    return list(map(known.__getitem__, keys))


#: Below this many people the dictionary of keys is as quick as NumPy's sort.
_MANY = 2_000


def _by_position(
    table: PayoutTable,
    code_of: dict[str, int],
    ratings: Sequence[str],
    salaries: Sequence[int],
    months: int,
) -> list[Decimal] | None:
    """:func:`amounts_whole` with NumPy: ``None`` when it is not installed, for few people,
    or when a key could leave int64 (then the dictionary path computes them)."""
    if len(salaries) < _MANY:
        return None
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - the numpy-less path is the dictionary's
        return None
    width = len(code_of)
    try:
        pay = np.fromiter(salaries, dtype=np.int64, count=len(salaries))
    except OverflowError:
        return None
    if int(pay.max()) >= 2**62 // width:
        return None
    codes = np.fromiter(map(code_of.__getitem__, ratings), dtype=np.int64, count=len(ratings))
    distinct, inverse = np.unique(pay * width + codes, return_inverse=True)
    amounts = np.empty(len(distinct), dtype=object)
    code_at = distinct % width
    for rating, code in code_of.items():
        at = np.flatnonzero(code_at == code)
        paid = table.paid_whole(rating, (distinct.take(at) // width).tolist(), months)
        amounts[at] = paid
    result: list[Decimal] = amounts.take(inverse.reshape(-1)).tolist()
    return result
