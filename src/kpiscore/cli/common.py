"""What several ``kpiscore`` commands share: the policy and fact options, output, error reports.

Nothing here scores or renders on its own account: it turns arguments into the public API's
inputs (:func:`resolve_policy`, :class:`Inputs`) and puts text where the user asked for it
(:func:`emit`, through :func:`kpiscore.io.output.write_atomic`; :func:`refuse_inputs_as_output`;
:func:`report`).

This module stays whole (about 640 lines): the options every command takes, the reading of
the inputs they name and the reporting of their problems (with file and line) are one path from
the command line to the public API, shared by every sub-command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, TextIO, TypedDict, TypeVar

import attrs

from kpiscore import policies
from kpiscore.cli.terminal import progress
from kpiscore.engine.exact import score_many
from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    MissingInputError,
    OutputError,
    UnknownPolicyError,
    UnknownSubjectError,
)
from kpiscore.io.file_numbers import NumberFormat
from kpiscore.io.load import FactRecord, load_policy, read_fact_records
from kpiscore.io.output import write_atomic
from kpiscore.model.fact_checks import (
    DUPLICATES,
    UNKNOWN_KINDS,
    Duplicates,
    UnknownKinds,
    duplicate_events,
    duplicate_message,
    ratio_too_large,
    unknown_kind_message,
)
from kpiscore.model.facts import Event, Measure, Person
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.model.rules import MAX_LISTED as MAX_PROBLEMS
from kpiscore.results.scorecard import Scorecard, ScoreTable, event_notices

__all__ = [
    "BATCH",
    "INPUT_OPTIONS",
    "MAX_LISTED",
    "Align",
    "Inputs",
    "Problem",
    "Reading",
    "add_inputs",
    "add_output",
    "add_reading",
    "add_strictness",
    "check_records",
    "emit",
    "input_paths",
    "looks_like_path",
    "notice_line",
    "output_format",
    "raise_problems",
    "reading",
    "record_problems",
    "refuse_inputs_as_output",
    "report",
    "resolve_policy",
]

#: How many problems of one file are printed before "… and N more".
MAX_LISTED = 20
#: People scored per batch (the progress bar advances once per batch).
BATCH = 500

Align = Literal["left", "right"]
_Fact = TypeVar("_Fact", Event, Measure, Person)


# --------------------------------------------------------------------------- arguments


def add_inputs(command: argparse.ArgumentParser) -> None:
    """The options naming a policy, a period and the fact files (``score``, ``explain``…)."""
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
    add_reading(command)
    add_strictness(command)


def add_strictness(command: argparse.ArgumentParser) -> None:
    """``--unknown-kinds`` and ``--duplicates``: what an event no rule knows, or an event given
    twice, means (an error by default)."""
    command.add_argument(
        "--unknown-kinds",
        choices=UNKNOWN_KINDS,
        default="error",
        help="an event kind the policy neither scores nor lists in other_kinds: an error"
        " naming the nearest known kinds (the default), or ignore to leave such events out",
    )
    command.add_argument(
        "--duplicates",
        choices=DUPLICATES,
        default="error",
        help="two events with the same subject and ref, or two identical rows: an error"
        " (the default), or allow to count each",
    )


def add_reading(command: argparse.ArgumentParser, *, columns: bool = True) -> None:
    """How the fact (and salary) files are written: ``--number-format``, ``--encoding``,
    ``--delimiter`` and (with ``columns``) ``--ignore-columns``; see :func:`reading`."""
    command.add_argument(
        "--number-format",
        choices=("point", "vi"),
        default="point",
        help="how the files write numbers: point (0.9, 7020000; the default) or vi"
        " (0,9 and 7.020.000)",
    )
    command.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV files' encoding, such as cp1258 (Windows Vietnamese); default: UTF-8,"
        " or UTF-16 when the file starts with its byte-order mark",
    )
    command.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the CSV files' separator: ',', ';' or tab; default: the one the header line holds",
    )
    if columns:
        command.add_argument(
            "--ignore-columns",
            action="store_true",
            help="leave out columns of the events and measures files that kpiscore does not"
            " read (by default they are an error)",
        )


class Reading(TypedDict):
    """The keyword arguments every file reader takes (facts and salaries)."""

    number_format: NumberFormat
    encoding: str | None
    delimiter: str | None


def reading(args: argparse.Namespace) -> Reading:
    """The readers' keyword arguments from :func:`add_reading`'s options."""
    return {
        "number_format": getattr(args, "number_format", "point"),
        "encoding": getattr(args, "encoding", None),
        "delimiter": getattr(args, "delimiter", None),
    }


#: What an ``--output`` file's ending means when ``--format`` is not given.
FORMAT_OF_SUFFIX = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def add_output(
    command: argparse.ArgumentParser, formats: tuple[str, ...] = ("table", "csv", "json")
) -> None:
    """``--format`` (one of ``formats``) and ``--output FILE``.

    Without ``--format``, the output file's ending chooses (``.csv``, ``.json``, ``.xlsx``), and
    the table is the default: see :func:`output_format`.
    """
    command.add_argument(
        "--format",
        choices=formats,
        default=None,
        help="default: from --output's ending (.csv, .json"
        + (", .xlsx" if "xlsx" in formats else "")
        + "), else table",
    )
    command.add_argument(
        "--output",
        metavar="FILE",
        help="write to FILE instead (CSV with a byte-order mark); never one of the inputs",
    )


def output_format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """The format asked for: ``--format``, else what ``--output``'s ending says, else a table.

    >>> import argparse
    >>> output_format(argparse.Namespace(format=None, output="ket-qua.CSV"), ("table", "csv"))
    'csv'
    >>> output_format(argparse.Namespace(format=None, output="notes.txt"), ("table", "csv"))
    'table'
    """
    if args.format is not None:
        return str(args.format)
    suffix = os.path.splitext(args.output or "")[1].lower()
    inferred = FORMAT_OF_SUFFIX.get(suffix, "table")
    return inferred if inferred in formats else "table"


def looks_like_path(value: str, suffixes: tuple[str, ...] = (".toml", ".json")) -> bool:
    """Whether an ``ID|FILE`` argument names a file rather than a bundled id.

    >>> looks_like_path("vn-nd335-2025-staff"), looks_like_path("mine.toml")
    (False, True)
    """
    return value.lower().endswith(suffixes) or "/" in value or os.sep in value


def resolve_policy(value: str) -> Policy:
    """A bundled policy by id, or a policy file by path (ending in ``.toml`` or ``.json``).

    >>> resolve_policy("vn-nd335-2025-staff").id
    'vn-nd335-2025-staff'

    Raises:
        UnknownPolicyError: neither a bundled id nor a path to a policy file.
        FileFormatError: the file cannot be read or describes an invalid policy.
    """
    if not looks_like_path(value):
        if value in policies.available():
            return policies.load(value)
        raise UnknownPolicyError(
            f"--policy {value!r}: no bundled policy has that id; expected one of"
            f" {list(policies.available())!r}, or the path of a .toml or .json policy file"
        )
    return load_policy(Path(value))


# --------------------------------------------------------------------------- inputs


class Inputs:
    """The policy, the period and the facts of one ``score``, ``explain`` or ``compare`` run.

    Every fact is read carefully (file, line and column in every message); the people must be
    unique and every event and measure must name one of them.
    """

    def __init__(
        self, args: argparse.Namespace, *, also_known: frozenset[str] = frozenset()
    ) -> None:
        """``also_known``: event kinds known besides the policy's (``compare``: the variant's)."""
        self.policy = resolve_policy(args.policy)
        self.period = Period.parse(args.period)
        self.policy.check_period(self.period)
        self.people_file = args.people
        options = reading(args)
        limit = getattr(args, "max_file_size", None)  # kpiscore score --max-file-size
        people = read_fact_records(args.people, "people", max_bytes=limit, **options)
        ignore = bool(getattr(args, "ignore_columns", False))
        self.people = [_as(record, Person) for record in people]
        seen: dict[str, str] = {}
        for record, person in zip(people, self.people, strict=True):
            if person.id in seen:
                raise InputError(
                    f"{record.where}: person id {person.id!r} appears twice (first at"
                    f" {seen[person.id]}); ids must be unique"
                )
            seen[person.id] = record.where
        event_records = (
            read_fact_records(
                args.events, "events", ignore_columns=ignore, max_bytes=limit, **options
            )
            if args.events
            else []
        )
        measure_records = (
            read_fact_records(
                args.measures, "measures", ignore_columns=ignore, max_bytes=limit, **options
            )
            if args.measures
            else []
        )
        self.unknown_kinds: UnknownKinds = getattr(args, "unknown_kinds", "error")
        self.duplicates: Duplicates = getattr(args, "duplicates", "error")
        # Every problem beyond cell syntax, in one report: subjects outside the population,
        # unknown kinds, repeated events, ratios too large, missing measures.
        problems = self._subject_problems([*event_records, *measure_records], seen)
        checking = self.policy
        if also_known - self.policy.known_kinds:  # known to the check, as other_kinds are
            more = sorted(also_known - self.policy.known_kinds)
            checking = attrs.evolve(self.policy, other_kinds=(*self.policy.other_kinds, *more))
        problems += record_problems(
            checking, event_records, measure_records, self.unknown_kinds, self.duplicates
        )
        inside = [record for record in measure_records if _as(record, Measure).subject in seen]
        problems += self._missing_measures(people, inside, args.measures)
        raise_problems(problems)
        self.events = [_as(record, Event) for record in event_records]
        self.measures = [_as(record, Measure) for record in measure_records]

    def _subject_problems(
        self, records: list[FactRecord], population: dict[str, str]
    ) -> list[Problem]:
        """Each event or measure naming someone outside the population, at its line."""
        problems: list[Problem] = []
        for record in records:
            fact = record.fact
            if isinstance(fact, Event | Measure) and fact.subject not in population:
                problems.append(
                    Problem(
                        f"{record.where}, column 'subject': subject {fact.subject!r} is not in the"
                        f" population ({self.people_file})",
                        f"{record.path}:subject",
                        UnknownSubjectError,
                    )
                )
        return problems

    def _missing_measures(
        self, people: list[FactRecord], measures: list[FactRecord], measures_file: str | None
    ) -> list[Problem]:
        """Each measure the policy needs and the measures file lacks (``missing="error"``),
        at the line of the person in the people file: the row that is missing has no line."""
        policy = self.policy
        if policy.missing != "error":
            return []
        needed = [
            criterion
            for category in policy.categories
            for criterion in category.criteria
            if criterion.basis in ("assessed", "ratio")
        ]
        if not needed:
            return []
        given = {
            (measure.subject, measure.criterion)
            for measure in (_as(record, Measure) for record in measures)
        }
        source = f"in {measures_file}" if measures_file else "(no --measures file given)"
        problems: list[Problem] = []
        for record in people:
            person = _as(record, Person)
            for criterion in needed:
                if (person.id, criterion.id) not in given:
                    problems.append(
                        Problem(
                            f"{record.where}, column 'id': policy {policy.id!r}: no measure for"
                            f" criterion {criterion.id!r} of subject {person.id!r} {source};"
                            f" expected a row {person.id},{criterion.id},<value> (basis"
                            f" {criterion.basis!r}), or a policy with missing='zero' or"
                            " missing='exclude'",
                            f"{record.path}:id",
                            MissingInputError,
                        )
                    )
        return problems

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
                # The files' kinds and repeats are checked above, with their lines.
                table = score_many(
                    self.policy,
                    self.period,
                    batch,
                    events=[e for person in batch for e in events[person.id]],
                    measures=[m for person in batch for m in measures[person.id]],
                    unknown_kinds="ignore",
                    duplicates="allow",
                )
                cards.extend(table)
                advance(len(batch))
        first_day, last_day = self.period.start, self.period.end
        inside = [e for e in self.events if first_day <= e.on <= last_day]
        notices = event_notices(len(self.events) - len(inside), sum(1 for e in inside if e.excused))
        return ScoreTable(
            policy=self.policy, period=self.period, scorecards=tuple(cards), notices=notices
        )


def check_records(
    policy: Policy,
    events: list[FactRecord],
    measures: list[FactRecord],
    unknown_kinds: UnknownKinds,
    duplicates: Duplicates,
) -> None:
    """Raise :func:`record_problems`' problems as :func:`raise_problems` does (nothing when
    there are none)."""
    raise_problems(record_problems(policy, events, measures, unknown_kinds, duplicates))


@attrs.frozen
class Problem:
    """One problem of the fact files: its message (file, line and column first), its
    ``path`` and the error class raised when it is the only one."""

    message: str
    path: str
    alone: type[KpiscoreError] = FileFormatError


def raise_problems(problems: list[Problem]) -> None:
    """Raise the problems of a run: one alone as its own class (``FileFormatError``,
    ``UnknownSubjectError``, ``MissingInputError``), several in one
    :class:`FileFormatErrorGroup` (the first ``MAX_PROBLEMS``, then "… and N more").

    >>> raise_problems([])
    >>> raise_problems([Problem("people.csv line 2, column 'id': bad", "people.csv:id")])
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.FileFormatError: people.csv line 2, column 'id': bad
    """
    if len(problems) == 1:
        only = problems[0]
        raise only.alone(only.message, path=only.path)
    if problems:
        message = f"the fact files: {len(problems)} problems"
        if len(problems) > MAX_PROBLEMS:
            unlisted = len(problems) - MAX_PROBLEMS
            message += f" (the first {MAX_PROBLEMS} listed, … and {unlisted} more)"
        listed = [FileFormatError(p.message, path=p.path) for p in problems[:MAX_PROBLEMS]]
        raise FileFormatErrorGroup(message, listed)


def record_problems(
    policy: Policy,
    events: list[FactRecord],
    measures: list[FactRecord],
    unknown_kinds: UnknownKinds,
    duplicates: Duplicates,
) -> list[Problem]:
    """Every unknown kind (once per kind, at its first line), repeated event (by subject and
    ref, or an identical row) and ratio above the policy's ``max_ratio`` of the files, each
    with file, line and column, in one :class:`FileFormatErrorGroup` (the error when alone).

    The fast path (:mod:`kpiscore.io.fastcsv`) steps aside whenever it sees any of these, so
    both paths report them with this text."""
    problems: list[Problem] = []
    facts = [_as(record, Event) for record in events]
    if unknown_kinds == "error":
        known = policy.known_kinds
        unknown: dict[str, list[int]] = {}
        for position, event in enumerate(facts):
            if event.kind not in known:
                unknown.setdefault(event.kind, []).append(position)
        for kind, positions in unknown.items():
            record = events[positions[0]]
            others = len(positions) - 1
            more = f" (and {others} more event{'s' if others > 1 else ''})" if others else ""
            problems.append(
                Problem(
                    f"{record.where}, column 'kind'{more}: "
                    + unknown_kind_message(kind, (policy.id,), known),
                    path=f"{record.path}:kind",
                )
            )
    if duplicates == "error":
        for position, first in duplicate_events(facts, identical=True):
            record = events[position]
            column = "ref" if facts[position].ref is not None else "subject"
            problems.append(
                Problem(
                    f"{record.where}, column {column!r}: "
                    + duplicate_message(facts[position], events[first].where),
                    path=f"{record.path}:{column}",
                )
            )
    criteria = {c.id: c for category in policy.categories for c in category.criteria}
    for record in measures:
        measure = _as(record, Measure)
        criterion = criteria.get(measure.criterion)
        if (
            criterion is not None
            and criterion.basis == "ratio"
            and (measure.value > policy.max_ratio)
        ):
            problems.append(
                Problem(
                    f"{record.where}, column 'value': measure for criterion"
                    f" {measure.criterion!r} of subject {measure.subject!r}:"
                    f" {ratio_too_large(measure.value, policy.max_ratio)}",
                    path=f"{record.path}:value",
                )
            )
    return problems


def _as(record: FactRecord, cls: type[_Fact]) -> _Fact:
    fact = record.fact
    if not isinstance(fact, cls):  # pragma: no cover - read_fact_records builds the right kind
        raise InputError(f"{record.where}: expected a {cls.__name__}")
    return fact


# --------------------------------------------------------------------------- output


#: Options that take a bundled id or a file: only a file can be overwritten.
_ID_OR_FILE = frozenset({"policy", "payout", "variant"})
#: Every option of any command that names a file the command reads (by its ``dest``): a
#: command with a new input option adds it here, so that ``--output`` never overwrites it.
INPUT_OPTIONS = ("policy", "people", "events", "measures", "payout", "salaries", "variant")


def _input_files(args: argparse.Namespace, options: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(option, path)`` for each input file the arguments name (bundled ids left out)."""
    for option in options:
        value = getattr(args, option, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and (option not in _ID_OR_FILE or looks_like_path(item)):
                yield "--" + option, item


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return Path(first).resolve() == Path(second).resolve()


def refuse_inputs_as_output(args: argparse.Namespace) -> None:
    """Refuse an ``--output`` that is one of the files the command reads.

    Writing the results over ``--people`` would destroy the input with status 0; it is refused
    before anything is read, scored or written (a hard link or a symbolic link to an input is the
    same file too).

    Raises:
        OutputError: ``--output`` names an input file (as
            :func:`kpiscore.io.output.write_atomic` refuses one).
    """
    output = getattr(args, "output", None)
    if not output:
        return
    for option, path in _input_files(args, INPUT_OPTIONS):
        if _same_file(output, path):
            raise OutputError(
                f"--output {output!r} is the same file as {option} {path!r}; writing the"
                " results there would destroy an input: choose another output file",
                path=output,
            )


def input_paths(args: argparse.Namespace) -> list[str]:
    """The files the command reads (so that ``--output`` is never one of them)."""
    return [path for _, path in _input_files(args, INPUT_OPTIONS)]


def emit(args: argparse.Namespace, text: str, *, bom: bool = False) -> None:
    """Print ``text``, or write it to ``--output`` in one piece (never over an input).

    The file is written by :func:`kpiscore.io.output.write_atomic`: a temporary file in the same
    folder, flushed to disk, then renamed over the target, so a kill or a full disk mid-write
    leaves the previous file whole.

    Args:
        args: The command's arguments (``output`` and the input options are read).
        text: What to print or write.
        bom: Start the file with a byte-order mark (CSV: spreadsheets then read Vietnamese
            text right).
    """
    if not args.output:
        sys.stdout.write(text)
        return
    refuse_inputs_as_output(args)
    try:
        write_atomic(args.output, text, bom=bom, inputs=input_paths(args))
    except OutputError as error:
        # The library says "output 'x.csv': …"; here it is the option the user typed.
        message = str(error)
        raise OutputError(
            "--" + message if message.startswith("output ") else message, path=error.path
        ) from None


# --------------------------------------------------------------------------- errors


def notice_line(table: ScoreTable) -> str | None:
    """The one line ``kpiscore score`` prints to stderr for a table's notices, or ``None``.

    >>> from kpiscore.results.scorecard import Notice
    >>> print(notice_line(ScoreTable(policy=policies.load("vn-nd335-2025-staff"),
    ...     period=Period.parse("2026-Q1"), scorecards=(),
    ...     notices=(Notice(what="events", count=4, why="outside the period"),))))
    kpiscore: note: 4 events outside the period 2026-Q1 left out
    """
    if not table.notices:
        return None
    said = []
    for notice in table.notices:
        noun = notice.what if notice.count != 1 else notice.what.removesuffix("s")
        if notice.why == "outside the period":
            said.append(f"{notice.count} {noun} outside the period {table.period.label} left out")
        else:
            said.append(f"{notice.count} excused {noun} (costing nothing)")
    return "kpiscore: note: " + "; ".join(said)


def report(error: KpiscoreError) -> None:
    """Print an error: one line, then the problems of a file (a few, not thousands)."""
    lines = str(error).splitlines() or [type(error).__name__]
    print(f"kpiscore: error: {lines[0]}", file=sys.stderr)
    listed = lines[1 : MAX_LISTED + 1]
    for line in listed:
        print(line, file=sys.stderr)
    if len(lines) - 1 > len(listed):
        print(f"  … and {len(lines) - 1 - len(listed)} more", file=sys.stderr)
