"""Running an evaluation: sub-period by sub-period, level by level, then the year.

Within each sub-period the population is split by ``[[assign]]`` rule and scored with
:func:`kpiscore.score_many`, bottom-up along ``manager``; a manager's (d) events come from their
direct reports' final ratings of that sub-period. A sub-period wholly on leave is not scored,
but a rating cap event dated in it still caps the year (Decree 335 Art. 20(4)(c)). The year is
each person's :func:`kpiscore.rollup.rollup` over the sub-periods scored, across policies that
share scale and bands, with the leave rule applied; then the quota; then the payout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from kpiscore.cycle.evaluation_assign import AssignRule, assign
from kpiscore.cycle.evaluation_leaders import derived_events, levels
from kpiscore.cycle.evaluation_leave import (
    Leave,
    apply_leave_rule,
    leave_days,
    on_leave_throughout,
)
from kpiscore.cycle.evaluation_people import Member
from kpiscore.cycle.evaluation_result import EvaluationResult
from kpiscore.cycle.evaluation_rules import NOT_WORKED, cap_lines, event_kinds, quota_grouper
from kpiscore.cycle.rollup import Rollup, RollupTable, rollup
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import UnknownSubjectError
from kpiscore.model.fact_checks import (
    Duplicates,
    Problems,
    UnknownKinds,
    check_events,
    check_options,
)
from kpiscore.model.facts import Event, Measure
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import CapLine, Scorecard, ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.evaluation import Evaluation

__all__ = ["run"]


def _check_subjects(evaluation: Evaluation) -> None:
    known = {member.id for member in evaluation.people}
    # The messages are built only for a fact that fails: a year's measures are many.
    for position, event in enumerate(evaluation.facts):
        if event.subject not in known:
            _unknown(
                event.subject,
                f"event {event.kind!r} of {event.on.isoformat()} ({evaluation.place(position)})",
                known,
            )
    for period, measures in evaluation.measures:
        for measure in measures:
            if measure.subject not in known:
                _unknown(
                    measure.subject, f"measure {measure.criterion!r} for {period.label}", known
                )
    for leave in evaluation.leave:
        if leave.subject not in known:
            _unknown(leave.subject, f"leave from {leave.start.isoformat()}", known)


def _unknown(subject: str, what: str, known: set[str]) -> NoReturn:
    raise UnknownSubjectError(
        f"evaluation: the {what} names {subject!r}, who is not in the population"
        f" ({len(known)} people); expected facts only about the people evaluated"
    )


def _score_period(
    evaluation: Evaluation,
    period: Period,
    *,
    order: tuple[tuple[str, ...], ...],
    members: dict[str, Member],
    reports: dict[str, list[Member]],
    events: Sequence[Event],
    measures: Sequence[Measure],
    leave: dict[str, list[Leave]],
    notes: list[str],
    extra_caps: dict[str, list[CapLine]],
) -> ScoreTable | None:
    rules = assign(evaluation.people, evaluation.assign, period)
    away = {
        member.id
        for member in evaluation.people
        if on_leave_throughout(leave.get(member.id, ()), period)
    }
    by_subject: dict[str, list[Event]] = {}
    for event in events:
        by_subject.setdefault(event.subject, []).append(event)
    measured: dict[str, list[Measure]] = {}
    for measure in measures:
        measured.setdefault(measure.subject, []).append(measure)
    for subject in sorted(away):
        policy = rules[subject].policy
        mine = by_subject.get(subject, [])
        lines = cap_lines(policy, mine)
        extra_caps.setdefault(subject, []).extend(lines)
        capped = {event for line in lines for event in (*line.events, *line.exempted)}
        for event in mine:
            if event not in capped:
                notes.append(
                    f"{period.label}: {subject!r} was on leave for the whole sub-period; the"
                    f" event {event.kind!r} of {event.on.isoformat()} is not scored"
                )
        if measured.get(subject):
            notes.append(
                f"{period.label}: {subject!r} was on leave for the whole sub-period; their"
                f" {len(measured[subject])} measure(s) are not scored"
            )
    cards: dict[str, Scorecard] = {}
    leaders = evaluation.leaders
    for level in order:
        present = [members[subject] for subject in level if subject not in away]
        if not present:
            continue
        derived: list[Event] = []
        if leaders is not None:
            for event in derived_events(present, reports, cards, period, leaders):
                policy = rules[event.subject].policy
                if leaders.event in event_kinds(policy):
                    derived.append(event)
                else:
                    notes.append(
                        f"{period.label}: {event.subject!r} is scored under {policy.id!r},"
                        f" which does not count {leaders.event!r}: {event.note}"
                    )
        groups: dict[int, tuple[AssignRule, list[Member]]] = {}
        for member in present:
            rule = rules[member.id]
            groups.setdefault(id(rule), (rule, []))[1].append(member)
        for rule, group in groups.values():
            subjects = [member.id for member in group]
            table = score_many(
                rule.policy,
                period,
                [member.person for member in group],
                events=[e for s in subjects for e in by_subject.get(s, ())]
                + [e for e in derived if e.subject in subjects],
                measures=[m for s in subjects for m in measured.get(s, ())],
                # Checked once for the whole evaluation (another policy may know a kind).
                unknown_kinds="ignore",
                duplicates="allow",
            )
            notes.extend(f"{period.label}: {note}" for note in table.notes)
            for card in table:
                cards[card.subject] = card
    if not cards:
        return None
    ordered = tuple(cards[member.id] for member in evaluation.people if member.id in cards)
    first_policy = rules[ordered[0].subject].policy
    return ScoreTable(policy=first_policy, period=period, scorecards=ordered)


def _year(
    evaluation: Evaluation,
    tables: dict[Period, ScoreTable],
    extra_caps: dict[str, list[CapLine]],
    leave: dict[str, list[Leave]],
) -> tuple[RollupTable, tuple[tuple[str, str], ...]]:
    by_subject: dict[str, list[Scorecard]] = {}
    for table in tables.values():
        for card in table:
            by_subject.setdefault(card.subject, []).append(card)
    results: list[Rollup] = []
    absent: list[tuple[str, str]] = []
    for member in evaluation.people:
        cards = by_subject.get(member.id)
        if not cards:
            absent.append((member.id, NOT_WORKED))
            continue
        result = rollup(
            cards,
            evaluation.period,
            across_policies=True,
            caps=extra_caps.get(member.id, ()),
        )
        results.append(apply_leave_rule(result, leave.get(member.id, ()), evaluation.leave_rule))
    first: Policy = evaluation.assign[0].policy
    if tables:
        first = next(iter(tables.values())).policy
    return RollupTable(policy=first, period=evaluation.period, rollups=tuple(results)), tuple(
        absent
    )


def _payout(
    evaluation: Evaluation, year: RollupTable, leave: dict[str, list[Leave]], notes: list[str]
) -> list[dict[str, Any]] | None:
    rule = evaluation.payout
    if rule is None:
        return None
    from kpiscore.cycle.payout import Salary, payout_rows

    salaries = dict(rule.salaries)
    paid = [result for result in year if result.rating is not None]
    for result in year:
        if result.rating is None:
            notes.append(
                f"payout: {result.subject!r} has no rating ({result.unrated}); nothing is paid"
            )
    chosen: dict[str, Salary] = {}
    period = evaluation.period
    for result in paid:
        if result.subject not in salaries:
            continue  # payout_rows names the missing salary
        salary = salaries[result.subject]
        days = leave_days(leave.get(result.subject, ()), period)
        if days and salary.days_worked is None:
            # A local choice: additional income is not paid for the days on leave.
            salary = Salary(
                amount=salary.amount,
                days_worked=period.days - days,
                days_in_period=period.days,
            )
        chosen[result.subject] = salary
    unknown = sorted(set(salaries) - {member.id for member in evaluation.people})
    if unknown:
        raise UnknownSubjectError(
            f"salaries: {unknown!r} are not in the population; expected salaries only for the"
            " people evaluated"
        )
    months = len(period.months())
    return payout_rows(paid, rule.table, chosen, months=months)


def _check_kinds(
    evaluation: Evaluation, unknown_kinds: UnknownKinds, duplicates: Duplicates
) -> None:
    """Unknown kinds (known = any policy of the evaluation) and repeated events, all events at
    once; the sub-periods are then scored without checking them again."""
    check_options(unknown_kinds, duplicates, "evaluation")
    policies = evaluation.policies
    known: frozenset[str] | None = None
    if unknown_kinds == "error":
        known = frozenset().union(*(policy.known_kinds for policy in policies))
    problems = Problems()
    check_events(
        list(evaluation.facts),
        known,
        [policy.id for policy in policies],
        lambda position: f"evaluation: {evaluation.place(position)}",
        problems,
        duplicates=duplicates,
    )
    problems.raise_all("evaluation")


def run(
    evaluation: Evaluation,
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> EvaluationResult:
    """Run an evaluation: see :meth:`kpiscore.cycle.evaluation.Evaluation.run`."""
    _check_subjects(evaluation)
    _check_kinds(evaluation, unknown_kinds, duplicates)
    members = {member.id: member for member in evaluation.people}
    reports: dict[str, list[Member]] = {}
    for member in evaluation.people:
        if member.manager is not None:
            reports.setdefault(member.manager, []).append(member)
    order = levels(evaluation.people)
    leave: dict[str, list[Leave]] = {}
    for row in evaluation.leave:
        leave.setdefault(row.subject, []).append(row)
    notes: list[str] = []
    period = evaluation.period
    inside: dict[Period, list[Event]] = {piece: [] for piece in evaluation.sub_periods}
    for event in evaluation.facts:
        piece = next((p for p in inside if event.on in p), None)
        if piece is None:
            notes.append(
                f"the event {event.kind!r} of {event.subject!r} on {event.on.isoformat()} is"
                f" outside the period {period.label}; left out"
            )
        else:
            inside[piece].append(event)
    measures = dict(evaluation.measures)
    extra_caps: dict[str, list[CapLine]] = {}
    tables: dict[Period, ScoreTable] = {}
    for piece in evaluation.sub_periods:
        table = _score_period(
            evaluation,
            piece,
            order=order,
            members=members,
            reports=reports,
            events=inside[piece],
            measures=measures.get(piece, ()),
            leave=leave,
            notes=notes,
            extra_caps=extra_caps,
        )
        if table is not None:
            tables[piece] = table
    before, absent = _year(evaluation, tables, extra_caps, leave)
    after = before
    if evaluation.quota is not None:
        from kpiscore.cycle.quota import DEFAULT_REFERENCE, apply_quota

        quota = evaluation.quota
        after = apply_quota(
            before,
            quota.rating,
            quota.share,
            base=quota.base,
            group_by=quota_grouper(quota, members),
            rounding=quota.rounding,
            ties=quota.ties,
            reference=quota.reference or DEFAULT_REFERENCE,
        )
    payout = _payout(evaluation, after, leave, notes)
    return EvaluationResult(
        evaluation=evaluation,
        periods=tables,
        year=after,
        year_before_quota=before,
        payout=payout,
        absent=absent,
        notes=tuple(notes),
    )
