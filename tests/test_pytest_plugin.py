"""The pytest plugin: ``pytest`` in a project with ``*.kpi.toml`` files collects and runs them.

Each test runs pytest for real, in a subprocess, on a temporary project: the plugin is found
through the ``pytest11`` entry point of the installed package, as it is for users. Each run
starts an interpreter (a few seconds), so the main run is shared by the tests that read it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

FULL = "measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }"
HEAD = 'policy = "university-kpi-example"\nperiod = "2026-Q1"\n'


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a case file (one passing case, one failing), a broken one, another TOML."""
    root = tmp_path_factory.mktemp("project")
    (root / "cases").mkdir()
    (root / "cases" / "training.kpi.toml").write_text(
        HEAD
        + f'[[case]]\nname = "full record"\n{FULL}\nexpect = {{ total = 100 }}\n'
        + f'[[case]]\nname = "one absence"\n{FULL}\n'
        + 'events = [{ kind = "training_absence", on = 2026-01-06 }]\n'
        + "expect = { total = 99, criteria = { training = 13 } }\n",
        encoding="utf-8",
    )
    (root / "cases" / "broken.kpi.toml").write_text(
        HEAD + '[[case]]\nname = "x"\nexpect = { totl = 1 }\n', encoding="utf-8"
    )
    (root / "cases" / "notes.toml").write_text("not = 'a case file'\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def run(project: Path) -> subprocess.CompletedProcess[str]:
    """``pytest`` run once in the project (a collection error would stop the session otherwise)."""
    return pytest_in(project, "--continue-on-collection-errors")


class TestCollection:
    def test_each_case_is_a_test(self, project: Path) -> None:
        result = pytest_in(project, "--collect-only", "cases/training.kpi.toml")
        assert [
            "cases/training.kpi.toml::full record",
            "cases/training.kpi.toml::one absence",
        ] == [line for line in result.stdout.splitlines() if "::" in line]

    def test_only_case_files_are_collected(self, run: subprocess.CompletedProcess[str]) -> None:
        assert "notes.toml" not in run.stdout


class TestRun:
    def test_pass_and_fail_per_case(self, run: subprocess.CompletedProcess[str]) -> None:
        assert 1 == run.returncode
        assert "PASSED cases/training.kpi.toml::full record" in run.stdout
        assert "FAILED cases/training.kpi.toml::one absence" in run.stdout
        assert run.stdout.splitlines()[-1].startswith("1 failed, 1 passed, 1 error")

    def test_a_failure_shows_the_figures_and_the_ledger(
        self, run: subprocess.CompletedProcess[str]
    ) -> None:
        assert (
            "FAIL cases/training.kpi.toml: case 2 'one absence'\n"
            "  policy university-kpi-example v1 · period 2026-Q1 · subject nv001\n"
            "  figure              expected  actual  result\n"
            "  total                     99   98.00  FAIL\n"
            "  criterion training        13   13.00  ok\n"
            "\n"
            "Ledger:\n"
            "  Scorecard: nv001 — period 2026-Q1\n"
        ) in run.stdout
        assert "Traceback" not in run.stdout

    def test_an_unreadable_file_is_a_collection_error_naming_the_place(
        self, run: subprocess.CompletedProcess[str]
    ) -> None:
        assert "ERROR collecting cases/broken.kpi.toml" in run.stdout
        assert "cases/broken.kpi.toml: case 1 'x': expect.totl: unknown key 'totl'" in run.stdout

    def test_one_case_by_its_id(self, project: Path) -> None:
        result = pytest_in(project, "cases/training.kpi.toml::full record")
        assert (0, "1 passed") == (result.returncode, result.stdout.splitlines()[-1][:8])


class TestInProcess:
    """The same run inside this process (``pytester``), so coverage sees the collector."""

    def test_outcomes_report_and_collection_error(self, pytester: pytest.Pytester) -> None:
        pytester.makefile(
            ".kpi.toml",
            training=HEAD
            + f'[[case]]\nname = "full record"\n{FULL}\nexpect = {{ total = 100 }}\n'
            + f'[[case]]\nname = "wrong"\n{FULL}\nexpect = {{ total = 99 }}\n',
            broken=HEAD + '[[case]]\nname = "x"\nexpect = { totl = 1 }\n',
        )
        result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
        result.assert_outcomes(passed=1, failed=1, errors=1)
        result.stdout.fnmatch_lines(
            [
                "broken.kpi.toml: 2 problems",
                "  - broken.kpi.toml: case 1 'x': expect.totl: unknown key 'totl';*",
                "FAIL training.kpi.toml: case 2 'wrong'",
                "  total         99  100.00  FAIL",
                "Ledger:",
            ]
        )

    def test_reportinfo_names_the_case(self, pytester: pytest.Pytester) -> None:
        pytester.makefile(
            ".kpi.toml",
            one=HEAD + f'[[case]]\nname = "full record"\n{FULL}\nexpect = {{ total = 100 }}\n',
        )
        result = pytester.runpytest("-p", "no:cacheprovider", "-v")
        result.stdout.fnmatch_lines(["one.kpi.toml::full record PASSED*"])
