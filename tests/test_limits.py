"""Untrusted policy and fact files: size and nesting limits, duplicate keys, every problem at once.

A file from outside is refused fast, with a message naming the file and the limit, before it can
exhaust memory, the stack or the clock; the loader reports every problem of a policy together,
including the whole-policy checks that do not depend on a part that failed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tomllib
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import FileFormatError, FileFormatErrorGroup, KpiscoreError, Policy, PolicyError
from kpiscore.io.load import (
    MAX_DEPTH,
    MAX_FACT_BYTES,
    MAX_POLICY_BYTES,
    load_events,
    load_measures,
    load_people,
    load_policy,
    parse_json_document,
    parse_toml_document,
    read_text_file,
)

#: Bytes of memory a refusal may use beyond what it is given: a limit is enforced before the
#: work it prevents (a 1 GiB file is never read in, a 4 MiB text never parsed), so this holds
#: whatever the machine's load, unlike a time limit.
SLACK = 1024 * 1024
#: A policy whose unknown key is a million letters is parsed, then refused with a short message:
#: a few copies of the text at most, never one per candidate key or per letter.
HUGE_KEY_MEMORY = 8 * 1024 * 1024

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


@contextmanager
def within(limit: int) -> Iterator[None]:
    """The block's peak memory (Python allocations, as ``tracemalloc`` counts them) is less
    than ``limit`` bytes: the bounded work a refusal may do, whatever the machine's load."""
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < limit, f"the block held {peak} bytes at its peak; expected less than {limit}"


@contextmanager
def unparsed() -> Iterator[None]:
    """The block never hands its text to a parser (``tomllib`` or ``json``): it is refused
    before the work that could exhaust the stack or the clock."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the text reached the parser; expected a refusal before it")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tomllib, "loads", refuse)
        patch.setattr(json, "loads", refuse)
        yield


#: The paths opened while :func:`opened` records, or None when it does not.
_OPENED: list[list[str] | None] = [None]


def _record_open(event: str, args: tuple[object, ...]) -> None:
    recording = _OPENED[0]
    if recording is not None and event == "open" and isinstance(args[0], str | bytes | Path):
        recording.append(os.fsdecode(args[0]))


@contextmanager
def opened() -> Iterator[list[str]]:
    """The paths of the files the block opens (from the ``open`` audit event)."""
    if len(_OPENED) == 1:  # an audit hook cannot be removed: installed once, idle outside
        sys.addaudithook(_record_open)
        _OPENED.append(None)
    seen: list[str] = []
    _OPENED[0] = seen
    try:
        yield seen
    finally:
        _OPENED[0] = None


def messages(error: BaseException) -> list[str]:
    if isinstance(error, FileFormatErrorGroup):
        return [str(problem) for problem in error.exceptions]
    return [str(error)]


def sparse(path: Path, size: int) -> Path:
    """A file that claims ``size`` bytes without using the disk (a hole)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


class TestFileSize:
    def test_a_1_gib_policy_file_is_refused_before_it_is_read(self, tmp_path: Path) -> None:
        path = sparse(tmp_path / "huge.toml", 1024**3)
        with within(SLACK), pytest.raises(FileFormatError) as caught:
            load_policy(path)
        assert (
            f"{path}: the file is too big to read (1073741824 bytes); expected at most 4194304"
            " bytes (4 MiB)"
        ) == str(caught.value)
        assert str(path) == caught.value.path

    def test_a_policy_file_at_the_limit_is_read(self, tmp_path: Path) -> None:
        path = tmp_path / "padded.toml"
        path.write_text(SMALL + "#" * (MAX_POLICY_BYTES - len(SMALL.encode()) - 1) + "\n")
        assert MAX_POLICY_BYTES == path.stat().st_size
        assert "small" == load_policy(path).id

    @pytest.mark.parametrize(
        "loader", [load_events, load_measures, load_people], ids=["events", "measures", "people"]
    )
    def test_a_1_gib_fact_file_is_refused_before_it_is_read(
        self, tmp_path: Path, loader: Callable[..., Any]
    ) -> None:
        path = sparse(tmp_path / "facts.csv", 1024**3)
        with within(SLACK), pytest.raises(FileFormatError) as caught:
            loader(path)
        assert (
            f"{path}: the file is too big to read (1073741824 bytes); expected at most"
            f" {MAX_FACT_BYTES} bytes (256 MiB); raise the limit with --max-file-size or"
            " KPISCORE_MAX_FACT_BYTES, or install kpiscore[arrow] so `kpiscore score` reads an"
            " unquoted CSV file of any size"
        ) == str(caught.value)

    def test_a_device_that_never_ends_is_read_only_up_to_the_limit(self) -> None:
        with within(MAX_POLICY_BYTES + SLACK), pytest.raises(FileFormatError) as caught:
            load_policy(Path("/dev/zero"), format="toml")
        assert (
            "/dev/zero: the file is too big to read (more than 4194304 bytes); expected at most"
            " 4194304 bytes (4 MiB)"
        ) == str(caught.value)

    def test_policy_text_longer_than_the_limit_is_refused(self) -> None:
        text = SMALL + "#" * MAX_POLICY_BYTES
        with unparsed(), pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert (
            f"<text>: the policy text is too long ({len(text.encode())} bytes in UTF-8); expected"
            " at most"
            " 4194304 bytes (4 MiB)"
        ) == str(caught.value)

    def test_the_limit_counts_utf8_bytes_not_characters(self) -> None:
        # 1.5 M Vietnamese letters of 3 bytes each: 4.5 MB, over the 4 MiB limit (issue 19 #11).
        text = SMALL + "# " + "ệ" * (MAX_POLICY_BYTES // 3 + 1)
        assert len(text) < MAX_POLICY_BYTES < len(text.encode())
        with unparsed(), pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert (
            f"<text>: the policy text is too long ({len(text.encode())} bytes in UTF-8); expected"
            " at most 4194304 bytes (4 MiB)"
        ) == str(caught.value)

    def test_a_long_string_without_a_line_break_is_neither_a_file_name_nor_text(self) -> None:
        with opened() as files, unparsed(), pytest.raises(FileFormatError) as caught:
            load_policy("x" * 1_000_000)
        assert (
            "load_policy: got a string of 1000000 characters with no line break: too long for a"
            " file name (at most 4096), and not policy text (which holds a line break, or"
            " starts with '{')"
        ) == str(caught.value)
        assert [] == files  # not tried as a file name either


TOO_DEEP = (
    "tables and lists nest more than 32 levels deep; expected a kpiscore file (a policy nests"
    " six levels, a fact file two)"
)


class TestNesting:
    @pytest.mark.parametrize(
        "text",
        [
            pytest.param('{"id": ' + "[" * 10_000 + "]" * 10_000 + "}", id="json-lists"),
            pytest.param('{"id": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001, id="json-objects"),
            pytest.param("id = " + "[" * 10_000 + "]" * 10_000 + "\n", id="toml-arrays"),
            pytest.param("id = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", id="toml-tables"),
            pytest.param("a" + ".a" * 10_000 + " = 1\n", id="toml-dotted-key"),
            pytest.param("a" + ".a" * 2_000_000 + " = 1\n", id="toml-dotted-key-4mib"),
            pytest.param('"a"' + '."a"' * 10_000 + " = 1\n", id="toml-quoted-dotted-key"),
            pytest.param("[" + ".".join(["a"] * 10_000) + "]\n", id="toml-table-header"),
            pytest.param("id = " + "[" * 10_000 + "\n", id="toml-unclosed"),
        ],
    )
    def test_10000_levels_are_refused_fast(self, text: str) -> None:
        with unparsed(), pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert f"<text>: {TOO_DEEP}" == str(caught.value)

    def test_brackets_and_dots_inside_strings_and_comments_are_not_structure(self) -> None:
        text = SMALL.replace(
            'name = "Nhỏ"',
            f'name = "{"[" * 100}"\ndescription = """{"{" * 100}"""\n# {"[" * 100}\n'
            f"reference = '{'.a' * 100}'",
        )
        assert "[" * 100 == load_policy(text).name

    def test_nesting_made_by_table_headers_is_checked_on_the_tree(self) -> None:
        headers = f"[{'.'.join(['a'] * 20)}]\n{'.'.join(['b'] * 20)} = 1\n"
        with within(SLACK), pytest.raises(FileFormatError) as caught:
            load_policy(headers)
        assert str(caught.value).startswith(
            "<text>: policy: tables and lists nest more than 32 levels deep"
        )

    def test_nesting_up_to_the_limit_is_left_to_the_other_checks(self) -> None:
        # The policy table itself is one level; its key's value may nest the rest.
        text = "colour = " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n" + SMALL
        with pytest.raises(FileFormatError, match=r"^<text>: colour: unknown key 'colour'"):
            load_policy(text)

    def test_a_deep_json_fact_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "events.json"
        path.write_text("[" * 100_000)
        # The reader asks for the limit's worth of bytes in one read (a buffer of 256 MiB that
        # the 100 kB file never fills); past that, the refusal holds nothing of its own.
        with within(MAX_FACT_BYTES + SLACK), pytest.raises(FileFormatError) as caught:
            load_events(path)
        assert f"{path}: {TOO_DEEP}" == str(caught.value)

    def test_a_tree_that_contains_itself_is_refused_not_followed(self) -> None:
        tree: dict[str, Any] = {"id": "p", "name": "P"}
        tree["categories"] = [tree]
        with within(SLACK), pytest.raises(PolicyError, match="nest more than 32 levels deep"):
            Policy.from_dict(tree)


class TestDuplicateKeys:
    def test_a_key_twice_in_a_json_policy_is_an_error(self) -> None:
        text = '{"id": "p", "name": "P", "name": "Q", "categories": []}'
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert (
            "<text>: invalid JSON: key 'name' appears twice in the object with id 'p'; each key"
            " may appear once in an object"
        ) == str(caught.value)

    def test_a_key_twice_in_a_json_fact_file_is_an_error(self, tmp_path: Path) -> None:
        path = tmp_path / "measures.json"
        path.write_text('[{"subject": "a", "criterion": "q", "value": 1, "value": 2}]')
        with pytest.raises(FileFormatError) as caught:
            load_measures(path)
        assert (
            f"{path}: invalid JSON: key 'value' appears twice; each key may appear once in an"
            " object"
        ) == str(caught.value)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param(
                SMALL.replace("max_points = 15", "max_points = 15\nmax_points = 20"),
                "<text>: line 10, column 16: invalid TOML: Cannot overwrite a value",
                id="key",
            ),
            pytest.param(
                SMALL + "[scale]\n[scale]\n",
                "<text>: line 12, column 7: invalid TOML: Cannot declare ('scale',) twice",
                id="table",
            ),
        ],
    )
    def test_tomllib_refuses_a_key_twice(self, text: str, message: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert message == str(caught.value)


class TestHostileValues:
    def test_an_integer_of_5000_digits_is_an_error_not_a_crash(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(SMALL.replace("max_points = 15", "max_points = 1" + "0" * 5000))
        assert (
            "<text>: invalid TOML: a number has more than 4300 digits; expected a number"
            " kpiscore accepts"
        ) == str(caught.value)

    def test_a_json_integer_of_5000_digits_is_an_error_not_a_crash(self) -> None:
        with pytest.raises(FileFormatError, match="a number has more than 4300 digits"):
            load_policy('{"id": "p", "scale": 1' + "0" * 5000 + "}")

    def test_a_huge_exponent_is_refused_by_the_number_bounds(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(SMALL.replace("max_points = 15", "max_points = 1e999999999"))
        assert (
            "<text>: categories.soft.criteria.training: criterion 'training': max_points must be"
            " less than 10**15 in magnitude (got Decimal('1E+999999999'))"
        ) == str(caught.value)

    def test_a_huge_exponent_in_a_policy_field_is_refused(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(SMALL.replace('name = "Nhỏ"', 'name = "Nhỏ"\nscale = "1e999999999"'))
        assert (
            "<text>: policy 'small': scale must be less than 10**15 in magnitude (got"
            " '1e999999999')"
        ) == str(caught.value)

    @pytest.mark.parametrize(
        ("cell", "reason"),
        [
            pytest.param(
                "1" + "0" * 15,
                "must be less than 10**15 in magnitude (got '1000000000000000')",
                id="magnitude",
            ),
            pytest.param(
                "0." + "0" * 49 + "1",
                f"must have at most 40 decimal places (got '0.{'0' * 49}1')",
                id="places",
            ),
            pytest.param(
                "1e-50",
                "expected a number (got '1e-50'); exponents are not read: write the number in"
                " full (1500, not 1.5e3)",
                id="exponent",
            ),
            pytest.param(
                "0,9",
                "expected a number (got '0,9'); write the decimal separator as a point ('0.9',"
                " not '0,9'), or read the file with number format 'vi'",
                id="comma",
            ),
        ],
    )
    def test_a_number_cell_beyond_the_bounds_says_which(
        self, tmp_path: Path, cell: str, reason: str
    ) -> None:
        path = tmp_path / "measures.csv"
        path.write_text(f'subject,criterion,value\na,q,"{cell}"\n')
        with pytest.raises(FileFormatError) as caught:
            load_measures(path)
        assert f"{path} line 2, column 'value': {reason}" == str(caught.value)

    def test_a_huge_unknown_key_makes_a_short_message(self) -> None:
        with within(HUGE_KEY_MEMORY), pytest.raises(KpiscoreError) as caught:
            load_policy("k" * 1_000_000 + " = 1\n" + SMALL)
        assert all(len(message) < 500 for message in messages(caught.value))

    def test_a_huge_cell_makes_a_short_message(self, tmp_path: Path) -> None:
        path = tmp_path / "measures.json"
        path.write_text('[{"subject": "a", "criterion": "q", "value": "' + "9x" * 50_000 + '"}]')
        with pytest.raises(FileFormatError) as caught:
            load_measures(path)
        assert len(str(caught.value)) < 300

    def test_a_date_time_is_not_a_date(self) -> None:
        with pytest.raises(FileFormatError, match="valid_from must be a date or None"):
            load_policy("valid_from = 2026-01-01T00:00:00Z\n" + SMALL)


def bands_and_caps(*, lowest: str = "0") -> str:
    return (
        f'[[bands]]\nid = "HT"\nmin_points = {lowest}\nname = "HT"\n'
        '[[bands]]\nid = "HTT"\nmin_points = 10\nname = "HTT"\n'
        '[[caps]]\non = "reprimand"\nat_most = "HT"\n'
    )


class TestEveryProblemTogether:
    """A failed part no longer hides the problems of the parts around it."""

    def test_a_criterion_reports_its_own_problems_beside_a_bad_rule(self) -> None:
        text = SMALL.replace("max_points = 15", "max_points = -1").replace(
            "points = 2 }", "points = -2 }"
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert [
            (
                "<text>: categories.soft.criteria.training.deductions.training_absence: deduction"
                " 'training_absence': points must be >= 0 (got Decimal('-2'))"
            ),
            (
                "<text>: categories.soft.criteria.training: criterion 'training': max_points"
                " must be >= 0 (got Decimal('-1'))"
            ),
        ] == messages(caught.value)

    def test_whole_policy_checks_run_when_a_part_fails(self) -> None:
        text = (
            SMALL.replace('name = "Nhỏ"', 'name = "Nhỏ"\nscale = 100').replace(
                "points = 2 }", "points = -2 }"
            )
            + bands_and_caps(lowest="5")
            + '[[caps]]\non = "dismissal"\nat_most = "XYZ"\n'
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert [
            (
                "<text>: categories.soft.criteria.training.deductions.training_absence: deduction"
                " 'training_absence': points must be >= 0 (got Decimal('-2'))"
            ),
            "<text>: policy 'small': the categories' maxima must add up to scale 100 (got 15)",
            (
                "<text>: policy 'small': the lowest band must start at 0 so every total gets a"
                " rating (band 'HT' starts at 5)"
            ),
            (
                "<text>: policy 'small': cap on 'dismissal': at_most names unknown band 'XYZ';"
                " expected one of ['HT', 'HTT']"
            ),
        ] == messages(caught.value)

    def test_a_category_reports_its_own_problems_beside_a_bad_criterion(self) -> None:
        text = SMALL.replace('name = "KPI mềm"', 'name = "KPI mềm"\nmax_points = -3').replace(
            "max_points = 15", 'max_points = 15\nbasis = "weird"'
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert [
            (
                "<text>: categories.soft.criteria.training: criterion 'training': basis must be one"
                " of 'full', 'zero', 'assessed', 'ratio' (got 'weird')"
            ),
            "<text>: categories.soft: category 'soft': max_points must be >= 0 (got Decimal('-3'))",
        ] == messages(caught.value)

    def test_a_cap_naming_a_band_that_failed_is_not_reported(self) -> None:
        text = SMALL + bands_and_caps().replace('name = "HT"\n', "", 1)
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert ["<text>: bands.HT: missing required key(s) 'name'"] == messages(caught.value)

    def test_the_lowest_band_is_not_judged_when_a_threshold_failed(self) -> None:
        text = SMALL + bands_and_caps(lowest='"zero"')
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert [
            (
                "<text>: bands.HT: band 'HT': min_points must be a finite number (int, str, Decimal"
                " or float) (got 'zero')"
            )
        ] == messages(caught.value)

    def test_the_scale_is_not_judged_when_a_category_maximum_is_unknown(self) -> None:
        text = SMALL.replace('name = "Nhỏ"', 'name = "Nhỏ"\nscale = 100').replace(
            "max_points = 15", 'max_points = "lots"'
        )
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert [
            (
                "<text>: categories.soft.criteria.training: criterion 'training': max_points"
                " must be a finite number (int, str, Decimal or float) (got 'lots')"
            )
        ] == messages(caught.value)

    def test_the_scale_is_judged_when_the_known_maxima_already_exceed_it(self) -> None:
        text = SMALL.replace('name = "Nhỏ"', 'name = "Nhỏ"\nscale = 10').replace(
            "points = 2 }", "points = -2 }"
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert (
            "<text>: policy 'small': the categories' maxima must add up to scale 10 (got 15)"
        ) == messages(caught.value)[-1]

    def test_weights_naming_a_failed_criterion_are_not_reported(self) -> None:
        text = SMALL.replace(
            'name = "KPI mềm"', 'name = "KPI mềm"\nmax_points = 10\nweights = { training = 1 }'
        ).replace("points = 2 }", "points = -2 }")
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert 1 == len(messages(caught.value))

    def test_a_duplicate_id_beside_a_failed_criterion_is_reported(self) -> None:
        text = (
            SMALL.replace("points = 2 }", "points = -2 }")
            + '[[categories]]\nid = "soft"\nname = "Again"\n'
            '[[categories.criteria]]\nid = "other"\nname = "O"\nmax_points = 1\n'
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert (
            "<text>: policy 'small': category id 'soft' is used twice; ids must be unique"
        ) == messages(caught.value)[-1]

    def test_missing_required_keys_do_not_hide_the_bands(self) -> None:
        text = 'id = "p"\n' + bands_and_caps(lowest="5")
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_policy(text)
        assert [
            "<text>: policy: missing required key(s) 'name' and 'categories'",
            (
                "<text>: policy 'p': the lowest band must start at 0 so every total gets a"
                " rating (band 'HT' starts at 5)"
            ),
        ] == messages(caught.value)

    def test_a_missing_id_is_reported_once(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(SMALL.replace('id = "small"\n', ""))
        assert ["<text>: policy: missing required key(s) 'id'"] == messages(caught.value)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param(
                'id = "p"\nname = "P"\ncategories = []\n',
                ["<text>: policy 'p': categories must not be empty (got ())"],
                id="no-categories",
            ),
            pytest.param(
                'id = "p"\nname = "P"\ncategories = 3\n',
                ["<text>: categories: expected a list (got int 3)"],
                id="categories-not-a-list",
            ),
            pytest.param(
                'id = "p"\nname = "P"\n[[categories]]\nid = "c"\nname = "C"\ncriteria = []\n',
                ["<text>: categories.c: category 'c': criteria must not be empty (got ())"],
                id="no-criteria",
            ),
            pytest.param(
                'id = "p"\nname = "P"\n[[categories]]\nid = "c"\nname = "C"\ncriteria = "x"\n',
                ["<text>: categories.c.criteria: expected a list (got str 'x')"],
                id="criteria-not-a-list",
            ),
        ],
    )
    def test_empty_lists_and_lists_that_are_not_lists(self, text: str, expected: list[str]) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_policy(text)
        assert expected == messages(caught.value)

    def test_a_policy_with_no_problem_still_loads(self) -> None:
        assert "small" == load_policy(SMALL + bands_and_caps()).id


HOSTILE_PERSON = {
    "id": "=1+1",
    "name": '=HYPERLINK("http://x")',
    "unit": "+SUM(A1)",
    "group": "-2",
    "position": "@A1",
}
HOSTILE_CELLS = ["'=1+1", '\'=HYPERLINK("http://x")', "'+SUM(A1)", "'-2", "'@A1"]


def tiny_policy() -> Policy:
    return load_policy(SMALL)


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def hostile_cells(text: str) -> list[str]:
    """The cells of a CSV text that a spreadsheet would run as a formula."""
    return [cell for cell in cells(text) if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]


class TestSpreadsheetSafeCsv:
    """Every CSV writer neutralises cells a spreadsheet would run as a formula."""

    def people(self) -> list[Any]:
        from kpiscore import Person

        return [Person(**HOSTILE_PERSON), Person(id="-nv002", name="\tTab")]

    def test_score_table_from_the_exact_engine(self) -> None:
        from kpiscore import score_many

        text = score_many(tiny_policy(), "2026-01", self.people()).to_csv()
        assert [] == hostile_cells(text)
        assert [] == [cell for cell in HOSTILE_CELLS if cell not in cells(text)]

    def test_score_table_from_the_columnar_engine(self) -> None:
        pd = pytest.importorskip("pandas")
        from kpiscore import Person, score_frame, score_many

        people = pd.DataFrame([HOSTILE_PERSON, {"id": "-nv002", "name": "\tTab"}])
        events = pd.DataFrame({"subject": [], "kind": [], "on": []})
        text = score_frame(tiny_policy(), "2026-01", people, events).to_csv()
        assert [] == hostile_cells(text)
        # score_frame reads text cells as the files do (trimmed, NFC): "\tTab" is the name "Tab".
        read_as_files = [Person(**HOSTILE_PERSON), Person(id="-nv002", name="Tab")]
        assert score_many(tiny_policy(), "2026-01", read_as_files).to_csv() == text

    def test_rollup_table(self) -> None:
        from kpiscore import rollup_many, score_many

        months = [score_many(tiny_policy(), f"2026-{m:02d}", self.people()) for m in (1, 2, 3)]
        text = rollup_many(months, "2026-Q1").to_csv()
        assert [] == hostile_cells(text)
        assert "'=HYPERLINK" in text

    def test_variant_comparison(self) -> None:
        from kpiscore.variants import compare, overlay

        policy = tiny_policy()
        variant = overlay(policy, {"categories.soft.criteria.training.max_points": 20})
        text = compare(policy, variant, "2026-01", self.people()).to_csv()
        assert [] == hostile_cells(text)
        assert "'=HYPERLINK" in text

    def test_numbers_stay_numbers(self) -> None:
        from kpiscore.io.render import safe_cell

        assert ["-2.00", "'-2", "'=1", " =1"] == [
            safe_cell(Decimal("-2.00")),
            safe_cell("-2"),
            safe_cell("=1"),
            safe_cell(" =1"),
        ]


class TestSharedReaders:
    """The helpers other kpiscore readers (case, overlay, payout files) use for the same limits."""

    @pytest.mark.parametrize(
        ("parse", "text", "message"),
        [
            pytest.param(
                parse_toml_document,
                "a = " + "[" * 100 + "]" * 100,
                f"x.toml: {TOO_DEEP}",
                id="toml-deep",
            ),
            pytest.param(
                parse_json_document,
                '{"a": ' + "[" * 100 + "]" * 100 + "}",
                f"x.toml: {TOO_DEEP}",
                id="json-deep",
            ),
            pytest.param(
                parse_json_document,
                '{"a": 1, "a": 2}',
                "x.toml: invalid JSON: key 'a' appears twice; each key may appear once in an"
                " object",
                id="json-twice",
            ),
            pytest.param(
                parse_toml_document,
                "a = 1\n" * 10,
                "x.toml: the text is too long (60 bytes in UTF-8); expected at most 50 bytes",
                id="toml-long",
            ),
            pytest.param(
                parse_toml_document,
                'a = "' + "ệ" * 20 + '"',
                "x.toml: the text is too long (66 bytes in UTF-8); expected at most 50 bytes",
                id="toml-long-in-bytes",
            ),
            pytest.param(
                parse_json_document,
                "[" + "1," * 30 + "1]",
                "x.toml: the text is too long (63 bytes in UTF-8); expected at most 50 bytes",
                id="json-long",
            ),
        ],
    )
    def test_limits(self, parse: Callable[..., Any], text: str, message: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse(text, "x.toml", limit=50 if "long" in message else MAX_POLICY_BYTES)
        assert message == str(caught.value)

    def test_read_text_file_refuses_a_big_file(self, tmp_path: Path) -> None:
        path = sparse(tmp_path / "cases.kpi.toml", 10_000)
        with pytest.raises(FileFormatError, match=r"too big to read \(10000 bytes\)"):
            read_text_file(path, "cases.kpi.toml", limit=1000)


class TestTheFastCsvPath:
    def test_a_huge_quoted_fact_file_is_handed_to_the_careful_reader_unread(
        self, tmp_path: Path
    ) -> None:
        # The fast path reads an unquoted file of any size (issue 14); a quoted one is split by
        # the careful reader's csv module, so past the careful limit it is left to the careful
        # reader (which refuses it) without being read into memory.
        pytest.importorskip("pandas")
        from kpiscore.io.fastcsv import score_csv_files
        from kpiscore.model.period import Period

        people = tmp_path / "people.csv"
        people.write_text("id\nnv001\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        with events.open("wb") as handle:  # a header, a quote, then 300 MiB of (sparse) zeros
            handle.write(b'subject,kind,on\n"')
            handle.truncate(MAX_FACT_BYTES + 50 * 1024 * 1024)
        with within(16 * SLACK):  # imports and the policy's compilation; never the 300 MiB
            result = score_csv_files(tiny_policy(), Period.parse("2026-01"), people, events, None)
        assert result is None


class TestPayoutTables:
    def test_an_integer_of_5000_digits(self) -> None:
        from kpiscore import payout

        with pytest.raises(FileFormatError):
            payout.parse("id = 1" + "0" * 5000 + "\n")

    def test_10000_nested_lists(self) -> None:
        from kpiscore import payout

        with pytest.raises(FileFormatError):
            payout.parse("id = " + "[" * 10_000 + "]" * 10_000 + "\n")
