"""Scoring off the event loop, stopped at a deadline or when the client goes away.

The work of a request (reading its body into library objects, scoring, writing the answer) runs
in a thread of a small pool, so the event loop stays free for health checks and other clients.
The scoring code is plain Python; when the deadline passes or the client disconnects, the
thread running it is interrupted by an exception raised inside it
(``PyThreadState_SetAsyncExc``), so the work really stops instead of finishing unseen.

Past its deadline a request's work is wasted, so a request that could not be served in time is
refused at once instead of queued (:class:`Backlogged`, :meth:`Runner.admit`, asked by the gate
at the headers): the pool keeps a moving average of the CPU seconds a byte of request body has
cost (a cautious prior until a large body has been served), and refuses a request when the work
already admitted and not answered, with its own, would take longer than the deadline on one
core (the work holds the GIL: one process runs one job at a time, however many threads it has).
Without the refusal, many large requests at once are all admitted, share the core, and all miss
the deadline: at 200 clients sending 1,000 people each, one worker answered none in time.
"""

from __future__ import annotations

import asyncio
import ctypes
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, Generic, TypeVar

__all__ = ["Backlogged", "ClientGone", "DeadlineExceeded", "Runner"]

_T = TypeVar("_T")

_SET_ASYNC_EXC: Final = ctypes.pythonapi.PyThreadState_SetAsyncExc
_SET_ASYNC_EXC.argtypes = (ctypes.c_ulong, ctypes.py_object)
_SET_ASYNC_EXC.restype = ctypes.c_int


class _Stop(BaseException):
    """Raised inside a worker thread to stop its work (a BaseException: never caught as an
    ordinary error by the code it interrupts)."""


def _quiet(
    hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], object]:
    def unraisable(report: sys.UnraisableHookArgs) -> object:
        if isinstance(report.exc_value, _Stop):
            return None  # an interruption that landed in a finalizer: it is tried again
        return hook(report)

    return unraisable


class DeadlineExceeded(Exception):  # noqa: N818 - an outcome, not a bug
    """The request's work took longer than ``--timeout``; it was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request took longer than {seconds:g} s and was stopped")
        self.seconds = seconds


class Backlogged(Exception):  # noqa: N818 - an outcome, not a bug
    """The work admitted already, with this request's, would take longer than the deadline:
    the request is refused before any of its work is done (``retry_after``: whole seconds)."""

    def __init__(self, seconds: float, timeout: float) -> None:
        super().__init__(
            f"the requests this worker is serving would take about {seconds:.0f} s with this"
            f" one, more than --timeout ({timeout:g} s)"
        )
        self.seconds = seconds
        self.retry_after = max(1, min(math.ceil(seconds - timeout), math.ceil(timeout)))


class ClientGone(Exception):  # noqa: N818 - an outcome, not a bug
    """The client disconnected before the answer was ready; the work was stopped."""


class _Job(Generic[_T]):
    def __init__(self, function: Callable[[], _T], runner: Runner, size: int = 0) -> None:
        self.function = function
        self.runner = runner
        self.size = size
        self.lock = threading.Lock()
        self.ident: int | None = None
        self.cancelled = False
        self.done = False

    def run(self) -> _T:
        with self.lock:
            if self.cancelled:
                raise _Stop
            self.ident = threading.get_ident()
            self.runner._started(1)
        begun = self.runner.cpu_clock()
        try:
            result = self.function()
            self.runner._measured(self.size, self.runner.cpu_clock() - begun)
            return result
        finally:
            self.runner._started(-1)
            with self.lock:
                self.done = True
                if self.cancelled and self.ident is not None:
                    # An interruption asked for after the work ended must not hit the next job.
                    _SET_ASYNC_EXC(self.ident, None)

    def cancel(self) -> bool:
        """Stop the job (again, if an earlier interruption was swallowed); whether it still
        runs."""
        with self.lock:
            if self.done:
                return False
            self.cancelled = True
            if self.ident is not None:
                _SET_ASYNC_EXC(self.ident, _Stop)
            return True


#: Seconds a request's work may take before its client is watched for a disconnection.
_QUICK: Final = 0.05

#: Bodies this large or larger teach the pool what a byte costs (a small body's cost is mostly
#: the fixed cost of a request, which would make a large body look dearer than it is).
_MEASURED_FROM: Final = 16 * 1024

#: The weight of the newest job in the moving average of the cost of a byte.
_NEWEST: Final = 0.25

#: The cost of a byte assumed until a large body has been measured: a little more than a
#: scoring body costs on this project's 2-core benchmark machine (1.3-1.6 µs), so that a burst
#: of large requests at start is not all admitted before the first one has finished.
_PRIOR: Final = 2e-6


class Runner:
    """A pool of worker threads running request work with a deadline.

    >>> import asyncio
    >>> runner = Runner(threads=1)
    >>> async def never() -> None:
    ...     await asyncio.Event().wait()
    >>> asyncio.run(runner.run(lambda: 6 * 7, timeout=5, disconnected=never))
    42
    >>> runner.close()
    """

    def __init__(self, threads: int, cpu_clock: Callable[[], float] = time.thread_time) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kpiscore-work")
        self._lock = threading.Lock()
        self._busy = 0
        #: The CPU time of the calling thread (a job measures its own work with it).
        self.cpu_clock = cpu_clock
        self._per_byte = _PRIOR  # CPU seconds per body byte (moving average)
        self._learned = False  # whether _per_byte was measured (else it is the prior)
        self._pending = 0  # body bytes of the requests admitted and not answered
        if not getattr(sys.unraisablehook, "_kpiscore", False):
            hook = _quiet(sys.unraisablehook)
            hook._kpiscore = True  # type: ignore[attr-defined]
            sys.unraisablehook = hook

    @property
    def busy(self) -> int:
        """How many jobs are running now (a stopped job no longer counts)."""
        return self._busy

    def _started(self, change: int) -> None:
        with self._lock:
            self._busy += change

    def _measured(self, size: int, seconds: float) -> None:
        if size < _MEASURED_FROM:
            return
        cost = seconds / size
        with self._lock:
            old = self._per_byte
            self._per_byte = old + _NEWEST * (cost - old) if self._learned else cost
            self._learned = True

    @property
    def backlog(self) -> float:
        """Estimated CPU seconds of the work admitted (:meth:`admit`) and not released."""
        return self._pending * self._per_byte

    def admit(self, size: int, timeout: float) -> Callable[[], None]:
        """Reserve the work of a request of ``size`` body bytes, or refuse it if it could not
        finish within ``timeout`` behind the work reserved already (a request alone is always
        admitted); call the function returned once the request is answered.

        The gate reserves at the headers, from ``Content-Length``, before the body is read:
        a burst of large requests is refused at once instead of all being read together.

        Raises:
            Backlogged: the request could not be served in time (nothing of it was done).
        """
        if self._pending:
            seconds = (self._pending + size) * self._per_byte
            if seconds > timeout:
                raise Backlogged(seconds, timeout)
        self._pending += size
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._pending -= size

        return release

    async def run(
        self,
        function: Callable[[], _T],
        *,
        timeout: float,
        disconnected: Callable[[], Awaitable[None]],
        size: int = 0,
    ) -> _T:
        """``function()`` in a worker thread; stopped past ``timeout`` seconds or when
        ``disconnected()`` completes. ``size`` is the request body's length in bytes: its
        CPU time per byte is what :meth:`admit` learns from.

        Raises:
            DeadlineExceeded: the deadline passed first.
            ClientGone: the client went away first.
        """
        loop = asyncio.get_running_loop()
        job = _Job(function, self, size)
        future = loop.run_in_executor(self._pool, job.run)
        started = loop.time()
        # Most requests are done within a few milliseconds: wait for those alone, and watch
        # for a disconnection only once the work takes longer (a watcher costs a task).
        woken = loop.create_future()

        def wake(_: object = None) -> None:
            if not woken.done():
                woken.set_result(None)

        future.add_done_callback(wake)
        timer = loop.call_later(min(timeout, _QUICK), wake)
        try:
            await woken
        except asyncio.CancelledError:
            job.cancel()
            raise
        finally:
            timer.cancel()
        if future.done():
            return self._result(future, timeout)
        watcher = asyncio.ensure_future(disconnected())
        waiting: set[asyncio.Future[_T] | asyncio.Future[None]] = {future, watcher}
        try:
            done, _ = await asyncio.wait(
                waiting,
                timeout=max(0.0, timeout - (loop.time() - started)),
                return_when=asyncio.FIRST_COMPLETED,
            )
        except asyncio.CancelledError:
            job.cancel()
            raise
        finally:
            watcher.cancel()
        if future in done:
            return self._result(future, timeout)
        _keep_stopping(loop, job)
        future.add_done_callback(_consume)
        if watcher in done:
            raise ClientGone
        raise DeadlineExceeded(timeout)

    @staticmethod
    def _result(future: asyncio.Future[_T], timeout: float) -> _T:
        try:
            return future.result()
        except _Stop:  # pragma: no cover - only a cancelled job raises it
            raise DeadlineExceeded(timeout) from None

    def close(self) -> None:
        """Stop the pool's threads once their work is done."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _keep_stopping(loop: asyncio.AbstractEventLoop, job: _Job[_T], tries: int = 200) -> None:
    """Interrupt the job, and again every 50 ms until it has stopped: an exception raised
    while the thread runs a finalizer (garbage collection) is swallowed by Python."""
    if job.cancel() and tries > 0:
        loop.call_later(0.05, _keep_stopping, loop, job, tries - 1)


def _consume(future: asyncio.Future[_T]) -> None:
    """Retrieve a stopped job's outcome, so that asyncio does not log it as unhandled."""
    if not future.cancelled():
        future.exception()
