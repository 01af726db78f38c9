"""Tests for kpiscore.calendar: working days, Civil Code deadlines, Vietnam's schedules."""

from __future__ import annotations

import datetime as dt
import sys
from datetime import date

import pytest

from kpiscore import CalendarError, InputError, KpiscoreError, Period
from kpiscore.calendar import SHIPPED_YEARS, WorkCalendar, vietnam

_NOON = dt.datetime(2026, 2, 12, 12, 0, tzinfo=dt.UTC)


class TestHandCheckedCases:
    """The issue's worked examples, checked by hand against the 2026 schedule."""

    def test_five_working_days_across_tet_2026(self) -> None:
        # Thu 12 Feb; Fri 13 is day 1; Tết closes Sat 14 - Sun 22; Mon 23 .. Thu 26 are days 2-5.
        assert date(2026, 2, 26) == vietnam(2026).deadline(date(2026, 2, 12), 5)

    def test_five_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(self) -> None:
        # 12 Feb + 5 days = Tue 17 Feb, a Tết holiday; Art. 148 moves it to Mon 23 Feb.
        assert date(2026, 2, 23) == vietnam(2026).deadline(date(2026, 2, 12), 5, unit="calendar")

    def test_saturday_22_august_2026_is_a_working_day(self) -> None:
        assert vietnam(2026).is_working_day(date(2026, 8, 22)) is True


class TestVietnamSchedules:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2025, 1, 1), False),
            (date(2025, 1, 24), True),
            (date(2025, 1, 27), False),
            (date(2025, 1, 31), False),
            (date(2025, 2, 3), True),
            (date(2025, 4, 7), False),
            (date(2025, 4, 26), True),
            (date(2025, 4, 30), False),
            (date(2025, 5, 2), False),
            (date(2025, 5, 5), True),
            (date(2025, 9, 1), False),
            (date(2025, 9, 2), False),
            (date(2025, 9, 3), True),
            (date(2026, 1, 1), False),
            (date(2026, 1, 2), False),
            (date(2026, 1, 5), True),
            (date(2026, 1, 10), True),
            (date(2026, 2, 13), True),
            (date(2026, 2, 16), False),
            (date(2026, 2, 20), False),
            (date(2026, 2, 23), True),
            (date(2026, 4, 27), False),
            (date(2026, 4, 30), False),
            (date(2026, 5, 1), False),
            (date(2026, 8, 22), True),
            (date(2026, 8, 31), False),
            (date(2026, 9, 2), False),
            (date(2026, 9, 3), True),
            (date(2026, 11, 24), True),
        ],
        ids=lambda value: value.isoformat() if isinstance(value, date) else str(value),
    )
    def test_is_working_day(self, day: date, expected: bool) -> None:
        assert expected == vietnam(day.year).is_working_day(day)

    @pytest.mark.parametrize(
        ("year", "working_days"),
        # Weekdays of the year, minus weekday days off, plus make-up Saturdays.
        [(2025, 261 - 12 + 1), (2026, 261 - 13 + 2)],
        ids=["2025", "2026"],
    )
    def test_working_days_in_the_year(self, year: int, working_days: int) -> None:
        cal = vietnam(year)
        assert working_days == cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))

    def test_shipped_years(self) -> None:
        assert (2025, 2026) == SHIPPED_YEARS

    def test_a_calendar_covers_exactly_its_year(self) -> None:
        assert Period.year(2026) == vietnam(2026).covers

    def test_consecutive_years_combine(self) -> None:
        cal = vietnam(2025, 2026)
        assert Period.parse("2025-01-01/2026-12-31") == cal.covers
        assert date(2026, 1, 5) == cal.add_working_days(date(2025, 12, 31), 1)

    def test_years_in_any_order(self) -> None:
        assert vietnam(2025, 2026) == vietnam(2026, 2025)

    def test_years_with_a_gap_are_refused(self) -> None:
        with pytest.raises(InputError, match=r"distinct and consecutive \(got \[2025, 2027\]\)"):
            vietnam(2025, 2027)

    @pytest.mark.parametrize("year", ["2026", 2026.0, True, 0, 10000], ids=repr)
    def test_a_bad_year_is_refused(self, year: object) -> None:
        with pytest.raises(InputError, match="vietnam: year must be an integer from 1 to 9999"):
            vietnam(year)  # type: ignore[arg-type]

    def test_a_date_outside_the_year_is_an_error_not_a_guess(self) -> None:
        with pytest.raises(CalendarError) as caught:
            vietnam(2026).is_working_day(date(2027, 1, 1))
        assert str(caught.value) == (
            "calendar 'Vietnam 2026': day 2027-01-01, outside the dates the calendar covers"
            " (2026-01-01 to 2026-12-31); use a calendar that covers it, for example"
            " vietnam(2025, 2026) or calendar_a | calendar_b"
        )

    def test_a_count_running_past_the_year_is_an_error(self) -> None:
        with pytest.raises(CalendarError, match="the count reaches 2027-01-01, outside"):
            vietnam(2026).deadline(date(2026, 12, 28), 5)


class TestDerivedYears:
    def test_a_year_without_shipped_data_comes_from_the_holidays_package(self) -> None:
        pytest.importorskip("holidays")
        cal = vietnam(2027)
        assert Period.year(2027) == cal.covers
        assert cal.name is not None
        assert cal.name.startswith("Vietnam 2027 (derived with holidays ")
        # Tết 2027: the lunar new year is Sat 6 Feb; Thu 4 - Wed 10 Feb are off.
        assert [False] * 5 == [cal.is_working_day(date(2027, 2, d)) for d in (4, 5, 8, 9, 10)]
        assert cal.is_working_day(date(2027, 2, 11)) is True

    def test_derived_years_agree_with_the_shipped_2025_schedule(self) -> None:
        pytest.importorskip("holidays")
        from kpiscore.cycle.calendar import _derived

        shipped, derived = vietnam(2025), _derived(2025)
        year = Period.year(2025)
        assert 0 == sum(
            shipped.is_working_day(day) != derived.is_working_day(day) for day in _days(year)
        )

    def test_derived_2026_differs_only_where_the_package_lags_or_leads(self) -> None:
        # The package (0.109) lacks the 2 Jan / 10 Jan swap and lists the unconfirmed
        # 24 November Culture Day; nothing else may differ.
        pytest.importorskip("holidays")
        from kpiscore.cycle.calendar import _derived

        shipped, derived = vietnam(2026), _derived(2026)
        differences = {
            day
            for day in _days(Period.year(2026))
            if shipped.is_working_day(day) != derived.is_working_day(day)
        }
        assert differences <= {date(2026, 1, 2), date(2026, 1, 10), date(2026, 11, 24)}

    def test_without_the_holidays_package_the_error_says_so(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "holidays", None)
        with pytest.raises(CalendarError) as caught:
            vietnam(2027)
        assert str(caught.value) == (
            "vietnam(2027): no official schedule ships with kpiscore for 2027 (shipped: 2025,"
            " 2026), and the optional 'holidays' package that derives the statutory holidays"
            " (lunar dates included) is not installed; install it with:"
            " pip install 'kpiscore[holidays]', or build a WorkCalendar"
        )

    def test_shipped_years_never_need_the_holidays_package(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "holidays", None)
        assert vietnam(2025, 2026).is_working_day(date(2026, 1, 10)) is True


class TestWorkCalendarDefaults:
    def test_monday_to_friday(self) -> None:
        cal = WorkCalendar()
        week = [cal.is_working_day(date(2026, 3, d)) for d in range(2, 9)]
        assert [True, True, True, True, True, False, False] == week

    def test_no_limit_on_the_dates_covered(self) -> None:
        assert WorkCalendar().is_working_day(date(1901, 1, 1)) is True

    def test_a_custom_weekend(self) -> None:
        cal = WorkCalendar(weekend={4, 5})  # Friday and Saturday off
        assert (False, True) == (
            cal.is_working_day(date(2026, 3, 6)),
            cal.is_working_day(date(2026, 3, 8)),
        )


class TestCounting:
    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            (date(2026, 2, 12), 0, date(2026, 2, 12)),
            (date(2026, 2, 12), 1, date(2026, 2, 13)),
            (date(2026, 2, 12), 2, date(2026, 2, 23)),
            (date(2026, 2, 14), 1, date(2026, 2, 23)),
            (date(2026, 1, 9), 1, date(2026, 1, 10)),
            (date(2026, 8, 28), 1, date(2026, 9, 3)),
            (date(2026, 8, 21), 1, date(2026, 8, 22)),
        ],
        ids=[
            "zero-days-is-the-start",
            "next-day",
            "across-tet",
            "from-a-holiday",
            "make-up-saturday-counts",
            "across-national-day",
            "friday-to-make-up-saturday",
        ],
    )
    def test_add_working_days(self, start: date, days: int, expected: date) -> None:
        assert expected == vietnam(2026).add_working_days(start, days)

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (date(2026, 2, 12), date(2026, 2, 12), 0),
            (date(2026, 2, 12), date(2026, 2, 13), 1),
            (date(2026, 2, 13), date(2026, 2, 22), 0),
            (date(2026, 2, 12), date(2026, 2, 26), 5),
            # 21 weekdays after Thu 1 Jan, minus Fri 2 Jan, plus Sat 10 Jan.
            (date(2026, 1, 1), date(2026, 1, 31), 21),
            # August: 21 weekdays - Mon 31 + Sat 22; September: 22 weekdays - Tue 1, Wed 2.
            (date(2026, 8, 1), date(2026, 9, 30), 41),
        ],
        ids=["same-day", "one-day", "all-of-tet", "hand-checked", "january", "aug-sep"],
    )
    def test_working_days_between(self, start: date, end: date, expected: int) -> None:
        assert expected == vietnam(2026).working_days_between(start, end)

    def test_working_days_between_agrees_with_walking_day_by_day(self) -> None:
        cal = vietnam(2025, 2026)
        start = date(2025, 1, 1)
        walked = 0
        for offset in range(1, 729):
            day = start + dt.timedelta(days=offset)
            walked += cal.is_working_day(day)
            assert walked == cal.working_days_between(start, day), day

    def test_end_before_start_is_refused(self) -> None:
        with pytest.raises(InputError) as caught:
            WorkCalendar().working_days_between(date(2026, 2, 13), date(2026, 2, 12))
        assert str(caught.value) == (
            "calendar: end must be on or after start (got start=2026-02-13, end=2026-02-12)"
        )

    @pytest.mark.parametrize("days", [-1, 1.5, "5", True, None], ids=repr)
    def test_days_must_be_a_whole_number_of_days(self, days: object) -> None:
        with pytest.raises(InputError, match="calendar: days must be a whole number of days >= 0"):
            WorkCalendar().add_working_days(date(2026, 2, 12), days)  # type: ignore[arg-type]


class TestDeadline:
    @pytest.mark.parametrize(
        ("start", "days", "unit", "expected"),
        [
            (date(2026, 2, 12), 5, "working", date(2026, 2, 26)),
            (date(2026, 2, 12), 5, "calendar", date(2026, 2, 23)),
            (date(2026, 2, 3), 5, "calendar", date(2026, 2, 9)),
            (date(2026, 2, 2), 5, "calendar", date(2026, 2, 9)),
            (date(2026, 2, 4), 5, "calendar", date(2026, 2, 9)),
            (date(2026, 2, 14), 0, "working", date(2026, 2, 23)),
            (date(2026, 2, 14), 0, "calendar", date(2026, 2, 23)),
            (date(2026, 1, 9), 1, "calendar", date(2026, 1, 10)),
            (date(2026, 4, 24), 3, "calendar", date(2026, 4, 28)),
        ],
        ids=[
            "working-across-tet",
            "calendar-lands-on-tet",
            "calendar-lands-on-sunday",
            "calendar-lands-on-saturday",
            "calendar-lands-on-monday",
            "zero-working-days-from-a-holiday",
            "zero-calendar-days-from-a-holiday",
            "calendar-lands-on-make-up-saturday",
            "calendar-lands-on-hung-kings-day",
        ],
    )
    def test_deadline(self, start: date, days: int, unit: str, expected: date) -> None:
        assert expected == vietnam(2026).deadline(start, days, unit)  # type: ignore[arg-type]

    def test_the_unit_defaults_to_working_days(self) -> None:
        cal = vietnam(2026)
        assert cal.deadline(date(2026, 2, 12), 5) == cal.deadline(date(2026, 2, 12), 5, "working")

    def test_an_unknown_unit_is_refused(self) -> None:
        with pytest.raises(InputError) as caught:
            WorkCalendar().deadline(date(2026, 2, 12), 5, "weeks")  # type: ignore[arg-type]
        assert str(caught.value) == (
            "calendar: deadline unit must be 'working' or 'calendar' (got 'weeks')"
        )

    def test_roll_forward_keeps_a_working_day(self) -> None:
        assert date(2026, 2, 13) == vietnam(2026).roll_forward(date(2026, 2, 13))


class TestDatesOnly:
    @pytest.mark.parametrize(
        "call",
        [
            lambda cal: cal.is_working_day(_NOON),
            lambda cal: cal.add_working_days(_NOON, 1),
            lambda cal: cal.deadline(_NOON, 1),
            lambda cal: cal.roll_forward(_NOON),
        ],
        ids=["is_working_day", "add_working_days", "deadline", "roll_forward"],
    )
    def test_a_datetime_is_refused(self, call: object) -> None:
        with pytest.raises(
            InputError, match=r"must be a date, not a datetime .* pass \w+\.date\(\)"
        ):
            call(vietnam(2026))  # type: ignore[operator]

    def test_a_datetime_end_is_refused(self) -> None:
        with pytest.raises(InputError, match="end must be a date, not a datetime"):
            WorkCalendar().working_days_between(date(2026, 2, 1), _NOON)

    def test_a_string_is_refused(self) -> None:
        with pytest.raises(
            InputError, match=r"day must be a datetime.date \(got str '2026-02-12'\)"
        ):
            WorkCalendar().is_working_day("2026-02-12")  # type: ignore[arg-type]


class TestValidation:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            (
                {"weekend": {7}},
                (
                    "calendar: weekend must be a set of weekday numbers from 0 (Monday) to 6"
                    " (Sunday) (got frozenset({7}))"
                ),
            ),
            (
                {"weekend": range(7)},
                "calendar: weekend must leave at least one working weekday (got all seven days)",
            ),
            ({"weekend": 5}, "calendar: weekend must be a set of weekday numbers"),
            (
                {"holidays": [_NOON]},
                "calendar: holidays must be a date, not a datetime",
            ),
            ({"holidays": "2026-02-16"}, "calendar: holidays must be an iterable of datetime.date"),
            (
                {"holidays": [date(2026, 2, 14)], "working_days": [date(2026, 2, 14)]},
                (
                    "calendar: 2026-02-14 is both a holiday and a make-up working day; expected"
                    " one or the other"
                ),
            ),
            (
                {"working_days": [date(2026, 2, 16)]},
                (
                    "calendar: make-up working day 2026-02-16 is a Monday, which is a working"
                    " day already; expected a weekly day off"
                ),
            ),
            (
                {"holidays": [date(2027, 1, 1)], "covers": Period.year(2026), "name": "VN"},
                (
                    "calendar 'VN': holidays lists 2027-01-01, outside the dates the calendar"
                    " covers (2026-01-01 to 2026-12-31); expected dates inside it"
                ),
            ),
            ({"covers": "2026"}, "calendar: covers must be a Period or None (got str '2026')"),
            ({"name": ""}, "calendar: name must be a non-empty string or None (got '')"),
        ],
        ids=[
            "weekday-out-of-range",
            "no-working-weekday",
            "weekend-not-a-set",
            "datetime-holiday",
            "string-holidays",
            "holiday-and-working",
            "make-up-on-a-weekday",
            "outside-covers",
            "covers-not-a-period",
            "empty-name",
        ],
    )
    def test_invalid_calendars_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(CalendarError) as caught:
            WorkCalendar(**kwargs)  # type: ignore[arg-type]
        assert str(caught.value).startswith(message)

    def test_calendar_errors_are_kpiscore_value_errors(self) -> None:
        with pytest.raises(KpiscoreError):
            WorkCalendar(weekend={9})
        with pytest.raises(ValueError, match="weekend"):
            WorkCalendar(weekend={9})


class TestCombining:
    def test_with_days_adds_swaps(self) -> None:
        cal = vietnam(2026).with_days(
            holidays=[date(2026, 11, 23)], working_days=[date(2026, 11, 28)]
        )
        assert (False, True) == (
            cal.is_working_day(date(2026, 11, 23)),
            cal.is_working_day(date(2026, 11, 28)),
        )
        assert Period.year(2026) == cal.covers

    def test_with_days_refuses_a_non_iterable(self) -> None:
        with pytest.raises(CalendarError, match="with_days holidays must be an iterable"):
            WorkCalendar().with_days(holidays=date(2026, 1, 1))  # type: ignore[arg-type]

    def test_union_of_unbounded_calendars(self) -> None:
        a = WorkCalendar(holidays=[date(2026, 1, 1)], name="A")
        b = WorkCalendar(holidays=[date(2026, 1, 2)], name="B")
        union = a | b
        assert frozenset({date(2026, 1, 1), date(2026, 1, 2)}) == union.holidays
        assert ("A + B", None) == (union.name, union.covers)

    def test_union_needs_the_same_weekend(self) -> None:
        with pytest.raises(CalendarError, match=r"different weekends \(\[5, 6\] and \[4, 5\]\)"):
            _ = WorkCalendar() | WorkCalendar(weekend={4, 5})

    def test_union_of_bounded_and_unbounded_is_refused(self) -> None:
        with pytest.raises(CalendarError, match="use with_days"):
            _ = vietnam(2026) | WorkCalendar()

    def test_union_with_a_gap_is_refused(self) -> None:
        with pytest.raises(CalendarError, match="leave a gap"):
            _ = WorkCalendar(covers=Period.year(2024)) | WorkCalendar(covers=Period.year(2026))

    def test_union_with_something_else_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            _ = WorkCalendar() | 3  # type: ignore[operator]


class TestShippedData:
    def test_bad_schedule_data_names_the_place(self) -> None:
        from kpiscore.cycle.calendar import _schedules

        tree = {
            "year": [
                {
                    "year": 2030,
                    "days_off": [{"from": date(2030, 1, 2), "to": date(2030, 1, 1)}],
                    "working_days": [],
                }
            ]
        }
        with pytest.raises(CalendarError) as caught:
            _schedules(tree, "test.toml")
        assert str(caught.value) == (
            "calendar data test.toml: year[0].days_off[0]: to (2030-01-01) must be on or after"
            " from (2030-01-02)"
        )
        assert "test.toml:year[0].days_off[0]" == caught.value.path

    @pytest.mark.parametrize(
        ("tree", "message"),
        [
            ({"years": []}, "(top): unknown keys ['years']"),
            ({"year": {}}, "year: expected an array of tables"),
            (
                {"year": [{"year": 2030, "days_off": [], "working_days": [], "extra": 1}]},
                "year[0]: unknown keys ['extra']",
            ),
            ({"year": [{"year": 2030, "days_off": []}]}, "year[0]: missing keys ['working_days']"),
            (
                {"year": [{"year": "2030", "days_off": [], "working_days": []}]},
                "year[0].year: expected a year not listed before (got '2030')",
            ),
            (
                {"year": [{"year": 2030, "days_off": [], "working_days": [{"on": "2030-01-05"}]}]},
                "year[0].working_days[0].on: expected a date such as 2026-02-14",
            ),
            (
                {
                    "year": [
                        {"year": 2030, "days_off": [], "working_days": [{"on": date(2030, 1, 7)}]}
                    ]
                },
                "year[0]: calendar 'Vietnam 2030': make-up working day 2030-01-07 is a Monday",
            ),
            ({"year": [3]}, "year[0]: expected a table (got 3)"),
        ],
        ids=[
            "unknown-top-key",
            "not-an-array",
            "unknown-year-key",
            "missing-key",
            "year-as-string",
            "date-as-string",
            "make-up-on-monday",
            "not-a-table",
        ],
    )
    def test_schedule_data_is_checked(self, tree: dict[str, object], message: str) -> None:
        from kpiscore.cycle.calendar import _schedules

        with pytest.raises(CalendarError) as caught:
            _schedules(tree, "t.toml")
        assert str(caught.value).startswith(f"calendar data t.toml: {message}")


def _days(period: Period) -> list[date]:
    return [period.start + dt.timedelta(days=offset) for offset in range(period.days)]
