"""The columnar CSV writer (``engine/columnar/_csv.py``): behaviours that mutation testing
(tools/mutation.py) found no test pinned down. Each test names the mutants it kills; the
survivors found equivalent are listed, with the reason, in ``tools/mutation.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from columnar_policies import training_policy
from kpiscore import Band, Category, Criterion, Measure, Person, Policy, score_frame, score_many

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
_csv = pytest.importorskip("kpiscore.engine.columnar._csv")
Q1 = "2026-Q1"
N = 100
IDS = [f"p{i:03d}" for i in range(N)]
# Each position distinct and ending in NUL, each measure distinct: 101 position cells (with the
# empty one) and 100 points are more than the writer fuses with a neighbour (at most 64 pairs
# for 100 rows), so the period, policy and version columns between them are fused with each
# other only and written from one cell (no codes), and a NUL ends a cell of each row.
POSITIONS = [f"N{i}\x00" for i in range(N)]
POLICY = Policy(
    id="spread",
    name="Spread",
    categories=[
        Category(
            id="m",
            name="M",
            criteria=[Criterion(id="m", name="M", max_points=100, basis="assessed")],
        )
    ],
    bands=[Band(id="A", min_points=50, name="A"), Band(id="B", min_points=0, name="B")],
)


def _table() -> Any:
    people = pd.DataFrame({"id": IDS, "position": POSITIONS})
    measures = pd.DataFrame({"subject": IDS, "criterion": ["m"] * N, "value": list(range(N))})
    return score_frame(POLICY, Q1, people, None, measures)


def _careful() -> str:
    persons = [Person(id=i, position=n) for i, n in zip(IDS, POSITIONS, strict=True)]
    measures = [Measure(subject=s, criterion="m", value=i) for i, s in enumerate(IDS)]
    return str(score_many(POLICY, Q1, persons, [], measures).to_csv())


class TestColumnsOfOneCell:
    def test_with_pyarrow(self) -> None:
        """The columns of one cell joined by pyarrow: every row takes that cell
        (``x__join_rows_arrow__mutmut_15``, ``_17``, ``_19``; ``x__fuse_columns__mutmut_10``,
        ``_11``)."""
        text = _table().to_csv()
        assert _careful() == text
        assert "p099,,,,N99\x00,2026-Q1,spread,1,99.00,99.00,0.00,99.00,A,A\n" in text

    def test_without_pyarrow(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same rows by ``str.join``: the one cell repeated per row, and a cell's trailing
        NUL kept (a NumPy text array would drop it) (``x__join_rows__mutmut_4``, ``_6``, ``_8``,
        ``_10``, ``_11``)."""
        monkeypatch.setattr(_csv, "_pyarrow", lambda: None)
        text = _table().to_csv()
        assert _careful() == text
        assert "p000,,,,N0\x00,2026-Q1,spread,1,0.00,0.00,0.00,0.00,B,B\n" in text


def test_pyarrow_is_used_when_installed() -> None:
    """``_pyarrow`` gives pyarrow and its compute module (``x__pyarrow__mutmut_5``, ``_6``,
    ``_13``, ``_14``: a wrong module name would quietly take the slower ``str.join`` path)."""
    import pyarrow.compute as pc

    assert (pa, pc) == _csv._pyarrow()


def test_figures_far_apart() -> None:
    """Figures spread wider than the dense coding covers (``4 × rows + 1024`` units) are coded
    by sorting (``x__dense_codes__mutmut_48``, ``_50``)."""
    policy = Policy(
        id="wide",
        name="Wide",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[Criterion(id="m", name="M", max_points=1000000, basis="assessed")],
            )
        ],
        bands=[Band(id="A", min_points=500000, name="A"), Band(id="B", min_points=0, name="B")],
    )
    values = {"a": 1000000, "b": 0, "c": 3, "d": 1000000}
    measures = pd.DataFrame(
        {"subject": list(values), "criterion": "m", "value": list(values.values())}
    )
    text = score_frame(policy, Q1, list(values), None, measures).to_csv()
    exact = score_many(
        policy,
        Q1,
        list(values),
        [],
        [Measure(subject=s, criterion="m", value=v) for s, v in values.items()],
    )
    assert exact.to_csv() == text
    assert "c,,,,,2026-Q1,wide,1,3.00,3.00,0.00,3.00,B,B\n" in text


def test_the_caller_s_decimal_context_changes_no_cell() -> None:
    """The figures are formatted in kpiscore's own context, not the caller's
    (``x_figures_csv__mutmut_12``, ``_14``: ``scaleb`` in a context of 3 digits would round
    16.00 to 16.0 and 1,000,000.00 to 1.00E+6, or raise ``Rounded`` where it traps)."""
    import decimal

    table = _table()
    expected = _careful()
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Rounded])):
        assert expected == table.to_csv()


def test_a_column_of_one_cell_fused_with_a_coded_one() -> None:
    """The period, policy and version cells fused with the first category's points: the pair's
    codes are the points' (``x__fuse_columns__mutmut_13``, ``_15``)."""
    people = pd.DataFrame({"id": IDS, "position": POSITIONS})
    measures = pd.DataFrame({"subject": IDS, "criterion": "work", "value": 1})
    text = score_frame(training_policy(), Q1, people, None, measures).to_csv()
    persons = [Person(id=i, position=n) for i, n in zip(IDS, POSITIONS, strict=True)]
    exact = score_many(
        training_policy(),
        Q1,
        persons,
        [],
        [Measure(subject=s, criterion="work", value=1) for s in IDS],
    )
    assert exact.to_csv() == text
    assert "p007,,,,N7\x00,2026-Q1,training,1,15.00,1.00,15.00,1.00,0.00,16.00,NO,NO\n" in text


def test_negative_points() -> None:
    """A criterion whose floor is below 0: its points column holds negative figures, coded
    from the lowest (``x__dense_codes__mutmut_31``: ``high + low`` would size the table short)."""
    from datetime import date

    from kpiscore import Deduction, Event

    policy = Policy(
        id="neg",
        name="Neg",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="x",
                        name="X",
                        max_points=5,
                        floor=-5,
                        deductions=[Deduction(on="late", points=7)],
                    )
                ],
            )
        ],
    )
    events = pd.DataFrame({"subject": ["a"], "kind": ["late"], "on": [pd.Timestamp("2026-01-05")]})
    text = score_frame(policy, Q1, ["a", "b"], events, None).to_csv()
    exact = score_many(
        policy, Q1, ["a", "b"], [Event(subject="a", kind="late", on=date(2026, 1, 5))]
    )
    assert exact.to_csv() == text
    assert ",-2.00," in text  # 5 - 7, 700 units below the 5.00 of b: coded densely
