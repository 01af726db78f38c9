"""The columnar engine: exact figures from DataFrames, clear errors, honest fallbacks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from columnar_policies import training_policy
from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    MissingExtraError,
    MissingInputError,
    Person,
    Policy,
    UnknownSubjectError,
    score_frame,
    score_many,
)

pd = pytest.importorskip("pandas")
Q1 = "2026-Q1"


def one_category_policy(*criteria: Criterion, **kwargs: Any) -> Policy:
    return Policy(
        id="one",
        name="One",
        categories=[Category(id="c", name="C", criteria=list(criteria))],
        **kwargs,
    )


def absences(count: int, subject: str = "a") -> Any:
    return pd.DataFrame(
        {
            "subject": [subject] * count,
            "kind": ["training_absence"] * count,
            "on": pd.to_datetime([date(2026, 1, 5 + d) for d in range(count)]),
        }
    )


def work(*pairs: tuple[str, object]) -> Any:
    return pd.DataFrame(
        {
            "subject": [s for s, _ in pairs],
            "criterion": ["work"] * len(pairs),
            "value": [v for _, v in pairs],
        }
    )


PEOPLE = pd.DataFrame({"id": ["a", "b"], "unit": ["U1", None]})


class TestFigures:
    def test_carried_overflow(self) -> None:
        table = score_frame(
            training_policy(overflow="carry"), Q1, PEOPLE, absences(8), work(("a", 80), ("b", 85))
        )
        rows = table.to_rows()

        assert (Decimal("0.00"), Decimal("1.00"), Decimal("79.00")) == (
            rows[0]["soft"],
            rows[0]["carried"],
            rows[0]["total"],
        )
        assert (None, "U1") == (rows[1]["unit"], rows[0]["unit"])

    @pytest.mark.parametrize(
        ("rounding", "expected"),
        [
            pytest.param("ROUND_HALF_UP", "0.13", id="half-up"),
            pytest.param("ROUND_HALF_EVEN", "0.12", id="half-even"),
            pytest.param("ROUND_HALF_DOWN", "0.12", id="half-down"),
            pytest.param("ROUND_05UP", "0.12", id="05up"),
            pytest.param("ROUND_UP", "0.13", id="up"),
            pytest.param("ROUND_DOWN", "0.12", id="down"),
            pytest.param("ROUND_CEILING", "0.13", id="ceiling"),
            pytest.param("ROUND_FLOOR", "0.12", id="floor"),
        ],
    )
    def test_rounding_ties_match_the_exact_engine(self, rounding: str, expected: str) -> None:
        policy = Policy(
            id="tie",
            name="Tie",
            rounding=rounding,
            categories=[
                Category(
                    id="c",
                    name="C",
                    max_points=1,
                    criteria=[Criterion(id="x", name="X", max_points=8, basis="assessed")],
                )
            ],
        )
        measures = pd.DataFrame({"subject": ["a"], "criterion": ["x"], "value": [1]})
        table = score_frame(policy, Q1, ["a"], None, measures)
        exact = score_many(
            policy, Q1, ["a"], measures=[Measure(subject="a", criterion="x", value=1)]
        )

        assert (Decimal(expected),) == table.totals() == exact.totals()

    def test_quantity_sums_beyond_float_precision_stay_exact(self) -> None:
        # 50 quantities of 2e14 + 1 sum past 2**53, where float64 stops counting in ones.
        from kpiscore import Award

        policy = one_category_policy(
            Criterion(
                id="balance",
                name="Balance",
                max_points=100,
                awards=[Award(on="plus", points=1, per="unit")],
                deductions=[Deduction(on="minus", points=1, per="unit")],
            ),
            precision=1,
        )
        plus, minus = Decimal(200_000_000_000_001), Decimal(200_000_000_000_002)
        kinds = [("plus", plus)] * 50 + [("minus", minus)] * 50
        events = pd.DataFrame(
            {
                "subject": ["a"] * 100,
                "kind": [kind for kind, _ in kinds],
                "on": pd.to_datetime(["2026-01-05"] * 100),
                "quantity": [str(quantity) for _, quantity in kinds],
            }
        )
        table = score_frame(policy, Q1, pd.DataFrame({"id": ["a"]}), events, duplicates="allow")
        facts = [
            Event(subject="a", kind=kind, on=date(2026, 1, 5), quantity=quantity)
            for kind, quantity in kinds
        ]
        assert () == table.notes  # the columns computed it, not the exact engine
        assert (Decimal(50),) == score_many(policy, Q1, ["a"], facts).totals() == table.totals()

    def test_figures_too_fine_for_64_bits_are_left_to_the_exact_engine(self) -> None:
        policy = one_category_policy(
            Criterion(
                id="x",
                name="X",
                max_points=10,
                deductions=[Deduction(on="x", points=Decimal("0.000001"), per="unit")],
            )
        )
        quantity = Decimal("99999999.999999")
        events = pd.DataFrame(
            {
                "subject": ["a", "b"],
                "kind": ["x", "x"],
                "on": pd.to_datetime(["2026-01-05", "2026-01-06"]),
                "quantity": [str(quantity), "1"],
            }
        )
        people = pd.DataFrame({"id": ["a", "b"], "unit": ["U", None]})
        table = score_frame(policy, Q1, people, events)
        facts = [
            Event(subject="a", kind="x", on=date(2026, 1, 5), quantity=quantity),
            Event(subject="b", kind="x", on=date(2026, 1, 6), quantity=1),
        ]
        expected = score_many(policy, Q1, [Person(id="a", unit="U"), Person(id="b")], facts)
        note = (
            "every person was scored by the exact engine: its figures need more digits than"
            " 64-bit integers hold"
        )
        assert (note,) == table.notes
        assert expected.to_csv() == table.to_csv()
        assert expected.totals() == table.totals()

    def test_no_one_to_score(self) -> None:
        table = score_frame(training_policy(), Q1, pd.DataFrame({"id": []}, dtype=str), None)
        assert ("", (), {"OK": 0, "NO": 0}) == (
            table.to_csv(),
            table.totals(),
            table.distribution(),
        )

    def test_scorecards_are_the_exact_engine_s(self) -> None:
        policy = training_policy()
        frame_table = score_frame(policy, Q1, PEOPLE, absences(3), work(("a", 80), ("b", 85)))
        events = [
            Event(subject="a", kind="training_absence", on=date(2026, 1, 5 + d)) for d in range(3)
        ]
        measures = [
            Measure(subject="a", criterion="work", value=80),
            Measure(subject="b", criterion="work", value=85),
        ]
        people = [Person(id="a", unit="U1"), Person(id="b")]

        assert score_many(policy, Q1, people, events, measures).to_json() == frame_table.to_json()
        assert frame_table["a"].criterion("training").rules[0].applied == Decimal(-6)

    def test_people_as_ids_or_persons(self) -> None:
        policy = training_policy()
        one = score_frame(policy, Q1, ["a", "b"], absences(1), work(("a", 1), ("b", 2)))
        two = score_frame(
            policy, Q1, [Person(id="a"), Person(id="b")], absences(1), work(("a", 1), ("b", 2))
        )
        assert one.totals() == two.totals() == (Decimal("14.00"), Decimal("17.00"))

    def test_distribution_and_summary_need_no_scorecards(self) -> None:
        table = score_frame(training_policy(), Q1, PEOPLE, absences(0), work(("a", 80), ("b", 10)))
        assert {"OK": 1, "NO": 1} == table.distribution()
        assert 2 == len(table)
        assert table._cards is None  # nothing was built

    def test_exclude_falls_back_to_the_exact_engine_and_says_so(self) -> None:
        policy = Policy(
            id="x",
            name="X",
            missing="exclude",
            categories=[
                Category(
                    id="task",
                    name="Task",
                    max_points=70,
                    criteria=[
                        Criterion(id=c, name=c, max_points=100, basis="ratio") for c in ("q", "t")
                    ],
                )
            ],
        )
        measures = pd.DataFrame(
            {"subject": ["a", "a", "b"], "criterion": ["q", "t", "q"], "value": ["1", "0.5", "1"]}
        )
        table = score_frame(policy, Q1, ["a", "b"], None, measures)

        assert (Decimal("52.50"), Decimal("70.00")) == table.totals()
        assert table.notes == (
            (
                "1 people were scored by the exact engine: a measure was missing and the policy"
                " excludes missing measures, so their categories renormalise"
            ),
        )


class TestFrames:
    """The frames may hold text as pandas does: NumPy objects, Arrow-backed or nullable strings."""

    @pytest.mark.parametrize("dtype", ["object", "string", "str"])
    def test_text_dtypes_give_the_same_table(self, dtype: str) -> None:
        people = pd.DataFrame({"id": ["b", "a", "c"], "unit": ["U1", None, "U2"]}, dtype=dtype)
        events = absences(2, subject="a")
        events["subject"] = events["subject"].astype(dtype)
        measures = work(("a", 1), ("b", 2), ("c", 3))
        table = score_frame(training_policy(), Q1, people, events, measures)
        expected = score_many(
            training_policy(),
            Q1,
            [Person(id="b", unit="U1"), Person(id="a"), Person(id="c", unit="U2")],
            [Event(subject="a", kind="training_absence", on=date(2026, 1, d)) for d in (5, 6)],
            [
                Measure(subject=s, criterion="work", value=v)
                for s, v in (("a", 1), ("b", 2), ("c", 3))
            ],
        )
        assert expected.to_csv() == table.to_csv()
        assert [None, "U1", "U2"] == sorted(
            (row["unit"] for row in table.to_rows()), key=lambda u: u or ""
        )

    @pytest.mark.parametrize("dtype", ["object", "string", "str", "category"])
    def test_unknown_subject_in_any_dtype(self, dtype: str) -> None:
        events = absences(2)
        events["subject"] = pd.Series(["a", "zz"], dtype=dtype)
        with pytest.raises(UnknownSubjectError, match="events row 1: subject 'zz'"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    def test_multi_chunk_arrow_ids(self) -> None:
        # pd.concat (like read_csv with engine="pyarrow") leaves an Arrow column in chunks.
        people = pd.concat(
            [pd.DataFrame({"id": ["a"]}, dtype="str"), pd.DataFrame({"id": ["b"]}, dtype="str")],
            ignore_index=True,
        )
        table = score_frame(training_policy(), Q1, people, absences(1), work(("a", 1), ("b", 2)))
        expected = score_many(
            training_policy(),
            Q1,
            ["a", "b"],
            [Event(subject="a", kind="training_absence", on=date(2026, 1, 5))],
            [Measure(subject=s, criterion="work", value=v) for s, v in (("a", 1), ("b", 2))],
        )
        assert expected.to_csv() == table.to_csv()

    def test_kinds_in_another_unicode_form_share_their_rules(self) -> None:
        policy = one_category_policy(
            Criterion(id="x", name="X", max_points=15, deductions=[Deduction(on="café", points=2)])
        )
        events = absences(2)
        events["kind"] = ["cafe\u0301", "café"]
        table = score_frame(policy, Q1, pd.DataFrame({"id": ["a"]}), events)
        assert (Decimal("11.00"),) == table.totals()

    @pytest.mark.parametrize(
        "arrow_type",
        [pytest.param("date32", id="date32"), pytest.param("timestamp", id="timestamp")],
    )
    def test_arrow_dates(self, arrow_type: str) -> None:
        pa = pytest.importorskip("pyarrow")
        events = absences(2)
        kind = pa.date32() if arrow_type == "date32" else pa.timestamp("us")
        events["on"] = events["on"].astype(pd.ArrowDtype(kind))
        table = score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))
        assert (Decimal("12.00"), Decimal("16.00")) == table.totals()

    def test_arrow_timestamps_with_a_time_zone_are_refused(self) -> None:
        pa = pytest.importorskip("pyarrow")
        events = absences(1)
        events["on"] = events["on"].astype(pd.ArrowDtype(pa.timestamp("us", tz="UTC")))
        with pytest.raises(InputError, match="time-zone-aware"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    def test_subjects_in_another_unicode_form_are_found(self) -> None:
        decomposed = "Nguye\u0302\u0303n"  # NFD of "Nguyễn"
        people = pd.DataFrame({"id": ["Nguyễn"]})
        events = absences(1, subject=decomposed)
        table = score_frame(training_policy(), Q1, people, events, work(("Nguyễn", 1)))
        assert (Decimal("14.00"),) == table.totals()

    def test_duplicate_unsorted_arrow_ids(self) -> None:
        people = pd.DataFrame({"id": ["b", "a", "b"]}, dtype="str")
        with pytest.raises(InputError, match="person id 'b' appears twice"):
            score_frame(training_policy(), Q1, people, None, None)


class TestErrors:
    def test_unknown_subject(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            score_frame(training_policy(), Q1, PEOPLE, absences(1, subject="zz"), work())
        assert "events row 0: subject 'zz' is not in the population scored" == str(caught.value)

    def test_unknown_categorical_subject(self) -> None:
        events = absences(2)
        events["subject"] = pd.Categorical(["a", "zz"])
        with pytest.raises(UnknownSubjectError) as caught:
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))
        assert "events row 1: subject 'zz' is not in the population scored" == str(caught.value)

    @pytest.mark.parametrize(
        "subjects",
        [
            pytest.param(["a", None], id="object"),
            pytest.param(pd.Categorical(["a", None]), id="categorical"),
        ],
    )
    def test_missing_subject(self, subjects: Any) -> None:
        events = absences(2)
        events["subject"] = subjects
        with pytest.raises(UnknownSubjectError, match="events row 1: subject"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    @pytest.mark.parametrize(
        ("ids", "message"),
        [
            pytest.param(["a", 7], "people row 1: id must be a non-empty string (got 7)", id="int"),
            pytest.param(
                ["a", " "], "people row 1: id must be a non-empty string (got ' ')", id="blank"
            ),
            pytest.param(
                [None, "b"], "people row 0: id is missing; expected a non-empty string", id="none"
            ),
        ],
    )
    def test_bad_person_id(self, ids: list[object], message: str) -> None:
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, pd.DataFrame({"id": ids}), None, None)
        assert message == str(caught.value)

    def test_blank_attribute_is_no_attribute_as_in_a_people_file(self) -> None:
        """Issue 16: a blank optional cell takes its default, as ``load_people`` reads it."""
        people = pd.DataFrame({"id": ["a", "b"], "unit": ["U1", "  "]})
        table = score_frame(training_policy(), Q1, people, None, work(("a", 1), ("b", 1)))
        assert (None, "U1") == (table["b"].person.unit, table["a"].person.unit)

    def test_persons_keep_their_attributes(self) -> None:
        people = [Person(id="a", name="An", unit="U1"), Person(id="b")]
        table = score_frame(training_policy(), Q1, people, None, work(("a", 1), ("b", 1)))
        expected = score_many(
            training_policy(),
            Q1,
            people,
            [],
            [Measure(subject=s, criterion="work", value=1) for s in "ab"],
        )
        assert expected.to_csv() == table.to_csv()
        assert "a,An,U1," in table.to_csv()

    def test_time_of_day_is_refused(self) -> None:
        events = absences(1)
        events["on"] = pd.to_datetime(["2026-01-05 08:30"])
        with pytest.raises(InputError, match=r"events row 0: on has a time of day"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    def test_time_zone_is_refused(self) -> None:
        events = absences(1)
        events["on"] = events["on"].dt.tz_localize("Asia/Ho_Chi_Minh")
        with pytest.raises(InputError, match="time-zone-aware"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    @pytest.mark.parametrize(
        ("quantity", "message"),
        [
            pytest.param([-1.0], "events row 0: quantity must be >= 0", id="negative"),
            pytest.param(
                ["abc"], "events row 0: quantity: expected a number (got 'abc')", id="text"
            ),
            pytest.param([True], "events: column 'quantity' must hold numbers", id="bool"),
        ],
    )
    def test_bad_quantity(self, quantity: list[object], message: str) -> None:
        events = absences(1)
        events["quantity"] = quantity
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))
        assert str(caught.value).startswith(message)

    def test_excused_must_be_boolean(self) -> None:
        events = absences(1)
        events["excused"] = ["maybe"]  # "yes", as a file's cell, is True (issue 16)
        # The files' wording (issue 16): frames say what files say.
        with pytest.raises(
            InputError, match=r"events row 0: excused: expected true or false \(also yes/no"
        ):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    def test_missing_column(self) -> None:
        with pytest.raises(InputError, match="events: the frame has no 'kind' column"):
            score_frame(training_policy(), Q1, PEOPLE, absences(1).drop(columns="kind"), work())

    def test_unknown_column(self) -> None:
        events = absences(1)
        events["colour"] = ["red"]
        with pytest.raises(InputError, match=r"events: unknown column\(s\) \['colour'\]"):
            score_frame(training_policy(), Q1, PEOPLE, events, work(("a", 1), ("b", 1)))

    def test_measure_out_of_range_names_the_subject(self) -> None:
        with pytest.raises(InputError) as caught:
            score_frame(training_policy(), Q1, PEOPLE, None, work(("a", 1), ("b", 90)))
        assert str(caught.value) == (  # by row label, found before scoring (issue 16)
            "measures row 1: policy 'training': measure for criterion 'work' of subject 'b':"
            " value must lie in [0, 85] (got 90)"
        )

    def test_duplicate_measure(self) -> None:
        with pytest.raises(
            InputError, match="a second measure for criterion 'work' of subject 'a'"
        ):
            score_frame(training_policy(), Q1, PEOPLE, None, work(("a", 1), ("a", 2), ("b", 1)))

    def test_missing_measure(self) -> None:
        with pytest.raises(
            MissingInputError, match="no measure for criterion 'work' of subject 'b'"
        ):
            score_frame(training_policy(), Q1, PEOPLE, None, work(("a", 1)))

    def test_missing_measures_name_the_first_person_as_the_exact_engine_does(self) -> None:
        policy = one_category_policy(
            *(Criterion(id=cid, name=cid, max_points=50, basis="assessed") for cid in ("c1", "c2"))
        )
        # a lacks c2, b lacks both: the exact engine stops at a (c1 is the first criterion
        # someone lacks, but b comes after a).
        measures = pd.DataFrame({"subject": ["a"], "criterion": ["c1"], "value": [1]})
        with pytest.raises(MissingInputError) as exact:
            score_many(policy, Q1, ["a", "b"], [], [Measure(subject="a", criterion="c1", value=1)])
        with pytest.raises(MissingInputError) as columnar:
            score_frame(policy, Q1, pd.DataFrame({"id": ["a", "b"]}), None, measures)
        assert "no measure for criterion 'c2' of subject 'a'" in str(exact.value)
        assert str(exact.value) == str(columnar.value)

    def test_duplicate_people(self) -> None:
        with pytest.raises(InputError, match="person id 'a' appears twice"):
            score_frame(training_policy(), Q1, pd.DataFrame({"id": ["a", "a"]}), None, work())

    def test_pandas_missing_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from kpiscore.engine import columnar

        def missing(module: str, extra: str) -> Any:
            raise MissingExtraError(f"install it with: pip install 'kpiscore[{extra}]'")

        monkeypatch.setattr(columnar, "require", missing)
        with pytest.raises(MissingExtraError, match=r"kpiscore\[pandas\]"):
            score_frame(training_policy(), Q1, PEOPLE, None, None)
