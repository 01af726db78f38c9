"""The quota's plan: who keeps the top rating in each group, and who moves down.

The part of :mod:`kpiscore.cycle.quota` that decides (groups, base counts, the allowed count,
ranking and ties), kept apart from the results it builds (:func:`~kpiscore.cycle.quota.apply_quota`,
the columnar path and the adjustment texts) so neither module grows past the house's size.
Import the public names from :mod:`kpiscore.quota`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
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
)

import attrs

from kpiscore.exceptions import InputError
from kpiscore.model.facts import PERSON_FIELDS, Person
from kpiscore.model.numbers import (
    ROUNDING_MODES,
    NumberLike,
    canonical,
    exact,
    quantize,
    to_decimal,
)
from kpiscore.results.scorecard import Adjustment, BandInfo

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

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

_PERSON_ATTRIBUTES: Final = PERSON_FIELDS
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

#: A ``ties`` key as applied: a result's value that orders the people tied at the cut (``None``
#: is refused, and values that cannot be compared are refused when sorted).
_TieKey = Callable[[RatedResult], "SupportsRichComparison | None"]


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


def _grouper(
    group_by: object, anyone_has: Callable[[str], bool] = lambda name: False
) -> tuple[Callable[[RatedResult], Hashable], Callable[[Hashable], str]]:
    """``(group key of a result, label of a key)``; ``anyone_has(name)`` tells whether any
    person has an attribute (a person without it is then told so, not of an unknown name)."""
    if group_by is None:
        return (lambda item: None), (lambda key: "the whole population")
    if isinstance(group_by, str):
        names: tuple[str, ...] = (group_by,)
    elif isinstance(group_by, tuple) and group_by and all(isinstance(n, str) for n in group_by):
        names = group_by
    elif callable(group_by):
        key_of: Callable[[RatedResult], object] = group_by

        def call(item: RatedResult) -> Hashable:
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
        if not name.strip() or name != name.strip():
            raise InputError(
                f"quota: group_by names no person attribute ({name!r}); expected one of"
                f" {', '.join(repr(n) for n in _PERSON_ATTRIBUTES)} or another attribute of"
                " the people (a people file's other column)"
            )

    def attributes(item: RatedResult) -> Hashable:
        values = []
        for name in names:
            value = item.person.get(name)
            if value is None:
                raise _missing(item, name, group_by, anyone_has(name))
            values.append(value)
        return values[0] if len(names) == 1 else tuple(values)

    def label(key: Hashable) -> str:
        values = (key,) if len(names) == 1 else cast("tuple[str, ...]", key)
        return ", ".join(f"{name} {value!r}" for name, value in zip(names, values, strict=True))

    return attributes, label


def _missing(item: RatedResult, name: str, group_by: object, someone_has: bool) -> InputError:
    """The problem of a person without the attribute a quota groups by: a field or another
    attribute someone has (this person lacks it), else a name nobody has (misspelt)."""
    fields = ", ".join(repr(n) for n in _PERSON_ATTRIBUTES)
    needs = (
        f"group_by={group_by!r} needs every person to have one (or pass a callable that decides)"
    )
    if name in _PERSON_ATTRIBUTES:
        return InputError(f"quota: person {item.subject!r} has no {name}; {needs}")
    if someone_has:
        return InputError(f"quota: person {item.subject!r} has no {name!r}; {needs}")
    others = [key for key, _ in item.person.attributes]
    if not others:  # no attribute but the fields: a misspelt field, most likely
        return InputError(
            f"quota: group_by names an unknown person attribute {name!r}; expected one of {fields}"
        )
    return InputError(
        f"quota: group_by names an unknown person attribute {name!r}; expected one of {fields}"
        f" or of the people's other attributes ({', '.join(repr(key) for key in others)})"
    )


# --------------------------------------------------------------------------- ties


def _tie_key(ties: object, items: Sequence[object]) -> tuple[str, _TieKey | None]:
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
        # Any callable is taken; what it gives is checked when the tied people are ordered.
        return getattr(ties, "__name__", "key"), cast("_TieKey", ties)
    raise InputError(
        "quota: ties must be 'keep_all', 'demote_all', an attribute name or a callable"
        f" (got {ties!r})"
    )


def _order_ties(
    tied: list[RatedResult], need: int, name: str, key: _TieKey, total: Decimal
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
    tie_key: _TieKey | None,
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


@attrs.frozen(kw_only=True)
class _Options:
    """The quota's options as the caller gave them, shared by the per-result plan
    (:func:`_plan`) and the columnar one, which check them the same way (:meth:`checked`)."""

    rating: object
    share: object
    base: object
    group_by: object
    rounding: object
    ties: object

    def checked(self) -> tuple[str, Decimal, str, str]:
        """``(rating, share, base, rounding)``, each checked; an :class:`InputError` names the
        first bad one."""
        share = _check_share(self.share)
        base = _check_choice(self.base, "base", BASE_READINGS)
        rounding = _check_choice(self.rounding, "rounding", ROUNDING_MODES)
        if not isinstance(self.rating, str):
            raise InputError(f"quota: rating must be a band id string (got {self.rating!r})")
        return self.rating, share, base, rounding


def _plan(
    items: list[Any], options: _Options
) -> tuple[tuple[QuotaGroup, ...], dict[str, _Demotion]]:
    rating, checked_share, base, rounding = options.checked()
    key_of, label_of = _grouper(
        options.group_by, lambda name: any(item.person.get(name) is not None for item in items)
    )
    tie_name, tie_key = _tie_key(options.ties, items)
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
