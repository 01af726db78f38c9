"""The evaluation cycle's refusals: every bad argument or file named, never a partial result."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Evaluation,
    Event,
    FileFormatError,
    InputError,
    Measure,
    Period,
    Person,
    Policy,
    policies,
)
from kpiscore.cycle.evaluation_assign import AssignRule
from kpiscore.cycle.evaluation_csv import read_csv_table
from kpiscore.cycle.evaluation_json import read_results
from kpiscore.cycle.evaluation_leaders import LeaderRule
from kpiscore.cycle.evaluation_leave import Leave, apply_leave_rule, check_leave, read_leave
from kpiscore.cycle.evaluation_people import Member, check_members, read_people
from kpiscore.cycle.evaluation_rules import PayoutRule, QuotaRule
from kpiscore.exceptions import OutputError
from kpiscore.rollup import rollup
from kpiscore.variants import overlay

DATA = Path(__file__).parent / "data" / "evaluation"
POLICY = Policy(
    id="p",
    name="P",
    # The events below are of kinds the policy knows and deliberately does not score.
    other_kinds=["other", "late"],
    bands=[Band(id="HT", min_points=50, name="Đạt"), Band(id="KHT", min_points=0, name="Không")],
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
        )
    ],
)
NO_BANDS = Policy(
    id="nb",
    name="NB",
    categories=[Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=1)])],
)


def build(**fields: Any) -> Evaluation:
    fields.setdefault("name", "t")
    fields.setdefault("period", "2026")
    fields.setdefault("people", ["nv"])
    fields.setdefault("assign", [AssignRule(policy=POLICY)])
    return Evaluation(**fields)


class TestEvaluationArguments:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            pytest.param({"name": " "}, "name must be non-empty text", id="name"),
            pytest.param({"every": "week"}, "every must be 'month' or 'quarter'", id="every"),
            pytest.param({"leave_rule": "old"}, "leave_rule must be one of", id="leave-rule"),
            pytest.param({"assign": []}, "no [[assign]] rule", id="no-rule"),
            pytest.param({"assign": ["p"]}, "assign[0] must be an AssignRule", id="rule"),
            pytest.param({"events": ["e"]}, "events[0] must be an Event", id="event"),
            pytest.param({"approvals": [1]}, "approvals[0] must be an Event", id="approval"),
            pytest.param({"events": "e"}, "expected a sequence", id="events-text"),
            pytest.param({"measures": [1]}, "measures must be a mapping", id="measures"),
            pytest.param(
                {"measures": {"2026-Q1": ["m"]}}, "must hold Measure objects", id="measure"
            ),
            pytest.param(
                {"period": "2026-01-01/2026-02-15", "every": "month"},
                "is not made of whole calendar months",
                id="part-month",
            ),
            pytest.param(
                {"people": [1]}, "people[0] must be a Member, a Person or an id", id="person"
            ),
            pytest.param({"people": ["a", "a"]}, "the id 'a' appears twice", id="twice"),
        ],
    )
    def test_refused(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(InputError) as caught:
            build(**fields)
        assert message in str(caught.value)

    def test_measures_as_pairs_and_labels(self) -> None:
        measure = Measure(subject="nv", criterion="x", value=60)
        pairs = ((Period.quarter(2026, 1), (measure,)),)
        assert build(measures=pairs).measures == build(measures={"2026-Q1": [measure]}).measures

    def test_policies_lists_each_once(self) -> None:
        evaluation = build(
            assign=[AssignRule(when={"id": ["nv"]}, policy=POLICY), AssignRule(policy=POLICY)]
        )
        assert (POLICY,) == evaluation.policies

    def test_an_unknown_kind_names_a_shared_policy_id_once(self) -> None:
        # A base and its overlay keep the base's id: the message says "policy 'p'", not
        # "policies 'p' or 'p'" (as compare and score_many already did).
        variant = overlay(POLICY, {"bands.HT.min_points": 40})
        evaluation = build(
            assign=[AssignRule(when={"id": ["nv"]}, policy=variant), AssignRule(policy=POLICY)],
            events=[Event(subject="nv", kind="nope", on=date(2026, 2, 10))],
        )
        with pytest.raises(InputError) as caught:
            evaluation.run()
        assert "kind 'nope' is not known to policy 'p' (known" in str(caught.value)
        assert "'p' or 'p'" not in str(caught.value)

    def test_someone_managing_themselves(self) -> None:
        with pytest.raises(InputError, match="'a' is their own manager"):
            check_members([Member(person=Person(id="a"), manager="a")])


class TestParts:
    @pytest.mark.parametrize(
        ("make", "message"),
        [
            pytest.param(
                lambda: AssignRule(when=["x"], policy=POLICY), "when must be a mapping", id="when"
            ),
            pytest.param(
                lambda: AssignRule(when={"unit": []}, policy=POLICY),
                "when.unit must be a value or a non-empty list",
                id="empty",
            ),
            pytest.param(
                lambda: AssignRule(when={"unit": [1]}, policy=POLICY),
                "when.unit values must be text",
                id="number",
            ),
            pytest.param(lambda: AssignRule(policy="p"), "policy must be a Policy", id="policy"),
            pytest.param(
                lambda: AssignRule(policy=POLICY, since=datetime(2026, 1, 1)),  # noqa: DTZ001 - refused
                "since must be a date or None",
                id="datetime",
            ),
            pytest.param(
                lambda: AssignRule(policy=POLICY, since=date(2026, 7, 1), until=date(2026, 6, 30)),
                "until (2026-06-30) is before from",
                id="dates",
            ),
            pytest.param(lambda: Member(person="nv"), "person must be a Person", id="member"),
            pytest.param(
                lambda: Member(person=Person(id="nv"), manager=""),
                "manager must be a person id or None",
                id="manager",
            ),
            pytest.param(
                lambda: Member(person=Person(id="nv"), attributes={"unit": "A"}),
                "attribute 'unit' is a field of its own",
                id="attribute",
            ),
            pytest.param(
                lambda: Leave(
                    subject="", start=date(2026, 1, 1), end=date(2026, 1, 2), reason="sick"
                ),
                "subject must be a person id",
                id="leave-subject",
            ),
            pytest.param(
                lambda: Leave(
                    subject="nv",
                    start=datetime(2026, 1, 1),  # noqa: DTZ001 - refused
                    end=date(2026, 1, 2),
                    reason="sick",
                ),
                "start must be a date",
                id="leave-date",
            ),
            pytest.param(
                lambda: Leave(
                    subject="nv", start=date(2026, 1, 3), end=date(2026, 1, 2), reason="sick"
                ),
                "is before start",
                id="leave-order",
            ),
            pytest.param(
                lambda: Leave(
                    subject="nv", start=date(2026, 1, 1), end=date(2026, 1, 2), reason="holiday"
                ),
                "reason must be one of",
                id="leave-reason",
            ),
            pytest.param(lambda: check_leave(["x"]), "leave[0] must be a Leave", id="leave-row"),
            pytest.param(
                lambda: LeaderRule(event=""), "leaders: event must be non-empty", id="leaders"
            ),
            pytest.param(
                lambda: PayoutRule(table=None, salaries=[1]),
                "salaries must be a mapping",
                id="salaries",
            ),
        ],
    )
    def test_refused(self, make: Any, message: str) -> None:
        with pytest.raises(InputError) as caught:
            make()
        assert message in str(caught.value)

    def test_members_from_pairs_and_descriptions(self) -> None:
        member = Member(person=Person(id="nv"), attributes=[("grade", "A1")])
        assert "A1" == member.attribute("grade")
        assert "until 2026-06-30" in AssignRule(policy=POLICY, until=date(2026, 6, 30)).describe(0)

    def test_an_unknown_leave_rule(self) -> None:
        year = rollup(
            [
                build(
                    period="2026-Q1",
                    measures={"2026-Q1": [Measure(subject="nv", criterion="x", value=60)]},
                )
                .run()
                .periods[Period.quarter(2026, 1)]["nv"]
            ],
            "2026",
        )
        with pytest.raises(InputError, match="leave_rule must be one of"):
            apply_leave_rule(year, [], "old")  # type: ignore[arg-type]

    def test_the_nd90_cap_needs_the_band_ht(self) -> None:
        bands = Policy(
            id="b",
            name="B",
            bands=[Band(id="TOP", min_points=50, name="T"), Band(id="LOW", min_points=0, name="L")],
            categories=POLICY.categories,
        )
        result = build(
            every="month",
            assign=[AssignRule(policy=bands)],
            measures={
                Period.month(2026, m): [Measure(subject="nv", criterion="x", value=60)]
                for m in range(5, 13)
            },
            leave=[
                Leave(subject="nv", start=date(2026, 1, 1), end=date(2026, 4, 30), reason="sick")
            ],
            leave_rule="nd90-2020",
        )
        with pytest.raises(InputError, match="caps at HT, which is not a band of policy 'b'"):
            result.run()


class TestLeaders:
    def test_a_report_without_a_rating(self) -> None:
        leader = Policy(id="l", name="L", bands=POLICY.bands, categories=POLICY.categories)
        with pytest.raises(InputError, match="'nv' has no rating for 2026-Q1"):
            build(
                people=[
                    Member(person=Person(id="tp")),
                    Member(person=Person(id="nv"), manager="tp"),
                ],
                assign=[
                    AssignRule(when={"id": ["tp"]}, policy=leader),
                    AssignRule(policy=NO_BANDS),
                ],
                measures={"2026-Q1": [Measure(subject="tp", criterion="x", value=60)]},
                period="2026-Q1",
                leaders=LeaderRule(),
            ).run()

    def test_at_least_must_be_a_band(self) -> None:
        with pytest.raises(InputError, match="at_least 'HTT' is not a band of policy 'p'"):
            build(
                people=[
                    Member(person=Person(id="tp")),
                    Member(person=Person(id="nv"), manager="tp"),
                ],
                measures={
                    "2026-Q1": [Measure(subject=s, criterion="x", value=60) for s in ("tp", "nv")]
                },
                period="2026-Q1",
                leaders=LeaderRule(at_least="HTT"),
            ).run()


class TestQuotaGroups:
    def test_a_person_without_the_grouping_attribute(self) -> None:
        people = [
            Member(person=Person(id="a"), attributes={"team": "T"}),
            Member(person=Person(id="b")),
        ]
        measures = {"2026-Q1": [Measure(subject=s, criterion="x", value=60) for s in "ab"]}
        with pytest.raises(InputError, match="'b' has no 'team'"):
            build(
                people=people,
                period="2026-Q1",
                measures=measures,
                quota=QuotaRule(rating="HT", group_by=("team",)),
            ).run()

    def test_group_by_several_person_fields(self) -> None:
        people = [Person(id=s, unit="U", group="G") for s in "ab"]
        measures = {"2026-Q1": [Measure(subject=s, criterion="x", value=60) for s in "ab"]}
        result = build(
            people=people,
            period="2026-Q1",
            measures=measures,
            quota=QuotaRule(rating="HT", group_by=("unit", "group")),
        ).run()
        assert {"HT": 0, "KHT": 2} == result.year.distribution()


class TestPayout:
    def run(self, salaries: dict[str, int], **fields: Any) -> Any:
        from kpiscore.payout import load

        staff = policies.load("vn-nd335-2025-staff")
        values = {
            "politics_ethics": 9,
            "competence": 9,
            "innovation": 9,
            "quantity": 1,
            "quality": 1,
            "on_time": 1,
        }
        fields.setdefault("period", "2026-Q1")
        fields.setdefault(
            "measures",
            {
                "2026-Q1": [
                    Measure(subject=s, criterion=c, value=v)
                    for s in "ab"
                    for c, v in values.items()
                ]
            },
        )
        return build(
            people=["a", "b"],
            assign=[AssignRule(policy=staff)],
            payout=PayoutRule(table=load("danang-2026"), salaries=salaries),
            **fields,
        ).run()

    def test_a_salary_for_someone_outside_the_population(self) -> None:
        with pytest.raises(InputError, match=r"\['zz'\] are not in the population"):
            self.run({"a": 1, "b": 1, "zz": 1})

    def test_a_missing_salary(self) -> None:
        with pytest.raises(InputError, match="no salary for 'b'"):
            self.run({"a": 5_000_000})

    def test_an_unrated_person_is_paid_nothing_and_noted(self) -> None:
        result = self.run(
            {"a": 5_000_000, "b": 5_000_000},
            period="2026",
            every="month",
            measures={
                Period.month(2026, m): [
                    Measure(subject=s, criterion=c, value=v)
                    for s in "ab"
                    for c, v in {
                        "politics_ethics": 9,
                        "competence": 9,
                        "innovation": 9,
                        "quantity": 1,
                        "quality": 1,
                        "on_time": 1,
                    }.items()
                    if not (s == "b" and m < 8)
                ]
                for m in range(1, 13)
            },
            leave=[
                Leave(subject="b", start=date(2026, 1, 1), end=date(2026, 7, 31), reason="sick")
            ],
            leave_rule="nd90-2020",
        )
        assert ["a"] == [row["subject"] for row in result.payout]
        assert any("payout: 'b' has no rating" in note for note in result.notes)


class TestFiles:
    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        for path in DATA.iterdir():
            shutil.copy(path, tmp_path / path.name)
        return tmp_path

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            pytest.param(
                'name = "Sở X', 'name = 3\n# "', "name: expected non-empty text", id="name-type"
            ),
            pytest.param('period = "2026"', 'period = "2026-13"', "period: ", id="period"),
            pytest.param(
                'leave = "leave.csv"',
                'leave = "leave.csv"\nleave_rule = "x"',
                "leave_rule: expected 'nd335-2025' or 'nd90-2020'",
                id="leave-rule",
            ),
            pytest.param(
                "share = 0.20", "share = true", "quota.share: expected a number", id="share"
            ),
            pytest.param("share = 0.20", 'share = "lots"', "quota.share", id="share-text"),
            pytest.param(
                'group_by = ["unit"]',
                "group_by = 3",
                "quota.group_by: expected a list",
                id="group-by",
            ),
            pytest.param(
                'group_by = ["unit"]',
                'group_by = "unit"\nties = "keep_all"',
                None,
                id="group-by-text",
            ),
            pytest.param(
                "from = 2026-07-01", 'from = "July"', "assign[0].from: expected a date", id="from"
            ),
            pytest.param(
                "from = 2026-07-01",
                'from = "2026-07-01"\nuntil = 2026-06-01',
                "assign[0]: assign: until (2026-06-01) is before from",
                id="until",
            ),
            pytest.param(
                'when = { id = ["nv02"] }',
                "when = 3",
                "assign[0].when: expected a table",
                id="when",
            ),
            pytest.param(
                'policy = "vn-nd335-2025-staff"',
                'policy = "nowhere/p.toml"',
                "assign[2].policy: no such policy file",
                id="policy-file",
            ),
            pytest.param(
                'table = "danang-2026"', 'table = "nowhere"', "payout.table:", id="payout-table"
            ),
            pytest.param(
                'table = "danang-2026"',
                'table = "t/x.toml"',
                "payout.table: no such file",
                id="payout-file",
            ),
            pytest.param(
                'measures = "measures.csv"',
                'measures = { "2026-13" = "m.csv" }',
                "measures.2026-13:",
                id="measures-label",
            ),
        ],
    )
    def test_bad_values(self, folder: Path, old: str, new: str, message: str | None) -> None:
        self.edit(folder / "evaluation.toml", old, new)
        if message is None:
            assert Evaluation.load(folder / "evaluation.toml").quota is not None
            return
        with pytest.raises(FileFormatError) as caught:
            Evaluation.load(folder / "evaluation.toml")
        assert message in str(caught.value)

    @pytest.mark.parametrize(
        ("block", "key"),
        [
            pytest.param(
                '[quota]\nrating = "HTXS"\nshare = 0.20\nbase = "fixed_point"\n'
                'group_by = ["unit"]\n',
                "quota",
                id="quota",
            ),
            pytest.param(
                '[leaders]\nevent = "subordinate_not_completed"\nat_least = "HT"\n',
                "leaders",
                id="leaders",
            ),
            pytest.param(
                '[payout]\ntable = "danang-2026"\nsalaries = "salaries.csv"\n',
                "payout",
                id="payout",
            ),
        ],
    )
    def test_a_table_given_as_a_value(self, folder: Path, block: str, key: str) -> None:
        text = (folder / "evaluation.toml").read_text(encoding="utf-8")
        assert block in text
        (folder / "evaluation.toml").write_text(
            f"{key} = 3\n" + text.replace(block, ""), encoding="utf-8"
        )
        with pytest.raises(FileFormatError, match=f": {key}: expected a table"):
            Evaluation.load(folder / "evaluation.toml")

    def test_the_assign_list_must_hold_tables(self, folder: Path) -> None:
        text = (folder / "evaluation.toml").read_text(encoding="utf-8")
        head = text.split("[[assign]]")[0]
        (folder / "evaluation.toml").write_text(head + "assign = [1]\n", encoding="utf-8")
        with pytest.raises(FileFormatError, match="assign\\[0\\]: expected a table"):
            Evaluation.load(folder / "evaluation.toml")
        (folder / "evaluation.toml").write_text(head + "assign = []\n", encoding="utf-8")
        with pytest.raises(FileFormatError, match="assign: expected one or more"):
            Evaluation.load(folder / "evaluation.toml")

    def test_a_payout_table_file(self, folder: Path) -> None:
        from kpiscore.payout import source

        (folder / "mine.toml").write_text(source("danang-2026"), encoding="utf-8")
        self.edit(folder / "evaluation.toml", 'table = "danang-2026"', 'table = "mine.toml"')
        assert (
            "danang-2026"
            == Evaluation.load(folder / "evaluation.toml").run().payout[0]["payout_table"]
        )

    def test_a_policy_file(self, folder: Path) -> None:
        (folder / "staff.toml").write_text(policies.source("vn-nd335-2025-staff"), encoding="utf-8")
        self.edit(
            folder / "evaluation.toml", 'policy = "vn-nd335-2025-staff"', 'policy = "staff.toml"'
        )
        assert Evaluation.load(folder / "evaluation.toml").assign[2].policy.id == (
            "vn-nd335-2025-staff"
        )

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            pytest.param("2026-13,nv01,quantity,1", "column 'period'", id="period"),
            pytest.param("2026-Q1,nv01,quantity,abc", "column 'value'", id="value"),
        ],
    )
    def test_bad_measure_rows(self, folder: Path, row: str, message: str) -> None:
        with (folder / "measures.csv").open("a", encoding="utf-8") as handle:
            handle.write(row + "\n")
        with pytest.raises(FileFormatError, match=message):
            Evaluation.load(folder / "evaluation.toml")

    def test_people_file_problems(self, tmp_path: Path) -> None:
        path = tmp_path / "people.csv"
        path.write_text("id,manager\na,\na,\nb,b\n", encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            read_people(path)
        text = str(caught.value)
        assert "line 3, column 'id': 'a' already given on line 2" in text
        assert "line 4, column 'manager': 'b' is their own manager" in text

    def test_leave_end_before_start_and_overlap(self, tmp_path: Path) -> None:
        path = tmp_path / "leave.csv"
        path.write_text(
            "subject,start,end,reason\nnv,2026-02-01,2026-01-01,sick\n", encoding="utf-8"
        )
        with pytest.raises(FileFormatError, match="column 'end': 2026-01-01 is before start"):
            read_leave(path)
        path.write_text(
            "subject,start,end,reason\nnv,2026-01-01,2026-02-01,sick\n"
            "nv,2026-01-15,2026-03-01,other\n",
            encoding="utf-8",
        )
        with pytest.raises(FileFormatError, match="overlap"):
            read_leave(path)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            pytest.param(b"", "the people file is empty", id="empty"),
            pytest.param(b"\xff\xfe", "is not UTF-8", id="encoding"),
            pytest.param(b"id,,name\n", "empty column name", id="blank-column"),
            pytest.param(b"id,id\n", "column 'id' appears twice", id="twice"),
            pytest.param(b"name\nA\n", "missing required column 'id'", id="missing"),
            pytest.param(b'id\n"a\n', "invalid CSV", id="quote"),
            pytest.param(b"id,name\na\n", "1 cells, but the header names 2", id="cells"),
            pytest.param(b"id,name\n,A\n", "column 'id': required, but empty", id="required"),
            pytest.param(b'"a\nb"x\n', "invalid CSV", id="header-quote"),
        ],
    )
    def test_csv_problems(self, tmp_path: Path, data: bytes, message: str) -> None:
        path = tmp_path / "people.csv"
        path.write_bytes(data)
        with pytest.raises(FileFormatError, match=message):
            read_csv_table(path, required=("id",), optional=("name",), what="people")

    def test_a_missing_or_huge_table_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with pytest.raises(FileFormatError, match="cannot read the people file"):
            read_csv_table(tmp_path / "none.csv", required=("id",), what="people")
        import kpiscore.cycle.evaluation_csv as module

        (tmp_path / "big.csv").write_text("id\n" + "a\n" * 10, encoding="utf-8")
        monkeypatch.setattr(module, "MAX_TABLE_BYTES", 5)
        with pytest.raises(FileFormatError, match="at most 5 are read"):
            read_csv_table(tmp_path / "big.csv", required=("id",), what="people")

    def test_results_files(self, tmp_path: Path) -> None:
        path = tmp_path / "r.json"
        path.write_text('{"x": 1}', encoding="utf-8")
        with pytest.raises(FileFormatError, match="expected the JSON of `kpiscore score"):
            read_results(path)
        path.write_text(
            '{"scorecards": [], "policy_id": "zz", "fingerprint": "00"}', encoding="utf-8"
        )
        with pytest.raises(FileFormatError, match="neither bundled nor given; pass it"):
            read_results(path)
        staff = policies.load("vn-nd335-2025-staff")
        path.write_text(
            '{"scorecards": [{"policy_id": "vn-nd335-2025-staff", "fingerprint": "'
            + staff.fingerprint
            + '"}], "policy_id": "vn-nd335-2025-staff", "fingerprint": "'
            + staff.fingerprint
            + '", "period": "2026-Q1"}',
            encoding="utf-8",
        )
        with pytest.raises(FileFormatError, match="not a result file kpiscore wrote"):
            read_results(path, [staff])


def test_an_event_on_a_day_of_leave_in_a_scored_quarter_is_scored() -> None:
    # The policy knows the kind (unknown kinds are refused since the strict facts).
    knows = attrs.evolve(POLICY, other_kinds=("other",))
    result = build(
        assign=[AssignRule(policy=knows)],
        period="2026-Q1",
        measures={"2026-Q1": [Measure(subject="nv", criterion="x", value=60)]},
        events=[Event(subject="nv", kind="other", on=date(2026, 2, 10))],
        leave=[Leave(subject="nv", start=date(2026, 2, 1), end=date(2026, 2, 28), reason="sick")],
    ).run()
    assert [] == [note for note in result.notes if "not scored" in note]


class TestWriting:
    def many(self) -> Any:
        people = [f"p{i:02d}" for i in range(14)]
        return build(
            people=people,
            period="2026-Q1",
            measures={"2026-Q1": [Measure(subject="p00", criterion="x", value=60)]},
            events=[Event(subject=s, kind="late", on=date(2025, 12, 1)) for s in people[:7]],
            leave=[
                Leave(subject=s, start=date(2026, 1, 1), end=date(2026, 3, 31), reason="other")
                for s in people[1:]
            ],
        ).run()

    def test_the_summary_stays_short(self) -> None:
        text = self.many().summary()
        assert "not scored (on leave for every sub-period): p01, p02" in text
        assert "p10 and 3 more" in text
        assert "… and 2 more (notes.txt)" in text

    def test_writing_into_a_file_is_an_error(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("x", encoding="utf-8")
        with pytest.raises(FileFormatError, match="cannot create the output folder"):
            self.many().write(tmp_path / "file")

    def test_a_file_that_cannot_be_written(self, tmp_path: Path) -> None:
        (tmp_path / "out" / "year.csv").mkdir(parents=True)
        # Written through write_atomic: the error is the library's OutputError for every file.
        with pytest.raises(OutputError, match=r"year\.csv': cannot write the file"):
            self.many().write(tmp_path / "out")

    def test_odd_ids_make_safe_file_names(self, tmp_path: Path) -> None:
        result = build(
            people=["../x", ".hidden"],
            period="2026-Q1",
            measures={
                "2026-Q1": [
                    Measure(subject=s, criterion="x", value=60) for s in ("../x", ".hidden")
                ]
            },
        ).run()
        result.write(tmp_path)
        assert ["_.._x.txt", "_.hidden.txt"] == sorted(
            p.name for p in (tmp_path / "explanations").iterdir()
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", 7),  # text
        ("total", [1]),  # a decimal number
        ("total", True),
        ("categories", "none"),  # a list of objects
        ("person", ["nv001"]),  # an object
        ("period_start", 20260101),  # a date, as text
    ],
)
def test_a_result_file_field_of_the_wrong_type_is_not_a_result_file(
    tmp_path: Path, field: str, value: object
) -> None:
    """A score JSON kpiscore wrote reads back; one hand-edited field of the wrong type makes it
    "not a result file", never a half-read result."""
    import json

    from kpiscore import score_many

    staff = attrs.evolve(policies.load("vn-nd335-2025-staff"), missing="zero")
    path = tmp_path / "r.json"
    score_many(staff, "2026-Q1", ["nv001"]).to_json(path)
    assert ("nv001",) == read_results(path, [staff]).subjects
    tree = json.loads(path.read_text(encoding="utf-8"))
    tree["scorecards"][0][field] = value
    path.write_text(json.dumps(tree), encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a result file kpiscore wrote"):
        read_results(path, [staff])
