"""Work items: task ratios (Decree 335/2025 Art. 14) and late-approval events.

The public face of :mod:`kpiscore.cycle.work`, where the implementation and its full
documentation live (``src/kpiscore/cycle/work.py``); see ``docs/architecture.md`` for the house.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.cycle.work import *  # noqa: F403
from kpiscore.cycle.work import __all__ as __all__  # noqa: PLC0414 (the alias re-exports it)
