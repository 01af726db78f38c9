"""Reading DataFrames into the columnar engine: every cell read as the careful file reader
reads a file's cell (see :mod:`._cells`), each *distinct* value converted once, every problem
of the frames reported together, named by the frame's row label.

Frames come as pandas DataFrames, ``pyarrow.Table``s or anything that hands over an Arrow
stream (``__arrow_c_stream__``, or ``to_arrow()``: a polars DataFrame): those are read as
pandas frames of Arrow columns, without a copy.

pandas and NumPy are imported here at the top: this module is imported by
:func:`kpiscore.score_frame` only after it has checked that the ``kpiscore[pandas]`` extra is
installed.

It stays whole (about 870 lines): people, events and measures frames share one row-label
bookkeeping and one all-problems collection, which splitting would pass between modules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import attrgetter

import attrs
import numpy as np
import pandas as pd

from kpiscore.engine.columnar._arrays import (
    PERSON_FIELDS,
    Bools,
    Codes,
    Ints,
    People,
    Population,
    nfc_list,
    pyarrow,
    python_text_as_arrow,
    text_list_as_arrow,
)
from kpiscore.engine.columnar._cells import (
    Bad,
    Labels,
    Problems,
    _python_cells,
    _python_text,
    arrow_strings,
    convert,
    factorize,
    flag,
    is_missing,
    number,
    object_runs,
    read_days,
    row_name,
    same_objects,
    text,
)
from kpiscore.engine.columnar._columns import (
    EventColumns,
    EventProblems,
    MeasureColumns,
    _codes,
)
from kpiscore.engine.columnar._figures import score_columns
from kpiscore.engine.compile import _Compiled, compile_policy
from kpiscore.engine.exact import _check_policy
from kpiscore.engine.ledger import _check_measure
from kpiscore.exceptions import InputError, UnknownSubjectError
from kpiscore.model.fact_checks import Duplicates, UnknownKinds, check_options
from kpiscore.model.facts import Person, attribute_name_problem, check_text
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

__all__ = ["score_frames"]

_EVENT_COLUMNS = frozenset({"subject", "kind", "on", "quantity", "excused", "ref", "note"})


def score_frames(
    policy: Policy,
    period: Period | str,
    people: object,
    events: object,
    measures: object = None,
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> ScoreTable:
    """:func:`kpiscore.score_frame` (documented there), once pandas is known to be installed."""
    policy = _check_policy(policy)
    period = as_period(period)
    policy.check_period(period)
    check_options(unknown_kinds, duplicates, "score_frame")
    persons, index = read_population(people)
    problems = Problems()
    compiled = compile_policy(policy)  # cached per policy; compiled in kpiscore's own context
    facts = read_events(
        events, index, period, problems, check=event_check(policy, unknown_kinds, duplicates)
    )
    measure_columns = read_measures(measures, index, compiled, problems)
    problems.raise_all()
    return score_columns(policy, period, persons, facts, measure_columns, compiled=compiled)


# --------------------------------------------------------------------------- helpers


def as_frame(value: object, what: str) -> pd.DataFrame | None:
    """A pandas DataFrame as it is; a ``pyarrow.Table``, or anything that hands over an Arrow
    stream (a polars DataFrame), as a DataFrame of its Arrow columns; otherwise ``None``."""
    if isinstance(value, pd.DataFrame):
        return value
    if value is None or isinstance(value, str | bytes | list | tuple):
        return None
    pa, _ = pyarrow() if _arrow_like(value) else (None, None)
    if pa is None:
        return None
    if isinstance(value, pa.Table):
        table = value
    elif hasattr(value, "__arrow_c_stream__"):
        table = pa.table(value)
    else:  # an older polars: to_arrow()
        table = value.to_arrow()  # type: ignore[attr-defined]  # _arrow_like: it has one
        if not isinstance(table, pa.Table):
            raise InputError(
                f"{what}: to_arrow() gave {type(table).__name__}; expected a pyarrow.Table"
            )
    if len(set(table.column_names)) != len(table.column_names):
        raise InputError(f"{what}: a column name appears twice ({table.column_names!r})")
    frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return frame


def _arrow_like(value: object) -> bool:
    return hasattr(value, "__arrow_c_stream__") or (
        hasattr(value, "to_arrow") and hasattr(value, "columns")
    )


def _column(frame: pd.DataFrame, name: str, what: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    raise InputError(f"{what}: the frame has no {name!r} column (columns: {list(frame.columns)!r})")


def _namer(what: str, labels: Labels) -> Callable[[int], str]:
    return lambda position: row_name(what, labels, position)


# --------------------------------------------------------------------------- people


def _attribute(field: str) -> Callable[[object], str | None]:
    """An attribute cell as a file's (trimmed, NFC); a number is written as text."""
    read = text(field, "text")

    def attribute(raw: object) -> str | None:
        if isinstance(raw, str):
            return read(raw)
        if isinstance(raw, int | float | Decimal | np.number) and not isinstance(raw, bool):
            return unicodedata.normalize("NFC", str(raw))
        raise Bad(f"must be text (got {type(raw).__name__} {raw!r})")

    return attribute


def _ids(cells: list[object], name: Callable[[int], str], problems: Problems) -> list[str]:
    """The ids, checked as a file's ``id`` cells: text, trimmed, NFC, not blank."""
    try:  # str.strip refuses anything but text; it gives the very string back when clean
        stripped: list[object] | None = list(map(str.strip, cells))  # type: ignore[arg-type]
    except TypeError:
        stripped = None
    if stripped is not None and stripped == cells and all(stripped):
        ids: list[str] = cells  # type: ignore[assignment]  # checked just above: all text
        if all(map(str.isascii, ids)):
            return ids  # the very list: the caller knows its ids need no change
    ids = []
    for position, value in enumerate(cells):
        if isinstance(value, str) and value.strip():  # text, to trim and check
            try:
                checked = check_text(value.strip(), owner="", field="id")
            except InputError as error:
                problems.add(
                    InputError(f"{name(position)}: {str(error).removeprefix(': ')}"), position
                )
                checked = value
            ids.append(checked or value)
        elif is_missing(value) and not isinstance(value, str):
            problems.add(
                InputError(f"{name(position)}: id is missing; expected a non-empty string"),
                position,
            )
            ids.append("")
        else:
            problems.add(
                InputError(f"{name(position)}: id must be a non-empty string (got {value!r})"),
                position,
            )
            ids.append("")
    return ids


def read_population(people: object) -> tuple[People, Population]:
    """The people and their index: every problem of the people at once, then unique ids
    (the facts are looked up among these ids, so they come first)."""
    problems = Problems()
    persons = read_people(people, problems)
    problems.raise_all()
    index = Population(persons.ids, persons.arrow_ids)
    if index.duplicate is not None:
        raise InputError(
            f"people: person id {index.duplicate!r} appears twice; expected unique ids"
        )
    return persons, index


def read_people(people: object, problems: Problems) -> People:
    """The population from a frame (columns as :class:`Person` fields) or a sequence."""
    frame = as_frame(people, "people")
    if frame is not None:
        return _people_frame(frame, problems)
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        raise InputError(
            f"people must be a DataFrame or a sequence of Person or ids (got {people!r})"
        )
    items: list[object] = list(people)
    if not all(isinstance(item, str) for item in items):
        return _persons(items, problems)
    ids = _ids(items, lambda p: f"people row {p}", problems)
    result = People(ids)
    if ids is items:  # clean ASCII ids: pyarrow looks the facts' subjects up among them
        result.arrow_ids = text_list_as_arrow(ids)
    return result


def _people_frame(people: pd.DataFrame, problems: Problems) -> People:
    if "id" not in people.columns:
        raise InputError(
            f"people: the frame has no 'id' column (columns: {list(people.columns)!r})"
        )
    people = _without_empty_unnamed(people)
    name = _namer("people", people.index)
    arrow = arrow_strings(people["id"])
    cells: list[object] = people["id"].tolist() if arrow is None else arrow.to_pylist()
    ids = _ids(cells, name, problems)
    result = People(ids)
    if ids is cells:  # clean ASCII ids: pyarrow looks the facts' subjects up among them
        result.arrow_ids = arrow
        if result.arrow_ids is None:
            result.arrow_ids = _python_text(people["id"])
    for field in PERSON_FIELDS[1:]:
        if field in people.columns:
            result.coded[field] = convert(
                people[field],
                problems,
                name,
                field,
                _attribute(field),
                default=None,
                expected="text",
            )
    for column in people.columns:
        if column in PERSON_FIELDS:
            continue
        # Another column: a person's attribute, read as the file reads it.
        clash = attribute_name_problem(str(column))
        if clash is not None:
            problems.add(InputError(f"people: column {clash}"))
            continue
        result.coded[str(column)] = convert(
            people[column],
            problems,
            name,
            str(column),
            _attribute(str(column)),
            default=None,
            expected="text",
        )
    return result


def _without_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without pandas' ``Unnamed: N`` columns that hold no value: a file's
    trailing empty columns (Excel's), which ``read_csv`` names so; the files ignore them."""
    empty = [
        column
        for column in frame.columns
        if isinstance(column, str)
        and column.startswith("Unnamed: ")
        and column.removeprefix("Unnamed: ").isdigit()
        and bool(frame[column].map(is_missing).all())
    ]
    return frame.drop(columns=empty) if empty else frame


def _persons(items: list[object], problems: Problems) -> People:
    """A sequence of :class:`Person` objects and ids (each id as ``Person(id=…)`` reads it)."""
    if set(map(type, items)) == {Person}:
        return _all_persons(items)  # type: ignore[arg-type]  # checked just above
    persons: dict[int, Person] = {}
    ids: list[str] = []
    for position, item in enumerate(items):
        if isinstance(item, Person):
            persons[position] = item
            ids.append(item.id)
            continue
        try:
            ids.append(Person(id=item).id)  # an id as a Person reads it, or its problem
        except InputError as error:
            problems.add(InputError(f"people row {position}: {error}"))
            ids.append("")
    result = People(ids)
    given = [persons.get(position) for position in range(len(ids))]
    for field in (*PERSON_FIELDS[1:], *_other_attributes(persons.values())):
        # A Person's fields and attributes are already None or NFC text.
        values: list[str | None] = [None if p is None else p.get(field) for p in given]
        seen: dict[str, int] = {}
        codes = [-1 if v is None else seen.setdefault(v, len(seen)) for v in values]
        result.coded[field] = (np.asarray(codes, dtype=np.int64), list(seen))
    result.built = persons
    return result


def _other_attributes(persons: Iterable[Person]) -> list[str]:
    """The names of the people's other attributes, sorted."""
    return sorted({name for person in persons for name, _ in person.attributes})


def _all_persons(items: list[Person]) -> People:
    """A sequence of :class:`Person` objects only: their ids and attributes (already checked,
    NFC) read field by field, each distinct attribute object coded once."""
    ids: list[str] = list(map(attrgetter("id"), items))
    result = People(ids)
    for field in PERSON_FIELDS[1:]:
        read = attrgetter(field)
        if not any(map(read, items)):  # a Person's field is None or non-empty text
            continue  # nobody has one: read as missing (People.codes)
        cells = np.fromiter(map(read, items), dtype=object, count=len(items))  # checked
        codes, distinct = factorize(pd.Series(cells, dtype=object), Problems(), str, field, "")
        result.coded[field] = (codes, distinct)  # type: ignore[assignment]  # None or text
    others = _other_attributes(items) if any(map(attrgetter("attributes"), items)) else []
    for name in others:
        seen: dict[str, int] = {}
        coded = [
            -1 if (value := person.get(name)) is None else seen.setdefault(value, len(seen))
            for person in items
        ]
        result.coded[name] = (np.asarray(coded, dtype=np.int64), list(seen))
    result.given = items
    result.arrow_ids = text_list_as_arrow(ids)
    return result


# --------------------------------------------------------------------------- subjects


def _subject_positions(
    subjects: pd.Series, index: Population, what: str, problems: Problems
) -> Codes:
    """Population positions of a subject column, each distinct subject looked up once
    (categorical columns per category, Arrow strings in pyarrow); a subject read as a file
    reads it (trimmed, NFC) if not found as it is. Problems for the others; they read 0."""
    positions: Codes | None = None
    name = _namer(what, subjects.index)
    if isinstance(subjects.dtype, pd.CategoricalDtype):
        codes = subjects.cat.codes.to_numpy().astype(np.int64)
        positions = _from_codes(codes, subjects.cat.categories, index)
    else:
        arrow = arrow_strings(subjects)
        if arrow is not None:  # strings in pyarrow: looked up there (once per run of rows)
            positions = index.get_indexer_arrow(arrow)
        else:  # Python objects: each distinct one looked up once
            positions = _object_positions(subjects, index)
        if positions is None:
            codes, uniques = _factorize(subjects, name, problems)
            positions = _from_codes(codes, pd.Index(uniques, dtype=object), index)
    if len(positions) and positions.min() < 0:
        positions = _unfound(subjects, positions, index, name, problems)
    return positions


def _object_positions(subjects: pd.Series, index: Population) -> Codes | None:
    """Positions of a column of Python strings, each run of the very same string object
    (rows grouped by person) or else each distinct string *object* looked up once (in
    pyarrow); ``None`` when the cells are not all text."""
    cells = _python_cells(subjects)
    if cells is None:
        return None
    runs = object_runs(cells)
    if runs is not None:  # a cell per run: the look-up finds repeated subjects as well
        arrow = python_text_as_arrow(cells.take(runs[0]))
        return None if arrow is None else np.repeat(index.get_indexer_arrow(arrow), runs[1])
    same = same_objects(cells)
    arrow = python_text_as_arrow(cells if same is None else same[1])
    if arrow is None:
        return None
    positions = index.get_indexer_arrow(arrow)
    return positions if same is None else positions.take(same[0])


def _factorize(
    column: pd.Series, name: Callable[[int], str], problems: Problems
) -> tuple[Codes, list[object]]:
    return factorize(column, problems, name, "subject", "a person id")


def _unfound(
    subjects: pd.Series,
    positions: Codes,
    index: Population,
    name: Callable[[int], str],
    problems: Problems,
) -> Codes:
    """The rows whose subject was not found as it is: trimmed and NFC (as a file's cell),
    or a problem of the row (missing, not text, or not in the population)."""
    rows = np.flatnonzero(positions < 0)
    positions = positions.astype(np.int64, copy=True)
    found: dict[object, int | str] = {}
    unknown: list[int] = []
    for position in rows.tolist():
        raw = subjects.iloc[position]
        try:
            key: object = raw if isinstance(raw, str) else ("", repr(raw))
        except TypeError:  # pragma: no cover - an unhashable cell was noted already
            key = ("", id(raw))
        if key not in found:
            found[key] = _look_up(raw, index)
        result = found[key]
        if isinstance(result, int):
            positions[position] = result
            continue
        positions[position] = 0
        if result == "unknown":
            unknown.append(position)
        elif result != "noted":
            problems.add(UnknownSubjectError(f"{name(position)}: {result}"), position)
    problems.rows(
        np.asarray(unknown, dtype=np.int64),
        lambda p: f"{name(p)}: subject {subjects.iloc[p]!r} is not in the population scored",
        UnknownSubjectError,
    )
    return positions


def _look_up(raw: object, index: Population) -> int | str:
    """A subject's position, or what is wrong with it (``"unknown"``: not in the population)."""
    if isinstance(raw, str):
        trimmed = unicodedata.normalize("NFC", raw.strip())
        if not trimmed:
            return f"subject must be a person id (got {raw!r})"
        return index.positions.get(trimmed, "unknown")
    if is_missing(raw):
        return "subject is missing; expected a person id"
    try:
        hash(raw)
    except TypeError:
        return "noted"  # an unhashable cell: its problem is noted already
    return f"subject must be a person id (got {raw!r})"


def _from_codes(codes: Ints, uniques: pd.Index, index: Population) -> Codes:
    """Positions of coded subjects: each distinct subject looked up once (-1 for a code of
    -1, a missing cell)."""
    arrow = arrow_strings(uniques)
    if (
        arrow is None
        and uniques.dtype == object
        and len(uniques) == len(index.ids)
        and uniques.tolist() == index.ids
    ):
        # Categories that are the population's own ids in its order (a categorical built on
        # the people's ids): told by one comparison of two lists, no look-up at all.
        return codes  # each code is the person's position already (-1 stays missing)
    if arrow is None and uniques.dtype == object:
        arrow = python_text_as_arrow(uniques.to_numpy(dtype=object))
    if arrow is not None:
        lookup = index.get_indexer_arrow(arrow)
    else:
        lookup = index.get_indexer(nfc_list(uniques.tolist()))
    return _taken(codes, lookup)


def _taken(codes: Ints, lookup: Ints) -> Codes:
    """``lookup`` at each code (-1 for a code of -1)."""
    if len(codes) and codes.min() < 0:
        return np.where(codes >= 0, lookup.take(np.maximum(codes, 0)), -1)
    return lookup.take(codes)


# --------------------------------------------------------------------------- numbers


def _no_bools(
    column: pd.Series, name: Callable[[int], str], field: str, problems: Problems
) -> pd.Series:
    """A numeric column without booleans: a column of them is refused; one among numbers is
    a problem of its row (``True == 1`` for pandas, which would merge them), read as 1."""
    dtype = column.dtype
    if dtype.kind == "b" or str(dtype) in ("boolean", "bool[pyarrow]"):
        raise InputError(
            f"{name(0).split(' row ')[0]}: column {field!r} must hold numbers, not booleans"
        )
    if dtype.kind == "O":
        cells = column.to_numpy()
        types = set(map(type, cells))
        if bool in types or np.bool_ in types:
            bad = np.flatnonzero([isinstance(v, bool | np.bool_) for v in cells])
            problems.rows(
                bad,
                lambda p: f"{name(p)}: {field} must be a number, not a bool (got {cells[p]!r})",
            )
            column = column.copy()
            column.iloc[bad] = 1
    return column


def _narrow(column: pd.Series) -> type[np.floating] | None:
    dtype = column.dtype
    width = getattr(dtype, "itemsize", 8)
    if dtype.kind == "f" and width < 8:
        return np.dtype(f"float{8 * width}").type
    return None


def exact_values(
    column: pd.Series,
    what: str,
    field: str,
    problems: Problems,
    *,
    default: Decimal | None = None,
    minimum: bool = False,
    percent: bool = False,
) -> tuple[Codes, list[Decimal]]:
    """(codes, distinct exact values) of a numeric column: each distinct value converted once.

    Text reads as a file's cell; floats through their shortest repr in their own precision (a
    ``float32`` 0.7 is 0.7); Decimals and integers exactly. NaN and infinities among numbers,
    booleans and text that is not a number are problems naming the row; a blank cell takes
    ``default``, or is a problem when there is none.
    """
    name = _namer(what, column.index)
    column = _no_bools(column, name, field, problems)
    read = number(field, percent=percent, minimum=minimum, narrow=_narrow(column))
    return convert(
        column,
        problems,
        name,
        field,
        read,
        default=Decimal(0) if default is None else default,
        required=default is None,
        expected="a number",
    )


# --------------------------------------------------------------------------- events


def event_check(
    policy: Policy, unknown_kinds: UnknownKinds, duplicates: Duplicates
) -> EventProblems:
    """The checks of unknown kinds and repeated refs the options ask for."""
    known = None if unknown_kinds == "ignore" else policy.known_kinds
    return EventProblems((policy.id,), known, duplicates=duplicates == "error")


def _fact_frame(
    given: object, what: str, columns: list[str], allowed: list[str] | None = None
) -> pd.DataFrame:
    """The events or measures as a DataFrame (an empty one with ``columns`` for ``None``),
    without pandas' empty ``Unnamed`` columns; any column not ``allowed`` (by default
    ``columns``) refused by name."""
    allowed = columns if allowed is None else allowed
    frame = (
        as_frame(given, what) if given is not None else pd.DataFrame({key: [] for key in columns})
    )
    if frame is None:
        raise InputError(f"{what} must be a pandas DataFrame (got {type(given).__name__})")
    frame = _without_empty_unnamed(frame)
    unknown = [c for c in frame.columns if c not in allowed]
    if unknown:
        raise InputError(f"{what}: unknown column(s) {unknown!r}; expected {allowed!r}")
    return frame


def read_events(
    frame: object,
    index: Population,
    period: Period,
    problems: Problems | None = None,
    *,
    check: EventProblems | None = None,
) -> EventColumns:
    """The events frame, checked, as columns (rows outside ``period`` checked, not scored).

    Problems go to ``problems`` (raised here when none is given); ``check`` adds those of
    unknown kinds and repeated refs (all rows, in the period or not)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    self = EventColumns()
    what = "events"
    frame = _fact_frame(frame, what, ["subject", "kind", "on"], sorted(_EVENT_COLUMNS))
    problems.frame, since = 1, len(problems.marked)
    name = _namer(what, frame.index)
    self.subject = _subject_positions(_column(frame, "subject", what), index, what, problems)
    codes, kinds = convert(
        _column(frame, "kind", what),
        problems,
        name,
        "kind",
        text("kind", "a non-empty string"),
        default="",
        required=True,
        expected="a string",
        refused="a non-empty string",
    )
    self.set_kinds(codes, kinds)
    if "quantity" in frame.columns:
        self.quantity_codes, self.quantities = exact_values(
            frame["quantity"], what, "quantity", problems, default=Decimal(1), minimum=True
        )
    else:
        self.quantity_codes = np.zeros(len(frame), dtype=np.int64)
        self.quantities = [Decimal(1)]
    excused = _booleans(frame["excused"]) if "excused" in frame.columns else None
    if excused is not None:
        self.excused = excused
    elif "excused" in frame.columns:
        codes, flags = convert(
            frame["excused"],
            problems,
            name,
            "excused",
            flag,
            default=False,
            expected="true or false",
        )
        self.excused = np.array(flags, dtype=bool).take(codes)
    else:
        self.excused = np.zeros(len(frame), dtype=bool)
    day_codes, days = read_days(_column(frame, "on", what), what, frame.index, problems)
    if day_codes is None:
        self.day = days
    else:
        self.day_codes, self.day_values = day_codes, days
    self.refs = _optional_texts(frame, "ref", name, problems)
    self.notes = _optional_texts(frame, "note", name, problems)
    if check is not None:
        # Only the well-read rows: a row with a bad cell has no kind or subject to compare.
        bad = problems.bad_rows(len(frame), since)
        good = np.flatnonzero(~bad) if bad.any() else None
        if check.duplicates and good is None and _all_distinct(self):
            # No two rows can repeat each other: only the kinds are left to check.
            check = EventProblems(check.policy_ids, check.known, duplicates=False)
        found, unlisted = check.found(self, index.ids, name, good)
        for position, problem in found:
            problems.add(problem, position)
        problems.uncounted(unlisted)
    self.limit_to(period)
    if own:
        problems.raise_all()
    return self


def _booleans(column: pd.Series) -> Bools | None:
    """A column of booleans (NumPy, pandas' ``boolean`` or Arrow's ``bool``) as NumPy's, a
    missing cell as ``False`` (what :func:`convert` with the default makes of it); ``None``
    for any other column."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return column.to_numpy(dtype=bool)
    if isinstance(dtype, pd.BooleanDtype) or (
        isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) == "bool"
    ):
        return column.to_numpy(dtype=bool, na_value=False)
    return None


def _all_distinct(columns: EventColumns) -> bool:
    """Whether the events' rows, none with a ``ref``, differ pairwise in some field (subject,
    kind, date, quantity, excused): then none repeats another. ``False`` when unsure (refs or
    notes given, or a key too wide for 63 bits): the full check decides.

    A sufficient test, much cheaper than the check that names the repeated rows: the fields
    are folded into one integer per row, the most ordered field first (rows come grouped by
    person, or sorted by date), and sorted with a merge sort, which takes the runs of an
    ordered column as they are; two equal neighbours after the sort are a repeat.
    """
    if columns.refs is not None or columns.notes is not None or len(columns.subject) < 2:
        return False
    fields = [  # as the full check compares them: equal values share a code
        columns.subject,
        columns.kind_codes,
        columns.day.view(np.int64),
        _codes(columns.quantities).take(columns.quantity_codes),
        columns.excused.view(np.int8),
    ]
    fields.sort(key=lambda field: int(np.count_nonzero(field[1:] < field[:-1])))
    key = np.zeros(len(columns.subject), dtype=np.int64)
    span = 1
    for field in fields:
        low = int(field.min())
        width = int(field.max()) - low + 1
        span *= width
        if span >= 2**62:
            return False
        key *= width
        key += field
        key -= low
    key.sort(kind="stable")
    return not bool(np.any(key[1:] == key[:-1]))


def _optional_texts(
    frame: pd.DataFrame, field: str, name: Callable[[int], str], problems: Problems
) -> list[str | None] | None:
    """An optional text column as a list of NFC strings or ``None`` (missing or blank)."""
    if field not in frame.columns:
        return None
    codes, values = convert(
        frame[field], problems, name, field, text(field, "text"), default=None, expected="text"
    )
    return [values[code] for code in codes.tolist()]


# --------------------------------------------------------------------------- measures


def read_measures(
    frame: object, index: Population, compiled: _Compiled, problems: Problems | None = None
) -> MeasureColumns:
    """The measures frame, checked, as columns: at most one per person and criterion.

    Problems go to ``problems`` (raised here when none is given)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    self = MeasureColumns()
    what = "measures"
    frame = _fact_frame(frame, what, ["subject", "criterion", "value"])
    problems.frame, since = 2, len(problems.marked)
    name = _namer(what, frame.index)
    self.subject = _subject_positions(_column(frame, "subject", what), index, what, problems)
    slots = {info[1]: slot for slot, info in enumerate(compiled.measured_info)}

    def slot(raw: object) -> int:
        criterion = text("criterion", "a criterion id")(raw)
        if criterion in slots:
            return slots[criterion]
        found = compiled.criteria.get(criterion)
        if found is None:
            raise Bad(
                f"{criterion!r} is not in policy {compiled.policy.id!r};"
                f" expected one of {sorted(slots)!r}"
            )
        raise Bad(
            f"{criterion!r} has basis {found.basis!r}, which takes no measure;"
            " expected a criterion with basis 'assessed' or 'ratio'"
        )

    codes, lookup = convert(
        _column(frame, "criterion", what),
        problems,
        name,
        "criterion",
        slot,
        default=-1,
        required=True,
        expected="a criterion id",
    )
    self.slot = np.asarray(lookup, dtype=np.int64).take(codes) if len(codes) else codes
    self.value_codes, self.values = exact_values(
        _column(frame, "value", what), what, "value", problems, percent=True
    )
    # Only the well-read rows: a row with a bad subject, criterion or value has no key.
    bad = problems.bad_rows(len(frame), since)
    good = np.flatnonzero(~bad)
    checks = _MeasureChecks(self, frame, compiled, name, problems, good)
    checks.no_second_measures()
    checks.in_range()
    self.slot = np.maximum(self.slot, 0)
    if own:
        problems.raise_all()
    return self


@attrs.define
class _MeasureChecks:
    """The checks of a measures frame's well-read rows (``good``: a bad subject, criterion or
    value gives a row no key), each adding one problem per refused row."""

    columns: MeasureColumns
    frame: pd.DataFrame
    compiled: _Compiled
    name: Callable[[int], str]
    problems: Problems
    good: Codes

    def no_second_measures(self) -> None:
        """A problem per row repeating an earlier row's (subject, criterion)."""
        columns, good, frame, name = self.columns, self.good, self.frame, self.name
        width = max(len(self.compiled.measured_info), 1)
        key = columns.subject.take(good).astype(np.int64) * width + columns.slot.take(good)
        if len(key) and int(np.bincount(key).max()) > 1:
            rows = good[pd.Series(key).duplicated().to_numpy()]
            self.problems.rows(
                rows,
                lambda p: (
                    f"{name(p)}: a second measure for criterion"
                    f" {frame['criterion'].iloc[p]!r} of subject {frame['subject'].iloc[p]!r};"
                    " expected at most one"
                ),
            )

    def in_range(self) -> None:
        """A problem per row whose value its criterion refuses (an assessed value outside
        [0, max], a ratio below 0, above 1 without ``ratio_cap`` or above the policy's
        ``max_ratio``): each distinct (criterion, value) tested once, as scoring tests it."""
        columns, good, compiled = self.columns, self.good, self.compiled
        if not len(good):
            return
        width = max(len(columns.values), 1)
        pairs = columns.slot.take(good).astype(np.int64) * width + columns.value_codes.take(good)
        distinct = np.flatnonzero(np.bincount(pairs))  # few pairs: counted, not sorted
        refused = []
        for pair in distinct.tolist():
            criterion = compiled.measured_info[pair // width][7]
            try:
                _check_measure(compiled.policy, criterion, "", columns.values[pair % width])
            except InputError:
                refused.append(pair)
        if not refused:
            return
        rows = good[np.isin(pairs, np.asarray(refused, dtype=np.int64))]

        def message(position: int) -> str:
            criterion = compiled.measured_info[int(columns.slot[position])][7]
            subject = str(self.frame["subject"].iloc[position]).strip()
            value = columns.values[columns.value_codes[position]]
            try:
                _check_measure(compiled.policy, criterion, subject, value)
            except InputError as error:
                return f"{self.name(position)}: {error}"
            return f"{self.name(position)}: value refused"  # pragma: no cover - refused above

        self.problems.rows(rows, message)
