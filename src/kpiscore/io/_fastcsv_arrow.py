"""The pyarrow fast CSV reader: every column as Arrow strings, converted once per distinct value.

pyarrow and NumPy are imported here at the top: :mod:`kpiscore.io.fastcsv` imports this module
only once it has found the ``kpiscore[arrow]`` extra installed. (pyarrow ships no type
information: its values are typed as :data:`~kpiscore.engine.columnar._arrays.ArrowArray`.)
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pcsv  # type: ignore[import-untyped]

from kpiscore.engine.columnar._arrays import ArrowArray, Codes, Population, arrow_ints, arrow_text
from kpiscore.io._fastcsv_read import (
    Reader,
    _IrregularError,
    check_length,
    clean_ids,
    convert_values,
    csv_module_rows,
    first_line,
    has_quote,
    header,
)

__all__ = ["ArrowReader"]

T = TypeVar("T")


class ArrowReader(Reader[ArrowArray]):
    """The pyarrow reader: every column as Arrow strings, converted once per distinct value."""

    def __init__(self) -> None:
        self._pending: dict[str, Future[dict[str, ArrowArray]]] = {}

    def prefetch(self, pool: ThreadPoolExecutor, files: dict[str, Path]) -> None:
        """Start parsing these files (``kind -> path``) in the background: pyarrow parses
        without the interpreter lock, so one file is parsed while another is converted."""
        for kind, path in files.items():
            self._pending[kind] = pool.submit(self._parse, path, kind)

    def read(self, path: Path, kind: str) -> dict[str, ArrowArray]:
        """Each column of the file as pyarrow arrays (no cell left out, none added): ``id`` as
        text, every other column dictionary-encoded as it is parsed."""
        pending = self._pending.pop(kind, None)
        if pending is not None:
            return pending.result()
        return self._parse(path, kind)

    def _parse(self, path: Path, kind: str) -> dict[str, ArrowArray]:
        if has_quote(path):
            columns = csv_module_rows(path, kind, self.careful_limit)
            return {name: arrow_text(cells) for name, cells in columns.items()}
        raw = first_line(path)  # no quotes: the header's cells are split by its commas
        names = header(raw, kind, path)
        coded = pa.dictionary(pa.int32(), pa.string())
        try:
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(column_names=raw, skip_rows=1),
                convert_options=pcsv.ConvertOptions(
                    column_types={
                        cell: pa.string() if name == "id" else coded
                        for cell, name in zip(raw, names, strict=True)
                    },
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, OSError) as error:
            raise _IrregularError(str(error)) from None
        return {name: table.column(i) for i, name in enumerate(names)}

    def _coded_chunks(self, column: ArrowArray) -> list[ArrowArray]:
        """A column as dictionary arrays (one per chunk the reader made)."""
        if not pa.types.is_dictionary(column.type):
            column = column.dictionary_encode()
        return list(column.chunks) if hasattr(column, "chunks") else [column]

    def codes(
        self, column: ArrowArray, read: Callable[[object, str], T], name: str, default: T | None
    ) -> tuple[Codes, list[T]]:
        """(codes, converted distinct values) for a column; an empty cell takes ``default``.

        Each chunk's dictionary is small; its values are numbered across chunks in Python.
        """
        seen: dict[str, int] = {}
        parts: list[Codes] = []
        for chunk in self._coded_chunks(column):
            local = [seen.setdefault(value, len(seen)) for value in chunk.dictionary.to_pylist()]
            indices = arrow_ints(chunk.indices)
            parts.append(np.asarray(local, dtype=np.int32).take(indices) if local else indices)
        codes: Codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return codes, convert_values(list(seen), read, name, default)

    def subjects(self, column: ArrowArray, index: Population, what: str) -> Codes:
        """Population positions of a subject column, looked up as written: every chunk's
        distinct subjects in one pyarrow hash join."""
        chunks = self._coded_chunks(column)
        if not chunks:
            return np.zeros(0, dtype=np.int32)
        distinct = pa.concat_arrays([chunk.dictionary for chunk in chunks])
        found = pc.index_in(distinct, value_set=index.arrow().cast(distinct.type))
        if found.null_count:
            raise _IrregularError(f"{what}: a subject outside the population (as written)")
        positions = arrow_ints(found)
        parts, start = [], 0
        for chunk in chunks:
            size = len(chunk.dictionary)
            parts.append(positions[start : start + size].take(arrow_ints(chunk.indices)))
            start += size
        return np.concatenate(parts)

    def ids(self, column: ArrowArray) -> tuple[list[str], ArrowArray]:
        ids: list[str] = column.to_pylist()
        if len(ids) and pc.all(pc.string_is_ascii(column)).as_py():
            # ASCII ids are in NFC; only stray spaces (as Python's str.strip sees them) remain.
            clean = not pc.any(
                pc.match_substring_regex(
                    column, r"^[ \t\n\r\x0b\x0c\x1c-\x1f]|[ \t\n\r\x0b\x0c\x1c-\x1f]$|^$"
                )
            ).as_py()
        else:
            clean = clean_ids(list(ids))
        if not clean:
            raise _IrregularError("a person id is empty, has stray spaces or is not in NFC form")
        check_length(max(map(len, ids), default=0))
        return ids, column.combine_chunks() if hasattr(column, "combine_chunks") else column
