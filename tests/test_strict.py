"""Issue 16: nothing silently ignored — unknown event kinds, repeated events and ratios typed
as percentages are errors (unless the caller says otherwise), on every path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    DuplicateEventError,
    Event,
    InputError,
    InputErrorGroup,
    Measure,
    Policy,
    PolicyError,
    UnknownKindError,
    UnknownSubjectError,
    cli,
    dump_policy,
    load_policy,
    score,
    score_many,
)
from kpiscore.io import fastcsv

POLICY = Policy(
    id="p",
    name="P",
    other_kinds=["sick_leave"],
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="training",
                    name="Training",
                    max_points=15,
                    deductions=[Deduction(on="training_absence", points=2)],
                ),
                Criterion(id="done", name="Done", max_points=30, basis="ratio", ratio_cap=True),
            ],
        )
    ],
)
DONE = Measure(subject="a", criterion="done", value="0.84")


def absence(kind: str = "training_absence", day: int = 5, ref: str | None = None) -> Event:
    return Event(subject="a", kind=kind, on=date(2026, 1, day), ref=ref)


class TestPolicyKeys:
    def test_known_kinds_are_rules_caps_and_other_kinds(self) -> None:
        assert frozenset({"training_absence", "sick_leave"}) == POLICY.known_kinds

    def test_other_kinds_and_max_ratio_round_trip_through_a_file(self) -> None:
        policy = Policy(
            id="p",
            name="P",
            other_kinds=["sick_leave"],
            max_ratio="1.5",
            categories=POLICY.categories,
        )
        again = load_policy(dump_policy(policy, "json"))
        assert (policy, policy.fingerprint) == (again, again.fingerprint)

    def test_defaults_leave_the_fingerprint_as_before(self) -> None:
        plain = Policy(id="p", name="P", categories=POLICY.categories)
        assert "other_kinds" not in plain.to_dict()
        assert "max_ratio" not in plain.to_dict()

    def test_other_kinds_change_the_fingerprint(self) -> None:
        plain = Policy(id="p", name="P", categories=POLICY.categories)
        assert plain.fingerprint != POLICY.fingerprint

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"other_kinds": ["x", "x"]}, "other_kinds lists 'x' twice"),
            ({"other_kinds": [""]}, r"other_kinds\[0\] must be a non-empty string"),
            ({"max_ratio": "0.5"}, r"max_ratio must be >= 1 \(100 %\)"),
        ],
        ids=["twice", "empty", "below-one"],
    )
    def test_bad_values_are_refused(self, fields: dict[str, object], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            Policy(id="p", name="P", categories=POLICY.categories, **fields)  # type: ignore[arg-type]


class TestUnknownKinds:
    @pytest.mark.parametrize("kind", ["training_absense", "Training_Absence"])
    def test_a_misspelt_kind_is_an_error_naming_the_nearest(self, kind: str) -> None:
        with pytest.raises(UnknownKindError) as caught:
            score(POLICY, "2026-Q1", "a", [absence(kind)], [DONE])
        assert (
            f"events[0]: event kind {kind!r} is not known to policy 'p'; did you mean"
            " 'training_absence'?"
        ) in str(caught.value)

    def test_score_many_too(self) -> None:
        with pytest.raises(UnknownKindError, match="did you mean 'training_absence'"):
            score_many(POLICY, "2026-Q1", ["a"], [absence("training_absense")], [DONE])

    def test_a_kind_in_other_kinds_is_known_and_costs_nothing(self) -> None:
        card = score(POLICY, "2026-Q1", "a", [absence("sick_leave")], [DONE])
        assert Decimal("40.20") == card.total

    def test_ignore_restores_leaving_them_out(self) -> None:
        card = score(
            POLICY, "2026-Q1", "a", [absence("training_absense")], [DONE], unknown_kinds="ignore"
        )
        assert Decimal("40.20") == card.total

    def test_one_problem_per_kind_with_how_many_events(self) -> None:
        events = [absence("training_absense", day) for day in (5, 6, 7)]
        with pytest.raises(UnknownKindError, match=r"^events\[0\] \(and 2 more events\): "):
            score(POLICY, "2026-Q1", "a", events, [DONE])

    def test_a_bad_option_is_refused(self) -> None:
        with pytest.raises(InputError, match="unknown_kinds must be one of"):
            score(POLICY, "2026-Q1", "a", [], [DONE], unknown_kinds="warn")  # type: ignore[arg-type]


class TestDuplicates:
    def test_the_same_ref_twice_is_an_error(self) -> None:
        twice = [absence(ref="QĐ-1"), absence(day=6, ref="QĐ-1")]
        with pytest.raises(DuplicateEventError) as caught:
            score(POLICY, "2026-Q1", "a", twice, [DONE])
        assert str(caught.value).startswith(
            "events[1]: event 'training_absence' of subject 'a' on 2026-01-06 repeats the event"
            " at events[0] (same subject and ref 'QĐ-1')"
        )

    def test_allow_counts_both(self) -> None:
        twice = [absence(ref="QĐ-1"), absence(ref="QĐ-1")]
        card = score(POLICY, "2026-Q1", "a", twice, [DONE], duplicates="allow")
        assert Decimal("36.20") == card.total

    def test_the_same_ref_for_two_people_is_not_a_repeat(self) -> None:
        events = [
            absence(ref="QĐ-1"),
            Event(subject="b", kind="training_absence", on=date(2026, 1, 5), ref="QĐ-1"),
        ]
        done_b = Measure(subject="b", criterion="done", value="1")
        table = score_many(POLICY, "2026-Q1", ["a", "b"], events, [DONE, done_b])
        assert (Decimal("38.20"), Decimal("43.00")) == table.totals()


class TestMaxRatio:
    def test_ninety_for_ninety_percent_is_an_error_even_with_ratio_cap(self) -> None:
        typed = Measure(subject="a", criterion="done", value=90)
        with pytest.raises(InputError) as caught:
            score(POLICY, "2026-Q1", "a", [], [typed])
        assert str(caught.value).endswith(
            "value 90 is above the policy's max_ratio 2 (200 %); did you mean 0.9 (90 %)?"
        )

    def test_up_to_max_ratio_is_still_capped_at_full_points(self) -> None:
        over = Measure(subject="a", criterion="done", value="1.5")
        assert Decimal("45.00") == score(POLICY, "2026-Q1", "a", [], [over]).total


class TestEveryProblemAtOnce:
    def test_unknown_subjects_kinds_and_repeats_come_together(self) -> None:
        events = [
            absence("training_absense"),
            absence(ref="r"),
            absence(day=6, ref="r"),
            Event(subject="zz", kind="training_absence", on=date(2026, 1, 5)),
        ]
        with pytest.raises(InputErrorGroup, match=r"^score_many: 3 problems") as caught:
            score_many(POLICY, "2026-Q1", ["a"], events, [DONE])
        assert [UnknownSubjectError, UnknownKindError, DuplicateEventError] == [
            type(p) for p in caught.value.exceptions
        ]


class TestScoreFrame:
    pd = pytest.importorskip("pandas")

    def frame(self, kinds: list[str], refs: list[str | None]) -> object:
        return self.pd.DataFrame(
            {
                "subject": ["a"] * len(kinds),
                "kind": kinds,
                "on": [f"2026-01-{5 + i:02}" for i in range(len(kinds))],
                "ref": refs,
            },
            index=[f"e{i}" for i in range(len(kinds))],
        )

    def measures(self) -> object:
        return self.pd.DataFrame({"subject": ["a"], "criterion": ["done"], "value": ["0.84"]})

    def test_unknown_kinds_and_repeats_by_row_label(self) -> None:
        from kpiscore import score_frame

        events = self.frame(
            ["training_absense", "training_absence", "training_absence"], [None, "r", "r"]
        )
        with pytest.raises(InputErrorGroup) as caught:
            score_frame(POLICY, "2026-Q1", ["a"], events, self.measures())
        text = [str(p) for p in caught.value.exceptions]
        assert text[0].startswith(
            "events row 'e0': event kind 'training_absense' is not known to policy 'p'; did you"
            " mean 'training_absence'?"
        )
        assert text[1].startswith(
            "events row 'e2': event 'training_absence' of subject 'a' on 2026-01-07 repeats the"
            " event at events row 'e1' (same subject and ref 'r')"
        )

    def test_the_options_restore_the_old_figures(self) -> None:
        from kpiscore import score_frame

        events = self.frame(
            ["training_absense", "training_absence", "training_absence"], [None, "r", "r"]
        )
        table = score_frame(
            POLICY,
            "2026-Q1",
            ["a"],
            events,
            self.measures(),
            unknown_kinds="ignore",
            duplicates="allow",
        )
        expected = score_many(
            POLICY,
            "2026-Q1",
            ["a"],
            [absence("training_absense"), absence(day=6, ref="r"), absence(day=7, ref="r")],
            [DONE],
            unknown_kinds="ignore",
            duplicates="allow",
        )
        assert expected.totals() == table.totals()

    def test_ratio_above_max_ratio(self) -> None:
        from kpiscore import score_frame

        measures = self.pd.DataFrame({"subject": ["a"], "criterion": ["done"], "value": [90]})
        with pytest.raises(InputError, match=r"did you mean 0\.9 \(90 %\)\?"):
            score_frame(POLICY, "2026-Q1", ["a"], None, measures)


# --------------------------------------------------------------------------- the command line


def files(folder: Path, events: str, measures: str = "subject,criterion,value\na,done,0.84\n"):
    (folder / "policy.json").write_text(dump_policy(POLICY, "json"), encoding="utf-8")
    (folder / "people.csv").write_text("id\na\nb\n", encoding="utf-8")
    (folder / "events.csv").write_text(events, encoding="utf-8")
    text = measures + ("b,done,1\n" if "b,done" not in measures else "")
    (folder / "measures.csv").write_text(text, encoding="utf-8")
    return [
        "score",
        "--policy",
        str(folder / "policy.json"),
        "--period",
        "2026-Q1",
        "--people",
        str(folder / "people.csv"),
        "--events",
        str(folder / "events.csv"),
        "--measures",
        str(folder / "measures.csv"),
    ]


def run_both(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(status, out, err) of the fast path (if a reader is installed) and the careful one."""
    fast_status = cli.main(args)
    fast = capsys.readouterr()
    monkeypatch.setattr(fastcsv, "_reader", lambda: None)
    careful_status = cli.main(args)
    careful = capsys.readouterr()
    monkeypatch.undo()
    return (fast_status, fast.out, fast.err), (careful_status, careful.out, careful.err)


class TestCommandLine:
    def test_a_misspelt_kind_exits_2_with_file_and_line_on_both_paths(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        args = files(
            tmp_path,
            "subject,kind,on\na,training_absence,2026-01-05\na,training_absense,2026-01-06\n",
        )
        fast, careful = run_both(args, capsys, monkeypatch)
        assert fast == careful
        assert 2 == careful[0]
        assert (
            "events.csv line 3, column 'kind': event kind 'training_absense' is not known to"
            " policy 'p'; did you mean 'training_absence'?"
        ) in careful[2]

    def test_identical_rows_and_repeated_refs(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        args = files(
            tmp_path,
            "subject,kind,on,ref\na,training_absence,2026-01-05,\na,training_absence,2026-01-05,\n"
            "a,training_absence,2026-01-07,QĐ-1\na,training_absence,2026-01-08,QĐ-1\n",
        )
        fast, careful = run_both(args, capsys, monkeypatch)
        assert fast == careful
        assert 2 == careful[0]
        assert "the fact files: 2 problems" in careful[2]
        assert "repeats the event at" in careful[2]
        assert "events.csv line 4" in careful[2]

    def test_allow_and_ignore_score_as_before(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        args = files(
            tmp_path,
            "subject,kind,on\na,training_absence,2026-01-05\na,training_absence,2026-01-05\n"
            "a,training_absense,2026-01-06\n",
        )
        args += ["--unknown-kinds", "ignore", "--duplicates", "allow", "--format", "csv"]
        fast, careful = run_both(args, capsys, monkeypatch)
        assert fast == careful
        assert 0 == careful[0]
        assert "36.20" in careful[1]

    def test_a_percentage_typed_for_a_ratio(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        args = files(tmp_path, "subject,kind,on\n", "subject,criterion,value\na,done,90\n")
        fast, careful = run_both(args, capsys, monkeypatch)
        assert fast == careful
        assert 2 == careful[0]
        assert (
            "measures.csv line 2, column 'value': measure for criterion 'done' of subject 'a':"
            " value 90 is above the policy's max_ratio 2 (200 %); did you mean 0.9 (90 %)?"
        ) in careful[2]


KIND_CELLS = ("training_absence", "training_absense", "Training_Absence", "sick_leave", "late")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(("a", "b")),
            st.sampled_from(KIND_CELLS),
            st.integers(min_value=5, max_value=7),
            st.sampled_from(("", "r1", "r2")),
        ),
        max_size=8,
    ),
    ignore=st.booleans(),
    allow=st.booleans(),
)
def test_fast_and_careful_paths_agree_on_misspelt_kinds_and_repeats(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    rows: list[tuple[str, str, int, str]],
    ignore: bool,
    allow: bool,
) -> None:
    """Invariant: whatever kinds and repeats an events file holds, ``kpiscore score`` gives the
    same exit status, output and error text on the fast path and the careful one."""
    text = "subject,kind,on,ref\n" + "".join(f"{s},{k},2026-01-{d:02},{r}\n" for s, k, d, r in rows)
    args = [*files(tmp_path, text), "--format", "csv"]
    args += ["--unknown-kinds", "ignore" if ignore else "error"]
    args += ["--duplicates", "allow" if allow else "error"]
    fast, careful = run_both(args, capsys, monkeypatch)
    assert fast == careful
