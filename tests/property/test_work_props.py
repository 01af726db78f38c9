"""Property tests for kpiscore.work: task ratios and late-approval events."""

from __future__ import annotations

import datetime as dt
import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore.calendar import vietnam
from kpiscore.work import RATIO_PLACES, WorkItem, approval_events, task_ratios

PERIOD = "2026-03"
CALENDAR = vietnam(2026)


@st.composite
def work_items(draw: st.DrawFn, index: int) -> WorkItem:
    """One item of nv001 due in March 2026, in any state."""
    assigned = draw(st.dates(date(2026, 2, 1), date(2026, 3, 31)))
    due = draw(st.dates(max(assigned, date(2026, 3, 1)), date(2026, 3, 31)))
    completed = draw(st.none() | st.dates(assigned, date(2026, 5, 31)))
    late = completed is not None and completed > due
    delays = draw(st.integers(1, 5)) if late else draw(st.integers(0, 2))
    return WorkItem(
        subject="nv001",
        id=f"cv{index:03d}",
        assigned_on=assigned,
        due_on=due,
        units=draw(st.decimals(min_value="0.25", max_value="5", places=2)),
        completed_on=completed,
        major_errors=draw(st.integers(0, 5)),
        delays=delays,
        objective_cause=draw(st.booleans()),
    )


@st.composite
def item_lists(draw: st.DrawFn) -> list[WorkItem]:
    count = draw(st.integers(1, 12))
    return [draw(work_items(index)) for index in range(count)]


def ratios_of(items: list[WorkItem]) -> dict[str, Fraction]:
    tasks = task_ratios(items, PERIOD, subjects=["nv001"])["nv001"]
    return {ratio.criterion: ratio.fraction for ratio in tasks.ratios}


@settings(max_examples=150)
@given(items=item_lists())
def test_ratios_lie_in_0_1_and_quality_and_on_time_never_exceed_quantity(
    items: list[WorkItem],
) -> None:
    """0 <= quality, on_time <= quantity <= 1: only completed units earn quality or time."""
    ratios = ratios_of(items)
    if ratios:
        assert 0 <= ratios["quality"] <= ratios["quantity"] <= 1
        assert 0 <= ratios["on_time"] <= ratios["quantity"]


@settings(max_examples=150)
@given(items=item_lists(), data=st.data())
def test_one_more_major_error_never_raises_quality(
    items: list[WorkItem], data: st.DataObject
) -> None:
    """Adding a major error to any item never raises the quality ratio nor changes the others."""
    position = data.draw(st.integers(0, len(items) - 1))
    worse = list(items)
    worse[position] = attrs.evolve(items[position], major_errors=items[position].major_errors + 1)
    before, after = ratios_of(items), ratios_of(worse)
    if before:
        assert after["quality"] <= before["quality"]
        assert (after["quantity"], after["on_time"]) == (before["quantity"], before["on_time"])


@settings(max_examples=150)
@given(items=item_lists(), data=st.data())
def test_one_more_delay_never_raises_on_time(items: list[WorkItem], data: st.DataObject) -> None:
    """Adding a delay to any item never raises the on-time ratio."""
    position = data.draw(st.integers(0, len(items) - 1))
    worse = list(items)
    worse[position] = attrs.evolve(items[position], delays=items[position].delays + 1)
    before, after = ratios_of(items), ratios_of(worse)
    if before:
        assert after["on_time"] <= before["on_time"]


@settings(max_examples=100)
@given(items=item_lists(), seed=st.randoms(use_true_random=False))
def test_the_order_of_items_does_not_matter(items: list[WorkItem], seed: random.Random) -> None:
    """Shuffled items give the same ratios, breakdown and JSON, byte for byte."""
    shuffled = list(items)
    seed.shuffle(shuffled)
    assert task_ratios(items, PERIOD).to_json() == task_ratios(shuffled, PERIOD).to_json()


@settings(max_examples=150)
@given(items=item_lists())
def test_values_are_exact_or_within_half_a_unit_of_the_28th_place(items: list[WorkItem]) -> None:
    """A flagged-exact value equals its fraction; any other is off by at most 0.5e-28."""
    for ratio in task_ratios(items, PERIOD, subjects=["nv001"])["nv001"].ratios:
        error = abs(Fraction(ratio.value) - ratio.fraction)
        if ratio.exact:
            assert error == 0
        else:
            assert 0 < error <= Fraction(1, 2 * 10**RATIO_PLACES)
        assert Decimal(0) <= ratio.value <= Decimal(1)


@settings(max_examples=150)
@given(
    submitted=st.dates(date(2026, 1, 5), date(2026, 11, 30)),
    wait=st.integers(0, 30),
    extra=st.integers(1, 10),
    unit=st.sampled_from(["working", "calendar"]),
)
def test_approving_later_is_never_less_late(
    submitted: date, wait: int, extra: int, unit: str
) -> None:
    """Days late never decrease when the approval comes later; a late event is at least 1 day."""

    def days_late(approved: date) -> Decimal:
        item = WorkItem(
            subject="nv001",
            id="cv",
            assigned_on=submitted,
            due_on=submitted,
            approver="tp01",
            submitted_on=submitted,
            approved_on=approved,
        )
        events = approval_events(
            [item],
            CALENDAR,
            unit=unit,  # type: ignore[arg-type]
            as_of=date(2026, 12, 31),
        )
        assert all(event.quantity >= 1 for event in events)
        return events[0].quantity if events else Decimal(0)

    earlier = submitted + dt.timedelta(days=wait)
    later = earlier + dt.timedelta(days=extra)
    assert days_late(earlier) <= days_late(later)
