"""Issue 14: a columnar table holds each criterion's points in the narrowest integers its
bounds allow (a year of monthly tables for millions of people holds twelve of them), and
reads them back as int64, the same figures."""

from __future__ import annotations

import pytest

from kpiscore import Category, Criterion, Deduction, Policy, score_frame

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def _policy(maximum: int) -> Policy:
    return Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                max_points=maximum,
                criteria=[
                    Criterion(
                        id="t",
                        name="T",
                        max_points=maximum,
                        deductions=[Deduction(on="late", points=2)],
                    )
                ],
            )
        ],
    )


@pytest.mark.parametrize(
    ("maximum", "held"), [(15, np.int16), (1_000, np.int32), (10**8, np.int64)]
)
def test_criterion_points_held_narrow_read_as_int64(maximum: int, held: type) -> None:
    events = pd.DataFrame(
        {"subject": ["a", "a"], "kind": ["late", "late"], "on": pd.to_datetime(["2026-01-05"] * 2)}
    )
    table = score_frame(_policy(maximum), "2026-Q1", ["a", "b"], events, duplicates="allow")
    figures = table.columns
    assert figures is not None
    assert held == figures._criterion_held.dtype
    units = figures.criterion_units
    assert np.int64 == units.dtype
    assert [(maximum - 4) * 100, maximum * 100] == units[:, 0].tolist()
    assert units is figures.criterion_units  # widened once
    assert table.csv_rows()[0]["t"] == table["a"].criterion("t").points
