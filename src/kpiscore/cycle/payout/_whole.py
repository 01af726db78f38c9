"""A payout table's monthly amounts for many whole salaries at once, on integers
(:meth:`kpiscore.payout.PayoutTable.paid_whole`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from kpiscore.model.numbers import EXACT

if TYPE_CHECKING:
    from kpiscore.cycle.payout._table import PayoutRate, PayoutTable

__all__ = ["monthly_whole"]


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
