"""The score CSV's per-criterion columns: the points an officer checks, in both engines' CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cli_files import copy_sample, inputs
from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    Measure,
    Policy,
    score_frame,
    score_many,
)
from kpiscore.cli import main
from kpiscore.io.render import criterion_columns

pd = pytest.importorskip("pandas")
Q1 = "2026-Q1"


def policy(missing: str = "error") -> Policy:
    """Two categories; a criterion named like its category and one named like a column."""
    return Policy(
        id="p",
        name="P",
        missing=missing,
        precision=Decimal("0.01"),
        rounding="ROUND_HALF_UP",
        categories=[
            Category(
                id="task",
                name="Task",
                criteria=[
                    Criterion(
                        id="on_time",
                        name="On time",
                        max_points=40,
                        deductions=[Deduction(on="late", points=Decimal("0.125"))],
                    ),
                    Criterion(id="task", name="Task itself", max_points=30, basis="assessed"),
                ],
            ),
            Category(
                id="general",
                name="General",
                criteria=[Criterion(id="total", name="Named total", max_points=30)],
            ),
        ],
    )


EVENTS = [
    Event(subject="a", kind="late", on=date(2026, 1, 5)),
    Event(subject="a", kind="late", on=date(2026, 2, 5)),
    Event(subject="a", kind="late", on=date(2026, 3, 5)),
]
MEASURES = [Measure(subject="a", criterion="task", value=Decimal("27.5"))]


def frames(measures: list[Measure]) -> tuple[object, object, object]:
    people = pd.DataFrame({"id": ["a", "b"], "unit": ["U1", "U2"]})
    events = pd.DataFrame(
        {
            "subject": [e.subject for e in EVENTS],
            "kind": [e.kind for e in EVENTS],
            "on": pd.to_datetime([e.on for e in EVENTS]),
        }
    )
    values = pd.DataFrame(
        {
            "subject": [m.subject for m in measures],
            "criterion": [m.criterion for m in measures],
            "value": [str(m.value) for m in measures],
        }
    )
    return people, events, values


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestCriterionColumns:
    def test_names_follow_the_policy_and_avoid_every_other_column(self) -> None:
        assert [("on_time", "on_time"), ("task.task", "task"), ("general.total", "total")] == (
            criterion_columns(policy())
        )

    def test_exact_table_has_a_column_per_criterion_after_the_categories(self) -> None:
        measures = [*MEASURES, Measure(subject="b", criterion="task", value=30)]
        table = score_many(policy(), Q1, ["a", "b"], EVENTS, measures)
        text = table.to_csv()
        header = text.splitlines()[0].split(",")
        assert header[8:] == [
            "task",
            "general",
            "on_time",
            "task.task",
            "general.total",
            "carried",
            "total",
            "score_rating",
            "rating",
        ]
        row = read(text)[0]
        card = table["a"]
        # 40 − 3 × 0.125 = 39.625 → 39.63 (the criterion's own rounding, shown only).
        figures = (row["on_time"], row["task.task"], row["general.total"])
        assert figures == ("39.63", "27.50", "30.00")
        assert row["on_time"] == str(card.criterion("on_time").points)
        assert (row["task"], row["total"]) == (str(card.category("task").points), str(card.total))
        # to_rows() (pandas, payout rows) keeps its columns.
        assert "on_time" not in table.to_rows()[0]

    def test_columnar_table_writes_the_same_bytes(self) -> None:
        measures = [*MEASURES, Measure(subject="b", criterion="task", value=30)]
        table = score_frame(policy(), Q1, *frames(measures))
        assert () == table.notes  # the columns computed it, not the exact engine
        people = [table["a"].person, table["b"].person]
        expected = score_many(policy(), Q1, people, EVENTS, measures)
        assert expected.csv_rows() == table.csv_rows()
        assert expected.to_csv() == table.to_csv()

    def test_an_excluded_criterion_is_an_empty_cell_in_both_paths(self) -> None:
        excluding = policy(missing="exclude")
        table = score_frame(excluding, Q1, *frames(MEASURES))  # b has no measure for task
        exact = score_many(excluding, Q1, [table["a"].person, table["b"].person], EVENTS, MEASURES)
        assert exact.to_csv() == table.to_csv()
        rows = read(table.to_csv())
        assert (rows[0]["task.task"], rows[1]["task.task"]) == ("27.50", "")
        assert rows[1]["on_time"] == "40.00"
        assert table["b"].criterion("task").excluded

    def test_the_command_line_csv_has_the_criteria(self, tmp_path: Path) -> None:
        from kpiscore import policies

        folder = copy_sample(tmp_path)
        out = tmp_path / "scores.csv"
        assert 0 == main(["score", *inputs(folder), "--format", "csv", "--output", str(out)])
        header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        staff = policies.load("vn-nd335-2025-staff")
        criteria = [cr.id for c in staff.categories for cr in c.criteria]
        categories = [c.id for c in staff.categories]
        assert header[8 : 8 + len(categories) + len(criteria)] == categories + criteria
