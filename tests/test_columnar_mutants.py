"""Columnar engine behaviours that mutation testing found no test pinned down (tools/mutation.py).

Each test kills surviving mutants of ``kpiscore/engine/columnar/*.py``: the mutant's name is
given in the test's docstring, so a reviewer can check it against ``tools/mutation.py``.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from columnar_policies import training_policy
from kpiscore import (
    Category,
    Event,
    InputError,
    Measure,
    MissingExtraError,
    Person,
    Policy,
    score_frame,
    score_many,
)
from kpiscore.io.fastcsv import score_csv_files
from kpiscore.model.period import Period

pd = pytest.importorskip("pandas")
pytest.importorskip("numpy")
Q1 = "2026-Q1"


def work(*pairs: tuple[str, object]) -> Any:
    """The ``work`` measure of each (subject, value)."""
    return pd.DataFrame(
        {
            "subject": [subject for subject, _ in pairs],
            "criterion": ["work"] * len(pairs),
            "value": [value for _, value in pairs],
        }
    )


class TestPeople:
    def test_an_id_among_persons_has_no_attributes(self) -> None:
        """``People.value`` reads code -1 as no attribute, not as the last distinct value
        (``xǁPeopleǁvalue__mutmut_7``): an id given among Person objects has none."""
        people: list[Any] = [Person(id="a", name="An", unit="U1"), "b", Person(id="c", unit="U2")]
        table = score_frame(training_policy(), Q1, people, None, work(("a", 1), ("b", 1), ("c", 1)))
        assert Person(id="b") == table["b"].person
        assert Person(id="a", name="An", unit="U1") == table["a"].person
        assert Person(id="c", unit="U2") == table["c"].person


class TestPopulationDuplicates:
    """The first id seen twice is named, whether the ids are looked up by a dict or by
    pyarrow (``xǁPopulationǁ__init____mutmut_24`` and ``_27``)."""

    @pytest.mark.parametrize(
        "people",
        [
            pytest.param([Person(id=i) for i in ("a", "b", "c", "b")], id="persons"),
            pytest.param(["é", "b", "c", "b"], id="text-not-ascii"),
            pytest.param(pd.DataFrame({"id": ["a", "b", "c", "b"]}), id="frame"),
        ],
    )
    def test_the_repeated_id_is_named(self, people: Any) -> None:
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, people, None, None)
        assert "people: person id 'b' appears twice; expected unique ids" == str(caught.value)


# The helpers of ``engine/columnar/_arrays.py``, held to their docstrings: the engine's entry
# points often reach them only on paths where a later step would hide a wrong answer (a subject
# not found is looked up again, trimmed and in NFC), so they are checked here directly.
np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
arrays = pytest.importorskip("kpiscore.engine.columnar._arrays")


class TestPopulationLookups:
    def test_get_indexer_marks_outsiders_and_unhashable_cells(self) -> None:
        """-1 for a value outside the population or unhashable, the position for the others
        (``x__get_or_missing__mutmut_1``…``_9``, ``xǁPopulationǁget_indexer__mutmut_19``,
        ``_24``, ``_25``)."""
        index = arrays.Population(["a", "b", "c"])
        found = index.get_indexer(["b", "x", ["unhashable"], "a", "b"])
        assert [1, -1, -1, 0, 1] == found.tolist()
        assert np.dtype(np.int64) == found.dtype

    def test_get_indexer_arrow_reads_text_in_nfc_and_marks_outsiders(self) -> None:
        """Text not in NFC is normalised before the lookup, and an outsider is -1
        (``xǁPopulationǁget_indexer_arrow__mutmut_3``, ``_33``)."""
        index = arrays.Population(["a", "é", "c"], pa.array(["a", "é", "c"]))
        values = pa.array(["c", "e\u0301", "zz", "a"])  # "é" decomposed
        assert [2, 1, -1, 0] == index.get_indexer_arrow(values).tolist()
        assert [2, -1, 0] == index.get_indexer_arrow(pa.array(["c", "zz", "a"])).tolist()

    def test_nfc_list_normalises_only_text(self) -> None:
        """``x_nfc_list__mutmut_1``, ``_10``."""
        assert ["é", "a", 1, None] == arrays.nfc_list(["e\u0301", "a", 1, None])


class TestPeopleHelpers:
    def test_codes_of_an_absent_attribute_are_minus_one(self) -> None:
        """``xǁPeopleǁcodes__mutmut_11``: -1 is missing, as the docstring says."""
        codes, values = arrays.People(["a", "b"]).codes("unit")
        assert ([-1, -1], []) == (codes.tolist(), values)

    def test_a_person_is_built_once(self) -> None:
        """Person objects are built when first needed and kept (``xǁPeopleǁperson__mutmut_1``,
        ``_2``, ``_15``)."""
        people = arrays.People(["a", "b"])
        people.coded["unit"] = (np.array([0, -1], dtype=np.int64), ["U1"])
        first = people.person(0)
        assert Person(id="a", unit="U1") == first
        assert first is people.person(0)
        assert people.persons()[0] is first

    def test_a_person_refused_names_the_row(self) -> None:
        """``xǁPeopleǁperson__mutmut_14``: the error says which row."""
        people = arrays.People(["a", "b"])
        people.coded["name"] = (np.array([-1, 0], dtype=np.int64), ["x\ud800"])
        with pytest.raises(InputError, match=r"^people row 1: person 'b': name holds a lone"):
            people.person(1)


class TestArrowConversions:
    def test_optional_pyarrow_is_pyarrow_when_installed(self) -> None:
        """``x_optional_pyarrow__mutmut_2``, ``_3``."""
        assert pa is arrays.optional_pyarrow()

    def test_python_text_as_arrow(self) -> None:
        """Python strings with ``None`` or ``NaN`` for missing become a string array with
        nulls; anything else gives ``None`` (``x_python_text_as_arrow__mutmut_1``…``_9``)."""
        values = np.array(["a", None, float("nan"), "é"], dtype=object)
        array = arrays.python_text_as_arrow(values)
        assert pa.string() == array.type
        assert ["a", None, None, "é"] == array.to_pylist()
        assert arrays.python_text_as_arrow(np.array(["a", 1], dtype=object)) is None

    def test_missing_pyarrow_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``x_pyarrow__mutmut_*`` and ``x_arrow_text__mutmut_3``, ``_8``, ``_9``."""
        monkeypatch.setitem(sys.modules, "pyarrow.compute", None)
        with pytest.raises(MissingExtraError, match=r"pip install 'kpiscore\[arrow\]'"):
            arrays.pyarrow()
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        with pytest.raises(MissingExtraError, match=r"pip install 'kpiscore\[arrow\]'"):
            arrays.pyarrow()
        with pytest.raises(MissingExtraError, match=r"pip install 'kpiscore\[arrow\]'"):
            arrays.arrow_text(["a"])

    def test_arrow_text_is_a_string_array_below_2_gib(self) -> None:
        """``x_arrow_text__mutmut_38`` (``2 * 31`` bytes for ``2 ** 31``)."""
        values = ["x" * 100, "", "é" * 40]
        array = arrays.arrow_text(values)
        assert pa.string() == array.type
        assert values == array.to_pylist()

    def test_arrow_text_keeps_a_lone_surrogate_s_bytes(self) -> None:
        """Encoded with ``surrogatepass``, as the CSV writer decodes the joined text
        (``x_arrow_text__mutmut_14``, ``_17``, ``_18``)."""
        array = arrays.arrow_text(["a\ud800b", "c"])
        assert b"a\xed\xa0\x80bc" == array.buffers()[2].to_pybytes()[:6]

    def test_arrow_ints_of_chunks_slices_and_nothing(self) -> None:
        """Chunked arrays are joined, slices read from their offset, and no chunk gives an
        empty int64 array (``x_arrow_ints__mutmut_2``…``_38``)."""
        chunked = pa.chunked_array([pa.array([1, 2], pa.int32()), pa.array([3], pa.int32())])
        joined = arrays.arrow_ints(chunked)
        assert ([1, 2, 3], np.dtype(np.int32)) == (joined.tolist(), joined.dtype)
        one = arrays.arrow_ints(pa.chunked_array([pa.array([7, 8], pa.int64())]))
        assert [7, 8] == one.tolist()
        sliced = pa.array([10, 20, 30, 40], pa.int64()).slice(1, 2)
        assert [20, 30] == arrays.arrow_ints(sliced).tolist()
        empty = arrays.arrow_ints(pa.chunked_array([], pa.int64()))
        assert ([], np.dtype(np.int64)) == (empty.tolist(), empty.dtype)

    def test_arrow_ints_refuses_nulls(self) -> None:
        """``x_arrow_ints__mutmut_11``…``_13``: the message says what went wrong."""
        with pytest.raises(
            AssertionError, match=r"^columnar engine: an integer column with nulls$"
        ):
            arrays.arrow_ints(pa.array([1, None]))


# ``engine/columnar/_columns.py``: the events as columns.
def _absences(*days: date, subject: str = "a") -> Any:
    return pd.DataFrame(
        {
            "subject": [subject] * len(days),
            "kind": ["training_absence"] * len(days),
            "on": pd.to_datetime(list(days)),
        }
    )


def _training_and_total(csv_text: str) -> list[str]:
    """The ``training`` and ``total`` cells of each row of a score table's CSV."""
    header, *rows = [line.split(",") for line in csv_text.splitlines()]
    return [row[header.index(name)] for row in rows for name in ("training", "total")]


# Each side of the 2026-Q1 boundaries: the first and last days count, the days around do not.
BOUNDARY_DAYS = (date(2025, 12, 31), date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1))


class TestEventColumns:
    def test_the_period_s_first_and_last_days_count_in_a_frame(self) -> None:
        """``xǁEventColumnsǁlimit_to__mutmut_26``, ``_27`` (each day per row)."""
        table = score_frame(training_policy(), Q1, ["a"], _absences(*BOUNDARY_DAYS), work(("a", 1)))
        # The table's figures are the columnar engine's; a scorecard is the exact engine's.
        assert ["11.00", "12.00"] == _training_and_total(table.to_csv())
        assert Decimal("11.00") == table["a"].criterion("training").points

    def test_the_period_s_first_and_last_days_count_in_a_file(self, tmp_path: Path) -> None:
        """``xǁEventColumnsǁlimit_to__mutmut_20`` (each distinct day of a file)."""
        people = tmp_path / "people.csv"
        people.write_text("id\na\nb\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        rows = [f"{s},training_absence,{d.isoformat()}" for d in BOUNDARY_DAYS for s in "ab"]
        events.write_text("subject,kind,on\n" + "\n".join(rows) + "\n", encoding="utf-8")
        measures = tmp_path / "measures.csv"
        measures.write_text("subject,criterion,value\na,work,1\nb,work,2\n", encoding="utf-8")
        table = score_csv_files(training_policy(), Period.parse(Q1), people, events, measures)
        assert table is not None, "the fast path stepped aside"
        assert ["11.00", "12.00", "11.00", "13.00"] == _training_and_total(table.to_csv())
        assert [Decimal("11.00")] * 2 == [table[s].criterion("training").points for s in "ab"]

    def test_an_event_s_ref_and_note_reach_the_scorecard(self) -> None:
        """``xǁEventColumnsǁevents_of__mutmut_11``, ``_18``, ``_25``: the note is kept."""
        events = _absences(date(2026, 1, 5), date(2026, 2, 5)).assign(
            ref=["r1", None], note=["sick", None]
        )
        card = score_frame(training_policy(), Q1, ["a"], events, work(("a", 1)))["a"]
        exact = score_many(
            training_policy(),
            Q1,
            ["a"],
            [
                Event(
                    subject="a", kind="training_absence", on=date(2026, 1, 5), ref="r1", note="sick"
                ),
                Event(subject="a", kind="training_absence", on=date(2026, 2, 5)),
            ],
            [Measure(subject="a", criterion="work", value=1)],
        )["a"]
        assert exact.explain() == card.explain()
        assert "- 05/01/2026 [r1] (sick)" in card.explain()  # Vietnamese dates

    def test_no_events_file(self, tmp_path: Path) -> None:
        """``EventColumns.empty`` on the fast CSV path: everyone keeps the maximum."""
        people = tmp_path / "people.csv"
        people.write_text("id\na\nb\n", encoding="utf-8")
        measures = tmp_path / "measures.csv"
        measures.write_text("subject,criterion,value\na,work,1\nb,work,2\n", encoding="utf-8")
        table = score_csv_files(training_policy(), Period.parse(Q1), people, None, measures)
        assert table is not None, "the fast path stepped aside"
        assert ["15.00", "16.00", "15.00", "17.00"] == _training_and_total(table.to_csv())
        exact = score_many(
            training_policy(),
            Q1,
            ["a", "b"],
            [],
            [Measure(subject=s, criterion="work", value=v) for s, v in (("a", 1), ("b", 2))],
        )
        assert exact.to_csv() == table.to_csv()
        assert [exact[s].explain() for s in "ab"] == [table[s].explain() for s in "ab"]

    def test_a_file_without_ref_or_note_columns(self, tmp_path: Path) -> None:
        """Events read from a file without ``ref`` and ``note`` have neither on the scorecard
        (``xǁEventColumnsǁ__init____mutmut_37``: ``refs`` must default to ``None``)."""
        people = tmp_path / "people.csv"
        people.write_text("id\na\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        events.write_text("subject,kind,on\na,training_absence,2026-01-05\n", encoding="utf-8")
        measures = tmp_path / "measures.csv"
        measures.write_text("subject,criterion,value\na,work,1\n", encoding="utf-8")
        table = score_csv_files(training_policy(), Period.parse(Q1), people, events, measures)
        assert table is not None, "the fast path stepped aside"
        exact = score_many(
            training_policy(),
            Q1,
            ["a"],
            [Event(subject="a", kind="training_absence", on=date(2026, 1, 5))],
            [Measure(subject="a", criterion="work", value=1)],
        )
        assert exact["a"].explain() == table["a"].explain()

    def test_no_measures_file(self, tmp_path: Path) -> None:
        """``MeasureColumns.empty`` on the fast CSV path, for a policy measuring nothing."""
        policy = Policy(
            id="p",
            name="P",
            categories=[
                Category(id="c", name="C", criteria=[training_policy().criterion("training")])
            ],
        )
        people = tmp_path / "people.csv"
        people.write_text("id\na\nb\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        events.write_text("subject,kind,on\nb,training_absence,2026-01-05\n", encoding="utf-8")
        table = score_csv_files(policy, Period.parse(Q1), people, events, None)
        assert table is not None, "the fast path stepped aside"
        assert [Decimal("15.00"), Decimal("13.00")] == [table[s].total for s in "ab"]
        exact = score_many(
            policy,
            Q1,
            ["a", "b"],
            [Event(subject="b", kind="training_absence", on=date(2026, 1, 5))],
        )
        assert [exact[s].explain() for s in "ab"] == [table[s].explain() for s in "ab"]
        assert exact.to_csv() == table.to_csv()  # the columnar figures, not the scorecards

    def test_no_measures_file_with_missing_as_zero(self, tmp_path: Path) -> None:
        """``MeasureColumns.empty`` read by a measured criterion: every measure is missing,
        so 0 (``xǁMeasureColumnsǁ__init____mutmut_3``)."""
        policy = attrs.evolve(training_policy(), missing="zero")
        people = tmp_path / "people.csv"
        people.write_text("id\na\nb\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        events.write_text("subject,kind,on\nb,training_absence,2026-01-05\n", encoding="utf-8")
        table = score_csv_files(policy, Period.parse(Q1), people, events, None)
        assert table is not None, "the fast path stepped aside"
        assert ["15.00", "15.00", "13.00", "13.00"] == _training_and_total(table.to_csv())
        exact = score_many(
            policy,
            Q1,
            ["a", "b"],
            [Event(subject="b", kind="training_absence", on=date(2026, 1, 5))],
        )
        assert exact.to_csv() == table.to_csv()
