"""score_frame(every=...) gives, for every sub-period, the table a call for it alone gives."""

from __future__ import annotations

import attrs
import pytest
from engine_strategies import SUBJECTS, events, measures_for, policies
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import Event, Measure, MissingInputError, Period, Policy, score_frame

pd = pytest.importorskip("pandas")

from test_columnar_props import frames  # noqa: E402  (after the pandas check)

#: (period, every): whole quarters and months, and a custom range whose pieces are clipped.
SPLITS = st.sampled_from(
    [("2026-Q1", "month"), ("2026", "quarter"), ("2025-12-20/2026-03-10", "month")]
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Event], list[Measure]]:
    policy = draw(policies())
    policy = attrs.evolve(policy, missing=draw(st.sampled_from(("error", "zero", "exclude"))))
    measures = measures_for(policy, draw)
    dropped = draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    return policy, draw(events()), [m for i, m in enumerate(measures) if i not in dropped]


@settings(max_examples=60, deadline=None)
@given(scenarios(), SPLITS, st.booleans(), st.booleans())
def test_every_sub_period_is_the_single_period_table(
    scenario: tuple[Policy, list[Event], list[Measure]],
    split: tuple[str, str],
    typed: bool,
    per_piece: bool,
) -> None:
    """Invariant: for any policy and facts, each sub-period's table from one every= call has
    the rows, CSV, totals, ratings, notes and scorecards of score_frame called for that
    sub-period alone on the same frames; a missing measure fails the same way."""
    policy, facts, measures = scenario
    label, every = split
    people, events_frame, measures_frame = frames(facts, measures, typed=typed)
    pieces = Period.parse(label).months() if every == "month" else Period.parse(label).quarters()
    # The measures: one frame for every sub-period, or a frame per sub-period (by label).
    given_measures = (
        {piece.label: measures_frame for piece in pieces} if per_piece else measures_frame
    )
    expected = {}
    try:
        for piece in pieces:
            expected[piece] = score_frame(
                policy, piece, people, events_frame, measures_frame, duplicates="allow"
            )
    except MissingInputError as error:
        message = str(error)
        with pytest.raises(MissingInputError) as caught:
            score_frame(
                policy, label, people, events_frame, given_measures, every=every, duplicates="allow"
            )
        assert message == str(caught.value)
        return
    tables = score_frame(
        policy, label, people, events_frame, given_measures, every=every, duplicates="allow"
    )
    assert list(expected) == list(tables)
    for piece, table in tables.items():
        alone = expected[piece]
        assert piece == table.period
        assert alone.to_rows() == table.to_rows()
        assert alone.to_csv() == table.to_csv()
        assert alone.notes == table.notes
        for subject in SUBJECTS:
            assert alone[subject].to_json() == table[subject].to_json()
