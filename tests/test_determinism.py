"""Determinism: the same policy and facts give byte-identical output everywhere.

The bundled sample workforce (300 people, ``kpiscore/data/sample``) is scored under the bundled
Decree 335 staff policy in fresh interpreters that differ in hash seed, time zone, locale and the
caller's decimal context (a hostile one: 3 digits, ``ROUND_FLOOR``, every signal trapped); the
scorecards' JSON, the table's CSV, an explanation and the columnar engine's output must be the
same bytes each time. Shuffling the rows of the fact files, or the keys of the policy file,
changes nothing either.
"""

from __future__ import annotations

import decimal
import hashlib
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Measure,
    load_events,
    load_measures,
    load_people,
    load_policy,
    policies,
    score_many,
)
from kpiscore.cli.demo import DEMO_PERIOD, DEMO_POLICY, sample_facts
from kpiscore.io.load import dump_policy

# Runs in a fresh interpreter; prints one digest per output, as JSON.
WORKER = """
import decimal, hashlib, json, locale, sys, time

try:
    locale.setlocale(locale.LC_ALL, "")  # adopt LC_ALL, as an application would
except locale.Error:
    pass  # a locale this machine does not have: Python keeps "C"
time.tzset()

def be_hostile():
    hostile = decimal.Context(
        prec=3,
        rounding=decimal.ROUND_FLOOR,
        traps=[
            decimal.Clamped, decimal.DivisionByZero, decimal.FloatOperation, decimal.Inexact,
            decimal.InvalidOperation, decimal.Overflow, decimal.Rounded, decimal.Subnormal,
            decimal.Underflow,
        ],
    )
    decimal.setcontext(hostile)
    decimal.DefaultContext = hostile  # threads started later get it too

if "--hostile-before-import" in sys.argv:
    be_hostile()

from kpiscore import policies, score_many
from kpiscore.cli.demo import sample_facts

if "--hostile" in sys.argv:
    be_hostile()

def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

policy = policies.load("vn-nd335-2025-staff")
people, events, measures = sample_facts()
table = score_many(policy, "2026-Q1", people, events, measures)
out = {
    "fingerprint": policy.fingerprint,
    "json": digest(table.to_json()),
    "csv": digest(table.to_csv()),
    "explain": digest(table[people[7].id].explain(lang="vi") + table[people[8].id].explain()),
    "summary": digest(repr(table.summary())),
}
try:
    import pandas as pd
except ImportError:
    pd = None
if pd is not None and "--no-columnar" not in sys.argv:
    from kpiscore import score_frame
    frame = score_frame(
        policy,
        "2026-Q1",
        pd.DataFrame([{"id": p.id, "name": p.name, "unit": p.unit, "group": p.group,
                       "position": p.position} for p in people]),
        pd.DataFrame([{"subject": e.subject, "kind": e.kind, "on": e.on,
                       "quantity": e.quantity, "excused": e.excused} for e in events]),
        pd.DataFrame([{"subject": m.subject, "criterion": m.criterion, "value": m.value}
                      for m in measures]),
    )
    out["columnar-csv"] = digest(frame.to_csv())
    out["columnar-json"] = digest(frame.to_json())
print(json.dumps(out, sort_keys=True))
"""

ENVIRONMENTS = {
    "seed-0-utc-c": {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C"},
    "seed-1-hanoi-utf8": {"PYTHONHASHSEED": "1", "TZ": "Asia/Ho_Chi_Minh", "LC_ALL": "C.UTF-8"},
    "seed-4242-kiritimati-posix": {
        "PYTHONHASHSEED": "4242",
        "TZ": "Pacific/Kiritimati",
        "LC_ALL": "POSIX",
    },
    "random-seed-new-york-vi": {
        "PYTHONHASHSEED": "random",
        "TZ": "America/New_York",
        "LC_ALL": "vi_VN.UTF-8",
    },
}


def run_worker(environment: dict[str, str], *arguments: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LC_")}
    env.update(environment)
    finished = subprocess.run(
        [sys.executable, "-c", WORKER, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 0 == finished.returncode, finished.stderr[-3000:]
    result: dict[str, str] = json.loads(finished.stdout)
    return result


@pytest.fixture(scope="module")
def reference() -> dict[str, str]:
    """The digests of one plain run, every other run compares with."""
    return run_worker({"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8"})


class TestAcrossProcesses:
    @pytest.mark.parametrize("name", list(ENVIRONMENTS))
    def test_hash_seed_time_zone_and_locale_change_nothing(
        self, reference: dict[str, str], name: str
    ) -> None:
        assert reference == run_worker(ENVIRONMENTS[name])

    def test_a_hostile_caller_decimal_context_changes_nothing(
        self, reference: dict[str, str]
    ) -> None:
        environment = {"PYTHONHASHSEED": "7", "TZ": "Asia/Tokyo", "LC_ALL": "C"}
        expected = {k: v for k, v in reference.items() if not k.startswith("columnar")}
        assert expected == run_worker(environment, "--hostile", "--no-columnar")

    def test_a_hostile_caller_decimal_context_changes_nothing_in_score_frame(
        self, reference: dict[str, str]
    ) -> None:
        pytest.importorskip("pandas")
        environment = {"PYTHONHASHSEED": "7", "TZ": "Asia/Tokyo", "LC_ALL": "C"}
        assert reference == run_worker(environment, "--hostile")

    def test_importing_under_a_hostile_decimal_context_changes_nothing(
        self, reference: dict[str, str]
    ) -> None:
        environment = {"PYTHONHASHSEED": "7", "TZ": "Asia/Tokyo", "LC_ALL": "C"}
        assert reference == run_worker(environment, "--hostile-before-import")

    def test_the_reference_run_is_this_process_run(self, reference: dict[str, str]) -> None:
        policy = policies.load(DEMO_POLICY)
        people, events, measures = sample_facts()
        table = score_many(policy, DEMO_PERIOD, people, events, measures)
        assert reference["json"] == hashlib.sha256(table.to_json().encode()).hexdigest()


def shuffled_copy(source: Path, target: Path, seed: int) -> Path:
    header, *rows = source.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(seed).shuffle(rows)  # noqa: S311 - a test fixture, not a secret
    target.write_text(header + "".join(rows), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def sample_folder() -> Path:
    return Path(str(resources.files("kpiscore").joinpath("data/sample")))


class TestOrderOfInputs:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_shuffled_fact_files_give_identical_json(
        self, tmp_path: Path, sample_folder: Path, seed: int
    ) -> None:
        policy = policies.load(DEMO_POLICY)
        people = load_people(sample_folder / "people.csv")
        expected = score_many(
            policy,
            DEMO_PERIOD,
            people,
            load_events(sample_folder / "events.csv"),
            load_measures(sample_folder / "measures.csv"),
        ).to_json()
        events = load_events(shuffled_copy(sample_folder / "events.csv", tmp_path / "e.csv", seed))
        measures = load_measures(
            shuffled_copy(sample_folder / "measures.csv", tmp_path / "m.csv", seed)
        )
        assert expected == score_many(policy, DEMO_PERIOD, people, events, measures).to_json()

    def test_a_shuffled_population_gives_each_person_the_same_scorecard(
        self, tmp_path: Path, sample_folder: Path
    ) -> None:
        policy = policies.load(DEMO_POLICY)
        people, events, measures = sample_facts()
        table = score_many(policy, DEMO_PERIOD, people, events, measures)
        shuffled = load_people(shuffled_copy(sample_folder / "people.csv", tmp_path / "p.csv", 9))
        assert [p.id for p in people] != [p.id for p in shuffled]
        other = score_many(policy, DEMO_PERIOD, shuffled, events, measures)
        assert {card.subject: card.to_json() for card in table} == {
            card.subject: card.to_json() for card in other
        }
        assert table.distribution() == other.distribution()

    def test_reordered_policy_keys_give_the_same_policy_and_scores(self) -> None:
        policy = policies.load(DEMO_POLICY)

        def reverse(tree: Any) -> Any:
            if isinstance(tree, dict):
                return {key: reverse(tree[key]) for key in reversed(list(tree))}
            if isinstance(tree, list):
                return [reverse(item) for item in tree]
            return tree

        text = json.dumps(reverse(json.loads(dump_policy(policy, "json"))), ensure_ascii=False)
        reordered = load_policy(text)
        assert (policy, policy.fingerprint) == (reordered, reordered.fingerprint)
        people, events, measures = sample_facts()
        assert (
            score_many(policy, DEMO_PERIOD, people, events, measures).to_json()
            == score_many(reordered, DEMO_PERIOD, people, events, measures).to_json()
        )


def hostile_context() -> decimal.Context:
    return decimal.Context(
        prec=3,
        rounding=decimal.ROUND_FLOOR,
        traps=[
            decimal.Clamped,
            decimal.DivisionByZero,
            decimal.FloatOperation,
            decimal.Inexact,
            decimal.InvalidOperation,
            decimal.Overflow,
            decimal.Rounded,
            decimal.Subnormal,
            decimal.Underflow,
        ],
    )


class TestTheCallersContext:
    def test_scoring_leaves_the_callers_context_as_it_was(self) -> None:
        policy = policies.load(DEMO_POLICY)
        people, events, measures = sample_facts()
        expected = score_many(policy, DEMO_PERIOD, people, events, measures).to_json()
        with decimal.localcontext(hostile_context()) as context:
            actual = score_many(policy, DEMO_PERIOD, people, events, measures).to_json()
            assert context is decimal.getcontext()
        assert expected == actual
        assert (3, decimal.ROUND_FLOOR) == (context.prec, context.rounding)
        assert not any(context.flags.values())

    def test_files_load_the_same_under_a_hostile_context(self, sample_folder: Path) -> None:
        expected = load_measures(sample_folder / "measures.csv")
        with decimal.localcontext(hostile_context()):
            actual = load_measures(sample_folder / "measures.csv")
            policy = load_policy(dump_policy(policies.load(DEMO_POLICY), "json"))
        assert expected == actual
        assert policies.load(DEMO_POLICY).fingerprint == policy.fingerprint

    def test_a_fact_built_in_python_under_a_hostile_context(self) -> None:
        with decimal.localcontext(hostile_context()):
            measure = Measure(subject="nv001", criterion="quality", value="1.024")
        assert Decimal("1.024") == measure.value


class TestScoreFrameUnderTheCallersContext:
    def test_a_low_precision_context_without_traps_changes_no_figure(self) -> None:
        pd = pytest.importorskip("pandas")
        from kpiscore import score_frame

        policy = policies.load(DEMO_POLICY)
        people, events, measures = sample_facts()
        frames = (
            pd.DataFrame({"id": [person.id for person in people]}),
            pd.DataFrame(
                {
                    "subject": [event.subject for event in events],
                    "kind": [event.kind for event in events],
                    "on": [event.on for event in events],
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
        expected = score_frame(policy, DEMO_PERIOD, *frames).to_csv()
        with decimal.localcontext(decimal.Context(prec=3)):
            actual = score_frame(policy, DEMO_PERIOD, *frames).to_csv()
        assert expected.splitlines()[:3] == actual.splitlines()[:3]
