"""The error catalogue (docs/errors.md): one test per catalogued error.

Each entry raises the error the way a caller meets it, and checks its class, its exact message,
and that the message names the four things every kpiscore message must name: the item, the
field, the value received and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Band,
    CalendarError,
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
    MissingInputError,
    PeriodError,
    Policy,
    PolicyError,
    PolicyValidationError,
    RatingCap,
    UnknownPolicyError,
    UnknownSubjectError,
    dump_policy,
    load_events,
    load_policy,
    policies,
    rollup,
    score,
    score_many,
)
from kpiscore import calendar as work_calendar
from kpiscore._extras import require
from kpiscore.quota import apply_quota
from kpiscore.variants import overlay
from kpiscore.work import WorkItem

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="training",
                    name="T",
                    max_points=15,
                    deductions=[Deduction(on="training_absence", points=2)],
                ),
                Criterion(id="quality", name="Q", max_points=10, basis="assessed"),
                Criterion(id="done", name="D", max_points=10, basis="ratio"),
            ],
        )
    ],
    bands=[Band(id="HT", min_points=0, name="HT"), Band(id="HTT", min_points=20, name="HTT")],
    valid_from=date(2026, 1, 1),
    valid_to=date(2026, 12, 31),
)
QUALITY = Measure(subject="nv001", criterion="quality", value=8)
DONE = Measure(subject="nv001", criterion="done", value="0.9")
SMALL = 'id = "p"\nname = "P"\n[[categories]]\nid = "c"\nname = "C"\n'
CRITERION = '[[categories.criteria]]\nid = "x"\nname = "X"\nmax_points = 1\n'


def criterion(**fields: Any) -> Criterion:
    return Criterion(id="training", name="T", max_points=15, **fields)


def one_month(subject: str, month: int) -> Any:
    tiny = Policy(
        id="t",
        name="T",
        categories=[
            Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=1)])
        ],
    )
    return score(tiny, f"2026-{month:02d}", subject)


def csv_file(folder: Path, text: str) -> Path:
    path = folder / "events.csv"
    path.write_text(text, encoding="utf-8")
    return path


def sparse(folder: Path) -> Path:
    path = folder / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(1024**3)
    return path


Raiser = Callable[[Path], object]

# (raise it, class, exact message ("{dir}" is the test's folder), item, field, value, expected)
CATALOGUE = [
    pytest.param(
        lambda _: Criterion(id="training", name="Training", max_points=-15),
        PolicyError,
        "criterion 'training': max_points must be >= 0 (got Decimal('-15'))",
        ("criterion 'training'", "max_points", "Decimal('-15')", "must be >= 0"),
        id="policy-negative-maximum",
    ),
    pytest.param(
        lambda _: Deduction(on="late", points=1, per="day"),  # type: ignore[arg-type]
        PolicyError,
        "deduction 'late': per must be one of 'occurrence', 'unit' (got 'day')",
        ("deduction 'late'", "per", "'day'", "one of 'occurrence', 'unit'"),
        id="policy-choice",
    ),
    pytest.param(
        lambda _: criterion(floor=20),
        PolicyError,
        "criterion 'training': floor must be <= max_points (15) (got Decimal('20'))",
        ("criterion 'training'", "floor", "Decimal('20')", "<= max_points (15)"),
        id="policy-floor-above-maximum",
    ),
    pytest.param(
        lambda _: Policy(id="p", name="P", categories=POLICY.categories, precision="0.05"),
        PolicyError,
        "policy 'p': precision must be a power of ten from 1 to 1E-12, such as 0.01"
        " (got Decimal('0.05'))",
        ("policy 'p'", "precision", "Decimal('0.05')", "a power of ten from 1 to 1E-12"),
        id="policy-precision",
    ),
    pytest.param(
        lambda _: Policy(
            id="p",
            name="P",
            categories=POLICY.categories,
            bands=[Band(id="A", min_points=10, name="A")],
            caps=[RatingCap(on="reprimand", at_most="KHT")],
        ),
        PolicyValidationError,
        "policy 'p': 2 problems\n"
        "  - policy 'p': the lowest band must start at 0 so every total gets a rating"
        " (band 'A' starts at 10)\n"
        "  - policy 'p': cap on 'reprimand': at_most names unknown band 'KHT'; expected one of"
        " ['A']",
        ("cap on 'reprimand'", "at_most", "'KHT'", "expected one of ['A']"),
        id="policy-several-problems",
    ),
    pytest.param(
        lambda _: overlay(
            POLICY, {"categories.c.criteria.training.deductions.training_absence.pointz": 3}
        ),
        PolicyError,
        "overlay on policy 'p': no field"
        " 'categories.c.criteria.training.deductions.training_absence.pointz'; the nearest valid"
        " path is 'categories.c.criteria.training.deductions.training_absence.points'",
        (
            "overlay on policy 'p'",
            "no field",
            "training_absence.pointz'",
            "the nearest valid path is",
        ),
        id="policy-overlay-path",
    ),
    pytest.param(
        lambda _: Event(subject="nv001", kind="late", on=datetime(2026, 1, 5, 9, 0)),  # noqa: DTZ001
        InputError,
        "event 'late' of 'nv001': on must be a date, not a datetime (got datetime.datetime(2026,"
        " 1, 5, 9, 0)); pass on.date() so the time of day and time zone cannot change which"
        " period it falls in",
        ("event 'late' of 'nv001'", "on", "datetime.datetime(2026, 1, 5, 9, 0)", "must be a date"),
        id="input-datetime-for-a-date",
    ),
    pytest.param(
        lambda _: Measure(subject="nv001", criterion="quality", value=float("nan")),
        InputError,
        "measure 'quality' of 'nv001': value must be a finite number (int, str, Decimal or"
        " float) (got nan)",
        ("measure 'quality' of 'nv001'", "value", "(got nan)", "a finite number"),
        id="input-not-a-number",
    ),
    pytest.param(
        lambda _: score(
            POLICY,
            "2026-Q1",
            "nv001",
            measures=[Measure(subject="nv001", criterion="quality", value=12), DONE],
        ),
        InputError,
        "policy 'p': measure for criterion 'quality' of subject 'nv001': value must lie in"
        " [0, 10] (got 12)",
        ("criterion 'quality' of subject 'nv001'", "value", "(got 12)", "must lie in [0, 10]"),
        id="input-assessed-out-of-range",
    ),
    pytest.param(
        lambda _: score(
            POLICY,
            "2026-Q1",
            "nv001",
            measures=[QUALITY, Measure(subject="nv001", criterion="done", value="1.2")],
        ),
        InputError,
        "policy 'p': measure for criterion 'done' of subject 'nv001': value must be a ratio in"
        " [0, 1] (got 1.2); over-completion adds nothing (set ratio_cap=True on the criterion"
        " to cap it at 1)",
        ("criterion 'done' of subject 'nv001'", "value", "(got 1.2)", "a ratio in [0, 1]"),
        id="input-ratio-above-one",
    ),
    pytest.param(
        lambda _: score(
            POLICY,
            "2026-Q1",
            "nv001",
            measures=[QUALITY, DONE, Measure(subject="nv001", criterion="quality", value=7)],
        ),
        InputError,
        "policy 'p': two measures for criterion 'quality' of subject 'nv001' (values 8 and 7);"
        " expected at most one",
        ("subject 'nv001'", "criterion 'quality'", "(values 8 and 7)", "expected at most one"),
        id="input-two-measures",
    ),
    pytest.param(
        lambda _: score_many(POLICY, "2026-Q1", ["nv001", "nv001"], measures=[QUALITY, DONE]),
        InputError,
        "subjects: person id 'nv001' appears twice (positions 0 and 1); expected unique ids",
        ("subjects", "person id", "'nv001'", "expected unique ids"),
        id="input-person-twice",
    ),
    pytest.param(
        lambda _: score(POLICY, "2026-Q1", "nv001", measures=[QUALITY]),
        MissingInputError,
        "policy 'p': no measure for criterion 'done' of subject 'nv001'; expected a Measure"
        " (basis 'ratio'), or a policy with missing='zero' or missing='exclude'",
        ("subject 'nv001'", "criterion 'done'", "no measure", "expected a Measure"),
        id="missing-measure",
    ),
    pytest.param(
        lambda _: score_many(
            POLICY,
            "2026-Q1",
            ["nv001"],
            events=[Event(subject="nv999", kind="training_absence", on=date(2026, 1, 5))],
            measures=[QUALITY, DONE],
        ),
        UnknownSubjectError,
        "events[0]: event 'training_absence' on 2026-01-05 names subject 'nv999', who is not in"
        " the population scored",
        ("events[0]", "subject", "'nv999'", "not in the population scored"),
        id="unknown-subject",
    ),
    pytest.param(
        lambda _: score(POLICY, "2026-13", "nv001"),
        PeriodError,
        "period '2026-13': period: month must be an integer from 1 to 12 (got 13)",
        ("period '2026-13'", "month", "(got 13)", "an integer from 1 to 12"),
        id="period-malformed",
    ),
    pytest.param(
        lambda _: score(POLICY, "2027-Q1", "nv001", measures=[QUALITY, DONE]),
        PeriodError,
        "policy 'p': period 2027-Q1 is outside the policy's validity (2026-01-01 to 2026-12-31)",
        ("policy 'p'", "period", "2027-Q1", "(2026-01-01 to 2026-12-31)"),
        id="period-outside-validity",
    ),
    pytest.param(
        lambda _: load_policy(SMALL + 'colour = "red"\n' + CRITERION),
        FileFormatError,
        "<text>: categories.c.colour: unknown key 'colour'; expected one of ['criteria', 'id',"
        " 'max_points', 'name', 'reference', 'reference_vi', 'weights']",
        ("<text>", "categories.c.colour", "'colour'", "expected one of ['criteria'"),
        id="file-unknown-key",
    ),
    pytest.param(
        lambda _: load_policy('id = "p"\nname = 3 3\n'),
        FileFormatError,
        "<text>: line 2, column 10: invalid TOML: Expected newline or end of document after a"
        " statement",
        ("<text>", "line 2, column 10", "invalid TOML", "Expected newline or end of document"),
        id="file-syntax",
    ),
    pytest.param(
        lambda folder: load_policy(sparse(folder)),
        FileFormatError,
        "{dir}/huge.toml: the file is too big to read (1073741824 bytes); expected at most"
        " 4194304 bytes (4 MiB)",
        ("huge.toml", "the file", "(1073741824 bytes)", "expected at most 4194304 bytes"),
        id="file-too-big",
    ),
    pytest.param(
        lambda _: load_policy('{"id": ' + "[" * 10_000 + "]" * 10_000 + "}"),
        FileFormatError,
        "<text>: tables and lists nest more than 32 levels deep; expected a kpiscore file (a"
        " policy nests six levels, a fact file two)",
        ("<text>", "tables and lists", "more than 32 levels deep", "expected a kpiscore file"),
        id="file-too-deep",
    ),
    pytest.param(
        lambda _: load_policy('{"id": "p", "name": "P", "name": "Q"}'),
        FileFormatError,
        "<text>: invalid JSON: key 'name' appears twice in the object with id 'p'; each key may"
        " appear once in an object",
        ("the object with id 'p'", "key 'name'", "appears twice", "each key may appear once"),
        id="file-duplicate-key",
    ),
    pytest.param(
        lambda folder: load_events(
            csv_file(
                folder,
                "subject,kind,on,quantity\nnv001,late,32/01/2026,1\nnv002,late,2026-01-05,-2\n",
            )
        ),
        FileFormatErrorGroup,
        "{dir}/events.csv: 2 problems\n"
        "  - {dir}/events.csv line 2, column 'on': '32/01/2026' is not a real date; expected a"
        " date as DD/MM/YYYY (15/07/2026) or YYYY-MM-DD (2026-07-15)\n"
        "  - {dir}/events.csv line 3, column 'quantity': must be >= 0 (got '-2')",
        ("events.csv line 2", "column 'on'", "'32/01/2026'", "expected a date as DD/MM/YYYY"),
        id="file-bad-cells",
    ),
    pytest.param(
        lambda folder: load_events(
            csv_file(folder, "subject,kind,on,quantity\nnv001,late,2026-01-05,0,9\n")
        ),
        FileFormatError,
        "{dir}/events.csv line 2: 5 cells, but the header names 4 columns",
        ("events.csv line 2", "cells", "5 cells", "the header names 4 columns"),
        id="file-short-or-long-row",
    ),
    pytest.param(
        lambda _: dump_policy(POLICY, "yaml"),  # type: ignore[arg-type]
        InputError,
        "dump_policy: format must be 'toml' or 'json' (got 'yaml')",
        ("dump_policy", "format", "'yaml'", "'toml' or 'json'"),
        id="input-unknown-format",
    ),
    pytest.param(
        lambda _: policies.load("vn-nd999"),
        UnknownPolicyError,
        "no bundled policy 'vn-nd999'; expected one of ['hcm-qd20-2024',"
        " 'university-kpi-example', 'vn-nd335-2025-leader', 'vn-nd335-2025-staff']",
        ("bundled policy", "policy", "'vn-nd999'", "expected one of ['hcm-qd20-2024'"),
        id="unknown-bundled-policy",
    ),
    pytest.param(
        lambda _: work_calendar.WorkCalendar(
            holidays=frozenset({date(2026, 1, 1)}), working_days=frozenset({date(2026, 1, 1)})
        ),
        CalendarError,
        "calendar: 2026-01-01 is both a holiday and a make-up working day; expected one or the"
        " other",
        ("calendar", "a holiday and a make-up working day", "2026-01-01", "one or the other"),
        id="calendar-contradiction",
    ),
    pytest.param(
        lambda _: require("kpiscore_no_such_module", "pandas"),
        MissingExtraError,
        "this feature needs the optional package 'kpiscore_no_such_module', which is not"
        " installed; install it with: pip install 'kpiscore[pandas]'",
        (
            "this feature",
            "optional package",
            "'kpiscore_no_such_module'",
            "pip install 'kpiscore[pandas]'",
        ),
        id="missing-extra",
    ),
    pytest.param(
        lambda _: apply_quota(
            score_many(POLICY, "2026-Q1", ["nv001"], measures=[QUALITY, DONE]),
            rating="HTT",
            share="1.5",
        ),
        InputError,
        "quota: share must lie between 0 and 1 (got Decimal('1.5'))",
        ("quota", "share", "Decimal('1.5')", "between 0 and 1"),
        id="quota-share",
    ),
    pytest.param(
        lambda _: rollup([one_month("nv001", 1), one_month("nv002", 2)], "2026"),
        InputError,
        "rollup: the scorecards are of different subjects ('nv001' and 'nv002'); expected one"
        " person's",
        ("rollup", "scorecards", "('nv001' and 'nv002')", "expected one person's"),
        id="rollup-two-people",
    ),
    pytest.param(
        lambda _: WorkItem(
            subject="nv001",
            id="w1",
            assigned_on=date(2026, 1, 5),
            due_on=date(2026, 1, 9),
            units=0,
        ),
        InputError,
        "work item 'w1' of 'nv001': units must be > 0 (got Decimal('0'))",
        ("work item 'w1' of 'nv001'", "units", "Decimal('0')", "must be > 0"),
        id="work-item",
    ),
]


def raised(raise_it: Raiser, folder: Path) -> KpiscoreError:
    with pytest.raises(KpiscoreError) as caught:
        raise_it(folder)
    return caught.value


class TestCatalogue:
    @pytest.mark.parametrize(("raise_it", "cls", "message", "parts"), CATALOGUE)
    def test_the_class_and_the_exact_message(
        self,
        tmp_path: Path,
        raise_it: Raiser,
        cls: type[KpiscoreError],
        message: str,
        parts: tuple[str, str, str, str],
    ) -> None:
        error = raised(raise_it, tmp_path)
        assert (cls, message.replace("{dir}", str(tmp_path))) == (type(error), str(error))

    @pytest.mark.parametrize(("raise_it", "cls", "message", "parts"), CATALOGUE)
    def test_the_message_names_item_field_value_and_expectation(
        self,
        tmp_path: Path,
        raise_it: Raiser,
        cls: type[KpiscoreError],
        message: str,
        parts: tuple[str, str, str, str],
    ) -> None:
        text = str(raised(raise_it, tmp_path))
        assert [] == [part for part in parts if part not in text]

    @pytest.mark.parametrize(("raise_it", "cls", "message", "parts"), CATALOGUE)
    def test_every_error_is_also_the_matching_builtin(
        self,
        tmp_path: Path,
        raise_it: Raiser,
        cls: type[KpiscoreError],
        message: str,
        parts: tuple[str, str, str, str],
    ) -> None:
        builtins = (ValueError, LookupError, ImportError)
        assert isinstance(raised(raise_it, tmp_path), builtins)


class TestLookupsNameWhatExists:
    """Asking a policy or a scorecard for an unknown criterion lists the ones that exist."""

    def test_a_scorecard_asked_for_an_unknown_criterion(self) -> None:
        card = score(POLICY, "2026-Q1", "nv001", measures=[QUALITY, DONE])
        with pytest.raises(InputError, match=re.escape("expected one of ['training', 'quality'")):
            card.criterion("nope")

    def test_a_policy_asked_for_an_unknown_criterion(self) -> None:
        with pytest.raises(InputError, match=re.escape("expected one of ['training', 'quality'")):
            POLICY.criterion("nope")


class TestTheCatalogueCoversTheTree:
    def test_every_error_class_has_an_entry_or_a_section(self) -> None:
        from kpiscore import exceptions

        covered = {entry.values[1] for entry in CATALOGUE}
        documented = Path(__file__).parent.parent.joinpath("docs", "errors.md").read_text("utf-8")
        missing = [
            name
            for name in exceptions.__all__
            if getattr(exceptions, name) not in covered and f"### {name}" not in documented
        ]
        assert [] == missing

    def test_the_docs_show_each_catalogued_message(self) -> None:
        documented = Path(__file__).parent.parent.joinpath("docs", "errors.md").read_text("utf-8")
        shown = [
            entry.id
            for entry in CATALOGUE
            if str(entry.values[2]).split("\n")[0].replace("{dir}/", "") in documented
        ]
        assert len(shown) >= 12, shown

    def test_a_decimal_is_shown_as_the_caller_wrote_it(self) -> None:
        error = raised(lambda _: Criterion(id="x", name="X", max_points=Decimal("-1.50")), Path())
        assert "(got Decimal('-1.50'))" in str(error)


# Classes raised on purpose that are not in kpiscore.exceptions, each explained in
# docs/errors.md ("Errors that are not KpiscoreError, on purpose"), with the reason.
OTHER_RAISED = {
    "RequestError": "the HTTP service's InputError, answered as problem details",
    "ServerError": "the HTTP service's KpiscoreError for its own configuration",
    "NotAuthorizedException": "Litestar's 401 answer, raised by the HTTP service",
    "LimitError": "the HTTP service's InputError for a request past one of its limits (422)",
    "DeadlineExceeded": "the HTTP service's signal that a request passed --timeout (503)",
    "Backlogged": "the HTTP service's refusal of a request it could not serve in time (503)",
    "CaseFailedError": "the pytest plugin's report of a failing case",
    "CaseFileError": "the pytest plugin's report of an unreadable case file",
    "AssertionError": "a state the code makes impossible (a bug in kpiscore if seen)",
    "TypeError": "a model field no JSON Schema or OpenAPI conversion can describe (a bug)",
    "ValueError": "inside the JSON reader only: turned into a FileFormatError at once",
    "NumberSyntaxError": "a bad number cell: reported as a FileFormatError with its place",
    "Bad": "the columnar engine's bad frame cell: reported as an InputError naming the row label",
}


class TestEveryRaiseIsCatalogued:
    def test_every_class_raised_in_the_source_is_catalogued_or_explained(self) -> None:
        from kpiscore import exceptions

        source = Path(__file__).parent.parent / "src" / "kpiscore"
        raised_names = {
            match.group(1)
            for path in source.rglob("*.py")
            for match in re.finditer(r"\braise ([A-Z]\w*)\(", path.read_text(encoding="utf-8"))
        }
        private = {name for name in raised_names if name.startswith("_")}
        unexplained = raised_names - set(exceptions.__all__) - set(OTHER_RAISED) - private
        assert set() == unexplained

    def test_the_explained_ones_are_in_the_docs(self) -> None:
        documented = Path(__file__).parent.parent.joinpath("docs", "errors.md").read_text("utf-8")
        assert [] == [name for name in OTHER_RAISED if name not in documented]
