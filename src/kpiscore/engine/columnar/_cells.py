"""The cells of a frame, read as the careful file reader reads a file's cells.

``pandas.read_csv`` of a file ``kpiscore score`` accepts gives a frame ``score_frame`` accepts,
with the same facts: a blank optional cell (``NaN``, ``None``, empty text) takes its default
(quantity 1, not excused, no ref), ``excused`` reads the file's words (``có``/``không``,
``yes``/``no``, ``true``/``false``, ``1``/``0``), dates may be ``DD/MM/YYYY`` or ISO text, text
is trimmed and NFC, and a measure's ``"90%"`` is 0.9. Text cells go through the very functions
of :mod:`kpiscore.io.fact_files`, so the two cannot drift apart.

Each *distinct* value of a column is converted once (a million rows name a few hundred days).
A bad cell does not stop the reading: every problem is collected in :class:`Problems`, named by
the frame's row *label* (its index, not its position), and raised together at the end.
"""

from __future__ import annotations

import datetime as _dt
import math
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from kpiscore.engine.columnar._arrays import (
    ArrowArray,
    Codes,
    Days,
    Ints,
    arrow_ints,
    equal_runs,
    pyarrow,
    python_text_as_arrow,
)
from kpiscore.engine.columnar._objects import date_days, pointers
from kpiscore.exceptions import InputError, InputErrorGroup
from kpiscore.io.documents import _shown
from kpiscore.io.fact_files import _CellError, _date, _flag, _number, _quantity, _text
from kpiscore.model.numbers import to_decimal
from kpiscore.model.rules import MAX_LISTED
from kpiscore.model.text import lone_surrogate

__all__ = ["NOTED", "Problems", "convert", "read_days", "row_name"]

_T = TypeVar("_T")

#: What a problem's row is called: the frame's index (the labels a notebook shows).
Labels = pd.Index


class Problems:
    """Every problem found in the frames of one call, raised together by :meth:`raise_all`.

    Only the first :data:`~kpiscore.model.rules.MAX_LISTED` are kept (and their messages
    built); the others are counted, so a million bad rows cost no million messages.
    """

    def __init__(self) -> None:
        self.listed: list[InputError] = []
        self.count = 0
        #: The frame being read (0 people, 1 events, 2 measures): problems are raised in
        #: order of frame, then row.
        self.frame = 0
        self._keys: list[tuple[int, int]] = []
        #: Row positions of the current frame with a problem (arrays, in the order found).
        self.marked: list[Ints] = []

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, error: InputError, position: int | None = None) -> None:
        """One problem, of the row at ``position`` when it has one (listed after the rows)."""
        self.count += 1
        if position is not None:
            self.marked.append(np.array([position], dtype=np.int64))
        if len(self.listed) < MAX_LISTED:
            self.listed.append(error)
            self._keys.append((self.frame, sys.maxsize if position is None else position))

    def bad_rows(self, size: int, since: int = 0) -> npt.NDArray[np.bool_]:
        """Which of ``size`` rows have a problem marked (from mark ``since`` on)."""
        bad = np.zeros(size, dtype=bool)
        for rows in self.marked[since:]:
            bad[rows] = True
        return bad

    def uncounted(self, count: int) -> None:
        """Count ``count`` more problems without listing them (past the limit)."""
        self.count += count

    def rows(
        self,
        rows: Ints,
        message: Callable[[int], str],
        kind: type[InputError] = InputError,
    ) -> None:
        """One problem per row position in ``rows`` (in order); ``message(position)`` is only
        called for the rows listed."""
        room = max(MAX_LISTED - len(self.listed), 0)
        for position in rows[:room].tolist():
            self.listed.append(kind(message(position)))
            self._keys.append((self.frame, position))
        self.count += len(rows)
        if len(rows):
            self.marked.append(np.asarray(rows, dtype=np.int64))

    def raise_all(self) -> None:
        """Raise the problem itself when alone, an :class:`InputErrorGroup` when several."""
        if not self.count:
            return
        order = sorted(range(len(self.listed)), key=self._keys.__getitem__)  # stable
        self.listed = [self.listed[i] for i in order]
        self._keys = [self._keys[i] for i in order]
        if self.count == 1:
            raise self.listed[0]
        message = f"score_frame: {self.count} problems in the frames"
        if self.count > len(self.listed):
            more = self.count - len(self.listed)
            message += f" (the first {len(self.listed)} listed, … and {more} more)"
        raise InputErrorGroup(message, self.listed)


def row_name(what: str, labels: Labels, position: int) -> str:
    """``"events row 7"`` (or ``"events row 'e7'"``): the row's index label, as shown."""
    label = labels[position]
    if isinstance(label, int | np.integer):
        return f"{what} row {int(label)}"
    return f"{what} row {label!r}"


def is_missing(value: object) -> bool:
    """A blank cell as pandas holds one: ``None``, ``NaN``, ``NaT``, ``pd.NA``, empty text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


# --------------------------------------------------------------------------- distinct values


def arrow_strings(values: pd.Series | pd.Index) -> ArrowArray:
    """The pyarrow array behind a pandas string column or index, or ``None``."""
    array = getattr(values, "array", values)
    if _arrow_text(array.dtype):
        pa, _ = pyarrow()
        result = pa.array(array)  # pandas hands over its Arrow data without copying
        # A column pandas concatenated (or read in blocks) comes in chunks: one array is simpler.
        result = result.combine_chunks() if hasattr(result, "combine_chunks") else result
        if result.type == pa.string_view():
            result = result.cast(pa.large_string())
        return result
    return None


def _arrow_text(dtype: object) -> bool:
    """Whether ``dtype`` is text held by Arrow: ``string[pyarrow]`` (pandas 3's ``str``), or
    an :class:`pandas.ArrowDtype` of strings (plain, large, views, or a dictionary of them).
    Not any other ``ArrowDtype``: under pandas 3 every one says its storage is ``"pyarrow"``,
    and ``int64[pyarrow]`` ids must be refused per row as NumPy integers are."""
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if not isinstance(dtype, pd.ArrowDtype):
        return False
    pa, _ = pyarrow()
    kind = dtype.pyarrow_dtype
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def factorize(
    column: pd.Series, problems: Problems, name: Callable[[int], str], field: str, expected: str
) -> tuple[Codes, list[object]]:
    """(code per row, -1 when missing; the distinct values). An unhashable cell is a problem
    of its row (and reads as missing from then on)."""
    objects = _python_cells(column)
    if objects is not None:  # each distinct *object* hashed once, by value, then spread back
        same = same_objects(objects)
        try:
            value_codes, values = _distinct_values(objects if same is None else same[1])
        except TypeError:
            pass  # an unhashable cell: found and named row by row just below
        else:
            return (value_codes if same is None else value_codes.take(same[0])), values
    arrow = arrow_strings(column)
    coded = None if arrow is None else _arrow_codes(arrow)
    if coded is not None:
        return coded
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:
        cells = column.tolist()
        bad = []
        for position, value in enumerate(cells):
            try:
                hash(value)
            except TypeError:
                bad.append(position)
                cells[position] = NOTED
        problems.rows(
            np.asarray(bad, dtype=np.int64),
            lambda p: f"{name(p)}: {field} must be {expected} (got {_shown(column.iloc[p])})",
        )
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    # An object array's tolist() keeps its objects (a NumPy float32 among them stays one).
    return codes.astype(np.int64, copy=False), uniques.tolist()


def _arrow_codes(array: ArrowArray) -> tuple[Codes, list[object]] | None:
    """(code per row, distinct values) of Arrow text without nulls, numbered as
    ``pd.factorize`` numbers them (in order of first appearance): every row looked up among
    the distinct values of the first rows (pyarrow's ``index_in`` against a handful of kinds
    takes about half the time of hashing every row into a growing table), the rows not among
    them hashed after. ``None`` when there are nulls, or the first rows are mostly distinct
    (nothing to gain)."""
    _, pc = pyarrow()
    if array.null_count or not len(array):
        return None
    known = pc.unique(array.slice(0, _SAMPLE))  # in order of first appearance
    if 8 * len(known) > min(len(array), _SAMPLE):
        return None
    found = pc.index_in(array, value_set=known)
    codes = arrow_ints(pc.fill_null(found, -1) if found.null_count else found).astype(np.int64)
    values: list[object] = known.to_pylist()
    if found.null_count:  # values first met past the first rows: numbered after those
        later = np.flatnonzero(codes < 0)
        encoded = array.take(later).dictionary_encode()
        codes[later] = arrow_ints(encoded.indices).astype(np.int64) + len(values)
        values += encoded.dictionary.to_pylist()
    return codes, values


def _distinct_values(cells: npt.NDArray[np.object_]) -> tuple[Codes, list[object]]:
    """(code per cell, -1 when missing; the distinct values in order of first appearance);
    TypeError for an unhashable cell. Text is hashed by pandas too: measured with pandas 3.1,
    that is as fast as converting the strings to Arrow and hashing them there, or faster
    (1.6 M fresh strings of 18 kinds: 54 ms against 95 ms)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    # An object array's tolist() keeps its objects (a NumPy float32 among them stays one).
    return codes.astype(np.int64, copy=False), uniques.tolist()


def _python_cells(column: pd.Series) -> npt.NDArray[np.object_] | None:
    """The Python objects of an object or ``string[python]`` column, or ``None``."""
    dtype = column.dtype
    if (isinstance(dtype, np.dtype) and dtype.kind == "O") or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    ):
        cells: npt.NDArray[np.object_] = column.to_numpy(dtype=object)
        return cells
    return None


def same_objects(cells: npt.NDArray[np.object_]) -> tuple[Codes, npt.NDArray[np.object_]] | None:
    """(code per cell, one cell per distinct object): cells that are the very same Python
    object share a code. ``None`` outside CPython, or when the first cells are mostly
    distinct objects (there is nothing to gain).

    An object array holds pointers to its objects; the very same pointer is the very same
    object, so grouping the pointers (plain integers, hashed by NumPy/pandas without calling
    Python) finds the repeated objects of a column at a fraction of the cost of hashing each
    cell's value. pandas' ``read_csv`` and ``Categorical.astype(object)`` give the same string
    object to every cell of equal text; runs of one object (rows grouped by person) are
    grouped before hashing. Equal values held by different objects get different codes here:
    the caller hashes the distinct objects by value.
    """
    found = pointers(cells)
    if found is None:
        return None
    sample = found[:_SAMPLE]
    if 2 * len(set(sample.tolist())) > len(sample) > 64:
        return None  # mostly distinct objects (dates from ``.dt.date``): no gain, only cost
    runs = equal_runs(found)
    if runs is not None:  # long runs: one pointer per run is hashed
        starts, lengths = runs
        run_codes, distinct = pd.factorize(found.take(starts))
        codes = np.repeat(run_codes.astype(np.int64, copy=False), lengths)
        first = starts.take(_first_of(run_codes, len(distinct)))
    else:
        codes, distinct = pd.factorize(found)
        codes = codes.astype(np.int64, copy=False)
        first = _first_of(codes, len(distinct))
    return codes, cells.take(first)


def object_runs(cells: npt.NDArray[np.object_]) -> tuple[Ints, Ints] | None:
    """(start, length) of each run of cells that are the very same object, when the runs are
    long (rows grouped by person: a cell per run stands for its rows); ``None`` when they
    are not, or outside CPython. Neighbouring pointers are compared, nothing is hashed."""
    found = pointers(cells)
    return None if found is None else equal_runs(found)


#: How many cells :func:`same_objects` looks at to decide whether objects repeat.
_SAMPLE: Final = 4096


def _first_of(codes: Codes, count: int) -> Ints:
    """Where each of ``count`` codes first appears, for codes numbered in order of first
    appearance (as ``pd.factorize`` numbers them, none missing): where the running maximum
    goes up. Searched in a growing prefix, as a column's few distinct values (kinds, units)
    all appear within its first rows: the rest of a long column is not read."""
    size = _SAMPLE
    while True:
        head = codes[:size]
        reached = np.maximum.accumulate(head) if len(head) else head
        if size >= len(codes) or int(reached[-1]) >= count - 1:
            break
        size *= 8
    return np.flatnonzero(np.diff(reached, prepend=-1) > 0).astype(np.int64)


def _python_text(column: pd.Series) -> ArrowArray:
    """A column of Python strings (object or ``string[python]``) as a pyarrow array, or
    ``None`` (not that kind of column, not all text, or no pyarrow)."""
    dtype = column.dtype
    if (isinstance(dtype, np.dtype) and dtype.kind == "O") or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    ):
        return python_text_as_arrow(column.to_numpy(dtype=object))
    return None


class _Noted:
    def __repr__(self) -> str:
        return "<noted>"


#: What an unhashable cell reads as once its problem is noted (so it is not noted twice).
NOTED: Final = _Noted()


class Bad(Exception):  # noqa: N818 - a cell's problem, not an error raised to callers
    """A distinct value cannot be read; ``str()`` is what follows the row's name."""


def convert(
    column: pd.Series,
    problems: Problems,
    name: Callable[[int], str],
    field: str,
    read: Callable[[object], _T],
    *,
    default: _T,
    required: bool = False,
    expected: str,
    refused: str | None = None,
    kind: type[InputError] = InputError,
) -> tuple[Codes, list[_T]]:
    """(code per row, distinct converted values): each distinct cell read once by ``read``,
    which raises :class:`Bad`.

    A blank cell takes ``default``, unless the column is ``required``: then a missing cell
    is a problem ("is missing; expected …") and blank text goes to ``read`` (which says what
    it expected). A bad cell's rows read ``default`` once their problem is noted, so the
    reading goes on to find the others. An unhashable cell "must be ``refused``" (by
    default ``expected``).
    """
    codes, uniques = factorize(column, problems, name, field, refused or expected)
    values: list[_T] = []
    for code, raw in enumerate(uniques):
        if raw is NOTED or (not required and is_missing(raw)):
            values.append(default)
            continue
        try:
            values.append(read(raw))
        except Bad as reason:
            rows = np.flatnonzero(codes == code)
            said = str(reason) if str(reason).startswith(":") else f" {reason}"
            problems.rows(rows, _said(name, f"{field}{said}"), kind)
            values.append(default)
    if len(codes) and codes.min() < 0:
        blank = codes < 0
        if required:
            problems.rows(
                np.flatnonzero(blank),
                lambda p: f"{name(p)}: {field} is missing; expected {expected}",
                kind,
            )
        values.append(default)
        codes = np.where(blank, len(values) - 1, codes)
    return codes, values


def _said(name: Callable[[int], str], what: str) -> Callable[[int], str]:
    return lambda position: f"{name(position)}: {what}"


def _cell(read: Callable[[object, str], _T], value: str, field: str) -> _T:
    try:
        return read(value, field)
    except _CellError as error:
        raise Bad(f": {error}") from None


def text(field: str, expected: str) -> Callable[[object], str]:
    """A text cell as a file's: trimmed, NFC (blank is missing, caught before); a lone
    surrogate (which no file holds, but a frame's Python string may) is refused, as
    :class:`~kpiscore.Person` and :class:`~kpiscore.Event` refuse it."""

    def read(raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise Bad(f"must be {expected} (got {_shown(raw)})")
        surrogate = None if raw.isascii() else lone_surrogate(raw)
        if surrogate is not None:
            raise Bad(f"holds {surrogate} (got {raw!r})")
        return _cell(_text, raw, field)

    return read


def number(
    field: str,
    *,
    percent: bool = False,
    minimum: bool = False,
    narrow: type[np.floating] | None = None,
) -> Callable[[object], Decimal]:
    """A number cell: text as a file's cell (``"90%"`` is 0.9 where ``percent``), others
    exactly: a float through its shortest repr in its own precision (``narrow``, the float
    type of a ``float32`` or ``float16`` column, whose distinct values come as doubles)."""
    read_text = _quantity if minimum else _number

    def read(raw: object) -> Decimal:
        if isinstance(raw, str):
            stripped = raw.strip()
            if percent and stripped.endswith("%"):
                return _cell(_number, stripped[:-1], field).scaleb(-2)
            return _cell(read_text, raw, field)
        if isinstance(raw, bool | np.bool_):
            raise Bad(f"must be a number, not a bool (got {raw!r})")
        try:
            value = to_decimal(_exact(raw, narrow), owner="", field=field)
        except InputError as error:
            raise Bad(str(error).removeprefix(f": {field} ")) from None
        if minimum and value < 0:
            raise Bad(f"must be >= 0 (got {value!r})")
        return value

    return read


def _exact(raw: object, narrow: type[np.floating] | None) -> object:
    """A number as :func:`to_decimal` takes it: a float of less than double precision (in its
    own column type, or a NumPy scalar among objects) as its shortest text *in that
    precision* (a ``float32`` 0.7 is 0.7)."""
    if isinstance(raw, np.floating) and raw.dtype.itemsize < 8 and np.isfinite(raw):
        return np.format_float_positional(raw, unique=True, trim="-")
    if narrow is not None and isinstance(raw, float) and math.isfinite(raw):
        return np.format_float_positional(narrow(raw), unique=True, trim="-")
    return raw.item() if isinstance(raw, np.generic) else raw


def flag(raw: object) -> bool:
    """An ``excused`` cell: a bool, a file's word, or the 1/0 ``read_csv`` makes of ``1``/``0``."""
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if isinstance(raw, int | float | np.integer | np.floating) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        try:
            return _flag(raw, "excused")
        except _CellError:
            pass
    raise Bad(
        f": expected true or false (also yes/no, 1/0, có/không, or empty) (got {_shown(raw)})"
    )


# --------------------------------------------------------------------------- dates

_PER_DAY: Final = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000}
_EXPECTED_DAY: Final = "a date (datetime64 at midnight, datetime.date, or DD/MM/YYYY or ISO text)"


def _day(raw: object) -> _dt.date:
    if isinstance(raw, str):
        return _cell(_date, raw, "on")
    if isinstance(raw, _dt.datetime) or not isinstance(raw, _dt.date):
        raise Bad(f"must be {_EXPECTED_DAY} (got {type(raw).__name__} {_shown(raw)})")
    return raw


def read_days(
    column: pd.Series, what: str, labels: Labels, problems: Problems
) -> tuple[Codes | None, Days]:
    """The dates of ``on``: ``(None, day per row)`` from date types, or ``(code per row,
    distinct days)`` from objects and text. A time of day, a time zone or a missing date is a
    problem (a time zone would change which period an event falls in)."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M":
        if getattr(dtype.pyarrow_dtype, "tz", None) is not None:
            dtype = pd.DatetimeTZDtype(tz="UTC")  # refused just below
        else:
            return None, _numpy_days(_arrow_datetimes(column), column, what, labels, problems)
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"{what}: column 'on' holds time-zone-aware datetimes; expected dates (a time zone"
            " would change which period an event falls in)"
        )
    if dtype.kind == "M":
        return None, _numpy_days(column.to_numpy(), column, what, labels, problems)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        exact = date_days(column.to_numpy())  # every cell a datetime.date: read in bulk
        if exact is not None:
            return None, exact
    codes, days = convert(
        column,
        problems,
        lambda p: row_name(what, labels, p),
        "on",
        _day,
        default=_dt.date(1970, 1, 1),
        required=True,
        expected="a date",
    )
    return codes, np.array(days, dtype="datetime64[D]")


def _arrow_datetimes(column: pd.Series) -> Days:
    """An Arrow ``date32``/``date64``/``timestamp`` column as NumPy datetimes of its own unit,
    without pandas' conversion (which goes through Python objects); NaT where null."""
    pa, pc = pyarrow()
    array = pa.array(column.array)
    array = array.combine_chunks() if hasattr(array, "combine_chunks") else array
    kind = array.type
    if pa.types.is_date32(kind):
        ticks, unit = array.cast(pa.int32()), "D"
    elif pa.types.is_date64(kind):
        ticks, unit = array.cast(pa.int64()), "ms"
    else:
        ticks, unit = array.cast(pa.int64()), kind.unit
    nulls = array.null_count
    values = arrow_ints(pc.fill_null(ticks, 0) if nulls else ticks).astype(np.int64)
    if nulls:
        values[np.asarray(pc.is_null(array).to_numpy(zero_copy_only=False))] = np.iinfo(
            np.int64
        ).min
    return values.view(f"datetime64[{unit}]")


def _numpy_days(
    values: Days, column: pd.Series, what: str, labels: Labels, problems: Problems
) -> Days:
    unit, count = np.datetime_data(values.dtype)
    if count != 1 or (unit not in _PER_DAY and unit not in ("us", "ns")):
        values = values.astype("datetime64[ns]")
        unit = "ns"
    per_day = _PER_DAY.get(unit, 86_400 * 10 ** {"us": 6, "ns": 9}.get(unit, 9))
    ticks = values.view(np.int64)
    whole = unit == "D"  # days already (Arrow's date32): nothing to divide, no time of day
    # not np.divmod: NumPy divides by a constant faster with //
    days: Ints = ticks if whole else ticks // per_day
    remainder = None if whole else ticks - days * per_day
    if len(ticks) and ticks.min() == np.iinfo(np.int64).min:  # NaT
        missing = np.isnat(values)
        problems.rows(
            np.flatnonzero(missing),
            lambda p: f"{row_name(what, labels, p)}: on is missing; expected a date",
        )
        days = np.where(missing, 0, days)
        if remainder is not None:
            remainder[missing] = 0
    if remainder is not None and remainder.any():
        problems.rows(
            np.flatnonzero(remainder),
            lambda p: (
                f"{row_name(what, labels, p)}: on has a time of day ({column.iloc[p]});"
                " expected a date"
            ),
        )
    return days.view("datetime64[D]")
