"""The small CSV tables of an evaluation: people, measures by period, leave, approvals.

Each reader checks the header against the columns it knows (an unknown column is an error unless
the table keeps extra columns), and reports every bad cell with its file, line and column. Cells
are stripped and normalised to NFC; an empty cell is ``None``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

from kpiscore.exceptions import FileFormatError, FileFormatErrorGroup
from kpiscore.io.table_files import csv_table
from kpiscore.model.facts import attribute_name_problem

__all__ = ["CsvRow", "cell_date", "read_csv_table"]

#: The largest table file read (the fact files' limit).
MAX_TABLE_BYTES: Final = 64 * 1024 * 1024

_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST: Final = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


@attrs.frozen(kw_only=True)
class CsvRow:
    """One row of a table file: its cells by column, and where it was read."""

    cells: dict[str, str | None]
    name: str
    line: int

    def place(self, column: str) -> str:
        """``people.csv line 4, column 'manager'``."""
        return f"{self.name} line {self.line}, column {column!r}"

    def path(self, column: str) -> str:
        """``people.csv:4:manager``."""
        return f"{self.name}:{self.line}:{column}"

    def problem(self, column: str, message: str) -> FileFormatError:
        """A :class:`FileFormatError` about one cell of this row."""
        return FileFormatError(f"{self.place(column)}: {message}", path=self.path(column))


def raise_all(problems: Sequence[FileFormatError], name: str) -> None:
    """Raise the one problem, or all of them together."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FileFormatErrorGroup(f"{name}: {len(problems)} problems", list(problems))


def read_csv_table(
    source: str | os.PathLike[str],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    keep_extra: bool = False,
    what: str = "table",
) -> tuple[tuple[str, ...], list[CsvRow]]:
    """Read a UTF-8 CSV file with a header line: the column names, and the rows.

    The file is split into rows by the fact files' reader (:mod:`kpiscore.io.table_files`,
    strict quoting, empty lines passed over, a row the CSV parser cannot read ending the rows
    with a problem naming its line), always at commas: these tables are UTF-8 and
    comma-separated.

    Raises:
        FileFormatError: the file cannot be read, a column is unknown (unless ``keep_extra``),
            repeated or missing, or a row has the wrong number of cells; every problem is
            reported (:class:`~kpiscore.FileFormatErrorGroup`).
    """
    path = Path(source)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileFormatError(
            f"{name}: cannot read the {what} file ({error.strerror})", path=name
        ) from None
    if len(data) > MAX_TABLE_BYTES:
        raise FileFormatError(
            f"{name}: the {what} file is {len(data)} bytes; at most {MAX_TABLE_BYTES} are read",
            path=name,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError(f"{name}: the {what} file is not UTF-8", path=name) from None
    table = csv_table(text, name, ",")
    known = (*required, *optional)
    if table.header is None:
        for problem in table.rows:  # the header line the CSV parser cannot read
            if isinstance(problem, FileFormatError):
                raise problem
        raise FileFormatError(
            f"{name}: the {what} file is empty; expected a header line naming the columns"
            f" ({', '.join(known)})",
            path=name,
        )
    header = [str(cell) for cell in table.header]  # CSV cells are text
    names = tuple(unicodedata.normalize("NFC", cell.strip()) for cell in header)
    problems: list[FileFormatError] = []
    for position, column in enumerate(names, 1):
        if not column:
            problems.append(
                FileFormatError(
                    f"{name} line 1, column {position}: empty column name", path=f"{name}:1"
                )
            )
        elif column not in known and not keep_extra:
            problems.append(
                FileFormatError(
                    f"{name} line 1, column {position}: unknown column {column!r}; expected one"
                    f" of {list(known)!r}",
                    path=f"{name}:1:{column}",
                )
            )
        elif names.index(column) != position - 1:
            problems.append(
                FileFormatError(
                    f"{name} line 1: column {column!r} appears twice", path=f"{name}:1:{column}"
                )
            )
        elif column not in known and (clash := attribute_name_problem(column)) is not None:
            problems.append(
                FileFormatError(
                    f"{name} line 1, column {position}: column {clash}",
                    path=f"{name}:1:{column}",
                )
            )
    for column in required:
        if column not in names:
            problems.append(
                FileFormatError(
                    f"{name} line 1: missing required column {column!r}",
                    path=f"{name}:1:{column}",
                )
            )
    raise_all(problems, name)
    rows: list[CsvRow] = []
    for item in table.rows:
        if isinstance(item, FileFormatError):  # the rows end at a row the parser cannot read
            problems.append(item)
            break
        start, raw = item[0], [str(cell) for cell in item[1]]
        if len(raw) != len(names):
            problems.append(
                FileFormatError(
                    f"{name} line {start}: {len(raw)} cells, but the header names"
                    f" {len(names)} columns",
                    path=f"{name}:{start}",
                )
            )
            continue
        cells: dict[str, str | None] = {}
        for column, value in zip(names, raw, strict=True):
            cells[column] = unicodedata.normalize("NFC", value.strip()) or None
        for column in required:
            if cells.get(column) is None:
                problems.append(
                    FileFormatError(
                        f"{name} line {start}, column {column!r}: required, but empty",
                        path=f"{name}:{start}:{column}",
                    )
                )
        rows.append(CsvRow(cells=cells, name=name, line=start))
    raise_all(problems, name)
    return names, rows


def cell_date(row: CsvRow, column: str) -> _dt.date:
    """A date cell: ``DD/MM/YYYY`` (day first, as written in Vietnam) or ``YYYY-MM-DD``.

    Raises:
        FileFormatError: not such a date (naming the file, line and column).
    """
    text = row.cells.get(column) or ""
    expected = "expected a date as DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)"
    try:
        if _ISO_DATE.match(text):
            return _dt.date.fromisoformat(text)
        if _DAY_FIRST.match(text):
            return _dt.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise row.problem(column, f"{text!r} is not a real date; {expected}") from None
    raise row.problem(column, f"{expected} (got {text!r})")
