"""The rows of a :class:`~kpiscore.Comparison`: one person's moves and the headline summary.

:class:`PointsMove`, :class:`ComparisonRow` and :class:`ComparisonSummary` are re-exported by
:mod:`kpiscore.variants` and :mod:`kpiscore`; the exact path (:mod:`.comparison`) and the column
diff (:mod:`.comparison_columns`) both build them, with :func:`point_moves` deciding which
categories and criteria a row lists.

>>> from decimal import Decimal
>>> str(PointsMove(id="x", category="c", base_points=Decimal("40"), variant_points=Decimal("45")))
'x 40 → 45'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

import attrs

from kpiscore.model.facts import Person
from kpiscore.model.jsontypes import JsonObject, JsonScalar
from kpiscore.model.numbers import EXACT, format_points

__all__ = ["ComparisonRow", "ComparisonSummary", "Move", "PointsMove", "point_moves"]

#: How a person's rating moved: to a higher band, a lower one, or the same.
Move = Literal["up", "down", "same"]


@attrs.frozen(kw_only=True)
class PointsMove:
    """A category or criterion whose reported points differ between base and variant.

    Attributes:
        id: The category or criterion id.
        category: For a criterion, the id of its category (in the base, else the variant);
            ``None`` for a category.
        base_points: The reported points under the base, or ``None`` when the base has no such
            category or criterion.
        variant_points: The same under the variant.
    """

    id: str
    category: str | None
    base_points: Decimal | None
    variant_points: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        """``variant_points − base_points``, exact; ``None`` when one side has no such item."""
        if self.base_points is None or self.variant_points is None:
            return None
        return EXACT.subtract(self.variant_points, self.base_points)

    def to_dict(self) -> JsonObject:
        """The move as a JSON-ready tree (decimals as strings)."""
        delta = self.delta
        return {
            "id": self.id,
            "category": self.category,
            "base_points": _text(self.base_points),
            "variant_points": _text(self.variant_points),
            "delta": _text(delta),
        }

    def __str__(self) -> str:
        return f"{self.id} {_text(self.base_points) or '—'} → {_text(self.variant_points) or '—'}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_points(value)


@attrs.frozen(kw_only=True, eq=False)
class ComparisonRow:
    """One person under the base and under the variant.

    Attributes:
        subject: The person's id.
        person: The :class:`~kpiscore.Person` (attributes included).
        base_total: The reported total under the base policy.
        variant_total: The reported total under the variant.
        base_rating: The rating under the base (``None`` when it has no bands).
        variant_rating: The rating under the variant.
        move: ``"up"``, ``"down"`` or ``"same"``: the rating's move (see
            :attr:`Comparison.ratings` for the order of ratings).
        categories: The categories whose reported points moved, in policy order.
        criteria: The criteria whose reported points moved, in policy order. When both
            policies have the same criteria in the same categories, they are looked for only in
            people whose total or category points moved (see ``docs/variants.md``).
    """

    subject: str
    person: Person
    base_total: Decimal
    variant_total: Decimal
    base_rating: str | None
    variant_rating: str | None
    move: Move
    categories: tuple[PointsMove, ...] = ()
    criteria: tuple[PointsMove, ...] = ()

    @property
    def delta(self) -> Decimal:
        """``variant_total − base_total``, exact."""
        return EXACT.subtract(self.variant_total, self.base_total)

    @property
    def moved(self) -> bool:
        """Whether anything differs: the total, the rating, a category or a criterion."""
        return bool(
            self.base_total != self.variant_total
            or self.base_rating != self.variant_rating
            or self.categories
            or self.criteria
        )

    def _who(self) -> dict[str, JsonScalar]:
        return {
            "subject": self.subject,
            "name": self.person.name,
            "unit": self.person.unit,
            "group": self.person.group,
            "position": self.person.position,
        }

    def to_row(self) -> dict[str, JsonScalar]:
        """A flat row: the person, both totals and ratings, the delta, what moved (as text)."""
        return {
            **self._who(),
            "base_total": self.base_total,
            "variant_total": self.variant_total,
            "delta": self.delta,
            "base_rating": self.base_rating,
            "variant_rating": self.variant_rating,
            "move": self.move,
            "categories_moved": "; ".join(str(move) for move in self.categories),
            "criteria_moved": "; ".join(str(move) for move in self.criteria),
        }

    def to_dict(self) -> JsonObject:
        """The row as a JSON-ready tree (decimals as strings)."""
        return {
            **self._who(),
            "base_total": format_points(self.base_total),
            "variant_total": format_points(self.variant_total),
            "delta": format_points(self.delta),
            "base_rating": self.base_rating,
            "variant_rating": self.variant_rating,
            "move": self.move,
            "categories": [move.to_dict() for move in self.categories],
            "criteria": [move.to_dict() for move in self.criteria],
        }


@attrs.frozen(kw_only=True)
class ComparisonSummary:
    """Headline figures of a comparison.

    Attributes:
        count: People compared.
        up: People whose rating went up under the variant.
        down: People whose rating went down.
        same: People whose rating stayed.
        totals_changed: People whose total changed.
        mean_delta: The exact mean of the deltas, rounded once with the base policy's precision
            and rounding (``None`` for an empty population).
        min_delta: The largest fall (the smallest delta), or ``None``.
        max_delta: The largest rise, or ``None``.
        ratings: The ratings in order, highest first (see :attr:`Comparison.ratings`).
        transitions: Base rating → variant rating → people: the transition matrix, every
            rating listed on both sides, zeros included.
        base_distribution: People per rating under the base.
        variant_distribution: People per rating under the variant.
    """

    count: int
    up: int
    down: int
    same: int
    totals_changed: int
    mean_delta: Decimal | None
    min_delta: Decimal | None
    max_delta: Decimal | None
    ratings: tuple[str | None, ...]
    transitions: Mapping[str | None, Mapping[str | None, int]]
    base_distribution: Mapping[str | None, int]
    variant_distribution: Mapping[str | None, int]

    def to_dict(self) -> JsonObject:
        """The summary as a JSON-ready tree (decimals as strings; no rating is ``"null"``)."""

        def key(rating: str | None) -> str:
            return "null" if rating is None else rating

        return {
            "count": self.count,
            "up": self.up,
            "down": self.down,
            "same": self.same,
            "totals_changed": self.totals_changed,
            "mean_delta": _text(self.mean_delta),
            "min_delta": _text(self.min_delta),
            "max_delta": _text(self.max_delta),
            "ratings": [key(r) for r in self.ratings],
            "transitions": {
                key(a): {key(b): n for b, n in row.items()} for a, row in self.transitions.items()
            },
            "base_distribution": {key(r): n for r, n in self.base_distribution.items()},
            "variant_distribution": {key(r): n for r, n in self.variant_distribution.items()},
        }


def point_moves(
    base_points: Iterable[tuple[str, str | None, Decimal]],
    variant_points: Iterable[tuple[str, str | None, Decimal]],
) -> tuple[PointsMove, ...]:
    """The categories (criteria) whose points differ, base order first, then the variant's
    own: ``(id, owning category or None, points)`` triples on each side."""
    before = {ident: (owner, points) for ident, owner, points in base_points}
    after = {ident: (owner, points) for ident, owner, points in variant_points}
    order = [*before, *(ident for ident in after if ident not in before)]
    moves = []
    for ident in order:
        old, new = before.get(ident), after.get(ident)
        if old is not None and new is not None and old[1] == new[1]:
            continue
        owner = old[0] if old is not None else new[0] if new is not None else None
        moves.append(
            PointsMove(
                id=ident,
                category=owner,
                base_points=None if old is None else old[1],
                variant_points=None if new is None else new[1],
            )
        )
    return tuple(moves)
