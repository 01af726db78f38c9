"""Quotas on the top rating: base readings, rounding, ties, groups, containers, the ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest

from kpiscore import (
    Adjustment,
    Band,
    Category,
    Criterion,
    Event,
    InputError,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
    Scorecard,
    ScoreTable,
    score_many,
)
from kpiscore.quota import (
    BASE_READINGS,
    DEFAULT_REFERENCE,
    DEFAULT_REFERENCE_VI,
    QuotaGroup,
    allowed_count,
    apply_quota,
    plan_quota,
)
from kpiscore.results.scorecard import BandInfo
from kpiscore.rollup import RollupTable, rollup_many

YEAR = Period.year(2026)
BANDS = [
    Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ", name_en="Excellent"),
    Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ", name_en="Good"),
    Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ", name_en="Completed"),
    Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ", name_en="Not completed"),
]


def policy() -> Policy:
    """One assessed criterion worth 100: a person's total is the points given."""
    return Policy(
        id="quota-test",
        name="Quota test",
        categories=[
            Category(
                id="all",
                name="All",
                criteria=[Criterion(id="points", name="Points", max_points=100, basis="assessed")],
            )
        ],
        bands=BANDS,
        caps=[RatingCap(on="reprimand", at_most="KHT", reference="Decree 335/2025")],
    )


def table(
    points: dict[str, str | int],
    *,
    people: Sequence[Person] | None = None,
    events: Iterable[Event] = (),
) -> ScoreTable:
    subjects: Sequence[Person] = people or [Person(id=s, unit="Phòng A") for s in points]
    return score_many(
        policy(),
        YEAR,
        subjects,
        events=events,
        measures=[Measure(subject=s, criterion="points", value=v) for s, v in points.items()],
    )


def ratings(results: Iterable[Any]) -> dict[str, str]:
    return {result.subject: result.rating for result in results}


def top(results: Iterable[Any]) -> list[str]:
    return [result.subject for result in results if result.rating == "HTXS"]


# The hand-checked group of 30: 8 at 90+, 17 at 70-89.99, 5 below 70.
EIGHT_TOP = {f"x{i:02d}": str(99 - i) for i in range(1, 9)}  # x01 98 … x08 91
SEVENTEEN_GOOD = {f"y{i:02d}": v for i, v in enumerate(["89.99", *range(88, 72, -1)], 1)}
FIVE_BELOW = {"z01": "69.99", "z02": "60", "z03": "55", "z04": "50", "z05": "40"}
THIRTY = {**EIGHT_TOP, **SEVENTEEN_GOOD, **FIVE_BELOW}


class TestAllowedCount:
    @pytest.mark.parametrize(
        ("top", "next_count", "base", "rounding", "expected"),
        [
            (8, 17, "next", "ROUND_DOWN", 3),  # 0.2 × 17 = 3.4
            (8, 17, "fixed_point", "ROUND_DOWN", 4),  # 4 <= 0.2 × 21 = 4.2; 5 > 0.2 × 20
            (8, 17, "next_and_above", "ROUND_DOWN", 5),  # 0.2 × 25 = 5
            (8, 18, "next", "ROUND_HALF_UP", 4),  # 0.2 × 18 = 3.6
            (8, 18, "next", "ROUND_DOWN", 3),
            (8, 17, "next", "ROUND_UP", 4),
            (2, 20, "next", "ROUND_DOWN", 4),  # more than rated: nobody is demoted
            (2, 20, "fixed_point", "ROUND_DOWN", 2),  # the fixed point never exceeds T
            (3, 0, "next", "ROUND_DOWN", 0),
            (3, 0, "fixed_point", "ROUND_DOWN", 0),  # 1 > 0.2 × 2
            (3, 2, "fixed_point", "ROUND_DOWN", 0),  # 1 > 0.2 × 4 = 0.8
            (3, 2, "fixed_point", "ROUND_UP", 1),  # 1 <= up(0.2 × 4) = 1; 2 > up(0.2 × 3)
            (0, 0, "fixed_point", "ROUND_DOWN", 0),
        ],
        ids=[
            "issue-next",
            "issue-fixed-point",
            "issue-next-and-above",
            "half-up-rounds-3.6-to-4",
            "down-rounds-3.6-to-3",
            "up-rounds-3.4-to-4",
            "next-may-exceed-rated",
            "fixed-point-capped-at-rated",
            "no-next-band",
            "fixed-point-no-next-band",
            "fixed-point-small-group",
            "fixed-point-rounding-up",
            "empty",
        ],
    )
    def test_worked_examples(
        self, top: int, next_count: int, base: str, rounding: str, expected: int
    ) -> None:
        assert expected == allowed_count(
            top=top, next_count=next_count, base=base, rounding=rounding
        )

    def test_share_is_a_parameter(self) -> None:
        assert 6 == allowed_count(top=8, next_count=25, base="next", share="0.25")

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            (
                {"share": "1.5"},
                "quota: share must lie between 0 and 1 (got Decimal('1.5'))",
            ),
            (
                {"base": "htt"},
                "quota: base must be one of 'next', 'fixed_point', 'next_and_above' (got 'htt')",
            ),
            (
                {"rounding": "down"},
                (
                    "quota: rounding must be one of 'ROUND_05UP', 'ROUND_CEILING', 'ROUND_DOWN',"
                    " 'ROUND_FLOOR', 'ROUND_HALF_DOWN', 'ROUND_HALF_EVEN', 'ROUND_HALF_UP',"
                    " 'ROUND_UP' (got 'down')"
                ),
            ),
            ({"top": -1}, "quota: top must be a whole number >= 0 (got -1)"),
            ({"next_count": True}, "quota: next_count must be a whole number >= 0 (got True)"),
        ],
        ids=["share", "base", "rounding", "negative-top", "bool-count"],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        arguments: dict[str, Any] = {"top": 8, "next_count": 17, **kwargs}
        with pytest.raises(InputError) as caught:
            allowed_count(**arguments)
        assert message == str(caught.value)


class TestHandCheckedGroupOfThirty:
    """The issue's example: 3, 4 or 5 keep HTXS depending on the base reading."""

    @pytest.mark.parametrize(
        ("base", "kept"),
        [("next", 3), ("fixed_point", 4), ("next_and_above", 5)],
        ids=["next", "fixed-point", "next-and-above"],
    )
    def test_number_who_keep_the_top_rating(self, base: str, kept: int) -> None:
        after = apply_quota(table(THIRTY), base=base)  # type: ignore[call-overload]
        assert list(EIGHT_TOP)[:kept] == top(after)

    @pytest.mark.parametrize("base", BASE_READINGS, ids=list(BASE_READINGS))
    def test_demoted_people_move_to_htt_and_nobody_else_changes(self, base: str) -> None:
        before = table(THIRTY)
        after = apply_quota(before, base=base)  # type: ignore[call-overload]
        for old, new in zip(before, after, strict=True):
            assert old.total == new.total
            if old.rating == "HTXS" and new.rating != "HTXS":
                assert "HTT" == new.rating
            else:
                assert old == new

    def test_the_default_base_is_the_fixed_point(self) -> None:
        assert 4 == len(top(apply_quota(table(THIRTY))))

    def test_the_ledger_line_names_quota_group_base_and_counts(self) -> None:
        after = apply_quota(table(THIRTY), group_by="unit")
        card = after["x05"]
        assert (
            Adjustment(
                kind="quota",
                from_rating="HTXS",
                to_rating="HTT",
                reason=(
                    "quota on HTXS within unit 'Phòng A': at most 20 % of the number rated HTT"
                    " after the quota (demoted people included); base reading 'fixed_point':"
                    " base 21, allowed 4 (the largest k with k <= 0.20 × (17 + 8 − k),"
                    " ROUND_DOWN); 8 rated HTXS; x05 ranked 5 of 8 by total 94.00; moved to HTT"
                ),
                reason_vi=(
                    "tỷ lệ HTXS trong đơn vị 'Phòng A': tối đa 20 % số người xếp loại HTT sau khi"
                    " áp tỷ lệ (kể cả người bị hạ); cách tính 'fixed_point': cơ sở 21, được giữ"
                    " 4; 8 người xếp loại HTXS; x05 xếp thứ 5/8 theo tổng điểm 94,00; chuyển"
                    " xuống HTT"
                ),
                reference=DEFAULT_REFERENCE,
                reference_vi=DEFAULT_REFERENCE_VI,
            ),
        ) == card.adjustments

    def test_the_ledger_line_for_the_next_reading_shows_the_product(self) -> None:
        after = apply_quota(table(THIRTY), base="next")
        assert (
            "quota on HTXS within the whole population: at most 20 % of the number rated HTT"
            " before the quota; base reading 'next': base 17, allowed 3 (0.20 × 17 = 3.40,"
            " ROUND_DOWN); 8 rated HTXS; x08 ranked 8 of 8 by total 91.00; moved to HTT"
        ) == after["x08"].adjustments[0].reason

    def test_the_explanation_shows_the_adjustment(self) -> None:
        card = apply_quota(table(THIRTY))["x08"]
        text = card.explain("en")
        assert "Rating adjusted (quota): HTXS → HTT: quota on HTXS" in text
        assert DEFAULT_REFERENCE in text

    def test_the_json_carries_the_adjustment(self) -> None:
        card = apply_quota(table(THIRTY))["x08"]
        assert "quota" == card.to_dict()["adjustments"][0]["kind"]
        assert "HTXS" == card.score_rating

    def test_a_custom_reference(self) -> None:
        card = apply_quota(table(THIRTY), reference="Quyết định 12/QĐ-UBND")["x08"]
        assert "Quyết định 12/QĐ-UBND" == card.adjustments[0].reference

    def test_share_and_rating_may_be_given_positionally(self) -> None:
        after = apply_quota(table(THIRTY), "HTXS", Decimal("0.25"), base="next")
        assert 4 == len(top(after))  # 0.25 × 17 = 4.25


class TestTies:
    """Four HTXS tied at 92 straddle the cut (HTT 10: allowed 2 under 'next')."""

    POINTS: ClassVar[dict[str, str | int]] = {
        "a": 95,
        "b": 92,
        "c": 92,
        "d": 92,
        **{f"g{i}": 80 for i in range(10)},
    }

    def test_keep_all_keeps_everyone_tied(self) -> None:
        after = apply_quota(table(self.POINTS), base="next", ties="keep_all")
        assert ["a", "b", "c", "d"] == top(after)

    def test_demote_all_demotes_everyone_tied(self) -> None:
        after = apply_quota(table(self.POINTS), base="next", ties="demote_all")
        assert ["a"] == top(after)
        assert (
            "quota on HTXS within the whole population: at most 20 % of the number rated HTT"
            " before the quota; base reading 'next': base 10, allowed 2 (0.20 × 10 = 2.00,"
            " ROUND_DOWN); 4 rated HTXS; b tied at the cut with 3 people on total 92.00,"
            " ties='demote_all'; moved to HTT"
        ) == after["b"].adjustments[0].reason

    def test_demote_all_is_the_default(self) -> None:
        assert ["a"] == top(apply_quota(table(self.POINTS), base="next"))

    def test_a_callable_key_orders_the_tied_people_greatest_first(self) -> None:
        seniority = {"b": 3, "c": 12, "d": 7}
        after = apply_quota(
            table(self.POINTS),
            base="next",
            ties=lambda card: seniority.get(card.subject, 0),
        )
        assert ["a", "c"] == top(after)

    def test_an_attribute_name_key(self) -> None:
        people = [Person(id=s, unit="A", position="cv") for s in self.POINTS]
        people[1] = Person(id="b", unit="A", position="cv3")
        people[2] = Person(id="c", unit="A", position="cv1")
        people[3] = Person(id="d", unit="A", position="cv2")
        after = apply_quota(table(self.POINTS, people=people), base="next", ties="position")
        assert ["a", "b"] == top(after)
        assert "ties='position'" in after["c"].adjustments[0].reason

    def test_a_tie_the_key_does_not_break_is_an_error(self) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(
                table(self.POINTS),
                base="next",
                ties=lambda card: 0 if card.subject == "d" else 1,
            )
        assert (
            "quota: people ['b', 'c'] are tied at the cut on total 92.00 and on the ties key"
            " '<lambda>' (1); expected a key that separates them (input order is never used)"
        ) == str(caught.value)

    def test_a_tie_entirely_below_the_cut_needs_no_rule(self) -> None:
        points: dict[str, str | int] = {"a": 95, "b": 94, "c": 91, "d": 91}
        points.update({f"g{i}": 80 for i in range(10)})
        after = apply_quota(table(points), base="next", ties=lambda card: None)
        assert ["a", "b"] == top(after)

    def test_a_key_giving_none_at_the_cut_is_an_error(self) -> None:
        with pytest.raises(InputError, match=r"the ties key '<lambda>' gave None for 'b'"):
            apply_quota(table(self.POINTS), base="next", ties=lambda card: None)

    def test_a_key_giving_incomparable_values_is_an_error(self) -> None:
        with pytest.raises(InputError, match="gave values that cannot be compared"):
            apply_quota(
                table(self.POINTS),
                base="next",
                ties=lambda card: 1 if card.subject == "b" else "x",
            )

    def test_an_unknown_rule_name_is_an_error_even_without_a_tie(self) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(table({"a": 95, "b": 80}), ties="keep-all")
        assert (
            "quota: ties must be 'keep_all', 'demote_all', an attribute name of the results or"
            " their people, or a callable (got 'keep-all')"
        ) == str(caught.value)

    def test_ties_must_be_a_name_or_a_callable(self) -> None:
        with pytest.raises(InputError, match=r"quota: ties must be .* \(got 3\)"):
            apply_quota(table({"a": 95}), ties=3)  # type: ignore[call-overload]


class TestGroups:
    def people(self) -> list[Person]:
        units = {"a": "A", "b": "A", "c": "B", "d": "B"}
        groups = {"a": "g1", "b": "g2", "c": "g1", "d": "g1"}
        people = [Person(id=s, unit=units[s], group=groups[s]) for s in "abcd"]
        people += [Person(id=f"h{i}", unit="AB"[i % 2], group="g1") for i in range(10)]
        return people

    def points(self) -> dict[str, str | int]:
        return {"a": 95, "b": 94, "c": 93, "d": 92, **{f"h{i}": 80 for i in range(10)}}

    def test_no_grouping_counts_everyone_together(self) -> None:
        # HTT 10: 2 allowed among 4.
        after = apply_quota(table(self.points(), people=self.people()), base="next")
        assert ["a", "b"] == top(after)

    def test_grouping_by_unit(self) -> None:
        # Each unit has 5 HTT: 1 allowed in each.
        after = apply_quota(
            table(self.points(), people=self.people()), base="next", group_by="unit"
        )
        assert ["a", "c"] == top(after)

    def test_grouping_by_several_attributes(self) -> None:
        # (A, g1): a with 5 HTT, allowed 1; (A, g2): b with no HTT, allowed 0; (B, g1): c, d.
        after = apply_quota(
            table(self.points(), people=self.people()),
            base="next",
            group_by=("unit", "group"),
        )
        assert ["a", "c"] == top(after)
        assert "within unit 'A', group 'g2'" in after["b"].adjustments[0].reason

    def test_grouping_by_a_callable(self) -> None:
        after = apply_quota(
            table(self.points(), people=self.people()),
            base="next",
            group_by=lambda card: card.person.unit == "A",
        )
        assert ["a", "c"] == top(after)
        assert "within group True" in after["b"].adjustments[0].reason

    def test_a_person_without_the_attribute_is_an_error(self) -> None:
        people = [Person(id="a", unit="A"), Person(id="b")]
        with pytest.raises(InputError) as caught:
            apply_quota(table({"a": 95, "b": 80}, people=people), group_by="unit")
        assert (
            "quota: person 'b' has no unit; group_by='unit' needs every person to have one"
            " (or pass a callable that decides)"
        ) == str(caught.value)

    def test_an_unknown_attribute_is_an_error(self) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(table({"a": 95}), group_by="department")
        assert (
            "quota: group_by names an unknown person attribute 'department'; expected one of"
            " 'id', 'name', 'unit', 'group', 'position'"
        ) == str(caught.value)

    @pytest.mark.parametrize("group_by", [3, (), ("unit", 3)], ids=["int", "empty", "mixed"])
    def test_a_bad_group_by_is_an_error(self, group_by: Any) -> None:
        with pytest.raises(InputError, match="quota: group_by must be None, a person attribute"):
            apply_quota(table({"a": 95}), group_by=group_by)

    def test_a_callable_returning_an_unhashable_key_is_an_error(self) -> None:
        unhashable: Any = lambda card: [card.person.unit]  # noqa: E731
        with pytest.raises(InputError, match="group_by returned an unhashable list for 'a'"):
            apply_quota(table({"a": 95}), group_by=unhashable)


class TestWhoIsTouched:
    def test_a_capped_person_is_neither_counted_nor_touched(self) -> None:
        # 'a' scores 99 but a reprimand caps the rating at KHT.
        reprimand = Event(subject="a", kind="reprimand", on=date(2026, 3, 1))
        before = table({"a": 99, "b": 95, **{f"g{i}": 80 for i in range(5)}}, events=[reprimand])
        after = apply_quota(before, base="next")
        assert before["a"] == after["a"]
        assert ["b"] == top(after)  # 0.2 × 5 = 1: 'b' keeps HTXS

    def test_people_below_the_top_band_are_never_touched(self) -> None:
        before = table(THIRTY)
        after = apply_quota(before, base="next")
        for subject in [*SEVENTEEN_GOOD, *FIVE_BELOW]:
            assert before[subject] is after[subject]

    def test_a_quota_on_a_lower_band_moves_people_one_band_down(self) -> None:
        after = apply_quota(table({"a": 80, "b": 75, "c": 60}), rating="HTT", share="0.5")
        assert {"a": "HTT", "b": "HT", "c": "HT"} == ratings(after)

    def test_nobody_over_the_quota_means_nothing_changes(self) -> None:
        before = table({"a": 95, **{f"g{i}": 80 for i in range(5)}})
        assert before == apply_quota(before)


class TestContainers:
    def test_a_table_gives_a_new_table_in_the_same_order(self) -> None:
        before = table(THIRTY)
        after = apply_quota(before)
        assert isinstance(after, ScoreTable)
        assert before.subjects == after.subjects
        assert before.policy is after.policy
        assert before.period == after.period
        assert {"HTXS": 4, "HTT": 21, "HT": 4, "KHT": 1} == after.distribution()

    def test_a_list_gives_a_tuple_in_the_same_order(self) -> None:
        cards = list(table(THIRTY))[::-1]
        after = apply_quota(cards)
        assert isinstance(after, tuple)
        assert [card.subject for card in cards] == [card.subject for card in after]
        assert all(isinstance(card, Scorecard) for card in after)

    def test_a_generator_is_accepted(self) -> None:
        after = apply_quota(card for card in table(THIRTY))
        assert 4 == len(top(after))

    def test_empty_input(self) -> None:
        assert () == apply_quota([])
        assert () == plan_quota([])

    def test_roll_up_results_work_unchanged(self) -> None:
        after = apply_quota(year_results(THIRTY), base="next")
        assert isinstance(after[0], YearResult)
        assert list(EIGHT_TOP)[:3] == top(after)
        assert "quota" == after[7].adjustments[-1].kind
        assert "HTXS" == after[7].score_rating

    def test_a_roll_up_table_gives_a_roll_up_table(self) -> None:
        quarters = [
            score_many(
                policy(),
                Period.quarter(2026, q),
                [Person(id=s, unit="Phòng A") for s in THIRTY],
                measures=[
                    Measure(subject=s, criterion="points", value=v) for s, v in THIRTY.items()
                ],
            )
            for q in (1, 2, 3, 4)
        ]
        year = rollup_many(quarters, YEAR)
        after = apply_quota(year, base="next")
        assert isinstance(after, RollupTable)
        assert year.subjects == after.subjects
        assert list(EIGHT_TOP)[:3] == top(after)
        card = after["x08"]
        assert ("HTXS", "HTT", "quota") == (
            card.score_rating,
            card.rating,
            card.adjustments[-1].kind,
        )
        assert "Rating adjusted (quota): HTXS → HTT" in card.explain("en")

    def test_earlier_adjustments_are_kept(self) -> None:
        earlier = Adjustment(kind="appeal", from_rating="HTT", to_rating="HTXS", reason="r")
        results = [attrs.evolve(result, adjustments=(earlier,)) for result in year_results(THIRTY)]
        after = apply_quota(results, base="next")
        assert earlier == after[7].adjustments[0]
        assert "quota" == after[7].adjustments[1].kind

    @pytest.mark.parametrize(
        ("results", "message"),
        [
            (
                "abc",
                "quota: results must be a ScoreTable or an iterable of results (got 'abc')",
            ),
            (
                [object()],
                (
                    "quota: results[0] (object) has no attribute 'subject'; expected a Scorecard"
                    " or a roll-up result (an attrs class with subject, person, total, rating,"
                    " bands and adjustments)"
                ),
            ),
        ],
        ids=["string", "not-a-result"],
    )
    def test_bad_results(self, results: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(results)
        assert message == str(caught.value)

    def test_a_non_attrs_result_is_an_error(self) -> None:
        class Plain:
            subject = "a"
            person = Person(id="a")
            total = Decimal(95)
            rating = "HTXS"
            bands = ()
            adjustments = ()

        with pytest.raises(InputError, match=r"results\[0\] \(Plain\) is not an attrs class"):
            apply_quota([Plain()])

    def test_a_duplicate_subject_is_an_error(self) -> None:
        card = table({"a": 95})["a"]
        with pytest.raises(InputError) as caught:
            apply_quota([card, card])
        assert (
            "quota: subject 'a' appears twice (results[0] and results[1]); expected one result"
            " per person"
        ) == str(caught.value)

    def test_different_periods_are_an_error(self) -> None:
        first = table({"a": 95})["a"]
        other = attrs.evolve(table({"b": 80})["b"], period=Period.year(2025))
        with pytest.raises(InputError) as caught:
            apply_quota([first, other])
        assert (
            "quota: results cover different periods ['2025', '2026']; a quota compares people"
            " rated for the same period"
        ) == str(caught.value)

    def test_different_band_schemes_are_an_error(self) -> None:
        first = table({"a": 95})["a"]
        other = attrs.evolve(table({"b": 80})["b"], bands=first.bands[:3])
        with pytest.raises(InputError, match="quota: results use different bands"):
            apply_quota([first, other])


class TestArguments:
    def test_an_unknown_rating_is_an_error(self) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(table({"a": 95}), rating="XS")
        assert "quota: rating must be one of ['HTXS', 'HTT', 'HT', 'KHT'] (got 'XS')" == str(
            caught.value
        )

    def test_the_lowest_band_cannot_be_limited(self) -> None:
        with pytest.raises(InputError) as caught:
            apply_quota(table({"a": 95}), rating="KHT")
        assert "quota: rating 'KHT' is the lowest band; there is no band to move people to" == str(
            caught.value
        )

    def test_results_without_bands_are_an_error(self) -> None:
        card = attrs.evolve(table({"a": 95})["a"], bands=(), rating=None)
        with pytest.raises(InputError, match="'a' has no bands"):
            apply_quota([card])

    def test_a_bad_reference_is_an_error(self) -> None:
        with pytest.raises(InputError, match="reference must be a string or None"):
            apply_quota(table({"a": 95}), reference=3)  # type: ignore[call-overload]

    def test_a_float_share_is_read_through_its_repr(self) -> None:
        after = apply_quota(table(THIRTY), share=0.2, base="next")
        assert 3 == len(top(after))


class TestPlan:
    def test_the_plan_reports_each_group(self) -> None:
        (group,) = plan_quota(table(THIRTY), group_by="unit")
        assert (
            QuotaGroup(
                key="Phòng A",
                label="unit 'Phòng A'",
                rating="HTXS",
                next_rating="HTT",
                share=Decimal("0.20"),
                base="fixed_point",
                rounding="ROUND_DOWN",
                rated=8,
                next_count=17,
                base_count=21,
                allowed=4,
                kept=("x01", "x02", "x03", "x04"),
                demoted=("x05", "x06", "x07", "x08"),
                tied=(),
                ties="demote_all",
            )
            == group
        )

    def test_the_plan_changes_nothing(self) -> None:
        before = table(THIRTY)
        plan_quota(before)
        assert 8 == len(top(before))

    def test_groups_are_sorted_by_label(self) -> None:
        people = [Person(id=s, unit=u) for s, u in (("a", "Z"), ("b", "B"), ("c", "M"))]
        plans = plan_quota(table({"a": 95, "b": 95, "c": 95}, people=people), group_by="unit")
        assert ["unit 'B'", "unit 'M'", "unit 'Z'"] == [plan.label for plan in plans]

    def test_to_dict(self) -> None:
        (group,) = plan_quota(table(THIRTY), base="next")
        tree = group.to_dict()
        assert {"group": "the whole population", "share": "0.2", "allowed": 3} == {
            key: tree[key] for key in ("group", "share", "allowed")
        }
        assert ["x04", "x05", "x06", "x07", "x08"] == tree["demoted"]


# --------------------------------------------------------------------------- a roll-up stand-in


@attrs.frozen(kw_only=True)
class YearResult:
    """The attributes a roll-up year result exposes (kpiscore.rollup), for testing quotas."""

    subject: str
    person: Person
    period: Period
    total: Decimal
    rating: str | None
    score_rating: str | None
    bands: tuple[BandInfo, ...]
    adjustments: tuple[Adjustment, ...] = ()


def year_results(points: dict[str, str | int]) -> list[YearResult]:
    bands = tuple(
        BandInfo(id=b.id, name=b.name, name_en=b.name_en, min_points=b.min_points) for b in BANDS
    )
    results = []
    for subject, value in points.items():
        total = Decimal(value).quantize(Decimal("0.01"))
        rating = next(band.id for band in bands if band.min_points <= total)
        results.append(
            YearResult(
                subject=subject,
                person=Person(id=subject, unit="Phòng A"),
                period=YEAR,
                total=total,
                rating=rating,
                score_rating=rating,
                bands=bands,
            )
        )
    return results


class TestVietnameseReason:
    def test_explain_in_vietnamese_uses_the_vietnamese_reason(self) -> None:
        from kpiscore import Band, Category, Criterion, Measure, Policy, score_many
        from kpiscore.quota import apply_quota

        policy = Policy(
            id="q",
            name="Q",
            categories=[
                Category(
                    id="c",
                    name="C",
                    criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
                )
            ],
            bands=[
                Band(id="HTXS", min_points=90, name="Xuất sắc"),
                Band(id="HTT", min_points=70, name="Tốt"),
                Band(id="KHT", min_points=0, name="Không"),
            ],
        )
        values = {"a": 95, "b": 92, "c": 80}
        table = score_many(
            policy,
            "2026-Q1",
            list(values),
            measures=[Measure(subject=s, criterion="x", value=v) for s, v in values.items()],
        )
        after = apply_quota(table, base="next")
        card = after["b"]

        assert "HTT" == card.rating
        assert "chuyển xuống HTT" in card.explain("vi")
        assert "moved to HTT" in card.explain("en")
