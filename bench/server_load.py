"""Load check of the HTTP service: scoring requests from concurrent clients on loopback.

Usage::

    python bench/server_load.py                       # 3,000 requests, 8 clients, 20 people each
    python bench/server_load.py --requests 500 --clients 4 --people 300
    python bench/server_load.py --url http://127.0.0.1:8000   # a server already running

Unless ``--url`` is given, the server is started in a subprocess (uvicorn, one worker, access
log off, the bundled policies) on a free loopback port, and stopped at the end. Each request is
a ``POST /score`` of a slice of the bundled sample workforce (``--people`` people with their
events and measures, Decree 335 staff policy, 2026-Q1); the slices are distinct, so requests
differ. Clients are threads, each with its own keep-alive connection, sending requests back to
back. Bounded: at most ``--requests`` requests and ``--seconds`` seconds, whichever comes first.

Every answer must be 200, and byte-identical to the first answer for the same body (the
service is deterministic under load). Prints requests per second and latency percentiles
(p50/p90/p99, max), measured client side from send to the last byte. Exit status 1 if any
request failed or differed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import httpx

from kpiscore import load_events, load_measures, load_people

POLICY = "vn-nd335-2025-staff"
PERIOD = "2026-Q1"


def bodies(people_per_request: int) -> list[bytes]:
    """Request bodies: the sample workforce cut into slices of ``people_per_request`` people."""
    folder = resources.files("kpiscore").joinpath("data/sample")
    with resources.as_file(folder) as path:
        people = load_people(path / "people.csv")
        events = load_events(path / "events.csv")
        measures = load_measures(path / "measures.csv")
    result = []
    for start in range(0, len(people), people_per_request):
        group = people[start : start + people_per_request]
        ids = {person.id for person in group}
        body = {
            "policy": POLICY,
            "period": PERIOD,
            "people": [
                {
                    key: getattr(person, key)
                    for key in ("id", "name", "unit", "group", "position")
                    if getattr(person, key) is not None
                }
                for person in group
            ],
            "events": [
                {
                    "subject": event.subject,
                    "kind": event.kind,
                    "on": event.on.isoformat(),
                    "quantity": str(event.quantity),
                    "excused": event.excused,
                }
                for event in events
                if event.subject in ids
            ],
            "measures": [
                {"subject": m.subject, "criterion": m.criterion, "value": str(m.value)}
                for m in measures
                if m.subject in ids
            ],
        }
        result.append(json.dumps(body, ensure_ascii=False).encode())
    return result


@contextmanager
def server() -> Iterator[str]:
    """A server in a subprocess on a free loopback port; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "import uvicorn; from kpiscore.server import create_app;"
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning',"
        " access_log=False, server_header=False, ws='none')"
    )
    process = subprocess.Popen([sys.executable, "-c", code], env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/policies", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def percentile(sorted_values: list[int], share: Fraction) -> int:
    """The nearest-rank percentile of sorted nanosecond latencies."""
    rank = max(1, -(-share * len(sorted_values) // 1))  # ceil, exact
    return sorted_values[int(rank) - 1]


def milliseconds(nanoseconds: int) -> str:
    return f"{Decimal(nanoseconds) / Decimal(1_000_000):.1f} ms"


def run(url: str, payloads: list[bytes], requests: int, clients: int, seconds: float) -> int:
    latencies: list[int] = []
    failures: list[str] = []
    first: dict[int, bytes] = {}
    lock = threading.Lock()
    counter = iter(range(requests))
    stop_at = time.monotonic() + seconds

    def client() -> None:
        headers = {"Content-Type": "application/json"}
        with httpx.Client(base_url=url, timeout=60) as http:
            while time.monotonic() < stop_at:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                which = index % len(payloads)
                start = time.perf_counter_ns()
                answer = http.post("/score", content=payloads[which], headers=headers)
                body = answer.content
                elapsed = time.perf_counter_ns() - start
                with lock:
                    latencies.append(elapsed)
                    if answer.status_code != 200:
                        failures.append(f"request {index}: {answer.status_code} {body[:200]!r}")
                    elif first.setdefault(which, body) != body:
                        failures.append(f"request {index}: a different answer for body {which}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter_ns()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter_ns() - began
    latencies.sort()
    done = len(latencies)
    rate = Decimal(done) * Decimal(1_000_000_000) / Decimal(wall)
    print(f"{done} requests, {clients} clients, {wall / 1e9:.1f} s: {rate:.0f} requests/s")
    p50, p90, p99 = (percentile(latencies, Fraction(n, 100)) for n in (50, 90, 99))
    print(
        f"latency p50 {milliseconds(p50)} · p90 {milliseconds(p90)} · p99 {milliseconds(p99)}"
        f" · max {milliseconds(latencies[-1])}"
    )
    for failure in failures[:10]:
        print(failure, file=sys.stderr)
    if failures:
        print(f"{len(failures)} requests failed or differed", file=sys.stderr)
        return 1
    print(f"every answer 200 and byte-identical per body ({len(first)} distinct bodies)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="at most this many (3000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--people", type=int, default=20, help="people per request (20)")
    parser.add_argument("--seconds", type=float, default=120, help="time limit (120 s)")
    parser.add_argument("--url", help="a server already running (default: start one)")
    args = parser.parse_args(argv)
    payloads = bodies(args.people)
    size = sum(map(len, payloads)) // len(payloads)
    print(
        f"POST /score: {args.people} people per request ({size:,} bytes), {len(payloads)}"
        f" distinct bodies, policy {POLICY}, period {PERIOD}"
    )
    if args.url:
        return run(args.url, payloads, args.requests, args.clients, args.seconds)
    with server() as url:
        return run(url, payloads, args.requests, args.clients, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
