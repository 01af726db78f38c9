"""score_frame's errors for each kind of bad frame: the frame, the row and the column named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    Policy,
    score_frame,
    score_many,
)

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
Q1 = "2026-Q1"
POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="t", name="T", max_points=10, deductions=[Deduction(on="late", points=1)]
                ),
                Criterion(id="w", name="W", max_points=10, basis="assessed"),
            ],
        )
    ],
)
MEASURES = pd.DataFrame({"subject": ["a"], "criterion": ["w"], "value": [5]})


def events(**columns: object) -> object:
    base: dict[str, object] = {
        "subject": ["a", "a"],
        "kind": ["late", "late"],
        "on": pd.to_datetime(["2026-01-05", "2026-01-06"]),
    }
    return pd.DataFrame(base | columns)


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (pd.DataFrame({"name": ["A"]}), r"^people: the frame has no 'id' column"),
        (  # another column is kept as the files keep it: text, checked (issue 16)
            pd.DataFrame({"id": ["a"], "colour": pd.Series([["red"]], dtype=object)}),
            r"^people row 0: colour must be text \(got \[",
        ),
        ("a", r"^people must be a DataFrame or a sequence of Person or ids \(got 'a'\)"),
    ],
)
def test_bad_people(people: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_frame(POLICY, Q1, people, None, MEASURES)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ([], r"^events must be a pandas DataFrame \(got list\)"),
        (events(kind=["late", None]), r"^events row 1: kind is missing; expected a string"),
        (events(kind=["late", "  "]), r"^events row 1: kind must be a non-empty string"),
        (events(on=[dt.date(2026, 1, 5), 20260106]), r"^events row 1: on must be a date"),
        (events(on=[dt.date(2026, 1, 5), "2026-13-06"]), r"^events row 1: on: '2026-13-06' is"),
        (events(on=pd.to_datetime(["2026-01-05", None])), r"^events row 1: on is missing"),
        (events(ref=["r1", 7]), r"^events row 1: ref must be text \(got 7\)"),
    ],
)
def test_bad_events(frame: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_frame(POLICY, Q1, ["a"], frame, MEASURES)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ([], r"^measures must be a pandas DataFrame \(got list\)"),
        (
            pd.DataFrame({"subject": ["a"], "criterion": ["w"], "value": [1], "x": [1]}),
            r"^measures: unknown column\(s\) \['x'\]",
        ),
        (
            pd.DataFrame({"subject": ["a"], "criterion": ["nope"], "value": [1]}),
            r"^measures row 0: criterion 'nope' is not in policy 'p'; expected one of \['w'\]",
        ),
        (
            pd.DataFrame({"subject": ["a"], "criterion": ["t"], "value": [1]}),
            r"^measures row 0: criterion 't' has basis 'full', which takes no measure",
        ),
        (
            pd.DataFrame({"subject": ["a", "a"], "criterion": ["w", None], "value": [1, 2]}),
            r"^measures row 1: criterion is missing",
        ),
    ],
)
def test_bad_measures(frame: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_frame(POLICY, Q1, ["a"], None, frame)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "on",
    [
        [dt.date(2026, 1, 5), dt.date(2026, 4, 6)],
        np.array(["2026-01-05", "2026-04-06"], dtype="datetime64[s]"),
        np.array(["2026-01-05", "2026-04-06"], dtype="datetime64[D]"),
    ],
    ids=["date-objects", "seconds", "days"],
)
def test_dates_in_every_form_score_alike(on: object) -> None:
    table = score_frame(POLICY, Q1, ["a"], events(on=on, ref=["r1", None]), MEASURES)
    expected = score_many(
        POLICY,
        Q1,
        ["a"],
        [Event(subject="a", kind="late", on=dt.date(2026, 1, 5), ref="r1")],
        [Measure(subject="a", criterion="w", value=5)],
    )
    assert (Decimal("14.00"),) == table.totals()
    assert "r1" == table["a"].criterion("t").rules[0].events[0].ref
    assert expected.to_csv() == table.to_csv()
