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
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from kpiscore.cycle.comparison import (
    Comparison,
    ComparisonRow,
    ComparisonSummary,
    PointsMove,
    compare,
)
from kpiscore.cycle.comparison import check_policy as _check_policy
from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    PolicyError,
    PolicyValidationError,
)
from kpiscore.model.policy import Policy

if TYPE_CHECKING:
    pass

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
#: Unknown paths given a "nearest valid path" suggestion; the rest are only named.
_MAX_SUGGESTIONS: Final = 20
#: Valid paths a suggestion is looked for among.
_MAX_CANDIDATES: Final = 2000
#: Problems listed in full in one error; the rest are counted ("… and N more").
_MAX_LISTED: Final = 100


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
     'categories.soft.criteria.training.deductions.training_absence.reference',
     'categories.soft.criteria.training.deductions.training_absence.reference_vi']
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
    if isinstance(value, list | tuple) and isinstance(slot.container.get(slot.key), list):
        return list(value)  # a list of texts (other_kinds) is one value, replaced whole
    if isinstance(value, list | tuple | set | frozenset):
        raise PolicyError(
            f"overlay: {where}: expected a single value (got {value!r}); an overlay changes"
            " values and never adds or removes members of a list",
            path=where,
        )
    return value


def _nearest(wanted: str, valid: Sequence[str]) -> str:
    """The valid path most like ``wanted``, searched among a bounded list of candidates (those
    sharing its first segment first), so one suggestion costs the same in any policy."""
    first = wanted.split(".", 1)[0]
    candidates = [p for p in valid if p.split(".", 1)[0] == first][:_MAX_CANDIDATES]
    if len(candidates) < _MAX_CANDIDATES:
        taken = set(candidates)
        candidates += [p for p in valid if p not in taken][: _MAX_CANDIDATES - len(candidates)]
    close = difflib.get_close_matches(wanted[:_MAX_PATH], candidates, n=1, cutoff=0.0)
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
    suggested = 0
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
            suggested += 1
            hint = (
                f"the nearest valid path is {_nearest(where, valid)!r}"
                if suggested <= _MAX_SUGGESTIONS
                else "kpiscore.variants.paths(policy) lists the valid paths"
            )
            problems.append(PolicyError(f"{owner}: no field {where!r}; {hint}", path=where))
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
        message = f"{owner}: {len(problems)} problems"
        if len(problems) > _MAX_LISTED:
            message += f" (the first {_MAX_LISTED} listed, and {len(problems) - _MAX_LISTED} more)"
        _raise(problems[:_MAX_LISTED], message)
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
