"""score_frame's errors for each kind of bad frame: the frame, the row and the column named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    Period,
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


@pytest.mark.parametrize(
    "rows",
    [
        # b's refused w1 comes first in the file; a, earlier in the population, has one in w2.
        [("b", "w1", "50"), ("a", "w1", "1"), ("a", "w2", "60"), ("b", "w2", "1")],
        # One person, two refused values: the first criterion in policy order is named.
        [("a", "w2", "70"), ("a", "w1", "50"), ("b", "w1", "1"), ("b", "w2", "1")],
    ],
    ids=["earliest-person", "first-criterion"],
)
def test_the_fast_csv_path_names_the_refused_measure_the_exact_engine_names(
    rows: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    # The fast CSV path range-checks measures in the figures, which named the first file row
    # holding a refused value; the exact engine scores people in population order, and each
    # person's criteria in policy order (score_csv_files promises the same result).
    from kpiscore.io.fastcsv import score_csv_files

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="w1", name="W1", max_points=40, basis="assessed"),
                    Criterion(id="w2", name="W2", max_points=40, basis="assessed"),
                ],
            )
        ],
    )
    people = tmp_path / "people.csv"
    people.write_text("id\na\nb\n", encoding="utf-8")
    measures = tmp_path / "measures.csv"
    lines = "".join(f"{s},{c},{v}\n" for s, c, v in rows)
    measures.write_text("subject,criterion,value\n" + lines, encoding="utf-8")
    facts = [Measure(subject=s, criterion=c, value=Decimal(v)) for s, c, v in rows]
    period = Period.parse(Q1)
    with pytest.raises(InputError) as exact:
        score_many(policy, period, ["a", "b"], [], facts)
    with pytest.raises(InputError) as fast:
        score_csv_files(policy, period, people, None, measures)
    assert str(exact.value) == str(fast.value)
    assert "of subject 'a'" in str(fast.value)
