"""The exact engine: the worked examples of the core issue, and the rules of DESIGN.md section 4."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    InputErrorGroup,
    Measure,
    MissingInputError,
    Period,
    PeriodError,
    Person,
    Policy,
    RatingCap,
    UnknownSubjectError,
    score,
    score_many,
)

Q1 = Period.quarter(2026, 1)
BANDS = [
    Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ", name_en="Excellent"),
    Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ", name_en="Good"),
    Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ", name_en="Completed"),
    Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ", name_en="Not completed"),
]


def training(**kwargs: object) -> Criterion:
    return Criterion(
        id="training",
        name="Training attendance",
        max_points=15,
        deductions=[Deduction(on="training_absence", points=2)],
        **kwargs,  # type: ignore[arg-type]
    )


def single(criterion: Criterion, **kwargs: object) -> Policy:
    return Policy(
        id="single",
        name="Single criterion",
        categories=[Category(id="soft", name="Soft", criteria=[criterion])],
        **kwargs,  # type: ignore[arg-type]
    )


def absences(count: int, *, excused: int = 0, subject: str = "nv001") -> list[Event]:
    return [
        Event(
            subject=subject,
            kind="training_absence",
            on=date(2026, 1, 5 + day),
            excused=day < excused,
        )
        for day in range(count)
    ]


class TestTrainingCriterion:
    """Worked example 1: 15 points, −2 per unexcused absence."""

    @pytest.mark.parametrize(
        ("count", "excused", "expected"),
        [
            pytest.param(0, 0, Decimal("15.00"), id="no-absence"),
            pytest.param(3, 0, Decimal("9.00"), id="three-absences"),
            pytest.param(8, 0, Decimal("0.00"), id="eight-absences-floor"),
            pytest.param(3, 1, Decimal("11.00"), id="three-one-excused"),
        ],
    )
    def test_points(self, count: int, excused: int, expected: Decimal) -> None:
        card = score(single(training()), Q1, "nv001", events=absences(count, excused=excused))

        assert expected == card.criterion("training").points
        assert expected == card.total

    def test_floor_absorbs_what_exceeds_the_criterion(self) -> None:
        line = (
            score(single(training()), Q1, "nv001", events=absences(8))
            .criterion("training")
            .rules[0]
        )

        assert (Decimal(-16), Decimal(-15), Decimal(1), "floor") == (
            line.requested,
            line.applied,
            line.absorbed,
            line.absorbed_by,
        )

    def test_excused_events_are_listed_as_exempted_and_not_counted(self) -> None:
        line = (
            score(single(training()), Q1, "nv001", events=absences(3, excused=1))
            .criterion("training")
            .rules[0]
        )

        assert (2, 1, Decimal(-4)) == (len(line.events), len(line.exempted), line.applied)
        assert all(event.excused for event in line.exempted)

    def test_explain_shows_request_application_and_floor(self) -> None:
        text = score(single(training()), Q1, "nv001", events=absences(8)).explain("en")

        assert (
            "deduction training_absence: 8 times × −2 = −16 requested;"
            " 1 absorbed by the floor (0); −15 applied"
        ) in text

    def test_explain_in_vietnamese(self) -> None:
        text = score(single(training()), Q1, "nv001", events=absences(8)).explain("vi")

        assert "trừ điểm training_absence: 8 lần × −2 = −16 yêu cầu" in text
        assert "1 bị sàn (0) hấp thụ" in text


class TestCarriedOverflow:
    """Worked example 2: Ho Chi Minh City's carry of what the floor absorbed."""

    def policy(self, overflow: str) -> Policy:
        other = Category(
            id="rest",
            name="Rest",
            criteria=[Criterion(id="work", name="Work", max_points=85, basis="assessed")],
        )
        soft = Category(id="soft", name="Soft", criteria=[training(overflow=overflow)])
        return Policy(id="hcm", name="HCM", categories=[other, soft], bands=BANDS)

    def test_carry_deducts_the_absorbed_point_from_the_total(self) -> None:
        card = score(
            self.policy("carry"),
            Q1,
            "nv001",
            events=absences(8),
            measures=[Measure(subject="nv001", criterion="work", value=80)],
        )

        assert (Decimal("80.00"), Decimal("0.00"), Decimal("1.00"), Decimal("79.00")) == (
            card.category("rest").points,
            card.category("soft").points,
            card.carried,
            card.total,
        )
        assert Decimal(1) == card.criterion("training").rules[0].carried

    def test_absorb_loses_the_absorbed_point(self) -> None:
        card = score(
            self.policy("absorb"),
            Q1,
            "nv001",
            events=absences(8),
            measures=[Measure(subject="nv001", criterion="work", value=80)],
        )

        assert (Decimal("0.00"), Decimal("80.00")) == (card.carried, card.total)

    def test_total_is_clamped_at_zero_and_the_ledger_says_how_much(self) -> None:
        policy = Policy(
            id="tiny",
            name="Tiny",
            categories=[
                Category(
                    id="soft",
                    name="Soft",
                    criteria=[
                        Criterion(
                            id="training",
                            name="Training",
                            max_points=2,
                            overflow="carry",
                            deductions=[Deduction(on="training_absence", points=2)],
                        )
                    ],
                )
            ],
        )
        card = score(policy, Q1, "nv001", events=absences(3))

        assert (Decimal("0.00"), Decimal("4.00"), Decimal("4.00")) == (
            card.total,
            card.carried,
            card.clamped,
        )


def task_policy(**kwargs: object) -> Policy:
    return Policy(
        id="task",
        name="Task",
        categories=[
            Category(
                id="task",
                name="Task results",
                max_points=70,
                criteria=[
                    Criterion(id=c, name=c, max_points=100, basis="ratio")
                    for c in ("quantity", "quality", "on_time")
                ],
            )
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def ratios(*values: str, subject: str = "nv001") -> list[Measure]:
    ids = ("quantity", "quality", "on_time")
    return [
        Measure(subject=subject, criterion=c, value=v) for c, v in zip(ids, values, strict=False)
    ]


class TestWeightedCategory:
    """Worked example 3: a 70-point category over three ratio criteria."""

    def test_mean_ratio_times_seventy_rounded_half_up(self) -> None:
        card = score(task_policy(), Q1, "nv001", measures=ratios("0.9", "0.875", "0.825"))

        assert Decimal("60.67") == card.category("task").points

    @pytest.mark.parametrize(
        ("rounding", "expected"),
        [
            pytest.param("ROUND_HALF_UP", Decimal("60.67"), id="half-up"),
            pytest.param("ROUND_DOWN", Decimal("60.66"), id="down"),
            pytest.param("ROUND_CEILING", Decimal("60.67"), id="ceiling"),
            pytest.param("ROUND_FLOOR", Decimal("60.66"), id="floor"),
        ],
    )
    def test_rounding_mode_is_the_policy_s(self, rounding: str, expected: Decimal) -> None:
        card = score(
            task_policy(rounding=rounding), Q1, "nv001", measures=ratios("0.9", "0.875", "0.825")
        )

        assert expected == card.total

    @pytest.mark.parametrize(
        ("rounding", "expected"),
        [
            pytest.param("ROUND_HALF_UP", Decimal("0.13"), id="half-up"),
            pytest.param("ROUND_HALF_EVEN", Decimal("0.12"), id="half-even"),
            pytest.param("ROUND_HALF_DOWN", Decimal("0.12"), id="half-down"),
            pytest.param("ROUND_05UP", Decimal("0.12"), id="05up"),
            pytest.param("ROUND_UP", Decimal("0.13"), id="up"),
        ],
    )
    def test_an_exact_tie_is_rounded_by_the_mode(self, rounding: str, expected: Decimal) -> None:
        # A 1-point category over one criterion of 8 points scored 1: exactly 0.125.
        policy = Policy(
            id="tie",
            name="Tie",
            rounding=rounding,
            categories=[
                Category(
                    id="c",
                    name="C",
                    max_points=1,
                    criteria=[Criterion(id="x", name="X", max_points=8, basis="assessed")],
                )
            ],
        )
        card = score(policy, Q1, "a", measures=[Measure(subject="a", criterion="x", value=1)])

        assert expected == card.total

    def test_explicit_weights(self) -> None:
        policy = Policy(
            id="w",
            name="W",
            categories=[
                Category(
                    id="task",
                    name="Task",
                    max_points=70,
                    weights={"quantity": 2, "quality": 1, "on_time": 1},
                    criteria=[
                        Criterion(id=c, name=c, max_points=100, basis="ratio")
                        for c in ("quantity", "quality", "on_time")
                    ],
                )
            ],
        )
        card = score(policy, Q1, "nv001", measures=ratios("1", "0.5", "0.5"))

        # 70 × (2×1 + 0.5 + 0.5) / 4 = 52.5
        assert Decimal("52.50") == card.total

    def test_unweighted_category_is_the_plain_sum(self) -> None:
        policy = Policy(
            id="sum",
            name="Sum",
            categories=[
                Category(
                    id="general",
                    name="General",
                    criteria=[
                        Criterion(id=c, name=c, max_points=10, basis="assessed")
                        for c in ("a", "b", "c")
                    ],
                )
            ],
        )
        measures = [
            Measure(subject="x", criterion=c, value=v)
            for c, v in (("a", "9.5"), ("b", "8.25"), ("c", "10"))
        ]

        assert Decimal("27.75") == score(policy, Q1, "x", measures=measures).total


class TestThreeGroups:
    """Worked example 4: spearhead / hard / soft groups of 50, 30 and 20 points."""

    def test_total_is_the_sum_of_the_groups(self) -> None:
        def group(cid: str, maximum: int) -> Category:
            return Category(
                id=cid,
                name=cid,
                criteria=[
                    Criterion(id=f"{cid}_score", name=cid, max_points=maximum, basis="assessed")
                ],
            )

        policy = Policy(
            id="groups",
            name="Groups",
            scale=100,
            categories=[group("spearhead", 50), group("hard", 30), group("soft", 20)],
        )
        measures = [
            Measure(subject="nv001", criterion=f"{cid}_score", value=v)
            for cid, v in (("spearhead", 40), ("hard", 30), ("soft", 15))
        ]
        card = score(policy, Q1, "nv001", measures=measures)

        assert (Decimal("85.00"), Decimal(100)) == (card.total, card.max_total)


def assessed_policy(**kwargs: object) -> Policy:
    return Policy(
        id="bands",
        name="Bands",
        categories=[
            Category(
                id="all",
                name="All",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        bands=BANDS,
        **kwargs,  # type: ignore[arg-type]
    )


def assessed(value: str, subject: str = "nv001") -> list[Measure]:
    return [Measure(subject=subject, criterion="x", value=value)]


class TestBands:
    """Worked example 5: the national bands 90 / 70 / 50 / 0, inclusive lower bounds."""

    @pytest.mark.parametrize(
        ("total", "rating"),
        [
            pytest.param("90", "HTXS", id="90-HTXS"),
            pytest.param("89.99", "HTT", id="89.99-HTT"),
            pytest.param("70", "HTT", id="70-HTT"),
            pytest.param("50", "HT", id="50-HT"),
            pytest.param("49.99", "KHT", id="49.99-KHT"),
            pytest.param("0", "KHT", id="0-KHT"),
            pytest.param("100", "HTXS", id="100-HTXS"),
        ],
    )
    def test_rating(self, total: str, rating: str) -> None:
        assert rating == score(assessed_policy(), Q1, "nv001", measures=assessed(total)).rating

    def test_bands_apply_to_the_reported_total(self) -> None:
        # 89.995 rounds half-up to 90.00, and the band follows the reported figure.
        card = score(assessed_policy(), Q1, "nv001", measures=assessed("89.995"))

        assert (Decimal("90.00"), "HTXS") == (card.total, card.rating)

    def test_no_bands_means_no_rating(self) -> None:
        assert score(single(training()), Q1, "nv001").rating is None


class TestRatingCaps:
    """Worked example 6: a reprimand caps the rating, not the score."""

    def policy(self) -> Policy:
        return assessed_policy(caps=[RatingCap(on="reprimand", at_most="KHT")])

    def test_reprimand_caps_rating_and_keeps_total(self) -> None:
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 3, 2))
        card = score(self.policy(), Q1, "nv001", events=[reprimand], measures=assessed("93"))

        assert (Decimal("93.00"), "HTXS", "KHT") == (card.total, card.score_rating, card.rating)
        assert card.caps[0].lowered

    def test_excused_reprimand_does_not_cap(self) -> None:
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 3, 2), excused=True)
        card = score(self.policy(), Q1, "nv001", events=[reprimand], measures=assessed("93"))

        assert "HTXS" == card.rating
        assert (False, 1) == (card.caps[0].lowered, len(card.caps[0].exempted))

    def test_a_cap_never_raises_a_rating(self) -> None:
        policy = assessed_policy(caps=[RatingCap(on="warning", at_most="HT")])
        warning = Event(subject="nv001", kind="warning", on=date(2026, 3, 2))
        card = score(policy, Q1, "nv001", events=[warning], measures=assessed("20"))

        assert "KHT" == card.rating

    def test_several_caps_give_the_lowest(self) -> None:
        policy = assessed_policy(
            caps=[
                RatingCap(on="warning", at_most="HT"),
                RatingCap(on="reprimand", at_most="KHT"),
            ]
        )
        events = [
            Event(subject="nv001", kind="warning", on=date(2026, 3, 2)),
            Event(subject="nv001", kind="reprimand", on=date(2026, 3, 3)),
        ]

        assert "KHT" == score(policy, Q1, "nv001", events=events, measures=assessed("95")).rating

    def test_event_outside_the_period_does_not_cap(self) -> None:
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 4, 1))
        card = score(self.policy(), Q1, "nv001", events=[reprimand], measures=assessed("93"))

        assert ("HTXS", ()) == (card.rating, card.caps)


class TestRules:
    def test_per_unit_deduction_multiplies_quantity(self) -> None:
        criterion = Criterion(
            id="approval",
            name="Approvals",
            max_points=20,
            deductions=[Deduction(on="late_approval", points="1.5", per="unit")],
        )
        events = [
            Event(subject="a", kind="late_approval", on=date(2026, 1, 9), quantity=3),
            Event(subject="a", kind="late_approval", on=date(2026, 2, 9), quantity="0.5"),
        ]
        card = score(single(criterion), Q1, "a", events=events)

        assert (Decimal("-5.25"), Decimal("14.75")) == (
            card.criterion("approval").rules[0].applied,
            card.total,
        )

    def test_limit_caps_the_rule_total(self) -> None:
        criterion = Criterion(
            id="training",
            name="Training",
            max_points=15,
            deductions=[Deduction(on="training_absence", points=2, limit=5)],
        )
        line = (
            score(single(criterion), Q1, "nv001", events=absences(4)).criterion("training").rules[0]
        )

        assert (Decimal(-8), Decimal(3), Decimal(-5)) == (
            line.requested,
            line.limited,
            line.applied,
        )

    def test_award_cannot_lift_above_the_maximum(self) -> None:
        criterion = Criterion(
            id="initiative",
            name="Initiative",
            max_points=5,
            basis="zero",
            awards=[Award(on="initiative", points=2)],
        )
        events = [Event(subject="a", kind="initiative", on=date(2026, 1, d)) for d in (5, 6, 7)]
        card = score(single(criterion), Q1, "a", events=events)
        line = card.criterion("initiative").rules[0]

        assert (Decimal("5.00"), Decimal(6), Decimal(5), Decimal(1), "max") == (
            card.total,
            line.requested,
            line.applied,
            line.absorbed,
            line.absorbed_by,
        )

    def test_awards_and_deductions_net_before_the_clamp(self) -> None:
        criterion = Criterion(
            id="mixed",
            name="Mixed",
            max_points=10,
            deductions=[Deduction(on="late", points=3)],
            awards=[Award(on="initiative", points=2)],
        )
        events = [
            Event(subject="a", kind="late", on=date(2026, 1, 5)),
            Event(subject="a", kind="initiative", on=date(2026, 1, 6)),
        ]
        # raw = 10 + 2 − 3 = 9: the award is not lost to the maximum first.
        assert Decimal("9.00") == score(single(criterion), Q1, "a", events=events).total

    def test_floor_absorption_is_taken_from_the_last_rule(self) -> None:
        criterion = Criterion(
            id="discipline",
            name="Discipline",
            max_points=10,
            deductions=[Deduction(on="late", points=4), Deduction(on="absent", points=4)],
        )
        events = [
            Event(subject="a", kind="late", on=date(2026, 1, 5)),
            Event(subject="a", kind="late", on=date(2026, 1, 6)),
            Event(subject="a", kind="absent", on=date(2026, 1, 7)),
        ]
        late, absent = (
            score(single(criterion), Q1, "a", events=events).criterion("discipline").rules
        )

        assert ((Decimal(-8), Decimal(0)), (Decimal(-2), Decimal(2))) == (
            (late.applied, late.absorbed),
            (absent.applied, absent.absorbed),
        )

    def test_negative_floor_allows_negative_points(self) -> None:
        criterion = Criterion(
            id="training",
            name="Training",
            max_points=15,
            floor=-5,
            deductions=[Deduction(on="training_absence", points=2)],
        )
        card = score(single(criterion), Q1, "nv001", events=absences(12))

        assert (Decimal("-5.00"), Decimal("0.00"), Decimal("5.00")) == (
            card.criterion("training").points,
            card.total,
            card.clamped,
        )

    def test_floor_above_zero_raises_a_low_start(self) -> None:
        criterion = Criterion(id="base", name="Base", max_points=10, basis="zero", floor=2)
        result = score(single(criterion), Q1, "a").criterion("base")

        assert (Decimal("2.00"), Decimal(2)) == (result.points, result.raised_by_floor)


class TestMeasures:
    def test_assessed_outside_range_is_an_error(self) -> None:
        with pytest.raises(InputError) as caught:
            score(assessed_policy(), Q1, "nv001", measures=assessed("101"))

        assert str(caught.value) == (
            "policy 'bands': measure for criterion 'x' of subject 'nv001':"
            " value must lie in [0, 100] (got 101)"
        )

    def test_ratio_above_one_is_an_error(self) -> None:
        with pytest.raises(InputError, match=r"value must be a ratio in \[0, 1\] \(got 1.2\)"):
            score(task_policy(), Q1, "nv001", measures=ratios("1.2", "1", "1"))

    def test_ratio_above_one_is_capped_when_the_criterion_says_so(self) -> None:
        policy = single(Criterion(id="q", name="Q", max_points=10, basis="ratio", ratio_cap=True))
        card = score(policy, Q1, "a", measures=[Measure(subject="a", criterion="q", value="1.3")])
        result = card.criterion("q")

        assert (Decimal("10.00"), True, Decimal("1.3")) == (
            result.points,
            result.ratio_capped,
            result.measure,
        )
        assert "ratio 1.3 above 1, counted as 1" in card.explain("en")

    def test_negative_ratio_is_an_error(self) -> None:
        with pytest.raises(InputError, match="ratio in"):
            score(task_policy(), Q1, "nv001", measures=ratios("-0.1", "1", "1"))

    def test_missing_measure_is_an_error_by_default(self) -> None:
        with pytest.raises(MissingInputError) as caught:
            score(task_policy(), Q1, "nv001", measures=ratios("1", "1"))

        assert str(caught.value).startswith(
            "policy 'task': no measure for criterion 'on_time' of subject 'nv001'"
        )

    def test_missing_measure_counts_as_zero(self) -> None:
        card = score(task_policy(missing="zero"), Q1, "nv001", measures=ratios("1", "1"))

        assert (Decimal("46.67"), "zero") == (card.total, card.criterion("on_time").missing)

    def test_missing_measure_is_excluded_and_the_category_renormalises(self) -> None:
        card = score(task_policy(missing="exclude"), Q1, "nv001", measures=ratios("1", "0.5"))

        assert (Decimal("52.50"), True) == (card.total, card.criterion("on_time").excluded)

    def test_category_with_nothing_left_is_an_error(self) -> None:
        with pytest.raises(MissingInputError) as caught:
            score(task_policy(missing="exclude"), Q1, "nv001")

        assert "category 'task' has no criterion left to score for subject 'nv001'" in str(
            caught.value
        )

    def test_measure_for_an_unknown_criterion_is_an_error(self) -> None:
        with pytest.raises(InputError, match="names criterion 'quantty'"):
            score(
                task_policy(),
                Q1,
                "nv001",
                measures=[
                    *ratios("1", "1", "1"),
                    Measure(subject="nv001", criterion="quantty", value=1),
                ],
            )

    def test_measure_for_a_criterion_without_measure_is_an_error(self) -> None:
        with pytest.raises(InputError, match="takes no measure"):
            score(
                single(training()),
                Q1,
                "nv001",
                measures=[Measure(subject="nv001", criterion="training", value=3)],
            )

    def test_two_measures_for_one_criterion_are_an_error(self) -> None:
        with pytest.raises(InputError, match="two measures for criterion 'quantity'"):
            score(task_policy(), Q1, "nv001", measures=[*ratios("1", "1", "1"), *ratios("0.5")])


class TestScoreArguments:
    def test_facts_of_other_subjects_and_dates_are_ignored(self) -> None:
        events = [
            *absences(3, subject="nv002"),
            Event(subject="nv001", kind="training_absence", on=date(2025, 12, 31)),
        ]

        assert Decimal("15.00") == score(single(training()), Q1, "nv001", events=events).total

    def test_period_label_is_accepted(self) -> None:
        assert score(single(training()), "2026-Q1", "nv001").period == Q1

    def test_person_is_kept_on_the_scorecard(self) -> None:
        person = Person(id="nv001", name="Nguyễn Văn An", unit="Phòng Tổ chức")
        card = score(single(training()), Q1, person)

        assert (person, "nv001") == (card.person, card.subject)

    def test_period_outside_validity_is_an_error(self) -> None:
        policy = single(training(), valid_from=date(2026, 1, 1))

        with pytest.raises(PeriodError) as caught:
            score(policy, Period.quarter(2025, 4), "nv001")

        assert str(caught.value) == (
            "policy 'single': period 2025-Q4 is outside the policy's validity"
            " (2026-01-01 to open-ended)"
        )

    def test_a_non_event_fact_is_an_error(self) -> None:
        with pytest.raises(InputError, match=r"events\[0\] must be a Event"):
            score(single(training()), Q1, "nv001", events=[("nv001", "absence")])  # type: ignore[list-item]

    def test_a_non_policy_is_an_error(self) -> None:
        with pytest.raises(InputError, match="policy must be a Policy"):
            score({"id": "p"}, Q1, "nv001")  # type: ignore[arg-type]

    def test_results_do_not_depend_on_the_caller_s_context(self) -> None:
        facts = absences(3)
        expected = score(task_policy(), Q1, "nv001", measures=ratios("0.9", "0.875", "0.825"))
        with decimal.localcontext() as hostile:
            hostile.prec = 3
            hostile.rounding = decimal.ROUND_FLOOR
            hostile.traps[decimal.Inexact] = True
            actual = score(task_policy(), Q1, "nv001", measures=ratios("0.9", "0.875", "0.825"))
            assert 3 == decimal.getcontext().prec
        assert expected.to_json() == actual.to_json()
        assert facts  # the facts list is not consumed or changed


class TestScoreMany:
    def test_everyone_in_the_population_gets_a_scorecard(self) -> None:
        table = score_many(single(training()), Q1, ["nv001", "nv002"], events=absences(3))

        assert (["nv001", "nv002"], [Decimal("9.00"), Decimal("15.00")], 2) == (
            [card.subject for card in table],
            [card.total for card in table],
            len(table),
        )

    def test_a_fact_for_someone_outside_the_population_is_an_error(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            score_many(single(training()), Q1, ["nv002"], events=absences(1))

        assert str(caught.value) == (
            "events[0]: event 'training_absence' on 2026-01-05 names subject 'nv001',"
            " who is not in the population scored"
        )

    def test_a_measure_for_someone_outside_the_population_is_an_error(self) -> None:
        # Every such measure is reported, together (issue 16: every problem at once).
        with pytest.raises(InputErrorGroup, match="score_many: 3 problems") as caught:
            score_many(task_policy(), Q1, ["nv002"], measures=ratios("1", "1", "1"))
        problems = caught.value.exceptions
        assert [UnknownSubjectError] * 3 == [type(p) for p in problems]
        assert "measures[0]: measure 'quantity' names subject 'nv001'" in str(problems[0])

    def test_duplicate_people_are_an_error(self) -> None:
        with pytest.raises(InputError, match="person id 'nv001' appears twice"):
            score_many(single(training()), Q1, ["nv001", Person(id="nv001")])

    def test_table_lookup_by_subject(self) -> None:
        table = score_many(single(training()), Q1, ["nv001", "nv002"], events=absences(3))

        assert Decimal("9.00") == table["nv001"].total
        assert "nv003" not in table
        with pytest.raises(UnknownSubjectError, match="no scorecard for subject 'nv003'"):
            table["nv003"]

    def test_distribution_lists_every_band(self) -> None:
        table = score_many(
            assessed_policy(),
            Q1,
            ["a", "b", "c"],
            measures=[*assessed("95", "a"), *assessed("75", "b"), *assessed("91", "c")],
        )

        assert {"HTXS": 2, "HTT": 1, "HT": 0, "KHT": 0} == table.distribution()

    def test_score_many_matches_score(self) -> None:
        events = absences(3) + absences(2, excused=1, subject="nv002")
        table = score_many(single(training()), Q1, ["nv001", "nv002"], events=events)

        for card in table:
            assert card.to_json() == score(single(training()), Q1, card.subject, events).to_json()
