"""Fast reading of fact CSV files into the columnar engine, with the careful reader's semantics.

``kpiscore score`` on a large workforce reads its CSV files here when pandas is installed: the
files are parsed by pandas' C reader, and each *distinct* cell value is converted by the same
functions the careful reader (``kpiscore._load``) uses for every cell — so the facts are exactly
the ones the careful reader would build. Anything irregular (a bad header, an empty required
cell, a value that does not convert, an unknown subject, a short row) makes the fast path give
up and return ``None``: the caller then reads the files carefully, which reports every problem
with its file, line and column.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpiscore._columnar import _EventColumns, _MeasureColumns, _People, score_columns
from kpiscore._engine import _Compiled
from kpiscore._extras import require
from kpiscore._load import (
    _COLUMNS,
    MAX_FACT_BYTES,
    _CellError,
    _date,
    _flag,
    _number,
    _quantity,
    _text,
)
from kpiscore._period import Period
from kpiscore._policy import Policy
from kpiscore._scorecard import ScoreTable

__all__ = ["score_csv_files"]


class _IrregularError(Exception):
    """Something the careful reader must look at (and report with its line)."""


def _read(pd: Any, path: Path, kind: str) -> Any:
    allowed = {column.name for column in _COLUMNS[kind]}
    required = {column.name for column in _COLUMNS[kind] if column.required}
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
    names = [str(name).strip() for name in frame.columns]
    if len(set(names)) != len(names) or not set(names) <= allowed or not required <= set(names):
        raise _IrregularError(f"{path}: header {names!r}")
    frame.columns = names
    _check_cell_counts(path, len(names), len(frame))
    return frame


def _check_cell_counts(path: Path, columns: int, rows: int) -> None:
    """Every data row has exactly as many cells as the header.

    pandas refuses a row with too many cells but pads a short one with empty cells, which the
    careful reader reports as an error. Without quotes in the file, every comma separates two
    cells, so the rows are all complete exactly when the commas number ``(columns - 1) × (rows
    + 1)`` (the header included); with quotes, the csv module counts the cells of each row.
    """
    data = path.read_bytes()
    if b'"' not in data:
        if data.count(b",") != (columns - 1) * (rows + 1):
            raise _IrregularError(f"{path}: a row has fewer cells than the header")
        return
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if any(row and len(row) != columns for row in csv.reader(handle)):
            raise _IrregularError(f"{path}: a row has fewer cells than the header")


def _convert(
    pd: Any, column: Any, read: Callable[[object, str], object], name: str, default: object
) -> tuple[Any, list[Any]]:
    """(codes, converted distinct values) for a column; an empty cell takes ``default``."""
    codes, uniques = pd.factorize(column)
    if len(codes) and codes.min() < 0:
        raise _IrregularError(f"a missing cell in column {name!r}")
    values: list[Any] = []
    for raw in uniques.tolist():
        if not raw.strip():
            if default is None:
                raise _IrregularError(f"empty required cell in column {name!r}")
            values.append(default)
            continue
        try:
            values.append(read(raw, name))
        except _CellError as error:
            raise _IrregularError(str(error)) from None
    return codes, values


def _events(pd: Any, np: Any, path: Path, index: Any, period: Period) -> _EventColumns:
    frame = _read(pd, path, "events")
    result = _EventColumns()
    n = len(frame)
    # Subjects are looked up as written: a subject with stray spaces or another Unicode form,
    # or outside the population, goes to the careful reader.
    result.subject = index.get_indexer(frame["subject"]).astype(np.int64)
    if n and result.subject.min() < 0:
        raise _IrregularError("an event names a subject outside the population (as written)")
    codes, kinds = _convert(pd, frame["kind"], _text, "kind", None)
    distinct = list(dict.fromkeys(kinds))
    remap = np.array([distinct.index(k) for k in kinds], dtype=np.int64)
    result.kinds = [str(k) for k in distinct]
    result.kind_codes = remap[codes] if n else np.zeros(0, dtype=np.int64)
    codes, days = _convert(pd, frame["on"], _date, "on", None)
    day_values = np.array(days, dtype="datetime64[D]") if days else np.array([], "datetime64[D]")
    result.day = day_values[codes] if n else np.zeros(0, dtype="datetime64[D]")
    if "quantity" in frame.columns:
        codes, quantities = _convert(pd, frame["quantity"], _quantity, "quantity", Decimal(1))
        result.quantity_codes, result.quantities = codes.astype(np.int64), quantities
    else:
        result.quantity_codes, result.quantities = np.zeros(n, dtype=np.int64), [Decimal(1)]
    if "excused" in frame.columns:
        codes, flags = _convert(pd, frame["excused"], _flag, "excused", False)
        result.excused = np.array(flags, dtype=bool)[codes] if n else np.zeros(0, dtype=bool)
    else:
        result.excused = np.zeros(n, dtype=bool)
    for name in ("ref", "note"):
        if name in frame.columns:
            codes, texts = _convert(pd, frame[name], _text, name, "")
            values = [text or None for text in texts]
            setattr(result, f"{name}s", [values[code] for code in codes.tolist()])
    result.limit_to(np, period)
    return result


def _measures(pd: Any, np: Any, path: Path | None, index: Any, compiled: Any) -> _MeasureColumns:
    if path is None:
        return _MeasureColumns.read(pd, np, None, index, compiled)
    frame = _read(pd, path, "measures")
    result = _MeasureColumns()
    n = len(frame)
    result.subject = index.get_indexer(frame["subject"]).astype(np.int64)
    if n and result.subject.min() < 0:
        raise _IrregularError("a measure names a subject outside the population (as written)")
    slots = {info[1]: slot for slot, info in enumerate(compiled.measured_info)}
    codes, criteria = _convert(pd, frame["criterion"], _text, "criterion", None)
    if any(criterion not in slots for criterion in criteria):
        raise _IrregularError("a measure names a criterion that takes no measure")
    slot_of = np.array([slots[c] for c in criteria], dtype=np.int64)
    result.slot = slot_of[codes] if n else np.zeros(0, dtype=np.int64)
    codes, values = _convert(pd, frame["value"], _number, "value", None)
    result.value_codes, result.values = codes.astype(np.int64), values
    width = max(len(compiled.measured_info), 1)
    key = result.subject * width + result.slot
    if len(key) and int(np.bincount(key).max()) > 1:
        raise _IrregularError("two measures for one person and criterion")
    return result


def _people(pd: Any, path: Path) -> _People:
    frame = _read(pd, path, "people")
    ids = frame["id"].tolist()
    clean = all(
        value and value == value.strip() and unicodedata.is_normalized("NFC", value)
        for value in ids
    )
    if not clean:
        raise _IrregularError("a person id is empty, has stray spaces or is not in NFC form")
    if len(set(ids)) != len(ids):
        raise _IrregularError("a person id appears twice")
    attributes: dict[str, list[Any]] = {}
    for name in ("name", "unit", "group", "position"):
        if name in frame.columns:
            codes, texts = _convert(pd, frame[name], _text, name, "")
            values = [text or None for text in texts]
            attributes[name] = [values[code] for code in codes.tolist()]
    return _People(ids, attributes)


def score_csv_files(
    policy: Policy,
    period: Period,
    people: Path,
    events: Path | None,
    measures: Path | None,
) -> ScoreTable | None:
    """Score facts from CSV files with the columnar engine, or ``None`` to read them carefully.

    Returns ``None`` when pandas is not installed, a file is not CSV, or anything in the files
    needs the careful reader's line-by-line report; never a different result than the careful
    reader followed by :func:`kpiscore.score_many` would give.
    """
    try:
        pd = require("pandas", "pandas")
        np = require("numpy", "pandas")
    except ImportError:
        return None
    paths = [Path(p) for p in (people, events, measures) if p is not None]
    if any(p.suffix.lower() != ".csv" for p in paths):
        return None
    try:
        if any(p.stat().st_size > MAX_FACT_BYTES for p in paths):
            return None  # the careful reader refuses it, with the limit in its message
    except OSError:
        return None  # the careful reader says what is wrong with the path
    try:
        population = _people(pd, Path(people))
        index = pd.Index(population.ids, dtype=object)
        if events is None:
            event_columns = _EventColumns.read(pd, np, None, index, period)
        else:
            event_columns = _events(pd, np, Path(events), index, period)
        compiled = _Compiled(policy)
        measure_columns = _measures(
            pd, np, None if measures is None else Path(measures), index, compiled
        )
    except _IrregularError:
        return None
    return score_columns(
        policy, period, population, event_columns, measure_columns, compiled=compiled
    )
