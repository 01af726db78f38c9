"""The columnar engine: a whole workforce scored with integer arrays, exactly.

``score_frame`` reads facts from pandas DataFrames and computes every figure with NumPy integer
arithmetic scaled to a power of ten fine enough for every input, reproducing the policy's
rounding mode exactly (floor division plus the mode's rule, ties recognised exactly). The
results are identical to the exact engine's; each person's scorecard, with its ledger, is built
by the exact engine only when it is asked for.

What it does not vectorise it hands to the exact engine, and the table's ``notes`` say so:
people with a measure excluded under ``missing="exclude"`` (their category renormalises), and a
whole population whose scaled figures could overflow 64-bit integers.

NumPy and pandas are the optional extra ``kpiscore[pandas]``. This module imports neither: the
modules that do the work (which import NumPy, and pandas where frames are read, at their top)
are imported on the first call.

The package's modules:

- ``_arrays``: the array types, the population (ids, attributes, lookups) and pyarrow helpers;
- ``_columns``: the facts as columns (events, measures), whatever read them;
- ``_frames``: reading and checking DataFrames (pandas);
- ``_figures``: the integer arithmetic: every figure for everyone;
- ``_year``: every month or quarter of a period from one events frame, read once;
- ``_csv``: the figures written as CSV, column by column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal, cast, overload

from kpiscore._extras import require
from kpiscore.model.fact_checks import Duplicates, UnknownKinds

if TYPE_CHECKING:
    import pandas as pd

    from kpiscore.model.facts import Person
    from kpiscore.model.period import Period
    from kpiscore.model.policy import Policy
    from kpiscore.results.scorecard import ScoreTable

__all__ = ["score_frame"]


@overload
def score_frame(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: pd.DataFrame | None = None,
    *,
    every: None = None,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> ScoreTable: ...


@overload
def score_frame(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: pd.DataFrame | Mapping[Period | str, pd.DataFrame | None] | None = None,
    *,
    every: Literal["month", "quarter"],
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> dict[Period, ScoreTable]: ...


def score_frame(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: pd.DataFrame | Mapping[Period | str, pd.DataFrame | None] | None = None,
    *,
    every: Literal["month", "quarter"] | None = None,
    unknown_kinds: UnknownKinds = "error",
    duplicates: Duplicates = "error",
) -> ScoreTable | dict[Period, ScoreTable]:
    """Score a whole population from DataFrames with the columnar engine.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label).
        people: A DataFrame with an ``id`` column (and optionally ``name``, ``unit``, ``group``,
            ``position``), or a sequence of :class:`Person` or id strings. Other columns are
            read as ``load_people`` reads a file's (text, checked, not scored); pandas'
            ``Unnamed: N`` columns with no value (a file's trailing empty columns) are ignored
            here and in the events and measures frames.
        events: A DataFrame with columns ``subject, kind, on`` and optionally ``quantity``
            (default 1) and ``excused`` (default False); ``on`` holds dates (``datetime64`` at
            midnight, or ``datetime.date`` objects).
        measures: A DataFrame with columns ``subject, criterion, value``, or ``None``. With
            ``every``, one frame serves every sub-period, or a mapping gives each sub-period
            (a :class:`Period` or its label) its own frame; a sub-period left out has none.
        every: ``"month"`` or ``"quarter"`` to score every month or quarter of ``period``
            (clipped to it) from the same frames, read and checked once: the events are split
            by day, each sub-period scored from its own rows only. ``None`` (the default)
            scores ``period`` itself.
        unknown_kinds: ``"error"`` (the default): an event kind the policy does not know
            (:attr:`Policy.known_kinds`) is a problem naming its first row and the nearest
            known kinds; ``"ignore"`` leaves such rows out.
        duplicates: ``"error"`` (the default): two rows with the same subject and ``ref``,
            or two rows without a ``ref`` equal in every field once read (a blank quantity is
            1, ``02/01/2026`` is ``2026-01-02``), are a problem, as in the files; ``"allow"``
            counts both. (:func:`kpiscore.score_many` on :class:`Event` lists refuses only a
            repeated ``ref``.)

    Numbers (``quantity``, ``value``) are read exactly: integers, text and ``Decimal`` as they
    are, floats through their shortest repr *in their own precision* (a ``float32`` 0.7 is 0.7,
    as NumPy prints it). Booleans are not numbers and are refused, in a column of their own or
    among other values.

    Returns:
        A :class:`ScoreTable` whose totals, ratings and rows come from the columns, and whose
        scorecards (with ledgers) are built by the exact engine when read. ``table.notes`` says
        what, if anything, was handed to the exact engine. With ``every``, a dict of such
        tables keyed by sub-period, in date order: each table is the one a call for that
        sub-period alone would give (ready for :func:`kpiscore.rollup.rollup_many`).

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``).
        InputError: a bad column or value, naming the frame, the row and the column.
        UnknownSubjectError: a fact names someone outside the population.
        UnknownKindError, DuplicateEventError: as for :func:`kpiscore.score`.
        InputErrorGroup: several problems (bad cells, unknown subjects and kinds, repeated
            rows, measures out of range, e.g. a ratio above ``max_ratio``), all of them at
            once, each naming its frame and row label, in order of frame and row.
        MissingInputError, PeriodError: as for :func:`kpiscore.score`.

    >>> import pandas as pd
    >>> from kpiscore import Category, Criterion, Deduction, Policy, score_frame
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="training", name="Training", max_points=15,
    ...               deductions=[Deduction(on="training_absence", points=2)])])])
    >>> events = pd.DataFrame({"subject": ["a", "a", "b"], "kind": ["training_absence"] * 3,
    ...                        "on": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-04-01"])})
    >>> table = score_frame(policy, "2026-Q1", pd.DataFrame({"id": ["a", "b"]}), events)
    >>> table.totals()
    (Decimal('11.00'), Decimal('15.00'))
    >>> table["a"].criterion("training").rules[0].requested
    Decimal('-4')

    Every quarter of the year from the same frames, read once:

    >>> quarters = score_frame(policy, "2026", pd.DataFrame({"id": ["a", "b"]}), events,
    ...                        every="quarter")
    >>> [(piece.label, table.totals()) for piece, table in quarters.items()]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('2026-Q1', (Decimal('11.00'), Decimal('15.00'))),
     ('2026-Q2', (Decimal('15.00'), Decimal('13.00'))),
     ('2026-Q3', (Decimal('15.00'), Decimal('15.00'))),
     ('2026-Q4', (Decimal('15.00'), Decimal('15.00')))]
    """
    require("pandas", "pandas")
    require("numpy", "pandas")
    from kpiscore.model.numbers import exact

    # kpiscore's own decimal context, never the caller's (a refused measure is found by
    # the exact engine's own check while the frames are read).
    with exact():
        if every is not None:
            from kpiscore.engine.columnar._year import score_frames_every

            return score_frames_every(
                policy,
                period,
                people,
                events,
                measures,
                every=every,
                unknown_kinds=unknown_kinds,
                duplicates=duplicates,
            )
        from kpiscore.engine.columnar._frames import score_frames

        # Anything but a frame or None (a mapping without every) is refused by the reader.
        return score_frames(
            policy,
            period,
            people,
            events,
            cast("pd.DataFrame | None", measures),
            unknown_kinds=unknown_kinds,
            duplicates=duplicates,
        )
