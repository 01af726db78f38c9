"""Benchmark: payout, comparison and summaries on a ``score_frame`` table, before and after.

Usage::

    git archive db9bc59 src | tar -x -C /tmp/before   # the tree before issue 14's payout work
    python bench/colpay.py --people 20000 --before /tmp/before/src
    python bench/colpay.py --people 200000 --before /tmp/before/src

Each side runs in its own fresh process with ``PYTHONPATH`` set to its ``src`` (the "before"
tree is the ``src`` of an earlier commit), on the
same data generated there before the clock starts (``bench/year.py``'s year frame: 8 events a
person, ratio measures, a salary step per person). Steps, each timed:

- ``score``     ``score_frame`` for the year (the base policy);
- ``payout``    ``payout_rows(table, "danang-2026", salaries, months=12)`` on that table (a
                tree whose ``summary`` built every scorecard has them built by then);
- ``payout_fresh`` the same on a table just scored again (no scorecard built: the cost a
                caller who pays straight after scoring sees);
- ``compare``   ``variants.compare`` of the base and a variant (one deduction doubled) on the
                frames; a tree whose ``compare`` refuses frames gets fact objects, built
                outside the clock (``objects`` gives that time);
- ``reference`` the hand baseline the issue names: a second ``score_frame`` (the variant) and a
                diff of the two totals and ratings columns;
- ``summary``   ``ScoreTable.summary()`` and ``distribution()`` on the table as it came
                (before any step built a scorecard);
- ``preview``   the table's notebook preview and ``table[s]`` read twice;
- ``previews``  the notebook previews of the payout rows and the comparison.

The results (the payout CSV, the comparison's JSON, the summary) are hashed in each process;
the run prints whether both sides agree, and the ratios before/after per step. Nothing here is
asserted in the test suite on time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = (
    "score",
    "summary",
    "preview",
    "payout",
    "payout_fresh",
    "compare",
    "reference",
    "previews",
)


def worker(people: int) -> dict[str, Any]:
    """Run every step in this process; returns the times and the results' digests."""
    # An editable install's finder would win over PYTHONPATH: drop it, so each side imports
    # the tree it was given (checked below through kpiscore.__file__).
    sys.meta_path[:] = [
        finder for finder in sys.meta_path if not type(finder).__module__.startswith("__editable__")
    ]
    sys.path.insert(0, str(HERE))
    import numpy as np
    from workforce import bench_policy
    from year import fact_objects, generate_year, variant_policy

    import kpiscore
    from kpiscore import score_frame
    from kpiscore.exceptions import KpiscoreError
    from kpiscore.payout import payout_rows
    from kpiscore.variants import compare

    frame, events, measures, salaries = generate_year(people)
    policy, variant = bench_policy(), variant_policy()
    paid = dict(zip(frame["id"].tolist(), salaries.tolist(), strict=True))
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[step] = now - clock
        clock = now

    table = score_frame(policy, "2026", frame, events, measures)
    lap("score")
    summary = table.summary()  # on the table as score_frame gave it: no scorecard built yet
    distribution = table.distribution()
    lap("summary")
    html = table._repr_html_()
    probe = table.subjects[len(table) // 2]
    same = table[probe] is table[probe]
    lap("preview")
    money = payout_rows(table, "danang-2026", paid, months=12)
    lap("payout")
    fresh = score_frame(policy, "2026", frame, events, measures)  # no scorecard built yet
    clock = time.perf_counter()
    fresh_money = payout_rows(fresh, "danang-2026", paid, months=12)
    lap("payout_fresh")
    if fresh_money != money:
        raise SystemExit("payout on a fresh table differs")
    try:
        comparison = compare(policy, variant, "2026", frame, events, measures)
        lap("compare")
        times["objects"] = 0.0
    except (KpiscoreError, TypeError, AttributeError):
        clock = time.perf_counter()
        objects = fact_objects(frame, events, measures)
        lap("objects")
        comparison = compare(policy, variant, "2026", *objects)
        lap("compare")
    other = score_frame(variant, "2026", frame, events, measures)
    moved = np.array(table.totals()) != np.array(other.totals())
    changed = sum(a != b for a, b in zip(table.ratings(), other.ratings(), strict=True))
    lap("reference")
    html += money._repr_html_() + comparison._repr_html_()
    lap("previews")
    digest = {
        "payout": hashlib.sha256(money.to_csv().encode()).hexdigest()[:16],
        "compare": hashlib.sha256(comparison.to_json().encode()).hexdigest()[:16],
        "summary": hashlib.sha256(repr((summary, distribution)).encode()).hexdigest()[:16],
        "html": hashlib.sha256(html.encode()).hexdigest()[:16],
    }
    return {
        "times": times,
        "digest": digest,
        "moved": int(moved.sum()),
        "band_moves": changed,
        "cached": same,
        "module": kpiscore.__file__,
    }


def run_side(src: Path, people: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--people", str(people)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--before", type=Path, help="the src of the older tree (required)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.people)))
        return 0
    if args.before is None:
        parser.error("--before SRC is required: the src of the tree to compare against")
    after_src = HERE.parent / "src"
    before = run_side(args.before, args.people)
    after = run_side(after_src, args.people)
    print(f"{args.people:,} people, year 2026; before = {before['module']}")
    print(f"after = {after['module']}")
    print(f"{'step':<10} {'before s':>10} {'after s':>10} {'before/after':>13}")
    for step in (*STEPS, "objects"):
        b, a = before["times"][step], after["times"][step]
        ratio = f"{b / a:.1f}×" if a > 0 else "—"
        print(f"{step:<10} {b:>10.3f} {a:>10.3f} {ratio:>13}")
    compare_after = after["times"]["compare"]
    reference = after["times"]["reference"] + after["times"]["score"]
    print(
        f"compare after / (two score_frame + diff): {compare_after / reference:.2f}"
        f" ({compare_after:.3f} s vs {reference:.3f} s)"
    )
    same = {key: before["digest"][key] == after["digest"][key] for key in before["digest"]}
    print(f"results identical before and after: {same}")
    print(f"table[s] cached after: {after['cached']} (before: {before['cached']})")
    return 0 if all(v for k, v in same.items() if k != "html") else 1


if __name__ == "__main__":
    raise SystemExit(main())
