"""Test-case files: a policy's expected behaviour, written down by the people who know the rules.

A case file (``*.kpi.toml``) names a policy, optionally changes it with an overlay, and lists
cases: the facts about one person for one period, and the figures the policy must give, compared
exactly (no tolerances)::

    # university.kpi.toml
    policy = "university-kpi-example"   # a bundled policy id, or a policy file next to this one
    period = "2026-Q1"

    [[case]]
    name = "four unexcused absences cost eight points"
    measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }
    events = [
        { kind = "training_absence", on = 2026-01-06 },
        { kind = "training_absence", on = 2026-01-13 },
        { kind = "training_absence", on = 2026-01-20 },
        { kind = "training_absence", on = 2026-01-27 },
        { kind = "training_absence", on = 2026-02-03, excused = true },
    ]
    expect = { total = "92.00", rating = "HTXS", criteria = { training = 7 } }

``kpiscore test FILE|DIR…`` runs them and prints a pass/fail table; ``pytest`` collects them too
(kpiscore registers a pytest plugin), one test per case. The format is described in full in
``docs/testing.md``.

>>> cases = parse_cases('''
... policy = "university-kpi-example"
... period = "2026-Q1"
... [[case]]
... name = "one absence"
... measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }
... events = [{ kind = "training_absence", on = 2026-01-06 }]
... expect = { total = 98, criteria = { training = 13 } }
... ''')
>>> result = cases[0].run()
>>> result.status, [(check.figure, check.actual) for check in result.checks]
('pass', [('total', '98.00'), ('criterion training', '13.00')])
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from kpiscore.engine.exact import score
from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    PolicyError,
)
from kpiscore.io.load import MAX_POLICY_BYTES, parse_toml_document, read_text_file
from kpiscore.model.facts import Event, Measure
from kpiscore.model.numbers import format_points, to_decimal
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard

__all__ = [
    "CASE_SUFFIX",
    "Case",
    "CaseResult",
    "Check",
    "Expected",
    "RunReport",
    "bundled_cases",
    "find_case_files",
    "load_cases",
    "parse_cases",
    "run_cases",
]

#: The ending of a case file's name; folders are searched for files with it.
CASE_SUFFIX: Final = ".kpi.toml"
#: The subject of a case that does not name one.
DEFAULT_SUBJECT: Final = "nv001"

_FILE_KEYS: Final = ("case", "description", "overlay", "period", "policy", "subject")
_CASE_KEYS: Final = (
    "description",
    "events",
    "expect",
    "measures",
    "name",
    "overlay",
    "period",
    "policy",
    "subject",
    "work",
)
_EVENT_KEYS: Final = ("excused", "kind", "note", "on", "quantity", "ref")
_WORK_KEYS: Final = (
    "approved_on",
    "approver",
    "assigned_on",
    "completed_on",
    "delays",
    "due_on",
    "id",
    "major_errors",
    "objective_cause",
    "submitted_on",
    "units",
)
_EXPECT_KEYS: Final = (
    "carried",
    "categories",
    "criteria",
    "error",
    "rating",
    "score_rating",
    "total",
)
_WORK_CRITERIA: Final = ("quantity", "quality", "on_time")

Status = Literal["pass", "fail", "error"]


# --------------------------------------------------------------------------- the model


@attrs.frozen(kw_only=True)
class Check:
    """One expected figure against the actual one.

    Attributes:
        figure: What was checked: ``"total"``, ``"rating"``, ``"score_rating"``,
            ``"carried"``, ``"category <id>"``, ``"criterion <id>"`` or ``"error"``.
        expected: The expected figure, as written in the case.
        actual: The figure the policy gave (``"—"`` for no rating, no error).
        passed: Whether they are equal (numbers compare as numbers: ``7`` equals ``7.00``).
    """

    figure: str
    expected: str
    actual: str
    passed: bool


@attrs.frozen(kw_only=True)
class Expected:
    """The figures a case expects; ``None`` (or an empty mapping) means "not checked".

    Attributes:
        total: The reported total.
        rating: The final rating (after caps).
        score_rating: The rating the total alone earns (before caps).
        carried: The deduction carried past criterion floors into the total.
        categories: Category id → reported points.
        criteria: Criterion id → reported points.
        error: Scoring must fail with a kpiscore error whose message contains this text;
            no figure may be expected alongside.
    """

    total: Decimal | None = None
    rating: str | None = None
    score_rating: str | None = None
    carried: Decimal | None = None
    categories: Mapping[str, Decimal] = attrs.field(factory=dict)
    criteria: Mapping[str, Decimal] = attrs.field(factory=dict)
    error: str | None = None

    def check(self, card: Scorecard) -> tuple[Check, ...]:
        """Every expected figure against ``card``, in a fixed order."""
        checks: list[Check] = []
        for figure, expected, actual in (
            ("total", self.total, card.total),
            ("carried", self.carried, card.carried),
        ):
            if expected is not None:
                checks.append(_number_check(figure, expected, actual))
        for figure, rating, got in (
            ("rating", self.rating, card.rating),
            ("score_rating", self.score_rating, card.score_rating),
        ):
            if rating is not None:
                checks.append(
                    Check(figure=figure, expected=rating, actual=got or "—", passed=rating == got)
                )
        for category_id, points in self.categories.items():
            checks.append(
                _number_check(f"category {category_id}", points, card.category(category_id).points)
            )
        for criterion_id, points in self.criteria.items():
            checks.append(
                _number_check(
                    f"criterion {criterion_id}", points, card.criterion(criterion_id).points
                )
            )
        return tuple(checks)


def _number_check(figure: str, expected: Decimal, actual: Decimal) -> Check:
    return Check(
        figure=figure,
        expected=format_points(expected),
        actual=format_points(actual),
        passed=expected == actual,
    )


@attrs.frozen(kw_only=True, eq=False)
class Case:
    """One case: a policy, one person's facts for one period, and the figures expected.

    Attributes:
        name: The case's name, unique in its file.
        file: The file it was read from (for messages), or ``"<cases>"``.
        number: Its position in the file, from 1.
        policy: The policy scored, overlay applied.
        policy_source: The policy as the file names it (an id or a path).
        overlay: The changes applied to the policy, path → value (empty for none).
        period: The period scored.
        subject: The person's id (``"nv001"`` when the case names none).
        events: The person's events.
        measures: The person's measures, those from work items included.
        expected: The figures expected.
        description: Free text from the case.
    """

    name: str
    file: str
    number: int
    policy: Policy
    policy_source: str
    overlay: Mapping[str, object]
    period: Period
    subject: str
    events: tuple[Event, ...]
    measures: tuple[Measure, ...]
    expected: Expected
    description: str | None = None

    @property
    def where(self) -> str:
        """``"<file>: case <n> '<name>'"``, for messages."""
        return f"{self.file}: case {self.number} {self.name!r}"

    def run(self) -> CaseResult:
        """Score the case and check every expected figure.

        A kpiscore error while scoring makes the case an ``"error"`` (or a pass, when the case
        expects that error); any other exception propagates.
        """
        try:
            card = score(self.policy, self.period, self.subject, self.events, self.measures)
        except KpiscoreError as error:
            if self.expected.error is not None:
                passed = self.expected.error in str(error)
                check = Check(
                    figure="error", expected=self.expected.error, actual=str(error), passed=passed
                )
                return CaseResult(
                    case=self, status="pass" if passed else "fail", checks=(check,), error=error
                )
            return CaseResult(case=self, status="error", checks=(), error=error)
        if self.expected.error is not None:
            check = Check(figure="error", expected=self.expected.error, actual="—", passed=False)
            return CaseResult(case=self, status="fail", checks=(check,), scorecard=card)
        checks = self.expected.check(card)
        status: Status = "pass" if all(check.passed for check in checks) else "fail"
        return CaseResult(case=self, status=status, checks=checks, scorecard=card)


@attrs.frozen(kw_only=True, eq=False)
class CaseResult:
    """What running a case gave.

    Attributes:
        case: The case.
        status: ``"pass"``, ``"fail"`` (a figure differs) or ``"error"`` (scoring failed).
        checks: Every figure checked.
        scorecard: The scorecard, unless scoring failed.
        error: The error scoring raised, if it did.
    """

    case: Case
    status: Status
    checks: tuple[Check, ...]
    scorecard: Scorecard | None = None
    error: KpiscoreError | None = None

    @property
    def passed(self) -> bool:
        """Whether the case passed."""
        return self.status == "pass"

    def report(self, lang: Literal["vi", "en"] = "en") -> str:
        """The case's outcome for a person: every figure expected and actual, then the ledger.

        >>> [case] = parse_cases('''
        ... policy = "university-kpi-example"
        ... [[case]]
        ... name = "training"
        ... period = "2026-01"
        ... measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }
        ... events = [{ kind = "training_absence", on = 2026-01-06 }]
        ... expect = { total = 99, rating = "HTXS" }
        ... ''')
        >>> print("\\n".join(case.run().report().splitlines()[:7]))
        FAIL <cases>: case 1 'training'
          policy university-kpi-example v1 · period 2026-01 · subject nv001
          figure  expected  actual  result
          total         99   98.00  FAIL
          rating      HTXS    HTXS  ok
        <BLANKLINE>
        Ledger:
        """
        from kpiscore.cli.terminal import plain_table

        case = self.case
        lines = [
            f"{self.status.upper()} {case.where}",
            (
                f"  policy {case.policy.id} v{case.policy.version} · period {case.period.label}"
                f" · subject {case.subject}"
            ),
        ]
        if case.overlay:
            lines.append("  overlay: " + "; ".join(f"{k} = {v}" for k, v in case.overlay.items()))
        if self.checks:
            rows = [
                [check.figure, check.expected, check.actual, "ok" if check.passed else "FAIL"]
                for check in self.checks
                if check.figure != "error"
            ]
            if rows:
                table = plain_table(
                    ["figure", "expected", "actual", "result"],
                    rows,
                    ["left", "right", "right", "left"],
                )
                lines.extend("  " + line for line in table.splitlines())
        if self.error is not None and self.status != "pass":
            lines.append(f"  error: {self.error}")
        if self.expected_error_check is not None and not self.passed:
            lines.append(f"  expected an error containing {self.expected_error_check.expected!r}")
        if self.scorecard is not None and not self.passed:
            lines.append("")
            lines.append("Ledger:")
            lines.extend(f"  {line}".rstrip() for line in self.scorecard.explain(lang).splitlines())
        return "\n".join(lines) + "\n"

    @property
    def expected_error_check(self) -> Check | None:
        """The check of an expected error, if the case expects one."""
        return next((check for check in self.checks if check.figure == "error"), None)


@attrs.frozen(kw_only=True, eq=False)
class RunReport:
    """The outcome of running case files: every case's result and every file that failed to load.

    Attributes:
        results: The results, file by file, case by case.
        problems: The files that could not be read: file name → the error (which lists every
            problem of the file).
    """

    results: tuple[CaseResult, ...]
    problems: Mapping[str, FileFormatError] = attrs.field(factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every case passed and every file was read."""
        return not self.problems and all(result.passed for result in self.results)

    @property
    def exit_status(self) -> int:
        """The command line's exit status: 0 every case passed, 1 a case failed (or its scoring
        raised), 2 the run could not start (a case file cannot be read, so its cases never ran).

        >>> RunReport(results=()).exit_status
        0
        """
        if self.problems:
            return 2
        return 0 if self.passed else 1

    def counts(self) -> dict[str, int]:
        """How many cases passed, failed and errored, and how many files could not be read."""
        return {
            "passed": sum(r.status == "pass" for r in self.results),
            "failed": sum(r.status == "fail" for r in self.results),
            "errors": sum(r.status == "error" for r in self.results),
            "unreadable files": len(self.problems),
        }

    def summary(self) -> str:
        """``"12 passed, 1 failed"`` (errors and unreadable files only when there are some)."""
        counts = self.counts()
        parts = [f"{counts['passed']} passed", f"{counts['failed']} failed"]
        if counts["errors"]:
            parts.append(f"{counts['errors']} errors")
        if counts["unreadable files"]:
            parts.append(f"{counts['unreadable files']} unreadable files")
        return ", ".join(parts)

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headers and rows of the pass/fail table: file, case, result."""
        rows = [[r.case.file, r.case.name, r.status.upper()] for r in self.results]
        rows += [[file, "(the file cannot be read)", "ERROR"] for file in self.problems]
        return ["file", "case", "result"], rows


# --------------------------------------------------------------------------- reading


class _Reader:
    """Reads the tree of one case file, collecting every problem with its place."""

    def __init__(self, name: str, folder: Path | None) -> None:
        self.name = name
        self.folder = folder
        self.problems: list[FileFormatError] = []
        self._policies: dict[str, Policy] = {}

    def fail(self, where: str, message: str) -> None:
        where = where.removesuffix(":")
        place = f"{self.name}: {where}: " if where else f"{self.name}: "
        self.problems.append(FileFormatError(place + message, path=f"{self.name}:{where}"))

    def keys(self, table: Mapping[str, Any], where: str, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                self.fail(
                    _join(where, key), f"unknown key {key!r}; expected one of {list(allowed)!r}"
                )

    def text(self, value: object, where: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.fail(where, f"expected text (got {value!r})")
        return None

    def number(self, value: object, where: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
            self.fail(where, f"expected a number (got {value!r})")
            return None
        try:
            return to_decimal(value, owner="value", field="value")
        except InputError:
            self.fail(where, f"expected a number (got {value!r})")
            return None

    def date(self, value: object, where: str) -> _dt.date | None:
        if isinstance(value, _dt.datetime):
            self.fail(
                where, f"expected a date such as 2026-01-15, not a date and time (got {value})"
            )
            return None
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, f"expected a date such as 2026-01-15 (got {value!r})")
        return None

    def table(self, value: object, where: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.fail(where, f"expected a table (got {value!r})")
        return None

    def policy(self, source: object, where: str) -> Policy | None:
        from kpiscore import policies
        from kpiscore.io.load import load_policy

        text = self.text(source, where)
        if text is None:
            return None
        if text in self._policies:
            return self._policies[text]
        looks_like_path = text.lower().endswith((".toml", ".json")) or "/" in text
        try:
            if not looks_like_path:
                if text not in policies.available():
                    self.fail(
                        where,
                        f"no bundled policy {text!r}; expected one of"
                        f" {list(policies.available())!r}, or the path of a policy file"
                        " relative to the case file",
                    )
                    return None
                policy = policies.load(text)
            else:
                path = Path(text)
                if not path.is_absolute() and self.folder is not None:
                    path = self.folder / path
                policy = load_policy(path)
        except KpiscoreError as error:
            self.fail(where, str(error))
            return None
        self._policies[text] = policy
        return policy

    def overlay(self, value: object, where: str) -> dict[str, object] | None:
        from kpiscore.cycle.variants import _flatten, load_overlay

        if isinstance(value, str):
            path = Path(value)
            if not path.is_absolute() and self.folder is not None:
                path = self.folder / path
            try:
                return load_overlay(path)
            except KpiscoreError as error:
                self.fail(where, str(error))
                return None
        table = self.table(value, where)
        return None if table is None else _flatten(table)

    def period(self, value: object, where: str) -> Period | None:
        text = self.text(value, where)
        if text is None:
            return None
        try:
            return Period.parse(text)
        except KpiscoreError as error:
            self.fail(where, str(error).removeprefix("period: "))
            return None

    def events(self, value: object, where: str, subject: str) -> list[Event]:
        if not isinstance(value, list):
            self.fail(where, f"expected a list of events (got {value!r})")
            return []
        events = []
        for index, item in enumerate(value, 1):
            place = f"{where}[{index}]"
            table = self.table(item, place)
            if table is None:
                continue
            self.keys(table, place, _EVENT_KEYS)
            fields: dict[str, Any] = {"subject": subject}
            for key in ("kind", "ref", "note"):
                if key in table:
                    fields[key] = self.text(table[key], _join(place, key))
            if "on" in table:
                fields["on"] = self.date(table["on"], _join(place, "on"))
            if "quantity" in table:
                fields["quantity"] = self.number(table["quantity"], _join(place, "quantity"))
            if "excused" in table:
                fields["excused"] = self.flag(table["excused"], _join(place, "excused"))
            for key in ("kind", "on"):
                if key not in table:
                    self.fail(_join(place, key), "required, but missing")
            if any(v is None for k, v in fields.items()) or not {"kind", "on"} <= set(table):
                continue
            event = self.build(Event, fields, place)
            if event is not None:
                events.append(event)
        return events

    def flag(self, value: object, where: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail(where, f"expected true or false (got {value!r})")
        return None

    def build(self, cls: Any, fields: dict[str, Any], where: str) -> Any:
        missing = [
            field.alias
            for field in attrs.fields(cls)
            if field.default is attrs.NOTHING and field.init and field.alias not in fields
        ]
        if missing:
            self.fail(
                where,
                f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            )
            return None
        try:
            return cls(**fields)
        except KpiscoreError as error:
            self.fail(where, str(error))
            return None

    def measures(self, value: object, where: str, subject: str) -> list[Measure]:
        table = self.table(value, where)
        if table is None:
            return []
        measures = []
        for criterion, raw in table.items():
            spot = _join(where, criterion)
            number = self.number(raw, spot)
            if number is not None:
                fields = {"subject": subject, "criterion": criterion, "value": number}
                measure = self.build(Measure, fields, spot)
                if measure is not None:
                    measures.append(measure)
        return measures

    def work(self, value: object, where: str, subject: str, period: Period) -> list[Measure]:
        from kpiscore.cycle.work import WorkItem, task_ratios

        if not isinstance(value, list):
            self.fail(where, f"expected a list of work items (got {value!r})")
            return []
        items = []
        for index, item in enumerate(value, 1):
            place = f"{where}[{index}]"
            table = self.table(item, place)
            if table is None:
                continue
            self.keys(table, place, _WORK_KEYS)
            fields: dict[str, Any] = {"subject": subject}
            ok = True
            for key, raw in table.items():
                if key not in _WORK_KEYS:
                    continue
                spot = _join(place, key)
                if key.endswith("_on"):
                    fields[key] = self.date(raw, spot)
                elif key in ("id", "approver"):
                    fields[key] = self.text(raw, spot)
                elif key == "units":
                    fields[key] = self.number(raw, spot)
                elif key == "objective_cause":
                    fields[key] = self.flag(raw, spot)
                elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
                    fields[key] = raw
                else:
                    self.fail(spot, f"expected a whole number >= 0 (got {raw!r})")
                    ok = False
                ok = ok and fields.get(key) is not None
            if not ok:
                continue
            built = self.build(WorkItem, fields, place)
            if built is not None:
                items.append(built)
        if not items:
            return []
        try:
            return list(task_ratios(items, period, subjects=[subject]))
        except KpiscoreError as error:
            self.fail(where, str(error))
            return []


def _join(where: str, key: object) -> str:
    # A case's label ends with a colon: "case 2 'name': expect.total".
    if where.endswith(":"):
        return f"{where} {key}"
    return f"{where}.{key}" if where else str(key)


def _expected(reader: _Reader, value: object, where: str, policy: Policy | None) -> Expected | None:
    table = reader.table(value, where)
    if table is None:
        return None
    reader.keys(table, where, _EXPECT_KEYS)
    if not any(key in table for key in _EXPECT_KEYS):
        reader.fail(where, f"expected at least one figure: one of {list(_EXPECT_KEYS)!r}")
        return None
    fields: dict[str, Any] = {}
    ok = True
    for key in ("total", "carried"):
        if key in table:
            fields[key] = reader.number(table[key], _join(where, key))
            ok = ok and fields[key] is not None
    bands = [] if policy is None else [band.id for band in policy.bands]
    for key in ("rating", "score_rating"):
        if key in table:
            rating = reader.text(table[key], _join(where, key))
            if rating is not None and policy is not None and rating not in bands:
                reader.fail(
                    _join(where, key),
                    f"no band {rating!r} in policy {policy.id!r}; expected one of {bands!r}",
                )
                rating = None
            fields[key] = rating
            ok = ok and rating is not None
    if "error" in table:
        fields["error"] = reader.text(table["error"], _join(where, "error"))
        ok = ok and fields["error"] is not None
        others = [key for key in table if key in _EXPECT_KEYS and key != "error"]
        if others:
            reader.fail(
                where,
                f"an expected error goes alone; remove {others!r} (a case that fails to score"
                " has no figures)",
            )
            ok = False
    for key, kind in (("categories", "category"), ("criteria", "criterion")):
        if key not in table:
            continue
        figures = reader.table(table[key], _join(where, key))
        if figures is None:
            ok = False
            continue
        known = _ids(policy, key)
        points: dict[str, Decimal] = {}
        for ident, raw in figures.items():
            spot = _join(_join(where, key), ident)
            if policy is not None and ident not in known:
                reader.fail(
                    spot, f"no {kind} {ident!r} in policy {policy.id!r}; expected one of {known!r}"
                )
                ok = False
                continue
            number = reader.number(raw, spot)
            if number is None:
                ok = False
                continue
            points[ident] = number
        fields[key] = points
    return Expected(**fields) if ok else None


def _ids(policy: Policy | None, key: str) -> list[str]:
    if policy is None:
        return []
    if key == "categories":
        return [category.id for category in policy.categories]
    return [criterion.id for category in policy.categories for criterion in category.criteria]


def _case(
    reader: _Reader, tree: Mapping[str, Any], defaults: Mapping[str, Any], number: int
) -> Case | None:
    before = len(reader.problems)
    raw_name = tree.get("name")
    label = f"case {number}" + (f" {raw_name!r}" if isinstance(raw_name, str) else "") + ":"
    reader.keys(tree, label, _CASE_KEYS)
    name = reader.text(raw_name, _join(label, "name")) if "name" in tree else None
    if "name" not in tree:
        reader.fail(_join(label, "name"), "required, but missing")

    def setting(key: str) -> tuple[object, str]:
        if key in tree:
            return tree[key], _join(label, key)
        return defaults.get(key), key

    source, policy_at = setting("policy")
    policy = None
    if source is None:
        reader.fail(_join(label, "policy"), "required (in the case or at the top of the file)")
    else:
        policy = reader.policy(source, policy_at)
    # The file's overlay first, then the case's: a path in both takes the case's value.
    changes: dict[str, object] = {}
    for raw, place in (
        (defaults.get("overlay"), "overlay"),
        (tree.get("overlay"), _join(label, "overlay")),
    ):
        if raw is not None:
            changes.update(reader.overlay(raw, place) or {})
    if policy is not None and changes:
        from kpiscore.cycle.variants import overlay

        try:
            policy = overlay(policy, changes)
        except PolicyError as error:
            reader.fail(_join(label, "overlay"), str(error))
            policy = None
    raw_period, period_at = setting("period")
    period = None
    if raw_period is None:
        reader.fail(_join(label, "period"), "required (in the case or at the top of the file)")
    else:
        period = reader.period(raw_period, period_at)
    raw_subject, subject_at = setting("subject")
    subject = DEFAULT_SUBJECT
    if raw_subject is not None:
        subject = reader.text(raw_subject, subject_at) or DEFAULT_SUBJECT
    events = (
        reader.events(tree["events"], _join(label, "events"), subject) if "events" in tree else []
    )
    measures = (
        reader.measures(tree["measures"], _join(label, "measures"), subject)
        if "measures" in tree
        else []
    )
    if "work" in tree and period is not None:
        from_work = reader.work(tree["work"], _join(label, "work"), subject, period)
        given = {measure.criterion for measure in measures}
        for measure in from_work:
            if measure.criterion in given:
                reader.fail(
                    _join(_join(label, "measures"), measure.criterion),
                    "given twice: in measures and from the work items; keep one",
                )
        measures += from_work
    expected = None
    if "expect" not in tree:
        reader.fail(_join(label, "expect"), "required, but missing: the figures the case expects")
    else:
        expected = _expected(reader, tree["expect"], _join(label, "expect"), policy)
    description = tree.get("description")
    if description is not None and not isinstance(description, str):
        reader.fail(_join(label, "description"), f"expected text (got {description!r})")
    if len(reader.problems) > before:
        return None
    if name is None or policy is None or period is None or expected is None:
        return None  # pragma: no cover - each is reported as a problem above
    return Case(
        name=name,
        file=reader.name,
        number=number,
        policy=policy,
        policy_source=str(source),
        overlay=changes,
        period=period,
        subject=subject,
        events=tuple(events),
        measures=tuple(measures),
        expected=expected,
        description=description if isinstance(description, str) else None,
    )


def parse_cases(
    text: str, *, name: str = "<cases>", folder: str | os.PathLike[str] | None = None
) -> tuple[Case, ...]:
    """Read the cases of a case file from its text.

    Args:
        text: The TOML text.
        name: The file's name, for messages.
        folder: Where a policy or overlay file named by a relative path is looked for
            (by default the current directory).

    Returns:
        The cases, in file order.

    Raises:
        FileFormatError: the text is not valid TOML, or has a problem (an unknown key, a
            missing one, a value of the wrong kind, an unknown criterion or band…); the message
            names the file and the place (``case 2 'name': expect.criteria.training``).
            :class:`~kpiscore.FileFormatErrorGroup` lists every problem of the file.
    """
    if not isinstance(text, str):
        raise FileFormatError(f"{name}: expected the text of a case file (got {text!r})", path=name)
    # A case file is untrusted input: the policy files' size and nesting limits apply.
    tree = parse_toml_document(text, name)
    reader = _Reader(name, Path(folder) if folder is not None else None)
    reader.keys(tree, "", _FILE_KEYS)
    for key in ("description",):
        if key in tree and not isinstance(tree[key], str):
            reader.fail(key, f"expected text (got {tree[key]!r})")
    raw_cases = tree.get("case")
    cases: list[Case] = []
    if not isinstance(raw_cases, list) or not raw_cases:
        reader.fail("case", "expected at least one [[case]] table (got none)")
    else:
        names: dict[str, int] = {}
        for number, raw in enumerate(raw_cases, 1):
            if not isinstance(raw, Mapping):
                reader.fail(f"case {number}", f"expected a table (got {raw!r})")
                continue
            found = _case(reader, raw, tree, number)
            if found is None:
                continue
            if found.name in names:
                reader.fail(
                    f"case {number} {found.name!r}",
                    f"the name is used by case {names[found.name]} too; names must be unique",
                )
                continue
            names[found.name] = number
            cases.append(found)
    if len(reader.problems) == 1:
        raise reader.problems[0]
    if reader.problems:
        raise FileFormatErrorGroup(f"{name}: {len(reader.problems)} problems", reader.problems)
    return tuple(cases)


def load_cases(path: str | os.PathLike[str], *, name: str | None = None) -> tuple[Case, ...]:
    """Read a case file (see :func:`parse_cases`); relative policy paths are read next to it.

    Args:
        path: The file.
        name: What messages and reports call the file (by default ``path`` as given).

    Raises:
        FileFormatError: the file cannot be read or has problems (see :func:`parse_cases`).
    """
    file = Path(path)
    name = str(file) if name is None else name
    text = read_text_file(file, name, limit=MAX_POLICY_BYTES)
    return parse_cases(text, name=name, folder=file.parent)


def find_case_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The case files named: files as given, folders searched for ``*.kpi.toml`` (sorted).

    Raises:
        FileFormatError: a path that does not exist.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*" + CASE_SUFFIX) if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileFormatError(f"{path}: no such file or folder", path=str(path))
    return tuple(dict.fromkeys(found))


def run_cases(paths: Iterable[str | os.PathLike[str]]) -> RunReport:
    """Run every case of the files and folders named (see :func:`find_case_files`).

    A file that cannot be read is reported in ``problems``; its cases are not run, the others
    are.

    Raises:
        FileFormatError: a path that does not exist.
    """
    results: list[CaseResult] = []
    problems: dict[str, FileFormatError] = {}
    for file in find_case_files(paths):
        try:
            cases = load_cases(file)
        except FileFormatError as error:
            problems[str(file)] = error
            continue
        results.extend(case.run() for case in cases)
    return RunReport(results=tuple(results), problems=problems)


def bundled_cases() -> tuple[Case, ...]:
    """The cases shipped with the bundled policies (``kpiscore/policies/cases/``).

    >>> all(case.run().passed for case in bundled_cases())
    True
    """
    folder = resources.files("kpiscore.policies").joinpath("cases")
    cases: list[Case] = []
    for entry in sorted(_entries(folder), key=lambda e: e.name):
        cases.extend(
            parse_cases(
                entry.read_text(encoding="utf-8"), name=f"kpiscore/policies/cases/{entry.name}"
            )
        )
    return tuple(cases)


def _entries(folder: Any) -> Iterator[Any]:
    for entry in folder.iterdir():
        if entry.name.endswith(CASE_SUFFIX) and entry.is_file():
            yield entry
