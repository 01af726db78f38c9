"""Benchmark: ``score_frame`` on every natural notebook input shape, ratios in one run.

Usage::

    python bench/shapes.py                  # 200,000 people (issue 14's figure)
    python bench/shapes.py --people 50000   # a quicker run
    python bench/shapes.py --shapes base,dates-object,people-ids --repeat 5
    python bench/shapes.py --clock cpu      # CPU time: steadier on a shared machine

One workforce is generated (``workforce.generate_frames``: ~8 events and 3 measures per
person) and then given to :func:`kpiscore.score_frame` in each shape an analyst's notebook
naturally holds: people as a DataFrame, a list of ids or a list of :class:`Person`; event dates
as ``datetime64`` of each unit, ``datetime.date`` objects, Arrow ``date32`` or ``timestamp``
or ISO strings; text as object, ``string[python]``, ``string[pyarrow]`` or categorical
columns; and whole inputs as ``read_csv(dtype_backend="pyarrow")`` gives them, as a
``pyarrow.Table`` and (when installed) as a polars DataFrame.

Every shape's inputs are built before any clock starts; the clock covers only the
``score_frame`` call, best of ``--repeat`` calls (3 by default; noise on a shared machine only
adds time). The calls go in rounds, every shape once per round, so that a change in the
machine's load during the run reaches all shapes alike. The table prints people per second per
shape and its ratio to the fastest shape; the last line is the worst/best ratio (issue 14's
target: at least 0.67). Every shape's totals and ratings are checked equal to the first
shape's, person by person; the exit status is 1 when any differ. Nothing here is asserted in
the test suite (``tests/test_shapes_bench.py`` runs every shape on a small population).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workforce import PERIOD, bench_policy, generate_frames  # noqa: E402

Inputs = tuple[Any, Any, Any]
Shape = Callable[[Inputs], Inputs]


def _text(frame: Any, columns: tuple[str, ...], dtype: str) -> Any:
    """The frame with these columns as text of ``dtype`` (object, string[python]…)."""
    import pandas as pd

    frame = frame.copy()
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        frame[name] = column.astype(dtype)
    return frame


def _on(events: Any, convert: Callable[[Any], Any]) -> Any:
    events = events.copy()
    events["on"] = convert(events["on"])
    return events


def _arrow_frame(frame: Any) -> Any:
    """A frame as ``read_csv(..., dtype_backend="pyarrow")`` gives it: every column Arrow."""
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped]

    table = pa.Table.from_pandas(_plain(frame), preserve_index=False)
    if "on" in table.column_names:
        table = table.set_column(
            table.column_names.index("on"), "on", table["on"].cast(pa.date32())
        )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _plain(frame: Any) -> Any:
    """Categoricals as object text (what a CSV file holds)."""
    import pandas as pd

    frame = frame.copy()
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    return frame


def _table(frame: Any) -> Any:
    import pyarrow as pa

    table = pa.Table.from_pandas(_plain(frame), preserve_index=False)
    if "on" in table.column_names:
        table = table.set_column(
            table.column_names.index("on"), "on", table["on"].cast(pa.date32())
        )
    return table


def _polars(frame: Any) -> Any:
    pl = importlib.import_module("polars")
    return pl.from_arrow(_table(frame))


def _shapes() -> dict[str, Shape]:
    import pandas as pd

    def arrow_on(kind: str) -> Shape:
        def build(inputs: Inputs) -> Inputs:
            import pyarrow as pa

            target = pa.date32() if kind == "date32" else pa.timestamp(kind)
            return (
                inputs[0],
                _on(
                    inputs[1],
                    lambda c: (
                        c.astype("datetime64[ns]")
                        .astype(pd.ArrowDtype(pa.timestamp("ns")))
                        .astype(pd.ArrowDtype(target))
                    ),
                ),
                inputs[2],
            )

        return build

    def unit(u: str) -> Shape:
        return lambda i: (i[0], _on(i[1], lambda c: c.astype(f"datetime64[{u}]")), i[2])

    def text(dtype: str) -> Shape:
        return lambda i: (
            _text(i[0], ("id", "unit"), dtype),
            _text(i[1], ("subject", "kind"), dtype),
            _text(i[2], ("subject", "criterion"), dtype),
        )

    shapes: dict[str, Shape] = {
        "base": lambda i: i,  # bench/run.py's shape: categorical text, datetime64[ns]
        "people-ids": lambda i: (i[0]["id"].tolist(), i[1], i[2]),
        "people-persons": lambda i: (_persons(i[0]), i[1], i[2]),
        "dates-s": unit("s"),
        "dates-ms": unit("ms"),
        "dates-us": unit("us"),
        "dates-object": lambda i: (
            i[0],
            _on(i[1], lambda c: pd.Series(c.dt.date, dtype=object)),
            i[2],
        ),
        "dates-date32": arrow_on("date32"),
        "dates-timestamp": arrow_on("us"),
        "dates-iso": lambda i: (i[0], _on(i[1], lambda c: c.dt.strftime("%Y-%m-%d")), i[2]),
        "text-object": text("object"),
        "text-string-python": text("string[python]"),
        "text-string-pyarrow": text("string[pyarrow]"),
        "read-csv-pyarrow": lambda i: tuple(_arrow_frame(f) for f in i),
        "pyarrow-table": lambda i: tuple(_table(f) for f in i),
    }
    if importlib.util.find_spec("polars") is not None:
        shapes["polars"] = lambda i: tuple(_polars(f) for f in i)
    return shapes


def _persons(people: Any) -> list[Any]:
    from kpiscore import Person

    return [Person(id=i, unit=u) for i, u in zip(people["id"], people["unit"], strict=True)]


def _results(table: Any) -> list[tuple[str, str, str | None]]:
    return list(zip(table.subjects, map(str, table.totals()), table.ratings(), strict=True))


def run(
    people: int,
    names: list[str] | None,
    repeat: int,
    out: Callable[[str], None],
    clock: str = "wall",
) -> int:
    """Time each shape; print the table; 1 if any shape's results differ from the first's.

    ``clock="cpu"`` times the process's own CPU time (``time.process_time``) instead of the
    wall clock: on a machine shared with other work, the figures then move far less."""
    timer = time.process_time if clock == "cpu" else time.perf_counter
    from kpiscore import score_frame

    policy = bench_policy()
    base = generate_frames(people)
    shapes = _shapes()
    chosen = names or list(shapes)
    unknown = [name for name in chosen if name not in shapes]
    if unknown:
        raise SystemExit(f"unknown shape(s) {unknown}; choose from {list(shapes)}")
    score_frame(policy, PERIOD, *shapes["base"](base))  # warm-up: imports, compiled policy
    # Every shape's inputs are built first, then timed in rounds (each round times every
    # shape once): a change in the machine's load during the run then reaches every shape's
    # best alike, instead of the shapes timed while it lasted.
    inputs = {name: shapes[name](base) for name in chosen}
    best: dict[str, float] = dict.fromkeys(chosen, float("inf"))
    refused: set[str] = set()
    status = 0
    for _ in range(repeat):
        for name in chosen:
            if name in refused:
                continue
            gc.collect()
            try:
                started = timer()
                table = score_frame(policy, PERIOD, *inputs[name])
                best[name] = min(best[name], timer() - started)
            except Exception as error:
                out(f"!! {name}: refused: {type(error).__name__}: {str(error)[:160]}")
                refused.add(name)
                status = 1
            else:
                del table
    timings = {name: best[name] for name in chosen if name not in refused}
    reference: list[tuple[str, str, str | None]] | None = None
    for name in timings:
        results = _results(score_frame(policy, PERIOD, *inputs[name]))
        if reference is None:
            reference = results
        elif results != reference:
            out(f"!! {name}: results differ from {chosen[0]}'s")
            status = 1
    del inputs
    fastest = max(people / t for t in timings.values())
    out(f"score_frame, {people:,} people, best of {repeat} ({clock} clock)")
    out(f"{'shape':24} {'seconds':>9} {'people/s':>12} {'× best':>7}")
    for name, seconds in timings.items():
        rate = people / seconds
        out(f"{name:24} {seconds:9.3f} {rate:12,.0f} {rate / fastest:7.2f}")
    quickest = min(timings, key=timings.__getitem__, default=None)
    slowest = max(timings, key=timings.__getitem__)
    out(
        f"worst/best: {min(people / t for t in timings.values()) / fastest:.2f}"
        f" (worst {slowest}, best {quickest}; target >= 0.67)"
    )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--shapes", help="comma-separated shape names (default: all)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; each shape's best is kept (default 3)"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: elapsed time; cpu: this process's CPU time (steadier on a shared machine)",
    )
    args = parser.parse_args(argv)
    names = args.shapes.split(",") if args.shapes else None
    return run(args.people, names, args.repeat, print, args.clock)


if __name__ == "__main__":
    raise SystemExit(main())
