"""Roll-up: a year's (or any period's) result from the scorecards of the sub-periods worked.

The public face of :mod:`kpiscore.cycle.rollup`, where the implementation and its full
documentation live (``src/kpiscore/cycle/rollup.py``); see ``docs/architecture.md``.

``kpiscore.rollup`` is this *module*, and the module is callable: calling it calls the function
:func:`kpiscore.cycle.rollup.rollup`. So ``from kpiscore import rollup; rollup(cards)`` and
``import kpiscore.rollup as m; m.rollup_many(...)`` both mean what they say.

>>> import kpiscore.rollup as module
>>> from kpiscore import rollup
>>> module is rollup, callable(rollup), module.rollup_many.__name__
(True, True, 'rollup_many')
"""

from __future__ import annotations

import sys
import types
from typing import Any

from kpiscore.cycle.rollup import Rollup, RollupTable, rollup, rollup_many

__all__ = ["Rollup", "RollupTable", "rollup", "rollup_many"]


class _CallableModule(types.ModuleType):
    """This module, callable as its function :func:`rollup` (the package name would shadow it)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Rollup:
        return rollup(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
