"""Salary files: one monthly salary per person, read as carefully as the fact files.

The same size limit, byte-order-mark handling, NFC normalisation, strict CSV (``"nv001"x`` is
refused, not read as ``nv001x``) and all-problems-at-once reporting as
:func:`kpiscore.load_events`; a repeated column is an error (never "the last one wins").
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

from kpiscore.cycle._csvrows import data_rows
from kpiscore.cycle.payout._rows import Salary
from kpiscore.exceptions import FileFormatError, FileFormatErrorGroup, InputError
from kpiscore.io.documents import _raise_all, read_text_file  # _raise_all: shared, private
from kpiscore.model.numbers import exact, to_decimal

__all__ = ["MAX_SALARY_BYTES", "parse_salaries", "read_salaries"]

#: The largest salary file read (64 MiB: about two million people).
MAX_SALARY_BYTES: Final = 64 * 1024 * 1024

_COLUMNS: Final = ("subject", "salary", "days_worked", "days_in_period")
#: Columns a salary file may carry for people reading it; they are checked to be columns, not used.
_INFORMATIONAL: Final = ("name", "unit", "group", "position", "note")
#: Problems listed in full before the rest are only counted.
_MAX_LISTED: Final = 100


def read_salaries(path: str | os.PathLike[str]) -> dict[str, Salary]:
    """Read a salary CSV file (UTF-8, a header row): see :func:`parse_salaries`.

    Raises:
        FileFormatError: the file cannot be read, is larger than :data:`MAX_SALARY_BYTES`, is
            not UTF-8, or a row is invalid (the message names the file, the line and the
            column); :class:`~kpiscore.FileFormatErrorGroup` when there are several problems.
    """
    if not isinstance(path, str | os.PathLike):
        raise FileFormatError(
            f"expected the path of a salary file (got {type(path).__name__} {path!r})"
        )
    name = os.fspath(path)
    try:
        os.stat(path)
    except OSError as error:
        raise FileFormatError(
            f"{name}: cannot read the salary file ({error.strerror})", path=name
        ) from None
    try:
        text = read_text_file(path, name, limit=MAX_SALARY_BYTES)
    except FileFormatError as error:
        reason = str(error).removeprefix(f"{name}: ")
        raise FileFormatError(
            f"{name}: cannot read the salary file: {reason}", path=error.path
        ) from None
    return parse_salaries(text, name=name)


def _header_problems(columns: list[str], name: str) -> Iterator[FileFormatError]:
    expected = ", ".join(_COLUMNS + _INFORMATIONAL)
    unknown = False
    for position, column in enumerate(columns, 1):
        if column not in _COLUMNS and column not in _INFORMATIONAL:
            unknown = True
            yield FileFormatError(
                f"{name}: line 1: unknown column {column!r}; expected {expected}"
                f" (column {position})",
                path=f"{name}:1",
            )
        elif columns.index(column) != position - 1:
            yield FileFormatError(
                f"{name}: line 1: column {column!r} appears twice (columns"
                f" {columns.index(column) + 1} and {position}); expected each column once",
                path=f"{name}:1:{column}",
            )
    if unknown:
        return  # an unknown column is most likely the required one misspelt: say that only
    for required in ("subject", "salary"):
        if required not in columns:
            yield FileFormatError(
                f"{name}: line 1: the column {required!r} is missing", path=f"{name}:1"
            )


def _salary(
    cells: dict[str, str], name: str, line: int
) -> tuple[Salary | None, list[FileFormatError]]:
    problems: list[FileFormatError] = []
    values: dict[str, Decimal | None] = {}
    for column in ("salary", "days_worked", "days_in_period"):
        cell = cells.get(column, "")
        if not cell:
            if column == "salary":
                problems.append(
                    FileFormatError(
                        f"{name}: line {line}: salary: empty; expected a number of đồng",
                        path=f"{name}:{line}:salary",
                    )
                )
            values[column] = None
            continue
        try:
            values[column] = to_decimal(cell, owner=f"{name}: line {line}", field=column)
        except InputError as error:
            problems.append(FileFormatError(str(error), path=f"{name}:{line}:{column}"))
    amount = values.get("salary")
    if problems or amount is None:
        return None, problems
    try:
        salary = Salary(
            amount=amount,
            days_worked=values["days_worked"],
            days_in_period=values["days_in_period"],
        )
    except InputError as error:
        return None, [FileFormatError(f"{name}: line {line}: {error}", path=f"{name}:{line}")]
    return salary, []


def parse_salaries(text: str, *, name: str = "salaries.csv") -> dict[str, Salary]:
    """Parse the text of a salary CSV file.

    Columns: ``subject`` and ``salary`` (required; monthly salary in đồng), ``days_worked`` and
    ``days_in_period`` (optional, together, to prorate), and ``name``, ``unit``, ``group``,
    ``position``, ``note`` (for people reading the file; ignored). Any other column is an
    error, as is a repeated column, a repeated subject, an empty salary or a malformed CSV
    cell. Ids are NFC-normalised, as the fact readers do. Every problem is reported at once.

    >>> parse_salaries("subject,salary\\nnv001,7020000\\n")["nv001"].amount
    Decimal('7020000')

    Raises:
        FileFormatError: one problem; :class:`~kpiscore.FileFormatErrorGroup` for several.
    """
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[FileFormatError] = []
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise FileFormatError(f"{name}: line 1: invalid CSV: {error}", path=f"{name}:1") from None
    if not header:
        raise FileFormatError(f"{name}: the salary file is empty; expected a header row", path=name)
    columns = [column.strip() for column in header]
    problems.extend(_header_problems(columns, name))
    if problems:
        _raise_all(problems, name)
    salaries: dict[str, Salary] = {}
    lines: dict[str, int] = {}
    # Numbers are read in kpiscore's own decimal context, never the caller's.
    with exact():
        for start, raw in data_rows(reader, name, problems, sep=": "):
            if len(raw) != len(columns):
                problems.append(
                    FileFormatError(
                        f"{name}: line {start}:"
                        f" {'more' if len(raw) > len(columns) else 'fewer'} cells than columns"
                        f" ({len(raw)} cells, the header names {len(columns)} columns)",
                        path=f"{name}:{start}",
                    )
                )
                continue
            cells = {column: value.strip() for column, value in zip(columns, raw, strict=True)}
            subject = cells["subject"]
            if not subject:
                problems.append(
                    FileFormatError(
                        f"{name}: line {start}: subject: empty; expected a person id",
                        path=f"{name}:{start}:subject",
                    )
                )
                continue
            if subject in lines:
                problems.append(
                    FileFormatError(
                        f"{name}: line {start}: subject {subject!r} already given on line"
                        f" {lines[subject]}; expected one salary per person",
                        path=f"{name}:{start}:subject",
                    )
                )
                continue
            lines[subject] = start
            salary, found = _salary(cells, name, start)
            problems.extend(found)
            if salary is not None:
                salaries[subject] = salary
    if len(problems) > _MAX_LISTED:
        raise FileFormatErrorGroup(
            f"{name}: {len(problems)} problems (the first {_MAX_LISTED} listed, and"
            f" {len(problems) - _MAX_LISTED} more)",
            problems[:_MAX_LISTED],
        )
    _raise_all(problems, name)
    return salaries
