"""Issue 14: the columnar engine's integer rounding takes a shorter path (one floor division)
when every numerator is non-negative; it must still round as ``decimal`` does, for every mode,
at ties and near the path's bounds, and whatever path a mixed-sign column takes."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_05UP",
    "ROUND_CEILING",
    "ROUND_FLOOR",
)


def _expected(values: list[int], denominator: int, rounding: str) -> list[int]:
    with localcontext(Context(prec=60)):
        return [
            int((Decimal(v) / Decimal(denominator)).to_integral_value(rounding=rounding))
            for v in values
        ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2**61 - 1), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=2**40),
    st.sampled_from(MODES),
    st.integers(min_value=0, max_value=5),
)
def test_non_negative_rounding_is_decimal_rounding(
    numerators: list[int], denominator: int, rounding: str, tie_multiple: int
) -> None:
    """Invariant: for non-negative numerators up to 2^61 (the short path's bound), ties
    (half a denominator past a multiple) and exact multiples included, the rounded quotient is
    the one ``decimal`` gives."""
    from kpiscore.engine.columnar._figures import round_units

    values = [*numerators, tie_multiple * denominator]
    if denominator % 2 == 0:
        values.append(tie_multiple * denominator + denominator // 2)
    values = [v for v in values if v < 2**61]
    got = round_units(np.array(values, dtype=np.int64), denominator, rounding).tolist()
    assert _expected(values, denominator, rounding) == got


@pytest.mark.parametrize("rounding", MODES)
@pytest.mark.parametrize(
    "values",
    [
        [0, 1, 49, 50, 51, 99, 100, 150, 250],  # short path: ties both ways, multiples
        [2**61 - 1, 2**61, 2**62, 50],  # past the short path's bound: the general path
        [-150, -50, 0, 50, 150],  # a negative numerator: the general path
    ],
)
def test_rounding_at_the_short_paths_edges(values: list[int], rounding: str) -> None:
    from kpiscore.engine.columnar._figures import round_units

    got = round_units(np.array(values, dtype=np.int64), 100, rounding).tolist()
    assert _expected(values, 100, rounding) == got


def test_rounding_does_not_change_its_input() -> None:
    from kpiscore.engine.columnar._figures import round_units

    values = np.array([0, 50, 149, 250], dtype=np.int64)
    for rounding in MODES:
        round_units(values, 100, rounding)
    assert [0, 50, 149, 250] == values.tolist()
