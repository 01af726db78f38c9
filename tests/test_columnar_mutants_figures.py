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


def test_rows_read_every_attribute_in_kpiscore_s_context() -> None:
    """Each row's name, group and position, its ratings ``None`` without bands, and its figures
    formatted in kpiscore's own decimal context (``xǁFiguresǁrows__mutmut_12``…``_41``, ``_66``;
    ``xǁFiguresǁ_decimal__mutmut_2``, ``_4``; ``xǁFiguresǁratings__mutmut_3``)."""
    import decimal

    from kpiscore import Person

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=1234)])
        ],
    )
    people = pd.DataFrame(
        {"id": ["a", "b"], "name": ["An", None], "group": ["G", "H"], "position": [None, "P"]}
    )
    persons = [Person(id="a", name="An", group="G"), Person(id="b", group="H", position="P")]
    table = score_frame(policy, Q1, people, None)
    exact = score_many(policy, Q1, persons)
    with decimal.localcontext(decimal.Context(prec=2, traps=[decimal.Rounded])):
        assert exact.csv_rows() == table.csv_rows()
    assert (None, None) == table.ratings()
