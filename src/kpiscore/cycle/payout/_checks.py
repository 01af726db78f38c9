"""Checks of a payout table's parts that need no table: the days pair of a line, and a
cycle among the relations between ratings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from kpiscore.exceptions import InputError
from kpiscore.model.numbers import NumberLike, to_decimal

if TYPE_CHECKING:
    from kpiscore.cycle.payout._table import PayoutRelation


def days_pair(
    owner: str, days_worked: NumberLike | None, days_in_period: NumberLike | None
) -> tuple[Decimal | None, Decimal | None]:
    if days_worked is None and days_in_period is None:
        return None, None
    if days_worked is None or days_in_period is None:
        missing = "days_in_period" if days_in_period is None else "days_worked"
        raise InputError(
            f"{owner}: days_worked and days_in_period go together; {missing} is missing"
        )
    worked = to_decimal(days_worked, owner=owner, field="days_worked")
    days = to_decimal(days_in_period, owner=owner, field="days_in_period")
    if days <= 0:
        raise InputError(f"{owner}: days_in_period must be > 0 (got {days!r})")
    if not 0 <= worked <= days:
        raise InputError(
            f"{owner}: days_worked must lie between 0 and days_in_period ({days}) (got {worked!r})"
        )
    return worked, days


def relation_cycle(relations: Sequence[PayoutRelation]) -> list[str] | None:
    edges: dict[str, list[str]] = {}
    for relation in relations:
        edges.setdefault(relation.rating, []).append(relation.of)

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        for following in edges.get(node, ()):
            found = visit(following, [*path, node])
            if found:
                return found
        return None

    for start in sorted(edges):
        found = visit(start, [])
        if found:
            return found
    return None
