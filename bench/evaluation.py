"""Benchmark: an evaluation cycle against the plain scoring it is made of, in one run.

Usage::

    python bench/evaluation.py                 # 5,000 people, four quarters
    python bench/evaluation.py --people 500

A synthetic agency: one director, units of one head and nine staff, the bundled Decree 335
staff and leader policies, quarterly measures. Two methods on the same data, inputs built
before the clock starts, best of ``--repeat`` calls:

1. ``baseline``   ``score_many`` once per quarter and policy, then ``rollup_many`` per policy:
                  what a caller writes by hand *without* leaders after their reports;
2. ``evaluation`` ``Evaluation.run()``: the same scoring, level by level along ``manager``, the
                  (d) events derived, the year rolled up across policies.

It prints seconds and the ratio evaluation / baseline measured in this run; no figure is
asserted anywhere.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from kpiscore import Evaluation, Measure, Period, Person, policies, rollup_many, score_many
from kpiscore.cycle.evaluation_assign import AssignRule
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_people import Member

CRITERIA = ("politics_ethics", "competence", "innovation", "quantity", "quality", "on_time")


def agency(size: int) -> tuple[list[Member], dict[Period, list[Measure]]]:
    people = [Member(person=Person(id="gd", unit="BGĐ", position="Giám đốc"))]
    unit = 0
    while len(people) < size:
        unit += 1
        head = f"tp{unit:04d}"
        people.append(
            Member(person=Person(id=head, unit=f"U{unit}", position="Trưởng phòng"), manager="gd")
        )
        for number in range(9):
            if len(people) >= size:
                break
            people.append(
                Member(
                    person=Person(
                        id=f"nv{unit:04d}{number}", unit=f"U{unit}", position="Chuyên viên"
                    ),
                    manager=head,
                )
            )
    measures: dict[Period, list[Measure]] = {}
    for index, quarter in enumerate(Period.year(2026).quarters()):
        rows = []
        for position, member in enumerate(people):
            points = ("9", "8", str(5 + (position + index) % 5))
            ratios = ("1", "1", "0.4" if (position + index) % 23 == 0 else "0.9")
            for criterion, value in zip(CRITERIA, (*points, *ratios), strict=True):
                rows.append(Measure(subject=member.id, criterion=criterion, value=value))
        measures[quarter] = rows
    return people, measures


def best(call: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    people, measures = agency(args.people)
    staff, leader = policies.load("vn-nd335-2025-staff"), policies.load("vn-nd335-2025-leader")
    leaders = {m.id for m in people if m.person.position != "Chuyên viên"}

    def baseline() -> None:
        for policy, chosen in ((leader, leaders), (staff, None)):
            group = [m.person for m in people if (m.id in leaders) == (chosen is not None)]
            ids = {person.id for person in group}
            tables = [
                score_many(policy, quarter, group, measures=[m for m in rows if m.subject in ids])
                for quarter, rows in measures.items()
            ]
            rollup_many(tables, "2026")

    evaluation = Evaluation(
        name="bench",
        period="2026",
        every="quarter",
        people=people,
        measures=measures,
        assign=[
            AssignRule(when={"position": ["Giám đốc", "Trưởng phòng"]}, policy=leader),
            AssignRule(policy=staff),
        ],
        leaders=LeaderRule(),
    )
    seconds = {
        "baseline": best(baseline, args.repeat),
        "evaluation": best(evaluation.run, args.repeat),
    }
    print(f"{len(people)} people, 4 quarters, best of {args.repeat}")
    for name, value in seconds.items():
        print(f"  {name:<11} {value:8.3f} s  {len(people) * 4 / value:10.0f} cards/s")
    print(f"  ratio evaluation / baseline: {seconds['evaluation'] / seconds['baseline']:.2f}")


if __name__ == "__main__":
    main()
