"""A people file's other columns are a person's attributes (issue 16): kept on every path,
usable by group_by, the same on the exact and the columnar paths."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    FileFormatError,
    InputError,
    Person,
    Policy,
    dump_policy,
    load_people,
    score_frame,
    score_many,
)
from kpiscore.cli import main
from kpiscore.cycle.evaluation_people import Member, read_people
from kpiscore.io import fastcsv
from kpiscore.io.fastcsv import score_csv_files
from kpiscore.model.period import Period
from kpiscore.quota import apply_quota, plan_quota
from kpiscore.rollup import rollup_many

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="x", name="X", max_points=100, deductions=[Deduction(on="late", points=5)]
                )
            ],
        )
    ],
    bands=[
        Band(id="HTXS", min_points=95, name="Xuất sắc"),
        Band(id="HTT", min_points=80, name="Tốt"),
        Band(id="HT", min_points=0, name="Đạt"),
    ],
)
PERIOD = Period.parse("2026-01")
PEOPLE_CSV = "id,name,unit,grade,ngạch\nnv1,An,P1,A1,x\nnv2,Bình,P1,,\nnv3,Chi,P2,A1,y\n"
EXPECTED = [
    Person(id="nv1", name="An", unit="P1", attributes={"grade": "A1", "ngạch": "x"}),
    Person(id="nv2", name="Bình", unit="P1"),
    Person(id="nv3", name="Chi", unit="P2", attributes={"grade": "A1", "ngạch": "y"}),
]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class TestPerson:
    def test_attributes_are_sorted_nfc_pairs(self) -> None:
        decomposed = unicodedata.normalize("NFD", "ngạch")
        person = Person(
            id="a", attributes={"z": "1", decomposed: unicodedata.normalize("NFD", "Ạ")}
        )
        assert (("ngạch", "Ạ"), ("z", "1")) == person.attributes
        assert person == Person(id="a", attributes=[("z", "1"), ("ngạch", "Ạ")])
        assert hash(person) == hash(Person(id="a", attributes={"ngạch": "Ạ", "z": "1"}))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            person.attributes = ()  # type: ignore[misc]

    def test_a_person_without_attributes_is_as_before(self) -> None:
        person = Person(id="a", unit="U")
        assert () == person.attributes
        assert {"id": "a", "name": None, "unit": "U", "group": None, "position": None} == (
            person.to_dict()
        )
        assert {"grade": "A1"} == Person(id="a", attributes={"grade": "A1"}).to_dict()["attributes"]

    def test_attribute_and_get(self) -> None:
        person = Person(id="a", unit="U", attributes={"grade": "A1"})
        assert ("U", "A1", None) == (
            person.attribute("unit"),
            person.attribute("grade"),
            person.get("other"),
        )
        with pytest.raises(InputError, match=r"no attribute 'other'.*other attributes \('grade'\)"):
            person.attribute("other")

    @pytest.mark.parametrize(
        ("attributes", "message"),
        [
            ({"unit": "x"}, "attribute 'unit' is the person field 'unit'"),
            ({"Unit": "x"}, "attribute 'Unit' differs only by case from the person field 'unit'"),
            ({"grade": ""}, "attribute 'grade' must not be empty"),
            ({"grade": 3}, "attribute 'grade' must be a string"),
            ({"": "x"}, "attribute name must not be empty"),
            ({" grade": "x"}, "attribute name ' grade' has spaces around it"),
            ("grade", "attributes must be a mapping"),
            ([("a", "1"), ("a", "2")], "attribute 'a' is given twice"),
        ],
    )
    def test_bad_attributes_are_clear_errors(self, attributes: object, message: str) -> None:
        with pytest.raises(InputError, match=f"person 'nv1': {message}"):
            Person(id="nv1", attributes=attributes)  # type: ignore[arg-type]


class TestMember:
    def test_a_member_shows_its_persons_attributes(self) -> None:
        member = Member(person=Person(id="a", attributes={"grade": "A1"}), attributes={"k": "v"})
        assert (("grade", "A1"), ("k", "v")) == member.attributes
        assert "A1" == member.attribute("grade")

    def test_the_same_name_on_both_must_agree(self) -> None:
        with pytest.raises(InputError, match="attribute 'grade' is 'B' here but 'A1' on the"):
            Member(person=Person(id="a", attributes={"grade": "A1"}), attributes={"grade": "B"})
        with pytest.raises(InputError, match="attribute 'manager' is a field of the member"):
            Member(person=Person(id="a", attributes={"manager": "b"}))

    def test_the_evaluations_people_file_puts_them_on_the_person(self, tmp_path: Path) -> None:
        path = write(tmp_path, "people.csv", "id,manager,grade\nb,,A2\na,b,A1\n")
        members = read_people(path)
        assert [(("grade", "A2"),), (("grade", "A1"),)] == [m.person.attributes for m in members]
        assert ["A2", "A1"] == [m.attribute("grade") for m in members]

    def test_the_evaluations_people_file_refuses_a_field_in_other_case(
        self, tmp_path: Path
    ) -> None:
        path = write(tmp_path, "people.csv", "id,Unit\na,P1\n")
        with pytest.raises(FileFormatError, match="column 2: column 'Unit' differs only by case"):
            read_people(path)


class TestCarefulReader:
    def test_csv_keeps_other_columns(self, tmp_path: Path) -> None:
        assert EXPECTED == load_people(write(tmp_path, "people.csv", PEOPLE_CSV))

    def test_json_keeps_other_keys(self, tmp_path: Path) -> None:
        items = [{"id": "nv1", "grade": "A1"}, {"id": "nv2", "grade": None}]
        people = load_people(write(tmp_path, "people.json", json.dumps(items)))
        assert [(("grade", "A1"),), ()] == [p.attributes for p in people]

    def test_a_number_in_a_json_attribute_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, "people.json", '[{"id": "nv1", "grade": 3}]')
        with pytest.raises(FileFormatError, match=r"item \[0\], key 'grade': expected text"):
            load_people(path)

    @pytest.mark.parametrize(
        ("header", "column"), [("id,Unit", "Unit"), ("id,POSITION", "POSITION")]
    )
    def test_a_field_in_other_letter_case_is_refused(
        self, tmp_path: Path, header: str, column: str
    ) -> None:
        path = write(tmp_path, "people.csv", f"{header}\nnv1,x\n")
        with pytest.raises(FileFormatError, match=f"column {column!r} differs only by case"):
            load_people(path)
        path = write(tmp_path, "people.json", json.dumps([{"id": "nv1", column: "x"}]))
        with pytest.raises(FileFormatError, match=f"key {column!r} differs only by case"):
            load_people(path)

    def test_excel_keeps_other_columns(self, tmp_path: Path) -> None:
        xlsxwriter = pytest.importorskip("xlsxwriter")
        pytest.importorskip("python_calamine")
        path = tmp_path / "people.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("people")
        for r, row in enumerate([["id", "unit", "grade"], ["nv1", "P1", 3], ["nv2", "P1", None]]):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        book.close()
        people = load_people(path)
        assert [(("grade", "3"),), ()] == [p.attributes for p in people]


@pytest.fixture(params=["arrow", "pandas"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``score_csv_files`` use one reader only."""
    pytest.importorskip("pandas")
    if request.param == "arrow":
        pytest.importorskip("pyarrow")
        chosen: object = fastcsv._arrow_reader
    else:
        chosen = fastcsv._pandas_reader
    monkeypatch.setattr(fastcsv, "_reader", chosen)
    return str(request.param)


class TestFastPath:
    @pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted"])
    def test_the_fast_path_keeps_them_as_the_careful_reader(
        self, tmp_path: Path, reader: str, quoted: bool
    ) -> None:
        text = PEOPLE_CSV.replace("An,", '"An",') if quoted else PEOPLE_CSV
        people = write(tmp_path, "people.csv", text)
        events = write(tmp_path, "events.csv", "subject,kind,on\nnv1,late,2026-01-05\n")
        table = score_csv_files(POLICY, PERIOD, people, events, None)
        assert table is not None, "the fast path stepped aside"
        exact = score_many(
            POLICY,
            PERIOD,
            load_people(people),
            [Event(subject="nv1", kind="late", on=dt.date(2026, 1, 5))],
        )
        assert EXPECTED == [card.person for card in table]
        assert exact.to_json() == table.to_json()
        assert exact.to_csv() == table.to_csv()

    def test_a_person_without_the_attribute_is_the_same_error_on_both_paths(
        self, tmp_path: Path, reader: str
    ) -> None:
        people = write(tmp_path, "people.csv", PEOPLE_CSV)
        table = score_csv_files(POLICY, PERIOD, people, None, None)
        assert table is not None
        exact = score_many(POLICY, PERIOD, load_people(people))
        with pytest.raises(InputError) as columnar_error:
            apply_quota(table, share="0.5", group_by="grade")
        with pytest.raises(InputError) as exact_error:
            apply_quota(exact, share="0.5", group_by="grade")
        assert str(columnar_error.value) == str(exact_error.value)
        assert (
            "quota: person 'nv2' has no 'grade'; group_by='grade' needs every person to have one"
            " (or pass a callable that decides)"
        ) == str(exact_error.value)
        with pytest.raises(InputError) as misspelt:
            apply_quota(table, share="0.5", group_by="grad")
        assert (
            "quota: group_by names an unknown person attribute 'grad'; expected one of 'id',"
            " 'name', 'unit', 'group', 'position' or of the people's other attributes ('grade',"
            " 'ngạch')"
        ) == str(misspelt.value)

    def test_a_field_in_other_case_steps_aside(self, tmp_path: Path, reader: str) -> None:
        people = write(tmp_path, "people.csv", "id,Unit\nnv1,P1\n")
        assert score_csv_files(POLICY, PERIOD, people, None, None) is None


class TestScoreFrame:
    def test_a_frames_other_columns_are_attributes(self, tmp_path: Path) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.read_csv(write(tmp_path, "people.csv", PEOPLE_CSV))
        table = score_frame(POLICY, PERIOD, frame, None)
        assert EXPECTED == [card.person for card in table]

    def test_persons_given_keep_their_attributes(self) -> None:
        pytest.importorskip("pandas")
        table = score_frame(POLICY, PERIOD, EXPECTED, None)
        assert EXPECTED == [card.person for card in table]
        mixed = score_frame(POLICY, PERIOD, [*EXPECTED, "nv4"], None)
        assert [*EXPECTED, Person(id="nv4")] == [card.person for card in mixed]

    def test_a_field_in_other_case_is_refused(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame({"id": ["nv1"], "Unit": ["P1"]})
        with pytest.raises(InputError, match="people: column 'Unit' differs only by case"):
            score_frame(POLICY, PERIOD, frame, None)


GRADES = st.sampled_from(["A1", "A2", "B"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(st.tuples(GRADES, st.integers(0, 4)), min_size=1, max_size=12),
    share=st.sampled_from(["0.2", "0.5"]),
    by_unit=st.booleans(),
)
def test_group_by_an_attribute_is_the_same_on_both_paths(
    people: list[tuple[str, int]], share: str, by_unit: bool
) -> None:
    """The quota grouped by a people file's column decides the same on a table of scorecards
    and on score_frame's columns (one month, and the roll-up of two)."""
    pd = pytest.importorskip("pandas")
    persons = [
        Person(id=f"nv{i}", unit=f"U{i % 2}", attributes={"grade": grade})
        for i, (grade, _) in enumerate(people)
    ]
    events = [
        Event(subject=f"nv{i}", kind="late", on=dt.date(2026, 1, 1 + k))
        for i, (_, late) in enumerate(people)
        for k in range(late)
    ]
    frame = pd.DataFrame(
        {
            "id": [p.id for p in persons],
            "unit": [p.unit for p in persons],
            "grade": [g for g, _ in people],
        }
    )
    event_frame = pd.DataFrame(
        {
            "subject": [e.subject for e in events],
            "kind": ["late"] * len(events),
            "on": [e.on for e in events],
        },
        columns=["subject", "kind", "on"],
    )
    group_by: str | tuple[str, ...] = ("unit", "grade") if by_unit else "grade"
    exact = score_many(POLICY, PERIOD, persons, events)
    columnar = score_frame(POLICY, PERIOD, frame, event_frame)
    assert plan_quota(exact, share=share, group_by=group_by) == plan_quota(
        columnar, share=share, group_by=group_by
    )
    assert apply_quota(exact, share=share, group_by=group_by).to_json() == (
        apply_quota(columnar, share=share, group_by=group_by).to_json()
    )
    months = score_frame(POLICY, "2026-Q1", frame, event_frame, every="month")
    exact_months = [score_many(POLICY, piece, persons, events) for piece in months]
    rolled = rollup_many(months.values(), "2026-Q1")
    exact_rolled = rollup_many(exact_months, "2026-Q1")
    assert [r.person for r in rolled] == persons
    assert apply_quota(exact_rolled, share=share, group_by=group_by).to_rows() == (
        apply_quota(rolled, share=share, group_by=group_by).to_rows()
    )


def test_the_quota_command_groups_by_a_people_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = write(tmp_path, "people.csv", "id,unit,grade\nnv1,P1,A1\nnv2,P1,A1\nnv3,P1,B\n")
    scores = tmp_path / "scores.json"
    policy = write(tmp_path, "policy.json", dump_policy(POLICY, "json"))
    assert 0 == main(
        [
            "score",
            "--policy",
            str(policy),
            "--period",
            "2026-01",
            "--people",
            str(people),
            "--format",
            "json",
            "--output",
            str(scores),
        ]
    )
    cards = json.loads(scores.read_text(encoding="utf-8"))["scorecards"]
    assert [{"grade": "A1"}, {"grade": "A1"}, {"grade": "B"}] == [
        card["person"]["attributes"] for card in cards
    ]
    out = tmp_path / "quota.json"
    assert 0 == main(
        [
            "quota",
            str(scores),
            "--policy",
            str(policy),
            "--rating",
            "HTXS",
            "--share",
            "0.5",
            "--group-by",
            "grade",
            "--output",
            str(out),
        ]
    )
    # All three at 100: two tied in grade A1 (one allowed, so both move down), one alone in B.
    reasons = {
        card["subject"]: card["adjustments"][0]["reason"]
        for card in json.loads(out.read_text(encoding="utf-8"))["scorecards"]
    }
    assert "quota on HTXS within grade 'A1'" in reasons["nv1"]
    assert "quota on HTXS within grade 'B'" in reasons["nv3"]


def test_an_evaluation_assigns_and_groups_by_a_persons_attribute() -> None:
    """People given as Person objects with attributes: ``[[assign]]`` and the quota use them."""
    from kpiscore import Measure
    from kpiscore.cycle.evaluation import Evaluation
    from kpiscore.cycle.evaluation_assign import AssignRule
    from kpiscore.cycle.evaluation_rules import QuotaRule

    assessed = Policy(
        id="a",
        name="A",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        bands=POLICY.bands,
    )
    people = [
        Person(id="nv1", attributes={"grade": "A1"}),
        Person(id="nv2", attributes={"grade": "A1"}),
        Person(id="nv3", attributes={"grade": "B"}),
    ]
    measures = [
        Measure(subject=p.id, criterion="x", value=v)
        for p, v in zip(people, (99, 97, 96), strict=True)
    ]
    evaluation = Evaluation(
        name="Phòng A",
        period="2026-01",
        every="month",
        people=people,
        measures={Period.parse("2026-01"): measures},
        assign=[AssignRule(when={"grade": ["A1"]}, policy=assessed), AssignRule(policy=assessed)],
        quota=QuotaRule(rating="HTXS", share="0.5", base="next_and_above", group_by=("grade",)),
    )
    result = evaluation.run()
    ratings = {r.subject: r.rating for r in result.year}
    # Grade A1: one of two keeps HTXS (nv1, the higher); grade B: nobody of one may.
    assert {"nv1": "HTXS", "nv2": "HTT", "nv3": "HTT"} == ratings
    assert [p.attributes for p in people] == [r.person.attributes for r in result.year]
    assert "quota on HTXS within grade 'A1'" in result.year["nv2"].adjustments[0].reason
