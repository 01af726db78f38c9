"""Lazy imports of optional extras, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from kpiscore.exceptions import MissingExtraError

__all__ = ["require"]


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``kpiscore[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"this feature needs the optional package {module!r}, which is not installed;"
            f" install it with: pip install 'kpiscore[{extra}]'"
        ) from None
