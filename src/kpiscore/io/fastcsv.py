"""Fast reading of fact CSV files into the columnar engine, with the careful reader's semantics.

``kpiscore score`` on a large workforce reads its CSV files here. With pyarrow installed (the
``kpiscore[arrow]`` extra) the files are parsed by pyarrow's multi-threaded reader and never
become Python objects row by row; otherwise, with pandas installed, by pandas' C reader. Either
way each *distinct* cell value is converted by the same functions the careful reader
(``kpiscore.io.load``) uses for every cell — so the facts are exactly the ones the careful reader
would build. A file that holds a quote character is split into cells by the careful reader's
own ``csv`` module (quoting is where CSV parsers differ). Anything irregular (a bad header, an
empty required cell, a value that does not convert, an unknown subject, a short row) makes the
fast path give up and return ``None``: the caller then reads the files carefully, which reports
every problem with its file, line and column.
"""

from __future__ import annotations

import csv
import io
import mmap
import re
import stat
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpiscore._extras import require
from kpiscore.engine.columnar import (
    _arrow_ints,
    _arrow_text,
    _EventColumns,
    _MeasureColumns,
    _People,
    _Population,
    score_columns,
)
from kpiscore.engine.exact import _Compiled
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
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

__all__ = ["score_csv_files"]


# A line holding only spaces or tabs (pandas' C reader skips it as blank).
_BLANKS_ONLY = re.compile(rb"(?:^|[\r\n])[ \t]+(?:[\r\n]|$)")


class _IrregularError(Exception):
    """Something the careful reader must look at (and report with its line)."""


def _has_quote(path: Path) -> bool:
    """Whether the file holds a ``"`` anywhere (found without reading it into memory)."""
    with open(path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return view.find(b'"') >= 0


def _first_line(path: Path) -> list[str]:
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
    return text.split(",")


def _header(names: list[str], kind: str, path: Path) -> list[str]:
    """The stripped column names, or irregular: unknown, repeated or missing columns."""
    allowed = {column.name for column in _COLUMNS[kind]}
    required = {column.name for column in _COLUMNS[kind] if column.required}
    names = [str(name).strip() for name in names]
    if len(set(names)) != len(names) or not set(names) <= allowed or not required <= set(names):
        raise _IrregularError(f"{path}: header {names!r}")
    return names


def _csv_module_rows(path: Path, kind: str) -> dict[str, list[str]]:
    """A quoted file's columns, split into cells by the careful reader's ``csv`` module."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error) as error:
        raise _IrregularError(str(error)) from None
    if not rows or not rows[0]:  # the careful reader's header is the first line, even blank
        raise _IrregularError(f"{path}: no header on the first line")
    names = _header(rows[0], kind, path)
    rows = [row for row in rows if row]  # an empty line holds no row
    if any(len(row) != len(names) for row in rows):
        raise _IrregularError(f"{path}: a row has another number of cells than the header")
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(names)}


# --------------------------------------------------------------------------- readers


class _Reader:
    """What both fast readers share: the columns each file gives, converted as the careful
    reader converts its cells. A reader supplies ``read`` (a file's columns by name),
    ``codes`` (a column's code per row and its converted distinct values), ``subjects`` (a
    subject column's population positions) and ``ids`` (the people's ids, checked)."""

    np: Any

    def read(self, path: Path, kind: str) -> Any:  # pragma: no cover - each reader has its own
        raise NotImplementedError

    def codes(
        self, column: Any, read: Callable[[object, str], object], name: str, default: object
    ) -> tuple[Any, list[Any]]:  # pragma: no cover - each reader has its own
        raise NotImplementedError

    def subjects(
        self, column: Any, index: _Population, what: str
    ) -> Any:  # pragma: no cover - each reader has its own
        raise NotImplementedError

    def ids(self, column: Any) -> tuple[list[str], Any]:  # pragma: no cover - each has its own
        raise NotImplementedError

    def people(self, path: Path) -> tuple[_People, _Population]:
        columns = self.read(path, "people")
        ids, arrow = self.ids(columns["id"])
        population = _People(ids)
        population.arrow_ids = arrow
        for name in ("name", "unit", "group", "position"):
            if name in columns:
                codes, texts = self.codes(columns[name], _text, name, "")
                population.coded[name] = (codes, [text or None for text in texts])
        index = _Population(self.np, ids, arrow)
        if index.duplicate is not None:
            raise _IrregularError("a person id appears twice")
        return population, index

    def events(self, path: Path, index: _Population, period: Period) -> _EventColumns:
        np = self.np
        columns = self.read(path, "events")
        result = _EventColumns()
        n = len(columns["subject"])
        result.subject = self.subjects(columns["subject"], index, "events")
        codes, kinds = self.codes(columns["kind"], _text, "kind", None)
        result.set_kinds(np, codes, [str(kind) for kind in kinds])
        codes, days = self.codes(columns["on"], _date, "on", None)
        result.day_codes = codes
        result.day_values = np.array(days, dtype="datetime64[D]") if days else np.zeros(0, "M8[D]")
        if "quantity" in columns:
            result.quantity_codes, result.quantities = self.codes(
                columns["quantity"], _quantity, "quantity", Decimal(1)
            )
        else:
            result.quantity_codes, result.quantities = np.zeros(n, dtype=np.int64), [Decimal(1)]
        if "excused" in columns:
            codes, flags = self.codes(columns["excused"], _flag, "excused", False)
            result.excused = np.array(flags, dtype=bool).take(codes)
        else:
            result.excused = np.zeros(n, dtype=bool)
        for name in ("ref", "note"):
            if name in columns:
                codes, texts = self.codes(columns[name], _text, name, "")
                values = [text or None for text in texts]
                setattr(result, f"{name}s", [values[code] for code in codes.tolist()])
        result.limit_to(np, period)
        return result

    def measures(self, path: Path, index: _Population, compiled: _Compiled) -> _MeasureColumns:
        columns = self.read(path, "measures")
        result = _MeasureColumns()
        result.subject = self.subjects(columns["subject"], index, "measures")
        codes, criteria = self.codes(columns["criterion"], _text, "criterion", None)
        result.value_codes, result.values = self.codes(columns["value"], _number, "value", None)
        _set_slots(self.np, result, codes, criteria, compiled)
        return result


def _check_length(longest: int) -> None:
    """Irregular past the csv module's cell limit, which the careful reader keeps."""
    if longest > csv.field_size_limit():
        raise _IrregularError(f"a cell longer than {csv.field_size_limit()} characters")


def _clean_ids(ids: list[Any]) -> bool:
    """Whether every id is non-empty text, without stray spaces, in NFC (as Python sees it)."""
    return all(
        isinstance(value, str)
        and value
        and value == value.strip()
        and unicodedata.is_normalized("NFC", value)
        for value in ids
    )


# --------------------------------------------------------------------------- pyarrow


class _Arrow(_Reader):
    """The pyarrow reader: every column as Arrow strings, converted once per distinct value."""

    def __init__(self) -> None:
        self.pa = require("pyarrow", "arrow")
        self.pc = require("pyarrow.compute", "arrow")
        self.pcsv = require("pyarrow.csv", "arrow")
        self.np = require("numpy", "arrow")
        self._pending: dict[str, Future[dict[str, Any]]] = {}

    def prefetch(self, pool: ThreadPoolExecutor, files: dict[str, Path]) -> None:
        """Start parsing these files (``kind -> path``) in the background: pyarrow parses
        without the interpreter lock, so one file is parsed while another is converted."""
        for kind, path in files.items():
            self._pending[kind] = pool.submit(self._parse, path, kind)

    def read(self, path: Path, kind: str) -> dict[str, Any]:
        """Each column of the file as pyarrow arrays (no cell left out, none added): ``id`` as
        text, every other column dictionary-encoded as it is parsed."""
        pending = self._pending.pop(kind, None)
        if pending is not None:
            return pending.result()
        return self._parse(path, kind)

    def _parse(self, path: Path, kind: str) -> dict[str, Any]:
        pa = self.pa
        if _has_quote(path):
            columns = _csv_module_rows(path, kind)
            return {name: _arrow_text(pa, self.np, cells) for name, cells in columns.items()}
        raw = _first_line(path)  # no quotes: the header's cells are split by its commas
        names = _header(raw, kind, path)
        pcsv = self.pcsv
        coded = pa.dictionary(pa.int32(), pa.string())
        try:
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(column_names=raw, skip_rows=1),
                convert_options=pcsv.ConvertOptions(
                    column_types={
                        cell: pa.string() if name == "id" else coded
                        for cell, name in zip(raw, names, strict=True)
                    },
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, OSError) as error:
            raise _IrregularError(str(error)) from None
        return {name: table.column(i) for i, name in enumerate(names)}

    def _coded_chunks(self, column: Any) -> list[Any]:
        """A column as dictionary arrays (one per chunk the reader made)."""
        if not self.pa.types.is_dictionary(column.type):
            column = column.dictionary_encode()
        return list(column.chunks) if hasattr(column, "chunks") else [column]

    def codes(
        self, column: Any, read: Callable[[object, str], object], name: str, default: object
    ) -> tuple[Any, list[Any]]:
        """(codes, converted distinct values) for a column; an empty cell takes ``default``.

        Each chunk's dictionary is small; its values are numbered across chunks in Python.
        """
        np = self.np
        seen: dict[str, int] = {}
        parts = []
        for chunk in self._coded_chunks(column):
            local = [seen.setdefault(value, len(seen)) for value in chunk.dictionary.to_pylist()]
            indices = _arrow_ints(np, chunk.indices)
            parts.append(np.asarray(local, dtype=np.int32).take(indices) if local else indices)
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return codes, _convert_values(list(seen), read, name, default)

    def subjects(self, column: Any, index: _Population, what: str) -> Any:
        """Population positions of a subject column, looked up as written: every chunk's
        distinct subjects in one pyarrow hash join."""
        np, pa, pc = self.np, self.pa, self.pc
        chunks = self._coded_chunks(column)
        if not chunks:
            return np.zeros(0, dtype=np.int32)
        distinct = pa.concat_arrays([chunk.dictionary for chunk in chunks])
        found = pc.index_in(distinct, value_set=index.arrow(pa).cast(distinct.type))
        if found.null_count:
            raise _IrregularError(f"{what}: a subject outside the population (as written)")
        positions = _arrow_ints(np, found)
        parts, start = [], 0
        for chunk in chunks:
            size = len(chunk.dictionary)
            parts.append(positions[start : start + size].take(_arrow_ints(np, chunk.indices)))
            start += size
        return np.concatenate(parts)

    def ids(self, column: Any) -> tuple[list[str], Any]:
        pc = self.pc
        ids = column.to_pylist()
        if len(ids) and pc.all(pc.string_is_ascii(column)).as_py():
            # ASCII ids are in NFC; only stray spaces (as Python's str.strip sees them) remain.
            clean = not pc.any(
                pc.match_substring_regex(
                    column, r"^[ \t\n\r\x0b\x0c\x1c-\x1f]|[ \t\n\r\x0b\x0c\x1c-\x1f]$|^$"
                )
            ).as_py()
        else:
            clean = _clean_ids(ids)
        if not clean:
            raise _IrregularError("a person id is empty, has stray spaces or is not in NFC form")
        _check_length(max(map(len, ids), default=0))
        return ids, column.combine_chunks() if hasattr(column, "combine_chunks") else column


# --------------------------------------------------------------------------- pandas


class _Pandas(_Reader):
    """The pandas reader (pyarrow not installed): its C parser, then the same conversions."""

    def __init__(self) -> None:
        self.pd = require("pandas", "pandas")
        self.np = require("numpy", "pandas")

    def read(self, path: Path, kind: str) -> Any:
        pd = self.pd
        if _has_quote(path):
            return pd.DataFrame(_csv_module_rows(path, kind), dtype=object)
        try:
            frame = pd.read_csv(
                path,
                dtype=object,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skip_blank_lines=True,
            )
        except Exception as error:  # any parse problem goes to the careful reader
            raise _IrregularError(str(error)) from None
        names = _header(list(frame.columns), kind, path)
        if names != _header(_first_line(path), kind, path):  # pandas skips blank lines first
            raise _IrregularError(f"{path}: the header is not the first line")
        frame.columns = names
        _check_cell_counts(path, len(frame.columns), len(frame))
        return frame

    def codes(
        self, column: Any, read: Callable[[object, str], object], name: str, default: object
    ) -> tuple[Any, list[Any]]:
        codes, uniques = self.pd.factorize(column)
        if len(codes) and codes.min() < 0:
            raise _IrregularError(f"a missing cell in column {name!r}")
        return codes.astype(self.np.int64, copy=False), _convert_values(
            uniques.tolist(), read, name, default
        )

    def subjects(self, column: Any, index: _Population, what: str) -> Any:
        codes, uniques = self.pd.factorize(column)
        lookup = index.get_indexer(uniques.tolist())  # as written: no normalising here
        positions = lookup.take(codes) if len(codes) else self.np.zeros(0, dtype=self.np.int64)
        if len(positions) and (positions.min() < 0 or codes.min() < 0):
            raise _IrregularError(f"{what}: a subject outside the population (as written)")
        return positions

    def ids(self, column: Any) -> tuple[list[str], Any]:
        ids = column.tolist()
        if not _clean_ids(ids):
            raise _IrregularError("a person id is empty, has stray spaces or is not in NFC form")
        _check_length(max(map(len, ids), default=0))
        return ids, None


def _check_cell_counts(path: Path, columns: int, rows: int) -> None:
    """Every data row of an unquoted file has exactly as many cells as the header.

    pandas refuses a row with too many cells but pads a short one with empty cells, which the
    careful reader reports as an error. Without quotes in the file, every comma separates two
    cells, so the rows are all complete exactly when the commas number ``(columns - 1) × (rows
    + 1)`` (the header included).
    """
    data = path.read_bytes()
    if data.count(b",") != (columns - 1) * (rows + 1):
        raise _IrregularError(f"{path}: a row has fewer cells than the header")
    if _BLANKS_ONLY.search(data):  # pandas skips such a line; the careful reader does not
        raise _IrregularError(f"{path}: a line of spaces only")


# --------------------------------------------------------------------------- shared


def _convert_values(
    uniques: list[Any], read: Callable[[object, str], object], name: str, default: object
) -> list[Any]:
    """Each distinct cell converted as the careful reader converts it (blank: ``default``)."""
    values: list[Any] = []
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


def _set_slots(
    np: Any, result: _MeasureColumns, codes: Any, criteria: list[Any], compiled: _Compiled
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


def _reader() -> _Reader | None:
    """The fastest reader installed: pyarrow's, then pandas', else none."""
    for reader in (_Arrow, _Pandas):
        try:
            return reader()
        except ImportError:
            continue
    return None


def score_csv_files(
    policy: Policy,
    period: Period,
    people: Path,
    events: Path | None,
    measures: Path | None,
    *,
    advance: Callable[[int], None] = lambda steps: None,
) -> ScoreTable | None:
    """Score facts from CSV files with the columnar engine, or ``None`` to read them carefully.

    ``advance(1)`` is called after each of four steps (people, events, measures, scoring), for
    a progress bar.

    Returns ``None`` when neither pyarrow nor pandas is installed, a file is not CSV, or
    anything in the files needs the careful reader's line-by-line report; never a different
    result than the careful reader followed by :func:`kpiscore.score_many` would give.
    """
    paths = [Path(p) for p in (people, events, measures) if p is not None]
    if any(p.suffix.lower() != ".csv" for p in paths):
        return None
    try:
        states = [p.stat() for p in paths]
    except OSError:
        return None  # the careful reader says what is wrong with the path
    if any(not stat.S_ISREG(state.st_mode) for state in states):
        return None  # a pipe or a device: read once, carefully
    if any(state.st_size > MAX_FACT_BYTES for state in states):
        return None  # the careful reader refuses it, with the limit in its message
    reader = _reader()
    if reader is None:
        return None
    compiled = _Compiled(policy)
    with ThreadPoolExecutor(max_workers=2) as pool:
        if isinstance(reader, _Arrow):
            facts = {"events": events, "measures": measures}
            reader.prefetch(pool, {kind: Path(p) for kind, p in facts.items() if p is not None})
        try:
            return _score_files(reader, compiled, period, (Path(people), events, measures), advance)
        except _IrregularError:
            return None


def _score_files(
    reader: _Reader,
    compiled: _Compiled,
    period: Period,
    files: tuple[Path, Path | None, Path | None],
    advance: Callable[[int], None],
) -> ScoreTable:
    """Read the people, events and measures files (in that order) and score them."""
    np = reader.np
    people, events, measures = files
    population, index = reader.people(people)
    advance(1)
    if events is None:
        event_columns = _EventColumns.empty(np, period)
    else:
        event_columns = reader.events(Path(events), index, period)
    advance(1)
    if measures is None:
        measure_columns = _MeasureColumns.empty(np)
    else:
        measure_columns = reader.measures(Path(measures), index, compiled)
    advance(1)
    table = score_columns(
        compiled.policy, period, population, event_columns, measure_columns, compiled=compiled
    )
    advance(1)
    return table
