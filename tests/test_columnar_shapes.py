"""Issue 14's input shapes: the shortcuts ``score_frame`` takes to read a column (grouping Python
objects by identity, looking subjects up once per run) give exactly what reading every cell
gives, and every shape of the same facts scores the same."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from kpiscore import (  # noqa: E402
    Band,
    Category,
    Criterion,
    Deduction,
    Person,
    Policy,
    score_frame,
)
from kpiscore.engine.columnar._arrays import Population  # noqa: E402
from kpiscore.engine.columnar._cells import Problems, factorize, same_objects  # noqa: E402

POOL = ["a", "b", "ệ", "e\u0302\u0323", " a", "", "nv01", "nv02"]


@st.composite
def object_columns(draw: st.DrawFn) -> list[object]:
    """Cells drawn from a few shared objects, fresh copies of equal text, missing values and
    numbers, in runs or not."""
    shared: list[object] = [*POOL, None, float("nan"), 1, 1.0, 2.5]
    cells: list[object] = []
    for _ in range(draw(st.integers(0, 40))):
        value = draw(st.sampled_from(shared))
        if isinstance(value, str) and draw(st.booleans()):
            value = "".join(list(value))  # an equal string, another object (when not empty)
        cells.extend([value] * draw(st.integers(1, 4)))
    return cells


def reference(cells: list[object]) -> tuple[list[int], list[object]]:
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    return codes.tolist(), uniques.tolist()


def same_values(left: list[object], right: list[object]) -> bool:
    return len(left) == len(right) and all(
        (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
        or (a == b and type(a) is type(b))
        for a, b in zip(left, right, strict=True)
    )


class TestSameObjects:
    @given(object_columns())
    @settings(max_examples=100, deadline=None)
    def test_factorize_is_pandas_factorize_of_every_cell(self, cells: list[object]) -> None:
        codes, uniques = factorize(
            pd.Series(cells, dtype=object), Problems(), str, "kind", "a string"
        )
        expected_codes, expected_uniques = reference(cells)
        assert expected_codes == codes.tolist()
        assert same_values(expected_uniques, uniques)

    @given(object_columns())
    @settings(max_examples=100, deadline=None)
    def test_codes_group_the_very_same_objects(self, cells: list[object]) -> None:
        array = np.empty(len(cells), dtype=object)
        array[:] = cells
        found = same_objects(array)
        if found is None:
            return  # nothing to gain (or empty): the caller hashes every cell
        codes, objects = found
        assert len(codes) == len(cells)
        for position, code in enumerate(codes.tolist()):
            assert objects[code] is cells[position]
        firsts = [next(i for i, c in enumerate(cells) if c is obj) for obj in objects]
        assert firsts == sorted(firsts)
        assert len({id(o) for o in objects}) == len(objects)

    def test_mostly_distinct_objects_are_left_to_the_value_hash(self) -> None:
        cells = np.array([f"x{i}" for i in range(5000)], dtype=object)
        assert same_objects(cells) is None

    def test_an_unhashable_cell_is_still_named_by_row(self) -> None:
        shared = "k"
        column = pd.Series([shared, shared, ["list"], shared], dtype=object)
        problems = Problems()
        codes, uniques = factorize(column, problems, lambda p: f"events row {p}", "kind", "text")
        assert [0, 0, 1, 0] == codes.tolist()
        assert "k" == uniques[0]
        assert ["events row 2: kind must be text (got ['list'])"] == [
            str(e) for e in problems.listed
        ]


class TestArrowRuns:
    @given(
        st.lists(st.tuples(st.sampled_from(["p0", "p1", "p2", "p3", "zz"]), st.integers(1, 5))),
        st.booleans(),
    )
    @settings(max_examples=100, deadline=None)
    def test_runs_give_what_a_lookup_per_row_gives(
        self, runs: list[tuple[str, int]], ordered: bool
    ) -> None:
        pa = pytest.importorskip("pyarrow")
        ids = ["p0", "p1", "p2", "p3"] if ordered else ["p2", "p0", "p3", "p1"]
        index = Population(ids, pa.array(ids))
        subjects = [subject for subject, count in runs for _ in range(count)]
        positions = index.get_indexer_arrow(pa.array(subjects, type=pa.string()))
        assert [ids.index(s) if s in ids else -1 for s in subjects] == positions.tolist()


POLICY = Policy(
    id="shapes",
    name="Shapes",
    categories=[
        Category(
            id="soft",
            name="Soft",
            criteria=[
                Criterion(
                    id="late",
                    name="Late",
                    max_points=15,
                    deductions=[Deduction(on="late", points=2)],
                )
            ],
        ),
        Category(
            id="rest",
            name="Rest",
            criteria=[Criterion(id="work", name="Work", max_points=85, basis="assessed")],
        ),
    ],
    bands=[Band(id="OK", min_points=5, name="OK"), Band(id="NO", min_points=0, name="No")],
)


class TestShapesScoreTheSame:
    @given(
        st.lists(st.tuples(st.integers(0, 5), st.integers(1, 28)), max_size=40),
        st.sampled_from(["frame", "ids", "persons"]),
        st.sampled_from(["object", "string[python]", "category"]),
    )
    @settings(max_examples=30, deadline=None)
    def test_every_people_and_text_shape(
        self, rows: list[tuple[int, int]], people_shape: str, text: str
    ) -> None:
        ids = [f"nv{i}" for i in range(6)]
        units = [None if i % 3 == 0 else f"u{i % 2}" for i in range(6)]
        frame = pd.DataFrame({"id": ids, "unit": units})
        events = pd.DataFrame(
            {
                "subject": [f"nv{s}" for s, _ in rows],
                "kind": ["late"] * len(rows),
                "on": pd.to_datetime([f"2026-01-{d:02d}" for _, d in rows]),
            }
        )
        measures = pd.DataFrame(
            {"subject": ids, "criterion": ["work"] * 6, "value": [80, 70, 60, 50, 40, 30]}
        )
        expected = score_frame(POLICY, "2026-Q1", frame, events, measures, duplicates="allow")
        people: object = {
            "frame": frame,
            "ids": ids,
            "persons": [Person(id=i, unit=u) for i, u in zip(ids, units, strict=True)],
        }[people_shape]
        shaped = events.astype({"subject": text, "kind": text})
        shaped_measures = measures.astype({"subject": text, "criterion": text})
        table = score_frame(POLICY, "2026-Q1", people, shaped, shaped_measures, duplicates="allow")
        assert list(map(str, expected.totals())) == list(map(str, table.totals()))
        if people_shape != "ids":
            assert [c.person.unit for c in expected] == [c.person.unit for c in table]
