"""Policy files (TOML, JSON) and fact files (CSV, JSON): reading, writing, every problem located."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Category,
    Criterion,
    Deduction,
    Event,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    KpiscoreError,
    Measure,
    MissingExtraError,
    Person,
    Policy,
    PolicyError,
    policies,
)
from kpiscore.io.load import (
    dump_policy,
    load_events,
    load_measures,
    load_people,
    load_policy,
    read_fact_records,
)

SMALL = """\
id = "small"
name = "Nhỏ"
[[categories]]
id = "soft"
name = "KPI mềm"
[[categories.criteria]]
id = "training"
name = "Tham gia đào tạo"
max_points = 15
deductions = [{ on = "training_absence", points = 2 }]
"""


def small_policy() -> Policy:
    return Policy(
        id="small",
        name="Nhỏ",
        categories=[
            Category(
                id="soft",
                name="KPI mềm",
                criteria=[
                    Criterion(
                        id="training",
                        name="Tham gia đào tạo",
                        max_points=15,
                        deductions=[Deduction(on="training_absence", points=2)],
                    )
                ],
            )
        ],
    )


def problems(error: KpiscoreError) -> list[str]:
    """The messages of a file error: its own, or each one of a group."""
    if isinstance(error, FileFormatErrorGroup):
        return [str(problem) for problem in error.exceptions]
    return [str(error)]


def write(tmp_path: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


class TestLoadPolicySources:
    def test_reads_toml_text(self) -> None:
        assert small_policy() == load_policy(SMALL)

    def test_reads_a_toml_file_by_path(self, tmp_path: Path) -> None:
        assert small_policy() == load_policy(write(tmp_path, "p.toml", SMALL))

    def test_reads_a_file_named_by_a_string(self, tmp_path: Path) -> None:
        assert small_policy() == load_policy(str(write(tmp_path, "p.toml", SMALL)))

    def test_reads_a_json_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.json", json.dumps(small_policy().to_dict()))
        assert small_policy() == load_policy(path)

    def test_reads_json_text(self) -> None:
        assert small_policy() == load_policy(json.dumps(small_policy().to_dict()))

    def test_text_with_a_line_break_is_text_not_a_file_name(self) -> None:
        with pytest.raises(FileFormatError, match=r"^<text>: policy: missing required key"):
            load_policy('id = "x"\n')

    def test_format_overrides_the_suffix(self, tmp_path: Path) -> None:
        path = write(tmp_path, "policy.txt", SMALL)
        assert small_policy() == load_policy(path, format="toml")

    def test_a_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        path = write(tmp_path, "p.toml", SMALL, encoding="utf-8-sig")
        assert small_policy() == load_policy(path)

    def test_numbers_are_exact_decimals_not_floats(self) -> None:
        text = SMALL.replace('name = "Nhỏ"\n', 'name = "Nhỏ"\nprecision = 0.001\n', 1)
        policy = load_policy(text.replace("points = 2 }", "points = 0.1 }"))
        assert (Decimal("0.001"), Decimal("0.1")) == (
            policy.precision,
            policy.criterion("training").deductions[0].points,
        )

    def test_numbers_may_be_strings(self) -> None:
        policy = load_policy(SMALL.replace("max_points = 15", 'max_points = "15.5"'))
        assert Decimal("15.5") == policy.criterion("training").max_points

    def test_a_whole_number_version_reads_as_text(self) -> None:
        policy = load_policy(SMALL.replace('name = "Nhỏ"\n', 'name = "Nhỏ"\nversion = 2\n', 1))
        assert "2" == policy.version

    def test_a_toml_date_reads_as_a_date(self) -> None:
        text = SMALL.replace('name = "Nhỏ"\n', 'name = "Nhỏ"\nvalid_from = 2026-01-01\n', 1)
        assert date(2026, 1, 1) == load_policy(text).valid_from


class TestLoadPolicyNormalisesText:
    def test_decomposed_vietnamese_becomes_nfc(self) -> None:
        decomposed = unicodedata.normalize("NFD", SMALL)
        assert decomposed != SMALL
        policy = load_policy(decomposed)
        assert ("Nhỏ", "Tham gia đào tạo") == (policy.name, policy.criterion("training").name)

    def test_decomposed_and_composed_files_have_one_fingerprint(self) -> None:
        assert (
            load_policy(SMALL).fingerprint
            == load_policy(unicodedata.normalize("NFD", SMALL)).fingerprint
        )


class TestLoadPolicyErrors:
    def test_an_unknown_key_names_the_key_and_its_path(self) -> None:
        text = SMALL.replace("max_points = 15", "max_points = 15\npointz = 3")
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert (
            "<text>: categories.soft.criteria.training.pointz: unknown key 'pointz'; expected"
            " one of ['awards', 'basis', 'deductions', 'floor', 'id', 'max_points', 'name',"
            " 'overflow', 'ratio_cap', 'reference', 'reference_vi']"
        ) == str(caught.value)
        assert "<text>:categories.soft.criteria.training.pointz" == caught.value.path

    def test_an_unknown_key_in_a_rule_names_the_rule(self) -> None:
        text = SMALL.replace("points = 2 }", "points = 2, each = 1 }")
        with pytest.raises(FileFormatError, match=r"deductions\.training_absence\.each: unknown"):
            load_policy(text)

    def test_an_unknown_top_level_key_is_an_error(self) -> None:
        with pytest.raises(FileFormatError, match=r"^<text>: colour: unknown key 'colour'"):
            load_policy('colour = "red"\n' + SMALL)

    def test_every_problem_in_a_file_is_reported_together(self, tmp_path: Path) -> None:
        text = (
            SMALL.replace('id = "small"', 'id = "small"\ncolour = "red"').replace(
                "points = 2 }", "points = -2 }"
            )
            + '[[categories.criteria]]\nid = "x"\nname = "X"\nmax_points = 5\nbasis = "weird"\n'
        )
        path = write(tmp_path, "bad.toml", text)
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(path)
        name = str(path)
        assert [
            (
                f"{name}: colour: unknown key 'colour'; expected one of ['bands', 'caps',"
                " 'categories', 'description', 'id', 'min_worked_share', 'missing', 'name',"
                " 'precision', 'reference', 'rounding', 'scale', 'valid_from', 'valid_to',"
                " 'version']"
            ),
            (
                f"{name}: categories.soft.criteria.training.deductions.training_absence:"
                " deduction 'training_absence': points must be >= 0 (got Decimal('-2'))"
            ),
            (
                f"{name}: categories.soft.criteria.x: criterion 'x': basis must be one of 'full',"
                " 'zero', 'assessed', 'ratio' (got 'weird')"
            ),
        ] == problems(caught.value)
        assert f"{name}: 3 problems" == str(caught.value).splitlines()[0]

    def test_policy_wide_problems_are_reported(self) -> None:
        text = SMALL + '[[bands]]\nid = "A"\nmin_points = 10\nname = "A"\n'
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert (
            "<text>: policy 'small': the lowest band must start at 0 so every total gets a rating"
            " (band 'A' starts at 10)"
        ) == str(caught.value)

    def test_a_problem_keeps_the_policy_error_as_its_cause(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(SMALL.replace("max_points = 15", "max_points = -15"))
        assert isinstance(caught.value.__cause__, KpiscoreError)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param(
                'id = "p"\nname = 3 3\n',
                "<text>: line 2, column 10: invalid TOML: Expected newline or end of document"
                " after a statement",
                id="toml-syntax",
            ),
            pytest.param(
                '{"id": "p",\n "name": }',
                "<text>: line 2, column 10: invalid JSON: Expecting value",
                id="json-syntax",
            ),
            pytest.param(
                '{"id": "p", "name": NaN}',
                "<text>: invalid JSON: NaN is not a number kpiscore accepts",
                id="json-nan",
            ),
        ],
    )
    def test_syntax_errors_give_the_line_and_column(self, text: str, message: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert message == str(caught.value)

    def test_a_json_document_that_is_not_an_object_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(FileFormatError, match=r"must hold one table .* \(got list\)"):
            load_policy(write(tmp_path, "p.json", "[1, 2]"))

    def test_a_missing_file_is_an_error(self, tmp_path: Path) -> None:
        path = tmp_path / "none.toml"
        with pytest.raises(FileFormatError) as caught:
            load_policy(path)
        assert f"{path}: no such file" == str(caught.value)

    def test_a_directory_is_not_a_policy_file(self, tmp_path: Path) -> None:
        folder = tmp_path / "dir.toml"
        folder.mkdir()
        with pytest.raises(FileFormatError, match="is a directory, not a file"):
            load_policy(folder)

    def test_an_unknown_suffix_asks_for_a_format(self, tmp_path: Path) -> None:
        path = write(tmp_path, "policy.txt", SMALL)
        with pytest.raises(FileFormatError, match=r"ending in \.toml or \.json"):
            load_policy(path)

    def test_an_unknown_format_is_an_error(self) -> None:
        with pytest.raises(FileFormatError, match="format must be 'toml' or 'json'"):
            load_policy(SMALL, format="yaml")  # type: ignore[arg-type]

    def test_a_file_that_is_not_utf8_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "p.toml"
        path.write_bytes(b'id = "p"\nname = "Nh\xe1"\n')  # Latin-1, not UTF-8
        with pytest.raises(FileFormatError) as caught:
            load_policy(path)
        assert str(caught.value).startswith(f"{path}: line 2: the file is not valid UTF-8")

    def test_something_else_is_neither_a_path_nor_text(self) -> None:
        with pytest.raises(FileFormatError, match=r"expected a path .* \(got int 3\)"):
            load_policy(3)  # type: ignore[arg-type]

    def test_nothing_in_a_file_is_evaluated(self) -> None:
        text = SMALL.replace("max_points = 15", "max_points = \"__import__('os').getcwd()\"")
        with pytest.raises(FileFormatError, match="max_points must be a finite number"):
            load_policy(text)


class TestDumpPolicy:
    @pytest.mark.parametrize("fmt", ["toml", "json"])
    @pytest.mark.parametrize("policy_id", policies.available())
    def test_dump_then_load_gives_an_equal_policy_and_fingerprint(
        self, fmt: str, policy_id: str
    ) -> None:
        policy = policies.load(policy_id)
        again = load_policy(dump_policy(policy, fmt), format=fmt)  # type: ignore[arg-type]
        assert (policy, policy.fingerprint) == (again, again.fingerprint)

    def test_json_writes_numbers_as_exact_strings(self) -> None:
        tree = json.loads(dump_policy(small_policy(), "json"))
        assert "2" == tree["categories"][0]["criteria"][0]["deductions"][0]["points"]

    def test_empty_fields_are_left_out(self) -> None:
        tree = json.loads(dump_policy(small_policy(), "json"))
        assert ("reference" in tree, "valid_from" in tree) == (False, False)

    def test_toml_writes_numbers_as_toml_numbers(self) -> None:
        text = dump_policy(policies.load("vn-nd335-2025-staff"))
        assert ("precision = 0.01" in text, "scale = 100" in text) == (True, True)

    def test_toml_writes_dates_as_toml_dates(self) -> None:
        assert "valid_from = 2026-01-01\n" in dump_policy(policies.load("vn-nd335-2025-staff"))

    def test_the_output_ends_with_a_newline(self) -> None:
        assert (True, True) == (
            dump_policy(small_policy(), "toml").endswith("\n"),
            dump_policy(small_policy(), "json").endswith("\n"),
        )

    def test_toml_without_tomli_w_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import sys

        monkeypatch.setitem(sys.modules, "tomli_w", None)
        with pytest.raises(MissingExtraError, match=r"pip install 'kpiscore\[toml\]'"):
            dump_policy(small_policy(), "toml")

    def test_json_needs_no_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import sys

        monkeypatch.setitem(sys.modules, "tomli_w", None)
        assert dump_policy(small_policy(), "json").startswith("{")

    def test_an_unknown_format_is_an_error(self) -> None:
        with pytest.raises(InputError, match=r"format must be 'toml' or 'json' \(got 'yaml'\)"):
            dump_policy(small_policy(), "yaml")  # type: ignore[arg-type]

    def test_only_a_policy_can_be_dumped(self) -> None:
        with pytest.raises(InputError, match="policy must be a Policy"):
            dump_policy({"id": "p"})  # type: ignore[arg-type]


EVENTS_CSV = """\
subject,kind,on,quantity,excused,ref,note
nv001,training_absence,15/07/2026,,,,
nv001,late_approval,2026-07-16,3,false,HS-12,chậm phê duyệt
nv002,training_absence,1/8/2026,1,có,,ốm
"""


class TestLoadEvents:
    def test_reads_every_column(self, tmp_path: Path) -> None:
        events = load_events(write(tmp_path, "events.csv", EVENTS_CSV))
        assert [
            Event(subject="nv001", kind="training_absence", on=date(2026, 7, 15)),
            Event(
                subject="nv001",
                kind="late_approval",
                on=date(2026, 7, 16),
                quantity=3,
                ref="HS-12",
                note="chậm phê duyệt",
            ),
            Event(
                subject="nv002",
                kind="training_absence",
                on=date(2026, 8, 1),
                excused=True,
                note="ốm",
            ),
        ] == events

    def test_a_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        with_bom = load_events(write(tmp_path, "a.csv", EVENTS_CSV, encoding="utf-8-sig"))
        assert load_events(write(tmp_path, "b.csv", EVENTS_CSV)) == with_bom

    def test_windows_line_endings_are_accepted(self, tmp_path: Path) -> None:
        crlf = load_events(write(tmp_path, "a.csv", EVENTS_CSV.replace("\n", "\r\n")))
        assert load_events(write(tmp_path, "b.csv", EVENTS_CSV)) == crlf

    def test_only_the_required_columns_are_needed(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "on,kind,subject\n2026-01-05,absence,nv001\n")
        assert [Event(subject="nv001", kind="absence", on=date(2026, 1, 5))] == load_events(path)

    def test_empty_lines_hold_no_row(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind,on\n\nnv001,absence,2026-01-05\n\n")
        assert 1 == len(load_events(path))

    def test_text_is_normalised_to_nfc(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", unicodedata.normalize("NFD", EVENTS_CSV))
        assert "chậm phê duyệt" == load_events(path)[1].note

    def test_a_json_list_of_objects(self, tmp_path: Path) -> None:
        text = json.dumps(
            [{"subject": "nv001", "kind": "absence", "on": "15/07/2026", "excused": True}]
        )
        event = load_events(write(tmp_path, "events.json", text))[0]
        assert (date(2026, 7, 15), True) == (event.on, event.excused)

    def test_a_json_object_with_an_events_list(self, tmp_path: Path) -> None:
        text = json.dumps({"events": [{"subject": "nv001", "kind": "a", "on": "2026-07-15"}]})
        assert 1 == len(load_events(write(tmp_path, "events.json", text)))

    def test_json_quantities_are_exact(self, tmp_path: Path) -> None:
        text = '[{"subject": "nv001", "kind": "late", "on": "2026-07-15", "quantity": 0.1}]'
        assert Decimal("0.1") == load_events(write(tmp_path, "e.json", text))[0].quantity


class TestLoadEventsErrors:
    @pytest.mark.parametrize(
        ("row", "message"),
        [
            pytest.param(
                "nv001,absence,31/02/2026,,",
                "e.csv line 3, column 'on': '31/02/2026' is not a real date; expected a date as"
                " DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)",
                id="impossible-date",
            ),
            pytest.param(
                "nv001,absence,07-15-2026,,",
                "e.csv line 3, column 'on': expected a date as DD/MM/YYYY (15/07/2026) or"
                " YYYY-MM-DD (2026-07-15) (got '07-15-2026')",
                id="unknown-date-form",
            ),
            pytest.param(
                "nv001,absence,2026-07-15T08:00,,",
                "e.csv line 3, column 'on': expected a date as DD/MM/YYYY (15/07/2026) or"
                " YYYY-MM-DD (2026-07-15) (got '2026-07-15T08:00')",
                id="date-and-time",
            ),
            pytest.param(
                ",absence,2026-07-15,,",
                "e.csv line 3, column 'subject': required, but empty",
                id="empty-subject",
            ),
            pytest.param(
                "nv001,absence,2026-07-15,-1,",
                "e.csv line 3, column 'quantity': must be >= 0 (got '-1')",
                id="negative-quantity",
            ),
            pytest.param(
                "nv001,absence,2026-07-15,abc,",
                "e.csv line 3, column 'quantity': expected a number (got 'abc')",
                id="not-a-number",
            ),
            pytest.param(
                'nv001,absence,2026-07-15,"1,5",',
                "e.csv line 3, column 'quantity': expected a number (got '1,5'); write the"
                " decimal separator as a point ('0.9', not '0,9'), or read the file with"
                " number format 'vi'",
                id="decimal-comma",
            ),
            pytest.param(
                "nv001,absence,2026-07-15,1,maybe",
                "e.csv line 3, column 'excused': expected true or false (also yes/no, 1/0,"
                " có/không, or empty) (got 'maybe')",
                id="not-a-flag",
            ),
            pytest.param(
                "nv001,absence",
                "e.csv line 3: 2 cells, but the header names 5 columns",
                id="short-row",
            ),
        ],
    )
    def test_a_bad_cell_names_the_file_the_line_and_the_column(
        self, tmp_path: Path, row: str, message: str
    ) -> None:
        text = f"subject,kind,on,quantity,excused\nnv001,absence,2026-07-01,,\n{row}\n"
        path = write(tmp_path, "e.csv", text)
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert message.replace("e.csv", str(path)) == str(caught.value)

    def test_the_error_path_is_file_line_column(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind,on\nnv001,absence,99/99/2026\n")
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert f"{path}:2:on" == caught.value.path

    def test_every_bad_row_is_reported_none_skipped(self, tmp_path: Path) -> None:
        text = "subject,kind,on\nnv001,a,2026-01-01\n,a,2026-01-02\nnv001,,2026-13-01\nnv001,a,x\n"
        path = write(tmp_path, "e.csv", text)
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_events(path)
        assert [f"{path}:3:subject", f"{path}:4:kind", f"{path}:4:on", f"{path}:5:on"] == [
            problem.path for problem in caught.value.exceptions
        ]

    def test_lines_count_across_quoted_line_breaks(self, tmp_path: Path) -> None:
        text = 'subject,kind,on,note\nnv001,a,2026-01-01,"two\nlines"\nnv001,a,bad,\n'
        path = write(tmp_path, "e.csv", text)
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert f"{path}:4:on" == caught.value.path

    def test_an_unknown_column_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind,on,date\nnv001,a,2026-01-01,x\n")
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert (
            f"{path} line 1, column 4: unknown column 'date'; expected one of ['subject', 'kind',"
            " 'on', 'quantity', 'excused', 'ref', 'note']; pass ignore_columns=True"
            " (--ignore-columns) to leave other columns out"
        ) == str(caught.value)

    def test_a_missing_required_column_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind\nnv001,a\n")
        with pytest.raises(FileFormatError, match=r"line 1: missing required column 'on'$"):
            load_events(path)

    def test_a_repeated_column_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject,kind,on,kind\nnv001,a,2026-01-01,b\n")
        with pytest.raises(FileFormatError, match=r"line 1: column 'kind' appears twice$"):
            load_events(path)

    def test_semicolons_are_found_or_get_a_hint(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "subject;kind;on\nnv001;a;2026-01-01\n")
        assert ["a"] == [event.kind for event in load_events(path)]
        with pytest.raises(FileFormatErrorGroup, match="4 problems") as caught:
            load_events(path, delimiter=",")
        assert "the file seems to use ';' between cells" in problems(caught.value)[0]

    def test_an_empty_file_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", "")
        with pytest.raises(FileFormatError, match="the file is empty; expected a header line"):
            load_events(path)

    def test_a_header_alone_gives_no_events(self, tmp_path: Path) -> None:
        assert [] == load_events(write(tmp_path, "e.csv", "subject,kind,on\n"))

    def test_a_broken_quote_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.csv", 'subject,kind,on\nnv001,"a"b,2026-01-01\n')
        with pytest.raises(FileFormatError, match=r"line 2: invalid CSV"):
            load_events(path)

    def test_json_unknown_key_names_the_item(self, tmp_path: Path) -> None:
        text = '[{"subject": "nv001", "kind": "a", "on": "2026-01-01", "date": "x"}]'
        path = write(tmp_path, "e.json", text)
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        expected = (
            f"{path} item [0]: unknown key 'date'; expected one of ['subject', 'kind', 'on',"
            " 'quantity', 'excused', 'ref', 'note']"
        )
        assert (expected, f"{path}:[0].date") == (str(caught.value), caught.value.path)

    def test_json_bad_value_names_the_item_and_the_key(self, tmp_path: Path) -> None:
        text = '[{"subject": 7, "kind": "a", "on": "2026-01-01"}]'
        path = write(tmp_path, "e.json", text)
        with pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert f"{path} item [0], key 'subject': expected text (got int 7)" == str(caught.value)

    def test_json_that_is_not_a_list_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.json", '{"subject": "nv001"}')
        with pytest.raises(FileFormatError, match=r"expected a JSON list of objects"):
            load_events(path)

    def test_json_items_must_be_objects(self, tmp_path: Path) -> None:
        path = write(tmp_path, "e.json", '["nv001"]')
        with pytest.raises(FileFormatError, match=r"item \[0\]: expected an object"):
            load_events(path)

    def test_an_unknown_suffix_asks_for_a_format(self, tmp_path: Path) -> None:
        path = write(tmp_path, "events.xls", "")
        with pytest.raises(FileFormatError, match=r"ending in \.csv or \.json or \.xlsx"):
            load_events(path)

    def test_format_overrides_the_suffix(self, tmp_path: Path) -> None:
        path = write(tmp_path, "events.txt", "subject,kind,on\nnv001,a,2026-01-01\n")
        assert 1 == len(load_events(path, format="csv"))


class TestLoadMeasuresAndPeople:
    def test_measures_are_exact(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.csv", "subject,criterion,value\nnv001,quality,0.875\n")
        assert [Measure(subject="nv001", criterion="quality", value=Decimal("0.875"))] == (
            load_measures(path)
        )

    def test_a_measure_needs_a_value(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.csv", "subject,criterion,value\nnv001,quality,\n")
        with pytest.raises(FileFormatError, match=r"line 2, column 'value': required, but empty"):
            load_measures(path)

    def test_people_with_their_attributes(self, tmp_path: Path) -> None:
        text = "id,name,unit,group,position\nnv001,Nguyễn Văn An,Phòng Tổ chức,,Chuyên viên\n"
        assert [
            Person(id="nv001", name="Nguyễn Văn An", unit="Phòng Tổ chức", position="Chuyên viên")
        ] == load_people(write(tmp_path, "people.csv", text))

    def test_people_from_json(self, tmp_path: Path) -> None:
        path = write(tmp_path, "people.json", '[{"id": "nv001"}, {"id": "nv002", "name": null}]')
        assert [Person(id="nv001"), Person(id="nv002")] == load_people(path)

    def test_records_remember_where_they_were_read(self, tmp_path: Path) -> None:
        path = write(tmp_path, "people.csv", "id\nnv001\n\nnv002\n")
        assert [(f"{path} line 2", f"{path}:2"), (f"{path} line 4", f"{path}:4")] == [
            (record.where, record.path) for record in read_fact_records(path, "people")
        ]

    def test_an_unknown_kind_of_fact_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="kind must be 'events', 'measures' or 'people'"):
            read_fact_records(tmp_path / "x.csv", "bands")  # type: ignore[arg-type]

    def test_a_fact_file_is_named_by_a_path(self) -> None:
        with pytest.raises(FileFormatError, match=r"expected the path of a people file"):
            load_people(["nv001"])  # type: ignore[arg-type]


class TestLoneSurrogates:
    """A lone surrogate ("\\ud800") is refused where it enters, naming the field (issue 19 #5);
    accepted, it crashed later as UnicodeEncodeError in Policy.fingerprint or an output write."""

    POLICY = (
        '{"id": "p", "name": "P\\ud800", "categories": [{"id": "c", "name": "C",'
        ' "criteria": [{"id": "x", "name": "X", "max_points": 1}]}]}'
    )

    def test_a_json_escape_in_a_policy_file(self, tmp_path: Path) -> None:
        path = tmp_path / "p.json"
        path.write_text(self.POLICY, encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            load_policy(path)
        assert (
            f"{path}: invalid JSON: value of key 'name' 'P\\ud800' holds a lone surrogate U+D800"
            " at character 2; expected Unicode text (UTF-8 encodable)"
        ) == str(caught.value)

    def test_a_json_escape_in_policy_text(self) -> None:
        with pytest.raises(FileFormatError, match="lone surrogate U\\+D800"):
            load_policy(self.POLICY)

    def test_a_raw_surrogate_in_policy_text_names_its_line(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy('id = "p"\nname = "\ud800"\n')
        assert (
            "<text>: line 2: the text holds a lone surrogate U+D800; expected Unicode text"
            " (UTF-8 encodable)"
        ) == str(caught.value)

    @pytest.mark.parametrize(
        ("loader", "text", "key"),
        [
            (load_people, '[{"id": "a\\udc00"}]', "id"),
            (load_events, '[{"subject": "a", "kind": "k\\ud800", "on": "2026-01-02"}]', "kind"),
            (load_measures, '[{"subject": "a\\ud800", "criterion": "x", "value": 1}]', "subject"),
        ],
    )
    def test_a_json_escape_in_a_fact_file(
        self, tmp_path: Path, loader: Any, text: str, key: str
    ) -> None:
        path = tmp_path / "facts.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FileFormatError, match=f"value of key '{key}' .* lone surrogate"):
            loader(path)

    def test_the_model_refuses_them_too(self) -> None:
        with pytest.raises(InputError, match="id holds a lone surrogate U\\+D800 at character 2"):
            Person(id="a\ud800")
        with pytest.raises(InputError, match="name holds a lone surrogate U\\+DC00"):
            Person(id="a", name="x\udc00")
        with pytest.raises(PolicyError, match="name holds a lone surrogate U\\+D800"):
            Policy(
                id="p",
                name="P\ud800",
                categories=[
                    Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=1)])
                ],
            )


class TestManyProblemsInAFactFile:
    def test_the_listed_problems_are_capped(self, tmp_path: Path) -> None:
        # 250 bad rows used to give a 250-line message (30 MB for a large broken file).
        path = tmp_path / "events.csv"
        rows = "".join(f"nv{i},k,not-a-date\n" for i in range(250))
        path.write_text("subject,kind,on\n" + rows, encoding="utf-8")
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_events(path)
        assert 100 == len(caught.value.exceptions)
        assert (
            f"{path}: 250 problems (the first 100 listed, … and 150 more)"
            == str(caught.value).splitlines()[0]
        )
