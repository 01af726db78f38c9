"""Tests for kpiscore.work: work items, Decree 335 task ratios, late-approval events."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    FileFormatError,
    InputError,
    Measure,
    Person,
    Policy,
    UnknownSubjectError,
    score,
)
from kpiscore.calendar import WorkCalendar, vietnam
from kpiscore.work import RATIO_PLACES, WorkItem, approval_events, read_approvals, task_ratios

JAN_5 = date(2026, 1, 5)
JAN_20 = date(2026, 1, 20)


def item(id: str = "cv", subject: str = "nv001", **fields: Any) -> WorkItem:  # noqa: A002
    """A work item assigned 5 Jan 2026, due 20 Jan, unless told otherwise."""
    fields.setdefault("assigned_on", JAN_5)
    fields.setdefault("due_on", JAN_20)
    return WorkItem(subject=subject, id=id, **fields)


def issue_example() -> list[WorkItem]:
    """10 assigned items, 9 completed, one with a major error, one late once, one twice."""
    items = [item(f"cv{n:02d}", completed_on=JAN_20) for n in range(7)]
    items[0] = item("cv00", completed_on=JAN_20, major_errors=1)
    items.append(item("cv07", completed_on=date(2026, 1, 22)))
    items.append(item("cv08", completed_on=date(2026, 1, 28), delays=2))
    items.append(item("cv09"))
    return items


def task_policy() -> Policy:
    return Policy(
        id="nd335-task",
        name="Decree 335 task results",
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
    )


class TestIssueExample:
    def test_ratios_are_0_9_0_875_0_825(self) -> None:
        ratios = task_ratios(issue_example(), "2026-01")
        expected = [
            Measure(subject="nv001", criterion="quantity", value=Decimal("0.9")),
            Measure(subject="nv001", criterion="quality", value=Decimal("0.875")),
            Measure(subject="nv001", criterion="on_time", value=Decimal("0.825")),
        ]
        assert expected == list(ratios)

    def test_a_70_point_task_category_scores_60_67(self) -> None:
        # 70 × (0.9 + 0.875 + 0.825) / 3 = 182/3 = 60.666… -> 60.67 (half-up).
        card = score(
            task_policy(), "2026-01", "nv001", measures=task_ratios(issue_example(), "2026-01")
        )
        assert Decimal("60.67") == card.category("task").points
        assert Decimal("60.67") == card.total

    def test_the_breakdown_shows_the_units(self) -> None:
        tasks = task_ratios(issue_example(), "2026-01")["nv001"]
        assert (Decimal(10), Decimal(9), Decimal("8.75"), Decimal("8.25")) == (
            tasks.assigned,
            tasks.completed,
            tasks.quality_units,
            tasks.on_time_units,
        )
        assert all(ratio.exact for ratio in tasks.ratios)
        assert Fraction(33, 40) == tasks.ratio("on_time").fraction


class TestItemShares:
    @pytest.mark.parametrize(
        ("fields", "quality", "on_time", "note"),
        [
            ({"completed_on": JAN_20}, "1", "1", "completed on time, no major error"),
            (
                {"completed_on": JAN_20, "major_errors": 2},
                "0.5",
                "1",
                "2 major error(s): quality × 0.5",
            ),
            (
                {"completed_on": JAN_20, "major_errors": 5},
                "0",
                "1",
                "5 major error(s): quality × 0",
            ),
            (
                {"completed_on": date(2026, 1, 21)},
                "1",
                "0.75",
                "1 delay(s): on time × 0.75",
            ),
            (
                {"completed_on": date(2026, 2, 21), "delays": 4},
                "1",
                "0",
                "4 delay(s): on time × 0",
            ),
            (
                {"completed_on": JAN_20, "delays": 1},
                "1",
                "0.75",
                "1 delay(s): on time × 0.75",
            ),
            ({}, "0", "0", "not completed"),
            (
                {
                    "completed_on": date(2026, 1, 30),
                    "delays": 2,
                    "major_errors": 1,
                    "objective_cause": True,
                },
                "1",
                "1",
                "objective cause confirmed: no deduction for errors or delays",
            ),
        ],
        ids=[
            "perfect",
            "two-errors",
            "errors-floored-at-zero",
            "late-once-by-default",
            "delays-floored-at-zero",
            "delay-counted-though-on-time",
            "not-completed",
            "objective-cause",
        ],
    )
    def test_shares(self, fields: dict[str, Any], quality: str, on_time: str, note: str) -> None:
        [line] = task_ratios([item(**fields)], "2026-01")["nv001"].items
        assert (Decimal(quality), Decimal(on_time), note) == (
            line.quality_share,
            line.on_time_share,
            line.note,
        )

    def test_units_weigh_the_item(self) -> None:
        items = [
            item("big", units="2.5", completed_on=JAN_20, major_errors=1),
            item("small", units="0.5"),
        ]
        tasks = task_ratios(items, "2026-01")["nv001"]
        # quantity 2.5 / 3; quality 2.5 × 0.75 / 3 = 0.625; on time 2.5 / 3.
        assert Decimal("0.625") == tasks.ratio("quality").value
        assert Fraction(5, 6) == tasks.ratio("quantity").fraction

    def test_an_exempt_item_not_completed_is_left_out_of_the_assigned_units(self) -> None:
        items = [item("a", completed_on=JAN_20), item("b", objective_cause=True)]
        tasks = task_ratios(items, "2026-01")["nv001"]
        assert (Decimal(1), Decimal(1)) == (tasks.assigned, tasks.ratio("quantity").value)
        assert (
            "objective cause confirmed, not completed: left out of the assigned units"
            == tasks.items[1].note
        )
        assert tasks.items[1].counted is False


class TestRatioValues:
    def test_a_non_terminating_ratio_is_rounded_half_even_to_28_places(self) -> None:
        items = [item(str(n), completed_on=JAN_20) for n in range(2)] + [item("x")]
        ratio = task_ratios(items, "2026-01")["nv001"].ratio("quantity")
        assert 28 == RATIO_PLACES
        assert Decimal("0.6666666666666666666666666667") == ratio.value
        assert (False, Fraction(2, 3)) == (ratio.exact, ratio.fraction)

    def test_a_terminating_ratio_is_exact(self) -> None:
        items = [item(str(n), completed_on=JAN_20) for n in range(7)] + [item("x")]
        ratio = task_ratios(items, "2026-01")["nv001"].ratio("quantity")
        assert (Decimal("0.875"), True) == (ratio.value, ratio.exact)

    def test_all_done_is_exactly_one_and_nothing_done_exactly_zero(self) -> None:
        done = task_ratios([item(completed_on=JAN_20)], "2026-01")["nv001"].ratio("quantity")
        none = task_ratios([item()], "2026-01")["nv001"].ratio("quantity")
        assert (Decimal(1), Decimal(0)) == (done.value, none.value)
        assert ("1", "0") == (str(done.value), str(none.value))


class TestPeriodMembership:
    def test_by_due_date_is_the_default(self) -> None:
        items = [
            item("jan", completed_on=JAN_20),
            item("feb", due_on=date(2026, 2, 10)),  # assigned in January, due in February
        ]
        ratios = task_ratios(items, "2026-01")
        assert ("due", ["jan"]) == (ratios.by, [line.item.id for line in ratios["nv001"].items])

    def test_by_assigned_date(self) -> None:
        items = [
            item("jan", completed_on=JAN_20),
            item("feb", due_on=date(2026, 2, 10)),
        ]
        ratios = task_ratios(items, "2026-01", by="assigned")
        assert ["jan", "feb"] == [line.item.id for line in ratios["nv001"].items]
        assert Decimal("0.5") == ratios["nv001"].ratio("quantity").value

    def test_completion_after_the_period_counts_as_late_not_missing(self) -> None:
        tasks = task_ratios([item(completed_on=date(2026, 2, 3))], "2026-01")["nv001"]
        assert (Decimal(1), Decimal("0.75")) == (
            tasks.ratio("quantity").value,
            tasks.ratio("on_time").value,
        )

    def test_items_are_listed_by_due_date_then_id(self) -> None:
        items = [item("b", due_on=JAN_20), item("a", due_on=date(2026, 1, 25)), item("c")]
        lines = task_ratios(items, "2026-01")["nv001"].items
        assert ["b", "c", "a"] == [line.item.id for line in lines]


class TestPopulation:
    def test_subjects_default_to_those_with_items_sorted(self) -> None:
        items = [item(subject="nv002"), item(subject="nv001")]
        assert ("nv001", "nv002") == tuple(
            t.subject for t in task_ratios(items, "2026-01").subjects
        )

    def test_a_subject_without_work_gets_no_measures_but_is_listed(self) -> None:
        ratios = task_ratios([item()], "2026-01", subjects=["nv001", Person(id="nv002")])
        assert "nv002" in ratios
        assert ((), ()) == (ratios["nv002"].ratios, ratios["nv002"].measures)
        assert 3 == len(ratios.measures)

    def test_an_item_outside_the_population_is_an_error(self) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            task_ratios([item(subject="nv009")], "2026-01", subjects=["nv001"])
        assert str(caught.value) == (
            "items[0]: work item 'cv' names subject 'nv009', who is not in the population"
        )

    def test_an_unknown_subject_lookup_is_an_error(self) -> None:
        with pytest.raises(UnknownSubjectError, match="no subject 'nv404'"):
            task_ratios([item()], "2026-01")["nv404"]

    def test_a_missing_ratio_says_why(self) -> None:
        ratios = task_ratios([], "2026-01", subjects=["nv001"])
        with pytest.raises(InputError, match=r"no units were assigned in the period"):
            ratios["nv001"].ratio("quantity")

    def test_duplicate_subjects_are_refused(self) -> None:
        with pytest.raises(InputError, match="subject 'nv001' appears twice"):
            task_ratios([], "2026-01", subjects=["nv001", "nv001"])

    @pytest.mark.parametrize("subjects", ["nv001", [3]], ids=["a-string", "not-a-person"])
    def test_bad_subjects_are_refused(self, subjects: Any) -> None:
        with pytest.raises(InputError, match="task_ratios: subjects must"):
            task_ratios([], "2026-01", subjects=subjects)


class TestTaskRatiosArguments:
    def test_criterion_ids_are_the_callers(self) -> None:
        ratios = task_ratios(
            [item(completed_on=JAN_20)],
            "2026-01",
            quantity="khoi_luong",
            quality="chat_luong",
            on_time="tien_do",
        )
        assert ["khoi_luong", "chat_luong", "tien_do"] == [m.criterion for m in ratios]

    def test_criterion_ids_must_be_distinct(self) -> None:
        with pytest.raises(InputError) as caught:
            task_ratios([], "2026-01", quality="quantity")
        assert str(caught.value) == (
            "task_ratios: the criterion ids must be distinct (got quantity='quantity',"
            " quality='quantity', on_time='on_time')"
        )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"by": "completed"}, "task_ratios: by must be 'due' or 'assigned' (got 'completed')"),
            ({"quantity": ""}, "task_ratios: quantity must be a non-empty string (got '')"),
        ],
        ids=["by", "empty-id"],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(InputError) as caught:
            task_ratios([], "2026-01", **kwargs)
        assert message == str(caught.value)

    def test_items_must_be_work_items(self) -> None:
        with pytest.raises(InputError, match=r"items\[0\] must be a WorkItem \(got str 'x'\)"):
            task_ratios(["x"], "2026-01")  # type: ignore[list-item]

    def test_items_must_be_iterable(self) -> None:
        with pytest.raises(InputError, match="items must be an iterable of WorkItem"):
            task_ratios(3, "2026-01")  # type: ignore[arg-type]

    def test_duplicate_item_ids_are_refused(self) -> None:
        with pytest.raises(InputError) as caught:
            task_ratios([item("a"), item("b"), item("a")], "2026-01")
        assert str(caught.value) == (
            "items: work item 'a' of 'nv001' appears twice (positions 0 and 2); expected item ids"
            " unique per subject"
        )

    def test_the_same_item_id_for_two_people_is_fine(self) -> None:
        ratios = task_ratios([item("a"), item("a", subject="nv002")], "2026-01")
        assert 6 == len(ratios.measures)

    def test_a_bad_period_is_refused(self) -> None:
        with pytest.raises(InputError, match="period must be a Period or a label"):
            task_ratios([], 2026)  # type: ignore[arg-type]

    def test_the_order_of_items_does_not_matter(self) -> None:
        items = issue_example()
        assert task_ratios(items, "2026-01") == task_ratios(items[::-1], "2026-01")


class TestExport:
    def test_to_json_is_canonical(self) -> None:
        text = task_ratios(issue_example(), "2026-01").to_json()
        tree = json.loads(text)
        assert ("2026-01", "due") == (tree["period"], tree["by"])
        subject = tree["subjects"][0]
        assert {
            "criterion": "quality",
            "numerator": "8.75",
            "denominator": "10",
            "value": "0.875",
            "exact": True,
        } == subject["ratios"][1]
        assert 10 == len(subject["items"])
        assert text == task_ratios(issue_example()[::-1], "2026-01").to_json()

    def test_to_json_with_indent(self) -> None:
        assert task_ratios([], "2026-01").to_json(indent=2).startswith("{\n  ")


class TestWorkItemValidation:
    def test_defaults(self) -> None:
        plain = item()
        assert (Decimal(1), None, 0, 0, False, False, False) == (
            plain.units,
            plain.completed_on,
            plain.major_errors,
            plain.delays,
            plain.objective_cause,
            plain.completed,
            plain.late,
        )

    def test_delays_default_to_one_when_completed_late(self) -> None:
        assert 1 == item(completed_on=date(2026, 1, 21)).delays

    def test_an_explicit_none_means_the_default(self) -> None:
        assert item(completed_on=date(2026, 1, 21), delays=None) == item(
            completed_on=date(2026, 1, 21)
        )

    def test_vietnamese_text_is_normalised(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Nguyễn")
        assert "Nguyễn" == item(subject=decomposed).subject

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            (
                {"due_on": date(2026, 1, 4)},
                (
                    "work item 'cv' of 'nv001': due_on must be on or after assigned_on (2026-01-05)"
                    " (got 2026-01-04)"
                ),
            ),
            (
                {"completed_on": date(2026, 1, 4)},
                (
                    "work item 'cv' of 'nv001': completed_on must be on or after assigned_on"
                    " (2026-01-05) (got 2026-01-04)"
                ),
            ),
            ({"units": 0}, "work item 'cv' of 'nv001': units must be > 0 (got Decimal('0'))"),
            (
                {"units": "many"},
                (
                    "work item 'cv' of 'nv001': units must be a finite number (int, str, Decimal or"
                    " float) (got 'many')"
                ),
            ),
            (
                {"major_errors": -1},
                "work item 'cv' of 'nv001': major_errors must be a whole number >= 0 (got -1)",
            ),
            (
                {"delays": True},
                "work item 'cv' of 'nv001': delays must be a whole number >= 0 (got True)",
            ),
            (
                {"completed_on": date(2026, 1, 21), "delays": 0},
                (
                    "work item 'cv' of 'nv001': delays is 0 but the item was completed on"
                    " 2026-01-21, after due_on (2026-01-20); expected delays >= 1, or"
                    " objective_cause=True when the delay has a confirmed objective cause"
                ),
            ),
            (
                {"objective_cause": "yes"},
                "work item 'cv' of 'nv001': objective_cause must be True or False (got 'yes')",
            ),
            (
                {"approved_on": JAN_20},
                (
                    "work item 'cv' of 'nv001': approved_on (2026-01-20) needs submitted_on, the"
                    " day the approval deadline runs from (got None)"
                ),
            ),
            (
                {"submitted_on": JAN_20, "approved_on": date(2026, 1, 19)},
                (
                    "work item 'cv' of 'nv001': approved_on must be on or after submitted_on"
                    " (2026-01-20) (got 2026-01-19)"
                ),
            ),
            (
                {"approver": ""},
                "work item 'cv' of 'nv001': approver must be a non-empty string or None (got '')",
            ),
            (
                {"assigned_on": "2026-01-05"},
                (
                    "work item 'cv' of 'nv001': assigned_on must be a datetime.date (got str"
                    " '2026-01-05')"
                ),
            ),
        ],
        ids=[
            "due-before-assigned",
            "completed-before-assigned",
            "zero-units",
            "text-units",
            "negative-errors",
            "bool-delays",
            "late-without-delay",
            "objective-cause-not-bool",
            "approved-without-submitted",
            "approved-before-submitted",
            "empty-approver",
            "string-date",
        ],
    )
    def test_invalid_items_are_refused(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(InputError) as caught:
            item(**fields)
        assert message == str(caught.value)

    def test_late_without_delay_is_fine_with_an_objective_cause(self) -> None:
        late = item(completed_on=date(2026, 1, 21), delays=0, objective_cause=True)
        assert (0, True) == (late.delays, late.late)

    def test_a_datetime_is_refused(self) -> None:
        with pytest.raises(InputError, match="completed_on must be a date, not a datetime"):
            item(completed_on=dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC))

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"subject": ""}, "work item: subject must be a non-empty string (got '')"),
            ({"id": None}, "work item of 'nv001': id must be a non-empty string (got None)"),
        ],
        ids=["subject", "id"],
    )
    def test_ids_are_required(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(InputError) as caught:
            WorkItem(
                **{"subject": "nv001", "id": "cv", "assigned_on": JAN_5, "due_on": JAN_20, **fields}
            )
        assert message == str(caught.value)


def approval(
    submitted: date,
    approved: date | None = None,
    *,
    id: str = "cv",  # noqa: A002
    approver: str = "tp01",
) -> WorkItem:
    return WorkItem(
        subject="nv001",
        id=id,
        assigned_on=date(2026, 1, 2),
        due_on=submitted,
        approver=approver,
        submitted_on=submitted,
        approved_on=approved,
    )


class TestApprovalEvents:
    AS_OF = date(2026, 3, 31)

    @pytest.mark.parametrize(
        ("submitted", "approved", "unit", "on", "late"),
        [
            # Submitted Thu 12 Feb; 5 working days -> due Thu 26 Feb (Tết 14-22 Feb).
            (date(2026, 2, 12), date(2026, 2, 26), "working", None, None),
            (date(2026, 2, 12), date(2026, 2, 27), "working", date(2026, 2, 27), 1),
            (date(2026, 2, 12), date(2026, 3, 2), "working", date(2026, 2, 27), 2),
            (date(2026, 2, 12), date(2026, 2, 28), "working", date(2026, 2, 27), 2),
            # 5 calendar days -> Tue 17 Feb, a holiday, so due Mon 23 Feb (Art. 148).
            (date(2026, 2, 12), date(2026, 2, 23), "calendar", None, None),
            (date(2026, 2, 12), date(2026, 2, 26), "calendar", date(2026, 2, 24), 3),
            (date(2026, 2, 12), None, "working", date(2026, 2, 27), 23),
            (date(2026, 2, 12), date(2026, 4, 2), "working", date(2026, 2, 27), 23),
        ],
        ids=[
            "on-the-deadline",
            "one-working-day-late",
            "over-a-weekend",
            "on-the-saturday-after",
            "calendar-on-time",
            "calendar-three-days",
            "still-waiting",
            "approved-after-as-of",
        ],
    )
    def test_days_late(
        self,
        submitted: date,
        approved: date | None,
        unit: str,
        on: date | None,
        late: int | None,
    ) -> None:
        events = approval_events(
            [approval(submitted, approved)],
            vietnam(2026),
            unit=unit,  # type: ignore[arg-type]
            as_of=self.AS_OF,
        )
        if on is None or late is None:
            assert () == events
        else:
            [event] = events
            assert (on, Decimal(late)) == (event.on, event.quantity)

    def test_the_event_names_the_approver_the_item_and_the_reason(self) -> None:
        [event] = approval_events(
            [approval(date(2026, 2, 12), date(2026, 3, 2), id="cv-7")],
            vietnam(2026),
            as_of=self.AS_OF,
        )
        assert (
            Event(
                subject="tp01",
                kind="late_approval",
                on=date(2026, 2, 27),
                quantity=2,
                ref="cv-7",
                note=(
                    "work item 'cv-7' of 'nv001' submitted 2026-02-12; approval due 2026-02-26"
                    " (5 working days); approved 2026-03-02: 2 working day(s) late"
                ),
            )
            == event
        )

    def test_still_waiting_says_so(self) -> None:
        [event] = approval_events(
            [approval(date(2026, 3, 2))], vietnam(2026), as_of=date(2026, 3, 10)
        )
        assert event.note is not None
        assert event.note.endswith("not approved by 2026-03-10: 1 working day(s) late")

    def test_items_without_approver_or_submission_are_not_approvals(self) -> None:
        items = [
            WorkItem(subject="nv001", id="a", assigned_on=JAN_5, due_on=JAN_20),
            WorkItem(subject="nv001", id="b", assigned_on=JAN_5, due_on=JAN_20, submitted_on=JAN_5),
            WorkItem(subject="nv001", id="c", assigned_on=JAN_5, due_on=JAN_20, approver="tp01"),
        ]
        assert () == approval_events(items, vietnam(2026), as_of=self.AS_OF)

    def test_items_submitted_after_as_of_are_not_looked_at(self) -> None:
        items = [approval(date(2026, 4, 1))]
        assert () == approval_events(items, vietnam(2026), as_of=self.AS_OF)

    def test_kind_and_days_are_the_callers(self) -> None:
        [event] = approval_events(
            [approval(date(2026, 3, 2), date(2026, 3, 6))],
            vietnam(2026),
            days=3,
            kind="cham_duyet",
            as_of=self.AS_OF,
        )
        assert ("cham_duyet", Decimal(1)) == (event.kind, event.quantity)

    def test_events_are_ordered_whatever_the_order_of_items(self) -> None:
        items = [
            approval(date(2026, 3, 2), id="b", approver="tp02"),
            approval(date(2026, 2, 12), id="a", approver="tp01"),
            approval(date(2026, 3, 2), id="c", approver="tp01"),
        ]
        events = approval_events(items, vietnam(2026), as_of=self.AS_OF)
        assert [("tp01", "a"), ("tp01", "c"), ("tp02", "b")] == [(e.subject, e.ref) for e in events]
        assert events == approval_events(items[::-1], vietnam(2026), as_of=self.AS_OF)

    def test_a_deduction_per_day_late_scores_them(self) -> None:
        policy = Policy(
            id="leaders",
            name="Leaders",
            categories=[
                Category(
                    id="lead",
                    name="Leadership",
                    criteria=[
                        Criterion(
                            id="approvals",
                            name="Approvals on time",
                            max_points=20,
                            deductions=[Deduction(on="late_approval", points=2, per="unit")],
                        )
                    ],
                )
            ],
        )
        events = approval_events(
            [approval(date(2026, 2, 12), date(2026, 3, 2))], vietnam(2026), as_of=self.AS_OF
        )
        assert Decimal("16.00") == score(policy, "2026-02", "tp01", events=events).total

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"days": -1}, "approval_events: days must be a whole number of days >= 0 (got -1)"),
            ({"days": 5.0}, "approval_events: days must be a whole number of days >= 0 (got 5.0)"),
            (
                {"unit": "hours"},
                "approval_events: unit must be 'working' or 'calendar' (got 'hours')",
            ),
            ({"kind": " "}, "approval_events: kind must be a non-empty string (got ' ')"),
            (
                {"as_of": "2026-03-31"},
                "approval_events: as_of must be a datetime.date (got str '2026-03-31')",
            ),
            (
                {"calendar": "vn"},
                "approval_events: calendar must be a WorkCalendar (got str 'vn')",
            ),
        ],
        ids=["negative-days", "float-days", "unit", "kind", "as-of", "calendar"],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        arguments: dict[str, Any] = {"calendar": WorkCalendar(), "as_of": self.AS_OF, **kwargs}
        with pytest.raises(InputError) as caught:
            approval_events([], **arguments)
        assert message == str(caught.value)


class TestApprovalNotes:
    def test_a_vietnamese_note(self) -> None:
        [event] = approval_events(
            [approval(date(2026, 2, 12), date(2026, 3, 2), id="cv-7")],
            vietnam(2026),
            as_of=date(2026, 3, 31),
            lang="vi",
        )
        assert event.note == (
            "hồ sơ 'cv-7' của 'nv001' trình ngày 2026-02-12; hạn duyệt 2026-02-26 (5 ngày làm"
            " việc, BLDS 2015 Điều 147–148); duyệt ngày 2026-03-02: chậm 2 ngày làm việc"
        )

    def test_an_unknown_language_is_refused(self) -> None:
        with pytest.raises(InputError, match="lang must be 'en' or 'vi' \\(got 'fr'\\)"):
            approval_events([], vietnam(2026), as_of=date(2026, 3, 31), lang="fr")  # type: ignore[arg-type]


class TestReadApprovals:
    def write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "approvals.csv"
        path.write_text(text, encoding="utf-8")
        return path

    def test_rows_become_late_approval_events(self, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            "item,subject,approver,submitted,approved,days,unit\n"
            "cv-7,nv001,tp01,12/02/2026,02/03/2026,,\n"  # 5 working days: due 26 Feb
            "cv-8,nv002,tp01,2026-03-02,2026-03-05,,\n"  # on time
            "cv-9,nv002,tp02,2026-03-02,,3,calendar\n",  # due 5 Mar, waiting at 31 Mar
        )
        events = read_approvals(path, as_of=date(2026, 3, 31), lang="en")
        assert [
            ("tp01", "cv-7", date(2026, 2, 27), Decimal(2)),
            ("tp02", "cv-9", date(2026, 3, 6), Decimal(26)),
        ] == [(e.subject, e.ref, e.on, e.quantity) for e in events]
        assert "not approved by 2026-03-31" in (events[1].note or "")

    def test_the_same_as_approval_events(self, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            "item,subject,approver,submitted,approved\ncv-7,nv001,tp01,12/02/2026,02/03/2026\n",
        )
        expected = approval_events(
            [
                WorkItem(
                    subject="nv001",
                    id="cv-7",
                    assigned_on=date(2026, 2, 12),
                    due_on=date(2026, 2, 12),
                    approver="tp01",
                    submitted_on=date(2026, 2, 12),
                    approved_on=date(2026, 3, 2),
                )
            ],
            vietnam(2026),
            as_of=date(2026, 3, 31),
            lang="vi",
        )
        assert expected == read_approvals(path, as_of=date(2026, 3, 31))

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            pytest.param(
                "cv,nv,tp,31/02/2026,",
                "line 2, column 'submitted': '31/02/2026' is not",
                id="not-a-date",
            ),
            pytest.param(
                "cv,nv,tp,2026-03-02,2026-03-01",
                "approved_on must be on or after",
                id="approved-before",
            ),
            pytest.param(
                "cv,nv,,2026-03-02,",
                "line 2, column 'approver': required, but empty",
                id="no-approver",
            ),
        ],
    )
    def test_bad_rows_name_the_line(self, tmp_path: Path, row: str, message: str) -> None:
        path = self.write(tmp_path, f"item,subject,approver,submitted,approved\n{row}\n")
        with pytest.raises(FileFormatError, match=message):
            read_approvals(path, as_of=date(2026, 3, 31))

    def test_an_unknown_column(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, "item,subject,approver,submitted,comment\n")
        with pytest.raises(FileFormatError, match="unknown column 'comment'"):
            read_approvals(path, as_of=date(2026, 3, 31))

    def test_a_repeated_item(self, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            "item,subject,approver,submitted\ncv,nv,tp,2026-03-02\ncv,nv,tp,2026-03-03\n",
        )
        with pytest.raises(FileFormatError, match="'cv' of 'nv' already given on line 2"):
            read_approvals(path, as_of=date(2026, 3, 31))


def test_read_approvals_defaults_as_of_to_the_latest_day_in_the_log(tmp_path: Path) -> None:
    path = tmp_path / "approvals.csv"
    path.write_text(
        "item,subject,approver,submitted,approved\n"
        "cv-7,nv001,tp01,12/02/2026,02/03/2026\n"  # 2 working days late
        "cv-8,nv001,tp01,2026-02-23,\n",  # due 2 Mar, waiting at 2 Mar: not late yet
        encoding="utf-8",
    )
    assert [("cv-7", Decimal(2))] == [(e.ref, e.quantity) for e in read_approvals(path)]
