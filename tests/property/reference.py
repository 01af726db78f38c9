"""An independent reference scorer, written from DESIGN.md with ``fractions.Fraction``.

It shares no code with either engine (nor with ``kpiscore.model.numbers``): it reads only the
public fields of the policy objects and of the facts, computes every figure as an exact
fraction, and rounds each reported figure once with its own rounding routine. The property tests
in ``test_reference_props.py`` check both engines against it; a disagreement means one of the
three misreads the contract.

The rules, as DESIGN.md states them:

- a rule sums, over the non-excused events of its kind in the period, ``points`` per occurrence
  (or ``points × quantity`` with ``per="unit"``), capped at its ``limit``;
- a criterion starts at ``max`` (full), 0 (zero), the measure (assessed) or ``max × r`` (ratio,
  ``r`` capped at 1 with ``ratio_cap``); raw = start + awards − deductions; points = raw clamped
  to ``[floor, max]``; with ``overflow="carry"`` the deduction absorbed below the floor is carried
  to the total (at most the deductions applied);
- a category is ``max_points × Σ(wᵢ·pᵢ/maxᵢ) / Σwᵢ`` (weights default to each criterion's
  maximum, ``max_points`` to the sum of the maxima), over the criteria not excluded;
- total = Σ reported category points − reported carried deduction, clamped at 0;
- the rating is the highest band with ``min_points <= total``, lowered to at most ``at_most`` by
  every cap whose kind has a non-excused event in the period.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

__all__ = ["Excluded", "Reference", "reference_round", "reference_score"]


class Excluded(Exception):  # noqa: N818 - a signal, not an error
    """A category has nothing left to score (every criterion excluded for a missing measure)."""


def reference_round(value: Fraction, quantum: Fraction, mode: str) -> Fraction:
    """``value`` rounded to a multiple of ``quantum`` with a ``decimal`` rounding-mode name."""
    scaled = value / quantum
    sign = -1 if scaled < 0 else 1
    size = abs(scaled)
    whole = math.floor(size)
    rest = size - whole
    half = Fraction(1, 2)
    away = {
        "ROUND_DOWN": False,
        "ROUND_UP": rest > 0,
        "ROUND_CEILING": rest > 0 and sign > 0,
        "ROUND_FLOOR": rest > 0 and sign < 0,
        "ROUND_HALF_UP": rest >= half,
        "ROUND_HALF_DOWN": rest > half,
        "ROUND_HALF_EVEN": rest > half or (rest == half and whole % 2 == 1),
        "ROUND_05UP": rest > 0 and whole % 10 in {0, 5},
    }[mode]
    return sign * (whole + int(away)) * quantum


class Reference:
    """One person's figures under the reference reading."""

    def __init__(
        self,
        categories: tuple[Fraction, ...],
        carried: Fraction,
        total: Fraction,
        rating: str | None,
    ) -> None:
        self.categories = categories
        self.carried = carried
        self.total = total
        self.rating = rating

    def __repr__(self) -> str:
        return (
            f"Reference(categories={[str(c) for c in self.categories]}, carried={self.carried},"
            f" total={self.total}, rating={self.rating!r})"
        )


def _fraction(value: Any) -> Fraction:
    return Fraction(str(value))


def _rule_amount(rule: Any, events: list[Any]) -> Fraction:
    asked = Fraction(0)
    for event in events:
        if event.kind == rule.on:
            points = _fraction(rule.points)
            asked += points * _fraction(event.quantity) if rule.per == "unit" else points
    if rule.limit is not None and asked > _fraction(rule.limit):
        return _fraction(rule.limit)
    return asked


def reference_score(
    policy: Any, period: Any, subject: str, events: Iterable[Any], measures: Iterable[Any]
) -> Reference:
    """The figures of ``subject`` for ``period``.

    Raises:
        KeyError: a measure is missing and the policy's ``missing`` is ``"error"``.
        Excluded: a category has nothing left to score.
        ValueError: a measure is outside its range.
    """
    live = [
        e
        for e in events
        if e.subject == subject and not e.excused and period.start <= e.on <= period.end
    ]
    given = {m.criterion: _fraction(m.value) for m in measures if m.subject == subject}
    quantum = _fraction(policy.precision)
    mode = policy.rounding
    reported: list[Fraction] = []
    carried = Fraction(0)
    for category in policy.categories:
        parts: list[tuple[Fraction, Fraction, Fraction]] = []  # (weight, points, max)
        for criterion in category.criteria:
            maximum = _fraction(criterion.max_points)
            floor = _fraction(criterion.floor)
            if criterion.basis == "full":
                start = maximum
            elif criterion.basis == "zero":
                start = Fraction(0)
            elif criterion.id not in given:
                if policy.missing == "error":
                    raise KeyError(criterion.id)
                if policy.missing == "exclude":
                    continue
                start = Fraction(0)
            elif criterion.basis == "assessed":
                start = given[criterion.id]
                if not 0 <= start <= maximum:
                    raise ValueError(criterion.id)
            else:
                ratio = given[criterion.id]
                if ratio < 0 or (ratio > 1 and not criterion.ratio_cap):
                    raise ValueError(criterion.id)
                start = maximum * min(ratio, Fraction(1))
            deducted = sum((_rule_amount(r, live) for r in criterion.deductions), Fraction(0))
            awarded = sum((_rule_amount(r, live) for r in criterion.awards), Fraction(0))
            raw = start + awarded - deducted
            points = min(max(raw, floor), maximum)
            if raw < floor and criterion.overflow == "carry":
                carried += min(floor - raw, deducted)
            if category.weights is not None:
                weight = _fraction(category.weights[criterion.id])
            else:
                weight = maximum
            parts.append((weight, points, maximum))
        if not parts:
            raise Excluded(category.id)
        category_max = (
            _fraction(category.max_points)
            if category.max_points is not None
            else sum((_fraction(c.max_points) for c in category.criteria), Fraction(0))
        )
        weight_sum = sum((w for w, _, _ in parts), Fraction(0))
        value = category_max * sum((w * p / m for w, p, m in parts), Fraction(0)) / weight_sum
        reported.append(reference_round(value, quantum, mode))
    total = sum(reported, Fraction(0)) - reference_round(carried, quantum, mode)
    total = max(total, Fraction(0))
    bands = sorted(policy.bands, key=lambda band: _fraction(band.min_points), reverse=True)
    rating = next((b.id for b in bands if _fraction(b.min_points) <= total), None)
    if rating is not None:
        rank = {band.id: index for index, band in enumerate(bands)}
        kinds = {e.kind for e in live}
        for cap in policy.caps:
            if cap.on in kinds and rank[cap.at_most] > rank[rating]:
                rating = cap.at_most
    return Reference(tuple(reported), carried, total, rating)
