"""Fast reading of fact CSV files into the columnar engine, with the careful reader's semantics.

``kpiscore score`` on a large workforce reads its CSV files here. With pyarrow installed (the
``kpiscore[arrow]`` extra) the files are parsed by pyarrow's multi-threaded reader and never
become Python objects row by row; otherwise, with pandas installed, by pandas' C reader. Either
way each *distinct* cell value is converted by the same functions the careful reader
(``kpiscore.io.load``) uses for every cell — so the facts are exactly the ones the careful reader
would build. A file that holds a quote character is split into cells by the careful reader's
own ``csv`` module (quoting is where CSV parsers differ). Anything irregular (a bad header, an
empty required cell, a value that does not convert, an unknown subject, a row with another
number of cells than the header) makes the fast path give up and return ``None``: the caller
then reads the files carefully, which reports every problem with its file, line and column.

This module imports neither NumPy nor a reader: the readers (``_fastcsv_arrow``,
``_fastcsv_pandas``, sharing ``_fastcsv_read``) import their extras at their top and are
imported once :func:`score_csv_files` has found one installed.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore._extras import require
from kpiscore.engine.compile import compile_policy
from kpiscore.io.documents import fact_byte_limit
from kpiscore.io.file_numbers import NumberFormat
from kpiscore.model.fact_checks import Duplicates, UnknownKinds
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

if TYPE_CHECKING:
    from kpiscore.io._fastcsv_arrow import ArrowReader
    from kpiscore.io._fastcsv_pandas import PandasReader

__all__ = ["score_csv_files"]


def _arrow_reader() -> ArrowReader:
    for module in ("pyarrow", "pyarrow.compute", "pyarrow.csv", "numpy"):
        require(module, "arrow")
    from kpiscore.io._fastcsv_arrow import ArrowReader

    return ArrowReader()


def _pandas_reader() -> PandasReader:
    for module in ("pandas", "numpy"):
        require(module, "pandas")
    from kpiscore.io._fastcsv_pandas import PandasReader

    return PandasReader()


def _reader() -> ArrowReader | PandasReader | None:
    """The fastest reader installed: pyarrow's, then pandas', else none."""
    for reader in (_arrow_reader, _pandas_reader):
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
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_columns: bool = False,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
    max_bytes: int | None = None,
) -> ScoreTable | None:
    """Score facts from CSV files with the columnar engine, or ``None`` to read them carefully.

    ``advance(1)`` is called after each of four steps (people, events, measures, scoring), for
    a progress bar.

    The keyword arguments are those of the careful readers (:func:`kpiscore.load_events`):
    numbers are read in ``number_format``; a file in another encoding than UTF-8, with
    another separator than ``,``, or with columns other than the kind's own (people's other
    columns, ``ignore_columns``) is left to the careful reader. So is any event kind the
    policy does not know (unless ``unknown_kinds="ignore"``), any repeated event (unless
    ``duplicates="allow"``) and any ratio above the policy's ``max_ratio``.

    A file of any size is read (pyarrow and pandas read it from disk; no copy of its text is
    held in memory), except a file holding quotes, which is split by the careful reader's
    ``csv`` module: past ``max_bytes`` (:func:`~kpiscore.io.documents.fact_byte_limit`, by
    default 256 MiB) such a file is left to the careful reader, which refuses it.

    Returns ``None`` when neither pyarrow nor pandas is installed, a file is not CSV, or
    anything in the files needs the careful reader's line-by-line report; never a different
    result than the careful reader followed by :func:`kpiscore.score_many` would give.
    """
    paths = [Path(p) for p in (people, events, measures) if p is not None]
    if any(p.suffix.lower() != ".csv" for p in paths):
        return None
    if encoding not in (None, "utf-8") or delimiter not in (None, ","):
        return None  # the careful reader decodes and splits such files
    del ignore_columns  # an unknown column is irregular here: the careful reader drops it
    try:
        states = [p.stat() for p in paths]
    except OSError:
        return None  # the careful reader says what is wrong with the path
    if any(not stat.S_ISREG(state.st_mode) for state in states):
        return None  # a pipe or a device: read once, carefully
    reader = _reader()
    if reader is None:
        return None  # the careful reader refuses a file past its limit, saying how to raise it
    reader.number_format = number_format
    # An unknown kind or a repeated event makes the fast path step aside: the careful
    # reader reports each with its file, line and column (the same text on both paths).
    reader.known_kinds = None if unknown_kinds == "ignore" else policy.known_kinds
    reader.refuse_duplicates = duplicates == "error"
    reader.careful_limit = fact_byte_limit(max_bytes)
    from kpiscore.io._fastcsv_read import _IrregularError, score_files

    compiled = compile_policy(policy)  # cached per policy; compiled in kpiscore's own context
    with ThreadPoolExecutor(max_workers=2) as pool:
        facts = {"events": events, "measures": measures}
        reader.prefetch(pool, {kind: Path(p) for kind, p in facts.items() if p is not None})
        try:
            return score_files(reader, compiled, period, (Path(people), events, measures), advance)
        except _IrregularError:
            return None
