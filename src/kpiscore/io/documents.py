"""Untrusted text documents at the edge: reading files within limits, and TOML/JSON parsing.

Shared by the policy files (:mod:`kpiscore.io.policy_files`), the careful fact readers
(:mod:`kpiscore.io.fact_files`), case files, payout tables, overlays and the HTTP server: a
file is read within a size limit, decoded as strict UTF-8 (a byte-order mark allowed), its text
checked for size in UTF-8 bytes and for lone surrogates, its nesting bounded before any parser
sees it, numbers read as exact decimals and keys given twice refused.
"""

from __future__ import annotations

import json
import os
import re
import reprlib
import stat
import tomllib
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Final, Literal, NoReturn

from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
)
from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.rules import MAX_LISTED
from kpiscore.model.text import lone_surrogate
from kpiscore.model.tree import MAX_DEPTH

PolicyFormat = Literal["toml", "json"]
FactFormat = Literal["csv", "json", "xlsx"]
FactKind = Literal["events", "measures", "people"]

__all__ = [
    "FACT_BYTES_VARIABLE",
    "MAX_FACT_BYTES",
    "MAX_POLICY_BYTES",
    "fact_byte_limit",
    "parse_byte_size",
    "parse_json_document",
    "parse_toml_document",
    "read_text_file",
]


#: Largest policy file (or policy text) read: 4 MiB. The bundled policies are under 20 KiB; a
#: larger "policy" is a mistake or an attack, refused before it is read into memory.
MAX_POLICY_BYTES: Final = 4 * 1024 * 1024
#: Largest fact file the careful readers read, by default: 256 MiB, several million event rows
#: (80,000 people for a year fit with room to spare). They hold every row as Python objects,
#: so the limit keeps a mistaken or hostile file from exhausting memory. Raise it with the
#: environment variable :data:`FACT_BYTES_VARIABLE`, ``kpiscore score --max-file-size`` or
#: ``read_fact_records(max_bytes=…)``. The CSV fast path of ``kpiscore score`` (pyarrow or
#: pandas) has no such limit: it reads a file of any size the machine's memory allows.
MAX_FACT_BYTES: Final = 256 * 1024 * 1024
#: The environment variable that overrides :data:`MAX_FACT_BYTES` (``"1G"``, ``"600M"``,
#: ``"300MiB"`` or a count of bytes).
FACT_BYTES_VARIABLE: Final = "KPISCORE_MAX_FACT_BYTES"
_SIZE: Final = re.compile(r"\s*(\d+)\s*(?:([KMGT])(?:i?B)?|B)?\s*", re.IGNORECASE)
_SIZE_UNITS: Final = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

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


def parse_byte_size(text: str, what: str) -> int:
    """A size in bytes: a count, or with a binary unit (``"600M"``, ``"1G"``, ``"300MiB"``).

    >>> parse_byte_size("300MiB", "--max-file-size")
    314572800

    Raises:
        InputError: not such a size, or zero; the message names ``what``.
    """
    match = _SIZE.fullmatch(text)
    size = 0 if match is None else int(match[1]) * _SIZE_UNITS[(match[2] or "").upper()]
    if size <= 0:
        raise InputError(
            f"{what}: expected a size in bytes such as 600M, 1G or 300MiB (got {_shown(text)})"
        )
    return size


def fact_byte_limit(given: int | None = None) -> int:
    """The careful fact readers' size limit: ``given``, else the environment variable
    :data:`FACT_BYTES_VARIABLE`, else :data:`MAX_FACT_BYTES`.

    >>> fact_byte_limit(1024)
    1024

    Raises:
        InputError: ``given`` or the variable is not a positive size.
    """
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
            raise InputError(f"max_bytes: expected a positive number of bytes (got {given!r})")
        return given
    variable = os.environ.get(FACT_BYTES_VARIABLE)
    if variable is None or not variable.strip():
        return MAX_FACT_BYTES
    return parse_byte_size(variable, f"environment variable {FACT_BYTES_VARIABLE}")


def _too_big(name: str, size: int | str, limit: int, hint: str = "") -> FileFormatError:
    return FileFormatError(
        f"{name}: the file is too big to read ({size} bytes); expected at most {limit} bytes"
        f" ({limit // (1024 * 1024)} MiB){hint}",
        path=name,
    )


#: What a fact file past the careful readers' limit may do about it.
FACT_LIMIT_HINT: Final = (
    f"; raise the limit with --max-file-size or {FACT_BYTES_VARIABLE},"
    " or install kpiscore[arrow] so `kpiscore score` reads an unquoted CSV file of any size"
)


def _read_bytes(path: Path, name: str, limit: int, hint: str = "") -> bytes:
    """The file's bytes, refusing one larger than ``limit`` before reading it into memory.

    Memory follows the file, not the limit: a file's size as ``stat`` gives it is read (one
    byte more, to see a file that grew while read; then on, to one byte past the limit at
    most). A device or a pipe is read to one byte past the limit at most.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_big(name, size, limit, hint)
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                data = handle.read(limit + 1)  # a device or a pipe: its size says nothing
            else:
                data = handle.read(size + 1)
                if len(data) > size:  # the file grew since stat: read on, within the limit
                    data += handle.read(limit + 1 - len(data))
    except FileNotFoundError:
        raise FileFormatError(f"{name}: no such file", path=name) from None
    except IsADirectoryError:
        raise FileFormatError(f"{name}: is a directory, not a file", path=name) from None
    except OSError as error:
        raise FileFormatError(f"{name}: cannot be read ({error.strerror})", path=name) from None
    if len(data) > limit:
        raise _too_big(name, f"more than {limit}", limit, hint)
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


def _reject_constant(text: str) -> NoReturn:
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


def _unique_keys(pairs: list[tuple[str, JsonValue]]) -> JsonObject:
    result: JsonObject = {}
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


def _parse_json(text: str, name: str) -> JsonValue:
    try:
        # Decimals, never floats; NaN and Infinity are not numbers here; no key twice.
        tree: JsonValue = json.loads(
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
    return tree


_TOML_POSITION: Final = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str, name: str) -> JsonObject:
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


def parse_toml_document(text: str, name: str, *, limit: int = MAX_POLICY_BYTES) -> JsonObject:
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
    document: JsonObject = _parse_toml(text.lstrip("\ufeff"), name)
    return document


def parse_json_document(text: str, name: str, *, limit: int = MAX_POLICY_BYTES) -> JsonValue:
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
