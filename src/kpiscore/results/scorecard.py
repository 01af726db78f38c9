"""Results: the scorecard of one person for one period, its ledger, and tables of scorecards.

This module stays whole (about 840 lines): the scorecard, the ledger lines it is made of (rule,
criterion, category, cap and adjustment lines), its table and the row helpers they share are
the one result every output reads, so they change together; about a quarter of it is
documented fields and runnable examples.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

import attrs

from kpiscore.exceptions import InputError
from kpiscore.model.canonical import canonical_json
from kpiscore.model.facts import Event, Person
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.lookup import by_id, criterion_by_id, item_id
from kpiscore.model.numbers import canonical, format_points
from kpiscore.model.period import Period
from kpiscore.results.table import PolicyTable, SubjectTable, table_tree

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kpiscore.model.policy import Policy

__all__ = [
    "Adjustment",
    "BandInfo",
    "CapLine",
    "CategoryResult",
    "CriterionResult",
    "Notice",
    "RuleLine",
    "ScoreTable",
    "Scorecard",
    "card_row",
    "csv_row",
    "find_band",
    "result_head",
    "row_head",
    "table_tree",
]


@attrs.frozen(kw_only=True)
class RuleLine:
    """What one deduction or award did to one criterion: the ledger's basic line.

    Signed figures (``requested``, ``applied``) are negative for deductions and positive for
    awards; ``limited``, ``absorbed`` and ``carried`` are magnitudes (>= 0).

    Attributes:
        rule: The rule id.
        kind: ``"deduction"`` or ``"award"``.
        on: The event kind the rule counts.
        per: ``"occurrence"`` or ``"unit"``.
        points: The rule's points per occurrence or unit.
        events: The counted (non-excused) events, in canonical order.
        exempted: The excused events of that kind: listed, never counted.
        requested: What the events ask for (``count × points`` or ``Σ quantity × points``).
        limit: The rule's limit, if any.
        limited: What the rule's limit cut off.
        absorbed: What the criterion's floor (deductions) or maximum (awards) cut off.
        absorbed_by: ``"floor"``, ``"max"`` or ``None``.
        carried: The part of ``absorbed`` carried to the policy total (``overflow="carry"``).
        applied: What actually changed the criterion's points.
    """

    rule: str
    kind: Literal["deduction", "award"]
    on: str
    name: str | None
    reference: str | None
    #: The same reference in Vietnamese, cited by the Vietnamese outputs (not in the JSON: the
    #: policy's fingerprint identifies it).
    reference_vi: str | None = None
    per: str
    points: Decimal
    events: tuple[Event, ...]
    exempted: tuple[Event, ...]
    requested: Decimal
    limit: Decimal | None
    limited: Decimal
    absorbed: Decimal
    absorbed_by: Literal["floor", "max"] | None
    carried: Decimal
    applied: Decimal

    def to_dict(self) -> JsonObject:
        """The line as a JSON-ready tree (decimals as strings)."""
        return {
            "rule": self.rule,
            "kind": self.kind,
            "on": self.on,
            "name": self.name,
            "reference": self.reference,
            "per": self.per,
            "points": canonical(self.points),
            "events": [_event_tree(event) for event in self.events],
            "exempted": [_event_tree(event) for event in self.exempted],
            "requested": canonical(self.requested),
            "limit": None if self.limit is None else canonical(self.limit),
            "limited": canonical(self.limited),
            "absorbed": canonical(self.absorbed),
            "absorbed_by": self.absorbed_by,
            "carried": canonical(self.carried),
            "applied": canonical(self.applied),
        }


def _event_tree(event: Event) -> JsonObject:
    return {
        "kind": event.kind,
        "on": event.on.isoformat(),
        "quantity": canonical(event.quantity),
        "excused": event.excused,
        "ref": event.ref,
        "note": event.note,
    }


@attrs.frozen(kw_only=True)
class CriterionResult:
    """The result of one criterion: where it started, every rule, the clamp, the points.

    Attributes:
        points: The reported points, quantized once to the policy's precision.
        exact_points: The exact points before quantizing (what the category is computed from).
        start: The exact starting value (``max_points``, 0, the assessed value, or max × ratio).
        measure: The measure's value for ``assessed``/``ratio`` criteria.
        ratio_capped: A ratio above 1 was capped to 1 (``ratio_cap=True``).
        missing: ``"zero"`` or ``"exclude"`` when the measure was missing, else ``None``.
        excluded: The criterion dropped out of its category (missing measure, ``exclude``).
        raw: ``start + awards − deductions`` before the clamp to ``[floor, max_points]``.
        absorbed_by_floor: Deductions the floor cut off.
        absorbed_by_max: Awards the maximum cut off.
        raised_by_floor: How far the floor raised a start that lay below it.
        carried: Deductions carried to the policy total (``overflow="carry"``).
    """

    id: str
    name: str
    basis: str
    max_points: Decimal
    floor: Decimal
    weight: Decimal
    overflow: str
    reference: str | None
    #: The same reference in Vietnamese, cited by the Vietnamese outputs (not in the JSON: the
    #: policy's fingerprint identifies it).
    reference_vi: str | None = None
    start: Decimal
    measure: Decimal | None
    ratio_capped: bool
    missing: Literal["zero", "exclude"] | None
    excluded: bool
    rules: tuple[RuleLine, ...]
    raw: Decimal
    exact_points: Decimal
    points: Decimal
    absorbed_by_floor: Decimal
    absorbed_by_max: Decimal
    raised_by_floor: Decimal
    carried: Decimal

    def to_dict(self) -> JsonObject:
        """The criterion's result as a JSON-ready tree."""
        return {
            "id": self.id,
            "name": self.name,
            "basis": self.basis,
            "max_points": canonical(self.max_points),
            "floor": canonical(self.floor),
            "weight": canonical(self.weight),
            "overflow": self.overflow,
            "reference": self.reference,
            "start": canonical(self.start),
            "measure": None if self.measure is None else canonical(self.measure),
            "ratio_capped": self.ratio_capped,
            "missing": self.missing,
            "excluded": self.excluded,
            "rules": [line.to_dict() for line in self.rules],
            "raw": canonical(self.raw),
            "points": format_points(self.points),
            "absorbed_by_floor": canonical(self.absorbed_by_floor),
            "absorbed_by_max": canonical(self.absorbed_by_max),
            "raised_by_floor": canonical(self.raised_by_floor),
            "carried": canonical(self.carried),
        }


@attrs.frozen(kw_only=True)
class CategoryResult:
    """The result of one category: its reported points and its criteria."""

    id: str
    name: str
    max_points: Decimal
    points: Decimal
    weighted: bool
    reference: str | None
    #: The same reference in Vietnamese, cited by the Vietnamese outputs (not in the JSON: the
    #: policy's fingerprint identifies it).
    reference_vi: str | None = None
    criteria: tuple[CriterionResult, ...]

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion of this category, by id."""
        return by_id(
            self.criteria, criterion_id, item_id, where=f"category {self.id!r}", what="criterion"
        )

    def to_dict(self) -> JsonObject:
        """The category's result as a JSON-ready tree."""
        return {
            "id": self.id,
            "name": self.name,
            "max_points": canonical(self.max_points),
            "points": format_points(self.points),
            "weighted": self.weighted,
            "reference": self.reference,
            "criteria": [criterion.to_dict() for criterion in self.criteria],
        }


@attrs.frozen(kw_only=True)
class CapLine:
    """A rating cap that matched events in the period: what it lowered the rating to, and why."""

    on: str
    at_most: str
    name: str | None
    reference: str | None
    #: The same reference in Vietnamese, cited by the Vietnamese outputs (not in the JSON: the
    #: policy's fingerprint identifies it).
    reference_vi: str | None = None
    events: tuple[Event, ...]
    exempted: tuple[Event, ...]
    lowered: bool

    @property
    def applies(self) -> bool:
        """Whether a non-excused event triggered the cap."""
        return bool(self.events)

    def to_dict(self) -> JsonObject:
        """The cap line as a JSON-ready tree."""
        return {
            "on": self.on,
            "at_most": self.at_most,
            "name": self.name,
            "reference": self.reference,
            "events": [_event_tree(event) for event in self.events],
            "exempted": [_event_tree(event) for event in self.exempted],
            "lowered": self.lowered,
        }


@attrs.frozen(kw_only=True)
class Adjustment:
    """A change made to a rating after scoring (a quota demotion, for example), with its reason.

    Attributes:
        kind: What made the change (``"quota"``, …).
        from_rating: The rating before.
        to_rating: The rating after.
        reason: A readable sentence naming the rule, the group and the figures.
        reference: The legal article behind it.
        reason_vi: The same sentence in Vietnamese, when the maker wrote one.
    """

    kind: str
    from_rating: str | None
    to_rating: str | None
    reason: str
    reference: str | None = None
    #: The same reference in Vietnamese (cited by the Vietnamese outputs; not in the JSON).
    reference_vi: str | None = None
    reason_vi: str | None = None

    def to_dict(self) -> JsonObject:
        """The adjustment as a JSON-ready tree."""
        return {
            "kind": self.kind,
            "from_rating": self.from_rating,
            "to_rating": self.to_rating,
            "reason": self.reason,
            "reason_vi": self.reason_vi,
            "reference": self.reference,
        }


@attrs.frozen(kw_only=True)
class BandInfo:
    """A band's names, carried on the scorecard so it explains itself without the policy."""

    id: str
    name: str
    name_en: str | None
    min_points: Decimal


class _LazyLedger(Protocol):
    def build(self) -> tuple[tuple[CategoryResult, ...], tuple[CapLine, ...]]: ...

    def criterion_points(self) -> dict[str, Decimal]: ...


@attrs.frozen(kw_only=True, eq=False)
class ResultHead:
    """The fields every per-person result starts with: who, when, under which policy, with which
    reporting places and rounding, and the total (a :class:`Scorecard`, a roll-up's
    :class:`~kpiscore.rollup.Rollup`); each result documents them and compares them itself."""

    subject: str
    person: Person
    period: Period
    policy_id: str
    policy_version: str
    fingerprint: str
    precision: Decimal
    rounding: str
    total: Decimal


@attrs.frozen(kw_only=True, eq=False)
class Scorecard(ResultHead):
    """The result for one person and one period, with the ledger behind every point.

    The figures (total, ratings, category points) are computed when the person is scored; the
    full ledger (``categories`` with every criterion and rule line, ``caps``) is built the first
    time it is read, so scoring a large population costs little more than its totals.

    Two scorecards are equal when their canonical JSON is equal.

    Attributes:
        subject: The person's id.
        person: The :class:`Person` (built from the id when a plain string was scored).
        period: The period scored.
        policy_id, policy_version, fingerprint: Which policy, exactly.
        total: The reported total: reported category points minus the reported carried
            deduction, clamped at 0.
        max_total: The policy's maximum.
        rating: The band id after caps and adjustments, or ``None`` when the policy has no bands.
        score_rating: The band the total alone earns, before caps.
        category_points: ``(category id, reported points)`` pairs in policy order.
        carried: Deductions carried past criterion floors into the total.
        clamped: What the clamp of the total at 0 cut off (0 when it did not apply).
        adjustments: Changes made to the rating after scoring (quotas), in order; ``rating``
            is the rating after all of them.
        min_worked_share: The policy's minimum share of a period worked for a rating, carried
            so a roll-up of these scorecards can apply it.

    >>> from kpiscore import Policy, Category, Criterion, Deduction, Event, Period, score
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="training", name="Training", max_points=15,
    ...               deductions=[Deduction(on="training_absence", points=2)])])])
    >>> card = score(policy, Period.parse("2026-Q1"), "nv001",
    ...              events=[Event(subject="nv001", kind="training_absence", on=date(2026, 2, 3))])
    >>> card.total, card.criterion("training").rules[0].applied
    (Decimal('13.00'), Decimal('-2'))
    """

    max_total: Decimal
    rating: str | None
    score_rating: str | None
    category_points: tuple[tuple[str, Decimal], ...]
    carried: Decimal
    clamped: Decimal
    bands: tuple[BandInfo, ...] = attrs.field(repr=False)
    adjustments: tuple[Adjustment, ...] = ()
    min_worked_share: Decimal | None = attrs.field(default=None, repr=False)
    _categories: tuple[CategoryResult, ...] | None = attrs.field(
        default=None, alias="categories", repr=False
    )
    _caps: tuple[CapLine, ...] | None = attrs.field(default=None, alias="caps", repr=False)
    _source: _LazyLedger | None = attrs.field(default=None, alias="source", repr=False)

    @cached_property
    def _ledger(self) -> tuple[tuple[CategoryResult, ...], tuple[CapLine, ...]]:
        if self._categories is not None and self._caps is not None:
            return self._categories, self._caps
        if self._source is None:
            raise InputError(
                f"scorecard of {self.subject!r}: no ledger was kept (built without categories)"
            )
        return self._source.build()

    @property
    def categories(self) -> tuple[CategoryResult, ...]:
        """Each category's result, with its criteria and their ledgers (built on first read)."""
        return self._ledger[0]

    @property
    def caps(self) -> tuple[CapLine, ...]:
        """The rating caps that matched events in the period (built on first read)."""
        return self._ledger[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scorecard):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.subject, self.period, self.fingerprint, self.total, self.rating))

    def category(self, category_id: str) -> CategoryResult:
        """The result of one category, by id.

        Raises:
            InputError: no category has that id.
        """
        return by_id(
            self.categories,
            category_id,
            item_id,
            where=f"scorecard of {self.subject!r}",
            what="category",
        )

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion, by id, whichever category holds it.

        Raises:
            InputError: no criterion has that id.
        """
        return criterion_by_id(
            self.categories, criterion_id, item_id, where=f"scorecard of {self.subject!r}"
        )

    def band_info(self, band_id: str | None) -> BandInfo | None:
        """The names of a band on this scorecard's policy."""
        return find_band(self.bands, band_id)

    def to_dict(self) -> JsonObject:
        """The scorecard as a canonical JSON-ready tree (decimals as strings)."""
        return {
            **result_head(self),
            "max_total": canonical(self.max_total),
            "rating": self.rating,
            "score_rating": self.score_rating,
            "carried": format_points(self.carried),
            "clamped": format_points(self.clamped),
            "categories": [category.to_dict() for category in self.categories],
            "caps": [cap.to_dict() for cap in self.caps],
            "adjustments": [adjustment.to_dict() for adjustment in self.adjustments],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Canonical JSON: sorted keys, UTF-8 text, decimals as strings; byte-identical for
        the same policy and facts, whatever their order or the platform."""
        return canonical_json(self.to_dict(), indent=indent)

    def explain(self, lang: Literal["vi", "en"] = "vi") -> str:
        """The ledger as text a civil servant can read, in Vietnamese (default) or English.

        Raises:
            InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
        """
        from kpiscore.io.render import explain
        from kpiscore.model.numbers import exact

        with exact():  # the ledger's sums run in kpiscore's context, never the caller's
            return explain(self, lang)

    def _repr_html_(self) -> str:
        from kpiscore.io.render import scorecard_html
        from kpiscore.model.numbers import exact

        with exact():
            return scorecard_html(self)

    def to_html(self, lang: Literal["vi", "en"] = "vi", *, standalone: bool = True) -> str:
        """The printable A4 evaluation form ("phiếu đánh giá"), ledger and signature blocks.

        Args:
            lang: ``"vi"`` (default) or ``"en"``.
            standalone: A whole HTML document, or the form's ``<section>`` with its style.

        Raises:
            InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
        """
        from kpiscore.io.forms import scorecard_form

        return scorecard_form(self, lang=lang, standalone=standalone)


def find_band(bands: tuple[BandInfo, ...], band_id: str | None) -> BandInfo | None:
    """The band of ``bands`` with id ``band_id``, or ``None``."""
    for band in bands:
        if band.id == band_id:
            return band
    return None


def result_head(result: Any) -> dict[str, Any]:
    """The head every per-person result's JSON tree starts with: who, when, under what, total."""
    return {
        "subject": result.subject,
        "person": result.person.to_dict(),
        "period": result.period.label,
        "period_start": result.period.start.isoformat(),
        "period_end": result.period.end.isoformat(),
        "policy_id": result.policy_id,
        "policy_version": result.policy_version,
        "fingerprint": result.fingerprint,
        "total": format_points(result.total),
    }


def row_head(result: Any) -> dict[str, Any]:
    """The columns every per-person table row starts with: who, the period, the policy."""
    return {
        "subject": result.subject,
        "name": result.person.name,
        "unit": result.person.unit,
        "group": result.person.group,
        "position": result.person.position,
        "period": result.period.label,
        "policy": result.policy_id,
        "version": result.policy_version,
    }


def card_row(card: Scorecard) -> dict[str, Any]:
    """One scorecard's row of :meth:`ScoreTable.to_rows`."""
    row = row_head(card)
    for category_id, points in card.category_points:
        row[category_id] = points
    row["carried"] = card.carried
    row["total"] = card.total
    row["score_rating"] = card.score_rating
    row["rating"] = card.rating
    return row


def csv_row(card: Scorecard, criteria: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """One scorecard's row of the score CSV: :func:`card_row` with a column per criterion
    after the categories' (``criteria``: the table's (column, criterion id) pairs, from
    :func:`kpiscore.io.render.criterion_columns`). A criterion the card does not have, or one
    excluded from its category (a missing measure under ``missing="exclude"``), is empty."""
    source = card._source
    if card._categories is None and source is not None:
        points = source.criterion_points()  # the figures alone, without the rule lines
    else:
        points = {
            result.id: result.points
            for category in card.categories
            for result in category.criteria
            if not result.excluded
        }
    row = row_head(card)
    for category_id, category_points in card.category_points:
        row[category_id] = category_points
    for column, criterion_id in criteria:
        row[column] = points.get(criterion_id)
    row["carried"] = card.carried
    row["total"] = card.total
    row["score_rating"] = card.score_rating
    row["rating"] = card.rating
    return row


class TableColumns(Protocol):
    """A column store behind a :class:`ScoreTable` (the columnar engine): figures for everyone,
    scorecards built one at a time on request."""

    subjects: tuple[str, ...]

    def card(self, position: int) -> Scorecard: ...

    def totals(self) -> tuple[Decimal, ...]: ...

    def ratings(self) -> tuple[str | None, ...]: ...

    def rows(self) -> list[dict[str, Any]]: ...

    def csv_rows(self) -> list[dict[str, Any]]: ...

    def csv(self) -> str: ...


@attrs.frozen(kw_only=True)
class Notice:
    """Facts a score table left out, counted: nothing is dropped without a word.

    Attributes:
        what: What was left out: ``"events"``.
        count: How many.
        why: ``"outside the period"`` (dated outside the table's period: scoring a year-long
            file quarter by quarter leaves the other quarters' events out), or ``"excused"``
            (inside the period, but with a valid reason: they cost nothing, and the ledger
            shows them as exempted).

    >>> print(Notice(what="events", count=3, why="outside the period"))
    3 events left out: outside the period
    """

    what: str
    count: int
    why: Literal["outside the period", "excused"]

    def __str__(self) -> str:
        return f"{self.count} {self.what} left out: {self.why}"


def event_notices(outside: int, excused: int) -> tuple[Notice, ...]:
    """The notices of a table whose events had ``outside`` rows outside its period and
    ``excused`` excused rows inside it (none for a zero count)."""
    notices = []
    if outside:
        notices.append(Notice(what="events", count=outside, why="outside the period"))
    if excused:
        notices.append(Notice(what="events", count=excused, why="excused"))
    return tuple(notices)


@attrs.frozen(kw_only=True, eq=False)
class ScoreTable(PolicyTable, SubjectTable[Scorecard]):
    """The scorecards of a population for one period, in population order.

    Iterate it for the scorecards, index it by subject id, ``len()`` counts them.

    >>> from kpiscore import Policy, Category, Criterion, Period, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> table = score_many(policy, Period.year(2026), ["nv001", "nv002"])
    >>> len(table), table["nv002"].total
    (2, Decimal('10.00'))

    ``notices`` counts the facts the table left out (events outside the period, excused
    events), as :class:`Notice` records; ``notes`` says how the table was computed.
    """

    json_key: ClassVar[str] = "scorecards"
    _lookup_names: ClassVar[tuple[str, str, str]] = ("score table", "scorecard", "subjects scored")

    policy: Policy = attrs.field(repr=lambda p: repr(p.id))
    period: Period
    _cards: tuple[Scorecard, ...] | None = attrs.field(
        default=None, alias="scorecards", repr=False, eq=False
    )
    _columns: TableColumns | None = attrs.field(default=None, alias="columns", repr=False, eq=False)
    notes: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = attrs.field(default=(), eq=False)

    def __attrs_post_init__(self) -> None:
        if self._cards is None and self._columns is None:
            raise InputError("score table: give scorecards or columns (got neither)")

    @cached_property
    def _index(self) -> dict[str, int]:
        return {subject: i for i, subject in enumerate(self.subjects)}

    @cached_property
    def scorecards(self) -> tuple[Scorecard, ...]:
        """Every scorecard, in population order (built on first read for a columnar table)."""
        if self._cards is not None:
            return self._cards
        columns = self._columns
        if columns is None:  # pragma: no cover - refused at construction
            raise InputError("score table: no scorecards and no columns")
        # Through the cache: a card read before is the same object in the tuple.
        return tuple(self._at(i) for i in range(len(columns.subjects)))

    def __iter__(self) -> Iterator[Scorecard]:
        return iter(self.scorecards)

    def __len__(self) -> int:
        return len(self.subjects)

    def __contains__(self, subject: object) -> bool:
        return subject in self._index

    @property
    def columns(self) -> TableColumns | None:
        """The column store behind a table from :func:`kpiscore.score_frame` (``None`` for a
        table of scorecards): what the cycle's columnar steps read."""
        return self._columns if self._cards is None else None

    @cached_property
    def subjects(self) -> tuple[str, ...]:
        """The subject ids, in population order."""
        if self._cards is None and self._columns is not None:
            return self._columns.subjects
        return tuple(card.subject for card in self.scorecards)

    def totals(self) -> tuple[Decimal, ...]:
        """Every reported total, in population order (no scorecard is built for this)."""
        if self._cards is None and self._columns is not None:
            return self._columns.totals()
        return tuple(card.total for card in self.scorecards)

    def ratings(self) -> tuple[str | None, ...]:
        """Every rating after caps and adjustments, in population order."""
        if self._cards is None and self._columns is not None:
            return self._columns.ratings()
        return tuple(card.rating for card in self.scorecards)

    def distribution(self) -> dict[str | None, int]:
        """How many people got each rating, every band listed (highest first), zeros included.

        When the policy has no bands, the only key is ``None``.
        """
        counts: dict[str | None, int] = {band.id: 0 for band in self.policy.bands_descending}
        if not counts:
            counts[None] = 0
        for rating in self.ratings():
            counts[rating] = counts.get(rating, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        """Headline figures: count, mean/min/max total (exact mean quantized), distribution."""
        from kpiscore.io.render import table_summary

        return table_summary(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per person: id, attributes, each category's points, carried, total, rating.

        Values are exact ``Decimal``s (and ``str``/``None``), ready for ``csv`` or a DataFrame.
        """
        if self._cards is None and self._columns is not None:
            return self._columns.rows()
        return [card_row(card) for card in self.scorecards]

    def head_rows(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` rows; a columnar table builds only those scorecards."""
        return [card_row(self._at(i)) for i in range(min(count, len(self)))]

    @cached_property
    def _built(self) -> dict[int, Scorecard]:
        # The scorecards a columnar table built on request, kept: ``table[s]`` twice builds one.
        return {}

    def _at(self, position: int) -> Scorecard:
        if self._cards is None and self._columns is not None:
            built = self._built.get(position)
            if built is None:
                built = self._built[position] = self._columns.card(position)
            return built
        return self.scorecards[position]

    def csv_rows(self) -> list[dict[str, Any]]:
        """The rows of the score CSV: :meth:`to_rows` with each criterion's points after the
        categories' (a column named by the criterion's id, in policy order; see
        :func:`kpiscore.io.render.criterion_columns`).

        >>> from kpiscore import Policy, Category, Criterion, Period, score_many
        >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
        ...     Criterion(id="x", name="X", max_points=4),
        ...     Criterion(id="y", name="Y", max_points=6)])])
        >>> row = score_many(policy, Period.year(2026), ["nv001"]).csv_rows()[0]
        >>> [(key, str(row[key])) for key in ("c", "x", "y", "total")]
        [('c', '10.00'), ('x', '4.00'), ('y', '6.00'), ('total', '10.00')]
        """
        if self._cards is None and self._columns is not None:
            return self._columns.csv_rows()
        from kpiscore.io.render import criterion_columns

        criteria = criterion_columns(self.policy)
        return [csv_row(card, criteria) for card in self.scorecards]

    def csv_text(self) -> str:
        """The rows of :meth:`csv_rows` as CSV text, safe for spreadsheets (the column store
        writes its own, byte for byte the same)."""
        if self._cards is None and self._columns is not None:
            return self._columns.csv()
        from kpiscore.io.render import rows_to_csv

        return rows_to_csv(self.csv_rows())

    def results(self) -> Iterable[Scorecard]:
        """The scorecards (for the JSON document)."""
        return self.scorecards

    def to_excel(
        self,
        path: str | os.PathLike[str],
        *,
        lang: Literal["vi", "en"] = "vi",
        inputs: Iterable[str | os.PathLike[str]] = (),
    ) -> Path:
        """A workbook: scores (a column per criterion and category), per-unit summary, notes.

        Typed numeric cells with the policy's decimals; written atomically. See
        ``docs/reports.md``.

        Raises:
            MissingExtraError: XlsxWriter is not installed (``pip install 'kpiscore[excel]'``).
            OutputError: the file cannot be written, or is one of ``inputs``.
        """
        from kpiscore.io.excel import write_score_table

        return write_score_table(self, path, lang=lang, inputs=inputs)

    def write_forms(
        self,
        directory: str | os.PathLike[str],
        *,
        lang: Literal["vi", "en"] = "vi",
        single: str | None = None,
    ) -> list[Path]:
        """Write everyone's printable form: ``<subject>.html`` each, or all in ``single``."""
        from kpiscore.io.forms import write_forms

        return write_forms(self, directory, lang=lang, single=single)

    def plot(
        self,
        kind: Literal["ratings", "totals"] = "ratings",
        ax: Axes | None = None,
        *,
        lang: Literal["vi", "en"] = "vi",
    ) -> Axes:
        """A chart: ratings by unit, stacked (``"ratings"``), or the totals' histogram with the
        band thresholds (``"totals"``).

        Raises:
            MissingExtraError: matplotlib is not installed (``pip install 'kpiscore[plot]'``).
        """
        from kpiscore.io.plot import ratings_by_unit, totals_histogram

        if kind == "totals":
            return totals_histogram(self, ax, lang=lang)
        if kind != "ratings":
            raise InputError(f"plot: kind must be 'ratings' or 'totals' (got {kind!r})")
        return ratings_by_unit(self, ax, lang=lang)
