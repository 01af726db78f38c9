"""Payout for a whole table of results: salaries in, one row per person out."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import is_
from typing import Any, Final, Protocol, cast, runtime_checkable

import attrs

from kpiscore.cycle.payout._table import PayoutTable
from kpiscore.cycle.payout._whole import amounts_whole
from kpiscore.exceptions import InputError, PeriodError, UnknownSubjectError
from kpiscore.io import numbers_vi
from kpiscore.model.jsontypes import JsonObject, JsonScalar, JsonValue
from kpiscore.model.numbers import (
    EXACT,
    NumberLike,
    canonical,
    number,
    optional_number,
    to_decimal,
)
from kpiscore.model.period import Period
from kpiscore.model.rules import MAX_LISTED, PAYOUT_COLUMNS
from kpiscore.results.table import ResultTable, result_row

__all__ = [
    "PAYOUT_COLUMNS",
    "PayoutRows",
    "RatedColumns",
    "Salary",
    "format_money",
    "payout_amounts",
    "payout_rows",
]


@attrs.frozen(kw_only=True)
class Salary:
    """One person's monthly salary, and the days worked when the period was not worked in full.

    >>> Salary(amount=7_020_000).amount
    Decimal('7020000')
    """

    amount: Decimal = attrs.field(converter=number)
    days_worked: Decimal | None = attrs.field(default=None, converter=optional_number)
    days_in_period: Decimal | None = attrs.field(default=None, converter=optional_number)

    def __attrs_post_init__(self) -> None:
        for field in ("amount", "days_worked", "days_in_period"):
            value = getattr(self, field)
            if value is None:
                continue
            checked = to_decimal(value, owner="salary", field=field)
            if checked < 0:
                raise InputError(f"salary: {field} must be >= 0 (got {checked!r})")
        if (self.days_worked is None) != (self.days_in_period is None):
            raise InputError(
                "salary: days_worked and days_in_period go together"
                f" (got {self.days_worked!r} and {self.days_in_period!r})"
            )


@runtime_checkable
class RatedColumns(Protocol):
    """A table of rated results that :func:`payout_rows` reads by column, building no result.

    A :class:`~kpiscore.ScoreTable` is one (a columnar one from :func:`kpiscore.score_frame`
    answers from its integer columns); so is any table with these members, such as a roll-up
    table that keeps its figures in columns. The rows must hold the person's attributes (the
    common ``subject``, ``name``, ``unit``, ``group``, ``position`` columns) and, for a result
    that can be left unrated, an ``unrated`` column giving the reason.

    >>> from kpiscore import Category, Criterion, Period, Policy, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> isinstance(score_many(policy, Period.year(2026), ["a"]), RatedColumns)
    True
    """

    @property
    def period(self) -> Period:
        """The one period every result is for."""
        ...  # pragma: no cover - a protocol

    @property
    def subjects(self) -> Sequence[str]:
        """The subject ids, in the table's order."""
        ...  # pragma: no cover - a protocol

    def ratings(self) -> Sequence[str | None]:
        """Each person's final rating, in the order of :attr:`subjects`."""
        ...  # pragma: no cover - a protocol

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per person, in the order of :attr:`subjects`."""
        ...  # pragma: no cover - a protocol


class RatedResult(Protocol):
    """One rated result :func:`payout_rows` pays: a scorecard, a roll-up, anything alike (its
    ``person`` and ``total`` make the row; a ``period`` and an ``unrated`` reason are read
    when present)."""

    @property
    def subject(self) -> str:
        """The person's id."""
        ...  # pragma: no cover - a protocol

    @property
    def rating(self) -> str | None:
        """The final rating."""
        ...  # pragma: no cover - a protocol


_MONTHS_PER: Final = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_ONE_DAY: Final = _dt.timedelta(days=1)


def _months(table: PayoutTable, period: Period) -> int:
    """How many months a period pays, checked against what the table rates on."""
    pieces = period.months()
    whole = [p for p in pieces if p.start.day == 1 and (p.end + _ONE_DAY).day == 1]
    if len(whole) != len(pieces):
        raise PeriodError(
            f"payout table {table.id!r}: period {period.label} is not made of whole calendar"
            " months; pass months= explicitly"
        )
    if table.rated_per is not None:
        expected = _MONTHS_PER[table.rated_per]
        aligned = (period.start.month - 1) % expected == 0
        if len(pieces) != expected or not aligned:
            raise PeriodError(
                f"payout table {table.id!r} pays on a {table.rated_per}'s rating; period"
                f" {period.label} is not one calendar {table.rated_per} (score each"
                f" {table.rated_per}, or use PayoutTable.amount_for_months)"
            )
    return len(pieces)


def _salary(value: object, subject: str) -> Salary:
    if isinstance(value, Salary):
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise InputError(
            f"salaries: the salary of {subject!r} must be a number or a Salary"
            f" (got {type(value).__name__} {value!r})"
        )
    return Salary(amount=to_decimal(value, owner=f"salaries[{subject!r}]", field="salary"))


def format_money(value: Decimal | None) -> str:
    """A đồng figure with English thousands separators (``""`` for ``None``): the public
    face of :func:`kpiscore.io.numbers_vi.format_amount` with ``lang="en", unit=False``.

    >>> format_money(Decimal("3510000")), format_money(Decimal("468000.0")), format_money(None)
    ('3,510,000', '468,000', '')
    """
    return numbers_vi.format_amount(value, "en", unit=False)


def _text(value: JsonScalar) -> JsonScalar:
    return canonical(value) if isinstance(value, Decimal) else value


class PayoutRows(list[dict[str, Any]], ResultTable):
    """The rows of :func:`payout_rows`: a list of dicts (one per person) with every export.

    It is a ``list``, so ``rows[0]["payout"]``, ``len(rows)`` and ``rows == [...]`` work as
    before; it is also a :class:`~kpiscore.results.table.ResultTable`: ``to_csv(path)``,
    ``to_json(path)``, ``to_pandas()``, a notebook preview, plus :meth:`payouts_tree`,
    :meth:`total` and :meth:`summary_line` (what ``kpiscore score --payout`` prints).

    Attributes:
        table: The payout table paid from.
        results: The results the rows were built from (their JSON document, when they have
            one, heads :meth:`to_json`).
    """

    row_noun = "people paid"

    def __init__(
        self, rows: Iterable[dict[str, Any]], *, table: PayoutTable, results: object = None
    ) -> None:
        super().__init__(rows)
        self.table = table
        self.results = results

    def to_rows(self) -> list[dict[str, Any]]:
        """A copy of every row (exact values)."""
        return [dict(row) for row in self]

    def head_rows(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` rows."""
        return [dict(row) for row in self[:count]]

    def payouts_tree(self) -> list[JsonObject]:
        """Per person: ``subject`` and the payout columns, decimals as canonical strings."""
        return [
            {
                "subject": row["subject"],
                **{key: _text(row.get(key)) for key in PAYOUT_COLUMNS},
            }
            for row in self
        ]

    def json_tree(self) -> JsonObject:
        """The results' own JSON tree (when they have one) with a ``payouts`` list added."""
        tree_of = getattr(self.results, "json_tree", None)
        tree: JsonObject = dict(tree_of()) if callable(tree_of) else {"payout_table": self.table.id}
        tree["payouts"] = list[JsonValue](self.payouts_tree())
        return tree

    def total(self) -> Decimal:
        """The sum of every payout, exact."""
        total = Decimal(0)
        for row in self:
            total = EXACT.add(total, row["payout"])
        return total

    def months(self) -> int:
        """The months paid (0 for no rows)."""
        return int(self[0]["payout_months"]) if self else 0

    def summary_line(self) -> str:
        """One line: the total paid, the table and the months.

        ``additional income: 5,010,000 đồng in all · table danang-2026 · 1 month``
        """
        months = self.months()
        return (
            f"additional income: {format_money(self.total())} đồng in all · table"
            f" {self.table.id} · {months} month{'s' if months != 1 else ''}"
        )

    def html_head(self) -> str:
        """The table, the count and the total (for the preview)."""
        import html

        return html.escape(self.summary_line() + f" · {len(self)} {self.row_noun}")

    # A list compares by content; keep that (the base adds no identity).
    __hash__ = None  # type: ignore[assignment]


def payout_rows(
    results: RatedColumns | Iterable[RatedResult],
    table: PayoutTable | str,
    salaries: Mapping[str, NumberLike | Salary],
    *,
    months: int | None = None,
) -> PayoutRows:
    """One row per person: the result's row plus the salary and the additional income paid.

    This is what ``kpiscore score … --payout TABLE --salaries CSV`` prints. The amount is the
    table's monthly amount for the person's (final) rating × the months the period covers,
    prorated when the salary gives days worked, rounded once.

    A :class:`~kpiscore.ScoreTable` (or any :class:`RatedColumns` table) is read by column:
    its subjects, ratings and rows, no scorecard built (a table from
    :func:`kpiscore.score_frame` pays 200,000 people from its integer columns). Each distinct
    (rating, salary, days) is computed once, exactly, and shared.

    Args:
        results: A :class:`~kpiscore.ScoreTable` or another :class:`RatedColumns` table (its
            :meth:`~kpiscore.ScoreTable.to_rows` rows are extended), or any iterable of
            results with ``subject``, ``person``, ``total``, ``rating`` and ``period``
            (roll-up results).
        table: A :class:`PayoutTable`, or the id of a bundled one.
        salaries: Each subject's monthly salary (a number or a :class:`Salary`); everyone in
            ``results`` needs one, and a salary for someone not in ``results`` is an error.
        months: The months paid; by default the number of calendar months in the period, which
            must then match the table's ``rated_per``.

    Returns:
        :class:`PayoutRows` (a list of dicts with every table export) in the results' order,
        each ending with ``salary``, ``days_worked``, ``days_in_period``, ``payout_table``,
        ``payout_months`` and ``payout`` (exact decimals).

    Raises:
        UnknownSubjectError: a salary is missing, or names someone outside the results.
        PeriodError: the period is outside the table's validity or does not match ``rated_per``.
        InputError: as for :meth:`PayoutTable.amount`.

    >>> from kpiscore import Band, Category, Criterion, Measure, Policy, score_many
    >>> from kpiscore.payout import payout_rows
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=100, basis="assessed")])], bands=[
    ...     Band(id="HTXS", min_points=90, name="Xuất sắc"), Band(id="HTT", min_points=70,
    ...     name="Tốt"), Band(id="HT", min_points=50, name="Hoàn thành"),
    ...     Band(id="KHT", min_points=0, name="Không hoàn thành")])
    >>> scores = score_many(policy, "2026-03", ["a", "b"], measures=[
    ...     Measure(subject="a", criterion="x", value=95),
    ...     Measure(subject="b", criterion="x", value=75)])
    >>> [(row["rating"], row["payout"]) for row in payout_rows(
    ...     scores, "danang-2026", {"a": 7_020_000, "b": 4_000_000})]
    [('HTXS', Decimal('3510000')), ('HTT', Decimal('1500000'))]
    """
    run = _Run(results, table, salaries, months)
    table, paid_months, columns = run.table, run.months, run.columns
    subjects_in_order, ratings = run.subjects, run.ratings
    if columns is not None:
        rows = [dict(row) for row in columns.to_rows()]
    else:
        rows = _base_rows(results, run.items)
    if not subjects_in_order:
        return PayoutRows(rows, table=table, results=results)
    pay = _Pay(table, paid_months)
    for position, (subject, rating, row) in enumerate(
        zip(subjects_in_order, ratings, rows, strict=True)
    ):
        salary = pay.salary(salaries[subject], subject)
        if rating is None:
            raise run.unrated(position, row)
        row.update(
            {
                "salary": salary.amount,
                "days_worked": salary.days_worked,
                "days_in_period": salary.days_in_period,
                "payout_table": table.id,
                "payout_months": paid_months,
                "payout": pay.amount(rating, salary),
            }
        )
    return PayoutRows(rows, table=table, results=results)


class _Pay:
    """The amounts of one payout run, each distinct (rating, salary, days) computed once.

    An amount depends only on the numbers (never on how a salary was written), so people on
    the same salary step and rating share one exact computation; salaries given as whole
    numbers are read once per distinct value.
    """

    def __init__(self, table: PayoutTable, months: int) -> None:
        self.table = table
        self.months = months
        self._amounts: dict[tuple[str, Decimal, Decimal | None, Decimal | None], Decimal] = {}
        self._salaries: dict[int, Salary] = {}

    def salary(self, value: object, subject: str) -> Salary:
        if type(value) is int:  # exactly int (not bool): the same value reads the same
            known = self._salaries.get(value)
            if known is None:
                known = self._salaries[value] = _salary(value, subject)
            return known
        return _salary(value, subject)

    def amount(self, rating: str, salary: Salary) -> Decimal:
        key = (rating, salary.amount, salary.days_worked, salary.days_in_period)
        known = self._amounts.get(key)
        if known is None:
            known = self._amounts[key] = self.table.paid(rating, *key[1:], self.months)
        return known


def _base_rows(results: object, items: list[RatedResult]) -> list[dict[str, Any]]:
    to_rows = getattr(results, "to_rows", None)
    if callable(to_rows):
        rows: list[dict[str, Any]] = [dict(row) for row in to_rows()]
        if [row.get("subject") for row in rows] == [item.subject for item in items]:
            return rows
    rows = []
    for position, item in enumerate(items):
        for name in ("subject", "person", "total", "rating"):
            if not hasattr(item, name):
                raise InputError(
                    f"payout: results[{position}] ({type(item).__name__}) has no attribute"
                    f" {name!r}; expected a Scorecard or a roll-up result"
                )
        rows.append(result_row(item))
    return rows


_MISSING: Final = object()  # no salary for a subject


class _Run:
    """One payout run's inputs, checked (shared by :func:`payout_rows` and
    :func:`payout_amounts`): the table, the subjects and ratings in order, the months paid."""

    def __init__(
        self,
        results: RatedColumns | Iterable[RatedResult],
        table: PayoutTable | str,
        salaries: Mapping[str, NumberLike | Salary],
        months: int | None,
    ) -> None:
        if isinstance(table, str):
            from kpiscore.cycle.payout import load

            table = load(table)
        if not isinstance(table, PayoutTable):
            raise InputError(f"payout: table must be a PayoutTable or a bundled id (got {table!r})")
        if not isinstance(salaries, Mapping):
            raise InputError(
                f"payout: salaries must be a mapping of subject to salary (got {salaries!r})"
            )
        if isinstance(results, str | bytes) or not isinstance(results, Iterable):
            raise InputError(
                f"payout: results must be a ScoreTable or an iterable of results (got {results!r})"
            )
        self.table = table
        self.salaries = salaries
        self.columns = results if isinstance(results, RatedColumns) else None
        self.items: list[Any] = []
        if self.columns is not None:
            # A table read by column: subjects and ratings without building any result.
            self.subjects: Sequence[str] = self.columns.subjects
            self.ratings: Sequence[str | None] = self.columns.ratings()
            periods = {self.columns.period} if self.subjects else set()
        else:
            self.items = list(results)
            self.subjects = [item.subject for item in self.items]
            self.ratings = [item.rating for item in self.items]
            periods = {item.period for item in self.items if hasattr(item, "period")}
        # Each person's salary looked up once (a miss is _MISSING, reported below).
        self.values: list[object] = list(map(salaries.get, self.subjects, repeat(_MISSING)))
        missed = any(map(is_, self.values, repeat(_MISSING)))
        subjects = set(self.subjects)
        # Everyone found and as many salaries as people: no salary names anyone else.
        extra = (
            sorted(str(s) for s in salaries if s not in subjects)
            if missed or len(salaries) != len(subjects)
            else []
        )
        if extra:
            raise UnknownSubjectError(
                f"salaries: {extra!r} are not among the results paid; expected salaries only"
                " for the people scored"
            )
        self.months = months if months is not None else 0
        if not self.subjects:
            return
        if months is None:
            if len(periods) != 1:
                raise PeriodError(
                    f"payout: the results cover {len(periods)} periods; pass months= explicitly"
                    if periods
                    else "payout: the results carry no period; pass months= explicitly"
                )
        elif isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise InputError(f"payout: months must be a whole number >= 1 (got {months!r})")
        for period in sorted(periods, key=lambda p: (p.start, p.end)):
            table.check_period(period)
        self.months = months if months is not None else _months(table, next(iter(periods)))
        missing = [
            subject
            for subject, value in zip(self.subjects, self.values, strict=True)
            if value is _MISSING
        ]
        if missing:  # every one at once: a file of salaries is fixed in one go
            shown = ", ".join(repr(subject) for subject in missing[:MAX_LISTED])
            if len(missing) > MAX_LISTED:
                shown += f" … and {len(missing) - MAX_LISTED} more"
            count = f" ({len(missing)} people)" if len(missing) > 1 else ""
            raise UnknownSubjectError(
                f"salaries: no salary for {shown}{count}; expected one for everyone paid"
            )

    def unrated(self, position: int, row: Mapping[str, Any] | None = None) -> InputError:
        """The error for the unrated person at ``position`` (its reason read from its row)."""
        if row is None and self.columns is not None:
            row = self.columns.to_rows()[position]  # only on the way to an error
        reason = row.get("unrated") if row is not None else None
        if reason is None and self.columns is None:
            reason = getattr(self.items[position], "unrated", None)
        return InputError(
            f"payout: {self.subjects[position]!r} has no rating"
            + (f" ({reason})" if reason else "")
            + f"; payout table {self.table.id!r} pays on one of {list(self.table.ratings)!r}"
        )

    def amounts(self) -> list[Decimal]:
        """Each person's amount, in order: one exact computation per distinct (rating,
        salary, days), people paid a whole-number salary looked up by (rating, salary)."""
        values, given = self.values, self.ratings
        if None in given or not set(map(type, values)) <= {int}:
            return self._amounts_one_by_one()
        salaries, ratings = cast("list[int]", values), cast("list[str]", given)
        if salaries and min(salaries) < 0:
            return self._amounts_one_by_one()  # names the first negative salary
        # Everyone rated, on a whole salary: one exact computation per distinct pair.
        return amounts_whole(self.table, ratings, salaries, self.months)

    def _amounts_one_by_one(self) -> list[Decimal]:
        pay = _Pay(self.table, self.months)
        known: dict[tuple[str, int], Decimal] = {}
        found: list[Decimal] = []
        for position, (subject, rating, value) in enumerate(
            zip(self.subjects, self.ratings, self.values, strict=True)
        ):
            whole = type(value) is int  # exactly int (not bool): the same value reads the same
            if whole and rating is not None:
                amount = known.get((rating, value))  # type: ignore[arg-type]
                if amount is not None:
                    found.append(amount)
                    continue
            if rating is None:
                pay.salary(value, subject)  # a bad salary is named first, as payout_rows does
                raise self.unrated(position)
            if whole and value >= 0:  # type: ignore[operator]
                # A whole, non-negative number of đồng: what a Salary of it would hold.
                amount = self.table.paid(rating, Decimal(value), None, None, self.months)  # type: ignore[arg-type]
                known[rating, value] = amount  # type: ignore[index]
            else:
                amount = pay.amount(rating, pay.salary(value, subject))
            found.append(amount)
        return found


def payout_amounts(
    results: RatedColumns | Iterable[RatedResult],
    table: PayoutTable | str,
    salaries: Mapping[str, NumberLike | Salary],
    *,
    months: int | None = None,
) -> list[Decimal]:
    """Each person's additional income, in the results' order: the ``payout`` column of
    :func:`payout_rows` without building the rows.

    The same checks, the same errors and the same exact amounts as :func:`payout_rows`; on a
    table read by column (a :class:`~kpiscore.ScoreTable`, a columnar roll-up or quota
    table) no row or result is built per person, so paying 200,000 people costs one exact
    computation per distinct (rating, salary) plus a dictionary look-up per person. Pair the
    list with ``results.subjects`` for who is paid what.

    Someone who worked part of the period is paid pro rata: give a :class:`Salary` with the
    days worked (here half of March at 10 % of 7,020,000; a KHT rating is paid nothing):

    >>> from kpiscore import Band, Category, Criterion, Measure, Policy, score_many
    >>> from kpiscore.payout import Salary, payout_amounts
    >>> bands = [Band(id="HT", min_points=50, name="Hoàn thành"),
    ...     Band(id="KHT", min_points=0, name="Không hoàn thành")]
    >>> criterion = Criterion(id="x", name="X", max_points=100, basis="assessed")
    >>> policy = Policy(id="p", name="P", bands=bands,
    ...     categories=[Category(id="c", name="C", criteria=[criterion])])
    >>> scores = score_many(policy, "2026-03", ["a", "b"], measures=[
    ...     Measure(subject="a", criterion="x", value=60),
    ...     Measure(subject="b", criterion="x", value=40)])
    >>> half = Salary(amount=7_020_000, days_worked=11, days_in_period=22)
    >>> paid = payout_amounts(scores, "danang-2026", {"a": half, "b": 4_000_000})
    >>> list(zip(scores.subjects, paid))
    [('a', Decimal('351000')), ('b', Decimal('0'))]

    Raises:
        UnknownSubjectError: a salary is missing, or names someone outside the results.
        PeriodError: the period is outside the table's validity or does not match ``rated_per``.
        InputError: a person without a rating, or as for :meth:`PayoutTable.amount`.
    """
    return _Run(results, table, salaries, months).amounts()
