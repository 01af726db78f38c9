"""Policy variants: change a policy's parameters by path, and see who a change moves.

The public face of :mod:`kpiscore.cycle.variants`, where the implementation and its full
documentation live (``src/kpiscore/cycle/variants.py``); see ``docs/architecture.md`` for the house.
"""

# The implementation's names, exactly: its ``__all__`` is the public list, kept in one place.
from kpiscore.cycle.variants import *  # noqa: F403
from kpiscore.cycle.variants import __all__ as __all__  # noqa: PLC0414 (the alias re-exports it)
