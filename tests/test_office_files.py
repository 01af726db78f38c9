"""Office data read as it comes (issue 16): number syntax and formats, encodings, separators,
Excel's trailing columns, other columns, workbooks, and every problem of a file at once.

Each case is read by the careful readers (``load_*``, ``read_salaries``) and, for CSV, by
``kpiscore score``, whose fast path must give the same result or the same error.
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from kpiscore import (
    FileFormatError,
    FileFormatErrorGroup,
    MissingExtraError,
    cli,
    load_events,
    load_measures,
    load_people,
    policies,
)
from kpiscore.io import fastcsv
from kpiscore.io.fact_files import read_fact_records
from kpiscore.io.fastcsv import score_csv_files
from kpiscore.model.period import Period
from kpiscore.payout import parse_salaries, read_salaries

xlsxwriter = pytest.importorskip("xlsxwriter")
pytest.importorskip("python_calamine")

POLICY = policies.load("university-kpi-example")
PERIOD = Period.parse("2026-Q1")
RATIOS = ("key_tasks", "research", "workload")


def cp1258(text: str) -> bytes:
    """Text as Windows Vietnamese saves it: a tone mark after its letter (the code page has
    ``ê``, ``ơ``, ``ư`` and ``đ``, and five combining tone marks, but not ``ễ``)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258")
            out += parts[-1].encode("cp1258")
    return bytes(out)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def measures_text(value: str = "0.875", sep: str = ",", two: str = "2.5") -> str:
    lines = [sep.join(["subject", "criterion", "value"])]
    for subject in ("nv001", "nv002"):
        lines += [sep.join([subject, criterion, value]) for criterion in RATIOS]
        lines.append(sep.join([subject, "collaboration", two]))
    return "\n".join(lines) + "\n"


def scored(tmp_path: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["score", "--policy", POLICY.id, "--period", "2026-Q1", *args])
    out, err = capsys.readouterr()
    return code, out, err


class TestNumberSyntax:
    @pytest.mark.parametrize(
        ("cell", "hint"),
        [
            pytest.param("1_7", "'_' is not read in numbers", id="underscore"),
            pytest.param("1e3", "exponents are not read", id="exponent"),
            pytest.param("+1", "write no '+' sign", id="plus"),
            pytest.param("1,234,567", "write no thousands separators", id="grouped"),
            pytest.param(
                "7.020.000",
                "did you mean number format 'vi' (--number-format vi), where it reads 7020000?",
                id="vi-grouping",
            ),
            pytest.param("0,9", "or read the file with number format 'vi'", id="vi-decimal"),
        ],
    )
    def test_a_number_outside_the_syntax_is_refused_with_a_hint(
        self, tmp_path: Path, cell: str, hint: str
    ) -> None:
        path = write(tmp_path, "m.csv", f'subject,criterion,value\nnv001,quality,"{cell}"\n')
        with pytest.raises(FileFormatError) as caught:
            load_measures(path)
        assert str(caught.value).startswith(
            f"{path} line 2, column 'value': expected a number (got {cell!r})"
        )
        assert hint in str(caught.value)

    def test_an_underscore_in_a_quantity_is_not_seventeen(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind,on,quantity\nnv001,absence,2026-01-05,1_7\n")
        with pytest.raises(FileFormatError, match="column 'quantity': expected a number"):
            load_events(path)

    def test_one_decimal_point_reads_as_written(self, tmp_path: Path) -> None:
        """``1.000`` is the number 1 in the default format: one decimal point, three zeros."""
        path = write(tmp_path, "m.csv", "subject,criterion,value\nnv001,quality,1.000\n")
        assert Decimal("1.000") == load_measures(path)[0].value

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("0,9", "0.9"),
            ("7.020.000", "7020000"),
            ("7.020.000,5", "7020000.5"),
            ("-1,25", "-1.25"),
            ("1.000", "1000"),
            ("12", "12"),
        ],
    )
    def test_the_vi_format(self, tmp_path: Path, cell: str, expected: str) -> None:
        path = write(tmp_path, "m.csv", f'subject;criterion;value\nnv001;quality;"{cell}"\n')
        assert Decimal(expected) == load_measures(path, number_format="vi")[0].value

    @pytest.mark.parametrize("cell", ["0.9", "7.02.000", "1.0000"])
    def test_the_vi_format_refuses_a_decimal_point(self, tmp_path: Path, cell: str) -> None:
        path = write(tmp_path, "m.csv", f"subject,criterion,value\nnv001,quality,{cell}\n")
        with pytest.raises(FileFormatError, match="expected a number"):
            load_measures(path, number_format="vi")

    @pytest.mark.parametrize(
        ("cell", "fmt", "expected"),
        [("90%", "point", "0.9"), ("90 %", "point", "0.9"), ("90,5%", "vi", "0.905")],
    )
    def test_a_percentage_is_a_ratio(
        self, tmp_path: Path, cell: str, fmt: str, expected: str
    ) -> None:
        path = write(tmp_path, "m.csv", f'subject,criterion,value\nnv001,quality,"{cell}"\n')
        assert Decimal(expected) == load_measures(path, number_format=fmt)[0].value  # type: ignore[arg-type]

    def test_a_wrong_number_format_is_named(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.csv", "subject,criterion,value\n")
        with pytest.raises(ValueError, match="number_format must be 'point' or 'vi'"):
            load_measures(path, number_format="en")  # type: ignore[arg-type]

    def test_salaries_in_the_vi_format(self) -> None:
        salaries = parse_salaries("subject,salary\nnv001,7.020.000\n", number_format="vi")
        assert Decimal(7_020_000) == salaries["nv001"].amount
        with pytest.raises(FileFormatError, match="did you mean number format 'vi'"):
            parse_salaries("subject,salary\nnv001,7.020.000\n", name="s.csv")

    def test_the_command_line_reads_the_vi_format_on_both_paths(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        people = write(tmp_path, "people.csv", "id\nnv001\nnv002\n")
        point = write(tmp_path, "point.csv", measures_text("0.875"))
        vi = write(tmp_path, "vi.csv", measures_text('"87,5%"', two='"2,5"'))
        args = ["--people", str(people), "--format", "csv"]
        code, expected, _ = scored(tmp_path, *args, "--measures", str(point), capsys=capsys)
        assert 0 == code
        vi_args = [*args, "--measures", str(vi), "--number-format", "vi"]
        assert (0, expected) == scored(tmp_path, *vi_args, capsys=capsys)[:2]

    @pytest.mark.parametrize("path", ["arrow", "pandas", "careful"])
    def test_both_paths_refuse_alike(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        path: str,
    ) -> None:
        readers = {
            "arrow": fastcsv._arrow_reader,
            "pandas": fastcsv._pandas_reader,
            "careful": lambda: None,
        }
        monkeypatch.setattr(fastcsv, "_reader", readers[path])
        people = write(tmp_path, "people.csv", "id\nnv001\nnv002\n")
        measures = write(tmp_path, "m.csv", measures_text("1_7"))
        code, _, err = scored(
            tmp_path, "--people", str(people), "--measures", str(measures), capsys=capsys
        )
        assert 2 == code
        assert f"kpiscore: error: {measures}: 6 problems" == err.splitlines()[0]
        assert "line 2, column 'value': expected a number (got '1_7')" in err


class TestEncodingsAndSeparators:
    PEOPLE = "id,name,unit\nnv001,Nguyễn Văn Đức,Phòng Tổ chức\n"

    def test_utf16_with_a_byte_order_mark(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", self.PEOPLE, encoding="utf-16")
        assert "Nguyễn Văn Đức" == load_people(path)[0].name

    def test_cp1258_is_read_when_named_and_normalised_to_nfc(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", self.PEOPLE, encoding="cp1258")
        with pytest.raises(FileFormatError, match="encoding='cp1258'"):
            load_people(path)
        assert b"Nguy\xea\xden" in path.read_bytes()  # ê, then the tone mark, as saved
        person = load_people(path, encoding="cp1258")[0]
        assert ("Nguyễn Văn Đức", "Phòng Tổ chức") == (person.name, person.unit)

    def test_a_windows_file_read_as_utf8_gets_one_hint(self, tmp_path: Path) -> None:
        """The hint names the encodings once (it said "save it as UTF-8" twice)."""
        path = write(tmp_path, "p.csv", self.PEOPLE, encoding="cp1258")
        with pytest.raises(FileFormatError) as caught:
            load_people(path)
        assert str(caught.value).endswith(
            "the file is not valid UTF-8 (byte 0xea at offset 23); save it as UTF-8, or give"
            " its encoding (encoding='cp1258', --encoding cp1258 for Windows Vietnamese)"
        )
        assert 1 == str(caught.value).count("save it as UTF-8")

    def test_an_unknown_encoding_is_named(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", self.PEOPLE)
        with pytest.raises(FileFormatError, match="'vni' is not an encoding"):
            load_people(path, encoding="vni")

    def test_a_byte_the_encoding_cannot_read(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_bytes(b"id\n\x81\n")
        with pytest.raises(FileFormatError, match="not valid cp1252"):
            load_people(path, encoding="cp1252")

    @pytest.mark.parametrize("sep", [";", "\t"])
    def test_the_separator_is_found(self, tmp_path: Path, sep: str) -> None:
        path = write(tmp_path, "m.csv", measures_text(sep=sep))
        assert 8 == len(load_measures(path))

    def test_the_separator_can_be_given(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", "id|name\nnv001|An\n")
        assert "An" == load_people(path, delimiter="|")[0].name
        with pytest.raises(FileFormatError, match="delimiter must be one separator"):
            load_people(path, delimiter="||")

    def test_excel_trailing_empty_columns_are_ignored(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", "id;name;;\nnv001;An;;\nnv002;Bình;\n")
        assert ["An", "Bình"] == [person.name for person in load_people(path)]

    def test_a_value_under_an_empty_header_cell_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", "id,name,,\nnv001,An,,x\n")
        with pytest.raises(FileFormatError, match="line 2: 4 cells, but the header names 2"):
            load_people(path)

    def test_a_header_cell_without_a_name_in_the_middle(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.csv", "id,,name\nnv001,,An\n")
        with pytest.raises(FileFormatError, match="column 2: the header names no column here"):
            load_people(path)

    def test_the_command_line_reads_them_alike(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        people = write(tmp_path, "people.csv", "id\nnv001\nnv002\n")
        plain = write(tmp_path, "plain.csv", measures_text())
        office = write(tmp_path, "office.csv", measures_text(sep=";"), encoding="utf-16")
        cp = write(tmp_path, "cp.csv", measures_text(sep="\t"), encoding="cp1258")
        base = ["--people", str(people), "--format", "csv"]
        expected = scored(tmp_path, *base, "--measures", str(plain), capsys=capsys)[1]
        assert (0, expected) == scored(tmp_path, *base, "--measures", str(office), capsys=capsys)[
            :2
        ]
        cp_args = ["--measures", str(cp), "--encoding", "cp1258", "--delimiter", "tab"]
        assert (0, expected) == scored(tmp_path, *base, *cp_args, capsys=capsys)[:2]


class TestOtherColumns:
    def test_a_person_keeps_the_other_columns(self, tmp_path: Path) -> None:
        path = write(
            tmp_path, "p.csv", "id,unit,grade,ngạch\nnv001,P1,A1,Chuyên viên\nnv002,P2,,\n"
        )
        records = read_fact_records(path, "people")
        assert [(("grade", "A1"), ("ngạch", "Chuyên viên")), ()] == [r.extra for r in records]
        assert ["nv001", "nv002"] == [person.id for person in load_people(path)]

    def test_json_people_keep_the_other_keys(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.json", '[{"id": "nv001", "grade": "A1"}]')
        assert (("grade", "A1"),) == read_fact_records(path, "people")[0].extra

    def test_an_other_column_of_events_is_refused_unless_ignored(self, tmp_path: Path) -> None:
        text = "subject,kind,on,ghi_chu\nnv001,absence,2026-01-05,x\n"
        path = write(tmp_path, "e.csv", text)
        with pytest.raises(FileFormatError, match=r"unknown column 'ghi_chu'.*--ignore-columns"):
            load_events(path)
        assert ["absence"] == [event.kind for event in load_events(path, ignore_columns=True)]

    def test_an_other_key_of_json_measures_is_ignored_when_asked(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.json", '[{"subject": "a", "criterion": "q", "value": 1, "x": 2}]')
        with pytest.raises(FileFormatError, match="unknown key 'x'"):
            load_measures(path)
        assert Decimal(1) == load_measures(path, ignore_columns=True)[0].value

    def test_ignore_columns_must_be_a_bool(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.csv", "subject,criterion,value\n")
        with pytest.raises(ValueError, match="ignore_columns must be True or False"):
            load_measures(path, ignore_columns="yes")  # type: ignore[arg-type]

    def test_the_command_line_ignores_them_when_asked(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        people = write(tmp_path, "people.csv", "id,grade\nnv001,A1\nnv002,A2\n")
        plain = write(tmp_path, "plain.csv", measures_text())
        lines = measures_text().splitlines()
        extra = write(
            tmp_path, "extra.csv", "\n".join([lines[0] + ",note", *(f"{x},y" for x in lines[1:])])
        )
        base = ["--people", str(people), "--format", "csv"]
        expected = scored(tmp_path, *base, "--measures", str(plain), capsys=capsys)[1]
        code, _, err = scored(tmp_path, *base, "--measures", str(extra), capsys=capsys)
        assert 2 == code
        assert "unknown column" in err
        ignored = ["--measures", str(extra), "--ignore-columns"]
        assert (0, expected) == scored(tmp_path, *base, *ignored, capsys=capsys)[:2]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A real .xlsx: dates as date cells, numbers and booleans typed."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


PEOPLE_ROWS: list[list[object]] = [
    ["id", "name", "unit", "grade"],
    ["nv001", "Nguyễn Văn An", "Phòng Tổ chức", "A1"],
    [1002, "Trần Thị Bình", "Phòng Tổ chức", None],
]
EVENT_ROWS: list[list[object]] = [
    ["subject", "kind", "on", "quantity", "excused"],
    ["nv001", "training_absence", dt.date(2026, 1, 15), 2, False],
    [1002, "training_absence", "03/02/2026", None, True],
]
MEASURE_ROWS: list[list[object]] = [
    ["subject", "criterion", "value"],
    *[[s, c, 0.875] for s in ("nv001", 1002) for c in RATIOS],
    ["nv001", "collaboration", 2.5],
    [1002, "collaboration", "2.5"],
]


class TestWorkbooks:
    def test_every_loader_reads_its_sheet(self, tmp_path: Path) -> None:
        book = workbook(
            tmp_path / "hr.xlsx",
            {"people": PEOPLE_ROWS, "events": EVENT_ROWS, "measures": MEASURE_ROWS},
        )
        people = load_people(book)
        assert ["nv001", "1002"] == [person.id for person in people]
        events = load_events(book)
        assert [(dt.date(2026, 1, 15), Decimal(2), False), (dt.date(2026, 2, 3), 1, True)] == [
            (e.on, e.quantity, e.excused) for e in events
        ]
        measures = load_measures(book)
        assert {Decimal("0.875"), Decimal("2.5")} == {m.value for m in measures}
        assert (("grade", "A1"),) == read_fact_records(book, "people")[0].extra

    def test_the_only_sheet_or_the_one_after_a_hash(self, tmp_path: Path) -> None:
        only = workbook(tmp_path / "people.xlsx", {"Sheet1": PEOPLE_ROWS})
        assert 2 == len(load_people(only))
        book = workbook(tmp_path / "hr.xlsx", {"Tháng 1": EVENT_ROWS, "Tháng 2": EVENT_ROWS[:2]})
        assert 1 == len(load_events(f"{book}#Tháng 2"))
        with pytest.raises(FileFormatError, match="which sheet holds the events"):
            load_events(book)
        with pytest.raises(FileFormatError, match="no sheet named 'Tháng 3'"):
            load_events(f"{book}#Tháng 3")

    def test_a_line_is_the_spreadsheet_row(self, tmp_path: Path) -> None:
        rows = [[], [], *EVENT_ROWS, ["nv001", "x", "2026-13-01", "1_7", "maybe"]]
        book = workbook(tmp_path / "events.xlsx", {"events": rows})
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_events(book)
        paths = [problem.path for problem in caught.value.exceptions]
        assert [f"{book}:6:on", f"{book}:6:quantity", f"{book}:6:excused"] == paths

    def test_a_date_with_a_time_of_day_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "events.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["subject", "kind", "on"])
        sheet.write_row(1, 0, ["nv001", "absence"])
        stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        sheet.write_datetime(1, 2, dt.datetime(2026, 1, 5, 8, 30), stamp)  # noqa: DTZ001 - a cell
        book.close()
        with pytest.raises(FileFormatError, match="expected a date without a time of day"):
            load_events(path)

    def test_salaries_from_a_workbook(self, tmp_path: Path) -> None:
        book = workbook(
            tmp_path / "hr.xlsx",
            {
                "people": PEOPLE_ROWS,
                "salaries": [
                    ["subject", "salary", None],
                    ["nv001", 7020000, None],
                    [1002, "4.000.000"],
                ],
            },
        )
        salaries = read_salaries(book, number_format="vi")
        assert {"nv001": Decimal(7_020_000), "1002": Decimal(4_000_000)} == {
            s: salary.amount for s, salary in salaries.items()
        }

    def test_not_a_workbook(self, tmp_path: Path) -> None:
        path = write(tmp_path, "people.xlsx", "id\nnv001\n")
        with pytest.raises(FileFormatError, match="cannot read the workbook"):
            load_people(path)

    def test_an_empty_sheet(self, tmp_path: Path) -> None:
        book = workbook(tmp_path / "people.xlsx", {"people": []})
        with pytest.raises(FileFormatError, match="the file is empty"):
            load_people(book)

    def test_without_the_extra(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        book = workbook(tmp_path / "people.xlsx", {"people": PEOPLE_ROWS})
        monkeypatch.setitem(sys.modules, "python_calamine", None)
        with pytest.raises(MissingExtraError, match=r"kpiscore\[excel\]"):
            load_people(book)

    def test_the_command_line_scores_a_workbook_as_the_csv_files(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        book = workbook(
            tmp_path / "hr.xlsx",
            {"people": PEOPLE_ROWS, "events": EVENT_ROWS, "measures": MEASURE_ROWS},
        )
        people = write(
            tmp_path,
            "people.csv",
            "id,name,unit\nnv001,Nguyễn Văn An,Phòng Tổ chức\n1002,Trần Thị Bình,Phòng Tổ chức\n",
        )
        events = write(
            tmp_path,
            "events.csv",
            "subject,kind,on,quantity,excused\nnv001,training_absence,15/01/2026,2,no\n"
            "1002,training_absence,03/02/2026,,yes\n",
        )
        lines = ["subject,criterion,value"]
        lines += [f"{s},{c},0.875" for s in ("nv001", "1002") for c in RATIOS]
        lines += ["nv001,collaboration,2.5", "1002,collaboration,2.5"]
        measures = write(tmp_path, "measures.csv", "\n".join(lines) + "\n")
        csv_args = ["--people", str(people), "--events", str(events), "--measures", str(measures)]
        code, expected, _ = scored(tmp_path, *csv_args, "--format", "csv", capsys=capsys)
        assert 0 == code
        book_args = ["--people", str(book), "--events", str(book), "--measures", str(book)]
        assert (0, expected) == scored(tmp_path, *book_args, "--format", "csv", capsys=capsys)[:2]


class TestEveryProblemAtOnce:
    def test_six_problems_in_one_run(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Six bad cells of one file: one run lists all six, each with its line and column."""
        people = write(tmp_path, "people.csv", "id\nnv001\nnv002\n")
        events = write(
            tmp_path,
            "events.csv",
            "subject,kind,on,quantity,excused\n"
            "nv001,training_absence,2026-02-30,1_7,\n"
            "nv002,,05/01/2026,-1,maybe\n"
            "nv001,training_absence,05/01/2026,1e3,\n",
        )
        code, _, err = scored(
            tmp_path, "--people", str(people), "--events", str(events), capsys=capsys
        )
        assert 2 == code
        lines = err.splitlines()
        assert f"kpiscore: error: {events}: 6 problems" == lines[0]
        assert [
            f"  - {events} line 2, column 'on'",
            f"  - {events} line 2, column 'quantity'",
            f"  - {events} line 3, column 'kind'",
            f"  - {events} line 3, column 'quantity'",
            f"  - {events} line 3, column 'excused'",
            f"  - {events} line 4, column 'quantity'",
        ] == [line.split(":")[0] for line in lines[1:]]


def test_the_fast_path_leaves_other_encodings_and_separators(tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", "id\nnv001\n")
    assert score_csv_files(POLICY, PERIOD, people, None, None, encoding="cp1258") is None
    assert score_csv_files(POLICY, PERIOD, people, None, None, delimiter=";") is None
    semi = write(tmp_path, "semi.csv", "id;name\nnv001;An\n")
    assert score_csv_files(POLICY, PERIOD, semi, None, None) is None
