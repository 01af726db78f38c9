"""The caller's decimal context never changes a figure (DESIGN.md §3; issue 19 #1).

Every public entry point and every bundled policy runs under hostile thread contexts: a
precision of 3, traps on ``Rounded`` and ``Inexact``, and ``ROUND_FLOOR``. The figures must be
those computed under the default context, and nothing may raise.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kpiscore
from kpiscore import (
    Band,
    Category,
    Criterion,
    Measure,
    Person,
    Policy,
    load_policy,
    rollup,
    score,
    score_many,
)
from kpiscore.engine.compile import clear_cache
from kpiscore.payout import payout_rows
from kpiscore.policies import available, source
from kpiscore.quota import apply_quota
from kpiscore.testing import bundled_cases, run_cases
from kpiscore.variants import compare

HOSTILE = {
    "prec=3": decimal.Context(prec=3),
    "traps Rounded": decimal.Context(traps=[decimal.Rounded]),
    "traps Inexact": decimal.Context(traps=[decimal.Inexact]),
    "prec=4 traps Rounded": decimal.Context(prec=4, traps=[decimal.Rounded, decimal.Inexact]),
    "ROUND_FLOOR prec=2": decimal.Context(prec=2, rounding=decimal.ROUND_FLOOR),
}

CASES_DIR = Path(kpiscore.__file__).parent / "policies" / "cases"


BANDS = [
    Band(id="HTXS", name="Excellent", min_points=110),
    Band(id="HTT", name="Good", min_points=100),
    Band(id="HT", name="Done", min_points=50),
    Band(id="KHT", name="Not done", min_points=0),
]


def policy() -> Policy:
    """The issue's example: full 100 + full 5.25 + assessed 10 (measure 10) = 115.25."""
    return Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="a", name="A", max_points=100),
                    Criterion(id="b", name="B", max_points="5.25"),
                    Criterion(id="m", name="M", max_points=10, basis="assessed"),
                ],
            )
        ],
        bands=BANDS,
    )


MEASURES = [Measure(subject="x", criterion="m", value=10)]


@pytest.fixture(params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request: pytest.FixtureRequest) -> Iterator[decimal.Context]:
    """Run the test body under one hostile context, with a cold compiled-policy cache."""
    clear_cache()
    with decimal.localcontext(HOSTILE[request.param]) as context:
        yield context
    clear_cache()


def calm(call: Callable[[], Any]) -> Any:
    """``call()`` under the default context (the expected figures)."""
    clear_cache()
    with decimal.localcontext(decimal.Context()):
        return call()


def test_score(hostile: decimal.Context) -> None:
    assert score(policy(), "2026-01", "x", measures=MEASURES).total == Decimal("115.25")


def test_score_with_a_policy_compiled_elsewhere(hostile: decimal.Context) -> None:
    # The compiled form is cached per policy: a policy first compiled under a hostile context
    # and then used under the default one (and the reverse) gives the same figures.
    shared = policy()
    first = score(shared, "2026-01", "x", measures=MEASURES).total
    with decimal.localcontext(decimal.Context()):
        second = score(shared, "2026-01", "x", measures=MEASURES).total
    assert first == second == Decimal("115.25")


def test_score_many_and_its_ledger(hostile: decimal.Context) -> None:
    table = score_many(policy(), "2026-01", ["x"], measures=MEASURES)
    card = table["x"]
    assert card.total == Decimal("115.25")
    assert [c.points for c in card.categories] == [Decimal("115.25")]


def test_score_frame(hostile: decimal.Context) -> None:
    pd = pytest.importorskip("pandas")
    people = pd.DataFrame({"id": ["x"]})
    events = pd.DataFrame({"subject": [], "kind": [], "on": []})
    measures = pd.DataFrame({"subject": ["x"], "criterion": ["m"], "value": ["10"]})
    table = kpiscore.score_frame(policy(), "2026-01", people, events, measures)
    assert table["x"].total == Decimal("115.25")


def test_the_cli_fast_path(hostile: decimal.Context, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    from kpiscore.io.fastcsv import score_csv_files

    people = tmp_path / "people.csv"
    people.write_text("id\nx\n", encoding="utf-8")
    measures = tmp_path / "measures.csv"
    measures.write_text("subject,criterion,value\nx,m,10\n", encoding="utf-8")
    table = score_csv_files(policy(), kpiscore.Period.parse("2026-01"), people, None, measures)
    assert table is not None
    assert table["x"].total == Decimal("115.25")


def test_rollup(hostile: decimal.Context) -> None:
    cards = [score(policy(), f"2026-0{m}", "x", measures=MEASURES) for m in (1, 2, 3)]
    assert rollup(cards, "2026-Q1").total == Decimal("115.25")


def test_apply_quota(hostile: decimal.Context) -> None:
    def run() -> list[Any]:
        table = score_many(
            policy(),
            "2026-01",
            [Person(id=s) for s in "xyz"],
            measures=[
                Measure(subject=s, criterion="m", value=v)
                for s, v in zip("xyz", (10, 3, 7), strict=True)
            ],
        )
        return [card.rating for card in apply_quota(table, share="0.34")]

    assert run() == calm(run)


def test_payout_rows(hostile: decimal.Context) -> None:
    def run() -> list[Any]:
        table = score_many(policy(), "2026-03", [Person(id="x", unit="U")], measures=MEASURES)
        return [row["payout"] for row in payout_rows(table, "danang-2026", {"x": "7020001"})]

    assert run() == calm(run)


def test_variants_compare(hostile: decimal.Context) -> None:
    base = policy()
    variant = Policy(
        id="v",
        name="V",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="a", name="A", max_points=100),
                    Criterion(id="b", name="B", max_points="5.5"),
                    Criterion(id="m", name="M", max_points=10, basis="assessed"),
                ],
            )
        ],
        bands=BANDS,
    )

    def run() -> list[Any]:
        comparison = compare(base, variant, "2026-01", ["x"], measures=MEASURES)
        return [(row.base_total, row.variant_total, row.delta) for row in comparison.rows]

    assert run() == calm(run) == [(Decimal("115.25"), Decimal("115.50"), Decimal("0.25"))]


@pytest.mark.parametrize("policy_id", available())
def test_load_every_bundled_policy(hostile: decimal.Context, policy_id: str) -> None:
    # load() caches, so read the text afresh: the reading itself must ignore the context.
    def run() -> tuple[Any, ...]:
        loaded = load_policy(source(policy_id))
        return loaded.fingerprint, loaded.max_total, loaded.bands_descending

    assert run() == calm(run)


def test_run_cases_of_every_bundled_policy(hostile: decimal.Context) -> None:
    report = run_cases([CASES_DIR])
    assert not report.problems
    assert report.results
    assert all(result.passed for result in report.results), [
        result for result in report.results if not result.passed
    ]


def test_bundled_cases(hostile: decimal.Context) -> None:
    assert all(case.run().passed for case in bundled_cases())


def test_the_command_line_runs_the_bundled_cases(
    hostile: decimal.Context, capsys: pytest.CaptureFixture[str]
) -> None:
    # `kpiscore test --bundled` crashed on the leader policy under a trapping context.
    from kpiscore.cli import main

    assert 0 == main(["test", "--bundled"])
    assert " 0 failed" in capsys.readouterr().out
