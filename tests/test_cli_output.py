"""``--output``: never one of the inputs, and written in one piece (issue 19 #4, command side)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_files import STAFF, copy_sample, inputs
from kpiscore import (
    ScoreTable,
    cli,
    load_events,
    load_measures,
    load_people,
    policies,
    score_many,
)

PREVIOUS = "the previous results\n"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The bundled sample workforce's CSV files, copied into a folder of their own."""
    return copy_sample(tmp_path)


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


class TestAnInputIsNeverTheOutput:
    @pytest.mark.parametrize("name", ["people.csv", "events.csv", "measures.csv"])
    def test_score_refuses_a_fact_file(
        self, sample: Path, name: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = contents(sample)
        out = sample / name
        status = cli.main(["score", *inputs(sample), "--format", "csv", "--output", str(out)])
        option = "--" + name.removesuffix(".csv")
        assert (
            2,
            (
                f"kpiscore: error: --output {str(out)!r} is the same file as {option}"
                f" {str(out)!r}; writing the results there would destroy an input: choose"
                " another output file\n"
            ),
            before,
        ) == (status, capsys.readouterr().err, contents(sample))

    def test_the_same_file_by_another_name(
        self, sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.chdir(sample)
        before = contents(sample)
        args = ["score", *inputs(sample), "--output", "./sub/../people.csv"]
        (sample / "sub").mkdir()
        assert 2 == cli.main(args)
        assert "is the same file as --people" in capsys.readouterr().err
        assert before == contents(sample)

    @pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links here")
    def test_a_hard_link_to_an_input(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        link = sample / "linked.csv"
        os.link(sample / "measures.csv", link)
        before = contents(sample)
        assert 2 == cli.main(["score", *inputs(sample), "--output", str(link)])
        assert "is the same file as --measures" in capsys.readouterr().err
        assert before == contents(sample)

    def test_a_policy_file(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        policy = sample / "policy.toml"
        policy.write_text(policies.source(STAFF), encoding="utf-8")
        before = contents(sample)
        args = ["score", *inputs(sample, str(policy)), "--output", str(policy)]
        assert 2 == cli.main(args)
        assert "is the same file as --policy" in capsys.readouterr().err
        assert before == contents(sample)

    def test_the_salaries_of_a_payout(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        salaries = sample / "salaries.csv"
        salaries.write_text("subject,salary\nnv0001,5000000\n", encoding="utf-8")
        before = contents(sample)
        pay = ["--payout", "hcm-2024", "--salaries", str(salaries), "--output", str(salaries)]
        assert 2 == cli.main(["score", *inputs(sample), *pay])
        assert "is the same file as --salaries" in capsys.readouterr().err
        assert before == contents(sample)

    @pytest.mark.parametrize("name", ["people.csv", "variant.toml"])
    def test_compare_refuses_an_input(
        self, sample: Path, name: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (sample / "variant.toml").write_text(
            '[changes]\n"bands.HTT.min_points" = 75\n', encoding="utf-8"
        )
        before = contents(sample)
        args = ["--variant", str(sample / "variant.toml"), "--output", str(sample / name)]
        assert 2 == cli.main(["compare", *inputs(sample), *args])
        assert "is the same file as --" in capsys.readouterr().err
        assert before == contents(sample)

    def test_a_bundled_id_is_no_file(self, sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``--policy vn-nd335-2025-staff`` names no file: an output of that name is fine."""
        monkeypatch.chdir(sample)
        assert 0 == cli.main(["score", *inputs(sample), "--output", STAFF])
        assert (sample / STAFF).read_text(encoding="utf-8").startswith("subject")


class TestTheOutputIsWrittenInOnePiece:
    def test_a_full_disk_leaves_the_previous_file(
        self, sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = sample / "out.csv"
        out.write_text(PREVIOUS, encoding="utf-8")

        def full(descriptor: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", full)
        status = cli.main(["score", *inputs(sample), "--format", "csv", "--output", str(out)])
        assert (2, PREVIOUS, ["out.csv"]) == (
            status,
            out.read_text(encoding="utf-8"),
            sorted(path.name for path in sample.iterdir() if "out" in path.name),
        )
        assert capsys.readouterr().err.startswith(
            f"kpiscore: error: --output {str(out)!r}: cannot write the file ("
        )

    def test_a_kill_mid_write_leaves_the_previous_file(self, sample: Path) -> None:
        """The process is killed (SIGKILL: no cleanup runs) after the data is written to disk
        and before it takes the output's name: the previous results are still there, whole."""
        out = sample / "out.csv"
        out.write_text(PREVIOUS, encoding="utf-8")
        code = (
            "import os, signal, sys\n"
            "from kpiscore.cli import main\n"
            "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
            "sys.exit(main(sys.argv[1:]))\n"
        )
        args = ["score", *inputs(sample), "--format", "csv", "--output", str(out)]
        result = subprocess.run([sys.executable, "-c", code, *args], check=False)
        assert (True, PREVIOUS) == (result.returncode != 0, out.read_text(encoding="utf-8"))

    def test_the_file_is_replaced_whole(self, sample: Path) -> None:
        out = sample / "out.csv"
        out.write_text(PREVIOUS, encoding="utf-8")
        assert 0 == cli.main(["score", *inputs(sample), "--format", "csv", "--output", str(out)])
        text = out.read_text(encoding="utf-8-sig")
        assert (True, 301) == (text.startswith("subject,"), len(text.splitlines()))
        assert ["events.csv", "measures.csv", "out.csv", "people.csv"] == sorted(
            path.name for path in sample.iterdir()
        )


class TestTheStepCommands:
    """``kpiscore rollup`` and ``quota`` write ``--output`` whole, never over an input."""

    @pytest.fixture
    def scored(self, sample: Path) -> Path:
        out = sample / "2026-Q1.json"
        assert 0 == cli.main(["score", *inputs(sample), "--format", "json", "--output", str(out)])
        return out

    @pytest.mark.parametrize(
        "command",
        [["rollup", "--period", "2026-Q1"], ["quota"]],
        ids=["rollup", "quota"],
    )
    def test_an_input_is_refused(
        self, scored: Path, command: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = scored.read_bytes()
        capsys.readouterr()
        status = cli.main([*command, str(scored), "--output", str(scored)])
        assert (
            2,
            (
                f"kpiscore: error: output {str(scored)!r}: is the same file as the input"
                f" {str(scored)!r}; refusing to overwrite an input (choose another output path)"
            ),
        ) == (status, capsys.readouterr().err.strip())
        assert before == scored.read_bytes()

    def test_a_new_file_is_written(self, scored: Path, sample: Path) -> None:
        out = sample / "after-quota.json"
        assert 0 == cli.main(["quota", str(scored), "--output", str(out)])
        assert out.read_text(encoding="utf-8").startswith("{")
        assert [] == [p.name for p in sample.iterdir() if p.name.startswith(".")]


class TestTheFormatFollowsTheOutput:
    """Without ``--format``, ``--output``'s ending chooses: ``ket-qua.csv`` is CSV, not a table."""

    def test_a_csv_output_is_csv(self, sample: Path) -> None:
        out = sample / "ket-qua.csv"
        assert 0 == cli.main(["score", *inputs(sample), "--output", str(out)])
        table = kpiscore_table(sample)
        assert "\ufeff" + table.to_csv() == out.read_text(encoding="utf-8")

    def test_a_json_output_is_json(self, sample: Path) -> None:
        out = sample / "ket-qua.json"
        assert 0 == cli.main(["score", *inputs(sample), "--output", str(out)])
        assert kpiscore_table(sample).to_json(indent=2) + "\n" == out.read_text(encoding="utf-8")

    def test_an_explicit_format_wins(self, sample: Path) -> None:
        out = sample / "ket-qua.csv"
        assert 0 == cli.main(["score", *inputs(sample), "--format", "json", "--output", str(out)])
        assert out.read_text(encoding="utf-8").startswith("{")

    def test_an_xlsx_output_is_a_workbook(self, sample: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl", reason="openpyxl reads workbooks back (test)")
        out = sample / "ket-qua.xlsx"
        assert 0 == cli.main(["score", *inputs(sample), "--output", str(out)])
        table = kpiscore_table(sample)
        sheet = openpyxl.load_workbook(out).worksheets[0]
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        first = next(iter(table))
        assert first.subject in values
        assert float(first.total) in values  # a typed number cell, not text

    def test_xlsx_needs_an_output_file(
        self, sample: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(SystemExit) as stop:
            cli.main(["score", *inputs(sample), "--format", "xlsx"])
        assert 2 == stop.value.code
        assert "--format xlsx writes a workbook: give --output FILE.xlsx" in capsys.readouterr().err


class TestPrintableForms:
    def test_html_writes_one_form_per_person(self, sample: Path) -> None:
        out = sample / "forms"
        assert 0 == cli.main(["explain", *inputs(sample), "--format", "html", "--output", str(out)])
        table = kpiscore_table(sample)
        assert sorted(f"{card.subject}.html" for card in table) == sorted(
            path.name for path in out.iterdir()
        )
        first = next(iter(table))
        assert first.to_html("vi") == (out / f"{first.subject}.html").read_text(encoding="utf-8")

    def test_html_for_one_subject_in_one_file(self, sample: Path) -> None:
        out = sample / "forms"
        argv = ["explain", *inputs(sample), "--format", "html", "--output", str(out)]
        assert 0 == cli.main([*argv, "--subject", "nv0001", "--single", "phieu.html"])
        assert ["phieu.html"] == [path.name for path in out.iterdir()]
        assert "nv0001" in (out / "phieu.html").read_text(encoding="utf-8")

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            ([], "explain: --subject ID is needed (or --format html --output DIR)"),
            (["--format", "html"], "explain: --format html writes files: give --output DIR"),
            (
                ["--subject", "nv0001", "--output", "x"],
                "--output and --single go with --format html",
            ),
        ],
        ids=["text-without-subject", "html-without-output", "text-with-output"],
    )
    def test_usage_errors(
        self, sample: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(SystemExit) as stop:
            cli.main(["explain", *inputs(sample), *extra])
        assert 2 == stop.value.code
        assert message in capsys.readouterr().err


def kpiscore_table(folder: Path) -> ScoreTable:
    people = load_people(folder / "people.csv")
    return score_many(
        policies.load(STAFF),
        "2026-Q1",
        people,
        load_events(folder / "events.csv"),
        load_measures(folder / "measures.csv"),
    )
