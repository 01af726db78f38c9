"""A deterministic synthetic workforce and its policy, for the benchmark and its correctness test.

The policy is described once as plain data (``SPEC``) so the hand-written baselines in
``run.py`` can compute the same totals without kpiscore; :func:`bench_policy` builds the
kpiscore ``Policy`` from the same data.

Policy: 3 categories and 20 criteria — 17 deduction criteria in two plain-sum categories of 15
points each (some per unit, some with a rule limit, two carrying overflow into the total) and a
70-point task category over 3 ratio criteria — with the national bands and a reprimand cap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
)

PERIOD = Period.quarter(2026, 1)


def _deduction_criteria() -> list[dict[str, Any]]:
    criteria = []
    points = ["0.5", "1", "0.25", "0.75", "1.5"]
    for number in range(1, 18):
        if number <= 9:
            category, maximum = "discipline", "2" if number <= 5 else "1.25"
        else:
            category, maximum = "professional", "1.875"
        criteria.append(
            {
                "id": f"d{number:02d}",
                "category": category,
                "max_points": Decimal(maximum),
                "kind": f"k{number:02d}",
                "points": Decimal(points[number % len(points)]),
                "per": "unit" if number % 3 == 0 else "occurrence",
                "limit": Decimal("1.5") if number % 4 == 0 else None,
                "overflow": "carry" if number in (1, 2) else "absorb",
            }
        )
    return criteria


SPEC: dict[str, Any] = {
    "deductions": _deduction_criteria(),
    "ratios": ["quantity", "quality", "on_time"],
    "task_max": Decimal(70),
    "bands": [
        ("HTXS", Decimal(90)),
        ("HTT", Decimal(70)),
        ("HT", Decimal(50)),
        ("KHT", Decimal(0)),
    ],
    "cap_kind": "reprimand",
    "cap_band": "KHT",
    "precision": Decimal("0.01"),
}


def bench_policy() -> Policy:
    """The kpiscore policy described by ``SPEC``."""
    groups: dict[str, list[Criterion]] = {"discipline": [], "professional": []}
    for item in SPEC["deductions"]:
        groups[item["category"]].append(
            Criterion(
                id=item["id"],
                name=f"Criterion {item['id']}",
                max_points=item["max_points"],
                overflow=item["overflow"],
                deductions=[
                    Deduction(
                        on=item["kind"], points=item["points"], per=item["per"], limit=item["limit"]
                    )
                ],
            )
        )
    names = {"discipline": "Discipline", "professional": "Professional conduct"}
    categories = [
        Category(id=key, name=names[key], criteria=value) for key, value in groups.items()
    ]
    categories.append(
        Category(
            id="task",
            name="Task results",
            max_points=SPEC["task_max"],
            criteria=[
                Criterion(id=ratio, name=ratio, max_points=100, basis="ratio")
                for ratio in SPEC["ratios"]
            ],
        )
    )
    return Policy(
        id="bench",
        name="Benchmark policy",
        scale=100,
        categories=categories,
        bands=[Band(id=band, min_points=low, name=band) for band, low in SPEC["bands"]],
        caps=[RatingCap(on=SPEC["cap_kind"], at_most=SPEC["cap_band"])],
    )


@dataclass(frozen=True)
class RawWorkforce:
    """Columns of raw facts: what a CSV export would hold, before any object is built."""

    people: list[str]
    units: list[str]
    event_subject: list[str]
    event_kind: list[str]
    event_on: list[date]
    event_quantity: list[Decimal]
    event_excused: list[bool]
    measure_subject: list[str]
    measure_criterion: list[str]
    measure_value: list[Decimal]


def generate(people: int, *, seed: int = 2026, events_per_person: int = 8) -> RawWorkforce:
    """Generate a deterministic workforce: ``events_per_person`` events on average, 10 %
    excused, about 10 % of events outside the quarter, a reprimand for about 1 % of people."""
    rng = random.Random(seed)
    ids = [f"nv{i:07d}" for i in range(people)]
    units = [f"unit{rng.randrange(50):02d}" for _ in ids]
    kinds = [item["kind"] for item in SPEC["deductions"]]
    quantities = [Decimal("1"), Decimal("2"), Decimal("0.5"), Decimal("1.5"), Decimal("3")]
    subject: list[str] = []
    kind: list[str] = []
    on: list[date] = []
    quantity: list[Decimal] = []
    excused: list[bool] = []
    start = PERIOD.start - timedelta(days=5)
    span = PERIOD.days + 10
    for person in ids:
        count = rng.randrange(2 * events_per_person + 1)
        seen: set[tuple[str, date, Decimal, bool]] = set()
        for _ in range(count):
            fact = (
                kinds[rng.randrange(len(kinds))],
                start + timedelta(days=rng.randrange(span)),
                quantities[rng.randrange(len(quantities))],
                rng.random() < 0.10,
            )
            if fact in seen:  # each event once: kpiscore refuses a repeated row by default
                continue
            seen.add(fact)
            subject.append(person)
            kind.append(fact[0])
            on.append(fact[1])
            quantity.append(fact[2])
            excused.append(fact[3])
        if rng.random() < 0.01:
            subject.append(person)
            kind.append(SPEC["cap_kind"])
            on.append(PERIOD.start + timedelta(days=rng.randrange(PERIOD.days)))
            quantity.append(Decimal(1))
            excused.append(rng.random() < 0.3)
    m_subject: list[str] = []
    m_criterion: list[str] = []
    m_value: list[Decimal] = []
    for person in ids:
        for ratio in SPEC["ratios"]:
            m_subject.append(person)
            m_criterion.append(ratio)
            # Mostly high completion, three decimals, sometimes a round 1.
            value = 1000 if rng.random() < 0.2 else 600 + rng.randrange(401)
            m_value.append(Decimal(value).scaleb(-3))
    return RawWorkforce(
        people=ids,
        units=units,
        event_subject=subject,
        event_kind=kind,
        event_on=on,
        event_quantity=quantity,
        event_excused=excused,
        measure_subject=m_subject,
        measure_criterion=m_criterion,
        measure_value=m_value,
    )


def to_objects(raw: RawWorkforce) -> tuple[list[Person], list[Event], list[Measure]]:
    """kpiscore's fact objects for the raw columns (built once, outside any timing)."""
    people = [Person(id=i, unit=u) for i, u in zip(raw.people, raw.units, strict=True)]
    events = [
        Event(subject=s, kind=k, on=d, quantity=q, excused=x)
        for s, k, d, q, x in zip(
            raw.event_subject,
            raw.event_kind,
            raw.event_on,
            raw.event_quantity,
            raw.event_excused,
            strict=True,
        )
    ]
    measures = [
        Measure(subject=s, criterion=c, value=v)
        for s, c, v in zip(
            raw.measure_subject, raw.measure_criterion, raw.measure_value, strict=True
        )
    ]
    return people, events, measures


def generate_frames(
    people: int, *, seed: int = 2026, events_per_person: int = 8
) -> tuple[Any, Any, Any]:
    """The same kind of workforce generated straight into DataFrames with NumPy.

    For populations too large for Python lists of facts (1,000,000 people, 8,000,000 events):
    ids and kinds are categorical, numbers float64, dates datetime64 — what ``pd.read_csv``
    with those dtypes gives. A different random stream from :func:`generate`, equally
    deterministic.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = np.array([f"nv{i:07d}" for i in range(people)], dtype=object)
    units = np.array([f"unit{u:02d}" for u in range(50)], dtype=object)[rng.integers(0, 50, people)]
    counts = rng.integers(0, 2 * events_per_person + 1, people)
    total = int(counts.sum())
    subject = np.repeat(np.arange(people), counts)
    kinds = [item["kind"] for item in SPEC["deductions"]] + [SPEC["cap_kind"]]
    kind = rng.integers(0, len(kinds) - 1, total)
    kind[rng.random(total) < 0.00125] = len(kinds) - 1  # about 1 % of people get a reprimand
    start = np.datetime64(PERIOD.start - timedelta(days=5), "D")
    on = start + rng.integers(0, PERIOD.days + 10, total).astype("timedelta64[D]")
    quantity = np.array([1.0, 2.0, 0.5, 1.5, 3.0])[rng.integers(0, 5, total)]
    excused = rng.random(total) < 0.10
    events = pd.DataFrame(
        {
            "subject": pd.Categorical.from_codes(subject, categories=pd.Index(ids)),
            "kind": pd.Categorical.from_codes(kind, categories=pd.Index(kinds)),
            "on": on.astype("datetime64[ns]"),
            "quantity": quantity,
            "excused": excused,
        }
    ).drop_duplicates(ignore_index=True)  # each event once: kpiscore refuses repeated rows
    ratios = SPEC["ratios"]
    value = np.where(
        rng.random(people * len(ratios)) < 0.2,
        1000,
        600 + rng.integers(0, 401, people * len(ratios)),
    )
    measures = pd.DataFrame(
        {
            "subject": pd.Categorical.from_codes(
                np.repeat(np.arange(people), len(ratios)), categories=pd.Index(ids)
            ),
            "criterion": pd.Categorical.from_codes(
                np.tile(np.arange(len(ratios)), people), categories=pd.Index(ratios)
            ),
            "value": value / 1000,
        }
    )
    return pd.DataFrame({"id": ids, "unit": units}), events, measures
