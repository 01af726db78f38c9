"""Both engines agree with the independent Fraction reference (``reference.py``) on random
policies and facts: every category figure, the total and the rating (issue 19 #12)."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from engine_strategies import PERIOD, SUBJECTS, events, measures_for, policies
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import Excluded, Reference, reference_round, reference_score

from kpiscore import (
    Event,
    InputError,
    Measure,
    MissingInputError,
    Policy,
    ScoreTable,
    score_many,
)

SETTINGS = settings(max_examples=80, deadline=None)
ROUNDINGS = (
    "ROUND_05UP",
    "ROUND_CEILING",
    "ROUND_DOWN",
    "ROUND_FLOOR",
    "ROUND_HALF_DOWN",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "ROUND_UP",
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Event], list[Measure]]:
    policy = draw(policies())
    policy = attrs.evolve(
        policy,
        missing=draw(st.sampled_from(("error", "zero", "exclude"))),
        rounding=draw(st.sampled_from(ROUNDINGS)),
    )
    measures = measures_for(policy, draw)
    dropped = draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    return policy, draw(events()), [m for i, m in enumerate(measures) if i not in dropped]


def expected(
    policy: Policy, facts: list[Event], measures: list[Measure]
) -> dict[str, Reference] | type[Exception]:
    try:
        return {s: reference_score(policy, PERIOD, s, facts, measures) for s in SUBJECTS}
    except KeyError:
        return MissingInputError
    except Excluded:
        return MissingInputError


def check(table: ScoreTable, reference: dict[str, Reference]) -> None:
    for subject, want in reference.items():
        card = table[subject]
        got = (
            tuple(Fraction(points) for _, points in card.category_points),
            Fraction(card.total),
            card.rating,
        )
        assert got == (want.categories, want.total, want.rating), (subject, want)


@SETTINGS
@given(scenarios())
def test_score_many_matches_the_reference(
    scenario: tuple[Policy, list[Event], list[Measure]],
) -> None:
    policy, facts, measures = scenario
    reference = expected(policy, facts, measures)
    if not isinstance(reference, dict):
        with pytest.raises(reference):
            score_many(policy, PERIOD, SUBJECTS, facts, measures)
        return
    check(score_many(policy, PERIOD, SUBJECTS, facts, measures), reference)


@SETTINGS
@given(scenarios())
def test_score_frame_matches_the_reference(
    scenario: tuple[Policy, list[Event], list[Measure]],
) -> None:
    pd = pytest.importorskip("pandas")
    from kpiscore import score_frame

    policy, facts, measures = scenario
    people = pd.DataFrame({"id": list(SUBJECTS)})
    events_frame = pd.DataFrame(
        {
            "subject": [e.subject for e in facts],
            "kind": [e.kind for e in facts],
            "on": [e.on for e in facts],
            "quantity": [str(e.quantity) for e in facts],
            "excused": [e.excused for e in facts],
        }
    )
    measures_frame = pd.DataFrame(
        {
            "subject": [m.subject for m in measures],
            "criterion": [m.criterion for m in measures],
            "value": [m.value for m in measures],
        }
    )
    reference = expected(policy, facts, measures)
    # The reference counts every event given, repeats included: the frame is told to as well
    # (a frame refuses identical rows by default; strict facts).
    frames = (people, events_frame, measures_frame)
    if not isinstance(reference, dict):
        with pytest.raises(InputError):
            score_frame(policy, PERIOD, *frames, duplicates="allow")
        return
    check(score_frame(policy, PERIOD, *frames, duplicates="allow"), reference)


@pytest.mark.parametrize(
    ("value", "mode", "want"),
    [
        ("2.5", "ROUND_HALF_EVEN", "2"),
        ("3.5", "ROUND_HALF_EVEN", "4"),
        ("2.5", "ROUND_HALF_UP", "3"),
        ("2.5", "ROUND_HALF_DOWN", "2"),
        ("-2.5", "ROUND_HALF_UP", "-3"),
        ("2.1", "ROUND_UP", "3"),
        ("-2.1", "ROUND_CEILING", "-2"),
        ("-2.1", "ROUND_FLOOR", "-3"),
        ("2.9", "ROUND_DOWN", "2"),
        ("5.1", "ROUND_05UP", "6"),
        ("0.1", "ROUND_05UP", "1"),
        ("4.9", "ROUND_05UP", "4"),
        ("5", "ROUND_05UP", "5"),
    ],
)
def test_the_reference_rounding(value: str, mode: str, want: str) -> None:
    # The reference's own rounding, checked against the decimal module's documented table.
    assert Fraction(want) == reference_round(Fraction(value), Fraction(1), mode)
