"""The service (issue 16): a person's other attributes taken and answered; ``/compare`` takes
``unknown_kinds`` and ``duplicates`` as ``/score`` does."""

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

from kpiscore.server import create_app  # noqa: E402 - after the skips
from kpiscore.server._openapi import COMPARE_EXAMPLE  # noqa: E402
from test_server import UNIVERSITY, check_body, post, running  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with running(create_app()) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def body(attributes: object) -> dict[str, Any]:
    criteria = ("key_tasks", "research", "workload")
    return {
        "policy": UNIVERSITY,
        "period": "2026-Q1",
        "people": [{"id": "nv1", "unit": "P1", "attributes": attributes}, "nv2"],
        "measures": [
            {"subject": s, "criterion": c, "value": "0.9"} for s in ("nv1", "nv2") for c in criteria
        ]
        + [{"subject": s, "criterion": "collaboration", "value": "2"} for s in ("nv1", "nv2")],
    }


def test_attributes_are_taken_and_answered(client: httpx.Client) -> None:
    answer = post(client, "/score", body({"grade": "A1"}))
    assert 200 == answer.status_code, answer.text
    people = [card["person"] for card in answer.json()["scorecards"]]
    assert {"grade": "A1"} == people[0]["attributes"]
    assert "attributes" not in people[1]  # none: the key is left out, as Person.to_dict does
    document = client.get("/openapi.json").json()
    check_body(document, "ScoreTableBody", json.loads(answer.text))
    schema = document["components"]["schemas"]["Person"]["properties"]["attributes"]
    assert {"type": "string"} == schema["additionalProperties"]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"Unit": "x"}, "attribute 'Unit' differs only by case from the person field 'unit'"),
        ({"grade": 3}, "expected an object of strings"),
        (["grade"], "expected an object of strings"),
    ],
)
def test_bad_attributes_are_a_problem_at_their_path(
    client: httpx.Client, attributes: object, message: str
) -> None:
    answer = post(client, "/score", body(attributes))
    assert 422 == answer.status_code
    problem = answer.json()
    assert "people[0].attributes" == problem["path"]
    assert message in problem["detail"]


MISSPELT = {"subject": "gv001", "kind": "training_absense", "on": "2026-01-20"}
TWICE = {"subject": "gv001", "kind": "training_absence", "on": "2026-01-20", "ref": "QD-17"}


def comparing(*events: dict[str, Any], **keys: str) -> dict[str, Any]:
    request = copy.deepcopy(COMPARE_EXAMPLE)
    request["events"] = [*request["events"], *events]
    request.update(keys)
    return request


class TestCompareOptions:
    def test_an_unknown_kind_is_refused_unless_ignored(self, client: httpx.Client) -> None:
        refused = post(client, "/compare", comparing(MISSPELT))
        assert (422, "urn:kpiscore:problem:unknown-kind") == (
            refused.status_code,
            refused.json()["type"],
        )
        assert "events[3]" == refused.json()["path"]
        ignored = post(client, "/compare", comparing(MISSPELT, unknown_kinds="ignore"))
        plain = post(client, "/compare", comparing())
        assert 200 == ignored.status_code, ignored.text
        assert plain.json()["rows"] == ignored.json()["rows"]

    def test_a_repeated_event_counts_twice_when_allowed(self, client: httpx.Client) -> None:
        once = post(client, "/compare", comparing(TWICE))
        twice = post(client, "/compare", comparing(TWICE, TWICE, duplicates="allow"))
        assert 200 == twice.status_code, twice.text
        rows = [
            {row["subject"]: row["base_total"] for row in a.json()["rows"]} for a in (once, twice)
        ]
        assert rows[0]["gv001"] != rows[1]["gv001"]
        assert rows[0]["gv002"] == rows[1]["gv002"]

    @pytest.mark.parametrize(
        ("key", "allowed"),
        [("unknown_kinds", ["error", "ignore"]), ("duplicates", ["error", "allow"])],
    )
    def test_in_the_schema_with_the_librarys_default(
        self, client: httpx.Client, key: str, allowed: list[str]
    ) -> None:
        schema = client.get("/openapi.json").json()["components"]["schemas"]["CompareRequest"]
        assert (allowed, "error") == (
            schema["properties"][key]["enum"],
            schema["properties"][key]["default"],
        )
        assert key not in schema.get("required", [])

    def test_another_value_is_refused(self, client: httpx.Client) -> None:
        answer = post(client, "/compare", comparing(duplicates="ignore"))
        assert (422, "duplicates") == (answer.status_code, answer.json()["path"])
