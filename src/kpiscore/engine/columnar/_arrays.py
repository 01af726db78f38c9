"""The columnar engine's array types, its population, and the pyarrow conversions it needs.

NumPy is imported here at the top: this module is only imported once the entry point
(:func:`kpiscore.score_frame`, or the CSV fast path) has checked that it is installed. pyarrow
stays optional even then and is imported where it is used.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from kpiscore._extras import require
from kpiscore.exceptions import InputError
from kpiscore.model.facts import PERSON_FIELDS, Person

__all__ = [
    "PERSON_FIELDS",
    "ArrowArray",
    "Bools",
    "Codes",
    "Days",
    "Ints",
    "arrow_ints",
    "arrow_text",
    "nfc_list",
]

#: One int64 per row or person: positions, codes, scaled figures.
Ints: TypeAlias = npt.NDArray[np.int64]
#: Codes into a list of distinct values, of any integer width (pyarrow hands over int32).
Codes: TypeAlias = npt.NDArray[np.signedinteger[Any]]
Bools: TypeAlias = npt.NDArray[np.bool_]
#: Fixed-width ids read as big-endian integers (:func:`_packed`).
Unsigned: TypeAlias = npt.NDArray[np.uint64]
#: Dates as ``datetime64[D]``.
Days: TypeAlias = npt.NDArray[np.datetime64]
#: A pyarrow array or chunked array. pyarrow ships no type information, so its values are
#: untyped here (the one deliberate ``Any`` of the columnar engine's data).
ArrowArray: TypeAlias = Any


def pyarrow() -> tuple[ModuleType, ModuleType]:
    """``(pyarrow, pyarrow.compute)``, or :class:`MissingExtraError` naming ``kpiscore[arrow]``."""
    return require("pyarrow", "arrow"), require("pyarrow.compute", "arrow")


def optional_pyarrow() -> ModuleType | None:
    """pyarrow when installed (it speeds up text columns), else ``None``."""
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        return None


def python_text_as_arrow(values: npt.NDArray[np.object_]) -> ArrowArray:
    """An array of Python strings (``None``/``NaN`` for missing) as a pyarrow string array,
    converted in C++ (hashing it there is ten times faster than pandas' object hashing); or
    ``None`` when pyarrow is missing or the cells are not all text."""
    pa = optional_pyarrow()
    if pa is None:
        return None
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return None  # numbers, objects, lone surrogates…: read by pandas, cell by cell
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array
    return None


def text_list_as_arrow(values: list[str]) -> ArrowArray:
    """A list of Python strings (checked text: ids a :class:`Person` or the id check read) as
    a pyarrow string array, converted in C++ straight from the list; ``None`` when pyarrow is
    missing or the strings do not fit one array."""
    pa = optional_pyarrow()
    if pa is None:
        return None
    try:
        array = pa.array(values, type=pa.string())
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return None
    return array if isinstance(array, pa.Array) else None


class People:
    """The population: ids checked up front, :class:`Person` objects built only when needed.

    Each attribute given (a :class:`Person` field or one of its other ``attributes``) is held
    as (code per person, -1 when missing; its distinct values, already read as a
    :class:`Person` reads them).
    """

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.coded: dict[str, tuple[Codes, list[str | None]]] = {}
        self.built: dict[int, Person] = {}
        self.given: list[Person] | None = None  # the Person objects, when all came as such
        self.arrow_ids: ArrowArray = None  # the ids as a pyarrow array, when they came as one
        self._others: list[str] | None = None  # attribute_names(), once a Person is built

    def __len__(self) -> int:
        return len(self.ids)

    def value(self, field: str, position: int) -> str | None:
        coded = self.coded.get(field)
        if coded is None:
            return None
        code = int(coded[0][position])
        return None if code < 0 else coded[1][code]

    def codes(self, field: str) -> tuple[Codes, list[str | None]]:
        """(code per person, distinct values as :meth:`value` reads them); -1 is missing."""
        coded = self.coded.get(field)
        if coded is None:
            return np.full(len(self.ids), -1, dtype=np.int64), []
        return coded

    def person(self, position: int) -> Person:
        if self.given is not None:
            return self.given[position]
        built = self.built.get(position)
        if built is None:
            fields = {field: self.value(field, position) for field in PERSON_FIELDS[1:]}
            if self._others is None:  # the coded attributes are all set by the first build
                self._others = self.attribute_names()
            others = ((name, self.value(name, position)) for name in self._others)
            attributes = tuple((name, value) for name, value in others if value is not None)
            try:
                built = Person(id=self.ids[position], **fields, attributes=attributes)
            except InputError as error:
                raise InputError(f"people row {position}: {error}") from None
            self.built[position] = built
        return built

    def attribute_names(self) -> list[str]:
        """The names of the people's other attributes (not :class:`Person` fields), sorted."""
        return sorted(name for name in self.coded if name not in PERSON_FIELDS)

    def persons(self) -> list[Person]:
        return [self.person(i) for i in range(len(self.ids))]


class Population:
    """Population positions by id, looked up once per distinct subject.

    Ids held by pyarrow (pandas' Arrow-backed strings, or the CSV fast path) are looked up
    with pyarrow's hash join; others through one dict, built on first use.
    """

    def __init__(self, ids: list[str], arrow: ArrowArray = None) -> None:
        self.ids = ids
        self._arrow = arrow  # the ids as a pyarrow array (NFC, as in ``ids``), if given
        self._positions: dict[str, int] | None = None
        self.duplicate: str | None = None
        self._ordered = False  # the ids as given (pyarrow) are in strictly increasing order
        if arrow is not None:
            _, pc = pyarrow()
            # Ids in increasing order are unique; only others need hashing.
            ordered = len(ids) < 2 or pc.all(pc.less(arrow[:-1], arrow[1:])).as_py()
            self._ordered = bool(ordered)
            unique = ordered or pc.count_distinct(arrow).as_py() == len(ids)
        else:
            unique = len(self.positions) == len(ids)
        if not unique:
            seen: set[str] = set()
            for value in ids:
                if value in seen:
                    self.duplicate = value
                    break
                seen.add(value)

    def arrow(self) -> ArrowArray:
        """The ids as a pyarrow array."""
        if self._arrow is None:
            self._arrow = arrow_text(self.ids)
        return self._arrow

    @property
    def positions(self) -> dict[str, int]:
        if self._positions is None:
            self._positions = dict(zip(self.ids, range(len(self.ids)), strict=False))
        return self._positions

    def get_indexer(self, values: Sequence[object]) -> Ints:
        """Each value's position, or -1 for a value outside the population (or unhashable)."""
        if len(values) == len(self.ids) and values == self.ids:
            return np.arange(len(values), dtype=np.int64)
        positions: Callable[[object], int] = self.positions.__getitem__  # type: ignore[assignment]
        try:
            return np.fromiter(map(positions, values), dtype=np.int64, count=len(values))
        except (KeyError, TypeError):  # someone outside (or an unhashable cell): mark it -1
            get = self.positions.get
            return np.array([_get_or_missing(get, v) for v in values], dtype=np.int64)

    def get_indexer_arrow(self, values: ArrowArray) -> Ints:
        """:meth:`get_indexer` for a pyarrow string array (text not in NFC is normalised)."""
        _, pc = pyarrow()
        if values.null_count:
            return self.get_indexer(nfc_list(values.to_pylist()))
        ids = self.arrow()
        if ids.type != values.type:
            ids = ids.cast(values.type)
        if len(values) == len(ids) and pc.all(pc.equal(values, ids)).as_py():
            return np.arange(len(values), dtype=np.int64)  # the ids themselves: NFC already
        if self._ordered:  # ASCII ids of one width: searched as integers, once per run
            found_sorted = _ordered_lookup(ids, values)
            if found_sorted is not None:
                return found_sorted
        if len(values) > 2:  # rows grouped by person: one look-up per run of equal subjects
            heads = arrow_ints(pc.indices_nonzero(pc.not_equal(values[1:], values[:-1]))) + 1
            if 2 * (len(heads) + 1) < len(values):
                starts = np.concatenate((np.zeros(1, dtype=heads.dtype), heads))
                lengths = np.diff(np.append(starts, len(values)))
                return np.repeat(self.get_indexer_arrow(values.take(starts)), lengths)
        # Checked on the runs' subjects only (the same distinct text as every row's).
        if not pc.all(pc.string_is_ascii(values)).as_py():
            return self.get_indexer(nfc_list(values.to_pylist()))
        found = pc.fill_null(pc.index_in(values, value_set=ids), -1)
        return arrow_ints(found).astype(np.int64)


def _ordered_lookup(ids: ArrowArray, values: ArrowArray) -> Ints | None:
    """:meth:`Population.get_indexer_arrow` by binary search, when the ids are in increasing
    order and ids and values are ASCII text of one and the same length (``nv0000001``):
    both are then NumPy fixed-width bytes read from their Arrow buffers without a copy, and
    compared byte for byte as Arrow orders them (no hash table of the ids to build).
    ``None`` when they are not of that kind."""
    width = _fixed_width(ids)
    if width is None or len(values) == 0 or _fixed_width(values) != width:
        return None
    keys, sorted_ids = _as_bytes(values, width[0]), _as_bytes(ids, width[0])
    if int(keys.view(np.uint8).max()) >= 128:
        return None  # text beyond ASCII: looked up in NFC by the caller
    packed = _packed(sorted_ids, keys)
    if packed is None:
        return _searched(sorted_ids, keys)
    runs = equal_runs(packed[1])  # rows grouped by person: one search per run
    if runs is None:
        found = _searched(packed[0], packed[1])  # as integers: several times faster
    else:
        found = np.repeat(_searched(packed[0], packed[1].take(runs[0])), runs[1])
    if packed[2] is not None:
        found[packed[2]] = -1
    return found


def _searched(ordered: npt.NDArray[np.generic], keys: npt.NDArray[np.generic]) -> Ints:
    """Each key's position in ``ordered`` (increasing, unique), -1 where it is not there."""
    at = np.searchsorted(ordered, keys)
    inside = np.minimum(at, len(ordered) - 1)
    found: Ints = np.where(ordered.take(inside) == keys, inside, -1).astype(np.int64)
    return found


def _packed(
    ids: npt.NDArray[np.bytes_], keys: npt.NDArray[np.bytes_]
) -> tuple[Unsigned, Unsigned, Ints | None] | None:
    """Sorted fixed-width ids and keys of their width as unsigned integers in the same order,
    when the ids differ only in their last 8 bytes (``nv0000001``: a common prefix, then the
    number): ``(ids, keys, positions of the keys without the ids' prefix, or None)``; else
    ``None``.

    Sorted ids share the prefix their first and last share; the last 8 bytes of each, read
    as one big-endian integer (zero-padded when shorter), compare as the bytes do."""
    width = ids.dtype.itemsize
    head = max(width - 8, 0)
    prefix = bytes(ids[0])[:head]
    if bytes(ids[-1])[:head] != prefix:
        return None
    flat = keys.view(np.uint8)
    wrong = np.zeros(len(keys), dtype=bool)
    for column, byte in enumerate(prefix):
        wrong |= flat[column::width] != byte
    outside = np.flatnonzero(wrong) if wrong.any() else None
    return _tail(ids), _tail(keys), outside


def _tail(values: npt.NDArray[np.bytes_]) -> Unsigned:
    """The last 8 bytes of each fixed-width value as a big-endian integer (all its bytes,
    zero-padded on the right, when it has fewer)."""
    width = values.dtype.itemsize
    flat = values.view(np.uint8)
    if width >= 8:
        tails = np.ndarray(
            (len(values),), dtype=">u8", buffer=flat, offset=width - 8, strides=(width,)
        )
    else:
        padded = np.zeros((len(values), 8), dtype=np.uint8)
        padded[:, :width] = flat.reshape(-1, width)
        tails = padded.view(">u8").ravel()
    result: Unsigned = tails.astype(np.uint64)
    return result


def equal_runs(values: npt.NDArray[np.generic]) -> tuple[Ints, Ints] | None:
    """(start, length) of the runs of equal neighbours, when there are fewer than half as
    many runs as values; else ``None``."""
    size = len(values)
    changes = values[1:] != values[:-1]
    if 2 * (int(np.count_nonzero(changes)) + 1) >= size:
        return None  # short runs (a kind per row): their starts are not even listed
    heads = np.flatnonzero(changes) + 1
    starts = np.concatenate((np.zeros(1, dtype=np.int64), heads.astype(np.int64, copy=False)))
    lengths = np.diff(np.append(starts, size))
    return starts, lengths


def _offsets(array: ArrowArray) -> Ints:
    wide = str(array.type) == "large_string"
    dtype = np.int64 if wide else np.int32
    size = 8 if wide else 4
    offsets: Ints = np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array) + 1, offset=array.offset * size
    )
    return offsets


def _fixed_width(array: ArrowArray) -> tuple[int] | None:
    """``(width,)`` when every string of an Arrow string array without nulls has that many
    bytes, none of them a NUL (which NumPy's bytes would drop at the end), else ``None``."""
    if array.null_count or str(array.type) not in ("string", "large_string") or not len(array):
        return None
    offsets = _offsets(array)
    width = int(offsets[1] - offsets[0])
    if width == 0 or int(offsets[-1] - offsets[0]) != width * len(array):
        return None
    if not (np.diff(offsets) == width).all():
        return None
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
    if not data.all():
        return None
    return (width,)


def _as_bytes(array: ArrowArray, width: int) -> npt.NDArray[np.bytes_]:
    offsets = _offsets(array)
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
    return data.view(f"S{width}")


def _get_or_missing(get: Callable[[str, int], int], value: object) -> int:
    try:
        return int(get(value, -1))  # type: ignore[arg-type]  # an unhashable value: TypeError
    except TypeError:
        return -1


def nfc_list(values: list[object]) -> list[object]:
    """The values, with text not in ASCII normalised to NFC (others as they are)."""
    return [
        unicodedata.normalize("NFC", v) if isinstance(v, str) and not v.isascii() else v
        for v in values
    ]


def arrow_text(values: Sequence[str]) -> ArrowArray:
    """Python strings as a pyarrow string array (``large_string`` past 2 GiB), built from its
    buffers.

    ``pyarrow.array`` imports pandas to look for pandas objects among the values, which costs
    a command-line run more than the conversion itself.
    """
    pa = require("pyarrow", "arrow")
    encoded = [value.encode("utf-8", "surrogatepass") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(data) for data in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    if offsets[-1] < 2**31:
        return pa.StringArray.from_buffers(
            len(encoded), pa.py_buffer(offsets.astype(np.int32)), data
        )
    return pa.LargeStringArray.from_buffers(  # pragma: no cover - 2 GiB of text
        len(encoded), pa.py_buffer(offsets), data
    )


def arrow_ints(values: ArrowArray) -> Codes:
    """A pyarrow integer array or chunked array without nulls as one NumPy array.

    Read through the buffer protocol: pyarrow's own ``to_numpy`` imports pandas on first use,
    which costs a command-line run more than the conversion itself.
    """
    chunks = values.chunks if hasattr(values, "chunks") else [values]
    parts: list[Codes] = []
    for chunk in chunks:
        if chunk.null_count:  # pragma: no cover - callers fill or refuse nulls first
            raise AssertionError("columnar engine: an integer column with nulls")
        dtype = np.dtype(f"int{chunk.type.bit_width}")
        parts.append(
            np.frombuffer(
                chunk.buffers()[1],
                dtype=dtype,
                count=len(chunk),
                offset=chunk.offset * dtype.itemsize,
            )
        )
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
