"""Tables as offices save them: CSV in UTF-8, UTF-16 or a Windows code page, with ``,``, ``;`` or
tab between cells, and Excel workbooks (``.xlsx``), each turned into a header and numbered rows.

The careful fact readers (:mod:`kpiscore.io.fact_files`) and the salary reader check the cells;
this module only finds them:

- **Encodings**: UTF-8 with or without a byte-order mark, UTF-16 with one (what Excel's
  "Unicode text" saves), or the encoding given (``encoding="cp1258"``, Windows Vietnamese).
  Text is normalised to NFC after decoding: Python's ``cp1258`` codec gives decomposed tone
  marks (``e`` + U+0301), which would never equal the ids typed elsewhere.
- **Separators**: the one of ``,``, ``;`` and tab that the header line holds most often
  (``;`` is what Excel writes in a comma-decimal locale), or the one given.
- **Workbooks**: the sheet named like the file's kind (``people``, ``events``…), or the only
  sheet, or the one named after ``#`` (``hr.xlsx#Tháng 1``); cells keep their types (dates,
  numbers, booleans) and a row's line is its spreadsheet row. Read by python-calamine (the
  ``kpiscore[excel]`` extra), a binding of the Rust calamine reader: it reads a sheet several
  times faster than openpyxl, and with less memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import attrs

from kpiscore._extras import require
from kpiscore.exceptions import FileFormatError
from kpiscore.io.documents import _decode, _read_bytes

__all__ = [
    "DELIMITERS",
    "Cell",
    "RawTable",
    "check_delimiter",
    "check_encoding",
    "csv_table",
    "decode_table_text",
    "excel_path",
    "read_table",
    "sniff_delimiter",
    "workbook_text",
]

#: A cell as read: text from CSV; text, a number, a boolean or a date from a workbook.
Cell = str | int | float | bool | _dt.date | _dt.datetime | _dt.time | _dt.timedelta
#: The separators found by looking at the header line (another one may be given).
DELIMITERS: Final = (",", ";", "\t")
_NAMED_DELIMITERS: Final = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ENCODING_HINT: Final = (
    "; save it as UTF-8, or give its encoding (encoding='cp1258', --encoding cp1258 for"
    " Windows Vietnamese)"
)


def check_encoding(encoding: object) -> str | None:
    """``None`` (find out) or the name of a text encoding Python knows.

    >>> check_encoding("CP1258")
    'cp1258'

    Raises:
        FileFormatError: not the name of an encoding.
    """
    if encoding is None:
        return None
    if not isinstance(encoding, str):
        raise FileFormatError(f"encoding must be the name of an encoding (got {encoding!r})")
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise FileFormatError(
            f"encoding {encoding!r} is not an encoding Python knows; expected one such as"
            " 'utf-8', 'utf-16' or 'cp1258'"
        ) from None
    if info.name in ("rot-13", "base64", "hex", "zlib", "bz2", "uu", "quopri"):
        raise FileFormatError(f"encoding {encoding!r} is not a text encoding")
    return info.name


def check_delimiter(delimiter: object) -> str | None:
    """``None`` (find out) or one separator character (``"tab"`` names the tab).

    >>> check_delimiter(";"), check_delimiter("tab")
    (';', '\\t')

    Raises:
        FileFormatError: not one character, or a quote, a line break or a letter or digit.
    """
    if delimiter is None:
        return None
    if isinstance(delimiter, str):
        delimiter = _NAMED_DELIMITERS.get(delimiter.lower(), delimiter)
    if (
        not isinstance(delimiter, str)
        or len(delimiter) != 1
        or delimiter in '"\r\n '
        or delimiter.isalnum()
    ):
        raise FileFormatError(
            f"delimiter must be one separator character such as ',', ';' or 'tab' (got"
            f" {delimiter!r})"
        )
    return delimiter


def decode_table_text(data: bytes, name: str, encoding: str | None) -> str:
    """A CSV file's text in NFC, without its byte-order mark.

    Without ``encoding``: UTF-16 when the file starts with a UTF-16 byte-order mark, else
    UTF-8 (with or without one). A byte the encoding cannot read is an error naming its line.
    """
    if encoding is None and data.startswith(_UTF16_BOMS):
        encoding = "utf-16"
    if encoding is None or encoding == "utf-8":
        try:
            return _decode(data, name)
        except FileFormatError as error:  # its "save it as UTF-8" said with the encodings
            said = str(error).removesuffix("; save it as UTF-8")
            raise FileFormatError(f"{said}{_ENCODING_HINT}", path=error.path) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise FileFormatError(
            f"{name}: the file is not valid {encoding} (byte {data[error.start]:#04x} at offset"
            f" {error.start}); give the encoding it was saved in",
            path=name,
        ) from None
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


def sniff_delimiter(text: str) -> str:
    """The separator of ``,``, ``;`` and tab that the header line holds most often (``,``
    when it holds none, or on a tie with ``,``).

    >>> sniff_delimiter("subject;kind;on\\n"), sniff_delimiter("id\\n")
    (';', ',')
    """
    first = text.split("\n", 1)[0]
    counts = [(first.count(delimiter), -position) for position, delimiter in enumerate(DELIMITERS)]
    best = max(counts)
    return DELIMITERS[-best[1]] if best[0] else ","


@attrs.frozen
class RawTable:
    """A table's header and rows, before any cell is checked.

    Attributes:
        name: The file's name for messages (``events.csv``, ``hr.xlsx#events``).
        header: The header's cells.
        header_line: The line (or spreadsheet row) of the header.
        rows: ``(line, cells)`` per row that holds a cell, or a problem that ends the rows
            (a CSV row the parser cannot read).
        delimiter: The separator between cells (``None`` for a workbook).
    """

    name: str
    header: list[Cell] | None
    header_line: int
    rows: Iterator[tuple[int, list[Cell]] | FileFormatError]
    delimiter: str | None = None


def excel_path(source: str | os.PathLike[str]) -> tuple[Path, str | None] | None:
    """``(workbook, sheet)`` when ``source`` names a workbook (``.xlsx``, or ``x.xlsx#sheet``
    for a file that does not exist under the whole name), else ``None``.

    >>> excel_path("hr.xlsx#Tháng 1"), excel_path("people.csv")
    ((PosixPath('hr.xlsx'), 'Tháng 1'), None)
    """
    path = Path(source)
    text = os.fspath(source)
    if "#" in text and not path.exists():
        book, _, sheet = text.rpartition("#")
        if book.lower().endswith(".xlsx"):
            return Path(book), sheet
    if path.suffix.lower() == ".xlsx":
        return path, None
    return None


def csv_table(text: str, name: str, delimiter: str | None) -> RawTable:
    """The header and rows of CSV text (strict quoting, as the :mod:`csv` module reads it)."""
    sep = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=sep)
    try:
        first: list[str] | None = next(reader, None)
    except csv.Error as error:
        problem = FileFormatError(f"{name} line 1: invalid CSV: {error}", path=f"{name}:1")
        return RawTable(name, None, 1, iter([problem]), sep)

    def rows() -> Iterator[tuple[int, list[Cell]] | FileFormatError]:
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield FileFormatError(
                    f"{name} line {start}: invalid CSV: {error}", path=f"{name}:{start}"
                )
                return
            line = reader.line_num
            if row:  # an empty line holds no row
                yield start, list(row)

    header: list[Cell] | None = None if first is None else list(first)
    return RawTable(name, header, 1, rows(), sep)


def workbook_text(value: Cell) -> Cell:
    """A workbook's number cell where text is expected (an id typed as 1001) as its digits.

    >>> workbook_text(1001.0), workbook_text(2.5), workbook_text("nv001")
    ('1001', '2.5', 'nv001')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else repr(value)
    return value


def _blank(cell: Cell) -> bool:
    return isinstance(cell, str) and not cell.strip()


def excel_table(data: bytes, path: Path, sheet: str | None, kind: str) -> RawTable:
    """The header and rows of a workbook's sheet: the first row holding a cell is the header.

    Raises:
        MissingExtraError: python-calamine is not installed (``kpiscore[excel]``).
        FileFormatError: no such file or sheet, or not a workbook.
    """
    calamine = require("python_calamine", "excel")
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine's own errors: not a workbook, damaged, encrypted
        raise FileFormatError(
            f"{path}: cannot read the workbook ({type(error).__name__}: {error}); expected an"
            " .xlsx file saved by Excel or LibreOffice",
            path=str(path),
        ) from None
    names: list[str] = list(book.sheet_names)
    chosen = _sheet(names, sheet, kind, path)
    name = f"{path}#{chosen}" if len(names) > 1 or sheet is not None else str(path)
    cells: list[list[Cell]] = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    numbered = [(line, row) for line, row in enumerate(cells, 1) if not all(map(_blank, row))]
    if not numbered:
        return RawTable(name, None, 1, iter(()))
    header_line, header = numbered[0]
    return RawTable(name, header, header_line, iter(numbered[1:]))


def _sheet(names: list[str], sheet: str | None, kind: str, path: Path) -> str:
    if sheet is not None:
        if sheet in names:
            return sheet
        raise FileFormatError(
            f"{path}: no sheet named {sheet!r}; the workbook has {names!r}", path=str(path)
        )
    for candidate in names:
        if candidate.strip().casefold() == kind:
            return candidate
    if len(names) == 1:
        return names[0]
    raise FileFormatError(
        f"{path}: which sheet holds the {kind}? The workbook has {names!r}; name the sheet"
        f" {kind!r}, or give it after '#' ({path}#{names[0]})",
        path=str(path),
    )


def read_table(
    source: str | os.PathLike[str],
    kind: str,
    *,
    limit: int,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """The header and rows of a CSV file or a workbook's sheet (see the module).

    Raises:
        FileFormatError: the file cannot be read, is larger than ``limit`` bytes, or cannot
            be decoded.
    """
    book = excel_path(source)
    if book is not None:
        path, sheet = book
        return excel_table(_read_bytes(path, str(path), limit), path, sheet, kind)
    name = os.fspath(source)
    text = decode_table_text(_read_bytes(Path(source), name, limit), name, encoding)
    return csv_table(text, name, delimiter)
