"""Benchmark: many distinct event kinds on the CSV fast path, against the careful path.

Usage::

    python bench/columnar_kinds.py               # 60,000 distinct kinds (issue 19, finding 9)
    python bench/columnar_kinds.py --kinds 5000

The fast path once looked each distinct kind up in a list (quadratic in the kinds: 39.5 s
for 60,000 where the careful path took 1.4 s). Both paths read the same files in one run;
the script prints each one's time and the ratio fast / careful, and checks their CSV output
is identical (exit status 1 if not). Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Period,
    Policy,
    load_events,
    load_people,
    score_many,
)
from kpiscore.io.fastcsv import score_csv_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kinds", type=int, default=60_000)
    args = parser.parse_args(argv)
    # Every kind but one is known and deliberately not scored: each is looked up.
    policy = Policy(
        id="p",
        name="P",
        other_kinds=[f"k{i:07d}" for i in range(args.kinds) if i != 7],
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="t",
                        name="T",
                        max_points=50,
                        deductions=[Deduction(on="k0000007", points=1)],
                    )
                ],
            )
        ],
    )
    period = Period.parse("2026-Q1")
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder, "people.csv")
        people.write_text("id\n" + "".join(f"p{i}\n" for i in range(100)), encoding="utf-8")
        events = Path(folder, "events.csv")
        lines = [f"p{i % 100},k{i:07d},2026-01-{1 + i % 28:02d}\n" for i in range(args.kinds)]
        events.write_text("subject,kind,on\n" + "".join(lines), encoding="utf-8")
        start = time.perf_counter()
        careful = score_many(policy, period, load_people(people), load_events(events)).to_csv()
        careful_seconds = time.perf_counter() - start
        start = time.perf_counter()
        table = score_csv_files(policy, period, people, events, None)
        fast_seconds = time.perf_counter() - start
    if table is None:
        print("the fast path stepped aside", file=sys.stderr)
        return 1
    same = careful == table.to_csv()
    print(f"{args.kinds} distinct kinds")
    print(f"careful path: {careful_seconds:.2f} s")
    print(f"fast path:    {fast_seconds:.2f} s  ({fast_seconds / careful_seconds:.2f} x careful)")
    print("outputs identical" if same else "OUTPUTS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
