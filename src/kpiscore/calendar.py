"""Working calendars and Civil Code deadlines (lịch làm việc, thời hạn).

The public face of :mod:`kpiscore.cycle.calendar`, where the implementation and its full
documentation live (``src/kpiscore/cycle/calendar.py``); see ``docs/architecture.md`` for the house.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.cycle.calendar import *  # noqa: F403
from kpiscore.cycle.calendar import __all__ as __all__  # noqa: PLC0414 (the alias re-exports it)
