"""Additional income ("thu nhập tăng thêm") by rating: payout tables, bundled and your own.

The public face of :mod:`kpiscore.cycle.payout`, where the implementation and its full
documentation live (``src/kpiscore/cycle/payout/__init__.py``); see ``docs/architecture.md``.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.cycle.payout import *  # noqa: F403
from kpiscore.cycle.payout import __all__ as __all__  # noqa: PLC0414 (the alias re-exports it)
