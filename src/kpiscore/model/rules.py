"""The parts of a policy: rules, criteria, categories, bands and caps (the policy is in policy.py).

Every class is frozen and validated at construction, so an invalid policy cannot exist. A part
with one problem raises :class:`PolicyError`; a part with several raises
:class:`PolicyValidationError` listing them all; :class:`Policy` checks the whole tree (unique ids,
bands, caps, scale, validity dates) in one pass and reports every problem at once.
"""

from __future__ import annotations

import datetime as _dt
import types
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import ClassVar, Final, Literal

import attrs

from kpiscore.exceptions import InputError, PolicyError, PolicyValidationError
from kpiscore.model.numbers import (
    EXACT,
    NumberLike,
    number,
    optional_number,
    to_decimal,
)
from kpiscore.model.text import lone_surrogate, shown_ids

__all__ = [
    "Award",
    "Band",
    "Category",
    "Criterion",
    "Deduction",
    "RatingCap",
]

#: The columns :func:`kpiscore.payout.payout_rows` adds to each result's row, in order (kept
#: here, beside the reserved names, and re-exported by :mod:`kpiscore.payout`).
PAYOUT_COLUMNS: Final = (
    "salary",
    "days_worked",
    "days_in_period",
    "payout_table",
    "payout_months",
    "payout",
)

#: Columns every score table row has (and payout rows add): no category may take their names,
#: since a category's points are written in a column named by its id.
RESERVED_COLUMNS: Final = frozenset(
    {
        "subject",
        "name",
        "unit",
        "group",
        "position",
        "period",
        "policy",
        "version",
        "carried",
        "total",
        "score_rating",
        "rating",
        *PAYOUT_COLUMNS,
    }
)

BASES: Final = ("full", "zero", "assessed", "ratio")
OVERFLOWS: Final = ("absorb", "carry")
PERS: Final = ("occurrence", "unit")
MISSING: Final = ("error", "zero", "exclude")


# --------------------------------------------------------------------------- helpers


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _as_tuple(value: object) -> object:
    """attrs converter: any non-string iterable becomes a tuple; anything else is left for the
    validator to reject with a clear message."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value
    if isinstance(value, Mapping):
        return value
    return tuple(value)


def _weights(value: Mapping[str, NumberLike] | None) -> Mapping[str, Decimal] | None:
    """attrs converter: a read-only copy of the weights, numbers converted losslessly."""
    if value is None or not isinstance(value, Mapping):
        return value
    return types.MappingProxyType({_nfc(key): number(weight) for key, weight in value.items()})  # type: ignore[misc]


#: Most problems one validation error lists; the rest are counted ("… and N more").
MAX_LISTED: Final = 100


def _raise(problems: list[PolicyError], what: str) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise PolicyValidationError(*_capped(f"{what}: {len(problems)} problems", problems))


def _capped(message: str, problems: list[PolicyError]) -> tuple[str, list[PolicyError]]:
    """The first :data:`MAX_LISTED` problems, the message saying how many more there are."""
    if len(problems) <= MAX_LISTED:
        return message, problems
    more = len(problems) - MAX_LISTED
    return f"{message} (the first {MAX_LISTED} listed, … and {more} more)", problems[:MAX_LISTED]


def _text(
    problems: list[PolicyError],
    owner: str,
    field: str,
    value: object,
    *,
    optional: bool,
    path: str | None = None,
) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        expected = "a non-empty string" + (" or None" if optional else "")
        problems.append(
            PolicyError(f"{owner}: {field} must be {expected} (got {value!r})", path=path)
        )
        return
    surrogate = lone_surrogate(value)
    if surrogate is not None:
        problems.append(
            PolicyError(f"{owner}: {field} holds {surrogate} (got {value!r})", path=path)
        )


def _decimal(
    problems: list[PolicyError],
    owner: str,
    field: str,
    value: object,
    *,
    minimum: Decimal | None = None,
    strictly: bool = False,
    optional: bool = False,
    path: str | None = None,
) -> Decimal | None:
    if value is None and optional:
        return None
    try:
        result = to_decimal(value, owner=owner, field=field, error=PolicyError)
    except PolicyError as error:
        error.path = path
        problems.append(error)
        return None
    if minimum is not None and (result <= minimum if strictly else result < minimum):
        relation = ">" if strictly else ">="
        problems.append(
            PolicyError(
                f"{owner}: {field} must be {relation} {minimum} (got {result!r})", path=path
            )
        )
        return None
    return result


def _choice(
    problems: list[PolicyError],
    owner: str,
    field: str,
    value: object,
    choices: tuple[str, ...],
    *,
    path: str | None = None,
) -> None:
    if value not in choices:
        expected = ", ".join(repr(choice) for choice in choices)
        problems.append(
            PolicyError(f"{owner}: {field} must be one of {expected} (got {value!r})", path=path)
        )


def _optional_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _duplicates(ids: Iterable[str]) -> list[str]:
    """The ids given more than once, each once, in order of first repetition (linear time)."""
    seen: set[str] = set()
    reported: set[str] = set()
    repeated: list[str] = []
    for item in ids:
        if item in seen:
            if item not in reported:
                reported.add(item)
                repeated.append(item)
        else:
            seen.add(item)
    return repeated


# --------------------------------------------------------------------------- rules


@attrs.frozen(kw_only=True)
class _Rule:
    on: str = attrs.field(converter=_nfc)
    points: Decimal = attrs.field(converter=number)
    per: Literal["occurrence", "unit"] = "occurrence"
    limit: Decimal | None = attrs.field(default=None, converter=optional_number)
    id: str = attrs.field(
        default=attrs.Factory(lambda self: self.on, takes_self=True), converter=_nfc
    )
    name: str | None = attrs.field(default=None, converter=_nfc)
    reference: str | None = attrs.field(default=None, converter=_nfc)
    reference_vi: str | None = attrs.field(default=None, converter=_nfc)

    kind: ClassVar[str] = "rule"

    def __attrs_post_init__(self) -> None:
        owner = f"{self.kind} {self.id!r}" if isinstance(self.id, str) else self.kind
        problems: list[PolicyError] = []
        _text(problems, owner, "on", self.on, optional=False)
        _text(problems, owner, "id", self.id, optional=False)
        _text(problems, owner, "name", self.name, optional=True)
        _text(problems, owner, "reference", self.reference, optional=True)
        _text(problems, owner, "reference_vi", self.reference_vi, optional=True)
        _decimal(problems, owner, "points", self.points, minimum=Decimal(0))
        _choice(problems, owner, "per", self.per, PERS)
        _decimal(problems, owner, "limit", self.limit, minimum=Decimal(0), optional=True)
        _raise(problems, owner)

    @property
    def sign(self) -> int:
        """-1 for a deduction, +1 for an award."""
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class Deduction(_Rule):
    """Remove points for each non-excused event of kind ``on`` in the period (trừ điểm).

    Args:
        on: The event kind the rule counts.
        points: Points removed per occurrence, or per unit of quantity with ``per="unit"``;
            a non-negative number (the sign comes from the rule being a deduction).
        per: ``"occurrence"`` (default) or ``"unit"`` (``points × event.quantity``).
        limit: The most this rule may remove in one period, or ``None``.
        id: Unique within its criterion; defaults to ``on``.
        name: A readable name for the ledger.
        reference: The legal article behind the rule.
        reference_vi: The same article in Vietnamese (``Nghị định 335/2025/NĐ-CP, Điều 12``).
            The Vietnamese outputs cite it instead of ``reference`` where it is set.

    >>> Deduction(on="training_absence", points=2, reference="illustrative").id
    'training_absence'
    """

    kind: ClassVar[str] = "deduction"

    @property
    def sign(self) -> int:
        """-1: a deduction removes points."""
        return -1


@attrs.frozen(kw_only=True)
class Award(_Rule):
    """Add points for each non-excused event of kind ``on`` in the period (cộng điểm).

    Same fields as :class:`Deduction`; an award can never lift a criterion above its maximum
    (what is cut off is shown in the ledger as absorbed).

    >>> Award(on="initiative", points=1, limit=3).limit
    Decimal('3')
    """

    kind: ClassVar[str] = "award"

    @property
    def sign(self) -> int:
        """+1: an award adds points."""
        return 1


# --------------------------------------------------------------------------- criterion


@attrs.frozen(kw_only=True)
class Criterion:
    """One scored item with a maximum (tiêu chí).

    Args:
        id: Unique across the policy (measures name criteria by id).
        name: Readable name.
        max_points: The most the criterion can score, ``>= 0``.
        basis: Where scoring starts: ``"full"`` (at ``max_points``; deductions remove),
            ``"zero"`` (at 0; awards earn), ``"assessed"`` (at the measure's value, which must lie
            in ``[0, max_points]``), ``"ratio"`` (at ``max_points × r`` for the measure ``r`` in
            ``[0, 1]``).
        deductions: Rules that remove points.
        awards: Rules that add points.
        floor: The lowest the criterion can score, ``<= max_points`` (default 0).
        overflow: ``"absorb"`` (what falls below the floor is lost) or ``"carry"`` (Ho Chi Minh
            City: it is deducted from the policy total instead).
        ratio_cap: For ``ratio``: cap a measure above 1 at 1 (and say so in the ledger) instead
            of rejecting it.
        reference: The legal article behind the criterion.
        reference_vi: The same article in Vietnamese.
            The Vietnamese outputs cite it instead of ``reference`` where it is set.

    Raises:
        PolicyError: one problem; :class:`PolicyValidationError` when there are several.

    >>> training = Criterion(
    ...     id="training", name="Training attendance", max_points=15,
    ...     deductions=[Deduction(on="training_absence", points=2)],
    ... )
    >>> training.max_points, training.basis
    (Decimal('15'), 'full')
    """

    id: str = attrs.field(converter=_nfc)
    name: str = attrs.field(converter=_nfc)
    max_points: Decimal = attrs.field(converter=number)
    basis: Literal["full", "zero", "assessed", "ratio"] = "full"
    deductions: tuple[Deduction, ...] = attrs.field(default=(), converter=_as_tuple)
    awards: tuple[Award, ...] = attrs.field(default=(), converter=_as_tuple)
    floor: Decimal = attrs.field(default=Decimal(0), converter=number)
    overflow: Literal["absorb", "carry"] = "absorb"
    ratio_cap: bool = False
    reference: str | None = attrs.field(default=None, converter=_nfc)
    reference_vi: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"criterion {self.id!r}" if isinstance(self.id, str) else "criterion"
        problems: list[PolicyError] = []
        _text(problems, owner, "id", self.id, optional=False)
        _text(problems, owner, "name", self.name, optional=False)
        _text(problems, owner, "reference", self.reference, optional=True)
        _text(problems, owner, "reference_vi", self.reference_vi, optional=True)
        maximum = _decimal(problems, owner, "max_points", self.max_points, minimum=Decimal(0))
        floor = _decimal(problems, owner, "floor", self.floor)
        if maximum is not None and floor is not None and floor > maximum:
            problems.append(
                PolicyError(f"{owner}: floor must be <= max_points ({maximum}) (got {floor!r})")
            )
        _choice(problems, owner, "basis", self.basis, BASES)
        _choice(problems, owner, "overflow", self.overflow, OVERFLOWS)
        if not isinstance(self.ratio_cap, bool):
            problems.append(
                PolicyError(f"{owner}: ratio_cap must be True or False (got {self.ratio_cap!r})")
            )
        elif self.ratio_cap and self.basis in BASES and self.basis != "ratio":
            problems.append(
                PolicyError(
                    f"{owner}: ratio_cap applies only to basis 'ratio' (got basis {self.basis!r})"
                )
            )
        for field, cls in (("deductions", Deduction), ("awards", Award)):
            rules = getattr(self, field)
            if not isinstance(rules, tuple) or not all(isinstance(r, cls) for r in rules):
                problems.append(
                    PolicyError(
                        f"{owner}: {field} must be a sequence of {cls.__name__} (got {rules!r})"
                    )
                )
        if not problems:
            for repeated in _duplicates(rule.id for rule in self.rules):
                problems.append(
                    PolicyError(
                        f"{owner}: rule id {repeated!r} is used twice; rule ids must be unique"
                        " within a criterion (give one of them an explicit id)"
                    )
                )
        _raise(problems, owner)

    @property
    def rules(self) -> tuple[Deduction | Award, ...]:
        """Deductions then awards, in declaration order."""
        return (*self.deductions, *self.awards)

    @property
    def needs_measure(self) -> bool:
        """Whether the criterion's starting value comes from a :class:`Measure`."""
        return self.basis in ("assessed", "ratio")


# --------------------------------------------------------------------------- category


@attrs.frozen(kw_only=True)
class Category:
    """A weighted group of criteria (nhóm tiêu chí).

    Points are ``max_points × Σ(wᵢ · pᵢ / maxᵢ) / Σ wᵢ``; each weight ``wᵢ`` defaults to the
    criterion's ``max_points``, so with neither ``max_points`` nor ``weights`` the category scores
    the plain sum of its criteria. ``max_points`` is the category's weight in the policy total.

    Args:
        id: Unique within the policy.
        name: Readable name.
        criteria: The criteria, at least one.
        max_points: The category's maximum; defaults to the sum of its criteria's maxima.
        weights: Criterion id → positive weight, for every criterion; ``None`` for the default.
        reference: The legal article behind the category.
        reference_vi: The same article in Vietnamese.
            The Vietnamese outputs cite it instead of ``reference`` where it is set.

    >>> task = Category(
    ...     id="task", name="Task results", max_points=70,
    ...     criteria=[Criterion(id=c, name=c, max_points=100, basis="ratio")
    ...               for c in ("quantity", "quality", "on_time")],
    ... )
    >>> task.max_total
    Decimal('70')
    """

    id: str = attrs.field(converter=_nfc)
    name: str = attrs.field(converter=_nfc)
    criteria: tuple[Criterion, ...] = attrs.field(converter=_as_tuple)
    max_points: Decimal | None = attrs.field(default=None, converter=optional_number)
    weights: Mapping[str, Decimal] | None = attrs.field(
        default=None, converter=_weights, hash=False
    )
    reference: str | None = attrs.field(default=None, converter=_nfc)
    reference_vi: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"category {self.id!r}" if isinstance(self.id, str) else "category"
        problems: list[PolicyError] = []
        _text(problems, owner, "id", self.id, optional=False)
        _text(problems, owner, "name", self.name, optional=False)
        _text(problems, owner, "reference", self.reference, optional=True)
        _text(problems, owner, "reference_vi", self.reference_vi, optional=True)
        _decimal(problems, owner, "max_points", self.max_points, minimum=Decimal(0), optional=True)
        criteria = self.criteria
        if not isinstance(criteria, tuple) or not all(isinstance(c, Criterion) for c in criteria):
            problems.append(
                PolicyError(f"{owner}: criteria must be a sequence of Criterion (got {criteria!r})")
            )
            _raise(problems, owner)
            return
        if not criteria:
            problems.append(PolicyError(f"{owner}: criteria must not be empty (got ())"))
        for repeated in _duplicates(c.id for c in criteria):
            problems.append(
                PolicyError(f"{owner}: criterion id {repeated!r} is used twice; ids must be unique")
            )
        if self.weights is not None:
            if not isinstance(self.weights, Mapping):
                problems.append(
                    PolicyError(
                        f"{owner}: weights must be a mapping of criterion id to weight"
                        f" (got {self.weights!r})"
                    )
                )
            else:
                ids = [c.id for c in criteria]
                known = set(ids)
                for key, weight in self.weights.items():
                    if key not in known:
                        problems.append(
                            PolicyError(
                                f"{owner}: weights name criterion {key!r}, which is not in the"
                                f" category; expected one of {shown_ids(ids)}"
                            )
                        )
                    else:
                        _decimal(
                            problems,
                            owner,
                            f"weights[{key!r}]",
                            weight,
                            minimum=Decimal(0),
                            strictly=True,
                        )
                for missing in (i for i in ids if i not in self.weights):
                    problems.append(
                        PolicyError(
                            f"{owner}: weights must give a weight for every criterion"
                            f" (missing {missing!r})"
                        )
                    )
        if self.weighted:
            for criterion in criteria:
                if criterion.max_points == 0:
                    problems.append(
                        PolicyError(
                            f"{owner}: criterion {criterion.id!r} has max_points 0, which a"
                            " weighted category cannot scale by; expected max_points > 0"
                        )
                    )
        _raise(problems, owner)

    @property
    def weighted(self) -> bool:
        """Whether points are a weighted mean (``max_points`` or ``weights`` given), not a sum."""
        return self.max_points is not None or self.weights is not None

    @property
    def max_total(self) -> Decimal:
        """The category's maximum: ``max_points``, or the sum of its criteria's maxima."""
        if self.max_points is not None:
            return self.max_points
        total = Decimal(0)
        for criterion in self.criteria:
            total = EXACT.add(total, criterion.max_points)
        return total

    def weight(self, criterion_id: str) -> Decimal:
        """The weight of one criterion in this category."""
        if self.weights is not None:
            return self.weights[criterion_id]
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion.max_points
        raise InputError(f"category {self.id!r}: no criterion {criterion_id!r}")


# --------------------------------------------------------------------------- bands and caps


@attrs.frozen(kw_only=True)
class Band:
    """A rating band (mức xếp loại): the rating for totals at or above ``min_points``.

    >>> Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ").min_points
    Decimal('90')
    """

    id: str = attrs.field(converter=_nfc)
    min_points: Decimal = attrs.field(converter=number)
    name: str = attrs.field(converter=_nfc)
    name_en: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"band {self.id!r}" if isinstance(self.id, str) else "band"
        problems: list[PolicyError] = []
        _text(problems, owner, "id", self.id, optional=False)
        _text(problems, owner, "name", self.name, optional=False)
        _text(problems, owner, "name_en", self.name_en, optional=True)
        _decimal(problems, owner, "min_points", self.min_points, minimum=Decimal(0))
        _raise(problems, owner)


@attrs.frozen(kw_only=True)
class RatingCap:
    """Lower the rating to at most band ``at_most`` when a non-excused event of kind ``on`` occurs.

    Decree 335: a reprimand or heavier discipline in the year means "not completed" whatever the
    score; the score itself is unchanged. A cap never raises a rating.

    Args:
        on: The event kind that triggers the cap.
        at_most: The highest band id a triggered cap allows.
        name: A readable name for the ledger.
        reference: The legal article behind the cap.
        reference_vi: The same article in Vietnamese.
            The Vietnamese outputs cite it instead of ``reference`` where it is set.

    >>> RatingCap(on="reprimand", at_most="KHT", reference="Decree 335/2025 Art. 12").at_most
    'KHT'
    """

    on: str = attrs.field(converter=_nfc)
    at_most: str = attrs.field(converter=_nfc)
    name: str | None = attrs.field(default=None, converter=_nfc)
    reference: str | None = attrs.field(default=None, converter=_nfc)
    reference_vi: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"cap on {self.on!r}" if isinstance(self.on, str) else "cap"
        problems: list[PolicyError] = []
        _text(problems, owner, "on", self.on, optional=False)
        _text(problems, owner, "at_most", self.at_most, optional=False)
        _text(problems, owner, "name", self.name, optional=True)
        _text(problems, owner, "reference", self.reference, optional=True)
        _text(problems, owner, "reference_vi", self.reference_vi, optional=True)
        _raise(problems, owner)
