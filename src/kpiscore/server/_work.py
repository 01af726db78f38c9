"""Scoring off the event loop, stopped at a deadline or when the client goes away.

The work of a request (reading its body into library objects, scoring, writing the answer) runs
in a thread of a small pool, so the event loop stays free for health checks and other clients.
The scoring code is plain Python; when the deadline passes or the client disconnects, the
thread running it is interrupted by an exception raised inside it
(``PyThreadState_SetAsyncExc``), so the work really stops instead of finishing unseen.
"""

from __future__ import annotations

import asyncio
import ctypes
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, Generic, TypeVar

__all__ = ["ClientGone", "DeadlineExceeded", "Runner"]

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


class ClientGone(Exception):  # noqa: N818 - an outcome, not a bug
    """The client disconnected before the answer was ready; the work was stopped."""


class _Job(Generic[_T]):
    def __init__(self, function: Callable[[], _T], runner: Runner) -> None:
        self.function = function
        self.runner = runner
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
        try:
            return self.function()
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

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kpiscore-work")
        self._lock = threading.Lock()
        self._busy = 0
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

    async def run(
        self,
        function: Callable[[], _T],
        *,
        timeout: float,
        disconnected: Callable[[], Awaitable[None]],
    ) -> _T:
        """``function()`` in a worker thread; stopped past ``timeout`` seconds or when
        ``disconnected()`` completes.

        Raises:
            DeadlineExceeded: the deadline passed first.
            ClientGone: the client went away first.
        """
        loop = asyncio.get_running_loop()
        job = _Job(function, self)
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
