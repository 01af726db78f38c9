"""Roll-up across policies (a promotion), and caps from outside the sub-periods scored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Event,
    InputError,
    Measure,
    Period,
    Policy,
    RatingCap,
    score,
    score_many,
)
from kpiscore.results.scorecard import CapLine
from kpiscore.rollup import rollup, rollup_many

BANDS = (
    Band(id="HTXS", min_points=90, name="Xuất sắc"),
    Band(id="HTT", min_points=70, name="Tốt"),
    Band(id="HT", min_points=50, name="Hoàn thành"),
    Band(id="KHT", min_points=0, name="Không hoàn thành"),
)


def policy(policy_id: str, **fields: Any) -> Policy:
    fields.setdefault("bands", BANDS)
    return Policy(
        id=policy_id,
        name=policy_id,
        scale=100,
        categories=[
            Category(
                id="all",
                name="All",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        **fields,
    )


STAFF, LEADER = policy("staff"), policy("leader", version="2")


def card(on: Policy, quarter: int, value: int) -> Any:
    return score(
        on,
        Period.quarter(2026, quarter),
        "nv",
        measures=[Measure(subject="nv", criterion="x", value=value)],
    )


class TestAcrossPolicies:
    def test_the_mean_runs_over_both_policies(self) -> None:
        cards = [card(STAFF, 1, 80), card(STAFF, 2, 84), card(LEADER, 3, 90), card(LEADER, 4, 91)]
        year = rollup(cards, "2026", across_policies=True)
        assert (Decimal("86.25"), "HTT") == (year.total, year.rating)
        assert ("staff", "leader") == year.policies
        assert ("leader", "2", LEADER.fingerprint) == (
            year.policy_id,
            year.policy_version,
            year.fingerprint,
        )

    def test_without_the_option_one_policy_is_still_required(self) -> None:
        with pytest.raises(InputError, match="expected one policy"):
            rollup([card(STAFF, 1, 80), card(LEADER, 3, 90)], "2026")

    @pytest.mark.parametrize(
        ("other", "difference"),
        [
            pytest.param(
                policy(
                    "hcm",
                    bands=(
                        Band(id="HTXS", min_points=90, name="Xuất sắc"),
                        Band(id="HTT", min_points=75, name="Tốt"),
                        Band(id="HT", min_points=50, name="Hoàn thành"),
                        Band(id="KHT", min_points=0, name="Không hoàn thành"),
                    ),
                ),
                "bands (HTXS >= 90, HTT >= 70, HT >= 50, KHT >= 0 and HTXS >= 90, HTT >= 75,"
                " HT >= 50, KHT >= 0)",
                id="bands",
            ),
            pytest.param(
                policy("fine", precision="0.1"),
                "rounding (0.01 ROUND_HALF_UP and 0.1 ROUND_HALF_UP)",
                id="rounding",
            ),
        ],
    )
    def test_policies_that_differ_are_an_error_saying_how(
        self, other: Policy, difference: str
    ) -> None:
        with pytest.raises(InputError) as caught:
            rollup([card(STAFF, 1, 80), card(other, 3, 90)], "2026", across_policies=True)
        assert f"the policies differ in {difference}:" in str(caught.value)

    def test_a_different_scale_is_named(self) -> None:
        small = Policy(
            id="small",
            name="S",
            bands=BANDS,
            categories=[
                Category(
                    id="all",
                    name="All",
                    criteria=[Criterion(id="x", name="X", max_points=95, basis="assessed")],
                )
            ],
        )
        with pytest.raises(InputError, match=r"scale \(100 and 95\)"):
            rollup([card(STAFF, 1, 80), card(small, 3, 90)], "2026", across_policies=True)

    def test_rollup_many_across_policies(self) -> None:
        tables = [
            score_many(
                STAFF, "2026-Q1", ["nv"], measures=[Measure(subject="nv", criterion="x", value=80)]
            ),
            score_many(
                LEADER, "2026-Q3", ["nv"], measures=[Measure(subject="nv", criterion="x", value=90)]
            ),
        ]
        year = rollup_many(tables, "2026", across_policies=True)
        assert Decimal("85.00") == year["nv"].total
        with pytest.raises(InputError, match="expected one policy"):
            rollup_many(tables, "2026")


class TestCapsFromOutside:
    REPRIMAND = Event(subject="nv", kind="reprimand", on=date(2026, 8, 20))
    CAPPED = policy("capped", caps=[RatingCap(on="reprimand", at_most="KHT")])

    def line(self, at_most: str = "KHT") -> CapLine:
        return CapLine(
            on="reprimand",
            at_most=at_most,
            name=None,
            reference=None,
            events=(self.REPRIMAND,),
            exempted=(),
            lowered=False,
        )

    def test_a_cap_line_given_caps_the_year(self) -> None:
        cards = [card(self.CAPPED, q, 95) for q in (1, 2, 4)]
        year = rollup(cards, "2026", caps=[self.line()])
        assert ("HTXS", "KHT", True) == (year.score_rating, year.rating, year.caps[0].lowered)

    def test_merged_with_the_same_cap_of_a_sub_period(self) -> None:
        may = Event(subject="nv", kind="reprimand", on=date(2026, 5, 4))
        cards = [
            card(self.CAPPED, 1, 95),
            score(
                self.CAPPED,
                Period.quarter(2026, 2),
                "nv",
                events=[may],
                measures=[Measure(subject="nv", criterion="x", value=95)],
            ),
        ]
        year = rollup(cards, "2026", caps=[self.line()])
        [line] = year.caps
        assert [date(2026, 5, 4), date(2026, 8, 20)] == [e.on for e in line.events]

    def test_a_cap_to_an_unknown_band_is_an_error(self) -> None:
        with pytest.raises(InputError, match="caps at 'D', not a band of policy 'capped'"):
            rollup([card(self.CAPPED, 1, 95)], "2026", caps=[self.line("D")])

    def test_caps_must_be_cap_lines(self) -> None:
        with pytest.raises(InputError, match=r"caps\[0\] must be a CapLine"):
            rollup([card(self.CAPPED, 1, 95)], "2026", caps=["reprimand"])  # type: ignore[list-item]
