"""The bundled policies: what ships, their legal references, and hand-checked figures for each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpiscore import Event, Measure, Policy, UnknownPolicyError, policies, score

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026-Q1"
IN_PERIOD = date(2026, 2, 10)


def events(*kinds: str, excused: bool = False, on: date = IN_PERIOD) -> list[Event]:
    return [Event(subject="nv001", kind=kind, on=on, excused=excused) for kind in kinds]


def measures(**values: str) -> list[Measure]:
    return [Measure(subject="nv001", criterion=key, value=value) for key, value in values.items()]


def nd335(general: tuple[str, str, str], ratios: tuple[str, str, str]) -> list[Measure]:
    """Measures for a Decree 335 policy: the three assessed groups and the three ratios."""
    return measures(
        politics_ethics=general[0],
        competence=general[1],
        innovation=general[2],
        quantity=ratios[0],
        quality=ratios[1],
        on_time=ratios[2],
    )


class TestCatalogue:
    def test_the_bundled_ids(self) -> None:
        assert (
            "hcm-qd20-2024",
            "university-kpi-example",
            "vn-nd335-2025-leader",
            "vn-nd335-2025-staff",
        ) == policies.available()

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_each_file_holds_the_policy_of_its_name(self, policy_id: str) -> None:
        assert policy_id == policies.load(policy_id).id

    def test_load_returns_a_policy(self) -> None:
        assert isinstance(policies.load("vn-nd335-2025-staff"), Policy)

    def test_an_unknown_id_lists_the_known_ones(self) -> None:
        with pytest.raises(UnknownPolicyError) as caught:
            policies.load("nd335")
        assert (
            "no bundled policy 'nd335'; expected one of ['hcm-qd20-2024',"
            " 'university-kpi-example', 'vn-nd335-2025-leader', 'vn-nd335-2025-staff']"
        ) == str(caught.value)

    def test_an_id_must_be_a_string(self) -> None:
        with pytest.raises(UnknownPolicyError, match=r"no bundled policy \['x'\]"):
            policies.load(["x"])  # type: ignore[arg-type]

    def test_an_unknown_id_is_a_lookup_error(self) -> None:
        with pytest.raises(LookupError):
            policies.source("none")

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_the_source_is_the_commented_file(self, policy_id: str) -> None:
        text = policies.source(policy_id)
        assert (text.startswith("#"), f'id = "{policy_id}"' in text) == (True, True)

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_each_policy_has_a_docs_page(self, policy_id: str) -> None:
        assert (ROOT / "docs" / "policies" / f"{policy_id}.md").is_file()


class TestReferences:
    @pytest.mark.parametrize("policy_id", policies.available())
    def test_every_part_cites_its_source(self, policy_id: str) -> None:
        policy = policies.load(policy_id)
        parts: list[tuple[str, str | None]] = [("policy", policy.reference)]
        for category in policy.categories:
            parts.append((f"category {category.id}", category.reference))
            for criterion in category.criteria:
                parts.append((f"criterion {criterion.id}", criterion.reference))
                parts += [(f"rule {rule.id}", rule.reference) for rule in criterion.rules]
        parts += [(f"cap {cap.on}", cap.reference) for cap in policy.caps]
        assert [] == [name for name, reference in parts if not reference]

    @pytest.mark.parametrize(
        "policy_id", ["vn-nd335-2025-staff", "vn-nd335-2025-leader", "hcm-qd20-2024"]
    )
    def test_decree_335_rules_cite_an_article(self, policy_id: str) -> None:
        policy = policies.load(policy_id)
        criteria = [c for category in policy.categories for c in category.criteria]
        assert [] == [c.id for c in criteria if "Art." not in (c.reference or "")]

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_local_choices_are_documented_in_the_policy(self, policy_id: str) -> None:
        assert "local choice" in (policies.load(policy_id).description or "")

    def test_the_university_scheme_is_marked_illustrative(self) -> None:
        policy = policies.load("university-kpi-example")
        assert (policy.description or "").startswith("ILLUSTRATIVE")


class TestLeaderKeepsInStepWithStaff:
    def test_the_general_criteria_are_the_same(self) -> None:
        staff, leader = (policies.load(f"vn-nd335-2025-{w}") for w in ("staff", "leader"))
        assert staff.categories[0] == leader.categories[0]

    def test_the_bands_are_the_same(self) -> None:
        staff, leader = (policies.load(f"vn-nd335-2025-{w}") for w in ("staff", "leader"))
        assert staff.bands == leader.bands

    def test_the_leader_has_every_staff_cap_and_one_more(self) -> None:
        staff, leader = (policies.load(f"vn-nd335-2025-{w}") for w in ("staff", "leader"))
        assert (staff.caps, "unit_corruption_handled") == (leader.caps[:-1], leader.caps[-1].on)

    def test_the_task_criteria_extend_the_staff_ones(self) -> None:
        staff, leader = (policies.load(f"vn-nd335-2025-{w}") for w in ("staff", "leader"))
        assert [c.id for c in staff.categories[1].criteria] + [
            "unit_results",
            "organising",
            "cohesion",
        ] == [c.id for c in leader.categories[1].criteria]


class TestStaff:
    """Decree 335/2025, non-leaders: general 30 + mean(quantity, quality, on-time) × 70."""

    @pytest.mark.parametrize(
        ("general", "ratios", "expected"),
        [
            # 27 + (0.9 + 0.875 + 0.825) / 3 × 70 = 27 + 60.666… → 87.67
            pytest.param(
                ("9", "9", "9"),
                ("0.9", "0.875", "0.825"),
                ("27.00", "60.67", "87.67", "HTT"),
                id="issue-example",
            ),
            pytest.param(
                ("10", "10", "10"),
                ("1", "1", "1"),
                ("30.00", "70.00", "100.00", "HTXS"),
                id="perfect",
            ),
            # 29 + 0.87 × 70 = 29 + 60.90 = 89.90: just under the 90 of HTXS
            pytest.param(
                ("10", "10", "9"),
                ("0.87", "0.87", "0.87"),
                ("29.00", "60.90", "89.90", "HTT"),
                id="just-under-90",
            ),
            # 21 + 0.7 × 70 = 70.00: the threshold itself is HTT
            pytest.param(
                ("7", "7", "7"),
                ("0.7", "0.7", "0.7"),
                ("21.00", "49.00", "70.00", "HTT"),
                id="exactly-70",
            ),
            pytest.param(
                ("5", "5", "5"),
                ("0.5", "0.5", "0.5"),
                ("15.00", "35.00", "50.00", "HT"),
                id="exactly-50",
            ),
            pytest.param(
                ("5", "5", "4"),
                ("0.5", "0.5", "0.5"),
                ("14.00", "35.00", "49.00", "KHT"),
                id="under-50",
            ),
            # over-completion counts as 100 % (ratio_cap, a local choice)
            pytest.param(
                ("10", "10", "10"),
                ("1.2", "1", "1"),
                ("30.00", "70.00", "100.00", "HTXS"),
                id="over-completion",
            ),
            # half points: 8.5 + 9 + 7.5 = 25; (0.95 + 0.9 + 0.8) / 3 × 70 = 61.833… → 61.83
            pytest.param(
                ("8.5", "9", "7.5"),
                ("0.95", "0.9", "0.8"),
                ("25.00", "61.83", "86.83", "HTT"),
                id="half-points",
            ),
        ],
    )
    def test_hand_checked_totals(
        self,
        general: tuple[str, str, str],
        ratios: tuple[str, str, str],
        expected: tuple[str, str, str, str],
    ) -> None:
        card = score(
            policies.load("vn-nd335-2025-staff"), PERIOD, "nv001", measures=nd335(general, ratios)
        )
        assert (Decimal(expected[0]), Decimal(expected[1]), Decimal(expected[2]), expected[3]) == (
            card.category("general").points,
            card.category("task").points,
            card.total,
            card.rating,
        )

    @pytest.mark.parametrize(
        "kind",
        [
            "discipline_reprimand",
            "discipline_warning",
            "discipline_salary_reduction",
            "discipline_demotion",
            "discipline_removal",
            "discipline_dismissal",
            "degradation_concluded",
        ],
    )
    def test_discipline_rates_not_completed_whatever_the_score(self, kind: str) -> None:
        card = score(
            policies.load("vn-nd335-2025-staff"),
            PERIOD,
            "nv001",
            events=events(kind),
            measures=nd335(("10", "10", "10"), ("1", "1", "1")),
        )
        assert (Decimal("100.00"), "HTXS", "KHT") == (card.total, card.score_rating, card.rating)

    def test_discipline_outside_the_period_does_not_cap(self) -> None:
        card = score(
            policies.load("vn-nd335-2025-staff"),
            PERIOD,
            "nv001",
            events=events("discipline_reprimand", on=date(2026, 4, 2)),
            measures=nd335(("10", "10", "10"), ("1", "1", "1")),
        )
        assert "HTXS" == card.rating

    def test_a_missing_measure_is_an_error(self) -> None:
        with pytest.raises(
            LookupError, match="no measure for criterion 'politics_ethics' of subject 'nv001'"
        ):
            score(policies.load("vn-nd335-2025-staff"), PERIOD, "nv001", measures=[])

    def test_the_policy_starts_in_2026(self) -> None:
        with pytest.raises(ValueError, match="outside the policy's validity"):
            score(policies.load("vn-nd335-2025-staff"), "2025-Q4", "nv001")


class TestLeader:
    """Decree 335/2025, leaders: the task score is the mean of six ratios × 70."""

    @pytest.mark.parametrize(
        ("kinds", "expected"),
        [
            # 27 + (0.9 + 0.875 + 0.825 + 1 + 1 + 1) / 6 × 70 = 27 + 65.333… → 92.33
            pytest.param((), ("65.33", "92.33", "HTXS"), id="components-full"),
            # unit results at 50 %: (5.6 - 0.5) / 6 × 70 = 59.50
            pytest.param(("subordinate_not_completed",), ("59.50", "86.50", "HTT"), id="unit-50"),
            # two subordinates rated KHT still only halve the component (limit 50)
            pytest.param(
                ("subordinate_not_completed", "subordinate_not_completed"),
                ("59.50", "86.50", "HTT"),
                id="unit-50-twice",
            ),
            pytest.param(("organising_shortfall",), ("59.50", "86.50", "HTT"), id="organising-50"),
            pytest.param(("internal_disunity",), ("59.50", "86.50", "HTT"), id="cohesion-50"),
            # all three at 50 %: (2.6 + 1.5) / 6 × 70 = 47.833… → 47.83
            pytest.param(
                ("subordinate_not_completed", "organising_shortfall", "internal_disunity"),
                ("47.83", "74.83", "HTT"),
                id="all-50",
            ),
        ],
    )
    def test_hand_checked_totals(
        self, kinds: tuple[str, ...], expected: tuple[str, str, str]
    ) -> None:
        card = score(
            policies.load("vn-nd335-2025-leader"),
            PERIOD,
            "nv001",
            events=events(*kinds),
            measures=nd335(("9", "9", "9"), ("0.9", "0.875", "0.825")),
        )
        assert (Decimal(expected[0]), Decimal(expected[1]), expected[2]) == (
            card.category("task").points,
            card.total,
            card.rating,
        )

    def test_all_three_components_halved_with_perfect_ratios(self) -> None:
        # 30 + (1 + 1 + 1 + 0.5 + 0.5 + 0.5) / 6 × 70 = 30 + 52.50
        card = score(
            policies.load("vn-nd335-2025-leader"),
            PERIOD,
            "nv001",
            events=events("subordinate_not_completed", "organising_shortfall", "internal_disunity"),
            measures=nd335(("10", "10", "10"), ("1", "1", "1")),
        )
        assert (Decimal("52.50"), Decimal("82.50"), "HTT") == (
            card.category("task").points,
            card.total,
            card.rating,
        )

    def test_the_component_ledger_shows_the_limit(self) -> None:
        card = score(
            policies.load("vn-nd335-2025-leader"),
            PERIOD,
            "nv001",
            events=events("subordinate_not_completed", "subordinate_not_completed"),
            measures=nd335(("9", "9", "9"), ("1", "1", "1")),
        )
        line = card.criterion("unit_results").rules[0]
        assert (Decimal("-100"), Decimal("-50"), Decimal("50.00")) == (
            line.requested,
            line.applied,
            card.criterion("unit_results").points,
        )

    def test_corruption_in_the_unit_rates_not_completed(self) -> None:
        card = score(
            policies.load("vn-nd335-2025-leader"),
            PERIOD,
            "nv001",
            events=events("unit_corruption_handled"),
            measures=nd335(("10", "10", "10"), ("1", "1", "1")),
        )
        assert (Decimal("100.00"), "KHT") == (card.total, card.rating)


def hcm(
    violations: tuple[str, ...] = (),
    *,
    assessed: tuple[str, str] = ("9", "8"),
    ratios: tuple[str, str, str] = ("0.9", "0.875", "0.825"),
) -> tuple[Decimal, Decimal, Decimal, str | None]:
    card = score(
        policies.load("hcm-qd20-2024"),
        PERIOD,
        "nv001",
        events=events(*violations),
        measures=measures(
            competence=assessed[0],
            innovation=assessed[1],
            quantity=ratios[0],
            quality=ratios[1],
            on_time=ratios[2],
        ),
    )
    return card.category("general").points, card.carried, card.total, card.rating


class TestHoChiMinhCity:
    """Decision 20/2024: bands 90 / 75 / 50; discipline deductions overflow into the total."""

    def test_the_staff_example(self) -> None:
        # discipline 10 (no violations) + 9 + 8 = 27; task 60.67 as in the national policy
        assert (Decimal("27.00"), Decimal("0.00"), Decimal("87.67"), "HTT") == hcm()

    def test_73_points_is_completed_not_good(self) -> None:
        # 10 + 7 + 7 = 24; 0.7 × 70 = 49; 73 is HTT nationally but under 75 in the city
        figures = hcm(assessed=("7", "7"), ratios=("0.7", "0.7", "0.7"))
        assert (Decimal("73.00"), "HT") == figures[2:]

    def test_the_same_73_points_is_good_under_the_national_bands(self) -> None:
        card = score(
            policies.load("vn-nd335-2025-staff"),
            PERIOD,
            "nv001",
            measures=nd335(("8", "8", "8"), ("0.7", "0.7", "0.7")),
        )
        assert (Decimal("73.00"), "HTT") == (card.total, card.rating)

    @pytest.mark.parametrize(
        ("violations", "expected"),
        [
            # 10 - 2 = 8 → general 8 + 10 + 10 = 28; 28 + 70 = 98
            pytest.param(("work_rule_violation",), ("28.00", "0.00", "98.00", "HTXS"), id="one"),
            # 5 × 2 = 10 exactly empties the criterion: nothing carried
            pytest.param(
                ("work_rule_violation",) * 5, ("20.00", "0.00", "90.00", "HTXS"), id="five"
            ),
            # 7 × 2 = 14: 10 absorbed by the criterion, 4 carried into the total: 20 + 70 - 4
            pytest.param(
                ("work_rule_violation",) * 7, ("20.00", "4.00", "86.00", "HTT"), id="seven"
            ),
            # 7 × 2 + 5 = 19: 9 carried
            pytest.param(
                ("work_rule_violation",) * 7 + ("conduct_violation",),
                ("20.00", "9.00", "81.00", "HTT"),
                id="seven-and-conduct",
            ),
            # 3 conduct breaches: 15, 5 carried: 90 - 5 = 85
            pytest.param(
                ("conduct_violation",) * 3, ("20.00", "5.00", "85.00", "HTT"), id="three-conduct"
            ),
        ],
    )
    def test_deductions_overflow_into_the_total(
        self, violations: tuple[str, ...], expected: tuple[str, str, str, str]
    ) -> None:
        figures = hcm(violations, assessed=("10", "10"), ratios=("1", "1", "1"))
        assert (Decimal(expected[0]), Decimal(expected[1]), Decimal(expected[2]), expected[3]) == (
            figures
        )

    def test_an_excused_violation_costs_nothing(self) -> None:
        card = score(
            policies.load("hcm-qd20-2024"),
            PERIOD,
            "nv001",
            events=events("work_rule_violation", excused=True),
            measures=measures(
                competence="10", innovation="10", quantity="1", quality="1", on_time="1"
            ),
        )
        assert Decimal("100.00") == card.total


def university(
    kinds: tuple[str, ...] = (), *, excused: tuple[str, ...] = ()
) -> tuple[Decimal, Decimal, Decimal, Decimal, str | None]:
    card = score(
        policies.load("university-kpi-example"),
        PERIOD,
        "nv001",
        events=events(*kinds) + events(*excused, excused=True),
        measures=measures(key_tasks="1", research="0.5", workload="0.9", collaboration="4"),
    )
    return (
        card.category("spearhead").points,
        card.category("hard").points,
        card.category("soft").points,
        card.total,
        card.rating,
    )


class TestUniversityExample:
    """The illustrative university scheme: spearhead 50 / hard 30 / soft 20."""

    @pytest.mark.parametrize(
        ("kinds", "excused", "expected"),
        [
            # spearhead 30 × 1 + 20 × 0.5 = 40; hard 20 × 0.9 + 10 = 28; soft 15 + 4 = 19
            pytest.param((), (), ("40.00", "28.00", "19.00", "87.00", "HTT"), id="no-events"),
            # 3 unexcused absences: 15 - 6 = 9; the excused one costs nothing
            pytest.param(
                ("training_absence",) * 3,
                ("training_absence",),
                ("40.00", "28.00", "13.00", "81.00", "HTT"),
                id="three-absences",
            ),
            # 8 absences: 16 requested, 15 applied, 1 absorbed by the floor
            pytest.param(
                ("training_absence",) * 8,
                (),
                ("40.00", "28.00", "4.00", "72.00", "HTT"),
                id="eight-absences",
            ),
            # one work item past its 5-day approval deadline: -5
            pytest.param(
                ("late_approval",),
                (),
                ("40.00", "23.00", "19.00", "82.00", "HTT"),
                id="one-late-approval",
            ),
            # three: 15 requested, 10 applied
            pytest.param(
                ("late_approval",) * 3,
                (),
                ("40.00", "18.00", "19.00", "77.00", "HTT"),
                id="three-late-approvals",
            ),
            pytest.param(
                ("late_approval",) * 3 + ("training_absence",) * 8,
                (),
                ("40.00", "18.00", "4.00", "62.00", "HT"),
                id="both",
            ),
        ],
    )
    def test_hand_checked_totals(
        self,
        kinds: tuple[str, ...],
        excused: tuple[str, ...],
        expected: tuple[str, str, str, str, str],
    ) -> None:
        assert (*(Decimal(value) for value in expected[:4]), expected[4]) == university(
            kinds, excused=excused
        )

    def test_the_training_deduction_is_two_points_per_absence(self) -> None:
        criterion = policies.load("university-kpi-example").criterion("training")
        assert (Decimal("15"), Decimal("2")) == (
            criterion.max_points,
            criterion.deductions[0].points,
        )

    def test_the_groups_weigh_50_30_20(self) -> None:
        policy = policies.load("university-kpi-example")
        assert [Decimal(50), Decimal(30), Decimal(20)] == [c.max_total for c in policy.categories]
