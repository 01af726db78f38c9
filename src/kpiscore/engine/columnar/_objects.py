"""Reading a column of Python objects without a Python call per cell (CPython only).

An object array holds the addresses of its objects. :func:`pointers` reads them (the very same
address is the very same object: :func:`kpiscore.engine.columnar._cells.same_objects` groups a
column's repeated strings by them). :func:`date_days` reads ``datetime.date`` objects' own
bytes at those addresses: CPython keeps a date's year, month and day in four bytes at a fixed
offset of the object, after its header (type pointer) and cached hash.

Memory is only read at the addresses of objects the array holds (alive for the whole call),
and a date's bytes only once every cell's type pointer says it is exactly a ``datetime.date``.
The offsets are checked once against a date of known value (:func:`_layout`): on another
layout (a debug or free-threaded build, another implementation) nothing is read this way and
the callers read the cells one distinct value at a time, as without this module.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import functools
import sys
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from kpiscore.engine.columnar._arrays import Days, Ints

__all__ = ["date_days", "pointers"]

#: Where an object's type pointer is (after its reference count), in a CPython object.
_TYPE_AT: Final = 8
#: The 8-byte word of a ``datetime.date`` that holds its ``hastzinfo`` byte, then its year
#: (2 bytes, big-endian), month and day: after the header and the cached hash (``Py_hash_t``).
_DATE_AT: Final = 24
#: The widest stretch of addresses read through one view (the objects of one column).
_MAX_SPAN: Final = 1 << 46


def pointers(cells: npt.NDArray[np.object_]) -> Ints | None:
    """The address of each cell's object (CPython), or ``None`` (elsewhere, or no cells)."""
    size = len(cells)
    if not size or sys.implementation.name != "cpython":
        return None
    cells = np.ascontiguousarray(cells)
    buffer = (ctypes.c_ssize_t * size).from_address(cells.ctypes.data)
    found: Ints = np.ctypeslib.as_array(buffer).astype(np.int64)  # a copy: integers only
    return found


def date_days(cells: npt.NDArray[np.object_]) -> Days | None:
    """The day of each cell, when every cell is exactly a ``datetime.date`` (no datetime, no
    subclass, nothing missing): read from the objects' bytes, each distinct (year, month,
    day) made a day once. ``None`` otherwise: the caller reads the cells as before (and
    names the problem cells by row)."""
    if not len(cells) or type(cells[0]) is not _dt.date:
        return None  # text, datetimes, numbers…: not even their addresses are read
    found = pointers(cells)
    if found is None or not _layout() or (found & 7).any():
        return None
    low = int(found.min())
    span = int(found.max()) - low + 32
    if span > _MAX_SPAN:
        return None
    try:
        words = _words(low, span // 8)
    except (OverflowError, ValueError, MemoryError):  # pragma: no cover - a view refused
        return None
    if not bool((words.take((found - low + _TYPE_AT) >> 3) == id(_dt.date)).all()):
        return None
    # Every cell a date (32 bytes): its date word is its own.
    dates = words.take((found - low + _DATE_AT) >> 3) >> 8 & 0xFFFFFFFF
    codes, distinct = pd.factorize(dates)
    days = np.array([_date(word) for word in distinct.tolist()], dtype="datetime64[D]")
    result: Days = days.take(codes)
    return result


def _date(word: int) -> _dt.date:
    """A date from its four bytes (year high, year low, month, day) as a little-endian word."""
    return _dt.date((word & 255) << 8 | (word >> 8 & 255), word >> 16 & 255, word >> 24)


def _words(address: int, count: int) -> Ints:
    """A view of ``count`` 8-byte words from ``address`` on. Nothing is read until indexed,
    and only ``take`` may be used on it: any other operation (a copy) would read the whole
    stretch of addresses, most of it no object's."""
    raw = (ctypes.c_int64 * count).from_address(address)
    words: Ints = np.ctypeslib.as_array(raw)
    return words


@functools.cache
def _layout() -> bool:
    """Whether this interpreter lays a ``datetime.date`` out as :func:`date_days` reads it."""
    if sys.byteorder != "little":
        return False
    probe = np.empty(1, dtype=object)
    probe[0] = _dt.date(2026, 12, 31)
    found = pointers(probe)
    if found is None or int(found[0]) & 7:
        return False
    words = _words(int(found[0]), 4)  # the 32 bytes of a date
    kind, word = int(words[_TYPE_AT // 8]), int(words[_DATE_AT // 8]) >> 8 & 0xFFFFFFFF
    return kind == id(_dt.date) and _date(word) == probe[0]
