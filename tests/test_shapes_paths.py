"""Issue 14, no input-shape cliffs: the faster paths ``score_frame`` takes per input shape give
exactly what the general paths give (grouped or ungrouped rows, shared or fresh string
objects, mixed types and missing cells, ids wider than 8 bytes), and the same problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

from kpiscore import InputError, Person, score_frame  # noqa: E402
from kpiscore.engine.columnar._arrays import (  # noqa: E402
    Population,
    _ordered_lookup,
    _packed,
)
from kpiscore.engine.columnar._cells import _first_of, object_runs  # noqa: E402
from test_columnar_shapes import POLICY  # noqa: E402

# --------------------------------------------------------------------------- wide ids

PREFIXES = ["emp-", "emq-", "em", ""]


@st.composite
def wide_ids(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Sorted unique ids of one width (often over 8 bytes) and keys of that width, some with
    another prefix than the ids'."""
    prefix = draw(st.sampled_from(PREFIXES[:2]))
    digits = draw(st.integers(4, 10))
    numbers = sorted(set(draw(st.lists(st.integers(0, 10**digits - 1), min_size=1, max_size=30))))
    ids = [f"{prefix}{n:0{digits}d}" for n in numbers]
    keys = [
        f"{draw(st.sampled_from(PREFIXES[:2]))}{draw(st.sampled_from([*numbers, 0, 7])):0{digits}d}"
        for _ in range(draw(st.integers(1, 30)))
    ]
    return ids, keys


class TestWideIds:
    @given(wide_ids(), st.sampled_from(["string", "large_string"]))
    @settings(max_examples=150, deadline=None)
    def test_integer_search_gives_the_hash_look_up(
        self, drawn: tuple[list[str], list[str]], kind: str
    ) -> None:
        ids, keys = drawn
        arrow_ids = pa.array(ids, type=getattr(pa, kind)())
        values = pa.array(keys, type=getattr(pa, kind)())
        expected = [ids.index(k) if k in ids else -1 for k in keys]
        found = _ordered_lookup(arrow_ids, values)
        assert found is not None
        assert expected == found.tolist()
        assert expected == Population(ids, arrow_ids).get_indexer_arrow(values).tolist()

    @given(wide_ids(), st.lists(st.integers(1, 6), min_size=1, max_size=30))
    @settings(max_examples=100, deadline=None)
    def test_grouped_keys_are_searched_once_per_run(
        self, drawn: tuple[list[str], list[str]], counts: list[int]
    ) -> None:
        ids, keys = drawn
        grouped = [key for key, count in zip(keys, counts, strict=False) for _ in range(count)]
        values = pa.array(grouped)
        expected = [ids.index(k) if k in ids else -1 for k in grouped]
        assert expected == Population(ids, pa.array(ids)).get_indexer_arrow(values).tolist()
        found = _ordered_lookup(pa.array(ids), values)
        assert found is not None
        assert expected == found.tolist()

    def test_text_beyond_ascii_is_left_to_the_nfc_look_up(self) -> None:
        ids = ["nv-é01", "nv-é02"]  # 7 bytes each in UTF-8
        decomposed = "nv-e\u030101"  # the NFD of the first id: 8 bytes, another width
        assert _ordered_lookup(pa.array(ids), pa.array(["nv-é02"])) is None
        population = Population(ids, pa.array(ids))
        assert [1, 0] == population.get_indexer_arrow(pa.array(["nv-é02", decomposed])).tolist()

    def test_ids_that_differ_before_their_last_8_bytes_are_searched_as_bytes(self) -> None:
        ids = ["a0000000001", "b0000000000"]  # 11 bytes, no common first 3
        as_bytes = np.array([s.encode() for s in ids], dtype="S11")
        assert _packed(as_bytes, as_bytes) is None
        values = pa.array(["b0000000000", "a0000000001", "c0000000000"])
        found = _ordered_lookup(pa.array(ids), values)
        assert found is not None
        assert [1, 0, -1] == found.tolist()

    def test_keys_with_another_prefix_are_not_found(self) -> None:
        ids = [f"staff-{i:06d}" for i in range(5)]  # 12 bytes: the last 8 are "f-000001"
        values = pa.array(["staff-000003", "stiff-000003", "xtaff-000001", "staff-000004"])
        found = _ordered_lookup(pa.array(ids), values)
        assert found is not None
        assert [3, -1, -1, 4] == found.tolist()


# --------------------------------------------------------------------------- runs, firsts


class TestRunsAndFirsts:
    @given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6)), max_size=40))
    @settings(max_examples=100, deadline=None)
    def test_object_runs_cover_the_cells_in_order(self, runs: list[tuple[int, int]]) -> None:
        pool = [f"s{i}" for i in range(6)]
        cells = np.array([pool[v] for v, n in runs for _ in range(n)], dtype=object)
        found = object_runs(cells)
        if found is None:
            return  # short runs: the caller groups the objects
        starts, lengths = found
        assert int(lengths.sum()) == len(cells)
        assert starts.tolist() == np.concatenate(([0], np.cumsum(lengths)[:-1])).tolist()
        for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            assert all(cell is cells[start] for cell in cells[start : start + length])
        spread = np.repeat(cells.take(starts), lengths)
        assert all(a is b for a, b in zip(spread, cells, strict=True))

    @given(
        st.lists(st.integers(0, 30), max_size=300),
        st.lists(st.integers(0, 40_000), min_size=1, max_size=3),
    )
    @settings(max_examples=100, deadline=None)
    def test_first_of_is_where_each_code_first_appears(
        self, values: list[int], late: list[int]
    ) -> None:
        # Late newcomers, past the first prefix searched, must be found as well.
        column = values + [0] * 40_001
        for number, position in enumerate(late):
            column.insert(position, 100 + number)
        self._check_first_of(column)

    @pytest.mark.parametrize("position", [4094, 4095, 4096, 4097, 32767, 32768, 32769])
    def test_first_of_at_the_prefix_edges(self, position: int) -> None:
        column = [1, 2, 3] + [0] * 40_000
        column.insert(position, 7)  # the last code to appear, just before or after an edge
        column.insert(position - 1, 6)
        self._check_first_of(column)

    @staticmethod
    def _check_first_of(column: list[int]) -> None:
        codes, uniques = pd.factorize(np.array(column, dtype=np.int64))
        expected = [column.index(u) for u in uniques.tolist()]
        assert expected == _first_of(codes.astype(np.int64), len(uniques)).tolist()


# --------------------------------------------------------------------------- whole frames


def _events(subjects: Sequence[object], days: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subject": pd.Series(subjects, dtype=object),
            "kind": pd.Series(["late"] * len(subjects), dtype=object),
            "on": pd.to_datetime([f"2026-01-{d:02d}" for d in days]),
        }
    )


def _measures(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"subject": ids, "criterion": "work", "value": 50})


IDS = [f"nv{i:07d}" for i in range(8)]


class TestFrameShapes:
    @given(
        st.lists(st.tuples(st.integers(0, 7), st.integers(1, 28)), max_size=60),
        st.booleans(),
        st.sampled_from(["object", "string[python]", "string[pyarrow]", "category"]),
    )
    @settings(max_examples=60, deadline=None)
    def test_grouped_or_not_every_text_shape_scores_the_same(
        self, rows: list[tuple[int, int]], grouped: bool, text: str
    ) -> None:
        if grouped:
            rows = sorted(rows)
        shared = [IDS[s] for s, _ in rows]  # the very same objects in every row of a person
        events = _events(shared, [d for _, d in rows])
        expected = score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS), duplicates="allow")
        fresh = events.assign(subject=pd.Series(["".join(s) for s in shared], dtype=object))
        for frame in (events.astype({"subject": text}), fresh.astype({"subject": text})):
            table = score_frame(POLICY, "2026-Q1", IDS, frame, _measures(IDS), duplicates="allow")
            assert list(map(str, expected.totals())) == list(map(str, table.totals()))

    def test_missing_and_untrimmed_subjects_in_runs_are_named_or_read(self) -> None:
        subjects: list[object] = [IDS[0]] * 3 + [None] * 3 + [f" {IDS[1]} "] * 3 + [1.5] * 3
        events = _events(subjects, [5] * 12)
        with pytest.raises(InputError) as caught:
            score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS), duplicates="allow")
        messages = [str(e) for e in getattr(caught.value, "exceptions", [caught.value])]
        assert "events row 3: subject is missing; expected a person id" in messages
        assert "events row 9: subject must be a person id (got 1.5)" in messages
        assert not any("row 6" in m for m in messages)  # " nv0000001 " read trimmed

    def test_person_lists_score_as_their_frame(self) -> None:
        units = [None, "u1", "u2", None, "u1", "u1", "u2", "u3"]
        persons = [
            Person(id=i, unit=u, attributes=(("grade", "A"),) if n % 2 else ())
            for n, (i, u) in enumerate(zip(IDS, units, strict=True))
        ]
        events = _events([IDS[1], IDS[1], IDS[4]], [3, 4, 5])
        frame = pd.DataFrame(
            {"id": IDS, "unit": units, "grade": [("A" if n % 2 else None) for n in range(8)]}
        )
        expected = score_frame(POLICY, "2026-Q1", frame, events, _measures(IDS))
        table = score_frame(POLICY, "2026-Q1", persons, events, _measures(IDS))
        assert list(map(str, expected.totals())) == list(map(str, table.totals()))
        assert [c.person for c in expected] == [c.person for c in table]

    def test_date_objects_mixed_with_datetimes_are_refused_by_row(self) -> None:
        events = _events([IDS[0]] * 3, [5, 6, 7]).assign(
            on=pd.Series(
                [
                    dt.date(2026, 1, 5),
                    dt.datetime(2026, 1, 6, 0, 0),  # noqa: DTZ001 - naive, as a notebook has it
                    dt.date(2026, 1, 7),
                ],
                dtype=object,
            )
        )
        with pytest.raises(InputError, match=r"^events row 1: on must be a date"):
            score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS))

    @pytest.mark.parametrize(
        "dtype", ["object", "boolean", "bool[pyarrow]"], ids=["object", "masked", "arrow"]
    )
    def test_boolean_columns_read_a_missing_excused_as_not_excused(self, dtype: str) -> None:
        events = _events([IDS[0]] * 3 + [IDS[1]] * 3, [3, 4, 5, 3, 4, 5]).assign(
            excused=pd.Series([True, None, False, None, None, True], dtype=dtype)
        )
        table = score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS))
        # late: 2 points each, unless excused; a missing excused is not excused
        assert [table[i].total for i in IDS[:3]] == [
            table[IDS[2]].total - 4,
            table[IDS[2]].total - 4,
            table[IDS[2]].total,
        ]


# --------------------------------------------------------------------------- date objects


class TestDateObjects:
    @given(st.lists(st.dates(), max_size=60), st.booleans())
    @settings(max_examples=100, deadline=None)
    def test_bulk_read_days_are_the_dates(self, days: list[dt.date], shared: bool) -> None:
        from kpiscore.engine.columnar._objects import date_days

        cells = np.empty(len(days) * (2 if shared else 1), dtype=object)
        cells[:] = days * 2 if shared else days  # the same objects twice, or each once
        found = date_days(cells)
        if not days:
            assert found is None
            return
        assert found is not None
        assert [d.isoformat() for d in list(cells)] == [str(d) for d in found]

    @pytest.mark.parametrize(
        "cell",
        [
            dt.datetime(2026, 1, 6),  # noqa: DTZ001 - a datetime (even at midnight) is no date
            None,
            float("nan"),
            "2026-01-06",
            pd.Timestamp("2026-01-06"),
        ],
        ids=["datetime", "none", "nan", "text", "timestamp"],
    )
    def test_anything_but_a_date_is_left_to_the_cell_reader(self, cell: object) -> None:
        from kpiscore.engine.columnar._objects import date_days

        cells = np.empty(3, dtype=object)
        cells[:] = [dt.date(2026, 1, 5), cell, dt.date(2026, 1, 7)]
        assert date_days(cells) is None

    def test_a_subclass_of_date_is_left_to_the_cell_reader(self) -> None:
        from kpiscore.engine.columnar._objects import date_days

        class Day(dt.date):
            pass

        cells = np.empty(2, dtype=object)
        cells[:] = [dt.date(2026, 1, 5), Day(2026, 1, 6)]
        assert date_days(cells) is None
        events = _events([IDS[0]] * 2, [5, 6]).assign(on=pd.Series(list(cells), dtype=object))
        table = score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS))
        assert table[IDS[0]].total == table[IDS[1]].total - 4

    @given(
        st.lists(st.tuples(st.integers(0, 7), st.dates(dt.date(2025, 12, 1), dt.date(2026, 4, 30))))
    )
    @settings(max_examples=40, deadline=None)
    def test_date_objects_score_as_datetimes(self, rows: list[tuple[int, dt.date]]) -> None:
        events = _events([IDS[s] for s, _ in rows], [1] * len(rows))
        as_objects = events.assign(on=pd.Series([d for _, d in rows], dtype=object))
        as_datetimes = events.assign(on=pd.to_datetime([d.isoformat() for _, d in rows]))
        tables = [
            score_frame(POLICY, "2026-Q1", IDS, frame, _measures(IDS), duplicates="allow")
            for frame in (as_objects, as_datetimes)
        ]
        assert list(map(str, tables[0].totals())) == list(map(str, tables[1].totals()))

    def test_a_missing_date_among_date_objects_is_named(self) -> None:
        events = _events([IDS[0]] * 3, [5, 6, 7]).assign(
            on=pd.Series([dt.date(2026, 1, 5), None, dt.date(2026, 1, 7)], dtype=object)
        )
        with pytest.raises(InputError, match=r"^events row 1: on is missing; expected a date$"):
            score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS))


def test_text_list_as_arrow_converts_text_only() -> None:
    from kpiscore.engine.columnar._arrays import text_list_as_arrow

    array = text_list_as_arrow(["nv1", "ệ", "nv2"])
    assert array is not None
    assert ["nv1", "ệ", "nv2"] == array.to_pylist()
    assert text_list_as_arrow(["nv1", 2]) is None  # type: ignore[list-item]
    assert text_list_as_arrow(["a\ud800"]) is None  # a lone surrogate is no UTF-8


class TestArrowDates:
    @given(
        st.lists(st.tuples(st.integers(0, 7), st.dates(dt.date(2025, 12, 1), dt.date(2026, 4, 30))))
    )
    @settings(max_examples=40, deadline=None)
    def test_date32_scores_as_datetimes(self, rows: list[tuple[int, dt.date]]) -> None:
        events = _events([IDS[s] for s, _ in rows], [1] * len(rows))
        as_datetimes = events.assign(on=pd.to_datetime([d.isoformat() for _, d in rows]))
        as_date32 = as_datetimes.assign(
            on=pd.Series(
                pa.array([d for _, d in rows], type=pa.date32()), dtype=pd.ArrowDtype(pa.date32())
            )
        )
        tables = [
            score_frame(POLICY, "2026-Q1", IDS, frame, _measures(IDS), duplicates="allow")
            for frame in (as_date32, as_datetimes)
        ]
        assert list(map(str, tables[0].totals())) == list(map(str, tables[1].totals()))

    def test_a_missing_date32_is_named(self) -> None:
        days = pa.array([dt.date(2026, 1, 5), None, dt.date(2026, 1, 7)], type=pa.date32())
        events = _events([IDS[0]] * 3, [5, 6, 7]).assign(
            on=pd.Series(days, dtype=pd.ArrowDtype(pa.date32()))
        )
        with pytest.raises(InputError, match=r"^events row 1: on is missing; expected a date$"):
            score_frame(POLICY, "2026-Q1", IDS, events, _measures(IDS))


class TestArrowText:
    @given(
        st.lists(st.sampled_from(["k1", "k2", "ệ", "k3", None]), max_size=60),
        st.lists(st.sampled_from(["late", "k2", "later"]), max_size=5),
        st.sampled_from(["string", "large_string"]),
        st.integers(0, 5000),
    )
    @settings(max_examples=100, deadline=None)
    def test_codes_are_pandas_factorize_of_every_cell(
        self, head: list[str | None], tail: list[str], kind: str, filler: int
    ) -> None:
        from kpiscore.engine.columnar._cells import Problems, factorize

        cells = head + ["k1"] * filler + tail  # values first met past the first 4096 rows
        column = pd.Series(
            pa.array(cells, type=getattr(pa, kind)()), dtype=pd.ArrowDtype(getattr(pa, kind)())
        )
        codes, uniques = factorize(column, Problems(), str, "kind", "a string")
        expected_codes, expected_uniques = pd.factorize(pd.Series(cells, dtype=object))
        assert expected_codes.tolist() == codes.tolist()
        assert expected_uniques.tolist() == uniques

    def test_a_kind_first_met_late_is_scored(self) -> None:
        subjects = [IDS[i % 8] for i in range(6000)]
        events = _events(subjects, [3 + i % 20 for i in range(6000)])
        events.loc[5000, "kind"] = "unknown-kind"  # first met past the first 4096 rows
        shaped = events.astype({"kind": "string[pyarrow]"})
        with pytest.raises(
            InputError, match=r"^events row 5000: event kind 'unknown-kind' is not known"
        ):
            score_frame(POLICY, "2026-Q1", IDS, shaped, _measures(IDS), duplicates="allow")
        both = [
            score_frame(
                POLICY,
                "2026-Q1",
                IDS,
                frame,
                _measures(IDS),
                duplicates="allow",
                unknown_kinds="ignore",
            )
            for frame in (events, shaped)
        ]
        assert list(map(str, both[0].totals())) == list(map(str, both[1].totals()))
