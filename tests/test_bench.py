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


def test_openfisca_is_skipped_with_a_message_when_absent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run.openfisca_peer, "available", lambda: False)
    assert 0 == run.main(["--people", "50", "--methods", "openfisca", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "openfisca: skipped, openfisca-core is not importable" in out


def test_openfisca_peer_counts_the_same_inputs_as_the_exact_engine() -> None:
    """The peer's inputs (counted with NumPy) and totals: within a cent of the exact ones
    for most people, the ratings the same but where a float total lands across a band."""
    import openfisca_peer

    pytest.importorskip("openfisca_core")
    frames = run.frames(generate(400, seed=5))
    exact = run.comparable("frame", run.kpiscore_frame(*frames))
    floats = openfisca_peer.comparable(openfisca_peer.openfisca(*frames))
    assert exact.keys() == floats.keys()
    cents, ratings = openfisca_peer.off_by_a_cent(exact, floats)
    assert cents < len(exact) // 2
    assert ratings < 10
    # Never more than a rounding's worth off: the counting itself is right.
    assert all(abs(float(exact[p][0]) - float(floats[p][0])) < 0.05 for p in exact)


def test_off_by_a_cent_counts_totals_and_ratings() -> None:
    import openfisca_peer

    exact = {"a": ("1.00", "HT"), "b": ("2.00", "HT"), "c": ("3.00", "HT")}
    floats = {"a": ("1.00", "HT"), "b": ("2.01", "HT"), "c": ("3.00", "KHT")}
    assert (1, 1) == openfisca_peer.off_by_a_cent(exact, floats)
