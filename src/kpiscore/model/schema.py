"""The JSON Schema of the policy file format, generated from the model classes.

Each object of a policy file (policy, category, criterion, deduction, award, band, cap) gets one
definition whose properties are the class's ``attrs`` fields, typed from their annotations, with
the field descriptions taken from the class docstrings. The schema is shipped with the package as
``kpiscore/data/schemas/policy.schema.json`` so other systems and editors can check a policy file
without Python; a test keeps that file equal to :func:`policy_schema` and in step with the loader.

The schema checks each value on its own (keys, types, choices, required keys, signs and ranges
of numbers, non-empty lists, ``ratio_cap`` only with basis ``ratio``); the loader also checks
what involves several values (unique ids, sums to the scale, bands, caps, floors, validity
dates) and a few single values a schema cannot judge (a decimal string's magnitude, a
precision being a power of ten). So a file can pass the schema and still be refused by
:func:`kpiscore.load_policy`, never the other way round; ``docs/errors.md`` lists the rules the
schema leaves to the loader, and a fuzz test holds both to that.

Regenerate the shipped file after changing the model::

    python -m kpiscore.model.schema > src/kpiscore/data/schemas/policy.schema.json
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.numbers import ROUNDING_MODES
from kpiscore.model.policy import Award, Band, Category, Criterion, Deduction, Policy, RatingCap

__all__ = ["policy_schema", "schema_text"]

#: Every object of a policy file: its name in ``$defs`` and the class it builds.
OBJECTS: Final[dict[str, type]] = {
    "Policy": Policy,
    "Category": Category,
    "Criterion": Criterion,
    "Deduction": Deduction,
    "Award": Award,
    "Band": Band,
    "RatingCap": RatingCap,
}

# A number is a JSON/TOML number or a decimal string, read exactly as kpiscore.to_decimal reads
# it: surrounding white space and underscores anywhere are dropped ("1_000", " 2.5 "), then a
# sign, digits with an optional point, an optional exponent ("0.01", "-2.5e3", ".5", "1.").
_MANTISSA: Final = r"(\d[\d_]*(\.[\d_]*)?|\.[\d_]*\d[\d_]*)"
_ZERO_MANTISSA: Final = r"(0[0_]*(\.[0_]*)?|\.[0_]*0[0_]*)"
_EXPONENT: Final = r"([eE]_*[+-]?_*\d[\d_]*)?"
_DECIMAL_PATTERN: Final = rf"^[\s_]*[+-]?_*{_MANTISSA}{_EXPONENT}[\s_]*$"
# Not negative: no minus sign, except on a zero ("-0" is 0).
_NON_NEGATIVE_PATTERN: Final = rf"^[\s_]*(\+?_*{_MANTISSA}|-_*{_ZERO_MANTISSA}){_EXPONENT}[\s_]*$"
# Positive: not negative, and a digit other than 0 before any exponent.
_POSITIVE_PATTERN: Final = rf"^(?=[^eE]*[1-9]){_NON_NEGATIVE_PATTERN[1:]}"
# A precision: a power of ten from 1 to 1E-12. Written without an exponent, the pattern says it
# whole ("1", "1.0", "0.01", ".001"; not "10" or "0.05"); with an exponent ("1e-2", "100e-4") it
# checks the digits are a one and zeros, and the loader checks the power; a mantissa with a
# non-ASCII digit (which Python's decimal reads) is left to the loader too.
_ONE_PLAIN: Final = r"([0_]*1_*(\.[0_]*)?|[0_]*\.(_*0){0,11}_*1[0_]*)"
_ONE_MANTISSA: Final = r"([0_]*1[0_]*(\.[0_]*)?|[0_]*\.[0_]*1[0_]*)"
_PRECISION_PATTERN: Final = (
    rf"^[\s_]*\+?_*({_ONE_PLAIN}|{_ONE_MANTISSA}[eE]_*[+-]?_*\d[\d_]*)[\s_]*$"
    rf"|^(?=.*[^\x00-\x7f]){_NON_NEGATIVE_PATTERN[1:]}"
)
# kpiscore refuses a number of magnitude 10**15 or more; JSON numbers say so here (a string's
# magnitude is beyond a regular expression's reach: see docs/errors.md, "JSON Schema").
_BOUND: Final = 10**15
_NUMBER: Final[JsonObject] = {
    "description": 'An exact decimal: a number, or a string such as "0.875".',
    "anyOf": [
        {"type": "number", "exclusiveMinimum": -_BOUND, "exclusiveMaximum": _BOUND},
        {"type": "string", "pattern": _DECIMAL_PATTERN},
    ],
}
_NON_NEGATIVE: Final[JsonObject] = {
    "description": "An exact decimal, zero or more.",
    "anyOf": [
        {"type": "number", "minimum": 0, "exclusiveMaximum": _BOUND},
        {"type": "string", "pattern": _NON_NEGATIVE_PATTERN},
    ],
}
_POSITIVE: Final[JsonObject] = {
    "description": "An exact decimal, more than zero.",
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": _BOUND},
        {"type": "string", "pattern": _POSITIVE_PATTERN},
    ],
}
_SHARE: Final[JsonObject] = {
    "description": "An exact decimal from 0 to 1.",
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 1},
        {"type": "string", "pattern": _NON_NEGATIVE_PATTERN},
    ],
}
_PRECISION: Final[JsonObject] = {
    "description": "A power of ten from 1 to 1E-12, such as 0.01.",
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        {"type": "string", "pattern": _PRECISION_PATTERN},
    ],
}
# Number fields with a narrower range than any decimal (the model's validators hold the rule).
_NUMBER_KINDS: Final = {
    ("Deduction", "points"): "nonNegative",
    ("Deduction", "limit"): "nonNegative",
    ("Award", "points"): "nonNegative",
    ("Award", "limit"): "nonNegative",
    ("Criterion", "max_points"): "nonNegative",
    ("Category", "max_points"): "nonNegative",
    ("Band", "min_points"): "nonNegative",
    ("Policy", "scale"): "nonNegative",
    ("Policy", "min_worked_share"): "share",
    ("Policy", "max_ratio"): "positive",
    ("Policy", "precision"): "precision",
}
# Lists that must not be empty.
_NON_EMPTY: Final = {("Policy", "categories"), ("Category", "criteria")}
_TEXT: Final[JsonObject] = {"type": "string", "pattern": r"\S"}
_DATE: Final[JsonObject] = {
    "description": "A date, YYYY-MM-DD (a TOML date or a JSON string).",
    "type": "string",
    "format": "date",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
}
# Fields whose choices the validators hold rather than the annotation.
_CHOICES: Final[dict[tuple[str, str], list[JsonValue]]] = {
    ("Policy", "rounding"): list(ROUNDING_MODES)
}
# TOML authors write ``version = 2``; the loader reads a whole number there as text.
_TEXT_OR_INTEGER: Final = {("Policy", "id"), ("Policy", "name"), ("Policy", "version")}


def _field_docs(cls: type) -> dict[str, str]:
    """Field descriptions from the ``Args:`` section of a Napoleon docstring."""
    doc = inspect.getdoc(cls) or ""
    if cls is Award:  # Award documents its fields as "same fields as Deduction"
        doc = inspect.getdoc(Deduction) or ""
    docs: dict[str, str] = {}
    in_args = False
    current: str | None = None
    for line in doc.splitlines():
        if line.strip() == "Args:":
            in_args = True
            continue
        if not in_args:
            continue
        if line and not line.startswith(" "):
            break  # the next section
        match = re.match(r"^    (\w+): (.*)$", line)
        if match:
            current = match.group(1)
            docs[current] = match.group(2).strip()
        elif current is not None and line.startswith("        "):
            docs[current] += " " + line.strip()
        elif not line.strip():
            current = None
    return {name: re.sub(r"``([^`]*)``", r"\1", text) for name, text in docs.items()}


def _summary(cls: type) -> str:
    return (inspect.getdoc(cls) or cls.__name__).split("\n\n", 1)[0].replace("\n", " ")


def _nullable(schema: JsonObject) -> JsonObject:
    return {"anyOf": [schema, {"type": "null"}]}


def _type_schema(annotation: object, owner: str, field: str) -> tuple[JsonObject, bool]:
    """(schema, nullable) for one annotated field."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union) and type(None) in arguments:
        (inner,) = (a for a in arguments if a is not type(None))
        schema, _ = _type_schema(inner, owner, field)
        return schema, True
    if (owner, field) in _CHOICES:
        return {"enum": _CHOICES[owner, field]}, False
    if (owner, field) in _TEXT_OR_INTEGER:
        return {"anyOf": [_TEXT, {"type": "integer"}]}, False
    if annotation is Decimal:
        return {"$ref": f"#/$defs/{_NUMBER_KINDS.get((owner, field), 'number')}"}, False
    if annotation is str:
        return dict(_TEXT), False
    if annotation is bool:
        return {"type": "boolean"}, False
    if annotation is _dt.date:
        return {"$ref": "#/$defs/date"}, False
    if origin is typing.Literal:
        return {"enum": list(arguments)}, False
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        item = arguments[0]
        items: JsonObject = dict(_TEXT) if item is str else {"$ref": f"#/$defs/{_def_name(item)}"}
        array: JsonObject = {"type": "array", "items": items}
        if item is str:
            array["uniqueItems"] = True
        if (owner, field) in _NON_EMPTY:
            array["minItems"] = 1
        return array, False
    if origin is Mapping and arguments == (str, Decimal):
        # Category weights: each one positive.
        return {"type": "object", "additionalProperties": {"$ref": "#/$defs/positive"}}, False
    raise TypeError(f"{owner}.{field}: no schema for annotation {annotation!r}")  # pragma: no cover


def _def_name(cls: type) -> str:
    for name, known in OBJECTS.items():
        if known is cls:
            return name
    raise TypeError(f"no schema definition for {cls!r}")  # pragma: no cover


def _object_schema(name: str, cls: type) -> JsonObject:
    hints = typing.get_type_hints(cls)
    docs = _field_docs(cls)
    properties: JsonObject = {}
    required: list[JsonValue] = []
    for field in attrs.fields(cls):
        schema, nullable = _type_schema(hints[field.name], name, field.name)
        if field.default is attrs.NOTHING:
            required.append(field.name)
        else:
            # null in a file means "the default", as Policy.to_dict() writes it.
            nullable = True
        if nullable:
            schema = _nullable(schema)
        if field.name in docs:
            schema = {"description": docs[field.name], **schema}
        properties[field.name] = schema
    result: JsonObject = {
        "description": _summary(cls),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if cls is Criterion:
        # ratio_cap applies only to basis "ratio" (basis defaults to "full").
        result["if"] = {"properties": {"ratio_cap": {"const": True}}, "required": ["ratio_cap"]}
        result["then"] = {"properties": {"basis": {"const": "ratio"}}, "required": ["basis"]}
    return result


@functools.cache
def _generated() -> JsonObject:
    definitions: JsonObject = {
        "number": _NUMBER,
        "nonNegative": _NON_NEGATIVE,
        "positive": _POSITIVE,
        "share": _SHARE,
        "precision": _PRECISION,
        "date": _DATE,
    }
    for name, cls in OBJECTS.items():
        definitions[name] = _object_schema(name, cls)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kpiscore policy file",
        "description": (
            "A kpiscore scoring policy, as read by kpiscore.load_policy (TOML or JSON). The"
            " schema checks the shape; kpiscore also checks the meaning (unique ids, sums, bands,"
            " caps) when it loads the file."
        ),
        "$ref": "#/$defs/Policy",
        "$defs": definitions,
    }


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a policy file, as a fresh dict.

    >>> schema = policy_schema()
    >>> schema["$defs"]["Criterion"]["required"]
    ['id', 'name', 'max_points']
    >>> schema["$defs"]["Deduction"]["properties"]["per"]["anyOf"][0]
    {'enum': ['occurrence', 'unit']}
    """
    return copy.deepcopy(_generated())


def schema_text() -> str:
    """The schema as the text of ``policy.schema.json`` (the file shipped in the package)."""
    return json.dumps(_generated(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover - the regeneration command in the docstring
    print(schema_text(), end="")
