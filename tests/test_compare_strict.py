"""``compare`` takes ``unknown_kinds`` and ``duplicates`` as scoring does (issue 16): the API
and the command line (the service: test_server_attributes)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    DuplicateEventError,
    Event,
    InputError,
    KpiscoreError,
    Policy,
    UnknownKindError,
    dump_policy,
)
from kpiscore.cli import main
from kpiscore.variants import compare, overlay

BASE = Policy(
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
    bands=[Band(id="HTT", min_points=80, name="Tốt"), Band(id="HT", min_points=0, name="Đạt")],
)
VARIANT = overlay(BASE, {"categories.c.criteria.x.deductions.late.points": 10})
DAY = dt.date(2026, 1, 5)
MISSPELT = [Event(subject="a", kind="late", on=DAY), Event(subject="a", kind="lat", on=DAY)]
TWICE = [Event(subject="a", kind="late", on=DAY, ref="r1")] * 2


class TestApi:
    def test_strict_by_default(self) -> None:
        with pytest.raises(UnknownKindError, match="events\\[1\\]: event kind 'lat'"):
            compare(BASE, VARIANT, "2026-01", ["a"], events=MISSPELT)
        with pytest.raises(DuplicateEventError, match="events\\[1\\]"):
            compare(BASE, VARIANT, "2026-01", ["a"], events=TWICE)

    def test_ignore_unknown_kinds(self) -> None:
        row = compare(BASE, VARIANT, "2026-01", ["a"], events=MISSPELT, unknown_kinds="ignore")["a"]
        assert (95, 90) == (row.base_total, row.variant_total)

    def test_allow_duplicates(self) -> None:
        row = compare(BASE, VARIANT, "2026-01", ["a"], events=TWICE, duplicates="allow")["a"]
        assert (90, 80) == (row.base_total, row.variant_total)

    def test_a_kind_only_the_variant_scores_is_known(self) -> None:
        variant = attrs.evolve(BASE, other_kinds=("lat",))
        row = compare(BASE, variant, "2026-01", ["a"], events=MISSPELT)["a"]
        assert (95, 95) == (row.base_total, row.variant_total)

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"unknown_kinds": "skip"}, "compare: unknown_kinds must be one of"),
            ({"duplicates": "yes"}, "compare: duplicates must be one of"),
        ],
    )
    def test_a_bad_option_is_an_error(self, options: dict[str, str], message: str) -> None:
        with pytest.raises(InputError, match=message):
            compare(BASE, VARIANT, "2026-01", ["a"], **options)  # type: ignore[arg-type]

    def test_frames_take_the_options_too(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {"subject": [e.subject for e in TWICE], "kind": "late", "on": [DAY, DAY], "ref": "r1"}
        )
        with pytest.raises(KpiscoreError, match="r1"):
            compare(BASE, VARIANT, "2026-01", ["a"], events=frame)
        row = compare(BASE, VARIANT, "2026-01", ["a"], events=frame, duplicates="allow")["a"]
        assert (90, 80) == (row.base_total, row.variant_total)
        misspelt = pd.DataFrame({"subject": ["a", "a"], "kind": ["late", "lat"], "on": [DAY, DAY]})
        with pytest.raises(KpiscoreError, match="'lat'"):
            compare(BASE, VARIANT, "2026-01", ["a"], events=misspelt)
        row = compare(BASE, VARIANT, "2026-01", ["a"], events=misspelt, unknown_kinds="ignore")["a"]
        assert (95, 90) == (row.base_total, row.variant_total)


class TestCommandLine:
    @pytest.fixture
    def files(self, tmp_path: Path) -> list[str]:
        (tmp_path / "policy.json").write_text(dump_policy(BASE, "json"), encoding="utf-8")
        (tmp_path / "variant.json").write_text(dump_policy(VARIANT, "json"), encoding="utf-8")
        (tmp_path / "people.csv").write_text("id\na\n", encoding="utf-8")
        return [
            "compare",
            "--policy",
            str(tmp_path / "policy.json"),
            "--variant",
            str(tmp_path / "variant.json"),
            "--period",
            "2026-01",
            "--people",
            str(tmp_path / "people.csv"),
            "--events",
            str(tmp_path / "events.csv"),
            "--format",
            "json",
        ]

    def events(self, files: list[str], text: str) -> None:
        Path(files[-3]).write_text("subject,kind,on,ref\n" + text, encoding="utf-8")

    def test_an_unknown_kind_by_line_unless_ignored(
        self, files: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.events(files, "a,late,2026-01-05,\na,lat,2026-01-05,\n")
        assert 2 == main(files)
        assert "events.csv line 3, column 'kind': event kind 'lat'" in capsys.readouterr().err
        assert 0 == main([*files, "--unknown-kinds", "ignore"])
        (row,) = json.loads(capsys.readouterr().out)["rows"]
        assert ("95.00", "90.00") == (row["base_total"], row["variant_total"])

    def test_a_repeated_event_unless_allowed(
        self, files: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.events(files, "a,late,2026-01-05,r1\na,late,2026-01-05,r1\n")
        assert 2 == main(files)
        assert "events.csv line 3" in capsys.readouterr().err
        assert 0 == main([*files, "--duplicates", "allow"])
        (row,) = json.loads(capsys.readouterr().out)["rows"]
        assert ("90.00", "80.00") == (row["base_total"], row["variant_total"])

    def test_a_kind_only_the_variant_knows_is_known(
        self, files: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        variant = attrs.evolve(VARIANT, other_kinds=("lat",))
        (tmp_path / "variant.json").write_text(dump_policy(variant, "json"), encoding="utf-8")
        self.events(files, "a,lat,2026-01-05,\n")
        assert 0 == main(files)
        (row,) = json.loads(capsys.readouterr().out)["rows"]
        assert ("100.00", "100.00") == (row["base_total"], row["variant_total"])
