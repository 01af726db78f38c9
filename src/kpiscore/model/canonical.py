"""Canonical JSON: the one way kpiscore writes a result, so equal results are equal bytes."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json"]


def canonical_json(tree: Any, *, indent: int | None = None) -> str:
    """Sorted keys, UTF-8 text (Vietnamese as written), compact unless ``indent`` is given.

    >>> canonical_json({"b": "Tổng", "a": "1.50"})
    '{"a":"1.50","b":"Tổng"}'
    """
    return json.dumps(
        tree,
        sort_keys=True,
        ensure_ascii=False,
        indent=indent,
        separators=(",", ": ") if indent is not None else (",", ":"),
    )
