"""Every sub-period of a period scored from one events frame, the frame read once.

:func:`kpiscore.score_frame` with ``every="month"`` (or ``"quarter"``) lands here. People and
events are read, checked and converted once, exactly as for a single period; each event row is
then placed in its sub-period with one binary search of its day among the sub-periods' first
days, and the rows are grouped by sub-period with one stable counting sort (so each sub-period
keeps the frame's row order). Each sub-period is scored from its own rows only, so the cost of
the twelve months of a year is about that of the year, not twelve times it.

NumPy and pandas are imported at the top: this module is imported only once the entry point has
checked that the ``kpiscore[pandas]`` extra is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from kpiscore.engine.columnar._arrays import Codes, Population
from kpiscore.engine.columnar._cells import Problems
from kpiscore.engine.columnar._columns import EventColumns, MeasureColumns
from kpiscore.engine.columnar._figures import KindCounts, score_columns
from kpiscore.engine.columnar._frames import (
    event_check,
    read_events,
    read_measures,
    read_population,
    score_frames,
)
from kpiscore.engine.compile import _Compiled, compile_policy
from kpiscore.engine.exact import _check_policy
from kpiscore.exceptions import InputError
from kpiscore.model.fact_checks import Duplicates, UnknownKinds, check_options
from kpiscore.model.facts import Person
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

__all__ = [
    "Every",
    "MeasuresEvery",
    "pieces_of",
    "score_frames_every",
    "score_frames_pair",
    "split_events",
]

#: The sub-periods :func:`kpiscore.score_frame` can split a period into.
Every: TypeAlias = Literal["month", "quarter"]

#: Measures for every sub-period: one frame for all of them, or one per sub-period.
MeasuresEvery: TypeAlias = "pd.DataFrame | Mapping[Period | str, pd.DataFrame | None] | None"


def pieces_of(period: Period, every: object) -> tuple[Period, ...]:
    """The sub-periods of ``period`` (months or quarters, clipped to it), in order."""
    if every == "month":
        return period.months()
    if every == "quarter":
        return period.quarters()
    raise InputError(f"score_frame: every must be 'month', 'quarter' or None (got {every!r})")


def score_frames_every(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: MeasuresEvery,
    *,
    every: object,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> dict[Period, ScoreTable]:
    """:func:`kpiscore.score_frame` with ``every`` (documented there)."""
    policy = _check_policy(policy)
    check_options(unknown_kinds, duplicates, "score_frame")
    period = as_period(period)
    pieces = pieces_of(period, every)
    for piece in pieces:
        policy.check_period(piece)
    persons, index = read_population(people)
    compiled = compile_policy(policy)  # cached per policy; compiled in kpiscore's own context
    facts = read_events(events, index, period, check=event_check(policy, unknown_kinds, duplicates))
    per_piece = _measures_every(measures, pieces, index, compiled)
    return {
        piece: score_columns(policy, piece, persons, rows, per_piece[piece], compiled=compiled)
        for piece, rows in zip(pieces, split_events(facts, pieces), strict=True)
    }


def score_frames_pair(  # noqa: PLR0917 - compare's own arguments
    base: Policy,
    variant: Policy,
    period: Period | str,
    people: object,
    events: object,
    measures: object,
    *,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> tuple[ScoreTable, ScoreTable]:
    """``(score_frame(base, …), score_frame(variant, …))`` on the same frames, the people and
    events read and checked once when both policies know the same event kinds (both with
    ``unknown_kinds`` and ``duplicates``).

    :func:`kpiscore.variants.compare` on DataFrames lands here. The tables, and the errors
    and their order, are those of the two calls: the base's reading raises first; reading the
    same people and events again could find nothing new (the same kinds are known), so only
    the variant's period and measures (its criteria decide which measure it refuses) are
    checked for it, the measures read again only when its measured criteria or their checks
    differ from the base's. Policies that know different kinds are scored by two calls.
    """
    base, variant = _check_policy(base), _check_policy(variant)
    period = as_period(period)
    check_options(unknown_kinds, duplicates, "compare")
    if base.known_kinds != variant.known_kinds:
        return (
            score_frames(base, period, people, events, measures,
                         unknown_kinds=unknown_kinds, duplicates=duplicates),
            score_frames(variant, period, people, events, measures,
                         unknown_kinds=unknown_kinds, duplicates=duplicates),
        )  # fmt: skip
    base.check_period(period)
    persons, index = read_population(people)
    problems = Problems()
    compiled = compile_policy(base)
    facts = read_events(
        events, index, period, problems, check=event_check(base, unknown_kinds, duplicates)
    )
    base_measures = read_measures(measures, index, compiled, problems)
    problems.raise_all()
    counts: KindCounts = {}  # each person's events per kind, counted once for both policies
    base_table = score_columns(
        base, period, persons, facts, base_measures, compiled=compiled, kind_counts=counts
    )
    variant.check_period(period)
    base_compiled, compiled = compiled, compile_policy(variant)
    if _reads_measures_alike(base_compiled, compiled):
        variant_measures = base_measures  # the same slots, the same checks: the same columns
    else:
        problems = Problems()
        variant_measures = read_measures(measures, index, compiled, problems)
        problems.raise_all()
    variant_table = score_columns(
        variant, period, persons, facts, variant_measures, compiled=compiled, kind_counts=counts
    )
    return base_table, variant_table


def _reads_measures_alike(base: _Compiled, variant: _Compiled) -> bool:
    """Whether :func:`read_measures` reads any measures frame the base accepted into the same
    columns for the variant, refusing none: the same measured criteria in the same slots,
    checked alike (basis, maximum, ratio cap; the policies' ``max_ratio``)."""

    def checks(compiled: _Compiled) -> tuple[object, ...]:
        measured = tuple(
            (info[1], info[7].basis, info[7].max_points, info[7].ratio_cap)
            for info in compiled.measured_info
        )
        return measured, compiled.policy.max_ratio

    return checks(base) == checks(variant)


def _measures_every(
    measures: MeasuresEvery,
    pieces: tuple[Period, ...],
    index: Population,
    compiled: _Compiled,
) -> dict[Period, MeasureColumns]:
    """Each sub-period's measures: one frame read once for all, or a frame per sub-period
    (keyed by the sub-period or its label; a sub-period left out has no measures)."""
    if measures is None or isinstance(measures, pd.DataFrame):
        shared = read_measures(measures, index, compiled)
        return dict.fromkeys(pieces, shared)
    if not isinstance(measures, Mapping):
        raise InputError(
            "measures must be a pandas DataFrame, a mapping of sub-period to DataFrame, or None"
            f" (got {type(measures).__name__})"
        )
    labels = {piece.label: piece for piece in pieces}
    given: dict[Period, pd.DataFrame | None] = {}
    for key, frame in measures.items():
        piece = labels.get(key) if isinstance(key, str) else key
        if piece not in pieces:
            raise InputError(
                f"measures: {key!r} is not a sub-period scored; expected one of {list(labels)!r}"
            )
        if piece in given:
            raise InputError(f"measures: the sub-period {piece.label} is given twice")
        given[piece] = frame
    return {piece: read_measures(given.get(piece), index, compiled) for piece in pieces}


def split_events(events: EventColumns, pieces: tuple[Period, ...]) -> list[EventColumns]:
    """The event columns of each sub-period (consecutive, in order), every row in its own.

    Each row's sub-period is read from a table of the days the sub-periods cover (one look-up
    per row, not a binary search), then the rows are grouped with one stable counting sort of
    the small sub-period codes: each sub-period's rows keep the frame's order, so a person's
    ledger lists the events as a single-period call lists them. The rows are reordered once;
    each sub-period's columns are views of those, in the narrowest integers that hold them
    (a day is a code into the sub-period's own days): a year of 16 M events holds them once.
    """
    first = int(np.datetime64(pieces[0].start, "D").astype(np.int64))
    lengths = [piece.days for piece in pieces]
    outside = len(pieces)  # one more bucket: rows before the first or after the last day
    small = np.min_scalar_type(outside)  # 8 bits for a year's months: a radix sort
    by_day = np.repeat(np.arange(outside, dtype=small), lengths)
    by_day = np.append(by_day, np.array([outside], dtype=small))  # past the last day
    offset = events.day.astype(np.int64) - first
    offset[(offset < 0) | (offset >= len(by_day))] = len(by_day) - 1
    piece_of = by_day.take(offset)
    order = np.argsort(piece_of, kind="stable")
    starts = np.concatenate(([0], np.cumsum(np.bincount(piece_of, minlength=outside + 1))))
    kept = order[: starts[outside]]  # the rows of some sub-period, grouped by it
    piece_first = np.concatenate(([0], np.cumsum(lengths)))
    within = offset - piece_first.take(np.minimum(piece_of, outside - 1))  # day in its piece
    columns = [
        _narrow(column).take(kept)
        for column in (events.subject, events.kind_codes, events.quantity_codes, within)
    ]
    subject, kind_codes, quantity_codes, day_codes = columns
    excused = events.excused.take(kept)
    parts = []
    for i, piece in enumerate(pieces):
        at = slice(starts[i], starts[i + 1])
        part = EventColumns()
        part.subject, part.kind_codes = subject[at], kind_codes[at]
        part.kinds = events.kinds
        part.quantity_codes, part.quantities = quantity_codes[at], events.quantities
        part.excused = excused[at]
        part.day_codes = day_codes[at]
        part.day_values = np.arange(
            np.datetime64(piece.start, "D"),
            np.datetime64(piece.end, "D") + np.timedelta64(1, "D"),
            dtype="datetime64[D]",
        )
        if events.refs is not None or events.notes is not None:
            rows = order[at].tolist()
            if events.refs is not None:
                refs = events.refs
                part.refs = [refs[row] for row in rows]
            if events.notes is not None:
                notes = events.notes
                part.notes = [notes[row] for row in rows]
        part.limit_to(piece)
        parts.append(part)
    return parts


def _narrow(codes: Codes) -> Codes:
    """Non-negative codes in the narrowest signed integers that hold them."""
    largest = int(codes.max(initial=0))
    for kind in (np.int8, np.int16, np.int32):
        if largest <= np.iinfo(kind).max:
            narrowed: Codes = codes.astype(kind, copy=False)
            return narrowed
    return codes
