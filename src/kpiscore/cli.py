"""The ``kpiscore`` command: a thin shell over the public API.

::

    kpiscore policies [ID]                 the bundled policies; with an id, its policy file
    kpiscore validate FILE [FILE ...]      check policy files, every problem listed
    kpiscore score --policy ID|FILE --period 2026-Q1 --people people.csv
                   [--events events.csv] [--measures measures.csv]
                   [--format table|csv|json] [--output FILE]
    kpiscore explain (same inputs) --subject ID [--lang vi|en]
    kpiscore demo [--lang vi|en]           the bundled sample workforce, scored and explained

Everything the command does, a Python caller can do with :func:`kpiscore.load_policy`,
:mod:`kpiscore.policies`, the fact loaders and :func:`kpiscore.score_many`. An error prints one
line starting ``kpiscore: error:`` (followed by the list when a file has several problems) and
exits with status 2; nothing is written to ``--output`` then.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TextIO, TypeVar

from kpiscore import policies
from kpiscore._engine import score_many
from kpiscore._facts import Event, Measure, Person
from kpiscore._load import FactRecord, load_policy, read_fact_records
from kpiscore._numbers import format_points
from kpiscore._period import Period
from kpiscore._policy import Policy
from kpiscore._scorecard import Scorecard, ScoreTable
from kpiscore._terminal import plain_table, progress, write_table
from kpiscore.exceptions import (
    InputError,
    KpiscoreError,
    UnknownPolicyError,
    UnknownSubjectError,
)

__all__ = ["build_parser", "main"]

#: How many problems of one file are printed before "… and N more".
MAX_LISTED = 20
#: People scored per batch (the progress bar advances once per batch).
BATCH = 500

_Fact = TypeVar("_Fact", Event, Measure, Person)
_Align = Literal["left", "right"]


# --------------------------------------------------------------------------- inputs


def resolve_policy(value: str) -> Policy:
    """A bundled policy by id, or a policy file by path (ending in ``.toml`` or ``.json``).

    Raises:
        UnknownPolicyError: neither a bundled id nor a path to a policy file.
        FileFormatError: the file cannot be read or describes an invalid policy.
    """
    looks_like_path = value.lower().endswith((".toml", ".json")) or "/" in value or os.sep in value
    if not looks_like_path:
        if value in policies.available():
            return policies.load(value)
        raise UnknownPolicyError(
            f"--policy {value!r}: no bundled policy has that id; expected one of"
            f" {list(policies.available())!r}, or the path of a .toml or .json policy file"
        )
    return load_policy(Path(value))


class _Inputs:
    """The policy, the period and the facts of one ``score`` or ``explain`` run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.policy = resolve_policy(args.policy)
        self.period = Period.parse(args.period)
        self.policy.check_period(self.period)
        self.people_file = args.people
        people = read_fact_records(args.people, "people")
        self.people = [_as(record, Person) for record in people]
        seen: dict[str, str] = {}
        for record, person in zip(people, self.people, strict=True):
            if person.id in seen:
                raise InputError(
                    f"{record.where}: person id {person.id!r} appears twice (first at"
                    f" {seen[person.id]}); ids must be unique"
                )
            seen[person.id] = record.where
        event_records = read_fact_records(args.events, "events") if args.events else []
        measure_records = read_fact_records(args.measures, "measures") if args.measures else []
        self._check_subjects([*event_records, *measure_records], seen)
        self.events = [_as(record, Event) for record in event_records]
        self.measures = [_as(record, Measure) for record in measure_records]

    def _check_subjects(self, records: list[FactRecord], population: dict[str, str]) -> None:
        outside = [
            record
            for record in records
            if isinstance(record.fact, Event | Measure) and record.fact.subject not in population
        ]
        if outside:
            first = outside[0]
            subject = first.fact.subject if isinstance(first.fact, Event | Measure) else ""
            others = len(outside) - 1
            more = ""
            if others:
                more = f"; {others} more {'fact names' if others == 1 else 'facts name'} people"
                more += " outside it"
            raise UnknownSubjectError(
                f"{first.where}: subject {subject!r} is not in the population"
                f" ({self.people_file}){more}",
                path=first.path,
            )

    def score(self, stream: TextIO) -> ScoreTable:
        """Score everyone, in batches so a progress bar can follow a large population."""
        events: dict[str, list[Event]] = {person.id: [] for person in self.people}
        for event in self.events:
            events[event.subject].append(event)
        measures: dict[str, list[Measure]] = {person.id: [] for person in self.people}
        for measure in self.measures:
            measures[measure.subject].append(measure)
        cards: list[Scorecard] = []
        total = len(self.people)
        with progress(stream, total, f"Scoring {total} people") as advance:
            for start in range(0, total, BATCH):
                batch = self.people[start : start + BATCH]
                table = score_many(
                    self.policy,
                    self.period,
                    batch,
                    events=[e for person in batch for e in events[person.id]],
                    measures=[m for person in batch for m in measures[person.id]],
                )
                cards.extend(table)
                advance(len(batch))
        return ScoreTable(policy=self.policy, period=self.period, scorecards=tuple(cards))


def _as(record: FactRecord, cls: type[_Fact]) -> _Fact:
    fact = record.fact
    if not isinstance(fact, cls):  # pragma: no cover - read_fact_records builds the right kind
        raise InputError(f"{record.where}: expected a {cls.__name__}")
    return fact


# --------------------------------------------------------------------------- outputs


def _rating_words(card: Scorecard, band_id: str | None) -> str:
    return band_id if band_id is not None else "—"


def score_rows(table: ScoreTable) -> tuple[list[str], list[list[str]], list[_Align]]:
    """The ``score`` table: one row per person; carried and by-score columns only when used."""
    policy = table.policy
    cards = list(table)
    show_carried = any(not card.carried.is_zero() for card in cards)
    show_score_rating = any(card.rating != card.score_rating for card in cards)
    headers = ["subject", "name", "unit", *(category.id for category in policy.categories)]
    align: list[_Align] = ["left", "left", "left"]
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


def _write_output(path: str, text: str, *, bom: bool) -> None:
    try:
        with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise _OutputError(f"--output {path!r}: cannot write the file ({error.strerror})") from None


class _OutputError(KpiscoreError, OSError):
    """The output file cannot be written."""


# --------------------------------------------------------------------------- commands


def _policies(args: argparse.Namespace) -> int:
    if args.id:
        sys.stdout.write(policies.source(args.id))
        return 0
    rows = []
    for policy_id in policies.available():
        policy = policies.load(policy_id)
        frame = " + ".join(
            f"{category.id} {format_points(category.max_total)}" for category in policy.categories
        )
        valid = policy.valid_from.isoformat() if policy.valid_from else "—"
        rows.append([policy.id, policy.version, valid, frame, policy.name])
    headers = ["id", "version", "valid from", "points", "name"]
    write_table(sys.stdout, headers, rows, ["left", "left", "left", "left", "left"])
    print("\nkpiscore policies ID prints a policy's file, a starting point for your own.")
    return 0


def _validate(args: argparse.Namespace) -> int:
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
        _report(failure)
    return 2 if failures else 0


def _score(args: argparse.Namespace) -> int:
    inputs = _Inputs(args)
    table = inputs.score(sys.stderr)
    if args.format == "csv":
        text = table.to_csv()
    elif args.format == "json":
        text = table.to_json(indent=2) + "\n"
    elif args.output:
        headers, rows, align = score_rows(table)
        text = plain_table(headers, rows, align) + "\n\n" + distribution_line(table) + "\n"
    else:
        headers, rows, align = score_rows(table)
        write_table(sys.stdout, headers, rows, align)
        print()
        print(distribution_line(table))
        return 0
    if args.output:
        # A CSV file starts with a byte-order mark so spreadsheets read Vietnamese text right.
        _write_output(args.output, text, bom=args.format == "csv")
    else:
        sys.stdout.write(text)
    return 0


def _explain(args: argparse.Namespace) -> int:
    inputs = _Inputs(args)
    if args.subject not in {person.id for person in inputs.people}:
        raise UnknownSubjectError(
            f"--subject {args.subject!r}: no person with that id in {inputs.people_file}"
        )
    table = inputs.score(sys.stderr)
    print(table[args.subject].explain(args.lang), end="")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from kpiscore._demo import run_demo

    print(run_demo(lang=args.lang), end="")
    return 0


# --------------------------------------------------------------------------- parser


def _add_inputs(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        required=True,
        metavar="ID|FILE",
        help="a bundled policy id (see 'kpiscore policies') or a .toml/.json policy file",
    )
    command.add_argument(
        "--period", required=True, help="2026-01, 2026-Q1, 2026-H1, 2026 or 2026-01-01/2026-03-31"
    )
    command.add_argument(
        "--people", required=True, metavar="FILE", help="the population: CSV or JSON, column id"
    )
    command.add_argument(
        "--events", metavar="FILE", help="events: CSV or JSON, columns subject, kind, on, …"
    )
    command.add_argument(
        "--measures",
        metavar="FILE",
        help="measures: CSV or JSON, columns subject, criterion, value",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kpiscore`` command."""
    from kpiscore import __version__

    parser = argparse.ArgumentParser(
        prog="kpiscore",
        description="Exact, deterministic, explainable KPI scoring (Decree 335/2025).",
    )
    parser.add_argument("--version", action="version", version=f"kpiscore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("policies", help="list the bundled policies, or print one")
    listing.add_argument("id", nargs="?", help="print this bundled policy's file")
    listing.set_defaults(handler=_policies)

    validate = commands.add_parser("validate", help="check policy files, every problem listed")
    validate.add_argument("files", nargs="+", metavar="FILE", help="a .toml or .json policy file")
    validate.set_defaults(handler=_validate)

    score = commands.add_parser("score", help="score a population for a period")
    _add_inputs(score)
    score.add_argument("--format", choices=("table", "csv", "json"), default="table")
    score.add_argument(
        "--output", metavar="FILE", help="write to FILE instead (CSV with a byte-order mark)"
    )
    score.set_defaults(handler=_score)

    explain = commands.add_parser("explain", help="explain one person's scorecard")
    _add_inputs(explain)
    explain.add_argument("--subject", required=True, metavar="ID", help="the person's id")
    explain.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    explain.set_defaults(handler=_explain)

    demo = commands.add_parser("demo", help="score the bundled sample workforce and explain it")
    demo.add_argument("--lang", choices=("vi", "en"), default="en", help="default: en")
    demo.set_defaults(handler=_demo)
    return parser


def _report(error: KpiscoreError) -> None:
    """Print an error: one line, then the problems of a file (a few, not thousands)."""
    lines = str(error).splitlines() or [type(error).__name__]
    print(f"kpiscore: error: {lines[0]}", file=sys.stderr)
    listed = lines[1 : MAX_LISTED + 1]
    for line in listed:
        print(line, file=sys.stderr)
    if len(lines) - 1 > len(listed):
        print(f"  … and {len(lines) - 1 - len(listed)} more", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors print one line and return 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KpiscoreError as error:
        _report(error)
        return 2
    except BrokenPipeError:  # pragma: no cover - `kpiscore score … | head`
        # Python's advice: point stdout at devnull so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("kpiscore: interrupted", file=sys.stderr)
        return 130
