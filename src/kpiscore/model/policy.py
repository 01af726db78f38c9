"""The policy itself: the whole scoring scheme, validated in one pass, with its canonical form.

Its parts (rules, criteria, categories, bands, caps) are in :mod:`kpiscore.model.rules`, and
re-exported here; the tree form a file is read into is built by :mod:`kpiscore.model.tree`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

import attrs

from kpiscore.exceptions import PeriodError, PolicyError
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.lookup import by_id, criterion_by_id, item_id
from kpiscore.model.numbers import (
    EXACT,
    ROUNDING_MODES,
    canonical,
    number,
    optional_number,
)
from kpiscore.model.period import Period
from kpiscore.model.rules import (
    MISSING,
    RESERVED_COLUMNS,
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    RatingCap,
    _as_tuple,
    _choice,
    _decimal,
    _duplicates,
    _nfc,
    _optional_date,
    _raise,
    _text,
)
from kpiscore.model.text import shown_ids
from kpiscore.model.tree import build_policy

__all__ = [
    "RESERVED_COLUMNS",
    "Award",
    "Band",
    "Category",
    "Criterion",
    "Deduction",
    "Policy",
    "RatingCap",
]


def _nfc_tuple(value: object) -> object:
    """attrs converter: a sequence of kinds as a tuple of NFC strings (others left to the
    validator)."""
    converted = _as_tuple(value)
    if isinstance(converted, tuple):
        return tuple(_nfc(item) for item in converted)
    return converted


def _other_kinds_problems(problems: list[PolicyError], owner: str, kinds: object) -> None:
    if not isinstance(kinds, tuple):
        problems.append(
            PolicyError(
                f"{owner}: other_kinds must be a list of event kinds (got {kinds!r})",
                path="other_kinds",
            )
        )
        return
    for index, kind in enumerate(kinds):
        if not isinstance(kind, str) or not kind.strip():
            problems.append(
                PolicyError(
                    f"{owner}: other_kinds[{index}] must be a non-empty string (got {kind!r})",
                    path=f"other_kinds[{index}]",
                )
            )
    for repeated in _duplicates(k for k in kinds if isinstance(k, str)):
        problems.append(
            PolicyError(
                f"{owner}: other_kinds lists {repeated!r} twice; expected each kind once",
                path="other_kinds",
            )
        )


@attrs.frozen(kw_only=True)
class Policy:
    """The whole scoring scheme for one job-position group, one version (bộ tiêu chí).

    Args:
        id: Identifier, for example ``"vn-nd335-2025-staff"``.
        name: Readable name.
        categories: The categories, at least one; their maxima add up to the policy maximum.
        bands: Rating bands; when given, the lowest must start at 0 and thresholds be distinct.
        caps: Rating caps; each must name an existing band.
        version: The policy's version label.
        scale: When given, the categories' maxima must add up to it exactly (for example 100).
        precision: The quantum every reported figure is rounded to, a power of ten (default 0.01).
        rounding: A ``decimal`` rounding constant name (default ``"ROUND_HALF_UP"``).
        valid_from: First day the policy applies, or ``None``.
        valid_to: Last day the policy applies, or ``None``.
        missing: What a missing measure means: ``"error"``, ``"zero"`` or ``"exclude"``.
        min_worked_share: For roll-ups: the share of a period (0..1) a person must have worked to
            get a rating; ``None`` (the default) means no minimum.
        description: Free text: what the policy is for, which values are local choices.
        reference: The legal instrument behind the policy.
        other_kinds: Event kinds the policy knows and deliberately does not score (for example
            ``"sick_leave"`` kept in the same file); any other kind no rule or cap uses is an
            error when scoring (see :attr:`known_kinds`).
        max_ratio: The largest ratio measure accepted (default 2, i.e. 200 %), even on a
            ``ratio_cap`` criterion: ``90`` typed for 90 % is an error, not full points.

    Raises:
        PolicyError: one problem; :class:`PolicyValidationError` listing every problem otherwise.

    >>> policy = Policy(
    ...     id="example", name="Example",
    ...     categories=[Category(id="discipline", name="Discipline", criteria=[
    ...         Criterion(id="training", name="Training", max_points=15,
    ...                   deductions=[Deduction(on="training_absence", points=2)])])],
    ... )
    >>> policy.max_total, len(policy.fingerprint)
    (Decimal('15'), 64)
    """

    id: str = attrs.field(converter=_nfc)
    name: str = attrs.field(converter=_nfc)
    categories: tuple[Category, ...] = attrs.field(converter=_as_tuple)
    bands: tuple[Band, ...] = attrs.field(default=(), converter=_as_tuple)
    caps: tuple[RatingCap, ...] = attrs.field(default=(), converter=_as_tuple)
    version: str = attrs.field(default="1", converter=_nfc)
    scale: Decimal | None = attrs.field(default=None, converter=optional_number)
    precision: Decimal = attrs.field(default=Decimal("0.01"), converter=number)
    rounding: str = "ROUND_HALF_UP"
    valid_from: _dt.date | None = attrs.field(default=None, converter=_optional_date)
    valid_to: _dt.date | None = attrs.field(default=None, converter=_optional_date)
    missing: Literal["error", "zero", "exclude"] = "error"
    min_worked_share: Decimal | None = attrs.field(default=None, converter=optional_number)
    description: str | None = attrs.field(default=None, converter=_nfc)
    reference: str | None = attrs.field(default=None, converter=_nfc)
    other_kinds: tuple[str, ...] = attrs.field(default=(), converter=_nfc_tuple)
    max_ratio: Decimal = attrs.field(default=Decimal(2), converter=number)

    def __attrs_post_init__(self) -> None:
        _raise(list(self._problems()), f"policy {self.id!r}")
        # 0.010 and 0.01 are the same precision; quantize() reads the exponent, so keep one form.
        object.__setattr__(self, "precision", self.precision.normalize(EXACT))

    def _problems(self) -> Iterator[PolicyError]:
        owner = f"policy {self.id!r}" if isinstance(self.id, str) else "policy"
        problems: list[PolicyError] = []
        _text(problems, owner, "id", self.id, optional=False, path="id")
        _text(problems, owner, "name", self.name, optional=False, path="name")
        _text(problems, owner, "version", self.version, optional=False, path="version")
        _text(problems, owner, "description", self.description, optional=True, path="description")
        _text(problems, owner, "reference", self.reference, optional=True, path="reference")
        scale = _decimal(
            problems, owner, "scale", self.scale, minimum=Decimal(0), optional=True, path="scale"
        )
        precision = _decimal(problems, owner, "precision", self.precision, path="precision")
        if precision is not None and (
            precision <= 0
            or precision.normalize(EXACT).as_tuple().digits != (1,)
            or precision > 1
            or precision < Decimal("1e-12")
        ):
            problems.append(
                PolicyError(
                    f"{owner}: precision must be a power of ten from 1 to 1E-12, such as 0.01"
                    f" (got {self.precision!r})",
                    path="precision",
                )
            )
        _choice(problems, owner, "rounding", self.rounding, ROUNDING_MODES, path="rounding")
        _choice(problems, owner, "missing", self.missing, MISSING, path="missing")
        share = _decimal(
            problems,
            owner,
            "min_worked_share",
            self.min_worked_share,
            minimum=Decimal(0),
            optional=True,
            path="min_worked_share",
        )
        if share is not None and share > 1:
            problems.append(
                PolicyError(
                    f"{owner}: min_worked_share must be <= 1 (got {share!r})",
                    path="min_worked_share",
                )
            )
        _other_kinds_problems(problems, owner, self.other_kinds)
        max_ratio = _decimal(problems, owner, "max_ratio", self.max_ratio, path="max_ratio")
        if max_ratio is not None and max_ratio < 1:
            problems.append(
                PolicyError(
                    f"{owner}: max_ratio must be >= 1 (100 %) (got {max_ratio!r}); a smaller"
                    " value would refuse a fully met target",
                    path="max_ratio",
                )
            )
        for field in ("valid_from", "valid_to"):
            value = getattr(self, field)
            if value is not None and (
                isinstance(value, _dt.datetime) or not isinstance(value, _dt.date)
            ):
                problems.append(
                    PolicyError(
                        f"{owner}: {field} must be a date or None (got {value!r})", path=field
                    )
                )
        if (
            isinstance(self.valid_from, _dt.date)
            and isinstance(self.valid_to, _dt.date)
            and self.valid_from > self.valid_to
        ):
            problems.append(
                PolicyError(
                    f"{owner}: valid_from ({self.valid_from.isoformat()}) must be on or before"
                    f" valid_to (got {self.valid_to.isoformat()})",
                    path="valid_to",
                )
            )
        categories = self.categories
        if not isinstance(categories, tuple) or not all(
            isinstance(c, Category) for c in categories
        ):
            problems.append(
                PolicyError(
                    f"{owner}: categories must be a sequence of Category (got {categories!r})"
                )
            )
            categories = ()
        elif not categories:
            problems.append(PolicyError(f"{owner}: categories must not be empty (got ())"))
        for repeated in _duplicates(c.id for c in categories):
            problems.append(
                PolicyError(
                    f"{owner}: category id {repeated!r} is used twice; ids must be unique",
                    path=f"categories.{repeated}",
                )
            )
        # A category's points are a column of the score table (and of payout rows) by its id.
        for category in categories:
            if isinstance(category, Category) and category.id in RESERVED_COLUMNS:
                problems.append(
                    PolicyError(
                        f"{owner}: category id {category.id!r} names a column every score table"
                        f" has; expected another id (not one of {sorted(RESERVED_COLUMNS)!r})",
                        path=f"categories.{category.id}",
                    )
                )
        # Measures name a criterion by its id alone, so criterion ids are unique policy-wide.
        for repeated in _duplicates(cr.id for c in categories for cr in c.criteria):
            problems.append(
                PolicyError(
                    f"{owner}: criterion id {repeated!r} is used in more than one place;"
                    " criterion ids must be unique across the policy (measures name them by id)"
                )
            )
        if scale is not None and categories:
            total = Decimal(0)
            for category in categories:
                total = EXACT.add(total, category.max_total)
            if total != scale:
                problems.append(
                    PolicyError(
                        f"{owner}: the categories' maxima must add up to scale {scale}"
                        f" (got {total})",
                        path="scale",
                    )
                )
        if precision is not None and not problems:
            # A category maximum finer than the precision could be exceeded by the reported
            # (rounded) figure that feeds the total: 1.5 points at precision 1 would report 2.
            # (A criterion's own figure is only displayed; categories use its exact points.)
            for category in categories:
                limits = [("max_points", category.max_total, f"category {category.id!r}")]
                for field, value, where in limits:
                    if not EXACT.remainder(value, precision).is_zero():
                        problems.append(
                            PolicyError(
                                f"{owner}: {where}: {field} {value} is not a multiple of the"
                                f" policy's precision {precision.normalize(EXACT)}; a rounded"
                                " figure could pass it (use a finer precision)"
                            )
                        )
        bands = self.bands
        if not isinstance(bands, tuple) or not all(isinstance(b, Band) for b in bands):
            problems.append(
                PolicyError(f"{owner}: bands must be a sequence of Band (got {bands!r})")
            )
            bands = ()
        for repeated in _duplicates(b.id for b in bands):
            problems.append(
                PolicyError(f"{owner}: band id {repeated!r} is used twice; ids must be unique")
            )
        thresholds: dict[Decimal, str] = {}
        for band in bands:
            if band.min_points in thresholds:
                problems.append(
                    PolicyError(
                        f"{owner}: bands {thresholds[band.min_points]!r} and {band.id!r} have the"
                        f" same min_points {band.min_points}; thresholds must be distinct",
                        path=f"bands.{band.id}.min_points",
                    )
                )
            else:
                thresholds[band.min_points] = band.id
        if bands and min(b.min_points for b in bands) != 0:
            lowest = min(bands, key=lambda b: b.min_points)
            problems.append(
                PolicyError(
                    f"{owner}: the lowest band must start at 0 so every total gets a rating"
                    f" (band {lowest.id!r} starts at {lowest.min_points})",
                    path=f"bands.{lowest.id}.min_points",
                )
            )
        caps = self.caps
        if not isinstance(caps, tuple) or not all(isinstance(c, RatingCap) for c in caps):
            problems.append(
                PolicyError(f"{owner}: caps must be a sequence of RatingCap (got {caps!r})")
            )
            caps = ()
        band_ids = [b.id for b in bands]
        for cap in caps:
            if cap.at_most not in band_ids:
                expected = f"one of {band_ids!r}" if band_ids else "a band, but the policy has none"
                problems.append(
                    PolicyError(
                        f"{owner}: cap on {cap.on!r}: at_most names unknown band"
                        f" {cap.at_most!r}; expected {expected}",
                        path=f"caps.{cap.on}.at_most",
                    )
                )
        yield from problems

    # ----------------------------------------------------------------- derived

    @property
    def max_total(self) -> Decimal:
        """The policy maximum: the sum of the categories' maxima."""
        total = Decimal(0)
        for category in self.categories:
            total = EXACT.add(total, category.max_total)
        return total

    @cached_property
    def known_kinds(self) -> frozenset[str]:
        """Every event kind the policy knows: used by a rule or a cap, or in ``other_kinds``.

        An event of any other kind is an error when scoring, unless the caller passes
        ``unknown_kinds="ignore"``.

        >>> from kpiscore import Category, Criterion, Deduction
        >>> policy = Policy(id="p", name="P", other_kinds=["sick_leave"], categories=[
        ...     Category(id="c", name="C", criteria=[Criterion(id="t", name="T", max_points=5,
        ...         deductions=[Deduction(on="training_absence", points=1)])])])
        >>> sorted(policy.known_kinds)
        ['sick_leave', 'training_absence']
        """
        kinds = {rule.on for c in self.categories for cr in c.criteria for rule in cr.rules}
        kinds.update(cap.on for cap in self.caps)
        kinds.update(self.other_kinds)
        return frozenset(kinds)

    @property
    def bands_descending(self) -> tuple[Band, ...]:
        """Bands from the highest threshold to the lowest."""
        return tuple(sorted(self.bands, key=lambda b: b.min_points, reverse=True))

    def band(self, band_id: str) -> Band:
        """The band with this id.

        Raises:
            InputError: no such band.
        """
        return by_id(self.bands, band_id, item_id, where=f"policy {self.id!r}", what="band")

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id, wherever it is.

        Raises:
            InputError: no such criterion.
        """
        return criterion_by_id(
            self.categories, criterion_id, item_id, where=f"policy {self.id!r}", shown=shown_ids
        )

    def rating_for(self, total: Decimal) -> str | None:
        """The band id for a reported total: the highest band whose ``min_points <= total``."""
        for band in self.bands_descending:
            if band.min_points <= total:
                return band.id
        return None

    def check_period(self, period: Period) -> None:
        """Raise :class:`PeriodError` unless ``period`` lies inside ``valid_from..valid_to``."""
        if not isinstance(period, Period):
            raise PeriodError(f"policy {self.id!r}: period must be a Period (got {period!r})")
        if (self.valid_from is not None and period.start < self.valid_from) or (
            self.valid_to is not None and period.end > self.valid_to
        ):
            start = self.valid_from.isoformat() if self.valid_from else "any time"
            end = self.valid_to.isoformat() if self.valid_to else "open-ended"
            raise PeriodError(
                f"policy {self.id!r}: period {period.label} is outside the policy's validity"
                f" ({start} to {end})"
            )

    def to_dict(self) -> dict[str, Any]:
        """The canonical tree of the policy: plain dicts, lists, strings; numbers as strings.

        Defaults are written out, numbers are normalised (``2.0`` and ``2`` write alike), so equal
        policies give equal trees. :func:`kpiscore.load_policy` reads the same tree back.
        """
        return _policy_tree(self)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON form of the policy: equal policies, equal prints.

        Every field is covered, the Vietnamese references (``reference_vi``) included; an unset
        ``reference_vi`` is left out of the tree, so a policy without them keeps the fingerprint
        it had before the field existed.
        """
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, tree: Mapping[str, object]) -> Policy:
        """Build a policy from the tree :meth:`to_dict` writes (or a parsed TOML/JSON file).

        Unknown keys are errors naming their path; every problem is reported at once.
        """
        return build_policy(tree, cls)


def _num(value: Decimal | None) -> str | None:
    return None if value is None else canonical(value)


def _vi(reference_vi: str | None) -> dict[str, str]:
    """``{"reference_vi": …}`` when set, else nothing: a policy without Vietnamese references
    keeps the tree, and so the fingerprint, it had before the key existed."""
    return {} if reference_vi is None else {"reference_vi": reference_vi}


def _rule_tree(rule: Deduction | Award) -> JsonObject:
    return {
        "id": rule.id,
        "on": rule.on,
        "points": _num(rule.points),
        "per": rule.per,
        "limit": _num(rule.limit),
        "name": rule.name,
        "reference": rule.reference,
        **_vi(rule.reference_vi),
    }


def _policy_tree(policy: Policy) -> JsonObject:
    tree: JsonObject = {
        "id": policy.id,
        "name": policy.name,
        "version": policy.version,
        "description": policy.description,
        "reference": policy.reference,
        "scale": _num(policy.scale),
        "precision": _num(policy.precision),
        "rounding": policy.rounding,
        "missing": policy.missing,
        "min_worked_share": _num(policy.min_worked_share),
        "valid_from": policy.valid_from.isoformat() if policy.valid_from else None,
        "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
        "categories": [
            {
                "id": category.id,
                "name": category.name,
                "max_points": _num(category.max_points),
                "weights": None
                if category.weights is None
                else {key: canonical(value) for key, value in category.weights.items()},
                "reference": category.reference,
                **_vi(category.reference_vi),
                "criteria": [
                    {
                        "id": criterion.id,
                        "name": criterion.name,
                        "max_points": _num(criterion.max_points),
                        "basis": criterion.basis,
                        "floor": _num(criterion.floor),
                        "overflow": criterion.overflow,
                        "ratio_cap": criterion.ratio_cap,
                        "reference": criterion.reference,
                        **_vi(criterion.reference_vi),
                        "deductions": [_rule_tree(rule) for rule in criterion.deductions],
                        "awards": [_rule_tree(rule) for rule in criterion.awards],
                    }
                    for criterion in category.criteria
                ],
            }
            for category in policy.categories
        ],
        "bands": [
            {
                "id": band.id,
                "min_points": _num(band.min_points),
                "name": band.name,
                "name_en": band.name_en,
            }
            for band in policy.bands
        ],
        "caps": [
            {
                "on": cap.on,
                "at_most": cap.at_most,
                "name": cap.name,
                "reference": cap.reference,
                **_vi(cap.reference_vi),
            }
            for cap in policy.caps
        ],
    }
    # Written only when they differ from their defaults, so the canonical tree (and the
    # fingerprint) of every policy written before these keys existed stays the same.
    if policy.other_kinds:
        tree["other_kinds"] = list(policy.other_kinds)
    if policy.max_ratio != 2:
        tree["max_ratio"] = canonical(policy.max_ratio)
    return tree
