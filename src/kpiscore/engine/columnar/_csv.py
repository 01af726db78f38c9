"""The columnar figures written as CSV, column by column: each distinct value is formatted and
quoted once, and the rows are joined in one pass — by pyarrow when it is installed, else by
``str.join`` (no pandas needed either way).

Every text cell goes through :func:`kpiscore.io.render.safe_cell` (formulas neutralised) and
:func:`csv_field`, which quotes a separator, a quote or a line break itself, whatever the
Python version's ``csv`` module does with a bare carriage return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from kpiscore._extras import require
from kpiscore.engine.columnar._arrays import PERSON_FIELDS, ArrowArray, Codes, arrow_text
from kpiscore.exceptions import MissingExtraError
from kpiscore.model.numbers import EXACT

if TYPE_CHECKING:
    from kpiscore.engine.columnar._figures import Figures, Units

__all__ = ["csv_field", "figures_csv"]

# A cell that must be quoted (it holds the separator, a quote or a line break).
_CSV_SPECIAL = re.compile(r'[,"\r\n]')
# In ids joined by NUL (and led by one): one starting like a spreadsheet formula.
_FORMULA_AFTER_NUL = re.compile(r"\x00[=+\-@\t\r\n]")

#: A coded column: (code per row, or ``None`` when every row has the first cell; its cells).
Column = tuple[Codes | None, list[str]]


def csv_field(text: str) -> str:
    r"""One cell as the ``csv`` module (since gh-67044) writes it in a row of several cells:
    quoted, with its quotes doubled, when it holds a separator, a quote, ``\r`` or ``\n``.

    >>> print(csv_field("a,b"), csv_field("x\ry").replace("\r", "<CR>"), csv_field("plain"))
    "a,b" "x<CR>y" plain
    """
    if not _CSV_SPECIAL.search(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_ids(ids: Sequence[str]) -> list[str] | None:
    """The subject cells, or ``None`` when every id is its own cell (found in one scan)."""
    joined = "\x00" + "\x00".join(ids)
    if not _CSV_SPECIAL.search(joined) and not _FORMULA_AFTER_NUL.search(joined):
        return None
    from kpiscore.io.render import safe_cell

    return [csv_field(safe_cell(subject)) for subject in ids]


def _fuse_columns(columns: list[Column], *, limit: int) -> list[Column]:
    """Neighbouring coded columns as one, while the pairs of their cells stay few: the pair's
    code is ``code × len(right cells) + right code`` and its cell ``"left,right"``. A column of
    one value costs nothing to fuse, so the rows have fewer cells to join."""
    fused: list[Column] = []
    for codes, cells in columns:
        if fused and len(fused[-1][1]) * len(cells) <= limit:
            left_codes, left_cells = fused[-1]
            pair: Codes | None
            if left_codes is None and codes is None:
                pair = None
            else:
                left = 0 if left_codes is None else left_codes.astype(np.int64)
                pair = np.asarray(left * len(cells) + (0 if codes is None else codes))
            fused[-1] = (pair, [f"{a},{b}" for a in left_cells for b in cells])
        else:
            fused.append((codes, cells))
    return fused


def _join_rows(n: int, subjects: Sequence[str], columns: list[Column]) -> str:
    """CSV rows from the subject cells and coded columns, joined by ``str.join``."""
    materialised: list[Sequence[str]] = [subjects]
    for codes, cells in columns:
        values = np.array(cells, dtype=object)
        materialised.append([cells[0]] * n if codes is None else values.take(codes).tolist())
    return "".join(f"{row}\n" for row in map(",".join, zip(*materialised, strict=True)))


def _join_rows_arrow(
    modules: tuple[ModuleType, ModuleType],
    n: int,
    subjects: Sequence[str],
    columns: list[Column],
    *,
    ids: ArrowArray,
) -> str:
    """:func:`_join_rows` by pyarrow: each column's distinct cells taken per row, the row's
    cells joined element-wise, and the text read from the result's data buffer at once."""
    pa, pc = modules
    arrays = [ids.cast(pa.string()) if ids is not None else arrow_text(subjects)]
    for position, (codes, column_cells) in enumerate(columns):
        cells = column_cells
        if position == len(columns) - 1:  # the last cell of a row ends its line
            cells = [f"{cell}\n" for cell in column_cells]
        indices = np.zeros(n, dtype=np.int32) if codes is None else codes.astype(np.int32)
        index = pa.Int32Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(indices)])
        arrays.append(arrow_text(cells).take(index))
    if any(array.type != pa.string() for array in arrays):  # pragma: no cover - 2 GiB
        return _join_rows(n, subjects, columns)
    try:
        comma = arrow_text([","])[0]  # a Python "," would go through pandas
        joined = pc.binary_join_element_wise(*arrays, comma)
    except pa.ArrowInvalid:  # pragma: no cover - rows past 2 GiB of text in all
        return _join_rows(n, subjects, columns)
    offsets = np.frombuffer(
        joined.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * joined.offset
    )
    body = joined.buffers()[2][int(offsets[0]) : int(offsets[n])]
    return bytes(body).decode("utf-8", "surrogatepass")


def _dense_codes(units: Units) -> tuple[Codes, list[int]]:
    """(code per row, distinct values) of integer figures, without sorting when they are
    close together (as scores are)."""
    if units.dtype == object:  # figures from the exact engine: Python ints of any size
        seen: dict[int, int] = {}
        codes = np.array([seen.setdefault(int(u), len(seen)) for u in units], dtype=np.int64)
        return codes, list(seen)
    low, high = int(units.min()), int(units.max())
    if high - low <= 4 * len(units) + 1024:
        offsets = units - low
        present = np.zeros(high - low + 1, dtype=bool)
        present[offsets] = True
        distinct = np.flatnonzero(present)
        return (np.cumsum(present) - 1).take(offsets), (distinct + low).tolist()
    values, inverse = np.unique(units, return_inverse=True)
    return inverse.reshape(-1), values.tolist()


def _pyarrow() -> tuple[ModuleType, ModuleType] | None:
    """pyarrow and its compute module, or ``None`` when the ``arrow`` extra is missing."""
    try:
        return require("pyarrow", "arrow"), require("pyarrow.compute", "arrow")
    except MissingExtraError:
        return None


def figures_csv(figures: Figures) -> str:
    """The rows of a columnar table as CSV text, byte for byte what
    ``rows_to_csv(figures.csv_rows())`` writes: the categories' points, then a column per
    criterion (:func:`kpiscore.io.render.criterion_columns`), then carried, total, ratings."""
    from kpiscore.io.render import criterion_columns, safe_cell

    n = len(figures.persons)
    if not n:
        return ""
    k = -figures.exponent

    def cells(values: Iterable[object]) -> list[str]:
        return [csv_field(safe_cell(value)) for value in values]

    def numbers(units: Units) -> Column:
        codes, distinct = _dense_codes(units)
        return codes, cells(Decimal(int(u)).scaleb(k, EXACT) for u in distinct)

    compiled = figures.compiled
    policy = compiled.policy
    headers = ["subject"]
    columns: list[Column] = []
    for field in PERSON_FIELDS[1:]:
        codes, values = figures.persons.codes(field)
        if len(codes) and codes.min() < 0:  # missing: the extra, empty cell
            codes = np.where(codes < 0, len(values), codes)
        headers.append(field)
        columns.append((codes, cells([*values, None])))
    for name, value in (
        ("period", figures.period.label),
        ("policy", policy.id),
        ("version", policy.version),
    ):
        headers.append(name)
        columns.append((None, cells([value])))
    for cat_index, category_id in enumerate(compiled.category_ids):
        headers.append(category_id)
        columns.append(numbers(figures.category_units[:, cat_index]))
    excluded = figures.criterion_excluded
    for index, (column, _) in enumerate(criterion_columns(policy)):
        headers.append(column)
        points = numbers(figures.criterion_units[:, index])
        if excluded is not None and excluded[:, index].any():  # excluded: the extra, empty cell
            codes_of, column_cells = points
            every = np.zeros(n, dtype=np.int64) if codes_of is None else codes_of
            points = (np.where(excluded[:, index], len(column_cells), every), [*column_cells, ""])
        columns.append(points)
    headers += ["carried", "total", "score_rating", "rating"]
    columns += [numbers(figures.carried_units), numbers(figures.total_units)]
    names = cells([*(band.id for band in compiled.bands), None])
    for rank in (figures.score_rank, figures.rank):
        columns.append((np.where(rank < 0, len(names) - 1, rank), names))
    header = ",".join(cells(headers))
    columns = _fuse_columns(columns, limit=max(64, n // 16))
    escaped = _csv_ids(figures.subjects)
    subjects = figures.subjects if escaped is None else escaped
    modules = _pyarrow()
    if modules is None:
        return f"{header}\n{_join_rows(n, subjects, columns)}"
    ids = figures.persons.arrow_ids if escaped is None else None
    return f"{header}\n{_join_rows_arrow(modules, n, subjects, columns, ids=ids)}"
