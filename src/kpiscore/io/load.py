"""Reading and writing at the edge: policy files (TOML, JSON) and fact files (CSV, JSON).

A policy file holds the same tree as the classes (see ``docs/policy-files.md``); a fact file holds
events, measures or people, one per CSV row or JSON object. Files are parsed by the standard
library (``tomllib``, ``json``, ``csv``) and nothing in them is ever executed or evaluated: numbers
are read as exact decimals, text stays text, Vietnamese text is normalised to NFC.

Every problem found in one file is reported together: one problem raises
:class:`~kpiscore.exceptions.FileFormatError`, several raise
:class:`~kpiscore.exceptions.FileFormatErrorGroup`; each names the file and the place in it (the
dotted path of a key in a policy file; the line and the column of a CSV cell; the item and the key
of a JSON fact file).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import reprlib
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, Literal, TypeVar, cast

import attrs

from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    PolicyError,
    PolicyValidationError,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import exact, to_decimal
from kpiscore.model.policy import Policy
from kpiscore.model.rules import MAX_LISTED
from kpiscore.model.text import lone_surrogate
from kpiscore.model.tree import MAX_DEPTH

__all__ = [
    "MAX_DEPTH",
    "MAX_FACT_BYTES",
    "MAX_POLICY_BYTES",
    "FactRecord",
    "dump_policy",
    "load_events",
    "load_measures",
    "load_people",
    "load_policy",
    "parse_json_document",
    "parse_policy",
    "parse_toml_document",
    "read_fact_records",
    "read_text_file",
]

PolicyFormat = Literal["toml", "json"]
FactFormat = Literal["csv", "json"]
FactKind = Literal["events", "measures", "people"]

_T = TypeVar("_T")

#: Largest policy file (or policy text) read: 4 MiB. The bundled policies are under 20 KiB; a
#: larger "policy" is a mistake or an attack, refused before it is read into memory.
MAX_POLICY_BYTES: Final = 4 * 1024 * 1024
#: Largest fact file read: 256 MiB, several million event rows (80,000 people for a year fit
#: with room to spare). Split a larger file by period or unit.
MAX_FACT_BYTES: Final = 256 * 1024 * 1024

# Longer than any file name a system accepts (Linux PATH_MAX).
_MAX_PATH: Final = 4096

# Short, bounded text of a received value for messages: a cell holding a huge or deeply nested
# value must not make a huge (or recursive) message.
_SHORT: Final = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlevel = 3


def _shown(value: object) -> str:
    return _SHORT.repr(value)


# --------------------------------------------------------------------------- shared helpers


def _raise_all(problems: Sequence[FileFormatError], name: str) -> None:
    """Raise the problems of one file: the error itself when alone, a group otherwise."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        message = f"{name}: {len(problems)} problems"
        if len(problems) > MAX_LISTED:
            more = len(problems) - MAX_LISTED
            message += f" (the first {MAX_LISTED} listed, … and {more} more)"
        raise FileFormatErrorGroup(message, list(problems[:MAX_LISTED]))


def _decode(data: bytes, name: str) -> str:
    """UTF-8 text, with or without a byte-order mark; a bad byte is an error naming its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileFormatError(
            f"{name}: line {line}: the file is not valid UTF-8 (byte {data[error.start]:#04x}"
            f" at offset {error.start}); save it as UTF-8",
            path=f"{name}:{line}",
        ) from None
    return unicodedata.normalize("NFC", text)


def _utf8_size(text: str) -> int:
    """The size of ``text`` in UTF-8 bytes (limits are in bytes, as files are)."""
    return len(text.encode("utf-8", "surrogatepass"))


def _check_text(text: str, name: str, limit: int, what: str = "text") -> None:
    """Refuse text over ``limit`` UTF-8 bytes, or holding a lone surrogate (naming its line)."""
    if len(text) > limit or (len(text) * 4 > limit and _utf8_size(text) > limit):
        mib = limit // (1024 * 1024)
        raise FileFormatError(
            f"{name}: the {what} is too long ({_utf8_size(text)} bytes in UTF-8); expected at"
            f" most {limit} bytes" + (f" ({mib} MiB)" if mib else ""),
            path=name,
        )
    surrogate = lone_surrogate(text)
    if surrogate is not None:
        position = next(i for i, c in enumerate(text) if 0xD800 <= ord(c) <= 0xDFFF)
        line = text.count("\n", 0, position) + 1
        raise FileFormatError(
            f"{name}: line {line}: the text holds a lone surrogate U+{ord(text[position]):04X};"
            " expected Unicode text (UTF-8 encodable)",
            path=f"{name}:{line}",
        )


def _too_big(name: str, size: int | str, limit: int) -> FileFormatError:
    return FileFormatError(
        f"{name}: the file is too big to read ({size} bytes); expected at most {limit} bytes"
        f" ({limit // (1024 * 1024)} MiB)",
        path=name,
    )


def _read_bytes(path: Path, name: str, limit: int) -> bytes:
    """The file's bytes, refusing one larger than ``limit`` before reading it into memory."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_big(name, size, limit)
            # A device or a file growing while read can exceed what stat said: read one byte
            # past the limit at most, never the whole of it.
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise FileFormatError(f"{name}: no such file", path=name) from None
    except IsADirectoryError:
        raise FileFormatError(f"{name}: is a directory, not a file", path=name) from None
    except OSError as error:
        raise FileFormatError(f"{name}: cannot be read ({error.strerror})", path=name) from None
    if len(data) > limit:
        raise _too_big(name, f"more than {limit}", limit)
    return data


def _format_of(path: Path, given: str | None, allowed: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in allowed:
            raise FileFormatError(
                f"{path}: format must be one of {', '.join(map(repr, allowed))} (got {given!r})"
            )
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in allowed:
        return suffix
    raise FileFormatError(
        f"{path}: cannot tell the format of this {what} from its name; expected a file ending in"
        f" {' or '.join('.' + a for a in allowed)} (or pass format=)",
        path=str(path),
    )


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number kpiscore accepts")


class _DuplicateKeyError(ValueError):
    """A JSON object names one key twice (json itself would keep the last silently)."""


class _SurrogateError(ValueError):
    """A JSON string escape made a lone surrogate ("\\ud800"): not text that can be written."""


def _written(key: str, value: object) -> None:
    """Refuse a lone surrogate in a key or a string value (or a string item of a list value)."""
    for text, what in ((key, "key"), (value, f"value of key {key!r}")):
        if isinstance(text, str) and (surrogate := lone_surrogate(text)) is not None:
            raise _SurrogateError(f"{what} {text!r} holds {surrogate}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str) and (surrogate := lone_surrogate(item)) is not None:
                raise _SurrogateError(f"item [{index}] of key {key!r} ({item!r}) holds {surrogate}")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        _written(key, value)
        if key in result:
            ident = next((value for name, value in pairs if name == "id"), None)
            where = f" in the object with id {ident!r}" if isinstance(ident, str) else ""
            raise _DuplicateKeyError(
                f"key {key!r} appears twice{where}; each key may appear once in an object"
            )
        result[key] = value
    return result


# The parts of a document that can hold a bracket that is not structure: strings (and, in
# TOML, comments). What is left once they are gone shows how deep tables and lists nest.
_JSON_SKIP: Final = re.compile(r'"(?:[^"\\]|\\[\s\S])*+"')
_TOML_SKIP: Final = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*+"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*+"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)
# A dotted key (or table header) of more than MAX_DEPTH parts; the look-behind starts a match
# only at the start of a word, so a long word costs one pass, not one per letter.
_DOTTED_RUN: Final = re.compile(rf"(?<![\w-])[\w-]++(?:[ \t]*\.[ \t]*[\w-]++){{{MAX_DEPTH},}}")
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def _check_nesting(text: str, name: str, fmt: str) -> None:
    """Refuse a document that nests deeper than :data:`MAX_DEPTH`, before parsing it.

    The parsers recurse once per level of brackets, and ``tomllib`` takes time growing with the
    cube of the parts of a dotted key (``a.a.a… = 1``): a file of ten thousand ``[`` or a key of
    ten thousand parts must be refused at once with a clear message, not by exhausting the
    stack or the clock. Strings and comments are set aside first (a bracket or a dot in text is
    not structure); what nests through table headers is checked again on the parsed tree.
    """
    if fmt == "json":
        structure = _JSON_SKIP.sub("s", text)
    else:
        structure = _TOML_SKIP.sub("s", text)
        if _DOTTED_RUN.search(structure):
            raise _too_deep(name)
    brackets = _NOT_BRACKET.sub("", structure)
    deepest = max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)
    if deepest > MAX_DEPTH:
        raise _too_deep(name)


def _too_deep(name: str) -> FileFormatError:
    return FileFormatError(
        f"{name}: tables and lists nest more than {MAX_DEPTH} levels deep; expected a"
        " kpiscore file (a policy nests six levels, a fact file two)",
        path=name,
    )


def _reason(error: ValueError) -> str:
    text = str(error)
    if text.startswith("Exceeds the limit"):  # int(): more digits than Python converts
        return "a number has more than 4300 digits; expected a number kpiscore accepts"
    return text


def _parse_json(text: str, name: str) -> Any:
    try:
        # Decimals, never floats; NaN and Infinity are not numbers here; no key twice.
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        raise FileFormatError(
            f"{name}: line {error.lineno}, column {error.colno}: invalid JSON: {error.msg}",
            path=f"{name}:{error.lineno}:{error.colno}",
        ) from None
    except RecursionError:
        raise _too_deep(name) from None
    except ValueError as error:  # a NaN or Infinity, an oversized integer, a key twice
        raise FileFormatError(f"{name}: invalid JSON: {_reason(error)}", path=name) from None


_TOML_POSITION: Final = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except RecursionError:  # pragma: no cover - _check_nesting refuses such a file first
        raise _too_deep(name) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_POSITION.search(message)
        if where is None:
            raise FileFormatError(f"{name}: invalid TOML: {message}", path=name) from None
        reason = message[: where.start()].strip()
        line, column = where.group(1), where.group(2)
        raise FileFormatError(
            f"{name}: line {line}, column {column}: invalid TOML: {reason}",
            path=f"{name}:{line}:{column}",
        ) from None
    except ValueError as error:  # an integer of more digits than Python converts
        raise FileFormatError(f"{name}: invalid TOML: {_reason(error)}", path=name) from None


def read_text_file(path: str | os.PathLike[str], name: str, *, limit: int) -> str:
    """The text of an untrusted UTF-8 file, refused when larger than ``limit`` bytes.

    For the readers of other kpiscore files (case files, payout tables): the same size limit,
    byte-order-mark handling, NFC normalisation and messages as policy and fact files.

    Raises:
        FileFormatError: no such file, a directory, unreadable, too big, or not UTF-8.
    """
    return _decode(_read_bytes(Path(path), name, limit), name)


def parse_toml_document(text: str, name: str, *, limit: int = MAX_POLICY_BYTES) -> dict[str, Any]:
    """Parse untrusted TOML text with the limits of policy files, numbers as exact decimals.

    Text longer than ``limit`` UTF-8 bytes or holding a lone surrogate, nesting deeper than
    :data:`MAX_DEPTH` (brackets or dotted keys), an integer of more digits than Python
    converts: each is refused with a
    :class:`FileFormatError` naming ``name``, fast, before the parser can exhaust the stack or
    the clock. (Nesting made by table headers is for the caller to bound on the tree, as
    :meth:`kpiscore.Policy.from_dict` does.)

    Raises:
        FileFormatError: the text is too long, too deep or not valid TOML (with the line and
            column when the parser gives them).

    >>> parse_toml_document('policy = "p"\\nexpect = { total = 98.50 }', "cases.kpi.toml")
    {'policy': 'p', 'expect': {'total': Decimal('98.50')}}
    """
    _check_text(text, name, limit)
    _check_nesting(text, name, "toml")
    document: dict[str, Any] = _parse_toml(text.lstrip("\ufeff"), name)
    return document


def parse_json_document(text: str, name: str, *, limit: int = MAX_POLICY_BYTES) -> Any:
    """Parse untrusted JSON text with the limits of policy files, numbers as exact decimals.

    The JSON twin of :func:`parse_toml_document`: text longer than ``limit`` UTF-8 bytes
    or holding a lone surrogate (also as a ``\\ud800`` escape),
    nesting deeper than :data:`MAX_DEPTH`, a key given twice in one object, NaN or Infinity, an
    integer of more digits than Python converts: each is refused with a
    :class:`FileFormatError` naming ``name``.

    Raises:
        FileFormatError: the text is too long, too deep or not valid JSON (with the line and
            column when the parser gives them).

    >>> parse_json_document('{"value": 0.875}', "measures.json")
    {'value': Decimal('0.875')}
    """
    _check_text(text, name, limit)
    _check_nesting(text, name, "json")
    return _parse_json(text.lstrip("\ufeff"), name)


# --------------------------------------------------------------------------- policy files


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


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_none(item) for item in value]
    return value


_NUMERIC_KEYS: Final = frozenset(
    {"points", "limit", "max_points", "floor", "min_points", "scale", "precision"}
    | {"min_worked_share"}
)


def _toml_numbers(value: Any, key: str | None = None) -> Any:
    """The canonical tree's decimal strings as TOML numbers: integers stay integers."""
    if isinstance(value, Mapping):
        if key == "weights":
            return {k: _toml_number(v) for k, v in value.items()}
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


# --------------------------------------------------------------------------- fact files


@attrs.frozen(kw_only=True)
class FactRecord:
    """One fact read from a file, with where it came from (for messages about it later).

    Attributes:
        fact: The :class:`Event`, :class:`Measure` or :class:`Person`.
        where: Where it was read, for people: ``"events.csv line 12"``,
            ``"events.json item [3]"``.
        path: The same place as an error ``path``: ``"events.csv:12"``, ``"events.json:[3]"``.
    """

    fact: Event | Measure | Person
    where: str
    path: str


@attrs.frozen
class _Column:
    name: str
    required: bool
    read: Callable[[object, str], object]


_TRUE: Final = frozenset({"true", "yes", "1", "có"})
_FALSE: Final = frozenset({"false", "no", "0", "không", ""})
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST: Final = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_DECIMAL_COMMA: Final = re.compile(r"^[+-]?\d+,\d+$")


class _CellError(Exception):
    """A cell's value is wrong; the caller adds the file, the line and the column."""


def _text(value: object, column: str) -> str:
    if not isinstance(value, str):
        raise _CellError(f"expected text (got {type(value).__name__} {_shown(value)})")
    text = value.strip()
    if not text:
        raise _CellError("must not be empty")
    return unicodedata.normalize("NFC", text)


def _number(value: object, column: str) -> Decimal:
    try:
        return to_decimal(value, owner="cell", field=column)
    except KpiscoreError as error:
        reason = str(error).removeprefix(f"cell: {column} ")
        if reason.startswith(("must be less than 10**15", "must have at most 40")):
            raise _CellError(reason) from None  # a number, beyond kpiscore's bounds
        hint = ""
        if isinstance(value, str) and _DECIMAL_COMMA.match(value.strip()):
            hint = "; write the decimal separator as a point ('0.9', not '0,9')"
        raise _CellError(f"expected a number (got {_shown(value)}){hint}") from None


def _quantity(value: object, column: str) -> Decimal:
    number = _number(value, column)
    if number < 0:
        raise _CellError(f"must be >= 0 (got {_shown(value)})")
    return number


def _date(value: object, column: str) -> _dt.date:
    expected = "expected a date as DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)"
    if not isinstance(value, str):
        raise _CellError(f"{expected} (got {type(value).__name__} {_shown(value)})")
    text = value.strip()
    try:
        if _ISO_DATE.match(text):
            return _dt.date.fromisoformat(text)
        if _DAY_FIRST.match(text):
            return _dt.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise _CellError(f"{_shown(text)} is not a real date; {expected}") from None
    raise _CellError(f"{expected} (got {_shown(value)})")


def _flag(value: object, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = unicodedata.normalize("NFC", value.strip().lower())
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise _CellError(
        f"expected true or false (also yes/no, 1/0, có/không, or empty) (got {_shown(value)})"
    )


_COLUMNS: Final[dict[str, tuple[_Column, ...]]] = {
    "events": (
        _Column("subject", True, _text),
        _Column("kind", True, _text),
        _Column("on", True, _date),
        _Column("quantity", False, _quantity),
        _Column("excused", False, _flag),
        _Column("ref", False, _text),
        _Column("note", False, _text),
    ),
    "measures": (
        _Column("subject", True, _text),
        _Column("criterion", True, _text),
        _Column("value", True, _number),
    ),
    "people": (
        _Column("id", True, _text),
        _Column("name", False, _text),
        _Column("unit", False, _text),
        _Column("group", False, _text),
        _Column("position", False, _text),
    ),
}
_FACTORIES: Final[dict[str, Callable[..., Event | Measure | Person]]] = {
    "events": Event,
    "measures": Measure,
    "people": Person,
}


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build(
    kind: str, cells: Mapping[str, object], where: str, said: str, separator: str
) -> tuple[Event | Measure | Person | None, list[FileFormatError]]:
    """Convert one row's cells and build its fact; return the fact or the row's problems.

    ``where`` is the row's path (``events.csv:12``), ``said`` how messages name the row
    (``events.csv line 12``); a cell's path adds ``separator`` and the column name.
    """
    problems: list[FileFormatError] = []
    fields: dict[str, object] = {}
    for column in _COLUMNS[kind]:
        value = cells.get(column.name)
        path = f"{where}{separator}{column.name}"
        place = f"{said}, {'column' if separator == ':' else 'key'} {column.name!r}"
        if _is_empty(value):
            if column.required:
                problems.append(FileFormatError(f"{place}: required, but empty", path=path))
            continue
        try:
            fields[column.name] = column.read(value, column.name)
        except _CellError as error:
            problems.append(FileFormatError(f"{place}: {error}", path=path))
    if problems:
        return None, problems
    try:
        return _FACTORIES[kind](**fields), []
    except KpiscoreError as error:  # pragma: no cover - the cells were checked one by one
        return None, [FileFormatError(f"{said}: {error}", path=where)]


def _csv_records(text: str, name: str, kind: str) -> Iterator[FactRecord | FileFormatError]:
    columns = {column.name: column for column in _COLUMNS[kind]}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        yield FileFormatError(f"{name} line 1: invalid CSV: {error}", path=f"{name}:1")
        return
    if header is None:
        yield FileFormatError(
            f"{name}: the file is empty; expected a header line naming the columns"
            f" ({', '.join(columns)})",
            path=name,
        )
        return
    names = [cell.strip() for cell in header]
    header_ok = True
    for position, column_name in enumerate(names, 1):
        if column_name not in columns:
            hint = ""
            if ";" in column_name and len(names) == 1:
                hint = "; the file seems to use ';' between cells, kpiscore reads ',' (CSV)"
            yield FileFormatError(
                f"{name} line 1, column {position}: unknown column {_shown(column_name)};"
                f" expected one of {list(columns)!r}{hint}",
                path=f"{name}:1:{column_name}",
            )
            header_ok = False
        elif names.index(column_name) != position - 1:
            yield FileFormatError(
                f"{name} line 1: column {column_name!r} appears twice",
                path=f"{name}:1:{column_name}",
            )
            header_ok = False
    for column in columns.values():
        if column.required and column.name not in names:
            yield FileFormatError(
                f"{name} line 1: missing required column {column.name!r}",
                path=f"{name}:1:{column.name}",
            )
            header_ok = False
    if not header_ok:
        return
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield FileFormatError(
                f"{name} line {start}: invalid CSV: {error}", path=f"{name}:{start}"
            )
            return
        line = reader.line_num
        if not row:
            continue  # an empty line holds no row
        where, said = f"{name}:{start}", f"{name} line {start}"
        if len(row) != len(names):
            yield FileFormatError(
                f"{said}: {len(row)} cells, but the header names {len(names)} columns",
                path=where,
            )
            continue
        cells = dict(zip(names, row, strict=True))
        fact, problems = _build(kind, cells, where, said, ":")
        if fact is None:
            yield from problems
        else:
            yield FactRecord(fact=fact, where=said, path=where)


def _json_records(text: str, name: str, kind: str) -> Iterator[FactRecord | FileFormatError]:
    columns = [column.name for column in _COLUMNS[kind]]
    document = _parse_json(text, name)
    if isinstance(document, Mapping) and list(document) == [kind]:
        document = document[kind]  # {"events": [...]} as well as a bare list
    if not isinstance(document, list):
        yield FileFormatError(
            f"{name}: expected a JSON list of objects (or {{{kind!r}: [...]}})"
            f" (got {type(document).__name__})",
            path=name,
        )
        return
    for index, item in enumerate(document):
        where, said = f"{name}:[{index}]", f"{name} item [{index}]"
        if not isinstance(item, Mapping):
            yield FileFormatError(
                f"{said}: expected an object with keys {columns!r} (got {_shown(item)})", path=where
            )
            continue
        unknown = [key for key in item if key not in columns]
        for key in unknown:
            yield FileFormatError(
                f"{said}: unknown key {_shown(key)}; expected one of {columns!r}",
                path=f"{where}.{key}",
            )
        if unknown:
            continue
        fact, problems = _build(kind, item, where, said, ".")
        if fact is None:
            yield from problems
        else:
            yield FactRecord(fact=fact, where=said, path=where)


def read_fact_records(
    source: str | os.PathLike[str],
    kind: FactKind,
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
) -> list[FactRecord]:
    """Read a fact file into records that remember their line (used by the command line).

    Raises:
        FileFormatError: one problem; :class:`FileFormatErrorGroup` listing all of them.
    """
    if kind not in _COLUMNS:
        raise InputError(f"kind must be 'events', 'measures' or 'people' (got {kind!r})")
    if not isinstance(source, str | os.PathLike):
        raise FileFormatError(
            f"expected the path of a {kind} file (got {type(source).__name__} {_shown(source)})"
        )
    path = Path(source)
    name = str(path)
    fmt = _format_of(path, format, ("csv", "json"), f"{kind} file")
    text = _decode(_read_bytes(path, name, MAX_FACT_BYTES), name)
    reader = _json_records if fmt == "json" else _csv_records
    records: list[FactRecord] = []
    problems: list[FileFormatError] = []
    # Facts are built in kpiscore's own decimal context, never the caller's (see _tree).
    with exact():
        for item in reader(text, name, kind):
            if isinstance(item, FactRecord):
                records.append(item)
            else:
                problems.append(item)
    _raise_all(problems, name)
    return records


def _facts(
    source: str | os.PathLike[str], kind: FactKind, fmt: FactFormat | None, cls: type[_T]
) -> list[_T]:
    facts = [record.fact for record in read_fact_records(source, kind, format=fmt)]
    return cast("list[_T]", facts)


def load_events(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
) -> list[Event]:
    """Read events from a CSV or JSON file.

    Columns (CSV) or keys (JSON): ``subject``, ``kind``, ``on`` (required); ``quantity``,
    ``excused``, ``ref``, ``note`` (optional; an empty cell means the default). Dates are
    ``DD/MM/YYYY`` (``15/07/2026``, day first, as written in Vietnam) or ISO ``YYYY-MM-DD``;
    ``excused`` is ``true``/``false`` (also ``yes``/``no``, ``1``/``0``, ``có``/``không``).
    CSV files are UTF-8, with or without a byte-order mark, comma-separated, with a header line.
    A JSON file is a list of objects (or ``{"events": [...]}``).

    Args:
        source: The file's path.
        format: ``"csv"`` or ``"json"``; by default taken from the file's suffix.

    Returns:
        The events, in file order.

    Raises:
        FileFormatError: a bad cell, row or file, naming the file, the line and the column
            (``events.csv:12:quantity``); :class:`FileFormatErrorGroup` when there are several.
            A bad row is never skipped.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "events.csv").write_text(
    ...     "subject,kind,on,excused\\nnv001,training_absence,15/01/2026,\\n"
    ...     "nv001,training_absence,2026-02-03,có\\n", encoding="utf-8")
    >>> [(e.on, e.excused) for e in load_events(folder / "events.csv")]
    [(datetime.date(2026, 1, 15), False), (datetime.date(2026, 2, 3), True)]
    """
    return _facts(source, "events", format, Event)


def load_measures(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
) -> list[Measure]:
    """Read measures from a CSV or JSON file: ``subject``, ``criterion``, ``value``.

    Values are exact decimals written with a point (``0.875``); see :func:`load_events` for the
    file rules.

    Raises:
        FileFormatError: as for :func:`load_events`.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "measures.json"
    >>> _ = path.write_text('[{"subject": "nv001", "criterion": "quality", "value": 0.875}]')
    >>> load_measures(path)[0].value
    Decimal('0.875')
    """
    return _facts(source, "measures", format, Measure)


def load_people(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
) -> list[Person]:
    """Read the population from a CSV or JSON file: ``id`` (required), ``name``, ``unit``,
    ``group``, ``position``.

    See :func:`load_events` for the file rules.

    Raises:
        FileFormatError: as for :func:`load_events`.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = path.write_bytes("\\ufeffid,name,unit\\nnv001,Nguyễn Văn An,Phòng Tổ chức\\n"
    ...                      .encode("utf-8"))
    >>> load_people(path)[0].name
    'Nguyễn Văn An'
    """
    return _facts(source, "people", format, Person)
