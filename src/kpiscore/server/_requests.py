"""Request bodies: what each endpoint accepts, and how a body becomes library objects.

The request classes below are the single description of the bodies: the OpenAPI document is
generated from their ``attrs`` fields (the facts and the policy are the library's own classes),
and :func:`read_request` builds them from a body with the library's readers, so a body is read
exactly as a fact file or a policy file would be. Nothing here scores: the endpoints pass the
objects to the public API.

Every problem in a body is reported at once, each with the path of the offending field in the
body (``events[3].on``, ``policy.categories.general.criteria.training.max_points``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias, TypeVar

import attrs

from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    InputErrorGroup,
    KpiscoreError,
    PolicyValidationError,
)
from kpiscore.io.load import _build as _build_fact
from kpiscore.io.load import _check_nesting, _parse_json
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.model.schema import policy_schema

__all__ = [
    "CompareRequest",
    "ExplainRequest",
    "PolicyDocument",
    "RequestError",
    "ScoreRequest",
    "flatten",
    "parse_json",
    "read_document",
    "read_policy_document",
    "read_request",
    "read_request_document",
    "relocate",
]

_BODY: Final = "request body"
_Request = TypeVar("_Request", "ScoreRequest", "ExplainRequest", "CompareRequest")
_Fact: TypeAlias = Event | Measure | Person
"""A fact of a request body: a person, an event or a measure."""


class RequestError(InputError):
    """A request that cannot be served, with every problem found and the HTTP status to answer.

    Attributes:
        status: The HTTP status: 400 (not a JSON object), 415 (not JSON), 422 (the content).
        problems: Each problem as a library error whose ``path`` is a place in the body.
    """

    def __init__(
        self, problems: Sequence[KpiscoreError], *, status: int = 422, message: str | None = None
    ) -> None:
        if message is None:
            message = (
                str(problems[0]) if len(problems) == 1 else f"request: {len(problems)} problems"
            )
        super().__init__(message, path=problems[0].path if len(problems) == 1 else None)
        self.status = status
        self.problems = tuple(problems)

    def __str__(self) -> str:
        lines = [self.args[0]]
        if len(self.problems) > 1:
            lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


# --------------------------------------------------------------------------- the bodies


@attrs.frozen(kw_only=True)
class ScoreRequest:
    """``POST /score``: a population scored for a period.

    Attributes:
        policy: The id of a served policy (``GET /policies``), or a policy document: the tree
            of a policy file, as ``GET /policies/{id}`` returns it.
        overlay: Changes to the policy by path, applied first (see
            :func:`kpiscore.variants.overlay`): ``{"bands.HTT.min_points": "75"}``.
        period: ``2026-01``, ``2026-Q1``, ``2026-H1``, ``2026`` or ``2026-01-01/2026-03-31``.
        people: The population, in the order of the answer: objects with the keys of a people
            file (``id``, ``name``, ``unit``, ``group``, ``position``) or plain ids.
        events: Events, with the keys of an events file.
        measures: Measures, with the keys of a measures file.
        unknown_kinds: ``error`` (the default): an event of a kind the policy does not know
            (neither scored by a rule or cap nor listed in ``other_kinds``) is a 422 problem
            naming the nearest known kinds; ``ignore``: such events are left out.
        duplicates: ``error`` (the default): two events with the same ``ref``, or two
            identical events without one, are a 422 problem; ``allow``: each one counts.
    """

    policy: str | Policy
    period: str
    people: tuple[Person | str, ...]
    events: tuple[Event, ...] = ()
    measures: tuple[Measure, ...] = ()
    overlay: dict[str, Any] | None = None  # Litestar: no schema from a recursive alias
    unknown_kinds: Literal["error", "ignore"] = "error"
    duplicates: Literal["error", "allow"] = "error"


@attrs.frozen(kw_only=True)
class ExplainRequest(ScoreRequest):
    """``POST /explain``: one person's scorecard and its ledger as text.

    The fields of ``POST /score``, and two more.

    Attributes:
        subject: The id of the person explained; one of ``people``.
        lang: ``vi`` (default) or ``en``.
    """

    subject: str
    lang: Literal["vi", "en"] = "vi"


@attrs.frozen(kw_only=True)
class CompareRequest:
    """``POST /compare``: a population scored under a base policy and a variant, side by side.

    The variant is ``variant`` with ``overlay`` applied, or ``base`` with ``overlay`` applied
    when ``variant`` is not given; at least one of them is needed.

    Attributes:
        base: The policy in force: a served policy's id, or a policy document.
        variant: The policy considered: an id or a document.
        overlay: Changes by path (see :func:`kpiscore.variants.overlay`).
        period: As for ``POST /score``.
        people: As for ``POST /score``.
        events: As for ``POST /score``.
        measures: As for ``POST /score``.
    """

    base: str | Policy
    period: str
    people: tuple[Person | str, ...]
    events: tuple[Event, ...] = ()
    measures: tuple[Measure, ...] = ()
    variant: str | Policy | None = None
    overlay: dict[str, Any] | None = None  # Litestar: no schema from a recursive alias


class PolicyDocument:
    """``POST /validate``: a policy document, kept as it was parsed (JSON numbers as decimals).

    Its OpenAPI schema is the policy file's (:func:`kpiscore.policy_schema`); it is only parsed
    here, so that every problem in it can be reported in the answer rather than as an error.
    """

    __slots__ = ("tree",)

    def __init__(self, tree: object) -> None:
        self.tree = tree


# --------------------------------------------------------------------------- JSON


def parse_json(body: bytes) -> JsonValue:
    """The JSON document in a request body, read as the library reads a JSON file.

    Numbers become exact decimals, never floats; NaN and Infinity, a key given twice in one
    object and nesting deeper than a kpiscore document needs are refused.

    Raises:
        RequestError: (400) the body is empty, is not UTF-8 or is not JSON; the message gives
            the line and column.
    """
    if not body.strip():
        raise RequestError([InputError("request body: empty; expected a JSON object")], status=400)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = (
            f"request body: not valid UTF-8 (byte {body[error.start]:#04x} at offset"
            f" {error.start}); send JSON as UTF-8"
        )
        raise RequestError([InputError(message)], status=400) from None
    try:
        # The JSON fact and policy files' reader: limits first, then json with exact decimals.
        _check_nesting(text, _BODY, "json")
        return _parse_json(text, _BODY)
    except FileFormatError as error:
        raise RequestError([FileFormatError(str(error))], status=400) from None


# --------------------------------------------------------------------------- paths


def flatten(error: KpiscoreError) -> list[KpiscoreError]:
    """The single problems of an error: the members of a group, or the error itself."""
    if isinstance(error, PolicyValidationError | FileFormatErrorGroup | InputErrorGroup):
        found: list[KpiscoreError] = []
        for member in error.exceptions:
            if isinstance(member, KpiscoreError):
                found.extend(flatten(member))
        return found
    if isinstance(error, RequestError):
        return list(error.problems)
    return [error]


def relocate(error: KpiscoreError, field: str, path: str | None = None) -> KpiscoreError:
    """The same error (same class, same message) placed at ``path`` in the body.

    ``path`` defaults to ``field``, followed by the error's own path when it has one. The
    message gains a ``field: `` prefix unless it already names the field first.
    """
    if path is None:
        path = f"{field}.{error.path}" if error.path and error.path != field else field
    message = str(error)
    if not message.startswith(field):
        message = f"{field}: {message}"
    try:
        moved = type(error)(message, path=path)
    except TypeError:  # pragma: no cover - every single-problem error takes (message, path=)
        moved = InputError(message, path=path)
    moved.__cause__ = error
    return moved


# --------------------------------------------------------------------------- field readers

_Problems = list[KpiscoreError]
_FACT_KEYS: Final = {
    "events": tuple(field.name for field in attrs.fields(Event)),
    "measures": tuple(field.name for field in attrs.fields(Measure)),
    "people": tuple(field.name for field in attrs.fields(Person)),
}


def _type_name(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return "number"
    return names.get(type(value), type(value).__name__)


def _fact(kind: str, item: object, index: int, problems: _Problems) -> _Fact | None:
    where = f"{kind}[{index}]"
    keys = _FACT_KEYS[kind]
    if kind == "people" and isinstance(item, str):
        item = {"id": item}  # a plain id
    if not isinstance(item, Mapping):
        expected = "an object or an id" if kind == "people" else "an object"
        problems.append(
            InputError(
                f"{where}: expected {expected} with keys {list(keys)!r}"
                f" (got {_type_name(item)} {item!r})",
                path=where,
            )
        )
        return None
    unknown = [key for key in item if key not in keys]
    mistyped: dict[str, KpiscoreError] = {}
    for key, value in item.items():
        if key in keys and (wanted := _wrong_type(kind, key, value)) is not None:
            got = "null" if value is None else f"{_type_name(value)} {value!r}"
            mistyped[f"{where}.{key}"] = FileFormatError(
                f"{where}.{key}: expected {wanted} (got {got})", path=f"{where}.{key}"
            )
    for key in unknown:
        problems.append(
            InputError(
                f"{where}: unknown key {key!r}; expected one of {list(keys)!r}",
                path=f"{where}.{key}",
            )
        )
    if unknown:
        return None
    # The fact files' reader, cell by cell: a body is read exactly as a JSON fact file is; a
    # value of the wrong JSON type is refused even where that reader would take it.
    fact, found = _build_fact(kind, item, where, where, ".")
    if not mistyped and isinstance(fact, Person) and item.get("attributes"):
        fact = _with_attributes(fact, item["attributes"], where, found)
    if not mistyped:
        problems.extend(found)
        return fact
    merged = [*mistyped.values(), *(p for p in found if p.path not in mistyped)]
    order = {f"{where}.{key}": index for index, key in enumerate(keys)}
    problems.extend(sorted(merged, key=lambda p: order.get(p.path or "", len(order))))
    return None


def _with_attributes(
    person: Person, given: object, where: str, found: list[FileFormatError]
) -> Person | None:
    """The person with the ``attributes`` object of the body (checked as a :class:`Person`
    checks them), or ``None`` and the problem in ``found``."""
    try:
        return attrs.evolve(person, attributes=given)
    except InputError as error:
        found.append(FileFormatError(f"{where}.attributes: {error}", path=f"{where}.attributes"))
        return None


#: The JSON type of each fact field, as the OpenAPI document states it: a body is held to its
#: schema exactly (fact files are read more leniently: ``có`` for true, ``DD/MM/YYYY`` dates).
_FACT_TYPES: Final = {
    "events": {
        "subject": "string",
        "kind": "string",
        "on": "date",
        "quantity": "number",
        "excused": "boolean",
        "ref": "string?",
        "note": "string?",
    },
    "measures": {"subject": "string", "criterion": "string", "value": "number"},
    "people": {
        "id": "string",
        "name": "string?",
        "unit": "string?",
        "group": "string?",
        "position": "string?",
        "attributes": "texts",
    },
}
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER: Final = re.compile(policy_schema()["$defs"]["number"]["anyOf"][1]["pattern"])
_WORDS: Final = {
    "string": "a string",
    "string?": "a string or null",
    "date": "a date written YYYY-MM-DD",
    "number": 'a number, or a decimal string such as "0.875"',
    "boolean": "true or false",
    "texts": "an object of strings (a person's other attributes)",
}


def _wrong_type(kind: str, key: str, value: object) -> str | None:
    """What the schema expects of a fact field, when ``value`` is not that; else ``None``."""
    expected = _FACT_TYPES[kind].get(key)
    if expected is None:  # pragma: no cover - a test keeps the table in step with the classes
        return None
    if expected == "string?" and value is None:
        return None
    if expected in ("string", "string?"):
        good = isinstance(value, str)
    elif expected == "date":
        good = isinstance(value, str) and _DATE.match(value) is not None
    elif expected == "boolean":
        good = isinstance(value, bool)
    elif expected == "texts":
        good = isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())
    else:
        good = (isinstance(value, int | Decimal) and not isinstance(value, bool)) or (
            isinstance(value, str) and _NUMBER.match(value) is not None
        )
    return None if good else _WORDS[expected]


def _facts(kind: str) -> Callable[[object, _Problems], tuple[_Fact | None, ...]]:
    def read(value: object, problems: _Problems) -> tuple[_Fact | None, ...]:
        if not isinstance(value, list):
            problems.append(
                InputError(
                    f"{kind}: expected an array (got {_type_name(value)} {value!r})", path=kind
                )
            )
            return ()
        return tuple(_fact(kind, item, index, problems) for index, item in enumerate(value))

    return read


def _policy(field: str) -> Callable[[object, _Problems], str | Policy | None]:
    def read(value: object, problems: _Problems) -> str | Policy | None:
        if isinstance(value, str) and value.strip():
            return unicodedata.normalize("NFC", value.strip())
        if isinstance(value, Mapping):
            try:
                return Policy.from_dict(value)
            except KpiscoreError as error:
                problems.extend(relocate(problem, field) for problem in flatten(error))
                return None
        problems.append(
            InputError(
                f"{field}: expected the id of a served policy (a string) or a policy document"
                f" (an object) (got {_type_name(value)} {value!r})",
                path=field,
            )
        )
        return None

    return read


def _period(value: object, problems: _Problems) -> str | None:
    try:
        Period.parse(value)  # type: ignore[arg-type]  # parse reports a non-string itself
    except KpiscoreError as error:
        problems.append(relocate(error, "period"))
        return None
    return str(value)


def _overlay(value: object, problems: _Problems) -> JsonObject | None:
    if not isinstance(value, dict):
        problems.append(
            InputError(
                "overlay: expected an object of path → new value, such as"
                f' {{"bands.HTT.min_points": "75"}} (got {_type_name(value)} {value!r})',
                path="overlay",
            )
        )
        return None
    return value


def _subject(value: object, problems: _Problems) -> str | None:
    if isinstance(value, str) and value.strip():
        return unicodedata.normalize("NFC", value)
    problems.append(
        InputError(
            f"subject: expected a person id (a non-empty string) (got {_type_name(value)}"
            f" {value!r})",
            path="subject",
        )
    )
    return None


def _lang(value: object, problems: _Problems) -> str | None:
    if value in ("vi", "en"):
        return str(value)
    problems.append(InputError(f"lang: expected 'vi' or 'en' (got {value!r})", path="lang"))
    return None


def _choice(field: str, *allowed: str) -> Callable[[object, _Problems], object]:
    def read(value: object, problems: _Problems) -> str | None:
        if isinstance(value, str) and value in allowed:
            return value
        choices = " or ".join(repr(choice) for choice in allowed)
        problems.append(
            InputError(
                f"{field}: expected {choices} (got {_type_name(value)} {value!r})", path=field
            )
        )
        return None

    return read


#: How each field of a request body is read (a test keeps it in step with the classes).
READERS: Final[dict[str, Callable[[object, _Problems], object]]] = {
    "policy": _policy("policy"),
    "base": _policy("base"),
    "variant": _policy("variant"),
    "overlay": _overlay,
    "period": _period,
    "people": _facts("people"),
    "events": _facts("events"),
    "measures": _facts("measures"),
    "subject": _subject,
    "lang": _lang,
    "unknown_kinds": _choice("unknown_kinds", "error", "ignore"),
    "duplicates": _choice("duplicates", "error", "allow"),
}


def read_request(cls: type[_Request], body: bytes) -> _Request:
    """Build a request object from a body; report every problem in it at once.

    Args:
        cls: :class:`ScoreRequest`, :class:`ExplainRequest` or :class:`CompareRequest`.
        body: The raw request body.

    Raises:
        RequestError: 400 when the body is not a JSON object; 422 listing every problem with
            its path otherwise (unknown or missing keys, bad facts, a bad period, an invalid
            inline policy).
    """
    return read_request_document(cls, read_document(body))


def read_document(body: bytes) -> JsonObject:
    """The JSON object of a request body.

    Raises:
        RequestError: (400) the body is not JSON, or not a JSON object.
    """
    document = parse_json(body)
    if not isinstance(document, dict):
        raise RequestError(
            [InputError(f"request body: expected a JSON object (got {_type_name(document)})")],
            status=400,
        )
    return document


def read_request_document(cls: type[_Request], document: JsonObject) -> _Request:
    """Build a request object from a body's JSON object (see :func:`read_request`)."""
    fields = attrs.fields_dict(cls)
    problems: _Problems = []
    for key in document:
        if key not in fields:
            problems.append(
                InputError(
                    f"request body: unknown key {key!r}; expected one of {list(fields)!r}",
                    path=key,
                )
            )
    values: dict[str, Any] = {}  # by field name; each READERS entry typed its value
    for name, field in fields.items():
        if name not in document:
            if field.default is attrs.NOTHING:
                problems.append(InputError(f"{name}: required, but missing", path=name))
            continue
        value = document[name]
        if value is None:
            if field.default is attrs.NOTHING or field.default is not None:
                # The schema has no null for this field: null is refused, never a default.
                problems.append(
                    InputError(
                        f"{name}: expected {_EXPECTED.get(name, 'a value')} (got null)",
                        path=name,
                    )
                )
            continue
        values[name] = READERS[name](value, problems)
    if problems:
        raise RequestError(problems)
    return cls(**values)


_EXPECTED: Final = {
    "policy": "the id of a served policy or a policy document",
    "base": "the id of a served policy or a policy document",
    "period": "a period such as '2026-Q1'",
    "people": "an array of people",
    "events": "an array of events",
    "measures": "an array of measures",
    "subject": "a person id",
    "lang": "'vi' or 'en'",
    "unknown_kinds": "'error' or 'ignore'",
    "duplicates": "'error' or 'allow'",
}


def read_policy_document(body: bytes) -> PolicyDocument:
    """The policy document in a ``POST /validate`` body, parsed but not yet checked.

    Raises:
        RequestError: (400) the body is not JSON.
    """
    return PolicyDocument(parse_json(body))
