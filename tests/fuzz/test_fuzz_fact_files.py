"""Fuzzing the CSV and JSON fact readers: only KpiscoreError subclasses ever escape.

Each test's invariant: for any file, ``read_fact_records`` (behind ``load_events``,
``load_measures`` and ``load_people``) returns records or raises a ``FileFormatError`` within the
deadline; a file it accepts yields exactly one record per non-empty data row.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

import pytest
from fuzz_strategies import FUZZ, SCALARS, mutated, trees
from hypothesis import given
from hypothesis import strategies as st

from kpiscore import FileFormatError
from kpiscore.io.load import FactRecord, read_fact_records

KINDS = st.sampled_from(["events", "measures", "people"])
SAMPLE = resources.files("kpiscore").joinpath("data/sample")
# The first 40 lines of each sample file: valid files to damage.
VALID = {
    kind: "".join(
        SAMPLE.joinpath(f"{kind}.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:40]
    )
    for kind in ("events", "measures", "people")
}


def read_or_refuse(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str, kind: Any
) -> list[FactRecord] | None:
    path = tmp_path_factory.mktemp("fuzz") / f"{kind}{suffix}"
    path.write_bytes(data)
    try:
        return read_fact_records(path, kind)
    except FileFormatError:
        return None


class TestRandomBytes:
    @FUZZ
    @given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".json"]), kind=KINDS)
    def test_random_bytes(
        self, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str, kind: str
    ) -> None:
        """Invariant: any bytes in a fact file are read or refused with a FileFormatError."""
        read_or_refuse(tmp_path_factory, data, suffix, kind)


class TestRandomRows:
    @FUZZ
    @given(
        kind=KINDS,
        header=st.lists(
            st.sampled_from(["subject", "kind", "on", "quantity", "excused", "ref", "note"])
            | st.sampled_from(["criterion", "value", "id", "name", "unit", "group", "position"]),
            min_size=1,
            max_size=8,
        ),
        rows=st.lists(st.lists(SCALARS.map(str), max_size=9), max_size=12),
    )
    def test_random_csv_rows(
        self,
        tmp_path_factory: pytest.TempPathFactory,
        kind: str,
        header: list[str],
        rows: list[list[str]],
    ) -> None:
        """Invariant: a CSV file of random cells is read (one record per non-empty row) or
        refused with a FileFormatError; a bad row is never skipped."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        records = read_or_refuse(tmp_path_factory, buffer.getvalue().encode(), ".csv", kind)
        if records is not None:
            assert len([row for row in rows if row]) == len(records)

    @FUZZ
    @given(kind=KINDS, document=trees())
    def test_random_json_documents(
        self, tmp_path_factory: pytest.TempPathFactory, kind: str, document: Any
    ) -> None:
        """Invariant: any JSON document is read or refused with a FileFormatError."""
        text = json.dumps(document, default=str)
        records = read_or_refuse(tmp_path_factory, text.encode(), ".json", kind)
        if records is not None and isinstance(document, list):
            assert len(document) == len(records)


class TestMutatedValidFiles:
    @FUZZ
    @given(data=st.data(), kind=KINDS)
    def test_mutated_sample_files(
        self, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, kind: str
    ) -> None:
        """Invariant: a sample fact file after random edits is read or refused with a
        FileFormatError."""
        text = data.draw(mutated(VALID[kind]))
        read_or_refuse(tmp_path_factory, text.encode("utf-8", "surrogatepass"), ".csv", kind)
