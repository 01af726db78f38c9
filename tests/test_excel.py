"""Excel workbooks: read back with openpyxl, values and cell types checked."""

from __future__ import annotations

import sys
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
    Event,
    InputError,
    MissingExtraError,
    OutputError,
    Period,
    Person,
    Policy,
    ScoreTable,
    policies,
    score_many,
)
from kpiscore.cli.demo import sample_facts
from kpiscore.io.excel import write_rows, write_score_table

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl reads workbooks back (test extra)")
pytest.importorskip("xlsxwriter", reason="XlsxWriter writes workbooks (excel extra)")


def small_policy() -> Policy:
    return Policy(
        id="small",
        name="Quy định nhỏ",
        precision=Decimal("0.1"),
        bands=[
            Band(id="A", min_points=20, name="Tốt"),
            Band(id="B", min_points=0, name="Đạt"),
        ],
        categories=[
            Category(
                id="chung",
                name="Tiêu chí chung",
                criteria=[
                    Criterion(
                        id="training",
                        name="Đào tạo",
                        max_points=15,
                        deductions=[Deduction(on="training_absence", points=2)],
                    ),
                    Criterion(id="attitude", name="Thái độ", max_points=10),
                ],
            )
        ],
    )


@pytest.fixture(scope="module")
def small_table() -> ScoreTable:
    people = [
        Person(id="nv1", name='=HYPERLINK("http://x")', unit="Phòng A"),
        Person(id="nv2", name="Trần Thị Bình", unit="Phòng B"),
        Person(id="nv3", name="Lê Văn Cường", unit="Phòng A"),
        Person(id="nv4"),
    ]
    events = [
        Event(subject="nv1", kind="training_absence", on=date(2026, 2, day)) for day in (2, 3, 4)
    ]
    return score_many(small_policy(), Period.parse("2026-Q1"), people, events=events)


@pytest.fixture(scope="module")
def sample_table() -> ScoreTable:
    people, events, measures = sample_facts()
    policy = policies.load("vn-nd335-2025-staff")
    return score_many(policy, Period.parse("2026-Q1"), people, events=events, measures=measures)


def rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


class TestScoresSheet:
    def test_sheets_are_named_in_vietnamese(self, small_table: ScoreTable, tmp_path: Path) -> None:
        book = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))
        assert ["Điểm", "Theo đơn vị", "Thông tin"] == book.sheetnames

    def test_names_head_the_columns_and_ids_follow(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))["Điểm"]
        names, ids = rows(sheet)[:2]
        assert (
            "Mã", "Họ và tên", "Đơn vị", "Nhóm", "Chức vụ", "Kỳ", "Đào tạo", "Thái độ",
            "Tiêu chí chung", "Điểm trừ chuyển sang tổng", "Tổng điểm", "Xếp loại theo điểm",
            "Xếp loại", "Tên xếp loại",
        ) == names  # fmt: skip
        assert (
            "subject", "name", "unit", "group", "position", "period", "training", "attitude",
            "chung", "carried", "total", "score_rating", "rating", "rating_name",
        ) == ids  # fmt: skip

    def test_figures_are_typed_numbers_with_the_policy_decimals(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))["Điểm"]
        training, total = sheet["G3"], sheet["K3"]
        assert ("n", "n") == (training.data_type, total.data_type)
        assert ("0.0", "0.0") == (training.number_format, total.number_format)
        assert Decimal("9.0") == Decimal(str(training.value))
        assert Decimal("19.0") == Decimal(str(total.value))
        assert small_table["nv1"].total == Decimal(str(total.value))

    def test_every_row_matches_its_scorecard(
        self, sample_table: ScoreTable, tmp_path: Path
    ) -> None:
        sheet = openpyxl.load_workbook(write_score_table(sample_table, tmp_path / "s.xlsx"))["Điểm"]
        header = rows(sheet)[1]
        for row in rows(sheet)[2:]:
            line = dict(zip(header, row, strict=True))
            card = sample_table[line["subject"]]
            assert card.total == Decimal(str(line["total"]))
            assert card.rating == line["rating"]
            assert card.criterion("quality").points == Decimal(str(line["quality"]))
            assert dict(card.category_points)["task"] == Decimal(str(line["task"]))
        assert len(sample_table) + 2 == sheet.max_row

    def test_rating_names_follow_the_band(self, small_table: ScoreTable, tmp_path: Path) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))["Điểm"]
        assert ["Đạt", "Tốt", "Tốt", "Tốt"] == [sheet.cell(r, 14).value for r in range(3, 7)]

    def test_formula_like_names_stay_text(self, small_table: ScoreTable, tmp_path: Path) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))["Điểm"]
        assert ("s", '=HYPERLINK("http://x")') == (sheet["B3"].data_type, sheet["B3"].value)

    def test_headers_and_people_are_frozen_and_filtered(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))["Điểm"]
        assert "C3" == sheet.freeze_panes
        assert "A2:N6" == sheet.auto_filter.ref
        assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width

    def test_english_headers_on_request(self, small_table: ScoreTable, tmp_path: Path) -> None:
        book = openpyxl.load_workbook(
            write_score_table(small_table, tmp_path / "t.xlsx", lang="en")
        )
        assert ["Scores", "By unit", "About"] == book.sheetnames
        assert "Total" == book["Scores"]["K1"].value


class TestSummarySheet:
    def test_counts_per_band_and_figures_per_unit(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        sheet = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))
        lines = rows(sheet["Theo đơn vị"])
        assert ("Đơn vị", "Số người", "Tốt", "Đạt", "Bình quân", "Thấp nhất", "Cao nhất") == lines[
            0
        ]
        assert ("unit", "count", "A", "B", "mean", "min", "max") == lines[1]
        assert ("Phòng A", 2, 1, 1, 22, 19, 25) == lines[2]
        assert ("Phòng B", 1, 1, 0, 25, 25, 25) == lines[3]
        assert ("(không ghi đơn vị)", 1, 1, 0, 25, 25, 25) == lines[4]
        assert ("Toàn bộ", 4, 3, 1, 23.5, 19, 25) == lines[5]

    def test_the_everyone_line_agrees_with_the_table_summary(
        self, sample_table: ScoreTable, tmp_path: Path
    ) -> None:
        book = openpyxl.load_workbook(write_score_table(sample_table, tmp_path / "s.xlsx"))
        last = rows(book["Theo đơn vị"])[-1]
        summary = sample_table.summary()
        assert "Toàn bộ" == last[0]
        assert len(sample_table) == last[1]
        assert list(summary["distribution"].values()) == list(last[2:6])
        assert [summary["mean"], summary["min"], summary["max"]] == [
            Decimal(str(v)) for v in last[6:]
        ]


class TestNotesSheet:
    def test_policy_check_code_and_period(self, small_table: ScoreTable, tmp_path: Path) -> None:
        book = openpyxl.load_workbook(write_score_table(small_table, tmp_path / "t.xlsx"))
        notes = dict(rows(book["Thông tin"])[1:])
        assert "small" == notes["Quy định"]
        assert small_table.policy.fingerprint[:12] == notes["Mã kiểm tra"]
        assert "2026-Q1" == notes["Kỳ"]
        assert 4 == notes["Số người được đánh giá"]


class TestWriting:
    def test_the_same_table_gives_the_same_bytes(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        first = write_score_table(small_table, tmp_path / "a.xlsx").read_bytes()
        assert first == write_score_table(small_table, tmp_path / "b.xlsx").read_bytes()

    def test_no_temporary_file_is_left_behind(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        target = tmp_path / "t.xlsx"
        target.write_text("old")
        write_score_table(small_table, target)
        assert ["t.xlsx"] == [p.name for p in tmp_path.iterdir()]
        assert target.read_bytes().startswith(b"PK")

    def test_a_missing_folder_is_named(self, small_table: ScoreTable, tmp_path: Path) -> None:
        with pytest.raises(OutputError, match=r"nowhere"):
            write_score_table(small_table, tmp_path / "nowhere" / "t.xlsx")

    def test_an_unknown_language_is_refused(self, small_table: ScoreTable, tmp_path: Path) -> None:
        with pytest.raises(InputError, match=r"excel: lang must be 'vi' or 'en' \(got 'fr'\)"):
            write_score_table(small_table, tmp_path / "t.xlsx", lang="fr")

    def test_without_xlsxwriter_the_extra_is_named(
        self, small_table: ScoreTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "xlsxwriter", None)
        with pytest.raises(MissingExtraError, match=r"kpiscore\[excel\]"):
            write_score_table(small_table, tmp_path / "t.xlsx")
        assert [] == list(tmp_path.iterdir())


class TestRows:
    def test_any_rows_keep_types_and_their_own_decimals(self, tmp_path: Path) -> None:
        path = write_rows(
            [
                {"subject": "nv1", "total": Decimal("74.50"), "money": Decimal("11653200")},
                {"subject": "@SUM(A1)", "total": None, "money": 3},
            ],
            tmp_path / "r.xlsx",
            sheet="Năm/2026",
        )
        book = openpyxl.load_workbook(path)
        sheet = book["Năm_2026"]
        assert [("subject", "total", "money"), ("nv1", 74.5, 11653200), ("@SUM(A1)", None, 3)] == (
            rows(sheet)
        )
        assert ("0.00", "0") == (sheet["B2"].number_format, sheet["C2"].number_format)
        assert "s" == sheet["A3"].data_type
        assert "A2" == sheet.freeze_panes


class TestMethod:
    def test_score_table_to_excel_writes_the_same_workbook(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        method = small_table.to_excel(tmp_path / "m.xlsx")
        function = write_score_table(small_table, tmp_path / "f.xlsx")
        assert function.read_bytes() == method.read_bytes()

    def test_an_input_is_never_overwritten(self, small_table: ScoreTable, tmp_path: Path) -> None:
        source = tmp_path / "people.xlsx"
        source.write_text("input")
        with pytest.raises(OutputError, match="refusing to overwrite an input"):
            small_table.to_excel(source, inputs=[source])
        assert "input" == source.read_text()


class TestEveryResultTable:
    def test_a_rollup_table_writes_a_workbook(
        self, small_table: ScoreTable, tmp_path: Path
    ) -> None:
        from kpiscore import rollup_many

        year = rollup_many([small_table], "2026")
        sheet = openpyxl.load_workbook(year.to_excel(tmp_path / "y.xlsx"))["Kết quả"]
        header = rows(sheet)[0]
        line = dict(zip(header, rows(sheet)[1], strict=True))
        assert "nv1" == line["subject"]
        assert year["nv1"].total == Decimal(str(line["total"]))
        assert "n" == sheet.cell(2, header.index("total") + 1).data_type

    def test_english_sheet_name(self, small_table: ScoreTable, tmp_path: Path) -> None:
        from kpiscore import rollup_many

        year = rollup_many([small_table], "2026")
        assert ["Results"] == openpyxl.load_workbook(
            year.to_excel(tmp_path / "y.xlsx", lang="en")
        ).sheetnames


class TestYearWorkbook:
    """A year's workbook has a column per sub-period, with typed number cells."""

    @staticmethod
    def quarters(people: list[Person]) -> list[ScoreTable]:
        """Four quarters of ``small_policy``; nv2 works only the first two."""
        tables = []
        for quarter in (1, 2, 3, 4):
            working = people if quarter <= 2 else [p for p in people if p.id != "nv2"]
            events = [
                Event(subject="nv1", kind="training_absence", on=date(2026, 3 * quarter, day))
                for day in range(1, quarter + 1)
            ]
            tables.append(
                score_many(small_policy(), Period.quarter(2026, quarter), working, events=events)
            )
        return tables

    def test_a_rollup_table_has_a_column_per_quarter(self, tmp_path: Path) -> None:
        from kpiscore import rollup_many

        people = [Person(id="nv1", name="An"), Person(id="nv2", name="Bình")]
        year = rollup_many(self.quarters(people), "2026")
        sheet = openpyxl.load_workbook(year.to_excel(tmp_path / "nam.xlsx")).active
        head, first, second = rows(sheet)
        assert ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4") == head[
            head.index("2026-Q1") : head.index("2026-Q1") + 4
        ]
        assert head.index("2026-Q4") + 1 == head.index("total")
        column = head.index("2026-Q1")
        # nv1 loses 2 points per absence from training's 15: 23, 21, 19, 17 (of 25).
        assert [23, 21, 19, 17] == list(first[column : column + 4])
        assert all(isinstance(v, int | float) for v in first[column : column + 4])
        assert (25, 25, None, None) == second[column : column + 4]
        assert Decimal("20.0") == year["nv1"].total
        assert 20 == first[head.index("total")]

    def test_the_rollup_csv_has_the_same_columns(self) -> None:
        from kpiscore import rollup_many

        year = rollup_many(self.quarters([Person(id="nv1")]), "2026")
        header = year.to_csv().splitlines()[0].split(",")
        assert ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"] == [
            c for c in header if c.startswith("2026-")
        ]

    def test_an_evaluations_year_workbook(self, tmp_path: Path) -> None:
        from kpiscore import Evaluation, Measure
        from kpiscore.cycle.evaluation_assign import AssignRule
        from kpiscore.cycle.evaluation_people import Member

        staff = policies.load("vn-nd335-2025-staff")
        people, _events, _measures = sample_facts()
        person = people[0]
        measures = {
            Period.quarter(2026, q): [
                Measure(
                    subject=person.id,
                    criterion=c.id,
                    value=Decimal(c.max_points) - q if c.basis == "assessed" else Decimal("0.9"),
                )
                for category in staff.categories
                for c in category.criteria
            ]
            for q in (1, 2, 3, 4)
        }
        result = Evaluation(
            name="năm 2026",
            period="2026",
            every="quarter",
            people=[Member(person=person)],
            measures=measures,
            assign=[AssignRule(policy=staff)],
        ).run()
        book = openpyxl.load_workbook(result.to_excel(tmp_path / "ca-nam.xlsx"))
        assert ["Cả năm"] == book.sheetnames
        head, row = rows(book.active)
        assert ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4") == head[4:8]
        expected = [float(result.periods[Period.quarter(2026, q)][person.id].total) for q in
                    (1, 2, 3, 4)]  # fmt: skip
        assert expected == [float(v) for v in row[4:8]]
        assert float(result.year[person.id].total) == row[head.index("total")]
