"""Code that uses the public API as a user would; it must pass ``mypy --strict``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import kpiscore
from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    KpiscoreError,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
    Scorecard,
    ScoreTable,
    score,
    score_many,
)


def build_policy() -> Policy:
    return Policy(
        id="typing",
        name="Typing check",
        scale=100,
        categories=[
            Category(
                id="general",
                name="General",
                criteria=[
                    Criterion(
                        id="training",
                        name="Training",
                        max_points=30,
                        deductions=[Deduction(on="training_absence", points=2, limit=10)],
                    )
                ],
            ),
            Category(
                id="task",
                name="Task",
                max_points=70,
                weights={"quantity": 1, "quality": "1"},
                criteria=[
                    Criterion(id="quantity", name="Quantity", max_points=100, basis="ratio"),
                    Criterion(id="quality", name="Quality", max_points=100, basis="ratio"),
                ],
            ),
        ],
        bands=[Band(id="OK", min_points=50, name="OK"), Band(id="NO", min_points=0, name="No")],
        caps=[RatingCap(on="reprimand", at_most="NO")],
        precision=Decimal("0.01"),
    )


def use() -> tuple[Decimal, str | None, int]:
    policy = build_policy()
    period: Period = Period.quarter(2026, 1)
    events = [Event(subject="a", kind="training_absence", on=date(2026, 1, 5), quantity=2.5)]
    measures = [
        Measure(subject="a", criterion="quantity", value="0.9"),
        Measure(subject="a", criterion="quality", value=Decimal("0.8")),
    ]
    card: Scorecard = score(policy, period, Person(id="a", unit="U"), events, measures)
    table: ScoreTable = score_many(policy, "2026-Q1", ["a"], events=events, measures=measures)
    text: str = card.explain("en") + card.to_json()
    rows = table.to_rows()
    try:
        Period.parse("not a period")
    except KpiscoreError as error:
        text += str(error)
    return card.total, card.rating, len(rows) + len(text) + len(kpiscore.__all__)
