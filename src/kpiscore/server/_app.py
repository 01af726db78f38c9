"""The ASGI application: Litestar routes, each a thin call to the public API.

This module imports Litestar; :func:`kpiscore.server.create_app` imports it only when called, so
``import kpiscore`` never needs the ``server`` extra.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
import os
import re
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Final, TypeVar, cast

import attrs
from litestar import Litestar, Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.dto import AbstractDTO, DTOConfig, DTOFieldDefinition
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
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
from kpiscore.server._docs import DocsPage
from kpiscore.server._limits import DEFAULT_LIMITS, LimitError, Limits
from kpiscore.server._ops import TITLES, Gate, Metrics, plain, problem_bytes
from kpiscore.server._registry import PolicyRegistry
from kpiscore.server._requests import (
    CompareRequest,
    ExplainRequest,
    PolicyDocument,
    RequestError,
    ScoreRequest,
    flatten,
    read_document,
    read_policy_document,
    read_request_document,
    relocate,
)
from kpiscore.server._responses import (
    ComparisonBody,
    ExplainBody,
    HealthBody,
    PolicyBody,
    PolicyListBody,
    ProblemBody,
    ReadyBody,
    ScoreTableBody,
    ValidateBody,
)
from kpiscore.server._work import ClientGone, DeadlineExceeded, Runner

__all__ = ["Service", "build_app", "canonical_json"]

_Request = TypeVar("_Request", ScoreRequest, ExplainRequest, CompareRequest)

logger = logging.getLogger("kpiscore.server")

JSON: Final = "application/json"
PROBLEM_JSON: Final = "application/problem+json"


def canonical_json(value: object) -> bytes:
    """JSON as the library writes it (keys sorted, UTF-8 text, no spaces), as bytes."""
    return _canonical_text(value).encode()


def _json(body: str | Mapping[str, Any]) -> Response[bytes]:
    """A 200 answer: the library's JSON text as it is, or a tree written canonically."""
    content = body.encode() if isinstance(body, str) else canonical_json(body)
    return Response(content=content, media_type=JSON, status_code=200)


# --------------------------------------------------------------------------- problems


def _problem_entry(error: KpiscoreError) -> dict[str, Any]:
    return {"detail": plain(str(error)), "path": error.path, "error": type(error).__name__}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    path: str | None = None,
    error: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    """A problem details answer (RFC 9457), canonical JSON, with its kind's ``type`` URI."""
    content = problem_bytes(status, detail, kind=kind, path=path, error=error, errors=errors)
    return Response(
        content=content,
        media_type=PROBLEM_JSON,
        status_code=status,
        headers=dict(headers or {}),
    )


def _kind(error: RequestError) -> str | None:
    if any(isinstance(p, LimitError) for p in error.problems):
        return "limit-exceeded"
    if error.status == 404 and any(isinstance(p, UnknownPolicyError) for p in error.problems):
        return "unknown-policy"
    return None


def _on_request_error(_: Request[Any, Any, Any], error: RequestError) -> Response[bytes]:
    problems = list(error.problems)
    single = problems[0] if len(problems) == 1 else None
    return problem(
        error.status,
        str(single) if single is not None else str(error),
        kind=_kind(error),
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


def _on_deadline(request: Request[Any, Any, Any], error: DeadlineExceeded) -> Response[bytes]:
    _outcome(request)["why"] = "deadline"
    return problem(
        503,
        f"{error}; send fewer people per request, or start the server with a larger --timeout",
        kind="deadline-exceeded",
        headers={"Retry-After": "1"},
    )


def _on_client_gone(request: Request[Any, Any, Any], _: ClientGone) -> Response[bytes]:
    outcome = _outcome(request)
    outcome["why"], outcome["gone"] = "client-gone", True
    return problem(503, "the client went away; the work was stopped", kind="overloaded")


def _on_unexpected(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    # A bug, not bad input: say so without details, and log everything.
    logger.error("kpiscore server: unexpected error", exc_info=error)
    return problem(
        500, "internal error: the request could not be served; this is a bug in kpiscore"
    )


def _outcome(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The gate's record of this request (people scored, why it ended), or a scratch one."""
    state = request.scope.get("state") or {}
    found = state.get("kpiscore_outcome")
    return found if isinstance(found, dict) else {}


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
        # Only the media type is checked here, in the event loop; the body is read into
        # library objects in a worker thread, within the request's deadline (see _work).
        _check_json(self.asgi_connection)
        return RawBody(value)

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

    def _convert(self, node: Mapping[str, Any], creator: Any) -> Schema | Reference:
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
                        branch.format = cast("Any", "decimal")  # an exact decimal, as a string
            return inline
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


# --------------------------------------------------------------------------- the app


class RawBody:
    """A request body as it arrived: read into library objects in a worker thread."""

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content


def _raw(data: object) -> bytes:
    if isinstance(data, RawBody):
        return data.content
    raise TypeError(f"expected the raw body (got {type(data).__name__})")  # pragma: no cover


@attrs.frozen
class Answer:
    """What a request's work produced: the body, the policies' fingerprints, people scored."""

    body: bytes
    fingerprints: tuple[str, ...] = ()
    people: int = 0


class Service:
    """Everything the endpoints share: the policies, the limits, the metrics, the worker pool.

    Attributes:
        registry: The served policies (swapped whole by :meth:`reload`).
        tokens: The accepted bearer tokens (empty: no authentication).
        limits: The request limits.
        metrics: The request counters.
        reload_error: Why the last reload failed, or ``None``.
    """

    def __init__(
        self,
        registry: PolicyRegistry,
        *,
        tokens: tuple[str, ...],
        limits: Limits,
        metrics: Metrics,
        policies_dir: str | os.PathLike[str] | None,
    ) -> None:
        self.registry = registry
        self.tokens = tokens
        self.limits = limits
        self.metrics = metrics
        self.policies_dir = policies_dir
        self.reload_error: str | None = None
        self.gate: Gate | None = None
        self._runner: Runner | None = None

    @property
    def runner(self) -> Runner:
        """The worker pool, started in the process that serves (after any fork)."""
        if self._runner is None:
            self._runner = Runner(threads=_THREADS)
        return self._runner

    def bind_worker(self, index: int) -> None:
        """Count and log as worker ``index`` (called in each worker process)."""
        self.metrics.bind(index)
        if self.gate is not None:
            self.gate.worker = index

    def reload(self) -> PolicyRegistry:
        """Read the policies again and serve them; on any problem keep serving the old ones.

        Raises:
            FileFormatError: the new set is invalid (the old one is still served).
        """
        try:
            registry = PolicyRegistry(self.policies_dir)
        except KpiscoreError as error:
            self.reload_error = plain(str(error))
            logger.error(
                "kpiscore server: reload refused, the policies served are unchanged: %s",
                self.reload_error,
                extra={"fields": {"event": "reload-refused", "problem": self.reload_error}},
            )
            raise
        self.registry, self.reload_error = registry, None
        self.metrics.reloaded()
        logger.info(
            "kpiscore server: policies reloaded",
            extra={"fields": {"event": "reload", "fingerprint": registry.fingerprint}},
        )
        return registry

    def reload_quietly(self, _: int = 0) -> None:  # pragma: no cover - SIGHUP, in a subprocess
        """:meth:`reload`, its refusal logged only (the ``SIGHUP`` handler)."""
        with suppress(KpiscoreError):
            self.reload()

    async def answer(
        self, request: Request[Any, Any, Any], data: object, work: Callable[[bytes], Answer]
    ) -> Response[bytes]:
        """Run ``work`` on the body in a worker thread, within the deadline; answer it."""
        raw = _raw(data)

        async def disconnected() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass  # pragma: no cover - nothing else comes once the body is read

        result = await self.runner.run(
            lambda: work(raw), timeout=self.limits.timeout, disconnected=disconnected
        )
        _outcome(request)["people"] = result.people
        headers = {}
        if result.fingerprints:
            headers["X-Kpiscore-Policy-Fingerprint"] = ",".join(result.fingerprints)
        return Response(content=result.body, media_type=JSON, status_code=200, headers=headers)


#: Worker threads per worker process. Scoring holds the GIL, so more would only interleave;
#: a few keep a long request from queueing short ones behind it.
_THREADS: Final = 4


def _bearer_guard(
    tokens: tuple[str, ...],
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    expected = [token.encode() for token in tokens]

    def guard(connection: ASGIConnection[Any, Any, Any, Any], __: BaseRouteHandler) -> None:
        given_header = connection.headers.get("authorization", "").strip()
        scheme, _, credential = given_header.partition(" ")
        given = credential.strip().encode()
        accepted = False
        # The scheme is case-insensitive (RFC 9110); every token is compared in constant time,
        # so neither a token nor which one matched can be guessed from the timing.
        for token in expected:
            accepted |= hmac.compare_digest(given, token)
        if scheme.lower() != "bearer" or not accepted:
            raise NotAuthorizedException(
                "a bearer token is needed: send the header 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="kpiscore"'},
            )

    return guard


def build_app(
    registry: PolicyRegistry,
    *,
    tokens: tuple[str, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
    allowed_hosts: tuple[str, ...] | None = None,
    policies_dir: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> Litestar:
    """The Litestar application over ``registry``; see :func:`kpiscore.server.create_app`."""
    service = Service(
        registry,
        tokens=tokens,
        limits=limits,
        metrics=Metrics(workers=workers),
        policies_dir=policies_dir,
    )
    errors = (400, 401, 413, 415, 422, 503) if tokens else (400, 413, 415, 422, 503)
    get_errors = (401,) if tokens else ()

    def read(cls: type[_Request], raw: bytes) -> _Request:
        document = read_document(raw)
        if isinstance(document, dict):
            with _at_limits():
                for field in ("policy", "base", "variant"):
                    if isinstance(document.get(field), Mapping):
                        limits.check_policy_document(field, document[field])
                overlay = document.get("overlay")
                limits.check_overlay(overlay if isinstance(overlay, Mapping) else None)
                sizes = [
                    len(value) if isinstance(value := document.get(key), list) else 0
                    for key in ("people", "events", "measures")
                ]
                limits.check_facts(range(sizes[0]), range(sizes[1]), range(sizes[2]))
        request = read_request_document(cls, document)
        with _at_limits():
            for field in ("policy", "base", "variant"):
                given = getattr(request, field, None)
                if isinstance(given, Policy):
                    limits.check_policy(field, given)
        return request

    def resolve(given: str | Policy, overlay: Mapping[str, Any] | None, field: str) -> Policy:
        with _at(field):
            policy = service.registry.resolve(given)
        if overlay:
            from kpiscore.cycle.variants import overlay as apply_overlay

            with _overlaying(overlay):
                policy = apply_overlay(policy, overlay)
        return policy

    def score_table(policy: Policy, request: ScoreRequest) -> ScoreTable:
        with _at_limits():
            limits.check_lines(len(request.people), policy)
        with _scoring(request.measures):
            return score_many(
                policy,
                request.period,
                request.people,
                events=request.events,
                measures=request.measures,
            )

    def sized(body: bytes) -> bytes:
        with _at_limits():
            limits.check_answer(len(body))
        return body

    @get(
        "/policies",
        operation_id="listPolicies",
        sync_to_thread=False,
        summary="The served policies",
        responses={
            **_ok(PolicyListBody, "Every served policy."),
            **_problem_responses(400, *get_errors),
        },
    )
    def list_policies() -> Response[bytes]:
        """Every policy the server serves (bundled, and from ``--policies DIR``), by id."""
        return _json({"policies": [served.entry() for served in service.registry]})

    @get(
        "/policies/{policy_id:str}",
        operation_id="getPolicy",
        sync_to_thread=False,
        summary="One policy, as JSON, with its fingerprint",
        responses={
            **_ok(PolicyBody, "The policy's tree and fingerprint."),
            **_problem_responses(400, 404, *get_errors),
        },
    )
    def get_policy(policy_id: FromPath[str]) -> Response[bytes]:
        """The policy's tree, as a JSON policy file holds it, with its SHA-256 fingerprint."""
        try:
            served = service.registry.get(policy_id)
        except UnknownPolicyError as error:
            raise RequestError([relocate(error, "policy_id")], status=404) from None
        policy = served.policy
        answer = _json(
            {
                "id": policy.id,
                "fingerprint": policy.fingerprint,
                "source": served.source,
                "policy": policy.to_dict(),
            }
        )
        answer.headers["X-Kpiscore-Policy-Fingerprint"] = policy.fingerprint
        return answer

    def validate_work(raw: bytes) -> Answer:
        tree = read_policy_document(raw).tree
        try:
            if not isinstance(tree, Mapping):
                raise RequestError(
                    [
                        InputError(
                            "request body: expected a JSON object holding the policy's keys"
                            f" (got {_type_name(tree)})"
                        )
                    ],
                    status=400,
                )
            with _at_limits():
                limits.check_policy_document("policy", tree)
            policy = Policy.from_dict(tree)
            with _at_limits():
                limits.check_policy("policy", policy)
        except RequestError:
            raise
        except KpiscoreError as error:
            named = tree if isinstance(tree, Mapping) else {}
            return Answer(
                canonical_json(
                    {
                        "valid": False,
                        "id": _text_or_none(named.get("id")),
                        "version": _text_or_none(named.get("version")),
                        "fingerprint": None,
                        "problems": [_problem_entry(p) for p in flatten(error)],
                    }
                )
            )
        return Answer(
            canonical_json(
                {
                    "valid": True,
                    "id": policy.id,
                    "version": policy.version,
                    "fingerprint": policy.fingerprint,
                    "problems": [],
                }
            ),
            (policy.fingerprint,),
        )

    @post(
        "/validate",
        operation_id="validate",
        dto=BodyReader,
        status_code=200,
        summary="Check a policy document, every problem listed",
        responses={
            **_ok(ValidateBody, "Whether the policy is valid, and every problem."),
            **_problem_responses(*errors),
        },
    )
    async def validate(
        request: Request[Any, Any, Any], data: Annotated[PolicyDocument, _VALIDATE_BODY]
    ) -> Response[bytes]:
        """Read a policy document as ``kpiscore.load_policy`` reads a JSON policy file.

        The answer lists every problem with its path in the document; an invalid policy is
        an answer (``valid: false``), not an error. A body that is not a JSON object is 400.
        """
        return await service.answer(request, data, validate_work)

    def score_work(raw: bytes) -> Answer:
        data = read(ScoreRequest, raw)
        policy = resolve(data.policy, data.overlay, "policy")
        body = score_table(policy, data).to_json().encode()
        return Answer(sized(body), (policy.fingerprint,), len(data.people))

    @post(
        "/score",
        operation_id="score",
        dto=BodyReader,
        status_code=200,
        summary="Score a population for a period",
        responses={
            **_ok(ScoreTableBody, "Every scorecard, in the order of people."),
            **_problem_responses(*errors),
        },
    )
    async def score(
        request: Request[Any, Any, Any], data: Annotated[ScoreRequest, _SCORE_BODY]
    ) -> Response[bytes]:
        """Score everyone with ``kpiscore.score_many``; the answer is ``ScoreTable.to_json()``."""
        return await service.answer(request, data, score_work)

    def explain_work(raw: bytes) -> Answer:
        data = read(ExplainRequest, raw)
        policy = resolve(data.policy, data.overlay, "policy")
        table = score_table(policy, data)
        with _at("subject"):
            card = table[data.subject]
        body = canonical_json(
            {
                "subject": card.subject,
                "lang": data.lang,
                "text": card.explain(data.lang),
                "scorecard": card.to_dict(),
            }
        )
        return Answer(sized(body), (policy.fingerprint,), len(data.people))

    @post(
        "/explain",
        operation_id="explain",
        dto=BodyReader,
        status_code=200,
        summary="One person's ledger, in Vietnamese or English",
        responses={
            **_ok(ExplainBody, "The ledger as text, and the scorecard."),
            **_problem_responses(*errors),
        },
    )
    async def explain(
        request: Request[Any, Any, Any], data: Annotated[ExplainRequest, _EXPLAIN_BODY]
    ) -> Response[bytes]:
        """Score the population, then ``Scorecard.explain(lang)`` for ``subject``."""
        return await service.answer(request, data, explain_work)

    def compare_work(raw: bytes) -> Answer:
        from kpiscore.cycle.variants import compare as compare_policies

        data = read(CompareRequest, raw)
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
        with _at_limits():
            limits.check_lines(len(data.people), base, policies=2)
            limits.check_lines(len(data.people), variant, policies=2)
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
        body = sized(comparison.to_json().encode())
        return Answer(body, (base.fingerprint, variant.fingerprint), 2 * len(data.people))

    @post(
        "/compare",
        operation_id="compare",
        dto=BodyReader,
        status_code=200,
        summary="A population under a base policy and a variant, person by person",
        responses={
            **_ok(ComparisonBody, "Both totals and ratings per person, the moves, a summary."),
            **_problem_responses(*errors),
        },
    )
    async def compare(
        request: Request[Any, Any, Any], data: Annotated[CompareRequest, _COMPARE_BODY]
    ) -> Response[bytes]:
        """``kpiscore.variants.compare(base, variant, …)``, answered with its ``to_json()``."""
        return await service.answer(request, data, compare_work)

    @get(
        "/healthz",
        operation_id="health",
        sync_to_thread=False,
        summary="Whether the server is alive",
        responses=_ok(HealthBody, "The server answers."),
    )
    def healthz() -> Response[bytes]:
        """Alive: the process answers (it does not look at the policies)."""
        return _json({"status": "ok", "version": __version__})

    @get(
        "/readyz",
        operation_id="ready",
        sync_to_thread=False,
        summary="Whether the server is ready to score",
        responses=_ok(ReadyBody, "The policies are loaded."),
    )
    def readyz() -> Response[bytes]:
        """Ready: the policies are loaded; says how many, their fingerprint and whether the
        last reload was refused (the previous policies are then still served)."""
        registry = service.registry
        return _json(
            {
                "status": "ready",
                "policies": len(registry),
                "fingerprint": registry.fingerprint,
                "reload_error": service.reload_error,
            }
        )

    @get("/metrics", sync_to_thread=False, include_in_schema=False)
    def metrics() -> Response[bytes]:
        """The request counters, in Prometheus's text format."""
        return Response(
            content=service.metrics.render().encode(),
            media_type="text/plain; version=0.0.4; charset=utf-8",
            status_code=200,
        )

    @post("/admin/reload", status_code=200, include_in_schema=False)
    async def admin_reload() -> Response[bytes]:
        """Read the policies again (as ``SIGHUP`` does); a bad set is refused and the old one
        stays served."""
        if not service.tokens:
            return problem(
                403,
                "POST /admin/reload needs a server started with --token-file; send SIGHUP to"
                " the server's process instead",
            )
        try:
            registry = await asyncio.to_thread(service.reload)
        except KpiscoreError as error:
            problems = flatten(error)
            return problem(
                422,
                f"reload refused, the policies served are unchanged: {plain(str(error))}",
                kind="reload-failed",
                errors=[_problem_entry(p) for p in problems],
            )
        return _json(
            {
                "reloaded": True,
                "policies": [served.policy.id for served in registry],
                "fingerprint": registry.fingerprint,
            }
        )

    @get("/openapi.json", sync_to_thread=False, include_in_schema=False)
    def openapi_document(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The OpenAPI document, canonical JSON."""
        return _json(request.app.openapi_schema.to_schema())

    guards = [_bearer_guard(tokens)] if tokens else []
    api = Router(
        path="/",
        route_handlers=[
            list_policies,
            get_policy,
            validate,
            score,
            explain,
            compare,
            metrics,
            admin_reload,
        ],
        guards=guards,
    )
    security: dict[str, Any] = {}
    if tokens:
        security = {
            "components": Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="A token given to the server with --token-file.",
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
            " Every error is a problem details body (RFC 9457) with the library's message,"
            " the path of the offending field, a stable type URI per kind of error and the"
            " request id."
        ),
        path="/docs",
        render_plugins=[DocsPage(path="/")],
        create_examples=False,
        use_handler_docstrings=True,
        **security,
    )
    app = Litestar(
        route_handlers=[api, openapi_document, healthz, readyz],
        openapi_config=openapi,
        plugins=[LibrarySchemas(), AttrsSchemaPlugin()],
        exception_handlers={
            RequestError: _on_request_error,
            KpiscoreError: _on_library_error,
            DeadlineExceeded: _on_deadline,
            ClientGone: _on_client_gone,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        request_max_body_size=limits.max_body,
        debug=False,
        logging_config=None,
    )
    _describe(app.openapi_schema, _DESCRIBED)
    gate = Gate(
        cast("Any", app.asgi_handler),
        metrics=service.metrics,
        limits=limits,
        allowed_hosts=None if tokens else allowed_hosts,
    )
    service.gate = gate
    app.asgi_handler = cast("Any", gate)
    app.state["kpiscore"] = service
    return app


@contextmanager
def _at_limits() -> Iterator[None]:
    try:
        yield
    except LimitError as error:
        raise RequestError([error]) from None


def _type_name(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return "number"
    return names.get(type(value), type(value).__name__)


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
