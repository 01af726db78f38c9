"""The facts as columns: events and measures, checked, whoever read them (a DataFrame reader
or the CSV fast path)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from kpiscore.engine.columnar._arrays import Bools, Codes, Days, Ints
from kpiscore.model.facts import Event
from kpiscore.model.period import Period

__all__ = ["EventColumns", "MeasureColumns"]


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
