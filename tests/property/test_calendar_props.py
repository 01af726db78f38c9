"""Property tests for kpiscore.calendar: counting working days and Civil Code deadlines."""

from __future__ import annotations

import datetime as dt
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore.calendar import WorkCalendar, vietnam

VIETNAM = vietnam(2025, 2026)
# Far enough from the end of 2026 that 60 working days never run out of the calendar.
STARTS = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 9, 30))
DAYS = st.integers(min_value=0, max_value=60)
UNITS = st.sampled_from(["working", "calendar"])


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Arbitrary calendars: any weekend leaving a weekday, random holidays and make-up days."""
    weekend = draw(st.frozensets(st.integers(0, 6), max_size=6))
    days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
    holidays = draw(st.frozensets(days, max_size=40))
    working = draw(st.frozensets(days, max_size=10))
    working = frozenset(d for d in working if d.weekday() in weekend and d not in holidays)
    return WorkCalendar(weekend=weekend, holidays=holidays, working_days=working)


@settings(max_examples=150)
@given(start=STARTS, days=DAYS)
def test_adding_then_counting_back_is_the_identity(start: date, days: int) -> None:
    """working_days_between(d, add_working_days(d, n)) == n on Vietnam's 2025-2026 calendar."""
    end = VIETNAM.add_working_days(start, days)
    assert days == VIETNAM.working_days_between(start, end)


@settings(max_examples=150)
@given(calendar=calendars(), start=st.dates(date(2025, 12, 1), date(2026, 12, 31)), days=DAYS)
def test_adding_then_counting_back_is_the_identity_on_any_calendar(
    calendar: WorkCalendar, start: date, days: int
) -> None:
    """The identity holds whatever the weekend, holidays and make-up days."""
    end = calendar.add_working_days(start, days)
    assert days == calendar.working_days_between(start, end)


@settings(max_examples=150)
@given(start=STARTS, days=DAYS, unit=UNITS)
def test_a_deadline_is_never_a_day_off(start: date, days: int, unit: str) -> None:
    """Whatever the start, length and unit, the deadline is a working day (Art. 148)."""
    deadline = VIETNAM.deadline(start, days, unit)  # type: ignore[arg-type]
    assert VIETNAM.is_working_day(deadline)
    assert deadline >= start


@settings(max_examples=150)
@given(calendar=calendars(), start=st.dates(date(2025, 12, 1), date(2026, 12, 31)), days=DAYS)
def test_a_deadline_is_never_a_day_off_on_any_calendar(
    calendar: WorkCalendar, start: date, days: int
) -> None:
    """Both units give a working day on arbitrary calendars too."""
    for unit in ("working", "calendar"):
        assert calendar.is_working_day(calendar.deadline(start, days, unit))


@settings(max_examples=100)
@given(start=STARTS, days=st.integers(min_value=0, max_value=59), unit=UNITS)
def test_a_longer_period_never_ends_earlier(start: date, days: int, unit: str) -> None:
    """deadline(start, n + 1) >= deadline(start, n): one more day never shortens a period."""
    shorter = VIETNAM.deadline(start, days, unit)  # type: ignore[arg-type]
    longer = VIETNAM.deadline(start, days + 1, unit)  # type: ignore[arg-type]
    assert longer >= shorter


@settings(max_examples=100)
@given(calendar=calendars(), start=st.dates(date(2026, 1, 1), date(2026, 12, 31)))
def test_counting_agrees_with_walking_day_by_day(calendar: WorkCalendar, start: date) -> None:
    """The arithmetic count equals a walk over each day after start, for up to 400 days."""
    walked = 0
    day = start
    for _ in range(400):
        day += dt.timedelta(days=1)
        walked += calendar.is_working_day(day)
    assert walked == calendar.working_days_between(start, day)
