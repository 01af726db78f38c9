"""The careful fact readers: events, measures and people from CSV or JSON files.

Every cell is checked and every problem of a file reported together (at most
:data:`~kpiscore.model.rules.MAX_LISTED` listed), each with its line and column (CSV) or item
and key (JSON). The fast CSV path (:mod:`kpiscore.io.fastcsv`) reads cells with the same
functions, so both paths accept exactly the same facts.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Final, TypeVar, cast

import attrs

from kpiscore.exceptions import (
    FileFormatError,
    InputError,
    KpiscoreError,
)
from kpiscore.io.documents import (
    MAX_FACT_BYTES,
    FactFormat,
    FactKind,
    _decode,
    _format_of,
    _parse_json,
    _raise_all,
    _read_bytes,
    _shown,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import exact, to_decimal

# --------------------------------------------------------------------------- fact files

_T = TypeVar("_T")

__all__ = ["FactRecord", "load_events", "load_measures", "load_people", "read_fact_records"]


@attrs.frozen(kw_only=True)
class FactRecord:
    """One fact read from a file, with where it came from (for messages about it later).

    The place is kept as the file name (shared by every record of the file) and a number; its
    texts are made when asked for, so millions of records do not hold two strings each.

    Attributes:
        fact: The :class:`Event`, :class:`Measure` or :class:`Person`.
        file: The file's name as given.
        line: The CSV line the fact starts on, or ``None`` for a JSON item.
        item: The JSON item's index, or ``None`` for a CSV row.
    """

    fact: Event | Measure | Person
    file: str
    line: int | None = None
    item: int | None = None

    @property
    def where(self) -> str:
        """Where it was read, for people: ``"events.csv line 12"``, ``"events.json item [3]"``."""
        if self.line is not None:
            return f"{self.file} line {self.line}"
        return f"{self.file} item [{self.item}]"

    @property
    def path(self) -> str:
        """The same place as an error ``path``: ``"events.csv:12"``, ``"events.json:[3]"``."""
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:[{self.item}]"


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
    # Interned: a file names the same few subjects and kinds on millions of rows, and one
    # string each is enough (interned strings are freed when no longer used).
    return sys.intern(unicodedata.normalize("NFC", text))


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
            return _iso_date(text)
        if _DAY_FIRST.match(text):
            return _dt.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise _CellError(f"{_shown(text)} is not a real date; {expected}") from None
    raise _CellError(f"{expected} (got {_shown(value)})")


@functools.lru_cache(maxsize=4096)
def _iso_date(text: str) -> _dt.date:
    # Dates are immutable and a file holds a few hundred distinct days: one object each.
    return _dt.date.fromisoformat(text)


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
            yield FactRecord(fact=fact, file=name, line=start)


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
            yield FactRecord(fact=fact, file=name, item=index)


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
