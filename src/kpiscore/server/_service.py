"""What the endpoints share: the :class:`Service` (policies, limits, metrics, worker pool), the
answer of a request's work, and the bearer-token guard.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable
from contextlib import suppress
from typing import Final

import attrs
from litestar import Response
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from kpiscore.exceptions import (
    KpiscoreError,
)
from kpiscore.server._limits import Limits
from kpiscore.server._openapi import _raw
from kpiscore.server._ops import Gate, Metrics, plain
from kpiscore.server._problems import JSON, _outcome
from kpiscore.server._registry import PolicyRegistry
from kpiscore.server._types import Connection, HttpRequest
from kpiscore.server._work import Runner

__all__ = ["Answer", "Service"]

logger = logging.getLogger("kpiscore.server")


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
        self, request: HttpRequest, data: object, work: Callable[[bytes], Answer]
    ) -> Response[bytes]:
        """Run ``work`` on the body in a worker thread, within the deadline; answer it."""
        raw = _raw(data)

        async def disconnected() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass  # pragma: no cover - nothing else comes once the body is read

        result = await self.runner.run(
            lambda: work(raw),
            timeout=self.limits.timeout,
            disconnected=disconnected,
            size=len(raw),
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
) -> Callable[[Connection, BaseRouteHandler], None]:
    expected = [token.encode() for token in tokens]

    def guard(connection: Connection, __: BaseRouteHandler) -> None:
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
