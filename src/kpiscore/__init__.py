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

from typing import TYPE_CHECKING

from kpiscore.cycle.approvals import approval_events
from kpiscore.cycle.calendar import WorkCalendar
from kpiscore.cycle.evaluation import Evaluation, EvaluationResult
from kpiscore.cycle.rollup import Rollup, RollupTable, rollup_many
from kpiscore.cycle.work import TaskRatios, WorkItem, task_ratios
from kpiscore.engine.columnar import score_frame
from kpiscore.engine.exact import score, score_many
from kpiscore.exceptions import (
    CalendarError,
    DuplicateEventError,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    InputErrorGroup,
    KpiscoreError,
    MissingExtraError,
    MissingInputError,
    OutputError,
    PeriodError,
    PolicyError,
    PolicyValidationError,
    UnknownKindError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.io.load import dump_policy, load_events, load_measures, load_people, load_policy
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.period import Period
from kpiscore.model.policy import Award, Band, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore.model.schema import policy_schema
from kpiscore.results.scorecard import (
    Adjustment,
    BandInfo,
    CapLine,
    CategoryResult,
    CriterionResult,
    RuleLine,
    Scorecard,
    ScoreTable,
)

# ``kpiscore.rollup`` is the public module, callable as the function (see kpiscore/rollup.py):
# binding the function here would shadow the module for ``import kpiscore.rollup as m``.
if TYPE_CHECKING:
    from kpiscore.cycle.rollup import rollup
else:
    from kpiscore import rollup

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
    "DuplicateEventError",
    "Evaluation",
    "EvaluationResult",
    "Event",
    "FileFormatError",
    "FileFormatErrorGroup",
    "InputError",
    "InputErrorGroup",
    "KpiscoreError",
    "Measure",
    "MissingExtraError",
    "MissingInputError",
    "OutputError",
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
    "UnknownKindError",
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
