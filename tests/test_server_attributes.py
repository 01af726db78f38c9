"""The service takes and answers a person's other attributes (issue 16)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra is part of the test extra")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("jsonschema")

from kpiscore.server import create_app  # noqa: E402 - after the skips
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
