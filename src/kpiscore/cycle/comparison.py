"""Comparing a population under a base policy and a variant, person by person.

:func:`compare` scores everyone under both and returns a :class:`Comparison` (a
:class:`~kpiscore.results.table.ResultTable`: rows, CSV, JSON, pandas, HTML). Public names are
re-exported by :mod:`kpiscore.variants`; see that module for overlays and ``docs/variants.md``.

The rows and summary live in :mod:`.comparison_rows`; the column diff that compares two
``score_frame`` tables without building every row lives in :mod:`.comparison_columns`.

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

from collections.abc import Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Literal, cast

import attrs

from kpiscore._extras import require
from kpiscore.cycle.comparison_columns import ColumnDiff
from kpiscore.cycle.comparison_html import comparison_html
from kpiscore.cycle.comparison_rows import (
    ComparisonRow,
    ComparisonSummary,
    Move,
    PointsMove,
    point_moves,
)
from kpiscore.engine.exact import _check_event_kinds, score_many
from kpiscore.exceptions import InputError
from kpiscore.model.fact_checks import Duplicates, Problems, UnknownKinds, check_options
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.numbers import EXACT, exact, quantize_fraction
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable
from kpiscore.results.table import SubjectTable

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


__all__ = ["Comparison", "ComparisonRow", "ComparisonSummary", "PointsMove", "compare"]


def check_policy(policy: object, what: str) -> Policy:
    """``policy`` itself, or an :class:`~kpiscore.InputError` naming ``what``."""
    if not isinstance(policy, Policy):
        raise InputError(
            f"{what}: policy must be a Policy (got {type(policy).__name__} {policy!r})"
        )
    return policy


@attrs.frozen(kw_only=True, eq=False)
class Comparison(SubjectTable[ComparisonRow]):
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

    _lookup_names: ClassVar[tuple[str, str, str]] = ("comparison", "row", "people compared")

    base: Policy = attrs.field(repr=lambda p: f"{p.id!r} v{p.version}")
    variant: Policy = attrs.field(repr=lambda p: f"{p.id!r} v{p.version}")
    period: Period
    _rows: tuple[ComparisonRow, ...] | None = attrs.field(default=None, alias="rows", repr=False)
    base_table: ScoreTable = attrs.field(repr=False)
    variant_table: ScoreTable = attrs.field(repr=False)
    ratings: tuple[str | None, ...]
    _diff: ColumnDiff | None = attrs.field(default=None, alias="diff", repr=False)

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
        return tuple(self._at(i) for i in range(diff.count))

    @cached_property
    def _built(self) -> dict[int, ComparisonRow]:
        return {}

    def _at(self, position: int) -> ComparisonRow:
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

    def __contains__(self, subject: object) -> bool:
        return subject in self._index

    @property
    def moved(self) -> tuple[ComparisonRow, ...]:
        """The people for whom anything moved, biggest movers first.

        Ordered by rating move (the furthest first), then by the size of the delta, then by
        subject id, so the list reads the same on every run.
        """
        if self._diff is not None:
            return tuple(self._at(i) for i in self._diff.moved_positions())
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
            return tuple(self._at(i) for i in positions[:count]), len(positions)
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
        return [{**self._at(i).to_row()} for i in range(min(count, len(self)))]

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
        frames = _frame_facts(people, events, measures)
        return _compare_frames(base, variant, period, *frames, (unknown_kinds, duplicates))
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
        _check_event_kinds((base, variant), event_list, found, unknown_kinds, duplicates)
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
            categories = point_moves(
                ((ident, None, points) for ident, points in before.category_points),
                ((ident, None, points) for ident, points in after.category_points),
            )
            if categories or before.total != after.total or not same_shape:
                criteria = point_moves(_criterion_points(before), _criterion_points(after))
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


def _frame_facts(
    people: object, events: object, measures: object
) -> tuple[pd.DataFrame | Iterable[Person | str], pd.DataFrame | None, pd.DataFrame | None]:
    """The facts of :func:`compare` on DataFrames, checked: the events and measures are
    DataFrames (or none), the people a DataFrame or an iterable of people."""
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
    return (
        cast("pd.DataFrame | Iterable[Person | str]", people),
        None if _no_facts(events) else cast("pd.DataFrame", events),
        None if _no_facts(measures) else cast("pd.DataFrame", measures),
    )


def _compare_frames(  # noqa: PLR0917 - compare's own arguments
    base: Policy,
    variant: Policy,
    period: Period | str,
    population: pd.DataFrame | Iterable[Person | str],
    event_frame: pd.DataFrame | None,
    measure_frame: pd.DataFrame | None,
    strict: tuple[UnknownKinds, Duplicates],
) -> Comparison:
    """:func:`compare` on DataFrames (checked by :func:`_frame_facts`): the two policies'
    :func:`kpiscore.score_frame` tables (the frames read once) and a column diff (``strict``:
    ``unknown_kinds``, ``duplicates``)."""
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
    diff = ColumnDiff(
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
