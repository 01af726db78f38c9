"""Load check of the HTTP service: keep-alive scoring requests from concurrent clients on loopback.

Usage::

    python bench/server_load.py                     # the whole matrix, about three minutes
    python bench/server_load.py --workers 2 --clients 8 --people 1 --seconds 5
    python bench/server_load.py --stack serve uvicorn gunicorn granian hypercorn --people 1
    python bench/server_load.py --generator python  # the asyncio clients even if wrk is there
    python bench/server_load.py --url http://127.0.0.1:8000 --clients 8 --people 1

The matrix is every combination of ``--workers`` (1 and 2), ``--clients`` (1, 8 and 200) and
``--people`` per request (1 and 1,000), run back to back in one run so that the figures share
the machine's state. Each combination gets a fresh server in a subprocess on a free loopback
port, so work left over from one combination never slows the next. ``--stack`` names how the
server is started (:data:`STACKS`): ``serve`` is ``kpiscore serve --workers N``; ``uvicorn``,
``gunicorn`` (with uvicorn's worker), ``granian`` and ``hypercorn`` run
``kpiscore.server:create_app`` under those servers' own ``--workers`` (install them first, for
example in a separate venv). Several stacks are interleaved in one run, and each is compared
with the first. Each request is a ``POST /score`` of a slice of the bundled sample workforce
(Decree 335 staff policy, 2026-Q1; for 1,000 people the 300 sample people are repeated under
new ids); the slices differ, so requests differ.

The load: ``wrk`` (``apt-get install wrk``) when it is installed — C, one thread, so that the
load generator takes little of a small machine's CPU from the server — with a script that sends
the bodies in turn over keep-alive connections and, after a 503 with ``Retry-After``, waits
that long before the next request (wrk checks statuses only). Without wrk (or with
``--generator python``) the clients are asyncio connections in this process speaking HTTP/1.1
keep-alive directly; they share the cores with the server (the script says so), and check that
every answer is byte-identical to the first answer for the same body. Either way, each
combination runs ``--seconds`` seconds (``--large-seconds`` for 100 people or more per
request); the Python clients also stop after ``--requests`` requests.

Every answer must be 200 (or 503 with ``Retry-After`` when the server sheds load past its
concurrency limit, counted apart). Prints requests per second (200 answers only) and latency
percentiles per combination, then for each clients/people pair the ratio of 2 workers'
throughput to 1 worker's, measured in the same run (with ``--rounds N`` the whole matrix is run
N times and the best rate of each combination is kept, which filters out the moments another
program took the CPU). Exit status 1 if any answer failed or differed. The machine may be
shared: the figures are noisy, the ratios less so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Final

from kpiscore import load_events, load_measures, load_people

POLICY = "vn-nd335-2025-staff"
PERIOD = "2026-Q1"


def bodies(people_per_request: int, count: int = 300) -> list[bytes]:
    """Request bodies: ``count`` distinct slices of ``people_per_request`` people each."""
    folder = resources.files("kpiscore").joinpath("data/sample")
    with resources.as_file(folder) as path:
        people = load_people(path / "people.csv")
        events = load_events(path / "events.csv")
        measures = load_measures(path / "measures.csv")
    by_subject_events: dict[str, list[Any]] = {}
    for event in events:
        by_subject_events.setdefault(event.subject, []).append(event)
    by_subject_measures: dict[str, list[Any]] = {}
    for measure in measures:
        by_subject_measures.setdefault(measure.subject, []).append(measure)
    result = []
    total = len(people)
    distinct = min(count, total // people_per_request) if people_per_request <= total else 3
    for number in range(distinct):
        body_people: list[dict[str, str]] = []
        body_events: list[dict[str, Any]] = []
        body_measures: list[dict[str, str]] = []
        for offset in range(people_per_request):
            index = number * people_per_request + offset
            person = people[index % total]
            copy = index // total
            new_id = person.id if copy == 0 else f"{person.id}-{copy}"
            entry = {
                key: getattr(person, key)
                for key in ("name", "unit", "group", "position")
                if getattr(person, key) is not None
            }
            body_people.append({"id": new_id, **entry})
            body_events.extend(
                {
                    "subject": new_id,
                    "kind": event.kind,
                    "on": event.on.isoformat(),
                    "quantity": str(event.quantity),
                    "excused": event.excused,
                }
                for event in by_subject_events.get(person.id, ())
            )
            body_measures.extend(
                {"subject": new_id, "criterion": m.criterion, "value": str(m.value)}
                for m in by_subject_measures.get(person.id, ())
            )
        body = {
            "policy": POLICY,
            "period": PERIOD,
            "people": body_people,
            "events": body_events,
            "measures": body_measures,
        }
        result.append(json.dumps(body, ensure_ascii=False).encode())
    return result


def tree_cpu(pid: int) -> int:
    """CPU time (user and system, in clock ticks) of a process and all its descendants now.

    Robust where throughput is not: other programs on a shared machine slow the server's wall
    clock, not the CPU each answer costs it.
    """
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += ticks.get(current, 0)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    request = b"GET /policies HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
                connection.sendall(request)
                if connection.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.1)


#: How each ``--stack`` starts N workers on a port (the application factory, no access log).
STACKS: dict[str, list[str]] = {
    "serve": [
        "-m", "kpiscore.server", "--host", "127.0.0.1", "--port", "{port}",
        "--workers", "{workers}",
    ],
    "uvicorn": [
        "-m", "uvicorn", "--factory", "kpiscore.server:create_app", "--host", "127.0.0.1",
        "--port", "{port}", "--workers", "{workers}", "--no-access-log", "--log-level",
        "warning", "--no-server-header",
    ],
    "gunicorn": [
        "-m", "gunicorn", "-k", "uvicorn.workers.UvicornWorker", "--workers", "{workers}",
        "--bind", "127.0.0.1:{port}", "--log-level", "warning", "kpiscore.server:create_app()",
    ],
    "granian": [
        "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
        "--port", "{port}", "--workers", "{workers}", "--log-level", "warning",
        "--no-ws", "kpiscore.server:create_app",
    ],
    "hypercorn": [
        "-m", "hypercorn", "--workers", "{workers}", "--bind", "127.0.0.1:{port}",
        "--log-level", "warning", "kpiscore.server:create_app()",
    ],
}  # fmt: skip


@contextmanager
def server(stack: str, workers: int) -> Iterator[tuple[int, int | None]]:
    """A server in a subprocess on a free loopback port; yields the port and its process id."""
    port = free_port()
    command = [sys.executable] + [part.format(port=port, workers=workers) for part in STACKS[stack]]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_ready(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)  # the stack's own group: its master and its workers
            process.wait(5)


@dataclass
class Tally:
    latencies: list[int] = field(default_factory=list)
    shed: int = 0
    failures: list[str] = field(default_factory=list)
    first: dict[int, bytes] = field(default_factory=dict)


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    if b"content-length" not in headers:
        raise ValueError("an answer without Content-Length")
    body = await reader.readexactly(int(headers[b"content-length"]))
    return status, headers, body


async def client(
    port: int, payloads: list[bytes], counter: Iterator[int], stop_at: float, tally: Tally
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            index = next(counter, None)
            if index is None:
                return
            which = index % len(payloads)
            payload = payloads[which]
            start = time.perf_counter_ns()
            writer.write(
                b"POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )
            try:
                status, headers, body = await asyncio.wait_for(
                    read_answer(reader), timeout=max(0.01, stop_at - time.monotonic())
                )
            except TimeoutError:
                return  # abandoned at the end of the run
            elapsed = time.perf_counter_ns() - start
            if status == 503 and b"retry-after" in headers:
                tally.shed += 1  # shed past the server's limit: retry when it says, as clients do
                if headers.get(b"connection") == b"close":
                    return
                await asyncio.sleep(int(headers[b"retry-after"]))
                continue
            if status != 200:
                tally.failures.append(f"request {index}: {status} {body[:200]!r}")
                return
            tally.latencies.append(elapsed)
            if tally.first.setdefault(which, body) != body:
                tally.failures.append(f"request {index}: a different answer for body {which}")
    except (ConnectionError, asyncio.IncompleteReadError) as error:
        tally.failures.append(f"connection: {error!r}")
    finally:
        writer.close()


async def drive(
    port: int, payloads: list[bytes], requests: int, clients: int, seconds: float
) -> tuple[Tally, int]:
    tally = Tally()
    counter = iter(range(requests))
    stop_at = time.monotonic() + seconds
    began = time.perf_counter_ns()
    await asyncio.gather(*(client(port, payloads, counter, stop_at, tally) for _ in range(clients)))
    return tally, time.perf_counter_ns() - began


def percentile(sorted_values: list[int], share: Fraction) -> int:
    """The nearest-rank percentile of sorted nanosecond latencies."""
    rank = max(1, -(-share * len(sorted_values) // 1))  # ceil, exact
    return sorted_values[int(rank) - 1]


def ms(nanoseconds: int) -> str:
    return f"{Decimal(nanoseconds) / Decimal(1_000_000):.1f}"


def measure(  # noqa: PLR0917 - a script's helper
    port: int, payloads: list[bytes], requests: int, clients: int, seconds: float, label: str
) -> tuple[Decimal, bool, int]:
    """The rate, whether every answer was right, and how many requests were answered."""
    tally, wall = asyncio.run(drive(port, payloads, requests, clients, seconds))
    latencies = sorted(tally.latencies)
    done = len(latencies)
    rate = Decimal(done) * Decimal(1_000_000_000) / Decimal(wall)
    if latencies:
        p50, p99 = (percentile(latencies, Fraction(n, 100)) for n in (50, 99))
        spread = f"p50 {ms(p50):>7} ms  p99 {ms(p99):>7} ms"
    else:
        spread = "no answer in time"
    shed = f"  ({tally.shed} shed with 503)" if tally.shed else ""
    print(f"{label}  {done:>6} ok  {rate:>8.1f} req/s  {spread}{shed}", end="", flush=True)
    for failure in tally.failures[:5]:
        print(f"\n    {failure}", file=sys.stderr)
    return rate, not tally.failures, done + tally.shed


#: wrk's script: the bodies in turn, a 503 with Retry-After makes the next request wait that
#: long (as the Python clients do), and one JSON line of totals at the end.
WRK_SCRIPT = """
local paths = {%s}
local prepared = {}
count, shed, pending, retry = 0, 0, 0, 1
function init(args)
  for i, path in ipairs(paths) do
    local file = assert(io.open(path, "rb"))
    prepared[i] = wrk.format("POST", "/score", {["Content-Type"] = "application/json"},
                             file:read("*a"))
    file:close()
  end
end
function request()
  count = count + 1
  return prepared[(count - 1) %% #prepared + 1]
end
function response(status, headers, body)
  if status ~= 503 then return end
  for name, value in pairs(headers) do
    if string.lower(name) == "retry-after" then
      shed = shed + 1
      pending = pending + 1
      retry = tonumber(value) or 1
    end
  end
end
function delay()
  if pending > 0 then pending = pending - 1; return retry * 1000 end
  return 0
end
threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local total_shed = 0
  for _, thread in ipairs(threads) do total_shed = total_shed + thread:get("shed") end
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %%d, "duration_us": %%d, "status": %%d, "shed": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, '
    .. '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.status, total_shed, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def measure_wrk(  # noqa: PLR0917 - a script's helper
    port: int, payloads: list[bytes], clients: int, seconds: float, label: str, wrk: str
) -> tuple[Decimal, bool, int]:
    """The same load from ``wrk`` (C, one thread: it leaves the cores to the server).

    wrk checks statuses, not bytes: the Python generator (``--generator python``) also checks
    that every answer to the same body is the same. Latencies here include shed answers.
    """
    with tempfile.TemporaryDirectory(prefix="kpiscore-wrk-") as folder:
        paths = []
        for number, payload in enumerate(payloads):
            path = Path(folder) / f"body{number}.json"
            path.write_bytes(payload)
            paths.append(json.dumps(str(path)))
        script = Path(folder) / "score.lua"
        script.write_text(WRK_SCRIPT % ", ".join(paths), encoding="utf-8")
        command = [
            wrk, "-t1", f"-c{clients}", f"-d{seconds:g}s", f"--timeout={seconds + 5:g}s",
            "-s", str(script), f"http://127.0.0.1:{port}/score",
        ]  # fmt: skip
        ran = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in ran.stdout.splitlines() if x.startswith("RESULT ")), None)
    if ran.returncode or line is None:
        print(f"{label}  wrk failed: {ran.stderr.strip() or ran.stdout.strip()}", end="")
        return Decimal(0), False, 0
    totals: dict[str, int] = json.loads(line.removeprefix("RESULT "))
    done = totals["requests"] - totals["status"]
    rate = Decimal(done) * Decimal(1_000_000) / Decimal(max(1, totals["duration_us"]))
    spread = f"p50 {ms(totals['p50_us'] * 1000):>7} ms  p99 {ms(totals['p99_us'] * 1000):>7} ms"
    shed = f"  ({totals['shed']} shed with 503)" if totals["shed"] else ""
    print(f"{label}  {done:>6} ok  {rate:>8.1f} req/s  {spread}{shed}", end="", flush=True)
    failed = totals["status"] - totals["shed"]
    broken = sum(totals[kind] for kind in ("connect", "read", "write"))
    if failed or broken:
        print(f"\n    {failed} answers not 200, {broken} socket errors", file=sys.stderr)
    return rate, not (failed or broken), totals["requests"]


def one_combination(  # noqa: PLR0917 - a script's helper
    args: argparse.Namespace, wrk: str | None, stack: str, workers: int, clients: int, people: int
) -> tuple[Decimal, bool]:
    """One combination's rate and whether every answer was right, on a fresh server."""
    label = f"{stack:<9}  workers {workers}  clients {clients:>3}  people {people:>4}"
    seconds = args.large_seconds if people >= 100 else args.seconds
    payloads = PAYLOADS[people]
    with (
        nullcontext((int(args.url.rsplit(":", 1)[1].strip("/")), None))
        if args.url
        else server(stack, workers)
    ) as (port, pid):
        before = tree_cpu(pid) if pid else 0
        if wrk:
            rate, fine, answered = measure_wrk(port, payloads, clients, seconds, label, wrk)
        else:
            rate, fine, answered = measure(port, payloads, args.requests, clients, seconds, label)
        if pid and answered:
            cpu = Decimal(tree_cpu(pid) - before) * 1000 / TICKS / answered
            print(f"  cpu {cpu:>6.2f} ms/answer", end="")
        print(flush=True)
    return rate, fine


#: Clock ticks a second (CPU times in /proc are counted in them).
TICKS: Final = os.sysconf("SC_CLK_TCK")


def report_ratios(
    args: argparse.Namespace, stacks: list[str], rates: dict[tuple[str, int, int, int], Decimal]
) -> None:
    """Print 2 workers' rate over 1 worker's per stack, and each stack's over the first's."""

    def ratio(many: Decimal, one: Decimal) -> str:
        return f"{many / one:.2f}x" if one else "n/a"

    for people in args.people:
        for clients in args.clients:
            where = f"clients {clients:>3}, people {people:>4}"
            for stack in stacks:
                for workers in (w for w in args.workers if w != 1 and 1 in args.workers):
                    many, one = (
                        rates[stack, workers, clients, people],
                        rates[stack, 1, clients, people],
                    )
                    print(f"{stack:<9} {workers} workers / 1 worker, {where}: {ratio(many, one)}")
            for stack in stacks[1:]:
                for workers in args.workers:
                    them, first = (
                        rates[stack, workers, clients, people],
                        rates[stacks[0], workers, clients, people],
                    )
                    print(
                        f"{stack:<9} / {stacks[0]}, {workers} worker(s), {where}:"
                        f" {ratio(them, first)}"
                    )


#: The request bodies by people per request (filled by :func:`main`).
PAYLOADS: dict[int, list[bytes]] = {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 200])
    parser.add_argument("--people", type=int, nargs="+", default=[1, 1000])
    parser.add_argument("--seconds", type=float, default=5, help="per combination (5 s)")
    parser.add_argument(
        "--large-seconds",
        type=float,
        default=15,
        help="per combination of 100 people or more per request (15 s)",
    )
    parser.add_argument("--requests", type=int, default=100_000, help="per combination")
    parser.add_argument(
        "--stack",
        choices=sorted(STACKS),
        nargs="+",
        default=["serve"],
        help="one or more; several are interleaved in one run, compared with the first",
    )
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="the load: wrk when installed (auto), else asyncio clients in this process",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the matrix N times, interleaved; keep the best"
    )
    parser.add_argument("--url", help="a server already running (http://127.0.0.1:PORT)")
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk") if args.generator != "python" else None
    if args.generator == "wrk" and wrk is None:
        parser.error("--generator wrk: wrk is not installed (apt-get install wrk)")
    PAYLOADS.update({people: bodies(people) for people in args.people})
    for people, found in PAYLOADS.items():
        size = sum(map(len, found)) // len(found)
        print(f"{people} people per request: {len(found)} distinct bodies of ~{size:,} bytes")
    load = (
        f"wrk ({wrk}), one thread"
        if wrk
        else "asyncio clients in this process (wrk not found: they share the cores)"
    )
    print(
        f"stack {' '.join(args.stack)}, {os.cpu_count()} cores, {args.seconds:g} s per combination"
    )
    print(f"load generator: {load}")
    rates: dict[tuple[str, int, int, int], Decimal] = {}
    stacks = ["url"] if args.url else args.stack
    ok = True
    for round_number in range(args.rounds):
        if args.rounds > 1:
            print(f"round {round_number + 1} of {args.rounds}")
        for people in args.people:
            for clients in args.clients:
                for stack in stacks:
                    for workers in [0] if args.url else args.workers:
                        rate, fine = one_combination(args, wrk, stack, workers, clients, people)
                        key = (stack, workers, clients, people)
                        rates[key] = max(rate, rates.get(key, Decimal(0)))
                        ok = ok and fine
    if not args.url:
        report_ratios(args, stacks, rates)
    if not ok:
        print("some requests failed or differed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
