"""Policy variants: change a policy's parameters by path, and see who a change moves.

Before a rule changes ("−3 instead of −2 per absence", "Ho Chi Minh City's bands instead of the
national ones"), :func:`overlay` builds the variant and :func:`compare` scores a population under
both, person by person:

>>> from kpiscore import Event, Measure, Person, policies
>>> from kpiscore.variants import compare, overlay
>>> base = policies.load("university-kpi-example")
>>> variant = overlay(base, {
...     "categories.soft.criteria.training.deductions.training_absence.points": 3})
>>> variant.version.startswith("1+variant.")
True
>>> measures = [Measure(subject=s, criterion=c, value=v) for s in ("an", "binh")
...             for c, v in (("key_tasks", 1), ("research", 1), ("workload", 1),
...                          ("collaboration", 5))]
>>> absences = [Event(subject="binh", kind="training_absence", on=date(2026, 1, d))
...             for d in (6, 13, 20, 27)]
>>> result = compare(base, variant, "2026-Q1", ["an", "binh"], events=absences,
...                  measures=measures)
>>> row = result["binh"]
>>> row.base_total, row.variant_total, row.delta, row.base_rating, row.variant_rating
(Decimal('92.00'), Decimal('88.00'), Decimal('-4.00'), 'HTXS', 'HTT')
>>> [(move.id, move.base_points, move.variant_points) for move in row.criteria]
[('training', Decimal('7.00'), Decimal('3.00'))]
>>> result.summary.down, result.summary.same, result.summary.mean_delta
(1, 1, Decimal('-2.00'))

Paths
-----
A path names one field of the policy's tree (the tree :meth:`kpiscore.Policy.to_dict` writes and
policy files hold), its segments joined by dots. A list is addressed by its members' ids: a
category, a criterion or a band by its ``id``, a deduction or an award by its ``id`` (which
defaults to its ``on``), a rating cap by its ``on``. ``weights`` is addressed by criterion id.

- ``precision``, ``rounding``, ``missing``, ``scale``, ``valid_from``… (the policy's own fields)
- ``categories.task.max_points``, ``categories.task.weights.quantity``
- ``categories.soft.criteria.training.floor``
- ``categories.soft.criteria.training.deductions.training_absence.points`` (or ``.limit``)
- ``bands.HTT.min_points``, ``caps.discipline_reprimand.at_most``

A path may also be given as a tuple of segments, for an id that holds a dot.

Decisions (see ``docs/variants.md``):

- An overlay changes values; it never adds or removes members of a list (a rule, a criterion,
  a band): edit a copy of the policy file for that. A field that is empty (``None``, such as a
  rule without a ``limit``) can be given a value, and a value can be set to ``None`` (the
  field's default).
- Ids are not changed (an ``id`` path is an error): ids are what facts, caps and paths name.
  Neither is ``version``: a variant's version is always derived from its base.
- The variant's ``version`` is ``"<base version>+variant.<8 hex digits>"``, the digits being the
  start of the fingerprint of the changed policy (so the same change, however written, gives
  the same version); a variant of a variant appends ``".<8 hex digits>"``.
"""

from __future__ import annotations

import difflib
import html
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from kpiscore.engine.exact import score_many
from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    PolicyError,
    PolicyValidationError,
    UnknownSubjectError,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import EXACT, format_points, quantize_fraction
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Comparison",
    "ComparisonRow",
    "ComparisonSummary",
    "PointsMove",
    "compare",
    "load_overlay",
    "overlay",
    "paths",
]

Move = Literal["up", "down", "same"]

#: List fields of the policy tree, and the key that addresses their members.
_MEMBER_KEY: Final = {
    "categories": "id",
    "criteria": "id",
    "deductions": "id",
    "awards": "id",
    "bands": "id",
    "caps": "on",
}
#: Keys an overlay file may hold at its top.
_FILE_KEYS: Final = ("base", "changes", "description", "name")
_VERSION_TAG: Final = "+variant."
#: The longest path looked up (a longer one cannot exist, and would make the suggestion slow).
_MAX_PATH: Final = 1000


# --------------------------------------------------------------------------- paths


@attrs.frozen
class _Slot:
    """Where one field lives in a policy tree: its container and its key."""

    container: dict[str, Any]
    key: str
    kind: Literal["field", "table", "list", "member", "ambiguous"]


def _walk(tree: dict[str, Any]) -> dict[tuple[str, ...], _Slot]:
    """Every addressable place of a policy tree, by its path segments."""
    slots: dict[tuple[str, ...], _Slot] = {}

    def visit(node: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for key, value in node.items():
            path = (*prefix, key)
            if key in _MEMBER_KEY and isinstance(value, list):
                slots[path] = _Slot(node, key, "list")
                for member in value:
                    ident = member.get(_MEMBER_KEY[key]) or member.get("on")
                    member_path = (*path, str(ident))
                    if member_path in slots:
                        # Two caps on the same event kind: a path cannot tell them apart.
                        slots[member_path] = _Slot(node, key, "ambiguous")
                        continue
                    slots[member_path] = _Slot(node, key, "member")
                    visit(member, member_path)
            elif isinstance(value, dict):  # weights: replaced whole, or one weight at a time
                slots[path] = _Slot(node, key, "table")
                for weight in value:
                    slots[(*path, weight)] = _Slot(value, weight, "field")
            else:
                slots[path] = _Slot(node, key, "field")

    visit(tree, ())
    return slots


def paths(policy: Policy) -> tuple[str, ...]:
    """Every path an overlay can change on this policy, in the tree's order.

    >>> from kpiscore import policies
    >>> [p for p in paths(policies.load("university-kpi-example")) if "training_absence" in p]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['categories.soft.criteria.training.deductions.training_absence.on',
     'categories.soft.criteria.training.deductions.training_absence.points',
     'categories.soft.criteria.training.deductions.training_absence.per',
     'categories.soft.criteria.training.deductions.training_absence.limit',
     'categories.soft.criteria.training.deductions.training_absence.name',
     'categories.soft.criteria.training.deductions.training_absence.reference']
    """
    _check_policy(policy, "paths")
    slots = _walk(policy.to_dict())
    return tuple(
        ".".join(path)
        for path, slot in slots.items()
        if _changeable(path, slot) and _ambiguous(slots, path) is None
    )


def _changeable(path: tuple[str, ...], slot: _Slot) -> bool:
    if slot.kind not in ("field", "table"):
        return False
    return path[-1] != "id" and path != ("version",)


def _ambiguous(slots: Mapping[tuple[str, ...], _Slot], segments: tuple[str, ...]) -> str | None:
    """The start of ``segments`` that names several list members, if any."""
    for end in range(1, len(segments)):
        slot = slots.get(segments[:end])
        if slot is not None and slot.kind == "ambiguous":
            return ".".join(segments[:end])
    return None


def _segments(key: object) -> tuple[str, ...]:
    if isinstance(key, str) and key.strip():
        return tuple(key.split("."))
    if isinstance(key, tuple) and key and all(isinstance(s, str) and s for s in key):
        return key
    raise PolicyError(
        f"overlay: a path must be a dotted string or a tuple of segments (got {key!r})"
    )


def _check_value(where: str, value: object, slot: _Slot) -> object:
    if isinstance(value, Mapping):
        if slot.kind != "table" and not (
            slot.container.get(slot.key) is None and slot.key == "weights"
        ):
            raise PolicyError(
                f"overlay: {where}: expected a single value (got a table {dict(value)!r});"
                " only weights take a table",
                path=where,
            )
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        raise PolicyError(
            f"overlay: {where}: expected a single value (got {value!r}); an overlay changes"
            " values and never adds or removes members of a list",
            path=where,
        )
    return value


def _nearest(wanted: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, valid, n=1, cutoff=0.0)
    return close[0] if close else ""


# --------------------------------------------------------------------------- overlay


def overlay(
    policy: Policy,
    changes: Mapping[Any, object] | str | os.PathLike[str],
) -> Policy:
    """A variant of ``policy`` with some of its values changed, validated like any policy.

    Args:
        policy: The base policy.
        changes: Path → new value (see the module's docs for paths); or the path of an
            overlay file (see :func:`load_overlay`). Numbers may be ``int``, ``str``,
            ``Decimal`` or ``float`` (read through its shortest repr); ``None`` means the
            field's default; ``weights`` takes a mapping.

    Returns:
        A new :class:`~kpiscore.Policy` with its own fingerprint, whose ``version`` says it is a
        variant of the base (``"2026.1+variant.1a2b3c4d"``).

    Raises:
        PolicyError: a path that does not exist (the message names the nearest valid path), a
            path to an id, to ``version`` or to a whole list, a list value; or the changed
            policy is invalid (:class:`~kpiscore.PolicyValidationError` lists every problem).
            Several bad paths are reported together.
        FileFormatError: ``changes`` names a file that cannot be read.

    >>> from kpiscore import policies
    >>> staff = policies.load("vn-nd335-2025-staff")
    >>> hcm_bands = overlay(staff, {"bands.HTT.min_points": 75})
    >>> hcm_bands.rating_for(Decimal("74")), staff.rating_for(Decimal("74"))
    ('HT', 'HTT')
    >>> overlay(staff, {"bands.HTT.min_point": 75})
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.PolicyError: overlay on policy 'vn-nd335-2025-staff': no field \
'bands.HTT.min_point'; the nearest valid path is 'bands.HTT.min_points'
    """
    _check_policy(policy, "overlay")
    requested: Mapping[Any, object]
    if isinstance(changes, str | os.PathLike):
        requested = load_overlay(changes, policy=policy)
    elif isinstance(changes, Mapping):
        requested = changes
    else:
        raise PolicyError(
            "overlay: changes must be a mapping of path to value, or an overlay file"
            f" (got {type(changes).__name__} {changes!r})"
        )
    owner = f"overlay on policy {policy.id!r}"
    tree = policy.to_dict()
    slots = _walk(tree)
    valid = [
        ".".join(p)
        for p, slot in slots.items()
        if _changeable(p, slot) and _ambiguous(slots, p) is None
    ]
    problems: list[PolicyError] = []
    planned: list[tuple[_Slot, object]] = []
    seen: dict[tuple[str, ...], str] = {}
    for key, value in requested.items():
        try:
            segments = _segments(key)
        except PolicyError as error:
            problems.append(PolicyError(f"{owner}: {str(error).removeprefix('overlay: ')}"))
            continue
        where = ".".join(segments)
        slot = slots.get(segments)
        if slot is None and len(where) > _MAX_PATH:
            problems.append(
                PolicyError(
                    f"{owner}: a path of {len(where)} characters; expected at most {_MAX_PATH}",
                    path=where[:_MAX_PATH],
                )
            )
            continue
        shared = _ambiguous(slots, segments)
        if shared is not None:
            problems.append(
                PolicyError(
                    f"{owner}: {shared!r} names more than one member of a list (two caps on"
                    " the same event kind); an overlay cannot tell them apart: edit the policy"
                    " file instead",
                    path=where,
                )
            )
            continue
        if slot is None:
            problems.append(
                PolicyError(
                    f"{owner}: no field {where!r}; the nearest valid path is"
                    f" {_nearest(where, valid)!r}",
                    path=where,
                )
            )
            continue
        if not _changeable(segments, slot):
            problems.append(
                PolicyError(f"{owner}: {_refusal(where, segments, slot, valid)}", path=where)
            )
            continue
        if segments in seen:
            problems.append(
                PolicyError(
                    f"{owner}: {where!r} is given twice (as {seen[segments]} and {key!r})",
                    path=where,
                )
            )
            continue
        seen[segments] = repr(key)
        try:
            planned.append((slot, _check_value(where, value, slot)))
        except PolicyError as error:
            problems.append(
                PolicyError(f"{owner}: {str(error).removeprefix('overlay: ')}", path=where)
            )
    if problems:
        _raise(problems, f"{owner}: {len(problems)} problems")
    for slot, value in planned:
        slot.container[slot.key] = value
    tree["version"] = policy.version
    try:
        draft = Policy.from_dict(tree)
    except PolicyValidationError as group:
        found = [p for p in group.exceptions if isinstance(p, PolicyError)]
        raise PolicyValidationError(
            f"{owner}: the variant is invalid: {len(found)} problems",
            [PolicyError(f"{owner}: {p}", path=p.path) for p in found],
        ) from None
    except PolicyError as error:
        raise PolicyError(f"{owner}: the variant is invalid: {error}", path=error.path) from None
    return attrs.evolve(draft, version=_variant_version(policy.version, draft.fingerprint))


def _refusal(where: str, segments: tuple[str, ...], slot: _Slot, valid: Sequence[str]) -> str:
    if segments[-1] == "id":
        return f"{where!r} is an id; an overlay changes values, it does not rename"
    if segments == ("version",):
        return "'version' cannot be set; a variant's version is derived from its base's"
    fields = [p for p in valid if p.startswith(where + ".")]
    example = f" such as {fields[0]!r}" if fields else ""
    what = "a list" if slot.kind == "list" else "a member of a list"
    return (
        f"{where!r} names {what}, not a field; an overlay changes values and never adds or"
        f" removes members (expected a path to one field{example})"
    )


def _variant_version(base: str, fingerprint: str) -> str:
    digits = fingerprint[:8]
    return f"{base}.{digits}" if _VERSION_TAG in base else f"{base}{_VERSION_TAG}{digits}"


def _raise(problems: list[PolicyError], message: str) -> None:
    if len(problems) == 1:
        raise problems[0]
    raise PolicyValidationError(message, problems)


def _check_policy(policy: object, what: str) -> Policy:
    if not isinstance(policy, Policy):
        raise InputError(
            f"{what}: policy must be a Policy (got {type(policy).__name__} {policy!r})"
        )
    return policy


# --------------------------------------------------------------------------- overlay files


def load_overlay(
    source: str | os.PathLike[str], *, policy: Policy | None = None
) -> dict[str, object]:
    """Read an overlay file (TOML or JSON): the changes it holds, by dotted path.

    The file has a ``changes`` table, path → value, and may say what it is (``name``,
    ``description``) and which policy it was written for (``base``, a policy id). In TOML, a
    quoted key is one path; a bare dotted key is the same path written as nested tables::

        name = "Three points per absence"
        base = "university-kpi-example"

        [changes]
        "categories.soft.criteria.training.deductions.training_absence.points" = 3
        bands.HTT.min_points = 75

    JSON: ``{"changes": {"bands.HTT.min_points": 75}}``. Numbers are read as exact decimals.

    Args:
        source: A path (``str`` or :class:`os.PathLike`) ending in ``.toml`` or ``.json``.
        policy: When given, a ``base`` in the file must name this policy's id.

    Returns:
        The changes, path → value, in file order.

    Raises:
        FileFormatError: the file cannot be read, is not valid TOML or JSON, has an unknown
            key, no ``changes``, or a ``base`` other than ``policy.id``; the message names
            the file and the key.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "hcm-bands.toml"
    >>> _ = path.write_text('[changes]\\nbands.HTT.min_points = 75\\n', encoding="utf-8")
    >>> load_overlay(path)
    {'bands.HTT.min_points': 75}
    """
    if not isinstance(source, str | os.PathLike):
        raise FileFormatError(
            f"overlay: expected the path of an overlay file (got {type(source).__name__}"
            f" {source!r})"
        )
    file = Path(source)
    name = str(file)
    tree = read_tree(file, what="overlay file")
    problems: list[FileFormatError] = []
    for key in tree:
        if key not in _FILE_KEYS:
            problems.append(
                FileFormatError(
                    f"{name}: {key}: unknown key {key!r}; expected one of {list(_FILE_KEYS)!r}",
                    path=f"{name}:{key}",
                )
            )
    for key in ("name", "description", "base"):
        if key in tree and not isinstance(tree[key], str):
            problems.append(
                FileFormatError(
                    f"{name}: {key}: expected text (got {tree[key]!r})", path=f"{name}:{key}"
                )
            )
    changes = tree.get("changes")
    if not isinstance(changes, Mapping) or not changes:
        problems.append(
            FileFormatError(
                f"{name}: changes: expected a table of path = value with at least one change"
                f" (got {changes!r})",
                path=f"{name}:changes",
            )
        )
        changes = {}
    base = tree.get("base")
    if policy is not None and isinstance(base, str) and base != policy.id:
        problems.append(
            FileFormatError(
                f"{name}: base: the overlay was written for policy {base!r}, not {policy.id!r}",
                path=f"{name}:base",
            )
        )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FileFormatErrorGroup(f"{name}: {len(problems)} problems", problems)
    return _flatten(changes)


def _flatten(changes: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
    """Nested tables (TOML's bare dotted keys) become dotted paths; ``weights`` stay paths too."""
    flat: dict[str, object] = {}
    for key, value in changes.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def read_tree(file: Path, *, what: str) -> dict[str, Any]:
    """The top table of a TOML or JSON file, numbers as exact decimals, read with the limits of
    policy files (size, nesting): an overlay file is untrusted input too."""
    from kpiscore.io.load import (
        MAX_POLICY_BYTES,
        _check_nesting,
        _parse_json,
        parse_toml_document,
        read_text_file,
    )

    name = str(file)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise FileFormatError(f"{name}: expected a .toml or .json {what}", path=name)
    text = read_text_file(file, name, limit=MAX_POLICY_BYTES)
    if suffix == ".toml":
        return parse_toml_document(text, name)
    _check_nesting(text, name, "json")
    tree = _parse_json(text, name)
    if not isinstance(tree, dict):
        raise FileFormatError(
            f"{name}: expected a table at the top of the {what} (got {type(tree).__name__})",
            path=name,
        )
    return tree


# --------------------------------------------------------------------------- comparison


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

    def to_dict(self) -> dict[str, Any]:
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

    def to_row(self) -> dict[str, Any]:
        """A flat row: the person, both totals and ratings, the delta, what moved (as text)."""
        return {
            "subject": self.subject,
            "name": self.person.name,
            "unit": self.person.unit,
            "group": self.person.group,
            "position": self.person.position,
            "base_total": self.base_total,
            "variant_total": self.variant_total,
            "delta": self.delta,
            "base_rating": self.base_rating,
            "variant_rating": self.variant_rating,
            "move": self.move,
            "categories_moved": "; ".join(str(move) for move in self.categories),
            "criteria_moved": "; ".join(str(move) for move in self.criteria),
        }

    def to_dict(self) -> dict[str, Any]:
        """The row as a JSON-ready tree (decimals as strings)."""
        return {
            "subject": self.subject,
            "name": self.person.name,
            "unit": self.person.unit,
            "group": self.person.group,
            "position": self.person.position,
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

    def to_dict(self) -> dict[str, Any]:
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
class Comparison:
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
    rows: tuple[ComparisonRow, ...] = attrs.field(repr=lambda rows: f"<{len(rows)} rows>")
    base_table: ScoreTable = attrs.field(repr=False)
    variant_table: ScoreTable = attrs.field(repr=False)
    ratings: tuple[str | None, ...]

    def __iter__(self) -> Iterator[ComparisonRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def _index(self) -> dict[str, ComparisonRow]:
        return {row.subject: row for row in self.rows}

    def __getitem__(self, subject: str) -> ComparisonRow:
        try:
            return self._index[subject]
        except (KeyError, TypeError):
            raise UnknownSubjectError(
                f"comparison: no row for subject {subject!r} ({len(self.rows)} people compared)"
            ) from None

    def __contains__(self, subject: object) -> bool:
        return subject in self._index

    @property
    def moved(self) -> tuple[ComparisonRow, ...]:
        """The people for whom anything moved, biggest movers first.

        Ordered by rating move (the furthest first), then by the size of the delta, then by
        subject id, so the list reads the same on every run.
        """
        rank = {rating: position for position, rating in enumerate(self.ratings)}

        def order(row: ComparisonRow) -> tuple[int, Decimal, str]:
            steps = abs(rank[row.base_rating] - rank[row.variant_rating])
            return (-steps, -abs(row.delta), row.subject)

        return tuple(sorted((row for row in self.rows if row.moved), key=order))

    @property
    def band_moves(self) -> tuple[ComparisonRow, ...]:
        """The people whose rating changed, biggest movers first (as :attr:`moved`)."""
        return tuple(row for row in self.moved if row.base_rating != row.variant_rating)

    @cached_property
    def summary(self) -> ComparisonSummary:
        """Counts, the mean delta and the transition matrix of band moves."""
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

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per person (see :meth:`ComparisonRow.to_row`), exact decimals."""
        return [row.to_row() for row in self.rows]

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The rows as CSV text (written to ``path`` too when given), safe for spreadsheets."""
        from kpiscore.io.render import rows_to_csv, write_text

        text = rows_to_csv(self.to_rows())
        return write_text(text, path)

    def to_pandas(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (exact ``Decimal`` values in object columns).

        Raises:
            MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``).
        """
        from kpiscore.io.render import rows_to_pandas

        return rows_to_pandas(self.to_rows())

    def to_dict(self) -> dict[str, Any]:
        """The comparison as a JSON-ready tree: both policies, the summary, every row."""
        return {
            "period": self.period.label,
            "base": _policy_tree(self.base),
            "variant": _policy_tree(self.variant),
            "summary": self.summary.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Canonical JSON: sorted keys, UTF-8 text, decimals as strings."""
        return json.dumps(
            self.to_dict(),
            sort_keys=True,
            ensure_ascii=False,
            indent=indent,
            separators=(",", ": ") if indent is not None else (",", ":"),
        )

    def _repr_html_(self) -> str:
        return _comparison_html(self)


def _policy_tree(policy: Policy) -> dict[str, str]:
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
    people: Iterable[Person | str],
    events: Iterable[Event] = (),
    measures: Iterable[Measure] = (),
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

    Returns:
        A :class:`Comparison`.

    Raises:
        InputError: a bad argument; or only one of the policies has rating bands.
        UnknownSubjectError, MissingInputError, PeriodError: as for
            :func:`kpiscore.score_many`, under either policy.

    >>> from kpiscore import Measure, policies
    >>> staff = policies.load("vn-nd335-2025-staff")
    >>> facts = [Measure(subject="nv001", criterion=c, value=v) for c, v in (
    ...     ("politics_ethics", 9), ("competence", 8), ("innovation", 8),
    ...     ("quantity", "0.9"), ("quality", "0.7"), ("on_time", "0.5"))]
    >>> row = compare(staff, overlay(staff, {"bands.HTT.min_points": 75}), "2026-Q1",
    ...               ["nv001"], measures=facts)["nv001"]
    >>> row.base_total, row.variant_total, row.base_rating, row.variant_rating, row.move
    (Decimal('74.00'), Decimal('74.00'), 'HTT', 'HT', 'down')
    """
    _check_policy(base, "compare: base")
    _check_policy(variant, "compare: variant")
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        raise InputError(
            f"compare: people must be an iterable of Person or id strings (got {people!r})"
        )
    population = list(people)
    event_list = list(events) if isinstance(events, Iterable) else events
    measure_list = list(measures) if isinstance(measures, Iterable) else measures
    ratings = _rating_order(base, variant)
    base_table = score_many(base, period, population, events=event_list, measures=measure_list)
    variant_table = score_many(
        variant, base_table.period, population, events=event_list, measures=measure_list
    )
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


# --------------------------------------------------------------------------- HTML

_STYLE: Final = (
    "<style>.kpicmp{border-collapse:collapse;font-family:system-ui,sans-serif;font-size:13px;"
    "margin:4px 0}.kpicmp td,.kpicmp th{border:1px solid #ddd;padding:2px 6px}"
    ".kpicmp .num{text-align:right;font-variant-numeric:tabular-nums}"
    ".kpicmp .up{background:#e8f5e9;color:#1b5e20}.kpicmp .down{background:#fdecea;"
    "color:#b00020}.kpicmp .same{color:#777}.kpicmp .zero{color:#bbb}</style>"
)
#: Rows of movers shown in a notebook (the rest is in to_rows()).
HTML_ROWS: Final = 50


def _label(rating: str | None) -> str:
    return "—" if rating is None else rating


def _comparison_html(comparison: Comparison) -> str:
    esc = html.escape
    summary = comparison.summary
    base, variant = comparison.base, comparison.variant
    rank = {rating: position for position, rating in enumerate(comparison.ratings)}
    parts = [
        _STYLE,
        (
            f"<p><b>{esc(base.id)}</b> v{esc(base.version)} → <b>{esc(variant.id)}</b>"
            f" v{esc(variant.version)} · {esc(comparison.period.label)} · {summary.count} people"
            f" · <span class='up'>▲ {summary.up} up</span> · <span class='down'>▼ {summary.down}"
            f" down</span> · {summary.same} same · totals changed {summary.totals_changed}"
            f" · mean Δ {esc(_text(summary.mean_delta) or '—')}</p>"
        ),
        "<table class='kpicmp'><tr><th>base ↓ / variant →</th>",
    ]
    parts.extend(f"<th>{esc(_label(r))}</th>" for r in comparison.ratings)
    parts.append("</tr>")
    for before in comparison.ratings:
        parts.append(f"<tr><th>{esc(_label(before))}</th>")
        for after in comparison.ratings:
            count = summary.transitions[before][after]
            css = "zero" if not count else "same"
            if count and rank[after] < rank[before]:
                css = "up"
            elif count and rank[after] > rank[before]:
                css = "down"
            parts.append(f"<td class='num {css}'>{count}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    moved = comparison.moved
    if not moved:
        parts.append("<p>Nobody moved.</p>")
        return "".join(parts)
    parts.append(
        "<table class='kpicmp'><tr><th>subject</th><th>name</th><th>base</th><th>variant</th>"
        "<th>Δ</th><th>rating</th><th>moved</th></tr>"
    )
    for row in moved[:HTML_ROWS]:
        arrow = {"up": "▲", "down": "▼", "same": ""}[row.move]
        rating = _label(row.base_rating)
        if row.base_rating != row.variant_rating:
            rating += f" → {_label(row.variant_rating)}"
        what = "; ".join(str(move) for move in row.criteria or row.categories)
        parts.append(
            f"<tr class='{row.move}'><td>{esc(row.subject)}</td><td>{esc(row.person.name or '')}"
            f"</td><td class='num'>{esc(format_points(row.base_total))}</td>"
            f"<td class='num'>{esc(format_points(row.variant_total))}</td>"
            f"<td class='num'>{esc(_signed(row.delta))}</td><td>{esc(arrow)} {esc(rating)}</td>"
            f"<td>{esc(what)}</td></tr>"
        )
    if len(moved) > HTML_ROWS:
        parts.append(
            f"<tr><td colspan='7' class='same'>… {len(moved) - HTML_ROWS} more moved"
            " (see to_rows())</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def _signed(value: Decimal) -> str:
    text = format_points(value)
    return text if value <= 0 else "+" + text
