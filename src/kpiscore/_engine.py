"""The exact engine: a policy plus facts about a person becomes a scorecard.

All arithmetic runs inside :func:`kpiscore._numbers.exact` (a private context that traps any
inexact result); each reported figure is rounded exactly once with the policy's mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kpiscore._facts import Event, Measure, Person
from kpiscore._numbers import exact, quantize, quantize_fraction
from kpiscore._period import Period
from kpiscore._policy import Award, Category, Criterion, Deduction, Policy
from kpiscore._scorecard import (
    BandInfo,
    CapLine,
    CategoryResult,
    CriterionResult,
    RuleLine,
    Scorecard,
    ScoreTable,
)
from kpiscore.exceptions import InputError, MissingInputError, UnknownSubjectError

__all__ = ["score", "score_many"]

_ZERO = Decimal(0)


def _event_key(event: Event) -> tuple[Any, ...]:
    # Canonical order for the ledger: the same facts in any order give the same scorecard.
    return (event.on, event.kind, event.ref or "", event.quantity, event.note or "", event.excused)


def _as_period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    if isinstance(period, str):
        return Period.parse(period)
    raise InputError(
        f"period must be a Period or a label such as '2026-Q1' (got {type(period).__name__}"
        f" {period!r})"
    )


def _as_person(subject: Person | str) -> Person:
    if isinstance(subject, Person):
        return subject
    if isinstance(subject, str):
        return Person(id=subject)
    raise InputError(
        f"subject must be a Person or a person id string (got {type(subject).__name__} {subject!r})"
    )


def _check_policy(policy: object) -> Policy:
    if not isinstance(policy, Policy):
        raise InputError(f"policy must be a Policy (got {type(policy).__name__} {policy!r})")
    return policy


def _facts(values: Iterable[object], cls: type, name: str) -> list[Any]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InputError(f"{name} must be an iterable of {cls.__name__} (got {values!r})")
    checked = list(values)
    for position, value in enumerate(checked):
        if not isinstance(value, cls):
            raise InputError(
                f"{name}[{position}] must be a {cls.__name__} (got {type(value).__name__}"
                f" {value!r})"
            )
    return checked


class _Compiled:
    """What the engine needs from a policy, computed once per call."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.criteria: dict[str, Criterion] = {
            criterion.id: criterion
            for category in policy.categories
            for criterion in category.criteria
        }
        self.bands = tuple(
            BandInfo(id=b.id, name=b.name, name_en=b.name_en, min_points=b.min_points)
            for b in policy.bands_descending
        )
        self.band_rank = {band.id: rank for rank, band in enumerate(self.bands)}
        self.max_total = policy.max_total
        self.fingerprint = policy.fingerprint


def _check_measures(
    compiled: _Compiled, measures: Sequence[Measure]
) -> dict[tuple[str, str], Measure]:
    policy = compiled.policy
    by_key: dict[tuple[str, str], Measure] = {}
    for measure in measures:
        criterion = compiled.criteria.get(measure.criterion)
        if criterion is None:
            raise InputError(
                f"policy {policy.id!r}: measure for subject {measure.subject!r} names criterion"
                f" {measure.criterion!r}, which the policy does not have; expected one of"
                f" {sorted(c.id for c in compiled.criteria.values() if c.needs_measure)!r}"
            )
        if not criterion.needs_measure:
            raise InputError(
                f"policy {policy.id!r}: measure for subject {measure.subject!r} names criterion"
                f" {measure.criterion!r}, whose basis {criterion.basis!r} takes no measure;"
                " expected a criterion with basis 'assessed' or 'ratio'"
            )
        key = (measure.subject, measure.criterion)
        if key in by_key:
            raise InputError(
                f"policy {policy.id!r}: two measures for criterion {measure.criterion!r} of"
                f" subject {measure.subject!r} (values {by_key[key].value} and"
                f" {measure.value}); expected at most one"
            )
        by_key[key] = measure
    return by_key


def score(
    policy: Policy,
    period: Period | str,
    subject: Person | str,
    events: Iterable[Event] = (),
    measures: Iterable[Measure] = (),
) -> Scorecard:
    """Score one person for one period.

    Facts about other subjects, and events outside the period, are ignored.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label such as ``"2026-Q1"``); it must lie
            inside the policy's ``valid_from..valid_to``.
        subject: A :class:`Person` or a person id.
        events: Events (violations, initiatives, …).
        measures: Values of ``assessed`` and ``ratio`` criteria.

    Returns:
        The person's :class:`Scorecard`, with its ledger.

    Raises:
        InputError: an invalid fact or argument (named in the message).
        MissingInputError: a measure the policy needs is missing (``missing="error"``), or a
            category has nothing left to score (``missing="exclude"``).
        PeriodError: the period is outside the policy's validity.

    >>> from kpiscore import Policy, Category, Criterion, Deduction, Event, score
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="training", name="Training", max_points=15,
    ...               deductions=[Deduction(on="training_absence", points=2)])])])
    >>> absences = [Event(subject="nv001", kind="training_absence", on=date(2026, 1, d))
    ...             for d in (5, 12, 19)]
    >>> score(policy, "2026-01", "nv001", events=absences).total
    Decimal('9.00')
    """
    policy = _check_policy(policy)
    period = _as_period(period)
    policy.check_period(period)
    person = _as_person(subject)
    event_list = _facts(events, Event, "events")
    measure_list = _facts(measures, Measure, "measures")
    compiled = _Compiled(policy)
    own_measures = _check_measures(compiled, [m for m in measure_list if m.subject == person.id])
    own_events = [e for e in event_list if e.subject == person.id and e.on in period]
    with exact():
        return _score_person(compiled, period, person, own_events, own_measures)


def score_many(
    policy: Policy,
    period: Period | str,
    subjects: Iterable[Person | str],
    events: Iterable[Event] = (),
    measures: Iterable[Measure] = (),
) -> ScoreTable:
    """Score a whole population for one period.

    The population is ``subjects``: everyone in it gets a scorecard, with or without facts. A
    fact naming a subject outside the population is an error, never a silent drop.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label).
        subjects: :class:`Person` objects or person id strings; ids must be unique.
        events: Events for people in the population.
        measures: Measures for people in the population.

    Returns:
        A :class:`ScoreTable` in population order.

    Raises:
        UnknownSubjectError: a fact names someone outside the population.
        InputError, MissingInputError, PeriodError: as for :func:`score`.

    >>> from kpiscore import Policy, Category, Criterion, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> [card.total for card in score_many(policy, "2026", ["a", "b"])]
    [Decimal('10.00'), Decimal('10.00')]
    """
    policy = _check_policy(policy)
    period = _as_period(period)
    policy.check_period(period)
    if isinstance(subjects, str | bytes) or not isinstance(subjects, Iterable):
        raise InputError(f"subjects must be an iterable of Person or id strings (got {subjects!r})")
    people = [_as_person(subject) for subject in subjects]
    index: dict[str, int] = {}
    for position, person in enumerate(people):
        if person.id in index:
            raise InputError(
                f"subjects: person id {person.id!r} appears twice (positions {index[person.id]}"
                f" and {position}); expected unique ids"
            )
        index[person.id] = position
    events_by: dict[str, list[Event]] = {person.id: [] for person in people}
    for position, event in enumerate(_facts(events, Event, "events")):
        bucket = events_by.get(event.subject)
        if bucket is None:
            raise UnknownSubjectError(
                f"events[{position}]: event {event.kind!r} on {event.on.isoformat()} names"
                f" subject {event.subject!r}, who is not in the population scored"
            )
        if event.on in period:
            bucket.append(event)
    measure_list = _facts(measures, Measure, "measures")
    for position, measure in enumerate(measure_list):
        if measure.subject not in index:
            raise UnknownSubjectError(
                f"measures[{position}]: measure {measure.criterion!r} names subject"
                f" {measure.subject!r}, who is not in the population scored"
            )
    compiled = _Compiled(policy)
    measure_map = _check_measures(compiled, measure_list)
    with exact():
        cards = tuple(
            _score_person(compiled, period, person, events_by[person.id], measure_map)
            for person in people
        )
    return ScoreTable(policy=policy, period=period, scorecards=cards)


# --------------------------------------------------------------------------- one person


def _score_person(
    compiled: _Compiled,
    period: Period,
    person: Person,
    events: list[Event],
    measures: Mapping[tuple[str, str], Measure],
) -> Scorecard:
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
                criteria=tuple(results),
            )
        )
    reported_carried = quantize(carried, policy.precision, policy.rounding)
    total = reported_sum - reported_carried
    clamped = quantize(_ZERO, policy.precision, policy.rounding)
    if total < 0:
        clamped = -total
        total = quantize(_ZERO, policy.precision, policy.rounding)
    score_rating = policy.rating_for(total)
    rating, caps = _apply_caps(compiled, score_rating, by_kind)
    return Scorecard(
        subject=person.id,
        person=person,
        period=period,
        policy_id=policy.id,
        policy_version=policy.version,
        fingerprint=compiled.fingerprint,
        precision=policy.precision,
        rounding=policy.rounding,
        total=total,
        max_total=compiled.max_total,
        rating=rating,
        score_rating=score_rating,
        categories=tuple(categories),
        carried=reported_carried,
        clamped=clamped,
        caps=caps,
        bands=compiled.bands,
    )


def _apply_caps(
    compiled: _Compiled, rating: str | None, by_kind: Mapping[str, list[Event]]
) -> tuple[str | None, tuple[CapLine, ...]]:
    lines: list[CapLine] = []
    rank = compiled.band_rank
    for cap in compiled.policy.caps:
        matched = by_kind.get(cap.on, ())
        if not matched:
            continue
        counted = tuple(e for e in matched if not e.excused)
        exempted = tuple(e for e in matched if e.excused)
        lowered = False
        # Bands are ranked from the highest (0); a cap only ever moves the rating down.
        if counted and rating is not None and rank[cap.at_most] > rank[rating]:
            rating = cap.at_most
            lowered = True
        lines.append(
            CapLine(
                on=cap.on,
                at_most=cap.at_most,
                name=cap.name,
                reference=cap.reference,
                events=counted,
                exempted=exempted,
                lowered=lowered,
            )
        )
    return rating, tuple(lines)


def _start(
    policy: Policy,
    criterion: Criterion,
    subject: str,
    measures: Mapping[tuple[str, str], Measure],
) -> tuple[Decimal, Decimal | None, bool, str | None]:
    """Where a criterion starts: (start, measure value, ratio capped, missing handling)."""
    if criterion.basis == "full":
        return criterion.max_points, None, False, None
    if criterion.basis == "zero":
        return _ZERO, None, False, None
    measure = measures.get((subject, criterion.id))
    if measure is None:
        if policy.missing == "error":
            raise MissingInputError(
                f"policy {policy.id!r}: no measure for criterion {criterion.id!r} of subject"
                f" {subject!r}; expected a Measure (basis {criterion.basis!r}), or a policy"
                " with missing='zero' or missing='exclude'"
            )
        return _ZERO, None, False, policy.missing
    value = measure.value
    where = f"policy {policy.id!r}: measure for criterion {criterion.id!r} of subject {subject!r}"
    if criterion.basis == "assessed":
        if not _ZERO <= value <= criterion.max_points:
            raise InputError(
                f"{where}: value must lie in [0, {criterion.max_points}] (got {value})"
            )
        return value, value, False, None
    # ratio
    capped = False
    if value < 0:
        raise InputError(f"{where}: value must be a ratio in [0, 1] (got {value})")
    if value > 1:
        if not criterion.ratio_cap:
            raise InputError(
                f"{where}: value must be a ratio in [0, 1] (got {value}); over-completion adds"
                " nothing (set ratio_cap=True on the criterion to cap it at 1)"
            )
        capped = True
    ratio = min(value, Decimal(1))
    return criterion.max_points * ratio, value, capped, None


def _score_criterion(
    *,
    policy: Policy,
    category: Category,
    criterion: Criterion,
    subject: str,
    by_kind: Mapping[str, list[Event]],
    measures: Mapping[tuple[str, str], Measure],
) -> CriterionResult:
    start, measure, capped, missing = _start(policy, criterion, subject, measures)
    weight = category.weight(criterion.id)
    if missing == "exclude":
        return CriterionResult(
            id=criterion.id,
            name=criterion.name,
            basis=criterion.basis,
            max_points=criterion.max_points,
            floor=criterion.floor,
            weight=weight,
            overflow=criterion.overflow,
            reference=criterion.reference,
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
        id=criterion.id,
        name=criterion.name,
        basis=criterion.basis,
        max_points=criterion.max_points,
        floor=criterion.floor,
        weight=weight,
        overflow=criterion.overflow,
        reference=criterion.reference,
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
