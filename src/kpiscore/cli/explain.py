"""``kpiscore explain``: one person's scorecard, explained line by line (its ledger).

The same as ``score_many(...)[subject].explain(lang)``, after reading the facts carefully.
"""

from __future__ import annotations

import argparse
import sys

from kpiscore.cli.common import Inputs, add_inputs
from kpiscore.exceptions import UnknownSubjectError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore explain``."""
    command = subparsers.add_parser("explain", help="explain one person's scorecard")
    add_inputs(command)
    command.add_argument("--subject", required=True, metavar="ID", help="the person's id")
    command.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the ledger of ``--subject``."""
    inputs = Inputs(args)
    if args.subject not in {person.id for person in inputs.people}:
        raise UnknownSubjectError(
            f"--subject {args.subject!r}: no person with that id in {inputs.people_file}"
        )
    table = inputs.score(sys.stderr)
    print(table[args.subject].explain(args.lang), end="")
    return 0
