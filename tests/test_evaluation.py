"""The evaluation cycle: assignment, leaders after their reports, leave, the year, quota, payout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Evaluation,
    Event,
    InputError,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
    UnknownSubjectError,
)
from kpiscore.cycle.evaluation_assign import AssignRule
from kpiscore.cycle.evaluation_leaders import LeaderRule, levels
from kpiscore.cycle.evaluation_leave import Leave, apply_leave_rule, leave_months
from kpiscore.cycle.evaluation_people import Member
from kpiscore.cycle.evaluation_rules import PayoutRule, QuotaRule

BANDS = (
    Band(id="HTXS", min_points=90, name="Xuất sắc"),
    Band(id="HTT", min_points=70, name="Tốt"),
    Band(id="HT", min_points=50, name="Hoàn thành"),
    Band(id="KHT", min_points=0, name="Không hoàn thành"),
)
REPRIMAND = RatingCap(on="discipline_reprimand", at_most="KHT", name="Khiển trách")


def policy(policy_id: str = "staff", *, leader: bool = False, **fields: Any) -> Policy:
    """Total = the assessed points x (0..100); a leader's policy adds (d), 10 points, halved by
    `subordinate_not_completed`, so a leader's total is x (0..90) + d."""
    criteria = [Criterion(id="x", name="X", max_points=90 if leader else 100, basis="assessed")]
    if leader:
        criteria.append(
            Criterion(
                id="unit_results",
                name="(d)",
                max_points=10,
                deductions=[Deduction(on="subordinate_not_completed", points=5, limit=5)],
            )
        )
    fields.setdefault("bands", BANDS)
    fields.setdefault("caps", (REPRIMAND,))
    # Kinds the tests' events use that the policy deliberately does not score.
    fields.setdefault("other_kinds", ("initiative",))
    return Policy(
        id=policy_id,
        name=policy_id,
        categories=[Category(id="all", name="All", criteria=criteria)],
        **fields,
    )


STAFF = policy()
LEADER = policy("leader", leader=True)


def member(ident: str, manager: str | None = None, **fields: str) -> Member:
    return Member(person=Person(id=ident, **fields), manager=manager)


def measures(
    points: Mapping[str, Sequence[int | None]], every: str = "quarter"
) -> dict[Period, Any]:
    """Each person's points per sub-period (None: no measure that sub-period)."""
    result: dict[Period, list[Measure]] = {}
    for subject, values in points.items():
        for index, value in enumerate(values, 1):
            period = (
                Period.quarter(2026, index) if every == "quarter" else Period.month(2026, index)
            )
            if value is not None:
                result.setdefault(period, []).append(
                    Measure(subject=subject, criterion="x", value=value)
                )
    return result


def evaluation(**fields: Any) -> Evaluation:
    fields.setdefault("name", "test")
    fields.setdefault("period", "2026")
    fields.setdefault("every", "quarter")
    fields.setdefault("assign", [AssignRule(policy=STAFF)])
    return Evaluation(**fields)


class TestAssignment:
    def test_first_matching_rule_wins(self) -> None:
        result = evaluation(
            people=[member("tp", position="Trưởng phòng"), member("nv", position="Chuyên viên")],
            measures=measures({"tp": [80] * 4, "nv": [80] * 4}),
            assign=[
                AssignRule(when={"position": ["Trưởng phòng"]}, policy=LEADER),
                AssignRule(policy=STAFF),
            ],
        ).run()
        q1 = result.periods[Period.quarter(2026, 1)]
        assert ("leader", "staff") == (q1["tp"].policy_id, q1["nv"].policy_id)
        assert Decimal("90.00") == q1["tp"].total  # 80 + (d) 10

    def test_a_promotion_in_july_uses_two_policies_and_one_mean(self) -> None:
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [80, 84, 70, 80]}),
            assign=[
                AssignRule(when={"id": ["nv"]}, policy=LEADER, since=date(2026, 7, 1)),
                AssignRule(policy=STAFF),
            ],
        ).run()
        year = result.year["nv"]
        assert ("staff", "leader") == year.policies
        # (80 + 84 + (70 + 10) + (80 + 10)) / 4 = 334 / 4
        assert Decimal("83.50") == year.total
        assert "leader" == year.policy_id

    def test_a_person_matching_no_rule_is_an_error(self) -> None:
        with pytest.raises(InputError) as caught:
            evaluation(
                people=[member("nv", unit="A")],
                assign=[AssignRule(when={"unit": ["B"]}, policy=STAFF)],
            ).run()
        assert str(caught.value).startswith("'nv' matches no [[assign]] rule for 2026-Q1")

    def test_dates_cutting_a_sub_period_are_an_error(self) -> None:
        with pytest.raises(InputError, match="matches 'nv' for only part of 2026-Q3"):
            evaluation(
                people=[member("nv")],
                measures=measures({"nv": [80] * 4}),
                assign=[
                    AssignRule(when={"id": ["nv"]}, policy=LEADER, since=date(2026, 8, 15)),
                    AssignRule(policy=STAFF),
                ],
            ).run()

    def test_policies_with_different_bands_cannot_roll_up(self) -> None:
        hcm = policy(
            "hcm",
            leader=True,
            bands=(
                Band(id="HTXS", min_points=90, name="Xuất sắc"),
                Band(id="HTT", min_points=75, name="Tốt"),
                Band(id="HT", min_points=50, name="Hoàn thành"),
                Band(id="KHT", min_points=0, name="Không hoàn thành"),
            ),
        )
        with pytest.raises(InputError) as caught:
            evaluation(
                people=[member("nv")],
                measures=measures({"nv": [80] * 4}),
                assign=[
                    AssignRule(when={"id": ["nv"]}, policy=hcm, since=date(2026, 7, 1)),
                    AssignRule(policy=STAFF),
                ],
            ).run()
        message = str(caught.value)
        assert "the policies differ in bands (HTXS >= 90, HTT >= 70, HT >= 50, KHT >= 0 and" in (
            message
        )
        assert "HTT >= 75" in message


class TestLeaders:
    PEOPLE = (
        member("gd"),
        member("tp1", "gd"),
        member("tp2", "gd"),
        member("nv1", "tp1"),
        member("nv2", "tp1"),
        member("nv3", "tp2"),
    )

    def run(self, points: Mapping[str, Sequence[int | None]], **fields: Any) -> Any:
        return evaluation(
            people=self.PEOPLE,
            measures=measures(points),
            assign=[
                AssignRule(when={"id": ["gd", "tp1", "tp2"]}, policy=LEADER),
                AssignRule(policy=STAFF),
            ],
            leaders=LeaderRule(),
            **fields,
        ).run()

    def test_levels_are_bottom_up(self) -> None:
        assert (("nv1", "nv2", "nv3"), ("tp1", "tp2"), ("gd",)) == levels(self.PEOPLE)

    def test_a_report_below_ht_halves_the_managers_d_that_quarter_only(self) -> None:
        result = self.run(
            {
                "gd": [80] * 4,
                "tp1": [80] * 4,
                "tp2": [80] * 4,
                "nv1": [40, 80, 80, 80],
                "nv2": [80] * 4,
                "nv3": [80] * 4,
            }
        )
        q1, q2 = result.periods[Period.quarter(2026, 1)], result.periods[Period.quarter(2026, 2)]
        assert (Decimal("85.00"), Decimal("90.00")) == (q1["tp1"].total, q2["tp1"].total)
        assert Decimal("90.00") == q1["tp2"].total
        line = q1["tp1"].criterion("unit_results").rules[0]
        assert "nv1@2026-Q1" == line.events[0].ref
        assert "direct report nv1 rated KHT, below HT" in (line.events[0].note or "")

    def test_the_managers_manager_sees_the_managers_final_rating(self) -> None:
        # tp1 capped to KHT by a reprimand: gd's (d) is halved; nv1's KHT is not gd's report.
        result = self.run(
            {
                "gd": [80] * 4,
                "tp1": [80] * 4,
                "tp2": [80] * 4,
                "nv1": [40] * 4,
                "nv2": [80] * 4,
                "nv3": [80] * 4,
            },
            events=[Event(subject="tp1", kind="discipline_reprimand", on=date(2026, 2, 3))],
        )
        q1, q2 = result.periods[Period.quarter(2026, 1)], result.periods[Period.quarter(2026, 2)]
        assert ("KHT", Decimal("85.00")) == (q1["tp1"].rating, q1["gd"].total)
        assert Decimal("90.00") == q2["gd"].total

    def test_several_reports_below_still_cost_one_half(self) -> None:
        result = self.run(
            {
                "gd": [80] * 4,
                "tp1": [80] * 4,
                "tp2": [80] * 4,
                "nv1": [40] * 4,
                "nv2": [30] * 4,
                "nv3": [80] * 4,
            }
        )
        assert Decimal("85.00") == result.periods[Period.quarter(2026, 1)]["tp1"].total

    def test_a_cycle_in_manager_is_an_error_naming_the_people(self) -> None:
        people = [member("a", "c"), member("b", "a"), member("c", "b"), member("d")]
        with pytest.raises(InputError) as caught:
            evaluation(people=people, leaders=LeaderRule()).run()
        assert str(caught.value).startswith("people: a cycle in manager: 'a' → 'c' → 'b' → 'a'")

    def test_a_manager_outside_the_population_is_an_error(self) -> None:
        with pytest.raises(InputError, match="the manager of 'nv' is 'boss', who is not in"):
            evaluation(people=[member("nv", "boss")])

    def test_a_manager_whose_policy_ignores_the_kind_is_noted(self) -> None:
        result = evaluation(
            people=[member("tp"), member("nv", "tp")],
            measures=measures({"tp": [80] * 4, "nv": [40, 80, 80, 80]}),
            leaders=LeaderRule(),
        ).run()
        assert any("'tp' is scored under 'staff', which does not count" in n for n in result.notes)


class TestLeave:
    def test_a_quarter_wholly_on_leave_is_not_scored(self) -> None:
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [80, 90, None, 70]}),
            leave=[
                Leave(
                    subject="nv", start=date(2026, 5, 1), end=date(2026, 10, 31), reason="maternity"
                )
            ],
        ).run()
        year = result.year["nv"]
        assert [Period.quarter(2026, q) for q in (1, 2, 4)] == [p.period for p in year.parts]
        assert (Decimal("80.00"), 181, 365, "days") == (
            year.total,
            year.worked,
            year.possible,
            year.worked_unit,
        )
        assert Period.quarter(2026, 3) not in result.periods

    def test_a_reprimand_during_leave_still_caps_the_year(self) -> None:
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [95, 95, None, 95]}),
            events=[Event(subject="nv", kind="discipline_reprimand", on=date(2026, 8, 20))],
            leave=[
                Leave(subject="nv", start=date(2026, 7, 1), end=date(2026, 9, 30), reason="sick")
            ],
        ).run()
        year = result.year["nv"]
        assert ("HTXS", "KHT") == (year.score_rating, year.rating)
        assert date(2026, 8, 20) == year.caps[0].events[0].on

    def test_a_cap_carried_from_leave_keeps_its_vietnamese_reference(self) -> None:
        cap = RatingCap(
            on="discipline_reprimand",
            at_most="KHT",
            name="Khiển trách",
            reference="Decree 335/2025/ND-CP, Article 20",
            reference_vi="Nghị định 335/2025/NĐ-CP, Điều 20",
        )
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [95, 95, None, 95]}),
            events=[Event(subject="nv", kind="discipline_reprimand", on=date(2026, 8, 20))],
            leave=[
                Leave(subject="nv", start=date(2026, 7, 1), end=date(2026, 9, 30), reason="sick")
            ],
            assign=[AssignRule(policy=policy(caps=(cap,)))],
        ).run()
        year = result.year["nv"]
        assert (cap.reference, cap.reference_vi) == (
            year.caps[0].reference,
            year.caps[0].reference_vi,
        )
        assert "Nghị định 335/2025/NĐ-CP, Điều 20" in year.explain(lang="vi")
        assert "Decree 335/2025/ND-CP, Article 20" in year.explain(lang="en")

    def test_an_event_in_a_quarter_on_leave_that_caps_nothing_is_noted(self) -> None:
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [95, 95, None, 95]}),
            events=[Event(subject="nv", kind="initiative", on=date(2026, 8, 20))],
            leave=[
                Leave(subject="nv", start=date(2026, 7, 1), end=date(2026, 9, 30), reason="sick")
            ],
        ).run()
        assert (
            "2026-Q3: 'nv' was on leave for the whole sub-period; the event 'initiative' of"
            " 2026-08-20 is not scored"
        ) in result.notes

    def test_leave_months_count_part_months_exactly(self) -> None:
        leave = [Leave(subject="nv", start=date(2026, 3, 17), end=date(2026, 4, 15), reason="sick")]
        # 15 of March's 31 days, 15 of April's 30
        from fractions import Fraction

        assert Fraction(15, 31) + Fraction(1, 2) == leave_months(leave, Period.year(2026))

    @pytest.mark.parametrize(
        ("reason", "start", "end", "rating", "unrated"),
        [
            pytest.param(
                "maternity",
                date(2026, 1, 1),
                date(2026, 7, 31),
                "HTXS",
                None,
                id="7-months-maternity-rated",
            ),
            pytest.param(
                "sick",
                date(2026, 1, 1),
                date(2026, 7, 31),
                None,
                "under 6",
                id="7-months-sick-not-rated",
            ),
            pytest.param(
                "sick",
                date(2026, 1, 1),
                date(2026, 3, 31),
                "HT",
                None,
                id="3-months-sick-at-most-HT",
            ),
            pytest.param(
                "other",
                date(2026, 1, 1),
                date(2026, 2, 28),
                "HTXS",
                None,
                id="2-months-other-no-change",
            ),
        ],
    )
    def test_the_nd90_rule(
        self, reason: str, start: date, end: date, rating: str | None, unrated: str | None
    ) -> None:
        leave = [Leave(subject="nv", start=start, end=end, reason=reason)]  # type: ignore[arg-type]
        result = evaluation(
            people=[member("nv")],
            every="month",
            measures=measures({"nv": [95] * 12}, every="month"),
            leave=leave,
            leave_rule="nd90-2020",
        ).run()
        year = result.year["nv"]
        assert rating == year.rating
        assert (unrated is None) == (year.unrated is None)
        if unrated:
            assert unrated in (year.unrated or "")
        if rating == "HT":
            assert ("leave", "HTXS", "HT") == (
                year.adjustments[0].kind,
                year.adjustments[0].from_rating,
                year.adjustments[0].to_rating,
            )

    def test_the_nd90_rule_needs_a_calendar_year(self) -> None:
        result = evaluation(
            people=[member("nv")], measures=measures({"nv": [95] * 2}), period="2026-H1"
        ).run()
        year = result.year["nv"]
        leave = [Leave(subject="nv", start=date(2026, 1, 1), end=date(2026, 1, 31), reason="sick")]
        with pytest.raises(InputError, match="'nd90-2020' ranks a calendar year"):
            apply_leave_rule(year, leave, "nd90-2020")

    def test_overlapping_leave_rows_are_an_error(self) -> None:
        with pytest.raises(InputError, match="overlap; expected one row per day of leave"):
            evaluation(
                people=[member("nv")],
                leave=[
                    Leave(
                        subject="nv", start=date(2026, 1, 1), end=date(2026, 1, 31), reason="sick"
                    ),
                    Leave(
                        subject="nv", start=date(2026, 1, 20), end=date(2026, 2, 10), reason="other"
                    ),
                ],
            )

    def test_someone_on_leave_all_year_is_listed_as_absent(self) -> None:
        result = evaluation(
            people=[member("a"), member("b")],
            measures=measures({"a": [80] * 4}),
            leave=[
                Leave(subject="b", start=date(2026, 1, 1), end=date(2026, 12, 31), reason="study")
            ],
        ).run()
        assert "b" not in result.year
        assert (("b", "not scored: on leave for every sub-period"),) == result.absent
        assert [None, None] == [result.year_rows()[1]["total"], result.year_rows()[1]["rating"]]


class TestFacts:
    def test_a_fact_about_someone_outside_the_population_is_an_error(self) -> None:
        with pytest.raises(UnknownSubjectError, match="names 'ghost', who is not in the"):
            evaluation(
                people=[member("nv")],
                events=[Event(subject="ghost", kind="x", on=date(2026, 1, 5))],
            ).run()

    def test_an_event_outside_the_period_is_noted(self) -> None:
        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [80] * 4}),
            events=[Event(subject="nv", kind="discipline_reprimand", on=date(2025, 12, 5))],
        ).run()
        assert result.year["nv"].rating == "HTT"
        assert any("outside the period 2026; left out" in note for note in result.notes)

    def test_measures_for_a_period_not_scored_are_an_error(self) -> None:
        with pytest.raises(InputError, match="measures are given for 2026-01, which is not a"):
            evaluation(
                people=[member("nv")],
                measures={"2026-01": [Measure(subject="nv", criterion="x", value=1)]},
            )


class TestQuotaAndPayout:
    def test_payout_follows_the_rating_after_the_quota(self) -> None:
        from kpiscore.payout import load

        people = [member(f"nv{i}", unit="A") for i in range(1, 5)]
        result = evaluation(
            people=people,
            measures=measures({"nv1": [95] * 4, "nv2": [92] * 4, "nv3": [80] * 4, "nv4": [75] * 4}),
            quota=QuotaRule(group_by=("unit",)),
            payout=PayoutRule(
                table=load("danang-2026"), salaries={f"nv{i}": 10_000_000 for i in range(1, 5)}
            ),
        ).run()
        # T = 2, N = 2: k = 1 needs 1 <= floor(0.2 x 3) = 0: both HTXS move down.
        assert {"HTXS": 0, "HTT": 4, "HT": 0, "KHT": 0} == result.year.distribution()
        assert [Decimal("36000000")] * 4 == [row["payout"] for row in result.payout or []]

    def test_quota_groups_by_an_extra_column(self) -> None:
        people = [
            Member(person=Person(id=f"nv{i}"), attributes={"team": "T1" if i < 7 else "T2"})
            for i in range(1, 9)
        ]
        points = {f"nv{i}": [96 - i if i in (1, 2, 7) else 80] * 4 for i in range(1, 9)}
        result = evaluation(
            people=people, measures=measures(points), quota=QuotaRule(group_by=("team",))
        ).run()
        # T1: T = 2, N = 4: one keeps HTXS; T2: T = 1, N = 1: none.
        assert ["HTXS", "HTT", "HTT"] == [result.year[s].rating for s in ("nv1", "nv2", "nv7")]

    def test_leave_prorates_the_payout(self) -> None:
        from kpiscore.payout import load

        result = evaluation(
            people=[member("nv")],
            measures=measures({"nv": [80, 80, None, 80]}),
            leave=[
                Leave(subject="nv", start=date(2026, 7, 1), end=date(2026, 9, 30), reason="sick")
            ],
            payout=PayoutRule(table=load("danang-2026"), salaries={"nv": 10_000_000}),
        ).run()
        row = (result.payout or [])[0]
        # 3,000,000 x 12 x 273 / 365 = 9,828,000,000 / 365 = 26,926,027.39…
        assert (273, 365) == (row["days_worked"], row["days_in_period"])
        assert Decimal("26926027") == row["payout"]


def test_write_gives_the_contracts_files(tmp_path: Path) -> None:
    result = evaluation(
        people=[member("nv", name="An", unit="A")], measures=measures({"nv": [80, 81, 82, 83]})
    ).run()
    written = result.write(tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert [
        "2026-Q1.csv",
        "2026-Q2.csv",
        "2026-Q3.csv",
        "2026-Q4.csv",
        "explanations/nv.txt",
        "year.csv",
    ] == names
    lines = (tmp_path / "year.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        "subject,name,unit,policy,2026-Q1,2026-Q2,2026-Q3,2026-Q4,total,rating_by_score,rating"
        == (lines[0])
    )
    assert "nv,An,A,staff,80.00,81.00,82.00,83.00,81.50,HTT,HTT" == lines[1]


def test_an_assign_rule_on_an_attribute_nobody_has_is_an_error() -> None:
    with pytest.raises(InputError, match="names the attribute 'rank', which no person has"):
        evaluation(people=[member("nv")], assign=[AssignRule(when={"rank": ["A"]}, policy=STAFF)])


def test_the_explanation_gives_the_leave_rules_reason(tmp_path: Path) -> None:
    result = evaluation(
        people=[member("nv")],
        every="month",
        measures=measures({"nv": [95] * 12}, every="month"),
        leave=[Leave(subject="nv", start=date(2026, 1, 1), end=date(2026, 7, 31), reason="sick")],
        leave_rule="nd90-2020",
    ).run()
    result.write(tmp_path, lang="en")
    text = (tmp_path / "explanations" / "nv.txt").read_text(encoding="utf-8")
    assert "No rating: worked 5 of 12 months (leave other than maternity: 7 months), under 6" in (
        text
    )


def test_approval_events_are_scored_like_events() -> None:
    strict = Policy(
        id="strict",
        name="S",
        bands=BANDS,
        categories=[
            Category(
                id="all",
                name="All",
                criteria=[
                    Criterion(id="x", name="X", max_points=90, basis="assessed"),
                    Criterion(
                        id="approvals",
                        name="A",
                        max_points=10,
                        deductions=[Deduction(on="late_approval", points=2, per="unit")],
                    ),
                ],
            )
        ],
    )
    late = Event(subject="tp", kind="late_approval", on=date(2026, 2, 27), quantity=2, ref="cv-7")
    result = evaluation(
        people=[member("tp")],
        measures=measures({"tp": [80] * 4}),
        approvals=[late],
        assign=[AssignRule(policy=strict)],
    ).run()
    # 80 + (10 - 2 x 2)
    assert Decimal("86.00") == result.periods[Period.quarter(2026, 1)]["tp"].total
