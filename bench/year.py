"""Benchmark: the whole year, from one year-long events frame to the money paid.

Usage::

    python bench/year.py --people 20000          # kpiscore, the hand pipeline, an exact sample
    python bench/year.py --people 2000000 --no-hand --no-sample   # peak memory at scale
    python bench/run.py --methods year --people 20000             # the same, from run.py
    python bench/year.py --people 200000 --until quota   # score, roll-up and quota only

Steps, each timed, in kpiscore and in a hand-written pandas/NumPy pipeline of the same steps:

1. ``score``    12 monthly tables from one year frame (``score_frame(..., every="month")``);
2. ``rollup``   the year: the mean of the 12 monthly totals, rounded once, the caps carried
                (``kpiscore.rollup.rollup_many``);
3. ``quota``    at most 20 % HTXS of HTT, by unit, fixed-point base, ties demoted
                (``kpiscore.quota.apply_quota(group_by="unit")``);
4. ``payout``   the bundled ``danang-2026`` table: 12 months at the year's rating after the quota
                (``kpiscore.payout.payout_amounts(months=12)``, the payout column; the exact
                sample uses ``payout_rows``);
5. ``compare``  a variant (one deduction's points doubled) scored over the year against the base
                (``kpiscore.variants.compare``).

Each pipeline runs in its own fresh process (its peak memory is its own); the data is generated
there before the clock starts, and the pipeline first runs once on 500 other people, outside
the clock (imports, compiled from source when bytecode caching is off, are not throughput). The results (year total, rating after the quota, payout, the
variant's total and rating) are checked equal for everyone between kpiscore and the hand
pipeline, and for every person of one unit against the exact engine (``score_many`` for each
month, ``rollup_many``, ``apply_quota``, ``payout_rows`` and ``compare`` on fact objects).
The exit status is 1 when any differ. Nothing here is asserted in the test suite on time;
``tests/test_bench.py`` runs the equality check on a small population.
"""

from __future__ import annotations

import argparse
import hashlib
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

from workforce import SPEC, bench_policy  # noqa: E402

YEAR = "2026"
STEPS = ("score", "rollup", "quota", "payout", "compare")
#: The variant compared: the points of deduction k03 (criterion d03) doubled.
VARIANT_CRITERION = "d03"
VARIANT_PATH = "categories.discipline.criteria.d03.deductions.k03.points"
#: danang-2026 per rating: (coefficient in tenths of the salary, floor in đồng a month).
DANANG = {"HTXS": (5, 1_500_000), "HTT": (3, 1_500_000), "HT": (1, 500_000), "KHT": (0, 0)}
SAMPLE_UNIT = "unit07"
#: People in the warm-up run each timed pipeline makes first (outside the clock).
WARM_UP = 500

Results = dict[str, list[str | None]]  # subject -> [total, rating, payout, v_total, v_rating]


def variant_policy() -> Any:
    from kpiscore.variants import overlay

    base = bench_policy()
    rule = next(r for r in SPEC["deductions"] if r["id"] == VARIANT_CRITERION)
    return overlay(base, {VARIANT_PATH: rule["points"] * 2})


def variant_spec() -> dict[str, Any]:
    rules = [
        {**rule, "points": rule["points"] * 2} if rule["id"] == VARIANT_CRITERION else rule
        for rule in SPEC["deductions"]
    ]
    return {**SPEC, "deductions": rules}


# --------------------------------------------------------------------------- the data


def generate_year(people: int, *, seed: int = 2026, events_per_person: int = 8) -> Any:
    """(people, events, measures, salaries) for a year, straight into DataFrames with NumPy.

    ``events_per_person`` events a year on average (8: 16 M events for 2 M people), 10 %
    excused, a few days outside the year on either side, a reprimand for about 1 % of people;
    ratio measures (one frame for every month) and a monthly salary per person in đồng.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = pd.Index([f"nv{i:07d}" for i in range(people)], dtype=object)
    units = np.array([f"unit{u:02d}" for u in range(50)], dtype=object)[rng.integers(0, 50, people)]
    counts = rng.integers(0, 2 * events_per_person + 1, people)
    total = int(counts.sum())
    subject = np.repeat(np.arange(people), counts)
    kinds = [item["kind"] for item in SPEC["deductions"]] + [SPEC["cap_kind"]]
    kind = rng.integers(0, len(kinds) - 1, total)
    kind[rng.random(total) < 0.00125] = len(kinds) - 1
    start = np.datetime64("2025-12-27", "D")
    on = start + rng.integers(0, 365 + 10, total).astype("timedelta64[D]")
    quantity = np.array([1.0, 2.0, 0.5, 1.5, 3.0])[rng.integers(0, 5, total)]
    events = pd.DataFrame(
        {
            "subject": pd.Categorical.from_codes(subject, categories=ids),
            "kind": pd.Categorical.from_codes(kind, categories=pd.Index(kinds)),
            "on": on.astype("datetime64[ns]"),
            "quantity": quantity,
            "excused": rng.random(total) < 0.10,
        }
    ).drop_duplicates(ignore_index=True)  # each event once: kpiscore refuses repeated rows
    ratios = SPEC["ratios"]
    value = np.where(
        rng.random(people * len(ratios)) < 0.2,
        1000,
        600 + rng.integers(0, 401, people * len(ratios)),
    )
    measures = pd.DataFrame(
        {
            "subject": pd.Categorical.from_codes(
                np.repeat(np.arange(people), len(ratios)), categories=ids
            ),
            "criterion": pd.Categorical.from_codes(
                np.tile(np.arange(len(ratios)), people), categories=pd.Index(ratios)
            ),
            "value": value / 1000,
        }
    )
    salaries = 4_000_000 + 1000 * rng.integers(0, 8001, people)
    return pd.DataFrame({"id": ids, "unit": units}), events, measures, salaries


# --------------------------------------------------------------------------- kpiscore


class _Laps:
    """Each step's wall-clock seconds into ``times`` and, when given, its CPU seconds (this
    process's, ``time.process_time``) into ``cpu``: on a shared machine the CPU ratio is
    less disturbed by the other jobs than the wall-clock one."""

    def __init__(self, times: dict[str, float], cpu: dict[str, float] | None) -> None:
        self.times, self.cpu = times, cpu
        self.clock, self.cpu_clock = time.perf_counter(), time.process_time()

    def __call__(self, step: str) -> None:
        now, cpu_now = time.perf_counter(), time.process_time()
        self.times[step] = now - self.clock
        if self.cpu is not None:
            self.cpu[step] = cpu_now - self.cpu_clock
        self.clock, self.cpu_clock = now, cpu_now


def kpiscore_year(
    people: Any,
    events: Any,
    measures: Any,
    salaries: Any,
    until: str = STEPS[-1],
    *,
    cpu: dict[str, float] | None = None,
) -> tuple[Any, dict[str, float]]:
    """The year through kpiscore's public API, the steps up to ``until``; returns (the
    results' objects, step times)."""
    from kpiscore import score_frame
    from kpiscore.payout import payout_amounts
    from kpiscore.quota import apply_quota
    from kpiscore.rollup import rollup_many
    from kpiscore.variants import compare

    policy, variant = bench_policy(), variant_policy()
    paid = dict(zip(people["id"].tolist(), salaries.tolist(), strict=True))
    times: dict[str, float] = {}
    lap = _Laps(times, cpu)

    months = score_frame(policy, YEAR, people, events, measures, every="month")
    lap("score")
    year = rollup_many(months.values(), YEAR)
    lap("rollup")
    after = apply_quota(year, group_by="unit")
    lap("quota")
    if until == "quota":
        return (after, None, None), times
    money = payout_amounts(after, "danang-2026", paid, months=12)  # the payout column
    lap("payout")
    if until == "payout":
        return (after, money, None), times
    comparison = _compare(compare, policy, variant, people, events, measures)
    lap("compare")
    return (after, money, comparison), times


def _compare(compare: Callable[..., Any], policy: Any, variant: Any, *frames: Any) -> Any:
    """``variants.compare`` on the frames when it takes them; on fact objects (built inside
    the clock, as a caller would have to) when it does not."""
    from kpiscore.exceptions import KpiscoreError

    try:
        return compare(policy, variant, YEAR, *frames)
    except (KpiscoreError, TypeError, AttributeError):
        pass
    objects = fact_objects(*frames)
    return compare(policy, variant, YEAR, *objects)


def fact_objects(people: Any, events: Any, measures: Any, only: set[str] | None = None) -> Any:
    """``Person``, ``Event`` and ``Measure`` objects for the frames (optionally some people)."""
    from kpiscore import Event, Measure, Person

    def keep(frame: Any, column: str) -> Any:
        return frame if only is None else frame[frame[column].astype(object).isin(only)]

    persons = [
        Person(id=i, unit=u) for i, u in keep(people, "id")[["id", "unit"]].itertuples(index=False)
    ]
    chosen = keep(events, "subject")
    facts = [
        Event(subject=s, kind=k, on=d.date(), quantity=Decimal(repr(q)), excused=bool(x))
        for s, k, d, q, x in zip(
            chosen["subject"].astype(object),
            chosen["kind"].astype(object),
            chosen["on"],
            chosen["quantity"],
            chosen["excused"],
            strict=True,
        )
    ]
    chosen = keep(measures, "subject")
    values = [
        Measure(subject=s, criterion=c, value=Decimal(repr(v)))
        for s, c, v in zip(
            chosen["subject"].astype(object),
            chosen["criterion"].astype(object),
            chosen["value"],
            strict=True,
        )
    ]
    return persons, facts, values


def kpiscore_results(output: Any) -> Results:
    """``{subject: [total, rating, payout, variant total, variant rating]}`` (outside the
    clock)."""
    after, money, comparison = output
    # From the table's columns (no per-person result is built for the check).
    results: Results = {
        subject: [f"{total:f}", rating]
        for subject, total, rating in zip(
            after.subjects, after.totals(), after.ratings(), strict=True
        )
    }
    for subject, amount in zip(after.subjects, money or (), strict=money is not None):
        results[subject].append(f"{amount:f}")
    for row in comparison or ():
        results[row.subject] += [f"{row.variant_total:f}", row.variant_rating]
    return results


def exact_sample(
    people: Any, events: Any, measures: Any, salaries: Any, until: str = STEPS[-1]
) -> Results:
    """The same steps for one unit, on fact objects, with the exact engine."""
    from kpiscore import Period, score_many
    from kpiscore.payout import payout_rows
    from kpiscore.quota import apply_quota
    from kpiscore.rollup import rollup_many
    from kpiscore.variants import compare

    members = set(people.loc[people["unit"] == SAMPLE_UNIT, "id"].tolist())
    persons, facts, values = fact_objects(people, events, measures, members)
    policy = bench_policy()
    year = Period.year(2026)
    inside = [e for e in facts if year.start <= e.on <= year.end]
    tables = [
        score_many(
            policy, month, persons, [e for e in inside if month.start <= e.on <= month.end], values
        )
        for month in year.months()
    ]
    after = apply_quota(rollup_many(tables, year), group_by="unit")
    if until == "quota":
        return kpiscore_results((after, None, None))
    paid = {
        s: m for s, m in zip(people["id"].tolist(), salaries.tolist(), strict=True) if s in members
    }
    money = [row["payout"] for row in payout_rows(after, "danang-2026", paid, months=12)]
    if until == "payout":
        return kpiscore_results((after, money, None))
    comparison = compare(policy, variant_policy(), year, persons, inside, values)
    return kpiscore_results((after, money, comparison))


# --------------------------------------------------------------------------- by hand


def hand_scores(
    spec: dict[str, Any], facts: dict[str, Any], piece: Any, pieces: int
) -> tuple[Any, Any]:
    """(totals in cents [n, pieces], capped [n, pieces]): the bench policy's arithmetic on
    integers scaled to 1/1000 point, every person and sub-period at once. ``facts`` holds
    the columns read once (``n``, ``subject``, ``kind``, ``quantity_x10``, ``live``, ``task``);
    ``piece`` is each event's sub-period."""
    import numpy as np

    n, subject, kind = facts["n"], facts["subject"], facts["kind"]
    quantity_x10, live, task = facts["quantity_x10"], facts["live"], facts["task"]

    rules = spec["deductions"]
    cap = kind == len(rules)
    capped = np.zeros(n * pieces, dtype=bool)
    capped[(subject * pieces + piece)[live & cap]] = True
    keep = live & (kind >= 0) & ~cap
    rule, cell = kind[keep], subject[keep] * pieces + piece[keep]
    points_x100 = np.array([int(r["points"] * 100) for r in rules], dtype=np.int64)
    per_unit = np.array([r["per"] == "unit" for r in rules])
    amount = np.where(
        per_unit[rule], points_x100[rule] * quantity_x10[keep], points_x100[rule] * 10
    )
    width = len(rules)
    # Only the (person and sub-period, rule) pairs some event touches are computed; every
    # other rule gives its criterion's maximum. Integer sums below 2^53: float64 adds exactly.
    pairs, inverse = np.unique(cell * width + rule, return_inverse=True)
    requested = np.bincount(inverse, weights=amount).astype(np.int64)
    owner, rule = pairs // width, pairs % width
    limit = np.array([int(r["limit"] * 1000) if r["limit"] is not None else 2**62 for r in rules])
    requested = np.minimum(requested, limit[rule])
    maximum = np.array([int(r["max_points"] * 1000) for r in rules], dtype=np.int64)
    raw = maximum[rule] - requested
    carry = np.array([r["overflow"] == "carry" for r in rules])
    cells = n * pieces
    carried = np.bincount(
        owner, weights=np.where(carry[rule] & (raw < 0), -raw, 0), minlength=cells
    )
    lost = maximum[rule] - np.maximum(raw, 0)  # what each touched criterion lost
    in_discipline = np.array([r["category"] == "discipline" for r in rules])
    sums = {}
    for name, member in (("discipline", in_discipline), ("professional", ~in_discipline)):
        chosen = member[rule]
        lost_sum = np.bincount(owner[chosen], weights=lost[chosen], minlength=cells)
        sums[name] = int(maximum[member].sum()) - lost_sum.astype(np.int64)
    discipline, professional = sums["discipline"], sums["professional"]
    carried = carried.astype(np.int64)

    def cents(x1000: Any) -> Any:  # half up, non-negative values
        return (x1000 + 5) // 10

    total = cents(discipline) + cents(professional) + np.repeat(task, pieces)
    total = np.maximum(total - cents(carried), 0)
    return total.reshape(n, pieces), capped.reshape(n, pieces)


def hand_year(
    people: Any,
    events: Any,
    measures: Any,
    salaries: Any,
    until: str = STEPS[-1],
    *,
    cpu: dict[str, float] | None = None,
) -> tuple[Any, dict[str, float]]:
    """The same five steps as a data analyst would write them with pandas and NumPy."""
    import numpy as np
    import pandas as pd

    times: dict[str, float] = {}
    lap = _Laps(times, cpu)

    n = len(people)
    index = pd.Index(people["id"])
    kinds = [r["kind"] for r in SPEC["deductions"]] + [SPEC["cap_kind"]]

    def positions(column: Any, against: Any) -> Any:  # categorical: each category looked up once
        return against.get_indexer(column.cat.categories)[column.cat.codes.to_numpy()]

    on = events["on"]
    in_year = ((on >= pd.Timestamp("2026-01-01")) & (on <= pd.Timestamp("2026-12-31"))).to_numpy()
    live = in_year & ~events["excused"].to_numpy()
    month = on.dt.month.to_numpy().astype(np.int64) - 1
    subject = positions(events["subject"], index)
    kind = positions(events["kind"], pd.Index(kinds))
    quantity_x10 = (events["quantity"].to_numpy() * 10).round().astype(np.int64)
    value_x1000 = (measures["value"].to_numpy() * 1000).round().astype(np.int64)
    ratio_sum = np.bincount(positions(measures["subject"], index), weights=value_x1000, minlength=n)
    numerator = int(SPEC["task_max"]) * 100 * ratio_sum.astype(np.int64)  # cents × 3 × 1000
    task = (2 * numerator + 3000) // 6000
    facts = {
        "n": n,
        "subject": subject,
        "kind": kind,
        "quantity_x10": quantity_x10,
        "live": live,
        "task": task,
    }
    monthly, capped = hand_scores(SPEC, facts, month, 12)
    lap("score")
    thresholds = np.array([int(low * 100) for _, low in SPEC["bands"]])[::-1]
    names = np.array([band for band, _ in SPEC["bands"]][::-1], dtype=object)
    sums = monthly.sum(axis=1)
    total = (2 * sums + 12) // 24  # the mean of 12 months, half up, in cents
    rank = len(thresholds) - np.searchsorted(thresholds, total, side="right")  # 0 = HTXS
    rank = np.where(capped.any(axis=1), len(thresholds) - 1, rank)  # KHT, the lowest band
    lap("rollup")
    unit = pd.factorize(people["unit"])[0]
    units = int(unit.max()) + 1
    top = rank == 0
    t = np.bincount(unit[top], minlength=units)
    next_count = np.bincount(unit[rank == 1], minlength=units)
    allowed = np.minimum(t, (next_count + t) // 6)  # the largest k with k <= (N + T - k) // 5
    members = np.flatnonzero(top)
    order = members[np.lexsort((-total[members], unit[members]))]
    first = np.concatenate(([0], np.cumsum(t)))[:-1]
    short = allowed < t
    cut = np.full(units, np.iinfo(np.int64).max)
    cut[short] = total[order[first[short] + allowed[short]]]
    demoted = top & short[unit] & (total <= cut[unit])  # ties at the cut all move down
    rank = np.where(demoted, 1, rank)
    lap("quota")
    if until == "quota":
        return (people["id"], total, names[::-1][rank], None, None, None), times
    coefficient = np.array([DANANG[b][0] for b in names[::-1]])
    floor = np.array([DANANG[b][1] for b in names[::-1]])
    pay = 12 * np.maximum(salaries * coefficient[rank] // 10, floor[rank])
    lap("payout")
    if until == "payout":
        return (people["id"], total, names[::-1][rank], pay, None, None), times
    year_piece = np.zeros(len(events), dtype=np.int64)
    variant, _ = hand_scores(variant_spec(), facts, year_piece, 1)
    _, base_capped = hand_scores(SPEC, facts, year_piece, 1)
    variant_total = variant[:, 0]
    variant_rank = len(thresholds) - np.searchsorted(thresholds, variant_total, side="right")
    variant_rank = np.where(base_capped[:, 0], len(thresholds) - 1, variant_rank)
    lap("compare")
    return (
        people["id"],
        total,
        names[::-1][rank],
        pay,
        variant_total,
        names[::-1][variant_rank],
    ), times


def hand_results(output: Any) -> Results:
    ids, total, rating, pay, variant_total, variant_rating = output
    if pay is None or variant_total is None:  # stopped after the quota or the payout
        results: Results = {
            s: [f"{Decimal(int(t)).scaleb(-2):f}", r]
            for s, t, r in zip(ids, total.tolist(), rating.tolist(), strict=True)
        }
        if pay is not None:
            for s, p in zip(ids, pay.tolist(), strict=True):
                results[s].append(str(int(p)))
        return results
    return {
        s: [
            f"{Decimal(int(t)).scaleb(-2):f}",
            r,
            str(int(p)),
            f"{Decimal(int(v)).scaleb(-2):f}",
            vr,
        ]
        for s, t, r, p, v, vr in zip(
            ids,
            total.tolist(),
            rating.tolist(),
            pay.tolist(),
            variant_total.tolist(),
            variant_rating.tolist(),
            strict=True,
        )
    }


# --------------------------------------------------------------------------- the runs


def digest(results: Results) -> str:
    text = "\n".join(f"{s}\t{json.dumps(results[s])}" for s in sorted(results))
    return hashlib.sha256(text.encode()).hexdigest()


def worker(method: str, people: int, out: Path, until: str = STEPS[-1]) -> None:
    """Run one pipeline in this fresh process; write its times, peak memory and results."""
    if method in ("kpiscore", "hand"):
        # Once on a few people first, outside the clock: imports (compiled from source when
        # bytecode caching is off) and first-call set-up are not the pipeline's throughput.
        few, few_events, few_measures, few_salaries = generate_year(WARM_UP, seed=1)
        run = kpiscore_year if method == "kpiscore" else hand_year
        run(few, few_events, few_measures, few_salaries, until=until)
    data = generate_year(people)
    events = len(data[1])
    sample = set(data[0].loc[data[0]["unit"] == SAMPLE_UNIT, "id"].tolist())
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    began = time.perf_counter()
    frames = data[0], data[1], data[2], data[3]  # people, events, measures, salaries
    if method == "kpiscore":
        output, times = kpiscore_year(*frames, until=until, cpu=cpu)
    elif method == "hand":
        output, times = hand_year(*frames, until=until, cpu=cpu)
    elif method == "exact":
        output = exact_sample(*frames, until=until)
    else:
        raise SystemExit(f"unknown year method {method!r}")
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    del data
    results = (
        output
        if method == "exact"
        else kpiscore_results(output)
        if method == "kpiscore"
        else hand_results(output)
    )
    out.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "times": times,
                "cpu": cpu,
                "peak_kib": peak,
                "events": events,
                "digest": digest(results),
                "sample": {s: results[s] for s in sorted(sample) if s in results},
            }
        ),
        encoding="utf-8",
    )


def step_seconds(seconds: dict[str, float], step: str) -> float:
    """One step's seconds, or the sum of all steps for ``"total"``."""
    return sum(seconds.values()) if step == "total" else seconds[step]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--no-hand", action="store_true", help="skip the hand pipeline")
    parser.add_argument(
        "--no-sample", action="store_true", help="skip the exact engine's check of one unit"
    )
    parser.add_argument(
        "--until",
        choices=STEPS[2:],
        default=STEPS[-1],
        help="stop after this step (quota, payout or compare, the default: all five)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.people, Path(args.out), args.until)
        return 0
    methods = (
        ["kpiscore"] + ([] if args.no_hand else ["hand"]) + ([] if args.no_sample else ["exact"])
    )
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
                    "--out",
                    str(out),
                    "--until",
                    args.until,
                ],
                check=True,
            )
            measured[method] = json.loads(out.read_text(encoding="utf-8"))
    mine = measured["kpiscore"]
    print(
        f"kpiscore year benchmark: {args.people:,} people, {mine['events']:,} events in one"
        f" year frame, 12 months, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    print()
    header = f"{'step':<10} {'kpiscore s':>11}"
    if "hand" in measured:
        header += f" {'hand s':>9} {'kpiscore/hand':>14} {'CPU s':>7} {'hand CPU s':>11} {'CPU':>7}"
    print(header)
    hand = measured.get("hand")
    shown = [*STEPS[: STEPS.index(args.until) + 1], "total"]
    for step in shown:
        line = f"{step:<10} {step_seconds(mine['times'], step):>11.3f}"
        if hand is not None:
            mine_s, hand_s = step_seconds(mine["times"], step), step_seconds(hand["times"], step)
            mine_c, hand_c = step_seconds(mine["cpu"], step), step_seconds(hand["cpu"], step)
            line += f" {hand_s:>9.3f} {hand_s / mine_s:>13.2f}x"
            line += f" {mine_c:>7.3f} {hand_c:>11.3f} {hand_c / mine_c:>6.2f}x"
        print(line)
    total = sum(mine["times"].values())
    if hand is not None:
        print(
            "(CPU: each process's own CPU seconds, time.process_time; the machine may be shared,"
            " and the CPU ratio is the one other jobs disturb least)"
        )
    print()
    print(
        f"kpiscore: {args.people / total:,.0f} people/s for the whole year; peak RSS of its"
        f" process {mine['peak_kib'] / 1024 / 1024:.2f} GiB (data included)"
    )
    if hand is not None:
        print(
            f"hand:     {args.people / sum(hand['times'].values()):,.0f} people/s; peak RSS"
            f" {hand['peak_kib'] / 1024 / 1024:.2f} GiB"
        )
        print(
            "throughput ratio kpiscore/hand (higher is better; the issue's target is >= 0.67x):"
            f" {sum(hand['times'].values()) / total:.2f}x wall clock,"
            f" {sum(hand['cpu'].values()) / sum(mine['cpu'].values()):.2f}x CPU"
        )
    ok = True
    checked = {
        "quota": "year total and rating after the quota",
        "payout": "year total, rating and payout",
    }.get(args.until, "year total, rating, payout and variant")
    if hand is not None:
        same = hand["digest"] == mine["digest"]
        ok = ok and same
        print(f"kpiscore and hand agree on every person's {checked}: {'yes' if same else 'NO'}")
        if not same:
            diff = [s for s in mine["sample"] if mine["sample"][s] != hand["sample"].get(s)]
            print(f"  e.g. {[(s, mine['sample'][s], hand['sample'].get(s)) for s in diff[:3]]}")
    if "exact" in measured:
        exact = measured["exact"]["sample"]
        same = exact == mine["sample"] and bool(exact)
        ok = ok and same
        print(
            f"the exact engine agrees on all {len(exact)} people of {SAMPLE_UNIT}"
            f" (score_many and the steps up to {args.until}): {'yes' if same else 'NO'}"
        )
        if not same:
            diff = [s for s in exact if exact[s] != mine["sample"].get(s)]
            print(f"  e.g. {[(s, exact[s], mine['sample'].get(s)) for s in diff[:3]]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
