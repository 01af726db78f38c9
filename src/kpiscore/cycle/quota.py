"""Quotas on the top rating: at most a share of a base count keep it, within each group.

Decree 335/2025/NĐ-CP: the number of civil servants rated HTXS ("hoàn thành xuất sắc nhiệm vụ")
is at most 20 % of the number rated HTT, within an agency and within each group of similar tasks.
Who is counted in "the number rated HTT" is read several ways in practice, so the reading is an
explicit option, as are the rounding of the allowed count and what happens to people tied at the
cut. The excess, lowest totals first, moves to the next band down; each person moved gets an
:class:`~kpiscore.Adjustment` line (``kind="quota"``) that names the quota, the group, the base
reading, the base count and the allowed count. Scores never change, only ratings.

Base readings (``T`` = number rated ``rating`` in the group before the quota, ``N`` = number rated
the next band down before the quota, ``share`` and ``rounding`` as given, ``r(x)`` = ``x``
rounded to a whole number with ``rounding``):

- ``"next"``: allowed = ``r(share × N)``. The base is the next band as rated before the quota.
- ``"next_and_above"``: allowed = ``r(share × (N + T))``. The base is the next band and the top
  band together; demotion moves people between the two, so the base does not change.
- ``"fixed_point"`` (the default): allowed = the largest ``k`` in ``0..T`` with
  ``k <= r(share × (N + T − k))``: the next band counted *after* the quota, the demoted people
  included, so the final ratings satisfy the rule as written, and nobody is demoted whom the
  rule as written would let keep the rating.

The plan (base readings, allowed count, grouping, ties) is in :mod:`kpiscore.cycle.quota_plan`.
This module stays whole (about 660 lines) on purpose: it applies the plan both result by result
and from the columns of a table, and writes the adjustment texts; the two paths must make the
same decisions and the same texts, so they are kept side by side.

>>> from kpiscore.quota import allowed_count
>>> [allowed_count(top=8, next_count=17, base=b) for b in ("next", "fixed_point", "next_and_above")]
[3, 4, 5]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Protocol,
    TypeVar,
    overload,
)

import attrs

from kpiscore.cycle.quota_plan import (
    BASE_READINGS,
    DEFAULT_REFERENCE,
    DEFAULT_REFERENCE_VI,
    TIE_RULES,
    BaseReading,
    GroupBy,
    QuotaGroup,
    R,
    RatedResult,
    TieRule,
    _allowed,
    _Demotion,
    _grouper,
    _next_of,
    _Options,
    _order_ties,
    _plan,
    _tie_key,
    allowed_count,
)
from kpiscore.cycle.rollup import RollupTable
from kpiscore.exceptions import InputError
from kpiscore.model.numbers import (
    NumberLike,
    canonical,
    exact,
    format_points,
)
from kpiscore.results.scorecard import Adjustment, ScoreTable
from kpiscore.results.table import ResultTable, result_row

if TYPE_CHECKING:
    from kpiscore.engine.columnar._arrays import Bools, Codes, Ints

__all__ = [
    "BASE_READINGS",
    "DEFAULT_REFERENCE",
    "DEFAULT_REFERENCE_VI",
    "TIE_RULES",
    "BaseReading",
    "QuotaGroup",
    "QuotaResults",
    "RatedResult",
    "allowed_count",
    "apply_quota",
    "plan_quota",
]

#: A score table or a roll-up table: :func:`apply_quota` gives back a table of the same kind.
_Table = TypeVar("_Table", ScoreTable, RollupTable)


class QuotaResults(tuple[R, ...], ResultTable):
    """What :func:`apply_quota` returns for a plain iterable: a tuple with every table export.

    It is a ``tuple`` of the results (in input order), so indexing, ``len()`` and ``==`` work
    as on any tuple; rows are the common result row (subject, person attributes, period, total,
    rating) plus ``score_rating``; the JSON document lists each result's own tree.
    """

    __slots__ = ()
    row_noun = "people"

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per result, exact values."""
        return self.head_rows(len(self))

    def head_rows(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` rows."""
        return [
            {**result_row(item), "score_rating": getattr(item, "score_rating", None)}
            for item in self[:count]
        ]

    def json_tree(self) -> dict[str, Any]:
        """``{"results": [...]}``, each result's ``to_dict()`` (or its row, as text)."""
        items = []
        for item in self:
            to_dict = getattr(item, "to_dict", None)
            if callable(to_dict):
                items.append(to_dict())
            else:
                row = {**result_row(item), "score_rating": getattr(item, "score_rating", None)}
                items.append(
                    {k: canonical(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                )
        return {"results": items}


# --------------------------------------------------------------------------- from the columns


class _Adjust(Protocol):
    """What a rebuilt table does to each result it builds: the person's quota line, if any."""

    def __call__(self, position: int, item: R, /) -> R: ...


@attrs.frozen(kw_only=True)
class _Source:
    """A columnar table seen by the quota: who, the totals (units of ``10^-exponent``), the
    ratings (band ranks, -1 none), person attributes as codes, one result built on request,
    and the table rebuilt with other ratings, each result built passing through an
    :class:`_Adjust`."""

    subjects: tuple[str, ...]
    totals: Ints
    exponent: int
    rank: Ints
    bands: tuple[str, ...]
    codes_of: Callable[[str], tuple[Codes, list[str | None]]]
    item: Callable[[int], RatedResult]
    rebuild: Callable[[Ints, _Adjust], ScoreTable | RollupTable]


def _source(results: object) -> _Source | None:
    """The columns of a table from ``score_frame`` (or its roll-up), or ``None``."""
    if isinstance(results, ScoreTable):
        if results._cards is not None or results._columns is None:
            return None
        from kpiscore.cycle.columns import figures_of, total_units

        figures = figures_of(results)
        if figures is None:
            return None
        table = results

        def score_table(rank: Ints, adjust: _Adjust) -> ScoreTable:
            rerated = figures.rerated(rank, adjust)
            return ScoreTable(
                policy=table.policy, period=table.period, columns=rerated, notes=table.notes
            )

        return _Source(
            subjects=figures.subjects,
            totals=total_units(figures),
            exponent=figures.exponent,
            rank=figures.rank,
            bands=tuple(band.id for band in table.policy.bands_descending),
            codes_of=figures.persons.codes,
            item=figures.card,
            rebuild=score_table,
        )
    if isinstance(results, RollupTable):
        columns = results._columns
        if results._rollups is not None or columns is None:
            return None
        rolled = results

        def rollup_table(rank: Ints, adjust: _Adjust) -> RollupTable:
            return RollupTable(
                policy=rolled.policy,
                period=rolled.period,
                columns=columns.rerated(rank, adjust),
                notes=rolled.notes,
            )

        return _Source(
            subjects=columns.subjects,
            totals=columns.total_units,
            exponent=columns.exponent,
            rank=columns.rank,
            bands=tuple(band.id for band in rolled.policy.bands_descending),
            codes_of=columns.codes,
            item=rolled._at,
            rebuild=rollup_table,
        )
    return None


#: What the columnar plan gives: the plans, the demotions by position, the band rank people
#: move to.
_ColumnPlan = tuple[tuple[QuotaGroup, ...], "_ColumnDemotions", int]


def _plan_columns(source: _Source, options: _Options) -> _ColumnPlan | None:
    """:func:`_plan` from the columns: one sort of the people rated ``rating``, by group,
    total and subject; the same decisions, group by group, on slices of it. Returns the plans,
    the demotions by position and the band rank people move to; ``None`` when the grouping is
    a callable (it needs each result: the caller takes the per-result path)."""
    import numpy as np

    from kpiscore.cycle.columns import competition_ranks, group_codes, rank_groups

    rating, checked_share, base, rounding = options.checked()
    group_by, ties = options.group_by, options.ties
    key_of, label_of = _grouper(group_by, lambda name: bool((source.codes_of(name)[0] >= 0).any()))
    names: tuple[str, ...] | None
    if group_by is None:
        names = None
    elif isinstance(group_by, str):
        names = (group_by,)
    elif isinstance(group_by, tuple):
        names = group_by
    else:
        return None
    subjects = source.subjects
    n = len(subjects)
    if not n:
        return None
    # A tie key that is not a named rule is resolved on one result (all are of one type).
    tie_name, tie_key = _tie_key(ties, [] if ties in TIE_RULES else [source.item(0)])
    bands = source.bands
    next_rating = _next_of(bands, subjects[0], rating)
    top, below = bands.index(rating), bands.index(next_rating)
    if names is None:
        codes: Ints = np.zeros(n, dtype=np.int64)
        keys: list[Hashable] = [None]
    else:
        codes, values = group_codes(source.codes_of, names)
        lacking = np.flatnonzero(codes < 0)
        if len(lacking):
            key_of(source.item(int(lacking[0])))  # raises the per-result path's error
        keys = [value[0] if len(names) == 1 else value for value in values]
    totals, rank = source.totals, source.rank
    ranked, starts, counts = rank_groups(subjects, totals, rank, codes, top)
    size = len(keys)
    present = np.bincount(codes, minlength=size)
    next_counts = np.bincount(codes[rank == below], minlength=size)
    planned: list[tuple[QuotaGroup, Ints, Ints, Bools]] = []
    ids = np.array(subjects, dtype=object)
    for code in np.flatnonzero(present).tolist():
        rated = int(counts[code]) if code < len(counts) else 0
        members = ranked[int(starts[code]) : int(starts[code]) + rated] if rated else ranked[:0]
        points = totals[members]
        allowed, base_count = _allowed(rated, int(next_counts[code]), base, checked_share, rounding)
        keep = np.zeros(rated, dtype=bool)
        tied = slice(0, 0)
        if allowed >= rated:
            keep[:] = True
        elif allowed == 0:
            pass
        elif points[allowed - 1] > points[allowed]:
            keep[:allowed] = True
        else:
            cut = points[allowed]
            # Highest first: those above the cut, then the run tied on it.
            above = int(np.count_nonzero(points > cut))
            tied = slice(above, above + int(np.count_nonzero(points == cut)))
            keep[:above] = True
            if tie_key is None:
                keep[tied] = tie_name == "keep_all"
            else:
                run = members[tied].tolist()
                chosen = _order_ties(
                    [source.item(position) for position in run],
                    allowed - above,
                    tie_name,
                    tie_key,
                    Decimal(int(cut)).scaleb(-source.exponent),
                )
                picked = {item.subject for item in chosen}
                keep[tied] = [subjects[position] in picked for position in run]
        plan = QuotaGroup(
            key=keys[code],
            label=label_of(keys[code]),
            rating=rating,
            next_rating=next_rating,
            share=checked_share,
            base=base,
            rounding=rounding,
            rated=rated,
            next_count=int(next_counts[code]),
            base_count=base_count,
            allowed=allowed,
            kept=tuple(ids[members[keep]].tolist()),
            demoted=tuple(ids[members[~keep]].tolist()),
            tied=tuple(ids[members[tied]].tolist()),
            ties=tie_name,
        )
        in_run = np.zeros(rated, dtype=bool)
        in_run[tied] = True
        out = ~keep
        planned.append((plan, members[out], competition_ranks(points)[out], in_run[out]))
    planned.sort(key=lambda group: group[0].label)
    demotions = _ColumnDemotions(n, planned)
    return tuple(group[0] for group in planned), demotions, below


class _ColumnDemotions:
    """Who a columnar quota demotes, as arrays: each one's group plan, rank and tie, looked
    up by population position when that person's result is built."""

    def __init__(self, size: int, groups: list[tuple[QuotaGroup, Ints, Ints, Bools]]) -> None:
        import numpy as np

        self.plans = [plan for plan, *_ in groups]
        self.positions: Ints = np.concatenate(
            [np.zeros(0, dtype=np.int64), *(group[1] for group in groups)]
        ).astype(np.int64)
        self.places: Ints = np.concatenate(
            [np.zeros(0, dtype=np.int64), *(group[2] for group in groups)]
        ).astype(np.int64)
        self.tied: Bools = np.concatenate(
            [np.zeros(0, dtype=bool), *(group[3] for group in groups)]
        ).astype(bool)
        self.plan_of: Ints = np.repeat(
            np.arange(len(groups), dtype=np.int64),
            [len(group[1]) for group in groups] or np.zeros(0, dtype=np.int64),
        )
        self.which: Ints = np.full(size, -1, dtype=np.int64)
        self.which[self.positions] = np.arange(len(self.positions), dtype=np.int64)

    def get(self, position: int) -> _Demotion | None:
        """The demotion of the person at ``position``, or ``None`` (kept, or not rated)."""
        index = int(self.which[position])
        if index < 0:
            return None
        return _Demotion(
            self.plans[int(self.plan_of[index])], int(self.places[index]), bool(self.tied[index])
        )


def _apply_columns(
    source: _Source, planned: _ColumnPlan, reference: str | None
) -> ScoreTable | RollupTable:
    """The table with the demoted people's ratings moved down; each result built later
    carries its quota line."""
    _, demotions, below = planned
    rank = source.rank.copy()
    rank[demotions.positions] = below

    def adjust(position: int, item: R) -> R:
        why = demotions.get(position)
        return item if why is None else _demote(item, why, reference)

    return source.rebuild(rank, adjust)


def _materialise(results: object) -> list[Any]:
    if isinstance(results, str | bytes) or not isinstance(results, Iterable):
        raise InputError(
            f"quota: results must be a ScoreTable or an iterable of results (got {results!r})"
        )
    return list(results)


@attrs.frozen(kw_only=True)
class _Decision:
    """What the quota decided, by whichever path applied: the group plans, and either the
    columnar source with its plan or the results with their demotions by subject."""

    groups: tuple[QuotaGroup, ...]
    columns: tuple[_Source, _ColumnPlan] | None = None
    items: list[Any] = attrs.field(factory=list)
    by_subject: dict[str, _Demotion] = attrs.field(factory=dict)


def _decide(results: object, options: _Options) -> _Decision:
    """The plan for :func:`plan_quota` and :func:`apply_quota`: from the columns of a table
    from ``score_frame`` where possible, otherwise result by result."""
    source = _source(results)
    if source is not None:
        planned = _plan_columns(source, options)
        if planned is not None:
            return _Decision(groups=planned[0], columns=(source, planned))
    items = _materialise(results)
    groups, by_subject = _plan(items, options)
    return _Decision(groups=groups, items=items, by_subject=by_subject)


def plan_quota(
    results: Iterable[RatedResult],
    rating: str = "HTXS",
    share: NumberLike = Decimal("0.20"),
    *,
    base: BaseReading = "fixed_point",
    group_by: GroupBy = None,
    rounding: str = "ROUND_DOWN",
    ties: TieRule = "demote_all",
) -> tuple[QuotaGroup, ...]:
    """What :func:`apply_quota` would decide, per group, without changing any result.

    Takes the same arguments as :func:`apply_quota`. Groups come back sorted by label.

    >>> from kpiscore import Band, Category, Criterion, Measure, Policy, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=100, basis="assessed")])], bands=[
    ...     Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ"),
    ...     Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ"),
    ...     Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ"),
    ...     Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ")])
    >>> points = {"a": 95, "b": 91, "c": 90, "d": 80, "e": 75, "f": 72, "g": 71, "h": 70}
    >>> table = score_many(policy, "2026", list(points), measures=[
    ...     Measure(subject=s, criterion="x", value=v) for s, v in points.items()])
    >>> from kpiscore.quota import plan_quota
    >>> [(g.rated, g.base_count, g.allowed, g.demoted) for g in plan_quota(table, base="next")]
    [(3, 5, 1, ('b', 'c'))]
    """
    options = _Options(
        rating=rating, share=share, base=base, group_by=group_by, rounding=rounding, ties=ties
    )
    return _decide(results, options).groups


@overload
def apply_quota(  # type: ignore[overload-overlap]  # a table is also an iterable
    results: _Table,
    rating: str = ...,
    share: NumberLike = ...,
    *,
    base: BaseReading = ...,
    group_by: GroupBy = ...,
    rounding: str = ...,
    ties: TieRule = ...,
    reference: str | None = ...,
) -> _Table: ...
@overload
def apply_quota(
    results: Iterable[R],
    rating: str = ...,
    share: NumberLike = ...,
    *,
    base: BaseReading = ...,
    group_by: GroupBy = ...,
    rounding: str = ...,
    ties: TieRule = ...,
    reference: str | None = ...,
) -> QuotaResults[R]: ...
def apply_quota(
    results: ScoreTable | RollupTable | Iterable[R],
    rating: str = "HTXS",
    share: NumberLike = Decimal("0.20"),
    *,
    base: BaseReading = "fixed_point",
    group_by: GroupBy = None,
    rounding: str = "ROUND_DOWN",
    ties: TieRule = "demote_all",
    reference: str | None = DEFAULT_REFERENCE,
) -> ScoreTable | RollupTable | QuotaResults[R]:
    """Limit ``rating`` to ``share`` of a base count in each group; move the excess down a band.

    Within each group, the people rated ``rating`` are ranked by total, highest first; the
    first ``allowed`` keep the rating and the rest (the lowest totals) move to the next band
    down, each with an :class:`~kpiscore.Adjustment` (``kind="quota"``) whose reason names the
    quota, the group, the base reading, the base count and the allowed count. Totals never
    change; nobody is ever raised; people not rated ``rating`` (below it, or capped below it)
    are not touched. The result does not depend on the order of the input.

    Args:
        results: A :class:`~kpiscore.ScoreTable`, a :class:`~kpiscore.rollup.RollupTable`, or
            any iterable of scorecards or roll-up results (attrs classes with ``subject``,
            ``person``, ``total``, ``rating``, ``bands`` and ``adjustments``), one per person,
            all on one band scheme and, when they carry a ``period``, one period.
        rating: The band limited (default ``"HTXS"``); the next band down receives the excess.
        share: The share allowed, between 0 and 1 (default 0.20, Decree 335).
        base: ``"fixed_point"`` (default), ``"next"`` or ``"next_and_above"``; see the module
            docstring for each formula. The law is read all three ways; ``"fixed_point"`` is
            the default because it is the only reading whose final ratings satisfy the rule as
            written ("HTXS at most 20 % of the number rated HTT") while demoting nobody the
            rule as written would let keep the rating.
        group_by: ``None`` (everyone is one group), a person attribute name (``"unit"``,
            ``"group"``, ``"position"``), a tuple of names (one group per combination), or a
            callable from a result to a hashable key. With names, a person lacking the
            attribute is an error, never a silent group of its own.
        rounding: The :mod:`decimal` rounding mode name for ``share × base`` (default
            ``"ROUND_DOWN"``: a count is never rounded up past the share).
        ties: What happens to people tied on total across the cut: ``"demote_all"`` (default:
            all of them move down, so the quota is never exceeded and equal totals are treated
            alike), ``"keep_all"`` (all keep the rating, which may exceed the allowed count),
            or a secondary key, an attribute name of the results or their people or a callable,
            where the greatest values keep the rating. If people remain tied under the key, the
            call fails: input order is never used.
        reference: The legal reference on each adjustment.

    Returns:
        A new :class:`~kpiscore.ScoreTable` for a score table, a new
        :class:`~kpiscore.rollup.RollupTable` for a roll-up table, otherwise a
        :class:`QuotaResults` (a tuple with the table exports: ``to_csv``, ``to_json``…);
        always in input order.

    Raises:
        InputError: a bad argument, results without bands or with different band schemes or
            periods, a duplicate subject, a person lacking a grouping attribute, or a tie that
            the secondary key does not break.

    >>> from kpiscore import Band, Category, Criterion, Measure, Policy, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=100, basis="assessed")])], bands=[
    ...     Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ"),
    ...     Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ"),
    ...     Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ"),
    ...     Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ")])
    >>> points = {"a": 95, "b": 91, "c": 90, "d": 80, "e": 75, "f": 72, "g": 71, "h": 70}
    >>> table = score_many(policy, "2026", list(points), measures=[
    ...     Measure(subject=s, criterion="x", value=v) for s, v in points.items()])
    >>> from kpiscore.quota import apply_quota
    >>> after = apply_quota(table, base="next")
    >>> table.distribution(), after.distribution()
    ({'HTXS': 3, 'HTT': 5, 'HT': 0, 'KHT': 0}, {'HTXS': 1, 'HTT': 7, 'HT': 0, 'KHT': 0})
    >>> print(after["b"].adjustments[0].reason)  # doctest: +NORMALIZE_WHITESPACE
    quota on HTXS within the whole population: at most 20 % of the number rated HTT before the
    quota; base reading 'next': base 5, allowed 1 (0.20 × 5 = 1.00, ROUND_DOWN); 3 rated HTXS;
    b ranked 2 of 3 by total 91.00; moved to HTT
    """
    options = _Options(
        rating=rating, share=share, base=base, group_by=group_by, rounding=rounding, ties=ties
    )
    decision = _decide(results, options)
    if reference is not None and not isinstance(reference, str):
        raise InputError(f"quota: reference must be a string or None (got {reference!r})")
    if decision.columns is not None:
        return _apply_columns(*decision.columns, reference)
    by_subject = decision.by_subject
    changed = tuple(
        item
        if item.subject not in by_subject
        else _demote(item, by_subject[item.subject], reference)
        for item in decision.items
    )
    if isinstance(results, ScoreTable):
        return attrs.evolve(results, scorecards=changed)
    if isinstance(results, RollupTable):
        return RollupTable(
            policy=results.policy, period=results.period, rollups=changed, notes=results.notes
        )
    return QuotaResults(changed)


def _demote(item: R, why: _Demotion, reference: str | None) -> R:
    """A copy of ``item`` moved to the next band, with the quota's adjustment line."""
    plan = why.plan
    line = Adjustment(
        kind="quota",
        from_rating=item.rating,
        to_rating=plan.next_rating,
        reason=_reason(plan, item.subject, item.total, why),
        reason_vi=_reason_vi(plan, item.subject, item.total, why),
        reference=reference,
        reference_vi=DEFAULT_REFERENCE_VI if reference == DEFAULT_REFERENCE else None,
    )
    # Every item was checked to be an attrs class (_check_results); the protocol cannot say so.
    return attrs.evolve(  # type: ignore[misc]
        item, rating=plan.next_rating, adjustments=(*item.adjustments, line)
    )


_BASE_TEXT: Final = {
    "next": "the number rated {next} before the quota",
    "next_and_above": "the number rated {next} or {rating}",
    "fixed_point": "the number rated {next} after the quota (demoted people included)",
}


def _reason(plan: QuotaGroup, subject: str, total: Decimal, demotion: _Demotion) -> str:
    with exact():
        percent = canonical(plan.share * 100)
        product = plan.share * plan.base_count
    if plan.base == "fixed_point":
        formula = (
            f"the largest k with k <= {format_points(plan.share)} × ({plan.next_count} +"
            f" {plan.rated} − k), {plan.rounding}"
        )
    else:
        formula = (
            f"{format_points(plan.share)} × {plan.base_count} = {format_points(product)},"
            f" {plan.rounding}"
        )
    # Competition ranking (equal totals share a rank), so the text never depends on input order.
    rank = demotion.rank
    if demotion.tied:
        why = (
            f"{subject} tied at the cut with {len(plan.tied)} people on total {total},"
            f" ties={plan.ties!r}"
        )
    else:
        why = f"{subject} ranked {rank} of {plan.rated} by total {total}"
    base_text = _BASE_TEXT[plan.base].format(next=plan.next_rating, rating=plan.rating)
    return (
        f"quota on {plan.rating} within {plan.label}: at most {percent} % of {base_text};"
        f" base reading {plan.base!r}: base {plan.base_count}, allowed {plan.allowed}"
        f" ({formula}); {plan.rated} rated {plan.rating}; {why}; moved to {plan.next_rating}"
    )


_BASE_TEXT_VI: Final = {
    "next": "số người xếp loại {next} trước khi áp tỷ lệ",
    "next_and_above": "số người xếp loại {next} hoặc {rating}",
    "fixed_point": "số người xếp loại {next} sau khi áp tỷ lệ (kể cả người bị hạ)",
}


_GROUP_WORDS_VI: Final = {"unit": "đơn vị", "group": "nhóm", "position": "chức vụ"}


def _label_vi(label: str) -> str:
    """A group's label in Vietnamese: ``unit 'Phòng A'`` → ``đơn vị 'Phòng A'``."""
    if label == "the whole population":
        return "toàn bộ danh sách"
    return re.sub(
        r"(^|, )(unit|group|position) '",
        lambda found: f"{found[1]}{_GROUP_WORDS_VI[found[2]]} '",
        label,
    )


def _reason_vi(plan: QuotaGroup, subject: str, total: Decimal, demotion: _Demotion) -> str:
    """The same reason as :func:`_reason`, in Vietnamese (numbers as Vietnamese writes them)."""
    from kpiscore.io.numbers_vi import format_number

    with exact():
        percent = format_number(plan.share * 100, keep_places=False)
    shown = format_number(total)
    rank = demotion.rank
    if demotion.tied:
        why = f"{subject} đồng điểm {shown} tại ngưỡng cắt cùng {len(plan.tied)} người"
    else:
        why = f"{subject} xếp thứ {rank}/{plan.rated} theo tổng điểm {shown}"
    base_text = _BASE_TEXT_VI[plan.base].format(next=plan.next_rating, rating=plan.rating)
    return (
        f"tỷ lệ {plan.rating} trong {_label_vi(plan.label)}: tối đa {percent} % {base_text};"
        f" cách tính {plan.base!r}: cơ sở {plan.base_count}, được giữ {plan.allowed};"
        f" {plan.rated} người xếp loại {plan.rating}; {why}; chuyển xuống {plan.next_rating}"
    )
