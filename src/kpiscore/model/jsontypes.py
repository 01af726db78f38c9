"""Types of plain data trees: what ``json.loads``, ``tomllib.loads`` and every ``to_dict()`` give.

Use these instead of ``Any`` in signatures, so ``mypy --strict`` checks the code that walks a
tree: a function that *reads* a tree takes :data:`JsonObject` (or ``Mapping[str, object]``) and
narrows with ``isinstance``; a function that *builds* one returns :data:`JsonObject`.

``JsonValue`` is the recursive union of what a JSON document can hold, with the scalar types
kpiscore's own trees add (a :class:`~decimal.Decimal` before it is written as a string, a
:class:`~datetime.date` from TOML).

>>> from kpiscore.model.jsontypes import JsonObject
>>> tree: JsonObject = {"id": "nd335", "bands": [{"id": "HTXS", "min_points": "90"}]}
>>> isinstance(tree["bands"], list)
True
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TypeAlias

__all__ = ["JsonObject", "JsonScalar", "JsonValue"]

JsonScalar: TypeAlias = str | int | float | bool | Decimal | _dt.date | None
"""One leaf of a tree (``float`` only as parsed JSON gives it; kpiscore never scores a float)."""

JsonValue: TypeAlias = "JsonScalar | list[JsonValue] | dict[str, JsonValue]"
"""Any value of a tree: a leaf, a list of values or an object."""

JsonObject: TypeAlias = "dict[str, JsonValue]"
"""An object of a tree: string keys, :data:`JsonValue` values."""
