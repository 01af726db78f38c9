"""The column diff behind a :class:`~kpiscore.Comparison` of two ``score_frame`` tables.

:func:`~kpiscore.compare` on DataFrames scores both policies with the columnar engine and
hands the two tables to :class:`ColumnDiff`, which finds the movers, the summary and their order
for everyone at once from the integer columns, and builds a person's
:class:`~kpiscore.ComparisonRow` only when it is read — with exactly the values the exact path
gives. numpy is imported inside the methods: building a comparison of objects never needs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from kpiscore.cycle.comparison_rows import (
    ComparisonRow,
    ComparisonSummary,
    Move,
    PointsMove,
    point_moves,
)
from kpiscore.exceptions import InputError
from kpiscore.model.numbers import EXACT, quantize_fraction

if TYPE_CHECKING:
    from kpiscore.engine.columnar._arrays import Bools, Ints
    from kpiscore.engine.columnar._figures import Figures, Units
    from kpiscore.results.scorecard import ScoreTable

__all__ = ["ColumnDiff"]


class ColumnDiff:
    """A comparison computed from the integer columns of two columnar tables of the same
    population: the moves, the summary and the order of movers for everyone at once, each
    person's :class:`ComparisonRow` built only when read (with exactly the exact path's
    values: the same rules decide which categories and criteria are listed)."""

    def __init__(
        self,
        base_table: ScoreTable,
        variant_table: ScoreTable,
        ratings: tuple[str | None, ...],
        *,
        same_policy: bool,
        same_shape: bool,
    ) -> None:
        import numpy as np

        from kpiscore.engine.columnar._figures import Figures

        base, variant = base_table.columns, variant_table.columns
        if not isinstance(base, Figures) or not isinstance(variant, Figures):
            raise InputError("compare: expected two tables from score_frame")  # pragma: no cover
        self.base, self.variant = base, variant
        self.base_policy = base.compiled.policy
        self.count = len(base.subjects)
        self.ratings = ratings
        self.same_policy, self.same_shape = same_policy, same_shape
        order = {rating: position for position, rating in enumerate(ratings)}
        self.base_position = self._positions(base, order)
        self.variant_position = self._positions(variant, order)
        self.exponent = max(base.exponent, variant.exponent)
        base_total = self._scaled(base.total_units, base.exponent)
        variant_total = self._scaled(variant.total_units, variant.exponent)
        self.delta = variant_total - base_total
        moved = (self.delta != 0) | (self.base_position != self.variant_position)
        if not same_policy:
            moved = moved | self._differ(
                base.compiled.category_ids,
                variant.compiled.category_ids,
                base.category_units,
                variant.category_units,
            )
            if not same_shape:
                moved = moved | self._differ(
                    [cid for cid, _ in _owners(base)],
                    [cid for cid, _ in _owners(variant)],
                    base.criterion_units,
                    variant.criterion_units,
                )
        self.moved = np.asarray(moved, dtype=bool)
        self._order: list[int] | None = None

    @staticmethod
    def _positions(figures: Figures, order: Mapping[str | None, int]) -> Ints:
        import numpy as np

        bands = [band.id for band in figures.compiled.bands]
        # The last entry is read for rank -1 (no rating: a policy without bands).
        lookup = np.array([order[band] for band in bands] + [order.get(None, -1)], dtype=np.int64)
        positions: Ints = lookup[figures.rank]
        return positions

    def _scaled(self, units: Units, exponent: int) -> Units:
        """``units`` (of ``10^-exponent``) in units of the finer of the two precisions."""
        import numpy as np

        shift = self.exponent - exponent
        if not shift:
            return units
        largest = int(np.abs(units).max(initial=0))
        if units.dtype == object or largest * 10**shift >= 2**62:
            scaled_objects: Units = units.astype(object) * 10**shift
            return scaled_objects
        scaled: Units = units * 10**shift
        return scaled

    def _differ(
        self, base_ids: Sequence[str], variant_ids: Sequence[str], base: Units, variant: Units
    ) -> Bools:
        """Who has a category (criterion) whose reported points differ, or which only one
        policy has (then everyone: it is listed with ``None`` on the other side)."""
        import numpy as np

        if set(base_ids) != set(variant_ids):
            return np.ones(self.count, dtype=bool)
        found = np.zeros(self.count, dtype=bool)
        where = {ident: index for index, ident in enumerate(variant_ids)}
        for index, ident in enumerate(base_ids):
            left = self._scaled(base[:, index], self.base.exponent)
            right = self._scaled(variant[:, where[ident]], self.variant.exponent)
            found |= np.asarray(left != right, dtype=bool)
        return found

    def row(self, position: int) -> ComparisonRow:
        base, variant = self.base, self.variant
        base_total = base.figure(base.total_units[position])
        variant_total = variant.figure(variant.total_units[position])
        before, after = int(self.base_position[position]), int(self.variant_position[position])
        move: Move = "up" if after < before else "down" if after > before else "same"
        categories: tuple[PointsMove, ...] = ()
        criteria: tuple[PointsMove, ...] = ()
        if not self.same_policy:
            categories = point_moves(
                _category_points(base, position), _category_points(variant, position)
            )
            if categories or base_total != variant_total or not self.same_shape:
                criteria = point_moves(
                    _column_criteria(base, position), _column_criteria(variant, position)
                )
        return ComparisonRow(
            subject=base.subjects[position],
            person=base.persons.person(position),
            base_total=base_total,
            variant_total=variant_total,
            base_rating=self.ratings[before],
            variant_rating=self.ratings[after],
            move=move,
            categories=categories,
            criteria=criteria,
        )

    def moved_positions(self) -> list[int]:
        """The positions of :attr:`Comparison.moved`, in its order."""
        if self._order is None:
            import numpy as np

            positions = np.flatnonzero(self.moved).tolist()
            steps = np.abs(self.base_position - self.variant_position).tolist()
            size = np.abs(self.delta).tolist()
            subjects = self.base.subjects
            self._order = sorted(positions, key=lambda i: (-steps[i], -size[i], subjects[i]))
        return self._order

    def summary(self) -> ComparisonSummary:
        import numpy as np

        ratings = self.ratings
        width = len(ratings)
        pairs = np.bincount(
            self.base_position * width + self.variant_position, minlength=width * width
        ).reshape(width, width)
        transitions = {
            a: {b: int(pairs[i, j]) for j, b in enumerate(ratings)} for i, a in enumerate(ratings)
        }
        mean = low = high = None
        if self.count:
            total = Fraction(int(self.delta.sum())) * Fraction(10) ** -self.exponent
            mean = quantize_fraction(
                total / self.count, self.base_policy.precision, self.base_policy.rounding
            )
            low = self._delta_at(int(np.argmin(self.delta)))
            high = self._delta_at(int(np.argmax(self.delta)))
        return ComparisonSummary(
            count=self.count,
            up=int((self.variant_position < self.base_position).sum()),
            down=int((self.variant_position > self.base_position).sum()),
            same=int((self.variant_position == self.base_position).sum()),
            totals_changed=int((self.delta != 0).sum()),
            mean_delta=mean,
            min_delta=low,
            max_delta=high,
            ratings=ratings,
            transitions=transitions,
            base_distribution={r: int(n) for r, n in zip(ratings, pairs.sum(axis=1), strict=True)},
            variant_distribution={
                r: int(n) for r, n in zip(ratings, pairs.sum(axis=0), strict=True)
            },
        )

    def _delta_at(self, position: int) -> Decimal:
        base, variant = self.base, self.variant
        return EXACT.subtract(
            variant.figure(variant.total_units[position]), base.figure(base.total_units[position])
        )


def _owners(figures: Figures) -> list[tuple[str, str]]:
    """(criterion id, category id) in the order of the criterion columns (policy order)."""
    policy = figures.compiled.policy
    return [
        (criterion.id, category.id)
        for category in policy.categories
        for criterion in category.criteria
    ]


def _category_points(figures: Figures, position: int) -> list[tuple[str, str | None, Decimal]]:
    return [
        (ident, None, figures.figure(figures.category_units[position, index]))
        for index, ident in enumerate(figures.compiled.category_ids)
    ]


def _column_criteria(figures: Figures, position: int) -> list[tuple[str, str | None, Decimal]]:
    return [
        (ident, owner, figures.figure(figures.criterion_units[position, index]))
        for index, (ident, owner) in enumerate(_owners(figures))
    ]
