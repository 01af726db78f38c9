"""Numeric DataFrames: decimal figures arrive as Arrow decimals or floats, not objects."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest

from kpiscore import InputError, MissingExtraError, Period, ScoreTable, policies, score_many
from kpiscore.cli.demo import sample_facts
from kpiscore.io.frames import rows_to_frame

pd = pytest.importorskip("pandas", reason="pandas is part of the test extra")
pytest.importorskip("pyarrow", reason="pyarrow is part of the test extra")


@pytest.fixture(scope="module")
def table() -> ScoreTable:
    people, events, measures = sample_facts()
    policy = policies.load("vn-nd335-2025-staff")
    return score_many(policy, Period.parse("2026-Q1"), people, events=events, measures=measures)


class TestDecimal:
    def test_figures_are_arrow_decimals_with_the_policy_places(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="decimal")
        assert "decimal128(18, 2)[pyarrow]" == str(frame["total"].dtype)
        assert "decimal128(18, 2)[pyarrow]" == str(frame["task"].dtype)
        assert object == frame["subject"].dtype or "str" in str(frame["subject"].dtype)

    def test_values_stay_exact(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="decimal")
        assert list(table.totals()) == list(frame["total"])

    def test_groupby_mean_is_exact_and_numeric(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="decimal")
        means = frame.groupby("unit")["total"].mean()
        assert "decimal128(18, 2)[pyarrow]" == str(means.dtype)
        unit = table["nv0002"].person.unit
        mine = [card.total for card in table if card.person.unit == unit]
        assert abs(sum(mine) / len(mine) - means[unit]) <= Decimal("0.005")

    def test_min_max_and_quantile_work(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="decimal")
        summary = table.summary()
        assert (summary["min"], summary["max"]) == (frame["total"].min(), frame["total"].max())
        assert 0 < frame["total"].quantile(0.5) < 100

    def test_auto_picks_arrow_decimals_when_pyarrow_is_present(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows())
        assert "decimal128(18, 2)[pyarrow]" == str(frame["total"].dtype)

    def test_auto_falls_back_to_objects_without_pyarrow(
        self, table: ScoreTable, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        frame = rows_to_frame(table.to_rows())
        assert object == frame["total"].dtype
        with pytest.raises(MissingExtraError, match=r"kpiscore\[arrow\]"):
            rows_to_frame(table.to_rows(), numbers="decimal")

    def test_money_and_mixed_places_fit(self) -> None:
        frame = rows_to_frame(
            [{"payout": Decimal("11653200")}, {"payout": Decimal("0.5")}, {"payout": None}],
            numbers="decimal",
        )
        assert "decimal128(18, 1)[pyarrow]" == str(frame["payout"].dtype)
        assert [Decimal("11653200"), Decimal("0.5")] == list(frame["payout"].dropna())

    def test_too_many_digits_are_refused(self) -> None:
        with pytest.raises(InputError, match=r"column 'x' needs 41 decimal digits"):
            rows_to_frame([{"x": Decimal("1" * 21 + "." + "1" * 20)}], numbers="decimal")

    def test_a_non_finite_value_is_refused(self) -> None:
        with pytest.raises(InputError, match=r"column 'x' holds Decimal\('NaN'\)"):
            rows_to_frame([{"x": Decimal("NaN")}], numbers="decimal")


class TestFloat:
    def test_describe_treats_totals_as_numbers(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="float")
        described = frame.describe()
        assert "total" in described.columns
        assert len(table) == described.loc["count", "total"]
        assert float(table.summary()["mean"]) == pytest.approx(
            described.loc["mean", "total"], abs=0.005
        )

    def test_groupby_mean_is_float(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="float")
        assert "float64" == str(frame.groupby("unit")["total"].mean().dtype)

    def test_a_missing_value_is_nan(self) -> None:
        frame = rows_to_frame([{"x": Decimal("1.5")}, {"x": None}], numbers="float")
        assert "float64" == str(frame["x"].dtype)
        assert 1 == frame["x"].isna().sum()


class TestObject:
    def test_objects_keep_the_decimals(self, table: ScoreTable) -> None:
        frame = rows_to_frame(table.to_rows(), numbers="object")
        assert object == frame["total"].dtype
        assert isinstance(frame["total"][0], Decimal)

    def test_an_empty_table_gives_an_empty_frame(self) -> None:
        assert 0 == len(rows_to_frame([], numbers="float"))

    def test_an_unknown_choice_is_refused(self) -> None:
        with pytest.raises(InputError, match=r"numbers must be one of .* \(got 'int'\)"):
            rows_to_frame([], numbers="int")


class TestEveryResultTable:
    def test_score_table_to_pandas_gives_arrow_decimals_by_default(self, table: ScoreTable) -> None:
        frame = table.to_pandas()
        assert "decimal128(18, 2)[pyarrow]" == str(frame["total"].dtype)
        assert "float64" == str(table.to_pandas(numbers="float")["total"].dtype)
        assert object == table.to_pandas(numbers="object")["total"].dtype

    def test_a_rollup_table_too(self, table: ScoreTable) -> None:
        from kpiscore import rollup_many

        year = rollup_many([table], "2026")
        assert "float64" == str(year.to_pandas(numbers="float")["total"].dtype)
        assert year.to_pandas(numbers="float")["total"].describe()["count"] == len(table)
