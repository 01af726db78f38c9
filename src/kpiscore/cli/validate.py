"""``kpiscore validate``: check policy files, every problem of each listed.

The same as :func:`kpiscore.load_policy` on each file; a valid file gets a one-line summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpiscore.cli.common import report
from kpiscore.exceptions import KpiscoreError
from kpiscore.io.load import load_policy
from kpiscore.model.numbers import format_points

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore validate``."""
    command = subparsers.add_parser("validate", help="check policy files, every problem listed")
    command.add_argument("files", nargs="+", metavar="FILE", help="a .toml or .json policy file")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Summarise each valid file, then report the others; status 2 if any is invalid."""
    failures: list[KpiscoreError] = []
    for name in args.files:
        try:
            policy = load_policy(Path(name))
        except KpiscoreError as error:
            failures.append(error)
            continue
        criteria = sum(len(category.criteria) for category in policy.categories)
        print(
            f"{name}: valid — policy {policy.id!r} version {policy.version!r}:"
            f" {len(policy.categories)} categories, {criteria} criteria,"
            f" max {format_points(policy.max_total)}, {len(policy.bands)} bands,"
            f" {len(policy.caps)} caps; fingerprint {policy.fingerprint[:12]}"
        )
    for failure in failures:
        report(failure)
    return 2 if failures else 0
