"""Strategies for the fuzz tests: random bytes, random TOML/JSON trees, mutated valid files.

Every fuzz test checks one invariant: whatever the input, the reader either returns its result or
raises a :class:`kpiscore.KpiscoreError` subclass, and does so within the example deadline.
"""

from __future__ import annotations

import os
import string
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kpiscore.model import tree as _tree

#: Bounded so the whole fuzz suite runs in seconds: 150 inputs per test, each under two
#: seconds (a limit that is not enforced fast fails the deadline). For a long hunt, set
#: ``KPISCORE_FUZZ_EXAMPLES=5000``.
FUZZ = settings(
    max_examples=int(os.environ.get("KPISCORE_FUZZ_EXAMPLES", "150")),
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Keys the loaders know, so random trees reach deep into the builders, plus some they don't.
KNOWN_KEYS = sorted(
    _tree._POLICY_KEYS
    | _tree._CATEGORY_KEYS
    | _tree._CRITERION_KEYS
    | _tree._RULE_KEYS
    | _tree._BAND_KEYS
    | _tree._CAP_KEYS
    | {"subject", "kind", "on", "quantity", "excused", "criterion", "value", "unit", "group"}
    | {"case", "expect", "events", "measures", "overlay", "period", "total", "rating"}
)
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8))

#: Values that sit on the edges of what the readers accept.
EDGE_VALUES: list[Any] = [
    0,
    -1,
    1,
    10**15,
    -(10**15),
    10**20,
    "0",
    "-0",
    "1e999999999",
    "1e-999999",
    "0.01",
    "0.010",
    "1_000",
    "_1",
    "NaN",
    "Infinity",
    "",
    " ",
    "x",
    '=HYPERLINK("x")',
    "2026-02-30",
    "2026-01-01",
    "15/01/2026",
    "full",
    "zero",
    "assessed",
    "ratio",
    "carry",
    "unit",
    "exclude",
    "ROUND_HALF_UP",
    "HTXS",
    "KHT",
    True,
    False,
    Decimal("2.5"),
    Decimal("-0.001"),
    Decimal("1E+20"),
    [],
    {},
]

SCALARS = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(alphabet=string.printable + "ăâđêôơưạảấầẩẫậ", max_size=12),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.booleans(),
)


def trees(*, with_none: bool = True) -> st.SearchStrategy[Any]:
    """Random nested tables and lists whose keys are mostly the ones the readers know."""
    scalars = st.one_of(SCALARS, st.none()) if with_none else SCALARS
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(KEYS, children, max_size=6),
        ),
        max_leaves=30,
    )


def top_tables(*, with_none: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, trees(with_none=with_none), max_size=8)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after one to three random edits: a span deleted, doubled or replaced, a
    character inserted; the kind of damage an editor or a transfer does to a file."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not text:
            break
        start = draw(st.integers(min_value=0, max_value=len(text) - 1))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 40)))
        edit = draw(st.sampled_from(["delete", "double", "replace", "insert"]))
        if edit == "delete":
            text = text[:start] + text[end:]
        elif edit == "double":
            text = text[:end] + text[start:end] + text[end:]
        elif edit == "replace":
            text = text[:start] + draw(st.text(max_size=6)) + text[end:]
        else:
            insert = draw(st.sampled_from(list("[]{}\"'=,.#\n\\-0123456789")) | st.text(max_size=3))
            text = text[:start] + insert + text[start:]
    return text
