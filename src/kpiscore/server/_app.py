"""The ASGI application: Litestar routes, each a thin call to the public API.

This module imports Litestar; :func:`kpiscore.server.create_app` imports it only when called, so
``import kpiscore`` never needs the ``server`` extra.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import re
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Final, cast

from litestar import Litestar, Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.dto import AbstractDTO, DTOConfig, DTOFieldDefinition
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPIFormat,
    OpenAPIType,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.params import Body, FromPath
from litestar.plugins import OpenAPISchemaPluginProtocol
from litestar.plugins.attrs import AttrsSchemaPlugin
from litestar.typing import FieldDefinition

from kpiscore import __version__
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import (
    InputError,
    KpiscoreError,
    MissingInputError,
    PeriodError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.model.canonical import canonical_json as _canonical_text
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.policy import Award, Band, Category, Criterion, Deduction, Policy, RatingCap
from kpiscore.model.schema import policy_schema
from kpiscore.results.scorecard import ScoreTable
from kpiscore.server import _responses
from kpiscore.server._registry import PolicyRegistry
from kpiscore.server._requests import (
    CompareRequest,
    ExplainRequest,
    PolicyDocument,
    RequestError,
    ScoreRequest,
    flatten,
    read_policy_document,
    read_request,
    relocate,
)
from kpiscore.server._responses import (
    ComparisonBody,
    ExplainBody,
    PolicyBody,
    PolicyListBody,
    ProblemBody,
    ScoreTableBody,
    ValidateBody,
)

__all__ = ["build_app", "canonical_json"]

logger = logging.getLogger("kpiscore.server")

JSON: Final = "application/json"
PROBLEM_JSON: Final = "application/problem+json"

#: Status titles, fixed here so answers do not depend on the Python version's phrases.
TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
}


def canonical_json(value: object) -> bytes:
    """JSON as the library writes it (keys sorted, UTF-8 text, no spaces), as bytes."""
    return _canonical_text(value).encode()


def _json(body: str | Mapping[str, Any]) -> Response[bytes]:
    """A 200 answer: the library's JSON text as it is, or a tree written canonically."""
    content = body.encode() if isinstance(body, str) else canonical_json(body)
    return Response(content=content, media_type=JSON, status_code=200)


# --------------------------------------------------------------------------- problems


def _problem_entry(error: KpiscoreError) -> dict[str, Any]:
    return {"detail": str(error), "path": error.path, "error": type(error).__name__}


def problem(
    status: int,
    detail: str,
    *,
    path: str | None = None,
    error: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    """A problem details answer (RFC 9457), canonical JSON."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "path": path,
        "error": error,
        "errors": errors or [],
    }
    return Response(
        content=canonical_json(body),
        media_type=PROBLEM_JSON,
        status_code=status,
        headers=dict(headers or {}),
    )


def _on_request_error(_: Request[Any, Any, Any], error: RequestError) -> Response[bytes]:
    problems = list(error.problems)
    single = problems[0] if len(problems) == 1 else None
    return problem(
        error.status,
        str(single) if single is not None else str(error),
        path=single.path if single is not None else None,
        error=type(single).__name__ if single is not None else None,
        errors=[_problem_entry(p) for p in problems],
    )


def _on_library_error(  # pragma: no cover - a safety net: the endpoints place every error first
    request: Request[Any, Any, Any], error: KpiscoreError
) -> Response[bytes]:
    problems = flatten(error)
    return _on_request_error(request, RequestError(problems or [error]))


def _on_http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    detail = error.detail or TITLES.get(status, "Error")
    if isinstance(error, ValidationException):
        # The only validation left to Litestar: a body that is missing altogether.
        status, detail = 400, "request body: empty; expected a JSON object"
    elif status == 413:
        detail = f"request body: {detail.lower()}; {_LIMIT_HINT}"
    elif status == 404:
        detail = "no such endpoint; see GET /openapi.json"
    headers = dict(error.headers or {})
    for key in [key for key in headers if key.lower() == "allow"]:
        # Litestar lists the methods from a set; sorted, the header is the same on every run.
        headers[key] = ", ".join(sorted(m.strip() for m in headers[key].split(",")))
    return problem(status, detail, headers=headers)


def _on_unexpected(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    # A bug, not bad input: say so without details, and log everything.
    logger.error("kpiscore server: unexpected error", exc_info=error)
    return problem(
        500, "internal error: the request could not be served; this is a bug in kpiscore"
    )


_LIMIT_HINT = "send fewer people per request, or start the server with a larger --max-body"


# --------------------------------------------------------------------------- placing errors

_ENGINE_PLACE: Final = re.compile(r"^(events|measures)\[(\d+)\]")
_MEASURE_VALUE: Final = re.compile(r"measure for criterion '(.+?)' of subject '(.+?)'")
_MEASURE_CRITERION: Final = re.compile(r"measure for subject '(.+?)' names criterion '(.+?)'")
_TWO_MEASURES: Final = re.compile(r"two measures for criterion '(.+?)' of subject '(.+?)'")


def _engine_path(error: KpiscoreError, measures: Sequence[Measure] = ()) -> str | None:
    """Where in the body a scoring error points.

    The engine's errors carry no ``path``; their messages name the place (``events[3]``, the
    criterion and subject of a measure), which is read here. A message not recognised gives no
    path, never a wrong one.
    """
    message = str(error)
    if isinstance(error, PeriodError):
        return "period"
    found = _ENGINE_PLACE.match(message)
    if found:
        place = f"{found[1]}[{found[2]}]"
        return f"{place}.subject" if isinstance(error, UnknownSubjectError) else place
    if message.startswith("subjects"):
        return "people"
    if isinstance(error, MissingInputError):
        return "measures"
    for pattern, suffix, last in (
        (_MEASURE_VALUE, ".value", False),
        (_MEASURE_CRITERION, ".criterion", False),
        (_TWO_MEASURES, "", True),
    ):
        if found := pattern.search(message):
            criterion, subject = (
                (found[2], found[1]) if pattern is _MEASURE_CRITERION else found.groups()
            )
            places = [
                index
                for index, measure in enumerate(measures)
                if (measure.criterion, measure.subject) == (criterion, subject)
            ]
            if places:
                return f"measures[{places[-1] if last else places[0]}]{suffix}"
    return error.path


@contextmanager
def _scoring(measures: Sequence[Measure] = ()) -> Iterator[None]:
    """Errors of scoring, with the place in the body each one points to."""
    try:
        yield
    except KpiscoreError as error:
        raise RequestError(
            [_relocated(problem, _engine_path(problem, measures)) for problem in flatten(error)]
        ) from None


def _relocated(error: KpiscoreError, path: str | None) -> KpiscoreError:
    if path is None or path == error.path:
        return error
    moved = type(error)(str(error), path=path)
    moved.__cause__ = error
    return moved


@contextmanager
def _at(field: str) -> Iterator[None]:
    """Errors raised for one field of the body, placed at that field."""
    try:
        yield
    except KpiscoreError as error:
        raise RequestError([relocate(problem, field) for problem in flatten(error)]) from None


@contextmanager
def _overlaying(changes: Mapping[str, Any]) -> Iterator[None]:
    """Errors of an overlay, placed at the change they are about."""
    try:
        yield
    except KpiscoreError as error:
        placed = []
        for found in flatten(error):
            where = "overlay"
            if found.path in changes:
                where = f"overlay[{json.dumps(found.path, ensure_ascii=False)}]"
            placed.append(relocate(found, "overlay", where))
        raise RequestError(placed) from None


# --------------------------------------------------------------------------- reading bodies


def _media_type(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _check_json(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
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


class BodyReader(AbstractDTO[Any]):
    """Litestar's hook for reading a body: here the library's readers do it, not Litestar's.

    The OpenAPI schema of the body is the request class's (generated from its ``attrs``
    fields); the body itself is read by :func:`~kpiscore.server._requests.read_request`, so
    decimals stay exact and every message and path is the library's.
    """

    config: ClassVar[DTOConfig] = DTOConfig()

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
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
        backend_cls: Any = None,
    ) -> None:
        return None  # no backend to build: decode_bytes does the work

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(field_definition)
        return schema

    def decode_bytes(self, value: bytes) -> Any:
        _check_json(self.asgi_connection)
        data_field = self.asgi_connection.route_handler.parsed_data_field
        request_type = data_field.annotation if data_field is not None else None
        if request_type is PolicyDocument:
            return read_policy_document(value)
        if request_type in (ScoreRequest, ExplainRequest, CompareRequest):
            return read_request(request_type, value)
        raise TypeError(
            f"no reader for request bodies of type {request_type!r}"
        )  # pragma: no cover

    def decode_builtins(self, value: dict[str, Any]) -> Any:  # pragma: no cover - JSON only
        raise RequestError([InputError("request body: expected JSON")], status=415)


# --------------------------------------------------------------------------- OpenAPI

_POLICY_CLASSES: Final[dict[str, type]] = {
    "Policy": Policy,
    "Category": Category,
    "Criterion": Criterion,
    "Deduction": Deduction,
    "Award": Award,
    "Band": Band,
    "RatingCap": RatingCap,
}


class LibrarySchemas(OpenAPISchemaPluginProtocol):
    """OpenAPI schemas for the policy classes and for decimals, from the library's own schema.

    The policy classes' schemas are :func:`kpiscore.policy_schema`'s definitions (generated
    from the classes, and the one a policy file is checked against): a number there is a JSON
    number or a decimal string, and ``null`` means the default, as the library reads them.
    """

    def __init__(self) -> None:
        self._definitions: dict[str, Any] = policy_schema()["$defs"]

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Decimal or value is PolicyDocument or value in _POLICY_CLASSES.values()

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        annotation = field_definition.annotation
        if annotation is Decimal:
            return cast("Schema", self._convert({"$ref": "#/$defs/number"}, schema_creator))
        if annotation is PolicyDocument:
            annotation = Policy
            field_definition = FieldDefinition.from_annotation(Policy)
        name = next(key for key, cls in _POLICY_CLASSES.items() if cls is annotation)
        schema: Schema = schema_creator.schema_registry.get_schema_for_field_definition(
            field_definition
        )
        built = cast("Schema", self._convert(self._definitions[name], schema_creator))
        for key, value in vars(built).items():
            setattr(schema, key, value)
        schema.title = name
        return schema

    def _convert(self, node: Mapping[str, Any], creator: Any) -> Schema | Reference:
        """One JSON Schema node as Litestar's OpenAPI model (OpenAPI 3.1 is JSON Schema)."""
        if "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            if name in _POLICY_CLASSES:
                result: Schema | Reference = creator.for_field_definition(
                    FieldDefinition.from_annotation(_POLICY_CLASSES[name])
                )
                return result
            return self._convert(self._definitions[name], creator)  # a value type, inline
        schema = Schema()
        aliases = Schema.field_aliases()
        for key, value in node.items():
            field = aliases.get(key) or re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
            if field == "type":
                converted: Any = OpenAPIType(value)
            elif field == "format":
                converted = OpenAPIFormat(value)
            elif field == "properties":
                converted = {name: self._convert(item, creator) for name, item in value.items()}
            elif field in ("any_of", "all_of", "one_of"):
                converted = [self._convert(item, creator) for item in value]
            elif field in _SUBSCHEMA_FIELDS or (
                field == "additional_properties" and value is not True and value is not False
            ):
                converted = self._convert(value, creator)
            elif field in _VALUE_FIELDS:
                converted = value
            else:  # pragma: no cover - a test converts every definition
                raise TypeError(f"policy schema keyword {key!r} has no OpenAPI conversion")
            setattr(schema, field, converted)
        return schema


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
EXAMPLE: Final[dict[str, Any]] = {
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
EXPLAIN_EXAMPLE: Final[dict[str, Any]] = {**EXAMPLE, "subject": "gv002", "lang": "en"}
COMPARE_EXAMPLE: Final[dict[str, Any]] = {
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


def _describe(document: Any, classes: Iterator[type] | tuple[type, ...]) -> None:
    """Give the generated components the descriptions their classes' docstrings hold."""
    schemas = document.components.schemas or {}
    for cls in classes:
        schema = schemas.get(cls.__name__)
        if schema is None:
            continue
        description, fields = _docs(cls)
        schema.description = description or None
        for name, prop in (schema.properties or {}).items():
            if name in fields:
                prop.description = fields[name]


def _problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    reasons = {
        400: "The body is not a JSON object.",
        401: "No bearer token, or a wrong one.",
        404: "No such policy.",
        413: "The body is larger than the server's limit.",
        415: "The body is not JSON.",
        422: "The library refused the content: the message and the path of each problem.",
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


# --------------------------------------------------------------------------- the app


def _bearer_guard(
    token: str,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    expected = f"Bearer {token}".encode()

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("authorization", "").encode()
        # Constant time, so the token cannot be guessed from how fast a wrong one is refused.
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException(
                "a bearer token is needed: send the header 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="kpiscore"'},
            )

    return guard


def build_app(registry: PolicyRegistry, *, token: str | None, max_body: int) -> Litestar:
    """The Litestar application over ``registry``; see :func:`kpiscore.server.create_app`."""
    errors = (400, 401, 413, 415, 422) if token else (400, 413, 415, 422)
    get_errors = (401,) if token else ()

    def resolve(given: str | Policy, overlay: Mapping[str, Any] | None, field: str) -> Policy:
        with _at(field):
            policy = registry.resolve(given)
        if overlay:
            from kpiscore.cycle.variants import overlay as apply_overlay

            with _overlaying(overlay):
                policy = apply_overlay(policy, overlay)
        return policy

    def score_table(policy: Policy, request: ScoreRequest) -> ScoreTable:
        with _scoring(request.measures):
            return score_many(
                policy,
                request.period,
                request.people,
                events=request.events,
                measures=request.measures,
            )

    @get(
        "/policies",
        sync_to_thread=False,
        summary="The served policies",
        responses={
            **_ok(PolicyListBody, "Every served policy."),
            **_problem_responses(*get_errors),
        },
    )
    def list_policies() -> Response[bytes]:
        """Every policy the server serves (bundled, and from ``--policies DIR``), by id."""
        return _json({"policies": [served.entry() for served in registry]})

    @get(
        "/policies/{policy_id:str}",
        sync_to_thread=False,
        summary="One policy, as JSON, with its fingerprint",
        responses={
            **_ok(PolicyBody, "The policy's tree and fingerprint."),
            **_problem_responses(404, *get_errors),
        },
    )
    def get_policy(policy_id: FromPath[str]) -> Response[bytes]:
        """The policy's tree, as a JSON policy file holds it, with its SHA-256 fingerprint."""
        try:
            served = registry.get(policy_id)
        except UnknownPolicyError as error:
            raise RequestError([relocate(error, "policy_id")], status=404) from None
        policy = served.policy
        return _json(
            {
                "id": policy.id,
                "fingerprint": policy.fingerprint,
                "source": served.source,
                "policy": policy.to_dict(),
            }
        )

    @post(
        "/validate",
        dto=BodyReader,
        status_code=200,
        sync_to_thread=True,
        summary="Check a policy document, every problem listed",
        responses={
            **_ok(ValidateBody, "Whether the policy is valid, and every problem."),
            **_problem_responses(*errors),
        },
    )
    def validate(data: Annotated[PolicyDocument, _VALIDATE_BODY]) -> Response[bytes]:
        """Read a policy document as ``kpiscore.load_policy`` reads a JSON policy file.

        The answer lists every problem with its path in the document; an invalid policy is
        an answer (``valid: false``), not an error.
        """
        tree = data.tree
        try:
            if not isinstance(tree, Mapping):
                raise InputError(
                    "policy: expected a JSON object holding the policy's keys (got"
                    f" {type(tree).__name__})"
                )
            policy = Policy.from_dict(tree)
        except KpiscoreError as error:
            named = tree if isinstance(tree, Mapping) else {}
            return _json(
                {
                    "valid": False,
                    "id": _text_or_none(named.get("id")),
                    "version": _text_or_none(named.get("version")),
                    "fingerprint": None,
                    "problems": [_problem_entry(p) for p in flatten(error)],
                }
            )
        return _json(
            {
                "valid": True,
                "id": policy.id,
                "version": policy.version,
                "fingerprint": policy.fingerprint,
                "problems": [],
            }
        )

    @post(
        "/score",
        dto=BodyReader,
        status_code=200,
        sync_to_thread=True,
        summary="Score a population for a period",
        responses={
            **_ok(ScoreTableBody, "Every scorecard, in the order of people."),
            **_problem_responses(*errors),
        },
    )
    def score(
        data: Annotated[ScoreRequest, _SCORE_BODY],
    ) -> Response[bytes]:
        """Score everyone with ``kpiscore.score_many``; the answer is ``ScoreTable.to_json()``."""
        policy = resolve(data.policy, data.overlay, "policy")
        return _json(score_table(policy, data).to_json())

    @post(
        "/explain",
        dto=BodyReader,
        status_code=200,
        sync_to_thread=True,
        summary="One person's ledger, in Vietnamese or English",
        responses={
            **_ok(ExplainBody, "The ledger as text, and the scorecard."),
            **_problem_responses(*errors),
        },
    )
    def explain(
        data: Annotated[ExplainRequest, _EXPLAIN_BODY],
    ) -> Response[bytes]:
        """Score the population, then ``Scorecard.explain(lang)`` for ``subject``."""
        policy = resolve(data.policy, data.overlay, "policy")
        table = score_table(policy, data)
        with _at("subject"):
            card = table[data.subject]
        return _json(
            {
                "subject": card.subject,
                "lang": data.lang,
                "text": card.explain(data.lang),
                "scorecard": card.to_dict(),
            }
        )

    @post(
        "/compare",
        dto=BodyReader,
        status_code=200,
        sync_to_thread=True,
        summary="A population under a base policy and a variant, person by person",
        responses={
            **_ok(ComparisonBody, "Both totals and ratings per person, the moves, a summary."),
            **_problem_responses(*errors),
        },
    )
    def compare(
        data: Annotated[CompareRequest, _COMPARE_BODY],
    ) -> Response[bytes]:
        """``kpiscore.variants.compare(base, variant, …)``, answered with its ``to_json()``."""
        from kpiscore.cycle.variants import compare as compare_policies

        base = resolve(data.base, None, "base")
        if data.variant is None and not data.overlay:
            raise RequestError(
                [
                    InputError(
                        "compare: give a variant policy ('variant'), changes to the base"
                        " ('overlay'), or both",
                        path="variant",
                    )
                ]
            )
        variant = resolve(
            data.variant if data.variant is not None else base, data.overlay, "variant"
        )
        try:
            comparison = compare_policies(
                base,
                variant,
                data.period,
                data.people,
                events=data.events,
                measures=data.measures,
            )
        except KpiscoreError as error:
            problems = flatten(error)
            raise RequestError(
                [
                    _relocated(
                        p, "variant" if str(p).startswith("compare: only") else _engine_path(p)
                    )
                    for p in problems
                ]
            ) from None
        return _json(comparison.to_json())

    @get("/openapi.json", sync_to_thread=False, include_in_schema=False)
    def openapi_document(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The OpenAPI document, canonical JSON."""
        return _json(request.app.openapi_schema.to_schema())

    guards = [_bearer_guard(token)] if token else []
    api = Router(
        path="/",
        route_handlers=[list_policies, get_policy, validate, score, explain, compare],
        guards=guards,
    )
    security: dict[str, Any] = {}
    if token:
        security = {
            "components": Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="The token given to the server with --token-file.",
                    )
                }
            ),
            "security": [{"bearer": []}],
        }
    openapi = OpenAPIConfig(
        title="kpiscore",
        version=__version__,
        description=(
            "Exact, deterministic, explainable KPI scoring for Vietnamese civil servants"
            " (Decree 335/2025/ND-CP). Request and answer bodies are the JSON the kpiscore"
            " library reads and writes: numbers as decimal strings, dates as YYYY-MM-DD."
            " Every error is a problem details body (RFC 9457) with the library's message and"
            " the path of the offending field."
        ),
        path="/docs",
        render_plugins=[SwaggerRenderPlugin(path="/")],
        create_examples=False,
        use_handler_docstrings=True,
        **security,
    )
    app = Litestar(
        route_handlers=[api, openapi_document],
        openapi_config=openapi,
        plugins=[LibrarySchemas(), AttrsSchemaPlugin()],
        exception_handlers={
            RequestError: _on_request_error,
            KpiscoreError: _on_library_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        request_max_body_size=max_body,
        debug=False,
        logging_config=None,
    )
    _describe(app.openapi_schema, _DESCRIBED)
    return app


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


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
