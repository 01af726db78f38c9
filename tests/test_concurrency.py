"""Concurrency: scoring from many threads at once on shared policies gives the serial results.

Policies, facts and scorecards are frozen; the engine keeps its working state on the call stack
and runs its arithmetic in a thread-local copy of kpiscore's decimal context; ledgers built on
first read are pure functions of what the scorecard holds. These tests run the work from 8
threads released together by a barrier, and check that no module-level mutable object of the
library changes while it runs.
"""

from __future__ import annotations

import copy
import decimal
import importlib
import json
import pkgutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, TypeVar

import pytest

import kpiscore
from kpiscore import Policy, ScoreTable, load_policy, policies, score, score_many
from kpiscore.cli.demo import DEMO_PERIOD, DEMO_POLICY, sample_facts
from kpiscore.io.load import dump_policy
from kpiscore.model.numbers import _ROUNDER, EXACT

THREADS = 8
_T = TypeVar("_T")


def all_at_once(work: Callable[[int], _T]) -> list[_T]:
    """Run ``work(i)`` for i in 0..7 in 8 threads that all start at the same moment."""
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> _T:
        barrier.wait(timeout=60)
        return work(index)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def stricter(policy: Policy) -> Policy:
    """A second policy: the same tree with the top band 5 points higher."""
    tree = json.loads(dump_policy(policy, "json"))
    top = max(tree["bands"], key=lambda band: float(band["min_points"]))
    top["min_points"] = str(int(top["min_points"]) + 5)
    return load_policy(json.dumps(tree))


@pytest.fixture(scope="module")
def shared() -> tuple[tuple[Policy, Policy], Any]:
    base = policies.load(DEMO_POLICY)
    return (base, stricter(base)), sample_facts()


class TestScoreMany:
    def test_eight_threads_on_shared_policies_equal_the_serial_run(
        self, shared: tuple[tuple[Policy, Policy], Any]
    ) -> None:
        (first, second), (people, events, measures) = shared
        chosen = [first if index % 2 else second for index in range(THREADS)]
        serial = [
            score_many(policy, DEMO_PERIOD, people, events, measures).to_json() for policy in chosen
        ]
        parallel = all_at_once(
            lambda index: score_many(chosen[index], DEMO_PERIOD, people, events, measures).to_json()
        )
        assert serial == parallel
        assert serial[0] != serial[1]  # the two policies do differ

    def test_eight_threads_scoring_one_person_each_equal_the_serial_run(
        self, shared: tuple[tuple[Policy, Policy], Any]
    ) -> None:
        (policy, _), (people, events, measures) = shared
        chosen = people[:THREADS]
        serial = [score(policy, DEMO_PERIOD, person, events, measures) for person in chosen]
        parallel = all_at_once(
            lambda index: score(policy, DEMO_PERIOD, chosen[index], events, measures)
        )
        assert [card.to_json() for card in serial] == [card.to_json() for card in parallel]

    def test_threads_with_different_decimal_contexts_agree(
        self, shared: tuple[tuple[Policy, Policy], Any]
    ) -> None:
        (policy, _), (people, events, measures) = shared
        expected = score_many(policy, DEMO_PERIOD, people, events, measures).to_json()

        def work(index: int) -> str:
            context = decimal.Context(
                prec=3 + index, rounding=decimal.ROUND_FLOOR if index % 2 else decimal.ROUND_UP
            )
            with decimal.localcontext(context):
                return score_many(policy, DEMO_PERIOD, people, events, measures).to_json()

        assert [expected] * THREADS == all_at_once(work)


def reading(table: ScoreTable, index: int) -> list[str]:
    """Everything a reader of a table asks for, in an order that depends on ``index``."""
    cards = list(table)
    cards = cards[index * 37 % len(cards) :] + cards[: index * 37 % len(cards)]
    seen = []
    for card in cards[:60]:
        seen.append(json.dumps([str(line) for line in card.categories], sort_keys=True))
        seen.append(card.explain(lang="vi" if index % 2 else "en"))
    return sorted(seen)


class TestLazyLedgers:
    def test_ledgers_built_on_first_read_from_8_threads_equal_the_serial_ones(
        self, shared: tuple[tuple[Policy, Policy], Any]
    ) -> None:
        (policy, _), (people, events, measures) = shared
        serial = [
            reading(score_many(policy, DEMO_PERIOD, people, events, measures), index)
            for index in range(THREADS)
        ]
        table = score_many(policy, DEMO_PERIOD, people, events, measures)  # no ledger read yet
        assert serial == all_at_once(lambda index: reading(table, index))

    def test_one_table_exported_from_8_threads_gives_one_text(
        self, shared: tuple[tuple[Policy, Policy], Any]
    ) -> None:
        (policy, _), (people, events, measures) = shared
        expected = score_many(policy, DEMO_PERIOD, people, events, measures)
        texts = (expected.to_json(), expected.to_csv())
        table = score_many(policy, DEMO_PERIOD, people, events, measures)
        assert [texts] * THREADS == all_at_once(lambda _: (table.to_json(), table.to_csv()))


@pytest.fixture(scope="module")
def frames(shared: tuple[tuple[Policy, Policy], Any]) -> tuple[Any, Any, Any]:
    pd = pytest.importorskip("pandas")
    _, (people, events, measures) = shared
    return (
        pd.DataFrame({"id": [person.id for person in people]}),
        pd.DataFrame(
            {
                "subject": [event.subject for event in events],
                "kind": [event.kind for event in events],
                "on": [event.on for event in events],
                "quantity": [event.quantity for event in events],
                "excused": [event.excused for event in events],
            }
        ),
        pd.DataFrame(
            {
                "subject": [measure.subject for measure in measures],
                "criterion": [measure.criterion for measure in measures],
                "value": [measure.value for measure in measures],
            }
        ),
    )


class TestScoreFrame:
    def test_eight_threads_equal_the_serial_run(
        self, shared: tuple[tuple[Policy, Policy], Any], frames: tuple[Any, Any, Any]
    ) -> None:
        (first, second), _ = shared
        chosen = [first if index % 2 else second for index in range(THREADS)]
        serial = [kpiscore.score_frame(policy, DEMO_PERIOD, *frames).to_csv() for policy in chosen]
        parallel = all_at_once(
            lambda index: kpiscore.score_frame(chosen[index], DEMO_PERIOD, *frames).to_csv()
        )
        assert serial == parallel

    def test_exact_scorecards_built_from_8_threads_equal_the_serial_ones(
        self, shared: tuple[tuple[Policy, Policy], Any], frames: tuple[Any, Any, Any]
    ) -> None:
        (policy, _), _ = shared
        serial = [
            reading(kpiscore.score_frame(policy, DEMO_PERIOD, *frames), index)
            for index in range(THREADS)
        ]
        table = kpiscore.score_frame(policy, DEMO_PERIOD, *frames)
        assert serial == all_at_once(lambda index: reading(table, index))


def library_modules() -> list[ModuleType]:
    modules = []
    for info in pkgutil.walk_packages(kpiscore.__path__, "kpiscore."):
        if info.name.endswith("__main__"):
            continue  # running it is the command line
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError:  # pragma: no cover - a module needing an extra that is absent
            continue
    return modules


def mutable_globals() -> dict[str, Any]:
    """Every module-level dict, list, set or bytearray of the library, by ``module.name``."""
    found: dict[str, Any] = {}
    for module in library_modules():
        for name, value in vars(module).items():
            if isinstance(value, dict | list | set | bytearray) and not name.startswith("__"):
                found[f"{module.__name__}.{name}"] = value
    return found


def workload(index: int) -> None:
    """A bit of everything: files, scoring, ledgers, exports, bundled data."""
    policy = policies.load(policies.available()[index % len(policies.available())])
    load_policy(dump_policy(policy, "json"))
    people, events, measures = sample_facts()
    staff = policies.load(DEMO_POLICY)
    chosen = people[:40]
    ids = {person.id for person in chosen}
    table = score_many(
        staff,
        DEMO_PERIOD,
        chosen,
        [event for event in events if event.subject in ids],
        [measure for measure in measures if measure.subject in ids],
    )
    table.to_csv()
    table.summary()
    for card in table:
        card.explain(lang="vi")
        card._repr_html_()


class TestNoMutableGlobalState:
    def test_module_level_mutable_objects_do_not_change_while_scoring(self) -> None:
        before = {name: copy.deepcopy(value) for name, value in mutable_globals().items()}
        assert before  # the scan does see the library's tables of words and columns
        all_at_once(workload)
        after = mutable_globals()
        assert sorted(before) == sorted(after)
        assert [] == [name for name in before if before[name] != after[name]]

    def test_the_private_decimal_contexts_keep_their_settings(self) -> None:
        settings = [(c.prec, c.rounding, c.Emin, c.Emax, dict(c.traps)) for c in (EXACT, _ROUNDER)]
        all_at_once(workload)
        assert settings == [
            (c.prec, c.rounding, c.Emin, c.Emax, dict(c.traps)) for c in (EXACT, _ROUNDER)
        ]

    def test_cached_bundled_data_is_immutable(self) -> None:
        policy = policies.load(DEMO_POLICY)
        assert policy is policies.load(DEMO_POLICY)  # cached, so it must be frozen
        with pytest.raises(AttributeError):
            policy.id = "changed"  # type: ignore[misc]
        with pytest.raises(TypeError):
            policy.categories[0].weights["x"] = 1  # type: ignore[index]
