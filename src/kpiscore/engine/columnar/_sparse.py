"""Per-person figures of the few people some events touch, without a column for everyone.

A month's events touch a few thousand people per rule out of hundreds of thousands: the
columnar engine keeps each rule's request as a :data:`Sparse` pair — the positions touched, in
increasing order and each once, and their integer amounts — so a rule costs in proportion to
its events, not to the population. Everyone else requested nothing, which the arithmetic
treats exactly as the dense computation treats a zero (see ``Figures._deduct``).

NumPy is imported at the top: this module is imported only by the columnar engine.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from kpiscore.engine.columnar._arrays import Codes, Ints

__all__ = ["LazyColumns", "Sparse", "dense", "per_subject", "sparse_total"]

#: (positions touched, increasing and distinct; an integer amount for each).
Sparse: TypeAlias = tuple[Codes, Ints]

# Below this many rows per person of the population, unsorted rows are sorted; above it, one
# count over the whole population is cheaper than the sort.
_SORT_BELOW = 1 / 16


def _runs(codes: Codes) -> tuple[Codes | None, Codes, Codes]:
    """``(order or None, starts, distinct)``: the order that sorts ``codes`` (``None`` when
    they already are in order, as a frame sorted by person gives them), where each run of
    equal codes starts in that order, and each run's code."""
    order: Codes | None = None
    ordered = codes
    if len(codes) > 1 and bool((codes[1:] < codes[:-1]).any()):
        sorting: Codes = np.argsort(codes)  # any order of equal codes: the sums are exact
        order, ordered = sorting, codes.take(sorting)
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return order, starts, ordered.take(starts)


def per_subject(subjects: Codes, n: int, weights: Ints | None = None) -> Sparse:
    """Each person's number of rows (or sum of the rows' integer ``weights``) among rows of
    ``subjects`` (positions ``0..n-1``; at least one row), for the people with a row."""
    unsorted = len(subjects) > 1 and bool((subjects[1:] < subjects[:-1]).any())
    if unsorted and len(subjects) >= n * _SORT_BELOW:
        if weights is None:
            counts = np.bincount(subjects, minlength=n)
        elif int(np.abs(weights).max()) * len(weights) < 2**52:
            # Every partial sum is an integer below 2^53: float64 adds it exactly.
            counts = np.bincount(subjects, weights=weights, minlength=n).astype(np.int64)
        else:
            counts = np.zeros(n, dtype=np.int64)
            np.add.at(counts, subjects, weights)
        touched = np.flatnonzero(counts)  # a zero request is no request (see above)
        amounts: Ints = counts.take(touched).astype(np.int64, copy=False)
        return touched, amounts
    order, starts, touched = _runs(subjects)
    if weights is None:
        counts = np.diff(starts, append=len(subjects))
        return touched, counts.astype(np.int64, copy=False)
    ordered = weights if order is None else weights.take(order)
    summed: Ints = np.add.reduceat(ordered.astype(np.int64, copy=False), starts)
    return touched, summed


def sparse_total(parts: list[Sparse]) -> Sparse | None:
    """The sum of some sparse columns (``None`` for none)."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    positions = np.concatenate([touched for touched, _ in parts])
    amounts = np.concatenate([amount for _, amount in parts])
    order, starts, touched = _runs(positions)
    ordered = amounts if order is None else amounts.take(order)
    summed: Ints = np.add.reduceat(ordered, starts)
    return touched, summed


def dense(part: Sparse | None, n: int) -> Ints | None:
    """A sparse column as a column for everyone (0 where untouched)."""
    if part is None:
        return None
    column = np.zeros(n, dtype=np.int64)
    column[part[0]] = part[1]
    return column


class LazyColumns:
    """Columns ``[n, width]`` kept as their parts until first read (:meth:`build`): per column
    one figure for everyone with the few people who differ (:meth:`fill`, :meth:`touch`), or a
    whole column (:meth:`put`). A month's table is mostly read for its totals and ratings, so
    most tables never build their per-criterion columns: neither the time nor the memory of
    ``n × width`` figures is spent on them. Built once, then shared by every copy holding it."""

    def __init__(self, n: int, width: int, dtype: type[np.signedinteger[Any]]) -> None:
        self.n, self.dtype = n, dtype
        self._constant: list[int] = [0] * width
        self._touched: list[list[tuple[Codes, Ints]]] = [[] for _ in range(width)]
        self._whole: list[Ints | None] = [None] * width
        self._built: npt.NDArray[np.signedinteger[Any]] | None = None

    def fill(self, index: int, value: int) -> None:
        """Column ``index`` holds ``value`` for everyone (but those :meth:`touch` sets)."""
        self._constant[index] = value

    def touch(self, index: int, positions: Codes, values: Ints) -> None:
        """Column ``index`` holds ``values`` at ``positions`` (applied after the fill)."""
        self._touched[index].append((positions, values))

    def put(self, index: int, column: Ints) -> None:
        """Column ``index`` is ``column`` (kept, not copied: it must not change)."""
        self._whole[index] = column

    def build(self) -> npt.NDArray[np.signedinteger[Any]]:
        """The columns as one Fortran-ordered array of ``dtype`` (built on the first call)."""
        if self._built is None:
            built = np.empty((self.n, len(self._whole)), dtype=self.dtype, order="F")
            for index, whole in enumerate(self._whole):
                if whole is not None:
                    built[:, index] = whole
                else:
                    built[:, index] = self._constant[index]
                for positions, values in self._touched[index]:
                    built[positions, index] = values
            self._built = built
            self._touched = []  # the parts are no longer needed
            self._whole = []
        return self._built
