"""Work items: task ratios (Decree 335/2025 Art. 14) and late-approval events.

The public face of :mod:`kpiscore.cycle.work` and :mod:`kpiscore.cycle.approvals`, where the
implementation and its full documentation live; see ``docs/architecture.md`` for the house.
"""

from kpiscore.cycle.approvals import approval_events, read_approvals
from kpiscore.cycle.work import (
    RATIO_PLACES,
    ItemResult,
    SubjectTasks,
    TaskRatio,
    TaskRatios,
    WorkItem,
    task_ratios,
)

__all__ = [
    "RATIO_PLACES",
    "ItemResult",
    "SubjectTasks",
    "TaskRatio",
    "TaskRatios",
    "WorkItem",
    "approval_events",
    "read_approvals",
    "task_ratios",
]
