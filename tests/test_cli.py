"""The ``kpiscore`` command, run for real in a subprocess (and in-process for the edge cases)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from cli_files import STAFF, copy_sample, inputs
from kpiscore import cli, policies, score_many
from kpiscore.cli import common
from kpiscore.cli.demo import sample_facts
from kpiscore.cli.terminal import cell_width


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kpiscore ARGS`` (what the ``kpiscore`` script runs), output captured."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "kpiscore", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The bundled sample workforce's CSV files, copied into a folder of their own."""
    return copy_sample(tmp_path)


def expected_table() -> str:
    people, events, measures = sample_facts()
    return score_many(
        policies.load(STAFF), "2026-Q1", people, events=events, measures=measures
    ).to_csv()


class TestPolicies:
    def test_lists_every_bundled_policy(self) -> None:
        result = run("policies")
        ids = [line.split()[0] for line in result.stdout.splitlines()[1:5]]
        assert (0, list(policies.available()), "") == (result.returncode, ids, result.stderr)

    def test_prints_one_policy_file(self) -> None:
        result = run("policies", "hcm-qd20-2024")
        assert (0, policies.source("hcm-qd20-2024")) == (result.returncode, result.stdout)

    def test_an_unknown_id_is_one_line_and_status_2(self) -> None:
        result = run("policies", "nd335")
        assert (2, "", 1) == (result.returncode, result.stdout, len(result.stderr.splitlines()))
        assert result.stderr.startswith("kpiscore: error: no bundled policy 'nd335'")


class TestValidate:
    def test_a_valid_file(self, tmp_path: Path) -> None:
        path = tmp_path / "staff.toml"
        path.write_text(policies.source(STAFF), encoding="utf-8")
        result = run("validate", str(path))
        assert (0, "") == (result.returncode, result.stderr)
        assert result.stdout.startswith(
            f"{path}: valid — policy 'vn-nd335-2025-staff' version '2026.1': 2 categories,"
            " 6 criteria, max 100, 4 bands, 7 caps; fingerprint "
        )

    def test_an_invalid_file_lists_every_problem(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        text = policies.source(STAFF).replace("max_points = 10\n", "max_points = 10\npointz = 1\n")
        path.write_text(text, encoding="utf-8")
        result = run("validate", str(path))
        lines = result.stderr.splitlines()
        assert (2, f"kpiscore: error: {path}: 3 problems", 4) == (
            result.returncode,
            lines[0],
            len(lines),
        )
        assert lines[1] == (
            f"  - {path}: categories.general.criteria.politics_ethics.pointz: unknown key"
            " 'pointz'; expected one of ['awards', 'basis', 'deductions', 'floor', 'id',"
            " 'max_points', 'name', 'overflow', 'ratio_cap', 'reference',"
            " 'reference_vi']"
        )

    def test_several_files_report_each(self, tmp_path: Path) -> None:
        good = tmp_path / "good.toml"
        good.write_text(policies.source(STAFF), encoding="utf-8")
        result = run("validate", str(good), str(tmp_path / "none.toml"), str(tmp_path / "x.json"))
        assert (2, 1) == (result.returncode, len(result.stdout.splitlines()))
        assert [
            f"kpiscore: error: {tmp_path / 'none.toml'}: no such file",
            f"kpiscore: error: {tmp_path / 'x.json'}: no such file",
        ] == result.stderr.splitlines()

    def test_a_long_list_of_problems_is_cut_short(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.json"
        tree = policies.load(STAFF).to_dict()
        tree.update({f"extra{number:02d}": 1 for number in range(30)})
        path.write_text(json.dumps(tree), encoding="utf-8")
        lines = run("validate", str(path)).stderr.splitlines()
        assert (22, "  … and 10 more") == (len(lines), lines[-1])


class TestScore:
    def test_csv_is_the_library_s_csv(self, sample: Path) -> None:
        result = run("score", *inputs(sample), "--format", "csv")
        assert (0, expected_table(), "") == (result.returncode, result.stdout, result.stderr)

    def test_json_is_the_library_s_canonical_json(self, sample: Path) -> None:
        result = run("score", *inputs(sample), "--format", "json")
        people, events, measures = sample_facts()
        table = score_many(
            policies.load(STAFF), "2026-Q1", people, events=events, measures=measures
        )
        assert (0, table.to_json(indent=2) + "\n") == (result.returncode, result.stdout)

    def test_the_table_aligns_vietnamese_text(self, sample: Path) -> None:
        result = run("score", *inputs(sample))
        lines = result.stdout.splitlines()
        header, rows = lines[0], lines[1:301]
        total_end = header.index("total") + len("total")
        # Right-aligned totals end in the same display column on every row, whatever the names.
        assert {total_end} == {cell_width(row[: row.index(" ", total_end - 1)]) for row in rows}

    def test_the_table_ends_with_the_distribution(self, sample: Path) -> None:
        lines = run("score", *inputs(sample)).stdout.splitlines()
        assert "300 people · HTXS 48 · HTT 225 · HT 21 · KHT 6 · mean 83.00" == lines[-1]

    def test_the_worked_example_row(self, sample: Path) -> None:
        lines = run("score", *inputs(sample)).stdout.splitlines()
        assert ("nv0002", ["27.00", "60.67", "87.67", "HTT", "HTT"]) == (
            lines[2].split()[0],
            lines[2].split()[-5:],
        )

    def test_a_terminal_sees_the_fast_path_s_progress(
        self, sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        pytest.importorskip("rich")
        pytest.importorskip("pyarrow")

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        stderr = Terminal()
        monkeypatch.setattr(sys, "stderr", stderr)
        assert 0 == cli.main(["score", *inputs(sample), "--format", "csv"])
        assert "Reading and scoring the CSV files" in stderr.getvalue()
        assert capsys.readouterr().out.startswith("subject,")

    def test_output_to_a_csv_file_has_a_byte_order_mark(self, sample: Path) -> None:
        out = sample / "out.csv"
        result = run("score", *inputs(sample), "--format", "csv", "--output", str(out))
        assert (0, "", "") == (result.returncode, result.stdout, result.stderr)
        assert "\ufeff" + expected_table() == out.read_text(encoding="utf-8")

    def test_output_of_a_table_to_a_file_is_plain_text(self, sample: Path) -> None:
        out = sample / "out.txt"
        run("score", *inputs(sample), "--output", str(out))
        assert out.read_text(encoding="utf-8").startswith("subject  name")

    def test_a_policy_file_instead_of_an_id(self, sample: Path) -> None:
        path = sample / "mine.toml"
        path.write_text(policies.source(STAFF), encoding="utf-8")
        result = run("score", *inputs(sample, str(path)), "--format", "csv")
        assert (0, expected_table()) == (result.returncode, result.stdout)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            pytest.param(
                ("--policy", "nd335"),
                "kpiscore: error: --policy 'nd335': no bundled policy has that id; expected one"
                " of ['hcm-qd20-2024', 'university-kpi-example', 'vn-nd335-2025-leader',"
                " 'vn-nd335-2025-staff'], or the path of a .toml or .json policy file",
                id="unknown-policy",
            ),
            pytest.param(
                ("--period", "2026-Q5"),
                "kpiscore: error: period: cannot read '2026-Q5'; expected 'YYYY-MM', 'YYYY-Qn',"
                " 'YYYY-Hn', 'YYYY' or 'YYYY-MM-DD/YYYY-MM-DD'",
                id="bad-period",
            ),
            pytest.param(
                ("--period", "2025"),
                "kpiscore: error: policy 'vn-nd335-2025-staff': period 2025 is outside the"
                " policy's validity (2026-01-01 to open-ended)",
                id="outside-validity",
            ),
        ],
    )
    def test_errors_are_one_line_and_status_2(
        self, sample: Path, change: tuple[str, str], message: str
    ) -> None:
        args = inputs(sample)
        args[args.index(change[0]) + 1] = change[1]
        result = run("score", *args)
        assert (2, "", [message]) == (
            result.returncode,
            result.stdout,
            result.stderr.splitlines(),
        )

    def test_a_fact_about_someone_outside_the_population_names_its_line(self, sample: Path) -> None:
        with (sample / "events.csv").open("a", encoding="utf-8") as handle:
            handle.write("nv9999,discipline_reprimand,02/02/2026,,\n")
        result = run("score", *inputs(sample))
        expected = (
            f"kpiscore: error: {sample / 'events.csv'} line 6, column 'subject': subject 'nv9999'"
            f" is not in the population ({sample / 'people.csv'})"
        )
        assert [expected] == result.stderr.splitlines()

    def test_a_bad_row_names_the_file_the_line_and_the_column(self, sample: Path) -> None:
        path = sample / "measures.csv"
        path.write_text(
            path.read_text(encoding="utf-8").replace("nv0002,quality,0.875", "nv0002,quality,"),
            encoding="utf-8",
        )
        result = run("score", *inputs(sample))
        assert (2, [f"kpiscore: error: {path} line 12, column 'value': required, but empty"]) == (
            result.returncode,
            result.stderr.splitlines(),
        )

    def test_nothing_is_written_on_error(self, sample: Path) -> None:
        out = sample / "out.csv"
        run("score", *inputs(sample, "nd335"), "--output", str(out))
        assert not out.exists()


class TestExplain:
    def test_explains_one_person_in_vietnamese_by_default(self, sample: Path) -> None:
        result = run("explain", *inputs(sample), "--subject", "nv0002")
        assert (0, "Tổng điểm: 87,67 / 100 — xếp loại HTT (Hoàn thành tốt nhiệm vụ)") == (
            result.returncode,
            result.stdout.splitlines()[2],
        )

    def test_in_english(self, sample: Path) -> None:
        result = run("explain", *inputs(sample), "--subject", "nv0002", "--lang", "en")
        assert "Total: 87.67 / 100 — rating HTT (Good)" == result.stdout.splitlines()[2]

    def test_an_unknown_subject_is_an_error(self, sample: Path) -> None:
        result = run("explain", *inputs(sample), "--subject", "nv9999")
        assert (
            2,
            [f"kpiscore: error: --subject 'nv9999': no person with that id in {sample}/people.csv"],
        ) == (result.returncode, result.stderr.splitlines())


class TestDemo:
    def test_prints_the_distribution_and_explained_scorecards(self) -> None:
        result = run("demo", "--lang", "en")
        lines = result.stdout.splitlines()
        assert (0, "") == (result.returncode, result.stderr)
        assert [
            "HTXS    Excellent          48  16.0 %",
            "HTT     Good              225  75.0 %",
            "HT      Completed          21   7.0 %",
            "KHT     Not completed       6   2.0 %",
        ] == lines[lines.index("Rating distribution") + 2 :][:4]
        assert 3 == sum(line.startswith("Scorecard: ") for line in lines)

    def test_in_vietnamese(self) -> None:
        result = run("demo", "--lang", "vi")
        assert "Phân bố xếp loại" in result.stdout.splitlines()

    def test_vietnamese_is_the_default(self) -> None:
        assert run("demo", "--lang", "vi").stdout == run("demo").stdout

    def test_states_the_quota_and_its_outcome(self) -> None:
        lines = run("demo", "--lang", "en").stdout.splitlines()
        assert [
            (
                "Quota (Decree 335/2025): at most 20 % of 228 people (HTXS, HTT) may be rated HTXS:"
                " 45 of the 48 here."
            ),
            "After the quota: 45 HTXS; 3 moved to HTT (nv0296, nv0046, nv0075).",
        ] == [line for line in lines if line.startswith(("Quota", "After the quota"))]

    def test_write_exports_the_sample_files(self, tmp_path: Path) -> None:
        result = run("demo", "--write", str(tmp_path / "mau"))
        sample = resources.files("kpiscore").joinpath("data/sample")
        assert 0 == result.returncode
        for name in ("people.csv", "events.csv", "measures.csv"):
            assert sample.joinpath(name).read_bytes() == (tmp_path / "mau" / name).read_bytes()
        assert result.stdout.rstrip().endswith(
            f"Đã ghi các tệp mẫu vào {tmp_path / 'mau'}: people.csv, events.csv, measures.csv."
        )


class TestEntryPoint:
    def test_the_installed_script_runs(self) -> None:
        script = shutil.which("kpiscore", path=str(Path(sys.executable).parent))
        if script is None:  # pragma: no cover - an install without scripts
            pytest.skip("the kpiscore script is not installed next to this Python")
        result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
        assert (0, "kpiscore ") == (result.returncode, result.stdout[:9])

    def test_no_command_is_a_usage_error(self) -> None:
        result = run()
        assert (2, True) == (result.returncode, "required: COMMAND" in result.stderr)


class TestInProcess:
    def test_batches_give_the_same_table_as_one_call(
        self, sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(common, "BATCH", 7)
        assert 0 == cli.main(["score", *inputs(sample), "--format", "csv"])
        assert expected_table() == capsys.readouterr().out

    def test_a_duplicate_person_names_both_lines(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with (sample / "people.csv").open("a", encoding="utf-8") as handle:
            handle.write("nv0001,Trùng,,,\n")
        assert 2 == cli.main(["score", *inputs(sample)])
        assert (
            f"kpiscore: error: {sample / 'people.csv'} line 302: person id 'nv0001' appears twice"
            f" (first at {sample / 'people.csv'} line 2); ids must be unique\n"
        ) == capsys.readouterr().err

    def test_an_unwritable_output_is_one_line(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = sample / "missing-folder" / "out.csv"
        assert 2 == cli.main(["score", *inputs(sample), "--format", "csv", "--output", str(out)])
        assert capsys.readouterr().err.startswith(
            f"kpiscore: error: --output '{out}': cannot write the file ("
        )

    def test_measures_may_be_missing_only_if_the_policy_allows(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        args = inputs(sample)
        del args[-2:]
        assert 2 == cli.main(["score", *args])
        err = capsys.readouterr().err
        # Every missing measure at once, each at the line of its person in the people file.
        assert err.startswith("kpiscore: error: the fact files: ")
        assert (
            f"  - {sample / 'people.csv'} line 2, column 'id': policy 'vn-nd335-2025-staff':"
            " no measure for criterion 'politics_ethics' of subject 'nv0001'"
            " (no --measures file given)"
        ) in err

    def test_the_rating_by_score_column_appears_only_when_a_cap_applied(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (sample / "events.csv").write_text("subject,kind,on\n", encoding="utf-8")
        assert 0 == cli.main(["score", *inputs(sample)])
        header = capsys.readouterr().out.splitlines()[0]
        assert header.split() == ["subject", "name", "unit", "general", "task", "total", "rating"]

    def test_carried_points_get_a_column(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        people = "id,name\nnv0001,Lê Thị Hoa\n"
        (sample / "people.csv").write_text(people, encoding="utf-8")
        events = "subject,kind,on\n" + "".join(
            f"nv0001,work_rule_violation,{day:02}/02/2026\n" for day in range(5, 12)
        )
        (sample / "events.csv").write_text(events, encoding="utf-8")
        measures = "subject,criterion,value\n" + "".join(
            f"nv0001,{c},{v}\n"
            for c, v in [
                ("competence", 10),
                ("innovation", 10),
                ("quantity", 1),
                ("quality", 1),
                ("on_time", 1),
            ]
        )
        (sample / "measures.csv").write_text(measures, encoding="utf-8")
        assert 0 == cli.main(["score", *inputs(sample, "hcm-qd20-2024")])
        lines = capsys.readouterr().out.splitlines()
        assert (["carried", "total", "rating"], ["-4.00", "86.00", "HTT"]) == (
            lines[0].split()[-3:],
            lines[1].split()[-3:],
        )


class TestCommandsInProcess:
    """The same commands through ``cli.main``, so coverage sees them (the subprocess runs above
    are the real thing)."""

    def test_policies(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == cli.main(["policies"])
        assert capsys.readouterr().out.splitlines()[1].startswith("hcm-qd20-2024")

    def test_policies_with_an_id(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == cli.main(["policies", STAFF])
        assert policies.source(STAFF) == capsys.readouterr().out

    def test_validate(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
        good.write_text(policies.source(STAFF), encoding="utf-8")
        bad.write_text('id = "x"\n', encoding="utf-8")
        assert 2 == cli.main(["validate", str(good), str(bad)])
        captured = capsys.readouterr()
        assert (
            1,
            f"kpiscore: error: {bad}: policy: missing required key(s) 'name' and 'categories'\n",
        ) == (len(captured.out.splitlines()), captured.err)

    @pytest.mark.parametrize("fmt", ["table", "json"])
    def test_score_to_stdout(
        self, sample: Path, fmt: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert 0 == cli.main(["score", *inputs(sample), "--format", fmt])
        assert "nv0300" in capsys.readouterr().out

    def test_score_a_table_to_a_file(self, sample: Path) -> None:
        out = sample / "out.txt"
        assert 0 == cli.main(["score", *inputs(sample), "--output", str(out)])
        assert out.read_text(encoding="utf-8").endswith("KHT 6 · mean 83.00\n")

    def test_a_policy_file(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = sample / "policy.json"
        path.write_text(json.dumps(policies.load(STAFF).to_dict()), encoding="utf-8")
        assert 0 == cli.main(["score", *inputs(sample, str(path)), "--format", "csv"])
        assert expected_table() == capsys.readouterr().out

    def test_explain(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == cli.main(["explain", *inputs(sample), "--subject", "nv0063", "--lang", "en"])
        assert "rating by score: HTT (Good) → KHT (Not completed)" in capsys.readouterr().out

    def test_explain_an_unknown_subject(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert 2 == cli.main(["explain", *inputs(sample), "--subject", "nv9999"])
        assert "no person with that id" in capsys.readouterr().err

    def test_demo(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == cli.main(["demo", "--lang", "vi"])
        assert capsys.readouterr().out.startswith("kpiscore — chạy thử\n")

    def test_several_facts_outside_the_population(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (sample / "events.csv").write_text(
            "subject,kind,on\nnv9998,a,2026-01-05\nnv9999,a,2026-01-05\nx,a,2026-01-05\n",
            encoding="utf-8",
        )
        assert 2 == cli.main(["score", *inputs(sample)])
        err = capsys.readouterr().err
        # Each one at its line, in one report with the unknown kind 'a'.
        assert err.startswith("kpiscore: error: the fact files: 4 problems\n")
        for line, subject in ((2, "nv9998"), (3, "nv9999"), (4, "x")):
            assert (
                f"  - {sample / 'events.csv'} line {line}, column 'subject': subject {subject!r}"
                f" is not in the population ({sample / 'people.csv'})\n"
            ) in err
        assert f"  - {sample / 'events.csv'} line 2, column 'kind' (and 2 more events):" in err


class TestRegistration:
    def test_every_command_registers_in_help_order(self) -> None:
        """These commands, in this order (other modules may register more between them)."""
        import argparse

        parser = cli.build_parser()
        (subparsers,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert [
            "policies",
            "validate",
            "score",
            "explain",
            "compare",
            "test",
            "demo",
            "run",
            "rollup",
            "quota",
            "payout",
            "serve",
        ] == list(subparsers.choices)

    @pytest.mark.parametrize(
        "argv",
        [["policies"], ["validate", "x.toml"], ["test"], ["demo"], ["serve"]],
        ids=lambda argv: argv[0],
    )
    def test_each_command_sets_its_handler(self, argv: list[str]) -> None:
        args = cli.build_parser().parse_args(argv)
        assert callable(args.func)
