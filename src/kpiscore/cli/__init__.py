"""The ``kpiscore`` command: a thin shell over the public API, one module per sub-command.

::

    kpiscore policies [ID]                 the bundled policies; with an id, its policy file
    kpiscore validate FILE [FILE ...]      check policy files, every problem listed
    kpiscore score --policy ID|FILE --period 2026-Q1 --people people.csv
                   [--events events.csv] [--measures measures.csv]
                   [--format table|csv|json] [--output FILE]
                   [--payout TABLE --salaries salaries.csv]
    kpiscore explain (same inputs) --subject ID [--lang vi|en]
    kpiscore compare (same inputs) --variant FILE [--variant FILE ...]
                   [--format table|csv|json] [--output FILE]
    kpiscore test FILE|DIR [...] [--bundled] [--lang vi|en]
    kpiscore demo [--lang vi|en]           the bundled sample workforce, scored and explained
    kpiscore serve [--host 127.0.0.1] [--port 8000] [--policies DIR] [--token-file FILE]
                   [--max-body BYTES]          the HTTP service (the ``server`` extra)

Everything the command does, a Python caller can do with :func:`kpiscore.load_policy`,
:mod:`kpiscore.policies`, the fact loaders, :func:`kpiscore.score_many`, :mod:`kpiscore.payout`,
:mod:`kpiscore.variants` and :mod:`kpiscore.testing`. An error prints one line starting
``kpiscore: error:`` (followed by the list when a file has several problems) and exits with
status 2; nothing is written to ``--output`` then, and an ``--output`` that is one of the
inputs is refused the same way. ``kpiscore test`` exits with status 1 when a case fails and 2
when the run could not start (see :mod:`kpiscore.cli.cases`).

Each sub-command is a module of this package (``score``, ``explain``, ``compare``, ``validate``,
``policies``, ``cases`` for ``test``, ``demo``) with ``add_parser(subparsers)``, which registers
the command and its handler as ``set_defaults(func=handler)``; a handler takes the parsed
arguments and returns the exit status. :data:`COMMANDS` lists them in ``--help`` order: a new
command is a new module and one more entry there. What several commands share (the policy and
fact options, ``--output``, error reports) is in :mod:`kpiscore.cli.common`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from kpiscore.cli import (
    cases,
    common,
    compare,
    demo,
    explain,
    policies,
    run,
    score,
    steps,
    validate,
)
from kpiscore.exceptions import KpiscoreError

__all__ = ["COMMANDS", "build_parser", "main"]

if TYPE_CHECKING:
    _Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _add_serve(subparsers: _Subparsers) -> None:
    """``kpiscore serve``, which ``kpiscore.server`` defines (argparse only: no web framework)."""
    from kpiscore.server import add_serve_parser, serve

    add_serve_parser(subparsers).set_defaults(func=serve)


#: Each sub-command's registration, in the order ``kpiscore --help`` lists them.
COMMANDS: tuple[Callable[[_Subparsers], None], ...] = (
    policies.add_parser,
    validate.add_parser,
    score.add_parser,
    explain.add_parser,
    compare.add_parser,
    cases.add_parser,
    demo.add_parser,
    run.add_parser,
    steps.add_parser,
    _add_serve,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kpiscore`` command, built from :data:`COMMANDS`."""
    from kpiscore import __version__

    parser = argparse.ArgumentParser(
        prog="kpiscore",
        description="Exact, deterministic, explainable KPI scoring (Decree 335/2025).",
    )
    parser.add_argument("--version", action="version", version=f"kpiscore {__version__}")
    # A handler reports a usage error the options cannot express (``--payout`` without
    # ``--salaries``) as the parser does: ``args.usage_error(message)`` exits with status 2.
    parser.set_defaults(usage_error=parser.error)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_parser in COMMANDS:
        add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors print one line and return 2)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except KpiscoreError as error:
        common.report(error)
        return 2
    except BrokenPipeError:  # pragma: no cover - `kpiscore score … | head`
        # Python's advice: point stdout at devnull so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("kpiscore: interrupted", file=sys.stderr)
        return 130
