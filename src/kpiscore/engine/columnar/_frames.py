"""Reading DataFrames into the columnar engine: every column checked as the exact engine's
fact objects check their fields, each *distinct* value converted once.

pandas and NumPy are imported here at the top: this module is imported by
:func:`kpiscore.score_frame` only after it has checked that the ``kpiscore[pandas]`` extra is
installed.
"""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

import numpy as np
import pandas as pd

from kpiscore.engine.columnar._arrays import (
    PERSON_FIELDS,
    ArrowArray,
    Codes,
    Days,
    Ints,
    People,
    Population,
    nfc_list,
    pyarrow,
)
from kpiscore.engine.columnar._columns import EventColumns, MeasureColumns
from kpiscore.engine.columnar._figures import score_columns
from kpiscore.engine.compile import _Compiled, compile_policy
from kpiscore.engine.exact import _check_policy
from kpiscore.exceptions import InputError, UnknownSubjectError
from kpiscore.model.facts import Person
from kpiscore.model.numbers import to_decimal
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

__all__ = ["score_frames"]

_EVENT_COLUMNS = frozenset({"subject", "kind", "on", "quantity", "excused", "ref", "note"})


def score_frames(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: pd.DataFrame | None = None,
) -> ScoreTable:
    """:func:`kpiscore.score_frame` (documented there), once pandas is known to be installed."""
    policy = _check_policy(policy)
    period = as_period(period)
    policy.check_period(period)
    persons = read_people(people)
    index = Population(persons.ids, persons.arrow_ids)
    if index.duplicate is not None:
        raise InputError(
            f"people: person id {index.duplicate!r} appears twice; expected unique ids"
        )
    compiled = compile_policy(policy)  # cached per policy; compiled in kpiscore's own context
    facts = read_events(events, index, period)
    measure_columns = read_measures(measures, index, compiled)
    return score_columns(policy, period, persons, facts, measure_columns, compiled=compiled)


# --------------------------------------------------------------------------- helpers


def _arrow_strings(values: pd.Series | pd.Index) -> ArrowArray:
    """The pyarrow array behind a pandas string column or index, or ``None``."""
    array = getattr(values, "array", values)
    dtype = array.dtype
    if getattr(dtype, "storage", None) == "pyarrow" or (
        isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) in ("string", "large_string")
    ):
        pa, _ = pyarrow()
        result = pa.array(array)  # pandas hands over its Arrow data without copying
        # A column pandas concatenated (or read in blocks) comes in chunks: one array is simpler.
        return result.combine_chunks() if hasattr(result, "combine_chunks") else result
    return None


def _factorize(
    column: pd.Series, what: str, field: str, expected: str
) -> tuple[Ints, list[object]]:
    """(code per row, -1 when missing; distinct values), or an error naming the first row
    whose cell cannot be told apart from others (unhashable, or a signaling NaN)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:
        for row, value in enumerate(column.tolist()):
            try:
                hash(value)
            except TypeError:
                raise InputError(
                    f"{what} row {row}: {field} must be {expected} (got {value!r})"
                ) from None
        raise  # pragma: no cover - pandas refused a column of hashable cells
    # An object array's tolist() keeps its objects (a NumPy float32 among them stays one).
    return codes.astype(np.int64, copy=False), uniques.tolist()


def _first_row(codes: Codes, code: int) -> int:
    return int(np.flatnonzero(codes == code)[0])


def _column(frame: pd.DataFrame, name: str, what: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    raise InputError(f"{what}: the frame has no {name!r} column (columns: {list(frame.columns)!r})")


# --------------------------------------------------------------------------- people


def _attribute_codes(column: pd.Series, field: str) -> tuple[Codes, list[str | None]]:
    """An attribute column as (code per person, distinct texts), each distinct value checked
    once as :class:`Person` checks it: missing is ``None``, a number is written as text, text
    is NFC; blank text is an error, as it is for a ``Person``."""
    codes, uniques = _factorize(column, "people", field, "text")
    values: list[str | None] = []
    for position, raw in enumerate(uniques):
        text = raw if isinstance(raw, str) else str(raw)
        if not text.strip():
            raise InputError(
                f"people row {_first_row(codes, position)}: {field} must not be empty (got {raw!r})"
            )
        values.append(unicodedata.normalize("NFC", text))
    return codes, values


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def read_people(people: pd.DataFrame | Iterable[Person | str]) -> People:
    """The population from a frame (columns as :class:`Person` fields) or a sequence."""
    if isinstance(people, pd.DataFrame):
        if "id" not in people.columns:
            raise InputError(
                f"people: the frame has no 'id' column (columns: {list(people.columns)!r})"
            )
        unknown = [c for c in people.columns if c not in PERSON_FIELDS]
        if unknown:
            raise InputError(
                f"people: unknown column(s) {unknown!r}; expected {list(PERSON_FIELDS)!r}"
            )
        cells: list[object] = people["id"].tolist()
        try:  # str.strip refuses anything but text, and an id of blanks strips to ""
            valid = all(map(str.strip, cells))  # type: ignore[arg-type]
        except TypeError:
            valid = False
        if not valid:
            row, value = next(
                (row, value)
                for row, value in enumerate(cells)
                if not isinstance(value, str) or not value.strip()
            )
            if _is_missing(value):
                raise InputError(f"people row {row}: id is missing; expected a non-empty string")
            raise InputError(f"people row {row}: id must be a non-empty string (got {value!r})")
        ids = cast("list[str]", cells)  # checked just above: all text
        arrow = None
        if not all(map(str.isascii, ids)):
            ids = [unicodedata.normalize("NFC", value) for value in ids]
        else:
            arrow = _arrow_strings(people["id"])
        result = People(ids)
        result.arrow_ids = arrow
        for field in PERSON_FIELDS[1:]:
            if field in people.columns:
                result.coded[field] = _attribute_codes(people[field], field)
        return result
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        raise InputError(
            f"people must be a DataFrame or a sequence of Person or ids (got {people!r})"
        )
    persons = [p if isinstance(p, Person) else Person(id=p) for p in people]
    result = People([p.id for p in persons])
    for field in PERSON_FIELDS[1:]:  # a Person's attributes are already None or NFC text
        values: list[str | None] = [getattr(person, field) for person in persons]
        seen: dict[str, int] = {}
        codes = [-1 if v is None else seen.setdefault(v, len(seen)) for v in values]
        result.coded[field] = (np.asarray(codes, dtype=np.int64), list(seen))
    result.built = dict(enumerate(persons))
    return result


# --------------------------------------------------------------------------- subjects


def _subject_positions(subjects: pd.Series, index: Population, what: str) -> Codes:
    """Population positions of a subject column (categorical columns looked up per category)."""
    positions: Codes
    if isinstance(subjects.dtype, pd.CategoricalDtype):
        categories = subjects.cat.categories
        codes = subjects.cat.codes.to_numpy().astype(np.int64)
        positions = _from_codes(codes, categories, index)
    else:
        arrow = _arrow_strings(subjects)
        if arrow is not None:  # Arrow-backed strings: looked up row by row in pyarrow
            positions = index.get_indexer_arrow(arrow)
        else:
            codes, uniques = _factorize(subjects, what, "subject", "a person id")
            positions = _from_codes(codes, pd.Index(uniques, dtype=object), index)
    if len(positions) and positions.min() < 0:
        row = int(np.flatnonzero(positions < 0)[0])
        raise UnknownSubjectError(
            f"{what} row {row}: subject {subjects.iloc[row]!r} is not in the population scored"
        )
    return positions


def _from_codes(codes: Ints, uniques: pd.Index, index: Population) -> Codes:
    """Positions of coded subjects: each distinct subject looked up once (-1 for a code of
    -1, a missing cell)."""
    arrow = _arrow_strings(uniques)
    if arrow is not None:
        lookup = index.get_indexer_arrow(arrow)
    else:
        lookup = index.get_indexer(nfc_list(uniques.tolist()))
    if len(codes) and codes.min() < 0:
        return np.where(codes >= 0, lookup.take(np.maximum(codes, 0)), -1)
    return lookup.take(codes)


# --------------------------------------------------------------------------- numbers


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


def _exact(raw: object, narrow: type[np.floating] | None) -> object:
    """A cell as :func:`to_decimal` takes it: a float of less than double precision (in its own
    column type, or a NumPy scalar among objects) as its shortest text *in that precision*."""
    if isinstance(raw, np.floating) and raw.dtype.itemsize < 8 and np.isfinite(raw):
        return np.format_float_positional(raw, unique=True, trim="-")
    if narrow is not None and isinstance(raw, float) and math.isfinite(raw):
        return np.format_float_positional(narrow(raw), unique=True, trim="-")
    return raw.item() if isinstance(raw, np.generic) else raw


def exact_values(
    column: pd.Series, what: str, field: str, *, minimum: Decimal | None = None
) -> tuple[Codes, list[Decimal]]:
    """(codes, distinct exact values) of a numeric column: each distinct value converted once.

    Floats convert through their shortest repr in their own precision (a ``float32`` 0.7 is
    0.7), text and Decimals exactly; NaN, infinities, booleans (a column of them, or one among
    numbers), text that is not a number and cells that cannot be compared are errors naming
    the row.
    """
    dtype = column.dtype
    if dtype.kind == "b" or str(dtype) == "boolean":
        raise InputError(f"{what}: column {field!r} must hold numbers, not booleans")
    if dtype.kind == "O":  # True == 1 for pandas: a boolean would pass as the number 1
        for row, value in enumerate(column.tolist()):
            if _is_bool(value):
                raise InputError(
                    f"{what} row {row}: {field} must be a number, not a bool (got {value!r})"
                )
    narrow: type[np.floating] | None = None
    width = getattr(dtype, "itemsize", 8)
    if dtype.kind == "f" and width < 8:
        narrow = np.dtype(f"float{8 * width}").type
    codes, uniques = _factorize(column, what, field, "a number")
    if len(codes) and codes.min() < 0:
        row = int(np.flatnonzero(codes < 0)[0])
        raise InputError(f"{what} row {row}: {field} is missing; expected a number")
    values: list[Decimal] = []
    for position, raw in enumerate(uniques):
        try:
            converted = to_decimal(_exact(raw, narrow), owner=what, field=field)
        except InputError as error:
            raise InputError(f"{what} row {_first_row(codes, position)}: {error}") from None
        if minimum is not None and converted < minimum:
            raise InputError(
                f"{what} row {_first_row(codes, position)}: {field} must be >= {minimum}"
                f" (got {converted!r})"
            )
        values.append(converted)
    return codes, values


# --------------------------------------------------------------------------- events


def read_events(frame: pd.DataFrame | None, index: Population, period: Period) -> EventColumns:
    """The events frame, checked, as columns (rows outside ``period`` checked, not scored)."""
    self = EventColumns()
    what = "events"
    if frame is None:
        frame = pd.DataFrame({"subject": [], "kind": [], "on": []})
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"events must be a pandas DataFrame (got {type(frame).__name__})")
    unknown = [c for c in frame.columns if c not in _EVENT_COLUMNS]
    if unknown:
        raise InputError(
            f"events: unknown column(s) {unknown!r}; expected {sorted(_EVENT_COLUMNS)!r}"
        )
    self.subject = _subject_positions(_column(frame, "subject", what), index, what)
    codes, uniques = _factorize(_column(frame, "kind", what), what, "kind", "a non-empty string")
    if len(codes) and codes.min() < 0:
        row = int(np.flatnonzero(codes < 0)[0])
        raise InputError(f"events row {row}: kind is missing; expected a string")
    kinds: list[str] = []
    for position, value in enumerate(uniques):
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"events row {_first_row(codes, position)}: kind must be a non-empty string"
                f" (got {value!r})"
            )
        kinds.append(unicodedata.normalize("NFC", value))
    self.set_kinds(codes, kinds)
    if "quantity" in frame.columns:
        self.quantity_codes, self.quantities = exact_values(
            frame["quantity"], what, "quantity", minimum=Decimal(0)
        )
    else:
        self.quantity_codes = np.zeros(len(frame), dtype=np.int64)
        self.quantities = [Decimal(1)]
    if "excused" in frame.columns:
        excused = frame["excused"]
        if excused.dtype != bool:
            for row, value in enumerate(excused.tolist()):
                if not _is_bool(value):
                    raise InputError(
                        f"events row {row}: excused must be True or False (got {value!r})"
                    )
        self.excused = excused.to_numpy(dtype=bool)
    else:
        self.excused = np.zeros(len(frame), dtype=bool)
    self.day = _days(_column(frame, "on", what), what)
    self.refs = _optional_texts(frame, "ref", what)
    self.notes = _optional_texts(frame, "note", what)
    self.limit_to(period)
    return self


def _optional_texts(frame: pd.DataFrame, name: str, what: str) -> list[str | None] | None:
    """An optional text column as a list of NFC strings or ``None`` (missing or empty)."""
    if name not in frame.columns:
        return None
    result: list[str | None] = []
    for row, value in enumerate(frame[name].tolist()):
        if _is_missing(value):
            result.append(None)
        elif isinstance(value, str):
            result.append(unicodedata.normalize("NFC", value) if value.strip() else None)
        else:
            raise InputError(f"{what} row {row}: {name} must be text (got {value!r})")
    return result


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000}


def _days(column: pd.Series, what: str) -> Days:
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
        values: Days = column.to_numpy()
        unit, count = np.datetime_data(values.dtype)
        per_day = _PER_DAY.get(unit, 86_400 * 10 ** {"us": 6, "ns": 9}.get(unit, 9))
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
    cells = column.tolist()
    for row, value in enumerate(cells):
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise InputError(
                f"{what} row {row}: on must be a date (datetime64 at midnight or datetime.date)"
                f" (got {type(value).__name__} {value!r})"
            )
    return np.array(cells, dtype="datetime64[D]")


# --------------------------------------------------------------------------- measures


def read_measures(
    frame: pd.DataFrame | None, index: Population, compiled: _Compiled
) -> MeasureColumns:
    """The measures frame, checked, as columns: at most one per person and criterion."""
    self = MeasureColumns()
    what = "measures"
    if frame is None:
        frame = pd.DataFrame({"subject": [], "criterion": [], "value": []})
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"measures must be a pandas DataFrame (got {type(frame).__name__})")
    unknown = [c for c in frame.columns if c not in ("subject", "criterion", "value")]
    if unknown:
        raise InputError(
            f"measures: unknown column(s) {unknown!r}; expected ['subject', 'criterion', 'value']"
        )
    self.subject = _subject_positions(_column(frame, "subject", what), index, what)
    slots = {info[1]: slot for slot, info in enumerate(compiled.measured_info)}
    codes, uniques = _factorize(
        _column(frame, "criterion", what), what, "criterion", "a criterion id"
    )
    lookup = []
    for position, name in enumerate(uniques):
        if name not in slots:
            row = _first_row(codes, position)
            criterion = compiled.criteria.get(name) if isinstance(name, str) else None
            if criterion is None:
                raise InputError(
                    f"measures row {row}: criterion {name!r} is not in policy"
                    f" {compiled.policy.id!r}; expected one of {sorted(slots)!r}"
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
    self.value_codes, self.values = exact_values(_column(frame, "value", what), what, "value")
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
