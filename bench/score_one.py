"""Benchmark: ``kpiscore.score()`` for one person, with and without the compiled-policy cache.

Usage::

    python bench/score_one.py                   # the bundled staff policy, 20,000 calls each
    python bench/score_one.py --policy vn-nd335-2025-leader --calls 5000

Both paths run in the same process on the same facts: ``cold`` clears the compiled-policy cache
before every call (what every call cost before the cache: compile, then score), ``cached``
compiles once. Each is timed ``--repeat`` times and the best run is reported (noise only adds
time); the ratio ``cold / cached`` is the speed-up. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import kpiscore.policies
from kpiscore import Event, Measure, score
from kpiscore.engine.compile import clear_cache


def best_us(call: Callable[[], object], calls: int, repeat: int) -> float:
    """The best of ``repeat`` runs of ``calls`` calls, in microseconds per call."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--policy", default="vn-nd335-2025-staff")
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    policy = kpiscore.policies.load(args.policy)
    year = policy.valid_from.year if policy.valid_from else 2026
    period = f"{year}-03"
    kinds = sorted({rule.on for c in policy.categories for cr in c.criteria for rule in cr.rules})
    events = [Event(subject="nv001", kind=kind, on=date(year, 3, 2)) for kind in kinds[:2]]
    measures = [
        Measure(
            subject="nv001", criterion=cr.id, value=cr.max_points if cr.basis == "assessed" else 1
        )
        for c in policy.categories
        for cr in c.criteria
        if cr.needs_measure
    ]

    def cached() -> object:
        return score(policy, period, "nv001", events, measures).total

    def cold() -> object:
        clear_cache()
        return score(policy, period, "nv001", events, measures).total

    assert cached() == cold()
    cold_us = best_us(cold, args.calls, args.repeat)
    cached_us = best_us(cached, args.calls, args.repeat)
    print(f"policy {args.policy}: {len(events)} events, {len(measures)} measures")
    print(f"cold (recompile every call): {cold_us:8.1f} us/call")
    print(f"cached (compile once):       {cached_us:8.1f} us/call")
    print(f"speed-up cold/cached:        {cold_us / cached_us:8.2f}x")


if __name__ == "__main__":
    main()
