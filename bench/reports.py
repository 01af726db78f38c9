"""Benchmark: the reports people read (Excel workbook, printable forms) for a whole workforce.

Usage::

    python bench/reports.py                 # 20,000 people (the issue's figure)
    python bench/reports.py --people 2000   # a quicker run

The population and policy are ``bench/workforce.py``'s; the table is scored once with
``score_many`` before any clock starts. Each report is timed once (best of ``--repeat``) and
compared with the baseline measured in the same run: ``ScoreTable.to_csv()``, the machine
format. The workbook and the forms need every person's full ledger; the first report to read
the ledgers builds them (``ledgers`` row, timed separately), the others reuse them.
No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workforce import bench_policy, generate, to_objects

from kpiscore import Period, score_many
from kpiscore.io.forms import forms_document


def best(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    people, events, measures = to_objects(generate(args.people))
    policy = bench_policy()
    table = score_many(policy, Period.parse("2026-Q1"), people, events=events, measures=measures)
    folder = Path(tempfile.mkdtemp(prefix="kpiscore-bench-reports-"))
    rows: list[tuple[str, float, str]] = []
    csv_time = best(lambda: table.to_csv(str(folder / "t.csv")), args.repeat)
    rows.append(("to_csv (baseline)", csv_time, f"{(folder / 't.csv').stat().st_size:,} B"))
    start = time.perf_counter()
    for card in table:
        card.categories  # noqa: B018 - builds the ledger once, outside the reports' clocks
    rows.append(("ledgers (built once)", time.perf_counter() - start, ""))
    excel = best(lambda: table.to_excel(folder / "t.xlsx"), args.repeat)
    rows.append(("to_excel", excel, f"{(folder / 't.xlsx').stat().st_size:,} B"))
    html = best(lambda: (folder / "all.html").write_text(forms_document(table)), args.repeat)
    rows.append(("forms, one document", html, f"{(folder / 'all.html').stat().st_size:,} B"))
    files = best(lambda: table.write_forms(folder / "forms"), 1)
    rows.append(("forms, one file each", files, f"{len(table):,} files"))
    print(f"{len(table):,} people, policy {policy.id}; best of {args.repeat}")
    print(f"{'report':<24}{'seconds':>10}{'people/s':>12}{'× csv':>9}  size")
    for name, seconds, size in rows:
        rate = len(table) / seconds if seconds else float("inf")
        print(f"{name:<24}{seconds:>10.2f}{rate:>12,.0f}{seconds / csv_time:>9.1f}  {size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
