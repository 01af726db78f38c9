"""Hypothesis strategies for random policies and facts, shared by the property tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    Measure,
    Period,
    Policy,
    RatingCap,
)

PERIOD = Period.quarter(2026, 1)
KINDS = ("absence", "late", "initiative", "error", "reprimand")


def _scored(categories: list[Category]) -> set[str]:
    return {rule.on for c in categories for cr in c.criteria for rule in cr.rules}


SUBJECTS = ("nv001", "nv002", "nv003")

points = st.decimals(min_value=0, max_value=30, places=2, allow_nan=False, allow_infinity=False)
maxima = st.integers(min_value=1, max_value=50).map(Decimal)


@st.composite
def criteria(draw: st.DrawFn, cid: str) -> Criterion:
    basis = draw(st.sampled_from(("full", "zero", "assessed", "ratio")))
    maximum = draw(maxima)
    deductions = [
        Deduction(
            on=kind,
            points=draw(points),
            per=draw(st.sampled_from(("occurrence", "unit"))),
            limit=draw(st.none() | points),
        )
        for kind in draw(st.lists(st.sampled_from(KINDS[:4]), unique=True, max_size=3))
    ]
    awards = [
        Award(on=kind, id=f"award_{kind}", points=draw(points), limit=draw(st.none() | points))
        for kind in draw(st.lists(st.sampled_from(KINDS[:4]), unique=True, max_size=2))
    ]
    floor = draw(st.sampled_from((Decimal(0), Decimal(0), -(maximum // 2), maximum // 4)))
    return Criterion(
        id=cid,
        name=cid,
        max_points=maximum,
        basis=basis,
        deductions=deductions,
        awards=awards,
        floor=floor,
        overflow=draw(st.sampled_from(("absorb", "carry"))),
    )


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    categories = []
    counter = 0
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        members = []
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            members.append(draw(criteria(f"c{counter}")))
            counter += 1
        weighted = draw(st.booleans())
        weights = None
        if weighted and draw(st.booleans()):
            weights = {c.id: draw(st.integers(min_value=1, max_value=5)) for c in members}
        categories.append(
            Category(
                id=f"k{index}",
                name=f"K{index}",
                criteria=members,
                max_points=draw(maxima) if weighted else None,
                weights=weights,
            )
        )
    return Policy(
        id="random",
        name="Random",
        categories=categories,
        bands=[
            Band(id="A", min_points=60, name="A"),
            Band(id="B", min_points=30, name="B"),
            Band(id="C", min_points=0, name="C"),
        ],
        caps=[RatingCap(on="reprimand", at_most="C")],
        # The events use every kind; those no rule scores are known, deliberately unscored.
        other_kinds=[k for k in KINDS if k != "reprimand" and k not in _scored(categories)],
        rounding=draw(st.sampled_from(("ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN"))),
        precision=draw(st.sampled_from(("0.01", "0.1", "1"))),
    )


@st.composite
def events(draw: st.DrawFn, subjects: tuple[str, ...] = SUBJECTS) -> list[Event]:
    return draw(
        st.lists(
            st.builds(
                Event,
                subject=st.sampled_from(subjects),
                kind=st.sampled_from(KINDS),
                on=st.integers(min_value=-5, max_value=95).map(
                    lambda days: PERIOD.start + timedelta(days=days)
                ),
                quantity=st.decimals(min_value=0, max_value=5, places=1),
                excused=st.booleans(),
            ),
            max_size=25,
        )
    )


def measures_for(
    policy: Policy, draw: st.DrawFn, subjects: tuple[str, ...] = SUBJECTS
) -> list[Measure]:
    result = []
    for category in policy.categories:
        for criterion in category.criteria:
            if criterion.basis == "assessed":
                values = st.decimals(min_value=0, max_value=criterion.max_points, places=2)
            elif criterion.basis == "ratio":
                values = st.decimals(min_value=0, max_value=1, places=3)
            else:
                continue
            result.extend(
                Measure(subject=s, criterion=criterion.id, value=draw(values)) for s in subjects
            )
    return result


__all__ = ["PERIOD", "SUBJECTS", "date", "events", "measures_for", "policies"]
