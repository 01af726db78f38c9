"""The server's error answers: problem details bodies, the exception handlers, and the
context managers that place an error at the field of the body it is about.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final, Unpack, cast

from litestar import Response
from litestar.exceptions import HTTPException, ValidationException

from kpiscore.exceptions import (
    DuplicateEventError,
    KpiscoreError,
    MissingInputError,
    PeriodError,
    UnknownKindError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.model.canonical import canonical_json as _canonical_text
from kpiscore.model.facts import Measure
from kpiscore.model.jsontypes import JsonValue
from kpiscore.server._limits import LimitError
from kpiscore.server._ops import TITLES, Outcome, ProblemFields, plain, problem_bytes
from kpiscore.server._requests import (
    RequestError,
    flatten,
    relocate,
)
from kpiscore.server._responses import ProblemEntryBody
from kpiscore.server._types import HttpRequest
from kpiscore.server._work import ClientGone, DeadlineExceeded

__all__ = ["JSON", "PROBLEM_JSON", "canonical_json", "problem"]

logger = logging.getLogger("kpiscore.server")

JSON: Final = "application/json"
PROBLEM_JSON: Final = "application/problem+json"


def canonical_json(value: object) -> bytes:
    """JSON as the library writes it (keys sorted, UTF-8 text, no spaces), as bytes."""
    return _canonical_text(value).encode()


def _json(body: str | Mapping[str, JsonValue]) -> Response[bytes]:
    """A 200 answer: the library's JSON text as it is, or a tree written canonically."""
    content = body.encode() if isinstance(body, str) else canonical_json(body)
    return Response(content=content, media_type=JSON, status_code=200)


# --------------------------------------------------------------------------- problems


def _problem_entry(error: KpiscoreError) -> ProblemEntryBody:
    return {"detail": plain(str(error)), "path": error.path, "error": type(error).__name__}


def problem(
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **fields: Unpack[ProblemFields],
) -> Response[bytes]:
    """A problem details answer (RFC 9457), canonical JSON, with its kind's ``type`` URI."""
    content = problem_bytes(status, detail, **fields)
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
    if error.status == 422:
        # Every problem of one strict-facts kind: that kind's type (mixed: invalid-input).
        for cls, kind in (
            (UnknownKindError, "unknown-kind"),
            (DuplicateEventError, "duplicate-event"),
        ):
            if all(isinstance(p, cls) for p in error.problems):
                return kind
    return None


def _on_request_error(_: HttpRequest, error: RequestError) -> Response[bytes]:
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
    request: HttpRequest, error: KpiscoreError
) -> Response[bytes]:
    problems = flatten(error)
    return _on_request_error(request, RequestError(problems or [error]))


def _on_http_error(_: HttpRequest, error: HTTPException) -> Response[bytes]:
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


def _on_deadline(request: HttpRequest, error: DeadlineExceeded) -> Response[bytes]:
    _outcome(request)["why"] = "deadline"
    return problem(
        503,
        f"{error}; send fewer people per request, or start the server with a larger --timeout",
        kind="deadline-exceeded",
        headers={"Retry-After": "1"},
    )


def _on_client_gone(request: HttpRequest, _: ClientGone) -> Response[bytes]:
    outcome = _outcome(request)
    outcome["why"], outcome["gone"] = "client-gone", True
    return problem(503, "the client went away; the work was stopped", kind="overloaded")


def _on_unexpected(_: HttpRequest, error: Exception) -> Response[bytes]:
    # A bug, not bad input: say so without details, and log everything.
    logger.error("kpiscore server: unexpected error", exc_info=error)
    return problem(
        500, "internal error: the request could not be served; this is a bug in kpiscore"
    )


def _outcome(request: HttpRequest) -> Outcome:
    """The gate's record of this request (people scored, why it ended), or a scratch one."""
    state = request.scope.get("state") or {}
    found = state.get("kpiscore_outcome")
    scratch: Outcome = {"status": 0, "bytes": 0, "people": 0}
    return cast("Outcome", found) if isinstance(found, dict) else scratch


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
def _overlaying(changes: Mapping[str, JsonValue]) -> Iterator[None]:
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


@contextmanager
def _at_limits() -> Iterator[None]:
    try:
        yield
    except LimitError as error:
        raise RequestError([error]) from None
