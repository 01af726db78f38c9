"""Every decimal field of every answer has one scale: a property test over random policies.

For random policies, facts and precisions, the answers of ``/score``, ``/explain`` and
``/compare`` are walked without the server's own list of decimal fields: every string that is a
decimal number is grouped by its place in the tree (list indices dropped), and each place must
hold one number of decimals; the reported figures have exactly the policy's decimals; and each
value equals the library's (only zeros added).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra is part of the test extra")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from kpiscore import Event, Measure, Policy, dump_policy, policies, score_many
from kpiscore.server import create_app
from kpiscore.server._scales import decimals_of, fix_scales

sys.path.insert(0, str(Path(__file__).parent / "property"))
from engine_strategies import PERIOD, SUBJECTS, events, measures_for
from engine_strategies import policies as random_policies

DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
#: Places whose values are text that may look like a number (ids, versions, labels).
NOT_NUMBERS = re.compile(r"(^|\.)(id|subject|policy_version|version|period|name|unit|rule)$")
#: Places the library quantizes: exactly the policy's decimals.
REPORTED = re.compile(
    r"(scorecards\[\]|scorecard)\.(total|carried|categories\[\]\.points"
    r"|categories\[\]\.criteria\[\]\.points)$"
    r"|rows\[\]\.(base_total|variant_total|delta|(categories|criteria)\[\]\."
    r"(base_points|variant_points|delta))$"
    r"|summary\.(mean|min|max)_delta$"
)


def decimal_places(tree: object, place: str = "") -> Iterator[tuple[str, str]]:
    """Every decimal string of a tree, with its place (``scorecards[].total``)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from decimal_places(value, f"{place}.{key}" if place else key)
    elif isinstance(tree, list):
        for item in tree:
            yield from decimal_places(item, f"{place}[]")
    elif isinstance(tree, str) and DECIMAL.match(tree) and not NOT_NUMBERS.search(place):
        yield place, tree


def scales(tree: object) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for place, text in decimal_places(tree):
        found.setdefault(place, set()).add(len(text.partition(".")[2]))
    return found


def check_fixed(tree: object, decimals: int) -> None:
    found = scales(tree)
    assert {} == {place: s for place, s in found.items() if len(s) != 1}
    reported = {place: s for place, s in found.items() if REPORTED.search(place)}
    assert all(s == {decimals} for s in reported.values()), (decimals, reported)
    assert all(min(s) >= 0 for s in found.values())


def same_values(library: object, answer: object) -> bool:
    if isinstance(library, dict) and isinstance(answer, dict):
        return library.keys() == answer.keys() and all(
            same_values(library[k], answer[k]) for k in library
        )
    if isinstance(library, list) and isinstance(answer, list):
        return len(library) == len(answer) and all(map(same_values, library, answer))
    if library == answer:
        return True
    return (
        isinstance(library, str)
        and isinstance(answer, str)
        and answer.startswith(library)
        and set(answer[len(library) :]) <= set(".0")
        and Decimal(library) == Decimal(answer)
    )


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with TestClient(create_app(allowed_hosts=None)) as http:
        yield http


def body_of(policy: Policy, facts_events: list[Event], facts_measures: list[Measure]) -> Any:
    return {
        "policy": json.loads(dump_policy(policy, "json")),
        "period": PERIOD.label,
        "people": list(SUBJECTS),
        "events": [
            {
                "subject": e.subject,
                "kind": e.kind,
                "on": e.on.isoformat(),
                "quantity": str(e.quantity),
                "excused": e.excused,
            }
            for e in facts_events
            if PERIOD.start <= e.on <= PERIOD.end
        ],
        "measures": [
            {"subject": m.subject, "criterion": m.criterion, "value": str(m.value)}
            for m in facts_measures
        ],
    }


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_decimal_field_of_every_answer_has_one_scale(
    client: TestClient[Any], data: st.DataObject
) -> None:
    policy = data.draw(random_policies())
    facts_events = data.draw(events())
    facts_measures = measures_for(policy, data.draw)
    body = body_of(policy, facts_events, facts_measures)
    decimals = decimals_of(policy.precision)

    scored = client.post("/score", json=body)
    assert 200 == scored.status_code, scored.text
    check_fixed(scored.json(), decimals)
    library = score_many(
        policy,
        PERIOD,
        SUBJECTS,
        events=[e for e in facts_events if PERIOD.start <= e.on <= PERIOD.end],
        measures=facts_measures,
    )
    answer = scored.json()
    # The body holds the period's events only: the notices are the excused ones, as the library's.
    notices = [{"what": n.what, "count": n.count, "why": n.why} for n in library.notices]
    assert notices == answer.pop("notices")
    assert same_values(json.loads(library.to_json()), answer)

    explained = client.post(
        "/explain", json={**body, "subject": data.draw(st.sampled_from(SUBJECTS))}
    )
    assert 200 == explained.status_code, explained.text
    check_fixed(explained.json(), decimals)

    finer = data.draw(st.sampled_from(("1", "0.1", "0.01", "0.001")))
    compare = {key: value for key, value in body.items() if key != "policy"}
    compared = client.post(
        "/compare", json={**compare, "base": body["policy"], "overlay": {"precision": finer}}
    )
    assert 200 == compared.status_code, compared.text
    check_fixed(compared.json(), max(decimals, decimals_of(Decimal(finer))))


def test_the_listing_has_the_finest_precision_of_its_policies(tmp_path: Path) -> None:
    tree = policies.load("university-kpi-example").to_dict()
    for policy_id, precision in (("coarse", "1"), ("fine", "0.001")):
        tree.update(id=policy_id, precision=precision)
        (tmp_path / f"{policy_id}.json").write_text(
            dump_policy(Policy.from_dict(tree), "json"), encoding="utf-8"
        )
    with TestClient(create_app(tmp_path, allowed_hosts=None)) as http:
        listing = http.get("/policies").json()
    assert {"policies[].max_total": {3}} == scales(listing)


def test_padding_only_adds_zeros() -> None:
    tree: Any = {
        "scorecards": [
            {"total": "1.5", "max_total": "100", "categories": []},
            {"total": "-2.125", "max_total": "100", "categories": []},
        ]
    }
    fixed = fix_scales(tree, "ScoreTableBody", 2)
    assert [("1.500", "100.00"), ("-2.125", "100.00")] == [
        (card["total"], card["max_total"]) for card in fixed["scorecards"]
    ]


def test_the_document_gives_every_answer_decimal_its_format_and_scale() -> None:
    from kpiscore.server._scales import DECIMALS

    schemas = create_app().openapi_schema.to_schema()["components"]["schemas"]
    for body, fields in DECIMALS.items():
        for field in fields:
            prop = schemas[body]["properties"][field]
            branches = [prop, *prop.get("oneOf", [])]
            assert any(b.get("format") == "decimal" for b in branches), (body, field)
            assert "decimals" in prop["description"], (body, field)
