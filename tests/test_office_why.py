"""The reader cases of issue 16's "Why" list, each on every path of ``kpiscore score`` (the
careful reader, and the pandas and pyarrow fast readers) and, where it reads the same files,
through ``score_frame`` over ``pandas.read_csv``.

Each case is compared with the same facts written plainly (UTF-8, commas, ``0.9``): the office
way must score the same, or be refused with the same message on every path.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from kpiscore import (
    DuplicateEventError,
    InputError,
    InputErrorGroup,
    cli,
    policies,
    score_frame,
)
from kpiscore.io import fastcsv
from kpiscore.model.rules import MAX_LISTED as MAX_PROBLEMS

pd = pytest.importorskip("pandas")

POLICY = policies.load("university-kpi-example")
RATIOS = ("key_tasks", "research", "workload")
PEOPLE = "id,name,unit\nnv001,Nguyễn Văn Đức,Phòng Tổ chức\nnv002,Lê Thị Hoa,Khoa Toán\n"
EVENTS = (
    "subject,kind,on,quantity,excused\n"
    "nv001,training_absence,2026-02-02,1,false\n"
    "nv002,training_absence,2026-03-02,2,true\n"
)


def readers() -> dict[str, Callable[[], object]]:
    chosen: dict[str, Callable[[], object]] = {
        "careful": lambda: None,
        "pandas": fastcsv._pandas_reader,
    }
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow is part of the test extra
        return chosen
    chosen["arrow"] = fastcsv._arrow_reader
    return chosen


@pytest.fixture(params=list(readers()))
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run ``kpiscore score`` through one path only."""
    monkeypatch.setattr(fastcsv, "_reader", readers()[request.param])
    return str(request.param)


Score = Callable[..., tuple[int, str, str]]


@pytest.fixture
def score(capsys: pytest.CaptureFixture[str]) -> Score:
    def run(*args: object) -> tuple[int, str, str]:
        command = ["score", "--policy", POLICY.id, "--period", "2026-Q1", "--format", "csv"]
        code = cli.main([*command, *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def cp1258(text: str) -> bytes:
    """Text as Windows Vietnamese saves it (tone marks the code page lacks as combining)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258")
            out += parts[-1].encode("cp1258")
    return bytes(out)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    file = folder / name
    file.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return file


def measures(value: str = "0.9", sep: str = ",", two: str = "2.5", tail: str = "") -> str:
    lines = [sep.join(["subject", "criterion", "value"]) + tail]
    for subject in ("nv001", "nv002"):
        lines += [sep.join([subject, criterion, value]) + tail for criterion in RATIOS]
        lines.append(sep.join([subject, "collaboration", two]) + tail)
    return "\n".join(lines) + "\n"


@pytest.fixture
def plain(tmp_path: Path, score: Score) -> dict[str, object]:
    """The facts written plainly, and how the careful reader scores them."""
    files = {
        "people": write(tmp_path, "people.csv", PEOPLE),
        "events": write(tmp_path, "events.csv", EVENTS),
        "measures": write(tmp_path, "measures.csv", measures()),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastcsv, "_reader", lambda: None)
        code, out, err = score(*(f"--{kind}={file}" for kind, file in files.items()))
    # The plain facts hold one excused event: told on stderr, never an error (strict facts).
    assert (0, "kpiscore: note: 1 excused event (costing nothing)\n") == (code, err)
    return {**files, "csv": out, "err": err}


def facts(people: object, events: object, measures: object) -> list[str]:
    return [f"--people={people}", f"--events={events}", f"--measures={measures}"]


class TestNumbers:
    def test_an_underscore_is_refused_alike(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        bad = write(tmp_path, "bad.csv", measures("1_7"))
        code, out, err = score(*facts(plain["people"], plain["events"], bad))
        assert (2, "") == (code, out)
        assert f"kpiscore: error: {bad}: 6 problems" == err.splitlines()[0]
        assert f"{bad} line 2, column 'value': expected a number (got '1_7'); '_' is not" in err

    @pytest.mark.parametrize("cell", ["0.900", "90%", "90 %"])
    def test_the_same_ratio_written_otherwise(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object], cell: str
    ) -> None:
        same = write(tmp_path, "same.csv", measures(cell))
        assert (0, plain["csv"], plain["err"]) == score(
            *facts(plain["people"], plain["events"], same)
        )

    def test_one_point_three_zeros_is_one(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        one = score(
            *facts(plain["people"], plain["events"], write(tmp_path, "a.csv", measures("1")))
        )
        thousand = write(tmp_path, "b.csv", measures("1.000"))
        assert one == score(*facts(plain["people"], plain["events"], thousand))
        assert 0 == one[0]

    def test_a_decimal_comma_is_refused_in_the_default_format(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        bad = write(tmp_path, "bad.csv", measures('"0,9"'))
        code, _, err = score(*facts(plain["people"], plain["events"], bad))
        assert 2 == code
        assert "expected a number (got '0,9'); write the decimal separator as a point" in err

    def test_the_vi_format_reads_the_same_ratios(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        vi = write(tmp_path, "vi.csv", measures('"0,9"', two='"2,5"'))
        args = facts(plain["people"], plain["events"], vi)
        assert (0, plain["csv"], plain["err"]) == score(*args, "--number-format", "vi")

    def test_vi_salaries_pay_the_same(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        """``7.020.000`` is refused with the hint, and read in the ``vi`` format (the
        danang-2026 table pays on a month's rating: the run scores January)."""
        point = write(tmp_path, "s1.csv", "subject,salary\nnv001,7020000\nnv002,4000000\n")
        vi = write(tmp_path, "s2.csv", "subject;salary\nnv001;7.020.000\nnv002;4.000.000\n")
        args = [*facts(plain["people"], plain["events"], plain["measures"]), "--period=2026-01"]
        expected = score(*args, "--payout=danang-2026", f"--salaries={point}")
        # January of a quarter's facts: the other months' events are told, not scored.
        told = "kpiscore: note: 2 events outside the period 2026-01 left out\n"
        assert (0, told) == (expected[0], expected[2])
        assert "7020000" in expected[1]
        refused = score(*args, "--payout=danang-2026", f"--salaries={vi}")
        assert 2 == refused[0]
        assert "did you mean number format 'vi' (--number-format vi), where it reads" in refused[2]
        # --number-format applies to every file of the run: the measures are written in it too
        vi_measures = write(tmp_path, "m-vi.csv", measures('"0,9"', two='"2,5"'))
        vi_args = [*facts(plain["people"], plain["events"], vi_measures), "--period=2026-01"]
        vi_args += ["--payout=danang-2026", f"--salaries={vi}", "--number-format=vi"]
        assert expected == score(*vi_args)


class TestEncodingsAndSeparators:
    @pytest.mark.parametrize(
        "office",
        [
            pytest.param(("utf-16", "\t", []), id="utf16-tab"),
            pytest.param(("utf-8-sig", ";", []), id="bom-semicolon"),
            pytest.param(("cp1258", ";", ["--encoding", "cp1258"]), id="cp1258-semicolon"),
            pytest.param(
                ("cp1258", "\t", ["--encoding=cp1258", "--delimiter=tab"]), id="cp1258-tab"
            ),
        ],
    )
    def test_office_files_score_as_the_plain_ones(
        self,
        tmp_path: Path,
        path: str,
        score: Score,
        plain: dict[str, object],
        office: tuple[str, str, list[str]],
    ) -> None:
        encoding, sep, options = office
        files = [
            write(tmp_path, f"office-{kind}.csv", text.replace(",", sep), encoding)
            for kind, text in (("people", PEOPLE), ("events", EVENTS), ("measures", measures()))
        ]
        assert (0, plain["csv"], plain["err"]) == score(*facts(*files), *options)

    def test_cp1258_unnamed_is_refused_alike(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        people = write(tmp_path, "people-cp.csv", PEOPLE, "cp1258")
        code, out, err = score(*facts(people, plain["events"], plain["measures"]))
        assert (2, "") == (code, out)
        assert err.endswith(
            "save it as UTF-8, or give its encoding (encoding='cp1258', --encoding cp1258 for"
            " Windows Vietnamese)\n"
        )

    def test_trailing_empty_columns(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        excel = write(tmp_path, "excel.csv", measures(sep=";", tail=";;"))
        assert (0, plain["csv"], plain["err"]) == score(
            *facts(plain["people"], plain["events"], excel)
        )


class TestOtherColumns:
    def test_people_keep_them(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        rows = PEOPLE.splitlines()
        text = "\n".join([rows[0] + ",ngạch", *(row + ",Chuyên viên" for row in rows[1:])]) + "\n"
        people = write(tmp_path, "people-grade.csv", text)
        assert (0, plain["csv"], plain["err"]) == score(
            *facts(people, plain["events"], plain["measures"])
        )

    def test_events_refuse_them_unless_ignored(
        self, tmp_path: Path, path: str, score: Score, plain: dict[str, object]
    ) -> None:
        rows = EVENTS.splitlines()
        text = "\n".join([rows[0] + ",so_ngay", *(row + ",3" for row in rows[1:])]) + "\n"
        events = write(tmp_path, "events-extra.csv", text)
        args = facts(plain["people"], events, plain["measures"])
        code, _, err = score(*args)
        assert 2 == code
        assert f"{events} line 1, column 6: unknown column 'so_ngay'" in err
        assert "--ignore-columns" in err
        assert (0, plain["csv"], plain["err"]) == score(*args, "--ignore-columns")


def test_every_bad_cell_at_once_with_its_line(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object]
) -> None:
    events = write(
        tmp_path,
        "bad-events.csv",
        "subject,kind,on,quantity,excused\n"
        "nv001,training_absence,2026-02-30,1_7,\n"
        "nv002,,05/01/2026,-1,maybe\n",
    )
    code, _, err = score(*facts(plain["people"], events, plain["measures"]))
    assert 2 == code
    assert [
        f"kpiscore: error: {events}: 5 problems",
        f"  - {events} line 2, column 'on'",
        f"  - {events} line 2, column 'quantity'",
        f"  - {events} line 3, column 'kind'",
        f"  - {events} line 3, column 'quantity'",
        f"  - {events} line 3, column 'excused'",
    ] == [line.split(":")[0] if line.startswith("  -") else line for line in err.splitlines()]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(("2026-01-15,,", "2026-01-15,1,không"), id="blank-quantity-is-one"),
        pytest.param(("15/01/2026,1,no", "2026-01-15,1.0,false"), id="same-day-same-number"),
    ],
)
def test_a_repeated_event_written_otherwise_is_refused_alike(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object], rows: tuple[str, str]
) -> None:
    """Two rows that read as the same event are a duplicate on every path (the fast path
    compared the cells as written, and scored both rows)."""
    header, (first, second) = "subject,kind,on,quantity,excused\n", rows
    events = write(
        tmp_path,
        "events-twice.csv",
        f"{header}nv001,training_absence,{first}\nnv001,training_absence,{second}\n",
    )
    code, out, err = score(*facts(plain["people"], events, plain["measures"]))
    assert (2, "") == (code, out)
    assert f"{events} line 3, column 'subject': event 'training_absence' of subject" in err
    assert f"repeats the event at {events} line 2 (same subject and every field)" in err
    assert (0, "") == score(
        *facts(plain["people"], events, plain["measures"]), "--duplicates", "allow"
    )[::2]


class TestScoreFrame:
    """``score_frame`` over ``pandas.read_csv`` of the files ``kpiscore score`` reads."""

    def test_office_cells_read_as_the_files_read(
        self, tmp_path: Path, score: Score, plain: dict[str, object]
    ) -> None:
        events = write(
            tmp_path,
            "events-office.csv",
            "subject,kind,on,quantity,excused\n"
            "nv001,training_absence,02/02/2026,,không\n"
            "nv002,training_absence,02/03/2026,2,có\n",
        )
        table = score_frame(
            POLICY,
            "2026-Q1",
            pd.read_csv(plain["people"]),
            pd.read_csv(events),
            pd.read_csv(write(tmp_path, "m.csv", measures("90%"))),
        )
        assert plain["csv"] == table.to_csv()
        assert (0, plain["csv"], plain["err"]) == score(
            *facts(plain["people"], events, plain["measures"])
        )

    def test_every_problem_at_once_by_row_label(self, plain: dict[str, object]) -> None:
        events = pd.DataFrame(
            {
                "subject": ["nv001", "nv009", "nv002"],
                "kind": ["training_absence"] * 3,
                "on": ["30/02/2026", "2026-03-02", "2026-03-03"],
                "quantity": [None, "1_7", "1"],
            },
            index=["r10", "r11", "r12"],
        )
        with pytest.raises(InputErrorGroup) as caught:
            score_frame(
                POLICY,
                "2026-Q1",
                pd.read_csv(plain["people"]),
                events,
                pd.read_csv(plain["measures"]),
            )
        said = sorted(str(problem) for problem in caught.value.exceptions)
        assert [
            (
                "events row 'r10': on: '30/02/2026' is not a real date; expected a date as"
                " DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)"
            ),
            (
                "events row 'r11': quantity: expected a number (got '1_7'); '_' is not read in"
                " numbers: write the digits only (17, not 1_7)"
            ),
            "events row 'r11': subject 'nv009' is not in the population scored",
        ] == said


def test_score_frame_keeps_other_people_columns(tmp_path: Path, plain: dict[str, object]) -> None:
    rows = PEOPLE.splitlines()
    text = "\n".join([rows[0] + ",ngạch", *(row + ",Chuyên viên" for row in rows[1:])]) + "\n"
    people = pd.read_csv(write(tmp_path, "people-grade.csv", text))
    table = score_frame(
        POLICY, "2026-Q1", people, pd.read_csv(plain["events"]), pd.read_csv(plain["measures"])
    )
    assert plain["csv"] == table.to_csv()


def test_every_unknown_subject_at_once_with_its_line(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object]
) -> None:
    events = write(
        tmp_path,
        "events-outside.csv",
        "subject,kind,on\nnv009,training_absence,2026-01-05\nnv001,training_absence,2026-01-06\n"
        "nv008,training_absence,2026-01-07\n",
    )
    code, _, err = score(*facts(plain["people"], events, plain["measures"]))
    assert 2 == code
    assert f"{events} line 2, column 'subject': subject 'nv009'" in err
    assert f"{events} line 4, column 'subject': subject 'nv008'" in err


def test_every_missing_measure_at_once(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object]
) -> None:
    text = "".join(
        line + "\n" for line in measures().splitlines() if not line.endswith(("workload,0.9",))
    )
    short = write(tmp_path, "measures-short.csv", text)
    code, _, err = score(*facts(plain["people"], plain["events"], short))
    assert 2 == code
    assert "'workload' of subject 'nv001'" in err
    assert "'workload' of subject 'nv002'" in err


def test_score_frame_refuses_identical_rows_as_the_files_do(plain: dict[str, object]) -> None:
    events = pd.DataFrame(
        {
            "subject": ["nv001", "nv001"],
            "kind": ["training_absence"] * 2,
            "on": ["2026-01-15", "2026-01-15"],
        }
    )
    people, measures = pd.read_csv(plain["people"]), pd.read_csv(plain["measures"])
    # One problem is raised as itself (several come as an InputErrorGroup).
    with pytest.raises(DuplicateEventError) as caught:
        score_frame(POLICY, "2026-Q1", people, events, measures)
    assert str(caught.value) == (
        "events row 1: event 'training_absence' of subject 'nv001' on 2026-01-15 repeats the"
        " event at events row 0 (same subject and every field); expected each event once"
        ' (duplicates="allow" counts both)'
    )
    allowed = score_frame(POLICY, "2026-Q1", people, events, measures, duplicates="allow")
    once = score_frame(POLICY, "2026-Q1", people, events[:1], measures)
    assert allowed.to_csv() != once.to_csv()  # both rows count when allowed


class TestScoreFrameAllAtOnce:
    """Issue 16: ``score_frame`` reports every kind of problem together, in row order, worded
    as the files word them."""

    def test_every_kind_of_problem_in_row_order(self, plain: dict[str, object]) -> None:
        events = pd.DataFrame(
            {
                "subject": ["nv001", "nv001", "nv002", "nv002", "nv009"],
                "kind": ["training_absense", *["training_absence"] * 4],
                "on": ["2026-01-05", "30/02/2026", "2026-01-07", "07/01/2026", "2026-01-08"],
                "quantity": [None, None, "1", None, None],  # blank is 1: e3 repeats e2
            },
            index=["e0", "e1", "e2", "e3", "e4"],
        )
        measures = pd.read_csv(plain["measures"])
        measures.loc[0, "value"] = 90  # 9000 %, for 90 %
        with pytest.raises(InputErrorGroup) as caught:
            score_frame(POLICY, "2026-Q1", pd.read_csv(plain["people"]), events, measures)
        said = [str(problem) for problem in caught.value.exceptions]
        starts = [
            "events row 'e0': event kind 'training_absense' is not known to policy",
            "events row 'e1': on: '30/02/2026' is not a real date",
            (
                "events row 'e3': event 'training_absence' of subject 'nv002' on 2026-01-07"
                " repeats the event at events row 'e2' (same subject and every field)"
            ),
            "events row 'e4': subject 'nv009' is not in the population scored",
            (
                "measures row 0: policy 'university-kpi-example': measure for criterion"
                " 'key_tasks' of subject 'nv001':"
            ),
        ]
        assert len(starts) == len(said), said
        for start, message in zip(starts, said, strict=True):
            assert message.startswith(start), (start, message)
        assert "did you mean 'training_absence'" in said[0]
        assert "did you mean 0.9 (90 %)?" in said[-1]

    def test_duplicates_allowed_counts_both(self, plain: dict[str, object]) -> None:
        events = pd.DataFrame(
            {"subject": ["nv001"] * 2, "kind": ["training_absence"] * 2, "on": ["2026-01-05"] * 2}
        )
        people, measures = pd.read_csv(plain["people"]), pd.read_csv(plain["measures"])
        with pytest.raises(DuplicateEventError):
            score_frame(POLICY, "2026-Q1", people, events, measures)
        twice = score_frame(POLICY, "2026-Q1", people, events, measures, duplicates="allow")
        once = score_frame(POLICY, "2026-Q1", people, events[:1], measures)
        assert twice.totals()[0] < once.totals()[0]  # the second absence costs too

    def test_excused_is_worded_as_in_the_files(
        self, tmp_path: Path, score: Score, plain: dict[str, object]
    ) -> None:
        text = EVENTS.replace(",false\n", ",maybe\n")
        events = write(tmp_path, "events-maybe.csv", text)
        code, _, err = score(*facts(plain["people"], events, plain["measures"]))
        assert 2 == code
        with pytest.raises(InputError) as caught:
            score_frame(
                POLICY,
                "2026-Q1",
                pd.read_csv(plain["people"]),
                pd.read_csv(events),
                pd.read_csv(plain["measures"]),
            )
        said = str(caught.value)
        assert said.startswith("events row 0: excused: expected true or false")
        assert said.removeprefix("events row 0: excused: ") in err

    def test_excels_trailing_empty_columns_are_ignored(
        self, tmp_path: Path, plain: dict[str, object]
    ) -> None:
        def trailing(name: str, text: str) -> Path:
            return write(tmp_path, name, "".join(f"{line},,\n" for line in text.splitlines()))

        people = pd.read_csv(trailing("people-x.csv", PEOPLE))
        events = pd.read_csv(trailing("events-x.csv", EVENTS))
        values = pd.read_csv(trailing("measures-x.csv", measures()))
        assert any(str(column).startswith("Unnamed: ") for column in events.columns)
        table = score_frame(POLICY, "2026-Q1", people, events, values)
        assert plain["csv"] == table.to_csv()

    def test_an_unnamed_column_with_values_is_still_refused_in_events(
        self, plain: dict[str, object]
    ) -> None:
        events = pd.read_csv(plain["events"])
        events["Unnamed: 5"] = ["x", None]
        with pytest.raises(InputError, match=r"events: unknown column\(s\) \['Unnamed: 5'\]"):
            score_frame(
                POLICY,
                "2026-Q1",
                pd.read_csv(plain["people"]),
                events,
                pd.read_csv(plain["measures"]),
            )


def test_every_kind_of_problem_in_one_report_on_every_path(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object]
) -> None:
    """Subjects outside the population, an unknown kind, a repeat, a ratio typed as a
    percentage and a missing measure: one report, the same text on every path."""
    events = write(
        tmp_path,
        "events-bad.csv",
        "subject,kind,on\nnv009,training_absence,2026-01-05\nnv001,training_absense,2026-01-06\n"
        "nv001,training_absence,2026-01-07\nnv001,training_absence,2026-01-07\n"
        "nv008,training_absence,2026-01-08\n",
    )
    text = measures().replace("nv001,research,0.9", "nv001,research,90")
    text = "".join(line + "\n" for line in text.splitlines() if line != "nv002,workload,0.9")
    short = write(tmp_path, "measures-bad.csv", text)
    code, out, err = score(*facts(plain["people"], events, short))
    assert (2, "") == (code, out)
    people = plain["people"]
    assert err.splitlines() == [
        "kpiscore: error: the fact files: 6 problems",
        (
            f"  - {events} line 2, column 'subject': subject 'nv009' is not in the population"
            f" ({people})"
        ),
        (
            f"  - {events} line 6, column 'subject': subject 'nv008' is not in the population"
            f" ({people})"
        ),
        (
            f"  - {events} line 3, column 'kind': event kind 'training_absense' is not known to"
            f" policy {POLICY.id!r}; did you mean 'training_absence'? (known kinds are those of its"
            ' rules and caps and its other_kinds; unknown_kinds="ignore" leaves such events out)'
        ),
        (
            f"  - {events} line 5, column 'subject': event 'training_absence' of subject 'nv001'"
            f" on 2026-01-07 repeats the event at {events} line 4 (same subject and every field);"
            ' expected each event once (duplicates="allow" counts both)'
        ),
        (
            f"  - {short} line 3, column 'value': measure for criterion 'research' of subject"
            " 'nv001': value 90 is above the policy's max_ratio 2 (200 %); did you mean 0.9 (90 %)?"
        ),
        (
            f"  - {people} line 3, column 'id': policy {POLICY.id!r}: no measure for criterion"
            f" 'workload' of subject 'nv002' in {short}; expected a row nv002,workload,<value>"
            " (basis 'ratio'), or a policy with missing='zero' or missing='exclude'"
        ),
    ]


def test_many_subjects_outside_the_population_are_capped(
    tmp_path: Path, path: str, score: Score, plain: dict[str, object]
) -> None:
    """Past the problem cap the report says how many more, on every path."""
    rows = "".join(f"x{n:03},training_absence,2026-01-05\n" for n in range(MAX_PROBLEMS + 7))
    events = write(tmp_path, "events-many.csv", "subject,kind,on\n" + rows)
    code, out, err = score(*facts(plain["people"], events, plain["measures"]))
    assert (2, "") == (code, out)
    total = MAX_PROBLEMS + 7
    assert err.startswith(
        f"kpiscore: error: the fact files: {total} problems (the first {MAX_PROBLEMS} listed,"
        " … and 7 more)\n"
    )
    assert f"  - {events} line 2, column 'subject': subject 'x000' is not in" in err
