"""The data rows of a strict CSV file, shared by the cycle's careful CSV readers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Protocol

from kpiscore.exceptions import FileFormatError

__all__ = ["data_rows"]


class _Reader(Protocol):
    """What :func:`data_rows` uses of a :func:`csv.reader`."""

    line_num: int

    def __next__(self) -> list[str]: ...


def data_rows(
    reader: _Reader, name: str, problems: list[FileFormatError], *, sep: str = " "
) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header that hold cells, each with the line it starts on.

    ``reader`` is a :func:`csv.reader` past its header. Empty lines hold no row and are
    passed over. A row the CSV reader cannot read ends the rows: the reader cannot find the
    next one after it, so a problem ``"{name}{sep}line {n}: invalid CSV: …"`` is added to
    ``problems`` and the rows stop there, with what was read.

    >>> import csv, io
    >>> problems: list[FileFormatError] = []
    >>> reader = csv.reader(io.StringIO("a,b\\n1,2\\n\\n3,4\\n"))
    >>> _ = next(reader)
    >>> list(data_rows(reader, "x.csv", problems)), problems
    ([(2, ['1', '2']), (4, ['3', '4'])], [])
    """
    line = reader.line_num
    while True:
        start = line + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                FileFormatError(
                    f"{name}{sep}line {start}: invalid CSV: {error}", path=f"{name}:{start}"
                )
            )
            return
        line = reader.line_num
        if raw:
            yield start, raw
