"""An agency's evaluation cycle: everyone scored every month or quarter under the policy of
their position, leaders after the people they manage, the year rolled up over the periods
actually worked, the quota applied, and additional income paid on the rating after the quota.

:class:`Evaluation` holds the inputs (built in Python, or read from a TOML evaluation file by
:meth:`Evaluation.load`); :meth:`Evaluation.run` gives an :class:`EvaluationResult`. The whole
cycle, with a worked example checked by hand, is in ``docs/evaluation-cycle.md``.

>>> from kpiscore import Category, Criterion, Measure, Period, Person, Policy
>>> from kpiscore.cycle.evaluation_assign import AssignRule, known_attributes
>>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
...     Criterion(id="x", name="X", max_points=100, basis="assessed")])])
>>> measures = {Period.quarter(2026, q): [Measure(subject="nv01", criterion="x", value=v)]
...             for q, v in ((1, 80), (2, 85), (3, 90), (4, 86))}
>>> evaluation = Evaluation(name="Phòng A", period="2026", every="quarter",
...     people=[Person(id="nv01")], measures=measures, assign=[AssignRule(policy=policy)])
>>> result = evaluation.run()
>>> [str(table["nv01"].total) for table in result.periods.values()], result.year["nv01"].total
(['80.00', '85.00', '90.00', '86.00'], Decimal('85.25'))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import attrs

from kpiscore.cycle import evaluation_file, evaluation_run
from kpiscore.cycle.evaluation_assign import AssignRule, known_attributes
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_leave import LEAVE_RULES, Leave, LeaveRule, check_leave
from kpiscore.cycle.evaluation_people import Member, check_members
from kpiscore.cycle.evaluation_result import EvaluationResult
from kpiscore.cycle.evaluation_rules import PayoutRule, QuotaRule
from kpiscore.exceptions import InputError
from kpiscore.io.file_numbers import NumberFormat
from kpiscore.model.fact_checks import Duplicates, UnknownKinds
from kpiscore.model.facts import Event, Measure
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy

__all__ = ["Evaluation", "EvaluationResult", "PayoutRule", "QuotaRule"]

Every = Literal["month", "quarter"]


def _tuple(value: object) -> tuple[object, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InputError(f"evaluation: expected a sequence (got {value!r})")
    return tuple(value)


def _measures(value: object) -> tuple[tuple[Period, tuple[Measure, ...]], ...]:
    if isinstance(value, tuple) and all(
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Period) for item in value
    ):
        value = dict(value)
    if not isinstance(value, Mapping):
        raise InputError(
            "evaluation: measures must be a mapping from each sub-period (a Period or a label)"
            f" to its measures (got {type(value).__name__} {value!r})"
        )
    pairs: list[tuple[Period, tuple[Measure, ...]]] = []
    for key, measures in value.items():
        period = as_period(key)
        items: list[Measure] = []
        for item in _tuple(measures):
            if not isinstance(item, Measure):
                raise InputError(
                    f"evaluation: measures[{period.label!r}] must hold Measure objects"
                    f" (got {type(item).__name__} {item!r})"
                )
            items.append(item)
        pairs.append((period, tuple(items)))
    return tuple(sorted(pairs, key=lambda pair: (pair[0].start, pair[0].end)))


@attrs.frozen(kw_only=True)
class Evaluation:
    """The inputs of an evaluation cycle (see the module docstring and
    ``docs/evaluation-cycle.md``).

    Attributes:
        name: What is evaluated ("Sở Nội vụ tỉnh X — đánh giá năm 2026").
        period: The evaluation period (usually a year).
        every: ``"month"`` or ``"quarter"``: the sub-periods scored and rolled up.
        people: The population: :class:`Member` objects (person, manager, other attributes),
            or plain :class:`~kpiscore.Person` objects or ids (no manager).
        events: Dated events of the people.
        approvals: Late-approval events, from :func:`kpiscore.work.read_approvals` (the file's
            ``approvals`` key reads the log with ``as_of`` the period's last day); scored like
            ``events``.
        measures: Each sub-period's measures, by sub-period (a :class:`~kpiscore.Period` or
            its label).
        leave: Leave rows (:class:`Leave`).
        leave_rule: ``"nd335-2025"`` (default) or ``"nd90-2020"``; see
            :mod:`kpiscore.cycle.evaluation_leave`.
        assign: The ``[[assign]]`` rules, first match wins.
        leaders: The ``[leaders]`` rule, or ``None`` to derive no (d) events.
        quota: The ``[quota]`` rule, or ``None``.
        payout: The ``[payout]`` rule, or ``None``.
        places: Where each of :attr:`facts` was read (``"events.csv line 12"``), for the
            messages about them; empty for facts built in Python (then ``events[3]``).
            :meth:`load` fills it in; not compared.
    """

    name: str
    period: Period = attrs.field(converter=as_period)
    every: Every = "quarter"
    people: tuple[Member, ...] = attrs.field(converter=check_members)
    events: tuple[Event, ...] = attrs.field(default=(), converter=_tuple)
    approvals: tuple[Event, ...] = attrs.field(default=(), converter=_tuple)
    measures: tuple[tuple[Period, tuple[Measure, ...]], ...] = attrs.field(
        factory=tuple, converter=_measures
    )
    leave: tuple[Leave, ...] = attrs.field(default=(), converter=check_leave)
    leave_rule: LeaveRule = "nd335-2025"
    assign: tuple[AssignRule, ...] = attrs.field(converter=_tuple)
    leaders: LeaderRule | None = None
    quota: QuotaRule | None = None
    payout: PayoutRule | None = None
    places: tuple[str, ...] = attrs.field(default=(), converter=tuple, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"evaluation: name must be non-empty text (got {self.name!r})")
        if self.every not in ("month", "quarter"):
            raise InputError(f"evaluation: every must be 'month' or 'quarter' (got {self.every!r})")
        if self.leave_rule not in LEAVE_RULES:
            raise InputError(
                f"evaluation: leave_rule must be one of {list(LEAVE_RULES)!r}"
                f" (got {self.leave_rule!r})"
            )
        if not self.assign:
            raise InputError("evaluation: no [[assign]] rule; expected at least one")
        for position, rule in enumerate(self.assign):
            if not isinstance(rule, AssignRule):
                raise InputError(
                    f"evaluation: assign[{position}] must be an AssignRule (got {rule!r})"
                )
        for field in ("events", "approvals"):
            for position, event in enumerate(getattr(self, field)):
                if not isinstance(event, Event):
                    raise InputError(
                        f"evaluation: {field}[{position}] must be an Event (got {event!r})"
                    )
        pieces = self.period.months() if self.every == "month" else self.period.quarters()
        whole = Period.month if self.every == "month" else Period.quarter
        for piece in pieces:
            index = piece.start.month if self.every == "month" else (piece.start.month + 2) // 3
            if piece != whole(piece.start.year, index):
                raise InputError(
                    f"evaluation: the period {self.period.label} is not made of whole calendar"
                    f" {self.every}s ({piece.label}); expected whole {self.every}s"
                )
        attributes = known_attributes(self.people)
        for position, rule in enumerate(self.assign):
            for name, _ in rule.when:
                if name not in attributes:
                    raise InputError(
                        f"evaluation: {rule.describe(position)} names the attribute {name!r},"
                        f" which no person has; expected one of {sorted(attributes)!r}"
                    )
        known = set(pieces)
        for period, _ in self.measures:
            if period not in known:
                raise InputError(
                    f"evaluation: measures are given for {period.label}, which is not a"
                    f" sub-period of {self.period.label} scored every {self.every}; expected"
                    f" one of {[p.label for p in pieces]!r}"
                )

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, number_format: NumberFormat | None = None
    ) -> Evaluation:
        """Read an evaluation file (TOML, strict keys, paths relative to the file).

        Args:
            path: The evaluation file.
            number_format: How the files it names write numbers (``"point"`` or ``"vi"``,
                ``0,9`` and ``7.020.000``); by default the file's key ``number_format``, else
                ``"point"``.

        Raises:
            FileFormatError: the file or a file it names is invalid; the message names the
                file and the key (``evaluation.toml:quota.shares``).
        """
        return cls(**evaluation_file.read_fields(Path(path), number_format))

    @property
    def sub_periods(self) -> tuple[Period, ...]:
        """The sub-periods scored, in date order."""
        if self.every == "month":
            return self.period.months()
        return self.period.quarters()

    @property
    def facts(self) -> tuple[Event, ...]:
        """Every event scored: ``events`` then ``approvals``."""
        return (*self.events, *self.approvals)

    def place(self, position: int) -> str:
        """Where ``facts[position]`` was read, or ``events[position]`` when not known."""
        if position < len(self.places):
            return self.places[position]
        return f"events[{position}]"

    @property
    def policies(self) -> tuple[Policy, ...]:
        """The policies of the ``[[assign]]`` rules, each once, in rule order."""
        seen: dict[str, Policy] = {}
        for rule in self.assign:
            seen.setdefault(rule.policy.fingerprint, rule.policy)
        return tuple(seen.values())

    # ------------------------------------------------------------------ running

    def run(
        self,
        *,
        unknown_kinds: UnknownKinds = "error",
        duplicates: Duplicates = "error",
    ) -> EvaluationResult:
        """Score every sub-period, roll the year up, apply the quota, compute the payout.

        Args:
            unknown_kinds: ``"error"`` (the default): an event kind no policy of the
                evaluation knows (rules, caps, ``other_kinds``) is an error naming the
                nearest known kinds; ``"ignore"`` leaves such events out.
            duplicates: ``"error"`` (the default): two events with the same subject and
                ``ref`` are an error; ``"allow"`` counts both.

        Raises:
            UnknownKindError, DuplicateEventError, InputErrorGroup: as above, every such
                problem of the evaluation's events together.
            InputError: a person matching no ``[[assign]]`` rule, a cycle in ``manager``,
                facts naming someone outside the population, people scored under policies
                whose scale or bands differ, or any error of the scoring itself.
        """
        return evaluation_run.run(self, unknown_kinds=unknown_kinds, duplicates=duplicates)
