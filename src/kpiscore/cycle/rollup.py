"""Roll-up: a year's (or any period's) result from the scorecards of the sub-periods worked.

Decree 335/2025 ranks the year from the average of the monthly or quarterly results, and with a
legitimate absence (sick leave, maternity leave) the score covers the period actually worked. So:

- the total is the plain arithmetic mean of the reported totals of the sub-periods given (the
  ones actually worked), kept as an exact fraction and rounded once with the policy's precision
  and rounding;
- a rating cap triggered in any sub-period (a reprimand in May) caps the rolled-up rating too;
- a policy's ``min_worked_share`` (off by default; Decree 90/2020's old rule was 6 months of
  the year) leaves a person who worked less than that share of the period without a rating.

Every sub-period scorecard is kept on the result, for the ledger.

This module stays whole (about 850 lines) on purpose: the roll-up result, its table, the
averaging, the carried caps and the worked share are one computation, and its explanation text
is written next to the figures it explains.

>>> from kpiscore import Band, Category, Criterion, Measure, Period, Policy, score
>>> from kpiscore.rollup import rollup
>>> policy = Policy(id="p", name="P", bands=[Band(id="HTT", min_points=70, name="Tốt"),
...     Band(id="HT", min_points=0, name="Đạt")], categories=[Category(id="c", name="C",
...     criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")])])
>>> cards = [score(policy, Period.quarter(2026, q), "nv001",
...                measures=[Measure(subject="nv001", criterion="x", value=v)])
...          for q, v in ((1, 70), (2, 70), (3, 71))]
>>> year = rollup(cards, "2026")
>>> year.total, year.rating, year.worked_share      # (70 + 70 + 71) / 3 = 70.333…
(Decimal('70.33'), 'HTT', Fraction(3, 4))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

import attrs
from dateutil.relativedelta import relativedelta

from kpiscore.engine.exact import _facts  # the library's one check of an iterable's items
from kpiscore.exceptions import InputError
from kpiscore.io.numbers_vi import format_date
from kpiscore.io.render import PHRASES, adjustment_lines, cited, rating_change_line
from kpiscore.model.canonical import canonical_json
from kpiscore.model.facts import Event
from kpiscore.model.numbers import EXACT, canonical, exact, format_points, quantize_fraction
from kpiscore.model.period import Period, as_period
from kpiscore.model.policy import Policy
from kpiscore.results.scorecard import (
    Adjustment,
    BandInfo,
    CapLine,
    ResultHead,
    Scorecard,
    ScoreTable,
    find_band,
    result_head,
    row_head,
)
from kpiscore.results.table import PolicyTable, SubjectTable

if TYPE_CHECKING:
    from kpiscore.cycle.columns import RollupColumns

__all__ = ["Rollup", "RollupTable", "rollup", "rollup_many"]

_ZERO: Final = Decimal(0)

#: The roll-up's own phrases; the rest (period, policy, total, rating…) are the scorecard's.
_OWN_WORDS: Final[dict[str, dict[str, str]]] = {
    "vi": {
        "title": "Kết quả cả kỳ",
        "unrated": "không xếp loại",
        "parts": "Các kỳ đã làm việc",
        "months": "tháng",
        "days": "ngày",
        "mean": "Bình quân",
        "min_share": (
            "Không xếp loại: thời gian làm việc {worked}/{possible} {unit} ít hơn tỷ lệ tối"
            " thiểu {share} của quy định"
        ),
        "cap": "Giới hạn xếp loại (từ các kỳ)",
        "cap_lowered": "hạ xếp loại cả kỳ xuống tối đa {band}",
        "cap_no_effect": "xếp loại cả kỳ đã không cao hơn {band}",
        "cap_unrated": "không áp dụng: cả kỳ không xếp loại",
    },
    "en": {
        "title": "Result for the period",
        "unrated": "no rating",
        "parts": "Sub-periods worked",
        "months": "months",
        "days": "days",
        "mean": "Mean",
        "min_share": (
            "No rating: worked {worked}/{possible} {unit}, less than the policy's minimum"
            " share {share}"
        ),
        "cap": "Rating cap (from the sub-periods)",
        "cap_lowered": "the period's rating lowered to at most {band}",
        "cap_no_effect": "the period's rating already no higher than {band}",
        "cap_unrated": "not applied: the period is not rated",
    },
}
_WORDS: Final = {lang: {**PHRASES[lang], **own} for lang, own in _OWN_WORDS.items()}


@attrs.frozen(kw_only=True)
class Rollup(ResultHead):
    """One person's result for a period, rolled up from the sub-periods worked.

    It has the attributes a quota needs (``subject``, ``person``, ``total``, ``rating``,
    ``score_rating``, ``bands``, ``adjustments``), so :func:`kpiscore.quota.apply_quota` ranks
    roll-ups as it ranks scorecards.

    Attributes:
        subject: The person's id.
        person: The :class:`~kpiscore.Person` of the latest sub-period (its unit and group are
            the current ones).
        period: The period rolled up to.
        policy_id, policy_version, fingerprint: The policy every sub-period was scored under.
        precision, rounding: The policy's rounding of reported figures.
        total: The mean of the sub-period totals, rounded once with ``precision``/``rounding``.
        sum_of_totals: The exact sum of the sub-period totals.
        max_total: The policy's maximum.
        score_rating: The band the total alone earns (``None`` without bands).
        rating: The band after the caps carried from the sub-periods and any later
            adjustments; ``None`` without bands, or when ``unrated`` gives the reason.
        bands: The policy's bands, highest first.
        caps: The rating caps triggered in any sub-period, merged by event kind, with whether
            each lowered the rolled-up rating.
        parts: The sub-period scorecards, in date order.
        worked: The time worked: the sub-periods' length, in ``worked_unit``.
        possible: The period's length, in ``worked_unit``.
        worked_unit: ``"months"`` when the period and every sub-period are whole calendar
            months (a quarter is 3), otherwise ``"days"``.
        min_worked_share: The policy's minimum share of the period worked for a rating, or
            ``None`` (no minimum, or no policy given to :func:`rollup`).
        unrated: Why there is no rating despite bands (too little of the period worked), or
            ``None``.
        adjustments: Changes made to the rating after the roll-up (quotas), in order.
    """

    sum_of_totals: Decimal
    max_total: Decimal
    score_rating: str | None
    rating: str | None
    bands: tuple[BandInfo, ...] = attrs.field(repr=False)
    caps: tuple[CapLine, ...]
    parts: tuple[Scorecard, ...] = attrs.field(repr=lambda p: f"<{len(p)} scorecards>")
    worked: int
    possible: int
    worked_unit: Literal["months", "days"]
    min_worked_share: Decimal | None
    unrated: str | None
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def worked_share(self) -> Fraction:
        """The share of the period worked, exactly (``Fraction(5, 12)`` for 5 months of 12)."""
        return Fraction(self.worked, self.possible)

    @property
    def policies(self) -> tuple[str, ...]:
        """The ids of the policies the sub-periods were scored under, in date order, each once
        (two after a promotion from staff to leader in the year)."""
        return tuple(dict.fromkeys(part.policy_id for part in self.parts))

    @property
    def mean(self) -> Fraction:
        """The exact mean of the sub-period totals, before rounding."""
        return Fraction(self.sum_of_totals) / len(self.parts)

    def band_info(self, band_id: str | None) -> BandInfo | None:
        """The names of a band of the policy."""
        return find_band(self.bands, band_id)

    def to_dict(self) -> dict[str, Any]:
        """The result as a canonical JSON-ready tree (decimals as strings), parts included."""
        return {
            **result_head(self),
            "sum_of_totals": format_points(self.sum_of_totals),
            "count": len(self.parts),
            "max_total": canonical(self.max_total),
            "score_rating": self.score_rating,
            "rating": self.rating,
            "unrated": self.unrated,
            "worked": self.worked,
            "possible": self.possible,
            "worked_unit": self.worked_unit,
            "worked_share": str(self.worked_share),
            "min_worked_share": (
                None if self.min_worked_share is None else canonical(self.min_worked_share)
            ),
            "caps": [cap.to_dict() for cap in self.caps],
            "adjustments": [adjustment.to_dict() for adjustment in self.adjustments],
            "parts": [part.to_dict() for part in self.parts],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Canonical JSON: sorted keys, UTF-8, decimals as strings; byte-identical for the same
        sub-period scorecards, whatever their order."""
        return canonical_json(self.to_dict(), indent=indent)

    def explain(self, lang: Literal["vi", "en"] = "vi") -> str:
        """How the result was reached, in Vietnamese (default) or English.

        Raises:
            InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
        """
        if lang not in _WORDS:
            raise InputError(f"explain: lang must be 'vi' or 'en' (got {lang!r})")
        from kpiscore.io.numbers_vi import format_number

        words = _WORDS[lang]
        # Vietnamese writes 70,33 (a comma decimal, a point between thousands).
        points = format_points if lang == "en" else format_number
        person = self.subject + (f" ({self.person.name})" if self.person.name else "")
        if self.rating is not None:
            verdict = f"{words['rating']} {self._band_text(self.rating, lang)}"
        elif self.unrated is not None:
            verdict = words["unrated"]
        else:
            verdict = words["no_rating"]
        unit = words[self.worked_unit]
        lines = [
            f"{words['title']}: {person} — {words['period']} {self.period.label}",
            (
                f"{words['policy']}: {self.policy_id} {words['version']} {self.policy_version}"
                f" ({words['fingerprint']} {self.fingerprint[:12]})"
            ),
            (f"{words['total']}: {points(self.total)} / {canonical(self.max_total)} — {verdict}"),
            "",
            f"{words['parts']} ({self.worked}/{self.possible} {unit}):",
        ]
        for part in self.parts:
            rating = f" — {part.rating}" if part.rating is not None else ""
            lines.append(f"  - {part.period.label}: {points(part.total)}{rating}")
        lines.append(
            f"{words['mean']}: {points(self.sum_of_totals)} / {len(self.parts)}"
            f" = {self._mean_text(lang)} ({self.rounding}, {points(self.precision)})"
        )
        if self.unrated is not None and self.min_worked_share is not None:
            lines.append(
                words["min_share"].format(
                    worked=self.worked,
                    possible=self.possible,
                    unit=unit,
                    share=canonical(self.min_worked_share)
                    if lang == "en"
                    else format_number(self.min_worked_share, keep_places=False),
                )
            )
        for cap in self.caps:
            head = f"{words['cap']}: {cap.on}"
            if cap.name:
                head += f" «{cap.name}»"
            listed = cap.events or cap.exempted
            head += " (" + ", ".join(format_date(event.on, lang) for event in listed) + ") ⇒ "
            if not cap.events:
                head += words["cap_exempted"]
            elif self.unrated is not None:
                head += words["cap_unrated"]
            else:
                verdict_key = "cap_lowered" if cap.lowered else "cap_no_effect"
                head += words[verdict_key].format(band=cap.at_most)
            if cited(cap, lang):
                head += f"  [{cited(cap, lang)}]"
            lines.append(head)
        lines.extend(adjustment_lines(self.adjustments, words, lang))
        if self.score_rating is not None and self.rating not in (None, self.score_rating):
            lines.append(
                rating_change_line(
                    words,
                    self._band_text(self.score_rating, lang),
                    self._band_text(self.rating, lang),
                )
            )
        return "\n".join(lines) + "\n"

    def _mean_text(self, lang: str = "en") -> str:
        """``89.67`` when the mean is the total, else ``89.66666… → 89.67`` (``89,67`` in
        Vietnamese)."""
        from kpiscore.io.numbers_vi import format_number

        points = format_points if lang == "en" else format_number
        mean = self.mean
        if mean == Fraction(self.total):
            return points(self.total)
        finer = self.precision.scaleb(-3, EXACT)
        shown = quantize_fraction(mean, finer, "ROUND_DOWN")
        dots = "" if Fraction(shown) == mean else "…"
        return f"{points(shown)}{dots} → {points(self.total)}"

    def _band_text(self, band_id: str | None, lang: str) -> str:
        band = self.band_info(band_id)
        if band is None:
            return str(band_id)
        name = band.name_en if lang == "en" and band.name_en else band.name
        return f"{band.id} ({name})"


# --------------------------------------------------------------------------- rolling up


def _whole_months(period: Period) -> int | None:
    """The number of calendar months a period spans exactly, or None if it is not whole months."""
    start, end = period.start, period.end
    if start.day != 1 or (end + relativedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _policy_label(card: Scorecard) -> str:
    return (
        f"policy {card.policy_id!r} version {card.policy_version!r}"
        f" (fingerprint {card.fingerprint[:12]})"
    )


def _scheme_differences(card: Scorecard, first: Scorecard) -> list[str]:
    """What differs between two scorecards' scoring schemes (scale, bands, rounding)."""
    differences = []
    if card.max_total != first.max_total:
        differences.append(f"scale ({canonical(first.max_total)} and {canonical(card.max_total)})")
    first_bands = [(band.id, band.min_points) for band in first.bands]
    card_bands = [(band.id, band.min_points) for band in card.bands]
    if first_bands != card_bands:
        shown = [
            ", ".join(f"{band} >= {canonical(points)}" for band, points in bands) or "none"
            for bands in (first_bands, card_bands)
        ]
        differences.append(f"bands ({shown[0]} and {shown[1]})")
    if (card.precision, card.rounding) != (first.precision, first.rounding):
        differences.append(
            f"rounding ({canonical(first.precision)} {first.rounding} and"
            f" {canonical(card.precision)} {card.rounding})"
        )
    return differences


def _check_parts(
    scorecards: Iterable[Scorecard], period: Period, *, across_policies: bool = False
) -> tuple[Scorecard, ...]:
    cards: list[Scorecard] = _facts(scorecards, Scorecard, "rollup: scorecards")
    if not cards:
        raise InputError(
            f"rollup: no scorecards to roll up to {period.label}; expected at least one"
            " sub-period worked"
        )
    first = cards[0]
    for card in cards[1:]:
        if card.subject != first.subject:
            raise InputError(
                f"rollup: the scorecards are of different subjects ({first.subject!r} and"
                f" {card.subject!r}); expected one person's"
            )
        if card.fingerprint == first.fingerprint:
            continue
        if not across_policies:
            raise InputError(
                f"rollup: the scorecard of {card.subject!r} for {card.period.label} was scored"
                f" under {_policy_label(card)}, the one for {first.period.label} under"
                f" {_policy_label(first)}; expected one policy"
            )
        differences = _scheme_differences(card, first)
        if differences:
            raise InputError(
                f"rollup: the scorecard of {card.subject!r} for {card.period.label} was scored"
                f" under {_policy_label(card)}, the one for {first.period.label} under"
                f" {_policy_label(first)}; the policies differ in {'; '.join(differences)}:"
                " expected policies with the same scale, bands and rounding to roll up together"
            )
    for card in cards:
        if not period.contains_period(card.period):
            raise InputError(
                f"rollup: the scorecard of {card.subject!r} for {card.period.label} is not"
                f" inside the period {period.label}"
            )
    ordered = sorted(cards, key=lambda card: (card.period.start, card.period.end))
    for earlier, later in itertools.pairwise(ordered):
        if later.period.start <= earlier.period.end:
            raise InputError(
                f"rollup: the scorecards of {first.subject!r} for {earlier.period.label} and"
                f" {later.period.label} overlap; expected sub-periods that do not overlap"
            )
    return tuple(ordered)


def _rating_for(bands: tuple[BandInfo, ...], total: Decimal) -> str | None:
    for band in sorted(bands, key=lambda b: b.min_points, reverse=True):
        if band.min_points <= total:
            return band.id
    return None


def _event_key(event: Event) -> tuple[date, str, str, Decimal, str, bool]:
    return (event.on, event.kind, event.ref or "", event.quantity, event.note or "", event.excused)


def _carried_caps(
    parts: tuple[Scorecard, ...],
    bands: tuple[BandInfo, ...],
    rating: str | None,
    extra: tuple[CapLine, ...] = (),
) -> tuple[str | None, tuple[CapLine, ...]]:
    """Merge the sub-periods' cap lines (and ``extra`` ones) by event kind and apply them to
    the rolled-up rating."""
    merged: dict[tuple[str, str], list[CapLine]] = {}
    for cap in (*(cap for part in parts for cap in part.caps), *extra):
        merged.setdefault((cap.on, cap.at_most), []).append(cap)
    rank = {band.id: position for position, band in enumerate(bands)}
    lines: list[CapLine] = []
    for (on, at_most), caps in merged.items():
        events = tuple(sorted((e for cap in caps for e in cap.events), key=_event_key))
        exempted = tuple(sorted((e for cap in caps for e in cap.exempted), key=_event_key))
        lowered = False
        # Bands run from the highest (rank 0) down: a cap only ever moves the rating down.
        if events and rating is not None and rank[at_most] > rank[rating]:
            rating = at_most
            lowered = True
        lines.append(
            CapLine(
                on=on,
                at_most=at_most,
                name=caps[0].name,
                reference=caps[0].reference,
                reference_vi=caps[0].reference_vi,
                events=events,
                exempted=exempted,
                lowered=lowered,
            )
        )
    return rating, tuple(lines)


def _check_caps(caps: Iterable[CapLine], first: Scorecard) -> tuple[CapLine, ...]:
    if isinstance(caps, str | bytes) or not isinstance(caps, Iterable):
        raise InputError(f"rollup: caps must be an iterable of CapLine (got {caps!r})")
    checked = tuple(caps)
    known = [band.id for band in first.bands]
    for position, cap in enumerate(checked):
        if not isinstance(cap, CapLine):
            raise InputError(
                f"rollup: caps[{position}] must be a CapLine (got {type(cap).__name__} {cap!r})"
            )
        if cap.at_most not in known:
            raise InputError(
                f"rollup: caps[{position}] ({cap.on!r}) caps at {cap.at_most!r}, not a band of"
                f" {_policy_label(first)}; expected one of {known!r}"
            )
    return checked


def rollup(
    scorecards: Iterable[Scorecard],
    period: Period | str,
    *,
    policy: Policy | None = None,
    across_policies: bool = False,
    caps: Iterable[CapLine] = (),
) -> Rollup:
    """Roll one person's sub-period scorecards up to a period (usually the year).

    The total is the mean of the sub-periods' reported totals, each sub-period counting once
    whatever its length, computed exactly and rounded once with the policy's precision and
    rounding. The score's band is then capped by every rating cap triggered in any sub-period.

    Args:
        scorecards: One person's scorecards for the sub-periods actually worked (months,
            quarters, or any ranges), all under one policy, inside ``period`` and not
            overlapping, in any order.
        period: The period to roll up to (a :class:`~kpiscore.Period` or a label).
        policy: The policy the scorecards were scored under, optional: its fingerprint must
            match. The minimum share worked is the policy's ``min_worked_share``, which every
            scorecard also carries.
        across_policies: Allow scorecards of several policies (a promotion in the year: staff
            from January to June, leader from July) when they share the scale, the bands and
            the rounding; the result names the latest policy and :attr:`Rollup.policies`
            lists them all. ``policy`` must then be ``None``.
        caps: Rating caps triggered outside the sub-periods given (a reprimand dated in a
            month on leave), merged with the sub-periods' own: Decree 335 Art. 20(4)(c) caps
            the year for discipline *in the evaluation year*, worked month or not.

    Returns:
        A :class:`Rollup`, keeping the sub-period scorecards.

    Raises:
        InputError: no scorecards, scorecards of several people or policies (or, with
            ``across_policies``, of policies whose scale, bands or rounding differ), a
            sub-period outside ``period`` or overlapping another, a ``policy`` that is not
            theirs, or a cap naming a band the policy does not have.

    >>> from kpiscore import Band, Category, Criterion, Measure, Period, Policy, score
    >>> policy = Policy(id="p", name="P", min_worked_share="0.5",
    ...     bands=[Band(id="HT", min_points=0, name="Đạt")],
    ...     categories=[Category(id="c", name="C", criteria=[Criterion(id="x", name="X",
    ...     max_points=100, basis="assessed")])])
    >>> cards = [score(policy, Period.month(2026, m), "nv001",
    ...                measures=[Measure(subject="nv001", criterion="x", value=80)])
    ...          for m in (1, 2, 3, 4, 5)]
    >>> year = rollup(cards, "2026")
    >>> year.total, year.rating, year.unrated
    (Decimal('80.00'), None, 'worked 5 of 12 months, less than the minimum share 0.5')
    """
    period = as_period(period)
    parts = _check_parts(scorecards, period, across_policies=across_policies)
    first, latest = parts[0], parts[-1]
    min_share: Decimal | None = first.min_worked_share
    extra_caps = _check_caps(caps, first)
    if policy is not None:
        if not isinstance(policy, Policy):
            raise InputError(
                f"rollup: policy must be a Policy or None (got {type(policy).__name__} {policy!r})"
            )
        other = next((part for part in parts if part.fingerprint != policy.fingerprint), None)
        if other is not None:
            raise InputError(
                f"rollup: the scorecards were scored under {_policy_label(other)}, not under the"
                f" policy given ({policy.id!r} version {policy.version!r}, fingerprint"
                f" {policy.fingerprint[:12]})"
            )
        min_share = policy.min_worked_share

    # The mean is kept as a fraction and rounded once, so a tie is recognised as a tie.
    with exact():
        sum_of_totals = sum((part.total for part in parts), _ZERO)
    total = quantize_fraction(Fraction(sum_of_totals) / len(parts), first.precision, first.rounding)

    months = _whole_months(period)
    part_months = [_whole_months(part.period) for part in parts]
    worked_unit: Literal["months", "days"]
    if months is not None and all(count is not None for count in part_months):
        worked_unit = "months"
        worked, possible = sum(count or 0 for count in part_months), months
    else:
        worked_unit = "days"
        worked, possible = sum(part.period.days for part in parts), period.days

    bands = first.bands
    score_rating = _rating_for(bands, total)
    unrated: str | None = None
    rating: str | None = score_rating
    if min_share is not None and Fraction(worked, possible) < Fraction(min_share) and bands:
        unrated = (
            f"worked {worked} of {possible} {worked_unit}, less than the minimum share"
            f" {canonical(min_share)}"
        )
        rating = None
    rating, cap_lines = _carried_caps(parts, bands, rating, extra_caps)
    return Rollup(
        subject=first.subject,
        person=latest.person,
        period=period,
        policy_id=latest.policy_id,
        policy_version=latest.policy_version,
        fingerprint=latest.fingerprint,
        precision=first.precision,
        rounding=first.rounding,
        total=total,
        sum_of_totals=sum_of_totals,
        max_total=first.max_total,
        score_rating=score_rating,
        rating=rating,
        bands=bands,
        caps=cap_lines,
        parts=parts,
        worked=worked,
        possible=possible,
        worked_unit=worked_unit,
        min_worked_share=min_share,
        unrated=unrated,
    )


# --------------------------------------------------------------------------- many people


@attrs.frozen(kw_only=True, eq=False)
class RollupTable(PolicyTable, SubjectTable[Rollup]):
    """The roll-ups of a population for one period, in population order.

    Iterate it for the :class:`Rollup` objects, index it by subject id, ``len()`` counts them.
    A table rolled up from ``score_frame`` tables holds integer columns
    (:class:`kpiscore.cycle.columns.RollupColumns`): its totals, ratings, rows, distribution
    and quotas come from them, and a :class:`Rollup` (with its sub-period scorecards and its
    explanation) is built only for a person asked for (``table[s]``, kept) or while iterating
    (not kept, so iterating a large table does not hold every scorecard).

    Attributes:
        policy: The policy every table was scored under.
        period: The period rolled up to.
        notes: How the table was computed, when it matters (from the columns; the sub-period
            tables' own notes).
    """

    json_key: ClassVar[str] = "rollups"
    head_note: ClassVar[str] = " (rolled up)"
    _lookup_names: ClassVar[tuple[str, str, str]] = ("roll-up table", "result", "subjects")

    policy: Policy = attrs.field(repr=lambda p: repr(p.id))
    period: Period
    _rollups: tuple[Rollup, ...] | None = attrs.field(default=None, alias="rollups", repr=False)
    _columns: RollupColumns | None = attrs.field(default=None, alias="columns", repr=False)
    notes: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self._rollups is None and self._columns is None:
            raise InputError("roll-up table: give rollups or columns (got neither)")

    def __repr__(self) -> str:
        return (
            f"RollupTable(policy={self.policy.id!r}, period={self.period!r},"
            f" rollups=<{len(self)} roll-ups>)"
        )

    @cached_property
    def _index(self) -> dict[str, int]:
        return {subject: i for i, subject in enumerate(self.subjects)}

    @cached_property
    def _built(self) -> dict[int, Rollup]:
        return {}

    def _at(self, position: int, *, keep: bool = True) -> Rollup:
        if self._rollups is not None:
            return self._rollups[position]
        built = self._built.get(position)
        if built is not None:
            return built
        columns = self._columns
        if columns is None:  # pragma: no cover - refused at construction
            raise InputError("roll-up table: no rollups and no columns")
        result = rollup(columns.parts(position), self.period, policy=self.policy)
        if columns.adjust is not None:
            result = columns.adjust(position, result)
        if keep:
            self._built[position] = result
        return result

    @property
    def rollups(self) -> tuple[Rollup, ...]:
        """Every roll-up, in population order (each built on this read, for a columnar
        table)."""
        if self._rollups is not None:
            return self._rollups
        return tuple(self)

    def __iter__(self) -> Iterator[Rollup]:
        if self._rollups is not None:
            return iter(self._rollups)
        return (self._at(position, keep=False) for position in range(len(self)))

    def __len__(self) -> int:
        if self._rollups is not None:
            return len(self._rollups)
        return len(self.subjects)

    def __contains__(self, subject: object) -> bool:
        try:
            return subject in self._index
        except TypeError:
            return False

    @cached_property
    def subjects(self) -> tuple[str, ...]:
        """The subject ids, in population order."""
        if self._columns is not None and self._rollups is None:
            return self._columns.subjects
        return tuple(result.subject for result in self.rollups)

    def totals(self) -> tuple[Decimal, ...]:
        """Every rolled-up total, in population order (no roll-up is built for this)."""
        columns = self._columns
        if columns is not None and self._rollups is None:
            k = -columns.exponent
            return tuple(Decimal(value).scaleb(k, EXACT) for value in columns.total_units.tolist())
        return tuple(result.total for result in self.rollups)

    def ratings(self) -> tuple[str | None, ...]:
        """Every rating after caps and adjustments, in population order."""
        columns = self._columns
        if columns is not None and self._rollups is None:
            bands = [band.id for band in self.policy.bands_descending]
            return tuple(None if r < 0 else bands[r] for r in columns.rank.tolist())
        return tuple(result.rating for result in self.rollups)

    def distribution(self) -> dict[str | None, int]:
        """How many people got each rating, every band listed (highest first), zeros included;
        ``None`` counts the people not rated (or everyone, when the policy has no bands)."""
        counts: dict[str | None, int] = {band.id: 0 for band in self.policy.bands_descending}
        for rating in self.ratings():
            counts[rating] = counts.get(rating, 0) + 1
        return counts

    def sub_periods(self) -> list[Period]:
        """Every sub-period worked by anyone, in date order (each a column of :meth:`to_rows`)."""
        if self._columns is not None and self._rollups is None:
            return self._columns.sub_periods()
        found = {part.period for result in self.rollups for part in result.parts}
        return sorted(found, key=lambda period: (period.start, period.end))

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per person: id, attributes, time worked, the total of each sub-period (a
        column per sub-period, named by its label, empty where the person did not work it), the
        period's total, ratings (exact values)."""
        columns = self._columns
        if columns is not None and self._rollups is None:
            return columns.rows()
        labels = [period.label for period in self.sub_periods()]
        return [_row(result, labels) for result in self.rollups]

    def head_rows(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` rows; a columnar table builds no roll-up for them."""
        columns = self._columns
        if columns is not None and self._rollups is None:
            return columns.rows(count)
        labels = [period.label for period in self.sub_periods()]
        return [_row(result, labels) for result in self.rollups[:count]]

    def results(self) -> Iterable[Rollup]:
        """The roll-ups (for the JSON document)."""
        return iter(self)


def _row(result: Rollup, labels: list[str]) -> dict[str, Any]:
    totals = {part.period.label: part.total for part in result.parts}
    return {
        **row_head(result),
        "parts": len(result.parts),
        "worked": result.worked,
        "possible": result.possible,
        "worked_unit": result.worked_unit,
        **{label: totals.get(label) for label in labels},
        "total": result.total,
        "score_rating": result.score_rating,
        "rating": result.rating,
        "unrated": result.unrated,
    }


def _columnar(ordered: list[ScoreTable], period: Period, policy: Policy) -> RollupTable | None:
    """The roll-up from the tables' integer columns, when every table has them (tables
    from ``score_frame``); ``None`` otherwise."""
    if any(table._cards is not None or table._columns is None for table in ordered):
        return None
    from kpiscore.cycle.columns import RollupColumns, figures_of

    figures = [figures_of(table) for table in ordered]
    if any(store is None for store in figures):
        return None
    stores = [store for store in figures if store is not None]
    if any(store.compiled.policy.fingerprint != policy.fingerprint for store in stores):
        return None
    columns = RollupColumns(policy, period, stores, policy.rounding)
    notes = (
        (
            "the roll-up was computed from the tables' integer columns (the mean of the"
            " sub-period totals rounded once, time worked, carried caps); a person's Rollup"
            " and its explanation are built from the exact scorecards when asked for"
        ),
        *(f"{table.period.label}: {note}" for table in ordered for note in table.notes),
    )
    return RollupTable(policy=policy, period=period, columns=columns, notes=notes)


def rollup_many(
    tables: Iterable[ScoreTable], period: Period | str, *, across_policies: bool = False
) -> RollupTable:
    """Roll whole populations up: one :class:`Rollup` per person found in the tables.

    Each table holds one sub-period's scorecards (from :func:`kpiscore.score_many`); a person
    missing from a table did not work that sub-period. The policy's ``min_worked_share``
    applies.

    Args:
        tables: Score tables of one policy for sub-periods inside ``period`` that do not
            overlap, in any order.
        period: The period to roll up to.
        across_policies: Allow tables (and people) scored under several policies sharing the
            scale, bands and rounding, as :func:`rollup` does; the table's ``policy`` is then
            the first table's.

    Returns:
        A :class:`RollupTable`; people in the order they first appear, the tables taken in date
        order.

    Raises:
        InputError: no tables, tables of different policies, sub-periods outside ``period`` or
            overlapping.

    >>> from kpiscore import Category, Criterion, Period, Policy, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> tables = [score_many(policy, Period.quarter(2026, q), ["a", "b"]) for q in (1, 2, 3, 4)]
    >>> [(r.subject, r.total) for r in rollup_many(tables, "2026")]
    [('a', Decimal('10.00')), ('b', Decimal('10.00'))]
    """
    period = as_period(period)
    checked: list[ScoreTable] = _facts(tables, ScoreTable, "rollup_many: tables")
    if not checked:
        raise InputError(
            f"rollup_many: no tables to roll up to {period.label}; expected at least one"
        )
    policy = checked[0].policy
    for table in checked[1:]:
        if table.policy.fingerprint != policy.fingerprint and not across_policies:
            raise InputError(
                f"rollup_many: the table for {table.period.label} was scored under policy"
                f" {table.policy.id!r} version {table.policy.version!r}, the one for"
                f" {checked[0].period.label} under {policy.id!r} version {policy.version!r};"
                " expected one policy"
            )
    ordered = sorted(checked, key=lambda table: (table.period.start, table.period.end))
    for table in ordered:
        if not period.contains_period(table.period):
            raise InputError(
                f"rollup_many: the table for {table.period.label} is not inside the period"
                f" {period.label}"
            )
    for earlier, later in itertools.pairwise(ordered):
        if later.period.start <= earlier.period.end:
            raise InputError(
                f"rollup_many: the tables for {earlier.period.label} and {later.period.label}"
                " overlap; expected sub-periods that do not overlap"
            )
    if not across_policies:
        columnar = _columnar(ordered, period, policy)
        if columnar is not None:
            return columnar
    by_subject: dict[str, list[Scorecard]] = {}
    for table in ordered:
        for card in table:
            by_subject.setdefault(card.subject, []).append(card)
    results = tuple(
        rollup(cards, period, across_policies=True)
        if across_policies
        else rollup(cards, period, policy=policy)
        for cards in by_subject.values()
    )
    return RollupTable(policy=policy, period=period, rollups=results)
