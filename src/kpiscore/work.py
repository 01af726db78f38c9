"""Work items: task ratios (Decree 335/2025 Art. 14) and late-approval events.

The public face of :mod:`kpiscore.cycle.work` and :mod:`kpiscore.cycle.approvals`, where the
implementation and its full documentation live; see ``docs/architecture.md`` for the house.
"""

# The implementations' names, exactly: their ``__all__`` lists are the public list, kept in one
# place each.
from kpiscore.cycle import approvals as _approvals
from kpiscore.cycle import work as _work
from kpiscore.cycle.approvals import *  # noqa: F403
from kpiscore.cycle.work import *  # noqa: F403

__all__ = _work.__all__ + _approvals.__all__
