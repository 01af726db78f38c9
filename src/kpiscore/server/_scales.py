"""A fixed scale for every decimal field of an answer.

The library writes each number with the digits it needs (``"30"``, ``"0.9"``) and each reported
figure with the policy's decimals (``"94.00"``). A client generated from the OpenAPI document
reads each field into one type, so the service writes every value of a decimal field with the
same number of decimals, by padding with zeros only (a value is never rounded):

- a **points** field (points, totals, maxima, ledger amounts, deltas) has at least the policy's
  decimals (precision 0.01: two; for ``/compare`` the finer of the two policies', for
  ``GET /policies`` the finest of those listed), and more only when some value of that field in
  the answer needs more to be exact (a ratio measure with three decimals makes ``start`` need
  them): then every value of that field in the answer has that many;
- a **value** field (a measure, an event's quantity, a weight) has as many decimals as its most
  precise value in the answer.

The reported figures (:data:`REPORTED`: criterion, category and scorecard points, totals,
deltas) are quantized by the library, so their scale is always exactly the policy's decimals.
The OpenAPI document says each field's scale in its description (and ``format: decimal``).

>>> tree = {"scorecards": [{"total": "94.00", "max_total": "100", "categories": []}]}
>>> fix_scales(tree, "ScoreTableBody", 2)["scorecards"][0]["max_total"]
'100.00'
"""

from __future__ import annotations

import typing
from typing import Final, Literal

from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.server import _responses

__all__ = ["DECIMALS", "REPORTED", "decimals_of", "describe_scale", "fix_scales"]

Kind = Literal["points", "value"]

_POINTS: Final = "points"
_VALUE: Final = "value"

#: Every decimal field of every answer body, by body and field, with its kind of scale.
DECIMALS: Final[dict[str, dict[str, Kind]]] = {
    "LedgerEventBody": {"quantity": _VALUE},
    "RuleLineBody": dict.fromkeys(
        ("points", "requested", "limit", "limited", "absorbed", "carried", "applied"), _POINTS
    ),
    "CriterionBody": {
        **dict.fromkeys(
            (
                "max_points",
                "floor",
                "start",
                "raw",
                "points",
                "absorbed_by_floor",
                "absorbed_by_max",
                "raised_by_floor",
                "carried",
            ),
            _POINTS,
        ),
        "weight": _VALUE,
        "measure": _VALUE,
    },
    "CategoryBody": {"max_points": _POINTS, "points": _POINTS},
    "ScorecardBody": dict.fromkeys(("total", "max_total", "carried", "clamped"), _POINTS),
    "PointsMoveBody": dict.fromkeys(("base_points", "variant_points", "delta"), _POINTS),
    "ComparisonRowBody": dict.fromkeys(("base_total", "variant_total", "delta"), _POINTS),
    "ComparisonSummaryBody": dict.fromkeys(("mean_delta", "min_delta", "max_delta"), _POINTS),
    "PolicyEntryBody": {"max_total": _POINTS},
}

#: The fields the library quantizes to the policy's precision: exactly its decimals.
REPORTED: Final = frozenset(
    {
        ("CriterionBody", "points"),
        ("CategoryBody", "points"),
        ("ScorecardBody", "total"),
        ("ScorecardBody", "carried"),
        ("PointsMoveBody", "base_points"),
        ("PointsMoveBody", "variant_points"),
        ("PointsMoveBody", "delta"),
        ("ComparisonRowBody", "base_total"),
        ("ComparisonRowBody", "variant_total"),
        ("ComparisonRowBody", "delta"),
        ("ComparisonSummaryBody", "mean_delta"),
        ("ComparisonSummaryBody", "min_delta"),
        ("ComparisonSummaryBody", "max_delta"),
    }
)


def decimals_of(precision: object) -> int:
    """The decimals of a policy's precision (a power of ten up to 1).

    >>> from decimal import Decimal
    >>> decimals_of(Decimal("0.01")), decimals_of(Decimal("1"))
    (2, 0)
    """
    from decimal import Decimal

    exponent = Decimal(str(precision)).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def describe_scale(body: str, field: str) -> str:
    """What the OpenAPI document says of a decimal field's scale."""
    if (body, field) in REPORTED:
        return (
            "A decimal string with exactly the policy's decimals (precision 0.01: two; for"
            " /compare the finer of the two policies')."
        )
    if DECIMALS[body][field] == _POINTS:
        return (
            "A decimal string; every value of this field in one answer has the same decimals:"
            " the policy's (precision 0.01: two), or more when a value needs them to be exact"
            " (never rounded)."
        )
    return (
        "A decimal string; every value of this field in one answer has the same decimals, as"
        " many as its most precise value (never rounded)."
    )


def _scale(text: str) -> int:
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def _padded(text: str, scale: int, wanted: int) -> str:
    if scale >= wanted:
        return text
    return f"{text}{'' if scale else '.'}{'0' * (wanted - scale)}"


def _child(hint: object) -> str | None:
    """The answer body a field's annotation holds (directly, in a list, or or-None)."""
    if typing.is_typeddict(hint):
        return getattr(hint, "__name__", None)
    for argument in typing.get_args(hint):
        found = _child(argument)
        if found is not None:
            return found
    return None


def _nested(body: str) -> dict[str, str]:
    hints = typing.get_type_hints(getattr(_responses, body))
    return {
        field: child
        for field, hint in hints.items()
        if (child := _child(hint)) is not None and child != "PolicyDocument"
    }


#: The fields of each answer body that hold other bodies (computed once).
_NESTED: Final[dict[str, dict[str, str]]] = {
    name: _nested(name) for name in dir(_responses) if name.endswith("Body")
}


#: Each body's decimal fields (computed once).
_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    name: tuple(DECIMALS.get(name, {})) for name in _NESTED
}


def _collect(node: JsonValue, body: str, places: dict[tuple[str, str], list[JsonObject]]) -> None:
    """Add every object of ``body`` (and of the bodies inside it) holding a decimal string to
    ``places``, under its body and field (one pass, no generators: it runs on every answer)."""
    if isinstance(node, list):
        for item in node:
            _collect(item, body, places)
        return
    if not isinstance(node, dict):
        return
    for field in _FIELDS[body]:
        if isinstance(node.get(field), str):
            places.setdefault((body, field), []).append(node)
    for field, child in _NESTED[body].items():
        inner = node.get(field)
        if inner is not None:
            _collect(inner, child, places)


def fix_scales(tree: JsonObject, body: str, decimals: int) -> JsonObject:
    """Write every decimal of an answer tree with its field's fixed scale (changes ``tree``).

    Args:
        tree: The answer, as the library's JSON-ready tree (decimals as fixed-point strings).
        body: The name of its body class in :mod:`kpiscore.server._responses`.
        decimals: The policy's decimals (the least scale of a points field).

    Returns:
        ``tree``, every decimal padded with zeros to its field's scale.
    """
    places: dict[tuple[str, str], list[JsonObject]] = {}
    _collect(tree, body, places)
    for (owner, field), nodes in places.items():
        texts = [(node, str(node[field])) for node in nodes]
        scales = [_scale(text) for _, text in texts]
        wanted = max([decimals if DECIMALS[owner][field] == _POINTS else 0, *scales])
        if all(scale == wanted for scale in scales):
            continue  # every value has its scale already (the reported figures, mostly)
        for (node, text), scale in zip(texts, scales, strict=True):
            node[field] = _padded(text, scale, wanted)
    return tree
