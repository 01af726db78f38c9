"""Property tests of the evaluation cycle on random departments."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Evaluation,
    Event,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
)
from kpiscore.cycle.evaluation_assign import AssignRule
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_leave import Leave
from kpiscore.cycle.evaluation_people import Member
from kpiscore.model.numbers import quantize_fraction

SETTINGS = settings(max_examples=40, deadline=None)
BANDS = (
    Band(id="HTXS", min_points=90, name="Xuất sắc"),
    Band(id="HTT", min_points=70, name="Tốt"),
    Band(id="HT", min_points=50, name="Hoàn thành"),
    Band(id="KHT", min_points=0, name="Không hoàn thành"),
)
CAPS = (RatingCap(on="discipline_reprimand", at_most="KHT"),)
STAFF = Policy(
    id="staff",
    name="S",
    bands=BANDS,
    caps=CAPS,
    categories=[
        Category(
            id="all",
            name="All",
            criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
        )
    ],
)
LEADER = Policy(
    id="leader",
    name="L",
    bands=BANDS,
    caps=CAPS,
    categories=[
        Category(
            id="all",
            name="All",
            criteria=[
                Criterion(id="x", name="X", max_points=90, basis="assessed"),
                Criterion(
                    id="d",
                    name="(d)",
                    max_points=10,
                    deductions=[Deduction(on="subordinate_not_completed", points=5, limit=5)],
                ),
            ],
        )
    ],
)
QUARTERS = Period.year(2026).quarters()


@st.composite
def departments(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(min_value=1, max_value=8))
    people = []
    for number in range(size):
        # Managers come earlier in the list, so `manager` is a tree.
        manager = draw(st.one_of(st.none(), st.integers(0, number - 1))) if number else None
        people.append(
            Member(
                person=Person(id=f"p{number}"), manager=None if manager is None else f"p{manager}"
            )
        )
    managers = {m.manager for m in people if m.manager}
    leave: list[Leave] = []
    events: list[Event] = []
    measures: dict[Period, list[Measure]] = {q: [] for q in QUARTERS}
    for member in people:
        away = draw(st.sets(st.integers(0, 3), max_size=3))
        for index in sorted(away):
            quarter = QUARTERS[index]
            leave.append(
                Leave(
                    subject=member.id,
                    start=quarter.start,
                    end=quarter.end,
                    reason=draw(st.sampled_from(["maternity", "sick", "other"])),
                )
            )
        for index, quarter in enumerate(QUARTERS):
            if index in away:
                continue
            top = 90 if member.id in managers else 100
            value = draw(st.integers(0, top))
            measures[quarter].append(Measure(subject=member.id, criterion="x", value=value))
        if draw(st.integers(0, 5)) == 0:
            events.append(
                Event(
                    subject=member.id,
                    kind="discipline_reprimand",
                    on=date(2026, draw(st.integers(1, 12)), 10),
                )
            )
    return {
        "people": people,
        "leave": leave,
        "events": events,
        "measures": measures,
        "managers": sorted(managers),
        "seed": draw(st.integers(0, 10**6)),
    }


def build(department: dict[str, Any], *, shuffle: bool = False) -> Evaluation:
    rng = random.Random(department["seed"])  # noqa: S311 - a shuffle, not a secret
    events, measures = list(department["events"]), dict(department["measures"])
    if shuffle:
        rng.shuffle(events)
        measures = {q: rng.sample(v, len(v)) for q, v in reversed(list(measures.items()))}
    return Evaluation(
        name="random",
        period="2026",
        every="quarter",
        people=department["people"],
        events=events,
        measures=measures,
        leave=department["leave"],
        assign=[
            *(
                [AssignRule(when={"id": department["managers"]}, policy=LEADER)]
                if department["managers"]
                else []
            ),
            AssignRule(policy=STAFF),
        ],
        leaders=LeaderRule(),
    )


@SETTINGS
@given(departments())
def test_the_result_does_not_depend_on_the_order_of_the_facts(department: dict[str, Any]) -> None:
    """Invariant: shuffling events and measures changes no sub-period card and no year."""
    first, second = build(department).run(), build(department, shuffle=True).run()
    assert [t.to_json() for t in first.periods.values()] == [
        t.to_json() for t in second.periods.values()
    ]
    assert first.year.to_json() == second.year.to_json()


@SETTINGS
@given(departments())
def test_a_managers_d_is_halved_exactly_when_a_report_is_below_ht(
    department: dict[str, Any],
) -> None:
    """Invariant: in each quarter, a manager loses (d) points iff a direct report scored in
    that quarter has a final rating below HT (KHT)."""
    result = build(department).run()
    reports: dict[str, list[str]] = {}
    for member in department["people"]:
        if member.manager:
            reports.setdefault(member.manager, []).append(member.id)
    for table in result.periods.values():
        for manager, mine in reports.items():
            if manager not in table:
                continue
            below = any(r in table and table[r].rating == "KHT" for r in mine)
            assert below == (table[manager].criterion("d").points == Decimal(5))


@SETTINGS
@given(departments())
def test_the_year_is_the_mean_of_the_quarters_scored(department: dict[str, Any]) -> None:
    """Invariant: each year total is the mean of the person's scored quarter totals, rounded
    once; a reprimand anywhere in the year means KHT; someone never scored is absent."""
    result = build(department).run()
    reprimanded = {event.subject for event in department["events"]}
    for member in department["people"]:
        totals = [t[member.id].total for t in result.periods.values() if member.id in t]
        if not totals:
            assert member.id in dict(result.absent)
            continue
        year = result.year[member.id]
        mean = sum((Fraction(t) for t in totals), Fraction(0)) / len(totals)
        assert quantize_fraction(mean, Decimal("0.01"), "ROUND_HALF_UP") == year.total
        if member.id in reprimanded:
            assert "KHT" == year.rating
