"""The year benchmark's correctness check, on a small population: kpiscore's year pipeline,
the hand-written one and the exact engine on one unit give everyone the same year total,
rating after the quota, payout and variant. (Timings are printed by bench/year.py only.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

pytest.importorskip("pandas")

import year  # noqa: E402


def test_kpiscore_hand_and_exact_agree_on_the_year() -> None:
    data = year.generate_year(400, seed=5)
    output, times = year.kpiscore_year(*data)
    mine = year.kpiscore_results(output)
    hand_output, hand_times = year.hand_year(*data)
    hand = year.hand_results(hand_output)
    assert set(times) == set(hand_times) == set(year.STEPS)
    assert 400 == len(mine)
    assert mine == hand
    exact = year.exact_sample(*data)
    assert exact
    assert exact == {subject: mine[subject] for subject in exact}
    # The population is varied enough: the quota demotes someone, a cap lowers someone.
    ratings = {row[1] for row in mine.values()}
    assert {"HTXS", "HTT", "KHT"} <= ratings


def test_the_worker_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "hand.json"
    year.worker("hand", 200, out)
    assert '"digest"' in out.read_text(encoding="utf-8")


def test_the_pipelines_stop_after_the_quota_and_still_agree() -> None:
    data = year.generate_year(300, seed=7)
    output, times = year.kpiscore_year(*data, until="quota")
    hand_output, hand_times = year.hand_year(*data, until="quota")
    assert set(times) == set(hand_times) == {"score", "rollup", "quota"}
    mine = year.kpiscore_results(output)
    assert mine == year.hand_results(hand_output)
    assert all(len(row) == 2 for row in mine.values())  # the year total and rating only
    exact = year.exact_sample(*data, until="quota")
    assert exact
    assert exact == {subject: mine[subject] for subject in exact}
