"""``kpiscore policies``: the bundled policies, or one policy's file.

The same as :func:`kpiscore.policies.available`, :func:`~kpiscore.policies.load` and
:func:`~kpiscore.policies.source`.
"""

from __future__ import annotations

import argparse
import sys

from kpiscore import policies as bundled
from kpiscore.cli.terminal import write_table
from kpiscore.model.numbers import format_points

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore policies``."""
    command = subparsers.add_parser("policies", help="list the bundled policies, or print one")
    command.add_argument("id", nargs="?", help="print this bundled policy's file")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the table of bundled policies, or the file of ``id``."""
    if args.id:
        sys.stdout.write(bundled.source(args.id))
        return 0
    rows = []
    for policy_id in bundled.available():
        policy = bundled.load(policy_id)
        frame = " + ".join(
            f"{category.id} {format_points(category.max_total)}" for category in policy.categories
        )
        valid = policy.valid_from.isoformat() if policy.valid_from else "—"
        rows.append([policy.id, policy.version, valid, frame, policy.name])
    headers = ["id", "version", "valid from", "points", "name"]
    write_table(sys.stdout, headers, rows, ["left", "left", "left", "left", "left"])
    print("\nkpiscore policies ID prints a policy's file, a starting point for your own.")
    return 0
