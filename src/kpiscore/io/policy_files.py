"""Policy files (TOML, JSON): reading them into a :class:`~kpiscore.Policy`, and writing one.

A policy file holds the same tree as the classes (see ``docs/policy-files.md``). Nothing in it is
executed or evaluated; every problem is reported together, each with its dotted path.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Final

from kpiscore.exceptions import (
    FileFormatError,
    InputError,
    KpiscoreError,
    PolicyError,
    PolicyValidationError,
)
from kpiscore.io.documents import (
    _MAX_PATH,
    MAX_POLICY_BYTES,
    PolicyFormat,
    _check_nesting,
    _check_text,
    _decode,
    _format_of,
    _parse_json,
    _parse_toml,
    _raise_all,
    _read_bytes,
    _shown,
)
from kpiscore.model.jsontypes import JsonValue
from kpiscore.model.policy import Policy

# --------------------------------------------------------------------------- policy files

__all__ = ["dump_policy", "load_policy", "parse_policy"]


def _policy_source(
    source: str | os.PathLike[str], fmt_given: PolicyFormat | None
) -> tuple[str, str, str]:
    """(text, name for messages, format) of a policy given as a path or as text."""
    if isinstance(source, os.PathLike):
        path = Path(source)
        name = str(path)
        fmt = _format_of(path, fmt_given, ("toml", "json"), "policy file")
        return _decode(_read_bytes(path, name, MAX_POLICY_BYTES), name), name, fmt
    if not isinstance(source, str):
        raise FileFormatError(
            "load_policy: expected a path (str or os.PathLike) or the text of a policy"
            f" (got {type(source).__name__} {_shown(source)})"
        )
    stripped = source.strip()
    # Text holds a line break or starts a JSON object; anything else names a file
    # (no file name holds a line break).
    if "\n" not in source and not stripped.startswith("{") and len(source) > _MAX_PATH:
        raise FileFormatError(
            f"load_policy: got a string of {len(source)} characters with no line break: too"
            f" long for a file name (at most {_MAX_PATH}), and not policy text (which holds a"
            " line break, or starts with '{')"
        )
    if "\n" in source or stripped.startswith("{"):
        fmt = fmt_given or ("json" if stripped.startswith("{") else "toml")
        if fmt not in ("toml", "json"):
            raise FileFormatError(f"<text>: format must be 'toml' or 'json' (got {fmt!r})")
        _check_text(source, "<text>", MAX_POLICY_BYTES, "policy text")
        return unicodedata.normalize("NFC", source.lstrip("\ufeff")), "<text>", fmt
    return _policy_source(Path(source), fmt_given)


def load_policy(
    source: str | os.PathLike[str],
    *,
    format: PolicyFormat | None = None,  # noqa: A002 - the name DESIGN.md fixes
) -> Policy:
    """Read a policy from a TOML or JSON file, or from its text.

    The file holds the same tree as the classes: top-level policy keys, ``[[categories]]`` with
    ``[[categories.criteria]]``, their ``deductions`` and ``awards``, ``[[bands]]`` and
    ``[[caps]]``. Numbers are read as exact decimals (write ``precision = 0.01`` or
    ``"0.01"``); text is normalised to NFC. Nothing in the file is executed or evaluated.

    Args:
        source: A :class:`pathlib.Path` or a string naming a ``.toml`` or ``.json`` file, or
            the text of a policy (a string holding a line break, or starting with ``{``).
        format: ``"toml"`` or ``"json"``; by default taken from the file's suffix, or for
            text, JSON when it starts with ``{`` and TOML otherwise.

    Returns:
        The policy, validated.

    Raises:
        FileFormatError: the file cannot be read, is not valid TOML or JSON (the message gives
            the line and column), or describes an invalid policy (the message gives the dotted
            path of the key, such as ``categories.general.criteria.training.max_points``).
        FileFormatErrorGroup: several problems, all listed.

    >>> policy = load_policy('''
    ... id = "example"
    ... name = "Ví dụ"
    ... [[categories]]
    ... id = "discipline"
    ... name = "Kỷ luật"
    ... [[categories.criteria]]
    ... id = "training"
    ... name = "Tham gia đào tạo"
    ... max_points = 15
    ... deductions = [{ on = "training_absence", points = 2 }]
    ... ''')
    >>> policy.criterion("training").deductions[0].points
    Decimal('2')
    """
    text, name, fmt = _policy_source(source, format)
    return parse_policy(text, name=name, fmt=fmt)


def parse_policy(text: str, *, name: str, fmt: str) -> Policy:
    """Build a policy from the text of a policy file; messages call the file ``name``."""
    _check_nesting(text, name, fmt)
    tree = _parse_json(text, name) if fmt == "json" else _parse_toml(text, name)
    if not isinstance(tree, Mapping):
        raise FileFormatError(
            f"{name}: a policy file must hold one table (a JSON object) at the top"
            f" (got {type(tree).__name__})",
            path=name,
        )
    try:
        return Policy.from_dict(tree)
    except PolicyValidationError as group:
        errors = [
            _file_problem(name, problem)
            for problem in group.exceptions
            if isinstance(problem, KpiscoreError)
        ]
        _raise_all(errors, name)
        raise  # pragma: no cover - _raise_all always raises for a non-empty group
    except PolicyError as error:
        raise _file_problem(name, error) from error


def _file_problem(name: str, problem: KpiscoreError) -> FileFormatError:
    where = f"{name}:{problem.path}" if problem.path else name
    error = FileFormatError(f"{name}: {problem}", path=where)
    error.__cause__ = problem
    return error


def _drop_none(value: JsonValue) -> JsonValue:
    if isinstance(value, Mapping):
        return {key: _drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_none(item) for item in value]
    return value


_NUMERIC_KEYS: Final = frozenset(
    {"points", "limit", "max_points", "floor", "min_points", "scale", "precision"}
    | {"min_worked_share", "max_ratio"}
)


def _toml_numbers(value: JsonValue, key: str | None = None) -> JsonValue:
    """The canonical tree's decimal strings as TOML numbers: integers stay integers."""
    if isinstance(value, Mapping):
        if key == "weights":
            # A canonical tree's weights are decimal strings.
            return {k: _toml_number(v) if isinstance(v, str) else v for k, v in value.items()}
        return {k: _toml_numbers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_numbers(item) for item in value]
    if key in _NUMERIC_KEYS and isinstance(value, str):
        return _toml_number(value)
    if key in ("valid_from", "valid_to") and isinstance(value, str):
        return _dt.date.fromisoformat(value)
    return value


def _toml_number(text: str) -> int | Decimal:
    number = Decimal(text)
    # canonical() writes fixed-point text, so an integral value has no exponent or point.
    return int(number) if "." not in text else number


def dump_policy(
    policy: Policy,
    format: PolicyFormat = "toml",  # noqa: A002 - the name DESIGN.md fixes
) -> str:
    """Write a policy as the text of a TOML or JSON policy file.

    The file holds every field except empty ones (``None``), numbers in their canonical form, so
    ``load_policy(dump_policy(p)) == p`` and the fingerprint is the same. JSON writes numbers as
    strings (exact in every language); TOML writes them as TOML numbers, which
    :func:`load_policy` reads as exact decimals.

    Args:
        policy: The policy to write.
        format: ``"toml"`` (needs the ``toml`` extra: ``pip install 'kpiscore[toml]'``) or
            ``"json"``.

    Returns:
        The file's text, ending with a newline.

    Raises:
        InputError: ``policy`` is not a :class:`Policy` or ``format`` is unknown.
        MissingExtraError: TOML was asked for and ``tomli-w`` is not installed.

    >>> from kpiscore import Category, Criterion, Policy
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> print(dump_policy(policy, "json").splitlines()[:4])
    ['{', '  "id": "p",', '  "name": "P",', '  "version": "1",']
    >>> load_policy(dump_policy(policy)) == policy
    True
    """
    if not isinstance(policy, Policy):
        raise InputError(
            f"dump_policy: policy must be a Policy (got {type(policy).__name__} {policy!r})"
        )
    tree = _drop_none(policy.to_dict())
    if format == "json":
        return json.dumps(tree, ensure_ascii=False, indent=2) + "\n"
    if format == "toml":
        from kpiscore._extras import require

        tomli_w = require("tomli_w", "toml")
        text: str = tomli_w.dumps(_toml_numbers(tree))
        return text
    raise InputError(f"dump_policy: format must be 'toml' or 'json' (got {format!r})")
