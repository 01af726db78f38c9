"""Issue 16: ``score_frame`` finds the repeated events the files find (the same subject and
``ref``, or identical rows without one), as :func:`kpiscore.model.fact_checks.duplicate_events`
finds them among the :class:`Event` objects the rows read as."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    DuplicateEventError,
    Event,
    InputErrorGroup,
    Policy,
    score_frame,
)
from kpiscore.model.fact_checks import duplicate_events, duplicate_message

pd = pytest.importorskip("pandas")

POLICY = Policy(
    id="dup",
    name="Dup",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="t",
                    name="T",
                    max_points=100,
                    deductions=[Deduction(on="late", points=1), Deduction(on="absent", points=2)],
                )
            ],
        )
    ],
    bands=[Band(id="OK", min_points=0, name="OK")],
)

# Each cell with the ways a file (or read_csv) may write it: (cell, value read).
DAYS = [("2026-01-05", date(2026, 1, 5)), ("05/01/2026", date(2026, 1, 5)),
        ("2026-01-06", date(2026, 1, 6))]  # fmt: skip
QUANTITIES = [(None, Decimal(1)), ("1", Decimal(1)), ("1.0", Decimal(1)), ("2", Decimal(2))]
EXCUSED = [(None, False), ("không", False), (True, True), ("có", True)]
TEXTS = [(None, None), ("", None), ("x", None), ("a", "a"), (" a ", "a")]

row = st.tuples(
    st.sampled_from(["a", "b"]),
    st.sampled_from(["late", "absent"]),
    st.sampled_from(DAYS),
    st.sampled_from(QUANTITIES),
    st.sampled_from(EXCUSED),
    st.sampled_from(TEXTS),  # ref
    st.sampled_from(TEXTS),  # note
)


@given(st.lists(row, max_size=12))
@settings(max_examples=150, deadline=None)
def test_repeats_are_those_of_the_events_read(rows: list[Any]) -> None:
    read = [
        Event(
            subject=subject,
            kind=kind,
            on=day[1],
            quantity=quantity[1],
            excused=excused[1],
            ref=None if ref[0] == "x" else ref[1],
            note=None if note[0] == "x" else note[1],
        )
        for subject, kind, day, quantity, excused, ref, note in rows
    ]
    frame = pd.DataFrame(
        {
            "subject": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "on": [r[2][0] for r in rows],
            "quantity": pd.Series([r[3][0] for r in rows], dtype=object),
            "excused": pd.Series([r[4][0] for r in rows], dtype=object),
            "ref": pd.Series([None if r[5][0] == "x" else r[5][0] for r in rows], dtype=object),
            "note": pd.Series([float("nan") if r[6][0] == "x" else r[6][0] for r in rows]),
        }
    )
    expected = [
        f"events row {position}: {duplicate_message(read[position], f'events row {first}')}"
        for position, first in duplicate_events(read, identical=True)
    ]
    if not expected:
        score_frame(POLICY, "2026-Q1", ["a", "b"], frame)
    else:
        with pytest.raises((InputErrorGroup, DuplicateEventError)) as caught:
            score_frame(POLICY, "2026-Q1", ["a", "b"], frame)
        raised = caught.value
        found = list(raised.exceptions) if isinstance(raised, InputErrorGroup) else [raised]
        assert all(isinstance(one, DuplicateEventError) for one in found)
        assert expected == [str(one) for one in found]
    score_frame(POLICY, "2026-Q1", ["a", "b"], frame, duplicates="allow")  # counts them all


@given(st.lists(st.tuples(st.sampled_from([0, 2**61]), st.integers(0, 3)), max_size=20))
def test_first_equal_row_with_a_key_too_wide_for_63_bits(pairs: list[tuple[int, int]]) -> None:
    import numpy as np

    from kpiscore.engine.columnar._columns import _first_equal

    if not pairs:
        return
    wide = np.array([a for a, _ in pairs], dtype=np.int64)
    narrow = np.array([b for _, b in pairs], dtype=np.int64)
    expected = [pairs.index(pair) for pair in pairs]
    assert expected == _first_equal([wide, narrow, wide]).tolist()
    assert expected == _first_equal([narrow, wide]).tolist()
