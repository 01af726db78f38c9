"""``kpiscore run FILE --output DIR``: an agency's whole evaluation cycle from one file.

Everything it does is :meth:`kpiscore.Evaluation.load`, :meth:`~kpiscore.Evaluation.run` and
:meth:`~kpiscore.EvaluationResult.write`; it prints the result's one-screen summary.
"""

from __future__ import annotations

import argparse
import sys

from kpiscore.cli.common import add_strictness
from kpiscore.cycle.evaluation import Evaluation
from kpiscore.model.period import Period

__all__ = ["add_parser", "run_command", "warn_long_period"]


def run_command(args: argparse.Namespace) -> int:
    """Run an evaluation file, write its files, print the summary."""
    evaluation = Evaluation.load(args.file, number_format=args.number_format)
    # The run's choice, not the file's: an evaluation file cannot turn these checks off.
    result = evaluation.run(unknown_kinds=args.unknown_kinds, duplicates=args.duplicates)
    written = result.write(args.output, lang=args.lang)
    sys.stdout.write(result.summary())
    print(
        f"{len(written)} files written to {args.output} (year.csv, one CSV per sub-period,"
        " explanations/)"
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to the ``kpiscore`` command's sub-commands."""
    command = subparsers.add_parser(
        "run",
        help="run an evaluation file: every sub-period, leaders after their reports, the year,"
        " the quota, the payout",
    )
    command.add_argument("file", metavar="FILE", help="the evaluation file (.toml)")
    command.add_argument(
        "--number-format",
        choices=("point", "vi"),
        default=None,
        help="how the files it names write numbers: point (0.9) or vi (0,9 and 7.020.000);"
        " default: the file's number_format key, else point",
    )
    command.add_argument(
        "--output", required=True, metavar="DIR", help="the folder to write year.csv and the rest"
    )
    command.add_argument(
        "--lang", choices=("vi", "en"), default="vi", help="language of the explanations"
    )
    add_strictness(command)
    command.set_defaults(func=run_command)


def warn_long_period(label: str) -> None:
    """Warn on stderr when ``kpiscore score`` is asked for more than a quarter.

    Decree 335/2025 scores monthly or quarterly and ranks the year on the mean of those
    results; one score over a year's (or a half's) events is something else.
    """
    period = Period.parse(label)
    if len(period.months()) > 3:
        print(
            f"kpiscore: warning: {period.label} is scored as one period; Decree 335 ranks a year"
            " on the mean of its monthly or quarterly results: score each sub-period and use"
            " `kpiscore rollup`, or `kpiscore run` on an evaluation file",
            file=sys.stderr,
        )
