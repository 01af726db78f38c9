"""Which fast reader the command line uses, and that its pyarrow path stays free of pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpiscore import load_events, load_measures, load_people, policies, score_many
from kpiscore.model.period import Period

pytest.importorskip("pyarrow")

POLICY = policies.load("university-kpi-example")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def measures_for(subjects: list[str]) -> str:
    lines = ["subject,criterion,value"]
    for subject in subjects:
        lines += [f"{subject},{c},0.875" for c in ("key_tasks", "research", "workload")]
        lines.append(f"{subject},collaboration,2.5")
    return "\n".join(lines) + "\n"


def careful(people: Path, events: Path, measures: Path) -> str:
    table = score_many(
        POLICY,
        Period.parse("2026-Q1"),
        load_people(people),
        load_events(events),
        load_measures(measures),
    )
    return table.to_csv()


def test_the_arrow_path_of_the_command_never_imports_pandas(
    tmp_path: Path,
) -> None:
    """pandas costs a command-line run about 0.35 s of imports; the pyarrow path needs none,
    whether a file is split by pyarrow or (holding quotes) by the csv module."""
    files = {
        "people": write(tmp_path, "people.csv", 'id,name\na,"A, B"\nb,C\n'),
        "events": write(tmp_path, "events.csv", "subject,kind,on\nb,training_absence,2026-01-05\n"),
        "measures": write(tmp_path, "measures.csv", measures_for(["a", "b"])),
    }
    out = tmp_path / "out.csv"
    code = (
        "import sys\n"
        "from kpiscore.cli import main\n"
        f"code = main(['score', '--policy', 'university-kpi-example', '--period', '2026-Q1',"
        f" '--people', {str(files['people'])!r}, '--events', {str(files['events'])!r},"
        f" '--measures', {str(files['measures'])!r}, '--format', 'csv',"
        f" '--output', {str(out)!r}])\n"
        "assert code == 0, code\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert careful(**files) == out.read_text(encoding="utf-8-sig")


class TestReaderChoice:
    def test_pyarrow_first(self) -> None:
        from kpiscore.io import fastcsv
        from kpiscore.io._fastcsv_arrow import ArrowReader

        assert isinstance(fastcsv._reader(), ArrowReader)

    def test_pandas_without_pyarrow(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from kpiscore import MissingExtraError
        from kpiscore.io import fastcsv

        real = fastcsv.require

        def no_pyarrow(module: str, extra: str) -> object:
            if module.startswith("pyarrow"):
                raise MissingExtraError(f"no {module}")
            return real(module, extra)

        monkeypatch.setattr(fastcsv, "require", no_pyarrow)
        from kpiscore.io._fastcsv_pandas import PandasReader

        assert isinstance(fastcsv._reader(), PandasReader)

    def test_neither_leaves_the_files_to_the_careful_reader(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        from kpiscore import MissingExtraError
        from kpiscore.io import fastcsv

        def nothing(module: str, extra: str) -> object:
            raise MissingExtraError(f"no {module}")

        monkeypatch.setattr(fastcsv, "require", nothing)
        people = write(tmp_path, "people.csv", "id\na\n")
        assert fastcsv.score_csv_files(POLICY, Period.parse("2026-Q1"), people, None, None) is None
