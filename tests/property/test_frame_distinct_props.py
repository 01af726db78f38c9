"""Issue 14: ``score_frame``'s quick test that no two event rows repeat each other (which lets
it skip the check naming repeated rows) agrees with that check: rows it calls distinct have
no repeat, and rows without a repeat (no ref or note column) are called distinct; and the
rows repeated are still refused, whatever order or spelling the frame gives them in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import DuplicateEventError, InputErrorGroup, score_frame
from kpiscore.model.period import Period

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

from test_frame_duplicates_props import POLICY  # noqa: E402

from kpiscore.engine.columnar._arrays import Population  # noqa: E402
from kpiscore.engine.columnar._frames import _all_distinct, read_events  # noqa: E402

# A cell in each of the ways a file may write it (equal values, different cells).
DAYS = ["2026-01-05", "05/01/2026", "2026-01-06", "2025-12-31"]
QUANTITIES = [None, "1", "1.0", 1, 2.0, "2"]
EXCUSED = [None, "không", False, True, "có"]

row = st.tuples(
    st.sampled_from(["a", "b", " a"]),
    st.sampled_from(["late", "absent"]),
    st.sampled_from(DAYS),
    st.sampled_from(QUANTITIES),
    st.sampled_from(EXCUSED),
)


def _frame(rows: list[Any]) -> Any:
    return pd.DataFrame(
        {
            "subject": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "on": [r[2] for r in rows],
            "quantity": pd.Series([r[3] for r in rows], dtype=object),
            "excused": pd.Series([r[4] for r in rows], dtype=object),
        }
    )


@given(st.lists(row, max_size=14))
@settings(max_examples=200, deadline=None)
def test_distinct_exactly_when_the_full_check_finds_no_repeat(rows: list[Any]) -> None:
    columns = read_events(_frame(rows), Population(["a", "b"]), Period.quarter(2026, 1))
    repeated, _ = columns.repeated_rows(np.arange(len(rows), dtype=np.int64))
    assert _all_distinct(columns) == (len(rows) >= 2 and not len(repeated))


@given(st.lists(row, min_size=1, max_size=14), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_repeated_rows_are_refused_in_any_order(rows: list[Any], random: Any) -> None:
    random.shuffle(rows)
    frame = _frame(rows)
    columns = read_events(frame, Population(["a", "b"]), Period.quarter(2026, 1))
    repeated, _ = columns.repeated_rows(np.arange(len(rows), dtype=np.int64))
    if not len(repeated):
        score_frame(POLICY, "2026-Q1", ["a", "b"], frame)
        return
    with pytest.raises((InputErrorGroup, DuplicateEventError)) as caught:
        score_frame(POLICY, "2026-Q1", ["a", "b"], frame)
    raised = caught.value
    found = list(raised.exceptions) if isinstance(raised, InputErrorGroup) else [raised]
    assert len(repeated) == len(found)


def test_a_ref_or_note_column_leaves_it_to_the_full_check() -> None:
    frame = _frame([("a", "late", "2026-01-05", 1, False), ("b", "late", "2026-01-05", 1, False)])
    period = Period.quarter(2026, 1)
    assert _all_distinct(read_events(frame, Population(["a", "b"]), period))
    for column in ("ref", "note"):
        with_text = frame.assign(**{column: ["x", "y"]})
        assert not _all_distinct(read_events(with_text, Population(["a", "b"]), period))
