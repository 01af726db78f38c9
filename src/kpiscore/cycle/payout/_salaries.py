"""Salary files: one monthly salary per person, read as carefully as the fact files.

The same size limit, encodings (UTF-8 with or without a byte-order mark, UTF-16, or the one
given), separators (``,``, ``;`` or tab, found or given), workbooks (``.xlsx``, the sheet
``salaries`` or the only one), number syntax and formats (``7020000``, or ``7.020.000`` with
``number_format="vi"``), NFC normalisation, strict CSV (``"nv001"x`` is refused, not read as
``nv001x``) and all-problems-at-once reporting as :func:`kpiscore.load_events`; a repeated
column is an error (never "the last one wins").
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

from kpiscore.cycle.payout._rows import Salary
from kpiscore.exceptions import FileFormatError, InputError
from kpiscore.io.documents import _raise_all  # shared, private
from kpiscore.io.file_numbers import (
    NumberFormat,
    NumberSyntaxError,
    check_number_format,
    read_number,
)
from kpiscore.io.table_files import (
    Cell,
    RawTable,
    check_delimiter,
    check_encoding,
    csv_table,
    excel_path,
    read_table,
    workbook_text,
)
from kpiscore.model.numbers import exact

__all__ = ["MAX_SALARY_BYTES", "parse_salaries", "read_salaries"]

#: The largest salary file read (64 MiB: about two million people).
MAX_SALARY_BYTES: Final = 64 * 1024 * 1024

_COLUMNS: Final = ("subject", "salary", "days_worked", "days_in_period")
#: Columns a salary file may carry for people reading it; they are checked to be columns, not used.
_INFORMATIONAL: Final = ("name", "unit", "group", "position", "note")


def read_salaries(
    path: str | os.PathLike[str],
    *,
    number_format: NumberFormat = "point",
    encoding: str | None = None,
    delimiter: str | None = None,
) -> dict[str, Salary]:
    """Read a salary file (CSV with a header row, or a workbook): see :func:`parse_salaries`.

    Args:
        path: A ``.csv`` file, or a ``.xlsx`` workbook (its sheet ``salaries`` or its only
            sheet, or ``book.xlsx#sheet``).
        number_format: ``"point"`` (``7020000.5``) or ``"vi"`` (``7.020.000,5``).
        encoding: A CSV file's encoding (``"cp1258"``); by default UTF-8, or UTF-16 when the
            file starts with its byte-order mark.
        delimiter: A CSV file's separator; by default the one of ``,``, ``;`` and tab that
            the header line holds.

    Raises:
        FileFormatError: the file cannot be read, is larger than :data:`MAX_SALARY_BYTES`, is
            not in its encoding, or a row is invalid (the message names the file, the line and
            the column); :class:`~kpiscore.FileFormatErrorGroup` when there are several problems.
    """
    if not isinstance(path, str | os.PathLike):
        raise FileFormatError(
            f"expected the path of a salary file (got {type(path).__name__} {path!r})"
        )
    fmt = check_number_format(number_format)
    name = os.fspath(path)
    book = excel_path(path)
    try:
        os.stat(book[0] if book is not None else path)
    except OSError as error:
        raise FileFormatError(
            f"{name}: cannot read the salary file ({error.strerror})", path=name
        ) from None
    try:
        table = read_table(
            path,
            "salaries",
            limit=MAX_SALARY_BYTES,
            encoding=check_encoding(encoding),
            delimiter=check_delimiter(delimiter),
        )
    except FileFormatError as error:
        reason = str(error).removeprefix(f"{name}: ")
        raise FileFormatError(
            f"{name}: cannot read the salary file: {reason}", path=error.path
        ) from None
    return _salaries(table, fmt)


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
    cells: dict[str, Cell], name: str, line: int, fmt: NumberFormat
) -> tuple[Salary | None, list[FileFormatError]]:
    problems: list[FileFormatError] = []
    values: dict[str, Decimal | None] = {}
    for column in ("salary", "days_worked", "days_in_period"):
        cell = cells.get(column, "")
        if isinstance(cell, str) and not cell.strip():
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
            values[column] = read_number(cell, fmt, field=column)
        except NumberSyntaxError as error:
            problems.append(
                FileFormatError(
                    f"{name}: line {line}: {column}: {error}", path=f"{name}:{line}:{column}"
                )
            )
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


def parse_salaries(
    text: str,
    *,
    name: str = "salaries.csv",
    number_format: NumberFormat = "point",
    delimiter: str | None = None,
) -> dict[str, Salary]:
    """Parse the text of a salary CSV file.

    Columns: ``subject`` and ``salary`` (required; monthly salary in đồng), ``days_worked`` and
    ``days_in_period`` (optional, together, to prorate), and ``name``, ``unit``, ``group``,
    ``position``, ``note`` (for people reading the file; ignored). Any other column is an
    error, as is a repeated column, a repeated subject, an empty salary or a malformed CSV
    cell. Numbers are written as in fact files (``number_format``); ids are NFC-normalised,
    as the fact readers do. Every problem is reported at once.

    >>> parse_salaries("subject,salary\\nnv001,7020000\\n")["nv001"].amount
    Decimal('7020000')
    >>> parse_salaries("subject;salary\\nnv001;7.020.000\\n", number_format="vi")["nv001"].amount
    Decimal('7020000')

    Raises:
        FileFormatError: one problem; :class:`~kpiscore.FileFormatErrorGroup` for several.
    """
    fmt = check_number_format(number_format)
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    return _salaries(csv_table(text, name, check_delimiter(delimiter)), fmt)


def _salaries(table: RawTable, fmt: NumberFormat) -> dict[str, Salary]:
    name = table.name
    problems: list[FileFormatError] = []
    if table.header is None:
        failed = [row for row in table.rows if isinstance(row, FileFormatError)]
        if failed:
            raise FileFormatError(
                str(failed[0]).replace(f"{name} line", f"{name}: line", 1), path=failed[0].path
            )
        raise FileFormatError(f"{name}: the salary file is empty; expected a header row", path=name)
    columns = [str(column).strip() for column in table.header]
    while columns and not columns[-1]:
        columns.pop()  # Excel's trailing empty columns name nothing
    width = len(table.header)
    problems.extend(_header_problems(columns, name))
    if problems:
        _raise_all(problems, name)
    salaries: dict[str, Salary] = {}
    lines: dict[str, int] = {}
    # Numbers are read in kpiscore's own decimal context, never the caller's.
    with exact():
        for item in table.rows:
            if isinstance(item, FileFormatError):
                problems.append(
                    FileFormatError(
                        str(item).replace(f"{name} line", f"{name}: line", 1), path=item.path
                    )
                )
                break
            start, raw = item
            extra = raw[len(columns) :]
            if len(raw) < len(columns) or len(raw) > width or any(str(c).strip() for c in extra):
                problems.append(
                    FileFormatError(
                        f"{name}: line {start}:"
                        f" {'more' if len(raw) > len(columns) else 'fewer'} cells than columns"
                        f" ({len(raw)} cells, the header names {len(columns)} columns)",
                        path=f"{name}:{start}",
                    )
                )
                continue
            cells: dict[str, Cell] = {
                column: value.strip() if isinstance(value, str) else value
                for column, value in zip(columns, raw, strict=False)
            }
            subject = unicodedata.normalize("NFC", str(workbook_text(cells["subject"])).strip())
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
            salary, found = _salary(cells, name, start, fmt)
            problems.extend(found)
            if salary is not None:
                salaries[subject] = salary
    _raise_all(problems, name)
    return salaries
