"""The HTTP service, run for real: uvicorn on a free loopback port, called over HTTP with httpx."""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("litestar", reason="the server extra is part of the test extra")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
jsonschema = pytest.importorskip("jsonschema")

from kpiscore import (  # noqa: E402 - after the skips
    Adjustment,
    Event,
    FileFormatError,
    FileFormatErrorGroup,
    Measure,
    MissingExtraError,
    Notice,
    Person,
    Policy,
    dump_policy,
    policies,
    score_many,
)
from kpiscore.server import (  # noqa: E402
    DEFAULT_MAX_BODY,
    ServerError,
    add_serve_parser,
    create_app,
    is_loopback,
    read_token,
    serve,
)
from kpiscore.server._app import canonical_json  # noqa: E402
from kpiscore.server._openapi import COMPARE_EXAMPLE, EXAMPLE, EXPLAIN_EXAMPLE  # noqa: E402
from kpiscore.server._requests import READERS, CompareRequest, ExplainRequest, ScoreRequest  # noqa: E402
from kpiscore.variants import compare, overlay  # noqa: E402

TOKEN = "s3cret-token-for-tests-0123456789"  # noqa: S105 - a token for tests only
UNIVERSITY = "university-kpi-example"
STAFF = "vn-nd335-2025-staff"


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", ws="none", server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """A client of a server with the bundled policies and no token."""
    with running(create_app()) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def openapi(client: httpx.Client) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def strict(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI components, with no extra key allowed in the answer bodies' objects."""
    components = copy.deepcopy(document["components"])
    for name, schema in components["schemas"].items():
        if name.endswith("Body") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return components


def check_body(document: dict[str, Any], component: str, body: object) -> None:
    """Validate an answer against its documented schema, no key missing and none extra."""
    schema = {"$ref": f"#/components/schemas/{component}", "components": strict(document)}
    jsonschema.Draft202012Validator(schema).validate(body)


def post(client: httpx.Client, path: str, body: object) -> httpx.Response:
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def assert_same_values(library: object, answer: object, where: str = "") -> None:
    """The answer holds the library's tree, each decimal equal in value (zeros may be added)."""
    if isinstance(library, dict) and isinstance(answer, dict):
        assert sorted(library) == sorted(answer), where
        for key in library:
            assert_same_values(library[key], answer[key], f"{where}.{key}")
    elif isinstance(library, list) and isinstance(answer, list):
        assert len(library) == len(answer), where
        for index, (mine, theirs) in enumerate(zip(library, answer, strict=True)):
            assert_same_values(mine, theirs, f"{where}[{index}]")
    elif library != answer:
        assert isinstance(library, str), where
        assert isinstance(answer, str), where
        assert Decimal(library) == Decimal(answer), where
        assert answer.startswith(library), where
        assert set(answer[len(library) :]) <= set(".0"), where


def answered(library: str, notices: Iterable[Notice]) -> dict[str, Any]:
    """A scoring answer as the service writes it: the library's JSON and the notices."""
    tree: dict[str, Any] = json.loads(library)
    tree["notices"] = [{"what": n.what, "count": n.count, "why": n.why} for n in notices]
    return tree


def facts(request: dict[str, Any]) -> dict[str, Any]:
    """The library objects a request body stands for (built here by hand, not by the server)."""
    return {
        "subjects": [Person(**person) for person in request["people"]],
        "events": [
            Event(
                subject=e["subject"],
                kind=e["kind"],
                on=__import__("datetime").date.fromisoformat(e["on"]),
                excused=e.get("excused", False),
            )
            for e in request["events"]
        ],
        "measures": [Measure(**m) for m in request["measures"]],
    }


# --------------------------------------------------------------------------- policies


class TestPolicies:
    def test_lists_every_bundled_policy_with_its_fingerprint(self, client: httpx.Client) -> None:
        answer = client.get("/policies")
        listed = {entry["id"]: entry for entry in answer.json()["policies"]}
        assert 200 == answer.status_code
        assert list(policies.available()) == list(listed)
        assert {i: policies.load(i).fingerprint for i in listed} == {
            i: entry["fingerprint"] for i, entry in listed.items()
        }

    def test_listing_entry(self, client: httpx.Client) -> None:
        entry = client.get("/policies").json()["policies"][-1]
        assert {
            "id": STAFF,
            "name": policies.load(STAFF).name,
            "version": policies.load(STAFF).version,
            "fingerprint": policies.load(STAFF).fingerprint,
            "max_total": "100.00",
            "valid_from": "2026-01-01",
            "valid_to": None,
            "source": "bundled",
        } == entry

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_one_policy_reads_back_equal(self, client: httpx.Client, policy_id: str) -> None:
        body = client.get(f"/policies/{policy_id}").json()
        policy = policies.load(policy_id)
        assert policy.fingerprint == body["fingerprint"]
        assert policy == Policy.from_dict(body["policy"])
        assert policy.to_dict() == body["policy"]

    def test_unknown_policy_is_404_naming_the_served_ids(self, client: httpx.Client) -> None:
        answer = client.get("/policies/vn-nd335")
        assert 404 == answer.status_code
        assert "application/problem+json" == answer.headers["content-type"]
        assert "policy_id" == answer.json()["path"]
        assert answer.json()["detail"].startswith(
            "policy_id: no served policy has the id 'vn-nd335'; expected one of ['hcm-qd20-2024',"
        )


class TestPoliciesFolder:
    def own_policy(self, folder: Path, policy_id: str = "my-unit-2026") -> Policy:
        base = policies.load(UNIVERSITY)
        tree = base.to_dict()
        tree["id"] = policy_id
        policy = Policy.from_dict(tree)
        (folder / f"{policy_id}.json").write_text(dump_policy(policy, "json"), encoding="utf-8")
        return policy

    def test_a_folder_policy_is_served_besides_the_bundled(self, tmp_path: Path) -> None:
        own = self.own_policy(tmp_path)
        (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
        with running(create_app(tmp_path)) as url, httpx.Client(base_url=url) as http:
            listed = {e["id"]: e["source"] for e in http.get("/policies").json()["policies"]}
            scored = post(http, "/score", {**EXAMPLE, "policy": own.id}).json()
        assert "file" == listed[own.id]
        assert len(policies.available()) + 1 == len(listed)
        assert own.fingerprint == scored["fingerprint"]

    def test_an_invalid_file_stops_the_start(self, tmp_path: Path) -> None:
        (tmp_path / "broken.json").write_text('{"id": "x"}', encoding="utf-8")
        with pytest.raises(FileFormatError, match=r"broken\.json"):
            create_app(tmp_path)

    def test_every_problem_of_every_file_is_listed(self, tmp_path: Path) -> None:
        (tmp_path / "a.json").write_text("{", encoding="utf-8")
        (tmp_path / "b.json").write_text("[]", encoding="utf-8")
        (tmp_path / "c.json").write_text('{"id": "c", "colour": 1, "shape": 2}', encoding="utf-8")
        with pytest.raises(FileFormatErrorGroup) as raised:
            create_app(tmp_path)
        named = [str(problem).split(":", 1)[0] for problem in raised.value.exceptions]
        assert [tmp_path / n for n in ("a.json", "b.json")] == [Path(n) for n in named[:2]]
        assert len(named) > 3

    def test_a_bundled_id_cannot_be_taken(self, tmp_path: Path) -> None:
        self.own_policy(tmp_path, UNIVERSITY)
        with pytest.raises(FileFormatError, match="is already served"):
            create_app(tmp_path)

    def test_a_bad_file_at_a_cold_start_refuses_to_start(self, tmp_path: Path) -> None:
        """The real command: no old set to keep, so it exits 2 before listening, naming each
        file and its problem on standard error (what systemd's journal and docker logs show)."""
        (tmp_path / "half.json").write_text('{"id": "half", "name"', encoding="utf-8")
        (tmp_path / "broken.json").write_text('{"id": "x"}', encoding="utf-8")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        result = subprocess.run(
            [sys.executable, "-m", "kpiscore", "serve", "--policies", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=60,
        )
        lines = result.stderr.splitlines()
        assert 2 == result.returncode
        assert f"kpiscore: error: policies folder {str(tmp_path)!r}: 2 problems" == lines[0]
        assert f"{tmp_path / 'broken.json'}: policy: missing required key(s)" in lines[1]
        assert f"{tmp_path / 'half.json'}: line 1, column 22: invalid JSON" in lines[2]
        assert "" == result.stdout

    def test_a_missing_folder_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(FileFormatError, match="no such folder"):
            create_app(tmp_path / "absent")


# --------------------------------------------------------------------------- score


class TestScore:
    def test_the_answer_is_score_many_to_json_with_fixed_scales(self, client: httpx.Client) -> None:
        table = score_many(policies.load(UNIVERSITY), "2026-Q1", **facts(EXAMPLE))
        answer = post(client, "/score", EXAMPLE)
        assert 200 == answer.status_code
        assert "application/json" == answer.headers["content-type"]
        assert canonical_json(answer.json()) == answer.content  # canonical JSON, as the library's
        assert_same_values(answered(table.to_json(), table.notices), answer.json())
        # Only zeros were added: "30" is "30.00", as the reported "30.00" beside it.
        criterion = answer.json()["scorecards"][0]["categories"][0]["criteria"][0]
        assert ("30.00", "30.00", "30.00") == (
            criterion["max_points"],
            criterion["start"],
            criterion["points"],
        )

    @pytest.mark.parametrize(
        ("subject", "total", "rating"),
        [("gv001", "98.00", "HTXS"), ("gv002", "94.00", "HTXS")],
        ids=["no-absence", "two-absences-one-excused"],
    )
    def test_worked_example(
        self, client: httpx.Client, subject: str, total: str, rating: str
    ) -> None:
        cards = {c["subject"]: c for c in post(client, "/score", EXAMPLE).json()["scorecards"]}
        assert (total, rating) == (cards[subject]["total"], cards[subject]["rating"])

    def test_same_request_same_bytes(self, client: httpx.Client) -> None:
        answers = {post(client, "/score", EXAMPLE).content for _ in range(3)}
        assert 1 == len(answers)

    def test_fact_order_and_number_form_do_not_change_the_bytes(self, client: httpx.Client) -> None:
        shuffled = copy.deepcopy(EXAMPLE)
        shuffled["events"].reverse()
        shuffled["measures"] = shuffled["measures"][3:] + shuffled["measures"][:3]
        for measure in shuffled["measures"]:
            measure["value"] = float(measure["value"])  # JSON numbers, not strings
        assert post(client, "/score", EXAMPLE).content == post(client, "/score", shuffled).content

    def test_an_inline_policy_scores_as_its_id(self, client: httpx.Client) -> None:
        inline = {**EXAMPLE, "policy": policies.load(UNIVERSITY).to_dict()}
        assert post(client, "/score", EXAMPLE).content == post(client, "/score", inline).content

    def test_people_may_be_plain_ids(self, client: httpx.Client) -> None:
        body = {**EXAMPLE, "people": ["gv001", "gv002"]}
        cards = post(client, "/score", body).json()["scorecards"]
        assert [("gv001", None), ("gv002", None)] == [
            (c["subject"], c["person"]["name"]) for c in cards
        ]

    def test_overlay_is_applied_first(self, client: httpx.Client) -> None:
        changes = COMPARE_EXAMPLE["overlay"]
        variant = overlay(policies.load(UNIVERSITY), changes)
        expected = score_many(variant, "2026-Q1", **facts(EXAMPLE))
        answer = post(client, "/score", {**EXAMPLE, "overlay": changes})
        assert_same_values(answered(expected.to_json(), expected.notices), answer.json())
        assert "92.00" == answer.json()["scorecards"][1]["total"]

    def test_concurrent_requests_are_independent(self, client: httpx.Client) -> None:
        bodies = []
        for absences in range(8):
            body = copy.deepcopy(EXAMPLE)
            body["events"] = [
                {"subject": "gv001", "kind": "training_absence", "on": f"2026-01-{day + 1:02d}"}
                for day in range(absences)
            ]
            bodies.append(body)
        alone = [post(client, "/score", body).content for body in bodies]
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(lambda b: post(client, "/score", b).content, bodies * 4))
        assert alone * 4 == together
        assert 8 == len(set(alone))

    def test_the_answer_matches_its_documented_schema(
        self, client: httpx.Client, openapi: dict[str, Any]
    ) -> None:
        check_body(openapi, "ScoreTableBody", post(client, "/score", EXAMPLE).json())


class TestExplain:
    def test_the_ledger_and_the_scorecard(self, client: httpx.Client) -> None:
        card = score_many(policies.load(UNIVERSITY), "2026-Q1", **facts(EXAMPLE))["gv002"]
        body = post(client, "/explain", EXPLAIN_EXAMPLE).json()
        expected = {
            "subject": "gv002",
            "lang": "en",
            "text": card.explain("en"),
            "scorecard": card.to_dict(),
            "notices": [{"what": "events", "count": 1, "why": "excused"}],
        }
        assert_same_values(expected, body)

    def test_vietnamese_by_default(self, client: httpx.Client) -> None:
        body = post(client, "/explain", {**EXAMPLE, "subject": "gv001"}).json()
        assert body["text"].startswith("Phiếu đánh giá: gv001 (Nguyễn Văn An)")

    def test_a_subject_outside_the_people_is_422(self, client: httpx.Client) -> None:
        answer = post(client, "/explain", {**EXAMPLE, "subject": "gv009"})
        assert (422, "subject", "UnknownSubjectError") == (
            answer.status_code,
            answer.json()["path"],
            answer.json()["error"],
        )

    def test_the_answer_matches_its_documented_schema(
        self, client: httpx.Client, openapi: dict[str, Any]
    ) -> None:
        check_body(openapi, "ExplainBody", post(client, "/explain", EXPLAIN_EXAMPLE).json())

    def test_an_adjusted_scorecard_matches_its_documented_schema(
        self, openapi: dict[str, Any]
    ) -> None:
        """The adjustment body has every key of the model's adjustment (``reason_vi`` too)."""
        card = score_many(policies.load(UNIVERSITY), "2026-Q1", **facts(EXAMPLE))["gv002"]
        adjustment = Adjustment(
            kind="quota",
            from_rating="HTXS",
            to_rating="HTT",
            reason="the unit's share of HTXS is full",
            reference="Điều 12",
            reason_vi="đơn vị đã đủ tỷ lệ HTXS",
        )
        adjusted = attrs.evolve(card, adjustments=(adjustment,)).to_dict()
        check_body(openapi, "ScorecardBody", json.loads(canonical_json(adjusted)))
        assert "đơn vị đã đủ tỷ lệ HTXS" == adjusted["adjustments"][0]["reason_vi"]


class TestCompare:
    def test_the_answer_is_compare_to_json(self, client: httpx.Client) -> None:
        base = policies.load(UNIVERSITY)
        given = facts(EXAMPLE)
        expected = compare(
            base,
            overlay(base, COMPARE_EXAMPLE["overlay"]),
            "2026-Q1",
            given.pop("subjects"),
            **given,
        )
        answer = post(client, "/compare", COMPARE_EXAMPLE)
        excused = [Notice(what="events", count=1, why="excused")]
        assert canonical_json(answered(expected.to_json(), excused)) == answer.content
        assert ("-2.00", "same") == (
            answer.json()["rows"][1]["delta"],
            answer.json()["rows"][1]["move"],
        )

    def test_a_variant_by_id(self, client: httpx.Client) -> None:
        body = {**COMPARE_EXAMPLE, "base": "hcm-qd20-2024", "variant": STAFF, "overlay": None}
        body = {**body, "measures": [], "events": []}
        answer = post(client, "/compare", body)
        assert 422 == answer.status_code  # both need measures: the library says which
        assert "MissingInputError" == answer.json()["error"]

    def test_neither_variant_nor_overlay_is_422(self, client: httpx.Client) -> None:
        body = {k: v for k, v in COMPARE_EXAMPLE.items() if k != "overlay"}
        answer = post(client, "/compare", body)
        assert (422, "variant") == (answer.status_code, answer.json()["path"])
        assert (
            "compare: give a variant policy ('variant'), changes to the base ('overlay'), or both"
            == answer.json()["detail"]
        )

    def test_the_answer_matches_its_documented_schema(
        self, client: httpx.Client, openapi: dict[str, Any]
    ) -> None:
        check_body(openapi, "ComparisonBody", post(client, "/compare", COMPARE_EXAMPLE).json())


class TestValidate:
    def test_a_valid_policy(self, client: httpx.Client, openapi: dict[str, Any]) -> None:
        policy = policies.load(STAFF)
        body = post(client, "/validate", policy.to_dict()).json()
        assert {
            "valid": True,
            "id": STAFF,
            "version": policy.version,
            "fingerprint": policy.fingerprint,
            "problems": [],
        } == body
        check_body(openapi, "ValidateBody", body)

    def test_every_problem_with_its_path(self, client: httpx.Client) -> None:
        document = {
            "id": "p",
            "name": "P",
            "categories": [
                {"id": "c", "name": "C", "criteria": [{"id": "x", "name": "X", "max_points": -1}]}
            ],
            "bands": 3,
            "colour": "red",
        }
        body = post(client, "/validate", document).json()
        assert (False, "p", None) == (body["valid"], body["id"], body["fingerprint"])
        assert [
            ("colour", "PolicyError"),
            ("categories.c.criteria.x", "PolicyError"),
            ("bands", "PolicyError"),
        ] == [(p["path"], p["error"]) for p in body["problems"]]
        assert (
            "categories.c.criteria.x: criterion 'x': max_points must be >= 0 (got -1)"
            == body["problems"][1]["detail"]
        )

    def test_a_number_out_of_range(self, client: httpx.Client) -> None:
        document = {**policies.load(STAFF).to_dict(), "scale": "1e1000000"}
        body = post(client, "/validate", document).json()
        assert (False, ["scale"]) == (body["valid"], [p["path"] for p in body["problems"]])

    @pytest.mark.parametrize(
        ("precision", "valid"),
        [
            ("1", True),
            ("0.1", True),
            ("0.010", True),
            (".001", True),
            ("0.000000000001", True),
            ("1e-2", True),
            ("10", False),
            ("0.05", False),
            ("1_0", False),
            ("0.0000000000001", False),
        ],
    )
    def test_the_schema_and_the_server_agree_on_a_precision_string(
        self, client: httpx.Client, openapi: dict[str, Any], precision: str, valid: bool
    ) -> None:
        # One source of truth: a precision string the documented schema allows is served, one
        # it refuses ("10" is not a power of ten from 1 to 1E-12) is refused by the server too.
        document = {**policies.load(UNIVERSITY).to_dict(), "precision": precision}
        schema = {"$ref": "#/components/schemas/Policy", "components": openapi["components"]}
        documented = jsonschema.Draft202012Validator(schema).is_valid(document)
        served = post(client, "/validate", document).json()["valid"]
        assert (valid, valid) == (documented, served)

    def test_a_document_that_is_not_an_object(self, client: httpx.Client) -> None:
        # The schema says a policy document is an object: anything else is a bad request.
        answer = post(client, "/validate", ["not", "a", "policy"])
        assert (
            400,
            "request body: expected a JSON object holding the policy's keys (got array)",
        ) == (
            answer.status_code,
            answer.json()["detail"],
        )

    def test_not_json_is_400(self, client: httpx.Client) -> None:
        answer = client.post(
            "/validate", content=b"id = 'x'", headers={"Content-Type": "application/json"}
        )
        assert 400 == answer.status_code


# --------------------------------------------------------------------------- problems

BAD_REQUESTS: list[tuple[str, str, object, int, str | None, str | None]] = [
    # (id, endpoint, body, status, path, error class)
    ("array", "/score", [], 400, None, "InputError"),
    ("unknown-key", "/score", {**EXAMPLE, "periods": "2026"}, 422, "periods", "InputError"),
    (
        "missing-period",
        "/score",
        {k: v for k, v in EXAMPLE.items() if k != "period"},
        422,
        "period",
        "InputError",
    ),
    ("bad-period", "/score", {**EXAMPLE, "period": "2026-Q5"}, 422, "period", "PeriodError"),
    (
        "period-outside-validity",
        "/score",
        {**EXAMPLE, "policy": STAFF, "period": "2025-Q4"},
        422,
        "period",
        "PeriodError",
    ),
    (
        "unknown-policy",
        "/score",
        {**EXAMPLE, "policy": "vn-nd335"},
        422,
        "policy",
        "UnknownPolicyError",
    ),
    ("policy-not-text", "/score", {**EXAMPLE, "policy": 7}, 422, "policy", "InputError"),
    (
        "bad-date",
        "/score",
        {**EXAMPLE, "events": [{"subject": "gv001", "kind": "k", "on": "31/02/2026"}]},
        422,
        "events[0].on",
        "FileFormatError",
    ),
    (
        "negative-quantity",
        "/score",
        {
            **EXAMPLE,
            "events": [{"subject": "gv001", "kind": "k", "on": "2026-01-05", "quantity": -1}],
        },
        422,
        "events[0].quantity",
        "FileFormatError",
    ),
    (
        "unknown-fact-key",
        "/score",
        {**EXAMPLE, "measures": [{"subject": "gv001", "criterion": "x", "value": 1, "weight": 2}]},
        422,
        "measures[0].weight",
        "InputError",
    ),
    ("events-not-array", "/score", {**EXAMPLE, "events": {}}, 422, "events", "InputError"),
    ("person-not-object", "/score", {**EXAMPLE, "people": [3]}, 422, "people[0]", "InputError"),
    (
        "outside-population",
        "/score",
        # A kind the policy knows: the subject is the one problem (strict facts).
        {
            **EXAMPLE,
            "events": [{"subject": "gv009", "kind": "training_absence", "on": "2026-01-05"}],
        },
        422,
        "events[0].subject",
        "UnknownSubjectError",
    ),
    (
        "duplicate-person",
        "/score",
        {**EXAMPLE, "people": ["gv001", "gv002", "gv001"]},
        422,
        "people",
        "InputError",
    ),
    (
        "missing-measure",
        "/score",
        {**EXAMPLE, "measures": EXAMPLE["measures"][1:]},
        422,
        "measures",
        "MissingInputError",
    ),
    (
        "assessed-above-max",
        "/score",
        {
            **EXAMPLE,
            "measures": [*EXAMPLE["measures"][:3], {**EXAMPLE["measures"][3], "value": "6"}],
        },
        422,
        "measures[3].value",
        "InputError",
    ),
    (
        "unknown-criterion",
        "/score",
        {
            **EXAMPLE,
            "measures": [
                *EXAMPLE["measures"],
                {"subject": "gv001", "criterion": "training", "value": 1},
            ],
        },
        422,
        "measures[8].criterion",
        "InputError",
    ),
    (
        "two-measures",
        "/score",
        {**EXAMPLE, "measures": [*EXAMPLE["measures"], EXAMPLE["measures"][5]]},
        422,
        "measures[8]",
        "InputError",
    ),
    (
        "inline-policy-invalid",
        "/score",
        {
            **EXAMPLE,
            "policy": {
                "id": "p",
                "name": "P",
                "categories": [
                    {
                        "id": "c",
                        "name": "C",
                        "criteria": [{"id": "x", "name": "X", "max_points": "-1"}],
                    }
                ],
            },
        },
        422,
        "policy.categories.c.criteria.x",
        "PolicyError",
    ),
    (
        "overlay-typo",
        "/score",
        {**EXAMPLE, "overlay": {"bands.HTT.min_point": 75}},
        422,
        'overlay["bands.HTT.min_point"]',
        "PolicyError",
    ),
    (
        "huge-number",
        "/score",
        {
            **EXAMPLE,
            "events": [
                {"subject": "gv001", "kind": "k", "on": "2026-01-05", "quantity": "1e1000000"}
            ],
        },
        422,
        "events[0].quantity",
        "FileFormatError",
    ),
    (
        "huge-overlay",
        "/score",
        {**EXAMPLE, "overlay": {"bands.HTT.min_points": "1e1000000"}},
        422,
        "overlay",
        "PolicyError",
    ),
    (
        "huge-inline-policy",
        "/score",
        {**EXAMPLE, "policy": {**policies.load(UNIVERSITY).to_dict(), "scale": "1e1000000"}},
        422,
        "policy.scale",
        "PolicyError",
    ),
    ("overlay-not-object", "/score", {**EXAMPLE, "overlay": ["x"]}, 422, "overlay", "InputError"),
    ("bad-lang", "/explain", {**EXPLAIN_EXAMPLE, "lang": "fr"}, 422, "lang", "InputError"),
    ("subject-missing", "/explain", EXAMPLE, 422, "subject", "InputError"),
    (
        "compare-bands",
        "/compare",
        {
            **COMPARE_EXAMPLE,
            "overlay": None,
            "variant": {**policies.load(UNIVERSITY).to_dict(), "bands": [], "caps": []},
        },
        422,
        "variant",
        "InputError",
    ),
]


class TestProblems:
    @pytest.mark.parametrize("case", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
    def test_bad_input_gets_a_problem_with_the_field_path(
        self,
        client: httpx.Client,
        openapi: dict[str, Any],
        case: tuple[str, str, object, int, str | None, str | None],
    ) -> None:
        _, endpoint, body, status, path, error = case
        answer = post(client, endpoint, body)
        problem = answer.json()
        assert (status, "application/problem+json") == (
            answer.status_code,
            answer.headers["content-type"],
        )
        assert (path, error) == (problem["path"], problem["error"])
        assert [(path, error)] == [(p["path"], p["error"]) for p in problem["errors"]]
        check_body(openapi, "ProblemBody", problem)

    @pytest.mark.parametrize("language", ["en", "vi"])
    def test_no_python_repr_in_any_problem(self, client: httpx.Client, language: str) -> None:
        # Every bad request of the list above, and a policy refused for a decimal value: the
        # messages name values as a caller wrote them, never as Python shows its objects.
        reprs = re.compile(
            r"Decimal\(|datetime\.|<class |<function |object at 0x|\bNone\b|\bTrue\b|\bFalse\b"
            r"|\bdict\b|\bNoneType\b|Traceback"
        )
        bad_policy = {**policies.load(STAFF).to_dict(), "precision": "0.05", "scale": "1e1000000"}
        answers = [
            client.post(
                endpoint,
                content=json.dumps(body),
                headers={"Content-Type": "application/json", "Accept-Language": language},
            )
            for _, endpoint, body, *_ in [*BAD_REQUESTS, ("policy", "/validate", bad_policy)]
        ]
        assert len(BAD_REQUESTS) + 1 == len(answers)
        found = {a.request.url.path: reprs.findall(a.text) for a in answers if reprs.search(a.text)}
        assert {} == found

    def test_titles_in_vietnamese_when_asked(self, client: httpx.Client) -> None:
        from kpiscore.server._ops import KIND_TITLES, PROBLEM_TYPES

        assert set(PROBLEM_TYPES) == set(KIND_TITLES)
        body = {
            **EXAMPLE,
            "events": [{"subject": "gv009", "kind": "training_absence", "on": "2026-01-05"}],
        }
        asked = {"Content-Type": "application/json", "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}
        vi = client.post("/score", content=json.dumps(body), headers=asked)
        en = post(client, "/score", body)
        missing = client.get("/no-such-endpoint", headers={"Accept-Language": "vi"})
        assert [
            ("Dữ liệu đầu vào không hợp lệ", "vi"),
            ("Invalid input", "en"),
            ("Không tìm thấy", "vi"),
        ] == [(a.json()["title"], a.headers["content-language"]) for a in (vi, en, missing)]
        assert vi.json()["detail"] == en.json()["detail"]  # the library's message, English

    def test_a_misspelt_kind_is_a_problem_naming_the_nearest(self, client: httpx.Client) -> None:
        body = {
            **EXAMPLE,
            "events": [{"subject": "gv002", "kind": "training_absense", "on": "2026-01-05"}],
        }
        answer = post(client, "/score", body)
        problem = answer.json()
        assert (422, "UnknownKindError") == (answer.status_code, problem["error"])
        assert problem["detail"].startswith(
            "events[0]: event kind 'training_absense' is not known to policy"
            " 'university-kpi-example'; did you mean 'training_absence'?"
        )

    def test_the_library_message_is_the_detail(self, client: httpx.Client) -> None:
        event = {"subject": "gv009", "kind": "training_absence", "on": "2026-01-05"}
        body = {**EXAMPLE, "events": [event]}
        answer = post(client, "/score", body)
        assert {
            "type": "urn:kpiscore:problem:invalid-input",
            "request_id": answer.headers["x-request-id"],
            "title": "Invalid input",
            "status": 422,
            "detail": "events[0]: event 'training_absence' on 2026-01-05 names subject 'gv009',"
            " who is not in the population scored",
            "path": "events[0].subject",
            "error": "UnknownSubjectError",
            "errors": [
                {
                    "detail": "events[0]: event 'training_absence' on 2026-01-05 names subject"
                    " 'gv009', who is not in the population scored",
                    "path": "events[0].subject",
                    "error": "UnknownSubjectError",
                }
            ],
        } == answer.json()

    def test_every_problem_of_a_body_at_once(self, client: httpx.Client) -> None:
        body = {
            **EXAMPLE,
            "period": "2026-13",
            "events": [{"subject": "gv001", "kind": "k", "on": "2026-02-30", "quantity": "x"}],
            "extra": True,
        }
        problem = post(client, "/score", body).json()
        assert ("request: 4 problems", None, None) == (
            problem["detail"].splitlines()[0],
            problem["path"],
            problem["error"],
        )
        assert ["extra", "period", "events[0].on", "events[0].quantity"] == [
            p["path"] for p in problem["errors"]
        ]

    @pytest.mark.parametrize(
        ("content", "detail"),
        [
            (b'{"period": ', "request body: line 1, column 12: invalid JSON: Expecting value"),
            (b"", "request body: empty; expected a JSON object"),
            (b" \n", "request body: empty; expected a JSON object"),
            (b'{"x": NaN}', "request body: invalid JSON: NaN is not a number kpiscore accepts"),
            (
                b"[" * 100_000 + b"]" * 100_000,
                (
                    "request body: tables and lists nest more than 32 levels deep; expected a"
                    " kpiscore file (a policy nests six levels, a fact file two)"
                ),
            ),
            (
                b'{"period": "2026-Q1", "period": "2026-Q2"}',
                (
                    "request body: invalid JSON: key 'period' appears twice; each key may"
                    " appear once in an object"
                ),
            ),
            (
                b"\xff{}",
                "request body: not valid UTF-8 (byte 0xff at offset 0); send JSON as UTF-8",
            ),
        ],
        ids=["truncated", "empty", "blank", "nan", "deep", "key-twice", "latin-1"],
    )
    def test_a_body_that_is_not_json_is_400(
        self, client: httpx.Client, content: bytes, detail: str
    ) -> None:
        answer = client.post(
            "/score", content=content, headers={"Content-Type": "application/json"}
        )
        assert (400, detail) == (answer.status_code, answer.json()["detail"])

    def test_not_json_content_type_is_415(self, client: httpx.Client) -> None:
        answer = client.post("/score", content=b"{}", headers={"Content-Type": "text/csv"})
        assert 415 == answer.status_code
        assert (
            "request body: expected Content-Type application/json (got 'text/csv')"
            == (answer.json()["detail"])
        )

    def test_json_with_a_charset_is_json(self, client: httpx.Client) -> None:
        answer = client.post(
            "/score",
            content=json.dumps(EXAMPLE).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert 200 == answer.status_code

    def test_unknown_endpoint_is_404(self, client: httpx.Client) -> None:
        answer = client.get("/scores")
        assert (404, "application/problem+json") == (
            answer.status_code,
            answer.headers["content-type"],
        )

    def test_wrong_method_is_405_with_allow(self, client: httpx.Client) -> None:
        answer = client.get("/score")
        assert (405, "OPTIONS, POST") == (answer.status_code, answer.headers["allow"])

    def test_a_body_over_the_limit_is_413(self) -> None:
        with running(create_app(max_body=2_000)) as url, httpx.Client(base_url=url) as http:
            small = post(http, "/score", EXAMPLE)
            large = post(http, "/score", {**EXAMPLE, "people": [f"p{i:05d}" for i in range(500)]})
        assert (200, 413) == (small.status_code, large.status_code)
        assert large.json()["detail"].startswith(
            "request body: 5,826 bytes; expected at most 2,000"
        )

    def test_an_unexpected_failure_is_a_problem_never_a_partial_answer(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from kpiscore.server import _app

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(_app, "score_many", broken)
        with running(create_app()) as url, httpx.Client(base_url=url) as http:
            answer = post(http, "/score", EXAMPLE)
        assert (500, "application/problem+json") == (
            answer.status_code,
            answer.headers["content-type"],
        )
        assert "boom" not in answer.text


# --------------------------------------------------------------------------- auth


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    """The URL of a server that wants a bearer token."""
    with running(create_app(token=TOKEN)) as url:
        yield url


class TestAuth:
    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}],
        ids=["none", "wrong", "not-bearer"],
    )
    def test_no_token_is_401(self, guarded: str, headers: dict[str, str]) -> None:
        answer = httpx.get(f"{guarded}/policies", headers=headers)
        assert (401, 'Bearer realm="kpiscore"') == (
            answer.status_code,
            answer.headers["www-authenticate"],
        )
        assert "application/problem+json" == answer.headers["content-type"]

    def test_the_token_is_served(self, guarded: str) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        answer = httpx.post(f"{guarded}/score", content=json.dumps(EXAMPLE), headers=headers)
        assert 200 == answer.status_code

    def test_the_body_is_not_read_before_the_token(self, guarded: str) -> None:
        answer = httpx.post(
            f"{guarded}/score", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert 401 == answer.status_code

    def test_the_documents_stay_open(self, guarded: str) -> None:
        document = httpx.get(f"{guarded}/openapi.json").json()
        assert (200, {"bearer": []}) == (
            httpx.get(f"{guarded}/docs").status_code,
            document["security"][0],
        )

    @pytest.mark.parametrize("token", ["", "  "], ids=["empty", "blank"])
    def test_an_empty_token_is_refused(self, token: str) -> None:
        with pytest.raises(ValueError, match="token must be a non-empty string"):
            create_app(token=token)


# --------------------------------------------------------------------------- OpenAPI


class TestOpenAPI:
    def test_canonical_bytes(self, client: httpx.Client) -> None:
        answer = client.get("/openapi.json")
        assert canonical_json(answer.json()) == answer.content

    def test_every_endpoint_is_documented(self, openapi: dict[str, Any]) -> None:
        assert {
            "/policies": ["get"],
            "/policies/{policy_id}": ["get"],
            "/validate": ["post"],
            "/score": ["post"],
            "/explain": ["post"],
            "/compare": ["post"],
            "/healthz": ["get"],
            "/readyz": ["get"],
        } == {path: sorted(item) for path, item in openapi["paths"].items()}

    def test_the_policy_schema_is_the_librarys(self, openapi: dict[str, Any]) -> None:
        from kpiscore import policy_schema

        library = policy_schema()["$defs"]["Criterion"]
        documented = openapi["components"]["schemas"]["Criterion"]
        assert (sorted(library["properties"]), library["required"]) == (
            sorted(documented["properties"]),
            documented["required"],
        )

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_a_policy_tree_matches_the_policy_component(
        self, openapi: dict[str, Any], policy_id: str
    ) -> None:
        check_body(openapi, "Policy", policies.load(policy_id).to_dict())

    def test_the_examples_are_accepted(self, client: httpx.Client) -> None:
        assert [200, 200, 200] == [
            post(client, path, body).status_code
            for path, body in (
                ("/score", EXAMPLE),
                ("/explain", EXPLAIN_EXAMPLE),
                ("/compare", COMPARE_EXAMPLE),
            )
        ]

    @pytest.mark.parametrize("cls", [ScoreRequest, ExplainRequest, CompareRequest])
    def test_every_request_field_has_a_reader(self, cls: type) -> None:
        import attrs

        assert set() == {field.name for field in attrs.fields(cls)} - set(READERS)


# --------------------------------------------------------------------------- the command


class TestCommand:
    def parse(self, *argv: str) -> argparse.Namespace:
        parser = argparse.ArgumentParser(prog="kpiscore")
        add_serve_parser(parser.add_subparsers(dest="command"))
        return parser.parse_args(["serve", *argv])

    def test_defaults(self) -> None:
        args = self.parse()
        assert ("127.0.0.1", 8000, None, None, DEFAULT_MAX_BODY, serve) == (
            args.host,
            args.port,
            args.policies,
            args.token_file,
            args.max_body,
            args.handler,
        )

    @pytest.mark.parametrize(
        ("host", "loopback"),
        [
            ("127.0.0.1", True),
            ("127.8.0.1", True),
            ("::1", True),
            ("[::1]", True),
            ("localhost", True),
            ("0.0.0.0", False),  # noqa: S104 - checked, not bound
            ("::", False),
            ("10.0.0.5", False),
            ("hr.example.gov.vn", False),
        ],
        ids=str,
    )
    def test_is_loopback(self, host: str, loopback: bool) -> None:
        assert loopback == is_loopback(host)

    def test_no_token_on_a_public_address_refuses_to_start(self) -> None:
        with pytest.raises(ServerError) as raised:
            serve(self.parse("--host", "0.0.0.0"))  # noqa: S104 - refused before binding
        assert (
            "--host '0.0.0.0' is not a loopback address: anyone on the network could call the"
            " server; give --token-file FILE so that only callers with the token are served (or"
            " listen on 127.0.0.1)"
        ) == str(raised.value)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("", "the file is empty; expected a token"),
            ("short", "expected one token a line, of at least 32 characters with no white space"),
            ("two words but long enough", "with no white space"),
        ],
        ids=["empty", "short", "spaces"],
    )
    def test_a_bad_token_file(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "token"
        path.write_text(content, encoding="utf-8")
        path.chmod(0o600)
        with pytest.raises(ServerError, match=message):
            read_token(path)

    def test_a_missing_token_file(self, tmp_path: Path) -> None:
        with pytest.raises(ServerError, match="cannot be read"):
            read_token(tmp_path / "absent")

    def test_the_token_file_is_stripped(self, tmp_path: Path) -> None:
        path = tmp_path / "token"
        path.write_text(f"  {TOKEN}\n", encoding="utf-8")
        path.chmod(0o600)
        assert TOKEN == read_token(path)

    def test_serve_runs_the_app(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN, encoding="utf-8")
        token_file.chmod(0o600)
        calls: list[dict[str, Any]] = []
        monkeypatch.setattr(
            "kpiscore.server._run.run", lambda app_for_worker, **options: calls.append(options)
        )
        public = "0.0.0.0"  # noqa: S104 - allowed with a token; the run is replaced
        status = serve(self.parse("--host", public, "--port", "9", "--token-file", str(token_file)))
        assert (0, public, 9) == (status, calls[0]["host"], calls[0]["port"])

    def test_main_reports_an_error_and_returns_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        from kpiscore.server import main

        assert 2 == main(["--policies", str(tmp_path / "absent")])
        assert capsys.readouterr().err.startswith("kpiscore: error: policies folder")

    def test_python_m_kpiscore_server_serves(self, tmp_path: Path) -> None:
        """The real command in a subprocess, with a token, on a public-looking refusal first."""
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN, encoding="utf-8")
        token_file.chmod(0o600)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        command = [sys.executable, "-m", "kpiscore.server", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--token-file", str(token_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            answer = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    answer = httpx.get(
                        f"http://127.0.0.1:{port}/policies",
                        headers={"Authorization": f"Bearer {TOKEN}"},
                    )
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert answer is not None
            assert 200 == answer.status_code
        finally:
            process.terminate()
            process.wait(10)
            assert process.stdout is not None
            process.stdout.close()

    def test_python_m_kpiscore_server_refuses_a_public_address(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "kpiscore.server", "--host", "0.0.0.0"],  # noqa: S104
            capture_output=True,
            text=True,
            check=False,
        )
        assert 2 == result.returncode
        assert result.stderr.startswith("kpiscore: error: --host '0.0.0.0' is not a loopback")


class TestExtra:
    def test_import_kpiscore_does_not_import_litestar(self) -> None:
        code = (
            "import sys, kpiscore, kpiscore.server, kpiscore.cli;"
            "print(sorted(m for m in ('litestar', 'uvicorn') if m in sys.modules))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == result.stdout.strip()

    def test_without_litestar_the_error_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "litestar", None)
        with pytest.raises(MissingExtraError, match=r"pip install 'kpiscore\[server\]'"):
            create_app()
