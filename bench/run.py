"""Benchmark: re-score a whole synthetic workforce, exactly, and compare methods in one run.

Usage::

    python bench/run.py                 # 200,000 people (the issue's default)
    python bench/run.py --people 20000  # a quicker run
    python bench/run.py --methods loop,numpy,frame
    python bench/run.py --repeat 5      # best of 5 calls per method (default 3)

Methods, each run in its own fresh subprocess (so its peak memory is its own) on the same
deterministic data, inputs built before the clock starts:

1. ``loop``   the hand-written baseline: a plain Python loop computing the totals with ``Decimal``
              directly from the facts, no library — the interpreter's practical limit;
2. ``numpy``  a hand-written NumPy/pandas pipeline with integer arithmetic (what a data analyst
              would write instead);
3. ``many``   ``kpiscore.score_many`` (scorecards with ledgers available);
4. ``frame``  ``kpiscore.score_frame``, the columnar engine, from DataFrames;
5. ``cli``    end to end: ``kpiscore score`` from CSV files to a CSV of results.

Separate workloads, chosen with ``--methods`` (not in the default list):

- ``year``   the whole year from one year-long events frame: 12 monthly tables, the roll-up,
             the quota by unit, the ``danang-2026`` payout and a variant's comparison, in
             kpiscore against a hand-written pandas/NumPy pipeline of the same steps, with an
             exact-engine check of one unit (``bench/year.py``, which prints its own table;
             ``--no-hand`` and ``--no-sample`` are passed on, for 2,000,000 people);
- ``openfisca`` the peer: the same policy as an OpenFisca tax-benefit system, vectorised
             floats, its inputs counted from the same DataFrames with pandas/NumPy inside
             the timed call (``bench/openfisca_peer.py``); skipped with a message when
             ``openfisca-core`` is not importable. Its totals are floats: instead of the
             equality check, the table says how many differ from the exact ones by a cent or
             more, and the line under it gives ``score_frame``'s people/s relative to it.

Timing. Each worker times ``--repeat`` calls of its method one after the other in the same
process; every call's result but the last is dropped (and garbage collected) before the next
call starts, and the last is the one checked. The table shows the first call (cold memory,
first-use imports and caches) and the best call — the minimum, as :mod:`timeit` reports it,
since on a shared machine noise only ever adds time; throughput and every ratio use the best.
Peak memory is the worker's maximum resident set after all its calls, inputs included.

The ``cli`` method times only the ``kpiscore score`` subprocess; reading its output CSV back
for the check happens afterwards, outside the clock. Each of its calls is one run of the
command. It runs as an installed program does: this environment may set
``PYTHONDONTWRITEBYTECODE=1``, which would make every run recompile kpiscore from source
(a pip-installed package ships its bytecode), so one untimed warm-up run of the same command
first writes the bytecode, with ``PYTHONDONTWRITEBYTECODE`` removed from its environment, and
the timed runs use that same environment. Under the table, the command's own process is
reported too: its peak memory and its CPU time, without the worker that launched it.

Every method's totals and ratings are checked equal, person by person; the exit status is 1
when any differ. The table prints people per second, peak memory and each method's throughput
relative to the two baselines measured in the same run. No figure here is asserted in the test
suite; ``tests/test_bench.py`` runs the equality check on a small population.
"""

from __future__ import annotations

import argparse
import decimal
import gc
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import openfisca_peer  # noqa: E402
from workforce import (  # noqa: E402
    PERIOD,
    SPEC,
    RawWorkforce,
    bench_policy,
    generate,
    generate_frames,
    to_objects,
)

Results = dict[str, tuple[str, str | None]]  # subject -> (total text, rating)

# --------------------------------------------------------------------------- 1. plain loop


def python_loop(raw: RawWorkforce) -> dict[str, tuple[Decimal, str]]:
    """The hand-written baseline: exact Decimal arithmetic, one person at a time, no library."""
    start, end = PERIOD.start, PERIOD.end
    rules = {item["kind"]: item for item in SPEC["deductions"]}
    cap_kind = SPEC["cap_kind"]
    facts: dict[str, list[tuple[str, Decimal]]] = {person: [] for person in raw.people}
    capped: set[str] = set()
    for subject, kind, on, quantity, excused in zip(
        raw.event_subject,
        raw.event_kind,
        raw.event_on,
        raw.event_quantity,
        raw.event_excused,
        strict=True,
    ):
        if excused or on < start or on > end:
            continue
        if kind == cap_kind:
            capped.add(subject)
        elif kind in rules:
            facts[subject].append((kind, quantity))
    ratio_sum: dict[str, Decimal] = dict.fromkeys(raw.people, Decimal(0))
    for subject, value in zip(raw.measure_subject, raw.measure_value, strict=True):
        ratio_sum[subject] += value
    cent = SPEC["precision"]
    zero = Decimal(0)
    results: dict[str, tuple[Decimal, str]] = {}
    with decimal.localcontext() as context:
        context.prec = 50
        for person in raw.people:
            requested: dict[str, Decimal] = {}
            for kind, quantity in facts[person]:
                rule = rules[kind]
                amount = rule["points"] * quantity if rule["per"] == "unit" else rule["points"]
                requested[kind] = requested.get(kind, zero) + amount
            sums = {"discipline": zero, "professional": zero}
            carried = zero
            for rule in SPEC["deductions"]:
                deducted = requested.get(rule["kind"], zero)
                if rule["limit"] is not None and deducted > rule["limit"]:
                    deducted = rule["limit"]
                points = rule["max_points"] - deducted
                if points < 0:
                    if rule["overflow"] == "carry":
                        carried -= points
                    points = zero
                sums[rule["category"]] += points
            # 70 × mean ratio: a quotient by 3 never lands near a rounding tie, so 50 digits
            # then one half-up quantization is exact.
            task = (SPEC["task_max"] * ratio_sum[person] / 3).quantize(cent, decimal.ROUND_HALF_UP)
            total = (
                sums["discipline"].quantize(cent, decimal.ROUND_HALF_UP)
                + sums["professional"].quantize(cent, decimal.ROUND_HALF_UP)
                + task
                - carried.quantize(cent, decimal.ROUND_HALF_UP)
            )
            if total < 0:
                total = zero.quantize(cent)
            rating = next(band for band, low in SPEC["bands"] if total >= low)
            if person in capped:
                rating = SPEC["cap_band"]
            results[person] = (total, rating)
    return results


# --------------------------------------------------------------------------- 2. numpy pipeline


def frames(raw: RawWorkforce) -> tuple[Any, Any, Any]:
    """The raw columns as pandas DataFrames, typed as an analyst reads them from CSV
    (``pd.read_csv(..., dtype={"subject": "category", "kind": "category"},
    parse_dates=["on"])``): ids and kinds categorical, numbers float64, dates datetime64."""
    import pandas as pd

    people = pd.DataFrame({"id": raw.people, "unit": raw.units})
    events = pd.DataFrame(
        {
            "subject": pd.Categorical(raw.event_subject),
            "kind": pd.Categorical(raw.event_kind),
            "on": pd.to_datetime(raw.event_on),
            "quantity": [float(q) for q in raw.event_quantity],
            "excused": raw.event_excused,
        }
    )
    measures = pd.DataFrame(
        {
            "subject": pd.Categorical(raw.measure_subject),
            "criterion": pd.Categorical(raw.measure_criterion),
            "value": [float(v) for v in raw.measure_value],
        }
    )
    return people, events, measures


def numpy_pipeline(people: Any, events: Any, measures: Any) -> tuple[Any, Any, Any]:
    """What an analyst would write: integer arithmetic scaled to 1/1000 point, vectorised."""
    import numpy as np
    import pandas as pd

    n = len(people)
    index = pd.Index(people["id"])
    rules = SPEC["deductions"]
    kinds = [rule["kind"] for rule in rules]
    start, end = pd.Timestamp(PERIOD.start), pd.Timestamp(PERIOD.end)
    live = events[(~events["excused"]) & (events["on"] >= start) & (events["on"] <= end)]

    def positions(column: Any, against: Any) -> Any:  # categorical: look up each category once
        return against.get_indexer(column.cat.categories)[column.cat.codes.to_numpy()]

    subject_pos = positions(live["subject"], index)
    capped = np.zeros(n, dtype=bool)
    capped[subject_pos[(live["kind"] == SPEC["cap_kind"]).to_numpy()]] = True
    rule_pos = positions(live["kind"], pd.Index(kinds))
    keep = rule_pos >= 0
    rule_pos, subject_pos = rule_pos[keep], subject_pos[keep]
    quantity_x10 = (live["quantity"].to_numpy()[keep].astype(float) * 10).round().astype(np.int64)
    points_x100 = np.array([int(rule["points"] * 100) for rule in rules], dtype=np.int64)
    per_unit = np.array([rule["per"] == "unit" for rule in rules])
    amount = np.where(
        per_unit[rule_pos], points_x100[rule_pos] * quantity_x10, points_x100[rule_pos] * 10
    )
    requested = np.zeros((n, len(rules)), dtype=np.int64)
    np.add.at(requested, (subject_pos, rule_pos), amount)
    limit = np.array([int(r["limit"] * 1000) if r["limit"] is not None else 2**62 for r in rules])
    requested = np.minimum(requested, limit)
    maximum = np.array([int(rule["max_points"] * 1000) for rule in rules], dtype=np.int64)
    raw_points = maximum - requested
    carry = np.array([rule["overflow"] == "carry" for rule in rules])
    carried = np.where(carry & (raw_points < 0), -raw_points, 0).sum(axis=1)
    points = np.maximum(raw_points, 0)
    discipline = points[:, [i for i, r in enumerate(rules) if r["category"] == "discipline"]].sum(1)
    professional = points[:, [i for i, r in enumerate(rules) if r["category"] != "discipline"]].sum(
        1
    )

    def cents(x1000: Any) -> Any:  # half-up, non-negative values
        return (x1000 + 5) // 10

    value_x1000 = (measures["value"].to_numpy().astype(float) * 1000).round().astype(np.int64)
    ratio_sum = np.zeros(n, dtype=np.int64)
    np.add.at(ratio_sum, positions(measures["subject"], index), value_x1000)
    numerator = int(SPEC["task_max"]) * 100 * ratio_sum  # cents × 3 × 1000
    denominator = 3 * 1000
    task = (2 * numerator + denominator) // (2 * denominator)
    total = cents(discipline) + cents(professional) + task - cents(carried)
    total = np.maximum(total, 0)
    thresholds = np.array([int(low * 100) for _, low in SPEC["bands"]])[::-1]
    names = np.array([band for band, _ in SPEC["bands"]][::-1])
    rating = names[np.searchsorted(thresholds, total, side="right") - 1]
    rating = np.where(capped, SPEC["cap_band"], rating)
    return people["id"], total, rating


# --------------------------------------------------------------------------- 3-5. kpiscore


def kpiscore_many(people: list[Any], events: list[Any], measures: list[Any]) -> Any:
    """``kpiscore.score_many`` on fact objects: a ScoreTable."""
    from kpiscore import score_many

    return score_many(bench_policy(), PERIOD, people, events, measures)


def kpiscore_frame(people: Any, events: Any, measures: Any) -> Any:
    """``kpiscore.score_frame``, the columnar engine, on DataFrames: a ScoreTable."""
    from kpiscore import score_frame

    return score_frame(bench_policy(), PERIOD, people, events, measures)


def comparable(method: str, result: Any) -> Results:
    """A method's own output as ``{subject: (total text, rating)}`` (outside the timing)."""
    if method in ("many", "frame"):
        return {
            subject: (f"{total:f}", rating)
            for subject, total, rating in zip(
                result.subjects, result.totals(), result.ratings(), strict=True
            )
        }
    if method == "numpy":
        ids, totals, ratings = result
        return {
            person: (f"{Decimal(int(t)).scaleb(-2):f}", str(r))
            for person, t, r in zip(ids, totals, ratings, strict=True)
        }
    if method == "loop":
        return {person: (f"{total:f}", rating) for person, (total, rating) in result.items()}
    if method == "cli":
        return read_cli_output(result)
    if method == "openfisca":
        return openfisca_peer.comparable(result)
    raise ValueError(f"unknown method {method!r}")


def write_csv_inputs(raw: RawWorkforce, folder: Path) -> None:
    """The facts as CSV files and the policy as a JSON file, for the end-to-end method."""
    import csv

    from kpiscore import dump_policy

    (folder / "policy.json").write_text(
        dump_policy(bench_policy(), format="json"), encoding="utf-8"
    )
    with open(folder / "people.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "unit"])
        writer.writerows(zip(raw.people, raw.units, strict=True))
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "kind", "on", "quantity", "excused"])
        writer.writerows(
            zip(
                raw.event_subject,
                raw.event_kind,
                [d.isoformat() for d in raw.event_on],
                raw.event_quantity,
                ["true" if x else "false" for x in raw.event_excused],
                strict=True,
            )
        )
    with open(folder / "measures.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "criterion", "value"])
        writer.writerows(
            zip(raw.measure_subject, raw.measure_criterion, raw.measure_value, strict=True)
        )


def cli_command(folder: Path) -> list[str]:
    """The ``kpiscore score`` command line reading the CSV inputs in ``folder``."""
    return [
        sys.executable,
        "-m",
        "kpiscore",
        "score",
        "--policy",
        str(folder / "policy.json"),
        "--period",
        PERIOD.label,
        "--people",
        str(folder / "people.csv"),
        "--events",
        str(folder / "events.csv"),
        "--measures",
        str(folder / "measures.csv"),
        "--format",
        "csv",
        "--output",
        str(folder / "out.csv"),
        # The generated workforce repeats rows at random; every method counts each one.
        "--duplicates",
        "allow",
    ]


def installed_env() -> dict[str, str]:
    """The environment of an installed program: bytecode may be written and read back."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def kpiscore_cli(command: list[str], env: dict[str, str]) -> Path:
    """``kpiscore score`` end to end: CSV files in, a CSV of results out. Only runs the
    command; the output file it returns is read by :func:`comparable`, outside the timing."""
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, env=env)
    return Path(command[command.index("--output") + 1])


def cli_floor(folder: Path, repeat: int) -> float | None:
    """The best time of a process that only starts, imports kpiscore and pyarrow and parses the
    three CSV files with pyarrow (nothing converted, scored or written): what any
    ``kpiscore score`` run pays before it scores. ``None`` without pyarrow."""
    if importlib.util.find_spec("pyarrow") is None:
        return None
    files = [str(folder / name) for name in ("people.csv", "events.csv", "measures.csv")]
    code = (
        "import kpiscore.cli, numpy, pyarrow.compute, pyarrow.csv as c\n"
        f"for name in {files!r}:\n    c.read_csv(name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - began)
    return min(times)


def read_cli_output(path: Path) -> Results:
    """The CSV written by ``kpiscore score`` as ``{subject: (total text, rating)}``."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {
            row["subject"]: (row["total"], row["rating"] or None) for row in csv.DictReader(handle)
        }


# --------------------------------------------------------------------------- running

METHODS = ("loop", "numpy", "many", "frame", "cli")
#: Methods with floats, whose results are counted against the exact ones, not checked equal.
FLOATS = ("openfisca",)
LABELS = {
    "loop": "hand-written Python loop (Decimal)",
    "numpy": "hand-written NumPy/pandas pipeline",
    "many": "kpiscore.score_many",
    "frame": "kpiscore.score_frame (columnar)",
    "cli": "kpiscore score (CSV -> CSV)",
    "openfisca": "OpenFisca peer (float, vectorised)",
}


def prepare(method: str, raw: RawWorkforce, folder: Path) -> Callable[[], Any]:
    """Build the method's inputs (untimed) and return the call to time.

    For ``cli`` this writes the CSV inputs to ``folder`` and runs the command once, untimed,
    so that its bytecode is written (see the module docstring)."""
    if method == "loop":
        return lambda: python_loop(raw)
    if method == "numpy":
        people, events, measures = frames(raw)
        return lambda: numpy_pipeline(people, events, measures)
    if method == "many":
        people_o, events_o, measures_o = to_objects(raw)
        return lambda: kpiscore_many(people_o, events_o, measures_o)
    if method == "frame":
        people, events, measures = frames(raw)
        return lambda: kpiscore_frame(people, events, measures)
    if method == "cli":
        write_csv_inputs(raw, folder)
        command, env = cli_command(folder), installed_env()
        kpiscore_cli(command, env)  # warm-up: writes the bytecode a pip install would ship
        return lambda: kpiscore_cli(command, env)
    if method == "openfisca":
        people, events, measures = frames(raw)
        return lambda: openfisca_peer.openfisca(people, events, measures)
    known = ", ".join((*METHODS, *FLOATS))
    raise SystemExit(f"unknown method {method!r}; expected one of {known}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def worker(
    method: str,
    people: int,
    out: Path,
    *,
    direct: bool = False,
    repeat: int = 3,
    clock: str = "wall",
) -> None:
    """Run one method ``repeat`` times in this (fresh) process and write every call's time,
    the peak memory and the last call's results to ``out``.

    ``clock="cpu"``: each call's CPU time (this process's, all threads; for ``cli`` the
    command's own) instead of the elapsed time, which a loaded machine inflates."""
    if repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        if direct:
            if method not in ("numpy", "frame"):
                raise SystemExit("--direct-frames works with the numpy and frame methods only")
            frames_ = generate_frames(people)
            events = len(frames_[1])
            call: Callable[[], Any] = (
                (lambda: numpy_pipeline(*frames_))
                if method == "numpy"
                else (lambda: kpiscore_frame(*frames_))
            )
        else:
            raw = generate(people)
            events = len(raw.event_subject)
            call = prepare(method, raw, Path(tmp))
            del raw
        seconds: list[float] = []
        child_cpu: list[float] = []
        output: Any = None
        for _ in range(repeat):
            output = None  # the previous call's result is dropped, not held during this one
            gc.collect()  # ... and its garbage is not left for this call to collect
            cpu_before = _children_cpu()
            began = time.perf_counter() if clock == "wall" else time.process_time()
            output = call()
            ended = time.perf_counter() if clock == "wall" else time.process_time()
            child_cpu.append(_children_cpu() - cpu_before)
            seconds.append(child_cpu[-1] if clock == "cpu" and method == "cli" else ended - began)
        # Peak memory of the method (inputs included), before the harness converts its output.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures: dict[str, Any] = {}
        if method == "cli":
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            peak = max(peak, child_peak)
            figures = {
                "child_peak_kib": child_peak,
                "child_cpu": child_cpu,
                "floor": cli_floor(Path(tmp), repeat),
            }
        results = comparable(method, output)
    out.write_text(
        json.dumps(
            {"seconds": seconds, "peak_kib": peak, "events": events, "results": results, **figures}
        ),
        encoding="utf-8",
    )


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Each method runs in its own fresh process, which times --repeat calls of it: "
        "the table shows the first call (cold memory) and the best one; people/s and the "
        "ratios use the best. The cli method times only the kpiscore score subprocess, after "
        "one untimed warm-up run that writes its bytecode (PYTHONDONTWRITEBYTECODE is removed "
        "from its environment, as for an installed program). Exit status 1 if any method's "
        "totals or ratings differ.",
    )
    parser.add_argument(
        "--people", type=int, default=200_000, help="size of the workforce (default 200,000)"
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help=f"comma-separated methods to run, the first being the reference for the check "
        f"(default {','.join(METHODS)})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="K",
        help="calls timed per method in its process; the best of K is reported along with "
        "the first (default 3; 1 times a single cold call)",
    )
    parser.add_argument(
        "--direct-frames",
        action="store_true",
        help="generate DataFrames directly with NumPy (for 1,000,000 people and more; "
        "numpy and frame methods only)",
    )
    parser.add_argument(
        "--no-hand", action="store_true", help="year: skip the hand-written pipeline"
    )
    parser.add_argument(
        "--no-sample", action="store_true", help="year: skip the exact engine's check of a unit"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: elapsed time (default); cpu: each call's CPU time, steadier when the "
        "machine is shared",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    status = 0
    requested = [m for m in args.methods.split(",") if m]
    if "year" in requested and not args.worker:
        import year

        status = year.main(
            [
                "--people",
                str(args.people),
                *(["--no-hand"] if args.no_hand else []),
                *(["--no-sample"] if args.no_sample else []),
            ]
        )
        requested.remove("year")
        if not requested:
            return status
        print()
        args.methods = ",".join(requested)
    if args.worker:
        worker(
            args.worker,
            args.people,
            Path(args.out),
            direct=args.direct_frames,
            repeat=args.repeat,
            clock=args.clock,
        )
        return 0
    methods = [m for m in args.methods.split(",") if m]
    if "openfisca" in methods and not openfisca_peer.available():
        print(
            "openfisca: skipped, openfisca-core is not importable here "
            "(pip install openfisca-core, then run this script with that Python)"
        )
        methods.remove("openfisca")
    if not methods:
        return status
    # The data is generated in each worker only: a child process inherits its parent's peak
    # memory at fork, so the parent must stay small for the workers' figures to be their own.
    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for method in methods:
            out = Path(tmp) / f"{method}.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    method,
                    "--people",
                    str(args.people),
                    "--repeat",
                    str(args.repeat),
                    "--out",
                    str(out),
                    "--clock",
                    args.clock,
                    *(["--direct-frames"] if args.direct_frames else []),
                ],
                check=True,
            )
            data = json.loads(out.read_text(encoding="utf-8"))
            data["first"], data["best"] = data["seconds"][0], min(data["seconds"])
            measured[method] = data
    print(
        f"kpiscore benchmark: {args.people:,} people, {measured[methods[0]]['events']:,} events,"
        f" 20 criteria, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    exact = [m for m in methods if m not in FLOATS]
    reference = measured[exact[0] if exact else methods[0]]["results"]
    best = {method: data["best"] for method, data in measured.items()}
    print()
    print(
        f"{'method':<36} {'first s':>8} {'best s':>8} {'people/s':>10} {'peak MiB':>9} "
        f"{'vs loop':>8} {'vs numpy':>9}  equal"
    )
    ok = True
    for method in methods:
        data = measured[method]
        if method in FLOATS:
            cents, _ = openfisca_peer.off_by_a_cent(reference, data["results"])
            verdict = f"{cents} off" if exact else "(none exact)"
        else:
            equal = data["results"] == reference
            ok = ok and equal
            verdict = "yes" if equal else "NO"
        rate = args.people / data["best"]
        vs_loop = best["loop"] / data["best"] if "loop" in best else None
        vs_numpy = best["numpy"] / data["best"] if "numpy" in best else None
        print(
            f"{LABELS[method]:<36} {data['first']:>8.3f} {data['best']:>8.3f} {rate:>10,.0f} "
            f"{data['peak_kib'] / 1024:>9.0f} {_ratio(vs_loop):>8} {_ratio(vs_numpy):>9}  "
            f"{verdict}"
        )
    if args.repeat == 1:
        print("one call per process: first and best are that same call, with cold memory")
    else:
        print(
            f"best of {args.repeat} calls in one process "
            "(the first call, with cold memory, is shown too)"
        )
    print(
        "people/s and the ratios use the best time"
        + (" (CPU time of each call)" if args.clock == "cpu" else "")
    )
    for method in methods:
        if method in FLOATS and exact:
            cents, ratings = openfisca_peer.off_by_a_cent(reference, measured[method]["results"])
            share = 100 * cents / max(len(reference), 1)
            print(
                f"{method}: {cents:,} of {len(reference):,} totals ({share:.1f} %) differ from "
                f"the exact ones by a cent or more, {ratings:,} ratings differ (floats)"
            )
            if "frame" in measured:
                ratio = measured[method]["best"] / measured["frame"]["best"]
                print(
                    f"{method}: score_frame's people/s is {ratio:.2f}x {method}'s "
                    "(best times, same run; target >= 1.0)"
                )
    if not ok:
        for method in exact:
            diff = [s for s in reference if measured[method]["results"].get(s) != reference[s]]
            if diff:
                print(f"{method}: {len(diff)} people differ, e.g. {diff[:3]}")
    if "cli" in measured:
        cli = measured["cli"]
        print(
            "cli: each call is one `kpiscore score` process, after one untimed warm-up run "
            "that wrote its bytecode"
        )
        print(
            f"     that process alone: peak {cli['child_peak_kib'] / 1024:.0f} MiB, CPU "
            f"{min(cli['child_cpu']):.3f} s user+sys over all its threads (best call)"
        )
        if "frame" in measured:
            frame = measured["frame"]["best"]
            ratio = cli["best"] / frame
            print(
                f"end to end (CSV -> CSV) takes {ratio:.1f}x the time of the columnar engine "
                "alone (best times)"
            )
            if cli.get("floor") is not None:
                print(
                    f"     of which starting, importing and pyarrow's parse of the three files"
                    f" alone take {cli['floor']:.3f} s ({cli['floor'] / frame:.1f}x the engine)"
                )
    print()
    print(
        "ratios are throughput relative to the baseline (higher is faster); "
        "all exact methods agree on every total and rating"
        if ok
        else "RESULTS DIFFER"
    )
    return 0 if ok and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
