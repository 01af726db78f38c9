"""The pandas fast CSV reader (pyarrow not installed): its C parser, then the conversions the
careful reader makes, once per distinct cell.

pandas and NumPy are imported here at the top: :mod:`kpiscore.io.fastcsv` imports this module
only once it has found the ``kpiscore[pandas]`` extra installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from kpiscore.engine.columnar._arrays import Codes, Population
from kpiscore.io._fastcsv_read import (
    Reader,
    _IrregularError,
    check_cell_counts,
    check_length,
    clean_ids,
    convert_values,
    csv_module_rows,
    first_line,
    has_quote,
    header,
)

__all__ = ["PandasReader"]

T = TypeVar("T")


class PandasReader(Reader[pd.Series]):
    """The pandas reader (pyarrow not installed): its C parser, then the same conversions."""

    def read(self, path: Path, kind: str) -> dict[str, pd.Series]:
        if has_quote(path):
            return {
                name: pd.Series(cells, dtype=object)
                for name, cells in csv_module_rows(path, kind, self.careful_limit).items()
            }
        # Before pandas parses it: a row of another length than the header (pandas pads a
        # short row, and takes an index column when the first row is one cell long).
        names = header(first_line(path), kind, path)
        check_cell_counts(path, len(names))
        try:
            frame = pd.read_csv(
                path,
                dtype=object,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skip_blank_lines=True,
                index_col=False,
            )
        except Exception as error:  # any parse problem goes to the careful reader
            raise _IrregularError(str(error)) from None
        if names != header(list(frame.columns), kind, path):  # pandas skips blank lines first
            raise _IrregularError(f"{path}: the header is not the first line")
        return {name: frame.iloc[:, i] for i, name in enumerate(names)}

    def codes(
        self, column: pd.Series, read: Callable[[object, str], T], name: str, default: T | None
    ) -> tuple[Codes, list[T]]:
        codes, uniques = pd.factorize(column)
        if len(codes) and codes.min() < 0:
            raise _IrregularError(f"a missing cell in column {name!r}")
        return codes.astype(np.int64, copy=False), convert_values(
            list(uniques), read, name, default
        )

    def subjects(self, column: pd.Series, index: Population, what: str) -> Codes:
        codes, uniques = pd.factorize(column)
        lookup = index.get_indexer(list(uniques))  # as written: no normalising here
        positions = lookup.take(codes) if len(codes) else np.zeros(0, dtype=np.int64)
        if len(positions) and (positions.min() < 0 or codes.min() < 0):
            raise _IrregularError(f"{what}: a subject outside the population (as written)")
        return positions

    def ids(self, column: pd.Series) -> tuple[list[str], None]:
        ids = column.tolist()
        if not clean_ids(ids):
            raise _IrregularError("a person id is empty, has stray spaces or is not in NFC form")
        check_length(max(map(len, ids), default=0))
        return ids, None
