"""The ledger: every criterion, rule line and cap of one person's scorecard, and the checks of
a measure shared with the fast path.

The exact engine (:mod:`kpiscore.engine.exact`) computes a scorecard's figures on its fast path
and builds this full ledger only when it is first read (or when an excluded measure renormalises
a category). Both follow DESIGN.md's rules; the property tests check them against each other
and against an independent reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kpiscore.engine.compile import _Compiled
from kpiscore.exceptions import InputError, MissingInputError
from kpiscore.model.fact_checks import ratio_too_large
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import exact, quantize, quantize_fraction
from kpiscore.model.period import Period
from kpiscore.model.policy import Award, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore.results.scorecard import (
    CapLine,
    CategoryResult,
    CriterionResult,
    RuleLine,
)

__all__ = ["cap_line"]

_ZERO = Decimal(0)


def _event_key(event: Event) -> tuple[Any, ...]:
    # Canonical order for the ledger: the same facts in any order give the same scorecard.
    return (event.on, event.kind, event.ref or "", event.quantity, event.note or "", event.excused)


def _measured_start(
    compiled: _Compiled, criterion: Criterion, subject: str, measure: Measure | None
) -> Decimal | None:
    """The start of an ``assessed``/``ratio`` criterion; ``None`` when it is excluded."""
    if measure is None:
        policy = compiled.policy
        if policy.missing == "error":
            raise MissingInputError(
                f"policy {policy.id!r}: no measure for criterion {criterion.id!r} of subject"
                f" {subject!r}; expected a Measure (basis {criterion.basis!r}), or a policy"
                " with missing='zero' or missing='exclude'"
            )
        return None if policy.missing == "exclude" else _ZERO
    start, _, _ = _check_measure(compiled.policy, criterion, subject, measure.value)
    return start


def _check_measure(
    policy: Policy, criterion: Criterion, subject: str, value: Decimal
) -> tuple[Decimal, Decimal, bool]:
    """(start, value, ratio capped) for a measure, or an error naming what is wrong."""
    where = f"policy {policy.id!r}: measure for criterion {criterion.id!r} of subject {subject!r}"
    if criterion.basis == "assessed":
        if not _ZERO <= value <= criterion.max_points:
            raise InputError(
                f"{where}: value must lie in [0, {criterion.max_points}] (got {value})"
            )
        return value, value, False
    if value < 0:
        raise InputError(f"{where}: value must be a ratio in [0, 1] (got {value})")
    if value > policy.max_ratio:
        raise InputError(f"{where}: {ratio_too_large(value, policy.max_ratio)}")
    if value > 1:
        if not criterion.ratio_cap:
            raise InputError(
                f"{where}: value must be a ratio in [0, 1] (got {value}); over-completion adds"
                " nothing (set ratio_cap=True on the criterion to cap it at 1)"
            )
        return criterion.max_points, value, True
    return criterion.max_points * value, value, False


# --------------------------------------------------------------------------- the ledger


class _LedgerSource:
    """Everything needed to build one person's full ledger later, on first read."""

    __slots__ = ("compiled", "events", "measures", "period", "person")

    def __init__(
        self,
        compiled: _Compiled,
        period: Period,
        person: Person,
        events: list[Event],
        measures: Mapping[str, Measure],
    ) -> None:
        self.compiled = compiled
        self.period = period
        self.person = person
        self.events = events
        self.measures = measures

    def build(self) -> tuple[tuple[CategoryResult, ...], tuple[CapLine, ...]]:
        """The categories (with every criterion and rule line) and the cap lines."""
        categories, caps, _ = self.full()
        return categories, caps

    def criterion_points(self) -> dict[str, Decimal]:
        """Each criterion's reported points by id, without building the rule lines (the score
        CSV's columns); a criterion excluded from its category (``missing="exclude"``) is
        absent. The same figures as the ledger's ``CriterionResult.points``."""
        with exact():
            return _criterion_points(self.compiled, self.person.id, self.events, self.measures)

    def full(
        self,
    ) -> tuple[
        tuple[CategoryResult, ...],
        tuple[CapLine, ...],
        tuple[tuple[Decimal, ...], Decimal, Decimal, Decimal, str | None, str | None],
    ]:
        with exact():
            return _ledger_card(self.compiled, self.person, self.events, self.measures)


def _ledger_card(
    compiled: _Compiled,
    person: Person,
    events: list[Event],
    measures: Mapping[str, Measure],
) -> tuple[
    tuple[CategoryResult, ...],
    tuple[CapLine, ...],
    tuple[tuple[Decimal, ...], Decimal, Decimal, Decimal, str | None, str | None],
]:
    """The full ledger, rule line by rule line, in canonical order (the reference path)."""
    policy = compiled.policy
    by_kind: dict[str, list[Event]] = {}
    for event in sorted(events, key=_event_key):
        by_kind.setdefault(event.kind, []).append(event)

    categories: list[CategoryResult] = []
    reported_sum = _ZERO
    carried = _ZERO
    for category in policy.categories:
        results = [
            _score_criterion(
                policy=policy,
                category=category,
                criterion=criterion,
                subject=person.id,
                by_kind=by_kind,
                measures=measures,
            )
            for criterion in category.criteria
        ]
        points = _category_points(policy, category, results, person.id)
        reported_sum += points
        carried += sum((r.carried for r in results), _ZERO)
        categories.append(
            CategoryResult(
                id=category.id,
                name=category.name,
                max_points=category.max_total,
                points=points,
                weighted=category.weighted,
                reference=category.reference,
                reference_vi=category.reference_vi,
                criteria=tuple(results),
            )
        )
    reported_carried = quantize(carried, policy.precision, policy.rounding)
    total = reported_sum - reported_carried
    total, clamped = _clamp_total(total, compiled.zero)
    score_rating = policy.rating_for(total)
    rating, caps = _apply_caps(compiled, score_rating, by_kind)
    figures = (
        tuple(category.points for category in categories),
        reported_carried,
        clamped,
        total,
        score_rating,
        rating,
    )
    return tuple(categories), caps, figures


def _clamp_total(total: Decimal, zero: Decimal) -> tuple[Decimal, Decimal]:
    """A total below 0 as 0, with what was not deducted (``clamped``); a zero total (``-0``,
    ``0E-2``) as the policy's ``zero``. Returns ``(total, clamped)``."""
    if total < 0:
        return zero, -total
    if total.is_zero():
        return zero, zero
    return total, zero


def _criterion_points(
    compiled: _Compiled, subject: str, events: list[Event], measures: Mapping[str, Measure]
) -> dict[str, Decimal]:
    """:meth:`_LedgerSource.criterion_points`: start, rules after their limits, the clamp and
    one rounding per criterion, as :func:`_score_criterion` computes them."""
    policy = compiled.policy
    counted: dict[str, list[Event]] = {}
    for event in events:
        if not event.excused:
            counted.setdefault(event.kind, []).append(event)
    points: dict[str, Decimal] = {}
    for category in policy.categories:
        for criterion in category.criteria:
            start, _, _, missing = _start(policy, criterion, subject, measures)
            if missing == "exclude":
                continue
            raw = start
            for rule in criterion.rules:
                matched = counted.get(rule.on)
                if not matched:
                    continue
                if rule.per == "unit":
                    requested = sum((rule.points * e.quantity for e in matched), _ZERO)
                else:
                    requested = rule.points * len(matched)
                allowed = requested if rule.limit is None else min(requested, rule.limit)
                raw += rule.sign * allowed
            clamped = min(max(raw, criterion.floor), criterion.max_points)
            points[criterion.id] = quantize(clamped, policy.precision, policy.rounding)
    return points


def _apply_caps(
    compiled: _Compiled, rating: str | None, by_kind: Mapping[str, list[Event]]
) -> tuple[str | None, tuple[CapLine, ...]]:
    lines: list[CapLine] = []
    rank = compiled.band_rank
    for cap in compiled.policy.caps:
        matched = by_kind.get(cap.on, ())
        if not matched:
            continue
        lowered = False
        # Bands are ranked from the highest (0); a cap only ever moves the rating down.
        counted = any(not event.excused for event in matched)
        if counted and rating is not None and rank[cap.at_most] > rank[rating]:
            rating = cap.at_most
            lowered = True
        lines.append(cap_line(cap, matched, lowered=lowered))
    return rating, tuple(lines)


def cap_line(cap: RatingCap, matched: Sequence[Event], *, lowered: bool) -> CapLine:
    """The line of ``cap`` for the events of its kind, ``matched`` (in order): the excused ones
    exempted, the others counted, the cap's name and references (English and Vietnamese)
    copied. Every cap line is built here, so none loses a field of its cap.

    >>> from datetime import date
    >>> cap = RatingCap(on="discipline_reprimand", at_most="KHT", reference="Art. 20",
    ...                 reference_vi="Điều 20")
    >>> line = cap_line(cap, [Event(subject="a", kind="discipline_reprimand",
    ...                             on=date(2026, 3, 2))], lowered=True)
    >>> line.reference_vi, len(line.events), len(line.exempted)
    ('Điều 20', 1, 0)
    """
    return CapLine(
        on=cap.on,
        at_most=cap.at_most,
        name=cap.name,
        reference=cap.reference,
        reference_vi=cap.reference_vi,
        events=tuple(event for event in matched if not event.excused),
        exempted=tuple(event for event in matched if event.excused),
        lowered=lowered,
    )


def _start(
    policy: Policy,
    criterion: Criterion,
    subject: str,
    measures: Mapping[str, Measure],
) -> tuple[Decimal, Decimal | None, bool, str | None]:
    """Where a criterion starts: (start, measure value, ratio capped, missing handling)."""
    if criterion.basis == "full":
        return criterion.max_points, None, False, None
    if criterion.basis == "zero":
        return _ZERO, None, False, None
    measure = measures.get(criterion.id)
    if measure is None:
        if policy.missing == "error":
            raise MissingInputError(
                f"policy {policy.id!r}: no measure for criterion {criterion.id!r} of subject"
                f" {subject!r}; expected a Measure (basis {criterion.basis!r}), or a policy"
                " with missing='zero' or missing='exclude'"
            )
        return _ZERO, None, False, policy.missing
    start, value, capped = _check_measure(policy, criterion, subject, measure.value)
    return start, value, capped, None


def _score_criterion(
    *,
    policy: Policy,
    category: Category,
    criterion: Criterion,
    subject: str,
    by_kind: Mapping[str, list[Event]],
    measures: Mapping[str, Measure],
) -> CriterionResult:
    start, measure, capped, missing = _start(policy, criterion, subject, measures)
    # What the criterion is, as every result line of it repeats it.
    identity: dict[str, Any] = {
        "id": criterion.id,
        "name": criterion.name,
        "basis": criterion.basis,
        "max_points": criterion.max_points,
        "floor": criterion.floor,
        "weight": category.weight(criterion.id),
        "overflow": criterion.overflow,
        "reference": criterion.reference,
        "reference_vi": criterion.reference_vi,
    }
    if missing == "exclude":
        return CriterionResult(
            **identity,
            start=_ZERO,
            measure=None,
            ratio_capped=False,
            missing="exclude",
            excluded=True,
            rules=(),
            raw=_ZERO,
            exact_points=_ZERO,
            points=quantize(_ZERO, policy.precision, policy.rounding),
            absorbed_by_floor=_ZERO,
            absorbed_by_max=_ZERO,
            raised_by_floor=_ZERO,
            carried=_ZERO,
        )

    # Each rule's request, after its own limit.
    pending: list[tuple[Deduction | Award, tuple[Event, ...], tuple[Event, ...], Decimal, Decimal]]
    pending = []
    deducted = _ZERO
    awarded = _ZERO
    for rule in criterion.rules:
        matched = by_kind.get(rule.on)
        if not matched:
            continue
        counted = tuple(e for e in matched if not e.excused)
        exempted = tuple(e for e in matched if e.excused)
        if rule.per == "unit":
            requested = sum((rule.points * e.quantity for e in counted), _ZERO)
        else:
            requested = rule.points * len(counted)
        allowed = requested if rule.limit is None else min(requested, rule.limit)
        pending.append((rule, counted, exempted, requested, allowed))
        if rule.sign < 0:
            deducted += allowed
        else:
            awarded += allowed

    raw = start + awarded - deducted
    points = min(max(raw, criterion.floor), criterion.max_points)
    # What the clamp cut off, attributed to the rules that caused it, last rule first.
    floor_gap = criterion.floor - raw if raw < criterion.floor else _ZERO
    from_deductions = min(floor_gap, deducted)
    raised = floor_gap - from_deductions
    over_max = raw - criterion.max_points if raw > criterion.max_points else _ZERO
    from_awards = min(over_max, awarded)
    absorbed: dict[int, Decimal] = {}
    for kind_sign, to_absorb in ((-1, from_deductions), (1, from_awards)):
        remaining = to_absorb
        for position in range(len(pending) - 1, -1, -1):
            if remaining <= 0:
                break
            rule, _, _, _, allowed = pending[position]
            if rule.sign != kind_sign:
                continue
            share = min(remaining, allowed)
            absorbed[position] = share
            remaining -= share
    carry = criterion.overflow == "carry"
    lines = []
    for position, (rule, counted, exempted, requested, allowed) in enumerate(pending):
        cut = absorbed.get(position, _ZERO)
        lines.append(
            RuleLine(
                rule=rule.id,
                kind="deduction" if rule.sign < 0 else "award",
                on=rule.on,
                name=rule.name,
                reference=rule.reference,
                reference_vi=rule.reference_vi,
                per=rule.per,
                points=rule.points,
                events=counted,
                exempted=exempted,
                requested=rule.sign * requested,
                limit=rule.limit,
                limited=requested - allowed,
                absorbed=cut,
                absorbed_by=None if not cut else ("floor" if rule.sign < 0 else "max"),
                carried=cut if carry and rule.sign < 0 else _ZERO,
                applied=rule.sign * (allowed - cut),
            )
        )
    return CriterionResult(
        **identity,
        start=start,
        measure=measure,
        ratio_capped=capped,
        missing="zero" if missing == "zero" else None,
        excluded=False,
        rules=tuple(lines),
        raw=raw,
        exact_points=points,
        points=quantize(points, policy.precision, policy.rounding),
        absorbed_by_floor=from_deductions,
        absorbed_by_max=from_awards,
        raised_by_floor=raised,
        carried=from_deductions if carry else _ZERO,
    )


def _category_points(
    policy: Policy, category: Category, results: list[CriterionResult], subject: str
) -> Decimal:
    included = [r for r in results if not r.excluded]
    if not included:
        raise MissingInputError(
            f"policy {policy.id!r}: category {category.id!r} has no criterion left to score for"
            f" subject {subject!r} (every measure is missing and missing='exclude')"
        )
    if not category.weighted and len(included) == len(results):
        # Plain sum: exact in Decimal, rounded once.
        return quantize(
            sum((r.exact_points for r in results), _ZERO), policy.precision, policy.rounding
        )
    # Weighted mean over the criteria scored (renormalised when some were excluded), kept as
    # an exact fraction and rounded once.
    weight_sum = Fraction(0)
    mean = Fraction(0)
    for result in included:
        if result.max_points == 0:
            continue  # only possible in an unweighted category, where it adds nothing
        weight = Fraction(result.weight)
        weight_sum += weight
        mean += weight * Fraction(result.exact_points) / Fraction(result.max_points)
    if weight_sum == 0:
        return quantize(_ZERO, policy.precision, policy.rounding)
    value = Fraction(category.max_total) * mean / weight_sum
    return quantize_fraction(value, policy.precision, policy.rounding)
