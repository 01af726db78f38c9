"""The ASGI application: Litestar routes, each a thin call to the public API.

This module imports Litestar; :func:`kpiscore.server.create_app` imports it only when called, so
``import kpiscore`` never needs the ``server`` extra.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, TypeVar, cast

from litestar import Litestar, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    SecurityScheme,
)
from litestar.params import FromPath
from litestar.plugins.attrs import AttrsSchemaPlugin
from litestar.types import ASGIApp as LitestarApp

from kpiscore import __version__
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import (
    InputError,
    KpiscoreError,
    UnknownPolicyError,
)
from kpiscore.model.jsontypes import JsonObject, JsonValue
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Notice, ScoreTable, event_notices
from kpiscore.server._docs import DocsPage
from kpiscore.server._limits import DEFAULT_LIMITS, Limits
from kpiscore.server._openapi import (
    _COMPARE_BODY,
    _DESCRIBED,
    _EXPLAIN_BODY,
    _SCORE_BODY,
    _VALIDATE_BODY,
    BodyReader,
    LibrarySchemas,
    _describe,
    _ok,
    _problem_responses,
)
from kpiscore.server._ops import ASGIApp, Gate, Metrics, plain
from kpiscore.server._problems import (
    _at,
    _at_limits,
    _engine_path,
    _json,
    _on_client_gone,
    _on_deadline,
    _on_http_error,
    _on_library_error,
    _on_request_error,
    _on_unexpected,
    _overlaying,
    _problem_entry,
    _relocated,
    _scoring,
    canonical_json,
    problem,
)
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
    ReadyBody,
    ScoreTableBody,
    ValidateBody,
)
from kpiscore.server._scales import decimals_of, fix_scales
from kpiscore.server._service import Answer, Service, _bearer_guard
from kpiscore.server._types import HttpRequest
from kpiscore.server._work import ClientGone, DeadlineExceeded

__all__ = ["Service", "build_app", "canonical_json"]

_Request = TypeVar("_Request", ScoreRequest, ExplainRequest, CompareRequest)


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

    def resolve(given: str | Policy, overlay: Mapping[str, JsonValue] | None, field: str) -> Policy:
        with _at(field):
            policy = service.registry.resolve(given)
        if overlay:
            from kpiscore.cycle.variants import overlay as apply_overlay

            with _overlaying(overlay):
                policy = apply_overlay(policy, overlay)
        return policy

    def score_table(request: ScoreRequest) -> tuple[Policy, ScoreTable]:
        """The request's policy (with its overlay) and everyone's scorecards under it."""
        policy = resolve(request.policy, request.overlay, "policy")
        with _at_limits():
            limits.check_lines(len(request.people), policy)
        with _scoring(request.measures):
            return policy, score_many(
                policy,
                request.period,
                request.people,
                events=request.events,
                measures=request.measures,
                unknown_kinds=request.unknown_kinds,
                duplicates=request.duplicates,
            )

    def sized(body: bytes) -> bytes:
        with _at_limits():
            limits.check_answer(len(body))
        return body

    def scored(tree: JsonObject, body: str, under: tuple[Policy, ...], people: int) -> Answer:
        """A scoring answer: the tree with the fixed scales of ``body`` (the most decimals of
        the policies), within the answer limit, with the policies' fingerprints."""
        decimals = max(decimals_of(policy.precision) for policy in under)
        content = sized(canonical_json(fix_scales(tree, body, decimals)))
        return Answer(content, tuple(policy.fingerprint for policy in under), people)

    def body_endpoint(  # noqa: PLR0917 - the endpoint's parts, each once
        path: str,
        name: str,
        summary: str,
        answer: tuple[type, str],
        body: object,
        work: Callable[[bytes], Answer],
        doc: str,
    ) -> HTTPRouteHandler:
        """A POST endpoint whose body the library reads and ``work`` answers in a worker
        thread, within the deadline; it answers ``answer`` (the body class, and what it
        holds) or a problem. ``body`` is the request's annotated type (for the OpenAPI
        document), ``doc`` the endpoint's description."""

        async def handler(request: HttpRequest, data: object) -> Response[bytes]:
            return await service.answer(request, data, work)

        handler.__name__ = handler.__qualname__ = name
        handler.__doc__ = doc
        handler.__annotations__ = {
            "request": HttpRequest,
            "data": body,
            "return": Response[bytes],
        }
        return post(
            path,
            operation_id=name,
            dto=BodyReader,
            status_code=200,
            summary=summary,
            responses={**_ok(*answer), **_problem_responses(*errors)},
        )(handler)

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
        served = list(service.registry)
        decimals = max((decimals_of(entry.policy.precision) for entry in served), default=0)
        listing: JsonObject = {"policies": [entry.entry() for entry in served]}
        return _json(fix_scales(listing, "PolicyListBody", decimals))

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

    validate = body_endpoint(
        "/validate",
        "validate",
        "Check a policy document, every problem listed",
        (ValidateBody, "Whether the policy is valid, and every problem."),
        Annotated[PolicyDocument, _VALIDATE_BODY],
        validate_work,
        """Read a policy document as ``kpiscore.load_policy`` reads a JSON policy file.

        The answer lists every problem with its path in the document; an invalid policy is
        an answer (``valid: false``), not an error. A body that is not a JSON object is 400.
        """,
    )

    def score_work(raw: bytes) -> Answer:
        data = read(ScoreRequest, raw)
        policy, table = score_table(data)
        tree = table.json_tree()
        tree["notices"] = _notices(table.notices)
        return scored(tree, "ScoreTableBody", (policy,), len(data.people))

    score = body_endpoint(
        "/score",
        "score",
        "Score a population for a period",
        (ScoreTableBody, "Every scorecard, in the order of people."),
        Annotated[ScoreRequest, _SCORE_BODY],
        score_work,
        "Score everyone with ``kpiscore.score_many``; the answer is ``ScoreTable.to_json()``.",
    )

    def explain_work(raw: bytes) -> Answer:
        data = read(ExplainRequest, raw)
        policy, table = score_table(data)
        with _at("subject"):
            card = table[data.subject]
        tree: JsonObject = {
            "subject": card.subject,
            "lang": data.lang,
            "text": card.explain(data.lang),
            "scorecard": card.to_dict(),
            "notices": _notices(table.notices),
        }
        return scored(tree, "ExplainBody", (policy,), len(data.people))

    explain = body_endpoint(
        "/explain",
        "explain",
        "One person's ledger, in Vietnamese or English",
        (ExplainBody, "The ledger as text, and the scorecard."),
        Annotated[ExplainRequest, _EXPLAIN_BODY],
        explain_work,
        "Score the population, then ``Scorecard.explain(lang)`` for ``subject``.",
    )

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
                unknown_kinds=data.unknown_kinds,
                duplicates=data.duplicates,
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
        tree = comparison.json_tree()
        # Both sides read the same events for the same period: what one left out, so did
        # the other (counted here as score_many counts it).
        start, end = comparison.period.start, comparison.period.end
        inside = [event for event in data.events if start <= event.on <= end]
        left_out = event_notices(
            len(data.events) - len(inside), sum(1 for event in inside if event.excused)
        )
        tree["notices"] = _notices(left_out)
        return scored(tree, "ComparisonBody", (base, variant), 2 * len(data.people))

    compare = body_endpoint(
        "/compare",
        "compare",
        "A population under a base policy and a variant, person by person",
        (ComparisonBody, "Both totals and ratings per person, the moves, a summary."),
        Annotated[CompareRequest, _COMPARE_BODY],
        compare_work,
        "``kpiscore.variants.compare(base, variant, …)``, answered with its ``to_json()``.",
    )

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
    def openapi_document(request: HttpRequest) -> Response[bytes]:
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
    bearer = SecurityScheme(
        type="http", scheme="bearer", description="A token given to the server with --token-file."
    )
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
        components=Components(security_schemes={"bearer": bearer}) if tokens else Components(),
        security=[{"bearer": []}] if tokens else None,
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
        cast("ASGIApp", app.asgi_handler),
        metrics=service.metrics,
        limits=limits,
        allowed_hosts=None if tokens else allowed_hosts,
        admit=lambda size: service.runner.admit(size, limits.timeout),
    )
    service.gate = gate
    app.asgi_handler = cast("LitestarApp", gate)
    app.state["kpiscore"] = service
    return app


def _notices(notices: tuple[Notice, ...]) -> list[JsonValue]:
    """The notices of an answer, as ``NoticeBody`` trees."""
    return [{"what": notice.what, "count": notice.count, "why": notice.why} for notice in notices]


def _type_name(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return "number"
    return names.get(type(value), type(value).__name__)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
