"""Working calendars and Civil Code deadlines (lịch làm việc, thời hạn).

A :class:`WorkCalendar` knows which days are worked: Monday to Friday by default, minus public
holidays and swapped days off, plus the make-up working Saturdays Vietnam uses to pay them back.
Deadlines are counted as the Civil Code says:

- Art. 147: for a period counted in days, the day it starts from is not counted;
- Art. 148: when the last day falls on a weekly day off or a public holiday, the period ends at
  the end of the next working day.

:func:`vietnam` gives the official public-sector schedule: 2025 and 2026 ship with kpiscore as
data; other years are derived from the optional ``holidays`` package (``kpiscore[holidays]``).

>>> from kpiscore.calendar import vietnam
>>> cal = vietnam(2026)
>>> cal.deadline(date(2026, 2, 12), 5)                      # Tết 2026 is 14-22 February
datetime.date(2026, 2, 26)
>>> cal.deadline(date(2026, 2, 12), 5, unit="calendar")     # 17 Feb is a holiday: Art. 148
datetime.date(2026, 2, 23)
>>> cal.is_working_day(date(2026, 8, 22))                   # a make-up working Saturday
True
"""

from __future__ import annotations

import bisect
import datetime as _dt
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Final, Literal

import attrs
from dateutil.rrule import DAILY, rrule

from kpiscore._extras import require
from kpiscore.exceptions import CalendarError, InputError, KpiscoreError, MissingExtraError
from kpiscore.model.period import Period, check_date

__all__ = ["SHIPPED_YEARS", "WorkCalendar", "vietnam"]

_ONE_DAY: Final = _dt.timedelta(days=1)
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_UNITS: Final = ("working", "calendar")


# --------------------------------------------------------------------------- construction helpers


def _frozen(value: object) -> object:
    """attrs converter: an iterable (not a string) becomes a frozenset; anything else is left for
    the validation, which reports it with a full message."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value
    return frozenset(value)


def _dates_repr(value: frozenset[_dt.date]) -> str:
    return repr(sorted(day.isoformat() for day in value))


def _check_days(value: object, *, owner: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            f"{owner}: {field} must be a whole number of days >= 0"
            f" (got {type(value).__name__} {value!r})"
        )
    if value < 0:
        raise InputError(f"{owner}: {field} must be a whole number of days >= 0 (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class WorkCalendar:
    """Which days are worked: weekly days off, public holidays, make-up working days.

    A day is a working day when it is a make-up working day, or else when it is neither a
    holiday nor a weekly day off.

    Args:
        weekend: The weekly days off as ``date.weekday()`` numbers (0 = Monday … 6 = Sunday);
            Saturday and Sunday by default. At least one weekday must remain a working day.
        holidays: Days off on top of the weekend: public holidays and swapped days off.
        working_days: Make-up working days: days of the weekend worked to pay back a swapped day
            off. Each must fall on a weekly day off and must not also be a holiday.
        covers: The dates for which ``holidays`` and ``working_days`` are complete. Asking about
            a day outside it raises :class:`CalendarError` instead of silently treating an
            unknown holiday as a working day. ``None`` (the default) means the lists are complete
            for every date.
        name: A readable name, used in messages.

    Raises:
        CalendarError: invalid calendar data (a message names the field, the value received and
            what was expected).

    >>> cal = WorkCalendar(holidays=[date(2026, 2, 16)], working_days=[date(2026, 2, 14)])
    >>> cal.is_working_day(date(2026, 2, 14)), cal.is_working_day(date(2026, 2, 16))
    (True, False)
    >>> cal.add_working_days(date(2026, 2, 13), 2)    # Sat 14 is worked, Mon 16 is off
    datetime.date(2026, 2, 17)
    """

    weekend: frozenset[int] = attrs.field(default=frozenset({5, 6}), converter=_frozen)
    holidays: frozenset[_dt.date] = attrs.field(
        default=frozenset(), converter=_frozen, repr=_dates_repr
    )
    working_days: frozenset[_dt.date] = attrs.field(
        default=frozenset(), converter=_frozen, repr=_dates_repr
    )
    covers: Period | None = None
    name: str | None = None
    # Holidays that fall on a weekday (the others change nothing), and make-up days, sorted: the
    # counting of working days between two dates bisects them instead of walking every day.
    _weekday_holidays: tuple[_dt.date, ...] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _make_up: tuple[_dt.date, ...] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise CalendarError(
                f"calendar: name must be a non-empty string or None (got {self.name!r})"
            )
        owner = self._owner
        weekend = self.weekend
        if not isinstance(weekend, frozenset) or not all(
            isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in weekend
        ):
            raise CalendarError(
                f"{owner}: weekend must be a set of weekday numbers from 0 (Monday) to 6 (Sunday)"
                f" (got {weekend!r})"
            )
        if len(weekend) == 7:
            raise CalendarError(
                f"{owner}: weekend must leave at least one working weekday (got all seven days)"
            )
        if self.covers is not None and not isinstance(self.covers, Period):
            raise CalendarError(
                f"{owner}: covers must be a Period or None (got {type(self.covers).__name__}"
                f" {self.covers!r})"
            )
        for field in ("holidays", "working_days"):
            days = getattr(self, field)
            if not isinstance(days, frozenset):
                raise CalendarError(
                    f"{owner}: {field} must be an iterable of datetime.date"
                    f" (got {type(days).__name__} {days!r})"
                )
            for day in sorted(days, key=repr):
                try:
                    check_date(day, owner=owner, field=field)
                except InputError as error:
                    raise CalendarError(str(error)) from None
                if self.covers is not None and day not in self.covers:
                    raise CalendarError(
                        f"{owner}: {field} lists {day.isoformat()}, outside the dates the calendar"
                        f" covers ({self.covers.start.isoformat()} to"
                        f" {self.covers.end.isoformat()}); expected dates inside it"
                    )
        for day in sorted(self.working_days):
            if day in self.holidays:
                raise CalendarError(
                    f"{owner}: {day.isoformat()} is both a holiday and a make-up working day;"
                    " expected one or the other"
                )
            if day.weekday() not in weekend:
                raise CalendarError(
                    f"{owner}: make-up working day {day.isoformat()} is a"
                    f" {_WEEKDAY_NAMES[day.weekday()]}, which is a working day already;"
                    " expected a weekly day off"
                )
        object.__setattr__(
            self,
            "_weekday_holidays",
            tuple(sorted(day for day in self.holidays if day.weekday() not in weekend)),
        )
        object.__setattr__(self, "_make_up", tuple(sorted(self.working_days)))

    @property
    def _owner(self) -> str:
        return f"calendar {self.name!r}" if self.name else "calendar"

    # ----------------------------------------------------------------- questions about days

    def is_working_day(self, day: _dt.date) -> bool:
        """Whether ``day`` is worked.

        Raises:
            InputError: ``day`` is not a ``date`` (a ``datetime`` is refused).
            CalendarError: ``day`` is outside the dates the calendar covers.

        >>> WorkCalendar().is_working_day(date(2026, 2, 14))    # a Saturday
        False
        """
        day = check_date(day, owner=self._owner, field="day")
        self._check_covered(day, "day")
        return self._working(day)

    def roll_forward(self, day: _dt.date) -> _dt.date:
        """``day`` itself when it is worked, else the next working day (Civil Code Art. 148).

        >>> WorkCalendar().roll_forward(date(2026, 2, 14))      # Saturday -> Monday
        datetime.date(2026, 2, 16)
        """
        day = check_date(day, owner=self._owner, field="day")
        self._check_covered(day, "day")
        while not self._working(day):
            day += _ONE_DAY
            self._check_covered(day, "day", reached=True)
        return day

    def add_working_days(self, start: _dt.date, days: int) -> _dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted, Art. 147).

        With ``days=0`` the result is ``start``, worked or not.

        Raises:
            InputError: ``start`` is not a date, or ``days`` is not a whole number >= 0.
            CalendarError: the count runs outside the dates the calendar covers.

        >>> WorkCalendar().add_working_days(date(2026, 2, 12), 2)   # Thu -> Fri, Mon
        datetime.date(2026, 2, 16)
        """
        start = check_date(start, owner=self._owner, field="start")
        remaining = _check_days(days, owner=self._owner, field="days")
        day = start
        while remaining:
            day += _ONE_DAY
            self._check_covered(day, "day", reached=True)
            if self._working(day):
                remaining -= 1
        return day

    def working_days_between(self, start: _dt.date, end: _dt.date) -> int:
        """How many working days lie after ``start`` up to and including ``end``.

        The start day is not counted (Art. 147), so this is the inverse of
        :meth:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.

        Raises:
            InputError: a bound is not a date, or ``end`` is before ``start``.
            CalendarError: a day counted is outside the dates the calendar covers.

        >>> WorkCalendar().working_days_between(date(2026, 2, 12), date(2026, 2, 16))
        2
        """
        start = check_date(start, owner=self._owner, field="start")
        end = check_date(end, owner=self._owner, field="end")
        if end < start:
            raise InputError(
                f"{self._owner}: end must be on or after start (got start={start.isoformat()},"
                f" end={end.isoformat()})"
            )
        if end == start:
            return 0
        self._check_covered(start + _ONE_DAY, "day", reached=True)
        self._check_covered(end, "end")
        # Whole weeks hold every weekday once each; the remaining days are looked at one by one.
        weeks, rest = divmod((end - start).days, 7)
        count = weeks * (7 - len(self.weekend))
        for offset in range(1, rest + 1):
            if (start + _dt.timedelta(days=weeks * 7 + offset)).weekday() not in self.weekend:
                count += 1
        count -= bisect.bisect_right(self._weekday_holidays, end) - bisect.bisect_right(
            self._weekday_holidays, start
        )
        count += bisect.bisect_right(self._make_up, end) - bisect.bisect_right(self._make_up, start)
        return count

    def deadline(
        self,
        start: _dt.date,
        days: int,
        unit: Literal["working", "calendar"] = "working",
    ) -> _dt.date:
        """The last day of a period of ``days`` days from ``start``, as the Civil Code counts it.

        The start day is not counted (Art. 147). With ``unit="working"`` only working days are
        counted; with ``unit="calendar"`` every day is, and a last day that falls on a day off
        moves to the next working day (Art. 148). Either way the deadline is a working day.

        Args:
            start: The day the period runs from (the day of assignment, of submission…).
            days: Its length, a whole number >= 0.
            unit: ``"working"`` (default) or ``"calendar"``.

        Returns:
            The deadline: the work is on time when done by the end of that day.

        Raises:
            InputError: a bad argument.
            CalendarError: the deadline falls outside the dates the calendar covers.

        >>> cal = WorkCalendar()
        >>> cal.deadline(date(2026, 2, 12), 5), cal.deadline(date(2026, 2, 12), 2, "calendar")
        (datetime.date(2026, 2, 19), datetime.date(2026, 2, 16))
        """
        start = check_date(start, owner=self._owner, field="start")
        count = _check_days(days, owner=self._owner, field="days")
        if unit == "working":
            return self.roll_forward(self.add_working_days(start, count))
        if unit == "calendar":
            last = start + _dt.timedelta(days=count)
            self._check_covered(last, "deadline", reached=True)
            return self.roll_forward(last)
        raise InputError(
            f"{self._owner}: deadline unit must be 'working' or 'calendar' (got {unit!r})"
        )

    # ----------------------------------------------------------------- combining

    def with_days(
        self,
        *,
        holidays: Iterable[_dt.date] = (),
        working_days: Iterable[_dt.date] = (),
    ) -> WorkCalendar:
        """A copy with more holidays and make-up working days (the government's swaps, say).

        >>> cal = WorkCalendar().with_days(holidays=[date(2026, 3, 2)])
        >>> cal.is_working_day(date(2026, 3, 2))
        False
        """
        added: dict[str, frozenset[_dt.date]] = {}
        for field, days in (("holidays", holidays), ("working_days", working_days)):
            more = _frozen(days)
            if not isinstance(more, frozenset):
                raise CalendarError(
                    f"{self._owner}: with_days {field} must be an iterable of datetime.date"
                    f" (got {type(days).__name__} {days!r})"
                )
            added[field] = getattr(self, field) | more
        return attrs.evolve(self, holidays=added["holidays"], working_days=added["working_days"])

    def __or__(self, other: WorkCalendar) -> WorkCalendar:
        """The union of two calendars, for several years: ``vietnam(2025) | vietnam(2026)``.

        Both must have the same weekend, and dates covered that touch or overlap (or both cover
        every date).

        Raises:
            CalendarError: different weekends, or covered dates with a gap between them.
        """
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        if self.weekend != other.weekend:
            raise CalendarError(
                f"{self._owner} and {other._owner} have different weekends"
                f" ({sorted(self.weekend)} and {sorted(other.weekend)}); expected the same"
            )
        covers: Period | None
        if self.covers is None and other.covers is None:
            covers = None
        elif self.covers is None or other.covers is None:
            raise CalendarError(
                f"cannot combine {self._owner} and {other._owner}: one covers a span of dates,"
                " the other claims every date; to add days to a calendar, use with_days()"
            )
        else:
            first, second = sorted((self.covers, other.covers))
            if second.start > first.end + _ONE_DAY:
                raise CalendarError(
                    f"cannot combine {self._owner} and {other._owner}: the dates they cover"
                    f" ({first.start.isoformat()} to {first.end.isoformat()} and"
                    f" {second.start.isoformat()} to {second.end.isoformat()}) leave a gap;"
                    " expected spans that touch or overlap"
                )
            covers = Period(start=first.start, end=max(first.end, second.end))
        names = [name for name in (self.name, other.name) if name]
        return WorkCalendar(
            weekend=self.weekend,
            holidays=self.holidays | other.holidays,
            working_days=self.working_days | other.working_days,
            covers=covers,
            name=" + ".join(names) if names else None,
        )

    # ----------------------------------------------------------------- internals

    def _working(self, day: _dt.date) -> bool:
        if day in self.working_days:
            return True
        return day not in self.holidays and day.weekday() not in self.weekend

    def _check_covered(self, day: _dt.date, field: str, *, reached: bool = False) -> None:
        covers = self.covers
        if covers is None or covers.start <= day <= covers.end:
            return
        what = f"the count reaches {day.isoformat()}" if reached else f"{field} {day.isoformat()}"
        raise CalendarError(
            f"{self._owner}: {what}, outside the dates the calendar covers"
            f" ({covers.start.isoformat()} to {covers.end.isoformat()}); use a calendar that"
            " covers it, for example vietnam(2025, 2026) or calendar_a | calendar_b"
        )


# --------------------------------------------------------------------------- Vietnam

#: The years whose official public-sector schedule ships with kpiscore.
SHIPPED_YEARS: Final = (2025, 2026)

_DATA: Final = "vietnam.toml"


def vietnam(year: int, /, *more_years: int) -> WorkCalendar:
    """Vietnam's public-sector working calendar for one year, or several consecutive years.

    2025 and 2026 come from the official schedules shipped with kpiscore (days off, swapped
    days and make-up working Saturdays, as announced by the Ministry of Labour and the Ministry
    of Home Affairs). Any other year is derived from the optional ``holidays`` package: the
    statutory holidays of Labour Code Art. 112 with their lunar dates and substitute days, plus
    the swaps that package knows; add the government's later swaps with
    :meth:`WorkCalendar.with_days`.

    Args:
        year: The year.
        *more_years: Further years; together with ``year`` they must be consecutive.

    Returns:
        A :class:`WorkCalendar` with Saturday and Sunday off that covers exactly those years.

    Raises:
        InputError: a year is not an integer from 1 to 9999, or the years are not consecutive.
        CalendarError: a year has no shipped schedule and the ``holidays`` package is not
            installed.

    >>> cal = vietnam(2025, 2026)
    >>> cal.add_working_days(date(2025, 12, 31), 1)    # 1-4 January 2026 are days off
    datetime.date(2026, 1, 5)
    >>> vietnam(2026).is_working_day(date(2026, 11, 24))    # "Culture Day" not confirmed
    True
    """
    years = sorted({year, *more_years})
    for value in (year, *more_years):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
            raise InputError(f"vietnam: year must be an integer from 1 to 9999 (got {value!r})")
    if len(years) != len((year, *more_years)) or years[-1] - years[0] + 1 != len(years):
        raise InputError(
            f"vietnam: years must be distinct and consecutive (got {[year, *more_years]!r})"
        )
    calendar = _one_year(years[0])
    for later in years[1:]:
        calendar = calendar | _one_year(later)
    return calendar


def _one_year(year: int) -> WorkCalendar:
    schedule = _shipped().get(year)
    if schedule is not None:
        return schedule
    return _derived(year)


@cache
def _shipped() -> dict[int, WorkCalendar]:
    """The shipped schedules, read once from the package data."""
    text = resources.files("kpiscore").joinpath("data", "calendar", _DATA).read_text("utf-8")
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"calendar data {_DATA}: cannot be read: {error}") from None
    return _schedules(tree, _DATA)


def _schedules(tree: Mapping[str, object], source: str) -> dict[int, WorkCalendar]:
    """Build the calendars of a schedule file's tree, checking every key and value."""

    def fail(where: str, message: str) -> CalendarError:
        return CalendarError(
            f"calendar data {source}: {where}: {message}", path=f"{source}:{where}"
        )

    def check_keys(node: object, where: str, required: set[str], optional: set[str]) -> None:
        if not isinstance(node, Mapping):
            raise fail(where, f"expected a table (got {node!r})")
        unknown = sorted(set(node) - required - optional)
        if unknown:
            raise fail(where, f"unknown keys {unknown!r}; expected {sorted(required | optional)!r}")
        missing = sorted(required - set(node))
        if missing:
            raise fail(where, f"missing keys {missing!r}")

    def day(node: Mapping[str, object], key: str, where: str) -> _dt.date:
        value = node[key]
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise fail(f"{where}.{key}", f"expected a date such as 2026-02-14 (got {value!r})")
        return value

    check_keys(tree, "(top)", {"year"}, set())
    entries = tree["year"]
    if not isinstance(entries, list):
        raise fail("year", f"expected an array of tables (got {entries!r})")
    calendars: dict[int, WorkCalendar] = {}
    for position, entry in enumerate(entries):
        where = f"year[{position}]"
        check_keys(entry, where, {"year", "days_off", "working_days"}, {"source"})
        year = entry["year"]
        if isinstance(year, bool) or not isinstance(year, int) or year in calendars:
            raise fail(f"{where}.year", f"expected a year not listed before (got {year!r})")
        holidays: set[_dt.date] = set()
        for index, span in enumerate(entry["days_off"]):
            at = f"{where}.days_off[{index}]"
            check_keys(span, at, {"from", "to"}, {"name"})
            first, last = day(span, "from", at), day(span, "to", at)
            if last < first:
                raise fail(at, f"to ({last}) must be on or after from ({first})")
            # rrule walks the inclusive range; it works in datetimes, so take each one's date.
            holidays.update(moment.date() for moment in rrule(DAILY, dtstart=first, until=last))
        working: set[_dt.date] = set()
        for index, entry_day in enumerate(entry["working_days"]):
            at = f"{where}.working_days[{index}]"
            check_keys(entry_day, at, {"on"}, {"name"})
            working.add(day(entry_day, "on", at))
        try:
            calendars[year] = WorkCalendar(
                holidays=holidays,
                working_days=working,
                covers=Period.year(year),
                name=f"Vietnam {year}",
            )
        except KpiscoreError as error:
            raise fail(where, str(error)) from None
    return calendars


def _derived(year: int) -> WorkCalendar:
    """A year's calendar from the ``holidays`` package (statutory days, lunar dates included)."""
    try:
        package = require("holidays", "holidays")
    except MissingExtraError as error:
        raise CalendarError(
            f"vietnam({year}): no official schedule ships with kpiscore for {year} (shipped:"
            f" {', '.join(str(y) for y in SHIPPED_YEARS)}), and the optional 'holidays' package"
            " that derives the statutory holidays (lunar dates included) is not installed;"
            " install it with: pip install 'kpiscore[holidays]', or build a WorkCalendar"
        ) from error
    # Neighbouring years too: a swap announced in one year can move a day in the next.
    table = package.country_holidays("VN", years=range(max(year - 1, 1), min(year + 1, 9999) + 1))
    holidays = frozenset(day for day in table if day.year == year)
    working = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
    return WorkCalendar(
        holidays=holidays,
        working_days=working,
        covers=Period.year(year),
        name=f"Vietnam {year} (derived with holidays {package.__version__})",
    )
