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

This module stays whole (about 850 lines) on purpose: the base readings, the allowed count,
the tie rules, the plan and the application are one decision, each step documented with the
decree's wording, and splitting them would scatter one rule across files.

>>> from kpiscore.quota import allowed_count
>>> [allowed_count(top=8, next_count=17, base=b) for b in ("next", "fixed_point", "next_and_above")]
[3, 4, 5]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Literal,
    NamedTuple,
    Protocol,
    TypeVar,
    cast,
    overload,
)

import attrs

from kpiscore.cycle.rollup import Rollup, RollupTable
from kpiscore.exceptions import InputError
from kpiscore.model.facts import Person
from kpiscore.model.numbers import (
    ROUNDING_MODES,
    NumberLike,
    canonical,
    exact,
    format_points,
    quantize,
    to_decimal,
)
from kpiscore.results.scorecard import Adjustment, BandInfo, Scorecard, ScoreTable
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

BaseReading = Literal["next", "next_and_above", "fixed_point"]
"""The three readings of the quota's base count (see the module docstring)."""

#: Every base reading, in the order of the number they allow (fewest first, usually).
BASE_READINGS: Final[tuple[str, ...]] = ("next", "fixed_point", "next_and_above")

#: The named tie rules; any other ``ties`` value is a secondary key (attribute name or callable).
TIE_RULES: Final[tuple[str, ...]] = ("keep_all", "demote_all")

#: The legal reference put on every quota adjustment unless another is given.
DEFAULT_REFERENCE: Final = (
    "Decree 335/2025/ND-CP: HTXS at most 20 % of the number rated HTT, within an agency and"
    " each group of similar tasks"
)
#: The same reference in Vietnamese, cited by the Vietnamese explanations and forms.
DEFAULT_REFERENCE_VI: Final = (
    "Nghị định 335/2025/NĐ-CP: số người xếp loại HTXS không quá 20 % số người xếp loại HTT, trong"
    " cùng cơ quan và trong từng nhóm có nhiệm vụ tương đồng"
)

_PERSON_ATTRIBUTES: Final = ("id", "name", "unit", "group", "position")
_RESULT_ATTRIBUTES: Final = ("subject", "person", "total", "rating", "bands", "adjustments")

GroupBy = str | tuple[str, ...] | Callable[[Any], Hashable] | None
TieRule = str | Callable[[Any], Any]


class RatedResult(Protocol):
    """What a quota needs from a result: a :class:`~kpiscore.Scorecard` or a roll-up result.

    Any ``attrs`` class with these attributes works; demoted people get a copy made with
    :func:`attrs.evolve` (new ``rating``, one more ``adjustments`` line).
    """

    @property
    def subject(self) -> str: ...  # pragma: no cover - protocol
    @property
    def person(self) -> Person: ...  # pragma: no cover - protocol
    @property
    def total(self) -> Decimal: ...  # pragma: no cover - protocol
    @property
    def rating(self) -> str | None: ...  # pragma: no cover - protocol
    @property
    def bands(self) -> tuple[BandInfo, ...]: ...  # pragma: no cover - protocol
    @property
    def adjustments(self) -> tuple[Adjustment, ...]: ...  # pragma: no cover - protocol


R = TypeVar("R", bound=RatedResult)


@attrs.frozen(kw_only=True)
class QuotaGroup:
    """What a quota decided for one group: the counts, and who kept or lost the rating.

    Attributes:
        key: The group's key (``None`` with no grouping; a tuple for several attributes).
        label: The group as text, as it appears in the ledger (``"unit 'Phòng A'"``, or
            ``"the whole population"`` without grouping).
        rating: The rating the quota limits.
        next_rating: The band demoted people move to.
        share: The share allowed.
        base: The base reading.
        rounding: The rounding mode of the allowed count.
        rated: How many had ``rating`` in the group before the quota (``T``).
        next_count: How many had ``next_rating`` before the quota (``N``).
        base_count: The base the allowed count is a share of (see the module docstring).
        allowed: How many may keep the rating.
        kept: Who keeps it, highest total first.
        demoted: Who moves to ``next_rating``, highest total first.
        tied: Who was tied on total at the cut (empty when the cut fell between two totals).
        ties: The tie rule applied (``"keep_all"``, ``"demote_all"`` or the key's name).
    """

    key: Hashable
    label: str
    rating: str
    next_rating: str
    share: Decimal
    base: str
    rounding: str
    rated: int
    next_count: int
    base_count: int
    allowed: int
    kept: tuple[str, ...]
    demoted: tuple[str, ...]
    tied: tuple[str, ...]
    ties: str

    def to_dict(self) -> dict[str, Any]:
        """The group's figures as a JSON-ready tree (the key as its label)."""
        return {
            "group": self.label,
            "rating": self.rating,
            "next_rating": self.next_rating,
            "share": canonical(self.share),
            "base": self.base,
            "rounding": self.rounding,
            "rated": self.rated,
            "next_count": self.next_count,
            "base_count": self.base_count,
            "allowed": self.allowed,
            "kept": list(self.kept),
            "demoted": list(self.demoted),
            "tied": list(self.tied),
            "ties": self.ties,
        }


# --------------------------------------------------------------------------- the count


def _whole(value: Decimal, rounding: str) -> int:
    return int(quantize(value, Decimal(1), rounding))


def allowed_count(
    *,
    top: int,
    next_count: int,
    base: str = "fixed_point",
    share: NumberLike = Decimal("0.20"),
    rounding: str = "ROUND_DOWN",
) -> int:
    """How many of ``top`` people may keep the top rating under one base reading.

    Args:
        top: The number rated in the limited band before the quota (``T``).
        next_count: The number rated in the next band down before the quota (``N``).
        base: ``"next"``, ``"next_and_above"`` or ``"fixed_point"`` (module docstring).
        share: The share allowed, between 0 and 1.
        rounding: A :mod:`decimal` rounding mode name for the count (default: down).

    Returns:
        The allowed count. It may exceed ``top`` for ``"next"`` and ``"next_and_above"``
        (nobody is then demoted); for ``"fixed_point"`` it is at most ``top``.

    Raises:
        InputError: a negative count, an unknown base or rounding, a share outside ``[0, 1]``.

    >>> allowed_count(top=8, next_count=17, base="next")  # 0.20 × 17 = 3.4
    3
    >>> allowed_count(top=8, next_count=18, base="next", rounding="ROUND_HALF_UP")  # 3.6
    4
    >>> allowed_count(top=8, next_count=17, base="fixed_point")  # 4 <= 0.20 × 21 = 4.2
    4
    """
    checked_share = _check_share(share)
    _check_choice(base, "base", BASE_READINGS)
    _check_choice(rounding, "rounding", ROUNDING_MODES)
    for name, value in (("top", top), ("next_count", next_count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"quota: {name} must be a whole number >= 0 (got {value!r})")
    return _allowed(top, next_count, base, checked_share, rounding)[0]


def _allowed(
    top: int, next_count: int, base: str, share: Decimal, rounding: str
) -> tuple[int, int]:
    """(allowed, base_count) for validated arguments."""
    with exact():
        if base == "next":
            return _whole(share * next_count, rounding), next_count
        if base == "next_and_above":
            return _whole(share * (next_count + top), rounding), next_count + top
        # fixed_point: k − r(share × (N + T − k)) grows with k, so the k that satisfy the rule
        # form 0..k*; a binary search finds k* (k = 0 always satisfies it).
        low, high = 0, top
        while low < high:
            middle = (low + high + 1) // 2
            if middle <= _whole(share * (next_count + top - middle), rounding):
                low = middle
            else:
                high = middle - 1
        return low, next_count + top - low


# --------------------------------------------------------------------------- validation


def _check_share(share: object) -> Decimal:
    value = to_decimal(share, owner="quota", field="share")
    if not Decimal(0) <= value <= Decimal(1):
        raise InputError(f"quota: share must lie between 0 and 1 (got {value!r})")
    return value


def _check_choice(value: object, field: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InputError(
            f"quota: {field} must be one of {', '.join(repr(c) for c in choices)} (got {value!r})"
        )
    return value


def _check_results(items: list[Any]) -> None:
    seen: dict[str, int] = {}
    for position, item in enumerate(items):
        missing = [name for name in _RESULT_ATTRIBUTES if not hasattr(item, name)]
        if missing or not attrs.has(type(item)):
            what = f"has no attribute {missing[0]!r}" if missing else "is not an attrs class"
            raise InputError(
                f"quota: results[{position}] ({type(item).__name__}) {what}; expected a"
                " Scorecard or a roll-up result (an attrs class with subject, person, total,"
                " rating, bands and adjustments)"
            )
        if not isinstance(item.person, Person):
            raise InputError(
                f"quota: results[{position}] ({item.subject!r}): person must be a Person"
                f" (got {type(item.person).__name__})"
            )
        if item.subject in seen:
            raise InputError(
                f"quota: subject {item.subject!r} appears twice (results[{seen[item.subject]}]"
                f" and results[{position}]); expected one result per person"
            )
        seen[item.subject] = position


def _band_ids(item: RatedResult) -> tuple[str, ...]:
    return tuple(band.id for band in item.bands)


def _next_band(items: Sequence[RatedResult], rating: str) -> str:
    first = items[0]
    ids = _band_ids(first)
    for item in items[1:]:
        if _band_ids(item) != ids:
            raise InputError(
                f"quota: results use different bands: {first.subject!r} has {list(ids)!r},"
                f" {item.subject!r} has {list(_band_ids(item))!r}; expected one band scheme"
            )
    return _next_of(ids, first.subject, rating)


def _next_of(ids: tuple[str, ...], first: str, rating: str) -> str:
    """The band after ``rating`` among ``ids`` (one band scheme; ``first`` names a result)."""
    if not ids:
        raise InputError(
            f"quota: {first!r} has no bands (its policy has none); a quota needs ratings"
        )
    if rating not in ids:
        raise InputError(f"quota: rating must be one of {list(ids)!r} (got {rating!r})")
    position = ids.index(rating)
    if position == len(ids) - 1:
        raise InputError(
            f"quota: rating {rating!r} is the lowest band; there is no band to move people to"
        )
    return ids[position + 1]


def _check_periods(items: list[Any]) -> None:
    periods = {item.period for item in items if hasattr(item, "period")}
    if len(periods) > 1:
        labels = sorted(str(period) for period in periods)
        raise InputError(
            f"quota: results cover different periods {labels!r}; a quota compares people"
            " rated for the same period"
        )


# --------------------------------------------------------------------------- grouping


def _grouper(group_by: object) -> tuple[Callable[[Any], Hashable], Callable[[Hashable], str]]:
    if group_by is None:
        return (lambda item: None), (lambda key: "the whole population")
    if isinstance(group_by, str):
        names: tuple[str, ...] = (group_by,)
    elif isinstance(group_by, tuple) and group_by and all(isinstance(n, str) for n in group_by):
        names = group_by
    elif callable(group_by):
        key_of: Callable[[Any], Hashable] = group_by

        def call(item: Any) -> Hashable:
            key = key_of(item)
            try:
                hash(key)
            except TypeError:
                raise InputError(
                    f"quota: group_by returned an unhashable {type(key).__name__} for"
                    f" {item.subject!r}; expected a value usable as a group key"
                ) from None
            return key

        return call, (lambda key: f"group {key!r}")
    else:
        raise InputError(
            "quota: group_by must be None, a person attribute name, a tuple of names or a"
            f" callable (got {group_by!r})"
        )
    for name in names:
        if name not in _PERSON_ATTRIBUTES:
            raise InputError(
                f"quota: group_by names an unknown person attribute {name!r}; expected one of"
                f" {', '.join(repr(n) for n in _PERSON_ATTRIBUTES)}"
            )

    def attributes(item: Any) -> Hashable:
        values = []
        for name in names:
            value = item.person.attribute(name)
            if value is None:
                raise InputError(
                    f"quota: person {item.subject!r} has no {name}; group_by={group_by!r} needs"
                    " every person to have one (or pass a callable that decides)"
                )
            values.append(value)
        return values[0] if len(names) == 1 else tuple(values)

    def label(key: Hashable) -> str:
        values = (key,) if len(names) == 1 else cast("tuple[str, ...]", key)
        return ", ".join(f"{name} {value!r}" for name, value in zip(names, values, strict=True))

    return attributes, label


# --------------------------------------------------------------------------- ties


def _tie_key(ties: object, items: list[Any]) -> tuple[str, Callable[[Any], Any] | None]:
    """(name for the ledger, key function or None for a named rule)."""
    if isinstance(ties, str):
        if ties in TIE_RULES:
            return ties, None
        if not items:
            return ties, None
        if ties not in _RESULT_ATTRIBUTES[1:] and all(hasattr(item, ties) for item in items):
            return ties, lambda item: getattr(item, ties)
        if ties in _PERSON_ATTRIBUTES:
            return ties, lambda item: item.person.attribute(ties)
        raise InputError(
            f"quota: ties must be 'keep_all', 'demote_all', an attribute name of the results"
            f" or their people, or a callable (got {ties!r})"
        )
    if callable(ties):
        return getattr(ties, "__name__", "key"), ties
    raise InputError(
        "quota: ties must be 'keep_all', 'demote_all', an attribute name or a callable"
        f" (got {ties!r})"
    )


def _order_ties(
    tied: list[RatedResult], need: int, name: str, key: Callable[[Any], Any], total: Decimal
) -> list[RatedResult]:
    """The ``need`` people among ``tied`` who rank highest under ``key`` (greatest first)."""
    keyed = []
    for item in tied:
        value = key(item)
        if value is None:
            raise InputError(
                f"quota: the ties key {name!r} gave None for {item.subject!r}; expected a value"
                " that orders the people tied at the cut"
            )
        keyed.append((value, item))
    try:
        keyed.sort(key=lambda pair: pair[0], reverse=True)
    except TypeError:
        raise InputError(
            f"quota: the ties key {name!r} gave values that cannot be compared"
            f" ({sorted({type(v).__name__ for v, _ in keyed})!r}) for the people tied at the cut"
        ) from None
    if keyed[need - 1][0] == keyed[need][0]:
        still = sorted(item.subject for value, item in keyed if value == keyed[need][0])
        raise InputError(
            f"quota: people {still!r} are tied at the cut on total {total} and on the ties"
            f" key {name!r} ({keyed[need][0]!r}); expected a key that separates them (input"
            " order is never used)"
        )
    return [item for _, item in keyed[:need]]


# --------------------------------------------------------------------------- the plan


def _plan_group(
    key: Hashable,
    label: str,
    members: list[RatedResult],
    *,
    rating: str,
    next_rating: str,
    share: Decimal,
    base: str,
    rounding: str,
    tie_name: str,
    tie_key: Callable[[Any], Any] | None,
) -> tuple[QuotaGroup, dict[str, _Demotion]]:
    # Decisions depend on totals only; equal totals are listed by subject id so the plan reads
    # the same whatever the input order.
    ranked = sorted(
        sorted((item for item in members if item.rating == rating), key=lambda item: item.subject),
        key=lambda item: item.total,
        reverse=True,
    )
    top = len(ranked)
    next_count = sum(1 for item in members if item.rating == next_rating)
    allowed, base_count = _allowed(top, next_count, base, share, rounding)
    tied: list[RatedResult] = []
    if allowed >= top:
        kept = ranked
    elif allowed == 0:
        kept = []
    elif ranked[allowed - 1].total > ranked[allowed].total:
        kept = ranked[:allowed]
    else:
        cut = ranked[allowed].total
        above = [item for item in ranked if item.total > cut]
        tied = [item for item in ranked if item.total == cut]
        need = allowed - len(above)
        if tie_key is None:
            kept = above + (tied if tie_name == "keep_all" else [])
        else:
            kept = above + _order_ties(tied, need, tie_name, tie_key, cut)
    kept_ids = {item.subject for item in kept}
    plan = QuotaGroup(
        key=key,
        label=label,
        rating=rating,
        next_rating=next_rating,
        share=share,
        base=base,
        rounding=rounding,
        rated=top,
        next_count=next_count,
        base_count=base_count,
        allowed=allowed,
        kept=tuple(item.subject for item in ranked if item.subject in kept_ids),
        demoted=tuple(item.subject for item in ranked if item.subject not in kept_ids),
        tied=tuple(sorted(item.subject for item in tied)),
        ties=tie_name,
    )
    tied_ids = {item.subject for item in tied}
    demotions: dict[str, _Demotion] = {}
    # Competition ranks (equal totals share one), counted in one pass over the ranked list.
    rank, previous = 0, None
    for place, item in enumerate(ranked, start=1):
        if item.total != previous:
            rank, previous = place, item.total
        if item.subject not in kept_ids:
            demotions[item.subject] = _Demotion(plan, rank, item.subject in tied_ids)
    return plan, demotions


class _Demotion(NamedTuple):
    """Why one person moves down: the group's plan, the person's rank by total (equal totals
    share a rank) and whether the person was tied at the cut."""

    plan: QuotaGroup
    rank: int
    tied: bool


def _plan(
    items: list[Any],
    *,
    rating: str,
    share: object,
    base: object,
    group_by: object,
    rounding: object,
    ties: object,
) -> tuple[tuple[QuotaGroup, ...], dict[str, _Demotion]]:
    checked_share = _check_share(share)
    base = _check_choice(base, "base", BASE_READINGS)
    rounding = _check_choice(rounding, "rounding", ROUNDING_MODES)
    if not isinstance(rating, str):
        raise InputError(f"quota: rating must be a band id string (got {rating!r})")
    key_of, label_of = _grouper(group_by)
    tie_name, tie_key = _tie_key(ties, items)
    if not items:
        return (), {}
    _check_results(items)
    _check_periods(items)
    next_rating = _next_band(items, rating)
    groups: dict[Hashable, list[RatedResult]] = {}
    for item in items:
        groups.setdefault(key_of(item), []).append(item)
    planned = [
        _plan_group(
            key,
            label_of(key),
            members,
            rating=rating,
            next_rating=next_rating,
            share=checked_share,
            base=base,
            rounding=rounding,
            tie_name=tie_name,
            tie_key=tie_key,
        )
        for key, members in groups.items()
    ]
    planned.sort(key=lambda pair: pair[0].label)
    by_subject = {subject: why for _, demotions in planned for subject, why in demotions.items()}
    return tuple(plan for plan, _ in planned), by_subject


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


@attrs.frozen(kw_only=True)
class _Source:
    """A columnar table seen by the quota: who, the totals (units of ``10^-exponent``), the
    ratings (band ranks, -1 none), person attributes as codes, one result built on request,
    and the table rebuilt with other ratings."""

    subjects: tuple[str, ...]
    totals: Ints
    exponent: int
    rank: Ints
    bands: tuple[str, ...]
    codes_of: Callable[[str], tuple[Codes, list[str | None]]]
    item: Callable[[int], RatedResult]
    rebuild: Callable[[Ints, _ColumnDemotions, str | None], ScoreTable | RollupTable]


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

        def score_table(
            rank: Ints, demotions: _ColumnDemotions, reference: str | None
        ) -> ScoreTable:
            def adjust(position: int, card: Scorecard) -> Scorecard:
                why = demotions.get(position)
                return card if why is None else _demote(card, why, reference)

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

        def rollup_table(
            rank: Ints, demotions: _ColumnDemotions, reference: str | None
        ) -> RollupTable:
            def adjust(position: int, result: Rollup) -> Rollup:
                why = demotions.get(position)
                return result if why is None else _demote(result, why, reference)

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


def _plan_columns(
    source: _Source,
    *,
    rating: str,
    share: object,
    base: object,
    group_by: object,
    rounding: object,
    ties: object,
) -> tuple[tuple[QuotaGroup, ...], _ColumnDemotions, int] | None:
    """:func:`_plan` from the columns: one sort of the people rated ``rating``, by group,
    total and subject; the same decisions, group by group, on slices of it. Returns the plans,
    the demotions by position and the band rank people move to; ``None`` when the grouping is
    a callable (it needs each result: the caller takes the per-result path)."""
    import numpy as np

    from kpiscore.cycle.columns import competition_ranks, group_codes, rank_groups

    checked_share = _check_share(share)
    base = _check_choice(base, "base", BASE_READINGS)
    rounding = _check_choice(rounding, "rounding", ROUNDING_MODES)
    if not isinstance(rating, str):
        raise InputError(f"quota: rating must be a band id string (got {rating!r})")
    key_of, label_of = _grouper(group_by)
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
    source: _Source,
    planned: tuple[tuple[QuotaGroup, ...], _ColumnDemotions, int],
    reference: str | None,
) -> ScoreTable | RollupTable:
    """The table with the demoted people's ratings moved down; each result built later
    carries its quota line."""
    _, demotions, below = planned
    rank = source.rank.copy()
    rank[demotions.positions] = below
    return source.rebuild(rank, demotions, reference)


def _materialise(results: object) -> list[Any]:
    if isinstance(results, str | bytes) or not isinstance(results, Iterable):
        raise InputError(
            f"quota: results must be a ScoreTable or an iterable of results (got {results!r})"
        )
    return list(results)


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
    source = _source(results)
    if source is not None:
        planned = _plan_columns(
            source,
            rating=rating,
            share=share,
            base=base,
            group_by=group_by,
            rounding=rounding,
            ties=ties,
        )
        if planned is not None:
            return planned[0]
    items = _materialise(results)
    return _plan(
        items,
        rating=rating,
        share=share,
        base=base,
        group_by=group_by,
        rounding=rounding,
        ties=ties,
    )[0]


@overload
def apply_quota(  # type: ignore[overload-overlap]  # a ScoreTable is also an iterable
    results: ScoreTable,
    rating: str = ...,
    share: NumberLike = ...,
    *,
    base: BaseReading = ...,
    group_by: GroupBy = ...,
    rounding: str = ...,
    ties: TieRule = ...,
    reference: str | None = ...,
) -> ScoreTable: ...
@overload
def apply_quota(  # type: ignore[overload-overlap]  # a RollupTable is also an iterable
    results: RollupTable,
    rating: str = ...,
    share: NumberLike = ...,
    *,
    base: BaseReading = ...,
    group_by: GroupBy = ...,
    rounding: str = ...,
    ties: TieRule = ...,
    reference: str | None = ...,
) -> RollupTable: ...
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
    source = _source(results)
    if source is not None:
        planned = _plan_columns(
            source,
            rating=rating,
            share=share,
            base=base,
            group_by=group_by,
            rounding=rounding,
            ties=ties,
        )
        if planned is not None:
            if reference is not None and not isinstance(reference, str):
                raise InputError(f"quota: reference must be a string or None (got {reference!r})")
            return _apply_columns(source, planned, reference)
    items = _materialise(results)
    _, by_subject = _plan(
        items,
        rating=rating,
        share=share,
        base=base,
        group_by=group_by,
        rounding=rounding,
        ties=ties,
    )
    if reference is not None and not isinstance(reference, str):
        raise InputError(f"quota: reference must be a string or None (got {reference!r})")
    changed = tuple(
        item
        if item.subject not in by_subject
        else _demote(item, by_subject[item.subject], reference)
        for item in items
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
