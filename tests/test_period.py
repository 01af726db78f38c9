"""Periods: constructors, labels, parsing, membership, splitting, ordering."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kpiscore import InputError, Period, PeriodError


class TestConstructors:
    @pytest.mark.parametrize(
        ("period", "start", "end", "label"),
        [
            pytest.param(
                Period.month(2026, 2), date(2026, 2, 1), date(2026, 2, 28), "2026-02", id="feb"
            ),
            pytest.param(
                Period.month(2028, 2), date(2028, 2, 1), date(2028, 2, 29), "2028-02", id="leap"
            ),
            pytest.param(
                Period.quarter(2026, 4), date(2026, 10, 1), date(2026, 12, 31), "2026-Q4", id="q4"
            ),
            pytest.param(
                Period.half(2026, 2), date(2026, 7, 1), date(2026, 12, 31), "2026-H2", id="h2"
            ),
            pytest.param(
                Period.year(2026), date(2026, 1, 1), date(2026, 12, 31), "2026", id="year"
            ),
        ],
    )
    def test_bounds_and_label(self, period: Period, start: date, end: date, label: str) -> None:
        assert (start, end, label, label) == (period.start, period.end, period.label, str(period))

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            pytest.param(
                lambda: Period.month(2026, 13),
                "period: month must be an integer from 1 to 12 (got 13)",
                id="month",
            ),
            pytest.param(
                lambda: Period.quarter(2026, 0),
                "period: quarter must be an integer from 1 to 4 (got 0)",
                id="quarter",
            ),
            pytest.param(
                lambda: Period.half(2026, 3),
                "period: half must be an integer from 1 to 2 (got 3)",
                id="half",
            ),
            pytest.param(
                lambda: Period.year(True),
                "period: year must be an integer from 1 to 9999 (got True)",
                id="bool-year",
            ),
        ],
    )
    def test_invalid(self, call: object, message: str) -> None:
        with pytest.raises(PeriodError) as caught:
            call()  # type: ignore[operator]
        assert message == str(caught.value)

    def test_end_before_start(self) -> None:
        with pytest.raises(PeriodError) as caught:
            Period(start=date(2026, 3, 1), end=date(2026, 2, 1))
        assert (
            "period: end must be on or after start (got start=2026-03-01, end=2026-02-01)"
            == str(caught.value)
        )

    def test_datetime_is_refused(self) -> None:
        with pytest.raises(
            InputError, match=r"must be a date, not a datetime .*pass start.date\(\)"
        ):
            Period(start=datetime(2026, 1, 1, 8, 0), end=date(2026, 1, 31))  # noqa: DTZ001


class TestParse:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param("2026-01", Period.month(2026, 1), id="month"),
            pytest.param("2026-Q1", Period.quarter(2026, 1), id="quarter"),
            pytest.param("2026-H1", Period.half(2026, 1), id="half"),
            pytest.param("2026", Period.year(2026), id="year"),
            pytest.param(" 2026-Q2 ", Period.quarter(2026, 2), id="spaces"),
            pytest.param("2026-01-01/2026-03-31", Period.quarter(2026, 1), id="range-is-quarter"),
            pytest.param(
                "2026-01-10/2026-02-20",
                Period(start=date(2026, 1, 10), end=date(2026, 2, 20)),
                id="range",
            ),
        ],
    )
    def test_forms(self, text: str, expected: Period) -> None:
        assert expected == Period.parse(text)

    @pytest.mark.parametrize(
        "text", ["2026-13", "2026-Q5", "26-Q1", "2026/01", "", "2026-02-30/2026-03-01"]
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(PeriodError, match="period"):
            Period.parse(text)

    def test_range_label_round_trips(self) -> None:
        period = Period(start=date(2026, 1, 10), end=date(2026, 2, 20))
        assert period == Period.parse(period.label)


class TestQueries:
    def test_membership_is_inclusive(self) -> None:
        q1 = Period.quarter(2026, 1)
        assert (True, True, False) == (
            date(2026, 1, 1) in q1,
            date(2026, 3, 31) in q1,
            date(2026, 4, 1) in q1,
        )

    def test_membership_refuses_datetime(self) -> None:
        with pytest.raises(InputError, match="not a datetime"):
            _ = datetime(2026, 1, 1) in Period.year(2026)  # noqa: DTZ001

    def test_days(self) -> None:
        assert (365, 90, 1) == (
            Period.year(2026).days,
            Period.quarter(2026, 1).days,
            Period(start=date(2026, 1, 1), end=date(2026, 1, 1)).days,
        )

    def test_months_and_quarters(self) -> None:
        assert [str(m) for m in Period.year(2026).months()] == [
            f"2026-{m:02d}" for m in range(1, 13)
        ]
        assert [str(q) for q in Period.year(2026).quarters()] == [
            "2026-Q1",
            "2026-Q2",
            "2026-Q3",
            "2026-Q4",
        ]

    def test_months_of_a_range_are_clipped(self) -> None:
        months = Period.parse("2026-01-10/2026-02-20").months()
        assert ["2026-01-10/2026-01-31", "2026-02-01/2026-02-20"] == [m.label for m in months]

    def test_ordering_and_hashing(self) -> None:
        periods = [Period.quarter(2026, 2), Period.month(2026, 1), Period.quarter(2026, 1)]
        assert ["2026-01", "2026-Q1", "2026-Q2"] == [p.label for p in sorted(periods)]
        assert 2 == len({Period.quarter(2026, 1), Period.parse("2026-Q1"), Period.month(2026, 1)})

    def test_contains_period(self) -> None:
        assert Period.year(2026).contains_period(Period.quarter(2026, 3))
        assert not Period.quarter(2026, 3).contains_period(Period.year(2026))


class TestTheLastMonthADateHolds:
    """December 9999 is a legal period whose label and pieces work (issue 19 #11): they used to
    step past the last month and raise ValueError. Working beats refusing a legal date."""

    @pytest.mark.parametrize(
        ("text", "label", "months", "quarters"),
        [
            ("9999-12-01/9999-12-31", "9999-12", 1, 1),
            ("9999-12", "9999-12", 1, 1),
            ("9999-Q4", "9999-Q4", 3, 1),
            ("9999-H2", "9999-H2", 6, 2),
            ("9999", "9999", 12, 4),
            ("9999-12-05/9999-12-31", "9999-12-05/9999-12-31", 1, 1),
        ],
    )
    def test_label_months_and_quarters(
        self, text: str, label: str, months: int, quarters: int
    ) -> None:
        period = Period.parse(text)
        assert (label, months, quarters) == (
            str(period),
            len(period.months()),
            len(period.quarters()),
        )
        assert period.months()[-1].end == date(9999, 12, 31)
        assert period.quarters()[-1].end == date(9999, 12, 31)
