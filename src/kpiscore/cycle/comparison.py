"""Comparing a population under a base policy and a variant, person by person.

:func:`compare` scores everyone under both and returns a :class:`Comparison` (a
:class:`~kpiscore.results.table.ResultTable`: rows, CSV, JSON, pandas, HTML). Public names are
re-exported by :mod:`kpiscore.variants`; see that module for overlays and ``docs/variants.md``.

This module stays whole (about 600 lines): the comparison, its rows, moves and summary are one
result table, and the point moves are computed next to the rows that show them.

>>> from kpiscore import Category, Criterion, Measure, Policy
>>> base = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
...     Criterion(id="x", name="X", max_points=100, basis="assessed")])])
>>> variant = Policy(id="p", name="P", version="2", categories=[Category(id="c", name="C",
...     criteria=[Criterion(id="x", name="X", max_points=50, basis="assessed")])])
>>> result = compare(base, variant, "2026", ["a"], measures=[
...     Measure(subject="a", criterion="x", value=40)])
>>> result["a"].base_total, result["a"].variant_total
(Decimal('40.00'), Decimal('40.00'))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Literal, cast

import attrs

from kpiscore._extras import require
from kpiscore.cycle.comparison_html import comparison_html
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import InputError
from kpiscore.model.fact_checks import (
    Duplicates,
    Problems,
    UnknownKinds,
    check_events,
    check_options,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.jsontypes import JsonObject, JsonScalar
from kpiscore.model.numbers import EXACT, exact, format_points, quantize_fraction
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable
from kpiscore.results.table import ResultTable, subject_position

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from kpiscore.engine.columnar._arrays import Bools, Ints
    from kpiscore.engine.columnar._figures import Figures, Units

__all__ = ["Comparison", "ComparisonRow", "ComparisonSummary", "PointsMove", "compare"]

Move = Literal["up", "down", "same"]


def check_policy(policy: object, what: str) -> Policy:
    """``policy`` itself, or an :class:`~kpiscore.InputError` naming ``what``."""
    if not isinstance(policy, Policy):
        raise InputError(
            f"{what}: policy must be a Policy (got {type(policy).__name__} {policy!r})"
        )
    return policy


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


@attrs.frozen(kw_only=True, eq=False)
class Comparison(ResultTable):
    """A population scored under a base policy and a variant, person by person.

    Iterate it for the :class:`ComparisonRow` of each person in population order, index it by
    subject id, ``len()`` counts the people. The two :class:`~kpiscore.ScoreTable` objects keep
    every scorecard and its ledger (``base_table``, ``variant_table``).

    Attributes:
        base: The base policy.
        variant: The variant policy.
        period: The period scored.
        rows: One row per person, in population order.
        base_table: The scorecards under the base.
        variant_table: The scorecards under the variant.
        ratings: Every rating, highest first: the base's bands, then the variant's bands the
            base does not have (by threshold). A move "up" is a move to an earlier rating here.
    """

    base: Policy = attrs.field(repr=lambda p: f"{p.id!r} v{p.version}")
    variant: Policy = attrs.field(repr=lambda p: f"{p.id!r} v{p.version}")
    period: Period
    _rows: tuple[ComparisonRow, ...] | None = attrs.field(default=None, alias="rows", repr=False)
    base_table: ScoreTable = attrs.field(repr=False)
    variant_table: ScoreTable = attrs.field(repr=False)
    ratings: tuple[str | None, ...]
    _diff: _ColumnDiff | None = attrs.field(default=None, alias="diff", repr=False)

    def __attrs_post_init__(self) -> None:
        if self._rows is None and self._diff is None:
            raise InputError("comparison: give rows or a column diff (got neither)")

    @cached_property
    def rows(self) -> tuple[ComparisonRow, ...]:
        """One row per person, in population order (built on first read when the comparison
        was computed from columns)."""
        if self._rows is not None:
            return self._rows
        diff = self._diff
        if diff is None:  # pragma: no cover - refused at construction
            raise InputError("comparison: no rows and no column diff")
        return tuple(self._row_at(i) for i in range(diff.count))

    @cached_property
    def _built(self) -> dict[int, ComparisonRow]:
        return {}

    def _row_at(self, position: int) -> ComparisonRow:
        if self._diff is None:
            return self.rows[position]
        built = self._built.get(position)
        if built is None:
            built = self._built[position] = self._diff.row(position)
        return built

    def __iter__(self) -> Iterator[ComparisonRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return self._diff.count if self._diff is not None else len(self.rows)

    @cached_property
    def _index(self) -> dict[str, int]:
        if self._diff is not None:
            return {subject: i for i, subject in enumerate(self.base_table.subjects)}
        return {row.subject: i for i, row in enumerate(self.rows)}

    def __getitem__(self, subject: str) -> ComparisonRow:
        position = subject_position(
            self._index,
            subject,
            table="comparison",
            item="row",
            count=len(self),
            counted="people compared",
        )
        return self._row_at(position)

    def __contains__(self, subject: object) -> bool:
        return subject in self._index

    @property
    def moved(self) -> tuple[ComparisonRow, ...]:
        """The people for whom anything moved, biggest movers first.

        Ordered by rating move (the furthest first), then by the size of the delta, then by
        subject id, so the list reads the same on every run.
        """
        if self._diff is not None:
            return tuple(self._row_at(i) for i in self._diff.moved_positions())
        rank = {rating: position for position, rating in enumerate(self.ratings)}

        def order(row: ComparisonRow) -> tuple[int, Decimal, str]:
            steps = abs(rank[row.base_rating] - rank[row.variant_rating])
            return (-steps, -abs(row.delta), row.subject)

        return tuple(sorted((row for row in self.rows if row.moved), key=order))

    def _moved_head(self, count: int) -> tuple[tuple[ComparisonRow, ...], int]:
        """The first ``count`` of :attr:`moved` and how many moved in all (a comparison from
        columns builds only those rows)."""
        if self._diff is not None:
            positions = self._diff.moved_positions()
            return tuple(self._row_at(i) for i in positions[:count]), len(positions)
        moved = self.moved
        return moved[:count], len(moved)

    @property
    def band_moves(self) -> tuple[ComparisonRow, ...]:
        """The people whose rating changed, biggest movers first (as :attr:`moved`)."""
        return tuple(row for row in self.moved if row.base_rating != row.variant_rating)

    @cached_property
    def summary(self) -> ComparisonSummary:
        """Counts, the mean delta and the transition matrix of band moves."""
        if self._diff is not None:
            return self._diff.summary()
        transitions = {a: dict.fromkeys(self.ratings, 0) for a in self.ratings}
        base_counts = dict.fromkeys(self.ratings, 0)
        variant_counts = dict.fromkeys(self.ratings, 0)
        total = Decimal(0)
        deltas: list[Decimal] = []
        for row in self.rows:
            transitions[row.base_rating][row.variant_rating] += 1
            base_counts[row.base_rating] += 1
            variant_counts[row.variant_rating] += 1
            deltas.append(row.delta)
            total = EXACT.add(total, row.delta)
        mean = None
        if deltas:
            mean = quantize_fraction(
                Fraction(total) / len(deltas), self.base.precision, self.base.rounding
            )
        return ComparisonSummary(
            count=len(self.rows),
            up=sum(row.move == "up" for row in self.rows),
            down=sum(row.move == "down" for row in self.rows),
            same=sum(row.move == "same" for row in self.rows),
            totals_changed=sum(row.base_total != row.variant_total for row in self.rows),
            mean_delta=mean,
            min_delta=min(deltas) if deltas else None,
            max_delta=max(deltas) if deltas else None,
            ratings=self.ratings,
            transitions=transitions,
            base_distribution=base_counts,
            variant_distribution=variant_counts,
        )

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per person (see :meth:`ComparisonRow.to_row`), exact decimals."""
        return [{**row.to_row()} for row in self.rows]

    def head_rows(self, count: int) -> list[dict[str, object]]:
        """The first ``count`` rows (only those are built)."""
        return [{**self._row_at(i).to_row()} for i in range(min(count, len(self)))]

    def to_dict(self) -> JsonObject:
        """The comparison as a JSON-ready tree: both policies, the summary, every row."""
        return {
            "period": self.period.label,
            "base": _policy_tree(self.base),
            "variant": _policy_tree(self.variant),
            "summary": self.summary.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }

    def json_tree(self) -> JsonObject:
        """The tree of :meth:`to_json`: the same as :meth:`to_dict`."""
        return self.to_dict()

    def _repr_html_(self) -> str:
        """The transition matrix and the people who moved (not the table's first rows)."""
        return comparison_html(self)

    def plot(self, ax: Axes | None = None, *, lang: Literal["vi", "en"] = "vi") -> Axes:
        """The band-move matrix as a chart: people per (base rating, variant rating).

        Raises:
            MissingExtraError: matplotlib is not installed (``pip install 'kpiscore[plot]'``).
        """
        from kpiscore.io.plot import band_moves

        return band_moves(self, ax, lang=lang)


def _policy_tree(policy: Policy) -> JsonObject:
    return {"id": policy.id, "version": policy.version, "fingerprint": policy.fingerprint}


def _rating_order(base: Policy, variant: Policy) -> tuple[str | None, ...]:
    if bool(base.bands) != bool(variant.bands):
        which = "the base" if base.bands else "the variant"
        raise InputError(
            f"compare: only {which} has rating bands (base {base.id!r} has {len(base.bands)},"
            f" variant {variant.id!r} has {len(variant.bands)}); ratings cannot be compared"
        )
    if not base.bands:
        return (None,)
    ratings: list[str | None] = [band.id for band in base.bands_descending]
    extra = [band for band in variant.bands_descending if band.id not in ratings]
    for band in extra:
        # Place a band the base lacks by its threshold among the base's bands.
        position = next(
            (i for i, b in enumerate(base.bands_descending) if b.min_points < band.min_points),
            len(base.bands),
        )
        position += sum(1 for r in ratings[:position] if r not in {b.id for b in base.bands})
        ratings.insert(position, band.id)
    return tuple(ratings)


def _moves(
    base_points: Iterable[tuple[str, str | None, Decimal]],
    variant_points: Iterable[tuple[str, str | None, Decimal]],
) -> tuple[PointsMove, ...]:
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


def _shape(policy: Policy) -> list[tuple[str, list[str]]]:
    return [(c.id, [criterion.id for criterion in c.criteria]) for c in policy.categories]


def _criterion_points(card: Scorecard) -> list[tuple[str, str | None, Decimal]]:
    return [
        (criterion.id, category.id, criterion.points)
        for category in card.categories
        for criterion in category.criteria
    ]


def compare(  # noqa: PLR0917 - the signature DESIGN.md fixes
    base: Policy,
    variant: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | Iterable[Event] | None = (),
    measures: pd.DataFrame | Iterable[Measure] | None = (),
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> Comparison:
    """Score a population under a base policy and a variant and set the results side by side.

    Both policies score the same facts with :func:`kpiscore.score_many`. For each person the
    row gives both totals and ratings, the delta and the rating's move, and which categories
    moved (their reported points differ). For the people whose total or category points moved,
    it also lists the criteria that moved; their ledgers are built for that, nobody else's
    (when the two policies do not have the same criteria in the same categories, everyone's
    criteria are compared).

    Args:
        base: The policy in force.
        variant: The policy considered (often ``overlay(base, …)``, but any policy will do:
            categories, criteria or bands that only one of them has are listed with ``None``
            on the other side).
        period: The period (a :class:`~kpiscore.Period` or a label such as ``"2026-Q1"``).
        people: The population (:class:`~kpiscore.Person` objects or id strings).
        events: Events for people in the population.
        measures: Measures for people in the population.
        unknown_kinds: ``"error"`` (the default): an event of a kind neither policy knows is
            an :class:`~kpiscore.UnknownKindError`; ``"ignore"``: such events are left out.
        duplicates: ``"error"`` (the default): a repeated event (the same ``ref``) is a
            :class:`~kpiscore.DuplicateEventError`; ``"allow"``: each one counts.

    Returns:
        A :class:`Comparison`.

    Raises:
        InputError: a bad argument; or only one of the policies has rating bands.
        UnknownSubjectError, MissingInputError, PeriodError: as for
            :func:`kpiscore.score_many`, under either policy.

    >>> from kpiscore import Measure, policies
    >>> from kpiscore.variants import overlay
    >>> staff = policies.load("vn-nd335-2025-staff")
    >>> facts = [Measure(subject="nv001", criterion=c, value=v) for c, v in (
    ...     ("politics_ethics", 9), ("competence", 8), ("innovation", 8),
    ...     ("quantity", "0.9"), ("quality", "0.7"), ("on_time", "0.5"))]
    >>> row = compare(staff, overlay(staff, {"bands.HTT.min_points": 75}), "2026-Q1",
    ...               ["nv001"], measures=facts)["nv001"]
    >>> row.base_total, row.variant_total, row.base_rating, row.variant_rating, row.move
    (Decimal('74.00'), Decimal('74.00'), 'HTT', 'HT', 'down')
    """
    check_policy(base, "compare: base")
    check_policy(variant, "compare: variant")
    check_options(unknown_kinds, duplicates, "compare")
    if any(_frame_like(value) for value in (people, events, measures)):
        strict = (unknown_kinds, duplicates)
        return _compare_frames(base, variant, period, people, events, measures, strict)
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        raise InputError(
            f"compare: people must be an iterable of Person or id strings (got {people!r})"
        )
    # Not frames (checked above): fact objects, or something score_many refuses by name.
    population = list(cast("Iterable[Person | str]", people))
    event_list = cast("list[Event]", list(events) if isinstance(events, Iterable) else events)
    measure_list = cast(
        "list[Measure]", list(measures) if isinstance(measures, Iterable) else measures
    )
    ratings = _rating_order(base, variant)
    if isinstance(event_list, list) and all(isinstance(e, Event) for e in event_list):
        # Known = a kind either policy knows; each table then leaves out the other's kinds.
        found = Problems()
        known = base.known_kinds | variant.known_kinds if unknown_kinds == "error" else None
        ids = (base.id,) if base.id == variant.id else (base.id, variant.id)
        check_events(event_list, known, ids, lambda p: f"events[{p}]", found, duplicates=duplicates)
        found.raise_all("compare")

    def score(policy: Policy, when: Period | str) -> ScoreTable:
        # Unknown kinds were checked above, against both policies.
        return score_many(policy, when, population, events=event_list, measures=measure_list,
                          unknown_kinds="ignore", duplicates=duplicates)  # fmt: skip

    base_table = score(base, period)
    variant_table = score(variant, base_table.period)
    rank = {rating: position for position, rating in enumerate(ratings)}
    rows = []
    same_policy = base.fingerprint == variant.fingerprint
    # With the same criteria in the same categories, a criterion that moved shows in its
    # category's points or the total, so only those people's ledgers are read. Policies built
    # differently (a criterion only one has) are compared criterion by criterion for everyone.
    same_shape = _shape(base) == _shape(variant)
    for before, after in zip(base_table, variant_table, strict=True):
        move: Move = "same"
        if rank[after.rating] < rank[before.rating]:
            move = "up"
        elif rank[after.rating] > rank[before.rating]:
            move = "down"
        categories: tuple[PointsMove, ...] = ()
        criteria: tuple[PointsMove, ...] = ()
        if not same_policy:
            categories = _moves(
                ((ident, None, points) for ident, points in before.category_points),
                ((ident, None, points) for ident, points in after.category_points),
            )
            if categories or before.total != after.total or not same_shape:
                criteria = _moves(_criterion_points(before), _criterion_points(after))
        rows.append(
            ComparisonRow(
                subject=before.subject,
                person=before.person,
                base_total=before.total,
                variant_total=after.total,
                base_rating=before.rating,
                variant_rating=after.rating,
                move=move,
                categories=categories,
                criteria=criteria,
            )
        )
    return Comparison(
        base=base,
        variant=variant,
        period=base_table.period,
        rows=tuple(rows),
        base_table=base_table,
        variant_table=variant_table,
        ratings=ratings,
    )


# --------------------------------------------------------------------------- columns


def _frame_like(value: object) -> bool:
    """A DataFrame (pandas, polars) or a ``pyarrow.Table``: the columnar engine's input."""
    if value is None or isinstance(value, str | bytes | list | tuple | set | frozenset | dict):
        return False
    if hasattr(value, "__arrow_c_stream__"):
        return True
    return type(value).__module__.split(".", 1)[0] in ("pandas", "pyarrow", "polars")


def _no_facts(value: object) -> bool:
    return value is None or (isinstance(value, list | tuple) and not value)


def _compare_frames(  # noqa: PLR0917 - compare's own arguments
    base: Policy,
    variant: Policy,
    period: Period | str,
    people: object,
    events: object,
    measures: object,
    strict: tuple[UnknownKinds, Duplicates],
) -> Comparison:
    """:func:`compare` on DataFrames: the two policies' :func:`kpiscore.score_frame` tables
    (the frames read once) and a column diff (``strict``: ``unknown_kinds``, ``duplicates``)."""
    for name, value in (("events", events), ("measures", measures)):
        if not _frame_like(value) and not _no_facts(value):
            raise InputError(
                f"compare: {name} must be a DataFrame (or none) when the other facts are"
                f" DataFrames (got {type(value).__name__}); give every fact as DataFrames, or"
                " every fact as Event and Measure objects"
            )
    if not _frame_like(people) and (
        isinstance(people, str | bytes) or not isinstance(people, Iterable)
    ):
        raise InputError(
            "compare: people must be a DataFrame or an iterable of Person or id strings"
            f" (got {people!r})"
        )
    population = cast("pd.DataFrame | Iterable[Person | str]", people)
    event_frame = None if _no_facts(events) else cast("pd.DataFrame", events)
    measure_frame = None if _no_facts(measures) else cast("pd.DataFrame", measures)
    ratings = _rating_order(base, variant)
    require("pandas", "pandas")
    require("numpy", "pandas")
    from kpiscore.engine.columnar._year import score_frames_pair

    unknown_kinds, duplicates = strict
    with exact():  # kpiscore's own decimal context, as score_frame reads and scores in
        # The people and events read once for both policies (when they know the same kinds).
        base_table, variant_table = score_frames_pair(
            base, variant, period, population, event_frame, measure_frame,
            unknown_kinds=unknown_kinds, duplicates=duplicates,
        )  # fmt: skip
    diff = _ColumnDiff(
        base_table,
        variant_table,
        ratings,
        same_policy=base.fingerprint == variant.fingerprint,
        same_shape=_shape(base) == _shape(variant),
    )
    return Comparison(
        base=base,
        variant=variant,
        period=base_table.period,
        base_table=base_table,
        variant_table=variant_table,
        ratings=ratings,
        diff=diff,
    )


class _ColumnDiff:
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
            categories = _moves(
                _category_points(base, position), _category_points(variant, position)
            )
            if categories or base_total != variant_total or not self.same_shape:
                criteria = _moves(
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
