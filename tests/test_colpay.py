"""Payout, comparison and summaries read from the columns (issue 14): unit tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    InputError,
    Measure,
    Period,
    Policy,
    score_frame,
    score_many,
)
from kpiscore.payout import RatedColumns, load, payout_rows
from kpiscore.variants import Comparison, compare, overlay

pd = pytest.importorskip("pandas")

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(id="x", name="X", max_points=80, basis="assessed"),
                Criterion(
                    id="t",
                    name="T",
                    max_points=20,
                    deductions=[Deduction(on="absence", points=3)],
                ),
            ],
        )
    ],
    bands=[
        Band(id="HTXS", name="HTXS", min_points=90),
        Band(id="HTT", name="HTT", min_points=70),
        Band(id="HT", name="HT", min_points=50),
        Band(id="KHT", name="KHT", min_points=0),
    ],
)
IDS = [f"nv{i:03d}" for i in range(30)]
VALUES = [40 + (i * 7) % 41 for i in range(30)]
PEOPLE = pd.DataFrame({"id": IDS, "unit": [f"u{i % 3}" for i in range(30)]})
EVENTS = pd.DataFrame(
    {
        "subject": [IDS[i] for i in range(0, 30, 4)],
        "kind": "absence",
        "on": pd.to_datetime("2026-03-10"),
    }
)
MEASURES = pd.DataFrame({"subject": IDS, "criterion": "x", "value": VALUES})
SALARIES = {subject: 5_000_000 + 100_000 * (i % 4) for i, subject in enumerate(IDS)}


def frame_table() -> Any:
    return score_frame(POLICY, "2026-03", PEOPLE, EVENTS, MEASURES)


def exact_table() -> Any:
    from kpiscore import Event, Person

    people = [Person(id=i, unit=u) for i, u in zip(PEOPLE["id"], PEOPLE["unit"], strict=True)]
    events = [Event(subject=s, kind="absence", on=date(2026, 3, 10)) for s in EVENTS["subject"]]
    measures = [
        Measure(subject=s, criterion="x", value=v) for s, v in zip(IDS, VALUES, strict=True)
    ]
    return score_many(POLICY, "2026-03", people, events, measures)


def test_payout_from_columns_builds_no_scorecard_and_equals_exact() -> None:
    table = frame_table()
    rows = payout_rows(table, "danang-2026", SALARIES)
    assert table._built == {}  # no scorecard built
    assert rows == payout_rows(exact_table(), "danang-2026", SALARIES)
    assert [row["payout"] for row in rows] == [
        load("danang-2026").amount(rating, SALARIES[s])
        for s, rating in zip(table.subjects, table.ratings(), strict=True)
    ]


class _Columns:
    """A columnar table of another kind (a roll-up's shape): the RatedColumns protocol."""

    def __init__(self, ratings: list[str | None]) -> None:
        self.period = Period.parse("2026-03")
        self.subjects = tuple(f"s{i}" for i in range(len(ratings)))
        self._ratings = ratings

    def ratings(self) -> list[str | None]:
        return self._ratings

    def to_rows(self) -> list[dict[str, Any]]:
        return [
            {"subject": s, "rating": r, "unrated": None if r else "worked too little"}
            for s, r in zip(self.subjects, self._ratings, strict=True)
        ]

    def __iter__(self) -> Any:
        raise AssertionError("a RatedColumns table is read by column, never iterated")


def test_payout_reads_any_rated_columns_table() -> None:
    columns = _Columns(["HTT", "HT"])
    assert isinstance(columns, RatedColumns)
    rows = payout_rows(columns, "danang-2026", {"s0": 7_020_000, "s1": 4_000_000})
    assert [row["payout"] for row in rows] == [Decimal("2106000"), Decimal("500000")]


def test_payout_of_an_unrated_person_names_the_reason() -> None:
    with pytest.raises(InputError, match=r"'s1' has no rating \(worked too little\)"):
        payout_rows(_Columns(["HTT", None]), "danang-2026", {"s0": 1, "s1": 2})


def test_payout_shares_one_computation_per_salary_step() -> None:
    table = load("danang-2026")
    calls: list[Any] = []
    real = type(table).paid

    def counting(self: Any, *arguments: Any) -> Decimal:
        calls.append(arguments)
        return real(self, *arguments)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(table), "paid", counting)
        rows = payout_rows(frame_table(), table, SALARIES)
    distinct = {(row["rating"], row["salary"]) for row in rows}
    assert len(calls) == len(distinct) < len(rows)


def test_paid_equals_amount() -> None:
    table = load("hcm-2024")
    for rating in table.ratings:
        assert table.paid(rating, Decimal(7_020_000), Decimal(5), Decimal(22), 3) == table.amount(
            rating, 7_020_000, 5, 22, months=3
        )
    with pytest.raises(InputError, match="days_worked must lie between"):
        table.paid("HTT", Decimal(1), Decimal(30), Decimal(22), 1)


def test_table_item_is_cached_and_reused_by_scorecards() -> None:
    table = frame_table()
    card = table["nv004"]
    assert table["nv004"] is card
    assert table.scorecards[4] is card


def test_summary_and_distribution_build_no_scorecard() -> None:
    table = frame_table()
    assert table.summary() == exact_table().summary()
    assert table.distribution() == exact_table().distribution()
    assert table._built == {}


VARIANT = overlay(POLICY, {"categories.c.criteria.t.deductions.absence.points": 9})


def test_compare_from_frames_equals_the_object_path_and_builds_rows_lazily() -> None:
    from kpiscore import Event

    result = compare(POLICY, VARIANT, "2026-03", PEOPLE, EVENTS, MEASURES)
    assert isinstance(result, Comparison)
    assert len(result) == 30
    html = result._repr_html_()
    assert len(result._built) <= 50  # the preview builds only the movers it shows
    events = [Event(subject=s, kind="absence", on=date(2026, 3, 10)) for s in EVENTS["subject"]]
    measures = [
        Measure(subject=s, criterion="x", value=v) for s, v in zip(IDS, VALUES, strict=True)
    ]
    from kpiscore import Person

    persons = [Person(id=i, unit=u) for i, u in zip(PEOPLE["id"], PEOPLE["unit"], strict=True)]
    exact = compare(POLICY, VARIANT, "2026-03", persons, events, measures)
    assert html == exact._repr_html_()
    assert result["nv004"].to_dict() == exact["nv004"].to_dict()
    assert result.summary == exact.summary
    assert [row.subject for row in result.band_moves] == [row.subject for row in exact.band_moves]
    assert result.to_rows() == exact.to_rows()


def test_compare_refuses_frames_mixed_with_fact_objects() -> None:
    with pytest.raises(InputError, match="events must be a DataFrame"):
        compare(POLICY, VARIANT, "2026-03", PEOPLE, ["not", "events"], MEASURES)


def test_compare_from_frames_takes_a_list_of_ids() -> None:
    result = compare(POLICY, VARIANT, "2026-03", IDS, EVENTS, MEASURES)
    assert result.summary.count == 30
    assert (
        result.summary.down
        == compare(POLICY, VARIANT, "2026-03", PEOPLE, EVENTS, MEASURES).summary.down
    )


def test_a_comparison_needs_rows_or_columns() -> None:
    table = exact_table()
    with pytest.raises(InputError, match="give rows or a column diff"):
        Comparison(
            base=POLICY,
            variant=VARIANT,
            period=table.period,
            base_table=table,
            variant_table=table,
            ratings=("HTXS",),
        )
