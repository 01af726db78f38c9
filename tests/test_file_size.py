"""Fact files past one size (issue 14): the careful readers keep an explicit, overridable limit;
``kpiscore score``'s CSV fast path reads an unquoted file of any size.

Nothing here writes 256 MiB: the limit is a parameter (``max_bytes``, ``--max-file-size``, the
environment variable), tested with a small one.
"""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pytest

from cli_files import copy_sample, inputs
from kpiscore import cli, load_events, load_measures, load_people, policies, score_many
from kpiscore.exceptions import FileFormatError, InputError
from kpiscore.io import fastcsv
from kpiscore.io.documents import (
    FACT_BYTES_VARIABLE,
    MAX_FACT_BYTES,
    _read_bytes,
    fact_byte_limit,
    parse_byte_size,
)
from kpiscore.io.load import read_fact_records
from kpiscore.model.period import Period

EVENTS = "subject,kind,on\n" + "".join(
    f"nv{i:03d},late,2026-01-{1 + i % 28:02d}\n" for i in range(40)
)
HINT = (
    f"; raise the limit with --max-file-size or {FACT_BYTES_VARIABLE}, or install"
    " kpiscore[arrow] so `kpiscore score` reads an unquoted CSV file of any size"
)


@pytest.fixture(autouse=True)
def no_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FACT_BYTES_VARIABLE, raising=False)


def unquoted(path: Path) -> Path:
    """The CSV file rewritten without quotes (its cells' commas dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    text = "".join(",".join(cell.replace(",", "") for cell in row) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    return path


def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


class TestReadBytes:
    def test_a_small_file_allocates_its_size_not_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "small.csv"
        path.write_bytes(b"x" * 100_000)
        tracemalloc.start()
        try:
            data = _read_bytes(path, "small.csv", MAX_FACT_BYTES)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert b"x" * 100_000 == data
        assert peak < 1_000_000  # reading limit + 1 bytes allocated 256 MiB

    def test_a_limit_far_past_memory_still_reads_a_small_file(self, tmp_path: Path) -> None:
        path = tmp_path / "small.csv"
        path.write_bytes(b"abc\n")
        assert b"abc\n" == _read_bytes(path, "small.csv", 1 << 50)

    def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "f.csv"
        path.write_bytes(b"y" * 10)
        assert b"y" * 10 == _read_bytes(path, "f.csv", 10)
        with pytest.raises(FileFormatError) as caught:
            _read_bytes(path, "f.csv", 9)
        assert (
            "f.csv: the file is too big to read (10 bytes); expected at most 9 bytes (0 MiB)"
            == str(caught.value)
        )


class TestLimit:
    @pytest.mark.parametrize(
        ("text", "size"),
        [
            ("512", 512),
            ("512B", 512),
            ("2K", 2048),
            ("2kib", 2048),
            ("600M", 600 << 20),
            ("300MiB", 300 << 20),
            (" 1G ", 1 << 30),
            ("1GB", 1 << 30),
            ("2T", 2 << 40),
        ],
    )
    def test_sizes(self, text: str, size: int) -> None:
        assert size == parse_byte_size(text, "--max-file-size")

    @pytest.mark.parametrize("text", ["", "0", "0M", "-1", "1.5G", "lots", "12Q", "M"])
    def test_bad_sizes(self, text: str) -> None:
        with pytest.raises(InputError) as caught:
            parse_byte_size(text, "--max-file-size")
        assert str(caught.value).startswith(
            "--max-file-size: expected a size in bytes such as 600M, 1G or 300MiB (got"
        )

    def test_default(self) -> None:
        assert MAX_FACT_BYTES == fact_byte_limit() == 256 * 1024 * 1024

    def test_the_variable_overrides_the_default_and_an_argument_the_variable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(FACT_BYTES_VARIABLE, "1G")
        assert 1 << 30 == fact_byte_limit()
        assert 1000 == fact_byte_limit(1000)

    def test_a_bad_variable_is_refused_by_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(FACT_BYTES_VARIABLE, "big")
        with pytest.raises(InputError) as caught:
            fact_byte_limit()
        assert (
            f"environment variable {FACT_BYTES_VARIABLE}: expected a size in bytes such as 600M,"
            " 1G or 300MiB (got 'big')"
        ) == str(caught.value)

    @pytest.mark.parametrize("given", [0, -5, True])
    def test_a_bad_argument_is_refused(self, given: int) -> None:
        with pytest.raises(InputError, match="max_bytes: expected a positive number of bytes"):
            fact_byte_limit(given)


class TestCarefulReaders:
    def test_max_bytes_refuses_a_larger_file_saying_how_to_raise_it(self, tmp_path: Path) -> None:
        path = events_file(tmp_path)
        size = path.stat().st_size
        with pytest.raises(FileFormatError) as caught:
            read_fact_records(path, "events", max_bytes=100)
        assert (
            f"{path}: the file is too big to read ({size} bytes); expected at most 100 bytes"
            f" (0 MiB){HINT}"
        ) == str(caught.value)
        assert 40 == len(read_fact_records(path, "events", max_bytes=size))

    @pytest.mark.parametrize("loader", [load_events, load_measures, load_people])
    def test_the_variable_limits_every_loader(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: object
    ) -> None:
        path = events_file(tmp_path)
        monkeypatch.setenv(FACT_BYTES_VARIABLE, "100")
        with pytest.raises(FileFormatError, match="expected at most 100 bytes"):
            loader(path)  # type: ignore[operator]

    def test_the_variable_raises_the_limit(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "big.csv"
        path.write_text(EVENTS + EVENTS.split("\n", 1)[1] * 9, encoding="utf-8")
        monkeypatch.setenv(FACT_BYTES_VARIABLE, str(path.stat().st_size))
        assert 400 == len(load_events(path))
        monkeypatch.setenv(FACT_BYTES_VARIABLE, str(path.stat().st_size - 1))
        with pytest.raises(FileFormatError, match="too big"):
            load_events(path)


class TestFastPath:
    """The fast path has no size limit for unquoted files; quoted ones keep the careful one."""

    @pytest.fixture(params=["arrow", "pandas"])
    def reader(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
        pytest.importorskip("pandas")
        if request.param == "arrow":
            pytest.importorskip("pyarrow")
            chosen: object = fastcsv._arrow_reader
        else:
            chosen = fastcsv._pandas_reader
        monkeypatch.setattr(fastcsv, "_reader", chosen)

    def test_unquoted_files_past_the_careful_limit_are_read(
        self, tmp_path: Path, reader: None
    ) -> None:
        folder = copy_sample(tmp_path)
        people = unquoted(folder / "people.csv")
        policy = policies.load("vn-nd335-2025-staff")
        period = Period.parse("2026-Q1")
        paths = (people, folder / "events.csv", folder / "measures.csv")
        assert all(p.stat().st_size > 300 for p in paths)
        table = fastcsv.score_csv_files(policy, period, *paths, max_bytes=300)
        assert table is not None
        expected = score_many(
            policy,
            period,
            load_people(paths[0]),
            load_events(paths[1]),
            load_measures(paths[2]),
        )
        assert expected.to_csv() == table.to_csv()

    def test_a_quoted_file_past_the_limit_is_left_to_the_careful_reader(
        self, tmp_path: Path, reader: None
    ) -> None:
        folder = copy_sample(tmp_path)
        policy = policies.load("vn-nd335-2025-staff")
        paths = (folder / "people.csv", folder / "events.csv", folder / "measures.csv")
        assert '"' in paths[0].read_text(encoding="utf-8")
        period = Period.parse("2026-Q1")
        size = paths[0].stat().st_size
        assert fastcsv.score_csv_files(policy, period, *paths, max_bytes=size - 1) is None
        assert fastcsv.score_csv_files(policy, period, *paths, max_bytes=size) is not None


class TestCommand:
    def test_max_file_size_limits_the_careful_path(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        folder = copy_sample(tmp_path)
        monkeypatch.setattr(fastcsv, "_reader", lambda: None)  # no pyarrow, no pandas
        assert 0 == cli.main(["score", *inputs(folder), "--format", "csv"])
        capsys.readouterr()
        code = cli.main(["score", *inputs(folder), "--format", "csv", "--max-file-size", "1K"])
        assert 0 != code
        error = capsys.readouterr().err
        assert "the file is too big to read" in error
        assert "expected at most 1024 bytes" in error
        assert "--max-file-size" in error

    def test_the_fast_path_reads_past_max_file_size(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        pytest.importorskip("pyarrow")
        folder = copy_sample(tmp_path)
        unquoted(folder / "people.csv")
        assert 0 == cli.main(["score", *inputs(folder), "--format", "csv", "--max-file-size", "1K"])
        assert capsys.readouterr().out.startswith("subject,")

    def test_a_bad_size_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        folder = copy_sample(tmp_path)
        with pytest.raises(SystemExit) as caught:
            cli.main(["score", *inputs(folder), "--max-file-size", "lots"])
        assert 2 == caught.value.code
        assert "--max-file-size: expected a size in bytes" in capsys.readouterr().err
