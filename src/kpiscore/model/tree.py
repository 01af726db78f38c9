"""Build a :class:`Policy` from a plain tree (a parsed TOML or JSON document, or ``to_dict()``).

The tree has the same shape as the classes. Unknown keys are errors naming their path, values of
the wrong type are errors naming their path, and every problem in the tree is reported at once.
Nothing in a tree is ever evaluated: numbers are read as decimals, text stays text.
"""

from __future__ import annotations

import reprlib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final, TypeVar

import attrs

from kpiscore.exceptions import KpiscoreError, PolicyError, PolicyValidationError
from kpiscore.model.numbers import exact, to_decimal
from kpiscore.model.rules import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    RatingCap,
    _capped,
)

if TYPE_CHECKING:
    from kpiscore.model.policy import Policy

__all__ = ["build_policy"]


def _fields(cls: type) -> frozenset[str]:
    """The keys a policy file takes for ``cls``: its fields, read from the class so the two
    cannot drift apart."""
    return frozenset(field.name for field in attrs.fields(cls))


_RULE_KEYS: Final = _fields(Deduction)  # an award has the same fields
_CRITERION_KEYS: Final = _fields(Criterion)
_CATEGORY_KEYS: Final = _fields(Category)
_BAND_KEYS: Final = _fields(Band)
_CAP_KEYS: Final = _fields(RatingCap)
# Written out: Policy is defined in kpiscore.model.policy, which imports this module (a test
# checks the set against the class's fields).
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
        "other_kinds",
        "max_ratio",
        "description",
        "reference",
    }
)
_T = TypeVar("_T")
_LISTS: Final = frozenset({"categories", "criteria", "deductions", "awards", "bands", "caps"})


def _nfc(value: object) -> object:
    """Normalise every string in a tree to NFC (Vietnamese text arrives in both forms)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(item) for item in value]
    return value


#: Deepest nesting of tables and lists a policy tree may have. A policy needs six levels
#: (policy, categories, category, criteria, criterion, deductions, rule); files from other tools
#: sometimes wrap it once or twice more; a tree deeper than this is hostile or broken.
MAX_DEPTH: Final = 32

# Stand-in ids for parts that could not be built. The whole-policy checks still run over the
# parts that were built, with a stand-in where a part failed, so one bad rule does not hide a
# bad band; a problem that names a stand-in only exists because of the failed part, and is
# dropped (the failed part's own problems are already reported).
_UNBUILT: Final = "\x00unbuilt"
_UNBUILT_SHOWN: Final = repr(_UNBUILT)[1:-1]


# Bounded text of a received value for messages: a huge value or key makes a short message.
_SHORT: Final = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlevel = 3


def _shown(value: object, *, quoted: bool = True) -> str:
    if not quoted and isinstance(value, str):
        return value if len(value) <= 80 else value[:38] + "..." + value[-38:]
    return _SHORT.repr(value)


def _too_deep(tree: object, limit: int) -> bool:
    """Whether tables and lists nest deeper than ``limit`` (iteratively: no recursion, and a
    tree that contains itself counts as too deep instead of looping)."""
    stack: list[tuple[object, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Iterable[object] = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _known(value: object) -> Decimal | None:
    """A non-negative number, or ``None`` when the value is not one (its own problem is
    reported where it belongs)."""
    try:
        number = to_decimal(value, owner="", field="", error=PolicyError)
    except PolicyError:
        return None
    return number if number >= 0 else None


class _Builder:
    def __init__(self, make: type[Policy]) -> None:
        # The policy class: passed in, so the model's modules import one way. Called with the
        # checked keys of a tree (whose values the class's own validators check).
        self.make: Callable[..., Policy] = make
        self.problems: list[PolicyError] = []
        self.stand_ins = 0
        self.incomplete = False  # a stand-in took a failed part's place

    def fail(self, path: str, message: str) -> None:
        if _UNBUILT in message or _UNBUILT_SHOWN in message:
            return  # a follow-on of a part that failed (see _UNBUILT)
        self.problems.append(PolicyError(f"{path}: {message}", path=path))

    def stand_in_id(self, ident: object) -> str:
        """The failed part's own id when it has a usable one, else a fresh stand-in id."""
        self.incomplete = True
        if isinstance(ident, str) and ident.strip():
            return ident
        self.stand_ins += 1
        return f"{_UNBUILT} {self.stand_ins}"

    def mapping(
        self, value: object, path: str, allowed: frozenset[str]
    ) -> dict[str, object] | None:
        if not isinstance(value, Mapping):
            self.fail(
                path, f"expected a table of keys (got {type(value).__name__} {_shown(value)})"
            )
            return None
        result: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str) or key not in allowed:
                self.fail(
                    f"{path}.{_shown(key, quoted=False)}" if path else _shown(key, quoted=False),
                    f"unknown key {_shown(key)}; expected one of {sorted(allowed)!r}",
                )
                continue
            if item is None:
                continue  # JSON null means "the default", as to_dict() writes it
            result[key] = item
        return result

    def build(self, factory: Callable[..., _T], fields: dict[str, object], path: str) -> _T | None:
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

    def items(self, value: object, path: str) -> list[object] | None:
        if not isinstance(value, list | tuple):
            self.fail(path, f"expected a list (got {type(value).__name__} {_shown(value)})")
            return None
        return list(value)

    def rule(
        self, cls: type[Deduction] | type[Award], value: object, path: str
    ) -> Deduction | Award | None:
        fields = self.mapping(value, path, _RULE_KEYS)
        if fields is None:
            return None
        factory: Callable[..., Deduction | Award] = cls
        return self.build(factory, fields, path)

    def criterion(self, value: object, path: str) -> Criterion | None:
        """The criterion, built without any rule that failed (rules feed no other check)."""
        if isinstance(value, Mapping):
            path = _step(path, value.get("id"))
        fields = self.mapping(value, path, _CRITERION_KEYS)
        if fields is None:
            return None
        for key, cls in (("deductions", Deduction), ("awards", Award)):
            if key in fields:
                rules = []
                for index, item in enumerate(self.items(fields[key], f"{path}.{key}") or ()):
                    rule_id = item.get("id", item.get("on")) if isinstance(item, Mapping) else None
                    built = self.rule(cls, item, _step(f"{path}.{key}", rule_id, index))
                    if built is not None:
                        rules.append(built)
                fields[key] = rules
        result: Criterion | None = self.build(Criterion, fields, path)
        return result

    def category(self, value: object, path: str) -> tuple[Category | None, bool, Decimal | None]:
        """The category as built, whether it is whole, and its maximum when known.

        A criterion that failed is replaced by a stand-in with the same id and maximum (when
        those are usable), so the category's own checks (weights, ids, maxima) still run and
        the policy's checks can use the category; a category with a stand-in is not whole.
        """
        if isinstance(value, Mapping):
            path = _step(path, value.get("id"))
        fields = self.mapping(value, path, _CATEGORY_KEYS)
        if fields is None:
            return None, False, None
        ok = True
        maximum: Decimal | None = _known(fields.get("max_points", 0))
        if "max_points" not in fields:
            maximum = Decimal(0)
        if "criteria" in fields:
            items = self.items(fields["criteria"], f"{path}.criteria")
            ok = items is not None
            criteria: list[Criterion] = []
            for index, item in enumerate(items or ()):
                built = self.criterion(item, f"{path}.criteria[{index}]")
                if built is None:
                    ok = False
                    raw = item if isinstance(item, Mapping) else {}
                    raw_max = _known(raw.get("max_points"))
                    built = Criterion(
                        id=self.stand_in_id(raw.get("id")),
                        name="-",
                        max_points=Decimal(1) if raw_max is None else raw_max,
                    )
                    if raw_max is None and "max_points" not in fields:
                        maximum = None
                if "max_points" not in fields and maximum is not None:
                    maximum = maximum + built.max_points
                criteria.append(built)
            if items is None and "max_points" not in fields:
                maximum = None
            if items is None:  # reported; a stand-in spares "criteria must not be empty"
                criteria.append(Criterion(id=self.stand_in_id(None), name="-", max_points=1))
            fields["criteria"] = criteria
        if "weights" in fields and not isinstance(fields["weights"], Mapping):
            weights = _shown(fields["weights"])
            self.fail(f"{path}.weights", f"expected a table of weights (got {weights})")
            del fields["weights"]
            ok = False
        result: Category | None = self.build(Category, fields, path)
        if result is not None and "max_points" not in fields and ok:
            maximum = result.max_total
        return result, ok, maximum

    def policy(self, tree: object) -> Policy | None:
        fields = self.mapping(tree, "", _POLICY_KEYS)
        if fields is None:
            return None
        # What the whole-policy checks cannot judge because a part failed.
        unknown_maximum = unknown_band = unknown_threshold = False
        known_sum = Decimal(0)
        if "categories" in fields:
            items = self.items(fields["categories"], "categories")
            unknown_maximum = items is None
            categories: list[Category] = []
            for index, item in enumerate(items or ()):
                built, _, maximum = self.category(item, f"categories[{index}]")
                if maximum is None:
                    unknown_maximum = True
                else:
                    known_sum = known_sum + maximum
                if built is None:
                    raw = item if isinstance(item, Mapping) else {}
                    built = Category(
                        id=self.stand_in_id(raw.get("id")),
                        name="-",
                        criteria=[Criterion(id=self.stand_in_id(None), name="-", max_points=1)],
                        max_points=Decimal(0) if maximum is None else maximum,
                    )
                categories.append(built)
            if items is None:  # reported; a stand-in spares "categories must not be empty"
                categories.append(
                    Category(
                        id=self.stand_in_id(None),
                        name="-",
                        criteria=[Criterion(id=self.stand_in_id(None), name="-", max_points=1)],
                    )
                )
            fields["categories"] = categories
        if "bands" in fields:
            items = self.items(fields["bands"], "bands")
            unknown_band = unknown_threshold = items is None
            bands: list[Band] = []
            unplaced: list[str] = []  # failed bands with a usable id but no usable threshold
            for index, item in enumerate(items or ()):
                ident = item.get("id") if isinstance(item, Mapping) else None
                item_path = _step("bands", ident, index)
                item_fields = self.mapping(item, item_path, _BAND_KEYS)
                band = None if item_fields is None else self.build(Band, item_fields, item_path)
                if band is None:
                    raw = item if isinstance(item, Mapping) else {}
                    threshold = _known(raw.get("min_points"))
                    if not (isinstance(ident, str) and ident.strip()):
                        unknown_band = True
                        unknown_threshold = unknown_threshold or threshold is None
                    elif threshold is None:
                        unknown_threshold = True
                        unplaced.append(ident)
                    else:
                        band = Band(id=ident, min_points=threshold, name="-")
                        self.incomplete = True
                if band is not None:
                    bands.append(band)
            # A threshold no other band has, so a stand-in clashes with none.
            top = max((band.min_points for band in bands), default=Decimal(0))
            for offset, ident in enumerate(unplaced, 1):
                self.incomplete = True
                try:
                    bands.append(Band(id=ident, min_points=top + offset, name="-"))
                except PolicyError:  # pragma: no cover - a threshold beyond kpiscore's bounds
                    unknown_band = True
            fields["bands"] = bands
        if "caps" in fields:
            caps: list[RatingCap] = []
            for index, item in enumerate(self.items(fields["caps"], "caps") or ()):
                ident = item.get("on") if isinstance(item, Mapping) else None
                item_path = _step("caps", ident, index)
                item_fields = self.mapping(item, item_path, _CAP_KEYS)
                cap = None if item_fields is None else self.build(RatingCap, item_fields, item_path)
                if cap is not None:
                    caps.append(cap)
            fields["caps"] = caps
        for key in ("version", "id", "name"):
            if key in fields and isinstance(fields[key], int) and not isinstance(fields[key], bool):
                fields[key] = str(fields[key])  # TOML users write version = 2
        # A missing required key is reported once; the checks that do not need it still run.
        missing = [key for key in ("id", "name", "categories") if key not in fields]
        if missing:
            self.fail("policy", f"missing required key(s) {_listed(missing)}")
            self.incomplete = True
            fields.setdefault("id", None)
            fields.setdefault("name", None)
            if "categories" in missing:
                unknown_maximum = True
                fields["categories"] = [
                    Category(
                        id=self.stand_in_id(None),
                        name="-",
                        criteria=[Criterion(id=self.stand_in_id(None), name="-", max_points=1)],
                    )
                ]
        try:
            policy = self.make(**fields)
        except PolicyValidationError as group:
            found = [p for p in group.exceptions if isinstance(p, PolicyError)]
        except PolicyError as error:
            found = [error]
        except TypeError as error:
            self.fail("policy", _missing_key(error))
            return None
        else:
            return None if self.problems or self.incomplete else policy
        scale = _known(fields.get("scale"))
        for problem in found:
            text = str(problem)
            if _UNBUILT in text or _UNBUILT_SHOWN in text:
                continue
            where = problem.path or ""
            if where == "scale" and unknown_maximum and (scale is None or known_sum <= scale):
                continue  # a failed category's maximum might have made up the difference
            if where.startswith("bands.") and "lowest band" in text and unknown_threshold:
                continue  # a failed band might have been the one starting at 0
            if where.startswith("caps.") and where.endswith(".at_most") and unknown_band:
                continue  # the cap might name the band that failed
            if any(f"{key} must be a non-empty string (got None)" in text for key in missing):
                continue  # reported above as a missing key
            self.problems.append(problem)
        return None


def _step(path: str, ident: object, index: int | None = None) -> str:
    """``categories[0]`` becomes ``categories.general`` once the id is known."""
    base = path.rsplit("[", 1)[0] if path.endswith("]") else path
    if isinstance(ident, str) and ident:
        return f"{base}.{ident}"
    return f"{base}[{index}]" if index is not None else path


def _listed(names: list[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b', and 'c'``: as Python lists missing arguments."""
    quoted = [repr(name) for name in names]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _missing_key(error: TypeError) -> str:
    text = str(error)
    if "missing" in text and "argument" in text:
        names = text.split(":", 1)[-1].strip()
        return f"missing required key(s) {names}"
    return f"invalid value ({text})"


def build_policy(tree: Mapping[str, object], make: type[Policy]) -> Policy:
    """Build a policy of class ``make`` from a tree; raise every problem at once.

    :meth:`kpiscore.Policy.from_dict` is the public way in; it passes itself as ``make``.

    Raises:
        PolicyError: one problem; :class:`PolicyValidationError` listing all of them otherwise.

    >>> tree = {"id": "p", "name": "P", "categories": [{"id": "c", "name": "C",
    ...         "criteria": [{"id": "x", "name": "X", "max_points": "10"}]}]}
    >>> from kpiscore import Policy
    >>> build_policy(tree, Policy).max_total
    Decimal('10')
    """
    if _too_deep(tree, MAX_DEPTH):
        raise PolicyError(
            f"policy: tables and lists nest more than {MAX_DEPTH} levels deep; a policy needs"
            " six (policy, categories, criteria, rules), so the tree is not a policy"
        )
    builder = _Builder(make)
    # The model's converters measure numbers with Decimal operators, which use the current
    # context: run them in kpiscore's own, whatever context the caller has set.
    with exact():
        policy = builder.policy(_nfc(tree))
    if policy is None or builder.problems:
        problems = builder.problems or [PolicyError("policy: could not be built")]
        if len(problems) == 1:
            raise problems[0]
        raise PolicyValidationError(*_capped(f"policy: {len(problems)} problems", problems))
    return policy
