"""Test-case files: the format, the loader's messages, the runner and its reports."""

from __future__ import annotations

import datetime as _dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from kpiscore import FileFormatError, FileFormatErrorGroup, policies
from kpiscore.testing import (
    Case,
    Check,
    RunReport,
    bundled_cases,
    find_case_files,
    load_cases,
    parse_cases,
    run_cases,
)

FULL = "measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }"
RULE = "categories.soft.criteria.training.deductions.training_absence.points"


def cases(body: str, head: str = 'policy = "university-kpi-example"\nperiod = "2026-Q1"') -> str:
    return head + "\n" + textwrap.dedent(body)


def one(body: str, **kwargs: object) -> Case:
    [case] = parse_cases(cases(body), **kwargs)  # type: ignore[arg-type]
    return case


class TestBundledCases:
    @pytest.mark.parametrize("case", bundled_cases(), ids=lambda case: f"{case.file}::{case.name}")
    def test_passes(self, case: Case) -> None:
        result = case.run()
        assert "pass" == result.status, result.report()

    def test_every_bundled_policy_has_several_cases(self) -> None:
        counts = dict.fromkeys(policies.available(), 0)
        for case in bundled_cases():
            counts[case.policy.id] += 1
        assert [] == [policy_id for policy_id, count in counts.items() if count < 4]


class TestFormat:
    def test_file_defaults_and_case_settings(self) -> None:
        case = one(
            f"""
            subject = "gv007"
            [[case]]
            name = "one absence"
            period = "2026-02"
            {FULL}
            events = [{{ kind = "training_absence", on = 2026-02-03, quantity = 1, ref = "L-1" }}]
            expect = {{ total = 98 }}
            """
        )
        assert ("one absence", "gv007", "2026-02", 1, "L-1") == (
            case.name,
            case.subject,
            case.period.label,
            case.number,
            case.events[0].ref,
        )

    def test_the_default_subject(self) -> None:
        case = one(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 100 }}\n')
        assert "nv001" == case.subject

    @pytest.mark.parametrize(
        ("written", "expected"),
        [
            pytest.param("98", Decimal("98"), id="integer"),
            pytest.param("98.00", Decimal("98.00"), id="toml-float-read-exactly"),
            pytest.param('"98.00"', Decimal("98.00"), id="string"),
            pytest.param("9.8e1", Decimal("98"), id="exponent"),
        ],
    )
    def test_numbers_are_exact(self, written: str, expected: Decimal) -> None:
        case = one(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = {written} }}\n')
        assert expected == case.expected.total

    def test_numbers_compare_as_numbers(self) -> None:
        case = one(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 100 }}\n')
        assert [Check(figure="total", expected="100", actual="100.00", passed=True)] == list(
            case.run().checks
        )

    def test_a_date_may_be_text(self) -> None:
        case = one(
            f"""
            [[case]]
            name = "x"
            {FULL}
            events = [{{ kind = "training_absence", on = "2026-01-06" }}]
            expect = {{ total = 98 }}
            """
        )
        assert _dt.date(2026, 1, 6) == case.events[0].on

    def test_a_policy_file_next_to_the_case_file(self, tmp_path: Path) -> None:
        (tmp_path / "rules").mkdir()
        (tmp_path / "rules" / "mine.toml").write_text(
            policies.source("university-kpi-example"), encoding="utf-8"
        )
        path = tmp_path / "mine.kpi.toml"
        path.write_text(
            f'policy = "rules/mine.toml"\nperiod = "2026-Q1"\n[[case]]\nname = "x"\n{FULL}\n'
            "expect = { total = 100 }\n",
            encoding="utf-8",
        )
        assert [True] == [case.run().passed for case in load_cases(path)]

    def test_the_file_overlay_then_the_case_overlay(self) -> None:
        head = (
            'policy = "university-kpi-example"\nperiod = "2026-Q1"\n'
            '[overlay]\n"bands.HTT.min_points" = 75\n'
            '"categories.soft.criteria.training.deductions.training_absence.points" = 3\n'
        )
        body = f"""
            [[case]]
            name = "x"
            overlay = {{ "{RULE}" = 4 }}
            {FULL}
            events = [{{ kind = "training_absence", on = 2026-01-06 }}]
            expect = {{ total = 96, rating = "HTXS" }}
            """
        [case] = parse_cases(cases(body, head))
        assert (Decimal(75), Decimal(4), True) == (
            case.policy.band("HTT").min_points,
            case.policy.criterion("training").deductions[0].points,
            case.run().passed,
        )

    def test_an_overlay_file(self, tmp_path: Path) -> None:
        (tmp_path / "hcm.toml").write_text(
            "[changes]\nbands.HTT.min_points = 75\n", encoding="utf-8"
        )
        path = tmp_path / "x.kpi.toml"
        path.write_text(
            cases(
                f'overlay = "hcm.toml"\n[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 100 }}\n'
            ),
            encoding="utf-8",
        )
        assert Decimal(75) == load_cases(path)[0].policy.band("HTT").min_points

    def test_work_items_give_measures(self) -> None:
        head = 'policy = "vn-nd335-2025-staff"\nperiod = "2026-01"'
        body = """
            [[case]]
            name = "x"
            measures = { politics_ethics = 8, competence = 8, innovation = 8 }
            expect = { total = "88.17" }
            [[case.work]]
            id = "a"
            assigned_on = 2026-01-05
            due_on = 2026-01-20
            completed_on = 2026-01-19
            [[case.work]]
            id = "b"
            assigned_on = 2026-01-05
            due_on = 2026-01-23
            completed_on = 2026-01-27
            major_errors = 1
            [[case.work]]
            id = "c"
            assigned_on = 2026-01-05
            due_on = 2026-01-30
            units = 2
            objective_cause = true
            """
        [case] = parse_cases(cases(body, head))
        assert (
            [
                ("quantity", Decimal(1)),
                ("quality", Decimal("0.875")),
                ("on_time", Decimal("0.875")),
            ],
            True,
        ) == (
            [
                (m.criterion, m.value)
                for m in case.measures
                if m.criterion in ("quantity", "quality", "on_time")
            ],
            case.run().passed,
        )


class TestRun:
    def test_a_passing_case(self) -> None:
        result = one(
            f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 100, rating = "HTXS",'
            " categories = { soft = 20 }, criteria = { training = 15 } }\n"
        ).run()
        assert ("pass", 4, True) == (result.status, len(result.checks), result.passed)

    def test_a_failing_case_report(self) -> None:
        result = one(
            f"""
            [[case]]
            name = "one absence"
            {FULL}
            events = [{{ kind = "training_absence", on = 2026-01-06 }}]
            [case.expect]
            total = 99
            rating = "HTXS"
            score_rating = "HTT"
            carried = 0
            categories = {{ soft = 18 }}
            criteria = {{ training = 15 }}
            """,
            name="mine.kpi.toml",
        ).run()
        report = result.report()
        head, ledger = report.split("\nLedger:\n")
        assert [
            "FAIL mine.kpi.toml: case 1 'one absence'",
            "  policy university-kpi-example v1 · period 2026-Q1 · subject nv001",
            "  figure              expected  actual  result",
            "  total                     99   98.00  FAIL",
            "  carried                    0    0.00  ok",
            "  rating                  HTXS    HTXS  ok",
            "  score_rating             HTT    HTXS  FAIL",
            "  category soft             18   18.00  ok",
            "  criterion training        15   13.00  FAIL",
        ] == head.splitlines()
        assert ledger.startswith("  Scorecard: nv001 — period 2026-Q1\n")
        assert (
            "        deduction training_absence «Vắng mặt không có lý do chính đáng»: 1 times × −2"
            " = −2 requested; −2 applied"
        ) in ledger

    def test_the_ledger_in_vietnamese(self) -> None:
        result = one(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 99 }}\n').run()
        assert "Phiếu đánh giá" in result.report("vi")

    def test_an_overlay_is_shown(self) -> None:
        result = one(
            f'[[case]]\nname = "x"\noverlay = {{ "bands.HTT.min_points" = 75 }}\n{FULL}\n'
            "expect = { total = 99 }\n"
        ).run()
        assert "  overlay: bands.HTT.min_points = 75" == result.report().splitlines()[2]

    def test_a_scoring_error_is_an_error(self) -> None:
        result = one('[[case]]\nname = "x"\nexpect = { total = 100 }\n').run()
        assert ("error", None) == (result.status, result.scorecard)
        assert result.report().splitlines()[-1] == (
            "  error: policy 'university-kpi-example': no measure for criterion 'key_tasks' of"
            " subject 'nv001'; expected a Measure (basis 'ratio'), or a policy with"
            " missing='zero' or missing='exclude'"
        )

    def test_an_expected_error(self) -> None:
        result = one(
            '[[case]]\nname = "x"\nexpect = { error = "no measure for criterion \'key_tasks\'" }\n'
        ).run()
        assert "pass" == result.status

    def test_an_expected_error_with_another_message(self) -> None:
        result = one('[[case]]\nname = "x"\nexpect = { error = "something else" }\n').run()
        assert ("fail", "  expected an error containing 'something else'") == (
            result.status,
            result.report().splitlines()[-1],
        )

    def test_an_expected_error_that_does_not_come(self) -> None:
        result = one(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ error = "refused" }}\n').run()
        assert ("fail", "—") == (result.status, result.checks[0].actual)


class TestLoadErrors:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ totl = 1 }}\n',
                "<cases>: 2 problems\n"
                "  - <cases>: case 1 'x': expect.totl: unknown key 'totl'; expected one of"
                " ['carried', 'categories', 'criteria', 'error', 'rating', 'score_rating',"
                " 'total']\n"
                "  - <cases>: case 1 'x': expect: expected at least one figure: one of"
                " ['carried', 'categories', 'criteria', 'error', 'rating', 'score_rating',"
                " 'total']",
                id="unknown-expect-key",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ criteria = {{ trainig = 13 }} }}\n',
                "<cases>: case 1 'x': expect.criteria.trainig: no criterion 'trainig' in policy"
                " 'university-kpi-example'; expected one of ['key_tasks', 'research', 'workload',"
                " 'approval_timeliness', 'training', 'collaboration']",
                id="unknown-criterion",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ rating = "Good" }}\n',
                "<cases>: case 1 'x': expect.rating: no band 'Good' in policy"
                " 'university-kpi-example'; expected one of ['HTXS', 'HTT', 'HT', 'KHT']",
                id="unknown-band",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\n'
                'events = [{ kind = "a", on = 2026-01-06T08:00:00 }]\n'
                "expect = { total = 1 }\n",
                "<cases>: case 1 'x': events[1].on: expected a date such as 2026-01-15, not a date"
                " and time (got 2026-01-06 08:00:00)",
                id="datetime",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\nevents = [{{ on = 2026-01-06, days = 2 }}]\n'
                "expect = { total = 1 }\n",
                "<cases>: 2 problems\n"
                "  - <cases>: case 1 'x': events[1].days: unknown key 'days'; expected one of"
                " ['excused', 'kind', 'note', 'on', 'quantity', 'ref']\n"
                "  - <cases>: case 1 'x': events[1].kind: required, but missing",
                id="event-keys",
            ),
            pytest.param(
                '[[case]]\nname = "x"\nmeasures = { key_tasks = true }\nexpect = { total = 1 }\n',
                "<cases>: case 1 'x': measures.key_tasks: expected a number (got True)",
                id="bad-measure",
            ),
            pytest.param(
                '[[case]]\nname = "x"\nexpect = { total = 1, error = "x" }\n',
                "<cases>: case 1 'x': expect: an expected error goes alone; remove ['total'] (a"
                " case that fails to score has no figures)",
                id="error-with-figures",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 1 }}\n'
                f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 1 }}\n',
                "<cases>: case 2 'x': the name is used by case 1 too; names must be unique",
                id="same-name",
            ),
            pytest.param(
                f"[[case]]\n{FULL}\nexpect = {{ total = 1 }}\n",
                "<cases>: case 1: name: required, but missing",
                id="no-name",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\n',
                "<cases>: case 1 'x': expect: required, but missing: the figures the case expects",
                id="no-expect",
            ),
            pytest.param(
                f'[[case]]\nname = "x"\n{FULL}\noverlay = {{ "bands.HTT.min_point" = 75 }}\n'
                "expect = { total = 1 }\n",
                "<cases>: case 1 'x': overlay: overlay on policy 'university-kpi-example': no field"
                " 'bands.HTT.min_point'; the nearest valid path is 'bands.HTT.min_points'",
                id="bad-overlay-path",
            ),
            pytest.param(
                "title = 1\n",
                "<cases>: 2 problems\n  - <cases>: title: unknown key"
                " 'title'; expected one of ['case', 'description', 'overlay', 'period', 'policy',"
                " 'subject']\n  - <cases>: case: expected at least one [[case]] table (got none)",
                id="no-cases",
            ),
        ],
    )
    def test_problems_name_the_place(self, text: str, message: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases(cases(text))
        assert message == str(caught.value)

    def test_every_problem_of_a_file_together(self) -> None:
        text = (
            '[[case]]\nname = "a"\nexpect = { totl = 1 }\n'
            '[[case]]\nname = "b"\nperiod = "2026-Q5"\nexpect = { total = 1 }\n'
        )
        with pytest.raises(FileFormatErrorGroup) as caught:
            parse_cases(cases(text))
        assert 3 == len(caught.value.exceptions)

    def test_a_case_without_policy_or_period_names_both(self) -> None:
        with pytest.raises(FileFormatErrorGroup) as caught:
            parse_cases('[[case]]\nname = "x"\nexpect = { total = 1 }\n', name="c.kpi.toml")
        assert [
            "c.kpi.toml: case 1 'x': policy: required (in the case or at the top of the file)",
            "c.kpi.toml: case 1 'x': period: required (in the case or at the top of the file)",
        ] == [str(problem) for problem in caught.value.exceptions]

    def test_the_case_keeps_its_policy_as_named(self) -> None:
        case = one(
            f'[[case]]\nname = "x"\npolicy = "vn-nd335-2025-staff"\n{FULL}\n'
            "expect = { total = 1 }\n"
        )
        assert ("vn-nd335-2025-staff", "vn-nd335-2025-staff") == (
            case.policy_source,
            case.policy.id,
        )

    def test_an_unknown_policy(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases(
                'policy = "nd335"\nperiod = "2026"\n[[case]]\nname = "x"\nexpect = { total = 1 }\n'
            )
        assert str(caught.value).startswith("<cases>: policy: no bundled policy 'nd335'")

    def test_invalid_toml_names_the_line(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases("[[case]\n", name="x.kpi.toml")
        assert (
            "x.kpi.toml: line 1, column 7: invalid TOML: Expected ']]' at the end of an array"
            " declaration"
        ) == str(caught.value)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param(
                "policy = 1" + "0" * 5000 + "\n",
                "x.kpi.toml: invalid TOML: a number has more than 4300 digits; expected a number"
                " kpiscore accepts",
                id="huge-integer",
            ),
            pytest.param(
                "policy = " + "[" * 10_000 + "]" * 10_000 + "\n",
                "x.kpi.toml: tables and lists nest more than",
                id="deep-lists",
            ),
            pytest.param(
                "a" + ".a" * 12_000 + " = 1\n",
                "x.kpi.toml: tables and lists nest more than",
                id="long-dotted-key",
            ),
        ],
    )
    def test_hostile_text_is_refused_with_the_policy_files_limits(
        self, text: str, message: str
    ) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases(text, name="x.kpi.toml")
        assert str(caught.value).startswith(message)

    def test_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileFormatError) as caught:
            load_cases(tmp_path / "none.kpi.toml")
        assert f"{tmp_path / 'none.kpi.toml'}: no such file" == str(caught.value)

    def test_the_error_carries_the_place(self) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases(
                cases(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ rating = "A" }}\n'), name="f"
            )
        assert "f:case 1 'x': expect.rating" == caught.value.path


class TestRunCases:
    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        (tmp_path / "a.kpi.toml").write_text(
            cases(f'[[case]]\nname = "ok"\n{FULL}\nexpect = {{ total = 100 }}\n'), encoding="utf-8"
        )
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "b.kpi.toml").write_text(
            cases(f'[[case]]\nname = "wrong"\n{FULL}\nexpect = {{ total = 99 }}\n'),
            encoding="utf-8",
        )
        (tmp_path / "sub" / "notes.toml").write_text("x = 1\n", encoding="utf-8")
        return tmp_path

    def test_folders_are_searched(self, folder: Path) -> None:
        assert [folder / "a.kpi.toml", folder / "sub" / "b.kpi.toml"] == list(
            find_case_files([folder])
        )

    def test_a_file_named_twice_runs_once(self, folder: Path) -> None:
        assert 2 == len(find_case_files([folder, folder / "a.kpi.toml"]))

    def test_a_missing_path(self, folder: Path) -> None:
        with pytest.raises(FileFormatError, match="no such file or folder"):
            find_case_files([folder / "none"])

    def test_the_report(self, folder: Path) -> None:
        (folder / "c.kpi.toml").write_text("[[case]]\n", encoding="utf-8")
        report = run_cases([folder])
        headers, rows = report.table()
        assert (
            ["file", "case", "result"],
            [
                [str(folder / "a.kpi.toml"), "ok", "PASS"],
                [str(folder / "sub" / "b.kpi.toml"), "wrong", "FAIL"],
                [str(folder / "c.kpi.toml"), "(the file cannot be read)", "ERROR"],
            ],
            "1 passed, 1 failed, 1 unreadable files",
            False,
        ) == (headers, rows, report.summary(), report.passed)

    def test_counts(self) -> None:
        assert {"passed": 0, "failed": 0, "errors": 0, "unreadable files": 0} == RunReport(
            results=()
        ).counts()


class TestTheDocsExample:
    def test_the_case_file_shown_in_the_docs_passes(self) -> None:
        page = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text(
            encoding="utf-8"
        )
        text = page.split("```toml\n", 1)[1].split("```", 1)[0]
        assert ["pass", "pass"] == [case.run().status for case in parse_cases(text)]


BAD_VALUES = {
    "events-not-a-list": (
        "events = 3",
        "events: expected a list of events (got 3)",
    ),
    "event-not-a-table": ("events = [3]", "events[1]: expected a table (got 3)"),
    "excused-not-a-flag": (
        'events = [{ kind = "a", on = 2026-01-05, excused = "yes" }]',
        "events[1].excused: expected true or false (got 'yes')",
    ),
    "day-first-date": (
        'events = [{ kind = "a", on = "05/01/2026" }]',
        "events[1].on: expected a date such as 2026-01-15 (got '05/01/2026')",
    ),
    "negative-quantity": (
        'events = [{ kind = "a", on = 2026-01-05, quantity = -1 }]',
        "events[1]: event 'a' of 'nv001': quantity must be >= 0 (got Decimal('-1'))",
    ),
    "measures-not-a-table": ("measures = [1]", "measures: expected a table (got [1])"),
    "work-not-a-list": ("work = 1", "work: expected a list of work items (got 1)"),
    "negative-delays": (
        'work = [{ id = "a", assigned_on = 2026-01-05, due_on = 2026-01-09, delays = -1 }]',
        "work[1].delays: expected a whole number >= 0 (got -1)",
    ),
    "invalid-work-item": (
        'work = [{ id = "a", assigned_on = 2026-01-05, due_on = 2026-01-01 }]',
        (
            "work[1]: work item 'a' of 'nv001': due_on must be on or after assigned_on (2026-01-05)"
            " (got 2026-01-01)"
        ),
    ),
    "measure-twice": (
        (
            "measures = { quantity = 1 }\n"
            'work = [{ id = "a", assigned_on = 2026-01-05, due_on = 2026-01-09,'
            " completed_on = 2026-01-08 }]"
        ),
        "measures.quantity: given twice: in measures and from the work items; keep one",
    ),
    "missing-policy-file": ('policy = "none.toml"', "policy: none.toml: no such file"),
    "missing-overlay-file": ('overlay = "none.toml"', "overlay: none.toml: no such file"),
    "overlay-not-a-table": ("overlay = 3", "overlay: expected a table (got 3)"),
    "bad-period": (
        'period = "2026-Q5"',
        (
            "period: cannot read '2026-Q5'; expected 'YYYY-MM', 'YYYY-Qn', 'YYYY-Hn', 'YYYY' or"
            " 'YYYY-MM-DD/YYYY-MM-DD'"
        ),
    ),
    "description-not-text": ("description = 3", "description: expected text (got 3)"),
    "policy-not-text": ("policy = 3", "policy: expected text (got 3)"),
}


class TestBadValues:
    @pytest.mark.parametrize(("line", "message"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
    def test_names_the_place(self, line: str, message: str) -> None:
        text = cases(f'[[case]]\nname = "x"\n{line}\nexpect = {{ total = 1 }}\n')
        with pytest.raises(FileFormatError) as caught:
            parse_cases(text, name="f")
        assert f"f: case 1 'x': {message}" == str(caught.value)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param("case = [1]\n", "f: case 1: expected a table (got 1)", id="case"),
            pytest.param(
                '[[case]]\nname = "x"\nexpect = 3\n',
                "f: case 1 'x': expect: expected a table (got 3)",
                id="expect",
            ),
            pytest.param(
                '[[case]]\nname = "x"\nexpect = { categories = 3 }\n',
                "f: case 1 'x': expect.categories: expected a table (got 3)",
                id="expected-categories",
            ),
            pytest.param(
                '[[case]]\nname = "x"\nexpect = { total = "abc" }\n',
                "f: case 1 'x': expect.total: expected a number (got 'abc')",
                id="expected-number",
            ),
            pytest.param(
                'description = 3\n[[case]]\nname = "x"\nexpect = { total = 1 }\n',
                "f: description: expected text (got 3)",
                id="file-description",
            ),
        ],
    )
    def test_other_places(self, text: str, message: str) -> None:
        with pytest.raises(FileFormatError) as caught:
            parse_cases(cases(text), name="f")
        assert message == str(caught.value)

    def test_not_text(self) -> None:
        with pytest.raises(FileFormatError, match=r"^<cases>: expected the text of a case file"):
            parse_cases(b"x")  # type: ignore[arg-type]


class TestCaseFileProblems:
    """Broken work items and measures are case-file problems, never bare errors (issue 19 #10)."""

    HEAD = 'policy = "vn-nd335-2025-staff"\nperiod = "2026-01"'

    def test_a_work_item_missing_a_key(self) -> None:
        body = """
            [[case]]
            name = "x"
            expect = { total = 0 }
            [[case.work]]
            id = "a"
            due_on = 2026-01-20
            """
        with pytest.raises(FileFormatError) as caught:
            parse_cases(cases(body, self.HEAD), name="c.kpi.toml")
        assert "c.kpi.toml: case 1 'x': work[1]: missing key 'assigned_on'" == str(caught.value)

    def test_a_measure_with_an_empty_key(self) -> None:
        body = """
            [[case]]
            name = "x"
            measures = { "" = 1 }
            expect = { total = 0 }
            """
        with pytest.raises(FileFormatError) as caught:
            parse_cases(cases(body, self.HEAD), name="c.kpi.toml")
        assert str(caught.value).startswith("c.kpi.toml: case 1 'x': measures.: measure")
        assert "criterion must not be empty" in str(caught.value)

    def test_approvals_become_late_approval_events(self) -> None:
        case = one(
            f"""
            [[case]]
            name = "x"
            {FULL}
            approvals = [
                {{ item = "cv-7", submitted = 2026-02-12, approved = 2026-03-02 }},
                {{ item = "cv-8", submitted = 2026-01-05, approved = 2026-01-09 }},
                {{ item = "cv-9", submitted = 2026-03-25 }},
            ]
            expect = {{ total = 95 }}
            """
        )
        # Due Thu 26 Feb (Tết skipped); the first day late is Fri 27 Feb, 2 working days late.
        assert [("nv001", "late_approval", _dt.date(2026, 2, 27), Decimal(2), "cv-7")] == [
            (e.subject, e.kind, e.on, e.quantity, e.ref) for e in case.events
        ]
        assert case.run().passed

    def test_bad_approvals_are_case_file_problems(self) -> None:
        body = """
            [[case]]
            name = "x"
            expect = { total = 0 }
            approvals = [
                { item = "a", approved = 2026-01-20 },
                { item = "b", submitted = 2026-01-05, unit = "weeks" },
                { item = "c", submitted = 2026-01-05, when = 1 },
            ]
            """
        with pytest.raises(FileFormatErrorGroup) as caught:
            parse_cases(cases(body, self.HEAD), name="c.kpi.toml")
        messages = [str(problem) for problem in caught.value.exceptions]
        assert "c.kpi.toml: case 1 'x': approvals[1].submitted: required, but missing" in messages
        assert (
            "c.kpi.toml: case 1 'x': approvals[2].unit: expected 'working' or 'calendar'"
            " (got 'weeks')"
        ) in messages
        assert any(
            m.startswith("c.kpi.toml: case 1 'x': approvals[3]") and "'when'" in m for m in messages
        )

    def test_the_run_that_could_not_start_has_its_own_exit_status(self, tmp_path: Path) -> None:
        good = tmp_path / "good.kpi.toml"
        good.write_text(cases(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 100 }}\n'))
        assert 0 == run_cases([good]).exit_status
        failing = tmp_path / "failing.kpi.toml"
        failing.write_text(cases(f'[[case]]\nname = "x"\n{FULL}\nexpect = {{ total = 99 }}\n'))
        assert 1 == run_cases([good, failing]).exit_status
        broken = tmp_path / "broken.kpi.toml"
        broken.write_text(cases('[[case]]\nname = "x"\nmeasures = { "" = 1 }\n'))
        assert 2 == run_cases([good, failing, broken]).exit_status
