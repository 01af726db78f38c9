"""Tests for kpiscore.rollup: the year from the sub-periods worked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs
import pytest

from kpiscore import (
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
    UnknownSubjectError,
    score,
    score_many,
)
from kpiscore.rollup import Rollup, RollupTable, rollup, rollup_many

BANDS = [
    Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ", name_en="Excellent"),
    Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ", name_en="Good"),
    Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ", name_en="Completed"),
    Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ", name_en="Not completed"),
]


def make_policy(**fields: Any) -> Policy:
    """A one-criterion policy whose total is the assessed value, with Decree 335's bands."""
    fields.setdefault("bands", BANDS)
    fields.setdefault(
        "caps",
        [RatingCap(on="reprimand", at_most="KHT", reference="Decree 335/2025 Art. 12")],
    )
    return Policy(
        id="nd335",
        name="Decree 335",
        categories=[
            Category(
                id="all",
                name="All",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        **fields,
    )


POLICY = make_policy()


def card(
    period: Period | str,
    value: str | int,
    *,
    subject: str | Person = "nv001",
    policy: Policy = POLICY,
    events: Sequence[Event] = (),
) -> Scorecard:
    subject_id = subject.id if isinstance(subject, Person) else subject
    return score(
        policy,
        period,
        subject,
        events=events,
        measures=[Measure(subject=subject_id, criterion="x", value=value)],
    )


def months(values: Sequence[str | int], **kwargs: Any) -> list[Scorecard]:
    return [card(Period.month(2026, m), v, **kwargs) for m, v in enumerate(values, start=1)]


TWELVE = [90, 90, 90, 90, 90, 90, 90, 90, 89, 89, 89, 89]  # sum 1076


class TestIssueExample:
    def test_twelve_monthly_totals_summing_to_1076_give_89_67_htt(self) -> None:
        assert 1076 == sum(TWELVE)
        year = rollup(months(TWELVE), "2026")
        assert (Decimal("89.67"), "HTT", "HTT") == (year.total, year.score_rating, year.rating)
        assert (Decimal("1076.00"), Fraction(269, 3)) == (year.sum_of_totals, year.mean)


class TestMean:
    @pytest.mark.parametrize(
        ("values", "rounding", "expected"),
        [
            (["60.66", "60.67"], "ROUND_HALF_UP", "60.67"),
            (["60.66", "60.67"], "ROUND_HALF_EVEN", "60.66"),
            (["60.66", "60.67"], "ROUND_DOWN", "60.66"),
            ([70, 70, 71], "ROUND_HALF_UP", "70.33"),
            ([70, 71, 71], "ROUND_HALF_UP", "70.67"),
            (["89.99", "90.00", "90.00"], "ROUND_HALF_UP", "90.00"),
            (["89.99", "90.00", "90.00"], "ROUND_DOWN", "89.99"),
        ],
        ids=[
            "tie-half-up",
            "tie-half-even",
            "tie-down",
            "thirds-down",
            "thirds-up",
            "rounds-into-htxs",
            "truncates-below-htxs",
        ],
    )
    def test_the_mean_is_rounded_once_with_the_policys_mode(
        self, values: list[str | int], rounding: str, expected: str
    ) -> None:
        policy = make_policy(rounding=rounding)
        year = rollup(months(values, policy=policy), "2026")
        assert Decimal(expected) == year.total

    def test_each_sub_period_counts_once_whatever_its_length(self) -> None:
        # A 28-day February and a 31-day March weigh the same.
        year = rollup([card("2026-02", 80), card("2026-03", 90)], "2026-Q1")
        assert Decimal("85.00") == year.total

    def test_only_the_sub_periods_worked_are_averaged(self) -> None:
        # Maternity leave from July: six months worked.
        year = rollup(months([80, 80, 80, 90, 90, 90]), "2026")
        assert (Decimal("85.00"), 6, 12) == (year.total, year.worked, year.possible)

    def test_the_precision_is_the_policys(self) -> None:
        policy = make_policy(precision="0.1")
        assert Decimal("70.3") == rollup(months([70, 70, 71], policy=policy), "2026").total

    def test_the_rating_is_the_band_of_the_rounded_total(self) -> None:
        # 89.995 rounds half-up to 90.00: HTXS, as a scorecard's band follows its total.
        year = rollup(months(["89.99", "90.00"]), "2026")
        assert (Decimal("90.00"), "HTXS") == (year.total, year.rating)


class TestWorkedShare:
    @pytest.mark.parametrize(
        ("periods", "period", "worked", "possible", "unit"),
        [
            (["2026-01", "2026-02"], "2026", 2, 12, "months"),
            (["2026-Q1", "2026-Q3"], "2026", 6, 12, "months"),
            (["2026-H1"], "2026", 6, 12, "months"),
            (["2026-01", "2026-Q2"], "2026-H1", 4, 6, "months"),
            (["2026-01-01/2026-01-15"], "2026-01", 15, 31, "days"),
            (["2026-01"], "2026-01-01/2026-02-15", 31, 46, "days"),
        ],
        ids=["months", "quarters", "half", "mixed", "part-month", "custom-period"],
    )
    def test_time_worked(
        self, periods: list[str], period: str, worked: int, possible: int, unit: str
    ) -> None:
        year = rollup([card(p, 80) for p in periods], period)
        assert (worked, possible, unit) == (year.worked, year.possible, year.worked_unit)
        assert Fraction(worked, possible) == year.worked_share

    @pytest.mark.parametrize(
        ("worked_months", "rating", "unrated"),
        [
            (6, "HTT", None),
            (5, None, "worked 5 of 12 months, less than the minimum share 0.5"),
            (12, "HTT", None),
        ],
        ids=["exactly-half", "below", "all-year"],
    )
    def test_the_policys_minimum_share(
        self, worked_months: int, rating: str | None, unrated: str | None
    ) -> None:
        policy = make_policy(min_worked_share="0.5")
        cards = months([80] * worked_months, policy=policy)
        year = rollup(cards, "2026", policy=policy)
        assert (rating, unrated, Decimal("0.5")) == (
            year.rating,
            year.unrated,
            year.min_worked_share,
        )
        assert "HTT" == year.score_rating
        assert Decimal("80.00") == year.total

    def test_no_minimum_by_default(self) -> None:
        year = rollup(months([80]), "2026", policy=POLICY)
        assert ("HTT", None, None) == (year.rating, year.unrated, year.min_worked_share)

    def test_the_minimum_travels_on_the_scorecards(self) -> None:
        policy = make_policy(min_worked_share="0.5")
        year = rollup(months([80], policy=policy), "2026")
        assert (None, Decimal("0.5")) == (year.rating, year.min_worked_share)
        assert year.unrated is not None

    def test_rollup_many_applies_the_minimum(self) -> None:
        policy = make_policy(min_worked_share="0.5")
        tables = [
            score_many(
                policy,
                Period.month(2026, m),
                ["a", "b"] if m <= 3 else ["a"],
                measures=[Measure(subject="a", criterion="x", value=80)]
                + ([Measure(subject="b", criterion="x", value=80)] if m <= 3 else []),
            )
            for m in range(1, 13)
        ]
        result = rollup_many(tables, "2026")
        assert ("HTT", None) == (result["a"].rating, result["b"].rating)
        assert result["b"].unrated == "worked 3 of 12 months, less than the minimum share 0.5"


class TestCarriedCaps:
    REPRIMAND = Event(subject="nv001", kind="reprimand", on=date(2026, 5, 3), ref="QD-12")

    def test_a_cap_in_one_month_caps_the_year(self) -> None:
        cards = months(TWELVE)
        cards[4] = card("2026-05", 90, events=[self.REPRIMAND])
        year = rollup(cards, "2026")
        assert (Decimal("89.67"), "HTT", "KHT") == (year.total, year.score_rating, year.rating)
        [cap] = year.caps
        assert (True, (self.REPRIMAND,)) == (cap.lowered, cap.events)
        assert "Decree 335/2025 Art. 12" == cap.reference

    def test_caps_from_several_months_merge_into_one_line(self) -> None:
        second = Event(subject="nv001", kind="reprimand", on=date(2026, 2, 9))
        cards = months([80, 80, 80, 80, 80])
        cards[1] = card("2026-02", 80, events=[second])
        cards[4] = card("2026-05", 80, events=[self.REPRIMAND])
        [cap] = rollup(cards, "2026").caps
        assert (second, self.REPRIMAND) == cap.events

    def test_an_excused_event_is_listed_but_does_not_cap(self) -> None:
        excused = attrs.evolve(self.REPRIMAND, excused=True)
        cards = months([80] * 5)
        cards[4] = card("2026-05", 80, events=[excused])
        year = rollup(cards, "2026")
        [cap] = year.caps
        assert ("HTT", (), (excused,), False) == (
            year.rating,
            cap.events,
            cap.exempted,
            cap.lowered,
        )

    def test_a_cap_never_raises_a_rating(self) -> None:
        policy = make_policy(caps=[RatingCap(on="warning", at_most="HT")])
        warning = Event(subject="nv001", kind="warning", on=date(2026, 1, 9))
        year = rollup([card("2026-01", 30, policy=policy, events=[warning])], "2026")
        assert ("KHT", False) == (year.rating, year.caps[0].lowered)

    def test_the_lowest_of_several_caps_wins(self) -> None:
        policy = make_policy(
            caps=[RatingCap(on="warning", at_most="HT"), RatingCap(on="reprimand", at_most="KHT")]
        )
        events = [
            Event(subject="nv001", kind="warning", on=date(2026, 1, 9)),
            Event(subject="nv001", kind="reprimand", on=date(2026, 2, 9)),
        ]
        cards = [
            card("2026-01", 95, policy=policy, events=events[:1]),
            card("2026-02", 95, policy=policy, events=events[1:]),
        ]
        assert "KHT" == rollup(cards, "2026").rating

    def test_an_unrated_year_is_not_capped_to_a_rating(self) -> None:
        policy = make_policy(min_worked_share="0.5")
        cards = [card("2026-05", 80, policy=policy, events=[self.REPRIMAND])]
        year = rollup(cards, "2026", policy=policy)
        assert (None, False) == (year.rating, year.caps[0].lowered)


class TestPolicyWithoutBands:
    def test_no_rating_and_no_reason(self) -> None:
        policy = make_policy(bands=(), caps=(), min_worked_share="0.5")
        year = rollup([card("2026-01", 80, policy=policy)], "2026", policy=policy)
        assert (None, None, None, ()) == (year.rating, year.score_rating, year.unrated, year.bands)


class TestResult:
    def test_keeps_the_parts_in_date_order(self) -> None:
        cards = months([70, 80, 90])
        year = rollup(cards[::-1], "2026")
        assert tuple(cards) == year.parts

    def test_the_person_is_the_latest_one(self) -> None:
        cards = [
            card("2026-01", 80, subject=Person(id="nv001", unit="Phòng A")),
            card("2026-02", 80, subject=Person(id="nv001", unit="Phòng B")),
        ]
        year = rollup(cards[::-1], "2026")
        assert "Phòng B" == year.person.unit

    def test_carries_the_policy_identity(self) -> None:
        year = rollup(months([80]), "2026")
        assert (POLICY.id, POLICY.version, POLICY.fingerprint, POLICY.max_total) == (
            year.policy_id,
            year.policy_version,
            year.fingerprint,
            year.max_total,
        )
        assert ("HTXS", "HTT", "HT", "KHT") == tuple(band.id for band in year.bands)

    def test_is_evolvable_for_quotas(self) -> None:
        from kpiscore.results.scorecard import Adjustment

        year = rollup(months([95]), "2026")
        moved = attrs.evolve(
            year,
            rating="HTT",
            adjustments=(
                Adjustment(kind="quota", from_rating="HTXS", to_rating="HTT", reason="r"),
            ),
        )
        assert ("HTT", "HTXS", 1) == (moved.rating, moved.score_rating, len(moved.adjustments))

    def test_quotas_apply_to_rollups(self) -> None:
        quota = pytest.importorskip("kpiscore.quota")
        # 5 rated HTT: 20 % of 5 allows 1 HTXS, so b (91) moves down.
        people = {"a": 95, "b": 91, "c": 80, "d": 75, "e": 72, "f": 71, "g": 70}
        results = [
            rollup([card(f"2026-{m:02d}", v, subject=s) for m in (1, 2)], "2026")
            for s, v in people.items()
        ]
        after = quota.apply_quota(results, base="next")
        assert ["HTXS", "HTT", "HTT", "HTT", "HTT", "HTT", "HTT"] == [r.rating for r in after]
        assert isinstance(after[1], Rollup)
        assert "quota" == after[1].adjustments[0].kind

    def test_a_quota_reads_in_vietnamese_in_a_vietnamese_explanation(self) -> None:
        quota = pytest.importorskip("kpiscore.quota")
        people = {"a": 95, "b": 91, "c": 80, "d": 75, "e": 72, "f": 71, "g": 70}
        results = [
            rollup([card(f"2026-{m:02d}", v, subject=s) for m in (1, 2)], "2026")
            for s, v in people.items()
        ]
        moved = quota.apply_quota(results, base="next")[1]
        adjustment = moved.adjustments[0]
        assert adjustment.reason_vi
        assert adjustment.reason_vi in moved.explain("vi")
        assert adjustment.reason not in moved.explain("vi")
        assert adjustment.reason in moved.explain("en")

    def test_to_json_is_canonical_and_order_independent(self) -> None:
        cards = months(TWELVE)
        text = rollup(cards, "2026").to_json()
        assert text == rollup(cards[::-1], "2026").to_json()
        tree = json.loads(text)
        assert {
            "total": "89.67",
            "sum_of_totals": "1076.00",
            "count": 12,
            "worked_share": "1",
            "worked_unit": "months",
            "rating": "HTT",
        } == {
            key: tree[key]
            for key in ("total", "sum_of_totals", "count", "worked_share", "worked_unit", "rating")
        }
        assert 12 == len(tree["parts"])
        assert tree["parts"][0]["period"] == "2026-01"

    def test_to_json_with_indent(self) -> None:
        assert rollup(months([80]), "2026").to_json(indent=2).startswith("{\n  ")

    def test_worked_share_is_written_as_a_fraction(self) -> None:
        tree = rollup(months([80] * 5), "2026").to_dict()
        assert ("5/12", 5, 12) == (tree["worked_share"], tree["worked"], tree["possible"])


class TestExplain:
    def test_vietnamese(self) -> None:
        cards = [card("2026-Q1", 70), card("2026-Q2", 70), card("2026-Q3", 71)]
        text = rollup(cards, "2026").explain()
        assert text == (
            f"Kết quả cả kỳ: nv001 — kỳ 2026\n"
            f"Quy định: nd335 phiên bản 1 (mã kiểm tra {POLICY.fingerprint[:12]})\n"
            "Tổng điểm: 70,33 / 100 — xếp loại HTT (Hoàn thành tốt nhiệm vụ)\n"
            "\n"
            "Các kỳ đã làm việc (9/12 tháng):\n"
            "  - 2026-Q1: 70,00 — HTT\n"
            "  - 2026-Q2: 70,00 — HTT\n"
            "  - 2026-Q3: 71,00 — HTT\n"
            "Bình quân: 211,00 / 3 = 70,33333… → 70,33 (ROUND_HALF_UP, 0,01)\n"
        )

    def test_english_with_a_cap_and_a_minimum(self) -> None:
        policy = make_policy(min_worked_share="0.5")
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 5, 3))
        cards = [
            card("2026-04", 80, policy=policy, subject=Person(id="nv001", name="An")),
            card("2026-05", "80.5", policy=policy, events=[reprimand]),
        ]
        text = rollup(cards, "2026", policy=policy).explain("en")
        assert text == (
            "Result for the period: nv001 — period 2026\n"
            f"Policy: nd335 version 1 (fingerprint {policy.fingerprint[:12]})\n"
            "Total: 80.25 / 100 — no rating\n"
            "\n"
            "Sub-periods worked (2/12 months):\n"
            "  - 2026-04: 80.00 — HTT\n"
            "  - 2026-05: 80.50 — KHT\n"
            "Mean: 160.50 / 2 = 80.25 (ROUND_HALF_UP, 0.01)\n"
            "No rating: worked 2/12 months, less than the policy's minimum share 0.5\n"
            "Rating cap (from the sub-periods): reprimand (2026-05-03) ⇒ not applied: the period"
            " is not rated  [Decree 335/2025 Art. 12]\n"
        )

    def test_english_capped(self) -> None:
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 5, 3))
        text = rollup([card("2026-05", 95, events=[reprimand])], "2026").explain("en")
        assert text.endswith(
            "Rating cap (from the sub-periods): reprimand (2026-05-03) ⇒ the period's rating"
            " lowered to at most KHT  [Decree 335/2025 Art. 12]\n"
            "rating by score: HTXS (Excellent) → KHT (Not completed)\n"
        )

    def test_exempted_cap_and_no_bands(self) -> None:
        excused = Event(subject="nv001", kind="reprimand", on=date(2026, 5, 3), excused=True)
        policy = make_policy(caps=[RatingCap(on="reprimand", at_most="KHT", name="Kỷ luật")])
        text = rollup([card("2026-05", 95, policy=policy, events=[excused])], "2026").explain()
        assert (
            "reprimand «Kỷ luật» (03/05/2026) ⇒ không áp dụng: sự kiện có lý do chính đáng" in text
        )
        bare = make_policy(bands=(), caps=())
        assert (
            "— không xếp loại (quy định không có mức xếp loại)"
            in rollup([card("2026-05", 95, policy=bare)], "2026").explain()
        )

    def test_adjustments_are_explained(self) -> None:
        from kpiscore.results.scorecard import Adjustment

        year = rollup(months([95]), "2026")
        moved = attrs.evolve(
            year,
            rating="HTT",
            adjustments=(
                Adjustment(
                    kind="quota",
                    from_rating="HTXS",
                    to_rating="HTT",
                    reason="over 20 %",
                    reference="Decree 335",
                ),
            ),
        )
        assert moved.explain("en").endswith(
            "Rating adjusted (quota): HTXS → HTT: over 20 %  [Decree 335]\n"
            "rating by score: HTXS (Excellent) → HTT (Good)\n"
        )

    def test_an_unknown_language_is_refused(self) -> None:
        with pytest.raises(InputError, match=r"explain: lang must be 'vi' or 'en' \(got 'fr'\)"):
            rollup(months([80]), "2026").explain("fr")  # type: ignore[arg-type]


class TestValidation:
    def test_no_scorecards(self) -> None:
        with pytest.raises(InputError) as caught:
            rollup([], "2026")
        assert str(caught.value) == (
            "rollup: no scorecards to roll up to 2026; expected at least one sub-period worked"
        )

    def test_scorecards_of_two_people(self) -> None:
        with pytest.raises(InputError) as caught:
            rollup([card("2026-01", 80), card("2026-02", 80, subject="nv002")], "2026")
        assert str(caught.value) == (
            "rollup: the scorecards are of different subjects ('nv001' and 'nv002'); expected"
            " one person's"
        )

    def test_scorecards_of_two_policies(self) -> None:
        other = make_policy(version="2")
        with pytest.raises(InputError) as caught:
            rollup([card("2026-01", 80), card("2026-02", 80, policy=other)], "2026")
        assert str(caught.value) == (
            "rollup: the scorecard of 'nv001' for 2026-02 was scored under policy 'nd335'"
            f" version '2' (fingerprint {other.fingerprint[:12]}), the one for 2026-01 under"
            f" policy 'nd335' version '1' (fingerprint {POLICY.fingerprint[:12]}); expected one"
            " policy"
        )

    def test_a_sub_period_outside_the_period(self) -> None:
        with pytest.raises(InputError) as caught:
            rollup([card("2026-12", 80), card("2027-01", 80)], "2026")
        assert str(caught.value) == (
            "rollup: the scorecard of 'nv001' for 2027-01 is not inside the period 2026"
        )

    def test_overlapping_sub_periods(self) -> None:
        with pytest.raises(InputError) as caught:
            rollup([card("2026-03", 80), card("2026-Q1", 80)], "2026")
        assert str(caught.value) == (
            "rollup: the scorecards of 'nv001' for 2026-Q1 and 2026-03 overlap; expected"
            " sub-periods that do not overlap"
        )

    def test_the_same_month_twice(self) -> None:
        with pytest.raises(InputError, match="for 2026-03 and 2026-03 overlap"):
            rollup([card("2026-03", 80), card("2026-03", 90)], "2026")

    def test_a_policy_that_is_not_theirs(self) -> None:
        other = make_policy(version="2")
        with pytest.raises(InputError, match="not under the policy given \\('nd335' version '2'"):
            rollup([card("2026-01", 80)], "2026", policy=other)

    def test_a_policy_that_is_not_a_policy(self) -> None:
        with pytest.raises(InputError, match="rollup: policy must be a Policy or None"):
            rollup([card("2026-01", 80)], "2026", policy="nd335")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("scorecards", "message"),
        [
            (3, "rollup: scorecards must be an iterable of Scorecard (got 3)"),
            (["x"], "rollup: scorecards[0] must be a Scorecard (got str 'x')"),
        ],
        ids=["not-iterable", "not-a-scorecard"],
    )
    def test_not_scorecards(self, scorecards: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            rollup(scorecards, "2026")
        assert message == str(caught.value)

    def test_a_bad_period(self) -> None:
        with pytest.raises(InputError, match="period must be a Period or a label"):
            rollup([card("2026-01", 80)], 2026)  # type: ignore[arg-type]


def monthly_tables(values: dict[str, list[int | None]], policy: Policy = POLICY) -> list[Any]:
    """One score table per month; None means the person did not work that month."""
    tables = []
    for month in range(1, 13):
        present = {s: v[month - 1] for s, v in values.items() if v[month - 1] is not None}
        tables.append(
            score_many(
                policy,
                Period.month(2026, month),
                list(present),
                measures=[
                    Measure(subject=s, criterion="x", value=v)
                    for s, v in present.items()
                    if v is not None
                ],
            )
        )
    return tables


class TestRollupMany:
    VALUES: ClassVar[dict[str, list[int | None]]] = {
        "nv001": list(TWELVE),
        "nv002": [None, None, 60, 60, 60, 60, 60, 60, 60, 60, 60, 61],
        "nv003": [95] * 12,
    }

    def test_one_rollup_per_person(self) -> None:
        table = rollup_many(monthly_tables(self.VALUES), "2026")
        assert isinstance(table, RollupTable)
        # People in order of first appearance, months in order: nv002 starts in March.
        assert ("nv001", "nv003", "nv002") == table.subjects
        assert [Decimal("89.67"), Decimal("95.00"), Decimal("60.10")] == [r.total for r in table]
        assert (3, 10) == (len(table), table["nv002"].worked)

    def test_the_order_of_tables_does_not_matter(self) -> None:
        tables = monthly_tables(self.VALUES)
        assert rollup_many(tables, "2026").to_json() == rollup_many(tables[::-1], "2026").to_json()

    def test_people_in_order_of_first_appearance(self) -> None:
        values: dict[str, list[int | None]] = {
            "late": [None] + [80] * 11,
            "early": [80] * 12,
        }
        # The January table lists only "early"; "late" first appears in February.
        assert ("early", "late") == rollup_many(monthly_tables(values), "2026").subjects

    def test_distribution_and_rows(self) -> None:
        table = rollup_many(monthly_tables(self.VALUES), "2026")
        assert {"HTXS": 1, "HTT": 1, "HT": 1, "KHT": 0} == table.distribution()
        row = table.to_rows()[2]
        assert {
            "subject": "nv002",
            "period": "2026",
            "parts": 10,
            "worked": 10,
            "possible": 12,
            "worked_unit": "months",
            "total": Decimal("60.10"),
            "rating": "HT",
            "unrated": None,
        } == {
            key: row[key]
            for key in (
                "subject",
                "period",
                "parts",
                "worked",
                "possible",
                "worked_unit",
                "total",
                "rating",
                "unrated",
            )
        }

    def test_to_csv_and_json(self) -> None:
        table = rollup_many(monthly_tables(self.VALUES), "2026")
        assert table.to_csv().splitlines()[0].startswith("subject,name,unit,group,position")
        tree = json.loads(table.to_json())
        assert (POLICY.fingerprint, 3) == (tree["fingerprint"], len(tree["rollups"]))

    def test_to_pandas(self) -> None:
        pytest.importorskip("pandas")
        frame = rollup_many(monthly_tables(self.VALUES), "2026").to_pandas()
        assert Decimal("89.67") == frame.loc[0, "total"]

    def test_indexing(self) -> None:
        table = rollup_many(monthly_tables(self.VALUES), "2026")
        assert "nv003" in table
        assert "nv404" not in table
        with pytest.raises(UnknownSubjectError, match="no result for subject 'nv404'"):
            table["nv404"]

    def test_tables_of_two_policies(self) -> None:
        tables = monthly_tables(self.VALUES)
        tables[5] = score_many(
            make_policy(version="2"),
            "2026-06",
            ["nv001"],
            measures=[Measure(subject="nv001", criterion="x", value=1)],
        )
        with pytest.raises(InputError, match="the table for 2026-06 was scored under policy"):
            rollup_many(tables, "2026")

    def test_overlapping_tables(self) -> None:
        tables = [*monthly_tables(self.VALUES)[:3], score_many(POLICY, "2026-Q1", [])]
        with pytest.raises(InputError) as caught:
            rollup_many(tables, "2026")
        assert str(caught.value) == (
            "rollup_many: the tables for 2026-01 and 2026-Q1 overlap; expected sub-periods that"
            " do not overlap"
        )

    def test_a_table_outside_the_period(self) -> None:
        with pytest.raises(InputError, match="the table for 2027-01 is not inside the period 2026"):
            rollup_many([score_many(POLICY, "2027-01", [])], "2026")

    @pytest.mark.parametrize(
        ("tables", "message"),
        [
            ([], "rollup_many: no tables to roll up to 2026; expected at least one"),
            ("t", "rollup_many: tables must be an iterable of ScoreTable (got 't')"),
            ([1], "rollup_many: tables[0] must be a ScoreTable (got int 1)"),
        ],
        ids=["none", "a-string", "not-a-table"],
    )
    def test_bad_tables(self, tables: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            rollup_many(tables, "2026")
        assert message == str(caught.value)
