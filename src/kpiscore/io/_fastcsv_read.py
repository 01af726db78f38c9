"""What the fast CSV readers share: checks of a file's shape, the conversion of each distinct
cell as the careful reader converts it, and the reading of the three files into columns.

NumPy is imported here at the top: :mod:`kpiscore.io.fastcsv` imports this module only once it
has found a reader's extra installed.
"""

from __future__ import annotations

import csv
import functools
import io
import mmap
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from kpiscore.engine.columnar._arrays import ArrowArray, Codes, People, Population
from kpiscore.engine.columnar._columns import EventColumns, MeasureColumns
from kpiscore.engine.columnar._figures import score_columns
from kpiscore.engine.exact import _Compiled
from kpiscore.exceptions import MissingInputError
from kpiscore.io.file_numbers import NumberFormat
from kpiscore.io.load import (
    _COLUMNS,
    MAX_FACT_BYTES,
    _CellError,
    _date,
    _flag,
    _number,
    _quantity,
    _text,
)
from kpiscore.io.table_files import sniff_delimiter
from kpiscore.model.facts import attribute_name_problem
from kpiscore.model.period import Period
from kpiscore.results.scorecard import ScoreTable

__all__ = ["Reader", "_IrregularError", "score_files"]

#: A column as a reader holds it (pyarrow arrays, or a pandas Series).
ColumnT = TypeVar("ColumnT", bound=Sized)
T = TypeVar("T")

# Lines are checked in blocks of about this many bytes; a line break ends a block.
_BLOCK = 1 << 22
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class _IrregularError(Exception):
    """Something the careful reader must look at (and report with its line)."""


def has_quote(path: Path) -> bool:
    """Whether the file holds a ``"`` anywhere (found without reading it into memory)."""
    with open(path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return view.find(b'"') >= 0


def first_line(path: Path) -> list[str]:
    """The cells of a file's first line, split at its commas (for a file without quotes)."""
    with open(path, "rb") as handle:
        line = handle.readline(1 << 16)
    if len(line) == 1 << 16 and not line.endswith(b"\n"):
        raise _IrregularError(f"{path}: a header line longer than 64 KiB")
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _IrregularError(str(error)) from None
    text = text.removesuffix("\n").removesuffix("\r")
    if "\r" in text or "\n" in text:
        raise _IrregularError(f"{path}: a header line ending in a lone carriage return")
    if sniff_delimiter(text) != ",":  # the careful reader splits it at another separator
        raise _IrregularError(f"{path}: a header line not separated by commas")
    return text.split(",")


def header(names: list[str], kind: str, path: Path) -> list[str]:
    """The stripped column names, or irregular: unknown, repeated or missing columns."""
    allowed = {column.name for column in _COLUMNS[kind]}
    required = {column.name for column in _COLUMNS[kind] if column.required}
    names = [str(name).strip() for name in names]
    others = set(names) - allowed
    if kind == "people":  # a person's other attributes, when the careful reader keeps them
        others = {name for name in others if not _attribute_column(name)}
    if len(set(names)) != len(names) or others or not required <= set(names):
        raise _IrregularError(f"{path}: header {names!r}")
    return names


def _attribute_column(name: str) -> bool:
    """Whether a people file's other column is an attribute as the careful reader reads it."""
    return (
        bool(name)
        and name == unicodedata.normalize("NFC", name)
        and (attribute_name_problem(name) is None)
    )


def csv_module_rows(path: Path, kind: str, limit: int) -> dict[str, list[str]]:
    """A quoted file's columns, split into cells by the careful reader's ``csv`` module;
    irregular past ``limit`` bytes (every cell becomes a Python string, as in the careful
    reader, which then refuses the file with its limit and how to raise it)."""
    if path.stat().st_size > limit:
        raise _IrregularError(f"{path}: a quoted file larger than {limit} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error) as error:
        raise _IrregularError(str(error)) from None
    if not rows or not rows[0]:  # the careful reader's header is the first line, even blank
        raise _IrregularError(f"{path}: no header on the first line")
    names = header(rows[0], kind, path)
    rows = [row for row in rows if row]  # an empty line holds no row
    if any(len(row) != len(names) for row in rows):
        raise _IrregularError(f"{path}: a row has another number of cells than the header")
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(names)}


def _per_line(positions: Codes, starts: Codes, ends: Codes) -> Codes:
    """How many of the (sorted) positions fall in each line ``[start, end)``."""
    counted: Codes = np.searchsorted(positions, ends) - np.searchsorted(positions, starts)
    return counted


def check_cell_counts(path: Path, columns: int) -> None:
    """Every line of an unquoted file holds exactly as many cells as the header, or is empty
    (a line of spaces or tabs only is irregular: pandas skips it, the careful reader does not).

    Without quotes in the file, every comma separates two cells: each line (between ``\\r``,
    ``\\n`` or ``\\r\\n``, as the careful reader's ``csv`` module splits them) must hold
    ``columns - 1`` commas. Counting the whole file's commas is not enough: a row one cell
    short and another one cell long balance, and pandas then takes an index column.
    """
    with open(path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            _check_blocks(view, path, columns)


def _check_blocks(data: mmap.mmap, path: Path, columns: int) -> None:
    """:func:`check_cell_counts` on a file's mapped bytes (paged in a block at a time)."""
    start = 0
    while start < len(data):  # in blocks of whole lines, so memory stays a few blocks' worth
        after = _LINE_BREAK.search(data, min(start + _BLOCK, len(data)))
        end = len(data) if after is None else after.end()
        block = np.frombuffer(data[start:end], dtype=np.uint8)  # a copy: the map closes
        breaks = np.flatnonzero((block == ord("\n")) | (block == ord("\r")))
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks, [len(block)]))
        lengths = ends - starts
        commas = _per_line(np.flatnonzero(block == ord(",")), starts, ends)
        if ((commas != columns - 1) & (lengths > 0)).any():
            raise _IrregularError(f"{path}: a row has another number of cells than the header")
        blanks = _per_line(np.flatnonzero((block == ord(" ")) | (block == ord("\t"))), starts, ends)
        if ((blanks == lengths) & (lengths > 0)).any():  # pandas skips it; the careful reader not
            raise _IrregularError(f"{path}: a line of spaces only")
        start = end


def check_length(longest: int) -> None:
    """Irregular past the csv module's cell limit, which the careful reader keeps."""
    if longest > csv.field_size_limit():
        raise _IrregularError(f"a cell longer than {csv.field_size_limit()} characters")


def clean_ids(ids: list[object]) -> bool:
    """Whether every id is non-empty text, without stray spaces, in NFC (as Python sees it)."""
    return all(
        isinstance(value, str)
        and value
        and value == value.strip()
        and unicodedata.is_normalized("NFC", value)
        for value in ids
    )


def convert_values(
    uniques: list[object], read: Callable[[object, str], T], name: str, default: T | None
) -> list[T]:
    """Each distinct cell converted as the careful reader converts it (blank: ``default``;
    ``None`` when the column is required)."""
    values: list[T] = []
    limit = csv.field_size_limit()
    for raw in uniques:
        if not isinstance(raw, str):
            raise _IrregularError(f"a missing cell in column {name!r}")
        if len(raw) > limit:  # the careful reader's csv module refuses so long a cell
            raise _IrregularError(f"a cell of column {name!r} longer than {limit} characters")
        if not raw.strip():
            if default is None:
                raise _IrregularError(f"empty required cell in column {name!r}")
            values.append(default)
            continue
        try:
            values.append(read(raw, name))
        except _CellError as error:
            raise _IrregularError(str(error)) from None
    return values


def same_values(codes: Codes, values: Sequence[object]) -> Codes:
    """Codes into ``values`` made equal where the values are equal (as ``==`` and ``hash``
    see them: ``Decimal("1")`` and ``Decimal("1.0")``, two cells of the same day).

    >>> same_values(np.array([0, 1, 2, 1]), [Decimal("1"), Decimal("2"), Decimal("1.0")]).tolist()
    [0, 1, 0, 1]
    """
    first: dict[object, int] = {}
    remap = np.array([first.setdefault(value, len(first)) for value in values], dtype=np.int64)
    return remap.take(codes) if len(codes) else np.zeros(0, dtype=np.int64)


def _set_slots(
    result: MeasureColumns, codes: Codes, criteria: list[str], compiled: _Compiled
) -> None:
    """Each measure's criterion slot; at most one measure per person and criterion."""
    slots = {info[1]: slot for slot, info in enumerate(compiled.measured_info)}
    if any(criterion not in slots for criterion in criteria):
        raise _IrregularError("a measure names a criterion that takes no measure")
    slot_of = np.array([slots[c] for c in criteria], dtype=np.int64)
    result.slot = slot_of.take(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    width = max(len(compiled.measured_info), 1)
    key = result.subject * width + result.slot
    if len(key) and int(np.bincount(key).max()) > 1:
        raise _IrregularError("two measures for one person and criterion")


class Reader(Generic[ColumnT]):
    """What both fast readers share: the columns each file gives, converted as the careful
    reader converts its cells. A reader supplies ``read`` (a file's columns by name),
    ``codes`` (a column's code per row and its converted distinct values), ``subjects`` (a
    subject column's population positions) and ``ids`` (the people's ids, checked)."""

    #: How the files write numbers (``"point"`` or ``"vi"``), as the careful reader is told.
    number_format: NumberFormat = "point"
    #: The kinds the policy knows, or ``None`` when unknown kinds are ignored.
    known_kinds: frozenset[str] | None = None
    #: Whether repeated events are irregular (``duplicates="error"``).
    refuse_duplicates: bool = False
    #: The careful reader's limit: a quoted file past it is left to the careful reader.
    careful_limit: int = MAX_FACT_BYTES

    def prefetch(self, pool: ThreadPoolExecutor, files: dict[str, Path]) -> None:
        """Start reading these files (``kind -> path``) in the background, if the reader can."""

    def read(self, path: Path, kind: str) -> Mapping[str, ColumnT]:
        raise NotImplementedError  # pragma: no cover - each reader has its own

    def codes(
        self, column: ColumnT, read: Callable[[object, str], T], name: str, default: T | None
    ) -> tuple[Codes, list[T]]:
        raise NotImplementedError  # pragma: no cover - each reader has its own

    def subjects(self, column: ColumnT, index: Population, what: str) -> Codes:
        raise NotImplementedError  # pragma: no cover - each reader has its own

    def ids(self, column: ColumnT) -> tuple[list[str], ArrowArray]:
        raise NotImplementedError  # pragma: no cover - each reader has its own

    def people(self, path: Path) -> tuple[People, Population]:
        columns = self.read(path, "people")
        ids, arrow = self.ids(columns["id"])
        population = People(ids)
        population.arrow_ids = arrow
        for name in columns:
            if name != "id":  # the fields, then the other attributes, as Person reads them
                codes, texts = self.codes(columns[name], _text, name, "")
                population.coded[name] = (codes, [text or None for text in texts])
        index = Population(ids, arrow)
        if index.duplicate is not None:
            raise _IrregularError("a person id appears twice")
        return population, index

    def events(self, path: Path, index: Population, period: Period) -> EventColumns:
        columns = self.read(path, "events")
        result = EventColumns()
        n = len(columns["subject"])
        result.subject = self.subjects(columns["subject"], index, "events")
        codes, kinds = self.codes(columns["kind"], _text, "kind", None)
        result.set_kinds(codes, kinds)
        codes, days = self.codes(columns["on"], _date, "on", None)
        result.day_codes = codes
        result.day_values = np.array(days, dtype="datetime64[D]")
        if "quantity" in columns:
            quantity = functools.partial(_quantity, fmt=self.number_format)
            result.quantity_codes, result.quantities = self.codes(
                columns["quantity"], quantity, "quantity", Decimal(1)
            )
        else:
            result.quantity_codes, result.quantities = np.zeros(n, dtype=np.int64), [Decimal(1)]
        if "excused" in columns:
            codes, flags = self.codes(columns["excused"], _flag, "excused", False)
            result.excused = np.array(flags, dtype=bool).take(codes)
        else:
            result.excused = np.zeros(n, dtype=bool)
        if "ref" in columns:
            result.refs = self._texts(columns["ref"], "ref")
        if "note" in columns:
            result.notes = self._texts(columns["note"], "note")
        self._check_events(result, columns)
        result.limit_to(period)
        return result

    def _check_events(self, result: EventColumns, columns: Mapping[str, ColumnT]) -> None:
        """Irregular on an unknown kind (one test per distinct kind) or a repeated event (by
        subject and ref, or an identical row): the careful reader reports them by line."""
        known = self.known_kinds
        if known is not None and any(kind not in known for kind in result.kinds):
            raise _IrregularError("an event kind the policy does not know")
        if not self.refuse_duplicates or len(result.subject) < 2:
            return
        if len(result.repeated_refs()[0]):
            raise _IrregularError("two events with the same subject and ref")
        n = len(result.subject)
        if result.refs is None:
            no_ref = np.ones(n, dtype=bool)
        else:
            no_ref = np.array([ref is None for ref in result.refs], dtype=bool)
        # Rows are compared by what they read as, as the careful reader compares events: a
        # code per distinct *value* (a blank quantity and 1, 15/01/2026 and 2026-01-15, are
        # the same), not per distinct cell.
        if "note" in columns:
            note_codes = same_values(*self.codes(columns["note"], _text, "note", ""))
        else:
            note_codes = np.zeros(n, dtype=np.int64)
        if result.day_codes is None:  # pragma: no cover - events() sets the days
            day_codes = np.zeros(n, dtype=np.int64)
        else:
            day_codes = same_values(result.day_codes, result.day_values.tolist())
        rows = np.stack(
            [
                result.subject.astype(np.int64),
                result.kind_codes.astype(np.int64),
                day_codes,
                same_values(result.quantity_codes, result.quantities),
                result.excused.astype(np.int64),
                note_codes,
            ],
            axis=1,
        )[no_ref]
        if len(rows) > 1 and len(np.unique(rows, axis=0)) < len(rows):
            raise _IrregularError("two identical event rows")

    def _texts(self, column: ColumnT, name: str) -> list[str | None]:
        codes, texts = self.codes(column, _text, name, "")
        values = [text or None for text in texts]
        return [values[code] for code in codes.tolist()]

    def measures(self, path: Path, index: Population, compiled: _Compiled) -> MeasureColumns:
        columns = self.read(path, "measures")
        result = MeasureColumns()
        result.subject = self.subjects(columns["subject"], index, "measures")
        codes, criteria = self.codes(columns["criterion"], _text, "criterion", None)
        number = functools.partial(_number, fmt=self.number_format)
        result.value_codes, result.values = self.codes(columns["value"], number, "value", None)
        _set_slots(result, codes, criteria, compiled)
        # A ratio above the policy's max_ratio: the careful reader names its line.
        limit = compiled.policy.max_ratio
        too_large = np.array([value > limit for value in result.values], dtype=bool)
        if too_large.any() and len(result.slot):
            ratio = np.array([info[2] for info in compiled.measured_info], dtype=bool)
            if (ratio.take(result.slot) & too_large.take(result.value_codes)).any():
                raise _IrregularError("a ratio above the policy's max_ratio")
        return result


def score_files(
    reader: Reader[ColumnT],
    compiled: _Compiled,
    period: Period,
    files: tuple[Path, Path | None, Path | None],
    advance: Callable[[int], None],
) -> ScoreTable:
    """Read the people, events and measures files (in that order) and score them."""
    people, events, measures = files
    population, index = reader.people(people)
    advance(1)
    if events is None:
        event_columns = EventColumns.empty(period)
    else:
        event_columns = reader.events(Path(events), index, period)
    advance(1)
    if measures is None:
        measure_columns = MeasureColumns.empty()
    else:
        measure_columns = reader.measures(Path(measures), index, compiled)
    advance(1)
    try:
        table = score_columns(
            compiled.policy, period, population, event_columns, measure_columns, compiled=compiled
        )
    except MissingInputError:
        # The careful reader lists every missing measure, each at its person's line.
        raise _IrregularError("a missing measure") from None
    advance(1)
    return table
