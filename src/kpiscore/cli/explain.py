"""``kpiscore explain``: a scorecard explained line by line (its ledger), or printable forms.

As text, the same as ``score_many(...)[subject].explain(lang)``, after reading the facts carefully.
With ``--format html --output DIR``, the printable A4 evaluation forms ("phiếu đánh giá") of
``ScoreTable.write_forms``: one file per person (or only ``--subject``'s), or all in one
document with ``--single NAME``, a page break per person.
"""

from __future__ import annotations

import argparse
import sys

from kpiscore.cli.common import Inputs, add_inputs
from kpiscore.exceptions import UnknownSubjectError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore explain``."""
    command = subparsers.add_parser("explain", help="explain a scorecard, or print the forms")
    add_inputs(command)
    command.add_argument(
        "--subject", metavar="ID", help="the person's id (needed for text; html: only this one)"
    )
    command.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    command.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="text (default) or html: printable A4 forms written to --output DIR",
    )
    command.add_argument("--output", metavar="DIR", help="with --format html: the folder")
    command.add_argument(
        "--single", metavar="NAME", help="with --format html: every form in one file NAME"
    )
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the ledger of ``--subject``, or write the printable forms."""
    if args.format == "text":
        if not args.subject:
            args.usage_error("explain: --subject ID is needed (or --format html --output DIR)")
        if args.output or args.single:
            args.usage_error("explain: --output and --single go with --format html")
    elif not args.output:
        args.usage_error("explain: --format html writes files: give --output DIR")
    inputs = Inputs(args)
    if args.subject and args.subject not in {person.id for person in inputs.people}:
        raise UnknownSubjectError(
            f"--subject {args.subject!r}: no person with that id in {inputs.people_file}"
        )
    table = inputs.score(sys.stderr)
    if args.format == "text":
        print(table[args.subject].explain(args.lang), end="")
        return 0
    from kpiscore.io.forms import write_forms

    cards = [table[args.subject]] if args.subject else list(table)
    written = write_forms(cards, args.output, lang=args.lang, single=args.single)
    print(f"{len(written)} file(s) written to {args.output}")
    return 0
