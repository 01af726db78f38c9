"""kpiscore: exact, deterministic, explainable KPI scoring for civil servants.

A policy plus facts about a person (events, measures) becomes a :class:`Scorecard` whose ledger
shows every point gained, lost, capped or rounded, and the rule behind it.

>>> from kpiscore import Category, Criterion, Deduction, Policy, score
>>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
...     Criterion(id="training", name="Training", max_points=15,
...               deductions=[Deduction(on="training_absence", points=2)])])])
>>> score(policy, "2026-Q1", "nv001").total
Decimal('15.00')
"""

from kpiscore._columnar import score_frame
from kpiscore._engine import score, score_many
from kpiscore._facts import Event, Measure, Person
from kpiscore._load import dump_policy, load_events, load_measures, load_people, load_policy
from kpiscore._period import Period
from kpiscore._policy import Award, Band, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore._schema import policy_schema
from kpiscore._scorecard import (
    Adjustment,
    BandInfo,
    CapLine,
    CategoryResult,
    CriterionResult,
    RuleLine,
    Scorecard,
    ScoreTable,
)
from kpiscore.calendar import WorkCalendar
from kpiscore.exceptions import (
    CalendarError,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    MissingExtraError,
    MissingInputError,
    PeriodError,
    PolicyError,
    PolicyValidationError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.rollup import Rollup, RollupTable, rollup, rollup_many
from kpiscore.work import TaskRatios, WorkItem, approval_events, task_ratios

__version__ = "0.1.0.dev0"

__all__ = [
    "Adjustment",
    "Award",
    "Band",
    "BandInfo",
    "CalendarError",
    "CapLine",
    "Category",
    "CategoryResult",
    "Criterion",
    "CriterionResult",
    "Deduction",
    "Event",
    "FileFormatError",
    "FileFormatErrorGroup",
    "InputError",
    "KpiscoreError",
    "Measure",
    "MissingExtraError",
    "MissingInputError",
    "Period",
    "PeriodError",
    "Person",
    "Policy",
    "PolicyError",
    "PolicyValidationError",
    "RatingCap",
    "Rollup",
    "RollupTable",
    "RuleLine",
    "ScoreTable",
    "Scorecard",
    "TaskRatios",
    "UnknownPolicyError",
    "UnknownSubjectError",
    "WorkCalendar",
    "WorkItem",
    "__version__",
    "approval_events",
    "dump_policy",
    "load_events",
    "load_measures",
    "load_people",
    "load_policy",
    "policy_schema",
    "rollup",
    "rollup_many",
    "score",
    "score_frame",
    "score_many",
    "task_ratios",
]
