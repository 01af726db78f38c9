"""Reading request bodies and describing the API: the body reader, the OpenAPI schemas taken
from the library's own policy schema, the examples, and the documented answers.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Generator, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Final, cast

import attrs
from litestar.dto import AbstractDTO, DTOConfig, DTOFieldDefinition
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Example,
    OpenAPIFormat,
    OpenAPIType,
    Reference,
    Schema,
)
from litestar.params import Body
from litestar.plugins import OpenAPISchemaPluginProtocol
from litestar.typing import FieldDefinition

from kpiscore.exceptions import (
    InputError,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.schema import OBJECTS, policy_schema
from kpiscore.server import _responses
from kpiscore.server._ops import TITLES
from kpiscore.server._problems import JSON, PROBLEM_JSON
from kpiscore.server._requests import (
    CompareRequest,
    ExplainRequest,
    PolicyDocument,
    RequestError,
    ScoreRequest,
)
from kpiscore.server._responses import (
    ProblemBody,
)
from kpiscore.server._scales import DECIMALS, describe_scale
from kpiscore.server._types import Connection

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto._backend import DTOBackend
    from litestar.openapi.spec import OpenAPI

__all__ = ["EXAMPLE", "BodyReader", "LibrarySchemas", "RawBody"]

# --------------------------------------------------------------------------- reading bodies


class RawBody:
    """A request body as it arrived: read into library objects in a worker thread."""

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content


def _raw(data: object) -> bytes:
    if isinstance(data, RawBody):
        return data.content
    raise TypeError(f"expected the raw body (got {type(data).__name__})")  # pragma: no cover


def _media_type(connection: Connection) -> str:
    return connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _check_json(connection: Connection) -> None:
    media_type = _media_type(connection)
    if media_type != JSON and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise RequestError(
            [
                InputError(
                    "request body: expected Content-Type application/json (got"
                    f" {media_type or 'none'!r})"
                )
            ],
            status=415,
        )


class BodyReader(AbstractDTO[RawBody]):
    """Litestar's hook for reading a body: here the library's readers do it, not Litestar's.

    The OpenAPI schema of the body is the request class's (generated from its ``attrs``
    fields); the body itself is read by :func:`~kpiscore.server._requests.read_request`, so
    decimals stay exact and every message and path is the library's.
    """

    config: ClassVar[DTOConfig] = DTOConfig()

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[RawBody]
    ) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()  # pragma: no cover - no transfer model: the body is read by the library

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False  # pragma: no cover - as above

    @classmethod
    def create_for_field_definition(
        cls,
        field_definition: FieldDefinition,
        handler_id: str,
        backend_cls: type[DTOBackend] | None = None,
    ) -> None:
        return None  # no backend to build: decode_bytes does the work

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        return schema_creator.for_field_definition(field_definition)

    def decode_bytes(self, value: bytes) -> RawBody:
        # Only the media type is checked here, in the event loop; the body is read into
        # library objects in a worker thread, within the request's deadline (see _work).
        _check_json(self.asgi_connection)
        return RawBody(value)

    def decode_builtins(self, value: JsonObject) -> RawBody:  # pragma: no cover - JSON only
        raise RequestError([InputError("request body: expected JSON")], status=415)


# --------------------------------------------------------------------------- OpenAPI

#: The policy classes by their name in the policy schema's ``$defs``.
_POLICY_CLASSES: Final[dict[str, type]] = OBJECTS


class LibrarySchemas(OpenAPISchemaPluginProtocol):
    """OpenAPI schemas for the policy classes and for decimals, from the library's own schema.

    The policy classes' schemas are :func:`kpiscore.policy_schema`'s definitions (generated
    from the classes, and the one a policy file is checked against): a number there is a JSON
    number or a decimal string, and ``null`` means the default, as the library reads them.
    """

    def __init__(self) -> None:
        self._definitions: dict[str, JsonObject] = policy_schema()["$defs"]

    @staticmethod
    def is_plugin_supported_type(value: object) -> bool:
        return value is Decimal or value is PolicyDocument or value in _POLICY_CLASSES.values()

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        annotation = field_definition.annotation
        if annotation is Decimal:
            return cast("Schema", self._convert({"$ref": "#/$defs/number"}, schema_creator))
        if annotation is PolicyDocument:
            # /validate checks any document, valid or not: its body is any JSON object (the
            # answer says what is wrong with it), so a schema-violating policy is an answer,
            # not a refused request.
            return Schema(
                type=OpenAPIType.OBJECT,
                title="PolicyDocument",
                description=(
                    "A policy document to check: any JSON object; the answer lists every way it"
                    " differs from the Policy schema."
                ),
            )
        name = next(key for key, cls in _POLICY_CLASSES.items() if cls is annotation)
        schema: Schema = schema_creator.schema_registry.get_schema_for_field_definition(
            field_definition
        )
        built = cast("Schema", self._convert(self._definitions[name], schema_creator))
        for key, value in vars(built).items():
            setattr(schema, key, value)
        schema.title = name
        return schema

    def _convert(self, node: Mapping[str, JsonValue], creator: SchemaCreator) -> Schema | Reference:
        """One JSON Schema node as Litestar's OpenAPI model (OpenAPI 3.1 is JSON Schema)."""
        if "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            if name in _POLICY_CLASSES:
                result: Schema | Reference = creator.for_field_definition(
                    FieldDefinition.from_annotation(_POLICY_CLASSES[name])
                )
                return result
            inline = self._convert(self._definitions[name], creator)  # a value type, inline
            if name == "number" and isinstance(inline, Schema):
                for branch in inline.any_of or ():
                    if isinstance(branch, Schema) and branch.type == OpenAPIType.STRING:
                        # an exact decimal, as a string
                        branch.format = cast("OpenAPIFormat", "decimal")
            return inline
        schema = Schema()
        aliases = Schema.field_aliases()
        for key, value in node.items():
            field = aliases.get(key) or re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
            converted: object
            if field == "type":
                converted = OpenAPIType(value)
            elif field == "format":
                converted = OpenAPIFormat(value)
            elif field == "properties":
                converted = {
                    name: self._convert(_object(item), creator)
                    for name, item in _object(value).items()
                }
            elif field in ("any_of", "all_of", "one_of"):
                converted = [self._convert(_object(item), creator) for item in _list(value)]
            elif field in _SUBSCHEMA_FIELDS or (
                field == "additional_properties" and value is not True and value is not False
            ):
                converted = self._convert(_object(value), creator)
            elif field in _VALUE_FIELDS:
                converted = value
            else:  # pragma: no cover - a test converts every definition
                raise TypeError(f"policy schema keyword {key!r} has no OpenAPI conversion")
            setattr(schema, field, converted)
        return schema


def _object(value: JsonValue) -> Mapping[str, JsonValue]:
    """A schema node of the policy schema (a JSON object)."""
    if isinstance(value, dict):
        return value
    raise TypeError(f"policy schema: expected an object, got {value!r}")  # pragma: no cover


def _list(value: JsonValue) -> list[JsonValue]:
    """A list of schema nodes of the policy schema."""
    if isinstance(value, list):
        return value
    raise TypeError(f"policy schema: expected a list, got {value!r}")  # pragma: no cover


#: Keywords whose value is one schema, and keywords whose value is kept as it is.
_SUBSCHEMA_FIELDS: Final = frozenset({"items", "schema_not", "schema_if", "then", "schema_else"})
_VALUE_FIELDS: Final = frozenset(
    {
        "description",
        "title",
        "pattern",
        "enum",
        "const",
        "required",
        "additional_properties",
        "minimum",
        "maximum",
        "exclusive_minimum",
        "exclusive_maximum",
        "min_items",
        "max_items",
        "min_length",
        "max_length",
        "unique_items",
        "default",
        "examples",
    }
)


#: A request that scores, for the interactive docs and for property tests to start from.
EXAMPLE: Final[JsonObject] = {
    "policy": "university-kpi-example",
    "period": "2026-Q1",
    "people": [
        {"id": "gv001", "name": "Nguyễn Văn An", "unit": "Khoa Toán"},
        {"id": "gv002", "name": "Trần Thị Bình", "unit": "Khoa Toán"},
    ],
    "events": [
        {"subject": "gv002", "kind": "training_absence", "on": "2026-01-13"},
        {"subject": "gv002", "kind": "training_absence", "on": "2026-02-10"},
        {"subject": "gv002", "kind": "training_absence", "on": "2026-03-03", "excused": True},
    ],
    "measures": [
        {"subject": person, "criterion": criterion, "value": value}
        for person in ("gv001", "gv002")
        for criterion, value in (
            ("key_tasks", "1"),
            ("research", "0.9"),
            ("workload", "1"),
            ("collaboration", "5"),
        )
    ],
}
EXPLAIN_EXAMPLE: Final[JsonObject] = {**EXAMPLE, "subject": "gv002", "lang": "en"}
COMPARE_EXAMPLE: Final[JsonObject] = {
    **{key: value for key, value in EXAMPLE.items() if key != "policy"},
    "base": EXAMPLE["policy"],
    "overlay": {"categories.soft.criteria.training.deductions.training_absence.points": "3"},
}
_SCORE_BODY: Final = Body(examples=[Example(summary="Two lecturers", value=EXAMPLE)])
_EXPLAIN_BODY: Final = Body(
    examples=[Example(summary="The lecturer who missed training", value=EXPLAIN_EXAMPLE)]
)
_COMPARE_BODY: Final = Body(
    examples=[Example(summary="Three points per absence instead of two", value=COMPARE_EXAMPLE)]
)
_VALIDATE_BODY: Final = Body(title="A policy document")


_SECTION: Final = re.compile(r"^(Args|Attributes|Returns|Raises|Example|Examples):$")


def _docs(cls: type) -> tuple[str, dict[str, str]]:
    """A class's description and its fields' descriptions, from its Napoleon docstring.

    Fields a class inherits are described by the class that declares them.
    """
    fields: dict[str, str] = {}
    for owner in reversed(cls.__mro__):
        fields.update(_doc_sections(owner)[1])
    return _doc_sections(cls)[0], fields


def _doc_sections(cls: type) -> tuple[str, dict[str, str]]:
    text = cls.__dict__.get("__doc__") or ""
    lines = inspect.cleandoc(text).splitlines()
    summary: list[str] = []
    fields: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in lines:
        header = _SECTION.match(line)
        if header:
            section, current = header[1], None
            continue
        if line.startswith(">>>"):
            break
        if section is None:
            summary.append(line)
        elif section in ("Args", "Attributes"):
            item = re.match(r"^    (\w+): (.*)$", line)
            if item:
                current = item[1]
                fields[current] = item[2].strip()
            elif current is not None and line.startswith("        "):
                fields[current] += " " + line.strip()

    def plain(words: str) -> str:
        return re.sub(r":\w+:`~?([^`]*)`", r"\1", words).replace("``", "`").strip()

    return plain(" ".join(summary).replace("  ", " ")), {k: plain(v) for k, v in fields.items()}


def _describe(document: OpenAPI, classes: Iterator[type] | tuple[type, ...]) -> None:
    """Give the generated components the descriptions their classes' docstrings hold."""
    schemas = document.components.schemas or {}
    for cls in classes:
        schema = schemas.get(cls.__name__)
        if schema is None:
            continue
        description, fields = _docs(cls)
        schema.description = description or None
        decimals = DECIMALS.get(cls.__name__, {})
        defaults = _choice_defaults(cls)
        for name, prop in (schema.properties or {}).items():
            if name in fields:
                prop.description = fields[name]
            if name in defaults and isinstance(prop, Schema) and prop.enum:
                prop.default = defaults[name]
            if name in decimals and isinstance(prop, Schema):
                _mark_decimal(prop, describe_scale(cls.__name__, name))
        if cls is Person and schema.properties and "attributes" in schema.properties:
            # Held as sorted pairs (a person stays hashable), given and answered as an object.
            schema.properties["attributes"] = Schema(
                type=OpenAPIType.OBJECT,
                additional_properties=Schema(type=OpenAPIType.STRING),
                description="Other attributes of the person (a people file's other columns),"
                " by name; a name may not be a field's (`unit`, also `Unit`).",
            )


def _choice_defaults(cls: type) -> dict[str, str]:
    """The default of each choice field of a request class (``lang``, ``unknown_kinds``…)."""
    if not attrs.has(cls):
        return {}
    return {
        field.name: field.default for field in attrs.fields(cls) if isinstance(field.default, str)
    }


def _mark_decimal(prop: Schema, scale: str) -> None:
    """A decimal field of an answer: ``format: decimal`` and its scale in the description."""
    for branch in [prop, *(prop.one_of or ()), *(prop.any_of or ())]:
        if isinstance(branch, Schema) and branch.type == OpenAPIType.STRING:
            branch.format = cast("OpenAPIFormat", "decimal")
    prop.description = f"{prop.description} {scale}" if prop.description else scale


def _problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    reasons = {
        400: "The body is not a JSON object; or a Host header not served, or a credential in"
        " the URL.",
        401: "No bearer token, or a wrong one.",
        404: "No such policy.",
        413: "The body is larger than the server's limit.",
        415: "The body is not JSON.",
        422: "The library refused the content, or the request is past a limit: the message"
        " and the path of each problem.",
        503: "Too many requests at once, or the request took longer than the deadline; retry"
        " after the Retry-After header's seconds.",
    }
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            media_type=PROBLEM_JSON,
            description=f"{TITLES[status]}: {reasons[status]}",
            generate_examples=False,
        )
        for status in statuses
    }


def _ok(body: type, description: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=body, media_type=JSON, description=description, generate_examples=False
        )
    }


#: The classes whose OpenAPI components are described by their docstrings.
_DESCRIBED: Final = (
    ScoreRequest,
    ExplainRequest,
    CompareRequest,
    Event,
    Measure,
    Person,
    *(getattr(_responses, name) for name in dir(_responses) if name.endswith("Body")),
)
