"""``kpiscore compare``: a population scored under a policy and a variant, person by person.

The same as :func:`kpiscore.variants.compare` (the variant built by
:func:`kpiscore.variants.overlay` or read as a policy); the table is :func:`comparison_text`,
CSV and JSON are the comparison's own exports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore import policies
from kpiscore.cli.common import (
    Align,
    Inputs,
    add_inputs,
    add_output,
    emit,
    output_format,
    refuse_inputs_as_output,
    resolve_policy,
)
from kpiscore.cli.terminal import plain_table, progress
from kpiscore.model.numbers import format_points
from kpiscore.model.policy import Policy

if TYPE_CHECKING:
    from kpiscore.cycle.variants import Comparison

__all__ = ["add_parser", "comparison_text", "resolve_variant", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``kpiscore compare``."""
    command = subparsers.add_parser(
        "compare", help="score a population under a policy and a variant, person by person"
    )
    add_inputs(command)
    command.add_argument(
        "--variant",
        required=True,
        action="append",
        metavar="FILE",
        help="an overlay file ([changes] by path) applied to the policy, or a bundled policy"
        " id or policy file to compare with; repeat to apply several in turn",
    )
    add_output(command)
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare, then print the table (or CSV, JSON) or write it to ``--output``."""
    from kpiscore.cycle.variants import compare

    refuse_inputs_as_output(args)
    # Known kinds: those of either policy, as for compare() (each side leaves out the other's).
    variant = resolve_variant(args.variant, resolve_policy(args.policy))
    inputs = Inputs(args, also_known=variant.known_kinds)
    variant.check_period(inputs.period)
    with progress(sys.stderr, 2, f"Scoring {len(inputs.people)} people twice") as advance:
        comparison = compare(
            inputs.policy,
            variant,
            inputs.period,
            inputs.people,
            events=inputs.events,
            measures=inputs.measures,
            unknown_kinds=inputs.unknown_kinds,
            duplicates=inputs.duplicates,
        )
        advance(2)
    args.format = output_format(args, ("table", "csv", "json"))
    if args.format == "csv":
        text = comparison.to_csv()
    elif args.format == "json":
        text = comparison.to_json(indent=2) + "\n"
    else:
        text = comparison_text(comparison)
    emit(args, text, bom=args.format == "csv")
    return 0


def resolve_variant(values: Sequence[str], base: Policy) -> Policy:
    """The variant of ``compare``: each ``--variant`` applied in turn to ``base``.

    An overlay file (a ``.toml`` or ``.json`` file with a ``changes`` table) changes the policy
    so far; a bundled policy id or a policy file replaces it.

    Raises:
        UnknownPolicyError, FileFormatError, PolicyError: as for
            :func:`kpiscore.cli.common.resolve_policy` and :func:`kpiscore.variants.overlay`.
    """
    from kpiscore.cycle.variants import overlay, read_tree

    variant = base
    for value in values:
        path = Path(value)
        is_file = value not in policies.available() and path.suffix.lower() in (".toml", ".json")
        if is_file and "changes" in read_tree(path, what="overlay or policy file"):
            variant = overlay(variant, path)
            continue
        variant = resolve_policy(value)
    return variant


def comparison_text(comparison: Comparison) -> str:
    """The ``compare`` table: both policies, the headline, the band moves, then the movers."""
    base, variant = comparison.base, comparison.variant
    summary = comparison.summary
    lines = [
        f"base:    {base.id} {base.version} (fingerprint {base.fingerprint[:12]})",
        f"variant: {variant.id} {variant.version} (fingerprint {variant.fingerprint[:12]})",
        " · ".join(
            [
                f"period {comparison.period.label}",
                f"{summary.count} people",
                f"rating up {summary.up}",
                f"down {summary.down}",
                f"same {summary.same}",
                f"totals changed {summary.totals_changed}",
                f"mean change {format_points(summary.mean_delta)}"
                if summary.mean_delta is not None
                else "mean change —",
            ]
        ),
        "",
        "Band moves (rows: base rating; columns: variant rating)",
    ]
    labels = ["—" if rating is None else rating for rating in comparison.ratings]
    matrix = [
        [label, *(str(summary.transitions[a][b]) for b in comparison.ratings)]
        for label, a in zip(labels, comparison.ratings, strict=True)
    ]
    left: Align = "left"
    right: Align = "right"
    matrix_align = [left, *([right] * len(labels))]
    lines.append(plain_table(["base \\ variant", *labels], matrix, matrix_align))
    moved = comparison.moved
    lines += ["", f"Moved ({len(moved)} of {summary.count})"]
    if moved:
        rows = [
            [
                row.subject,
                row.person.name or "",
                format_points(row.base_total),
                format_points(row.variant_total),
                format_points(row.delta),
                _rating_move(row.base_rating, row.variant_rating),
                "; ".join(str(move) for move in row.criteria or row.categories),
            ]
            for row in moved
        ]
        headers = ["subject", "name", "base", "variant", "change", "rating", "moved"]
        align: list[Align] = ["left", "left", "right", "right", "right", "left", "left"]
        lines.append(plain_table(headers, rows, align))
    return "\n".join(lines) + "\n"


def _rating_move(before: str | None, after: str | None) -> str:
    first = "—" if before is None else before
    return first if before == after else f"{first} → {'—' if after is None else after}"
