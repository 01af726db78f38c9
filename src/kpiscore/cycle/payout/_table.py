"""Payout tables: from a rating and a salary to additional income in đồng, exactly.

This module stays whole (about 900 lines) on purpose: a table's rates, relations, notes, the
line of one amount and the reading of a table file are one concept, checked together (a
relation names rates, a line names the table's steps); about 200 of its lines are documented
fields and runnable examples. The rows of a population are in ``_rows.py``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

import attrs

from kpiscore.cycle.payout._checks import days_pair, relation_cycle
from kpiscore.cycle.payout._whole import monthly_whole
from kpiscore.exceptions import InputError, PeriodError, PolicyError
from kpiscore.model.jsontypes import JsonObject
from kpiscore.model.lookup import by_id
from kpiscore.model.numbers import (
    ROUNDING_MODES,
    NumberLike,
    canonical,
    exact,
    number,
    optional_number,
    quantize_fraction,
    quantize_ratio,
    to_decimal,
)
from kpiscore.model.period import Period
from kpiscore.model.rules import _as_tuple, _decimal, _nfc, _optional_date, _raise, _text

__all__ = [
    "NOTE_STATUSES",
    "RATED_PER",
    "PayoutLine",
    "PayoutRate",
    "PayoutRelation",
    "PayoutTable",
    "TableNote",
]

#: How sure a table's value is, in the words of the project's LAW.md.
NOTE_STATUSES: Final = ("sure", "likely", "local choice")
#: The length of the evaluation period whose rating a table pays on.
RATED_PER: Final = ("month", "quarter", "half", "year")


def _amount(
    problems: list[PolicyError], owner: str, field: str, value: object, *, optional: bool
) -> Decimal | None:
    # A money amount or a coefficient: a non-negative exact number.
    return _decimal(problems, owner, field, value, minimum=Decimal(0), optional=optional)


@attrs.frozen(kw_only=True)
class PayoutRate:
    """What one rating pays, per person and month.

    The month's amount is ``coefficient × salary``, lifted to ``floor`` when below it, then
    lowered to the cap when above it: ``cap`` (đồng) and ``cap_multiple × salary``, whichever
    is lower. A cap wins over a floor: caps are legal ceilings.

    Args:
        rating: The band id (``"HTXS"``, ``"HTT"``…).
        coefficient: The share of the monthly salary paid, >= 0.
        floor: The least paid per month, in đồng, or ``None``.
        cap: The most paid per month, in đồng, or ``None``.
        cap_multiple: The most paid per month as a multiple of the salary, or ``None``.
        reference: The legal article behind the rate.

    >>> PayoutRate(rating="HTT", coefficient="0.3", floor=1_500_000).floor
    Decimal('1500000')
    """

    rating: str = attrs.field(converter=_nfc)
    coefficient: Decimal = attrs.field(converter=number)
    floor: Decimal | None = attrs.field(default=None, converter=optional_number)
    cap: Decimal | None = attrs.field(default=None, converter=optional_number)
    cap_multiple: Decimal | None = attrs.field(default=None, converter=optional_number)
    reference: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"payout rate {self.rating!r}" if isinstance(self.rating, str) else "payout rate"
        problems: list[PolicyError] = []
        _text(problems, owner, "rating", self.rating, optional=False)
        _text(problems, owner, "reference", self.reference, optional=True)
        _amount(problems, owner, "coefficient", self.coefficient, optional=False)
        floor = _amount(problems, owner, "floor", self.floor, optional=True)
        cap = _amount(problems, owner, "cap", self.cap, optional=True)
        _amount(problems, owner, "cap_multiple", self.cap_multiple, optional=True)
        if floor is not None and cap is not None and floor > cap:
            problems.append(
                PolicyError(f"{owner}: floor must be <= cap (got floor {floor}, cap {cap})")
            )
        _raise(problems, owner)

    def to_dict(self) -> JsonObject:
        """The rate as a JSON-ready tree (numbers as canonical strings)."""
        return {
            "rating": self.rating,
            "coefficient": canonical(self.coefficient),
            "floor": _optional_text(self.floor),
            "cap": _optional_text(self.cap),
            "cap_multiple": _optional_text(self.cap_multiple),
            "reference": self.reference,
        }


@attrs.frozen(kw_only=True)
class PayoutRelation:
    """A rating's monthly amount is at most a share of another rating's, for the same salary.

    Ho Chi Minh City: HTT at most 80 % of HTXS is
    ``PayoutRelation(rating="HTT", of="HTXS", at_most="0.8")``.

    >>> PayoutRelation(rating="HTT", of="HTXS", at_most=0.8).at_most
    Decimal('0.8')
    """

    rating: str = attrs.field(converter=_nfc)
    of: str = attrs.field(converter=_nfc)
    at_most: Decimal = attrs.field(converter=number)
    reference: str | None = attrs.field(default=None, converter=_nfc)

    def __attrs_post_init__(self) -> None:
        owner = f"payout relation {self.rating!r}" if isinstance(self.rating, str) else "relation"
        problems: list[PolicyError] = []
        _text(problems, owner, "rating", self.rating, optional=False)
        _text(problems, owner, "of", self.of, optional=False)
        _text(problems, owner, "reference", self.reference, optional=True)
        _amount(problems, owner, "at_most", self.at_most, optional=False)
        if not problems and self.rating == self.of:
            problems.append(PolicyError(f"{owner}: of must name another rating (got {self.of!r})"))
        _raise(problems, owner)

    def to_dict(self) -> JsonObject:
        """The relation as a JSON-ready tree."""
        return {
            "rating": self.rating,
            "of": self.of,
            "at_most": canonical(self.at_most),
            "reference": self.reference,
        }


@attrs.frozen(kw_only=True)
class TableNote:
    """Where one of a table's values comes from, and how sure it is.

    Args:
        about: What the note is about (``"rates.HTXS.coefficient"``, ``"rounding"``…).
        status: ``"sure"`` (quoted or agreed by several sources), ``"likely"`` (one source or a
            paraphrase) or ``"local choice"`` (the law is silent; a value was chosen).
        text: The note.
    """

    about: str = attrs.field(converter=_nfc)
    status: Literal["sure", "likely", "local choice"]
    text: str = attrs.field(converter=_nfc)

    def __attrs_post_init__(self) -> None:
        problems: list[PolicyError] = []
        _text(problems, "table note", "about", self.about, optional=False)
        _text(problems, "table note", "text", self.text, optional=False)
        if self.status not in NOTE_STATUSES:
            problems.append(
                PolicyError(
                    f"table note {self.about!r}: status must be one of"
                    f" {', '.join(repr(s) for s in NOTE_STATUSES)} (got {self.status!r})"
                )
            )
        _raise(problems, "table note")

    def to_dict(self) -> JsonObject:
        """The note as a JSON-ready tree."""
        return {"about": self.about, "status": self.status, "text": self.text}


@attrs.frozen(kw_only=True)
class PayoutLine:
    """How one amount was computed: every step from the salary to the đồng paid.

    Attributes:
        table: The payout table's id.
        rating: The rating paid on.
        salary: The monthly salary the coefficient applies to.
        coefficient: The rating's coefficient.
        computed: ``coefficient × salary``.
        floor: The rating's floor, if any.
        lifted: Whether the floor raised the amount.
        cap: The effective cap (the lower of ``cap`` and ``cap_multiple × salary``), if any.
        capped: Whether the cap lowered the amount.
        relation: The limit from a relation to another rating (``at_most × its amount``).
        related: Whether the relation lowered the amount.
        monthly: The full month's amount, exact.
        months: How many months are paid at that rating.
        days_worked: Days worked, when the amount is prorated.
        days_in_period: Days in the period, when the amount is prorated.
        exact: ``monthly × months × days_worked / days_in_period``, exact (a fraction).
        precision: The quantum the amount is rounded to (1 đồng by default).
        rounding: The rounding mode.
        amount: What is paid, rounded once.
    """

    table: str
    rating: str
    salary: Decimal
    coefficient: Decimal
    computed: Decimal
    floor: Decimal | None
    lifted: bool
    cap: Decimal | None
    capped: bool
    relation: Decimal | None
    related: bool
    monthly: Decimal
    months: int
    days_worked: Decimal | None
    days_in_period: Decimal | None
    exact: Fraction
    precision: Decimal
    rounding: str
    amount: Decimal

    def to_dict(self) -> JsonObject:
        """The computation as a JSON-ready tree (decimals as strings; the exact value as a
        fraction ``"p/q"`` when it is not a whole number of đồng)."""
        return {
            "table": self.table,
            "rating": self.rating,
            "salary": canonical(self.salary),
            "coefficient": canonical(self.coefficient),
            "computed": canonical(self.computed),
            "floor": _optional_text(self.floor),
            "lifted": self.lifted,
            "cap": _optional_text(self.cap),
            "capped": self.capped,
            "relation": _optional_text(self.relation),
            "related": self.related,
            "monthly": canonical(self.monthly),
            "months": self.months,
            "days_worked": _optional_text(self.days_worked),
            "days_in_period": _optional_text(self.days_in_period),
            "exact": str(self.exact),
            "precision": canonical(self.precision),
            "rounding": self.rounding,
            "amount": canonical(self.amount),
        }

    def explain(self, lang: Literal["vi", "en"] = "en") -> str:
        """The computation as text, one step a line, in English (default) or Vietnamese.

        Raises:
            InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
        """
        if lang not in _WORDS:
            raise InputError(f"explain: lang must be 'vi' or 'en' (got {lang!r})")
        from kpiscore.io.numbers_vi import format_number

        words = _WORDS[lang]

        # Vietnamese writes 11.653.200 and 1,44; English 11,653,200 and 1.44.
        def money(value: Decimal) -> str:
            return format_number(value, lang, keep_places=False)

        def plain(value: Decimal) -> str:
            return format_number(value, lang, keep_places=False, grouping=False)

        lines = [
            words["head"].format(table=self.table, rating=self.rating),
            words["computed"].format(
                coefficient=plain(self.coefficient),
                salary=money(self.salary),
                computed=money(self.computed),
            ),
        ]
        if self.floor is not None:
            key = "lifted" if self.lifted else "floor_ok"
            lines.append(words[key].format(floor=money(self.floor)))
        if self.cap is not None:
            key = "capped" if self.capped else "cap_ok"
            lines.append(words[key].format(cap=money(self.cap)))
        if self.relation is not None:
            key = "related" if self.related else "relation_ok"
            lines.append(words[key].format(limit=money(self.relation)))
        lines.append(words["monthly"].format(monthly=money(self.monthly)))
        if self.months != 1:
            lines.append(words["months"].format(months=self.months))
        if self.days_worked is not None and self.days_in_period is not None:
            lines.append(
                words["days"].format(
                    worked=plain(self.days_worked), days=plain(self.days_in_period)
                )
            )
        lines.append(
            words["amount"].format(
                amount=money(self.amount), rounding=self.rounding, precision=self.precision
            )
        )
        return "\n".join(lines)


_WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "head": "Additional income, table {table}, rating {rating}",
        "computed": "  {coefficient} × salary {salary} = {computed}",
        "lifted": "  below the floor {floor}: lifted to it",
        "floor_ok": "  floor {floor}: not needed",
        "capped": "  above the cap {cap}: lowered to it",
        "cap_ok": "  cap {cap}: not reached",
        "related": "  above the limit set by another rating, {limit}: lowered to it",
        "relation_ok": "  limit set by another rating, {limit}: not reached",
        "monthly": "  a full month: {monthly}",
        "months": "  × {months} months",
        "days": "  × {worked} / {days} days worked",
        "amount": "  paid: {amount} đồng (rounded once, {rounding}, to {precision})",
    },
    "vi": {
        "head": "Thu nhập tăng thêm, bảng {table}, xếp loại {rating}",
        "computed": "  {coefficient} × lương {salary} = {computed}",
        "lifted": "  thấp hơn mức tối thiểu {floor}: điều chỉnh lên mức đó",
        "floor_ok": "  mức tối thiểu {floor}: không cần",
        "capped": "  vượt mức tối đa {cap}: điều chỉnh xuống mức đó",
        "cap_ok": "  mức tối đa {cap}: chưa đạt",
        "related": "  vượt giới hạn theo mức xếp loại khác, {limit}: điều chỉnh xuống",
        "relation_ok": "  giới hạn theo mức xếp loại khác, {limit}: chưa đạt",
        "monthly": "  một tháng đủ: {monthly}",
        "months": "  × {months} tháng",
        "days": "  × {worked} / {days} ngày làm việc",
        "amount": "  chi trả: {amount} đồng (làm tròn một lần, {rounding}, đến {precision})",
    },
}


def _money(value: Decimal) -> str:
    """A đồng figure with thousands separators: ``7,020,000``; ``468000.0`` as ``468,000``."""
    return f"{Decimal(canonical(value)):,f}"


def _plain(paid: Decimal) -> Decimal:
    """``paid`` (rounded to thousands, say) written without an exponent: 1755000 rather than
    1.755E+6, as payslips and CSV files read it; the same value."""
    exponent = paid.as_tuple().exponent
    return Decimal(int(paid)) if isinstance(exponent, int) and exponent > 0 else paid


def _optional_text(value: Decimal | None) -> str | None:
    return None if value is None else canonical(value)


@attrs.frozen(kw_only=True)
class PayoutTable:
    """Additional income by rating: per rating a coefficient of the monthly salary, a floor and
    a cap per person and month, relations between ratings, proration by days worked, and the
    rounding to the đồng.

    The amount for ``months`` months at one rating is
    ``monthly × months × days_worked / days_in_period`` rounded once to ``precision`` with
    ``rounding``, where ``monthly`` is ``coefficient × salary``, lifted to the floor, lowered to
    the cap, then lowered to every relation's limit (``at_most ×`` the other rating's monthly
    amount for the same salary). Every step is exact; the only rounding is the last one.

    Args:
        id: The table's id (``"danang-2026"``).
        name: A readable name.
        rates: One :class:`PayoutRate` per rating the table knows (a rating that pays nothing
            is listed with coefficient 0, so an unknown rating is an error, not a zero).
        relations: :class:`PayoutRelation` limits between ratings; each must hold for the
            coefficients themselves.
        rated_per: The evaluation period whose rating the table pays on (``"month"``,
            ``"quarter"``, ``"half"``, ``"year"``) or ``None`` for any; amounts are always
            per month.
        salary_basis: What "salary" means for this table.
        valid_from: The first day the table was in force, or ``None``.
        valid_to: The last day, or ``None`` (still in force, as far as known).
        precision: The quantum amounts are rounded to, a power of ten (default 1 đồng).
        rounding: A :mod:`decimal` rounding mode name (default ``"ROUND_HALF_UP"``).
        reference: The legal instruments behind the table.
        description: Free text.
        notes: :class:`TableNote` lines: where each value comes from and how sure it is.

    Raises:
        PolicyError: one problem; :class:`~kpiscore.PolicyValidationError` listing them all.

    >>> from kpiscore.payout import load
    >>> danang = load("danang-2026")
    >>> danang.amount("HTXS", 7_020_000)
    Decimal('3510000')
    >>> danang.amount("HTT", 4_000_000)  # 0.3 × 4,000,000 = 1,200,000, lifted to the floor
    Decimal('1500000')
    """

    id: str = attrs.field(converter=_nfc)
    name: str = attrs.field(converter=_nfc)
    rates: tuple[PayoutRate, ...] = attrs.field(converter=_as_tuple)
    relations: tuple[PayoutRelation, ...] = attrs.field(default=(), converter=_as_tuple)
    rated_per: Literal["month", "quarter", "half", "year"] | None = None
    salary_basis: str | None = attrs.field(default=None, converter=_nfc)
    valid_from: _dt.date | None = attrs.field(default=None, converter=_optional_date)
    valid_to: _dt.date | None = attrs.field(default=None, converter=_optional_date)
    precision: Decimal = attrs.field(default=Decimal(1), converter=number)
    rounding: str = "ROUND_HALF_UP"
    reference: str | None = attrs.field(default=None, converter=_nfc)
    description: str | None = attrs.field(default=None, converter=_nfc)
    notes: tuple[TableNote, ...] = attrs.field(default=(), converter=_as_tuple)

    def __attrs_post_init__(self) -> None:
        _raise(list(self._problems()), f"payout table {self.id!r}")
        object.__setattr__(self, "precision", self.precision.normalize())

    def _problems(self) -> Iterable[PolicyError]:
        owner = f"payout table {self.id!r}"
        problems: list[PolicyError] = []
        _text(problems, owner, "id", self.id, optional=False)
        _text(problems, owner, "name", self.name, optional=False)
        for field in ("salary_basis", "reference", "description"):
            _text(problems, owner, field, getattr(self, field), optional=True)
        yield from problems
        for field, cls in (
            ("rates", PayoutRate),
            ("relations", PayoutRelation),
            ("notes", TableNote),
        ):
            value = getattr(self, field)
            if not isinstance(value, tuple) or not all(isinstance(v, cls) for v in value):
                yield PolicyError(
                    f"{owner}: {field} must be a sequence of {cls.__name__} (got {value!r})"
                )
                return
        if not self.rates:
            yield PolicyError(f"{owner}: rates must list at least one rating (got none)")
        ratings = [rate.rating for rate in self.rates]
        repeated = sorted({r for r in ratings if ratings.count(r) > 1})
        if repeated:
            yield PolicyError(f"{owner}: rates: ratings must be unique (repeated: {repeated!r})")
        known = set(ratings)
        by_rating = {rate.rating: rate for rate in self.rates}
        for relation in self.relations:
            for field in ("rating", "of"):
                if getattr(relation, field) not in known:
                    yield PolicyError(
                        f"{owner}: relation on {relation.rating!r}: {field} must name a rating"
                        f" of the table, one of {ratings!r} (got {getattr(relation, field)!r})"
                    )
        if not all(r.rating in known and r.of in known for r in self.relations):
            return
        cycle = relation_cycle(self.relations)
        if cycle:
            yield PolicyError(f"{owner}: relations must not form a cycle (got {cycle!r})")
            return
        for relation in self.relations:
            rate, other = by_rating[relation.rating], by_rating[relation.of]
            with exact():
                limit = relation.at_most * other.coefficient
            if rate.coefficient > limit:
                share, of = canonical(relation.at_most), canonical(other.coefficient)
                yield PolicyError(
                    f"{owner}: rate {rate.rating!r}: coefficient must be at most {share} ×"
                    f" {other.rating}'s {of} = {canonical(limit)}, by the relation"
                    f" {relation.rating} <= {share} × {relation.of}"
                    f" (got {canonical(rate.coefficient)})"
                )
        if self.rated_per is not None and self.rated_per not in RATED_PER:
            yield PolicyError(
                f"{owner}: rated_per must be one of {', '.join(repr(p) for p in RATED_PER)} or"
                f" None (got {self.rated_per!r})"
            )
        for field in ("valid_from", "valid_to"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, _dt.date) or isinstance(value, _dt.datetime)
            ):
                yield PolicyError(
                    f"{owner}: {field} must be a date or an ISO date string (got {value!r})"
                )
                return
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            yield PolicyError(
                f"{owner}: valid_from must be <= valid_to (got {self.valid_from.isoformat()}"
                f" > {self.valid_to.isoformat()})"
            )
        try:
            precision = to_decimal(self.precision, owner=owner, field="precision")
        except InputError as error:
            yield PolicyError(str(error))
        else:
            if precision <= 0 or precision.normalize().as_tuple().digits != (1,):
                yield PolicyError(
                    f"{owner}: precision must be a positive power of ten such as 1 or 1000"
                    f" (got {self.precision!r})"
                )
        if self.rounding not in ROUNDING_MODES:
            yield PolicyError(
                f"{owner}: rounding must be a decimal rounding mode name such as"
                f" 'ROUND_HALF_UP' (got {self.rounding!r})"
            )

    # ----------------------------------------------------------------------- queries

    @property
    def ratings(self) -> tuple[str, ...]:
        """The ratings the table knows, in table order."""
        return tuple(rate.rating for rate in self.rates)

    @property
    def local_choices(self) -> tuple[TableNote, ...]:
        """The notes on values the law does not fix: chosen, and documented as such."""
        return tuple(note for note in self.notes if note.status == "local choice")

    def rate(self, rating: str | None) -> PayoutRate:
        """The rate of one rating.

        Raises:
            InputError: the table has no rate for it (``None``: the result has no rating).
        """
        return by_id(
            self.rates,
            rating,
            lambda rate: rate.rating,
            where=f"payout table {self.id!r}",
            what="rate for rating",
        )

    def check_period(self, period: Period) -> None:
        """Refuse a period not inside the table's ``valid_from``..``valid_to``.

        Raises:
            PeriodError: the period starts before ``valid_from`` or ends after ``valid_to``.
        """
        if self.valid_from is not None and period.start < self.valid_from:
            raise PeriodError(
                f"payout table {self.id!r}: period {period.label} starts before the table was"
                f" in force (valid_from {self.valid_from.isoformat()})"
            )
        if self.valid_to is not None and period.end > self.valid_to:
            raise PeriodError(
                f"payout table {self.id!r}: period {period.label} ends after the table's"
                f" valid_to {self.valid_to.isoformat()}"
            )

    # ----------------------------------------------------------------------- amounts

    def breakdown(
        self,
        rating: str | None,
        salary: NumberLike,
        days_worked: NumberLike | None = None,
        days_in_period: NumberLike | None = None,
        *,
        months: int = 1,
    ) -> PayoutLine:
        """Every step of :meth:`amount`, for the ledger.

        Takes the same arguments as :meth:`amount`.

        >>> from kpiscore.payout import load
        >>> line = load("danang-2026").breakdown("HT", 4_680_000)
        >>> line.computed, line.lifted, line.amount
        (Decimal('468000.0'), True, Decimal('500000'))
        """
        owner = f"payout table {self.id!r}"
        rate = self.rate(rating)
        amount_salary = to_decimal(salary, owner=owner, field="salary")
        if amount_salary < 0:
            raise InputError(f"{owner}: salary must be >= 0 (got {amount_salary!r})")
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise InputError(f"{owner}: months must be a whole number >= 1 (got {months!r})")
        worked, days = days_pair(owner, days_worked, days_in_period)
        with exact():
            steps = self._monthly(rate, amount_salary)
            share = Fraction(months)
            if worked is not None and days is not None:
                share *= Fraction(worked) / Fraction(days)
            value = Fraction(steps.monthly) * share
            paid = _plain(quantize_fraction(value, self.precision, self.rounding))
        return PayoutLine(
            table=self.id,
            rating=rate.rating,
            salary=amount_salary,
            coefficient=rate.coefficient,
            computed=steps.computed,
            floor=rate.floor,
            lifted=steps.lifted,
            cap=steps.cap,
            capped=steps.capped,
            relation=steps.relation,
            related=steps.related,
            monthly=steps.monthly,
            months=months,
            days_worked=worked,
            days_in_period=days,
            exact=value,
            precision=self.precision,
            rounding=self.rounding,
            amount=paid,
        )

    def amount(
        self,
        rating: str | None,
        salary: NumberLike,
        days_worked: NumberLike | None = None,
        days_in_period: NumberLike | None = None,
        *,
        months: int = 1,
    ) -> Decimal:
        """The additional income for one rating and salary, in đồng, rounded once.

        Args:
            rating: The band id (the table must have a rate for it).
            salary: The monthly salary (what the table's ``salary_basis`` says), >= 0.
            days_worked: Days actually worked, to prorate; give ``days_in_period`` too.
            days_in_period: The days the full amount covers (> 0, >= ``days_worked``).
            months: How many months are paid at this rating (default 1): a quarterly rating
                pays three months.

        Returns:
            The amount as a :class:`~decimal.Decimal` rounded to the table's ``precision``.

        Raises:
            InputError: an unknown rating, a negative salary, days given alone, days outside
                ``0..days_in_period``, or ``months`` below 1.

        >>> from kpiscore.payout import load
        >>> load("danang-2026").amount("HTT", 7_020_000, days_worked=11, days_in_period=22)
        Decimal('1053000')
        """
        return self.breakdown(rating, salary, days_worked, days_in_period, months=months).amount

    def paid(
        self,
        rating: str | None,
        salary: Decimal,
        days_worked: Decimal | None,
        days_in_period: Decimal | None,
        months: int,
    ) -> Decimal:
        """:meth:`amount` for figures already read (a :class:`~kpiscore.payout.Salary`'s, and
        ``months`` checked), without building the :class:`PayoutLine`: the same value.

        >>> from decimal import Decimal
        >>> from kpiscore.payout import load
        >>> load("danang-2026").paid("HTT", Decimal(7_020_000), None, None, 3)
        Decimal('6318000')
        """
        rate = self.rate(rating)
        if salary < 0:
            raise InputError(f"payout table {self.id!r}: salary must be >= 0 (got {salary!r})")
        worked, days = days_pair(f"payout table {self.id!r}", days_worked, days_in_period)
        with exact():
            # The exact rational as two integers (no Fraction built: this runs once per
            # distinct rating and salary of a payout run), rounded once.
            numerator, denominator = self._monthly(rate, salary).monthly.as_integer_ratio()
            numerator *= months
            if worked is not None and days is not None:
                worked_n, worked_d = worked.as_integer_ratio()
                days_n, days_d = days.as_integer_ratio()
                numerator *= worked_n * days_d
                denominator *= worked_d * days_n
            return _plain(quantize_ratio(numerator, denominator, self.precision, self.rounding))

    def paid_whole(self, rating: str | None, salaries: Sequence[int], months: int) -> list[Decimal]:
        """:meth:`paid` for many whole, non-negative salaries (``int``) at one rating, no days:
        the same values, computed on integers (a payout run's distinct salaries at once).

        >>> from kpiscore.payout import load
        >>> load("danang-2026").paid_whole("HTT", [7_020_000, 4_000_000], 3)
        [Decimal('6318000'), Decimal('4500000')]
        """
        rate = self.rate(rating)
        bad = [s for s in salaries if type(s) is not int or s < 0]
        if bad:
            raise InputError(
                f"payout table {self.id!r}: paid_whole takes whole salaries >= 0 (got {bad[0]!r})"
            )
        values, places = monthly_whole(self, rate, salaries)
        denominator = 10**places
        precision, rounding = self.precision, self.rounding
        paid = [quantize_ratio(v * months, denominator, precision, rounding) for v in values]
        if paid and precision.adjusted() > 0:  # as paid writes it: 1755000, not 1.755E+6
            paid = [Decimal(int(amount)) for amount in paid]
        return paid

    def amount_for_months(
        self,
        ratings: Sequence[str | None],
        salary: NumberLike | Sequence[NumberLike],
    ) -> Decimal:
        """The total paid for several months, each on its own monthly rating.

        Đà Nẵng pays a quarter's three monthly amounts together. Each month is computed and
        rounded on its own, then the rounded amounts are added (what a payslip shows).

        Args:
            ratings: One rating per month.
            salary: One monthly salary for every month, or one per month.

        Raises:
            InputError: as for :meth:`amount`; a salary list of another length than
                ``ratings``; no months at all.

        >>> from kpiscore.payout import load
        >>> load("danang-2026").amount_for_months(["HTXS", "HTT", "HTT"], 7_020_000)
        Decimal('7722000')
        """
        owner = f"payout table {self.id!r}"
        if isinstance(ratings, str) or not isinstance(ratings, Sequence):
            raise InputError(
                f"{owner}: ratings must be a sequence of monthly ratings (got {ratings!r})"
            )
        if not ratings:
            raise InputError(f"{owner}: ratings must list at least one month (got none)")
        if isinstance(salary, Sequence) and not isinstance(salary, str):
            salaries = list(salary)
            if len(salaries) != len(ratings):
                raise InputError(
                    f"{owner}: salary must give one value per month ({len(ratings)}) or one for"
                    f" all (got {len(salaries)} values)"
                )
        else:
            salaries = [salary] * len(ratings)
        total = Decimal(0)
        for rating, month_salary in zip(ratings, salaries, strict=True):
            total = _add(total, self.amount(rating, month_salary))
        return total

    def _monthly(self, rate: PayoutRate, salary: Decimal) -> _Steps:
        # Call inside exact(): products and comparisons of exact decimals only.
        computed = rate.coefficient * salary
        value = computed
        lifted = rate.floor is not None and value < rate.floor
        if lifted:
            assert rate.floor is not None  # noqa: S101 - narrowed for mypy
            value = rate.floor
        caps = [c for c in (rate.cap, _times(rate.cap_multiple, salary)) if c is not None]
        cap = min(caps) if caps else None
        capped = cap is not None and value > cap
        if capped:
            assert cap is not None  # noqa: S101 - narrowed for mypy
            value = cap
        limits = [
            relation.at_most * self._monthly(self.rate(relation.of), salary).monthly
            for relation in self.relations
            if relation.rating == rate.rating
        ]
        limit = min(limits) if limits else None
        related = limit is not None and value > limit
        if related:
            assert limit is not None  # noqa: S101 - narrowed for mypy
            value = limit
        return _Steps(
            computed=computed,
            cap=cap,
            relation=limit,
            lifted=lifted,
            capped=capped,
            related=related,
            monthly=value,
        )

    # ----------------------------------------------------------------------- trees

    def to_dict(self) -> JsonObject:
        """The table as a JSON-ready tree; :meth:`from_dict` reads it back to an equal table."""
        return {
            "id": self.id,
            "name": self.name,
            "rated_per": self.rated_per,
            "salary_basis": self.salary_basis,
            "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "precision": canonical(self.precision),
            "rounding": self.rounding,
            "reference": self.reference,
            "description": self.description,
            "rates": [rate.to_dict() for rate in self.rates],
            "relations": [relation.to_dict() for relation in self.relations],
            "notes": [note.to_dict() for note in self.notes],
        }

    @classmethod
    def from_dict(cls, tree: Mapping[str, object]) -> PayoutTable:
        """Build a table from a tree (a parsed TOML or JSON table file, or :meth:`to_dict`).

        Unknown keys are errors naming their place; ``None`` values mean "not given".

        Raises:
            PolicyError: an unknown key, a wrong shape or an invalid value (``error.path`` is
                the dotted place, for example ``"rates.1.floor"``).
        """
        return _table_from_tree(tree)


@attrs.frozen
class _Steps:
    computed: Decimal
    cap: Decimal | None
    relation: Decimal | None
    lifted: bool
    capped: bool
    related: bool
    monthly: Decimal


def _times(multiple: Decimal | None, salary: Decimal) -> Decimal | None:
    return None if multiple is None else multiple * salary


def _add(left: Decimal, right: Decimal) -> Decimal:
    with exact():
        return left + right


# --------------------------------------------------------------------------- trees

_TABLE_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "rates",
        "relations",
        "rated_per",
        "salary_basis",
        "valid_from",
        "valid_to",
        "precision",
        "rounding",
        "reference",
        "description",
        "notes",
    }
)
_RATE_KEYS: Final = frozenset(
    {"rating", "coefficient", "floor", "cap", "cap_multiple", "reference"}
)
_RELATION_KEYS: Final = frozenset({"rating", "of", "at_most", "reference"})
_NOTE_KEYS: Final = frozenset({"about", "status", "text"})


def _check_keys(
    tree: object, allowed: frozenset[str], required: tuple[str, ...], path: str, what: str
) -> dict[str, Any]:
    if not isinstance(tree, Mapping):
        raise PolicyError(
            f"{path or 'payout table'}: {what} must be a table of keys (got {type(tree).__name__})",
            path=path or None,
        )
    unknown = sorted(str(key) for key in tree if key not in allowed)
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        raise PolicyError(
            f"{where}: unknown key {unknown[0]!r} in {what}; expected one of {sorted(allowed)!r}",
            path=where,
        )
    fields = {key: value for key, value in tree.items() if value is not None}
    missing = [key for key in required if key not in fields]
    if missing:
        where = f"{path}.{missing[0]}" if path else missing[0]
        raise PolicyError(f"{where}: {what} needs the key {missing[0]!r}", path=where)
    return fields


def _items(tree: dict[str, Any], key: str) -> list[Any]:
    value = tree.get(key, [])
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise PolicyError(f"{key}: must be a list (got {type(value).__name__})", path=key)
    return list(value)


def _table_from_tree(tree: Mapping[str, object]) -> PayoutTable:
    fields = _check_keys(tree, _TABLE_KEYS, ("id", "name", "rates"), "", "a payout table")
    parts: dict[str, list[Any]] = {}
    for key, allowed, required, cls, what in (
        ("rates", _RATE_KEYS, ("rating", "coefficient"), PayoutRate, "a rate"),
        ("relations", _RELATION_KEYS, ("rating", "of", "at_most"), PayoutRelation, "a relation"),
        ("notes", _NOTE_KEYS, ("about", "status", "text"), TableNote, "a note"),
    ):
        built = []
        for position, item in enumerate(_items(fields, key)):
            path = f"{key}.{position}"
            arguments = _check_keys(item, allowed, required, path, what)
            try:
                built.append(cls(**arguments))
            except PolicyError as error:
                raise PolicyError(f"{path}: {error}", path=path) from error
        parts[key] = built
    fields.update(parts)
    return PayoutTable(**fields)
