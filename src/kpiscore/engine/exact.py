"""The exact engine: a policy plus facts about a person becomes a scorecard.

All arithmetic runs inside :func:`kpiscore.model.numbers.exact` (a private context that traps any
inexact result); each reported figure is rounded exactly once with the policy's mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

# Re-exported (explicitly, for mypy): the columnar engine and the fast CSV reader import it here.
from kpiscore.engine.compile import _Compiled as _Compiled  # noqa: PLC0414
from kpiscore.engine.compile import compile_policy
from kpiscore.engine.ledger import _check_measure as _check_measure  # noqa: PLC0414
from kpiscore.engine.ledger import _clamp_total, _LedgerSource, _measured_start
from kpiscore.exceptions import InputError, UnknownSubjectError
from kpiscore.model.fact_checks import (
    Duplicates,
    Problems,
    UnknownKinds,
    check_events,
    check_options,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import _ROUNDER, exact, quantize_ratio
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.model.text import shown_ids
from kpiscore.results.scorecard import (
    CapLine,
    CategoryResult,
    Scorecard,
    ScoreTable,
    event_notices,
)

__all__ = ["score", "score_many"]

_ZERO = Decimal(0)


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


def _measure_map(compiled: _Compiled, measures: Sequence[Measure]) -> dict[str, dict[str, Measure]]:
    """Measures by subject then criterion, each checked against the policy."""
    policy = compiled.policy
    by_subject: dict[str, dict[str, Measure]] = {}
    criteria = compiled.criteria
    for measure in measures:
        criterion = criteria.get(measure.criterion)
        if criterion is None:
            raise InputError(
                f"policy {policy.id!r}: measure for subject {measure.subject!r} names criterion"
                f" {measure.criterion!r}, which the policy does not have; expected one of"
                f" {shown_ids(sorted(c.id for c in criteria.values() if c.needs_measure))}"
            )
        if not criterion.needs_measure:
            raise InputError(
                f"policy {policy.id!r}: measure for subject {measure.subject!r} names criterion"
                f" {measure.criterion!r}, whose basis {criterion.basis!r} takes no measure;"
                " expected a criterion with basis 'assessed' or 'ratio'"
            )
        own = by_subject.get(measure.subject)
        if own is None:
            own = by_subject[measure.subject] = {}
        previous = own.get(measure.criterion)
        if previous is not None:
            raise InputError(
                f"policy {policy.id!r}: two measures for criterion {measure.criterion!r} of"
                f" subject {measure.subject!r} (values {previous.value} and"
                f" {measure.value}); expected at most one"
            )
        own[measure.criterion] = measure
    return by_subject


def score(
    policy: Policy,
    period: Period | str,
    subject: Person | str,
    events: Iterable[Event] = (),
    measures: Iterable[Measure] = (),
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> Scorecard:
    """Score one person for one period.

    Facts about other subjects, and events outside the period, are left out. Every event given
    is checked: a kind the policy does not know (see :attr:`Policy.known_kinds`) and a repeated
    event are errors unless ``unknown_kinds="ignore"`` / ``duplicates="allow"``.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label such as ``"2026-Q1"``); it must lie
            inside the policy's ``valid_from..valid_to``.
        subject: A :class:`Person` or a person id.
        events: Events (violations, initiatives, …).
        measures: Values of ``assessed`` and ``ratio`` criteria.
        unknown_kinds: ``"error"`` (the default) or ``"ignore"``: leave out events of kinds
            the policy does not know.
        duplicates: ``"error"`` (the default) or ``"allow"``: count repeated events each time.

    Returns:
        The person's :class:`Scorecard`, with its ledger.

    Raises:
        UnknownKindError: an event kind the policy does not know (``unknown_kinds="error"``).
        DuplicateEventError: the same event twice (``duplicates="error"``).
        InputErrorGroup: several such problems, listed together.
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
    period = as_period(period)
    policy.check_period(period)
    person = _as_person(subject)
    event_list = _facts(events, Event, "events")
    measure_list = _facts(measures, Measure, "measures")
    check_options(unknown_kinds, duplicates, "score")
    problems = Problems()
    _check_event_kinds((policy,), event_list, problems, unknown_kinds, duplicates)
    problems.raise_all("score")
    compiled = compile_policy(policy)
    own_measures = _measure_map(compiled, [m for m in measure_list if m.subject == person.id])
    start, end = period.start, period.end
    own_events = [e for e in event_list if e.subject == person.id and start <= e.on <= end]
    with exact():
        return _score_one(compiled, period, person, own_events, own_measures.get(person.id, {}))


def score_many(
    policy: Policy,
    period: Period | str,
    subjects: Iterable[Person | str],
    events: Iterable[Event] = (),
    measures: Iterable[Measure] = (),
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> ScoreTable:
    """Score a whole population for one period.

    The population is ``subjects``: everyone in it gets a scorecard, with or without facts. A
    fact naming a subject outside the population is an error, never a silent drop. The policy
    is compiled once per call and each scorecard's ledger is built when it is first read, so
    scoring a large population costs little more than computing its totals.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label).
        subjects: :class:`Person` objects or person id strings; ids must be unique.
        events: Events for people in the population.
        measures: Measures for people in the population.
        unknown_kinds: As for :func:`score`.
        duplicates: As for :func:`score`.

    Returns:
        A :class:`ScoreTable` in population order; its ``notices`` count the events left
        out (outside the period, excused).

    Raises:
        UnknownSubjectError: a fact names someone outside the population.
        UnknownKindError, DuplicateEventError: as for :func:`score`.
        InputErrorGroup: several unknown subjects, kinds or duplicates, listed together.
        InputError, MissingInputError, PeriodError: as for :func:`score`.

    >>> from kpiscore import Policy, Category, Criterion, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> [card.total for card in score_many(policy, "2026", ["a", "b"])]
    [Decimal('10.00'), Decimal('10.00')]
    """
    policy = _check_policy(policy)
    period = as_period(period)
    policy.check_period(period)
    if isinstance(subjects, str | bytes) or not isinstance(subjects, Iterable):
        raise InputError(f"subjects must be an iterable of Person or id strings (got {subjects!r})")
    people = [_as_person(subject) for subject in subjects]
    events_by: dict[str, list[Event]] = {}
    for position, person in enumerate(people):
        if person.id in events_by:
            first = next(i for i, p in enumerate(people) if p.id == person.id)
            raise InputError(
                f"subjects: person id {person.id!r} appears twice (positions {first}"
                f" and {position}); expected unique ids"
            )
        events_by[person.id] = []
    start, end = period.start, period.end
    event_list = _facts(events, Event, "events")
    check_options(unknown_kinds, duplicates, "score_many")
    problems = Problems()
    outside = excused = 0
    for position, event in enumerate(event_list):
        bucket = events_by.get(event.subject)
        if bucket is None:
            problems.add(
                UnknownSubjectError(
                    f"events[{position}]: event {event.kind!r} on {event.on.isoformat()} names"
                    f" subject {event.subject!r}, who is not in the population scored"
                )
            )
        elif start <= event.on <= end:
            bucket.append(event)
            excused += event.excused
        else:
            outside += 1
    measure_list = _facts(measures, Measure, "measures")
    for position, measure in enumerate(measure_list):
        if measure.subject not in events_by:
            problems.add(
                UnknownSubjectError(
                    f"measures[{position}]: measure {measure.criterion!r} names subject"
                    f" {measure.subject!r}, who is not in the population scored"
                )
            )
    _check_event_kinds((policy,), event_list, problems, unknown_kinds, duplicates)
    problems.raise_all("score_many")
    compiled = compile_policy(policy)
    measure_map = _measure_map(compiled, measure_list)
    no_measures: dict[str, Measure] = {}
    with exact():
        cards = tuple(
            _score_one(
                compiled,
                period,
                person,
                events_by[person.id],
                measure_map.get(person.id, no_measures),
            )
            for person in people
        )
    return ScoreTable(
        policy=policy,
        period=period,
        scorecards=cards,
        notices=event_notices(outside, excused),
    )


def _check_event_kinds(
    policies: Sequence[Policy],
    events: list[Event],
    problems: Problems,
    unknown_kinds: UnknownKinds,
    duplicates: Duplicates,
) -> None:
    """Add to ``problems`` each event of a kind that none of ``policies`` knows (unless
    ``unknown_kinds="ignore"``) and each repeated event (unless ``duplicates="allow"``), at
    ``events[i]``, naming each policy id once: the check of ``score``, ``score_many`` and
    ``compare``."""
    known = (
        None
        if unknown_kinds == "ignore"
        else frozenset().union(*(policy.known_kinds for policy in policies))
    )
    ids = tuple(dict.fromkeys(policy.id for policy in policies))
    check_events(events, known, ids, lambda p: f"events[{p}]", problems, duplicates=duplicates)


# --------------------------------------------------------------------------- fast path


def _score_one(
    compiled: _Compiled,
    period: Period,
    person: Person,
    events: list[Event],
    measures: Mapping[str, Measure],
) -> Scorecard:
    """One person's scorecard: figures now, the ledger when first read."""
    source = _LedgerSource(compiled, period, person, events, measures)
    figures = _fast_figures(compiled, person.id, events, measures)
    if figures is None:
        # A criterion excluded for a missing measure renormalises its category: take the
        # figures from the full ledger, built now.
        categories, caps, figures = source.full()
        return _card(
            compiled,
            period,
            person,
            figures=figures,
            source=source,
            categories=categories,
            caps=caps,
        )
    return _card(
        compiled, period, person, figures=figures, source=source, categories=None, caps=None
    )


def _card(
    compiled: _Compiled,
    period: Period,
    person: Person,
    *,
    figures: tuple[tuple[Decimal, ...], Decimal, Decimal, Decimal, str | None, str | None],
    source: _LedgerSource,
    categories: tuple[CategoryResult, ...] | None,
    caps: tuple[CapLine, ...] | None,
) -> Scorecard:
    points, carried, clamped, total, score_rating, rating = figures
    return Scorecard(
        subject=person.id,
        person=person,
        period=period,
        policy_id=compiled.policy.id,
        policy_version=compiled.policy.version,
        fingerprint=compiled.fingerprint,
        precision=compiled.precision,
        rounding=compiled.rounding,
        total=total,
        max_total=compiled.max_total,
        rating=rating,
        score_rating=score_rating,
        category_points=tuple(zip(compiled.category_ids, points, strict=True)),
        carried=carried,
        clamped=clamped,
        bands=compiled.bands,
        min_worked_share=compiled.policy.min_worked_share,
        categories=categories,
        caps=caps,
        source=source,
    )


def _fast_figures(
    compiled: _Compiled,
    subject: str,
    events: list[Event],
    measures: Mapping[str, Measure],
) -> tuple[tuple[Decimal, ...], Decimal, Decimal, Decimal, str | None, str | None] | None:
    """Category points, carried, clamped, total and ratings — without building a ledger.

    The same rules as the ledger path (``_ledger_card``), arranged so that criteria no fact
    touches cost nothing: each category starts from its untouched figure and only the
    criteria named by the person's events and measures are recomputed. Returns ``None`` when
    a measure is excluded (``missing="exclude"``), which changes a category's weights.
    """
    kind_index = compiled.kind_index
    requested: dict[int, Decimal] = {}
    cap_rank = -1
    for event in events:
        if event.excused:
            continue
        entry = kind_index.get(event.kind)
        if entry is None:
            continue
        rules, rank = entry
        if rank > cap_rank:  # noqa: PLR1730 - a comparison is cheaper than max() in this loop
            cap_rank = rank
        for rule_index, points, per_unit in rules:
            amount = points * event.quantity if per_unit else points
            if rule_index in requested:
                requested[rule_index] += amount
            else:
                requested[rule_index] = amount
    # Per touched criterion: [deductions, awards] after each rule's own limit.
    touched: dict[int, list[Decimal]] = {}
    rule_info = compiled.rule_info
    for rule_index, asked in requested.items():
        limit, owner, deduction = rule_info[rule_index]
        allowed = limit if limit is not None and asked > limit else asked
        sums = touched.get(owner)
        if sums is None:
            sums = touched[owner] = [_ZERO, _ZERO]
        sums[0 if deduction else 1] += allowed
    sums_by_category = list(compiled.cat_base)
    starts: dict[int, Decimal] = {}
    for (
        index,
        cid,
        ratio,
        maximum,
        floor,
        cat_index,
        multiplier,
        criterion,
    ) in compiled.measured_info:
        measure = measures.get(cid)
        if measure is None:
            start = _measured_start(compiled, criterion, subject, None)
            if start is None:
                return None
        else:
            value = measure.value
            if ratio and _ZERO <= value <= 1:
                start = maximum * value
            elif not ratio and _ZERO <= value <= maximum:
                start = value
            else:
                start = _check_measure(compiled.policy, criterion, subject, value)[0]
        if index in touched:
            starts[index] = start
        else:
            sums_by_category[cat_index] += (floor if start < floor else start) * multiplier
    carried = _ZERO
    crit_info = compiled.crit_info
    for index, (deducted, awarded) in touched.items():
        cat_index, full, maximum, floor, carry, untouched, multiplier = crit_info[index]
        start = starts.get(index)
        measured = start is not None
        if start is None:
            start = maximum if full else _ZERO
        raw = start + awarded - deducted
        if raw < floor:
            points = floor
            if carry:
                gap = floor - raw
                carried += gap if gap < deducted else deducted
        elif raw > maximum:
            points = maximum
        else:
            points = raw
        if measured:
            sums_by_category[cat_index] += points * multiplier
        else:
            sums_by_category[cat_index] += (points - untouched) * multiplier
    precision = compiled.precision
    rounding = compiled.rounding
    reported: list[Decimal] = []
    total = _ZERO
    for value, denominator in zip(sums_by_category, compiled.cat_denominator, strict=True):
        if denominator == 1:
            figure = value.quantize(precision, rounding, _ROUNDER)
        else:
            numerator, divisor = value.as_integer_ratio()
            figure = quantize_ratio(numerator, divisor * denominator, precision, rounding)
        if figure.is_zero():
            figure = compiled.zero
        reported.append(figure)
        total += figure
    if carried:
        reported_carried = carried.quantize(precision, rounding, _ROUNDER)
        total -= reported_carried
    else:
        reported_carried = compiled.zero
    total, clamped = _clamp_total(total, compiled.zero)
    score_rating = None
    for low, band in compiled.thresholds:
        if low <= total:
            score_rating = band
            break
    rating = score_rating
    if cap_rank >= 0 and score_rating is not None and cap_rank > compiled.band_rank[score_rating]:
        rating = compiled.bands[cap_rank].id
    return tuple(reported), reported_carried, clamped, total, score_rating, rating
