"""Payout for a whole table of results: salaries in, one row per person out."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from kpiscore.cycle.payout._table import PayoutTable
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
    columns = results if isinstance(results, RatedColumns) else None
    if columns is not None:
        # A table read by column: subjects, ratings and rows without building any result.
        subjects_in_order: Sequence[str] = columns.subjects
        ratings: Sequence[str | None] = columns.ratings()
        rows = [dict(row) for row in columns.to_rows()]
        periods = {columns.period} if subjects_in_order else set()
    else:
        items = list(results)
        rows = _base_rows(results, items)
        subjects_in_order = [item.subject for item in items]
        ratings = [item.rating for item in items]
        periods = {item.period for item in items if hasattr(item, "period")}
    subjects = set(subjects_in_order)
    extra = sorted(str(s) for s in salaries if s not in subjects)
    if extra:
        raise UnknownSubjectError(
            f"salaries: {extra!r} are not among the results paid; expected salaries only for"
            " the people scored"
        )
    if not subjects_in_order:
        return PayoutRows(rows, table=table, results=results)
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
    paid_months = months if months is not None else _months(table, next(iter(periods)))
    missing = [subject for subject in subjects_in_order if subject not in salaries]
    if missing:  # every one at once: a file of salaries is fixed in one go
        shown = ", ".join(repr(subject) for subject in missing[:MAX_LISTED])
        if len(missing) > MAX_LISTED:
            shown += f" … and {len(missing) - MAX_LISTED} more"
        count = f" ({len(missing)} people)" if len(missing) > 1 else ""
        raise UnknownSubjectError(
            f"salaries: no salary for {shown}{count}; expected one for everyone paid"
        )
    pay = _Pay(table, paid_months)
    for position, (subject, rating, row) in enumerate(
        zip(subjects_in_order, ratings, rows, strict=True)
    ):
        salary = pay.salary(salaries[subject], subject)
        if rating is None:
            unrated = row.get("unrated")
            if unrated is None and columns is None:
                unrated = getattr(items[position], "unrated", None)
            raise InputError(
                f"payout: {subject!r} has no rating"
                + (f" ({unrated})" if unrated else "")
                + f"; payout table {table.id!r} pays on one of {list(table.ratings)!r}"
            )
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
