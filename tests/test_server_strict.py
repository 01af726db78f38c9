"""Strict facts reach the HTTP service: notices in the answers, ``unknown_kinds`` and
``duplicates`` in the requests, their problems with stable types."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra is part of the test extra")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("jsonschema")

from kpiscore import policies, score_many  # noqa: E402 - after the skips
from kpiscore.server import create_app  # noqa: E402
from kpiscore.server._openapi import COMPARE_EXAMPLE, EXAMPLE, EXPLAIN_EXAMPLE  # noqa: E402
from test_server import UNIVERSITY, check_body, facts, post, running  # noqa: E402

OUTSIDE = {"subject": "gv001", "kind": "training_absence", "on": "2026-05-04"}
MISSPELT = {"subject": "gv001", "kind": "training_absense", "on": "2026-01-20"}
TWICE = {"subject": "gv001", "kind": "training_absence", "on": "2026-01-20", "ref": "QD-17"}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with running(create_app()) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def openapi(client: httpx.Client) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def with_events(request: dict[str, Any], *events: dict[str, Any], **keys: str) -> dict[str, Any]:
    body = copy.deepcopy(request)
    body["events"] = [*body["events"], *events]
    body.update(keys)
    return body


def notices(answer: httpx.Response) -> list[dict[str, Any]]:
    assert 200 == answer.status_code, answer.text
    found: list[dict[str, Any]] = answer.json()["notices"]
    return found


class TestNotices:
    def test_score_counts_the_events_outside_the_period_and_the_excused(
        self, client: httpx.Client, openapi: dict[str, Any]
    ) -> None:
        body = with_events(EXAMPLE, OUTSIDE)
        answer = post(client, "/score", body)
        check_body(openapi, "ScoreTableBody", answer.json())
        assert [
            {"what": "events", "count": 1, "why": "outside the period"},
            {"what": "events", "count": 1, "why": "excused"},
        ] == notices(answer)

    def test_the_notices_are_the_librarys(self, client: httpx.Client) -> None:
        body = with_events(EXAMPLE, OUTSIDE, {**OUTSIDE, "on": "2025-12-31"})
        table = score_many(policies.load(UNIVERSITY), "2026-Q1", **facts(body))
        assert [(n.what, n.count, n.why) for n in table.notices] == [
            (n["what"], n["count"], n["why"]) for n in notices(post(client, "/score", body))
        ]

    def test_nothing_left_out_no_notice(self, client: httpx.Client) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["events"] = [e for e in body["events"] if not e.get("excused")]
        assert [] == notices(post(client, "/score", body))

    def test_explain_and_compare_say_them_too(
        self, client: httpx.Client, openapi: dict[str, Any]
    ) -> None:
        explained = post(client, "/explain", with_events(EXPLAIN_EXAMPLE, OUTSIDE))
        compared = post(client, "/compare", with_events(COMPARE_EXAMPLE, OUTSIDE, OUTSIDE))
        check_body(openapi, "ExplainBody", explained.json())
        check_body(openapi, "ComparisonBody", compared.json())
        assert [1, 1] == [n["count"] for n in notices(explained)]
        assert [
            {"what": "events", "count": 2, "why": "outside the period"},
            {"what": "events", "count": 1, "why": "excused"},
        ] == notices(compared)

    def test_the_schema_documents_them(self, openapi: dict[str, Any]) -> None:
        schemas = openapi["components"]["schemas"]
        for body in ("ScoreTableBody", "ExplainBody", "ComparisonBody"):
            assert "notices" in schemas[body]["required"], body
            assert {"$ref": "#/components/schemas/NoticeBody"} == schemas[body]["properties"][
                "notices"
            ]["items"]
        assert {"outside the period", "excused"} == set(
            schemas["NoticeBody"]["properties"]["why"]["enum"]
        )


class TestUnknownKinds:
    def test_an_unknown_kind_is_a_422_of_its_own_type(self, client: httpx.Client) -> None:
        answer = post(client, "/score", with_events(EXAMPLE, MISSPELT))
        problem = answer.json()
        assert (422, "urn:kpiscore:problem:unknown-kind", "UnknownKindError") == (
            answer.status_code,
            problem["type"],
            problem["error"],
        )
        assert "did you mean 'training_absence'?" in problem["detail"]
        assert "events[3]" == problem["path"]

    def test_ignore_leaves_it_out(self, client: httpx.Client) -> None:
        ignored = post(client, "/score", with_events(EXAMPLE, MISSPELT, unknown_kinds="ignore"))
        plain = post(client, "/score", EXAMPLE)
        assert 200 == ignored.status_code, ignored.text
        assert plain.json()["scorecards"] == ignored.json()["scorecards"]

    def test_explicit_error_is_the_default(self, client: httpx.Client) -> None:
        answer = post(
            client, "/explain", with_events(EXPLAIN_EXAMPLE, MISSPELT, unknown_kinds="error")
        )
        assert (422, "UnknownKindError") == (answer.status_code, answer.json()["error"])


class TestDuplicates:
    def test_a_repeated_ref_is_a_422_naming_it(self, client: httpx.Client) -> None:
        answer = post(client, "/score", with_events(EXAMPLE, TWICE, TWICE))
        problem = answer.json()
        assert (422, "urn:kpiscore:problem:duplicate-event", "DuplicateEventError") == (
            answer.status_code,
            problem["type"],
            problem["error"],
        )
        assert "QD-17" in problem["detail"]
        assert "events[4]" == problem["path"]
        assert "application/problem+json" == answer.headers["content-type"]

    def test_allow_counts_both(self, client: httpx.Client) -> None:
        once = post(client, "/score", with_events(EXAMPLE, TWICE))
        twice = post(client, "/score", with_events(EXAMPLE, TWICE, TWICE, duplicates="allow"))
        totals = [
            {card["subject"]: card["total"] for card in answer.json()["scorecards"]}
            for answer in (once, twice)
        ]
        assert totals[0]["gv001"] != totals[1]["gv001"]
        assert totals[0]["gv002"] == totals[1]["gv002"]

    def test_compare_refuses_them_too(self, client: httpx.Client) -> None:
        answer = post(client, "/compare", with_events(COMPARE_EXAMPLE, TWICE, TWICE))
        assert (422, "urn:kpiscore:problem:duplicate-event") == (
            answer.status_code,
            answer.json()["type"],
        )

    def test_mixed_problems_are_invalid_input(self, client: httpx.Client) -> None:
        answer = post(client, "/score", with_events(EXAMPLE, TWICE, TWICE, MISSPELT))
        problem = answer.json()
        assert (422, "urn:kpiscore:problem:invalid-input") == (answer.status_code, problem["type"])
        assert {"DuplicateEventError", "UnknownKindError"} == {
            e["error"] for e in problem["errors"]
        }


class TestKeys:
    @pytest.mark.parametrize(
        ("key", "allowed"),
        [("unknown_kinds", ["error", "ignore"]), ("duplicates", ["error", "allow"])],
    )
    @pytest.mark.parametrize("operation", ["ScoreRequest", "ExplainRequest"])
    def test_in_the_schema_as_an_enum_with_the_librarys_default(
        self, openapi: dict[str, Any], operation: str, key: str, allowed: list[str]
    ) -> None:
        prop = openapi["components"]["schemas"][operation]["properties"][key]
        assert (allowed, "error") == (prop["enum"], prop["default"])
        assert key not in openapi["components"]["schemas"][operation].get("required", [])

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("unknown_kinds", "allow"),
            ("duplicates", "ignore"),
            ("duplicates", None),
            ("unknown_kinds", 1),
        ],
    )
    def test_another_value_is_refused_naming_the_choices(
        self, client: httpx.Client, key: str, value: object
    ) -> None:
        body = {**EXAMPLE, key: value}
        answer = post(client, "/score", body)
        problem = answer.json()
        assert (422, key) == (answer.status_code, problem["path"])
        assert problem["detail"].startswith(f"{key}: expected '")
        assert json.dumps(value) in problem["detail"] or repr(value) in problem["detail"]
