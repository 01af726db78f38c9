"""Charts: drawn with matplotlib's Agg backend, saved, and not empty."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kpiscore import InputError, MissingExtraError, Period, ScoreTable, policies, score_many
from kpiscore.cli.demo import sample_facts
from kpiscore.io.plot import band_moves, ratings_by_unit, totals_histogram
from kpiscore.variants import compare, overlay

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is part of the test extra")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(scope="module")
def facts() -> tuple[list, list, list]:  # type: ignore[type-arg]
    return sample_facts()


@pytest.fixture(scope="module")
def table(facts: tuple[list, list, list]) -> ScoreTable:  # type: ignore[type-arg]
    people, events, measures = facts
    policy = policies.load("vn-nd335-2025-staff")
    return score_many(policy, Period.parse("2026-Q1"), people, events=events, measures=measures)


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    plt.close("all")


def saved(axes: object, path: Path) -> int:
    axes.figure.savefig(path)  # type: ignore[attr-defined]
    return path.stat().st_size


class TestRatingsByUnit:
    def test_one_stacked_bar_per_unit_and_band(self, table: ScoreTable, tmp_path: Path) -> None:
        axes = ratings_by_unit(table)
        units = {card.person.unit for card in table}
        assert len(units) * 4 == len(axes.patches)
        heights = sum(patch.get_height() for patch in axes.patches)
        assert len(table) == heights
        assert ["HTXS", "HTT", "HT", "KHT"] == [t.get_text() for t in axes.get_legend().get_texts()]
        assert "Số người" == axes.get_ylabel()
        assert saved(axes, tmp_path / "ratings.png") > 10_000

    def test_english_labels_on_request(self, table: ScoreTable) -> None:
        assert "People" == ratings_by_unit(table, lang="en").get_ylabel()

    def test_draws_on_the_given_axes(self, table: ScoreTable) -> None:
        _, axes = plt.subplots()
        assert axes is ratings_by_unit(table, axes)


class TestTotalsHistogram:
    def test_the_totals_and_the_band_thresholds(self, table: ScoreTable, tmp_path: Path) -> None:
        axes = totals_histogram(table)
        assert len(table) == sum(patch.get_height() for patch in axes.patches)
        assert [90.0, 70.0, 50.0] == [line.get_xdata()[0] for line in axes.get_lines()]
        assert ["HTXS ≥ 90", "HTT ≥ 70", "HT ≥ 50"] == [t.get_text() for t in axes.texts]
        assert saved(axes, tmp_path / "totals.png") > 10_000


class TestBandMoves:
    def test_the_transition_matrix(self, facts: tuple[list, list, list], tmp_path: Path) -> None:  # type: ignore[type-arg]
        people, events, measures = facts
        base = policies.load("vn-nd335-2025-staff")
        variant = overlay(base, {"bands.HTT.min_points": 80})
        comparison = compare(
            base, variant, Period.parse("2026-Q1"), people, events=events, measures=measures
        )
        axes = band_moves(comparison)
        assert [t.get_text() for t in axes.texts] == [t.get_text() for t in comparison.plot().texts]
        numbers = [int(t.get_text()) for t in axes.texts]
        assert len(people) == sum(numbers)
        assert len(comparison.ratings) ** 2 == len(numbers)
        assert saved(axes, tmp_path / "moves.png") > 5_000


class TestRefusals:
    def test_without_matplotlib_the_extra_is_named(
        self, table: ScoreTable, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(MissingExtraError, match=r"kpiscore\[plot\]"):
            ratings_by_unit(table)

    def test_an_unknown_language_is_refused(self, table: ScoreTable) -> None:
        with pytest.raises(InputError, match="plot: lang must be"):
            totals_histogram(table, lang="de")


class TestMethod:
    def test_score_table_plot_kinds(self, table: ScoreTable) -> None:
        assert "Số người" == table.plot().get_ylabel()
        assert "Tổng điểm" == table.plot("totals").get_xlabel()

    def test_an_unknown_kind_is_refused(self, table: ScoreTable) -> None:
        with pytest.raises(
            InputError, match=r"plot: kind must be 'ratings' or 'totals' \(got 'pie'\)"
        ):
            table.plot("pie")  # type: ignore[arg-type]
