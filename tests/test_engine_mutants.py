"""Engine behaviours that mutation testing found no test pinned down (tools/mutation.py).

Each test kills a family of surviving mutants of ``kpiscore/engine/exact.py``: the period's
first and last days count, an assessed measure may equal the maximum, the fast path and the
ledger agree on edge values, and the messages name what they are about.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

import pytest

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    Policy,
    RatingCap,
    score,
    score_many,
)

TRAINING = Criterion(
    id="training",
    name="Training",
    max_points=15,
    deductions=[Deduction(on="training_absence", points=2)],
)
QUALITY = Criterion(id="quality", name="Quality", max_points=10, basis="assessed")
DONE = Criterion(id="done", name="Done", max_points=10, basis="ratio")
# Arguments of the wrong type, as a caller without a type checker passes them.
ONE: Any = 1
SEVEN: Any = 7
TEXT: Any = "m"
TEXT_ID: Any = "nv001"


def policy(*criteria: Criterion, **fields: Any) -> Policy:
    return Policy(
        id="p",
        name="P",
        categories=[Category(id="c", name="C", criteria=criteria or [TRAINING])],
        **fields,
    )


def absence(on: date, subject: str = "nv001") -> Event:
    return Event(subject=subject, kind="training_absence", on=on)


class TestThePeriodIsInclusive:
    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param(date(2025, 12, 31), Decimal("15.00"), id="day-before"),
            pytest.param(date(2026, 1, 1), Decimal("13.00"), id="first-day"),
            pytest.param(date(2026, 3, 31), Decimal("13.00"), id="last-day"),
            pytest.param(date(2026, 4, 1), Decimal("15.00"), id="day-after"),
        ],
    )
    def test_score_counts_events_on_the_first_and_last_day(
        self, on: date, expected: Decimal
    ) -> None:
        assert expected == score(policy(), "2026-Q1", "nv001", [absence(on)]).total

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param(date(2025, 12, 31), Decimal("15.00"), id="day-before"),
            pytest.param(date(2026, 1, 1), Decimal("13.00"), id="first-day"),
            pytest.param(date(2026, 3, 31), Decimal("13.00"), id="last-day"),
            pytest.param(date(2026, 4, 1), Decimal("15.00"), id="day-after"),
        ],
    )
    def test_score_many_counts_events_on_the_first_and_last_day(
        self, on: date, expected: Decimal
    ) -> None:
        table = score_many(policy(), "2026-Q1", ["nv001"], [absence(on)])
        assert (expected, expected) == (table.totals()[0], table["nv001"].categories[0].points)

    def test_a_cap_on_the_last_day_applies(self) -> None:
        capped = policy(
            bands=[
                Band(id="HT", min_points=0, name="HT"),
                Band(id="HTT", min_points=10, name="HTT"),
            ],
            caps=[RatingCap(on="reprimand", at_most="HT")],
        )
        reprimand = Event(subject="nv001", kind="reprimand", on=date(2026, 3, 31))
        table = score_many(capped, "2026-Q1", ["nv001"], [reprimand])
        assert ("HTT", "HT") == (table["nv001"].score_rating, table["nv001"].rating)


class TestMeasuresAtTheirBounds:
    @pytest.mark.parametrize("value", ["0", "10"], ids=["zero", "maximum"])
    def test_an_assessed_measure_may_equal_either_bound(self, value: str) -> None:
        card = score(
            policy(QUALITY),
            "2026-Q1",
            "nv001",
            measures=[Measure(subject="nv001", criterion="quality", value=value)],
        )
        result = card.criterion("quality")
        assert (Decimal(value), Decimal(value), False) == (
            result.start,
            result.measure,
            result.ratio_capped,
        )

    def test_an_assessed_measure_with_a_deduction_builds_its_ledger(self) -> None:
        assessed = Criterion(
            id="quality",
            name="Quality",
            max_points=10,
            basis="assessed",
            deductions=[Deduction(on="error", points=1)],
            awards=[Award(on="praise", points=1)],
        )
        card = score(
            policy(assessed),
            "2026-Q1",
            "nv001",
            [Event(subject="nv001", kind="error", on=date(2026, 2, 2))],
            [Measure(subject="nv001", criterion="quality", value=10)],
        )
        result = card.criterion("quality")
        assert (Decimal(10), Decimal(9), False) == (
            result.start,
            result.points,
            result.ratio_capped,
        )

    @pytest.mark.parametrize("value", ["0", "1"], ids=["zero", "one"])
    def test_a_ratio_may_equal_either_bound(self, value: str) -> None:
        card = score(
            policy(DONE),
            "2026-Q1",
            "nv001",
            measures=[Measure(subject="nv001", criterion="done", value=value)],
        )
        assert (Decimal(value) * 10, False) == (
            card.criterion("done").start,
            card.criterion("done").ratio_capped,
        )


class TestMessagesNameTheArgument:
    @pytest.mark.parametrize(
        ("call", "message"),
        [
            pytest.param(
                lambda: score(policy(), "2026-Q1", "nv001", measures=[ONE]),
                "measures[0] must be a Measure (got int 1)",
                id="score-measure",
            ),
            pytest.param(
                lambda: score(policy(), "2026-Q1", "nv001", measures=TEXT),
                "measures must be an iterable of Measure (got 'm')",
                id="score-measures",
            ),
            pytest.param(
                lambda: score(policy(), "2026-Q1", "nv001", events=[ONE]),
                "events[0] must be a Event (got int 1)",
                id="score-event",
            ),
            pytest.param(
                lambda: score_many(policy(), "2026-Q1", ["nv001"], events=[ONE]),
                "events[0] must be a Event (got int 1)",
                id="many-event",
            ),
            pytest.param(
                lambda: score_many(policy(), "2026-Q1", ["nv001"], measures=[ONE]),
                "measures[0] must be a Measure (got int 1)",
                id="many-measure",
            ),
            pytest.param(
                lambda: score_many(policy(), "2026-Q1", TEXT_ID),
                "subjects must be an iterable of Person or id strings (got 'nv001')",
                id="many-subjects-string",
            ),
            pytest.param(
                lambda: score_many(policy(), "2026-Q1", SEVEN),
                "subjects must be an iterable of Person or id strings (got 7)",
                id="many-subjects-number",
            ),
            pytest.param(
                lambda: score_many(policy(), "2026-Q1", ["a", "b", "a"]),
                "subjects: person id 'a' appears twice (positions 0 and 2); expected unique ids",
                id="many-person-twice",
            ),
        ],
    )
    def test_the_message(self, call: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            call()
        assert message == str(caught.value)


def capped_policy(*caps: RatingCap) -> Policy:
    return policy(
        bands=[
            Band(id="HTT", min_points=10, name="HTT"),
            Band(id="HT", min_points=5, name="HT"),
            Band(id="KHT", min_points=0, name="KHT"),
        ],
        caps=caps,
    )


def event(kind: str, on: date = date(2026, 2, 2), **fields: Any) -> Event:
    return Event(subject="nv001", kind=kind, on=on, **fields)


class TestCaps:
    def test_a_cap_at_the_rating_already_held_does_not_lower_it(self) -> None:
        capped = capped_policy(RatingCap(on="warning", at_most="HTT", name="Cảnh cáo"))
        card = score(capped, "2026-Q1", "nv001", [event("warning")])
        (line,) = card.caps
        assert ("HTT", False, "Cảnh cáo") == (card.rating, line.lowered, line.name)

    def test_a_cap_without_events_does_not_stop_the_next_cap(self) -> None:
        capped = capped_policy(
            RatingCap(on="warning", at_most="HT"), RatingCap(on="dismissal", at_most="KHT")
        )
        card = score(capped, "2026-Q1", "nv001", [event("dismissal")])
        assert ("KHT", ["dismissal"]) == (card.rating, [line.on for line in card.caps])

    def test_a_lowering_cap_says_so(self) -> None:
        capped = capped_policy(RatingCap(on="warning", at_most="HT"))
        (line,) = score(capped, "2026-Q1", "nv001", [event("warning")]).caps
        assert (True, "HT") == (line.lowered, line.at_most)


class TestCanonicalOrderOfEvents:
    """The ledger lists a rule's events by date, kind, ref, quantity, note: an event without a
    ref or note sorts as if it had an empty one, before any event that has one."""

    def events(self) -> list[Event]:
        day = date(2026, 2, 2)
        return [
            event("training_absence", day, ref="B"),
            event("training_absence", day),
            event("training_absence", day, ref="A", note="B"),
            event("training_absence", day, ref="A"),
        ]

    def test_events_without_ref_or_note_come_first(self) -> None:
        # Two events share ref "A" (with other notes): allowed here, to order them.
        card = score(policy(), "2026-Q1", "nv001", self.events(), duplicates="allow")
        listed = card.criterion("training").rules[0].events
        assert [(None, None), ("A", None), ("A", "B"), ("B", None)] == [
            (e.ref, e.note) for e in listed
        ]

    def test_the_order_of_the_input_changes_nothing(self) -> None:
        forward = score(policy(), "2026-Q1", "nv001", self.events(), duplicates="allow")
        backward = score(policy(), "2026-Q1", "nv001", self.events()[::-1], duplicates="allow")
        assert forward.to_json() == backward.to_json()


def carrying(*, with_missing_ratio: bool) -> Policy:
    """Two categories, each with a criterion that carries what its floor absorbs; with an
    unmeasured ratio criterion under missing="exclude", the scorecard's figures come from the
    full ledger instead of the fast path."""
    second = [
        Criterion(
            id="c3",
            name="C3",
            max_points=5,
            overflow="carry",
            deductions=[Deduction(on="y", points=2)],
        ),
        Criterion(id="c2", name="C2", max_points=10),
    ]
    if with_missing_ratio:
        second.append(Criterion(id="r", name="R", max_points=10, basis="ratio", reference="Art. 9"))
    return Policy(
        id="carry",
        name="Carry",
        precision="1",
        rounding="ROUND_HALF_UP",
        missing="exclude",
        categories=[
            Category(
                id="a",
                name="A",
                reference="Decision 20/2024 Art. 5",
                criteria=[
                    Criterion(
                        id="c1",
                        name="C1",
                        max_points=5,
                        overflow="carry",
                        deductions=[Deduction(on="x", points="2.5")],
                    )
                ],
            ),
            Category(id="b", name="B", criteria=second),
        ],
    )


class TestCarriedAcrossCategories:
    def events(self) -> list[Event]:
        return [event("x", date(2026, 1, day)) for day in (5, 6, 7)] + [
            event("y", date(2026, 1, day)) for day in (5, 6, 7)
        ]

    @pytest.mark.parametrize(
        ("ledger", "total"),
        [
            # Category b: 0 + 10 = 10.
            pytest.param(False, Decimal(6), id="fast-path"),
            # r drops out and b renormalises: 25 × 10 / 15 = 16.67 → 17.
            pytest.param(True, Decimal(13), id="ledger-path"),
        ],
    )
    def test_carried_from_every_category_is_summed_then_rounded_once(
        self, ledger: bool, total: Decimal
    ) -> None:
        # c1: 3 × 2.5 = 7.5 asked of 5 → 2.5 carried; c3: 3 × 2 = 6 asked of 5 → 1 carried;
        # 3.5 carried, rounded half up at precision 1 → 4, taken from the total.
        card = score(carrying(with_missing_ratio=ledger), "2026-Q1", "nv001", self.events())
        assert (Decimal(4), total) == (card.carried, card.total)

    def test_the_category_keeps_its_reference(self) -> None:
        card = score(carrying(with_missing_ratio=False), "2026-Q1", "nv001", self.events())
        assert ["Decision 20/2024 Art. 5", None] == [c.reference for c in card.categories]

    def test_a_cap_line_keeps_its_reference(self) -> None:
        capped = capped_policy(RatingCap(on="warning", at_most="HT", reference="Art. 12"))
        (line,) = score(capped, "2026-Q1", "nv001", [event("warning")]).caps
        assert "Art. 12" == line.reference


class TestTheLedgerOfEveryCriterion:
    def test_an_excluded_criterion_is_described_in_full(self) -> None:
        card = score(carrying(with_missing_ratio=True), "2026-Q1", "nv001")
        r = card.criterion("r")
        assert (
            "R",
            "ratio",
            Decimal(10),
            Decimal(0),
            Decimal(10),
            "absorb",
            "Art. 9",
            Decimal(0),
            None,
            False,
            "exclude",
            True,
            (),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
        ) == (
            r.name,
            r.basis,
            r.max_points,
            r.floor,
            r.weight,
            r.overflow,
            r.reference,
            r.start,
            r.measure,
            r.ratio_capped,
            r.missing,
            r.excluded,
            r.rules,
            r.raw,
            r.exact_points,
            r.points,
            r.absorbed_by_floor,
            r.absorbed_by_max,
            r.raised_by_floor,
            r.carried,
        )

    @pytest.mark.parametrize(
        ("criterion", "missing"),
        [
            pytest.param(TRAINING, "error", id="full"),
            pytest.param(
                Criterion(id="zero", name="Z", max_points=5, basis="zero"), "error", id="zero"
            ),
            pytest.param(DONE, "zero", id="missing-as-zero"),
        ],
    )
    def test_only_a_capped_ratio_says_ratio_capped(
        self, criterion: Criterion, missing: str
    ) -> None:
        card = score(policy(criterion, missing=missing), "2026-Q1", "nv001")
        result = card.criterion(criterion.id)
        assert (False, None if missing == "error" else "zero") == (
            result.ratio_capped,
            result.missing,
        )

    def test_a_total_below_zero_on_the_ledger_path_is_clamped_and_said(self) -> None:
        # Carried 4 (rounded from 3.5 at precision 1) against categories worth 0 and 0:
        # c2 is dropped here by a deduction that takes its 10 points.
        tree = carrying(with_missing_ratio=True).to_dict()
        tree["categories"][1]["criteria"][1]["deductions"] = [{"on": "z", "points": "10"}]
        events = [*TestCarriedAcrossCategories().events(), event("z")]
        card = score(Policy.from_dict(tree), "2026-Q1", "nv001", events)
        assert (Decimal(0), Decimal(4), Decimal(4)) == (card.total, card.carried, card.clamped)


def rule_lines(criterion: Criterion, events: list[Event], **fields: Any) -> Any:
    card = score(policy(criterion, **fields), "2026-Q1", "nv001", events)
    return card.criterion(criterion.id)


def times(kind: str, count: int) -> list[Event]:
    return [event(kind, date(2026, 1, 5 + day)) for day in range(count)]


class TestWhatTheClampCutOff:
    """The ledger attributes what the floor or the maximum cut off to the rules that caused
    it, the last rule first, and says where it went."""

    def test_awards_past_the_maximum_are_cut_from_the_last_award(self) -> None:
        earned = Criterion(
            id="earned",
            name="Earned",
            max_points=5,
            basis="zero",
            overflow="carry",
            deductions=[Deduction(on="d", points=1, name="Lỗi", reference="Art. 1")],
            awards=[
                Award(on="a1", points=2, per="unit", limit=4),
                Award(on="a2", points=2, name="Sáng kiến"),
            ],
        )
        result = rule_lines(earned, times("a1", 2) + times("a2", 2) + times("d", 1))
        # 0 + 8 − 1 = 7 → 5: the 2 over the maximum come off a2, the last award.
        assert (Decimal(7), Decimal(5), Decimal(0), Decimal(2), Decimal(0)) == (
            result.raw,
            result.points,
            result.absorbed_by_floor,
            result.absorbed_by_max,
            result.raised_by_floor,
        )
        assert [
            (
                "d",
                "deduction",
                "d",
                "Lỗi",
                "occurrence",
                None,
                Decimal(0),
                None,
                Decimal(0),
                Decimal(-1),
            ),
            (
                "a1",
                "award",
                "a1",
                None,
                "unit",
                Decimal(4),
                Decimal(0),
                None,
                Decimal(0),
                Decimal(4),
            ),
            (
                "a2",
                "award",
                "a2",
                "Sáng kiến",
                "occurrence",
                None,
                Decimal(2),
                "max",
                Decimal(0),
                Decimal(2),
            ),
        ] == [
            (
                line.rule,
                line.kind,
                line.on,
                line.name,
                line.per,
                line.limit,
                line.absorbed,
                line.absorbed_by,
                line.carried,
                line.applied,
            )
            for line in result.rules
        ]

    @pytest.mark.parametrize("overflow", ["absorb", "carry"])
    def test_deductions_past_the_floor_are_cut_from_the_last_deduction(
        self, overflow: Literal["absorb", "carry"]
    ) -> None:
        full = Criterion(
            id="full",
            name="Full",
            max_points=5,
            overflow=overflow,
            deductions=[Deduction(on="d1", points=3), Deduction(on="d2", points=2)],
            awards=[Award(on="a", points=1)],
        )
        result = rule_lines(full, times("d1", 2) + times("d2", 1) + times("a", 1))
        # 5 + 1 − 8 = −2 → 0: the 2 under the floor come off d2, the last deduction.
        carried = Decimal(2) if overflow == "carry" else Decimal(0)
        assert (Decimal(-2), Decimal(2), Decimal(0), Decimal(0), carried) == (
            result.raw,
            result.absorbed_by_floor,
            result.absorbed_by_max,
            result.raised_by_floor,
            result.carried,
        )
        assert [
            ("d1", Decimal(0), None, Decimal(0), Decimal(-6)),
            ("d2", Decimal(2), "floor", carried, Decimal(0)),
            ("a", Decimal(0), None, Decimal(0), Decimal(1)),
        ] == [
            (line.rule, line.absorbed, line.absorbed_by, line.carried, line.applied)
            for line in result.rules
        ]

    def test_a_criterion_result_describes_its_criterion(self) -> None:
        described = Criterion(
            id="full",
            name="Full",
            max_points=5,
            overflow="carry",
            reference="Art. 3",
            deductions=[Deduction(on="d", points="2.5")],
        )
        result = rule_lines(described, times("d", 1), precision="1", rounding="ROUND_HALF_UP")
        # 5 − 2.5 = 2.5, reported once with the policy's rounding: 3.
        assert ("full", "carry", "Art. 3", False, Decimal("2.5"), Decimal(3)) == (
            result.basis,
            result.overflow,
            result.reference,
            result.excluded,
            result.exact_points,
            result.points,
        )


class TestMoreMessages:
    @pytest.mark.parametrize(
        ("call", "message"),
        [
            pytest.param(
                lambda: score(policy(), "2026-Q1", SEVEN),
                "subject must be a Person or a person id string (got int 7)",
                id="subject",
            ),
            pytest.param(
                lambda: score(TEXT, "2026-Q1", "nv001"),
                "policy must be a Policy (got str 'm')",
                id="policy",
            ),
            pytest.param(
                lambda: score(
                    policy(),
                    "2026-Q1",
                    "nv001",
                    measures=[Measure(subject="nv001", criterion="training", value=1)],
                ),
                "policy 'p': measure for subject 'nv001' names criterion 'training', whose basis"
                " 'full' takes no measure; expected a criterion with basis 'assessed' or 'ratio'",
                id="measure-for-a-full-criterion",
            ),
        ],
    )
    def test_the_message(self, call: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            call()
        assert message == str(caught.value)


def excluding(*criteria: Criterion) -> Policy:
    """An unweighted category whose ratio criterion has no measure (missing="exclude")."""
    missing = Criterion(id="r", name="R", max_points=10, basis="ratio")
    return policy(*criteria, missing, missing="exclude")


class TestRenormalisedCategories:
    def test_a_criterion_of_maximum_zero_adds_nothing_and_stops_nothing(self) -> None:
        nothing = Criterion(id="nothing", name="N", max_points=0)
        full = Criterion(id="full", name="F", max_points=10)
        card = score(excluding(nothing, full), "2026-Q1", "nv001")
        # r drops out; of what is left only "full" has a maximum: 10/10 of the category's 20.
        assert Decimal(20) == card.categories[0].points

    def test_a_category_whose_criteria_left_are_all_of_maximum_zero_scores_zero(self) -> None:
        nothing = Criterion(id="nothing", name="N", max_points=0)
        card = score(excluding(nothing), "2026-Q1", "nv001")
        assert (Decimal("0.00"), Decimal("0.00")) == (card.categories[0].points, card.total)


class TestWhatTheScorecardCarries:
    def test_precision_rounding_and_minimum_share_come_from_the_policy(self) -> None:
        shared = policy(precision="0.1", rounding="ROUND_DOWN", min_worked_share="0.5")
        card = score(shared, "2026-Q1", "nv001")
        assert (Decimal("0.1"), "ROUND_DOWN", Decimal("0.5")) == (
            card.precision,
            card.rounding,
            card.min_worked_share,
        )

    def test_a_capped_ratio_starts_at_the_maximum(self) -> None:
        capped = Criterion(id="done", name="Done", max_points=10, basis="ratio", ratio_cap=True)
        card = score(
            policy(capped),
            "2026-Q1",
            "nv001",
            measures=[Measure(subject="nv001", criterion="done", value="1.2")],
        )
        assert (Decimal("10.00"), True) == (card.total, card.criterion("done").ratio_capped)

    def test_two_caps_on_one_kind_give_the_lower_rating_whatever_their_order(self) -> None:
        for caps in (
            (RatingCap(on="reprimand", at_most="KHT"), RatingCap(on="reprimand", at_most="HT")),
            (RatingCap(on="reprimand", at_most="HT"), RatingCap(on="reprimand", at_most="KHT")),
        ):
            table = score_many(capped_policy(*caps), "2026-Q1", ["nv001"], [event("reprimand")])
            assert ("KHT", "KHT") == (table.ratings()[0], table["nv001"].rating)


class TestExcusedEvents:
    @pytest.mark.parametrize("excused_first", [True, False], ids=["excused-first", "excused-last"])
    def test_an_excused_event_never_hides_the_events_after_it(self, excused_first: bool) -> None:
        excused = event("training_absence", date(2026, 1, 5), excused=True)
        counted = event("training_absence", date(2026, 1, 6))
        events = [excused, counted] if excused_first else [counted, excused]
        table = score_many(policy(), "2026-Q1", ["nv001"], events)
        card = score(policy(), "2026-Q1", "nv001", events)
        rule = card.criterion("training").rules[0]
        assert (Decimal(13), Decimal(13), 1, 1) == (
            table.totals()[0],
            card.total,
            len(rule.events),
            len(rule.exempted),
        )

    def test_an_event_no_rule_counts_never_hides_the_events_after_it(self) -> None:
        events = [
            event("parking_ticket", date(2026, 1, 5)),
            event("training_absence", date(2026, 1, 6)),
        ]
        # An unknown kind is an error by default; ignored, it must hide nothing.
        table = score_many(policy(), "2026-Q1", ["nv001"], events, unknown_kinds="ignore")
        assert (Decimal(13), Decimal(13)) == (
            table.totals()[0],
            score(policy(), "2026-Q1", "nv001", events, unknown_kinds="ignore").total,
        )
