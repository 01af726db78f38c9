"""Invariants of the exact engine over random policies and facts."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from engine_strategies import PERIOD, SUBJECTS, events, measures_for, policies
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import Event, Policy, score, score_many

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Event], list[object]]:
    policy = draw(policies())
    return policy, draw(events()), measures_for(policy, draw)


@SETTINGS
@given(scenarios())
def test_every_figure_is_within_its_bounds(
    scenario: tuple[Policy, list[Event], list[object]],
) -> None:
    """Invariant: every criterion lies in [floor, max]; every total in [0, max_total]."""
    policy, facts, measures = scenario
    for card in score_many(policy, PERIOD, SUBJECTS, facts, measures):  # type: ignore[arg-type]
        assert Decimal(0) <= card.total <= card.max_total
        for category in card.categories:
            for criterion in category.criteria:
                assert criterion.floor <= criterion.exact_points <= criterion.max_points


@SETTINGS
@given(scenarios())
def test_reported_parts_add_up_to_the_total(
    scenario: tuple[Policy, list[Event], list[object]],
) -> None:
    """Invariant: total == Σ reported categories − reported carried (+ what the 0-clamp cut)."""
    policy, facts, measures = scenario
    for card in score_many(policy, PERIOD, SUBJECTS, facts, measures):  # type: ignore[arg-type]
        parts = sum((c.points for c in card.categories), Decimal(0)) - card.carried
        assert card.total == parts + card.clamped
        assert card.clamped == 0 or card.total == 0


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_fact_order_changes_nothing(
    scenario: tuple[Policy, list[Event], list[object]], rng: random.Random
) -> None:
    """Invariant: shuffling events and measures gives byte-identical JSON."""
    policy, facts, measures = scenario
    before = score_many(policy, PERIOD, SUBJECTS, facts, measures).to_json()  # type: ignore[arg-type]
    rng.shuffle(facts)
    rng.shuffle(measures)
    assert before == score_many(policy, PERIOD, SUBJECTS, facts, measures).to_json()  # type: ignore[arg-type]


@SETTINGS
@given(scenarios(), st.sampled_from(("absence", "late", "initiative", "error", "reprimand")))
def test_excused_events_change_no_score(
    scenario: tuple[Policy, list[Event], list[object]], kind: str
) -> None:
    """Invariant: adding an excused event never changes any total, criterion or rating."""
    policy, facts, measures = scenario
    excused = Event(subject="nv001", kind=kind, on=date(2026, 2, 2), excused=True)
    before = score(policy, PERIOD, "nv001", facts, measures)  # type: ignore[arg-type]
    after = score(policy, PERIOD, "nv001", [*facts, excused], measures)  # type: ignore[arg-type]
    assert (before.total, before.rating) == (after.total, after.rating)
    assert [c.points for c in before.categories] == [c.points for c in after.categories]


@SETTINGS
@given(scenarios(), st.sampled_from(("absence", "late", "error", "reprimand")))
def test_one_more_violation_never_raises_a_score(
    scenario: tuple[Policy, list[Event], list[object]], kind: str
) -> None:
    """Invariant: one more unexcused event of a kind only deductions use never raises the total,
    any category, or the rating."""
    policy, facts, measures = scenario
    award_kinds = {a.on for c in policy.categories for cr in c.criteria for a in cr.awards}
    if kind in award_kinds:
        return
    extra = Event(subject="nv001", kind=kind, on=date(2026, 2, 2), quantity=1)
    before = score(policy, PERIOD, "nv001", facts, measures)  # type: ignore[arg-type]
    after = score(policy, PERIOD, "nv001", [*facts, extra], measures)  # type: ignore[arg-type]
    assert after.total <= before.total
    for old, new in zip(before.categories, after.categories, strict=True):
        assert new.points <= old.points
    ranks = {"A": 0, "B": 1, "C": 2}
    assert ranks[after.rating or "C"] >= ranks[before.rating or "C"]


@SETTINGS
@given(
    scenarios(),
    st.sampled_from(("error", "zero", "exclude")),
    st.lists(st.integers(min_value=0, max_value=50), max_size=4),
)
def test_fast_figures_equal_the_ledger(
    scenario: tuple[Policy, list[Event], list[object]], missing: str, dropped: list[int]
) -> None:
    """Invariant: the figures computed without a ledger (category points, carried, clamp,
    total, ratings) equal those of the full ledger, for every person — including missing
    measures counted as zero or excluded."""
    import attrs

    from kpiscore import MissingInputError

    policy, facts, measures = scenario
    policy = attrs.evolve(policy, missing=missing)
    kept = [m for i, m in enumerate(measures) if i not in dropped]
    try:
        table = score_many(policy, PERIOD, SUBJECTS, facts, kept)  # type: ignore[arg-type]
    except MissingInputError:
        assert missing != "zero"
        return
    for card in table:
        ledger = card._source.full()  # type: ignore[union-attr]
        points, carried, clamped, total, score_rating, rating = ledger[2]
        assert (
            tuple(p for _, p in card.category_points),
            card.carried,
            card.clamped,
            card.total,
            card.score_rating,
            card.rating,
        ) == (points, carried, clamped, total, score_rating, rating)
        assert str(card.total) == str(total)
