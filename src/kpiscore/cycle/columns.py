"""Roll-ups and quotas straight from the integer columns of tables from ``score_frame``.

A table scored by the columnar engine keeps every reported total as an integer count of the
policy's precision (``Figures.total_units``) and every rating as a band rank (0 for the highest
band, -1 for none). This module computes from those columns, for everyone at once:

- the **roll-up** (:class:`RollupColumns`): the sum of each person's sub-period totals, the mean
  rounded once with the policy's rounding (:func:`~kpiscore.engine.columnar._figures.round_units`,
  the same integer rule as the engine's; the precision is a power of ten, so the mean in units
  is the sum over the count, rounded once), the time worked (whole months, else days), the policy's
  ``min_worked_share``, and the rating caps carried from the sub-periods (each table's
  ``cap_rank``: the lowest band a live cap event allowed);
- the **quota's ranking** (:func:`rank_groups`): one lexicographic sort of the people rated in
  the limited band, by group, total (highest first) and subject id, so each group is one slice.

The per-person objects (a :class:`~kpiscore.rollup.Rollup` with its explanation, a scorecard
with its quota line) are built by :mod:`kpiscore.rollup` and :mod:`kpiscore.quota` only for a
person someone asks about; this module never builds them (it does not import the roll-up
module, which imports it).

NumPy is imported at the top: this module is imported only for tables that hold columns, which
exist only once the ``kpiscore[pandas]`` extra is installed.

>>> import pandas as pd
>>> from kpiscore import Category, Criterion, Deduction, Policy, score_frame
>>> from kpiscore.rollup import rollup_many
>>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
...     Criterion(id="x", name="X", max_points=10, deductions=[
...         Deduction(on="late", points=1)])])])
>>> events = pd.DataFrame({"subject": ["a"], "kind": ["late"], "on": ["2026-02-03"]})
>>> months = score_frame(policy, "2026-Q1", ["a", "b"], events, every="month")
>>> year = rollup_many(months.values(), "2026-Q1")
>>> year.totals(), year.notes[0][:40]      # (10 + 9 + 10) / 3 = 9.666…
((Decimal('9.67'), Decimal('10.00')), 'the roll-up was computed from the tables')
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final, cast

import numpy as np
import numpy.typing as npt
from dateutil.relativedelta import relativedelta

from kpiscore.engine.columnar._arrays import Bools, Codes, Ints
from kpiscore.engine.columnar._figures import Figures, round_units, then
from kpiscore.model.numbers import EXACT, canonical
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.rollup import Rollup

__all__ = [
    "RollupColumns",
    "competition_ranks",
    "figures_of",
    "group_codes",
    "rank_groups",
    "thresholds_of",
    "total_units",
    "whole_months",
]

_PERSON_FIELDS: Final = ("name", "unit", "group", "position")


def figures_of(table: ScoreTable) -> Figures | None:
    """The integer columns behind a table from ``score_frame``, or ``None`` (a table of
    scorecards, or one whose figures the exact engine computed as Python integers)."""
    store = table._columns
    if table._cards is not None or not isinstance(store, Figures):
        return None
    if store.total_units.dtype != np.int64:
        return None
    return store


def total_units(figures: Figures) -> Ints:
    """The reported totals of a table :func:`figures_of` accepted (int64, checked there)."""
    return cast("Ints", figures.total_units)


def whole_months(period: Period) -> int | None:
    """The number of calendar months a period spans exactly, or None if it is not whole months."""
    start, end = period.start, period.end
    if start.day != 1 or (end + relativedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def thresholds_of(policy: Policy, exponent: int) -> list[int]:
    """Each band's lowest total in units of ``10^-exponent`` points, highest band first (a
    total earns the first band whose threshold it reaches)."""
    return [
        int(band.min_points.scaleb(exponent, EXACT).to_integral_value("ROUND_CEILING", EXACT))
        for band in policy.bands_descending
    ]


def band_ranks(totals: Ints, thresholds: Sequence[int]) -> Ints:
    """The band each total earns (0 the highest), or -1 below every band."""
    rank = np.full(len(totals), -1, dtype=np.int64)
    for position in range(len(thresholds) - 1, -1, -1):
        rank[totals >= thresholds[position]] = position
    return rank


class RollupColumns:
    """A population's roll-up to one period, as integer columns (see the module docstring).

    Attributes:
        subjects: Everyone found in the tables, in the order they first appear (tables in date
            order).
        tables: The columns of the sub-period tables, in date order.
        where: ``[people, tables]``: each person's position in each table, -1 where absent.
        sum_units, total_units: The sum of the sub-period totals and the rounded mean, in
            units of the policy's precision.
        count: The number of sub-periods worked.
        worked, possible: Time worked and the period's length, in months or days per person
            (``monthly`` says which).
        score_rank, cap_rank, rank: The band the total earns, the lowest band a cap carried
            from a sub-period allows, and the rating after caps (and any quota), as ranks.
        unrated: Who has no rating for too little of the period worked.
        adjust: Set on a re-rated copy (a quota's): each roll-up built passes through it.
    """

    def __init__(
        self, policy: Policy, period: Period, tables: Sequence[Figures], rounding: str
    ) -> None:
        self.policy = policy
        self.period = period
        self.tables = tuple(tables)
        self.exponent = tables[0].exponent
        first = tables[0].persons
        self.shared = all(table.persons is first for table in tables)
        count_tables = len(tables)
        self._where: Ints | None = None
        if self.shared:  # everyone in every table (score_frame with every=): no lookups
            self.subjects: tuple[str, ...] = tables[0].subjects
            n = len(self.subjects)
            self.count: Ints = np.full(n, count_tables, dtype=np.int64)
            sums = total_units(tables[0]).copy()
            caps = tables[0].cap_rank.copy()
            for table in tables[1:]:
                sums += total_units(table)
                np.maximum(caps, table.cap_rank, out=caps)
        else:
            index: dict[str, int] = {}
            unions = [
                np.fromiter(
                    (index.setdefault(s, len(index)) for s in table.subjects),
                    dtype=np.int64,
                    count=len(table.subjects),
                )
                for table in tables
            ]
            self.subjects = tuple(index)
            n = len(index)
            where = np.full((n, count_tables), -1, dtype=np.int64)
            for column, union in enumerate(unions):
                where[union, column] = np.arange(len(union), dtype=np.int64)
            self._where = where
            present: Bools = where >= 0
            self.count = present.sum(axis=1).astype(np.int64)
            sums = np.zeros(n, dtype=np.int64)
            caps = np.full(n, -1, dtype=np.int64)
            for table, union in zip(tables, unions, strict=True):
                sums[union] += total_units(table)
                caps[union] = np.maximum(caps[union], table.cap_rank)
        total = np.empty(n, dtype=np.int64)
        for parts in np.unique(self.count).tolist():
            chosen = self.count == parts
            total[chosen] = round_units(sums[chosen], int(parts), rounding)
        self.sum_units, self.total_units, self.cap_rank = sums, total, caps
        # Time worked: whole months when the period and every sub-period worked are whole
        # months, otherwise days (as rollup() decides, person by person).
        period_months = whole_months(period)
        months = [whole_months(table.period) for table in tables]
        days = np.array([table.period.days for table in tables], dtype=np.int64)
        not_months = np.array([m is None for m in months], dtype=bool)
        self.monthly: Bools
        if period_months is None:
            self.monthly = np.zeros(n, dtype=bool)
        elif self.shared:
            self.monthly = np.full(n, not not_months.any(), dtype=bool)
        else:
            self.monthly = ~(present & not_months[None, :]).any(axis=1)
        month_counts = np.array([m or 0 for m in months], dtype=np.int64)
        if self.shared:
            self.worked: Ints = np.where(
                self.monthly, int(month_counts.sum()), int(days.sum())
            ).astype(np.int64)
        else:
            self.worked = np.where(
                self.monthly,
                present.astype(np.int64) @ month_counts,
                present.astype(np.int64) @ days,
            )
        self.possible: Ints = np.where(self.monthly, period_months or 0, period.days)
        # The rating: the total's band, no rating below the minimum share, then the caps.
        self.score_rank = band_ranks(total, thresholds_of(policy, self.exponent))
        share = policy.min_worked_share
        if share is not None and policy.bands:
            ratio = Fraction(share)
            self.unrated: Bools = self.worked * ratio.denominator < ratio.numerator * self.possible
        else:
            self.unrated = np.zeros(n, dtype=bool)
        rank = np.where((self.score_rank >= 0) & (caps > self.score_rank), caps, self.score_rank)
        self.rank: Ints = np.where(self.unrated, -1, rank)
        self.adjust: Callable[[int, Rollup], Rollup] | None = None
        self._codes: dict[str, tuple[Codes, list[str | None]]] = {}

    def __len__(self) -> int:
        return len(self.subjects)

    @property
    def where(self) -> Ints:
        """``[people, tables]``: each person's position in each table, -1 where absent."""
        if self._where is None:
            n = len(self.subjects)
            self._where = np.repeat(np.arange(n, dtype=np.int64)[:, None], len(self.tables), 1)
        return self._where

    # ------------------------------------------------------------------ per person

    def parts(self, position: int) -> list[Scorecard]:
        """One person's sub-period scorecards, in date order (built by the exact engine)."""
        rows = self.where[position].tolist()
        return [table.card(row) for table, row in zip(self.tables, rows, strict=True) if row >= 0]

    def latest(self) -> tuple[Ints, Ints]:
        """Per person, the latest table worked and the position in it."""
        last_column = self.where.shape[1] - 1 - np.argmax(self.where[:, ::-1] >= 0, axis=1)
        rows = self.where[np.arange(len(self.subjects)), last_column]
        return last_column.astype(np.int64), rows

    def codes(self, field: str) -> tuple[Codes, list[str | None]]:
        """(code per person, distinct values) of a person attribute, as of the latest
        sub-period worked (a roll-up's ``person`` is the latest part's); -1 is missing."""
        if self.shared:
            return self.tables[0].persons.codes(field)
        known = self._codes.get(field)
        if known is not None:
            return known
        values: npt.NDArray[np.object_] = np.full(len(self.subjects), None, dtype=object)
        for column, table in enumerate(self.tables):
            codes, distinct = table.persons.codes(field)
            lookup = np.array([*distinct, None], dtype=object)  # code -1 reads the None
            rows = self.where[:, column]
            here = rows >= 0
            values[here] = lookup[codes.take(rows[here])]
        index: dict[str | None, int] = {}
        coded = np.fromiter(
            (-1 if v is None else index.setdefault(v, len(index)) for v in values.tolist()),
            dtype=np.int64,
            count=len(values),
        )
        result = (coded, list(index))
        self._codes[field] = result
        return result

    def value(self, field: str, position: int) -> str | None:
        codes, distinct = self.codes(field)
        code = int(codes[position])
        return None if code < 0 else distinct[code]

    def decimal(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.exponent, EXACT)

    def sub_periods(self) -> list[Period]:
        """Every sub-period worked by anyone, in date order."""
        return [table.period for table in self.tables if len(table.subjects)]

    def unrated_text(self, position: int) -> str | None:
        """Why a person has no rating (too little worked), as :func:`rollup` writes it."""
        share = self.policy.min_worked_share
        if share is None or not bool(self.unrated[position]):
            return None
        unit = "months" if bool(self.monthly[position]) else "days"
        return (
            f"worked {int(self.worked[position])} of {int(self.possible[position])} {unit},"
            f" less than the minimum share {canonical(share)}"
        )

    def _decimals(self, units: Ints, rows: Ints) -> list[Decimal | None]:
        """``units[rows]`` as Decimals (``None`` where a row is -1), each distinct value
        converted once."""
        present = rows >= 0
        taken = units[np.where(present, rows, 0)]
        if not len(taken):
            return []
        low = int(taken.min())
        span = int(taken.max()) - low + 1
        if span <= 4 * len(taken) + 1024:  # totals lie close together: a table by value
            shifted = taken - low
            used = np.flatnonzero(np.bincount(shifted, minlength=span))
            lookup = np.full(span + 1, None, dtype=object)  # the last one reads None
            lookup[used] = [self.decimal(int(u) + low) for u in used.tolist()]
            return list(lookup[np.where(present, shifted, span)].tolist())
        distinct, inverse = np.unique(taken, return_inverse=True)
        values = np.array([*(self.decimal(int(u)) for u in distinct.tolist()), None], dtype=object)
        return list(values[np.where(present, inverse.reshape(-1), len(distinct))].tolist())

    def rows(self, count: int | None = None) -> list[dict[str, object]]:
        """The roll-up table's rows (``RollupTable.to_rows``), the first ``count`` or all."""
        bands: list[str | None] = [band.id for band in self.policy.bands_descending]
        bands.append(None)  # rank -1
        size = len(self.subjects) if count is None else min(count, len(self.subjects))
        head = {"period": self.period.label, "policy": self.policy.id}
        head["version"] = self.policy.version
        columns: dict[str, list[object]] = {"subject": list(self.subjects[:size])}
        for field in _PERSON_FIELDS:
            codes, distinct = self.codes(field)
            lookup = np.array([*distinct, None], dtype=object)  # code -1 reads the None
            columns[field] = list(lookup[codes[:size]].tolist())
        counts = {
            "parts": self.count[:size].tolist(),
            "worked": self.worked[:size].tolist(),
            "possible": self.possible[:size].tolist(),
            "worked_unit": ["months" if m else "days" for m in self.monthly[:size].tolist()],
        }
        # Each sub-period's total, a column per sub-period worked by anyone (empty where the
        # person did not work it), as RollupTable.to_rows writes them.
        parts: dict[str, list[Decimal | None]] = {}
        for column, table in enumerate(self.tables):
            if len(table.subjects):
                rows_in = self.where[:size, column]
                parts[table.period.label] = self._decimals(total_units(table), rows_in)
        everyone = np.arange(size, dtype=np.int64)
        tail = {
            "total": self._decimals(self.total_units, everyone),
            "score_rating": [bands[r] for r in self.score_rank[:size].tolist()],
            "rating": [bands[r] for r in self.rank[:size].tolist()],
            "unrated": [
                self.unrated_text(p) if unrated else None
                for p, unrated in enumerate(self.unrated[:size].tolist())
            ],
        }
        names = [*columns, *head, *counts, *parts, *tail]
        ordered = [*columns.values()]
        values = [
            *ordered,
            *([value] * size for value in head.values()),
            *counts.values(),
            *parts.values(),
            *tail.values(),
        ]
        return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]

    def rerated(self, rank: Ints, adjust: Callable[[int, Rollup], Rollup]) -> RollupColumns:
        """A copy with other ratings (a quota's); each roll-up built passes through ``adjust``
        (after any earlier copy's)."""
        other = copy.copy(self)
        other.rank = rank
        other.adjust = then(self.adjust, adjust)
        return other


# --------------------------------------------------------------------------- the quota


def _missing_as_minus_one(
    codes: Codes, distinct: list[str | None]
) -> tuple[Codes, list[str | None]]:
    """Codes with -1 for every missing value (a reader may give ``None`` a code of its own)."""
    empty = [position for position, value in enumerate(distinct) if value is None]
    if not empty:
        return codes, distinct
    codes = codes.astype(np.int64)
    codes[np.isin(codes, empty)] = -1
    return codes, distinct


def group_codes(
    codes_of: Callable[[str], tuple[Codes, list[str | None]]], names: Sequence[str]
) -> tuple[Ints, list[tuple[str | None, ...]]]:
    """One code per person for the combination of the named attributes, and each code's
    values; -1 where any attribute is missing."""
    columns = [_missing_as_minus_one(*codes_of(name)) for name in names]
    if len(columns) == 1:
        codes, distinct = columns[0]
        return codes.astype(np.int64), [(value,) for value in distinct]
    missing = np.zeros(len(columns[0][0]), dtype=bool)
    for codes, _ in columns:
        missing |= codes < 0
    stacked = np.stack([codes.astype(np.int64) for codes, _ in columns], axis=1)
    keys, inverse = np.unique(stacked, axis=0, return_inverse=True)
    combined = np.where(missing, -1, inverse.reshape(-1).astype(np.int64))
    values = [
        tuple(None if c < 0 else distinct[c] for c, (_, distinct) in zip(key, columns, strict=True))
        for key in keys.tolist()
    ]
    return combined, values


def rank_groups(
    subjects: Sequence[str], totals: Ints, rank: Ints, groups: Ints, top: int
) -> tuple[Ints, Ints, Ints]:
    """The people rated ``top`` (a band rank), ranked: by group, then total (highest first),
    then subject id (only to list equal totals the same way whatever the input order).

    Returns (their positions in that order, each group's first index into it and its count,
    both indexed by group code).
    """
    rated = np.flatnonzero(rank == top)
    size = int(groups.max()) + 1 if len(groups) else 0
    if not len(rated):
        return rated, np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
    names = np.array([subjects[p] for p in rated.tolist()], dtype=object)
    by_name = np.argsort(names, kind="stable")  # object strings sort as Python compares them
    name_rank = np.empty(len(rated), dtype=np.int64)
    name_rank[by_name] = np.arange(len(rated))
    order = np.lexsort((name_rank, -totals[rated], groups[rated]))
    ranked = rated[order]
    counts = np.bincount(groups[ranked], minlength=size).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return ranked, starts, counts


def competition_ranks(totals: Ints) -> Ints:
    """1-based ranks of totals sorted highest first, equal totals sharing the best rank."""
    if not len(totals):
        return np.zeros(0, dtype=np.int64)
    new = np.concatenate(([True], totals[1:] != totals[:-1]))
    places = np.where(new, np.arange(len(totals)), 0)
    return np.maximum.accumulate(places).astype(np.int64) + 1
