"""``kpiscore score``: score a population for a period, optionally with its additional income.

The same as :func:`kpiscore.score_many` (or, for CSV files with the ``arrow`` or ``pandas``
extra, :func:`kpiscore.score_frame` through ``kpiscore.io.fastcsv``), then
:func:`kpiscore.payout.payout_rows` with ``--payout``: CSV and JSON are the result's own
``to_csv()`` / ``to_json(indent=2)`` (the score table's, or the payout rows'), the table adds
the payout columns and ``PayoutRows.summary_line()``. This module only picks the path and prints
or writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore.cli.common import (
    Align,
    Inputs,
    add_inputs,
    add_output,
    emit,
    input_paths,
    looks_like_path,
    output_format,
    reading,
    refuse_inputs_as_output,
    resolve_policy,
)
from kpiscore.cli.terminal import plain_table, progress, write_table
from kpiscore.exceptions import UnknownPolicyError
from kpiscore.model.numbers import format_points
from kpiscore.model.period import Period
from kpiscore.results.scorecard import Scorecard, ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.payout import PayoutRows, PayoutTable, Salary

__all__ = ["add_parser", "distribution_line", "resolve_payout_table", "run", "score_rows"]


#: ``--format`` of ``kpiscore score``: xlsx is a workbook (the ``excel`` extra), to --output only.
SCORE_FORMATS = ("table", "csv", "json", "xlsx")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore score``."""
    command = subparsers.add_parser("score", help="score a population for a period")
    add_inputs(command)
    add_output(command, SCORE_FORMATS)
    command.add_argument(
        "--payout",
        metavar="TABLE",
        help="add each person's additional income: a bundled payout table id"
        " (danang-2026, hcm-2024) or a .toml payout table file; needs --salaries",
    )
    command.add_argument(
        "--salaries",
        metavar="CSV",
        help="monthly salaries for --payout: CSV with columns subject, salary"
        " [, days_worked, days_in_period]",
    )
    command.add_argument(
        "--max-file-size",
        metavar="SIZE",
        type=_byte_size,
        help="largest fact file read row by row (600M, 1G…; default 256M, or the environment"
        " variable KPISCORE_MAX_FACT_BYTES); an unquoted CSV file read with the arrow or pandas"
        " extra may be of any size",
    )
    command.set_defaults(func=run)


def _byte_size(text: str) -> int:
    """``--max-file-size``: a size in bytes (argparse reports a bad one as a usage error)."""
    from kpiscore.exceptions import InputError
    from kpiscore.io.documents import parse_byte_size

    try:
        return parse_byte_size(text, "--max-file-size")
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Score, then print the table (or CSV, JSON) or write it to ``--output``."""
    if bool(args.payout) != bool(args.salaries):
        given, missing = ("--payout", "--salaries") if args.payout else ("--salaries", "--payout")
        args.usage_error(f"score: {given} needs {missing} too")
    args.format = output_format(args, SCORE_FORMATS)
    if args.format == "xlsx" and not args.output:
        args.usage_error("score: --format xlsx writes a workbook: give --output FILE.xlsx")
    refuse_inputs_as_output(args)
    pay: tuple[PayoutTable, dict[str, Salary]] | None = None
    if args.payout:
        from kpiscore.cycle.payout import read_salaries

        pay = (resolve_payout_table(args.payout), read_salaries(args.salaries, **reading(args)))
    table = _fast_table(args)
    if table is None:
        table = Inputs(args).score(sys.stderr)
    from kpiscore.cli.run import warn_long_period

    warn_long_period(table.period.label)
    rows: PayoutRows | None = None
    if pay is not None:
        from kpiscore.cycle.payout import payout_rows

        rows = payout_rows(table, pay[0], pay[1])
    result: ScoreTable | PayoutRows = table if rows is None else rows
    if args.format == "xlsx":
        result.to_excel(args.output, inputs=input_paths(args))
        return 0
    if args.format == "csv":
        text = result.to_csv()
    elif args.format == "json":
        text = result.to_json(indent=2) + "\n"
    else:
        headers, cells, align = score_rows(table)
        footer = [distribution_line(table)]
        if rows is not None:
            from kpiscore.cycle.payout import format_money

            headers += ["salary", "payout"]
            align += ["right", "right"]
            for row, payout in zip(cells, rows, strict=True):
                row += [format_money(payout["salary"]), format_money(payout["payout"])]
            footer.append(rows.summary_line())
        if not args.output:
            write_table(sys.stdout, headers, cells, align)
            print()
            print("\n".join(footer))
            return 0
        text = plain_table(headers, cells, align) + "\n\n" + "\n".join(footer) + "\n"
    # A CSV file starts with a byte-order mark so spreadsheets read Vietnamese text right.
    emit(args, text, bom=args.format == "csv")
    return 0


def _fast_table(args: argparse.Namespace) -> ScoreTable | None:
    """The columnar fast path for CSV inputs (pyarrow or pandas installed), or ``None``.

    It gives the same figures and output as reading every row carefully; anything irregular
    in the files makes it step aside, and the careful reader then reports it by line.
    """
    from kpiscore.io.fastcsv import score_csv_files

    policy = resolve_policy(args.policy)
    period = Period.parse(args.period)
    policy.check_period(period)
    # On a terminal, a bar follows its four steps: people, events, measures, scoring.
    with progress(sys.stderr, 4, "Reading and scoring the CSV files") as advance:
        return score_csv_files(
            policy,
            period,
            Path(args.people),
            Path(args.events) if args.events else None,
            Path(args.measures) if args.measures else None,
            advance=advance,
            ignore_columns=bool(args.ignore_columns),
            unknown_kinds=args.unknown_kinds,
            duplicates=args.duplicates,
            max_bytes=args.max_file_size,
            **reading(args),
        )


# --------------------------------------------------------------------------- the table


def _rating_words(card: Scorecard, band_id: str | None) -> str:
    return band_id if band_id is not None else "—"


def score_rows(table: ScoreTable) -> tuple[list[str], list[list[str]], list[Align]]:
    """The ``score`` table: one row per person; carried and by-score columns only when used."""
    policy = table.policy
    cards = list(table)
    show_carried = any(not card.carried.is_zero() for card in cards)
    show_score_rating = any(card.rating != card.score_rating for card in cards)
    headers = ["subject", "name", "unit", *(category.id for category in policy.categories)]
    align: list[Align] = ["left", "left", "left"]
    align += ["right"] * len(policy.categories)
    if show_carried:
        headers.append("carried")
        align.append("right")
    headers.append("total")
    align.append("right")
    if show_score_rating:
        headers.append("by score")
        align.append("left")
    if policy.bands:
        headers.append("rating")
        align.append("left")
    rows = []
    for card in cards:
        row = [card.subject, card.person.name or "", card.person.unit or ""]
        row += [format_points(category.points) for category in card.categories]
        if show_carried:
            row.append(format_points(-card.carried) if not card.carried.is_zero() else "0")
        row.append(format_points(card.total))
        if show_score_rating:
            row.append(_rating_words(card, card.score_rating))
        if policy.bands:
            row.append(_rating_words(card, card.rating))
        rows.append(row)
    return headers, rows, align


def distribution_line(table: ScoreTable) -> str:
    """``300 people · HTXS 48 · HTT 225 · HT 21 · KHT 6 · mean 83.00``."""
    summary = table.summary()
    parts = [f"{summary['count']} people"]
    parts += [f"{band} {count}" for band, count in summary["distribution"].items() if band]
    if summary["mean"] is not None:
        parts.append(f"mean {format_points(summary['mean'])}")
    return " · ".join(parts)


# --------------------------------------------------------------------------- payout


def resolve_payout_table(value: str) -> PayoutTable:
    """A bundled payout table by id, or a payout table file (``.toml``) by path.

    Raises:
        UnknownPolicyError: neither a bundled id nor the path of a ``.toml`` file.
        FileFormatError: the file cannot be read or describes an invalid table.
    """
    from kpiscore.cycle import payout

    if value in payout.available():
        return payout.load(value)
    if looks_like_path(value, (".toml",)):
        return payout.read(value)
    raise UnknownPolicyError(
        f"--payout {value!r}: no bundled payout table has that id; expected one of"
        f" {list(payout.available())!r}, or the path of a .toml payout table file"
    )
