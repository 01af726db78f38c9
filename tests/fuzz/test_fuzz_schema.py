"""The JSON Schema rejects what the loader rejects, on randomly damaged policy trees.

Invariants, for any tree made by damaging a bundled policy's tree (values replaced, keys removed
or added, list items doubled or dropped, ids copied):

- a tree the loader accepts, the schema accepts (the schema is never stricter);
- a tree the schema accepts but the loader refuses is refused only for rules a JSON Schema
  cannot state, each listed in ``docs/errors.md`` ("What the JSON Schema leaves to the loader").
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from fuzz_strategies import FUZZ
from hypothesis import event, given
from hypothesis import strategies as st

from kpiscore import InputError, Policy, PolicyError, PolicyValidationError, policies
from kpiscore.io.load import dump_policy
from kpiscore.model.numbers import to_decimal
from kpiscore.model.schema import policy_schema

#: The rules the loader checks and the schema cannot, by a fragment of their message; the same
#: list, with the reason for each, is in docs/errors.md.
LEFT_TO_THE_LOADER = {
    "is used twice": "unique ids (categories, criteria in a category, rules, bands)",
    "is used in more than one place": "criterion ids unique across the whole policy",
    "must add up to scale": "the categories' maxima add up to the scale",
    "the lowest band must start at 0": "the lowest band starts at 0",
    "the same min_points": "band thresholds distinct",
    "at_most names unknown band": "a cap names an existing band",
    "floor must be <= max_points": "a criterion's floor at most its maximum",
    "weights name criterion": "weights name the category's criteria",
    "weights must give a weight for every criterion": "weights cover every criterion",
    "a weighted category cannot scale by": "no criterion of maximum 0 in a weighted category",
    "is not a multiple of the policy's precision": "category maxima multiples of the precision",
    "must be on or before valid_to": "valid_from on or before valid_to",
    "less than 10**15 in magnitude": "a decimal string's magnitude",
    "at most 40 decimal places": "a number's decimal places",
    "a number is out of range": "a decimal string's exponent",
    "precision must be a power of ten": "the precision a power of ten",
    "min_worked_share must be <= 1": "a decimal string's upper bound",
}

VALUES = st.sampled_from(
    [
        0,
        -1,
        1,
        70,
        10**15,
        -(10**15),
        "0",
        "-0",
        "-1",
        "+5",
        "1_0",
        "_1",
        " 2.5 ",
        "1.",
        ".5",
        "1e2",
        "1e20",
        "1e-50",
        "1e999999999",
        "0.1",
        "0.5",
        "0.01",
        "0.010",
        "0.3",
        "2",
        "x",
        "",
        " ",
        "1.5.2",
        "NaN",
        "Infinity",
        "full",
        "zero",
        "ratio",
        "assessed",
        "carry",
        "absorb",
        "unit",
        "occurrence",
        "exclude",
        "ROUND_FLOOR",
        "HTXS",
        "HT",
        "KHT",
        "2026-01-01",
        "2025-12-31",
        "2026-02-30",
        "01/01/2026",
        True,
        False,
        None,
        Decimal("2.5"),
        Decimal("-0.5"),
        Decimal("1E+20"),
        Decimal("0.001"),
        [],
        {},
        {"x": "1"},
        ["a"],
    ]
)
BASES = [json.loads(dump_policy(policies.load(i), "json")) for i in policies.available()]
VALIDATOR = jsonschema.Draft202012Validator(
    policy_schema(), format_checker=jsonschema.FormatChecker()
)


def places(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in the tree (keys and list indexes)."""
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(places(value, (*path, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(places(value, (*path, index)))
    return found


def ids_in(tree: Any) -> list[str]:
    if isinstance(tree, dict):
        own = [tree["id"]] if isinstance(tree.get("id"), str) else []
        return own + [i for value in tree.values() for i in ids_in(value)]
    if isinstance(tree, list):
        return [i for value in tree for i in ids_in(value)]
    return []


@st.composite
def damaged(draw: st.DrawFn) -> Any:
    tree = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(places(tree)[1:]))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        edit = draw(st.sampled_from(["value", "value", "id", "delete", "add", "double"]))
        if edit == "value":
            parent[last] = draw(VALUES)
        elif edit == "id":
            parent[last] = draw(st.sampled_from(ids_in(tree) or ["x"]))
        elif edit == "delete":
            del parent[last]
        elif edit == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "points", "id", "weights", "basis"]))] = draw(
                VALUES
            )
        elif edit == "double" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
    return tree


def loader_problems(tree: Any) -> list[str] | None:
    """The loader's problems with the tree, or None when it builds a policy."""
    try:
        Policy.from_dict(tree)
    except PolicyValidationError as group:
        return [str(problem) for problem in group.exceptions]
    except PolicyError as error:
        return [str(error)]
    return None


class TestSchemaAgainstLoader:
    @FUZZ
    @given(tree=damaged())
    def test_the_schema_rejects_what_the_loader_rejects(self, tree: Any) -> None:
        """Invariant: loader accepts ⇒ schema accepts; schema accepts and loader refuses ⇒
        only for rules left to the loader (LEFT_TO_THE_LOADER, documented)."""
        problems = loader_problems(tree)
        schema_errors = [error.message for error in VALIDATOR.iter_errors(tree)]
        event(
            f"loader {'refuses' if problems else 'accepts'},"
            f" schema {'refuses' if schema_errors else 'accepts'}"
        )
        if problems is None:
            assert [] == schema_errors
        elif not schema_errors:
            unexplained = [
                problem
                for problem in problems
                if not any(fragment in problem for fragment in LEFT_TO_THE_LOADER)
            ]
            assert [] == unexplained

    @pytest.mark.parametrize(
        ("where", "value"),
        [
            pytest.param(("scale",), "-1", id="negative-scale-string"),
            pytest.param(("scale",), -1, id="negative-scale-number"),
            pytest.param(("categories",), [], id="no-categories"),
            pytest.param(("categories", 0, "criteria"), [], id="no-criteria"),
            pytest.param(("categories", 0, "criteria", 0, "max_points"), "-0.5", id="max"),
            pytest.param(("categories", 0, "criteria", 0, "ratio_cap"), True, id="ratio-cap"),
            pytest.param(("categories", 0, "max_points"), 10**15, id="too-big"),
            pytest.param(("min_worked_share",), 2, id="share"),
            pytest.param(("precision",), 0, id="precision-zero"),
        ],
    )
    def test_single_value_rules_are_in_the_schema(self, where: tuple[Any, ...], value: Any) -> None:
        tree = copy.deepcopy(BASES[0])
        parent = tree
        for step in where[:-1]:
            parent = parent[step]
        parent[where[-1]] = value
        assert loader_problems(tree) is not None
        assert [] != [error.message for error in VALIDATOR.iter_errors(tree)]

    @FUZZ
    @given(
        text=st.text(alphabet="0123456789_.+-eE \t", max_size=12)
        | st.decimals(allow_nan=False, allow_infinity=False).map(str)
    )
    def test_a_decimal_string_is_a_number_to_both_or_to_neither(self, text: str) -> None:
        """Invariant: the schema's number pattern accepts exactly the strings that
        kpiscore's number reading accepts (magnitude and places aside: left to the loader)."""
        schema = {"$defs": policy_schema()["$defs"], "$ref": "#/$defs/number"}
        in_schema = jsonschema.Draft202012Validator(schema).is_valid(text)
        try:
            to_decimal(text, owner="x", field="y")
        except InputError as error:
            in_loader = "magnitude" in str(error) or "decimal places" in str(error)
        except ArithmeticError:  # an exponent beyond the context (a core bug, reported)
            in_loader = True
        else:
            in_loader = True
        assert in_loader == in_schema

    @pytest.mark.parametrize(
        ("kind", "text", "valid"),
        [
            pytest.param("nonNegative", "-0", True, id="minus-zero"),
            pytest.param("nonNegative", "-0.000", True, id="minus-zero-places"),
            pytest.param("nonNegative", "-.0e5", True, id="minus-zero-exponent"),
            pytest.param("nonNegative", "-0.1", False, id="negative"),
            pytest.param("nonNegative", "+2_5", True, id="plus-underscore"),
            pytest.param("positive", "0", False, id="zero-is-not-positive"),
            pytest.param("positive", "0e5", False, id="zero-with-exponent"),
            pytest.param("positive", "0.001", True, id="small"),
            pytest.param("positive", "1e-3", True, id="exponent"),
            pytest.param("positive", "-1", False, id="negative-weight"),
        ],
    )
    def test_signs_of_decimal_strings(self, kind: str, text: str, valid: bool) -> None:
        schema = {"$defs": policy_schema()["$defs"], "$ref": f"#/$defs/{kind}"}
        assert valid == jsonschema.Draft202012Validator(schema).is_valid(text)
