"""Terminal output for the command line: aligned tables and a progress bar.

When the optional ``rich`` package is installed (``pip install 'kpiscore[cli]'``) and the output is
a terminal, tables and progress bars are drawn by rich. Otherwise tables are plain text, aligned by
display width (Vietnamese text is normalised to NFC, where every letter is one column wide; East
Asian wide characters count two, combining marks none), and there is no progress bar, so piped
output and files stay clean and byte-for-byte reproducible.
"""

from __future__ import annotations

import contextlib
import importlib.util
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, TextIO

__all__ = ["cell_width", "plain_table", "progress", "uses_rich", "write_table"]

Align = Literal["left", "right"]


def cell_width(text: str) -> int:
    """How many terminal columns ``text`` takes.

    >>> cell_width("Nguyễn Văn An"), cell_width("Nguye\\u0302\\u0303n"), cell_width("表")
    (13, 6, 2)
    """
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, align: Align) -> str:
    gap = " " * (width - cell_width(text))
    return text + gap if align == "left" else gap + text


def plain_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[Align]
) -> str:
    """A plain-text table, columns two spaces apart, aligned by display width.

    >>> print(plain_table(["id", "tên", "điểm"], [["nv1", "Đặng Thị Hằng", "87.67"]],
    ...                   ["left", "left", "right"]))
    id   tên             điểm
    nv1  Đặng Thị Hằng  87.67
    """
    widths = [cell_width(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], cell_width(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [_pad(cell, widths[i], align[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def uses_rich(stream: TextIO) -> bool:
    """Whether output to ``stream`` is drawn with rich: rich is installed and it is a terminal."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return False
    return importlib.util.find_spec("rich") is not None


def write_table(
    stream: TextIO,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: Sequence[Align],
    *,
    title: str | None = None,
) -> None:
    """Write a table to ``stream``: drawn by rich on a terminal, plain text otherwise."""
    if uses_rich(stream):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for header, how in zip(headers, align, strict=True):
            # Figures never wrap; long names fold onto a second line.
            table.add_column(header, justify=how, overflow="fold", no_wrap=how == "right")
        for row in rows:
            table.add_row(*row)
        Console(file=stream).print(table)
        return
    if title:
        stream.write(title + "\n")
    stream.write(plain_table(headers, rows, align) + "\n")


@contextlib.contextmanager
def progress(stream: TextIO, total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on ``stream`` while the block runs; yields ``advance(n)``.

    Drawn by rich on a terminal (and removed when done); on anything else ``advance`` does
    nothing and nothing is written.
    """
    if not uses_rich(stream):
        yield lambda steps: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda steps: bar.advance(task, steps)
