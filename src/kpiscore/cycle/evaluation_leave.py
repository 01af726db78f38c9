"""Leave in an evaluation: which sub-periods a person worked, and the year's rating under the law.

- Decree 335/2025/ND-CP Art. 21 (the default rule, ``"nd335-2025"``): the year is the mean of
  the results of the periods actually worked, whatever the reason for the absence (sick leave,
  maternity leave, study, other). A sub-period wholly on leave is not scored; one partly on
  leave is (a local choice: the decree is silent on part periods).
- The older rule (``"nd90-2020"``: Decree 90/2020/ND-CP as amended by Decree 48/2023/ND-CP),
  for a calendar year: under 6 months worked, not counting maternity leave as absence, means
  no rating; 3 to under 6 months of leave other than maternity means at most HT.

Leave is counted exactly, in months: each calendar month contributes the share of its days on
leave (15 days of a 30-day month is half a month).

>>> from datetime import date
>>> from fractions import Fraction
>>> leave = [Leave(subject="nv07", start=date(2026, 5, 1), end=date(2026, 10, 31),
...                reason="maternity")]
>>> leave_months(leave, Period.year(2026)), on_leave_throughout(leave, Period.quarter(2026, 3))
(Fraction(6, 1), True)
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

import attrs

from kpiscore.cycle.evaluation_csv import cell_date, raise_all, read_csv_table
from kpiscore.cycle.rollup import Rollup
from kpiscore.exceptions import FileFormatError, InputError
from kpiscore.model.numbers import quantize_fraction
from kpiscore.model.period import Period
from kpiscore.results.scorecard import Adjustment

__all__ = [
    "LEAVE_REASONS",
    "LEAVE_RULES",
    "Leave",
    "LeaveReason",
    "LeaveRule",
    "apply_leave_rule",
    "leave_days",
    "leave_months",
    "on_leave_throughout",
    "read_leave",
]

LeaveReason = Literal["maternity", "sick", "study", "other"]
LeaveRule = Literal["nd335-2025", "nd90-2020"]

#: The reasons a leave row may give.
LEAVE_REASONS: Final[tuple[str, ...]] = ("maternity", "sick", "study", "other")
#: The leave rules an evaluation may follow (the first is the default).
LEAVE_RULES: Final[tuple[str, ...]] = ("nd335-2025", "nd90-2020")

ND335_REFERENCE: Final = (
    "Decree 335/2025/ND-CP Art. 21: the year is ranked on the periods actually worked"
)
ND90_REFERENCE: Final = (
    "Decree 90/2020/ND-CP as amended by Decree 48/2023/ND-CP: under 6 months worked in the year,"
    " not ranked (maternity leave excepted); 3 to under 6 months of leave, at most HT"
)
#: The same reference in Vietnamese (cited by the Vietnamese explanations and forms).
ND90_REFERENCE_VI: Final = (
    "Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP: làm việc dưới 6 tháng trong năm"
    " thì không xếp loại (trừ nghỉ thai sản); nghỉ từ 3 đến dưới 6 tháng thì xếp loại tối đa HT"
)
_ONE_DAY: Final = _dt.timedelta(days=1)


@attrs.frozen(kw_only=True)
class Leave:
    """A leave of absence, inclusive on both ends.

    Raises:
        InputError: an empty subject, ``end`` before ``start``, or an unknown reason.

    >>> from datetime import date
    >>> Leave(subject="nv07", start=date(2026, 5, 1), end=date(2026, 10, 31),
    ...       reason="maternity").days
    184
    """

    subject: str
    start: _dt.date
    end: _dt.date
    reason: LeaveReason

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.subject, str) or not self.subject.strip():
            raise InputError(f"leave: subject must be a person id (got {self.subject!r})")
        for field in ("start", "end"):
            value = getattr(self, field)
            if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
                raise InputError(
                    f"leave of {self.subject!r}: {field} must be a date (got {value!r})"
                )
        if self.end < self.start:
            raise InputError(
                f"leave of {self.subject!r}: end ({self.end.isoformat()}) is before start"
                f" ({self.start.isoformat()})"
            )
        if self.reason not in LEAVE_REASONS:
            raise InputError(
                f"leave of {self.subject!r}: reason must be one of {list(LEAVE_REASONS)!r}"
                f" (got {self.reason!r})"
            )

    @property
    def days(self) -> int:
        """The calendar days of the leave."""
        return (self.end - self.start).days + 1

    def days_in(self, period: Period) -> int:
        """The calendar days of the leave inside ``period``."""
        start, end = max(self.start, period.start), min(self.end, period.end)
        return max((end - start).days + 1, 0)


def check_leave(leaves: Iterable[Leave]) -> tuple[Leave, ...]:
    """The leave rows sorted by subject and start; overlapping rows of one person are an error.

    Raises:
        InputError: a row that is not a :class:`Leave`, or two rows of a person that overlap.
    """
    checked = list(leaves)
    for position, leave in enumerate(checked):
        if not isinstance(leave, Leave):
            raise InputError(
                f"leave[{position}] must be a Leave (got {type(leave).__name__} {leave!r})"
            )
    ordered = sorted(checked, key=lambda leave: (leave.subject, leave.start, leave.end))
    for earlier, later in itertools.pairwise(ordered):
        if earlier.subject == later.subject and later.start <= earlier.end:
            raise InputError(
                f"leave of {later.subject!r}: {earlier.start.isoformat()}.."
                f"{earlier.end.isoformat()} and {later.start.isoformat()}.."
                f"{later.end.isoformat()} overlap; expected one row per day of leave"
            )
    return tuple(ordered)


def leave_days(leaves: Iterable[Leave], period: Period) -> int:
    """The calendar days of ``period`` on leave (rows must not overlap)."""
    return sum(leave.days_in(period) for leave in leaves)


def leave_months(
    leaves: Iterable[Leave], period: Period, *, reasons: Sequence[str] = LEAVE_REASONS
) -> Fraction:
    """The months of ``period`` on leave for the given reasons, exactly: each calendar month
    counts the share of its days on leave."""
    chosen = [leave for leave in leaves if leave.reason in reasons]
    total = Fraction(0)
    for month in period.months():
        days = sum(leave.days_in(month) for leave in chosen)
        if days:
            total += Fraction(days, (month.end - month.start).days + 1)
    return total


def on_leave_throughout(leaves: Iterable[Leave], period: Period) -> bool:
    """Whether every day of ``period`` is on leave (the sub-period is then not scored)."""
    return leave_days(leaves, period) == period.days


def _months_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    shown = quantize_fraction(value, Decimal("0.01"), "ROUND_HALF_UP")
    return f"≈{shown.normalize():f}"


def apply_leave_rule(
    result: Rollup, leaves: Sequence[Leave], rule: LeaveRule = "nd335-2025"
) -> Rollup:
    """The roll-up with the time worked counted from the leave, and the leave rule applied.

    With leave in the period, ``worked``/``possible`` count calendar days (the period's days
    less the days on leave). Under ``"nd90-2020"`` (a calendar year only) a person with under 6
    months worked, maternity leave counted as worked, is left without a rating (``unrated``
    gives the reason), and one with 3 to under 6 months of other leave is rated at most HT,
    with an :class:`~kpiscore.Adjustment` (``kind="leave"``). Under ``"nd335-2025"`` the rating
    is the one of the periods worked.

    Raises:
        InputError: an unknown rule, ``"nd90-2020"`` for a period that is not a calendar year,
            or a policy without the band HT.
    """
    if rule not in LEAVE_RULES:
        raise InputError(f"leave_rule must be one of {list(LEAVE_RULES)!r} (got {rule!r})")
    period = result.period
    mine = [leave for leave in leaves if leave.subject == result.subject]
    days = leave_days(mine, period)
    if not days:
        return result
    result = attrs.evolve(
        result, worked=period.days - days, possible=period.days, worked_unit="days"
    )
    if rule == "nd335-2025":
        return result
    if period != Period.year(period.start.year):
        raise InputError(
            f"leave_rule 'nd90-2020' ranks a calendar year; the period {period.label} is not one"
        )
    other = leave_months(mine, period, reasons=("sick", "study", "other"))
    worked = 12 - other
    if worked < 6:
        return attrs.evolve(
            result,
            rating=None,
            unrated=(
                f"worked {_months_text(worked)} of 12 months (leave other than maternity:"
                f" {_months_text(other)} months), under 6: not rated ({ND90_REFERENCE})"
            ),
        )
    if other < 3 or result.rating is None:
        return result
    order = [band.id for band in sorted(result.bands, key=lambda b: b.min_points, reverse=True)]
    if "HT" not in order:
        raise InputError(
            f"leave_rule 'nd90-2020' caps at HT, which is not a band of policy"
            f" {result.policy_id!r} (bands {order!r})"
        )
    if order.index(result.rating) >= order.index("HT"):
        return result
    adjustment = Adjustment(
        kind="leave",
        from_rating=result.rating,
        to_rating="HT",
        reason=(
            f"{_months_text(other)} months of leave other than maternity (3 to under 6): at most HT"
        ),
        reason_vi=(
            f"nghỉ {_months_text(other)} tháng (không phải nghỉ thai sản, từ 3 đến dưới 6"
            " tháng): xếp loại tối đa HT"
        ),
        reference=ND90_REFERENCE,
        reference_vi=ND90_REFERENCE_VI,
    )
    return attrs.evolve(result, rating="HT", adjustments=(*result.adjustments, adjustment))


def read_leave(source: str | os.PathLike[str]) -> tuple[Leave, ...]:
    """Read a leave file: CSV with ``subject``, ``start``, ``end``, ``reason`` (one of
    maternity, sick, study, other); dates ``DD/MM/YYYY`` or ``YYYY-MM-DD``.

    Raises:
        FileFormatError: a bad cell or row (every one reported, with file, line and column),
            or two overlapping rows of one person.
    """
    columns = ("subject", "start", "end", "reason")
    _, rows = read_csv_table(source, required=columns, what="leave")
    problems: list[FileFormatError] = []
    leaves: list[Leave] = []
    for row in rows:
        try:
            start, end = cell_date(row, "start"), cell_date(row, "end")
            reason = row.cells["reason"] or ""
            if reason not in LEAVE_REASONS:
                raise row.problem(
                    "reason", f"expected one of {list(LEAVE_REASONS)!r} (got {reason!r})"
                )
            if end < start:
                raise row.problem("end", f"{end.isoformat()} is before start ({start.isoformat()})")
            subject = row.cells["subject"] or ""
            leaves.append(Leave(subject=subject, start=start, end=end, reason=reason))  # type: ignore[arg-type]
        except FileFormatError as problem:
            problems.append(problem)
    raise_all(problems, str(source))
    try:
        return check_leave(leaves)
    except InputError as error:
        raise FileFormatError(f"{source}: {error}", path=str(source)) from None
