"""Build a :class:`Policy` from a plain tree (a parsed TOML or JSON document, or ``to_dict()``).

The tree has the same shape as the classes. Unknown keys are errors naming their path, values of
the wrong type are errors naming their path, and every problem in the tree is reported at once.
Nothing in a tree is ever evaluated: numbers are read as decimals, text stays text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, Final

from kpiscore._policy import Award, Band, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore.exceptions import KpiscoreError, PolicyError, PolicyValidationError

__all__ = ["policy_from_tree"]

_RULE_KEYS: Final = frozenset({"id", "on", "points", "per", "limit", "name", "reference"})
_CRITERION_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "max_points",
        "basis",
        "deductions",
        "awards",
        "floor",
        "overflow",
        "ratio_cap",
        "reference",
    }
)
_CATEGORY_KEYS: Final = frozenset({"id", "name", "criteria", "max_points", "weights", "reference"})
_BAND_KEYS: Final = frozenset({"id", "min_points", "name", "name_en"})
_CAP_KEYS: Final = frozenset({"on", "at_most", "name", "reference"})
_POLICY_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "categories",
        "bands",
        "caps",
        "version",
        "scale",
        "precision",
        "rounding",
        "valid_from",
        "valid_to",
        "missing",
        "min_worked_share",
        "description",
        "reference",
    }
)
_LISTS: Final = frozenset({"categories", "criteria", "deductions", "awards", "bands", "caps"})


def _nfc(value: Any) -> Any:
    """Normalise every string in a tree to NFC (Vietnamese text arrives in both forms)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(item) for item in value]
    return value


class _Builder:
    def __init__(self) -> None:
        self.problems: list[PolicyError] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(PolicyError(f"{path}: {message}", path=path))

    def mapping(self, value: object, path: str, allowed: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a table of keys (got {type(value).__name__} {value!r})")
            return None
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or key not in allowed:
                self.fail(
                    f"{path}.{key}" if path else str(key),
                    f"unknown key {key!r}; expected one of {sorted(allowed)!r}",
                )
                continue
            if item is None:
                continue  # JSON null means "the default", as to_dict() writes it
            result[key] = item
        return result

    def build(self, factory: Callable[..., Any], fields: dict[str, Any], path: str) -> Any | None:
        try:
            return factory(**fields)
        except PolicyValidationError as group:
            for problem in group.exceptions:
                self.fail(path, str(problem))
        except KpiscoreError as error:
            self.fail(path, str(error))
        except TypeError as error:  # a missing required key
            self.fail(path, _missing_key(error))
        return None

    def items(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list | tuple):
            self.fail(path, f"expected a list (got {type(value).__name__} {value!r})")
            return []
        return list(value)

    def rule(self, cls: type[Deduction] | type[Award], value: object, path: str) -> Any:
        fields = self.mapping(value, path, _RULE_KEYS)
        if fields is None:
            return None
        return self.build(cls, fields, path)

    def criterion(self, value: object, path: str) -> Criterion | None:
        if isinstance(value, Mapping):
            path = _step(path, value.get("id"))
        fields = self.mapping(value, path, _CRITERION_KEYS)
        if fields is None:
            return None
        ok = True
        for key, cls in (("deductions", Deduction), ("awards", Award)):
            if key in fields:
                rules = []
                for index, item in enumerate(self.items(fields[key], f"{path}.{key}")):
                    rule_id = item.get("id", item.get("on")) if isinstance(item, Mapping) else None
                    built = self.rule(cls, item, _step(f"{path}.{key}", rule_id, index))
                    ok = ok and built is not None
                    rules.append(built)
                fields[key] = rules
        if not ok:
            return None
        result: Criterion | None = self.build(Criterion, fields, path)
        return result

    def category(self, value: object, path: str) -> Category | None:
        if isinstance(value, Mapping):
            path = _step(path, value.get("id"))
        fields = self.mapping(value, path, _CATEGORY_KEYS)
        if fields is None:
            return None
        if "criteria" in fields:
            criteria = [
                self.criterion(item, f"{path}.criteria[{index}]")
                for index, item in enumerate(self.items(fields["criteria"], f"{path}.criteria"))
            ]
            if any(c is None for c in criteria):
                return None
            fields["criteria"] = criteria
        if "weights" in fields and not isinstance(fields["weights"], Mapping):
            self.fail(f"{path}.weights", f"expected a table of weights (got {fields['weights']!r})")
            return None
        result: Category | None = self.build(Category, fields, path)
        return result

    def policy(self, tree: object) -> Policy | None:
        fields = self.mapping(tree, "", _POLICY_KEYS)
        if fields is None:
            return None
        ok = True
        if "categories" in fields:
            categories = [
                self.category(item, f"categories[{index}]")
                for index, item in enumerate(self.items(fields["categories"], "categories"))
            ]
            ok = all(c is not None for c in categories)
            fields["categories"] = categories
        for key, cls, allowed in (("bands", Band, _BAND_KEYS), ("caps", RatingCap, _CAP_KEYS)):
            if key in fields:
                built = []
                for index, item in enumerate(self.items(fields[key], key)):
                    ident = None
                    if isinstance(item, Mapping):
                        ident = item.get("id", item.get("on"))
                    item_path = _step(key, ident, index)
                    item_fields = self.mapping(item, item_path, allowed)
                    value = None if item_fields is None else self.build(cls, item_fields, item_path)
                    ok = ok and value is not None
                    built.append(value)
                fields[key] = built
        for key in ("version", "id", "name"):
            if key in fields and isinstance(fields[key], int) and not isinstance(fields[key], bool):
                fields[key] = str(fields[key])  # TOML users write version = 2
        if not ok or self.problems:
            return None
        try:
            return Policy(**fields)
        except PolicyValidationError as group:
            self.problems.extend(p for p in group.exceptions if isinstance(p, PolicyError))
        except PolicyError as error:
            self.problems.append(error)
        except TypeError as error:
            self.fail("policy", _missing_key(error))
        return None


def _step(path: str, ident: object, index: int | None = None) -> str:
    """``categories[0]`` becomes ``categories.general`` once the id is known."""
    base = path.rsplit("[", 1)[0] if path.endswith("]") else path
    if isinstance(ident, str) and ident:
        return f"{base}.{ident}"
    return f"{base}[{index}]" if index is not None else path


def _missing_key(error: TypeError) -> str:
    text = str(error)
    if "missing" in text and "argument" in text:
        names = text.split(":", 1)[-1].strip()
        return f"missing required key(s) {names}"
    return f"invalid value ({text})"


def policy_from_tree(tree: Mapping[str, Any]) -> Policy:
    """Build a policy from a tree; raise every problem at once.

    Raises:
        PolicyError: one problem; :class:`PolicyValidationError` listing all of them otherwise.

    >>> tree = {"id": "p", "name": "P", "categories": [{"id": "c", "name": "C",
    ...         "criteria": [{"id": "x", "name": "X", "max_points": "10"}]}]}
    >>> policy_from_tree(tree).max_total
    Decimal('10')
    """
    builder = _Builder()
    policy = builder.policy(_nfc(tree))
    if policy is None or builder.problems:
        problems = builder.problems or [PolicyError("policy: could not be built")]
        if len(problems) == 1:
            raise problems[0]
        raise PolicyValidationError(f"policy: {len(problems)} problems", problems)
    return policy
