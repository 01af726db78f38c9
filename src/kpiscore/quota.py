"""Quotas on the top rating: at most a share of a base count keep it, within each group.

The public face of :mod:`kpiscore.cycle.quota`, where the implementation and its full
documentation live (``src/kpiscore/cycle/quota.py``); see ``docs/architecture.md`` for the house.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.cycle.quota import *  # noqa: F403
from kpiscore.cycle.quota import __all__ as __all__  # noqa: PLC0414 (the alias re-exports it)
