"""The benchmark's correctness check, on a small population: every method gives every person
the same total and rating. (Its timings are printed by bench/run.py, never asserted here.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import run  # noqa: E402
from workforce import generate, generate_frames  # noqa: E402

pytest.importorskip("pandas")


def test_every_method_agrees_on_every_person(tmp_path: Path) -> None:
    raw = generate(300, seed=7)
    results = {}
    for method in ("loop", "numpy", "many", "frame", "cli"):
        call = run.prepare(method, raw, tmp_path)
        results[method] = run.comparable(method, call())
    # The cli's timed call only runs the command; its output is read outside the timing.
    assert tmp_path / "out.csv" == run.prepare("cli", raw, tmp_path)()
    reference = results["loop"]
    assert 300 == len(reference)
    for method, result in results.items():
        assert reference == result, method
    # The population is varied enough to exercise the interesting paths.
    ratings = {rating for _, rating in reference.values()}
    assert {"HTT", "KHT"} <= ratings


def test_direct_frames_agree_between_numpy_and_columnar() -> None:
    frames = generate_frames(2_000, seed=11)
    numpy_result = run.comparable("numpy", run.numpy_pipeline(*frames))
    frame_result = run.comparable("frame", run.kpiscore_frame(*frames))
    assert numpy_result == frame_result


@pytest.mark.parametrize("method", ["loop", "cli"])
def test_worker_times_every_repeat_and_checks_the_last(method: str, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run.worker(method, 200, out, repeat=2)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert 2 == len(data["seconds"])
    assert all(seconds > 0 for seconds in data["seconds"])
    assert 200 == len(data["results"])
    assert data["peak_kib"] > 0
    if method == "cli":
        assert 2 == len(data["child_cpu"])
        assert data["child_peak_kib"] > 0
