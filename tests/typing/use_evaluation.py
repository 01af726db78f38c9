"""The evaluation cycle, used as a user would; it must pass ``mypy --strict``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from kpiscore import Evaluation, EvaluationResult, Event, Measure, Period, Person, policies
from kpiscore.cycle.evaluation_assign import AssignRule
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_leave import Leave
from kpiscore.rollup import RollupTable
from kpiscore.work import read_approvals


def from_file(path: Path) -> EvaluationResult:
    return Evaluation.load(path).run()


def in_python() -> RollupTable:
    evaluation = Evaluation(
        name="Phòng A",
        period="2026",
        every="quarter",
        people=[Person(id="nv01")],
        measures={Period.quarter(2026, 1): [Measure(subject="nv01", criterion="x", value=1)]},
        leave=[
            Leave(
                subject="nv01", start=date(2026, 4, 1), end=date(2026, 12, 31), reason="maternity"
            )
        ],
        assign=[AssignRule(policy=policies.load("vn-nd335-2025-staff"))],
        leaders=LeaderRule(),
    )
    return evaluation.run().year


def totals(result: EvaluationResult) -> dict[str, Decimal]:
    return {row.subject: row.total for row in result.year}


def late(path: Path) -> tuple[Event, ...]:
    return read_approvals(path, as_of=date(2026, 12, 31), days=5, unit="working")
