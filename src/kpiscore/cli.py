"""The ``kpiscore`` command: a thin shell over the public API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kpiscore.exceptions import KpiscoreError

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from kpiscore._demo import run_demo

    print(run_demo(lang=args.lang), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kpiscore`` command."""
    parser = argparse.ArgumentParser(
        prog="kpiscore",
        description="Exact, deterministic, explainable KPI scoring (Decree 335/2025).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="score a built-in sample and explain the results")
    demo.add_argument("--lang", choices=("vi", "en"), default="en", help="language of the ledger")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors print one line and return 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except KpiscoreError as error:
        message = str(error).splitlines()
        print(f"kpiscore: error: {message[0]}", file=sys.stderr)
        for extra in message[1:]:
            print(extra, file=sys.stderr)
        return 2
    return status
