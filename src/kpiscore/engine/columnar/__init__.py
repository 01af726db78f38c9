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
- ``_csv``: the figures written as CSV, column by column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kpiscore._extras import require

if TYPE_CHECKING:
    import pandas as pd

    from kpiscore.model.facts import Person
    from kpiscore.model.period import Period
    from kpiscore.model.policy import Policy
    from kpiscore.results.scorecard import ScoreTable

__all__ = ["score_frame"]


def score_frame(
    policy: Policy,
    period: Period | str,
    people: pd.DataFrame | Iterable[Person | str],
    events: pd.DataFrame | None,
    measures: pd.DataFrame | None = None,
) -> ScoreTable:
    """Score a whole population from DataFrames with the columnar engine.

    Args:
        policy: The policy to score under.
        period: The period (a :class:`Period` or a label).
        people: A DataFrame with an ``id`` column (and optionally ``name``, ``unit``, ``group``,
            ``position``), or a sequence of :class:`Person` or id strings.
        events: A DataFrame with columns ``subject, kind, on`` and optionally ``quantity``
            (default 1) and ``excused`` (default False); ``on`` holds dates (``datetime64`` at
            midnight, or ``datetime.date`` objects).
        measures: A DataFrame with columns ``subject, criterion, value``, or ``None``.

    Numbers (``quantity``, ``value``) are read exactly: integers, text and ``Decimal`` as they
    are, floats through their shortest repr *in their own precision* (a ``float32`` 0.7 is 0.7,
    as NumPy prints it). Booleans are not numbers and are refused, in a column of their own or
    among other values.

    Returns:
        A :class:`ScoreTable` whose totals, ratings and rows come from the columns, and whose
        scorecards (with ledgers) are built by the exact engine when read. ``table.notes`` says
        what, if anything, was handed to the exact engine.

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``).
        InputError: a bad column or value, naming the frame, the row and the column.
        UnknownSubjectError: a fact names someone outside the population.
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
    """
    require("pandas", "pandas")
    require("numpy", "pandas")
    from kpiscore.engine.columnar._frames import score_frames

    return score_frames(policy, period, people, events, measures)
