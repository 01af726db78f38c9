"""Reading frames into the columnar engine (``engine/columnar/_frames.py``): behaviours that
mutation testing (tools/mutation.py) found no test pinned down. Each test names the mutants it
kills; the survivors found equivalent are listed, with the reason, in ``tools/mutation.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from columnar_policies import training_policy
from kpiscore import InputError, InputErrorGroup, Measure, Person, score_frame, score_many

pd = pytest.importorskip("pandas")
Q1 = "2026-Q1"
HEADER = (
    "subject,name,unit,group,position,period,policy,version,soft,rest,training,work,carried,"
    "total,score_rating,rating\n"
)


def work(*subjects: str) -> Any:
    """A ``work`` measure of 1 for each subject."""
    return pd.DataFrame(
        {"subject": list(subjects), "criterion": ["work"] * len(subjects), "value": 1}
    )


def absences(subjects: list[object], kinds: list[str] | None = None) -> Any:
    """One event per subject cell (an object column, as Python builds it), a day apart."""
    return pd.DataFrame(
        {
            "subject": pd.Series(subjects, dtype=object),
            "kind": pd.Series(kinds or ["training_absence"] * len(subjects), dtype=object),
            "on": pd.to_datetime([date(2026, 1, 5 + day) for day in range(len(subjects))]),
        }
    )


def row(subject: str, attributes: str) -> str:
    """A CSV row of the training policy for a person with a work measure of 1, no event."""
    return f"{subject},{attributes},2026-Q1,training,1,15.00,1.00,15.00,1.00,0.00,16.00,NO,NO\n"


class TestPersonSequences:
    def test_persons_mixed_with_ids_keep_their_attributes(self) -> None:
        """Each Person's attributes reach the table's rows, an id among them has none
        (``x__persons__mutmut_22``, ``_25``, ``_38``, ``_39``, ``_42``, ``_43``, ``_47``)."""
        people: list[Any] = [Person(id="a", name="An", unit="U1"), "b", Person(id="c", group="G")]
        table = score_frame(training_policy(), Q1, people, None, work("a", "b", "c"))
        expected = HEADER + row("a", "An,U1,,") + row("b", ",,,") + row("c", ",,G,")
        assert expected == table.to_csv()

    def test_bad_ids_among_persons_are_all_named(self) -> None:
        """``x__persons__mutmut_16``, ``_17``: each bad id is a problem naming its row."""
        with pytest.raises(InputErrorGroup) as caught:
            score_frame(training_policy(), Q1, [Person(id="a"), "", 5], None, work("a"))
        assert (
            "score_frame: 2 problems in the frames\n"
            "  - people row 1: person '': id must not be empty (got '')\n"
            "  - people row 2: person 5: id must be a string (got int 5)"
        ) == str(caught.value)

    def test_persons_only_with_one_attribute_nobody_else_has(self) -> None:
        """Nobody has a name, one has a unit: the unit is still read (``x__all_persons__mutmut_21``,
        ``break`` for ``continue``); a name ending in NUL is kept whole (``_24``, ``_26``: a
        NumPy text array would drop it); the very Person objects given are the scorecards'
        (``_44``)."""
        people = [Person(id="a", unit="U1"), Person(id="b")]
        table = score_frame(training_policy(), Q1, people, None, work("a", "b"))
        assert HEADER + row("a", ",U1,,") + row("b", ",,,") == table.to_csv()
        assert table["a"].person is people[0]
        named = [Person(id="a", name="x\x00"), Person(id="b", name="y")]
        table = score_frame(training_policy(), Q1, named, None, work("a", "b"))
        assert HEADER + row("a", "x\x00,,,") + row("b", "y,,,") == table.to_csv()


class TestPeopleFrames:
    def test_something_with_columns_but_no_arrow_is_not_a_frame(self) -> None:
        """``x__arrow_like__mutmut_8``: ``columns`` alone does not make a polars frame."""

        class Columns:
            columns = ("id",)

        with pytest.raises(InputError, match=r"^people must be a DataFrame or a sequence"):
            score_frame(training_policy(), Q1, Columns(), None, work("a"))

    @pytest.mark.parametrize("column", ["name", "nick"])
    def test_a_bool_attribute_is_refused(self, column: str) -> None:
        """A bool is not text, in a Person field or in another column (``x__attribute__mutmut_9``,
        ``_18``, ``_19``; ``x__people_frame__mutmut_65``)."""
        people = pd.DataFrame({"id": ["a", "b"], column: pd.Series(["x", True], dtype=object)})
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, people, None, work("a", "b"))
        assert f"people row 1: {column} must be text (got bool True)" == str(caught.value)

    @pytest.mark.parametrize("column", ["name", "nick"])
    def test_a_lone_surrogate_is_refused(self, column: str) -> None:
        """Bug found while examining ``x__attribute__mutmut_2``: a lone surrogate in a frame's
        text cell was accepted, and the table's CSV could then not be written as UTF-8."""
        people = pd.DataFrame({"id": ["a"], column: pd.Series(["x\ud800"], dtype=object)})
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, people, None, work("a"))
        assert (
            f"people row 0: {column} holds a lone surrogate U+D800 at character 2; expected"
            " Unicode text (UTF-8 encodable) (got 'x\\ud800')"
        ) == str(caught.value)

    def test_a_lone_surrogate_in_an_event_note_is_refused(self) -> None:
        """The same bug in the events' text columns."""
        events = absences(["a"]).assign(note=pd.Series(["n\ud800"], dtype=object))
        with pytest.raises(InputError, match=r"^events row 0: note holds a lone surrogate"):
            score_frame(training_policy(), Q1, ["a"], events, work("a"))


class TestSubjects:
    def test_repeated_string_objects(self) -> None:
        """Cells that are the very same string object are looked up once each and spread back
        to their rows (``x__object_positions__mutmut_9``, ``_15``)."""
        events = absences(["b", "b", "b", "a", "a", "c"])
        table = score_frame(training_policy(), Q1, ["a", "b", "c"], events, work("a", "b", "c"))
        assert [Decimal("12.00"), Decimal("10.00"), Decimal("14.00")] == [
            table[s].total for s in "abc"
        ]

    def test_distinct_string_objects(self) -> None:
        """Mostly distinct string objects are looked up as they are, without grouping
        (``x__object_positions__mutmut_15``)."""
        people = [f"p{i:03d}" for i in range(100)]
        events = pd.DataFrame(
            {
                "subject": pd.Series([str(p) for p in people], dtype=object),  # 100 objects
                "kind": "training_absence",
                "on": pd.Timestamp("2026-01-05"),
            }
        )
        table = score_frame(training_policy(), Q1, people, events, work(*people))
        assert {Decimal("14.00")} == {table[p].total for p in people}  # 15 - 2 + 1

    def test_subjects_found_once_trimmed_and_in_nfc(self) -> None:
        """Subjects not found as they are, found trimmed and in NFC, each row its own person
        (``x__look_up__mutmut_9``, ``x__unfound__mutmut_6``, ``_14``, ``_29``, ``_30``)."""
        events = absences([" b", "e\u0301 ", "b", "b "])
        people = ["a", "b", "é"]
        table = score_frame(training_policy(), Q1, people, events, work(*people))
        assert ["16.00", "10.00", "14.00"] == [str(table[s].total) for s in people]
        exact = score_many(
            training_policy(),
            Q1,
            people,
            [],
            [Measure(subject=s, criterion="work", value=1) for s in people],
        )
        assert exact["a"].total == table["a"].total

    def test_each_bad_subject_has_its_own_problem(self) -> None:
        """Two different cells that are not ids each get their own message
        (``x__unfound__mutmut_17``, ``_18``)."""
        with pytest.raises(InputErrorGroup) as caught:
            score_frame(training_policy(), Q1, ["a", "b"], absences([5, 6, None, "b"]), None)
        assert (
            "score_frame: 3 problems in the frames\n"
            "  - events row 0: subject must be a person id (got 5)\n"
            "  - events row 1: subject must be a person id (got 6)\n"
            "  - events row 2: subject is missing; expected a person id"
        ) == str(caught.value)

    def test_a_row_with_a_bad_subject_is_not_checked_further(self) -> None:
        """A row whose subject is missing is marked bad, so its unknown kind is not reported
        on top (``x__unfound__mutmut_41``, ``_43``)."""
        events = absences([None, "b"], ["nope", "training_absence"])
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, ["a", "b"], events, work("a", "b"))
        assert "events row 0: subject is missing; expected a person id" == str(caught.value)


def test_an_id_among_persons_has_no_unit_in_a_roll_up() -> None:
    """The roll-up reads an attribute's code -1 as missing (``x__persons__mutmut_41``: -2
    would read the last distinct unit there)."""
    from kpiscore import Category, Criterion, Policy
    from kpiscore.rollup import rollup_many

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=10)])
        ],
    )
    people: list[Any] = [Person(id="a", unit="U1"), "b", Person(id="c", unit="U2")]
    months = score_frame(policy, Q1, people, None, every="month")
    rows = rollup_many(months.values(), Q1).to_rows()
    assert [("a", "U1"), ("b", None), ("c", "U2")] == [(r["subject"], r["unit"]) for r in rows]


def test_ids_equal_once_trimmed_are_one_id_twice() -> None:
    """People ids that differ only by spaces are the same id (``x__people_frame__mutmut_34``:
    the untrimmed Arrow ids would look unique)."""
    people = pd.DataFrame({"id": ["a", " a"]})
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, people, None, None)
    assert "people: person id 'a' appears twice; expected unique ids" == str(caught.value)


# ------------------------------------------ survivors of the resumed run (mut19c, partial)


def test_a_second_measure_is_named_with_what_was_expected() -> None:
    """A second measure of one criterion for one person: the message says what was expected
    (``x__no_second_measures__mutmut_30``, ``_31``), as the careful reader's does."""
    measures = pd.DataFrame(
        {"subject": ["a", "b", "a"], "criterion": ["work"] * 3, "value": [1, 1, 2]}
    )
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a", "b"], None, measures)
    assert str(caught.value) == (
        "measures row 2: a second measure for criterion 'work' of subject 'a'; expected at most one"
    )


@pytest.mark.parametrize("field", ["ref", "note"])
def test_an_unhashable_event_text_says_text_was_expected(field: str) -> None:
    """A list in an event's ``ref`` or ``note`` column is refused as not text
    (``x__optional_texts__mutmut_8``: "must be None")."""
    events = absences(["a"])
    events[field] = pd.Series([["x"]], dtype=object)
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], events, work("a"))
    assert str(caught.value) == f"events row 0: {field} must be text (got ['x'])"


def test_a_bad_measure_of_every_month_is_refused() -> None:
    """``every="month"`` reads the measures frame alone (no problems collected with others):
    its problems are raised there (``x_read_measures__mutmut_1``, ``_2``: not raised, the
    row scored without its measure; ``_4``: an AttributeError)."""
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["nope"], "value": [1]})
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, measures, every="month")
    assert str(caught.value) == (
        "measures row 0: criterion 'nope' is not in policy 'training'; expected one of ['work']"
    )


@pytest.mark.parametrize(
    ("measures", "message"),
    [
        (
            pd.DataFrame({"criterion": ["work"], "value": [1]}),
            "measures: the frame has no 'subject' column (columns: ['criterion', 'value'])",
        ),
        (
            pd.DataFrame(
                {"subject": ["a"], "criterion": pd.Series([5], dtype=object), "value": [1]}
            ),
            "measures row 0: criterion must be a criterion id (got 5)",
        ),
        (
            pd.DataFrame({"subject": ["a"], "value": [1]}),
            "measures: the frame has no 'criterion' column (columns: ['subject', 'value'])",
        ),
        (
            pd.DataFrame({"subject": ["a"], "criterion": ["training"], "value": [1]}),
            (
                "measures row 0: criterion 'training' has basis 'full', which takes no measure;"
                " expected a criterion with basis 'assessed' or 'ratio'"
            ),
        ),
        (
            pd.DataFrame({"subject": ["a"], "criterion": ["work"]}),
            "measures: the frame has no 'value' column (columns: ['subject', 'criterion'])",
        ),
    ],
    ids=["no-subject", "criterion-not-text", "no-criterion", "criterion-not-measured", "no-value"],
)
def test_a_measures_frame_s_problem_names_the_measures(measures: Any, message: str) -> None:
    """A measures frame without a subject column (``x_read_measures__mutmut_59``: "None: the
    frame has no…"), a criterion cell that is not text (``_71``, ``_76``, ``_77``: what was
    expected), no criterion column (``_106``), a criterion that takes no measure (``_85``,
    ``_86``), no value column (``_140``)."""
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, measures)
    assert message == str(caught.value)


def test_an_arrow_table_of_measures_with_a_repeated_column() -> None:
    """An Arrow table naming a column twice is refused, naming the measures
    (``x_read_measures__mutmut_16``: "None: a column name appears twice")."""
    pa = pytest.importorskip("pyarrow")
    measures = pa.table(
        [pa.array(["a"]), pa.array(["work"]), pa.array([1])],
        names=["subject", "subject", "value"],
    )
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, measures)
    assert str(caught.value) == (
        "measures: a column name appears twice (['subject', 'subject', 'value'])"
    )


def test_a_measure_given_as_a_percentage() -> None:
    """A measure's text value may be a percentage, as in a measures file: ``"50%"`` is 0.5.
    (Written for ``x_read_measures__mutmut_132``, ``_137``, ``_148``, without ``percent=``,
    which turned out equivalent: the files' number reader takes a trailing ``%`` itself;
    kept, as no other test gives a frame a percentage.)"""
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["work"], "value": ["50%"]})
    table = score_frame(training_policy(), Q1, ["a"], None, measures)
    assert (Decimal("15.50"),) == table.totals()


def test_measures_listed_out_of_the_policy_s_order() -> None:
    """Two measured criteria, the second in the policy met first in the frame: each value
    goes to its own criterion (``x_read_measures__mutmut_120``: the criteria's codes in the
    frame's order taken for their slots, swapping them)."""
    from kpiscore import Category, Criterion, Policy

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="w1", name="W1", max_points=40, basis="assessed"),
                    Criterion(id="w2", name="W2", max_points=60, basis="assessed"),
                ],
            )
        ],
    )
    measures = pd.DataFrame({"subject": ["a", "a"], "criterion": ["w2", "w1"], "value": [50, 10]})
    table = score_frame(policy, Q1, ["a"], None, measures)
    expected = score_many(
        policy,
        Q1,
        ["a"],
        [],
        [
            Measure(subject="a", criterion="w2", value=50),
            Measure(subject="a", criterion="w1", value=10),
        ],
    )
    assert expected.to_csv() == table.to_csv()
    assert (Decimal("60.00"),) == table.totals()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            -5,
            (
                "measures row 0: policy 'training': measure for criterion 'work' of subject"
                " 'a': value must lie in [0, 85] (got -5)"
            ),
        ),
        (None, "measures row 0: value is missing; expected a number"),
        (float("nan"), "measures row 0: value is missing; expected a number"),
        ("abc", "measures row 0: value: expected a number (got 'abc')"),
        (
            float("inf"),
            "measures row 0: value must be a finite number (int, str, Decimal or float) (got inf)",
        ),
    ],
    ids=["negative", "none", "nan", "text", "infinite"],
)
def test_a_bad_measure_value_is_named(value: object, message: str) -> None:
    """A measure's value: a negative one is out of its criterion's range, not a quantity below
    0 (``x_exact_values__mutmut_1``: ``minimum`` by default); a missing one is a problem, not
    0 (``_33``, ``_41``); text that is not a number and an infinite float name the field."""
    measures = pd.DataFrame(
        {"subject": ["a"], "criterion": ["work"], "value": pd.Series([value], dtype=object)}
    )
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, measures)
    assert message == str(caught.value)


def test_a_negative_percentage_is_not_a_quantity() -> None:
    """An event's quantity ``"-50%"`` is refused as below 0 (``x_exact_values__mutmut_2``:
    percentages read by default, past the quantity's minimum)."""
    events = absences(["a"])
    events["quantity"] = ["-50%"]
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], events, work("a"))
    assert str(caught.value) == "events row 0: quantity: must be >= 0 (got '-50%')"


_SURROGATE_ID = (
    "id holds a lone surrogate U+D800 at character 2; expected Unicode text (UTF-8 encodable)"
    " (got 'a\\ud800')"
)
_MISSING_ID = "id is missing; expected a non-empty string"
_NOT_TEXT_ID = "id must be a non-empty string (got 5)"


@pytest.mark.parametrize(
    ("cells", "messages"),
    [
        (["a\ud800", None, 5, "b"], [_SURROGATE_ID, _MISSING_ID, _NOT_TEXT_ID]),
        ([5, None, "a\ud800", "b"], [_NOT_TEXT_ID, _MISSING_ID, _SURROGATE_ID]),
    ],
    ids=["surrogate-first", "not-text-first"],
)
def test_bad_ids_of_a_people_frame_are_named_in_row_order(
    cells: list[object], messages: list[str]
) -> None:
    """A people frame's ids: one holding a lone surrogate, one missing, one not text, each a
    problem of its row, in row order (``x__ids__mutmut_24``…``_41``: the surrogate's message
    or row lost; ``_49``, ``_51``, ``_57``, ``_59``: the missing or not-text one's row lost,
    so listed last)."""
    people = pd.DataFrame({"id": pd.Series(cells, dtype=object)})
    with pytest.raises(InputErrorGroup) as caught:
        score_frame(training_policy(), Q1, people, None, None)
    expected = [f"people row {row}: {message}" for row, message in enumerate(messages)]
    assert expected == [str(error) for error in caught.value.exceptions]


def test_a_bad_event_of_every_month_is_refused() -> None:
    """``every="month"`` reads the events frame alone: its problems are raised there
    (``x_read_events__mutmut_1``, ``_2``: not raised, the event scored)."""
    events = absences(["a"], ["nope"])
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], events, work("a"), every="month")
    assert "events row 0:" in str(caught.value)
    assert "'nope'" in str(caught.value)


def test_the_events_problems_come_before_the_measures() -> None:
    """Problems are listed frame by frame, then by row: an event's at row 1 before a
    measure's at row 0 (``x_read_events__mutmut_33``: the events counted as the measures'
    frame, so sorted after it by row)."""
    events = absences(["a", "a"], ["training_absence", "nope"])
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["nope"], "value": [1]})
    with pytest.raises(InputErrorGroup) as caught:
        score_frame(training_policy(), Q1, ["a"], events, measures)
    assert ["events row 1", "measures row 0"] == [
        str(error).split(":")[0] for error in caught.value.exceptions
    ]


def test_an_events_frame_without_a_subject_column() -> None:
    """``x_read_events__mutmut_54``: the message names the events ("None: the frame…")."""
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], absences(["a"]).drop(columns="subject"))
    assert str(caught.value) == (
        "events: the frame has no 'subject' column (columns: ['kind', 'on'])"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("excused", "events row 0: excused must be true or false (got ['x'])"),
        ("on", "events: the frame has no 'on' column (columns: ['subject', 'kind'])"),
    ],
    ids=["unhashable-excused", "no-on"],
)
def test_an_events_frame_s_problem_says_what_was_expected(change: str, message: str) -> None:
    """An unhashable ``excused`` cell (``x_read_events__mutmut_159``, ``_172``, ``_173``: what
    was expected), no ``on`` column (``_196``: the events named)."""
    events = absences(["a"])
    if change == "on":
        events = events.drop(columns="on")
    else:
        events[change] = pd.Series([["x"]], dtype=object)
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], events, work("a"))
    assert message == str(caught.value)


def test_unknown_kinds_beside_a_bad_row_are_named_in_row_order() -> None:
    """Rows with an unknown kind around a row with no subject: the kinds of the well-read rows
    are still checked (``x_read_events__mutmut_236``: none checked once a row was bad), each
    problem at its row (``_248``, ``_250``: the kinds' problems listed after the rows')."""
    events = absences(["a", None, "a"], ["nope", "training_absence", "nope2"])
    with pytest.raises(InputErrorGroup) as caught:
        score_frame(training_policy(), Q1, ["a"], events, work("a"))
    assert [
        "events row 0: event kind 'nope'",
        "events row 1: subject is missing; expected a person id",
        "events row 2: event kind 'nope2'",
    ] == [str(error).split(" is not known")[0] for error in caught.value.exceptions]


def test_a_string_view_subject_column_is_looked_up_as_text() -> None:
    """Subjects in an Arrow ``string_view`` column are cast to ``large_string`` for the
    lookup (``x__arrow_strings__mutmut_43``: not cast, pyarrow has no kernel for it; ``_45``:
    cast to ``None``)."""
    pa = pytest.importorskip("pyarrow")
    events = absences(["a", "b"])
    events["subject"] = pd.Series(pd.array(["a", "b"], dtype=pd.ArrowDtype(pa.string_view())))
    table = score_frame(training_policy(), Q1, ["a", "b"], events, work("a", "b"))
    assert (Decimal("14.00"), Decimal("14.00")) == table.totals()


@pytest.mark.parametrize("frame", ["events", "measures"])
def test_a_numeric_arrow_subject_column_is_a_problem_of_each_row(frame: str) -> None:
    """Subjects in an ``int64[pyarrow]`` column are no person ids: a problem per row, as for a
    NumPy ``int64`` column (``events row 0: subject must be a person id (got …)``), not a
    bare pyarrow error. A bug found by the mutation of ``_arrow_strings`` (it took every
    ``ArrowDtype`` for text, pyarrow raising ``ArrowNotImplementedError``), fixed in
    ``_cells._arrow_text``. In the mutation figures (the examined version, when this test was a
    strict xfail) the mutants ``_12``, ``_17``, ``_18``, ``_20``, ``_21``, which test the
    dtype's storage no more, count as killed by it."""
    pa = pytest.importorskip("pyarrow")
    numbers = pd.Series(pd.array([1], dtype=pd.ArrowDtype(pa.int64())))
    events, measures = absences(["a"]), work("a")
    (events if frame == "events" else measures)["subject"] = numbers
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], events, measures)
    assert f"{frame} row 0: subject must be a person id" in str(caught.value)


def test_a_file_s_empty_unnamed_columns_are_left_out() -> None:
    """``read_csv`` names a file's trailing empty columns ``Unnamed: N``: without a value they
    are left out, as the files leave them (``x__without_empty_unnamed__mutmut_1``, ``_6``…
    ``_16``, ``_18``); an empty column named ``3`` is not one of them (``_3``)."""
    measures = work("a")
    measures["Unnamed: 3"] = None
    table = score_frame(training_policy(), Q1, ["a"], None, measures)
    assert (Decimal("16.00"),) == table.totals()
    measures = work("a")
    measures["3"] = None
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, measures)
    assert str(caught.value).startswith("measures: unknown column(s) ['3']")


def test_a_blank_id_among_ids_is_named() -> None:
    """A list of ids with a blank one: a problem naming its row (``x_read_people__mutmut_26``,
    ``_27``, ``_31``)."""
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a", "  "], None)
    assert str(caught.value) == "people row 1: id must be a non-empty string (got '  ')"


def test_a_bad_option_names_score_frame() -> None:
    """``x_score_frames__mutmut_12``, ``_16``, ``_17``: the message names the function."""
    with pytest.raises(InputError) as caught:
        score_frame(training_policy(), Q1, ["a"], None, unknown_kinds="maybe")  # type: ignore[call-overload]
    assert str(caught.value) == (
        "score_frame: unknown_kinds must be one of ['error', 'ignore'] (got 'maybe')"
    )
