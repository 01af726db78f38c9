"""Running the service: listening sockets, worker processes, slow clients, signals.

``kpiscore serve --workers N`` runs N worker processes, each a uvicorn server over the same
application (built once, in the parent, before the workers are forked: the policies are read
and checked once, and a bad one stops the start before anything listens). The parent opens one
listening socket per worker on the same port with ``SO_REUSEPORT``, so the kernel spreads new
connections evenly across the workers — with one shared socket, the first worker to wake
accepts a whole burst of keep-alive connections and keeps them. Sockets are created with their
protocol set, so every accepted connection gets ``TCP_NODELAY`` (uvicorn's own ``--workers``
loses it, and each keep-alive answer then waits some 40 ms for a delayed ACK).

The parent restarts a worker that dies, forwards ``SIGHUP`` (reload the policies) to every
worker, and on ``SIGTERM``/``SIGINT`` stops them gracefully.

Slow clients: a connection that has not sent a request's headers within ``--body-timeout``
seconds is closed (uvicorn has no such timeout of its own); the body's deadline is the gate's
(:mod:`kpiscore.server._ops`).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from types import FrameType
from typing import TYPE_CHECKING, Any

from kpiscore.model.jsontypes import JsonObject

if TYPE_CHECKING:
    import asyncio

    from litestar import Litestar
    from uvicorn import Config

__all__ = ["LOG_CONFIG", "default_workers", "run"]

logger = logging.getLogger("kpiscore.server")

#: Logging: JSON lines on standard error, for the access log and everything else.
LOG_CONFIG: JsonObject = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kpiscore.server._ops.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "kpiscore": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.error": {"level": "WARNING"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def default_workers() -> int:
    """The number of cores this process may run on (``--workers``'s default).

    >>> default_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _listener(  # pragma: no cover - in the server's own processes (subprocesses in tests)
    host: str, port: int, *, reuse_port: bool
) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol is given, so that asyncio sets TCP_NODELAY on every accepted connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        from kpiscore.server import ServerError

        raise ServerError(
            f"--host {host!r} --port {port}: cannot listen ({error.strerror})"
        ) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _protocol_base() -> type:
    """uvicorn's fastest HTTP/1.1 protocol here: httptools' parser (C) when it is installed
    (``pip install httptools``, as ``uvicorn[standard]`` does), else h11 (pure Python)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - depends on what is installed
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


def _protocol(header_timeout: float) -> type:
    """uvicorn's HTTP/1.1 protocol, closing connections that are slow to send their headers."""
    base: Any = _protocol_base()

    class Protocol(base):  # type: ignore[misc]  # uvicorn's protocol classes are not typed here
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()  # no request yet: nothing to answer

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
                self._arm()  # the first bytes of the next request on a keep-alive connection
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # the headers are in: the gate's deadline takes over

        def on_response_complete(self) -> None:
            self._disarm()
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Protocol


def _config(  # pragma: no cover - in the server's own processes (subprocesses in tests)
    app: Litestar, *, header_timeout: float, max_connections: int
) -> Config:
    import uvicorn

    return uvicorn.Config(
        app,
        http=_protocol(header_timeout),
        log_config=LOG_CONFIG,
        access_log=False,  # the gate writes the access log, as JSON
        server_header=False,
        date_header=True,
        lifespan="on",
        ws="none",
        limit_concurrency=max_connections,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
    )


def run(  # pragma: no cover - in the server's own processes (subprocesses in tests)
    app_for_worker: Callable[[int], Litestar],
    *,
    host: str,
    port: int,
    workers: int,
    header_timeout: float,
    max_connections: int,
    on_reload: Callable[[int], None],
) -> None:
    """Serve until ``SIGTERM``/``SIGINT``: one process for one worker, else a parent and N.

    Args:
        app_for_worker: The ASGI application for worker ``i`` (called in that worker).
        on_reload: What ``SIGHUP`` does in worker ``i`` (reload the policies).
    """
    import uvicorn

    if workers == 1:
        sockets = [_listener(host, port, reuse_port=False)]
        _serve_worker(0, sockets[0], app_for_worker, header_timeout, max_connections, on_reload)
        return
    sockets = [_listener(host, port, reuse_port=True) for _ in range(workers)]
    if port == 0:  # pragma: no cover - every worker must listen on the same port
        raise ValueError("--workers > 1 needs a fixed --port")
    del uvicorn
    children: dict[int, int] = {}
    stopping = False

    def start(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            for other, sock in enumerate(sockets):
                if other != index:
                    sock.close()
            code = 0
            try:
                _serve_worker(
                    index, sockets[index], app_for_worker, header_timeout, max_connections,
                    on_reload,
                )  # fmt: skip
            except BaseException:
                logger.exception("kpiscore server: worker %d failed", index)
                code = 1
            finally:
                os._exit(code)
        children[pid] = index

    def forward(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        if signum != signal.SIGHUP:
            stopping = True
        for pid in list(children):
            with suppress(ProcessLookupError):  # died meanwhile
                os.kill(pid, signal.SIGTERM if signum != signal.SIGHUP else signal.SIGHUP)

    for index in range(workers):
        start(index)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    logger.info(
        "kpiscore server: %d workers on http://%s:%d", workers, host, port,
        extra={"fields": {"event": "start", "workers": workers, "host": host, "port": port}},
    )  # fmt: skip
    restarts: list[float] = []
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # pragma: no cover
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
            continue
        if pid not in children or stopping:
            children.pop(pid, None)
            continue
        index = children.pop(pid)
        now = time.monotonic()
        restarts = [moment for moment in restarts if now - moment < 60] + [now]
        logger.warning(
            "kpiscore server: worker %d exited (status %d); restarting it", index, status,
            extra={"fields": {"event": "worker-exit", "worker": index, "status": status}},
        )  # fmt: skip
        if len(restarts) > 10 * workers:
            logger.error("kpiscore server: workers keep dying; stopping")
            stopping = True
            forward(signal.SIGTERM, None)
            continue
        start(index)
    for sock in sockets:
        sock.close()
    sys.exit(0)


def _serve_worker(  # noqa: PLR0917  # pragma: no cover - in the server's own processes
    index: int,
    sock: socket.socket,
    app_for_worker: Callable[[int], Litestar],
    header_timeout: float,
    max_connections: int,
    on_reload: Callable[[int], None],
) -> None:
    import uvicorn

    app = app_for_worker(index)
    signal.signal(signal.SIGHUP, lambda *_: on_reload(index))
    server = uvicorn.Server(
        _config(app, header_timeout=header_timeout, max_connections=max_connections)
    )
    server.run(sockets=[sock])
