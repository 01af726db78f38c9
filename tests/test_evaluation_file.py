"""Evaluation files: strict keys with their paths, the files they name, and the command line."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from kpiscore import Evaluation, FileFormatError
from kpiscore.cli import main

DATA = Path(__file__).parent / "data" / "evaluation"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class TestLoading:
    def test_the_department_file_loads_and_runs(self) -> None:
        result = Evaluation.load(DATA / "evaluation.toml").run()
        assert 11 == len(result.year)
        assert {"HTXS": 1, "HTT": 9, "HT": 0, "KHT": 1} == result.year.distribution()
        assert Decimal("292272000") == sum(row["payout"] for row in result.payout or [])

    def test_extra_people_columns_are_kept(self) -> None:
        evaluation = Evaluation.load(DATA / "evaluation.toml")
        by_id = {m.id: m for m in evaluation.people}
        assert ("tp01", "A1") == (by_id["nv01"].manager, by_id["nv01"].attribute("grade"))

    @pytest.mark.parametrize(
        ("old", "new", "path", "message"),
        [
            pytest.param(
                "share = 0.20", "shares = 0.20", "quota.shares", "unknown key", id="quota"
            ),
            pytest.param(
                'at_least = "HT"',
                'at_least = "HT"\nlevel = 2',
                "leaders.level",
                "unknown key",
                id="leaders",
            ),
            pytest.param(
                'every = "quarter"',
                'every = "quarter"\nyear = 2026',
                "year",
                "unknown key",
                id="top",
            ),
            pytest.param(
                "from = 2026-07-01",
                "from = 2026-07-01\nto = 2026-12-31",
                "assign[0].to",
                "unknown key",
                id="assign",
            ),
            pytest.param(
                'when = { id = ["nv02"] }',
                'when = { rank = ["nv02"] }',
                "assign[0].when.rank",
                "unknown attribute",
                id="when",
            ),
            pytest.param(
                'salaries = "salaries.csv"',
                'salaries = "salaries.csv"\nmonths = 12',
                "payout.months",
                "unknown key",
                id="payout",
            ),
            pytest.param(
                'every = "quarter"',
                'every = "week"',
                "every",
                "expected 'month' or 'quarter'",
                id="every",
            ),
            pytest.param(
                'leave = "leave.csv"',
                'leave = "nowhere.csv"',
                "leave",
                "no such file",
                id="missing-file",
            ),
            pytest.param(
                'policy = "vn-nd335-2025-staff"',
                'policy = "vn-nd999"',
                "assign[2].policy",
                "vn-nd999",
                id="unknown-policy",
            ),
        ],
    )
    def test_a_bad_key_is_named_with_its_path(
        self, folder: Path, old: str, new: str, path: str, message: str
    ) -> None:
        replace(folder / "evaluation.toml", old, new)
        with pytest.raises(FileFormatError) as caught:
            Evaluation.load(folder / "evaluation.toml")
        text = str(caught.value)
        assert text.startswith(f"{folder / 'evaluation.toml'}: {path}: "), text
        assert message in text
        assert f"{folder / 'evaluation.toml'}:{path}" == caught.value.path

    def test_several_unknown_keys_are_reported_together(self, folder: Path) -> None:
        replace(folder / "evaluation.toml", "share = 0.20", 'shares = 0.20\nbases = "next"')
        with pytest.raises(FileFormatError) as caught:
            Evaluation.load(folder / "evaluation.toml")
        assert "quota.shares" in str(caught.value)
        assert "quota.bases" in str(caught.value)

    def test_a_bad_people_row_names_the_line_and_column(self, folder: Path) -> None:
        replace(
            folder / "people.csv",
            "nv08,Phan Thị Oanh,Phòng Kế hoạch,chuyên môn,Chuyên viên,tp02",
            "nv08,Phan Thị Oanh,Phòng Kế hoạch,chuyên môn,Chuyên viên,tp99",
        )
        with pytest.raises(FileFormatError) as caught:
            Evaluation.load(folder / "evaluation.toml")
        assert "people.csv line 12, column 'manager': 'tp99' is not the id of anyone" in str(
            caught.value
        )

    def test_a_bad_leave_reason(self, folder: Path) -> None:
        replace(folder / "leave.csv", "maternity", "holiday")
        with pytest.raises(FileFormatError, match=r"leave.csv line 2, column 'reason': expected"):
            Evaluation.load(folder / "evaluation.toml")

    def test_measures_by_period_table(self, folder: Path) -> None:
        rows = (folder / "measures.csv").read_text(encoding="utf-8").splitlines()[1:]
        for q in (1, 2, 3, 4):
            mine = [r.split(",", 1)[1] for r in rows if r.startswith(f"2026-Q{q},")]
            (folder / f"q{q}.csv").write_text(
                "subject,criterion,value\n" + "\n".join(mine) + "\n", encoding="utf-8"
            )
        replace(
            folder / "evaluation.toml",
            'measures = "measures.csv"',
            'measures = { "2026-Q1" = "q1.csv", "2026-Q2" = "q2.csv", "2026-Q3" = "q3.csv",'
            ' "2026-Q4" = "q4.csv" }',
        )
        result = Evaluation.load(folder / "evaluation.toml").run()
        assert Decimal("95.54") == result.year_before_quota["tp02"].total

    def test_approvals_become_events(self, folder: Path) -> None:
        (folder / "approvals.csv").write_text(
            "item,subject,approver,submitted,approved\ncv-7,nv01,tp01,12/02/2026,02/03/2026\n",
            encoding="utf-8",
        )
        replace(
            folder / "evaluation.toml",
            'leave = "leave.csv"',
            'leave = "leave.csv"\napprovals = "approvals.csv"',
        )
        evaluation = Evaluation.load(folder / "evaluation.toml")
        assert [] == [e for e in evaluation.events if e.kind == "late_approval"]
        late = list(evaluation.approvals)
        assert [("tp01", "cv-7", Decimal(2))] == [(e.subject, e.ref, e.quantity) for e in late]


class TestCommandLine:
    def test_run_writes_the_files_and_prints_a_summary(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = folder / "out"
        assert 0 == main(["run", str(folder / "evaluation.toml"), "--output", str(out)])
        printed = capsys.readouterr().out
        assert "year, after the quota (3 moved down): HTXS 1, HTT 9, HT 0, KHT 1" in printed
        assert "payout (danang-2026): 11 people, 292,272,000 đồng" in printed
        assert len(printed.splitlines()) <= 24
        year = (out / "year.csv").read_text(encoding="utf-8-sig").splitlines()
        assert year[0] == (
            "subject,name,unit,policy,2026-Q1,2026-Q2,2026-Q3,2026-Q4,total,rating_by_score,"
            "rating,payout"
        )
        assert {"2026-Q1.csv", "2026-Q4.csv", "payout.csv", "year.csv", "explanations"} <= {
            p.name for p in out.iterdir()
        }
        assert "Mức" not in (out / "explanations" / "tp02.txt").read_text(encoding="utf-8")
        assert "nv04@2026-Q1" in (out / "explanations" / "tp02.txt").read_text(encoding="utf-8")

    def test_run_reports_an_error_in_one_line(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        replace(folder / "evaluation.toml", "share = 0.20", "shares = 0.20")
        assert 2 == main(["run", str(folder / "evaluation.toml"), "--output", str(folder / "o")])
        assert capsys.readouterr().err.startswith("kpiscore: error: ")
        assert not (folder / "o").exists()

    def test_run_refuses_an_unknown_kind_unless_told_to_ignore_it(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with (folder / "events.csv").open("a", encoding="utf-8") as events:
            events.write("nv03,discipline_reprimnd,05/02/2026,,\n")
        file = str(folder / "evaluation.toml")
        assert 2 == main(["run", file, "--output", str(folder / "o")])
        err = capsys.readouterr().err
        assert "event kind 'discipline_reprimnd' is not known" in err
        assert "did you mean 'discipline_reprimand'" in err
        assert not (folder / "o").exists()
        assert 0 == main(["run", file, "--output", str(folder / "o"), "--unknown-kinds", "ignore"])
        assert "year, after the quota" in capsys.readouterr().out

    def test_run_refuses_a_repeated_event_unless_told_to_allow_it(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = folder / "events.csv"
        first = events.read_text(encoding="utf-8").splitlines()[1]
        with events.open("a", encoding="utf-8") as file:
            file.write(first + "\n")
        evaluation = str(folder / "evaluation.toml")
        assert 2 == main(["run", evaluation, "--output", str(folder / "o")])
        assert "QĐ-15/2026" in capsys.readouterr().err
        out = folder / "o"
        assert 0 == main(["run", evaluation, "--output", str(out), "--duplicates", "allow"])
        capsys.readouterr()

    def test_run_names_the_file_and_line_of_a_fact_problem(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = folder / "events.csv"
        lines = events.read_text(encoding="utf-8").splitlines()
        with events.open("a", encoding="utf-8") as file:
            file.write("nv03,discipline_reprimnd,05/02/2026,,\n")
            file.write(lines[1] + "\n")
        evaluation = str(folder / "evaluation.toml")
        assert 2 == main(["run", evaluation, "--output", str(folder / "o")])
        err = capsys.readouterr().err
        unknown, repeated = len(lines) + 1, len(lines) + 2
        assert f"evaluation: {events} line {unknown}: event kind 'discipline_reprimnd'" in err
        assert f"evaluation: {events} line {repeated}: " in err
        assert f"{events} line 2" in err  # the first of the repeated pair
        assert "events[" not in err

    def test_run_names_the_line_of_an_event_about_someone_unknown(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = folder / "events.csv"
        count = len(events.read_text(encoding="utf-8").splitlines())
        with events.open("a", encoding="utf-8") as file:
            file.write("nv99,discipline_reprimand,05/02/2026,,\n")
        assert 2 == main(["run", str(folder / "evaluation.toml"), "--output", str(folder / "o")])
        assert f"({events} line {count + 1}) names 'nv99'" in capsys.readouterr().err

    @pytest.mark.parametrize("key", ['unknown_kinds = "ignore"', 'duplicates = "allow"'])
    def test_the_file_cannot_turn_the_checks_off(
        self, folder: Path, key: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        replace(
            folder / "evaluation.toml", 'events = "events.csv"', f'events = "events.csv"\n{key}'
        )
        assert 2 == main(["run", str(folder / "evaluation.toml"), "--output", str(folder / "o")])
        err = capsys.readouterr().err
        assert f"{key.split(maxsplit=1)[0]}: unknown key" in err

    def test_the_steps_give_what_run_gives_for_staff(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        staff = ["nv01", "nv05", "nv06", "nv07", "nv04", "nv08"]
        (folder / "staff.csv").write_text(
            "id,unit\n"
            + "".join(
                f"{s},{'Phòng Tổ chức' if s in ('nv01', 'nv05', 'nv06', 'nv07') else 'KH'}\n"
                for s in staff
            ),
            encoding="utf-8",
        )
        rows = (folder / "measures.csv").read_text(encoding="utf-8").splitlines()[1:]
        files = []
        for q in (1, 2, 3, 4):
            mine = [
                r.split(",", 1)[1]
                for r in rows
                if r.startswith(f"2026-Q{q},") and r.split(",")[1] in staff
            ]
            (folder / f"q{q}.csv").write_text(
                "subject,criterion,value\n" + "\n".join(mine) + "\n", encoding="utf-8"
            )
            files.append(str(folder / f"q{q}.json"))
            assert 0 == main(
                [
                    "score",
                    "--policy",
                    "vn-nd335-2025-staff",
                    "--period",
                    f"2026-Q{q}",
                    "--people",
                    str(folder / "staff.csv"),
                    "--measures",
                    str(folder / f"q{q}.csv"),
                    "--format",
                    "json",
                    "--output",
                    files[-1],
                ]
            )
        year, after = folder / "year.json", folder / "after.json"
        assert 0 == main(["rollup", *files, "--period", "2026", "--output", str(year)])
        tree = json.loads(year.read_text(encoding="utf-8"))
        assert {"nv01": "95.38", "nv04": "77.00"} == {
            r["subject"]: r["total"] for r in tree["rollups"] if r["subject"] in ("nv01", "nv04")
        }
        assert 0 == main(["quota", str(year), "--group-by", "unit", "--output", str(after)])
        ratings = {
            r["subject"]: r["rating"]
            for r in json.loads(after.read_text(encoding="utf-8"))["rollups"]
        }
        # Phòng Tổ chức staff: nv01 HTXS, N = 3: k = 1 needs 1 <= floor(0.2 x 3) = 0.
        assert "HTT" == ratings["nv01"]
        (folder / "staff-salaries.csv").write_text(
            "subject,salary\n" + "".join(f"{s},6000000\n" for s in staff), encoding="utf-8"
        )
        capsys.readouterr()
        assert 0 == main(
            [
                "payout",
                str(after),
                "--table",
                "danang-2026",
                "--salaries",
                str(folder / "staff-salaries.csv"),
            ]
        )
        captured = capsys.readouterr()
        # Six HTT at 0.3 x 6,000,000 = 1,800,000 a month, for 12 months.
        assert "payout: 6 people, 129,600,000 đồng" in captured.err
        assert captured.out.splitlines()[1].endswith(",danang-2026,12,21600000")

    def test_score_warns_on_a_year(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        (folder / "one.csv").write_text("id\nnv01\n", encoding="utf-8")
        (folder / "m.csv").write_text(
            "subject,criterion,value\n"
            + "".join(
                f"nv01,{c},1\n"
                for c in (
                    "politics_ethics",
                    "competence",
                    "innovation",
                    "quantity",
                    "quality",
                    "on_time",
                )
            ),
            encoding="utf-8",
        )
        assert 0 == main(
            [
                "score",
                "--policy",
                "vn-nd335-2025-staff",
                "--period",
                "2026",
                "--people",
                str(folder / "one.csv"),
                "--measures",
                str(folder / "m.csv"),
                "--format",
                "csv",
            ]
        )
        err = capsys.readouterr().err
        assert "kpiscore: warning: 2026 is scored as one period" in err
        assert "`kpiscore rollup`" in err
        assert "`kpiscore run`" in err

    def test_score_does_not_warn_on_a_quarter(
        self, folder: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (folder / "one.csv").write_text("id\nnv01\n", encoding="utf-8")
        (folder / "m.csv").write_text(
            "subject,criterion,value\n"
            + "".join(
                f"nv01,{c},1\n"
                for c in (
                    "politics_ethics",
                    "competence",
                    "innovation",
                    "quantity",
                    "quality",
                    "on_time",
                )
            ),
            encoding="utf-8",
        )
        assert 0 == main(
            [
                "score",
                "--policy",
                "vn-nd335-2025-staff",
                "--period",
                "2026-Q1",
                "--people",
                str(folder / "one.csv"),
                "--measures",
                str(folder / "m.csv"),
                "--format",
                "csv",
            ]
        )
        assert "warning" not in capsys.readouterr().err


def test_rollup_step_joins_one_quarters_files_of_two_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measures = "".join(
        f"{s},{c},1\n"
        for s in ("nv", "tp")
        for c in ("politics_ethics", "competence", "innovation", "quantity", "quality", "on_time")
    )
    (tmp_path / "m.csv").write_text("subject,criterion,value\n" + measures, encoding="utf-8")
    (tmp_path / "nv.csv").write_text("id\nnv\n", encoding="utf-8")
    (tmp_path / "tp.csv").write_text("id\ntp\n", encoding="utf-8")
    (tmp_path / "both.csv").write_text("id\nnv\ntp\n", encoding="utf-8")
    files = []
    for who, policy in (("nv", "staff"), ("tp", "leader"), ("both", "staff")):
        (tmp_path / f"m-{who}.csv").write_text(
            "subject,criterion,value\n"
            + "".join(line + "\n" for line in measures.splitlines() if who in ("both", line[:2])),
            encoding="utf-8",
        )
        files.append(str(tmp_path / f"{who}.json"))
        assert 0 == main(
            [
                "score",
                "--policy",
                f"vn-nd335-2025-{policy}",
                "--period",
                "2026-Q1",
                "--people",
                str(tmp_path / f"{who}.csv"),
                "--measures",
                str(tmp_path / f"m-{who}.csv"),
                "--format",
                "json",
                "--output",
                files[-1],
            ]
        )
    assert 0 == main(["rollup", files[0], files[1], "--period", "2026", "--format", "csv"])
    out = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in out[1:]] == ["nv", "tp"]
    assert 2 == main(["rollup", files[0], files[2], "--period", "2026"])
    assert "['nv'] are scored twice for 2026-Q1" in capsys.readouterr().err


class TestNumberFormat:
    """``number_format = "vi"`` (the file's key, or ``Evaluation.load``'s argument) reads the
    files it names as Vietnamese offices write numbers: ``0,9`` and ``7.020.000``."""

    @staticmethod
    def to_vi(folder: Path) -> None:
        for name in ("measures.csv", "salaries.csv"):
            path = folder / name
            lines = path.read_text(encoding="utf-8").splitlines()
            vi = [lines[0]]
            for line in lines[1:]:
                head, _, value = line.rpartition(",")
                if "." in value:
                    value = f'"{value.replace(".", ",")}"'
                elif len(value) > 3:
                    value = f"{int(value):,}".replace(",", ".")
                vi.append(f"{head},{value}")
            path.write_text("\n".join(vi) + "\n", encoding="utf-8")

    def test_the_key_and_the_argument_read_the_vi_format(self, folder: Path) -> None:
        expected = Evaluation.load(folder / "evaluation.toml").run()
        self.to_vi(folder)
        assert "7.020.000" in (folder / "salaries.csv").read_text(encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            Evaluation.load(folder / "evaluation.toml")
        assert "or read the file with number format 'vi'" in str(caught.value)
        by_argument = Evaluation.load(folder / "evaluation.toml", number_format="vi").run()
        assert expected.payout is not None
        assert by_argument.payout is not None
        assert list(expected.payout) == list(by_argument.payout)
        replace(
            folder / "evaluation.toml",
            'every = "quarter"',
            'every = "quarter"\nnumber_format = "vi"',
        )
        by_key = Evaluation.load(folder / "evaluation.toml").run()
        assert by_key.payout is not None
        assert list(expected.payout) == list(by_key.payout)
        assert expected.year.to_csv() == by_key.year.to_csv()

    def test_a_wrong_number_format_names_the_key(self, folder: Path) -> None:
        replace(
            folder / "evaluation.toml",
            'every = "quarter"',
            'every = "quarter"\nnumber_format = "fr"',
        )
        with pytest.raises(FileFormatError, match="number_format") as caught:
            Evaluation.load(folder / "evaluation.toml")
        assert "'fr'" in str(caught.value)
