"""Issue 14: the population's look-up of Arrow subjects by binary search (ids in increasing
order, all of one width) gives the positions the hash look-up gives, -1 for the unknown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from kpiscore.engine.columnar._arrays import Population, _ordered_lookup  # noqa: E402

IDS = [f"nv{i:03d}" for i in range(0, 200, 3)]


@given(st.lists(st.integers(0, 220), max_size=40), st.sampled_from(["string", "large_string"]))
@settings(max_examples=100, deadline=None)
def test_binary_search_gives_the_hash_look_up(numbers: list[int], kind: str) -> None:
    ids = pa.array(IDS, type=getattr(pa, kind)())
    values = pa.array([f"nv{n:03d}" for n in numbers], type=getattr(pa, kind)())
    expected = [IDS.index(v) if v in IDS else -1 for v in values.to_pylist()]
    found = _ordered_lookup(ids, values)
    assert found is not None or not numbers
    if found is not None:
        assert expected == found.tolist()
    assert expected == Population(IDS, ids).get_indexer_arrow(values).tolist()


def test_slices_of_arrow_arrays_are_read_at_their_offset() -> None:
    ids = pa.array(["x", *IDS])[1:]
    values = pa.array(["zz", "nv003", "nv004", "nv198"])[1:]
    found = _ordered_lookup(ids, values)
    assert found is not None
    assert [1, -1, 66] == found.tolist()


@pytest.mark.parametrize(
    "values",
    [["nv003", "nv0030"], ["nv00", "nv003"], ["nv\x0003"], []],
    ids=["longer", "shorter", "nul", "none"],
)
def test_other_widths_are_left_to_the_hash_look_up(values: list[str]) -> None:
    ids = pa.array(IDS)
    assert _ordered_lookup(ids, pa.array(values, type=pa.string())) is None
    expected = [IDS.index(v) if v in IDS else -1 for v in values]
    assert (
        expected == Population(IDS, ids).get_indexer_arrow(pa.array(values, pa.string())).tolist()
    )


def test_ids_out_of_order_are_looked_up_by_hash() -> None:
    ids = list(reversed(IDS))
    population = Population(ids, pa.array(ids))
    values = pa.array(["nv003", "nv198", "nv004"])
    assert [len(ids) - 2, 0, -1] == population.get_indexer_arrow(values).tolist()
