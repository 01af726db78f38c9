"""The JSON Schema of policy files: shipped, generated from the model, in step with the loader."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import attrs
import jsonschema
import pytest

from kpiscore import Award, Band, Category, Criterion, Deduction, Policy, RatingCap, policies
from kpiscore.io.load import dump_policy
from kpiscore.model import tree as _tree
from kpiscore.model.schema import OBJECTS, policy_schema, schema_text

# The key sets the loader accepts, object by object (kpiscore.model.tree is what load_policy uses).
LOADER_KEYS = {
    "Policy": _tree._POLICY_KEYS,
    "Category": _tree._CATEGORY_KEYS,
    "Criterion": _tree._CRITERION_KEYS,
    "Deduction": _tree._RULE_KEYS,
    "Award": _tree._RULE_KEYS,
    "Band": _tree._BAND_KEYS,
    "RatingCap": _tree._CAP_KEYS,
}


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        policy_schema(), format_checker=jsonschema.FormatChecker()
    )


def messages(tree: Any) -> list[str]:
    return [error.message for error in validator().iter_errors(tree)]


def staff_tree() -> dict[str, Any]:
    tree: dict[str, Any] = json.loads(dump_policy(policies.load("vn-nd335-2025-staff"), "json"))
    return tree


class TestShippedFile:
    def test_the_shipped_file_is_the_generated_schema(self) -> None:
        shipped = resources.files("kpiscore").joinpath("data/schemas/policy.schema.json")
        assert schema_text() == shipped.read_text(encoding="utf-8")

    def test_it_is_a_valid_draft_2020_12_schema(self) -> None:
        jsonschema.Draft202012Validator.check_schema(policy_schema())

    def test_policy_schema_returns_a_fresh_copy(self) -> None:
        policy_schema()["$defs"].clear()
        assert "Policy" in policy_schema()["$defs"]


class TestInStepWithTheModelAndTheLoader:
    @pytest.mark.parametrize("name", list(OBJECTS))
    def test_properties_are_the_keys_the_loader_accepts(self, name: str) -> None:
        properties = set(policy_schema()["$defs"][name]["properties"])
        assert sorted(LOADER_KEYS[name]) == sorted(properties)

    @pytest.mark.parametrize(
        ("name", "cls"),
        [
            ("Policy", Policy),
            ("Category", Category),
            ("Criterion", Criterion),
            ("Deduction", Deduction),
            ("Award", Award),
            ("Band", Band),
            ("RatingCap", RatingCap),
        ],
    )
    def test_properties_are_the_model_fields(self, name: str, cls: type) -> None:
        properties = list(policy_schema()["$defs"][name]["properties"])
        assert [field.name for field in attrs.fields(cls)] == properties

    @pytest.mark.parametrize("name", list(OBJECTS))
    def test_unknown_keys_are_refused_as_the_loader_refuses_them(self, name: str) -> None:
        assert False is policy_schema()["$defs"][name]["additionalProperties"]

    def test_required_keys_are_the_fields_without_a_default(self) -> None:
        definitions = policy_schema()["$defs"]
        assert {
            "Policy": ["id", "name", "categories"],
            "Category": ["id", "name", "criteria"],
            "Criterion": ["id", "name", "max_points"],
            "Deduction": ["on", "points"],
            "Award": ["on", "points"],
            "Band": ["id", "min_points", "name"],
            "RatingCap": ["on", "at_most"],
        } == {name: definitions[name]["required"] for name in OBJECTS}

    def test_choices_come_from_the_model(self) -> None:
        criterion = policy_schema()["$defs"]["Criterion"]["properties"]
        assert ["full", "zero", "assessed", "ratio"] == criterion["basis"]["anyOf"][0]["enum"]

    def test_descriptions_come_from_the_docstrings(self) -> None:
        deduction = policy_schema()["$defs"]["Deduction"]["properties"]
        assert deduction["limit"]["description"].startswith("The most this rule may remove")


class TestValidation:
    @pytest.mark.parametrize("policy_id", policies.available())
    def test_every_bundled_policy_is_valid(self, policy_id: str) -> None:
        policy = policies.load(policy_id)
        assert ([], []) == (
            messages(policy.to_dict()),
            messages(json.loads(dump_policy(policy, "json"))),
        )

    def test_numbers_may_be_json_numbers(self) -> None:
        tree = staff_tree()
        tree["scale"] = 100
        tree["precision"] = 0.01
        assert [] == messages(tree)

    def test_an_unknown_key_is_refused(self) -> None:
        tree = staff_tree()
        tree["categories"][0]["criteria"][0]["pointz"] = 1
        assert ["Additional properties are not allowed ('pointz' was unexpected)"] == messages(tree)

    def test_a_missing_required_key_is_refused(self) -> None:
        tree = staff_tree()
        del tree["categories"][0]["criteria"][0]["max_points"]
        assert ["'max_points' is a required property"] == messages(tree)

    def test_an_unknown_basis_is_refused(self) -> None:
        tree = staff_tree()
        tree["categories"][0]["criteria"][0]["basis"] = "weird"
        assert 1 == len(messages(tree))

    def test_a_number_that_is_not_a_number_is_refused(self) -> None:
        tree = staff_tree()
        tree["categories"][0]["criteria"][0]["max_points"] = "ten"
        assert 1 == len(messages(tree))

    def test_a_malformed_date_is_refused(self) -> None:
        tree = staff_tree()
        tree["valid_from"] = "01/01/2026"
        assert 1 == len(messages(tree))
