"""The columnar engine's figures (``engine/columnar/_figures.py``): behaviours that mutation
testing (tools/mutation.py, a partial run) found no test pinned down. Each test names the
mutants it kills.
"""

from __future__ import annotations

import pytest

from kpiscore import Category, Criterion, Measure, Policy, score_frame, score_many

pd = pytest.importorskip("pandas")
Q1 = "2026-Q1"


def test_csv_rows_of_a_columnar_table_are_the_exact_engine_s() -> None:
    """``ScoreTable.csv_rows`` of a columnar table: each criterion's points after the
    categories', an excluded criterion's as ``None`` (``xǁFiguresǁcsv_rows__mutmut_3``, ``_7``)."""
    policy = Policy(
        id="p",
        name="P",
        missing="exclude",
        categories=[
            Category(
                id="rest",
                name="Rest",
                criteria=[
                    Criterion(id="work", name="Work", max_points=40, basis="assessed"),
                    Criterion(id="base", name="Base", max_points=60),
                ],
            )
        ],
    )
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["work"], "value": [7]})
    table = score_frame(policy, Q1, ["a", "b"], None, measures)
    exact = score_many(
        policy, Q1, ["a", "b"], [], [Measure(subject="a", criterion="work", value=7)]
    )
    assert exact.csv_rows() == table.csv_rows()
    assert [list(row) for row in exact.csv_rows()] == [list(row) for row in table.csv_rows()]
    assert ["rest", "work", "base", "carried"] == list(table.csv_rows()[0])[8:12]
    assert [None, 7] == [
        row["work"] if row["work"] is None else int(row["work"]) for row in table.csv_rows()
    ][::-1]
