"""The evaluation cycle one step at a time, over files, so a user can stop and look between::

    kpiscore score … --period 2026-Q1 --format json --output q1.json     (once per quarter)
    kpiscore rollup q1.json q2.json q3.json q4.json --period 2026 --output year.json
    kpiscore quota year.json --group-by unit --output year-quota.json
    kpiscore payout year-quota.json --table danang-2026 --salaries salaries.csv

Each step is one public call: :func:`kpiscore.rollup_many` (``across_policies=True``),
:func:`kpiscore.quota.apply_quota`, :func:`kpiscore.payout.payout_rows`, on results read back
with :func:`kpiscore.cycle.evaluation_json.read_results`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from kpiscore.cycle.evaluation_json import read_results
from kpiscore.cycle.rollup import RollupTable, rollup_many
from kpiscore.exceptions import InputError
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.quota_plan import BaseReading, GroupBy, TieRule


class _QuotaOptions(TypedDict):
    """The options ``kpiscore quota`` passes to :func:`~kpiscore.cycle.quota.apply_quota`."""

    base: BaseReading
    group_by: GroupBy
    rounding: str
    ties: TieRule


__all__ = ["add_parser", "payout_command", "quota_command", "rollup_command"]


def _policies(values: list[str] | None) -> list[Policy]:
    from kpiscore.cli.common import resolve_policy

    return [resolve_policy(value) for value in values or ()]


def _emit(text: str, output: str | None, *, bom: bool = False, inputs: Sequence[str] = ()) -> None:
    """Print ``text``, or write it to ``output`` in one piece (never over one of ``inputs``)."""
    if output is None:
        sys.stdout.write(text)
        return
    from kpiscore.io.output import write_atomic

    write_atomic(output, text, bom=bom, inputs=inputs)


def _table_text(table: ScoreTable | RollupTable, fmt: str) -> str:
    return table.to_json(indent=2) + "\n" if fmt == "json" else table.to_csv()


def _merged(tables: list[ScoreTable]) -> list[ScoreTable]:
    """One table per sub-period: the files of one sub-period (one per policy) joined."""
    by_period: dict[Period, list[ScoreTable]] = {}
    for table in tables:
        by_period.setdefault(table.period, []).append(table)
    merged: list[ScoreTable] = []
    for period, group in by_period.items():
        if len(group) == 1:
            merged.append(group[0])
            continue
        seen: set[str] = set()
        for table in group:
            repeated = sorted(seen & set(table.subjects))
            if repeated:
                raise InputError(
                    f"rollup: {repeated!r} are scored twice for {period.label}; expected each"
                    " person once per sub-period"
                )
            seen |= set(table.subjects)
        cards = tuple(card for table in group for card in table)
        merged.append(ScoreTable(policy=group[0].policy, period=period, scorecards=cards))
    return merged


def rollup_command(args: argparse.Namespace) -> int:
    """``kpiscore rollup``: sub-period score files → the period's roll-up."""
    policies = _policies(args.policy)
    tables = []
    for path in args.files:
        table = read_results(path, policies)
        if not isinstance(table, ScoreTable):
            raise InputError(f"rollup: {path} holds roll-ups; expected a score table per file")
        tables.append(table)
    year = rollup_many(_merged(tables), Period.parse(args.period), across_policies=True)
    _emit(
        _table_text(year, args.format),
        args.output,
        bom=args.format == "csv",
        inputs=args.files,
    )
    print(
        f"rolled up {len(year)} people to {year.period.label}: {year.distribution()}",
        file=sys.stderr,
    )
    return 0


def quota_command(args: argparse.Namespace) -> int:
    """``kpiscore quota``: a score or roll-up file → the same after the quota."""
    from kpiscore.cycle.quota import apply_quota

    table = read_results(args.file, _policies(args.policy))
    group_by: GroupBy = None
    if args.group_by:
        group_by = tuple(args.group_by) if len(args.group_by) > 1 else args.group_by[0]
    options: _QuotaOptions = {
        "base": args.base,
        "group_by": group_by,
        "rounding": args.rounding,
        "ties": args.ties,
    }
    after: ScoreTable | RollupTable
    if isinstance(table, ScoreTable):
        after = apply_quota(table, args.rating, Decimal(args.share), **options)
    else:
        after = apply_quota(table, args.rating, Decimal(args.share), **options)
    _emit(
        _table_text(after, args.format),
        args.output,
        bom=args.format == "csv",
        inputs=[args.file],
    )
    print(
        f"before the quota: {table.distribution()}; after: {after.distribution()}", file=sys.stderr
    )
    return 0


def payout_command(args: argparse.Namespace) -> int:
    """``kpiscore payout``: a score or roll-up file → one payout row per person (CSV)."""
    from kpiscore.cli.common import reading
    from kpiscore.cli.score import resolve_payout_table
    from kpiscore.cycle.payout import payout_rows, read_salaries
    from kpiscore.io.render import rows_to_csv

    table = read_results(args.file, _policies(args.policy))
    # As `kpiscore run`: the rating (of a year, say) is paid for every month of its period.
    months = args.months if args.months is not None else len(table.period.months())
    rows = payout_rows(
        table,
        resolve_payout_table(args.table),
        read_salaries(args.salaries, **reading(args)),
        months=months,
    )
    _emit(rows_to_csv(rows), args.output, bom=True, inputs=[args.file, args.salaries])
    total = sum((row["payout"] for row in rows), Decimal(0))
    print(f"payout: {len(rows)} people, {total:,} đồng", file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``rollup``, ``quota`` and ``payout`` to the ``kpiscore`` command's sub-commands."""
    rolling = subparsers.add_parser(
        "rollup", help="roll sub-period score files (score --format json) up to a period"
    )
    rolling.add_argument("files", nargs="+", metavar="FILE", help="score JSON files")
    rolling.add_argument("--period", required=True, help="the period to roll up to (2026)")
    quota = subparsers.add_parser(
        "quota", help="apply the quota on the top rating to a score or roll-up JSON file"
    )
    quota.add_argument("file", metavar="FILE", help="a score or roll-up JSON file")
    quota.add_argument("--rating", default="HTXS", help="the band limited (default HTXS)")
    quota.add_argument("--share", default="0.20", help="the share allowed (default 0.20)")
    quota.add_argument(
        "--base", choices=("fixed_point", "next", "next_and_above"), default="fixed_point"
    )
    quota.add_argument(
        "--group-by",
        action="append",
        metavar="ATTR",
        help="unit, group, position or another column of the people file (grade); repeatable",
    )
    quota.add_argument("--rounding", default="ROUND_DOWN")
    quota.add_argument("--ties", default="demote_all", help="demote_all, keep_all or a key")
    paying = subparsers.add_parser(
        "payout", help="additional income by rating for a score or roll-up JSON file (CSV out)"
    )
    paying.add_argument("file", metavar="FILE", help="a score or roll-up JSON file")
    paying.add_argument("--table", required=True, help="danang-2026, hcm-2024 or a .toml file")
    paying.add_argument("--salaries", required=True, metavar="CSV|XLSX", help="subject,salary[,…]")
    paying.add_argument(
        "--months", type=int, help="months paid (default: the months of the period)"
    )
    for command, handler in (
        (rolling, rollup_command),
        (quota, quota_command),
        (paying, payout_command),
    ):
        if command is paying:
            from kpiscore.cli.common import add_reading

            add_reading(command, columns=False)
        command.add_argument(
            "--policy",
            action="append",
            metavar="ID|FILE",
            help="a policy the results were scored under, if not bundled; repeatable",
        )
        command.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
        if command is not paying:
            command.add_argument("--format", choices=("json", "csv"), default="json")
        command.set_defaults(func=handler)
