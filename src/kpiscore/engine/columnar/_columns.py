"""The facts as columns: events and measures, checked, whoever read them (a DataFrame reader
or the CSV fast path)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np

from kpiscore.engine.columnar._arrays import Bools, Codes, Days, Ints
from kpiscore.exceptions import DuplicateEventError, InputError, UnknownKindError
from kpiscore.model.fact_checks import repeat_message, unknown_kind_message
from kpiscore.model.facts import Event
from kpiscore.model.period import Period
from kpiscore.model.rules import MAX_LISTED

__all__ = ["EventColumns", "EventProblems", "MeasureColumns"]


def _no_rows() -> Ints:
    return np.zeros(0, dtype=np.int64)


class EventColumns:
    """The events, checked, as arrays; only rows inside the period are kept for scoring."""

    def __init__(self) -> None:
        self.subject: Codes = _no_rows()  # population position per row (all rows)
        self.kind_codes: Codes = _no_rows()
        self.kinds: list[str] = []
        self.quantity_codes: Codes = _no_rows()
        self.quantities: list[Decimal] = [Decimal(1)]
        self.excused: Bools = np.zeros(0, dtype=bool)
        self._day: Days | None = None
        # Or, from a file: a code per row into the distinct days (expanded only if needed).
        self.day_codes: Codes | None = None
        self.day_values: Days = np.zeros(0, dtype="datetime64[D]")
        self.in_period: Bools = np.zeros(0, dtype=bool)
        self.live: Bools = np.zeros(0, dtype=bool)  # in the period and not excused
        self.refs: list[str | None] | None = None
        self.notes: list[str | None] | None = None

    @property
    def day(self) -> Days:
        """Each row's date (numpy ``datetime64[D]``)."""
        if self._day is None:
            if self.day_codes is None:
                self._day = np.zeros(0, dtype="datetime64[D]")
            else:
                self._day = self.day_values.take(self.day_codes)
        return self._day

    @day.setter
    def day(self, value: Days) -> None:
        self._day = value

    @classmethod
    def empty(cls, period: Period) -> EventColumns:
        """No events at all."""
        self = cls()
        self.day = np.zeros(0, dtype="datetime64[D]")
        self.limit_to(period)
        return self

    def set_kinds(self, codes: Codes, kinds: list[str]) -> None:
        """Each row's kind, from codes into ``kinds``; kinds that read the same (in NFC, as
        an :class:`Event` reads them) share one code (found with one dict: linear)."""
        distinct: dict[str, int] = {}
        remap = np.array([distinct.setdefault(k, len(distinct)) for k in kinds], dtype=np.int64)
        self.kinds = list(distinct)
        self.kind_codes = remap.take(codes) if len(codes) else _no_rows()

    def unknown_kinds(self, known: frozenset[str]) -> list[tuple[str, int, int]]:
        """``(kind, first row, rows)`` for each kind not in ``known``: one test per *distinct*
        kind, then one vectorised count per unknown kind (no work per row in Python)."""
        found = []
        for code, kind in enumerate(self.kinds):
            if kind in known:
                continue
            rows = np.flatnonzero(self.kind_codes == code)
            if len(rows):
                found.append((kind, int(rows[0]), len(rows)))
        return found

    def repeated_refs(self) -> tuple[Codes, Codes]:
        """``(rows, first rows)`` of the events whose subject and ``ref`` an earlier row
        already has (sorted by row), found with NumPy sorts."""
        if self.refs is None or not len(self.subject):
            return _no_rows(), _no_rows()
        refs = np.asarray(self.refs, dtype=object)
        with_ref = np.flatnonzero(np.array([ref is not None for ref in self.refs], dtype=bool))
        if not len(with_ref):
            return _no_rows(), _no_rows()
        _, ref_codes = np.unique(refs[with_ref].astype(str), return_inverse=True)
        key = self.subject[with_ref].astype(np.int64) * (int(ref_codes.max()) + 1) + ref_codes
        _, first_at, inverse = np.unique(key, return_index=True, return_inverse=True)
        first = with_ref[first_at[inverse.reshape(-1)]]
        repeated = first != with_ref
        return with_ref[repeated], first[repeated]

    def repeated_rows(self, rows: Codes) -> tuple[Codes, Codes]:
        """``(rows, first rows)``, sorted by row, of those of ``rows`` (in increasing order)
        that repeat an earlier one of them: the same subject and ``ref``, or, both without a
        ``ref``, the same subject, kind, date, quantity, excused and note (equal values; one
        hash of an integer key per row, no work per row in Python but the reading of the
        refs and notes into codes)."""
        if not len(rows):
            return _no_rows(), _no_rows()
        subject = self.subject.take(rows).astype(np.int64, copy=False)
        if self.refs is None:  # no refs: every row is compared in every field
            return self._repeated_fields(rows, subject)
        ref = _codes(self.refs).take(rows)
        first = rows.copy()
        with_ref = np.flatnonzero(ref >= 0)
        if len(with_ref):
            first[with_ref] = rows.take(with_ref).take(
                _first_equal([subject.take(with_ref), ref.take(with_ref)])
            )
        without = np.flatnonzero(ref < 0)
        if len(without):
            at = rows.take(without)
            repeated, earlier = self._repeated_fields(at, subject.take(without))
            first[np.searchsorted(rows, repeated)] = earlier
        repeated_at = first != rows
        return rows[repeated_at], first[repeated_at]

    def _repeated_fields(self, rows: Codes, subject: Codes) -> tuple[Codes, Codes]:
        """:meth:`repeated_rows` among ``rows`` without a ``ref`` (``subject``: theirs)."""
        notes = None if self.notes is None else _codes(self.notes).take(rows)
        columns = [
            subject,
            self.kind_codes.take(rows),
            self.day.take(rows).view(np.int64),
            _codes(self.quantities).take(self.quantity_codes.take(rows)),
            self.excused.take(rows).view(np.int8),
        ]
        if notes is not None:
            columns.append(notes)
        first = rows.take(_first_equal(columns))
        repeated = first != rows
        return rows[repeated], first[repeated]

    def limit_to(self, period: Period) -> None:
        """Mark the rows inside the period (the others are checked but not scored)."""
        start = np.datetime64(period.start, "D")
        end = np.datetime64(period.end, "D")
        if self._day is None and self.day_codes is not None:  # decided once per distinct day
            inside = (self.day_values >= start) & (self.day_values <= end)
            self.in_period = inside.take(self.day_codes)
        else:
            self.in_period = (self.day >= start) & (self.day <= end)
        self.live = self.in_period & ~self.excused  # the rows that count

    def events_of(self, rows: Codes, ids: Sequence[str]) -> list[Event]:
        """Event objects for the given rows (for one person's exact scorecard)."""
        refs, notes = self.refs, self.notes
        day = self.day
        result = []
        for row in rows.tolist():
            result.append(
                Event(
                    subject=ids[self.subject[row]],
                    kind=self.kinds[self.kind_codes[row]],
                    on=day[row].astype(_dt.date),
                    quantity=self.quantities[self.quantity_codes[row]],
                    excused=bool(self.excused[row]),
                    ref=None if refs is None else refs[row],
                    note=None if notes is None else notes[row],
                )
            )
        return result


def _codes(values: Sequence[object]) -> Codes:
    """A code per value, -1 for ``None``: equal values share a code."""
    seen: dict[object, int] = {}
    return np.asarray(
        [-1 if v is None else seen.setdefault(v, len(seen)) for v in values], dtype=np.int64
    )


def _first_equal(columns: list[Ints]) -> Codes:
    """For each row, the position of the first row equal to it in every column: the columns
    folded into one integer key (mixed radix) when it fits in 63 bits, else sorted row-wise."""
    import pandas as pd  # the columnar engine runs only with the pandas extra installed

    size = len(columns[0])
    key = np.zeros(size, dtype=np.int64)
    span = 1
    for column in columns:
        low = int(column.min())
        width = int(column.max()) - low + 1
        if width == 1:
            continue  # the same in every row: it tells no row from another
        span *= width
        if span >= 2**62:
            _, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
            key = inverse.reshape(-1).astype(np.int64)
            break
        key = key * width + (column.astype(np.int64, copy=False) - low)
    positions = np.arange(size, dtype=np.int64)
    if not pd.Series(key).duplicated().to_numpy().any():  # the usual case: cheaper to tell
        return positions
    codes, uniques = pd.factorize(key)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = positions[::-1]  # the last write of each code is its first row
    return first.take(codes)


class MeasureColumns:
    """The measures, checked: one value per person and measured criterion."""

    def __init__(self) -> None:
        self.subject: Codes = _no_rows()
        self.slot: Codes = _no_rows()  # index into compiled.measured_info
        self.value_codes: Codes = _no_rows()
        self.values: list[Decimal] = []

    @classmethod
    def empty(cls) -> MeasureColumns:
        """No measures at all."""
        return cls()


class EventProblems:
    """Unknown kinds and repeated refs of event columns, as problems naming each row."""

    def __init__(
        self,
        policy_ids: Sequence[str],
        known: frozenset[str] | None,
        *,
        duplicates: bool,
    ) -> None:
        self.policy_ids = tuple(policy_ids)
        self.known = known
        self.duplicates = duplicates

    def found(
        self,
        columns: EventColumns,
        ids: Sequence[str],
        name: Callable[[int], str],
        rows: Codes | None = None,
    ) -> tuple[list[tuple[int, InputError]], int]:
        """(``(row, problem)`` for each unknown kind and each repeated row, the first
        :data:`~kpiscore.model.rules.MAX_LISTED` of them; how many repeated rows in all).

        Only the row positions ``rows`` (all rows when ``None``) are compared: a row with a bad
        cell has no kind, subject or fields to compare. Repeated rows are those with the same
        subject and ``ref`` as an earlier row, and, without a ``ref``, those equal to an earlier
        row in every field (as the rows of a file)."""
        problems: list[tuple[int, InputError]] = []
        every = np.arange(len(columns.subject), dtype=np.int64)
        kept = every if rows is None else rows
        if self.known is not None:
            kinds = columns.kind_codes.take(kept)
            for code, kind in enumerate(columns.kinds):
                if kind in self.known:
                    continue
                at = np.flatnonzero(kinds == code)
                if not len(at):
                    continue
                row, others = int(kept[at[0]]), len(at) - 1
                more = f" (and {others} more event{'s' if others > 1 else ''})" if others else ""
                problems.append(
                    (
                        row,
                        UnknownKindError(
                            f"{name(row)}{more}: "
                            + unknown_kind_message(kind, self.policy_ids, self.known)
                        ),
                    )
                )
        if not self.duplicates:
            return problems, 0
        repeated, first = columns.repeated_rows(kept)
        refs = columns.refs
        day = columns.day
        for position, earlier in zip(
            repeated[:MAX_LISTED].tolist(), first[:MAX_LISTED].tolist(), strict=True
        ):
            problems.append(
                (
                    position,
                    DuplicateEventError(
                        f"{name(position)}: "
                        + repeat_message(
                            columns.kinds[columns.kind_codes[position]],
                            ids[columns.subject[position]],
                            str(day[position]),
                            None if refs is None else refs[position],
                            name(earlier),
                        )
                    ),
                )
            )
        return problems, len(repeated) - min(len(repeated), MAX_LISTED)
