"""score_frame(every=...): every month or quarter of a period from one events frame."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    InputError,
    Period,
    PeriodError,
    Policy,
    score_frame,
)
from kpiscore.rollup import rollup_many

pd = pytest.importorskip("pandas")

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(id="x", name="X", max_points=100, basis="assessed"),
                Criterion(
                    id="t",
                    name="Training",
                    max_points=15,
                    deductions=[Deduction(on="training_absence", points=2)],
                ),
            ],
        )
    ],
)
PEOPLE = pd.DataFrame({"id": ["a", "b"]})
EVENTS = pd.DataFrame(
    {
        "subject": ["b", "a", "a", "b"],
        "kind": ["training_absence"] * 4,
        "on": pd.to_datetime(["2026-05-02", "2026-01-05", "2026-01-12", "2025-12-31"]),
        "ref": ["r4", "r1", "r2", "r0"],
        "note": [None, "late", "", "before the year"],
    }
)
MEASURES = pd.DataFrame({"subject": ["a", "b"], "criterion": ["x", "x"], "value": [80, 90]})


def test_every_month_of_a_year_in_date_order() -> None:
    tables = score_frame(POLICY, "2026", PEOPLE, EVENTS, MEASURES, every="month")
    assert list(tables) == list(Period.year(2026).months())
    assert tables[Period.month(2026, 1)].totals() == (Decimal("91.00"), Decimal("105.00"))
    assert [t.totals()[1] for t in tables.values()][4] == Decimal("103.00")  # May
    year = rollup_many(tables.values(), "2026")
    assert year["a"].total == Decimal("94.67")  # (91 + 11 × 95) / 12


def test_refs_and_notes_follow_their_rows() -> None:
    january = score_frame(POLICY, "2026", PEOPLE, EVENTS, MEASURES, every="quarter")[
        Period.quarter(2026, 1)
    ]
    lines = january["a"].criterion("t").rules[0].events
    assert [(line.ref, line.note) for line in lines] == [("r1", "late"), ("r2", None)]


def test_measures_per_sub_period_by_label_or_period() -> None:
    second = MEASURES.assign(value=[70, 60])
    tables = score_frame(
        POLICY,
        "2026-H1",
        PEOPLE,
        EVENTS,
        {"2026-Q1": MEASURES, Period.quarter(2026, 2): second},
        every="quarter",
    )
    assert [t.totals() for t in tables.values()] == [(91, 105), (85, 73)]


def test_a_sub_period_left_out_of_the_mapping_has_no_measures() -> None:
    zero = Policy(id="p", name="P", missing="zero", categories=POLICY.categories)
    tables = score_frame(zero, "2026-H1", PEOPLE, EVENTS, {"2026-Q2": MEASURES}, every="quarter")
    assert [t.totals() for t in tables.values()] == [(11, 15), (95, 103)]  # Q1: x is 0


@pytest.mark.parametrize(
    ("measures", "message"),
    [
        ({"2027-Q1": MEASURES}, "measures: '2027-Q1' is not a sub-period scored"),
        (
            {"2026-Q1": MEASURES, Period.quarter(2026, 1): MEASURES},
            "measures: the sub-period 2026-Q1 is given twice",
        ),
        ([MEASURES], "measures must be a pandas DataFrame, a mapping of sub-period"),
    ],
)
def test_bad_measures_are_refused(measures: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_frame(POLICY, "2026-H1", PEOPLE, EVENTS, measures, every="quarter")  # type: ignore[arg-type]


def test_a_mapping_of_measures_needs_every() -> None:
    with pytest.raises(InputError, match="measures must be a pandas DataFrame"):
        score_frame(POLICY, "2026-Q1", PEOPLE, EVENTS, {"2026-Q1": MEASURES})  # type: ignore[arg-type]


def test_an_unknown_every_is_refused() -> None:
    with pytest.raises(InputError, match="every must be 'month', 'quarter' or None"):
        score_frame(POLICY, "2026", PEOPLE, EVENTS, MEASURES, every="week")  # type: ignore[call-overload]


def test_duplicate_people_are_refused() -> None:
    with pytest.raises(InputError, match="person id 'a' appears twice"):
        score_frame(POLICY, "2026", pd.DataFrame({"id": ["a", "a"]}), None, every="month")


def test_each_sub_period_is_checked_against_the_policy() -> None:
    half = Policy(id="p", name="P", categories=POLICY.categories, valid_to="2026-06-30")
    with pytest.raises(PeriodError, match="period 2026-Q3 is outside the policy's validity"):
        score_frame(half, "2026", PEOPLE, EVENTS, MEASURES, every="quarter")
    assert len(score_frame(half, "2026-H1", PEOPLE, EVENTS, MEASURES, every="month")) == 6


def test_rows_of_other_periods_do_not_decide_the_engine() -> None:
    # Found by tests/property/test_year_props.py: the bound that sends a table to the exact
    # engine counted every row of the frame, so February alone (no event of its own) fell back
    # because of January's events, while score_frame(every="month") scored it in columns.
    # Weights 1:3:3 (sevenths of 29 points) and a rule of 0.00 points per 0.1 unit need many
    # digits: January (eleven events) goes to the exact engine, an empty month need not.
    full = {"basis": "full"}
    policy = Policy.from_dict(
        {
            "id": "random",
            "name": "Random",
            "categories": [
                {"id": "k0", "name": "K0", "max_points": "1",
                 "criteria": [{"id": "c0", "name": "c0", "max_points": "1", **full}]},
                {"id": "k1", "name": "K1", "criteria": [
                    {"id": "c1", "name": "c1", "max_points": "45", **full},
                    {"id": "c2", "name": "c2", "max_points": "1", **full}]},
                {"id": "k2", "name": "K2", "max_points": "29",
                 "weights": {"c3": "1", "c4": "3", "c5": "3"},
                 "criteria": [
                    {"id": "c3", "name": "c3", "max_points": "41", **full},
                    {"id": "c4", "name": "c4", "max_points": "31", **full,
                     "deductions": [{"on": "absence", "points": "0.00", "per": "unit"}],
                     "awards": [{"id": "award_absence", "on": "absence", "points": "15.57"}]},
                    {"id": "c5", "name": "c5", "max_points": "10", **full}]},
            ],
            "bands": [{"id": "A", "min_points": "60", "name": "A"},
                      {"id": "B", "min_points": "30", "name": "B"},
                      {"id": "C", "min_points": "0", "name": "C"}],
            "caps": [{"on": "reprimand", "at_most": "C"}],
            "other_kinds": ["late", "initiative", "error"],
        }
    )  # fmt: skip
    people = pd.DataFrame({"id": ["nv001", "nv002", "nv003"]})
    events = pd.DataFrame(
        {
            "subject": ["nv001"] * 11,
            "kind": ["absence"] * 11,
            "on": ["2026-01-01"] * 11,
            "quantity": pd.array(["0.0"] * 10 + ["4.3"], dtype="string"),
        }
    )
    # Identical rows are allowed here: ten absences of no quantity on one day, as generated.
    months = score_frame(policy, "2026-Q1", people, events, every="month", duplicates="allow")
    for month, table in months.items():
        alone = score_frame(policy, month, people, events, duplicates="allow")
        assert (alone.notes, alone.to_csv()) == (table.notes, table.to_csv())
    february = months[Period.parse("2026-02")]
    assert () == february.notes  # scored in columns: nothing of its own needs big numbers
    assert february["nv001"].total == february["nv002"].total
