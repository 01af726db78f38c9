"""Evaluation periods: a month, a quarter, a half, a year or any inclusive date range."""

from __future__ import annotations

import calendar
import datetime as _dt
import re

import attrs

from kpiscore.exceptions import InputError, PeriodError

__all__ = ["Period", "as_period", "check_date"]


def as_period(period: object) -> Period:
    """A :class:`Period`, or a label such as ``"2026-Q1"`` parsed into one.

    Raises:
        PeriodError: anything else, or a label that cannot be read.
    """
    if isinstance(period, Period):
        return period
    if isinstance(period, str):
        return Period.parse(period)
    raise PeriodError(
        f"period must be a Period or a label such as '2026-Q1' (got {type(period).__name__}"
        f" {period!r})"
    )


def check_date(value: object, *, owner: str, field: str) -> _dt.date:
    """Accept a plain :class:`datetime.date`; reject a ``datetime`` and anything else, clearly.

    A ``datetime`` is refused because its time of day and time zone would silently decide which
    period an event falls in.
    """
    if isinstance(value, _dt.datetime):
        raise InputError(
            f"{owner}: {field} must be a date, not a datetime (got {value!r}); pass {field}.date()"
            " so the time of day and time zone cannot change which period it falls in"
        )
    if not isinstance(value, _dt.date):
        raise InputError(
            f"{owner}: {field} must be a datetime.date (got {type(value).__name__} {value!r})"
        )
    return value


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")


def _validate_start(instance: Period, attribute: attrs.Attribute[_dt.date], value: object) -> None:
    check_date(value, owner="period", field=attribute.name)


def _validate_end(instance: Period, attribute: attrs.Attribute[_dt.date], value: object) -> None:
    end = check_date(value, owner="period", field=attribute.name)
    if end < instance.start:
        raise PeriodError(
            f"period: end must be on or after start (got start={instance.start.isoformat()},"
            f" end={end.isoformat()})"
        )


@attrs.frozen(kw_only=True, order=True)
class Period:
    """An inclusive range of dates scored together (kỳ đánh giá).

    Periods order by start then end, hash, and print as their label.

    Args:
        start: First day, included.
        end: Last day, included; on or after ``start``.

    Raises:
        InputError: a bound is not a ``date`` (a ``datetime`` is refused), or ``end < start``.

    >>> q1 = Period.quarter(2026, 1)
    >>> q1.label, q1.days, date(2026, 3, 31) in q1
    ('2026-Q1', 90, True)
    >>> [str(m) for m in q1.months()]
    ['2026-01', '2026-02', '2026-03']
    >>> Period.parse("2026-01-01/2026-01-15").label
    '2026-01-01/2026-01-15'
    """

    start: _dt.date = attrs.field(validator=_validate_start)
    end: _dt.date = attrs.field(validator=_validate_end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``month`` (1-12) of ``year``."""
        return cls._part_of_year(year, month, "month", 1)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter ``quarter`` (1-4) of ``year``."""
        return cls._part_of_year(year, quarter, "quarter", 3)

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        """Half-year ``half`` (1 or 2) of ``year``."""
        return cls._part_of_year(year, half, "half", 6)

    @classmethod
    def _part_of_year(cls, year: int, index: int, name: str, months: int) -> Period:
        """Part ``index`` (from 1) of ``year`` when it is cut into parts of ``months`` months."""
        _check_int(year, "year", 1, 9999)
        _check_int(index, name, 1, 12 // months)
        start = _dt.date(year, months * (index - 1) + 1, 1)
        return cls(start=start, end=_last_day(year, start.month, months))

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year ``year``."""
        _check_int(year, "year", 1, 9999)
        return cls(start=_dt.date(year, 1, 1), end=_dt.date(year, 12, 31))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``"2026-01"``, ``"2026-Q1"``, ``"2026-H1"``, ``"2026"`` or a range.

        A range is ``"2026-01-01/2026-03-31"``, both ends included.

        Raises:
            PeriodError: the text is none of those forms, or names an impossible date.
        """
        if not isinstance(text, str):
            raise PeriodError(f"period: expected a period label string (got {text!r})")
        stripped = text.strip()
        try:
            if match := _MONTH.match(stripped):
                return cls.month(int(match[1]), int(match[2]))
            if match := _QUARTER.match(stripped):
                return cls.quarter(int(match[1]), int(match[2]))
            if match := _HALF.match(stripped):
                return cls.half(int(match[1]), int(match[2]))
            if match := _YEAR.match(stripped):
                return cls.year(int(match[1]))
            if match := _RANGE.match(stripped):
                return cls(
                    start=_dt.date.fromisoformat(match[1]), end=_dt.date.fromisoformat(match[2])
                )
        except ValueError as error:
            if isinstance(error, PeriodError):
                raise PeriodError(f"period {text!r}: {error}") from None
            raise PeriodError(f"period {text!r}: {error}") from None
        raise PeriodError(
            f"period: cannot read {text!r}; expected 'YYYY-MM', 'YYYY-Qn', 'YYYY-Hn', 'YYYY'"
            " or 'YYYY-MM-DD/YYYY-MM-DD'"
        )

    @property
    def label(self) -> str:
        """``"2026-01"``, ``"2026-Q1"``, ``"2026-H1"``, ``"2026"``, or the range form."""
        start, end = self.start, self.end
        if start.day == 1 and end == _last_day(start.year, start.month, 1):
            return f"{start.year:04d}-{start.month:02d}"
        if start.day == 1 and start.month % 3 == 1 and end == _last_day(start.year, start.month, 3):
            return f"{start.year:04d}-Q{start.month // 3 + 1}"
        if (
            start.day == 1
            and start.month in (1, 7)
            and end == _last_day(start.year, start.month, 6)
        ):
            return f"{start.year:04d}-H{start.month // 6 + 1}"
        if start == _dt.date(start.year, 1, 1) and end == _dt.date(start.year, 12, 31):
            return f"{start.year:04d}"
        return f"{start.isoformat()}/{end.isoformat()}"

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        checked = check_date(day, owner="period membership", field="day")
        return self.start <= checked <= self.end

    def contains_period(self, other: Period) -> bool:
        """Whether ``other`` lies entirely inside this period."""
        return self.start <= other.start and other.end <= self.end

    def months(self) -> tuple[Period, ...]:
        """The calendar months that make up the period, clipped to it, in order.

        For a period aligned on months these are whole months; for a custom range the first and
        last are clipped, so the pieces always partition the period exactly.
        """
        return self._split(1)

    def quarters(self) -> tuple[Period, ...]:
        """The calendar quarters that make up the period, clipped to it, in order."""
        return self._split(3)

    def _split(self, months: int) -> tuple[Period, ...]:
        pieces: list[Period] = []
        first_month = (self.start.month - 1) // months * months + 1
        year, month = self.start.year, first_month
        while True:
            cursor = _dt.date(year, month, 1)
            last = _last_day(year, month, months)
            pieces.append(Period(start=max(cursor, self.start), end=min(last, self.end)))
            if last >= self.end:
                return tuple(pieces)
            year, month = (year + 1, 1) if month + months > 12 else (year, month + months)


def _last_day(year: int, month: int, months: int) -> _dt.date:
    """The last day of the ``months`` months starting with ``month`` of ``year``.

    Computed without stepping past the last month, so December 9999 (the last month a
    :class:`datetime.date` holds) has a last day too.

    >>> _last_day(9999, 12, 1), _last_day(2024, 1, 2)
    (datetime.date(9999, 12, 31), datetime.date(2024, 2, 29))
    """
    last_month = month + months - 1
    return _dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def _check_int(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PeriodError(f"period: {name} must be an integer from {low} to {high} (got {value!r})")
