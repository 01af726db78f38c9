"""Invariants of quotas over random populations, readings, roundings and tie rules."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import Adjustment, Period, Person
from kpiscore.model.numbers import ROUNDING_MODES
from kpiscore.quota import BASE_READINGS, allowed_count, apply_quota, plan_quota
from kpiscore.results.scorecard import BandInfo

SETTINGS = settings(max_examples=150, deadline=None)
BANDS = tuple(
    BandInfo(id=band, name=band, name_en=None, min_points=Decimal(low))
    for band, low in (("HTXS", 90), ("HTT", 70), ("HT", 50), ("KHT", 0))
)
RANK = {band.id: rank for rank, band in enumerate(BANDS)}


@attrs.frozen(kw_only=True)
class Result:
    """A roll-up-shaped result: what a quota reads and writes."""

    subject: str
    person: Person
    period: Period
    total: Decimal
    rating: str | None
    score_rating: str | None
    bands: tuple[BandInfo, ...] = BANDS
    adjustments: tuple[Adjustment, ...] = ()


# Few distinct totals, so ties at the cut are common.
TOTALS = st.one_of(
    st.sampled_from(["95", "92.5", "91", "90", "85", "80", "70", "65", "40"]),
    st.decimals(min_value=0, max_value=100, places=2).map(str),
)


@st.composite
def populations(draw: st.DrawFn) -> list[Result]:
    size = draw(st.integers(min_value=0, max_value=30))
    results = []
    for number in range(size):
        total = Decimal(draw(TOTALS)).quantize(Decimal("0.01"))
        earned = next(band.id for band in BANDS if band.min_points <= total)
        capped = draw(st.integers(min_value=0, max_value=9)) == 0
        results.append(
            Result(
                subject=f"nv{number:03d}",
                person=Person(id=f"nv{number:03d}", unit=draw(st.sampled_from(["A", "B"]))),
                period=Period.year(2026),
                total=total,
                rating="KHT" if capped else earned,
                score_rating=earned,
            )
        )
    return results


OPTIONS = st.fixed_dictionaries(
    {
        "base": st.sampled_from(BASE_READINGS),
        "share": st.sampled_from(["0", "0.1", "0.2", "0.25", "0.5", "1"]),
        "rounding": st.sampled_from(ROUNDING_MODES),
        "group_by": st.sampled_from([None, "unit"]),
        "ties": st.sampled_from(["keep_all", "demote_all", "subject"]),
    }
)


def count(results: Any, rating: str, unit: str | None = None) -> int:
    return sum(1 for r in results if r.rating == rating and (unit is None or r.person.unit == unit))


@SETTINGS
@given(populations(), OPTIONS)
def test_a_quota_never_raises_anyone_nor_changes_a_total(
    population: list[Result], options: dict[str, Any]
) -> None:
    """Invariant: every rating after is the one before or exactly one band lower (from the
    limited band to the next); totals, people and order are unchanged."""
    after = apply_quota(population, **options)
    assert [r.subject for r in population] == [r.subject for r in after]
    for old, new in zip(population, after, strict=True):
        assert old.total == new.total
        assert old.person == new.person
        if old.rating == new.rating:
            assert old == new
        else:
            assert ("HTXS", "HTT") == (old.rating, new.rating)
            assert RANK[new.rating] == RANK[old.rating] + 1  # type: ignore[index]
            assert "quota" == new.adjustments[-1].kind


@SETTINGS
@given(populations(), OPTIONS)
def test_a_quota_never_leaves_more_than_the_allowed_count(
    population: list[Result], options: dict[str, Any]
) -> None:
    """Invariant: in each group, at most ``allowed`` keep the rating; only ``keep_all`` may
    keep more, and then only people tied on total with the last one allowed."""
    after = apply_quota(population, **options)
    for plan in plan_quota(population, **options):
        unit = plan.key if options["group_by"] == "unit" else None
        kept = count(after, "HTXS", unit)  # type: ignore[arg-type]
        assert kept == len(plan.kept)
        if kept > plan.allowed:
            assert "keep_all" == options["ties"]
            assert plan.tied
            assert set(plan.kept) - set(plan.tied) <= set(plan.kept[: plan.allowed])


@SETTINGS
@given(populations(), OPTIONS, st.randoms(use_true_random=False))
def test_a_quota_does_not_depend_on_input_order(
    population: list[Result], options: dict[str, Any], rng: random.Random
) -> None:
    """Invariant: shuffling the input gives every person the same rating and ledger."""
    before = {r.subject: r for r in apply_quota(population, **options)}
    shuffled = list(population)
    rng.shuffle(shuffled)
    after = {r.subject: r for r in apply_quota(shuffled, **options)}
    assert before == after


@SETTINGS
@given(populations(), OPTIONS)
def test_applying_a_quota_twice_changes_nothing_more(
    population: list[Result], options: dict[str, Any]
) -> None:
    """Invariant: once applied (without ``keep_all``), the same quota demotes nobody else."""
    if options["ties"] == "keep_all":
        options["ties"] = "demote_all"
    once = apply_quota(population, **options)
    assert once == apply_quota(once, **options)


@SETTINGS
@given(populations(), OPTIONS)
def test_the_final_ratings_satisfy_the_rule_as_read(
    population: list[Result], options: dict[str, Any]
) -> None:
    """Invariant (no ``keep_all``): after the quota, HTXS <= r(share × base) counted on the
    final ratings, with the base read as HTT (fixed_point) or HTT + HTXS (next_and_above)."""
    if options["ties"] == "keep_all":
        options["ties"] = "demote_all"
    after = apply_quota(population, **options)
    units = ["A", "B"] if options["group_by"] == "unit" else [None]
    share = Decimal(options["share"])
    for unit in units:
        htxs, htt = count(after, "HTXS", unit), count(after, "HTT", unit)
        base = {"next": None, "fixed_point": htt, "next_and_above": htt + htxs}[options["base"]]
        if base is not None:
            limit = (share * base).quantize(Decimal(1), rounding=options["rounding"])
            assert htxs <= limit


@SETTINGS
@given(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=200),
    st.sampled_from(["0", "0.1", "0.2", "0.25", "0.5", "1"]),
    st.sampled_from(ROUNDING_MODES),
)
def test_the_fixed_point_lies_between_the_other_readings_and_is_the_largest(
    top: int, next_count: int, share: str, rounding: str
) -> None:
    """Invariant: min(T, next) <= fixed_point <= min(T, next_and_above), and fixed_point k is
    the largest k <= T with k <= r(share × (N + T − k))."""
    counts = {
        base: allowed_count(
            top=top, next_count=next_count, base=base, share=share, rounding=rounding
        )
        for base in BASE_READINGS
    }
    fixed = counts["fixed_point"]
    assert min(top, counts["next"]) <= fixed <= min(top, counts["next_and_above"])

    def rounded(base: int) -> int:
        return int((Decimal(share) * base).quantize(Decimal(1), rounding=rounding))

    assert fixed <= rounded(next_count + top - fixed)
    assert fixed == top or fixed + 1 > rounded(next_count + top - fixed - 1)
