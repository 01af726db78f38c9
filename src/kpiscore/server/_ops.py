"""The operational surface around the application: request ids, JSON access logs, metrics,
host and URL checks, the in-flight limit and reading bodies with a deadline.

:class:`Gate` is plain ASGI middleware wrapped around the Litestar application, so that every
request is counted and logged — refused ones, aborted ones and those the client gave up on
included — and so that a body is read (with its size limit and its deadline) before the
application sees it.

This module stays whole (about 650 lines): the gate, the metrics and the problem answers see
every request together (a refusal is counted, logged and answered in one place), and splitting
them would pass each request's state between modules.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import time
import uuid
from array import array
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, MutableSequence
from multiprocessing.sharedctypes import RawArray
from typing import TYPE_CHECKING, Any, Final, NotRequired, TypedDict, Unpack

from kpiscore import __version__
from kpiscore.server._responses import ProblemEntryBody
from kpiscore.server._work import Backlogged

if TYPE_CHECKING:
    from kpiscore.server._limits import Limits

__all__ = [
    "PROBLEM_TYPES",
    "REQUEST_ID",
    "Gate",
    "JsonFormatter",
    "Metrics",
    "problem_bytes",
    "problem_type",
]

# ASGI's scope and messages are open dicts whose keys depend on their "type" (the spec gives
# no closed shape to check against): the gate reads the few keys it needs.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The request id of the request being served (for problem bodies and log lines).
REQUEST_ID: Final[contextvars.ContextVar[str | None]] = contextvars.ContextVar(
    "kpiscore_request_id", default=None
)

access_logger = logging.getLogger("kpiscore.access")

_GOOD_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECRET_KEY: Final = re.compile(r"token|key|auth|bearer|secret|passw", re.IGNORECASE)

#: Every problem ``type`` the server answers with, by kind; documented in ``docs/errors.md``.
PROBLEM_TYPES: Final = {
    kind: f"urn:kpiscore:problem:{kind}"
    for kind in (
        "bad-request",
        "unauthorized",
        "forbidden",
        "not-found",
        "unknown-policy",
        "method-not-allowed",
        "request-timeout",
        "body-too-large",
        "unsupported-media-type",
        "invalid-input",
        "unknown-kind",
        "duplicate-event",
        "limit-exceeded",
        "host-not-allowed",
        "token-in-url",
        "overloaded",
        "deadline-exceeded",
        "reload-failed",
        "internal-error",
    )
}

#: The title of each kind of problem, in English and in Vietnamese (``Accept-Language: vi``).
KIND_TITLES: Final[dict[str, tuple[str, str]]] = {
    "bad-request": ("Bad request", "Yêu cầu không hợp lệ"),
    "unauthorized": ("A bearer token is needed", "Cần mã truy cập (bearer token)"),
    "forbidden": ("Not allowed", "Không được phép"),
    "not-found": ("Not found", "Không tìm thấy"),
    "unknown-policy": ("Unknown policy", "Không có bộ tiêu chí này"),
    "method-not-allowed": ("Method not allowed", "Phương thức không được hỗ trợ"),
    "request-timeout": ("Request not received in time", "Không nhận đủ yêu cầu kịp thời hạn"),
    "body-too-large": ("Request body too large", "Nội dung yêu cầu quá lớn"),
    "unsupported-media-type": ("Not JSON", "Nội dung không phải JSON"),
    "invalid-input": ("Invalid input", "Dữ liệu đầu vào không hợp lệ"),
    "unknown-kind": ("Unknown event kind", "Loại sự kiện không có trong bộ tiêu chí"),
    "duplicate-event": ("Duplicate event", "Sự kiện bị trùng lặp"),
    "limit-exceeded": ("Over a limit of the server", "Vượt giới hạn của máy chủ"),
    "host-not-allowed": ("Host not served", "Tên máy chủ (Host) không được phục vụ"),
    "token-in-url": ("Credential in the URL", "Không được gửi mã truy cập trong URL"),
    "overloaded": ("Server busy", "Máy chủ đang quá tải"),
    "deadline-exceeded": ("Request took too long", "Yêu cầu xử lý quá thời hạn"),
    "reload-failed": ("Reload refused", "Không nạp lại được các bộ tiêu chí"),
    "internal-error": ("Internal error", "Lỗi nội bộ của máy chủ"),
}

#: The languages of problem titles, the first the default.
LANGUAGES: Final = ("en", "vi")

#: The language of the request being served (from its ``Accept-Language``).
LANGUAGE: Final[contextvars.ContextVar[str]] = contextvars.ContextVar(
    "kpiscore_language", default="en"
)


def preferred_language(header: str) -> str:
    """The language of :data:`LANGUAGES` an ``Accept-Language`` header prefers (RFC 9110).

    Ranges are weighed by their ``q``; ``vi-VN`` asks for ``vi``; ``*``, nothing known or a
    header that cannot be read gives English.

    >>> preferred_language("vi-VN,vi;q=0.9,en;q=0.8"), preferred_language("en, vi;q=0.5")
    ('vi', 'en')
    >>> preferred_language(""), preferred_language("fr, *;q=0.1"), preferred_language("vi;q=x")
    ('en', 'en', 'en')
    """
    best, weight = LANGUAGES[0], 0.0
    for part in header.split(","):
        tag, _, parameters = part.partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if primary in LANGUAGES and q > weight:
            best, weight = primary, q
    return best


TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_KIND_BY_STATUS: Final = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "request-timeout",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    500: "internal-error",
    503: "overloaded",
}


def problem_type(status: int, kind: str | None = None) -> str:
    """The ``type`` URI of a problem: its kind's, or the status's default kind's.

    >>> problem_type(422), problem_type(503, "deadline-exceeded")
    ('urn:kpiscore:problem:invalid-input', 'urn:kpiscore:problem:deadline-exceeded')
    """
    return PROBLEM_TYPES[kind or _KIND_BY_STATUS.get(status, "internal-error")]


_REPR: Final = re.compile(r"Decimal\('([^']*)'\)")


def plain(text: str) -> str:
    """A message without Python reprs of decimals: ``Decimal('10')`` becomes ``10``.

    >>> plain("max_points: expected at most 100 (got Decimal('120'))")
    'max_points: expected at most 100 (got 120)'
    """
    return _REPR.sub(r"\1", text)


class Outcome(TypedDict):
    """The gate's record of one request, filled in by the handlers as it is served."""

    status: int
    bytes: int
    people: int
    why: NotRequired[str]
    gone: NotRequired[bool]


class ProblemFields(TypedDict, total=False):
    """The optional fields of a problem details body (each ``None`` when not given)."""

    kind: str | None
    path: str | None
    error: str | None
    errors: list[ProblemEntryBody] | None


def problem_bytes(status: int, detail: str, **fields: Unpack[ProblemFields]) -> bytes:
    """A problem details body (RFC 9457) as canonical JSON bytes."""
    from kpiscore.model.canonical import canonical_json

    kind = fields.get("kind") or _KIND_BY_STATUS.get(status, "internal-error")
    body = {
        "type": problem_type(status, kind),
        "title": KIND_TITLES[kind][LANGUAGES.index(LANGUAGE.get())],
        "status": status,
        "detail": plain(detail),
        "path": fields.get("path"),
        "error": fields.get("error"),
        "errors": fields.get("errors") or [],
        "request_id": REQUEST_ID.get(),
    }
    return canonical_json(body).encode()


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object a line (the access log's fields at the top level)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
            if REQUEST_ID.get() is not None:
                entry["request_id"] = REQUEST_ID.get()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- metrics

ROUTES: Final = (
    "/policies",
    "/policies/{policy_id}",
    "/validate",
    "/score",
    "/explain",
    "/compare",
    "/healthz",
    "/readyz",
    "/metrics",
    "/admin/reload",
    "/openapi.json",
    "/docs",
    "other",
)
STATUSES: Final = (200, 400, 401, 403, 404, 405, 408, 413, 415, 422, 499, 500, 503, 0)
BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_SCORING: Final = frozenset({"/validate", "/score", "/explain", "/compare"})


def route_of(path: str) -> str:
    """The metrics label of a request path.

    >>> route_of("/policies/x"), route_of("/score"), route_of("/docs/swagger"), route_of("/z")
    ('/policies/{policy_id}', '/score', '/docs', 'other')
    """
    if path in ROUTES:
        return path
    if path.startswith("/policies/") and path.count("/") == 2:
        return "/policies/{policy_id}"
    if path == "/docs" or path.startswith("/docs/"):
        return "/docs"
    return "other"


class Metrics:
    """Counters in memory shared by the worker processes (each writes its own slice; a scrape
    adds them up), in Prometheus's text format.

    >>> metrics = Metrics(workers=1)
    >>> metrics.observe("/score", 200, 0.003, people=2)
    >>> 'kpiscore_requests_total{route="/score",status="200"} 1' in metrics.render()
    True
    """

    def __init__(self, workers: int = 1) -> None:
        self._routes = {route: index for index, route in enumerate(ROUTES)}
        self._statuses = {status: index for index, status in enumerate(STATUSES)}
        self._requests = len(ROUTES) * len(STATUSES)
        self._histogram = len(ROUTES) * (len(BUCKETS) + 2)  # the buckets, the count, the sum
        self._size = self._requests + self._histogram + 3  # people, in flight, reloads
        self._workers = workers
        # Shared memory only when worker processes share it (forked after this).
        self._values: MutableSequence[int] = (
            RawArray("q", self._size * workers)
            if workers > 1
            else array("q", bytes(8 * self._size))
        )
        self._base = 0

    def bind(self, worker: int) -> None:
        """Write to this worker's slice from now on (called in each worker process)."""
        self._base = worker * self._size

    def observe(self, route: str, status: int, seconds: float, *, people: int = 0) -> None:
        values, base = self._values, self._base
        r = self._routes.get(route, self._routes["other"])
        s = self._statuses.get(status, self._statuses[0])
        values[base + r * len(STATUSES) + s] += 1
        h = base + self._requests + r * (len(BUCKETS) + 2)
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                values[h + index] += 1
        values[h + len(BUCKETS)] += 1
        values[h + len(BUCKETS) + 1] += int(seconds * 1_000_000)
        values[base + self._size - 3] += people

    def in_flight(self, change: int) -> None:
        self._values[self._base + self._size - 2] += change

    def reloaded(self) -> None:
        self._values[self._base + self._size - 1] += 1

    def _sum(self, offset: int) -> int:
        return sum(self._values[w * self._size + offset] for w in range(self._workers))

    def render(self) -> str:
        lines = [
            (
                "# HELP kpiscore_requests_total Requests answered, by route and status (499:"
                " the client went away)."
            ),
            "# TYPE kpiscore_requests_total counter",
        ]
        for route, r in self._routes.items():
            for status, s in self._statuses.items():
                count = self._sum(r * len(STATUSES) + s)
                if count:
                    label = status if status else "other"
                    lines.append(
                        f'kpiscore_requests_total{{route="{route}",status="{label}"}} {count}'
                    )
        lines += [
            "# HELP kpiscore_request_duration_seconds Time from the request's start to its answer.",
            "# TYPE kpiscore_request_duration_seconds histogram",
        ]
        for route, r in self._routes.items():
            h = self._requests + r * (len(BUCKETS) + 2)
            total = self._sum(h + len(BUCKETS))
            if not total:
                continue
            for index, bound in enumerate(BUCKETS):
                lines.append(
                    f'kpiscore_request_duration_seconds_bucket{{route="{route}",le="{bound}"}}'
                    f" {self._sum(h + index)}"
                )
            lines.append(
                f'kpiscore_request_duration_seconds_bucket{{route="{route}",le="+Inf"}} {total}'
            )
            micros = self._sum(h + len(BUCKETS) + 1)
            lines.append(
                f'kpiscore_request_duration_seconds_sum{{route="{route}"}}'
                f" {micros // 1_000_000}.{micros % 1_000_000:06d}"
            )
            lines.append(f'kpiscore_request_duration_seconds_count{{route="{route}"}} {total}')
        lines += [
            "# HELP kpiscore_people_scored_total People scored (each policy of /compare counts).",
            "# TYPE kpiscore_people_scored_total counter",
            f"kpiscore_people_scored_total {self._sum(self._size - 3)}",
            "# HELP kpiscore_requests_in_flight Requests being served now.",
            "# TYPE kpiscore_requests_in_flight gauge",
            f"kpiscore_requests_in_flight {self._sum(self._size - 2)}",
            "# HELP kpiscore_policy_reloads_total Successful policy reloads (all workers).",
            "# TYPE kpiscore_policy_reloads_total counter",
            f"kpiscore_policy_reloads_total {self._sum(self._size - 1)}",
            "# HELP kpiscore_build_info The kpiscore version serving.",
            "# TYPE kpiscore_build_info gauge",
            f'kpiscore_build_info{{version="{__version__}"}} 1',
        ]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the gate


class _Refused(Exception):  # noqa: N818 - a control-flow signal inside the gate
    def __init__(self, status: int, kind: str, detail: str, headers: Iterable[tuple[str, str]]):
        super().__init__(detail)
        self.status, self.kind, self.detail, self.headers = status, kind, detail, list(headers)


LOOPBACK_NAMES: Final = ("localhost", "127.0.0.1", "::1")


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Gate:
    """ASGI middleware: everything that happens to every request before and after the app.

    Args:
        app: The Litestar application.
        metrics: Where requests are counted.
        limits: The request limits (``max_body``, ``body_timeout``, ``max_in_flight``).
        allowed_hosts: Host names accepted in the ``Host`` header; ``None`` accepts any (a
            server with a token: the token is the check).
        worker: This process's worker number, for the logs.
        admit: Called with a scoring request's body size (its ``Content-Length``, before the
            body is read) to reserve its work; raises
            :class:`~kpiscore.server._work.Backlogged` to refuse it (503, unread); returns the
            function that releases the reservation once the request is answered.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        limits: Limits,
        allowed_hosts: tuple[str, ...] | None,
        worker: int = 0,
        admit: Callable[[int], Callable[[], None]] | None = None,
    ) -> None:
        self.app = app
        self.admit = admit
        self.metrics = metrics
        self.limits = limits
        self.allowed_hosts = (
            None if allowed_hosts is None else {_host_name(h) for h in allowed_hosts}
        )
        self.worker = worker
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        language = preferred_language(headers.get("accept-language", ""))
        language_token = LANGUAGE.set(language)
        path: str = scope["path"]
        route = route_of(path)
        outcome: Outcome = {"status": 0, "bytes": 0, "people": 0}
        scope.setdefault("state", {})["kpiscore_outcome"] = outcome
        extra = [
            (b"x-request-id", request_id.encode()),
            (b"x-kpiscore-version", __version__.encode()),
        ]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
                if message["status"] >= 400:  # a problem: its title is in the asked language
                    message["headers"] += [
                        (b"content-language", language.encode()),
                        (b"vary", b"accept-language"),
                    ]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        counted = route in _SCORING
        self.metrics.in_flight(1)
        try:
            self._check(scope, headers, counted)
            release = self._reserve(headers) if counted else None
            if counted:
                self.in_flight += 1
            try:
                if scope["method"] in ("POST", "PUT", "PATCH"):
                    receive = await self._read_body(headers, receive)
                await self.app(scope, receive, sending)
            finally:
                if counted:
                    self.in_flight -= 1
                if release is not None:
                    release()
        except _Refused as refused:
            body = problem_bytes(refused.status, refused.detail, kind=refused.kind)
            await sending(
                {
                    "type": "http.response.start",
                    "status": refused.status,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        *((k.encode(), v.encode()) for k, v in refused.headers),
                    ],
                }
            )
            await sending({"type": "http.response.body", "body": body})
        finally:
            self.metrics.in_flight(-1)
            seconds = time.perf_counter() - started
            status = outcome["status"] or 499
            if outcome.get("gone"):
                status = 499
            self.metrics.observe(route, status, seconds, people=outcome["people"])
            access_logger.info(
                "%s %s %s",
                scope["method"],
                path,
                status,
                extra={
                    "fields": {
                        "event": "request",
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": path,  # never the query string: it is never logged
                        "status": status,
                        "duration_us": int(seconds * 1_000_000),
                        "bytes": outcome["bytes"],
                        "people": outcome["people"],
                        "client": (scope.get("client") or ("", 0))[0],
                        "worker": self.worker,
                        **({"outcome": outcome["why"]} if "why" in outcome else {}),
                    }
                },
            )
            REQUEST_ID.reset(token)
            LANGUAGE.reset(language_token)

    def _check(self, scope: Scope, headers: dict[str, str], counted: bool) -> None:
        if self.allowed_hosts is not None:
            host = _host_name(headers.get("host", ""))
            if host not in self.allowed_hosts:
                raise _Refused(
                    400,
                    "host-not-allowed",
                    f"Host header {host!r} is not served; expected one of"
                    f" {sorted(self.allowed_hosts)!r} (--allowed-hosts)",
                    (),
                )
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            names = [part.split("=", 1)[0] for part in query.split("&")]
            if any(_SECRET_KEY.search(name) for name in names):
                raise _Refused(
                    400,
                    "token-in-url",
                    "a credential in the URL is never accepted (URLs end up in logs and"
                    " histories); send the header 'Authorization: Bearer <token>' instead",
                    (),
                )
        if counted and self.in_flight >= self.limits.max_in_flight:
            raise _Refused(
                503,
                "overloaded",
                f"the server is serving {self.limits.max_in_flight} requests already"
                " (--max-in-flight); retry after a second",
                (("retry-after", "1"),),
            )

    def _reserve(self, headers: dict[str, str]) -> Callable[[], None] | None:
        """Reserve a scoring request's work by its declared size, or refuse it (503)."""
        declared = headers.get("content-length", "")
        if self.admit is None or not declared.isdigit():
            return None
        try:
            return self.admit(int(declared))
        except Backlogged as error:
            raise _Refused(
                503,
                "overloaded",
                f"{error}; nothing of this request was done: retry later, or send fewer"
                " people per request",
                (("retry-after", str(error.retry_after)),),
            ) from None

    async def _drain(self, receive: Receive, size: int) -> None:
        deadline = time.monotonic() + self.limits.body_timeout
        read = 0
        while read < size:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                return
            if message["type"] != "http.request":
                return
            read += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> Receive:
        """The whole body, read within the limits; then a ``receive`` that replays it."""
        limit = self.limits.max_body
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            if int(declared) <= limit + _DRAIN:
                # Read (and drop) a body slightly too large, so that the client, still
                # sending it, gets the 413 instead of a reset connection.
                await self._drain(receive, int(declared))
            raise _Refused(
                413,
                "body-too-large",
                f"request body: {int(declared):,} bytes; expected at most {limit:,} (--max-body);"
                " send fewer people per request",
                (("connection", "close"),),
            )
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.limits.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                raise _Refused(
                    408,
                    "request-timeout",
                    f"request body: not received within {self.limits.body_timeout:g} s"
                    " (--body-timeout)",
                    (("connection", "close"),),
                ) from None
            if message["type"] == "http.disconnect":
                return _replay(b"", receive, gone=True)
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                raise _Refused(
                    413,
                    "body-too-large",
                    f"request body: more than {limit:,} bytes; expected at most {limit:,}"
                    " (--max-body); send fewer people per request",
                    (("connection", "close"),),
                )
            chunks.append(body)
            if not message.get("more_body", False):
                return _replay(b"".join(chunks), receive)


#: A body up to this much larger than ``--max-body`` is read and dropped before its 413.
_DRAIN: Final = 2**20


def _replay(body: bytes, receive: Receive, *, gone: bool = False) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if gone:
            return {"type": "http.disconnect"}
        return await receive()  # after the body: wait for the client to go away

    return replay
