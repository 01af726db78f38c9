"""``score_frame`` given Arrow data directly: a ``pyarrow.Table``, anything handing over an Arrow
stream (a polars DataFrame, a ``RecordBatchReader``), or an older polars with ``to_arrow()`` —
each scored exactly as the same facts in pandas frames (issue 14: no input-shape cliffs)."""

from __future__ import annotations

from datetime import date

import pytest

from columnar_policies import training_policy
from kpiscore import InputError, score_frame

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

Q1 = "2026-Q1"
PEOPLE = {"id": ["a", "b", "c"], "unit": ["u1", "u1", "u2"]}
EVENTS = {
    "subject": ["a", "a", "c"],
    "kind": ["training_absence"] * 3,
    "on": [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 9)],
}
MEASURES = {"subject": ["a", "b", "c"], "criterion": ["work"] * 3, "value": ["80", "85", "40"]}


def pandas_table() -> object:
    return score_frame(
        training_policy(), Q1, pd.DataFrame(PEOPLE), pd.DataFrame(EVENTS), pd.DataFrame(MEASURES)
    )


def test_a_pyarrow_table_scores_as_the_pandas_frame() -> None:
    table = score_frame(
        training_policy(), Q1, pa.table(PEOPLE), pa.table(EVENTS), pa.table(MEASURES)
    )
    expected = pandas_table()
    assert expected.to_csv() == table.to_csv()  # type: ignore[attr-defined]
    assert [card.total for card in expected] == [card.total for card in table]  # type: ignore[attr-defined]


class _Stream:
    """An object that hands over its data only as an Arrow C stream (as polars does)."""

    def __init__(self, columns: dict[str, list[object]]) -> None:
        self._table = pa.table(columns)

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)


class _OldPolars:
    """An older polars DataFrame: ``columns`` and ``to_arrow()``, no Arrow stream."""

    def __init__(self, columns: dict[str, list[object]], arrow: object = None) -> None:
        self.columns = list(columns)
        self._arrow = pa.table(columns) if arrow is None else arrow

    def to_arrow(self) -> object:
        return self._arrow


def test_an_arrow_stream_and_to_arrow_score_as_the_pandas_frame() -> None:
    expected = pandas_table().to_csv()  # type: ignore[attr-defined]
    streamed = score_frame(
        training_policy(), Q1, _Stream(PEOPLE), _Stream(EVENTS), _Stream(MEASURES)
    )
    old = score_frame(
        training_policy(), Q1, _OldPolars(PEOPLE), _OldPolars(EVENTS), _OldPolars(MEASURES)
    )
    assert expected == streamed.to_csv() == old.to_csv()


def test_to_arrow_giving_something_else_is_refused_by_name() -> None:
    with pytest.raises(
        InputError, match=r"events: to_arrow\(\) gave list; expected a pyarrow\.Table"
    ):
        score_frame(training_policy(), Q1, PEOPLE["id"], _OldPolars(EVENTS, arrow=[1, 2]))


def test_a_column_name_twice_is_refused() -> None:
    people = pa.Table.from_arrays([pa.array(["a"]), pa.array(["u"])], names=["id", "id"])
    with pytest.raises(InputError, match=r"people: a column name appears twice \(\['id', 'id'\]\)"):
        score_frame(training_policy(), Q1, people, None)


def test_an_attribute_written_as_a_number_is_its_text_and_anything_else_is_refused() -> None:
    """As a file reads it: a unit typed as the number 7 in a spreadsheet is the unit "7"."""
    people = pd.DataFrame({"id": ["a", "b"], "unit": pd.Series([7, 8], dtype=object)})
    work = pd.DataFrame({"subject": ["a", "b"], "criterion": ["work"] * 2, "value": ["1", "2"]})
    table = score_frame(training_policy(), Q1, people, None, work)
    assert ["7", "8"] == [card.person.unit for card in table]  # type: ignore[attr-defined]
    bad = pd.DataFrame({"id": ["a"], "unit": pd.Series([["u"]], dtype=object)})
    with pytest.raises(InputError, match=r"people row 0: unit must be text"):
        score_frame(training_policy(), Q1, bad, None)
