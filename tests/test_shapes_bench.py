"""bench/shapes.py's correctness check on a small population: every input shape gives every
person the same total and rating as the benchmark's own shape (its timings are printed, never
asserted here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import shapes  # noqa: E402


@pytest.mark.slow
def test_every_shape_scores_every_person_the_same() -> None:
    lines: list[str] = []
    status = shapes.run(300, None, 1, lines.append, clock="cpu")
    assert [line for line in lines if line.startswith("!!")] == []
    assert 0 == status
    table = lines[2:-1]  # the title, the header; the worst/best line last
    assert {line.split()[0] for line in table} >= set(shapes._shapes()) - {"polars"}
    assert lines[-1].startswith("worst/best: ")
