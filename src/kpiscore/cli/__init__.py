"""The ``kpiscore`` command: a thin shell over the public API.

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
status 2; nothing is written to ``--output`` then. ``kpiscore test`` exits with status 1 when a
case fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypeVar

from kpiscore import policies
from kpiscore.cli.terminal import plain_table, progress, write_table
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import (
    InputError,
    KpiscoreError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.io.load import FactRecord, load_policy, read_fact_records
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.numbers import canonical, format_points
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard, ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.payout import PayoutTable, Salary
    from kpiscore.cycle.variants import Comparison

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


def resolve_payout_table(value: str) -> PayoutTable:
    """A bundled payout table by id, or a payout table file (``.toml``) by path.

    Raises:
        UnknownPolicyError: neither a bundled id nor the path of a ``.toml`` file.
        FileFormatError: the file cannot be read or describes an invalid table.
    """
    from kpiscore.cycle import payout

    if value in payout.available():
        return payout.load(value)
    if value.lower().endswith(".toml") or "/" in value or os.sep in value:
        return payout.read(value)
    raise UnknownPolicyError(
        f"--payout {value!r}: no bundled payout table has that id; expected one of"
        f" {list(payout.available())!r}, or the path of a .toml payout table file"
    )


def _money(value: Decimal | None) -> str:
    """A đồng figure with thousands separators: ``3,510,000``."""
    return "" if value is None else f"{Decimal(canonical(value)):,f}"


def _payout_tree(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def text(value: object) -> object:
        return canonical(value) if isinstance(value, Decimal) else value

    keys = ("subject", "salary", "days_worked", "days_in_period", "payout_table")
    return [
        {
            **{key: text(row[key]) for key in keys},
            "payout_months": row["payout_months"],
            "payout": text(row["payout"]),
        }
        for row in rows
    ]


def _payout_line(rows: list[dict[str, Any]], table: PayoutTable) -> str:
    total = Decimal(0)
    for row in rows:
        total = _exact_add(total, row["payout"])
    months = rows[0]["payout_months"] if rows else 0
    return (
        f"additional income: {_money(total)} đồng in all · table {table.id}"
        f" · {months} month{'s' if months != 1 else ''}"
    )


def _exact_add(total: Decimal, value: Decimal) -> Decimal:
    from kpiscore.model.numbers import EXACT

    return EXACT.add(total, value)


def _fast_table(args: argparse.Namespace) -> ScoreTable | None:
    """The columnar fast path for CSV inputs (pandas installed), or ``None``.

    It gives the same figures and output as reading every row carefully; anything irregular
    in the files makes it step aside, and the careful reader then reports it by line.
    """
    from kpiscore.io.fastcsv import score_csv_files

    policy = resolve_policy(args.policy)
    period = Period.parse(args.period)
    policy.check_period(period)
    # On a terminal, a bar follows its four steps: people, events, measures, scoring.
    with progress(sys.stderr, 4, "Reading and scoring the CSV files") as advance:
        return score_csv_files(
            policy,
            period,
            Path(args.people),
            Path(args.events) if args.events else None,
            Path(args.measures) if args.measures else None,
            advance=advance,
        )


def _score(args: argparse.Namespace) -> int:
    pay: tuple[PayoutTable, dict[str, Salary]] | None = None
    if args.payout:
        from kpiscore.cycle.payout import read_salaries

        pay = (resolve_payout_table(args.payout), read_salaries(args.salaries))
    table = _fast_table(args)
    if table is None:
        table = _Inputs(args).score(sys.stderr)
    from kpiscore.cli.run import warn_long_period

    warn_long_period(table.period.label)
    rows: list[dict[str, Any]] = []
    if pay is not None:
        from kpiscore.cycle.payout import payout_rows

        rows = payout_rows(table, pay[0], pay[1])
    if args.format == "csv":
        if pay is not None:
            from kpiscore.io.render import rows_to_csv

            text = rows_to_csv(rows)
        else:
            text = table.to_csv()
    elif args.format == "json":
        if pay is not None:
            tree = json.loads(table.to_json())
            tree["payouts"] = _payout_tree(rows)
            text = json.dumps(tree, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
        else:
            text = table.to_json(indent=2) + "\n"
    else:
        headers, cells, align = score_rows(table)
        footer = [distribution_line(table)]
        if pay is not None:
            headers += ["salary", "payout"]
            align += ["right", "right"]
            for row, payout in zip(cells, rows, strict=True):
                row += [_money(payout["salary"]), _money(payout["payout"])]
            footer.append(_payout_line(rows, pay[0]))
        if not args.output:
            write_table(sys.stdout, headers, cells, align)
            print()
            print("\n".join(footer))
            return 0
        text = plain_table(headers, cells, align) + "\n\n" + "\n".join(footer) + "\n"
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


def resolve_variant(values: Sequence[str], base: Policy) -> Policy:
    """The variant of ``compare``: each ``--variant`` applied in turn to ``base``.

    An overlay file (a ``.toml`` or ``.json`` file with a ``changes`` table) changes the policy
    so far; a bundled policy id or a policy file replaces it.

    Raises:
        UnknownPolicyError, FileFormatError, PolicyError: as for :func:`resolve_policy` and
            :func:`kpiscore.variants.overlay`.
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
    left: _Align = "left"
    right: _Align = "right"
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
        align: list[_Align] = ["left", "left", "right", "right", "right", "left", "left"]
        lines.append(plain_table(headers, rows, align))
    return "\n".join(lines) + "\n"


def _rating_move(before: str | None, after: str | None) -> str:
    first = "—" if before is None else before
    return first if before == after else f"{first} → {'—' if after is None else after}"


def _compare(args: argparse.Namespace) -> int:
    from kpiscore.cycle.variants import compare

    inputs = _Inputs(args)
    variant = resolve_variant(args.variant, inputs.policy)
    variant.check_period(inputs.period)
    with progress(sys.stderr, 2, f"Scoring {len(inputs.people)} people twice") as advance:
        comparison = compare(
            inputs.policy,
            variant,
            inputs.period,
            inputs.people,
            events=inputs.events,
            measures=inputs.measures,
        )
        advance(2)
    if args.format == "csv":
        text = comparison.to_csv()
    elif args.format == "json":
        text = comparison.to_json(indent=2) + "\n"
    else:
        text = comparison_text(comparison)
    if args.output:
        _write_output(args.output, text, bom=args.format == "csv")
    else:
        sys.stdout.write(text)
    return 0


def _test(args: argparse.Namespace) -> int:
    from kpiscore.testing.cases import RunReport, bundled_cases, run_cases

    if not args.paths and not args.bundled:
        raise InputError("test: name case files or folders (*.kpi.toml), or pass --bundled")
    report = run_cases(args.paths) if args.paths else RunReport(results=())
    if args.bundled:
        bundled = tuple(case.run() for case in bundled_cases())
        report = RunReport(results=bundled + report.results, problems=report.problems)
    if not report.results and not report.problems:
        raise InputError(f"test: no case files (*.kpi.toml) in {' '.join(args.paths)}")
    headers, rows = report.table()
    write_table(sys.stdout, headers, rows, ["left", "left", "left"])
    for result in report.results:
        if not result.passed:
            print()
            print(result.report(args.lang), end="")
    for problem in report.problems.values():
        print()
        print(f"ERROR {problem}")
    print()
    print(report.summary())
    return 0 if report.passed else 1


def _demo(args: argparse.Namespace) -> int:
    from kpiscore.cli.demo import run_demo

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
    score.add_argument(
        "--payout",
        metavar="TABLE",
        help="add each person's additional income: a bundled payout table id"
        " (danang-2026, hcm-2024) or a .toml payout table file; needs --salaries",
    )
    score.add_argument(
        "--salaries",
        metavar="CSV",
        help="monthly salaries for --payout: CSV with columns subject, salary"
        " [, days_worked, days_in_period]",
    )
    score.set_defaults(handler=_score)

    explain = commands.add_parser("explain", help="explain one person's scorecard")
    _add_inputs(explain)
    explain.add_argument("--subject", required=True, metavar="ID", help="the person's id")
    explain.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    explain.set_defaults(handler=_explain)

    comparing = commands.add_parser(
        "compare", help="score a population under a policy and a variant, person by person"
    )
    _add_inputs(comparing)
    comparing.add_argument(
        "--variant",
        required=True,
        action="append",
        metavar="FILE",
        help="an overlay file ([changes] by path) applied to the policy, or a bundled policy"
        " id or policy file to compare with; repeat to apply several in turn",
    )
    comparing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    comparing.add_argument(
        "--output", metavar="FILE", help="write to FILE instead (CSV with a byte-order mark)"
    )
    comparing.set_defaults(handler=_compare)

    testing = commands.add_parser(
        "test", help="run test-case files (*.kpi.toml): a pass/fail table, failures explained"
    )
    testing.add_argument(
        "paths", nargs="*", metavar="FILE|DIR", help="case files, or folders to search"
    )
    testing.add_argument(
        "--bundled", action="store_true", help="run the cases shipped with the bundled policies"
    )
    testing.add_argument(
        "--lang", choices=("vi", "en"), default="en", help="language of the ledgers; default en"
    )
    testing.set_defaults(handler=_test)

    demo = commands.add_parser("demo", help="score the bundled sample workforce and explain it")
    demo.add_argument("--lang", choices=("vi", "en"), default="en", help="default: en")
    demo.set_defaults(handler=_demo)

    from kpiscore.cli import run, steps

    run.add_parser(commands)
    steps.add_parser(commands)
    from kpiscore.server import add_serve_parser  # argparse only: no web framework imported

    add_serve_parser(commands)
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
    if args.command == "score" and bool(args.payout) != bool(args.salaries):
        given, missing = ("--payout", "--salaries") if args.payout else ("--salaries", "--payout")
        parser.error(f"score: {given} needs {missing} too")
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
