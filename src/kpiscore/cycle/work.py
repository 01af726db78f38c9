"""Work items: task ratios (Decree 335/2025 Art. 14) and late-approval events.

A :class:`WorkItem` is one piece of assigned work, measured in converted units ("quy đổi").
:func:`task_ratios` turns a period's items into the three ratios a Decree 335 policy scores,
as :class:`~kpiscore.Measure` objects ready for :func:`kpiscore.score`, with an item-by-item
breakdown for the ledger. :func:`approval_events` turns approvals past their deadline into
:class:`~kpiscore.Event` objects for the approver (the news case: a leader who leaves a work item
unapproved past its 5-day deadline loses points).

Decisions where the decree is silent (documented in ``docs/work-items.md``):

- An item belongs to the period that contains its ``due_on`` (``by="due"``, the default) or its
  ``assigned_on`` (``by="assigned"``). Its completion is taken as given, even when it falls after
  the period (an item due in January and finished in February is late, not missing).
- An objective cause confirmed by the competent authority exempts the item: its delays and
  major errors cost nothing, and when it was not completed it is left out of the assigned units
  (neither counted for nor held against the person).
- A ratio that is not a terminating decimal (2/3) is rounded half-even to
  :data:`RATIO_PLACES` decimal places; the breakdown says so and keeps the exact fraction.

The late-approval events built from the same items (and from approval logs) are in
:mod:`kpiscore.cycle.approvals`; :mod:`kpiscore.work` shows both. This module stays whole (about
650 lines): the work item, its per-item results and the task ratios are one concept, and most of
the length is the attrs classes' documented fields and runnable examples.

>>> from kpiscore.work import WorkItem, task_ratios
>>> items = [
...     WorkItem(subject="nv001", id="a", assigned_on=date(2026, 1, 5), due_on=date(2026, 1, 20),
...              completed_on=date(2026, 1, 19)),
...     WorkItem(subject="nv001", id="b", assigned_on=date(2026, 1, 5), due_on=date(2026, 1, 23),
...              completed_on=date(2026, 1, 27), major_errors=1),
... ]
>>> [(m.criterion, m.value) for m in task_ratios(items, "2026-01")]
[('quantity', Decimal('1')), ('quality', Decimal('0.875')), ('on_time', Decimal('0.875'))]
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

import attrs

from kpiscore.exceptions import InputError, UnknownSubjectError
from kpiscore.model.canonical import canonical_json
from kpiscore.model.facts import Measure, Person
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.lookup import by_id
from kpiscore.model.numbers import EXACT, canonical, exact, number, quantize_fraction, to_decimal
from kpiscore.model.period import Period, as_period, check_date

__all__ = [
    "RATIO_PLACES",
    "ItemResult",
    "SubjectTasks",
    "TaskRatio",
    "TaskRatios",
    "WorkItem",
    "task_ratios",
]

#: Decimal places a non-terminating ratio (2/3) is rounded to, half-even. Far below any policy's
#: precision (at most 12 places), so a reported score can differ from the one the exact fraction
#: gives only when that exact score is itself a rounding tie, which a non-terminating ratio
#: makes all but impossible; the breakdown flags every rounded ratio.
RATIO_PLACES: Final = 28
_RATIO_QUANTUM: Final = Decimal(1).scaleb(-RATIO_PLACES, EXACT)

# Decree 335/2025 Art. 14: each major error costs 25 % of the item's quality score and each
# delay 25 % of its on-time score.
_PENALTY: Final = Decimal("0.25")
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_ONE_DAY: Final = _dt.timedelta(days=1)


# --------------------------------------------------------------------------- the work item


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _default_delays(item: WorkItem) -> int:
    completed, due = item.completed_on, item.due_on
    # Only plain dates compare; anything else is reported by the validation that follows.
    plain = all(
        isinstance(day, _dt.date) and not isinstance(day, _dt.datetime) for day in (completed, due)
    )
    return 1 if plain and completed > due else 0  # type: ignore[operator]


def _count(value: object, *, owner: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{owner}: {field} must be a whole number >= 0 (got {value!r})")
    return value


def _text(value: object, *, owner: str, field: str, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        expected = "a non-empty string" + (" or None" if optional else "")
        raise InputError(f"{owner}: {field} must be {expected} (got {value!r})")


@attrs.frozen(kw_only=True)
class WorkItem:
    """One piece of assigned work (a task, a product, a file to handle), in converted units.

    Args:
        subject: The id of the person the work is assigned to.
        id: The item's id, unique per subject.
        assigned_on: The day it was assigned.
        due_on: Its deadline, on or after ``assigned_on``.
        units: Its size in converted units ("quy đổi"), a number > 0 (default 1).
        completed_on: The day it was completed, or ``None`` while it is not.
        major_errors: Failed appraisals for a major content error; each costs 25 % of the item's
            quality score (Decree 335 Art. 14).
        delays: How many times it was late; each costs 25 % of its on-time score. Defaults to 1
            when ``completed_on`` is after ``due_on``, else 0. Giving 0 for an item completed
            late is refused: mark an objective cause instead, or correct ``due_on``.
        objective_cause: An objective cause confirmed by the competent authority: the item's
            delays and errors cost nothing, and if it is not completed it is left out of the
            assigned units.
        approver: The id of the leader who must approve the item, if any.
        submitted_on: The day it was submitted for approval (starts the approval deadline).
        approved_on: The day it was approved, or ``None``; requires ``submitted_on``.

    Raises:
        InputError: an invalid field (the message names the item, the field and the value).

    >>> item = WorkItem(subject="nv001", id="cv-12", assigned_on=date(2026, 2, 2),
    ...                 due_on=date(2026, 2, 12), units="1.5", completed_on=date(2026, 2, 13))
    >>> item.units, item.delays, item.late
    (Decimal('1.5'), 1, True)
    """

    subject: str = attrs.field(converter=_nfc)
    id: str = attrs.field(converter=_nfc)
    assigned_on: _dt.date
    due_on: _dt.date
    units: Decimal = attrs.field(default=_ONE, converter=number)
    completed_on: _dt.date | None = None
    major_errors: int = 0
    delays: int = attrs.field(default=attrs.Factory(_default_delays, takes_self=True))
    objective_cause: bool = False
    approver: str | None = attrs.field(default=None, converter=_nfc)
    submitted_on: _dt.date | None = None
    approved_on: _dt.date | None = None

    def __attrs_post_init__(self) -> None:
        _text(self.subject, owner="work item", field="subject")
        _text(self.id, owner=f"work item of {self.subject!r}", field="id")
        owner = self._owner
        assigned = check_date(self.assigned_on, owner=owner, field="assigned_on")
        due = check_date(self.due_on, owner=owner, field="due_on")
        if due < assigned:
            raise InputError(
                f"{owner}: due_on must be on or after assigned_on ({assigned.isoformat()})"
                f" (got {due.isoformat()})"
            )
        units = to_decimal(self.units, owner=owner, field="units")
        if units <= 0:
            raise InputError(f"{owner}: units must be > 0 (got {units!r})")
        object.__setattr__(self, "units", units)
        for field in ("completed_on", "submitted_on", "approved_on"):
            value = getattr(self, field)
            if value is None:
                continue
            day = check_date(value, owner=owner, field=field)
            if day < assigned:
                raise InputError(
                    f"{owner}: {field} must be on or after assigned_on ({assigned.isoformat()})"
                    f" (got {day.isoformat()})"
                )
        _count(self.major_errors, owner=owner, field="major_errors")
        if self.delays is None:  # an explicit None means "the default", as documented
            object.__setattr__(self, "delays", _default_delays(self))
        _count(self.delays, owner=owner, field="delays")
        if not isinstance(self.objective_cause, bool):
            raise InputError(
                f"{owner}: objective_cause must be True or False (got {self.objective_cause!r})"
            )
        completed = self.completed_on
        late_without_delay = completed is not None and completed > due and self.delays == 0
        if late_without_delay and not self.objective_cause:
            raise InputError(
                f"{owner}: delays is 0 but the item was completed on {completed},"
                f" after due_on ({due.isoformat()}); expected delays >= 1, or"
                " objective_cause=True when the delay has a confirmed objective cause"
            )
        _text(self.approver, owner=owner, field="approver", optional=True)
        if self.approved_on is not None:
            if self.submitted_on is None:
                raise InputError(
                    f"{owner}: approved_on ({self.approved_on.isoformat()}) needs submitted_on,"
                    " the day the approval deadline runs from (got None)"
                )
            if self.approved_on < self.submitted_on:
                raise InputError(
                    f"{owner}: approved_on must be on or after submitted_on"
                    f" ({self.submitted_on.isoformat()}) (got {self.approved_on.isoformat()})"
                )

    @property
    def _owner(self) -> str:
        return f"work item {self.id!r} of {self.subject!r}"

    @property
    def completed(self) -> bool:
        """Whether the item has been completed."""
        return self.completed_on is not None

    @property
    def late(self) -> bool:
        """Whether the item was completed after ``due_on``."""
        return self.completed_on is not None and self.completed_on > self.due_on


# --------------------------------------------------------------------------- results


@attrs.frozen(kw_only=True)
class ItemResult:
    """What one work item contributed to its subject's ratios: a line of the breakdown.

    Attributes:
        item: The work item.
        counted: Whether its units are in the assigned units (False only for an exempt item
            that was not completed).
        exempt: An objective cause was confirmed.
        quality_share: The share of its units meeting quality: 1 − 0.25 × major errors, at
            least 0 (1 when exempt; 0 when not completed).
        on_time_share: The share of its units on time: 1 − 0.25 × delays, at least 0.
        quality_units: ``units × quality_share``.
        on_time_units: ``units × on_time_share``.
        note: Why, in words.
    """

    item: WorkItem
    counted: bool
    exempt: bool
    quality_share: Decimal
    on_time_share: Decimal
    quality_units: Decimal
    on_time_units: Decimal
    note: str

    def to_dict(self) -> JsonObject:
        """The line as a JSON-ready tree (decimals as strings)."""
        item = self.item
        return {
            "id": item.id,
            "assigned_on": item.assigned_on.isoformat(),
            "due_on": item.due_on.isoformat(),
            "completed_on": None if item.completed_on is None else item.completed_on.isoformat(),
            "units": canonical(item.units),
            "major_errors": item.major_errors,
            "delays": item.delays,
            "objective_cause": item.objective_cause,
            "counted": self.counted,
            "exempt": self.exempt,
            "quality_share": canonical(self.quality_share),
            "on_time_share": canonical(self.on_time_share),
            "quality_units": canonical(self.quality_units),
            "on_time_units": canonical(self.on_time_units),
            "note": self.note,
        }


@attrs.frozen(kw_only=True)
class TaskRatio:
    """One ratio of one subject: ``numerator / denominator`` units, and the value measured.

    Attributes:
        criterion: The criterion id the ratio is the measure of.
        numerator: Completed, quality or on-time units.
        denominator: Assigned units (> 0).
        value: The ratio as a decimal: exact when it terminates, else rounded half-even to
            :data:`RATIO_PLACES` places.
        exact: Whether ``value`` is exactly ``numerator / denominator``.
    """

    criterion: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal
    exact: bool

    @property
    def fraction(self) -> Fraction:
        """The exact ratio."""
        return Fraction(self.numerator) / Fraction(self.denominator)

    def to_dict(self) -> JsonObject:
        """The ratio as a JSON-ready tree."""
        return {
            "criterion": self.criterion,
            "numerator": canonical(self.numerator),
            "denominator": canonical(self.denominator),
            "value": canonical(self.value),
            "exact": self.exact,
        }


def _shown_ratios(criteria: list[str]) -> str:
    return repr(criteria) + ("" if criteria else " (no units were assigned in the period)")


@attrs.frozen(kw_only=True)
class SubjectTasks:
    """One subject's work in the period: every item's line, the unit sums and the ratios.

    Attributes:
        subject: The person's id.
        items: The items in the period, by due date then id.
        assigned: Assigned units (counted items).
        completed: Units of completed counted items.
        quality_units: Σ ``quality_units`` of the items.
        on_time_units: Σ ``on_time_units`` of the items.
        ratios: The quantity, quality and on-time ratios, in that order; empty when no units
            were assigned in the period (then no measure is given and the policy's ``missing``
            setting decides).
    """

    subject: str
    items: tuple[ItemResult, ...]
    assigned: Decimal
    completed: Decimal
    quality_units: Decimal
    on_time_units: Decimal
    ratios: tuple[TaskRatio, ...]

    @property
    def measures(self) -> tuple[Measure, ...]:
        """The ratios as measures for a policy's ``ratio`` criteria."""
        return tuple(
            Measure(subject=self.subject, criterion=ratio.criterion, value=ratio.value)
            for ratio in self.ratios
        )

    def ratio(self, criterion: str) -> TaskRatio:
        """The ratio measured for one criterion id.

        Raises:
            InputError: no ratio for that criterion (or none at all: no units assigned).
        """
        return by_id(
            self.ratios,
            criterion,
            lambda ratio: ratio.criterion,
            where=f"task ratios of {self.subject!r}",
            what="ratio for criterion",
            shown=_shown_ratios,
        )

    def to_dict(self) -> JsonObject:
        """The subject's breakdown as a JSON-ready tree."""
        return {
            "subject": self.subject,
            "assigned": canonical(self.assigned),
            "completed": canonical(self.completed),
            "quality_units": canonical(self.quality_units),
            "on_time_units": canonical(self.on_time_units),
            "ratios": [ratio.to_dict() for ratio in self.ratios],
            "items": [line.to_dict() for line in self.items],
        }


@attrs.frozen(kw_only=True)
class TaskRatios:
    """The task ratios of everyone in a period, with the breakdown behind them.

    Iterating yields the :class:`~kpiscore.Measure` objects, so the result can be passed
    straight to ``score(..., measures=...)``; index it by subject id for the breakdown.

    Attributes:
        period: The period.
        by: ``"due"`` or ``"assigned"``: which date placed an item in the period.
        subjects: Each subject's :class:`SubjectTasks`, in population order (sorted by id when no
            population was given).
    """

    period: Period
    by: Literal["due", "assigned"]
    subjects: tuple[SubjectTasks, ...]

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Every subject's measures: quantity, quality, on-time, subject after subject."""
        return tuple(measure for tasks in self.subjects for measure in tasks.measures)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures)

    def __getitem__(self, subject: str) -> SubjectTasks:
        for tasks in self.subjects:
            if tasks.subject == subject:
                return tasks
        raise UnknownSubjectError(
            f"task ratios for {self.period.label}: no subject {subject!r}"
            f" ({len(self.subjects)} subjects)"
        )

    def __contains__(self, subject: object) -> bool:
        return any(tasks.subject == subject for tasks in self.subjects)

    def to_dict(self) -> JsonObject:
        """The whole breakdown as a JSON-ready tree."""
        return {
            "period": self.period.label,
            "by": self.by,
            "subjects": [tasks.to_dict() for tasks in self.subjects],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Canonical JSON: sorted keys, UTF-8, decimals as strings."""
        return canonical_json(self.to_dict(), indent=indent)


# --------------------------------------------------------------------------- task ratios


def _items(items: Iterable[WorkItem]) -> list[WorkItem]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InputError(f"items must be an iterable of WorkItem (got {items!r})")
    checked = list(items)
    seen: dict[tuple[str, str], int] = {}
    for position, item in enumerate(checked):
        if not isinstance(item, WorkItem):
            raise InputError(
                f"items[{position}] must be a WorkItem (got {type(item).__name__} {item!r})"
            )
        key = (item.subject, item.id)
        if key in seen:
            raise InputError(
                f"items: work item {item.id!r} of {item.subject!r} appears twice (positions"
                f" {seen[key]} and {position}); expected item ids unique per subject"
            )
        seen[key] = position
    return checked


def _ratio_value(numerator: Decimal, denominator: Decimal) -> tuple[Decimal, bool]:
    """The decimal value of a ratio: exact when it terminates, else rounded to RATIO_PLACES."""
    fraction = Fraction(numerator) / Fraction(denominator)
    rest = fraction.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest == 1:
        # A terminating decimal: the division is exact (EXACT traps anything inexact).
        quotient = EXACT.divide(Decimal(fraction.numerator), Decimal(fraction.denominator))
        return quotient.normalize(EXACT) if quotient else _ZERO, True
    return quantize_fraction(fraction, _RATIO_QUANTUM, "ROUND_HALF_EVEN"), False


def _item_result(item: WorkItem) -> ItemResult:
    units = item.units
    if item.objective_cause:
        if item.completed:
            return ItemResult(
                item=item,
                counted=True,
                exempt=True,
                quality_share=_ONE,
                on_time_share=_ONE,
                quality_units=units,
                on_time_units=units,
                note="objective cause confirmed: no deduction for errors or delays",
            )
        return ItemResult(
            item=item,
            counted=False,
            exempt=True,
            quality_share=_ZERO,
            on_time_share=_ZERO,
            quality_units=_ZERO,
            on_time_units=_ZERO,
            note="objective cause confirmed, not completed: left out of the assigned units",
        )
    if not item.completed:
        return ItemResult(
            item=item,
            counted=True,
            exempt=False,
            quality_share=_ZERO,
            on_time_share=_ZERO,
            quality_units=_ZERO,
            on_time_units=_ZERO,
            note="not completed",
        )
    # Shares lie in [0, 1]; normalising prints them as 0.75 and 1, never 0.750 or 1.00.
    quality = max(_ONE - _PENALTY * item.major_errors, _ZERO).normalize(EXACT)
    on_time = max(_ONE - _PENALTY * item.delays, _ZERO).normalize(EXACT)
    notes = []
    if item.major_errors:
        notes.append(f"{item.major_errors} major error(s): quality × {canonical(quality)}")
    if item.delays:
        notes.append(f"{item.delays} delay(s): on time × {canonical(on_time)}")
    return ItemResult(
        item=item,
        counted=True,
        exempt=False,
        quality_share=quality,
        on_time_share=on_time,
        quality_units=units * quality,
        on_time_units=units * on_time,
        note="; ".join(notes) if notes else "completed on time, no major error",
    )


def _subject_tasks(
    subject: str, items: list[WorkItem], criteria: tuple[str, str, str]
) -> SubjectTasks:
    lines = tuple(
        _item_result(item) for item in sorted(items, key=lambda i: (i.due_on, i.assigned_on, i.id))
    )
    counted = [line for line in lines if line.counted]
    assigned = sum((line.item.units for line in counted), _ZERO)
    completed = sum((line.item.units for line in counted if line.item.completed), _ZERO)
    quality = sum((line.quality_units for line in counted), _ZERO)
    on_time = sum((line.on_time_units for line in counted), _ZERO)
    ratios: list[TaskRatio] = []
    if assigned > 0:
        for criterion, numerator in zip(criteria, (completed, quality, on_time), strict=True):
            value, is_exact = _ratio_value(numerator, assigned)
            ratios.append(
                TaskRatio(
                    criterion=criterion,
                    numerator=numerator,
                    denominator=assigned,
                    value=value,
                    exact=is_exact,
                )
            )
    return SubjectTasks(
        subject=subject,
        items=lines,
        assigned=assigned,
        completed=completed,
        quality_units=quality,
        on_time_units=on_time,
        ratios=tuple(ratios),
    )


def task_ratios(
    items: Iterable[WorkItem],
    period: Period | str,
    *,
    quantity: str = "quantity",
    quality: str = "quality",
    on_time: str = "on_time",
    by: Literal["due", "assigned"] = "due",
    subjects: Iterable[Person | str] | None = None,
) -> TaskRatios:
    """The quantity, quality and on-time ratios of Decree 335/2025 Art. 14, per subject.

    For each subject, over the items in the period:

    - quantity = completed units / assigned units;
    - quality = Σ units × (1 − 0.25 × major errors, at least 0) over completed items / assigned;
    - on-time = Σ units × (1 − 0.25 × delays, at least 0) over completed items / assigned;
    - an item with a confirmed objective cause loses nothing for errors or delays, and is left
      out of the assigned units when not completed.

    Args:
        items: The work items (of anyone, in any order; item ids unique per subject).
        period: The period (a :class:`~kpiscore.Period` or a label such as ``"2026-01"``).
        quantity: The criterion id for the quantity ratio.
        quality: The criterion id for the quality ratio.
        on_time: The criterion id for the on-time ratio.
        by: ``"due"`` (default): an item belongs to the period containing its ``due_on``;
            ``"assigned"``: the one containing its ``assigned_on``.
        subjects: The population; when given, an item for anyone else is an error and everyone
            is listed in the breakdown, with or without items. By default the subjects are those
            with items in the period, sorted by id.

    Returns:
        A :class:`TaskRatios`: iterate it for the measures, index it by subject for the
        breakdown. A subject with no units assigned in the period gets no measures.

    Raises:
        InputError: a bad argument, an item that is not a :class:`WorkItem`, duplicate ids.
        UnknownSubjectError: an item names someone outside ``subjects``.

    >>> items = [WorkItem(subject="nv001", id=str(n), assigned_on=date(2026, 3, 2),
    ...                   due_on=date(2026, 3, 20), completed_on=date(2026, 3, 20))
    ...          for n in range(2)]
    >>> items.append(WorkItem(subject="nv001", id="2", assigned_on=date(2026, 3, 2),
    ...                       due_on=date(2026, 3, 20)))
    >>> ratios = task_ratios(items, "2026-03", quantity="khoi_luong")
    >>> ratios["nv001"].ratio("khoi_luong").value   # 2/3, rounded to 28 places
    Decimal('0.6666666666666666666666666667')
    >>> ratios["nv001"].ratio("khoi_luong").exact
    False
    """
    period = as_period(period)
    criteria = (quantity, quality, on_time)
    for name, value in zip(("quantity", "quality", "on_time"), criteria, strict=True):
        _text(value, owner="task_ratios", field=name)
    if len(set(criteria)) != 3:
        raise InputError(
            f"task_ratios: the criterion ids must be distinct (got quantity={quantity!r},"
            f" quality={quality!r}, on_time={on_time!r})"
        )
    if by not in ("due", "assigned"):
        raise InputError(f"task_ratios: by must be 'due' or 'assigned' (got {by!r})")
    checked = _items(items)
    population: list[str] | None = None
    if subjects is not None:
        if isinstance(subjects, str | bytes) or not isinstance(subjects, Iterable):
            raise InputError(
                f"task_ratios: subjects must be an iterable of Person or id strings"
                f" (got {subjects!r})"
            )
        population = []
        for subject in subjects:
            if isinstance(subject, Person):
                subject_id = subject.id
            elif isinstance(subject, str):
                subject_id = Person(id=subject).id
            else:
                raise InputError(
                    f"task_ratios: subjects must hold Person objects or id strings"
                    f" (got {type(subject).__name__} {subject!r})"
                )
            if subject_id in population:
                raise InputError(
                    f"task_ratios: subject {subject_id!r} appears twice; expected unique ids"
                )
            population.append(subject_id)
        known = set(population)
        for position, item in enumerate(checked):
            if item.subject not in known:
                raise UnknownSubjectError(
                    f"items[{position}]: work item {item.id!r} names subject {item.subject!r},"
                    " who is not in the population"
                )
    in_period: dict[str, list[WorkItem]] = {}
    for item in checked:
        day = item.due_on if by == "due" else item.assigned_on
        if day in period:
            in_period.setdefault(item.subject, []).append(item)
    order = population if population is not None else sorted(in_period)
    with exact():
        breakdown = tuple(
            _subject_tasks(subject, in_period.get(subject, []), criteria) for subject in order
        )
    return TaskRatios(period=period, by=by, subjects=breakdown)
