"""The roll-up and the quota computed from score_frame tables' integer columns: examples.

(tests/property/test_rollup_columns_props.py checks them against the exact path at random.)
"""

from __future__ import annotations

from datetime import date

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Period,
    Person,
    Policy,
    RatingCap,
    score_frame,
    score_many,
)
from kpiscore.quota import apply_quota, plan_quota
from kpiscore.rollup import RollupTable, rollup_many

pd = pytest.importorskip("pandas")

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="x", name="X", max_points=100, deductions=[Deduction(on="late", points=5)]
                )
            ],
        )
    ],
    bands=[
        Band(id="HTXS", min_points=95, name="Xuất sắc"),
        Band(id="HTT", min_points=80, name="Tốt"),
        Band(id="HT", min_points=0, name="Đạt"),
    ],
    caps=[RatingCap(on="reprimand", at_most="HT")],
)
PEOPLE = [Person(id=f"nv{i}", unit="A" if i < 4 else "B") for i in range(8)]
EVENTS = [
    Event(subject="nv1", kind="late", on=date(2026, 2, 3)),
    Event(subject="nv2", kind="reprimand", on=date(2026, 3, 9)),
    Event(subject="nv5", kind="late", on=date(2026, 1, 5)),
    Event(subject="nv5", kind="late", on=date(2026, 1, 6)),
]


def frames() -> tuple[object, object]:
    people = pd.DataFrame({"id": [p.id for p in PEOPLE], "unit": [p.unit for p in PEOPLE]})
    events = pd.DataFrame(
        {
            "subject": [e.subject for e in EVENTS],
            "kind": [e.kind for e in EVENTS],
            "on": [e.on for e in EVENTS],
        }
    )
    return people, events


def both() -> tuple[RollupTable, RollupTable]:
    people, events = frames()
    months = score_frame(POLICY, "2026-Q1", people, events, every="month")
    exact = [score_many(POLICY, piece, PEOPLE, EVENTS) for piece in months]
    return rollup_many(exact, "2026-Q1"), rollup_many(months.values(), "2026-Q1")


def test_the_roll_up_of_score_frame_tables_comes_from_the_columns() -> None:
    exact, columnar = both()
    assert columnar.notes[0].startswith("the roll-up was computed from the tables' integer")
    assert exact.notes == ()
    assert columnar.to_rows() == exact.to_rows()
    # nv1 lost 5 points in February: (100 + 95 + 100) / 3 = 98.33; nv2's reprimand caps it.
    assert columnar.totals()[1:3] == (exact["nv1"].total, exact["nv2"].total)
    assert columnar.ratings()[:3] == ("HTXS", "HTXS", "HT")
    assert columnar["nv2"].caps[0].lowered
    assert columnar["nv2"].explain("en") == exact["nv2"].explain("en")


def test_a_person_asked_for_is_built_once_and_kept() -> None:
    _, columnar = both()
    assert columnar["nv3"] is columnar["nv3"]
    assert [r.subject for r in columnar] == [p.id for p in PEOPLE]
    assert "nv3" in columnar
    assert "nobody" not in columnar
    assert repr(columnar).endswith("rollups=<8 roll-ups>)")


def test_a_roll_up_table_needs_rollups_or_columns() -> None:
    with pytest.raises(InputError, match="give rollups or columns"):
        RollupTable(policy=POLICY, period=Period.year(2026))


def test_the_quota_on_the_columns_decides_as_on_the_results() -> None:
    exact, columnar = both()
    for group_by in (None, "unit", lambda result: result.person.unit):
        plans = plan_quota(exact, share="0.2", group_by=group_by)
        assert plans == plan_quota(columnar, share="0.2", group_by=group_by)
        after = apply_quota(exact, share="0.2", group_by=group_by)
        columnar_after = apply_quota(columnar, share="0.2", group_by=group_by)
        assert isinstance(columnar_after, RollupTable)
        assert after.to_rows() == columnar_after.to_rows()
        assert [r.to_json() for r in after] == [r.to_json() for r in columnar_after]
    # Unit A: nv0 and nv3 at 100, nv1 at 98.33 (nv2 capped); one may keep HTXS, and the two
    # tied at the cut both move down (ties="demote_all"), so nobody keeps it.
    after = apply_quota(columnar, share="0.5", base="next_and_above", group_by="unit")
    assert [after[s].rating for s in ("nv0", "nv1", "nv3")] == ["HTT", "HTT", "HTT"]
    assert "tied at the cut with 2 people" in after["nv0"].adjustments[0].reason
    assert "nv1 ranked 3 of 3" in after["nv1"].adjustments[0].reason


def test_a_score_table_keeps_its_columns_through_the_quota() -> None:
    people, events = frames()
    table = score_frame(POLICY, "2026-01", people, events)
    exact = score_many(POLICY, "2026-01", PEOPLE, EVENTS)
    after = apply_quota(table, share="0.5", ties="subject")
    assert after.to_csv() == apply_quota(exact, share="0.5", ties="subject").to_csv()
    # Seven at 100, nv5 at 90: two may keep HTXS; the ids break the tie (nv7 and nv6 keep it).
    assert after.distribution() == {"HTXS": 2, "HTT": 6, "HT": 0}
    assert after["nv7"].adjustments == ()
    assert after["nv0"].adjustments[0].kind == "quota"


def test_a_person_without_the_grouping_attribute_is_the_same_error() -> None:
    people = pd.DataFrame({"id": ["a", "b"], "unit": ["A", None]})
    table = score_frame(POLICY, "2026-01", people, None)
    exact = score_many(POLICY, "2026-01", [Person(id="a", unit="A"), Person(id="b")])
    with pytest.raises(InputError) as columnar_error:
        apply_quota(table, group_by="unit")
    with pytest.raises(InputError) as exact_error:
        apply_quota(exact, group_by="unit")
    assert str(columnar_error.value) == str(exact_error.value)
    assert "person 'b' has no unit" in str(exact_error.value)


def test_sub_periods_and_their_columns_come_from_the_columns() -> None:
    """The same people in every month (one position each, no lookup table): the sub-periods
    and a column per month, as the exact path writes them; an empty roll-up has none."""
    exact, columnar = both()
    assert columnar.sub_periods() == exact.sub_periods() == list(Period.parse("2026-Q1").months())
    assert [row["2026-02"] for row in columnar.to_rows()] == [
        row["2026-02"] for row in exact.to_rows()
    ]
    assert columnar.head_rows(2) == exact.to_rows()[:2]
    people, events = frames()
    nobody = people.iloc[:0]
    empty = rollup_many(
        score_frame(POLICY, "2026-Q1", nobody, events.iloc[:0], every="month").values(),
        "2026-Q1",
    )
    assert ([], []) == (empty.sub_periods(), empty.to_rows())
