"""The columnar engine's arithmetic: every figure for everyone, as int64 columns.

Every input is scaled to integer units of ``10^-scale`` points, ``scale`` fine enough for every
input's places; the sums are then rounded once per category with the policy's rounding mode
(:func:`round_units`, exact). Inputs whose scaled figures could leave int64 are handed to the
exact engine (:meth:`Figures._fits`), and so are people whose category renormalises.

It stays whole (about 830 lines): :class:`Figures` holds one population's columns, and its
steps (starts, rule requests, deductions, caps, ratings, the fallbacks) read and write them in
place; the rounding (:mod:`._rounding`) and the sparse requests (:mod:`._sparse`) are apart.
"""

from __future__ import annotations

import copy
import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, SupportsIndex, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from kpiscore.engine.columnar._arrays import Bools, Codes, Ints, People
from kpiscore.engine.columnar._columns import EventColumns, MeasureColumns
from kpiscore.engine.columnar._csv import figures_csv
from kpiscore.engine.columnar._rounding import round_units
from kpiscore.engine.columnar._sparse import (
    LazyColumns,
    Sparse,
    dense,
    per_subject,
    sparse_total,
)
from kpiscore.engine.exact import _check_measure, _Compiled, _score_one, score_many
from kpiscore.exceptions import InputError, MissingInputError
from kpiscore.io.render import criterion_columns
from kpiscore.model.facts import Event, Measure
from kpiscore.model.numbers import EXACT, exact
from kpiscore.model.period import Period
from kpiscore.model.policy import Award, Criterion, Deduction, Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable, event_notices

__all__ = ["Figures", "round_units", "score_columns"]

Rule = Deduction | Award
#: Per (kind code, per unit), the people with events of that kind and their number of events
#: (or Σ quantity): what :meth:`Figures._requested` reads from the events alone.
KindCounts: TypeAlias = dict[tuple[int, bool], Sparse | None]
#: Figures in units of the precision: int64, or Python ints when the exact engine scored all.
Units: TypeAlias = npt.NDArray[np.int64] | npt.NDArray[np.object_]

# Scaled figures must stay well inside int64; past this bound the exact engine takes over.
_SAFE = 2**62


def score_columns(
    policy: Policy,
    period: Period,
    people: People,
    events: EventColumns,
    measures: MeasureColumns,
    *,
    compiled: _Compiled,
    kind_counts: KindCounts | None = None,
) -> ScoreTable:
    """Score facts already read into columns (by ``score_frame`` or the CSV fast path).

    ``kind_counts``: a dictionary shared by the calls scoring the same event columns (two
    policies compared): what depends on the events alone is counted once, for both.
    """
    columns = Figures(compiled, period, people, events, measures)
    columns.kind_counts = kind_counts
    with exact():
        columns.compute()
    inside = events.in_period
    notices = event_notices(
        int(len(inside) - np.count_nonzero(inside)),
        int(np.count_nonzero(inside & events.excused)),
    )
    return ScoreTable(
        policy=policy, period=period, columns=columns, notes=columns.notes, notices=notices
    )


def _band_ranks(totals: Ints, thresholds: Sequence[int]) -> Ints:
    """The band each total earns (0 the highest: the first band whose threshold it reaches),
    or -1 below every band. The thresholds, highest band first, never rise (a compiled
    policy's bands are sorted so), so a total's rank is told by how many thresholds it
    reaches: one binary search per total."""
    bound = 2**62  # totals stay inside it (Figures._fits): a threshold past it is never reached
    ascending = [min(max(threshold, -bound), bound) for threshold in reversed(thresholds)]
    reached = np.searchsorted(np.array(ascending, dtype=np.int64), totals, side="right")
    by_count = np.array([-1, *range(len(thresholds) - 1, -1, -1)], dtype=np.int64)
    ranked: Ints = by_count.take(reached)
    return ranked


def _units(value: Decimal, scale: int) -> int:
    """``value × 10^scale`` as an int; the scale was chosen so this is exact — checked."""
    scaled = value.scaleb(scale, EXACT)
    integral = scaled.to_integral_value(context=EXACT)
    if scaled != integral:  # pragma: no cover - the scale covers every input's places
        raise AssertionError(f"columnar engine: {value} is not a multiple of 10^-{scale}")
    return int(integral)


def _used(codes: Codes, size: int) -> Ints:
    """The distinct codes among ``codes`` (each in ``0..size-1``), in increasing order."""
    return np.flatnonzero(np.bincount(codes, minlength=size))


class _Shared:
    """What every table scored from the same measure columns shares, for one compiled policy,
    population and scale (the months of a year): each measured criterion's start column and
    who is excluded (:meth:`Figures._starts`); the points and reported points of each
    criterion scored from its measure alone, and the reported points of each category all of
    whose criteria are, filled by :meth:`Figures.compute` as it meets them."""

    def __init__(
        self, key: tuple[_Compiled, People, int], starts: dict[int, Ints], excluded: Bools
    ) -> None:
        self.key, self.starts, self.excluded = key, starts, excluded
        self.points: dict[int, tuple[Ints, Ints]] = {}
        self.categories: dict[int, Ints] = {}


#: Per measure columns, what the tables last scored from them share (see :class:`_Shared`).
_STARTS: weakref.WeakKeyDictionary[MeasureColumns, _Shared] = weakref.WeakKeyDictionary()
#: Per measure columns, its rows per measured criterion (for so many criteria): see
#: :meth:`Figures._slot_rows`.
_SLOTS: weakref.WeakKeyDictionary[MeasureColumns, tuple[int, list[tuple[Codes, Codes, Codes]]]] = (
    weakref.WeakKeyDictionary()
)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_T = TypeVar("_T")


def then(
    earlier: Callable[[int, _T], _T] | None, adjust: Callable[[int, _T], _T]
) -> Callable[[int, _T], _T]:
    """``adjust`` applied after ``earlier`` (when there is one), to a result at a position:
    how a quota's re-rated copy of re-rated columns passes each result built through both."""
    if earlier is None:
        return adjust
    first = earlier
    return lambda position, result: adjust(position, first(position, result))


class Figures:
    """The column store behind a columnar :class:`ScoreTable`."""

    def __init__(
        self,
        compiled: _Compiled,
        period: Period,
        persons: People,
        events: EventColumns,
        measures: MeasureColumns,
    ) -> None:
        self.compiled = compiled
        self.period = period
        self.persons = persons
        self.subjects = tuple(persons.ids)
        self.events = events
        self.measures = measures
        self.notes: tuple[str, ...] = ()
        self.exponent = -compiled.precision.adjusted()  # reported figures in units of 10^-k
        # int64 columns, or object columns of Python ints when the exact engine scored everyone.
        # Each category's [N, K] and each criterion's reported points [N, C] (the score CSV's
        # columns), kept as parts until first read (most tables of a year never are), and who
        # had a criterion excluded from its category (an empty cell), when anyone did.
        self._category_parts: LazyColumns | None = None
        self._category_built: Units = np.zeros((0, 0), dtype=np.int64)
        self._criterion_parts: LazyColumns | None = None
        self._held: npt.NDArray[np.signedinteger[Any]] | Units
        self._criterion_wide: Units | None
        self.criterion_units = np.zeros((0, 0), dtype=np.int64)
        self.criterion_excluded: Bools | None = None
        self.carried_units: Units = np.zeros(0, dtype=np.int64)
        self.total_units: Units = np.zeros(0, dtype=np.int64)
        self.score_rank: Ints = np.zeros(0, dtype=np.int64)
        self.rank: Ints = np.zeros(0, dtype=np.int64)
        # Per person, the lowest band (highest rank) a live cap event allows, or -1 (roll-ups
        # carry it to the year).
        self.cap_rank: Ints = np.zeros(0, dtype=np.int64)
        # Set on a re-rated copy (a quota's, :meth:`rerated`): each card passes through it.
        self.adjust: Callable[[int, Scorecard], Scorecard] | None = None
        self._computed = False
        self.exact_cards: dict[int, Scorecard] = {}
        self._rows_of: tuple[Ints, Ints, Ints, Ints] | None = None
        self._by_slot: list[tuple[Codes, Codes, Codes]] | None = None
        # Per (kind code, per unit), each person's events of that kind (or their quantities,
        # in units of the finest quantity): set by a caller scoring these events twice.
        self.kind_counts: KindCounts | None = None

    # ----------------------------------------------------------------- computing

    def _rules(self) -> list[Rule]:
        policy = self.compiled.policy
        return [r for c in policy.categories for cr in c.criteria for r in cr.rules]

    def compute(self) -> None:
        """Every figure for everyone, as integer columns (one 1-D array per criterion)."""
        compiled = self.compiled
        n = len(self.persons)
        events, measures = self.events, self.measures
        rules = self._rules()
        # The scale: every input point value is an integer number of 10^-scale points.
        quantity_places = max((_places(q) for q in events.quantities), default=0)
        value_places = max((_places(v) for v in measures.values), default=0)
        places = [self.exponent]
        for info in compiled.crit_info:
            places += [_places(info[2]), _places(info[3])]
        for rule in rules:
            places.append(_places(rule.points) + (quantity_places if rule.per == "unit" else 0))
            if rule.limit is not None:
                places.append(_places(rule.limit))
        for measured in compiled.measured_info:
            places.append(_places(measured[3]) + value_places if measured[2] else value_places)
        scale = max(places)
        if not self._fits(scale, quantity_places):
            self._fallback_all("its figures need more digits than 64-bit integers hold")
            return
        requested = self._requested(rules, scale, quantity_places)
        cap_rank, capped = self._cap_ranks()
        crit_info = compiled.crit_info
        # Criterion -> the (sparse) requests of its deductions and awards, after limits.
        deductions: list[list[Sparse]] = [[] for _ in crit_info]
        awards: list[list[Sparse]] = [[] for _ in crit_info]
        for rule_index, (limit, owner, deduction) in enumerate(compiled.rule_info):
            found = requested[rule_index]
            if found is None:
                continue
            if limit is not None:
                found = (found[0], np.minimum(found[1], _units(limit, scale)))
            (deductions if deduction else awards)[owner].append(found)
        kept = self._starts(scale)
        starts, excluded = kept.starts, kept.excluded
        # A criterion scored from its measure alone (no rule of it fed) has the same columns
        # in every table of these measures, and so has a category of such criteria only.
        alone = [
            index in starts and not deductions[index] and not awards[index]
            for index in range(len(crit_info))
        ]
        static = [True] * len(compiled.category_ids)
        for index, info in enumerate(crit_info):
            static[info[0]] = static[info[0]] and alone[index]
        carried = np.zeros(n, dtype=np.int64)
        sums = [np.zeros(n, dtype=np.int64) for _ in compiled.category_ids]
        shared = [0 for _ in compiled.category_ids]  # everyone's part of each sum, added last
        k = self.exponent
        to_reported = 10 ** (scale - k)
        # Held in the narrowest integers the criteria's bounds allow (a year of monthly tables
        # for millions of people holds twelve of these); read back as int64 (criterion_units).
        largest = max(
            [
                abs(_units(bound, scale)) // to_reported + 1
                for info in crit_info
                for bound in info[2:4]
            ],
            default=0,
        )
        narrow = np.int16 if largest < 2**15 else np.int32 if largest < 2**31 else np.int64
        criterion_units = LazyColumns(n, len(crit_info), narrow)
        for index, (cat_index, full, maximum, floor, carry, _u, multiplier) in enumerate(crit_info):
            high = _units(maximum, scale)
            low = _units(floor, scale)
            begin = high if full else 0
            start = starts.get(index)
            if start is None and not awards[index]:
                # The same points for everyone untouched by a fact; only those a deduction
                # touches (a few per criterion, usually) are computed one by one.
                value = min(max(begin, low), high)
                shared[cat_index] += value * multiplier
                criterion_units.fill(
                    index,
                    int(round_units(np.array([value]), to_reported, compiled.rounding)[0]),
                )
                deducted = sparse_total(deductions[index])
                if deducted is not None:
                    touched, points = self._deduct(
                        sums[cat_index],
                        carried if carry else None,
                        deducted,
                        value,
                        (begin, low, high, multiplier),
                    )
                    criterion_units.touch(
                        index, touched, round_units(points, to_reported, compiled.rounding)
                    )
                continue
            taken = dense(sparse_total(deductions[index]), n)
            awarded = dense(sparse_total(awards[index]), n)
            if start is not None and alone[index]:
                if index not in kept.points:
                    points = np.clip(start, low, high)
                    kept.points[index] = (
                        points,
                        round_units(points, to_reported, compiled.rounding),
                    )
                points, rounded = kept.points[index]
                criterion_units.put(index, rounded)
                if not static[cat_index] or cat_index not in kept.categories:
                    sums[cat_index] += points * multiplier if multiplier != 1 else points
                continue
            raw = np.full(n, begin, dtype=np.int64) if start is None else start
            if awarded is not None:
                raw = raw + awarded
            if taken is not None:
                raw = raw - taken
            points = np.clip(raw, low, high)
            if carry and taken is not None:
                carried += np.where(raw < low, np.minimum(low - raw, taken), 0)
            rounded = round_units(points, to_reported, compiled.rounding)
            sums[cat_index] += points * multiplier if multiplier != 1 else points
            criterion_units.put(index, rounded)
        for cat_index, part in enumerate(shared):
            if part:
                sums[cat_index] += part
        # Categories, in units of the precision, rounded once.
        units = LazyColumns(n, len(sums), np.int64)
        total = np.zeros(n, dtype=np.int64)
        for cat_index, denominator in enumerate(compiled.cat_denominator):
            column = kept.categories.get(cat_index) if static[cat_index] else None
            if column is None:
                column = round_units(
                    sums[cat_index], denominator * 10 ** (scale - k), compiled.rounding
                )
                if static[cat_index]:
                    kept.categories[cat_index] = column
            units.put(cat_index, column)
            total += column
        carried_units = round_units(carried, 10 ** (scale - k), compiled.rounding)
        total -= carried_units
        np.maximum(total, 0, out=total)
        # Ratings: the highest band whose threshold the reported total reaches.
        score_rank = _band_ranks(
            total,
            [
                int(band.min_points.scaleb(k, EXACT).to_integral_value("ROUND_CEILING", EXACT))
                for band in compiled.bands
            ],
        )
        # A cap lowers the rating of the few people with a live cap event only.
        rank_of = score_rank.copy()
        if len(capped):
            earned, lowest = score_rank.take(capped), cap_rank.take(capped)
            rank_of[capped] = np.where((earned >= 0) & (lowest > earned), lowest, earned)
        self._category_parts, self.carried_units, self.total_units = units, carried_units, total
        self._criterion_parts, self._criterion_wide = criterion_units, None
        self.score_rank, self.rank = score_rank, rank_of
        self.cap_rank = cap_rank
        if excluded.any():
            self._fallback_people(np.flatnonzero(excluded))

    @staticmethod
    def _deduct(
        sums: Ints, carried: Ints | None, deducted: Sparse, value: int, bounds: tuple[int, ...]
    ) -> tuple[Codes, Ints]:
        """Correct ``sums`` (which will count everyone at ``value``) for the people a
        criterion's deductions touch, and add their carried overflow; ``bounds`` is (start,
        floor, maximum, multiplier) in units. Exactly what the dense computation gives: an
        untouched person's points are ``value``, and so are those of a person touched with a
        request of 0 (raw = start, nothing carried). Returns the positions touched and their
        points."""
        begin, low, high, multiplier = bounds
        touched, taken = deducted
        raw = begin - taken
        points = np.clip(raw, low, high)
        sums[touched] += (points - value) * multiplier
        if carried is not None:
            carried[touched] += np.where(raw < low, np.minimum(low - raw, taken), 0)
        return touched, points

    def _requested(
        self, rules: list[Rule], scale: int, quantity_places: int
    ) -> list[Sparse | None]:
        """Per rule, the request of each person an event of its kind touches (sparse): Σ
        points, or Σ points × quantity with ``per="unit"`` (``None`` for a rule no event feeds).

        The live events (in the period, not excused) are grouped by kind once, with a counting
        sort of the small kind codes; then each kind's people are counted
        (:func:`~kpiscore.engine.columnar._sparse.per_subject`: Σ points = count × points) and,
        for a rule with ``per="unit"``, their quantities summed in units of the finest quantity
        given (Σ points × quantity = points × Σ quantity, exactly). The cost and the memory
        stay in proportion to the events, not to the population.
        """
        events = self.events
        n = len(self.persons)
        result: list[Sparse | None] = [None] * len(rules)
        n_kinds = len(events.kinds)
        if not len(events.kind_codes) or not rules:
            return result
        kind_position = {kind: i for i, kind in enumerate(events.kinds)}
        by_kind: dict[int, list[int]] = {}
        for rule_index, rule in enumerate(rules):
            if rule.on in kind_position:
                by_kind.setdefault(kind_position[rule.on], []).append(rule_index)
        if not by_kind:
            return result
        quantity_units = np.array(
            [_units(q, quantity_places) for q in events.quantities], dtype=np.int64
        )
        divisor = 10**quantity_places
        counted = self.kind_counts if self.kind_counts is not None else {}
        grouping: list[tuple[Codes, Ints]] = []

        def rows_of(kind: int) -> Codes:
            if not grouping:
                # Kind codes, the dead events (outside the period, or excused) in one more
                # bucket, grouped by one radix sort (8- and 16-bit codes).
                small = (
                    np.uint8
                    if n_kinds < 2**8 - 1
                    else np.uint16
                    if n_kinds < 2**16 - 1
                    else np.int64
                )
                grouped = events.kind_codes.astype(small)
                np.putmask(grouped, ~events.live, n_kinds)
                order = np.argsort(grouped, kind="stable")
                counts = np.bincount(grouped, minlength=n_kinds + 1)
                grouping.append((order, np.concatenate(([0], np.cumsum(counts)))))
            order, bounds = grouping[0]
            return order[bounds[kind] : bounds[kind + 1]]

        for kind, members in by_kind.items():
            for rule_index in members:
                rule = rules[rule_index]
                unit = rule.per == "unit"
                if (kind, unit) not in counted:
                    # Per person, the events of this kind (or their quantities) once, for
                    # every rule on it (and, shared, for another policy on the same events).
                    rows = rows_of(kind)
                    weights = (
                        quantity_units.take(events.quantity_codes.take(rows)) if unit else None
                    )
                    subjects = events.subject.take(rows)
                    counted[kind, unit] = per_subject(subjects, n, weights) if len(rows) else None
                found = counted[kind, unit]
                if found is None:
                    continue
                points = _units(rule.points, scale)
                amounts = found[1] * points // divisor if unit else found[1] * points
                result[rule_index] = (found[0], amounts)
        return result

    def _cap_ranks(self) -> tuple[Ints, Codes]:
        """Per person, the lowest band (highest rank) a non-excused cap event allows, or -1;
        and the positions of the people with such an event (some maybe more than once)."""
        events = self.events
        cap_rank = np.full(len(self.persons), -1, dtype=np.int64)
        kind_position = {kind: i for i, kind in enumerate(events.kinds)}
        live = events.live
        hits = [np.zeros(0, dtype=np.int64)]
        for kind, rank in self.compiled.cap_rank.items():
            if kind in kind_position:
                hit = events.subject[live & (events.kind_codes == kind_position[kind])]
                cap_rank[hit] = np.maximum(cap_rank[hit], rank)
                hits.append(hit.astype(np.int64, copy=False))
        return cap_rank, np.concatenate(hits)

    def _slot_rows(self) -> list[tuple[Codes, Codes, Codes]]:
        """Per measured criterion: (its measure rows, their subjects, their value codes);
        found once per measure columns (the months of a year share them)."""
        if self._by_slot is None:
            measures = self.measures
            count = len(self.compiled.measured_info)
            cached = _SLOTS.get(measures)
            if cached is not None and cached[0] == count:
                self._by_slot = cached[1]
                return self._by_slot
            self._by_slot = []
            for slot in range(count):
                rows = np.flatnonzero(measures.slot == slot)
                subjects, codes = measures.subject.take(rows), measures.value_codes.take(rows)
                self._by_slot.append((rows, subjects, codes))
            _SLOTS[measures] = (count, self._by_slot)
        return self._by_slot

    def _starts(self, scale: int) -> _Shared:
        """Each measured criterion's start column, checking every measure; who is excluded;
        and the columns :meth:`compute` keeps for the next table of the same measures.

        Depends only on the measures, the policy and the scale: when several tables are
        scored from the same measure columns (every month of a year), it is computed once.
        """
        cached = _STARTS.get(self.measures)
        if (
            cached is not None
            and cached.key[0] is self.compiled
            and cached.key[1] is self.persons
            and cached.key[2] == scale
        ):
            return cached
        starts, excluded = self._compute_starts(scale)
        shared = _Shared((self.compiled, self.persons, scale), starts, excluded)
        _STARTS[self.measures] = shared
        return shared

    def _compute_starts(self, scale: int) -> tuple[dict[int, Ints], Bools]:
        compiled = self.compiled
        measures = self.measures
        n = len(self.persons)
        starts: dict[int, Ints] = {}
        excluded = np.zeros(n, dtype=bool)
        if not compiled.measured_info:
            return starts, excluded
        # Every value is checked before any missing measure is reported, as the exact engine
        # reports a bad value before a missing one.
        by_slot = self._slot_rows()
        missing: list[tuple[int, str, Criterion]] = []  # per criterion: its first person lacking
        self._check_measures(by_slot)
        values = measures.values
        for (_, subjects, codes), (index, cid, ratio, maximum, *_, criterion) in zip(
            by_slot, compiled.measured_info, strict=True
        ):
            # Only the values this criterion uses are scaled (another's may not fit int64);
            # the codes used are found with one bincount, not a sort.
            per_code = np.zeros(len(values), dtype=np.int64)
            one = Decimal(1)
            for code in _used(codes, len(values)).tolist():
                value = values[code]
                per_code[code] = _units(maximum * min(value, one) if ratio else value, scale)
            column = np.zeros(n, dtype=np.int64)
            column[subjects] = per_code.take(codes)
            starts[index] = column
            present = np.zeros(n, dtype=bool)
            present[subjects] = True
            if not present.all():
                missing.append((int(np.flatnonzero(~present)[0]), cid, criterion))
                if compiled.missing == "exclude":
                    excluded |= ~present
        if missing and compiled.missing == "error":
            # The exact engine scores person by person, criteria in order: the first person
            # lacking a measure, and that person's first criterion lacking one, is reported.
            position, cid, criterion = min(missing, key=lambda item: item[0])
            raise MissingInputError(
                f"policy {compiled.policy.id!r}: no measure for criterion {cid!r}"
                f" of subject {self.subjects[position]!r}; expected a Measure (basis"
                f" {criterion.basis!r}), or a policy with missing='zero' or missing='exclude'"
            )
        return starts, excluded

    def _fits(self, scale: int, quantity_places: int) -> bool:
        """Whether every scaled figure stays far inside int64 (checked on the inputs' bounds:
        points, rule points × quantities × events, and the measures each criterion uses)."""
        compiled = self.compiled
        factor = 10 ** (scale + quantity_places)
        # A ratio's start is at most its criterion's max_points; an assessed one is its value.
        measured = [Decimal(1)]
        values = self.measures.values
        for (_, _, codes), info in zip(self._slot_rows(), compiled.measured_info, strict=True):
            if not info[2] and len(codes):
                measured.append(max(abs(values[code]) for code in _used(codes, len(values))))
        largest_points = max(
            [abs(info[2]) for info in compiled.crit_info]
            + [abs(info[3]) for info in compiled.crit_info]
            + measured
        )
        largest_quantity = max([abs(q) for q in self.events.quantities] + [Decimal(1)])
        largest_rule = max([abs(r.points) for r in self._rules()] + [Decimal(1)])
        # Only the rows that count (in the period, not excused) enter a sum: a frame's rows of
        # other periods must not decide the engine (score_frame(every=) sees a period's alone).
        live = self.events.live
        kinds = self.events.kind_codes
        counted = np.count_nonzero(live) if len(live) == len(kinds) else len(kinds)
        events = max(int(counted), 1)
        bound = (largest_rule * largest_quantity * events + largest_points) * factor
        multiplier = max([info[6] for info in compiled.crit_info] + [1])
        denominators = max([*compiled.cat_denominator, 1])
        bound *= multiplier * len(compiled.crit_info) * denominators * 10
        return bool(bound < _SAFE)

    def _check_measures(self, by_slot: list[tuple[Codes, Codes, Codes]]) -> None:
        """Range checks of every criterion's measures, once per distinct value used, raising
        the exact engine's error: for the first person in population order with a refused
        value, at that person's first such criterion in policy order (not the first row)."""
        first: tuple[int, int, Criterion, Decimal] | None = None
        for order, ((rows, _, codes), info) in enumerate(
            zip(by_slot, self.compiled.measured_info, strict=True)
        ):
            bad = self._first_refused(info[7], rows, codes)
            if bad is not None and (first is None or (bad[0], order) < first[:2]):
                first = (bad[0], order, info[7], bad[1])
        if first is not None:
            position, _, criterion, value = first
            _check_measure(self.compiled.policy, criterion, self.subjects[position], value)

    def _first_refused(
        self, criterion: Criterion, rows: Codes, codes: Codes
    ) -> tuple[int, Decimal] | None:
        """The smallest population position holding a value ``criterion`` refuses, and the
        value; ``None`` when every value is accepted."""
        measures = self.measures
        found: tuple[int, Decimal] | None = None
        for code in _used(codes, len(measures.values)).tolist():
            value = measures.values[code]
            try:
                _check_measure(self.compiled.policy, criterion, "?", value)
            except InputError:
                position = int(measures.subject.take(rows[codes == code]).min())
                if found is None or position < found[0]:
                    found = (position, value)
        return found

    def _fallback_all(self, reason: str) -> None:
        self.notes = (f"every person was scored by the exact engine: {reason}",)
        table = score_many(
            self.compiled.policy,
            self.period,
            self.persons.persons(),
            [event for i in range(len(self.persons)) for event in self._events(i)],
            [measure for i in range(len(self.persons)) for measure in self._measures(i)],
            # The columnar reader has applied the caller's choices already (these are its rows).
            unknown_kinds="ignore",
            duplicates="allow",
        )
        self.exact_cards = dict(enumerate(table))
        self._from_cards()

    def _fallback_people(self, positions: Codes) -> None:
        for position in positions.tolist():
            card = self.card(position)
            self.exact_cards[position] = card
        self.notes = (
            (
                f"{len(positions)} people were scored by the exact engine: a measure was missing"
                " and the policy excludes missing measures, so their categories renormalise"
            ),
        )
        self._from_cards(only=positions.tolist())

    def _from_cards(self, only: Sequence[int] | None = None) -> None:
        n = len(self.persons)
        k = self.exponent
        if only is None:  # everyone: figures of any size, as Python ints
            self.category_units = np.zeros((n, len(self.compiled.category_ids)), dtype=object)
            self.criterion_units = np.zeros((n, len(self.compiled.crit_info)), dtype=object)
            self.carried_units = np.zeros(n, dtype=object)
            self.total_units = np.zeros(n, dtype=object)
            self.score_rank = np.full(n, -1, dtype=np.int64)
            self.rank = np.full(n, -1, dtype=np.int64)
            self.cap_rank = np.full(n, -1, dtype=np.int64)
        ranks = self.compiled.band_rank
        for position in range(n) if only is None else only:
            card = self.exact_cards[position]
            self.category_units[position] = [
                int(p.scaleb(k, EXACT)) for _, p in card.category_points
            ]
            results = [result for category in card.categories for result in category.criteria]
            self.criterion_units[position] = [int(r.points.scaleb(k, EXACT)) for r in results]
            if any(result.excluded for result in results):
                if self.criterion_excluded is None:
                    self.criterion_excluded = np.zeros(self.criterion_units.shape, dtype=bool)
                self.criterion_excluded[position] = [result.excluded for result in results]
            self.carried_units[position] = int(card.carried.scaleb(k, EXACT))
            self.total_units[position] = int(card.total.scaleb(k, EXACT))
            self.score_rank[position] = (
                -1 if card.score_rating is None else ranks[card.score_rating]
            )
            self.rank[position] = -1 if card.rating is None else ranks[card.rating]
            self.cap_rank[position] = max(
                (ranks[cap.at_most] for cap in card.caps if cap.events), default=-1
            )

    @property
    def category_units(self) -> Units:
        """Each category's reported points [N, K] in units of the precision: int64 (Python
        ints when the exact engine scored everyone); built from its columns when first read."""
        if self._category_parts is not None:
            self._category_built = self._category_parts.build()
            self._category_parts = None
        return self._category_built

    @category_units.setter
    def category_units(self, units: Units) -> None:
        self._category_parts = None
        self._category_built = units

    @property
    def _criterion_held(self) -> npt.NDArray[np.signedinteger[Any]] | Units:
        """The criteria's points as held: in the narrowest integers the criteria's bounds
        allow, built from their parts when first read."""
        if self._criterion_parts is not None:
            self._held = self._criterion_parts.build()
            self._criterion_parts = None
        return self._held

    @property
    def criterion_units(self) -> Units:
        """Each criterion's reported points [N, C] in units of the precision: int64 (Python
        ints when the exact engine scored everyone). Stored narrower when the criteria's
        bounds allow (and only from the first read); widened (once) when first read."""
        if self._criterion_wide is None:
            held = self._criterion_held
            if held.dtype in (np.int64, np.object_):
                self._criterion_wide = held
            else:
                self._criterion_wide = held.astype(np.int64, order="F")
        return self._criterion_wide

    @criterion_units.setter
    def criterion_units(self, units: npt.NDArray[np.signedinteger[Any]] | Units) -> None:
        self._criterion_parts = None
        self._held = units
        self._criterion_wide = None

    # ----------------------------------------------------------------- reading back

    def _decimal(self, units: SupportsIndex) -> Decimal:
        return Decimal(operator.index(units)).scaleb(-self.exponent, EXACT)

    def figure(self, units: SupportsIndex) -> Decimal:
        """A reported figure (a total, a category's or a criterion's points) from its units."""
        return self._decimal(units)

    def totals(self) -> tuple[Decimal, ...]:
        k = -self.exponent  # inlined: this runs once per person
        return tuple(Decimal(value).scaleb(k, EXACT) for value in self.total_units.tolist())

    def ratings(self) -> tuple[str | None, ...]:
        bands = [band.id for band in self.compiled.bands]
        return tuple(None if r < 0 else bands[r] for r in self.rank.tolist())

    def rows(self) -> list[dict[str, object]]:
        bands = [band.id for band in self.compiled.bands]
        policy = self.compiled.policy
        label = self.period.label
        rows = []
        people = self.persons
        for position, subject in enumerate(people.ids):
            row: dict[str, object] = {
                "subject": subject,
                "name": people.value("name", position),
                "unit": people.value("unit", position),
                "group": people.value("group", position),
                "position": people.value("position", position),
                "period": label,
                "policy": policy.id,
                "version": policy.version,
            }
            for cat_index, category_id in enumerate(self.compiled.category_ids):
                row[category_id] = self._decimal(self.category_units[position, cat_index])
            row["carried"] = self._decimal(self.carried_units[position])
            row["total"] = self._decimal(self.total_units[position])
            score_rank = int(self.score_rank[position])
            rank = int(self.rank[position])
            row["score_rating"] = None if score_rank < 0 else bands[score_rank]
            row["rating"] = None if rank < 0 else bands[rank]
            rows.append(row)
        return rows

    def csv_rows(self) -> list[dict[str, object]]:
        """:meth:`rows` with each criterion's points after the categories' (the score CSV's)."""
        columns = criterion_columns(self.compiled.policy)
        excluded = self.criterion_excluded
        rows = []
        for position, row in enumerate(self.rows()):
            cells: dict[str, object] = {}
            for key, value in row.items():
                if key == "carried":
                    for index, (column, _) in enumerate(columns):
                        out = excluded is not None and bool(excluded[position, index])
                        units = self.criterion_units[position, index]
                        cells[column] = None if out else self._decimal(units)
                cells[key] = value
            rows.append(cells)
        return rows

    def csv(self) -> str:
        """The rows as CSV text, byte for byte what ``rows_to_csv(self.csv_rows())`` writes."""
        return figures_csv(self)

    def _rows(self, position: int) -> tuple[Ints, Ints]:
        if self._rows_of is None:
            people = np.arange(len(self.persons) + 1)
            order = np.argsort(self.events.subject, kind="stable")
            bounds = np.searchsorted(self.events.subject[order], people)
            measure_order = np.argsort(self.measures.subject, kind="stable")
            measure_bounds = np.searchsorted(self.measures.subject[measure_order], people)
            self._rows_of = (order, bounds, measure_order, measure_bounds)
        order, bounds, measure_order, measure_bounds = self._rows_of
        return (
            order[bounds[position] : bounds[position + 1]],
            measure_order[measure_bounds[position] : measure_bounds[position + 1]],
        )

    def _events(self, position: int) -> list[Event]:
        rows, _ = self._rows(position)
        return self.events.events_of(rows, self.subjects)

    def _measures(self, position: int) -> list[Measure]:
        _, rows = self._rows(position)
        measured = self.compiled.measured_info
        return [
            Measure(
                subject=self.subjects[position],
                criterion=measured[self.measures.slot[row]][1],
                value=self.measures.values[self.measures.value_codes[row]],
            )
            for row in rows.tolist()
        ]

    def rerated(self, rank: Ints, adjust: Callable[[int, Scorecard], Scorecard]) -> Figures:
        """A copy with other ratings (``rank``, a quota's): the figures are shared, and each
        scorecard built is passed through ``adjust`` (after any earlier copy's)."""
        other = copy.copy(self)
        other.rank = rank
        other.adjust = then(self.adjust, adjust)
        return other

    def card(self, position: int) -> Scorecard:
        """One person's scorecard, from the exact engine (so its ledger is the exact one)."""
        card = self._card(position)
        return card if self.adjust is None else self.adjust(position, card)

    def _card(self, position: int) -> Scorecard:
        cached = self.exact_cards.get(position)
        if cached is not None:
            return cached
        person = self.persons.person(position)
        period = self.period
        events = [e for e in self._events(position) if period.start <= e.on <= period.end]
        own: Mapping[str, Measure] = {m.criterion: m for m in self._measures(position)}
        with exact():
            return _score_one(self.compiled, period, person, events, own)
