"""What a case file describes and what running it gives: checks, cases, results, run reports."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

import attrs

from kpiscore.engine.exact import score
from kpiscore.exceptions import (
    FileFormatError,
    KpiscoreError,
)
from kpiscore.model.facts import Event, Measure
from kpiscore.model.numbers import format_points
from kpiscore.model.period import Period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import Scorecard

__all__ = ["Case", "CaseResult", "Check", "Expected", "RunReport"]

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

        >>> from kpiscore.testing import parse_cases
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
