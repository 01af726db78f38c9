"""The columnar engine: a whole workforce scored with integer arrays, exactly.

``score_frame`` reads facts from pandas DataFrames and computes every figure with NumPy integer
arithmetic scaled to a power of ten fine enough for every input, reproducing the policy's
rounding mode exactly (floor division plus the mode's rule, ties recognised exactly). The
results are identical to the exact engine's; each person's scorecard, with its ledger, is built
by the exact engine only when it is asked for.

What it does not vectorise it hands to the exact engine, and the table's ``notes`` say so:
people with a measure excluded under ``missing="exclude"`` (their category renormalises), and a
whole population whose scaled figures could overflow 64-bit integers.

NumPy and pandas are the optional extra ``kpiscore[pandas]``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kpiscore._extras import require
from kpiscore.engine.exact import (
    _check_measure,
    _check_policy,
    _Compiled,
    _score_one,
    score_many,
)
from kpiscore.exceptions import InputError, MissingInputError, UnknownSubjectError
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import EXACT, exact, to_decimal
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable

if TYPE_CHECKING:
    pass

__all__ = ["score_frame"]

# Scaled figures must stay well inside int64; past this bound the exact engine takes over.
_SAFE = 2**62
_PERSON_FIELDS = ("id", "name", "unit", "group", "position")
# A cell the csv module quotes (it holds the separator, a quote or a line break).
_CSV_SPECIAL = re.compile(r'[,"\r\n]')
# In ids joined by NUL (and led by one): one starting like a spreadsheet formula.
_FORMULA_AFTER_NUL = re.compile(r"\x00[=+\-@\t\r\n]")


def score_frame(
    policy: Policy,
    period: Period | str,
    people: Any,
    events: Any,
    measures: Any = None,
) -> ScoreTable:
    """Score a whole population from DataFrames with the columnar engine.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label).
        people: A DataFrame with an ``id`` column (and optionally ``name``, ``unit``, ``group``,
            ``position``), or a sequence of :class:`Person` or id strings.
        events: A DataFrame with columns ``subject, kind, on`` and optionally ``quantity``
            (default 1) and ``excused`` (default False); ``on`` holds dates (``datetime64`` at
            midnight, or ``datetime.date`` objects).
        measures: A DataFrame with columns ``subject, criterion, value``, or ``None``.

    Returns:
        A :class:`ScoreTable` whose totals, ratings and rows come from the columns, and whose
        scorecards (with ledgers) are built by the exact engine when read. ``table.notes`` says
        what, if anything, was handed to the exact engine.

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``).
        InputError: a bad column or value, naming the frame, the row and the column.
        UnknownSubjectError: a fact names someone outside the population.
        MissingInputError, PeriodError: as for :func:`kpiscore.score`.

    >>> import pandas as pd
    >>> from kpiscore import Category, Criterion, Deduction, Policy, score_frame
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="training", name="Training", max_points=15,
    ...               deductions=[Deduction(on="training_absence", points=2)])])])
    >>> events = pd.DataFrame({"subject": ["a", "a", "b"], "kind": ["training_absence"] * 3,
    ...                        "on": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-04-01"])})
    >>> table = score_frame(policy, "2026-Q1", pd.DataFrame({"id": ["a", "b"]}), events)
    >>> table.totals()
    (Decimal('11.00'), Decimal('15.00'))
    >>> table["a"].criterion("training").rules[0].requested
    Decimal('-4')
    """
    pd = require("pandas", "pandas")
    np = require("numpy", "pandas")
    policy = _check_policy(policy)
    period = as_period(period)
    policy.check_period(period)
    persons = _people(pd, people)
    index = _Population(np, persons.ids, persons.arrow_ids)
    if index.duplicate is not None:
        raise InputError(
            f"people: person id {index.duplicate!r} appears twice; expected unique ids"
        )
    compiled = _Compiled(policy)
    facts = _EventColumns.read(pd, np, events, index, period)
    measure_columns = _MeasureColumns.read(pd, np, measures, index, compiled)
    return score_columns(policy, period, persons, facts, measure_columns, compiled=compiled)


def score_columns(
    policy: Policy,
    period: Period,
    people: _People,
    events: _EventColumns,
    measures: _MeasureColumns,
    *,
    compiled: _Compiled,
) -> ScoreTable:
    """Score facts already read into columns (by :func:`score_frame` or the CSV fast path)."""
    np = require("numpy", "pandas")
    columns = _Figures(compiled, period, people, events, measures)
    with exact():
        columns.compute(np)
    return ScoreTable(policy=policy, period=period, columns=columns, notes=columns.notes)


# --------------------------------------------------------------------------- reading


class _People:
    """The population: ids checked up front, :class:`Person` objects built only when needed.

    Each attribute given is held as (code per person, -1 when missing; its distinct values,
    already read as a :class:`Person` reads them).
    """

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.coded: dict[str, tuple[Any, list[str | None]]] = {}
        self.built: dict[int, Person] = {}
        self.arrow_ids: Any = None  # the ids as a pyarrow array, when they came as one

    def __len__(self) -> int:
        return len(self.ids)

    def value(self, field: str, position: int) -> str | None:
        coded = self.coded.get(field)
        if coded is None:
            return None
        code = int(coded[0][position])
        return None if code < 0 else coded[1][code]

    def codes(self, np: Any, field: str) -> tuple[Any, list[str | None]]:
        """(code per person, distinct values as :meth:`value` reads them); -1 is missing."""
        coded = self.coded.get(field)
        if coded is None:
            return np.full(len(self.ids), -1, dtype=np.int64), []
        return coded

    def person(self, position: int) -> Person:
        built = self.built.get(position)
        if built is None:
            fields = {field: self.value(field, position) for field in _PERSON_FIELDS[1:]}
            try:
                built = Person(id=self.ids[position], **fields)
            except InputError as error:
                raise InputError(f"people row {position}: {error}") from None
            self.built[position] = built
        return built

    def persons(self) -> list[Person]:
        return [self.person(i) for i in range(len(self.ids))]


class _Population:
    """Population positions by id, looked up once per distinct subject.

    Ids held by pyarrow (pandas' Arrow-backed strings, or the CSV fast path) are looked up
    with pyarrow's hash join; others through one dict, built on first use.
    """

    def __init__(self, np: Any, ids: list[str], arrow: Any = None) -> None:
        self._np = np
        self.ids = ids
        self._arrow = arrow  # the ids as a pyarrow array (NFC, as in ``ids``), if given
        self._positions: dict[str, int] | None = None
        self.duplicate: str | None = None
        if arrow is not None:
            pc = require("pyarrow.compute", "arrow")
            # Ids in increasing order are unique; only others need hashing.
            ordered = len(ids) < 2 or pc.all(pc.less(arrow[:-1], arrow[1:])).as_py()
            unique = ordered or pc.count_distinct(arrow).as_py() == len(ids)
        else:
            unique = len(self.positions) == len(ids)
        if not unique:
            seen: set[str] = set()
            for value in ids:
                if value in seen:
                    self.duplicate = value
                    break
                seen.add(value)

    def arrow(self, pa: Any) -> Any:
        """The ids as a pyarrow array."""
        if self._arrow is None:
            self._arrow = _arrow_text(pa, self._np, self.ids)
        return self._arrow

    @property
    def positions(self) -> dict[str, int]:
        if self._positions is None:
            self._positions = dict(zip(self.ids, range(len(self.ids)), strict=False))
        return self._positions

    def get_indexer(self, values: Sequence[Any]) -> Any:
        """Each value's position, or -1 for a value outside the population."""
        np = self._np
        if len(values) == len(self.ids) and values == self.ids:
            return np.arange(len(values), dtype=np.int64)
        try:
            return np.fromiter(
                map(self.positions.__getitem__, values), dtype=np.int64, count=len(values)
            )
        except (KeyError, TypeError):  # someone outside (or an unhashable cell): mark it -1
            get = self.positions.get
            return np.array([_get_or_missing(get, v) for v in values], dtype=np.int64)

    def get_indexer_arrow(self, values: Any) -> Any:
        """:meth:`get_indexer` for a pyarrow string array (text not in NFC is normalised)."""
        np = self._np
        pc = require("pyarrow.compute", "arrow")
        if values.null_count or not pc.all(pc.string_is_ascii(values)).as_py():
            return self.get_indexer(_nfc_list(values.to_pylist()))
        ids = self.arrow(require("pyarrow", "arrow"))
        if ids.type != values.type:
            ids = ids.cast(values.type)
        if len(values) == len(ids) and pc.all(pc.equal(values, ids)).as_py():
            return np.arange(len(values), dtype=np.int64)
        found = pc.fill_null(pc.index_in(values, value_set=ids), -1)
        return _arrow_ints(np, found).astype(np.int64)


def _nfc_list(values: list[Any]) -> list[Any]:
    return [
        unicodedata.normalize("NFC", v) if isinstance(v, str) and not v.isascii() else v
        for v in values
    ]


def _arrow_text(pa: Any, np: Any, values: Sequence[str]) -> Any:
    """Python strings as a pyarrow string array (``large_string`` past 2 GiB), built from its
    buffers.

    ``pyarrow.array`` imports pandas to look for pandas objects among the values, which costs
    a command-line run more than the conversion itself.
    """
    encoded = [value.encode("utf-8", "surrogatepass") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(data) for data in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    if offsets[-1] < 2**31:
        kind, offsets = pa.StringArray, offsets.astype(np.int32)
    else:  # pragma: no cover - 2 GiB of text
        kind = pa.LargeStringArray
    return kind.from_buffers(len(encoded), pa.py_buffer(offsets), data)


def _arrow_ints(np: Any, values: Any) -> Any:
    """A pyarrow integer array or chunked array without nulls as one NumPy array.

    Read through the buffer protocol: pyarrow's own ``to_numpy`` imports pandas on first use,
    which costs a command-line run more than the conversion itself.
    """
    chunks = values.chunks if hasattr(values, "chunks") else [values]
    parts = []
    for chunk in chunks:
        if chunk.null_count:  # pragma: no cover - callers fill or refuse nulls first
            raise AssertionError("columnar engine: an integer column with nulls")
        dtype = np.dtype(f"int{chunk.type.bit_width}")
        parts.append(
            np.frombuffer(
                chunk.buffers()[1],
                dtype=dtype,
                count=len(chunk),
                offset=chunk.offset * dtype.itemsize,
            )
        )
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _arrow_strings(pd: Any, values: Any) -> Any:
    """The pyarrow array behind a pandas string column or index, or ``None``."""
    array = getattr(values, "array", values)
    dtype = array.dtype
    if getattr(dtype, "storage", None) == "pyarrow" or (
        isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) in ("string", "large_string")
    ):
        pa = require("pyarrow", "arrow")
        result = pa.array(array)  # pandas hands over its Arrow data without copying
        # A column pandas concatenated (or read in blocks) comes in chunks: one array is simpler.
        return result.combine_chunks() if hasattr(result, "combine_chunks") else result
    return None


def _attribute_codes(pd: Any, np: Any, column: Any, field: str) -> tuple[Any, list[str | None]]:
    """An attribute column as (code per person, distinct texts), each distinct value checked
    once as :class:`Person` checks it: missing is ``None``, a number is written as text, text
    is NFC; blank text is an error, as it is for a ``Person``."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values: list[str | None] = []
    for position, raw in enumerate(uniques.tolist()):
        text = raw if isinstance(raw, str) else str(raw)
        if not text.strip():
            row = int(np.flatnonzero(codes == position)[0])
            raise InputError(f"people row {row}: {field} must not be empty (got {raw!r})")
        values.append(unicodedata.normalize("NFC", text))
    return codes, values


def _get_or_missing(get: Any, value: Any) -> int:
    try:
        return int(get(value, -1))
    except TypeError:
        return -1


def _people(pd: Any, people: Any) -> _People:
    np = require("numpy", "pandas")
    if isinstance(people, pd.DataFrame):
        if "id" not in people.columns:
            raise InputError(
                f"people: the frame has no 'id' column (columns: {list(people.columns)!r})"
            )
        unknown = [c for c in people.columns if c not in _PERSON_FIELDS]
        if unknown:
            raise InputError(
                f"people: unknown column(s) {unknown!r}; expected {list(_PERSON_FIELDS)!r}"
            )
        ids = people["id"].tolist()
        try:  # str.strip refuses anything but text, and an id of blanks strips to ""
            valid = all(map(str.strip, ids))
        except TypeError:
            valid = False
        if not valid:
            row, value = next(
                (row, value)
                for row, value in enumerate(ids)
                if not isinstance(value, str) or not value.strip()
            )
            if _is_missing(pd, value):
                raise InputError(f"people row {row}: id is missing; expected a non-empty string")
            raise InputError(f"people row {row}: id must be a non-empty string (got {value!r})")
        arrow = None
        if not all(map(str.isascii, ids)):
            ids = [unicodedata.normalize("NFC", value) for value in ids]
        else:
            arrow = _arrow_strings(pd, people["id"])
        result = _People(ids)
        result.arrow_ids = arrow
        for field in _PERSON_FIELDS[1:]:
            if field in people.columns:
                result.coded[field] = _attribute_codes(pd, np, people[field], field)
        return result
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        raise InputError(
            f"people must be a DataFrame or a sequence of Person or ids (got {people!r})"
        )
    persons = [p if isinstance(p, Person) else Person(id=p) for p in people]
    result = _People([p.id for p in persons])
    for field in _PERSON_FIELDS[1:]:  # a Person's attributes are already None or NFC text
        values = [getattr(person, field) for person in persons]
        seen: dict[str, int] = {}
        codes = [-1 if v is None else seen.setdefault(v, len(seen)) for v in values]
        result.coded[field] = (np.asarray(codes, dtype=np.int64), list(seen))
    result.built = dict(enumerate(persons))
    return result


def _is_missing(pd: Any, value: object) -> bool:
    return value is None or (isinstance(value, float) and bool(pd.isna(value)))


def _column(frame: Any, name: str, what: str, default: object = None) -> Any:
    if name in frame.columns:
        return frame[name]
    if default is not None:
        return None
    raise InputError(f"{what}: the frame has no {name!r} column (columns: {list(frame.columns)!r})")


def _subject_positions(pd: Any, np: Any, subjects: Any, index: Any, what: str) -> Any:
    """Population positions of a subject column (categorical columns looked up per category)."""
    if isinstance(subjects.dtype, pd.CategoricalDtype):
        categories = subjects.cat.categories
        positions = _from_codes(pd, np, subjects.cat.codes.to_numpy(), categories, index)
    else:
        arrow = _arrow_strings(pd, subjects)
        if arrow is not None:  # Arrow-backed strings: looked up row by row in pyarrow
            positions = index.get_indexer_arrow(arrow)
        else:
            codes, uniques = pd.factorize(subjects, use_na_sentinel=True)
            positions = _from_codes(pd, np, codes, uniques, index)
    if len(positions) and positions.min() < 0:
        row = int(np.flatnonzero(positions < 0)[0])
        raise UnknownSubjectError(
            f"{what} row {row}: subject {subjects.iloc[row]!r} is not in the population scored"
        )
    return positions


def _from_codes(pd: Any, np: Any, codes: Any, uniques: Any, index: _Population) -> Any:
    """Positions of coded subjects: each distinct subject looked up once (-1 for a code of
    -1, a missing cell)."""
    arrow = _arrow_strings(pd, uniques)
    if arrow is not None:
        lookup = index.get_indexer_arrow(arrow)
    else:
        lookup = index.get_indexer(_nfc_list(uniques.tolist()))
    if len(codes) and codes.min() < 0:
        return np.where(codes >= 0, lookup.take(np.maximum(codes, 0)), -1)
    return lookup.take(codes)


def _exact_values(
    pd: Any, np: Any, column: Any, what: str, field: str, *, minimum: Decimal | None = None
) -> tuple[Any, list[Decimal]]:
    """(codes, distinct exact values) of a numeric column: each distinct value converted once.

    Floats convert through their shortest repr, text and Decimals exactly; NaN, infinities,
    booleans and text that is not a number are errors naming the row.
    """
    if column.dtype == bool:
        raise InputError(f"{what}: column {field!r} must hold numbers, not booleans")
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if len(codes) and codes.min() < 0:
        row = int(np.flatnonzero(codes < 0)[0])
        raise InputError(f"{what} row {row}: {field} is missing; expected a number")
    values: list[Decimal] = []
    for position, raw in enumerate(uniques.tolist()):
        value = raw.item() if hasattr(raw, "item") else raw
        try:
            converted = to_decimal(value, owner=what, field=field)
        except InputError as error:
            row = int(np.flatnonzero(codes == position)[0])
            raise InputError(f"{what} row {row}: {error}") from None
        if minimum is not None and converted < minimum:
            row = int(np.flatnonzero(codes == position)[0])
            raise InputError(f"{what} row {row}: {field} must be >= {minimum} (got {converted!r})")
        values.append(converted)
    return codes, values


def _units(value: Decimal, scale: int) -> int:
    """``value × 10^scale`` as an int; the scale was chosen so this is exact — checked."""
    scaled = value.scaleb(scale, EXACT)
    integral = scaled.to_integral_value(context=EXACT)
    if scaled != integral:  # pragma: no cover - the scale covers every input's places
        raise AssertionError(f"columnar engine: {value} is not a multiple of 10^-{scale}")
    return int(integral)


def _total(np: Any, columns: list[Any]) -> Any:
    """The sum of some columns, or ``None`` for none."""
    if not columns:
        return None
    total = columns[0]
    for column in columns[1:]:
        total = total + column
    return total


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class _EventColumns:
    """The events frame, checked, as arrays; only rows inside the period are kept for scoring."""

    def __init__(self) -> None:
        self.frame: Any = None
        self.subject: Any = None  # population position per row (all rows)
        self.kind_codes: Any = None
        self.kinds: list[str] = []
        self.quantity_codes: Any = None
        self.quantities: list[Decimal] = []
        self.excused: Any = None
        self._day: Any = None  # numpy datetime64[D]
        # Or, from a file: a code per row into the distinct days (expanded only if needed).
        self.day_codes: Any = None
        self.day_values: Any = None
        self.in_period: Any = None
        self.live: Any = None  # in the period and not excused
        self.refs: list[str | None] | None = None
        self.notes: list[str | None] | None = None

    @property
    def day(self) -> Any:
        """Each row's date (numpy ``datetime64[D]``)."""
        if self._day is None and self.day_codes is not None:
            self._day = self.day_values.take(self.day_codes)
        return self._day

    @day.setter
    def day(self, value: Any) -> None:
        self._day = value

    @classmethod
    def empty(cls, np: Any, period: Period) -> _EventColumns:
        """No events at all."""
        self = cls()
        self.subject = self.kind_codes = self.quantity_codes = np.zeros(0, dtype=np.int64)
        self.quantities = [Decimal(1)]
        self.excused = np.zeros(0, dtype=bool)
        self.day = np.zeros(0, dtype="datetime64[D]")
        self.limit_to(np, period)
        return self

    @classmethod
    def read(cls, pd: Any, np: Any, frame: Any, index: Any, period: Period) -> _EventColumns:
        self = cls()
        what = "events"
        if frame is None:
            frame = pd.DataFrame({"subject": [], "kind": [], "on": []})
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"events must be a pandas DataFrame (got {type(frame).__name__})")
        allowed = {"subject", "kind", "on", "quantity", "excused", "ref", "note"}
        unknown = [c for c in frame.columns if c not in allowed]
        if unknown:
            raise InputError(f"events: unknown column(s) {unknown!r}; expected {sorted(allowed)!r}")
        self.frame = frame
        self.subject = _subject_positions(pd, np, _column(frame, "subject", what), index, what)
        kind = _column(frame, "kind", what)
        codes, uniques = pd.factorize(kind, use_na_sentinel=True)
        if len(codes) and codes.min() < 0:
            row = int(np.flatnonzero(codes < 0)[0])
            raise InputError(f"events row {row}: kind is missing; expected a string")
        for position, value in enumerate(uniques.tolist()):
            if not isinstance(value, str) or not value.strip():
                row = int(np.flatnonzero(codes == position)[0])
                raise InputError(
                    f"events row {row}: kind must be a non-empty string (got {value!r})"
                )
        self.set_kinds(np, codes, [unicodedata.normalize("NFC", k) for k in uniques.tolist()])
        quantity = _column(frame, "quantity", what, default=1)
        if quantity is None:
            self.quantity_codes = np.zeros(len(frame), dtype=np.int64)
            self.quantities = [Decimal(1)]
        else:
            self.quantity_codes, self.quantities = _exact_values(
                pd, np, quantity, what, "quantity", minimum=Decimal(0)
            )
        excused = _column(frame, "excused", what, default=False)
        if excused is None:
            self.excused = np.zeros(len(frame), dtype=bool)
        else:
            if excused.dtype != bool:
                bad = [v for v in pd.unique(excused) if not isinstance(v, bool | np.bool_)]
                if bad:
                    row = int(
                        np.flatnonzero(excused.map(lambda v: not isinstance(v, bool | np.bool_)))[0]
                    )
                    raise InputError(
                        f"events row {row}: excused must be True or False (got {bad[0]!r})"
                    )
            self.excused = excused.to_numpy(dtype=bool)
        self.day = _days(pd, np, _column(frame, "on", what), what)
        self.refs = _optional_texts(frame, "ref", what)
        self.notes = _optional_texts(frame, "note", what)
        self.limit_to(np, period)
        return self

    def set_kinds(self, np: Any, codes: Any, kinds: list[str]) -> None:
        """Each row's kind, from codes into ``kinds``; kinds that read the same (in NFC, as
        an :class:`Event` reads them) share one code."""
        distinct = list(dict.fromkeys(kinds))
        remap = np.array([distinct.index(k) for k in kinds], dtype=np.int64)
        self.kinds = distinct
        self.kind_codes = remap.take(codes) if len(codes) else np.zeros(0, dtype=np.int64)

    def limit_to(self, np: Any, period: Period) -> None:
        """Mark the rows inside the period (the others are checked but not scored)."""
        start = np.datetime64(period.start, "D")
        end = np.datetime64(period.end, "D")
        if self._day is None and self.day_codes is not None:  # decided once per distinct day
            inside = (self.day_values >= start) & (self.day_values <= end)
            self.in_period = inside.take(self.day_codes)
        else:
            self.in_period = (self.day >= start) & (self.day <= end)
        self.live = self.in_period & ~self.excused  # the rows that count

    def events_of(self, rows: Any, ids: Sequence[str]) -> list[Event]:
        """Event objects for the given rows (for one person's exact scorecard)."""
        refs, notes = self.refs, self.notes
        result = []
        for row in rows.tolist():
            result.append(
                Event(
                    subject=ids[self.subject[row]],
                    kind=self.kinds[self.kind_codes[row]],
                    on=self.day[row].astype(_dt.date),
                    quantity=self.quantities[self.quantity_codes[row]],
                    excused=bool(self.excused[row]),
                    ref=None if refs is None else refs[row],
                    note=None if notes is None else notes[row],
                )
            )
        return result


def _optional_texts(frame: Any, name: str, what: str) -> list[str | None] | None:
    """An optional text column as a list of NFC strings or ``None`` (missing or empty)."""
    if name not in frame.columns:
        return None
    result: list[str | None] = []
    for row, value in enumerate(frame[name].tolist()):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            result.append(None)
        elif isinstance(value, str):
            result.append(unicodedata.normalize("NFC", value) if value.strip() else None)
        else:
            raise InputError(f"{what} row {row}: {name} must be text (got {value!r})")
    return result


def _days(pd: Any, np: Any, column: Any, what: str) -> Any:
    """Dates as numpy datetime64[D]; a time of day or a time zone is an error, not truncated."""
    if isinstance(column.dtype, pd.ArrowDtype) and column.dtype.kind == "M":
        if getattr(column.dtype.pyarrow_dtype, "tz", None) is None:  # Arrow dates, timestamps
            column = column.astype("datetime64[ns]")
        else:
            column = column.astype(pd.DatetimeTZDtype(tz="UTC"))  # refused just below
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"{what}: column 'on' holds time-zone-aware datetimes; expected dates (a time zone"
            " would change which period an event falls in)"
        )
    if column.dtype.kind == "M":
        values = column.to_numpy()
        unit, count = np.datetime_data(values.dtype)
        per_day = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000}.get(
            unit, 86_400 * 10 ** {"us": 6, "ns": 9}.get(unit, 9)
        )
        if count != 1 or unit not in ("D", "h", "m", "s", "ms", "us", "ns"):
            values = values.astype("datetime64[ns]")
            per_day = 86_400 * 10**9
        ticks = values.view(np.int64)
        if len(ticks) and ticks.min() == np.iinfo(np.int64).min:  # NaT
            row = int(np.flatnonzero(np.isnat(values))[0])
            raise InputError(f"{what} row {row}: on is missing; expected a date")
        days, remainder = np.divmod(ticks, per_day)
        if remainder.any():
            row = int(np.flatnonzero(remainder)[0])
            raise InputError(
                f"{what} row {row}: on has a time of day ({column.iloc[row]}); expected a date"
            )
        return days.view("datetime64[D]")
    values = column.tolist()
    for row, value in enumerate(values):
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise InputError(
                f"{what} row {row}: on must be a date (datetime64 at midnight or datetime.date)"
                f" (got {type(value).__name__} {value!r})"
            )
    return np.array(values, dtype="datetime64[D]")


class _MeasureColumns:
    """The measures frame, checked: one value per person and measured criterion."""

    def __init__(self) -> None:
        self.frame: Any = None
        self.subject: Any = None
        self.slot: Any = None  # index into compiled.measured_info
        self.value_codes: Any = None
        self.values: list[Decimal] = []

    @classmethod
    def empty(cls, np: Any) -> _MeasureColumns:
        """No measures at all."""
        self = cls()
        self.subject = self.slot = self.value_codes = np.zeros(0, dtype=np.int64)
        return self

    @classmethod
    def read(cls, pd: Any, np: Any, frame: Any, index: Any, compiled: _Compiled) -> _MeasureColumns:
        self = cls()
        what = "measures"
        if frame is None:
            frame = pd.DataFrame({"subject": [], "criterion": [], "value": []})
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"measures must be a pandas DataFrame (got {type(frame).__name__})")
        unknown = [c for c in frame.columns if c not in ("subject", "criterion", "value")]
        if unknown:
            raise InputError(
                f"measures: unknown column(s) {unknown!r};"
                " expected ['subject', 'criterion', 'value']"
            )
        self.frame = frame
        self.subject = _subject_positions(pd, np, _column(frame, "subject", what), index, what)
        slots = {info[1]: slot for slot, info in enumerate(compiled.measured_info)}
        codes, uniques = pd.factorize(_column(frame, "criterion", what), use_na_sentinel=True)
        lookup = []
        for position, name in enumerate(uniques.tolist()):
            if name not in slots:
                row = int(np.flatnonzero(codes == position)[0])
                criterion = compiled.criteria.get(name) if isinstance(name, str) else None
                if criterion is None:
                    expected = sorted(slots)
                    raise InputError(
                        f"measures row {row}: criterion {name!r} is not in policy"
                        f" {compiled.policy.id!r}; expected one of {expected!r}"
                    )
                raise InputError(
                    f"measures row {row}: criterion {name!r} has basis {criterion.basis!r},"
                    " which takes no measure; expected a criterion with basis 'assessed' or 'ratio'"
                )
            lookup.append(slots[name])
        if len(codes) and codes.min() < 0:
            row = int(np.flatnonzero(codes < 0)[0])
            raise InputError(f"measures row {row}: criterion is missing")
        self.slot = np.asarray(lookup, dtype=np.int64)[codes] if len(codes) else codes
        self.value_codes, self.values = _exact_values(
            pd, np, _column(frame, "value", what), what, "value"
        )
        width = max(len(compiled.measured_info), 1)
        key = self.subject.astype(np.int64) * width + self.slot
        if len(key) and int(np.bincount(key).max()) > 1:
            row = int(np.flatnonzero(pd.Series(key).duplicated().to_numpy())[0])
            raise InputError(
                f"measures row {row}: a second measure for criterion"
                f" {frame['criterion'].iloc[row]!r} of subject {frame['subject'].iloc[row]!r};"
                " expected at most one"
            )
        return self


# --------------------------------------------------------------------------- figures


def _round_units(np: Any, numerator: Any, denominator: int, rounding: str) -> Any:
    """``numerator / denominator`` rounded to integers with a decimal rounding mode, exactly.

    The floor quotient plus a correction of 0 or 1, computed only as far as the mode needs
    (``denominator`` is positive; booleans add as 0 and 1).
    """
    if denominator == 1:
        return numerator
    floor, remainder = np.divmod(numerator, denominator)
    if rounding == "ROUND_FLOOR":
        return floor
    inexact = remainder != 0
    if rounding == "ROUND_CEILING":
        return floor + inexact
    negative = floor < 0
    if rounding == "ROUND_DOWN":
        return floor + (inexact & negative)
    if rounding == "ROUND_UP":
        return floor + (inexact & ~negative)
    if rounding == "ROUND_05UP":
        toward_zero = floor + (inexact & negative)
        last = np.abs(toward_zero) % 10
        return np.where(inexact & ((last == 0) | (last == 5)), floor + ~negative, toward_zero)
    twice = 2 * remainder
    nearer = floor + (twice > denominator)
    tie = twice == denominator  # a tie is inexact: the remainder is half the denominator
    if rounding == "ROUND_HALF_UP":  # away from zero
        return nearer + (tie & ~negative)
    if rounding == "ROUND_HALF_DOWN":  # toward zero
        return nearer + (tie & negative)
    # ROUND_HALF_EVEN: toward the even neighbour (floor & 1 is 1 for odd, negatives too)
    return nearer + (tie & (floor & 1).astype(bool))


def _csv_field(text: str) -> str:
    """One cell as the ``csv`` module writes it in a row of several cells (quoted if needed)."""
    if not _CSV_SPECIAL.search(text):
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([text, ""])
    return buffer.getvalue()[:-2]


def _csv_ids(ids: Sequence[str]) -> list[str] | None:
    """The subject cells, or ``None`` when every id is its own cell (found in one scan)."""
    joined = "\x00" + "\x00".join(ids)
    if not _CSV_SPECIAL.search(joined) and not _FORMULA_AFTER_NUL.search(joined):
        return None
    from kpiscore.io.render import safe_cell

    return [_csv_field(safe_cell(subject)) for subject in ids]


def _fuse_columns(np: Any, columns: list[Any], *, limit: int) -> list[Any]:
    """Neighbouring coded columns as one, while the pairs of their cells stay few: the pair's
    code is ``code × len(right cells) + right code`` and its cell ``"left,right"``. A column of
    one value costs nothing to fuse, so the rows have fewer cells to join."""
    fused: list[Any] = []
    for codes, cells in columns:
        if fused and len(fused[-1][1]) * len(cells) <= limit:
            left_codes, left_cells = fused[-1]
            if left_codes is None and codes is None:
                pair = None
            else:
                left = 0 if left_codes is None else left_codes.astype(np.int64)
                pair = left * len(cells) + (0 if codes is None else codes)
            fused[-1] = (pair, [f"{a},{b}" for a in left_cells for b in cells])
        else:
            fused.append((codes, cells))
    return fused


def _join_rows(np: Any, n: int, subjects: Sequence[str], columns: list[Any]) -> str:
    """CSV rows from the subject cells and coded columns, joined by ``str.join``."""
    materialised: list[Any] = [subjects]
    for codes, cells in columns:
        values = np.array(cells, dtype=object)
        materialised.append([cells[0]] * n if codes is None else values.take(codes))
    return "".join(f"{row}\n" for row in map(",".join, zip(*materialised, strict=True)))


def _join_rows_arrow(
    modules: tuple[Any, Any, Any], n: int, subjects: Sequence[str], columns: list[Any], *, ids: Any
) -> str:
    """:func:`_join_rows` by pyarrow: each column's distinct cells taken per row, the row's
    cells joined element-wise, and the text read from the result's data buffer at once."""
    pa, pc, np = modules
    arrays = [ids.cast(pa.string()) if ids is not None else _arrow_text(pa, np, subjects)]
    for position, (codes, column_cells) in enumerate(columns):
        cells = column_cells
        if position == len(columns) - 1:  # the last cell of a row ends its line
            cells = [f"{cell}\n" for cell in column_cells]
        indices = np.zeros(n, dtype=np.int32) if codes is None else codes.astype(np.int32)
        index = pa.Int32Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(indices)])
        arrays.append(_arrow_text(pa, np, cells).take(index))
    if any(array.type != pa.string() for array in arrays):  # pragma: no cover - 2 GiB
        return _join_rows(np, n, subjects, columns)
    try:
        comma = _arrow_text(pa, np, [","])[0]  # a Python "," would go through pandas
        joined = pc.binary_join_element_wise(*arrays, comma)
    except pa.ArrowInvalid:  # pragma: no cover - rows past 2 GiB of text in all
        return _join_rows(np, n, subjects, columns)
    offsets = np.frombuffer(
        joined.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * joined.offset
    )
    body = joined.buffers()[2][int(offsets[0]) : int(offsets[n])]
    return bytes(body).decode("utf-8", "surrogatepass")


def _dense_codes(np: Any, units: Any) -> tuple[Any, list[int]]:
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
        codes = (np.cumsum(present) - 1).take(offsets)
        return codes, (distinct + low).tolist()
    distinct, codes = np.unique(units, return_inverse=True)
    return codes.reshape(-1), distinct.tolist()


class _Figures:
    """The column store behind a columnar :class:`ScoreTable`."""

    def __init__(
        self,
        compiled: _Compiled,
        period: Period,
        persons: _People,
        events: _EventColumns,
        measures: _MeasureColumns,
    ) -> None:
        self.compiled = compiled
        self.period = period
        self.persons = persons
        self.subjects = tuple(persons.ids)
        self.events = events
        self.measures = measures
        self.notes: tuple[str, ...] = ()
        self.exponent = -compiled.precision.adjusted()  # reported figures in units of 10^-k
        self.category_units: Any = None  # [N, K] int64
        self.carried_units: Any = None
        self.total_units: Any = None
        self.score_rank: Any = None
        self.rank: Any = None
        self.exact_cards: dict[int, Scorecard] = {}
        self._rows_of: Any = None

    # ----------------------------------------------------------------- computing

    def compute(self, np: Any) -> None:
        """Every figure for everyone, as integer columns (one 1-D array per criterion)."""
        compiled = self.compiled
        n = len(self.persons)
        events, measures = self.events, self.measures
        rules = [r for c in compiled.policy.categories for cr in c.criteria for r in cr.rules]
        # The scale: every input point value is an integer number of 10^-scale points.
        quantity_places = max((_places(q) for q in events.quantities), default=0)
        value_places = max((_places(v) for v in measures.values), default=0)
        places = [self.exponent]
        for info in compiled.crit_info:
            places += [_places(info[2]), _places(info[3])]
        for rule in rules:
            places.append(_places(rule.points) + (quantity_places if rule.per == "unit" else 0))
            if rule.limit is not None:
                places.append(_places(rule.limit))
        for measured in compiled.measured_info:
            places.append(_places(measured[3]) + value_places if measured[2] else value_places)
        scale = max(places)
        if not self._fits(scale, quantity_places):
            self._fallback_all("its figures need more digits than 64-bit integers hold")
            return
        requested = self._requested(np, rules, scale, quantity_places)
        cap_rank = self._cap_ranks(np)
        crit_info = compiled.crit_info
        # Criterion -> the requested columns of its deductions and awards, after limits.
        deductions: list[list[Any]] = [[] for _ in crit_info]
        awards: list[list[Any]] = [[] for _ in crit_info]
        for rule_index, (limit, owner, deduction) in enumerate(compiled.rule_info):
            column = requested[rule_index]
            if column is None:
                continue
            if limit is not None:
                column = np.minimum(column, _units(limit, scale))
            (deductions if deduction else awards)[owner].append(column)
        starts, excluded = self._starts(np, scale)
        carried = np.zeros(n, dtype=np.int64)
        sums = [np.zeros(n, dtype=np.int64) for _ in compiled.category_ids]
        for index, (cat_index, full, maximum, floor, carry, _u, multiplier) in enumerate(crit_info):
            high = _units(maximum, scale)
            low = _units(floor, scale)
            start = starts.get(index)
            if start is None and not deductions[index] and not awards[index]:
                # Untouched by any fact: the same points for everyone.
                value = min(max(high if full else 0, low), high)
                sums[cat_index] += value * multiplier
                continue
            raw = np.full(n, high if full else 0, dtype=np.int64) if start is None else start
            deducted = _total(np, deductions[index])
            awarded = _total(np, awards[index])
            if awarded is not None:
                raw = raw + awarded
            if deducted is not None:
                raw = raw - deducted
            points = np.clip(raw, low, high)
            if carry and deducted is not None:
                carried += np.where(raw < low, np.minimum(low - raw, deducted), 0)
            sums[cat_index] += points * multiplier if multiplier != 1 else points
        # Categories, in units of the precision, rounded once.
        k = self.exponent
        units = np.empty((n, len(sums)), dtype=np.int64)
        total = np.zeros(n, dtype=np.int64)
        for cat_index, denominator in enumerate(compiled.cat_denominator):
            column = _round_units(
                np, sums[cat_index], denominator * 10 ** (scale - k), compiled.rounding
            )
            units[:, cat_index] = column
            total += column
        carried_units = _round_units(np, carried, 10 ** (scale - k), compiled.rounding)
        total -= carried_units
        np.maximum(total, 0, out=total)
        # Ratings: the highest band whose threshold the reported total reaches.
        score_rank = np.full(n, -1, dtype=np.int64)
        for rank in range(len(compiled.bands) - 1, -1, -1):
            lowest = compiled.bands[rank].min_points.scaleb(k, EXACT)
            threshold = int(lowest.to_integral_value(rounding="ROUND_CEILING", context=EXACT))
            score_rank[total >= threshold] = rank
        rank = np.where((score_rank >= 0) & (cap_rank > score_rank), cap_rank, score_rank)
        self.category_units, self.carried_units, self.total_units = units, carried_units, total
        self.score_rank, self.rank = score_rank, rank
        if excluded.any():
            self._fallback_people(np, np.flatnonzero(excluded))

    def _requested(self, np: Any, rules: list[Any], scale: int, quantity_places: int) -> list[Any]:
        """Per rule, each person's request: Σ points, or Σ points × quantity with ``per="unit"``
        (``None`` for a rule no event feeds).

        The live events (in the period, not excused) are grouped by kind once, with a counting
        sort of the small kind codes; then each kind's people are counted with one
        ``bincount`` (Σ points = count × points) and, for a rule with ``per="unit"``, their
        quantities summed in units of the finest quantity given (Σ points × quantity = points ×
        Σ quantity, exactly). Memory stays in proportion to the events plus one column.
        """
        events = self.events
        n = len(self.persons)
        result: list[Any] = [None] * len(rules)
        n_kinds = len(events.kinds)
        if not len(events.kind_codes) or not rules:
            return result
        kind_position = {kind: i for i, kind in enumerate(events.kinds)}
        by_kind: dict[int, list[int]] = {}
        for rule_index, rule in enumerate(rules):
            if rule.on in kind_position:
                by_kind.setdefault(kind_position[rule.on], []).append(rule_index)
        if not by_kind:
            return result
        quantity_units = np.array(
            [_units(q, quantity_places) for q in events.quantities], dtype=np.int64
        )
        divisor = 10**quantity_places
        # Kind codes, with the dead events (outside the period, or excused) in one more bucket.
        small = np.uint8 if n_kinds < 2**8 - 1 else np.uint16 if n_kinds < 2**16 - 1 else np.int64
        grouped = events.kind_codes.astype(small)
        np.putmask(grouped, ~events.live, n_kinds)
        order = np.argsort(grouped, kind="stable")  # a radix sort for 8- and 16-bit codes
        bounds = np.concatenate(([0], np.cumsum(np.bincount(grouped, minlength=n_kinds + 1))))
        for kind, members in by_kind.items():
            rows = order[bounds[kind] : bounds[kind + 1]]
            if not len(rows):
                continue
            subjects = events.subject.take(rows)
            counts = None
            summed = None
            for rule_index in members:
                rule = rules[rule_index]
                points = _units(rule.points, scale)
                if rule.per != "unit":
                    if counts is None:
                        counts = np.bincount(subjects, minlength=n)
                    result[rule_index] = counts * points
                    continue
                if summed is None:
                    weights = quantity_units.take(events.quantity_codes.take(rows))
                    if int(quantity_units.max()) * len(rows) < 2**52:
                        # Every partial sum is an integer below 2^53: float64 adds it exactly.
                        summed = np.bincount(subjects, weights=weights, minlength=n).astype(
                            np.int64
                        )
                    else:
                        summed = np.zeros(n, dtype=np.int64)
                        np.add.at(summed, subjects, weights)
                result[rule_index] = summed * points // divisor
        return result

    def _cap_ranks(self, np: Any) -> Any:
        """Per person, the lowest band (highest rank) a non-excused cap event allows, or -1."""
        events = self.events
        cap_rank = np.full(len(self.persons), -1, dtype=np.int64)
        kind_position = {kind: i for i, kind in enumerate(events.kinds)}
        live = events.live
        for kind, rank in self.compiled.cap_rank.items():
            if kind in kind_position:
                hit = events.subject[live & (events.kind_codes == kind_position[kind])]
                cap_rank[hit] = np.maximum(cap_rank[hit], rank)
        return cap_rank

    def _starts(self, np: Any, scale: int) -> tuple[dict[int, Any], Any]:
        """Each measured criterion's start column, checking every measure; and who is excluded."""
        compiled = self.compiled
        measures = self.measures
        n = len(self.persons)
        starts: dict[int, Any] = {}
        excluded = np.zeros(n, dtype=bool)
        if not compiled.measured_info:
            return starts, excluded
        # Every value is checked before any missing measure is reported, as the exact engine
        # reports a bad value before a missing one.
        by_slot = []
        missing: list[tuple[int, str, Any]] = []  # per criterion: its first person lacking one
        for slot, info in enumerate(compiled.measured_info):
            rows = np.flatnonzero(measures.slot == slot)
            codes = measures.value_codes.take(rows)
            self._check_measures(np, info[7], rows, codes)
            by_slot.append((measures.subject.take(rows), codes))
        for (subjects, codes), (index, cid, ratio, maximum, _f, _c, _m, criterion) in zip(
            by_slot, compiled.measured_info, strict=True
        ):
            if ratio:
                per_code = [_units(maximum * min(v, Decimal(1)), scale) for v in measures.values]
            else:
                per_code = [_units(v, scale) for v in measures.values]
            column = np.zeros(n, dtype=np.int64)
            if per_code:
                column[subjects] = np.asarray(per_code, dtype=np.int64).take(codes)
            starts[index] = column
            present = np.zeros(n, dtype=bool)
            present[subjects] = True
            if not present.all():
                missing.append((int(np.flatnonzero(~present)[0]), cid, criterion))
                if compiled.missing == "exclude":
                    excluded |= ~present
        if missing and compiled.missing == "error":
            # The exact engine scores person by person, criteria in order: the first person
            # lacking a measure, and that person's first criterion lacking one, is reported.
            position, cid, criterion = min(missing, key=lambda item: item[0])
            raise MissingInputError(
                f"policy {compiled.policy.id!r}: no measure for criterion {cid!r}"
                f" of subject {self.subjects[position]!r}; expected a Measure (basis"
                f" {criterion.basis!r}), or a policy with missing='zero' or missing='exclude'"
            )
        return starts, excluded

    def _fits(self, scale: int, quantity_places: int) -> bool:
        """Whether every scaled figure stays far inside int64 (checked on the inputs' bounds)."""
        compiled = self.compiled
        factor = 10 ** (scale + quantity_places)
        largest_points = max(
            [abs(info[2]) for info in compiled.crit_info]
            + [abs(info[3]) for info in compiled.crit_info]
            + [Decimal(1)]
        )
        largest_quantity = max([abs(q) for q in self.events.quantities] + [Decimal(1)])
        largest_rule = max(
            [
                abs(r.points)
                for c in compiled.policy.categories
                for cr in c.criteria
                for r in cr.rules
            ]
            + [Decimal(1)]
        )
        events = max(len(self.events.kind_codes), 1)
        bound = (largest_rule * largest_quantity * events + largest_points) * factor
        multiplier = max([info[6] for info in compiled.crit_info] + [1])
        denominators = max([*compiled.cat_denominator, 1])
        bound *= multiplier * len(compiled.crit_info) * denominators * 10
        return bool(bound < _SAFE)

    def _check_measures(self, np: Any, criterion: Any, rows: Any, codes: Any) -> None:
        """Range checks of one criterion's measures, once per distinct value used: the same
        errors as the exact engine."""
        measures = self.measures
        used = np.flatnonzero(np.bincount(codes, minlength=len(measures.values)))
        for code in used.tolist():
            value = measures.values[code]
            try:
                _check_measure(self.compiled.policy, criterion, "?", value)
            except InputError:
                row = int(rows[int(np.flatnonzero(codes == code)[0])])
                subject = self.subjects[int(measures.subject[row])]
                _check_measure(self.compiled.policy, criterion, subject, value)

    def _fallback_all(self, reason: str) -> None:
        self.notes = (f"every person was scored by the exact engine: {reason}",)
        table = score_many(
            self.compiled.policy,
            self.period,
            self.persons.persons(),
            [event for i in range(len(self.persons)) for event in self._events(i)],
            [measure for i in range(len(self.persons)) for measure in self._measures(i)],
        )
        self.exact_cards = dict(enumerate(table))
        self._from_cards()

    def _fallback_people(self, np: Any, positions: Any) -> None:
        for position in positions.tolist():
            card = self.card(position)
            self.exact_cards[position] = card
        self.notes = (
            (
                f"{len(positions)} people were scored by the exact engine: a measure was missing"
                " and the policy excludes missing measures, so their categories renormalise"
            ),
        )
        self._from_cards(only=positions.tolist())

    def _from_cards(self, only: Sequence[int] | None = None) -> None:
        np = require("numpy", "pandas")
        n = len(self.persons)
        k = self.exponent
        if self.category_units is None:
            self.category_units = np.zeros((n, len(self.compiled.category_ids)), dtype=object)
            self.carried_units = np.zeros(n, dtype=object)
            self.total_units = np.zeros(n, dtype=object)
            self.score_rank = np.full(n, -1, dtype=np.int64)
            self.rank = np.full(n, -1, dtype=np.int64)
        ranks = self.compiled.band_rank
        for position in range(n) if only is None else only:
            card = self.exact_cards[position]
            self.category_units[position] = [
                int(p.scaleb(k, EXACT)) for _, p in card.category_points
            ]
            self.carried_units[position] = int(card.carried.scaleb(k, EXACT))
            self.total_units[position] = int(card.total.scaleb(k, EXACT))
            self.score_rank[position] = (
                -1 if card.score_rating is None else ranks[card.score_rating]
            )
            self.rank[position] = -1 if card.rating is None else ranks[card.rating]

    # ----------------------------------------------------------------- reading back

    def totals(self) -> tuple[Decimal, ...]:
        k = -self.exponent
        return tuple(Decimal(value).scaleb(k, EXACT) for value in self.total_units.tolist())

    def ratings(self) -> tuple[str | None, ...]:
        bands = [band.id for band in self.compiled.bands]
        return tuple(None if r < 0 else bands[r] for r in self.rank.tolist())

    def rows(self) -> list[dict[str, Any]]:
        k = -self.exponent
        bands = [band.id for band in self.compiled.bands]
        policy = self.compiled.policy
        label = self.period.label
        rows = []
        people = self.persons
        for position, subject in enumerate(people.ids):
            row: dict[str, Any] = {
                "subject": subject,
                "name": people.value("name", position),
                "unit": people.value("unit", position),
                "group": people.value("group", position),
                "position": people.value("position", position),
                "period": label,
                "policy": policy.id,
                "version": policy.version,
            }
            for cat_index, category_id in enumerate(self.compiled.category_ids):
                row[category_id] = Decimal(int(self.category_units[position, cat_index])).scaleb(
                    k, EXACT
                )
            row["carried"] = Decimal(int(self.carried_units[position])).scaleb(k, EXACT)
            row["total"] = Decimal(int(self.total_units[position])).scaleb(k, EXACT)
            score_rank = int(self.score_rank[position])
            rank = int(self.rank[position])
            row["score_rating"] = None if score_rank < 0 else bands[score_rank]
            row["rating"] = None if rank < 0 else bands[rank]
            rows.append(row)
        return rows

    def csv(self) -> str:
        """The rows as CSV text, byte for byte what ``rows_to_csv(self.rows())`` writes, built
        column by column: each distinct value is formatted and quoted once, and the rows are
        joined in one pass — by pyarrow when it is installed, else by ``str.join`` (no pandas
        needed either way)."""
        np = require("numpy", "pandas")
        from kpiscore.io.render import safe_cell

        n = len(self.persons)
        if not n:
            return ""
        k = -self.exponent

        def cells(values: Iterable[object]) -> list[str]:
            return [_csv_field(safe_cell(value)) for value in values]

        def numbers(units: Any) -> tuple[Any, list[str]]:
            codes, distinct = _dense_codes(np, units)
            return codes, cells(Decimal(int(u)).scaleb(k, EXACT) for u in distinct)

        policy = self.compiled.policy
        headers = ["subject"]
        # Every column but the first: (code per row, or None for one value; its cells).
        columns: list[tuple[Any, list[str]]] = []
        for field in _PERSON_FIELDS[1:]:
            codes, values = self.persons.codes(np, field)
            if len(codes) and codes.min() < 0:  # missing: the extra, empty cell
                codes = np.where(codes < 0, len(values), codes)
            headers.append(field)
            columns.append((codes, cells([*values, None])))
        for name, value in (
            ("period", self.period.label),
            ("policy", policy.id),
            ("version", policy.version),
        ):
            headers.append(name)
            columns.append((None, cells([value])))
        for cat_index, category_id in enumerate(self.compiled.category_ids):
            headers.append(category_id)
            columns.append(numbers(self.category_units[:, cat_index]))
        headers += ["carried", "total", "score_rating", "rating"]
        columns += [numbers(self.carried_units), numbers(self.total_units)]
        names = cells([*(band.id for band in self.compiled.bands), None])
        for rank in (self.score_rank, self.rank):
            ranks = np.asarray(rank, dtype=np.int64)
            columns.append((np.where(ranks < 0, len(names) - 1, ranks), names))
        header = ",".join(_csv_field(safe_cell(name)) for name in headers)
        columns = _fuse_columns(np, columns, limit=max(64, n // 16))
        escaped = _csv_ids(self.subjects)
        subjects = self.subjects if escaped is None else escaped
        try:
            pa = require("pyarrow", "arrow")
            pc = require("pyarrow.compute", "arrow")
        except ImportError:
            return f"{header}\n{_join_rows(np, n, subjects, columns)}"
        ids = self.persons.arrow_ids if escaped is None else None
        return f"{header}\n{_join_rows_arrow((pa, pc, np), n, subjects, columns, ids=ids)}"

    def _rows(self, position: int) -> Any:
        np = require("numpy", "pandas")
        if self._rows_of is None:
            order = np.argsort(self.events.subject, kind="stable")
            bounds = np.searchsorted(self.events.subject[order], np.arange(len(self.persons) + 1))
            measure_order = np.argsort(self.measures.subject, kind="stable")
            measure_bounds = np.searchsorted(
                self.measures.subject[measure_order], np.arange(len(self.persons) + 1)
            )
            self._rows_of = (order, bounds, measure_order, measure_bounds)
        order, bounds, measure_order, measure_bounds = self._rows_of
        return (
            order[bounds[position] : bounds[position + 1]],
            measure_order[measure_bounds[position] : measure_bounds[position + 1]],
        )

    def _events(self, position: int) -> list[Event]:
        rows, _ = self._rows(position)
        return self.events.events_of(rows, self.subjects)

    def _measures(self, position: int) -> list[Measure]:
        _, rows = self._rows(position)
        measured = self.compiled.measured_info
        return [
            Measure(
                subject=self.subjects[position],
                criterion=measured[self.measures.slot[row]][1],
                value=self.measures.values[self.measures.value_codes[row]],
            )
            for row in rows.tolist()
        ]

    def card(self, position: int) -> Scorecard:
        """One person's scorecard, from the exact engine (so its ledger is the exact one)."""
        cached = self.exact_cards.get(position)
        if cached is not None:
            return cached
        person = self.persons.person(position)
        period = self.period
        events = [e for e in self._events(position) if period.start <= e.on <= period.end]
        own: Mapping[str, Measure] = {m.criterion: m for m in self._measures(position)}
        with exact():
            return _score_one(self.compiled, period, person, events, own)
