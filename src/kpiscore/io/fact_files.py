"""The careful fact readers: events, measures and people from CSV or JSON files.

Every cell is checked and every problem of a file reported together (at most
:data:`~kpiscore.model.rules.MAX_LISTED` listed), each with its line and column (CSV) or item
and key (JSON). The fast CSV path (:mod:`kpiscore.io.fastcsv`) reads cells with the same
functions, so both paths accept exactly the same facts.

This module stays whole (about 700 lines): the cell readers, the columns of each kind, the
header and row checks and the loaders are one file format, read the same way from CSV, a
workbook and JSON; splitting them would put one format's rules in several files.
"""

from __future__ import annotations

import datetime as _dt
import functools
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
    FACT_LIMIT_HINT,
    FactFormat,
    FactKind,
    _format_of,
    _parse_json,
    _raise_all,
    _read_bytes,
    _shown,
    fact_byte_limit,
)
from kpiscore.io.file_numbers import (
    NumberFormat,
    NumberSyntaxError,
    check_number_format,
    read_number,
)
from kpiscore.io.table_files import (
    Cell,
    RawTable,
    check_delimiter,
    check_encoding,
    csv_table,
    decode_table_text,
    excel_path,
    read_table,
    workbook_text,
)
from kpiscore.model.facts import Event, Measure, Person, attribute_name_problem
from kpiscore.model.numbers import exact

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
        extra: A person's other columns of the people file, as sorted ``(column, text)``
            pairs (empty cells left out; also the person's ``attributes``); empty for events
            and measures.
    """

    fact: Event | Measure | Person
    file: str
    line: int | None = None
    item: int | None = None
    extra: tuple[tuple[str, str], ...] = ()

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


def _number(value: object, column: str, fmt: NumberFormat = "point") -> Decimal:
    try:
        return read_number(value, fmt, field=column)
    except NumberSyntaxError as error:
        raise _CellError(str(error)) from None


def _quantity(value: object, column: str, fmt: NumberFormat = "point") -> Decimal:
    number = _number(value, column, fmt)
    if number < 0:
        raise _CellError(f"must be >= 0 (got {_shown(value)})")
    return number


def _date(value: object, column: str) -> _dt.date:
    expected = "expected a date as DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)"
    if isinstance(value, _dt.datetime):  # a workbook's date cell
        if value.time() != _dt.time():
            raise _CellError(f"expected a date without a time of day (got {value.isoformat()})")
        return value.date()
    if isinstance(value, _dt.date):
        return value
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
    if isinstance(value, int | float) and value in (0, 1):  # a workbook's number cell
        return value == 1
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


@functools.cache
def columns_of(kind: str, fmt: NumberFormat = "point") -> tuple[_Column, ...]:
    """The columns of a kind of fact file, their numbers read in the number format ``fmt``."""
    if fmt == "point":
        return _COLUMNS[kind]
    readers: dict[object, Callable[[object, str], object]] = {
        _number: functools.partial(_number, fmt=fmt),
        _quantity: functools.partial(_quantity, fmt=fmt),
    }
    return tuple(
        _Column(column.name, column.required, readers.get(column.read, column.read))
        for column in _COLUMNS[kind]
    )


@attrs.frozen(kw_only=True)
class ReadOptions:
    """How a fact file is written (the loaders' keyword arguments, checked once)."""

    number_format: NumberFormat = "point"
    encoding: str | None = None
    delimiter: str | None = None
    ignore_columns: bool = False

    @classmethod
    def of(
        cls,
        *,
        number_format: object = "point",
        encoding: object = None,
        delimiter: object = None,
        ignore_columns: object = False,
    ) -> ReadOptions:
        """Checked options: a clear error for a wrong value of any of them."""
        if not isinstance(ignore_columns, bool):
            raise InputError(f"ignore_columns must be True or False (got {ignore_columns!r})")
        return cls(
            number_format=check_number_format(number_format),
            encoding=check_encoding(encoding),
            delimiter=check_delimiter(delimiter),
            ignore_columns=ignore_columns,
        )


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build(
    kind: str,
    cells: Mapping[str, object],
    where: str,
    said: str,
    separator: str,
    *,
    fmt: NumberFormat = "point",
    attributes: tuple[tuple[str, str], ...] = (),
) -> tuple[Event | Measure | Person | None, list[FileFormatError]]:
    """Convert one row's cells and build its fact; return the fact or the row's problems.
    ``attributes``: a person's other columns, read by :func:`_extra`.

    ``where`` is the row's path (``events.csv:12``), ``said`` how messages name the row
    (``events.csv line 12``); a cell's path adds ``separator`` and the column name.
    """
    problems: list[FileFormatError] = []
    fields: dict[str, object] = {}
    for column in columns_of(kind, fmt):
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
    if attributes:
        fields["attributes"] = attributes
    try:
        return _FACTORIES[kind](**fields), []
    except KpiscoreError as error:  # pragma: no cover - the cells were checked one by one
        return None, [FileFormatError(f"{said}: {error}", path=where)]


def _extra(
    cells: Mapping[str, object], names: list[str], where: str, said: str, separator: str
) -> tuple[tuple[tuple[str, str], ...], list[FileFormatError]]:
    """A person's other columns as ``(column, text)`` pairs (empty cells left out)."""
    pairs: list[tuple[str, str]] = []
    problems: list[FileFormatError] = []
    for name in names:
        value = cells.get(name)
        if _is_empty(value):
            continue
        try:
            pairs.append((name, _text(value, name)))
        except _CellError as error:
            problems.append(
                FileFormatError(
                    f"{said}, {'column' if separator == ':' else 'key'} {name!r}: {error}",
                    path=f"{where}{separator}{name}",
                )
            )
    return tuple(sorted(pairs)), problems


def _row_record(
    kind: str,
    cells: Mapping[str, object],
    others: list[str],
    where: str,
    said: str,
    *,
    fmt: NumberFormat,
    file: str,
    line: int | None = None,
    item: int | None = None,
) -> Iterator[FactRecord | FileFormatError]:
    """The record of one CSV row or JSON item (``line`` or ``item``), or all its problems;
    ``others`` are a person's other columns or keys, kept as its attributes."""
    separator = ":" if item is None else "."
    extra, more = _extra(cells, others, where, said, separator) if others else ((), [])
    fact, problems = _build(kind, cells, where, said, separator, fmt=fmt, attributes=extra)
    if fact is None or more:
        yield from problems
        yield from more
    else:
        yield FactRecord(fact=fact, file=file, line=line, item=item, extra=extra)


def _header(
    table: RawTable, kind: str, options: ReadOptions
) -> tuple[list[str], list[str], int, list[FileFormatError]]:
    """``(columns read, other columns kept, cells a row may hold, problems)`` of a header.

    Empty header cells at the end (Excel's trailing empty columns) name no column; a row may
    hold cells under them only when they are empty. A column the kind does not know is kept
    (people: an attribute of the person), left out (``ignore_columns``) or a problem.
    """
    name, line = table.name, table.header_line
    columns = {column.name: column for column in _COLUMNS[kind]}
    assert table.header is not None  # noqa: S101 - the caller checked
    width = len(table.header)
    names = [_header_text(cell) for cell in table.header]
    while names and not names[-1]:
        names.pop()
    problems: list[FileFormatError] = []
    kept: list[str] = []
    for position, column_name in enumerate(names, 1):
        if not column_name:
            problems.append(
                FileFormatError(
                    f"{name} line {line}, column {position}: the header names no column here;"
                    " expected a column name",
                    path=f"{name}:{line}",
                )
            )
        elif names.index(column_name) != position - 1:
            problems.append(
                FileFormatError(
                    f"{name} line {line}: column {column_name!r} appears twice",
                    path=f"{name}:{line}:{column_name}",
                )
            )
        elif column_name not in columns:
            if kind == "people" and (clash := attribute_name_problem(column_name)) is not None:
                problems.append(
                    FileFormatError(
                        f"{name} line {line}, column {position}: column {clash}",
                        path=f"{name}:{line}:{column_name}",
                    )
                )
            elif kind == "people":
                kept.append(column_name)
            elif not options.ignore_columns:
                hint = "; pass ignore_columns=True (--ignore-columns) to leave other columns out"
                if ";" in column_name and len(names) == 1:
                    hint = "; the file seems to use ';' between cells: give delimiter=';'"
                problems.append(
                    FileFormatError(
                        f"{name} line {line}, column {position}: unknown column"
                        f" {_shown(column_name)}; expected one of {list(columns)!r}{hint}",
                        path=f"{name}:{line}:{column_name}",
                    )
                )
    for column in columns.values():
        if column.required and column.name not in names:
            problems.append(
                FileFormatError(
                    f"{name} line {line}: missing required column {column.name!r}",
                    path=f"{name}:{line}:{column.name}",
                )
            )
    return names, kept, width, problems


def _header_text(cell: Cell) -> str:
    text = cell if isinstance(cell, str) else str(cell)
    return unicodedata.normalize("NFC", text.strip())


def _table_records(
    table: RawTable, kind: str, options: ReadOptions
) -> Iterator[FactRecord | FileFormatError]:
    name = table.name
    if table.header is None:  # an empty file, or a header line the parser cannot read
        failed = [row for row in table.rows if isinstance(row, FileFormatError)]
        yield from failed or [
            FileFormatError(
                f"{name}: the file is empty; expected a header line naming the columns"
                f" ({', '.join(column.name for column in _COLUMNS[kind])})",
                path=name,
            )
        ]
        return
    names, kept, width, problems = _header(table, kind, options)
    if problems:
        yield from problems
        return
    text_columns = {column.name for column in _COLUMNS[kind] if column.read is _text}
    texts = {i for i, column in enumerate(names) if column in text_columns or column in kept}
    for item in table.rows:
        if isinstance(item, FileFormatError):
            yield item
            return
        line, row = item
        where, said = f"{name}:{line}", f"{name} line {line}"
        if len(row) < len(names) or len(row) > width or not all(map(_is_empty, row[len(names) :])):
            yield FileFormatError(
                f"{said}: {len(row)} cells, but the header names {len(names)} columns",
                path=where,
            )
            continue
        if table.delimiter is None:  # a workbook: numbers typed in text columns are text
            row = [workbook_text(cell) if i in texts else cell for i, cell in enumerate(row)]
        cells = dict(zip(names, row, strict=False))
        yield from _row_record(
            kind, cells, kept, where, said, fmt=options.number_format, file=name, line=line
        )


def _json_records(
    text: str, name: str, kind: str, options: ReadOptions
) -> Iterator[FactRecord | FileFormatError]:
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
        if kind != "people" and not options.ignore_columns:
            for key in unknown:
                yield FileFormatError(
                    f"{said}: unknown key {_shown(key)}; expected one of {columns!r}",
                    path=f"{where}.{key}",
                )
            if unknown:
                continue
        if kind == "people":
            clashes = [(key, attribute_name_problem(str(key))) for key in unknown]
            for key, clash in clashes:
                if clash is not None:
                    yield FileFormatError(f"{said}: key {clash}", path=f"{where}.{key}")
            if any(clash is not None for _, clash in clashes):
                continue
        others = unknown if kind == "people" else []
        yield from _row_record(
            kind, item, others, where, said, fmt=options.number_format, file=name, item=index
        )


def read_fact_records(
    source: str | os.PathLike[str],
    kind: FactKind,
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_columns: bool = False,
    max_bytes: int | None = None,
) -> list[FactRecord]:
    """Read a fact file into records that remember their line (used by the command line).

    The keyword arguments are those of :func:`load_events`; a person's other columns are in
    :attr:`FactRecord.extra`. A file larger than ``max_bytes`` is refused before it is read
    (by default :data:`MAX_FACT_BYTES`, 256 MiB, or the environment variable
    ``KPISCORE_MAX_FACT_BYTES``: see :func:`~kpiscore.io.documents.fact_byte_limit`).

    Raises:
        FileFormatError: one problem; :class:`FileFormatErrorGroup` listing all of them.
    """
    _check_source(source, kind)
    options = ReadOptions.of(
        number_format=number_format,
        encoding=encoding,
        delimiter=delimiter,
        ignore_columns=ignore_columns,
    )
    return _records(source, kind, format, options, max_bytes)


def _check_source(source: object, kind: object) -> None:
    if kind not in _COLUMNS:
        raise InputError(f"kind must be 'events', 'measures' or 'people' (got {kind!r})")
    if not isinstance(source, str | os.PathLike):
        raise FileFormatError(
            f"expected the path of a {kind} file (got {type(source).__name__} {_shown(source)})"
        )


def _records(
    source: str | os.PathLike[str],
    kind: FactKind,
    format: FactFormat | None,  # noqa: A002 - as load_policy
    options: ReadOptions,
    max_bytes: int | None,
) -> list[FactRecord]:
    """:func:`read_fact_records` for a checked source, kind and options."""
    limit = fact_byte_limit(max_bytes)
    name = os.fspath(source)
    book = excel_path(source)
    records: list[FactRecord] = []
    problems: list[FileFormatError] = []
    if book is not None and format in (None, "xlsx"):
        items = _table_records(read_table(source, kind, limit=limit), kind, options)
    else:
        path = Path(source)
        fmt = _format_of(path, format, ("csv", "json", "xlsx"), f"{kind} file")
        if fmt == "xlsx":
            items = _table_records(read_table(source, kind, limit=limit), kind, options)
        else:
            text = decode_table_text(
                _read_bytes(path, name, limit, FACT_LIMIT_HINT), name, options.encoding
            )
            if fmt == "json":
                items = _json_records(text, name, kind, options)
            else:
                items = _table_records(csv_table(text, name, options.delimiter), kind, options)
    # Facts are built in kpiscore's own decimal context, never the caller's (see _tree).
    with exact():
        for item in items:
            if isinstance(item, FactRecord):
                records.append(item)
            else:
                problems.append(item)
    _raise_all(problems, name)
    return records


def _facts(  # noqa: PLR0917 - the loaders' own arguments, in their order
    cls: type[_T],
    source: str | os.PathLike[str],
    kind: FactKind,
    fmt: FactFormat | None,
    number_format: object,
    encoding: object,
    delimiter: object,
    ignore_columns: object,
) -> list[_T]:
    """What :func:`load_events`, :func:`load_measures` and :func:`load_people` do: check the
    options, then the source, and read the facts of ``cls``."""
    checked = ReadOptions.of(
        number_format=number_format,
        encoding=encoding,
        delimiter=delimiter,
        ignore_columns=ignore_columns,
    )
    _check_source(source, kind)
    records = _records(source, kind, fmt, checked, None)
    return cast("list[_T]", [record.fact for record in records])


def load_events(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_columns: bool = False,
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
    return _facts(
        Event, source, "events", format, number_format, encoding, delimiter, ignore_columns
    )


def load_measures(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_columns: bool = False,
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
    return _facts(
        Measure, source, "measures", format, number_format, encoding, delimiter, ignore_columns
    )


def load_people(
    source: str | os.PathLike[str],
    *,
    format: FactFormat | None = None,  # noqa: A002 - as load_policy
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_columns: bool = False,
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
    return _facts(
        Person, source, "people", format, number_format, encoding, delimiter, ignore_columns
    )
