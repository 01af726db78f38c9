"""``kpiscore compare``, ``kpiscore test`` and ``kpiscore score --payout``, run in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_files import STAFF, copy_sample, inputs
from kpiscore import policies, score_many
from kpiscore.cli.demo import sample_facts
from kpiscore.io.render import rows_to_csv
from kpiscore.payout import parse_salaries, payout_rows
from kpiscore.variants import Comparison, compare, overlay


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
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


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workforce's CSV files, an overlay file and a salary file, in one folder."""
    folder = copy_sample(tmp_path_factory.mktemp("sample"))
    (folder / "hcm-bands.toml").write_text(
        'name = "HCMC bands"\n[changes]\nbands.HTT.min_points = 75\n', encoding="utf-8"
    )
    (folder / "ht-45.json").write_text(
        json.dumps({"changes": {"bands.HT.min_points": 45}}), encoding="utf-8"
    )
    people = sample_facts()[0]
    (folder / "salaries.csv").write_text(
        "subject,salary\n"
        + "".join(f"{p.id},{7_020_000 + i * 1000}\n" for i, p in enumerate(people)),
        encoding="utf-8",
    )
    return folder


def expected_comparison(*changes: dict[str, object]) -> Comparison:
    people, events, measures = sample_facts()
    base = policies.load(STAFF)
    variant = base
    for change in changes:
        variant = overlay(variant, change)
    return compare(base, variant, "2026-Q1", people, events=events, measures=measures)


class TestCompare:
    def test_the_table(self, sample: Path) -> None:
        result = run("compare", *inputs(sample), "--variant", str(sample / "hcm-bands.toml"))
        expected = expected_comparison({"bands.HTT.min_points": 75})
        lines = result.stdout.splitlines()
        assert (0, "") == (result.returncode, result.stderr)
        assert [
            f"base:    {STAFF} 2026.1 (fingerprint {expected.base.fingerprint[:12]})",
            (
                f"variant: {STAFF} {expected.variant.version} (fingerprint"
                f" {expected.variant.fingerprint[:12]})"
            ),
            (
                "period 2026-Q1 · 300 people · rating up 0 · down 13 · same 287 · totals changed 0"
                " · mean change 0.00"
            ),
            "",
            "Band moves (rows: base rating; columns: variant rating)",
            "base \\ variant  HTXS  HTT  HT  KHT",
            "HTXS              48    0   0    0",
            "HTT                0  212  13    0",
            "HT                 0    0  21    0",
            "KHT                0    0   0    6",
            "",
            "Moved (13 of 300)",
            "subject  name              base  variant  change  rating    moved",
            "nv0005   Nguyễn Hữu Hải   73.27    73.27    0.00  HTT → HT",
        ] == lines[:14]
        assert 26 == len(lines)

    def test_csv_is_the_library_s(self, sample: Path) -> None:
        result = run(
            "compare",
            *inputs(sample),
            "--variant",
            str(sample / "hcm-bands.toml"),
            "--format",
            "csv",
        )
        assert (0, expected_comparison({"bands.HTT.min_points": 75}).to_csv()) == (
            result.returncode,
            result.stdout,
        )

    def test_json_is_the_library_s(self, sample: Path) -> None:
        result = run(
            "compare",
            *inputs(sample),
            "--variant",
            str(sample / "hcm-bands.toml"),
            "--variant",
            str(sample / "ht-45.json"),
            "--format",
            "json",
        )
        expected = expected_comparison({"bands.HTT.min_points": 75}, {"bands.HT.min_points": 45})
        assert (0, expected.to_json(indent=2) + "\n") == (result.returncode, result.stdout)

    def test_a_policy_file_as_the_variant(self, sample: Path) -> None:
        path = sample / "lower.toml"
        path.write_text(
            policies.source(STAFF).replace("min_points = 70", "min_points = 65"), encoding="utf-8"
        )
        result = run("compare", *inputs(sample), "--variant", str(path))
        assert (0, "period 2026-Q1 · 300 people · rating up 13 ·") == (
            result.returncode,
            result.stdout.splitlines()[2][:44],
        )

    def test_csv_to_a_file_with_a_byte_order_mark(self, sample: Path) -> None:
        out = sample / "cmp.csv"
        args = [
            "--variant",
            str(sample / "hcm-bands.toml"),
            "--format",
            "csv",
            "--output",
            str(out),
        ]
        result = run("compare", *inputs(sample), *args)
        assert (0, "") == (result.returncode, result.stdout)
        assert out.read_text(encoding="utf-8").startswith("\ufeffsubject,name,")

    @pytest.mark.parametrize(
        ("variant", "message"),
        [
            pytest.param(
                "hcm-qd20-2024",
                "kpiscore: error: policy 'hcm-qd20-2024': measure for subject 'nv0001' names"
                " criterion 'politics_ethics', which the policy does not have; expected one of"
                " ['competence', 'innovation', 'on_time', 'quality', 'quantity']",
                id="another-policy-the-facts-do-not-fit",
            ),
            pytest.param(
                "missing.toml",
                "kpiscore: error: {folder}/missing.toml: no such file",
                id="missing-file",
            ),
        ],
    )
    def test_errors_are_one_line_and_status_2(
        self, sample: Path, variant: str, message: str
    ) -> None:
        value = variant if "." not in variant else str(sample / variant)
        result = run("compare", *inputs(sample), "--variant", value)
        assert (2, "", [message.format(folder=sample)]) == (
            result.returncode,
            result.stdout,
            result.stderr.splitlines(),
        )

    def test_a_bad_path_names_the_nearest(self, sample: Path) -> None:
        path = sample / "typo.toml"
        path.write_text("[changes]\nbands.HTT.min_point = 75\n", encoding="utf-8")
        result = run("compare", *inputs(sample), "--variant", str(path))
        assert [
            (
                "kpiscore: error: overlay on policy 'vn-nd335-2025-staff': no field"
                " 'bands.HTT.min_point'; the nearest valid path is 'bands.HTT.min_points'"
            )
        ] == result.stderr.splitlines()


CASES = (
    'policy = "university-kpi-example"\nperiod = "2026-Q1"\n'
    '[[case]]\nname = "{name}"\n'
    "measures = {{ key_tasks = 1, research = 1, workload = 1, collaboration = 5 }}\n"
    "expect = {{ total = {total} }}\n"
)


class TestTest:
    def test_passing_cases_exit_0(self, tmp_path: Path) -> None:
        (tmp_path / "a.kpi.toml").write_text(CASES.format(name="full", total=100), encoding="utf-8")
        result = run("test", str(tmp_path))
        assert (0, ["file", "case", "result"], "1 passed, 0 failed") == (
            result.returncode,
            result.stdout.splitlines()[0].split(),
            result.stdout.splitlines()[-1],
        )

    def test_a_failing_case_exits_1_with_figures_and_ledger(self, tmp_path: Path) -> None:
        path = tmp_path / "a.kpi.toml"
        path.write_text(CASES.format(name="wrong", total=99), encoding="utf-8")
        result = run("test", str(path))
        lines = result.stdout.splitlines()
        assert (1, f"{path}  wrong  FAIL") == (result.returncode, lines[1])
        assert [
            f"FAIL {path}: case 1 'wrong'",
            "  policy university-kpi-example v1 · period 2026-Q1 · subject nv001",
            "  figure  expected  actual  result",
            "  total         99  100.00  FAIL",
            "",
            "Ledger:",
            "  Scorecard: nv001 — period 2026-Q1",
        ] == lines[3:10]
        assert "0 passed, 1 failed" == lines[-1]

    def test_an_unreadable_file_exits_2(self, tmp_path: Path) -> None:
        """The run could not start: status 2, not 1, the status of a failed case (19 #10)."""
        path = tmp_path / "a.kpi.toml"
        path.write_text("[[case]]\n", encoding="utf-8")
        result = run("test", str(path))
        assert (2, "0 passed, 0 failed, 1 unreadable files") == (
            result.returncode,
            result.stdout.splitlines()[-1],
        )
        assert f"ERROR {path}: 4 problems" in result.stdout

    def test_an_unknown_policy_exits_2(self, tmp_path: Path) -> None:
        path = tmp_path / "a.kpi.toml"
        path.write_text(
            CASES.format(name="ok", total=100).replace("university-kpi-example", "nope"),
            encoding="utf-8",
        )
        result = run("test", str(path))
        assert (2, True) == (
            result.returncode,
            f"ERROR {path}: policy: no bundled policy 'nope'" in result.stdout,
        )

    def test_a_case_file_the_reader_trips_on_exits_2(self, tmp_path: Path) -> None:
        """A work item without ``due_on`` raised a bare TypeError: a crash, status 1 — the status
        of a failed case (issue 19 #10). Whether the reader reports it or not, it is status 2."""
        path = tmp_path / "a.kpi.toml"
        path.write_text(
            'policy = "vn-nd335-2025-staff"\nperiod = "2026-Q1"\n[[case]]\nname = "w"\n'
            "measures = { politics_ethics = 10, competence = 10, innovation = 10 }\n"
            'work = [{ id = "w1", assigned_on = 2026-01-05 }]\nexpect = { total = 100 }\n',
            encoding="utf-8",
        )
        result = run("test", str(path))
        assert (2, True, False) == (
            result.returncode,
            "due_on" in result.stdout + result.stderr,
            "Traceback" in result.stderr,
        )

    def test_a_failing_and_a_passing_file_exit_1(self, tmp_path: Path) -> None:
        (tmp_path / "a.kpi.toml").write_text(CASES.format(name="ok", total=100), encoding="utf-8")
        (tmp_path / "b.kpi.toml").write_text(CASES.format(name="no", total=9), encoding="utf-8")
        result = run("test", str(tmp_path))
        assert (1, "1 passed, 1 failed") == (result.returncode, result.stdout.splitlines()[-1])

    def test_the_bundled_cases(self) -> None:
        result = run("test", "--bundled")
        assert (0, "30 passed, 0 failed") == (result.returncode, result.stdout.splitlines()[-1])

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param(
                (),
                "kpiscore: error: test: name case files or folders (*.kpi.toml), or pass --bundled",
                id="nothing",
            ),
            pytest.param(
                ("{folder}/none",),
                "kpiscore: error: {folder}/none: no such file or folder",
                id="missing",
            ),
            pytest.param(
                ("{folder}",),
                "kpiscore: error: test: no case files (*.kpi.toml) in {folder}",
                id="empty-folder",
            ),
        ],
    )
    def test_usage_errors_exit_2(self, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
        result = run("test", *(arg.format(folder=tmp_path) for arg in args))
        assert (2, [message.format(folder=tmp_path)]) == (
            result.returncode,
            result.stderr.splitlines(),
        )


def expected_payouts(folder: Path, table: str = "hcm-2024") -> list[dict[str, object]]:
    people, events, measures = sample_facts()
    scores = score_many(policies.load(STAFF), "2026-Q1", people, events=events, measures=measures)
    salaries = parse_salaries((folder / "salaries.csv").read_text(encoding="utf-8"))
    return payout_rows(scores, table, salaries)


class TestScorePayout:
    def test_csv_is_the_payout_rows(self, sample: Path) -> None:
        args = ["--payout", "hcm-2024", "--salaries", str(sample / "salaries.csv")]
        result = run("score", *inputs(sample), *args, "--format", "csv")
        assert (0, rows_to_csv(expected_payouts(sample))) == (result.returncode, result.stdout)

    def test_the_table_has_salary_payout_and_a_total(self, sample: Path) -> None:
        args = ["--payout", "hcm-2024", "--salaries", str(sample / "salaries.csv")]
        result = run("score", *inputs(sample), *args)
        lines = result.stdout.splitlines()
        total = sum(row["payout"] for row in expected_payouts(sample))  # type: ignore[misc]
        assert (
            ["rating", "salary", "payout"],
            ["HTT", "7,021,000", "30,330,720"],
            f"additional income: {total:,} đồng in all · table hcm-2024 · 3 months",
        ) == (lines[0].split()[-3:], lines[2].split()[-3:], lines[-1])

    def test_json_carries_the_payouts(self, sample: Path) -> None:
        args = ["--payout", "hcm-2024", "--salaries", str(sample / "salaries.csv")]
        result = run("score", *inputs(sample), *args, "--format", "json")
        tree = json.loads(result.stdout)
        assert (
            300,
            {
                "subject": "nv0002",
                "salary": "7021000",
                "days_worked": None,
                "days_in_period": None,
                "payout_table": "hcm-2024",
                "payout_months": 3,
                "payout": "30330720",
            },
        ) == (len(tree["scorecards"]), tree["payouts"][1])

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param(
                ("--payout", "hcm-2024"),
                "kpiscore: error: score: --payout needs --salaries too",
                id="payout-alone",
            ),
            pytest.param(
                ("--salaries", "x.csv"),
                "kpiscore: error: score: --salaries needs --payout too",
                id="salaries-alone",
            ),
        ],
    )
    def test_one_without_the_other_is_a_usage_error(
        self, sample: Path, args: tuple[str, ...], message: str
    ) -> None:
        result = run("score", *inputs(sample), *args)
        assert (2, "", message) == (
            result.returncode,
            result.stdout,
            result.stderr.splitlines()[-1],
        )

    @pytest.mark.parametrize(
        ("table", "salaries", "message"),
        [
            pytest.param(
                "danang-2026",
                "salaries.csv",
                "kpiscore: error: payout table 'danang-2026' pays on a month's rating; period"
                " 2026-Q1 is not one calendar month (score each month, or use"
                " PayoutTable.amount_for_months)",
                id="monthly-table-quarter",
            ),
            pytest.param(
                "dn",
                "salaries.csv",
                "kpiscore: error: --payout 'dn': no bundled payout table has that id; expected"
                " one of ['danang-2026', 'hcm-2024'], or the path of a .toml payout table file",
                id="unknown-table",
            ),
            pytest.param(
                "hcm-2024",
                "none.csv",
                "kpiscore: error: {folder}/none.csv: cannot read the salary file (No such file or"
                " directory)",
                id="missing-salaries",
            ),
        ],
    )
    def test_errors_are_one_line_and_status_2(
        self, sample: Path, table: str, salaries: str, message: str
    ) -> None:
        args = ["--payout", table, "--salaries", str(sample / salaries)]
        result = run("score", *inputs(sample), *args)
        assert (2, "", [message.format(folder=sample)]) == (
            result.returncode,
            result.stdout,
            result.stderr.splitlines(),
        )


class TestInProcess:
    """The same commands through ``cli.main`` in this process, so coverage sees them."""

    def test_compare_every_format(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        from kpiscore import cli

        variant = ["--variant", str(sample / "hcm-bands.toml")]
        expected = expected_comparison({"bands.HTT.min_points": 75})
        outputs = []
        for fmt in ("table", "csv", "json"):
            assert 0 == cli.main(["compare", *inputs(sample), *variant, "--format", fmt])
            outputs.append(capsys.readouterr().out)
        assert (
            "Moved (13 of 300)",
            expected.to_csv(),
            expected.to_json(indent=2) + "\n",
        ) == (outputs[0].splitlines()[11], outputs[1], outputs[2])

    def test_compare_to_a_file(self, sample: Path, tmp_path: Path) -> None:
        from kpiscore import cli

        out = tmp_path / "cmp.txt"
        args = ["--variant", STAFF, "--output", str(out)]
        assert 0 == cli.main(["compare", *inputs(sample), *args])
        assert "Moved (0 of 300)" in out.read_text(encoding="utf-8")

    def test_test_pass_fail_and_bundled(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from kpiscore import cli

        (tmp_path / "a.kpi.toml").write_text(CASES.format(name="ok", total=100), encoding="utf-8")
        (tmp_path / "b.kpi.toml").write_text(CASES.format(name="no", total=9), encoding="utf-8")
        (tmp_path / "c.kpi.toml").write_text("[[case]]\n", encoding="utf-8")
        status = cli.main(["test", str(tmp_path), "--bundled", "--lang", "vi"])
        out = capsys.readouterr().out
        # An unreadable file makes the run no verdict: status 2 even though a case failed too.
        assert (2, "31 passed, 1 failed, 1 unreadable files") == (status, out.splitlines()[-1])
        assert "Phiếu đánh giá" in out

    def test_test_a_reader_crash_is_could_not_start(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Whatever escapes the case reader, the status says "could not start", not "failed"."""
        from kpiscore import cli
        from kpiscore.testing import cases

        def crash(paths: object) -> None:
            raise TypeError("WorkItem.__init__() missing 1 required keyword-only argument")

        monkeypatch.setattr(cases, "run_cases", crash)
        assert cli.cases.COULD_NOT_START == 2
        assert 2 == cli.main(["test", str(tmp_path)])
        assert (
            "kpiscore: error: test: the case files could not be run (TypeError: WorkItem.__init__()"
            " missing 1 required keyword-only argument)\n"
        ) == capsys.readouterr().err

    def test_test_the_bundled_cases_pass(self, capsys: pytest.CaptureFixture[str]) -> None:
        from kpiscore import cli

        assert 0 == cli.main(["test", "--bundled"])
        assert capsys.readouterr().out.endswith(" passed, 0 failed\n")

    def test_test_an_empty_folder(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        from kpiscore import cli

        assert 2 == cli.main(["test", str(tmp_path)])
        assert capsys.readouterr().err.startswith("kpiscore: error: test: no case files")

    def test_test_with_nothing_to_run(self, capsys: pytest.CaptureFixture[str]) -> None:
        from kpiscore import cli

        assert 2 == cli.main(["test"])
        assert capsys.readouterr().err.startswith("kpiscore: error: test: name case files")

    def test_score_with_payout_every_format(
        self, sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from kpiscore import cli

        args = [*inputs(sample), "--payout", "hcm-2024", "--salaries", str(sample / "salaries.csv")]
        rows = expected_payouts(sample)
        assert 0 == cli.main(["score", *args])
        table = capsys.readouterr().out
        assert 0 == cli.main(["score", *args, "--format", "csv"])
        csv_text = capsys.readouterr().out
        assert 0 == cli.main(["score", *args, "--format", "json"])
        tree = json.loads(capsys.readouterr().out)
        out = tmp_path / "pay.txt"
        assert 0 == cli.main(["score", *args, "--output", str(out)])
        assert (rows_to_csv(rows), "hcm-2024", table) == (
            csv_text,
            tree["payouts"][0]["payout_table"],
            out.read_text(encoding="utf-8"),
        )

    def test_score_with_a_payout_table_file(
        self, sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from kpiscore import cli, payout

        path = tmp_path / "mine.toml"
        path.write_text(payout.source("hcm-2024"), encoding="utf-8")
        args = [*inputs(sample), "--payout", str(path), "--salaries", str(sample / "salaries.csv")]
        assert 0 == cli.main(["score", *args, "--format", "csv"])
        assert rows_to_csv(expected_payouts(sample)) == capsys.readouterr().out

    def test_payout_without_salaries_is_a_usage_error(self, sample: Path) -> None:
        from kpiscore import cli

        with pytest.raises(SystemExit) as caught:
            cli.main(["score", *inputs(sample), "--payout", "hcm-2024"])
        assert 2 == caught.value.code
