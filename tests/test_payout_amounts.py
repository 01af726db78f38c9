"""``payout_amounts`` (the payout column without rows) and the integer-ratio ``paid``
(issue 14, the year pipeline's speed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpiscore import InputError, PolicyError, UnknownSubjectError
from kpiscore.payout import PayoutTable, Salary, load, payout_amounts, payout_rows
from test_colpay import SALARIES, _Columns, exact_table, frame_table

TABLES = [load("danang-2026"), load("hcm-2024")]


@settings(max_examples=200, deadline=None)
@given(
    table=st.sampled_from(TABLES),
    rating_index=st.integers(0, 3),
    salary=st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False),
    days=st.one_of(st.none(), st.tuples(st.integers(0, 31), st.integers(1, 31))),
    months=st.integers(1, 12),
    rounding=st.sampled_from(["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN", "ROUND_CEILING"]),
    precision=st.sampled_from([Decimal(1), Decimal(1000), Decimal("0.01")]),
)
def test_paid_equals_the_breakdown_amount(
    *,
    table: PayoutTable,
    rating_index: int,
    salary: Decimal,
    days: tuple[int, int] | None,
    months: int,
    rounding: str,
    precision: Decimal,
) -> None:
    table = attrs.evolve(table, rounding=rounding, precision=precision)
    rating = table.ratings[rating_index % len(table.ratings)]
    worked, in_period = (None, None) if days is None else (min(days), max(days))
    expected = table.amount(rating, salary, worked, in_period, months=months)
    got = table.paid(
        rating,
        salary,
        None if worked is None else Decimal(worked),
        None if in_period is None else Decimal(in_period),
        months,
    )
    assert got == expected
    assert str(got) == str(expected)  # the same representation too


def _column(rows: Any) -> list[Decimal]:
    return [row["payout"] for row in rows]


def test_payout_amounts_is_the_payout_column_of_payout_rows() -> None:
    table = frame_table()
    amounts = payout_amounts(table, "danang-2026", SALARIES)
    assert amounts == _column(payout_rows(table, "danang-2026", SALARIES))
    assert amounts == _column(payout_rows(exact_table(), "danang-2026", SALARIES))
    assert [str(a) for a in amounts] == [
        str(a) for a in _column(payout_rows(table, "danang-2026", SALARIES))
    ]
    assert table._built == {}  # no scorecard built
    assert payout_amounts(exact_table(), "danang-2026", SALARIES, months=3) == _column(
        payout_rows(exact_table(), "danang-2026", SALARIES, months=3)
    )


def test_payout_amounts_reads_every_kind_of_salary() -> None:
    columns = _Columns(["HTT", "HT", "HTXS", "HTT"])
    salaries: dict[str, Any] = {
        "s0": 7_020_000,
        "s1": "4000000.5",
        "s2": Salary(amount=7_020_000, days_worked=11, days_in_period=22),
        "s3": 7_020_000.0,
    }
    assert payout_amounts(columns, "danang-2026", salaries) == _column(
        payout_rows(columns, "danang-2026", salaries)
    )


@pytest.mark.parametrize(
    ("ratings", "salaries", "error", "match"),
    [
        (
            ["HTT", None],
            {"s0": 1, "s1": 2},
            InputError,
            r"'s1' has no rating \(worked too little\)",
        ),
        (["HTT"], {"s0": 1, "x": 2}, UnknownSubjectError, r"\['x'\] are not among the results"),
        (["HTT", "HT"], {"s0": 1}, UnknownSubjectError, "no salary for 's1'"),
        (["HTT", "HT"], {"s0": 1, "x": 2}, UnknownSubjectError, r"\['x'\] are not among"),
        (["HTT"], {"s0": -5}, InputError, "must be >= 0"),
        (["HTT"], {"s0": True}, InputError, "must be a number or a Salary"),
        (["HTT", None], {"s0": 1, "s1": True}, InputError, "must be a number or a Salary"),
    ],
)
def test_payout_amounts_raises_as_payout_rows(
    ratings: list[str | None], salaries: dict[str, Any], error: type[Exception], match: str
) -> None:
    for function in (payout_amounts, payout_rows):
        with pytest.raises(error, match=match) as raised:
            function(_Columns(ratings), "danang-2026", salaries)
        assert type(raised.value) is error
    with pytest.raises(InputError, match="months must be a whole number"):
        payout_amounts(_Columns(["HTT"]), "danang-2026", {"s0": 1}, months=0)


def test_payout_amounts_of_no_one_is_empty() -> None:
    assert payout_amounts(_Columns([]), "danang-2026", {}) == []


def _figure(places: int) -> st.SearchStrategy[Decimal | None]:
    return st.one_of(
        st.none(), st.decimals(min_value=0, max_value=3, places=places, allow_nan=False)
    )


@st.composite
def _tables(draw: st.DrawFn) -> PayoutTable:
    base = draw(st.sampled_from(TABLES))
    rates = []
    for rate in base.rates:
        floor = draw(st.one_of(st.none(), st.integers(0, 3_000_000)))
        cap = draw(st.one_of(st.none(), st.integers(0, 9_000_000)))
        if floor is not None and cap is not None and floor > cap:
            floor, cap = cap, floor
        rates.append(
            attrs.evolve(
                rate,
                coefficient=draw(st.decimals(min_value=0, max_value=2, places=3, allow_nan=False)),
                floor=floor,
                cap=cap,
                cap_multiple=draw(_figure(2)),
            )
        )
    try:
        return attrs.evolve(
            base,
            rates=rates,
            rounding=draw(st.sampled_from(["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_FLOOR"])),
            precision=draw(st.sampled_from([Decimal(1), Decimal(1000), Decimal("0.1")])),
        )
    except PolicyError:
        assume(False)
        raise


@settings(max_examples=200, deadline=None)
@given(
    table=_tables(),
    salaries=st.lists(st.integers(0, 10**9), min_size=1, max_size=8),
    months=st.integers(1, 12),
)
def test_paid_whole_equals_paid(table: PayoutTable, salaries: list[int], months: int) -> None:
    for rating in table.ratings:
        expected = [table.paid(rating, Decimal(s), None, None, months) for s in salaries]
        got = table.paid_whole(rating, salaries, months)
        assert got == expected
        assert [str(g) for g in got] == [str(e) for e in expected]


def test_paid_whole_refuses_what_is_not_a_whole_salary() -> None:
    table = load("danang-2026")
    for bad in (-1, True, 1.5):
        with pytest.raises(InputError, match="whole salaries >= 0"):
            table.paid_whole("HTT", [1, bad], 1)  # type: ignore[list-item]
    with pytest.raises(InputError, match="no rate for rating 'X'"):
        table.paid_whole("X", [1], 1)
