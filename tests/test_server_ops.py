"""The service in production: limits, the deadline, slow clients, health, metrics, request ids,
logs, reload, auth rules, the host check, the docs page and the deploy files."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra is part of the test extra")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from kpiscore import dump_policy, policies  # noqa: E402 - after the skips
from kpiscore.model.policy import Policy  # noqa: E402
from kpiscore.server import (  # noqa: E402
    Limits,
    ServerError,
    create_app,
    read_tokens,
)
from kpiscore.server._openapi import EXAMPLE  # noqa: E402
from kpiscore.server._ops import PROBLEM_TYPES, JsonFormatter, Metrics  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-token-for-tests-0123456789"  # noqa: S105 - a token for tests only
OTHER = "another-s3cret-token-for-rotation-42"
UNIVERSITY = "university-kpi-example"
JSON = {"Content-Type": "application/json"}


def running_server(app: Any) -> tuple[str, Callable[[], None]]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    from kpiscore.server._run import _protocol

    config = uvicorn.Config(
        app,
        http=_protocol(app.state["kpiscore"].limits.body_timeout),
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        listener.close()

    return f"http://127.0.0.1:{port}", stop


class Served:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.url, self._stop = running_server(app)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    @property
    def service(self) -> Any:
        return self.app.state["kpiscore"]

    def post(self, path: str, body: object, **headers: str) -> httpx.Response:
        return self.http.post(path, content=json.dumps(body), headers={**JSON, **headers})

    def close(self) -> None:
        self.http.close()
        self._stop()


@pytest.fixture
def serve_app() -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: Any, **kwargs: Any) -> Served:
        served = Served(create_app(*args, **kwargs))
        started.append(served)
        return served

    yield start
    for served in started:
        served.close()


def people_body(count: int) -> dict[str, Any]:
    """A /score body of ``count`` people of the university policy (slow enough when large)."""
    ids = [f"p{index:05d}" for index in range(count)]
    return {
        "policy": UNIVERSITY,
        "period": "2026-Q1",
        "people": ids,
        "measures": [
            {"subject": person, "criterion": criterion, "value": value}
            for person in ids
            for criterion, value in (
                ("key_tasks", "1"),
                ("research", "0.9"),
                ("workload", "1"),
                ("collaboration", "5"),
            )
        ],
    }


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --------------------------------------------------------------------------- limits


class TestLimits:
    @pytest.mark.parametrize(
        ("limits", "body", "option"),
        [
            (Limits(max_people=1), EXAMPLE, "--max-people"),
            (Limits(max_facts=3), EXAMPLE, "--max-facts"),
            (
                Limits(max_overlay=1),
                {**EXAMPLE, "overlay": {"bands.HTT.min_points": "75", "bands.HT.min_points": "55"}},
                "--max-overlay",
            ),
            (
                Limits(max_policy_nodes=10),
                {**EXAMPLE, "policy": policies.load(UNIVERSITY).to_dict()},
                "--max-policy-nodes",
            ),
            (
                Limits(max_criteria=2),
                {**EXAMPLE, "policy": policies.load(UNIVERSITY).to_dict()},
                "--max-criteria",
            ),
            (
                Limits(max_rules=1),
                {**EXAMPLE, "policy": policies.load(UNIVERSITY).to_dict()},
                "--max-rules",
            ),
            (
                Limits(max_bands=2),
                {**EXAMPLE, "policy": policies.load(UNIVERSITY).to_dict()},
                "--max-bands",
            ),
            (Limits(max_lines=5), EXAMPLE, "--max-lines"),
            (Limits(max_answer=100), EXAMPLE, "--max-answer"),
        ],
        ids=lambda value: value if isinstance(value, str) else "",
    )
    def test_each_limit_is_a_problem_naming_its_option(
        self, serve_app: Callable[..., Served], limits: Limits, body: Any, option: str
    ) -> None:
        served = serve_app(limits=limits)
        answer = served.post("/score", body)
        problem = answer.json()
        assert (422, PROBLEM_TYPES["limit-exceeded"]) == (answer.status_code, problem["type"])
        assert option in problem["detail"]
        assert 200 == served.post("/score", EXAMPLE).status_code or option in (
            "--max-people",
            "--max-facts",
            "--max-lines",
            "--max-answer",
        )

    def test_the_defaults_serve_the_example(self, serve_app: Callable[..., Served]) -> None:
        assert 200 == serve_app().post("/score", EXAMPLE).status_code

    def test_a_body_over_the_limit_is_413_before_it_is_read(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app(max_body=1000)
        answer = served.post("/score", people_body(50))
        assert (413, PROBLEM_TYPES["body-too-large"]) == (
            answer.status_code,
            answer.json()["type"],
        )

    def test_a_bad_limit_is_refused(self) -> None:
        with pytest.raises(ValueError, match="max_people: expected a positive number"):
            Limits(max_people=0)


# --------------------------------------------------------------------------- deadline


class TestDeadline:
    # The interruption may land while the thread runs a garbage-collection finalizer, which
    # Python reports as unraisable and swallows; the runner interrupts again until the work has
    # stopped (asserted below through `busy`), so the report is expected noise here.
    @pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    def test_a_long_request_is_stopped_with_503_and_the_worker_stays_responsive(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app(limits=Limits(timeout=0.3))
        answer = served.post("/score", people_body(3000))
        assert (503, PROBLEM_TYPES["deadline-exceeded"], "1") == (
            answer.status_code,
            answer.json()["type"],
            answer.headers["retry-after"],
        )
        assert "--timeout" in answer.json()["detail"]
        assert 200 == served.http.get("/healthz").status_code
        # The scoring really stopped: no worker thread is still busy with it.
        assert wait_until(lambda: served.service.runner.busy == 0)
        assert 200 == served.post("/score", EXAMPLE).status_code

    @pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    def test_work_stops_when_the_client_goes_away(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app()
        body = json.dumps(people_body(4000)).encode()
        host, port = served.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(
                b"POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            assert wait_until(lambda: served.service.runner.busy == 1)
        assert wait_until(lambda: served.service.runner.busy == 0)
        metrics = served.http.get("/metrics").text
        assert wait_until(
            lambda: 'route="/score",status="499"' in served.http.get("/metrics").text
        ), metrics


class TestBacklog:
    def test_a_request_that_cannot_finish_in_time_behind_the_admitted_work_is_refused(
        self,
    ) -> None:
        import asyncio

        from kpiscore.server._work import Backlogged, Runner

        # A CPU clock the jobs advance themselves: the costs below are exact, not measured.
        now = [0.0]
        runner = Runner(threads=1, cpu_clock=lambda: now[0])
        unit = 131_072  # bytes; 2 CPU seconds each once measured (2**-16 s a byte, exact)

        def costing(seconds: float) -> Callable[[], float]:
            def work() -> float:
                now[0] += seconds
                return seconds

            return work

        async def measured() -> float:
            return await runner.run(
                costing(2.0), timeout=10, disconnected=asyncio.Event().wait, size=unit
            )

        try:
            # Before any large body has been measured, a byte is assumed to cost 2 µs.
            assert (0, 2e-6) == (runner.backlog, runner._per_byte)
            release_first = runner.admit(unit, timeout=10)  # alone: always admitted
            assert 2.0 == asyncio.run(measured())  # teaches the runner what a byte costs
            release_first()
            assert (0, 2**-16) == (runner.backlog, runner._per_byte)
            release_long = runner.admit(4 * unit, timeout=10)
            assert 8.0 == runner.backlog
            with pytest.raises(Backlogged) as refused:  # 8 + 4 = 12 s > 10 s
                runner.admit(2 * unit, timeout=10)
            assert (12.0, 2) == (refused.value.seconds, refused.value.retry_after)
            assert "--timeout (10 s)" in str(refused.value)
            assert 8.0 == runner.backlog  # the refused request reserved nothing
            release_small = runner.admit(1024, timeout=10)  # 8 s + 0.015625 s fits in 10 s
            release_long()
            release_long()  # a second release changes nothing
            assert 1024 * 2**-16 == runner.backlog
            release_small()
            assert 0 == runner.backlog
            # A small body teaches nothing: its cost is mostly a request's fixed cost.
            asyncio.run(runner.run(costing(1.0), timeout=10, disconnected=asyncio.Event().wait,
                                   size=1024))  # fmt: skip
            assert 2**-16 == runner._per_byte
        finally:
            runner.close()

    def test_a_backlogged_request_is_answered_503_before_its_body_is_read(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app()
        runner = served.service.runner
        # As if a large request were being scored: one second a byte, one byte reserved.
        runner._per_byte, runner._pending = 1.0, 1
        try:
            # Headers only: the answer comes though the body is never sent.
            host, port = served.url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=10) as connection:
                connection.sendall(
                    b"POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                )
                assert connection.recv(100).startswith(b"HTTP/1.1 503 ")
            answer = served.post("/score", EXAMPLE)
        finally:
            runner._pending = 0
        problem = answer.json()
        assert (503, PROBLEM_TYPES["overloaded"], "10") == (
            answer.status_code,
            problem["type"],
            answer.headers["retry-after"],
        )
        assert "nothing of this request was done" in problem["detail"]
        assert 200 == served.post("/score", EXAMPLE).status_code
        assert wait_until(lambda: runner.backlog == 0)  # each answered request released its work


# --------------------------------------------------------------------------- slow clients


class TestSlowClients:
    def test_headers_never_finished_close_the_connection(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app(limits=Limits(body_timeout=0.3))
        host, port = served.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            assert b"" == connection.recv(100)  # closed by the server, nothing answered

    def test_a_body_never_finished_is_408(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app(limits=Limits(body_timeout=0.3))
        host, port = served.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as connection:
            connection.sendall(
                b"POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"policy":'
            )
            answer = b""
            while chunk := connection.recv(4000):  # until the server closes the connection
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert PROBLEM_TYPES["request-timeout"].encode() in answer

    def test_past_the_in_flight_limit_is_503_with_retry_after(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app(limits=Limits(max_in_flight=1))
        slow = threading.Thread(
            target=lambda: httpx.post(
                f"{served.url}/score",
                content=json.dumps(people_body(1500)),
                headers=JSON,
                timeout=60,
            )
        )
        slow.start()
        try:
            assert served.service.gate is not None
            assert wait_until(lambda: served.service.gate.in_flight == 1)
            answer = served.post("/score", EXAMPLE)
            assert (503, "1", PROBLEM_TYPES["overloaded"]) == (
                answer.status_code,
                answer.headers["retry-after"],
                answer.json()["type"],
            )
            assert 200 == served.http.get("/healthz").status_code  # not counted
        finally:
            slow.join(60)


# --------------------------------------------------------------------------- operations


class TestOperations:
    def test_healthz_and_readyz(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app()
        health = served.http.get("/healthz").json()
        ready = served.http.get("/readyz").json()
        assert "ok" == health["status"]
        assert ("ready", len(policies.available()), None) == (
            ready["status"],
            ready["policies"],
            ready["reload_error"],
        )
        assert served.service.registry.fingerprint == ready["fingerprint"]

    def test_metrics_count_requests_people_and_latency(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app()
        served.post("/score", EXAMPLE)
        served.http.get("/policies/nope")
        text = served.http.get("/metrics").text
        assert 'kpiscore_requests_total{route="/score",status="200"} 1' in text
        assert 'kpiscore_requests_total{route="/policies/{policy_id}",status="404"} 1' in text
        assert "kpiscore_people_scored_total 2" in text
        assert 'kpiscore_request_duration_seconds_count{route="/score"} 1' in text
        assert "# TYPE kpiscore_requests_in_flight gauge" in text

    def test_metrics_add_up_the_workers(self) -> None:
        metrics = Metrics(workers=2)
        metrics.observe("/score", 200, 0.01, people=3)
        metrics.bind(1)
        metrics.observe("/score", 200, 0.02, people=4)
        text = metrics.render()
        assert 'kpiscore_requests_total{route="/score",status="200"} 2' in text
        assert "kpiscore_people_scored_total 7" in text

    @pytest.mark.slow
    def test_metrics_of_a_real_two_worker_server_count_every_worker(self, tmp_path: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = tmp_path / "server.log"
        command = [
            sys.executable, "-m", "kpiscore.server", "--port", str(port), "--workers", "2",
        ]  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        with log.open("wb") as sink:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            assert wait_until(lambda: _answers(f"{url}/healthz"), 30)

            def workers_seen() -> set[int]:
                entries = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
                return {e["worker"] for e in entries if e.get("path") == "/healthz"}

            asked = 1
            while workers_seen() != {0, 1} and asked < 400:
                httpx.get(f"{url}/healthz")  # a fresh connection: the kernel picks a worker
                asked += 1
            assert {0, 1} == workers_seen()  # both workers answered some of them
            line = f'kpiscore_requests_total{{route="/healthz",status="200"}} {asked}'
            scraped = set()
            for _ in range(40):  # scrapes on fresh connections reach both workers too
                assert line in httpx.get(f"{url}/metrics").text.splitlines()  # each sees all
                entries = [json.loads(x) for x in log.read_text("utf-8").splitlines()]
                scraped = {e["worker"] for e in entries if e.get("path") == "/metrics"}
                if scraped == {0, 1}:
                    break
            assert {0, 1} == scraped
        finally:
            process.terminate()
            process.wait(20)

    def test_a_request_id_is_echoed_or_made(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app()
        echoed = served.http.get("/policies/nope", headers={"X-Request-Id": "abc-123"})
        made = served.http.get("/policies/nope", headers={"X-Request-Id": "no spaces please"})
        assert ("abc-123", "abc-123") == (
            echoed.headers["x-request-id"],
            echoed.json()["request_id"],
        )
        assert made.headers["x-request-id"] == made.json()["request_id"]
        assert 32 == len(made.headers["x-request-id"])

    def test_version_and_fingerprint_on_every_scoring_answer(
        self, serve_app: Callable[..., Served]
    ) -> None:
        from kpiscore import __version__

        served = serve_app()
        answer = served.post("/score", EXAMPLE)
        assert __version__ == answer.headers["x-kpiscore-version"]
        assert (
            policies.load(UNIVERSITY).fingerprint == answer.headers["x-kpiscore-policy-fingerprint"]
        )

    def test_the_access_log_is_json_with_no_token_and_no_body(
        self, serve_app: Callable[..., Served], caplog: pytest.LogCaptureFixture
    ) -> None:
        served = serve_app(token=TOKEN)
        with caplog.at_level(logging.INFO, logger="kpiscore.access"):
            served.post(
                "/score", EXAMPLE, Authorization=f"Bearer {TOKEN}", **{"X-Request-Id": "r1"}
            )
            served.http.get("/policies?access_token=" + TOKEN)
            # The line is written once the answer has gone out: under load it may follow the
            # client's read of the answer by a moment.
            for _ in range(500):
                if sum(r.name == "kpiscore.access" for r in caplog.records) >= 2:
                    break
                time.sleep(0.01)
        records = [r for r in caplog.records if r.name == "kpiscore.access"]
        lines = [JsonFormatter().format(record) for record in records]
        entries = [json.loads(line) for line in lines]
        assert [("/score", 200, "r1"), ("/policies", 400)] == [
            (e["path"], e["status"], e["request_id"])[: 3 if e["path"] == "/score" else 2]
            for e in entries
        ]
        assert 2 == entries[0]["people"]
        assert all(TOKEN not in line and "gv001" not in line for line in lines)

    def test_a_token_in_the_url_is_refused(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app(token=TOKEN)
        answer = served.http.get(f"/policies?token={TOKEN}")
        assert (400, PROBLEM_TYPES["token-in-url"]) == (answer.status_code, answer.json()["type"])

    def test_the_docs_page_needs_no_cdn(self, serve_app: Callable[..., Served]) -> None:
        page = serve_app().http.get("/docs")
        assert 200 == page.status_code
        assert "<script" not in page.text
        assert "operationId <code>score</code>" in page.text


# --------------------------------------------------------------------------- reload


def write_policy(folder: Path, version: str, policy_id: str = "my-unit-2026") -> Policy:
    tree = policies.load(UNIVERSITY).to_dict()
    tree["id"], tree["version"] = policy_id, version
    policy = Policy.from_dict(tree)
    (folder / f"{policy_id}.json").write_text(dump_policy(policy, "json"), encoding="utf-8")
    return policy


class TestReload:
    def test_a_good_set_is_served_and_a_bad_one_refused(
        self, serve_app: Callable[..., Served], tmp_path: Path
    ) -> None:
        first = write_policy(tmp_path, "1")
        served = serve_app(tmp_path, token=TOKEN)
        auth = {"Authorization": f"Bearer {TOKEN}"}

        def served_fingerprint() -> str:
            return str(served.http.get(f"/policies/{first.id}", headers=auth).json()["fingerprint"])

        assert first.fingerprint == served_fingerprint()
        second = write_policy(tmp_path, "2")
        answer = served.http.post("/admin/reload", headers=auth)
        assert (200, True) == (answer.status_code, answer.json()["reloaded"])
        assert second.fingerprint == served_fingerprint()
        (tmp_path / "half-written.json").write_text('{"id": "x", "name": ', encoding="utf-8")
        refused = served.http.post("/admin/reload", headers=auth)
        assert (422, PROBLEM_TYPES["reload-failed"]) == (
            refused.status_code,
            refused.json()["type"],
        )
        assert second.fingerprint == served_fingerprint()  # the old set is still served
        assert "half-written.json" in served.http.get("/readyz").json()["reload_error"]

    def test_reload_needs_a_token(self, serve_app: Callable[..., Served]) -> None:
        answer = serve_app().http.post("/admin/reload")
        assert (403, PROBLEM_TYPES["forbidden"]) == (answer.status_code, answer.json()["type"])

    def test_reload_is_behind_the_token(self, serve_app: Callable[..., Served]) -> None:
        assert 401 == serve_app(token=TOKEN).http.post("/admin/reload").status_code

    @pytest.mark.slow
    def test_sighup_reloads_every_worker(self, tmp_path: Path) -> None:
        first = write_policy(tmp_path, "1")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable, "-m", "kpiscore.server", "--port", str(port), "--workers", "2",
            "--policies", str(tmp_path),
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"

        def fingerprints() -> set[str]:
            found = set()
            for _ in range(8):  # fresh connections: the kernel spreads them over both workers
                try:
                    found.add(httpx.get(f"{url}/policies/{first.id}").json()["fingerprint"])
                except httpx.TransportError:
                    return set()
            return found

        try:
            assert wait_until(lambda: fingerprints() == {first.fingerprint}, 30)
            second = write_policy(tmp_path, "2")
            process.send_signal(signal.SIGHUP)
            assert wait_until(lambda: fingerprints() == {second.fingerprint}, 30)
        finally:
            process.terminate()
            process.wait(20)


# --------------------------------------------------------------------------- auth


class TestAuthRules:
    @pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
    def test_the_scheme_is_case_insensitive(
        self, serve_app: Callable[..., Served], scheme: str
    ) -> None:
        served = serve_app(token=TOKEN)
        assert (
            200
            == served.http.get(
                "/policies", headers={"Authorization": f"{scheme} {TOKEN}"}
            ).status_code
        )

    def test_several_tokens_for_rotation(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app(tokens=[TOKEN, OTHER])
        for token in (TOKEN, OTHER):
            headers = {"Authorization": f"Bearer {token}"}
            assert 200 == served.http.get("/policies", headers=headers).status_code
        assert (
            401 == served.http.get("/policies", headers={"Authorization": "Bearer x"}).status_code
        )

    def test_a_token_file_of_several_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "tokens"
        path.write_text(f"{TOKEN}\n\n{OTHER}\n", encoding="utf-8")
        path.chmod(0o600)
        assert (TOKEN, OTHER) == read_tokens(path)

    @pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
    @pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
    def test_a_token_file_others_can_read_is_refused(self, tmp_path: Path, mode: int) -> None:
        path = tmp_path / "token"
        path.write_text(TOKEN, encoding="utf-8")
        path.chmod(mode)
        with pytest.raises(ServerError, match="readable or writable by group or others"):
            read_tokens(path)

    @pytest.mark.parametrize(
        ("content", "message"),
        [("a" * 16, "at least 32 characters"), ("a" * 40, "repeats too few characters")],
        ids=["short", "repetitive"],
    )
    def test_a_weak_token_is_refused(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "token"
        path.write_text(content, encoding="utf-8")
        path.chmod(0o600)
        with pytest.raises(ServerError, match=message):
            read_tokens(path)

    def test_a_file_linked_from_outside_the_folder_is_refused(self, tmp_path: Path) -> None:
        outside, folder = tmp_path / "outside", tmp_path / "policies"
        outside.mkdir()
        folder.mkdir()
        write_policy(outside, "1")
        (folder / "linked.json").symlink_to(outside / "my-unit-2026.json")
        with pytest.raises(ValueError, match="outside the policies folder"):
            create_app(folder)

    def test_a_foreign_host_is_refused_without_a_token(
        self, serve_app: Callable[..., Served]
    ) -> None:
        served = serve_app()
        evil = served.http.get("/policies", headers={"Host": "attacker.example"})
        assert (400, PROBLEM_TYPES["host-not-allowed"]) == (evil.status_code, evil.json()["type"])
        for host in ("localhost:8000", "127.0.0.1", "[::1]:80"):
            assert 200 == served.http.get("/policies", headers={"Host": host}).status_code

    def test_any_host_with_a_token(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app(token=TOKEN)
        headers = {"Host": "hr.example.gov.vn", "Authorization": f"Bearer {TOKEN}"}
        assert 200 == served.http.get("/policies", headers=headers).status_code

    def test_allowed_hosts_can_be_widened(self, serve_app: Callable[..., Served]) -> None:
        served = serve_app(allowed_hosts=["kpi.internal"])
        assert 200 == served.http.get("/policies", headers={"Host": "kpi.internal"}).status_code


# --------------------------------------------------------------------------- deploy


class TestDeploy:
    def test_the_dockerfile_is_slim_non_root_with_a_healthcheck(self) -> None:
        text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
        instructions = [line.split()[0] for line in text.splitlines() if line and line[0].isalpha()]
        base = next(line for line in text.splitlines() if line.startswith("FROM"))
        assert "FROM" == instructions[0]
        assert base.endswith("-slim")
        user = next(line for line in text.splitlines() if line.startswith("USER"))
        assert user.split()[1].split(":")[0] not in ("0", "root")
        assert "HEALTHCHECK" in instructions
        assert "/healthz" in text
        assert instructions.index("USER") < instructions.index("ENTRYPOINT")

    @pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
    def test_hadolint(self) -> None:  # pragma: no cover - where hadolint is installed
        result = subprocess.run(
            ["hadolint", str(ROOT / "deploy" / "Dockerfile")],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == result.returncode, result.stdout + result.stderr

    def test_the_unit_reloads_with_sighup_and_runs_unprivileged(self) -> None:
        text = (ROOT / "deploy" / "kpiscore.service").read_text(encoding="utf-8")
        assert "ExecReload=/bin/kill -HUP $MAINPID" in text
        assert "User=kpiscore" in text
        assert "NoNewPrivileges=yes" in text

    @pytest.mark.skipif(
        shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
    )
    def test_systemd_analyze_verify(self, tmp_path: Path) -> None:
        unit = tmp_path / "kpiscore.service"
        text = (ROOT / "deploy" / "kpiscore.service").read_text(encoding="utf-8")
        # verify checks that the programs exist: point them at ones this machine has.
        text = text.replace("/opt/kpiscore/bin/kpiscore", shutil.which("true") or "/bin/true")
        text = text.replace("User=kpiscore", "User=root").replace("Group=kpiscore", "Group=root")
        unit.write_text(text, encoding="utf-8")
        result = subprocess.run(
            ["systemd-analyze", "verify", str(unit)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        problems = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "kpiscore.service" in line and "ReadOnlyPaths" not in line
        ]
        assert [] == problems


# --------------------------------------------------------------------------- small parts


class TestParts:
    def parse(self, *argv: str) -> Any:
        import argparse

        from kpiscore.server import add_serve_parser

        parser = argparse.ArgumentParser()
        add_serve_parser(parser.add_subparsers(dest="command"))
        return parser.parse_args(["serve", *argv])

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--workers", "0"], "--workers: expected at least 1"),
            (["--max-people", "0"], "max_people: expected a positive number"),
        ],
        ids=["workers", "limit"],
    )
    def test_a_bad_option_refuses_to_start(self, argv: list[str], message: str) -> None:
        from kpiscore.server import serve

        with pytest.raises(ServerError, match=message):
            serve(self.parse(*argv))

    def test_a_log_line_without_fields_is_json_with_its_message(self) -> None:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            record = logging.LogRecord(
                "kpiscore.server", logging.ERROR, "", 0, "failed: %s", ("x",), sys.exc_info()
            )
        entry = json.loads(JsonFormatter().format(record))
        assert ("error", "failed: x") == (entry["level"], entry["message"])
        assert "RuntimeError: boom" in entry["exception"]

    @pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    def test_a_cancelled_request_stops_its_work(self) -> None:
        import asyncio

        from kpiscore.server._work import Runner

        runner = Runner(threads=1)
        stop = threading.Event()

        def work() -> None:
            while not stop.is_set():
                sum(range(1000))

        async def cancel_it() -> None:
            task = asyncio.ensure_future(
                runner.run(work, timeout=30, disconnected=asyncio.Event().wait)
            )
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancel_it())
        try:
            assert wait_until(lambda: runner.busy == 0)
        finally:
            stop.set()
            runner.close()
