"""Policy variants: overlays by path, overlay files, and comparisons checked by hand."""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Event,
    FileFormatError,
    FileFormatErrorGroup,
    InputError,
    Measure,
    Person,
    Policy,
    PolicyError,
    PolicyValidationError,
    UnknownSubjectError,
    policies,
)
from kpiscore.variants import Comparison, PointsMove, compare, load_overlay, overlay, paths

UNIVERSITY = "university-kpi-example"
STAFF = "vn-nd335-2025-staff"
ABSENCE = "categories.soft.criteria.training.deductions.training_absence.points"
LATE = "categories.hard.criteria.approval_timeliness.deductions.late_approval.points"


@pytest.fixture(scope="module")
def university() -> Policy:
    return policies.load(UNIVERSITY)


@pytest.fixture(scope="module")
def staff() -> Policy:
    return policies.load(STAFF)


# --------------------------------------------------------------------------- overlays


class TestOverlay:
    @pytest.mark.parametrize(
        ("path", "value", "read", "expected"),
        [
            pytest.param(
                ABSENCE,
                3,
                lambda p: p.criterion("training").deductions[0].points,
                Decimal(3),
                id="rule-points",
            ),
            pytest.param(
                "bands.HTT.min_points",
                "75",
                lambda p: p.band("HTT").min_points,
                Decimal(75),
                id="band-threshold",
            ),
            pytest.param(
                "categories.soft.criteria.training.deductions.training_absence.limit",
                6,
                lambda p: p.criterion("training").deductions[0].limit,
                Decimal(6),
                id="empty-limit-given-a-value",
            ),
            pytest.param(
                "categories.soft.criteria.training.floor",
                2.5,
                lambda p: p.criterion("training").floor,
                Decimal("2.5"),
                id="float-through-its-repr",
            ),
            pytest.param(
                "caps.discipline_reprimand.at_most",
                "HT",
                lambda p: p.caps[0].at_most,
                "HT",
                id="cap-by-its-on",
            ),
            pytest.param(
                "rounding",
                "ROUND_HALF_EVEN",
                lambda p: p.rounding,
                "ROUND_HALF_EVEN",
                id="policy-field",
            ),
            pytest.param(
                "valid_to",
                _dt.date(2026, 12, 31),
                lambda p: p.valid_to,
                _dt.date(2026, 12, 31),
                id="date",
            ),
            pytest.param(
                "categories.hard.weights",
                {"workload": 2, "approval_timeliness": 1},
                lambda p: dict(p.categories[1].weights),
                {"workload": Decimal(2), "approval_timeliness": Decimal(1)},
                id="weights-table",
            ),
            pytest.param(
                ("bands", "HT", "min_points"),
                45,
                lambda p: p.band("HT").min_points,
                Decimal(45),
                id="tuple-path",
            ),
        ],
    )
    def test_changes_one_value(
        self, university: Policy, path: Any, value: object, read: Any, expected: object
    ) -> None:
        assert expected == read(overlay(university, {path: value}))

    def test_leaves_everything_else_alone(self, university: Policy) -> None:
        variant = overlay(university, {ABSENCE: 3})
        base_tree, variant_tree = university.to_dict(), variant.to_dict()
        base_tree["version"] = variant_tree["version"] = ""
        variant_tree["categories"][2]["criteria"][0]["deductions"][0]["points"] = "2"
        assert base_tree == variant_tree

    def test_does_not_change_the_base(self, university: Policy) -> None:
        overlay(university, {ABSENCE: 3})
        assert Decimal(2) == university.criterion("training").deductions[0].points

    def test_the_variant_has_its_own_fingerprint(self, university: Policy) -> None:
        assert university.fingerprint != overlay(university, {ABSENCE: 3}).fingerprint

    def test_the_version_says_it_is_a_variant(self, university: Policy) -> None:
        variant = overlay(university, {ABSENCE: 3})
        draft = Policy.from_dict({**variant.to_dict(), "version": "1"})
        assert f"1+variant.{draft.fingerprint[:8]}" == variant.version

    def test_the_same_change_however_written_gives_the_same_variant(
        self, university: Policy
    ) -> None:
        written: list[dict[Any, object]] = [
            {ABSENCE: 3},
            {ABSENCE: "3.0"},
            {tuple(ABSENCE.split(".")): Decimal("3")},
        ]
        variants = [overlay(university, changes) for changes in written]
        assert 1 == len({variant.fingerprint for variant in variants})

    def test_a_variant_of_a_variant_appends_to_the_version(self, university: Policy) -> None:
        first = overlay(university, {ABSENCE: 3})
        second = overlay(first, {"bands.HTT.min_points": 75})
        draft = Policy.from_dict({**second.to_dict(), "version": first.version})
        assert f"{first.version}.{draft.fingerprint[:8]}" == second.version

    def test_none_means_the_default(self, university: Policy) -> None:
        limited = overlay(university, {ABSENCE.replace("points", "limit"): 6})
        unlimited = overlay(limited, {ABSENCE.replace("points", "limit"): None})
        assert unlimited.criterion("training").deductions[0].limit is None

    def test_no_change_is_a_variant_equal_in_content(self, university: Policy) -> None:
        same = overlay(university, {})
        assert ({**university.to_dict(), "version": ""}) == {**same.to_dict(), "version": ""}

    def test_other_kinds_is_replaced_whole_by_a_list(self, university: Policy) -> None:
        # paths() lists other_kinds; writing a list back used to be refused as "a list".
        base = Policy.from_dict({**university.to_dict(), "other_kinds": ["praise"]})
        assert "other_kinds" in paths(base)
        wider = overlay(base, {"other_kinds": ["praise", "initiative"]})
        assert ("initiative" in wider.known_kinds, "initiative" in base.known_kinds) == (
            True,
            False,
        )
        same = overlay(base, {"other_kinds": ["praise"]})
        assert ["praise"] == same.to_dict()["other_kinds"] == base.to_dict()["other_kinds"]

    def test_paths_lists_what_can_change(self, university: Policy) -> None:
        listed = paths(university)
        assert (ABSENCE in listed, "bands.HTT.min_points" in listed) == (True, True)
        assert [] == [p for p in listed if p.endswith(".id") or p == "version"]


class TestOverlayErrors:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            pytest.param(
                {"bands.HTT.min_point": 75},
                "overlay on policy 'university-kpi-example': no field 'bands.HTT.min_point';"
                " the nearest valid path is 'bands.HTT.min_points'",
                id="misspelt-field",
            ),
            pytest.param(
                {"categories.soft.criteria.training.deductions.training_absense.points": 3},
                "overlay on policy 'university-kpi-example': no field"
                " 'categories.soft.criteria.training.deductions.training_absense.points';"
                " the nearest valid path is"
                " 'categories.soft.criteria.training.deductions.training_absence.points'",
                id="misspelt-rule-id",
            ),
            pytest.param(
                {"categories.soft.criteria.training.id": "attendance"},
                "overlay on policy 'university-kpi-example':"
                " 'categories.soft.criteria.training.id' is an id; an overlay changes values,"
                " it does not rename",
                id="an-id",
            ),
            pytest.param(
                {"version": "2"},
                "overlay on policy 'university-kpi-example': 'version' cannot be set; a"
                " variant's version is derived from its base's",
                id="the-version",
            ),
            pytest.param(
                {"categories.soft.criteria.training.deductions": []},
                "overlay on policy 'university-kpi-example':"
                " 'categories.soft.criteria.training.deductions' names a list, not a field; an"
                " overlay changes values and never adds or removes members (expected a path to"
                " one field such as"
                " 'categories.soft.criteria.training.deductions.training_absence.on')",
                id="a-list",
            ),
            pytest.param(
                {"bands.HTT": {"min_points": 75}},
                "overlay on policy 'university-kpi-example': 'bands.HTT' names a member of a"
                " list, not a field; an overlay changes values and never adds or removes"
                " members (expected a path to one field such as 'bands.HTT.min_points')",
                id="a-member",
            ),
            pytest.param(
                {ABSENCE: [3]},
                "overlay on policy 'university-kpi-example': categories.soft.criteria.training"
                ".deductions.training_absence.points: expected a single value (got [3]); an"
                " overlay changes values and never adds or removes members of a list",
                id="a-list-value",
            ),
            pytest.param(
                {ABSENCE: {"x": 1}},
                "overlay on policy 'university-kpi-example': categories.soft.criteria.training"
                ".deductions.training_absence.points: expected a single value (got a table"
                " {'x': 1}); only weights take a table",
                id="a-table-value",
            ),
            pytest.param(
                {"": 3},
                "overlay on policy 'university-kpi-example': a path must be a dotted string or"
                " a tuple of segments (got '')",
                id="empty-path",
            ),
            pytest.param(
                {("bands", "HTT", "min_points"): 75, "bands.HTT.min_points": 76},
                "overlay on policy 'university-kpi-example': 'bands.HTT.min_points' is given"
                " twice (as ('bands', 'HTT', 'min_points') and 'bands.HTT.min_points')",
                id="twice",
            ),
        ],
    )
    def test_a_bad_path_is_named(
        self, university: Policy, changes: dict[Any, object], message: str
    ) -> None:
        with pytest.raises(PolicyError) as caught:
            overlay(university, changes)
        assert message == str(caught.value)

    def test_an_overlong_path_is_refused_without_a_search(self, university: Policy) -> None:
        with pytest.raises(PolicyError) as caught:
            overlay(university, {"a." * 600: 1})
        assert (
            "overlay on policy 'university-kpi-example': a path of 1200 characters; expected at"
            " most 1000"
        ) == str(caught.value)

    def test_two_caps_on_one_event_kind_cannot_be_told_apart(self, university: Policy) -> None:
        tree = university.to_dict()
        tree["caps"].append({"on": "discipline_reprimand", "at_most": "HT"})
        policy = Policy.from_dict(tree)
        with pytest.raises(PolicyError) as caught:
            overlay(policy, {"caps.discipline_reprimand.at_most": "HT"})
        assert (
            "overlay on policy 'university-kpi-example': 'caps.discipline_reprimand' names more"
            " than one member of a list (two caps on the same event kind); an overlay cannot"
            " tell them apart: edit the policy file instead"
        ) == str(caught.value)
        assert [] == [p for p in paths(policy) if p.startswith("caps.discipline_reprimand.")]

    def test_the_error_carries_the_path(self, university: Policy) -> None:
        with pytest.raises(PolicyError) as caught:
            overlay(university, {"bands.HTT.min_point": 75})
        assert "bands.HTT.min_point" == caught.value.path

    def test_every_bad_path_is_reported_together(self, university: Policy) -> None:
        with pytest.raises(PolicyValidationError) as caught:
            overlay(university, {"bandz.HTT.min_points": 1, "bands.HTT.id": "x", ABSENCE: 3})
        assert [
            "overlay on policy 'university-kpi-example': 2 problems",
            (
                "  - overlay on policy 'university-kpi-example': no field 'bandz.HTT.min_points';"
                " the nearest valid path is 'bands.HTT.min_points'"
            ),
            (
                "  - overlay on policy 'university-kpi-example': 'bands.HTT.id' is an id; an"
                " overlay changes values, it does not rename"
            ),
        ] == str(caught.value).splitlines()

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            pytest.param(
                {"bands.HTT.min_points": 90},
                "overlay on policy 'university-kpi-example': the variant is invalid: policy"
                " 'university-kpi-example': bands 'HTXS' and 'HTT' have the same min_points 90;"
                " thresholds must be distinct",
                id="same-threshold",
            ),
            pytest.param(
                {"categories.soft.criteria.training.floor": 20},
                "overlay on policy 'university-kpi-example': the variant is invalid:"
                " categories.soft.criteria.training: criterion 'training': floor must be <="
                " max_points (15) (got Decimal('20'))",
                id="floor-above-max",
            ),
            pytest.param(
                {ABSENCE: -3},
                "overlay on policy 'university-kpi-example': the variant is invalid:"
                " categories.soft.criteria.training.deductions.training_absence: deduction"
                " 'training_absence': points must be >= 0 (got Decimal('-3'))",
                id="negative-points",
            ),
            pytest.param(
                {"caps.discipline_reprimand.at_most": "TOP"},
                "overlay on policy 'university-kpi-example': the variant is invalid: policy"
                " 'university-kpi-example': cap on 'discipline_reprimand': at_most names unknown"
                " band 'TOP'; expected one of ['HTXS', 'HTT', 'HT', 'KHT']",
                id="cap-to-unknown-band",
            ),
        ],
    )
    def test_the_variant_is_validated(
        self, university: Policy, changes: dict[str, object], message: str
    ) -> None:
        with pytest.raises(PolicyError) as caught:
            overlay(university, changes)
        assert message == str(caught.value)

    def test_a_scale_broken_by_a_change_is_refused(self, staff: Policy) -> None:
        with pytest.raises(PolicyError) as caught:
            overlay(staff, {"categories.task.max_points": 60})
        assert str(caught.value).endswith(
            "the categories' maxima must add up to scale 100 (got 90)"
        )

    def test_several_validation_problems_together(self, university: Policy) -> None:
        with pytest.raises(PolicyValidationError) as caught:
            overlay(
                university,
                {
                    ABSENCE: -1,
                    LATE: -5,
                },
            )
        assert 2 == len(caught.value.exceptions)
        assert str(caught.value).startswith(
            "overlay on policy 'university-kpi-example': the variant is invalid: 2 problems"
        )

    def test_not_a_policy(self) -> None:
        with pytest.raises(InputError, match=r"^overlay: policy must be a Policy \(got str"):
            overlay("university-kpi-example", {})  # type: ignore[arg-type]

    def test_changes_not_a_mapping(self, university: Policy) -> None:
        with pytest.raises(PolicyError, match=r"^overlay: changes must be a mapping"):
            overlay(university, [ABSENCE])  # type: ignore[arg-type]


class TestOverlayFiles:
    def test_toml_with_quoted_and_dotted_keys(self, tmp_path: Path, university: Policy) -> None:
        path = tmp_path / "change.toml"
        path.write_text(
            'name = "Three points per absence, HCMC bands"\n'
            f'base = "{UNIVERSITY}"\n'
            "[changes]\n"
            f'"{ABSENCE}" = 3\n'
            "bands.HTT.min_points = 75.0\n",
            encoding="utf-8",
        )
        assert {ABSENCE: 3, "bands.HTT.min_points": Decimal("75.0")} == load_overlay(path)
        variant = overlay(university, path)
        assert (Decimal(3), Decimal(75)) == (
            variant.criterion("training").deductions[0].points,
            variant.band("HTT").min_points,
        )

    def test_json(self, tmp_path: Path) -> None:
        path = tmp_path / "change.json"
        path.write_text(json.dumps({"changes": {"bands.HTT.min_points": 75.5}}), encoding="utf-8")
        assert {"bands.HTT.min_points": Decimal("75.5")} == load_overlay(str(path))

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param(
                "[changes]\n",
                "{name}: changes: expected a table of path = value with at least one change"
                " (got {{}})",
                id="no-changes",
            ),
            pytest.param(
                'nam = "x"\n[changes]\nscale = 1\n',
                "{name}: nam: unknown key 'nam'; expected one of ['base', 'changes',"
                " 'description', 'name']",
                id="unknown-key",
            ),
            pytest.param(
                'base = "vn-nd335-2025-staff"\n[changes]\nscale = 1\n',
                "{name}: base: the overlay was written for policy 'vn-nd335-2025-staff', not"
                " 'university-kpi-example'",
                id="other-base",
            ),
            pytest.param(
                "name = 3\n[changes]\nscale = 1\n",
                "{name}: name: expected text (got 3)",
                id="bad-name",
            ),
        ],
    )
    def test_a_bad_file_names_file_and_key(
        self, tmp_path: Path, university: Policy, text: str, message: str
    ) -> None:
        path = tmp_path / "change.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            overlay(university, path)
        assert message.format(name=path) == str(caught.value)

    def test_every_problem_of_a_file_together(self, tmp_path: Path) -> None:
        path = tmp_path / "change.toml"
        path.write_text("x = 1\ny = 2\n", encoding="utf-8")
        with pytest.raises(FileFormatErrorGroup) as caught:
            load_overlay(path)
        assert 3 == len(caught.value.exceptions)

    @pytest.mark.parametrize(
        ("name", "text", "message"),
        [
            pytest.param("none.toml", None, "{path}: no such file", id="missing"),
            pytest.param(
                "change.yaml", "a: 1", "{path}: expected a .toml or .json overlay file", id="suffix"
            ),
            pytest.param(
                "bad.toml",
                "[changes\n",
                "{path}: line 1, column 9: invalid TOML: Expected ']' at the end of a table"
                " declaration",
                id="bad-toml",
            ),
            pytest.param(
                "list.json",
                "[1]",
                "{path}: expected a table at the top of the overlay file (got list)",
                id="not-a-table",
            ),
        ],
    )
    def test_an_unreadable_file(
        self, tmp_path: Path, name: str, text: str | None, message: str
    ) -> None:
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            load_overlay(path)
        assert message.format(path=path) == str(caught.value)

    def test_not_a_path(self) -> None:
        with pytest.raises(FileFormatError, match=r"^overlay: expected the path of an overlay"):
            load_overlay(3)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("name", "text"),
        [
            pytest.param("deep.json", '{"changes": ' + "[" * 5000 + "]" * 5000 + "}", id="json"),
            pytest.param("deep.toml", "changes = " + "[" * 5000 + "]" * 5000, id="toml"),
        ],
    )
    def test_deep_nesting_is_refused(self, tmp_path: Path, name: str, text: str) -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FileFormatError, match="nest more than"):
            load_overlay(path)

    def test_a_json_key_twice_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "twice.json"
        path.write_text('{"changes": {"scale": 1}, "changes": {"scale": 2}}', encoding="utf-8")
        with pytest.raises(FileFormatError):
            load_overlay(path)


# --------------------------------------------------------------------------- comparison

# Seven people under the university scheme (categories are plain sums of criterion points):
# spearhead = 30 × key_tasks + 20 × research, hard = 20 × workload + approval (10, −5 per late
# approval), soft = training (15, −2 per unexcused absence) + collaboration (assessed, of 5).
# The variant: −3 per absence, and HTT from 75 instead of 70.
#
#          key  res  work  late  absences  collab  base total     variant total
#   an     1    1    1     0     0         5       100    HTXS    100    HTXS
#   binh   1    1    1     0     4         5       92     HTXS    88     HTT   (training 7 → 3)
#   chi    .9   .8   .9    0     1         4       88     HTT     87     HTT
#   dung   .8   .5   .8    1     2         3       69     HT      67     HT
#   em     .7   .5   .75   0     0         2       73     HTT     73     HT    (bands only)
#   giang  1    1    1     0     2 (+1 excused) 5  96     HTXS    94     HTXS
#   hoa    1    1    1     0     1 + reprimand  5  98     KHT     97     KHT   (capped)
#
# Deltas 0, −4, −1, −2, 0, −2, −1: sum −10, mean −10/7 = −1.428… → −1.43.
PEOPLE = {
    "an": ("1", "1", "1", 0, 0, 5),
    "binh": ("1", "1", "1", 0, 4, 5),
    "chi": ("0.9", "0.8", "0.9", 0, 1, 4),
    "dung": ("0.8", "0.5", "0.8", 1, 2, 3),
    "em": ("0.7", "0.5", "0.75", 0, 0, 2),
    "giang": ("1", "1", "1", 0, 2, 5),
    "hoa": ("1", "1", "1", 0, 1, 5),
}


def facts() -> tuple[list[Person], list[Event], list[Measure]]:
    people, events, measures = [], [], []
    for subject, (key, research, work, late, absences, collab) in PEOPLE.items():
        people.append(Person(id=subject, name=subject.title(), unit="Khoa Kinh tế"))
        for criterion, value in (
            ("key_tasks", key),
            ("research", research),
            ("workload", work),
            ("collaboration", collab),
        ):
            measures.append(Measure(subject=subject, criterion=criterion, value=value))
        for day in range(absences):
            events.append(
                Event(subject=subject, kind="training_absence", on=_dt.date(2026, 1, 5 + day))
            )
        for day in range(late):
            events.append(
                Event(subject=subject, kind="late_approval", on=_dt.date(2026, 2, 2 + day))
            )
    events.append(
        Event(subject="giang", kind="training_absence", on=_dt.date(2026, 3, 2), excused=True)
    )
    events.append(Event(subject="hoa", kind="discipline_reprimand", on=_dt.date(2026, 3, 9)))
    return people, events, measures


@pytest.fixture(scope="module")
def comparison(university: Policy) -> Comparison:
    variant = overlay(university, {ABSENCE: 3, "bands.HTT.min_points": 75})
    people, events, measures = facts()
    return compare(university, variant, "2026-Q1", people, events=events, measures=measures)


D = Decimal


class TestCompareRows:
    @pytest.mark.parametrize(
        ("subject", "expected"),
        [
            pytest.param(
                "an", (D("100.00"), D("100.00"), D("0.00"), "HTXS", "HTXS", "same"), id="an"
            ),
            pytest.param(
                "binh", (D("92.00"), D("88.00"), D("-4.00"), "HTXS", "HTT", "down"), id="binh"
            ),
            pytest.param(
                "chi", (D("88.00"), D("87.00"), D("-1.00"), "HTT", "HTT", "same"), id="chi"
            ),
            pytest.param(
                "dung", (D("69.00"), D("67.00"), D("-2.00"), "HT", "HT", "same"), id="dung"
            ),
            pytest.param("em", (D("73.00"), D("73.00"), D("0.00"), "HTT", "HT", "down"), id="em"),
            pytest.param(
                "giang", (D("96.00"), D("94.00"), D("-2.00"), "HTXS", "HTXS", "same"), id="giang"
            ),
            pytest.param(
                "hoa", (D("98.00"), D("97.00"), D("-1.00"), "KHT", "KHT", "same"), id="hoa"
            ),
        ],
    )
    def test_figures_checked_by_hand(
        self, comparison: Comparison, subject: str, expected: tuple[object, ...]
    ) -> None:
        row = comparison[subject]
        assert expected == (
            row.base_total,
            row.variant_total,
            row.delta,
            row.base_rating,
            row.variant_rating,
            row.move,
        )

    def test_what_moved_for_binh(self, comparison: Comparison) -> None:
        row = comparison["binh"]
        assert (
            (
                PointsMove(
                    id="soft", category=None, base_points=D("12.00"), variant_points=D("8.00")
                ),
            ),
            (
                PointsMove(
                    id="training", category="soft", base_points=D("7.00"), variant_points=D("3.00")
                ),
            ),
        ) == (row.categories, row.criteria)

    def test_nothing_moved_for_an(self, comparison: Comparison) -> None:
        row = comparison["an"]
        assert ((), (), False) == (row.categories, row.criteria, row.moved)

    def test_a_band_move_alone_is_a_move(self, comparison: Comparison) -> None:
        row = comparison["em"]
        assert ((), (), True) == (row.categories, row.criteria, row.moved)

    def test_population_order(self, comparison: Comparison) -> None:
        assert list(PEOPLE) == [row.subject for row in comparison]

    def test_movers_biggest_first(self, comparison: Comparison) -> None:
        assert ["binh", "em", "dung", "giang", "chi", "hoa"] == [
            row.subject for row in comparison.moved
        ]

    def test_band_moves(self, comparison: Comparison) -> None:
        assert ["binh", "em"] == [row.subject for row in comparison.band_moves]

    def test_the_ledgers_are_kept(self, comparison: Comparison) -> None:
        applied = [
            table["binh"].criterion("training").rules[0].applied
            for table in (comparison.base_table, comparison.variant_table)
        ]
        assert [D(-8), D(-12)] == applied

    def test_an_unknown_subject(self, comparison: Comparison) -> None:
        with pytest.raises(UnknownSubjectError) as caught:
            comparison["zz"]
        assert "comparison: no row for subject 'zz' (7 people compared)" == str(caught.value)

    def test_membership_and_length(self, comparison: Comparison) -> None:
        assert (True, False, 7) == ("binh" in comparison, "zz" in comparison, len(comparison))


class TestCompareSummary:
    def test_counts_and_mean(self, comparison: Comparison) -> None:
        summary = comparison.summary
        assert (7, 0, 2, 5, 5, D("-1.43"), D("-4.00"), D("0.00")) == (
            summary.count,
            summary.up,
            summary.down,
            summary.same,
            summary.totals_changed,
            summary.mean_delta,
            summary.min_delta,
            summary.max_delta,
        )

    def test_transition_matrix(self, comparison: Comparison) -> None:
        assert {
            "HTXS": {"HTXS": 2, "HTT": 1, "HT": 0, "KHT": 0},
            "HTT": {"HTXS": 0, "HTT": 1, "HT": 1, "KHT": 0},
            "HT": {"HTXS": 0, "HTT": 0, "HT": 1, "KHT": 0},
            "KHT": {"HTXS": 0, "HTT": 0, "HT": 0, "KHT": 1},
        } == comparison.summary.transitions

    def test_distributions(self, comparison: Comparison) -> None:
        summary = comparison.summary
        assert (
            {"HTXS": 3, "HTT": 2, "HT": 1, "KHT": 1},
            {"HTXS": 2, "HTT": 2, "HT": 2, "KHT": 1},
        ) == (dict(summary.base_distribution), dict(summary.variant_distribution))

    def test_a_move_up(self, university: Policy) -> None:
        people, events, measures = facts()
        lower = overlay(university, {"bands.HTT.min_points": 65})
        result = compare(university, lower, "2026-Q1", people, events=events, measures=measures)
        assert (["dung"], 1) == (
            [row.subject for row in result.band_moves],
            result.summary.up,
        )

    def test_mean_uses_the_base_policy_s_rounding(self, university: Policy) -> None:
        people, events, measures = facts()
        down = overlay(university, {"rounding": "ROUND_DOWN"})
        variant = overlay(down, {ABSENCE: 3})
        result = compare(down, variant, "2026-Q1", people, events=events, measures=measures)
        assert D("-1.42") == result.summary.mean_delta

    def test_an_empty_population(self, university: Policy) -> None:
        result = compare(university, university, "2026-Q1", [])
        assert (0, None, None) == (
            result.summary.count,
            result.summary.mean_delta,
            result.summary.min_delta,
        )

    def test_the_same_policy_moves_nobody(self, university: Policy) -> None:
        people, events, measures = facts()
        result = compare(
            university, university, "2026-Q1", people, events=events, measures=measures
        )
        assert ((), 7) == (result.moved, result.summary.same)


class TestCompareAcrossPolicies:
    def test_a_band_only_the_variant_has_is_placed_by_threshold(self, university: Policy) -> None:
        tree = university.to_dict()
        tree["bands"].insert(1, {"id": "TOT", "min_points": "80", "name": "Tốt"})
        variant = Policy.from_dict(tree)
        people, events, measures = facts()
        result = compare(university, variant, "2026-Q1", people, events=events, measures=measures)
        # chi's 88 earns TOT (from 80) under the variant: a move up; em's 73 stays HTT.
        assert (("HTXS", "TOT", "HTT", "HT", "KHT"), "TOT", "up", "same") == (
            result.ratings,
            result["chi"].variant_rating,
            result["chi"].move,
            result["em"].move,
        )

    def test_criteria_only_one_side_has(self, staff: Policy) -> None:
        hcm = policies.load("hcm-qd20-2024")
        measures = [
            Measure(subject="nv001", criterion=c, value=v)
            for c, v in (
                ("competence", 8),
                ("innovation", 8),
                ("quantity", 1),
                ("quality", 1),
                ("on_time", 1),
            )
        ]
        tree = staff.to_dict()
        tree["categories"][0]["criteria"][0]["basis"] = "full"  # politics_ethics: 10, no measure
        base = Policy.from_dict(tree)
        row = compare(base, hcm, "2026-Q1", ["nv001"], measures=measures)["nv001"]
        assert (
            PointsMove(
                id="politics_ethics",
                category="general",
                base_points=D("10.00"),
                variant_points=None,
            ),
            PointsMove(
                id="discipline_ethics",
                category="general",
                base_points=None,
                variant_points=D("10.00"),
            ),
        ) == row.criteria
        assert (None, None) == (row.criteria[0].delta, row.criteria[1].delta)

    def test_only_one_side_with_bands_is_an_error(self, university: Policy) -> None:
        bare = Policy.from_dict({**university.to_dict(), "bands": [], "caps": []})
        with pytest.raises(InputError) as caught:
            compare(university, bare, "2026-Q1", [])
        assert (
            "compare: only the base has rating bands (base 'university-kpi-example' has 4,"
            " variant 'university-kpi-example' has 0); ratings cannot be compared"
        ) == str(caught.value)

    def test_no_bands_on_either_side(self, university: Policy) -> None:
        # Without caps, the sample's discipline kinds are known but deliberately not scored.
        kinds = sorted({cap.on for cap in university.caps})
        bare = Policy.from_dict(
            {**university.to_dict(), "bands": [], "caps": [], "other_kinds": kinds}
        )
        people, events, measures = facts()
        result = compare(
            bare, overlay(bare, {ABSENCE: 3}), "2026-Q1", people, events=events, measures=measures
        )
        assert ((None,), {None: {None: 7}}, 7) == (
            result.ratings,
            result.summary.transitions,
            result.summary.same,
        )

    def test_facts_about_strangers_are_refused(self, university: Policy) -> None:
        with pytest.raises(UnknownSubjectError):
            compare(
                university,
                university,
                "2026-Q1",
                ["an"],
                events=[Event(subject="x", kind="training_absence", on=_dt.date(2026, 1, 5))],
            )

    def test_people_must_be_an_iterable(self, university: Policy) -> None:
        with pytest.raises(InputError, match=r"^compare: people must be an iterable"):
            compare(university, university, "2026-Q1", "an")


class TestCompareExports:
    def test_rows(self, comparison: Comparison) -> None:
        assert {
            "subject": "binh",
            "name": "Binh",
            "unit": "Khoa Kinh tế",
            "group": None,
            "position": None,
            "base_total": D("92.00"),
            "variant_total": D("88.00"),
            "delta": D("-4.00"),
            "base_rating": "HTXS",
            "variant_rating": "HTT",
            "move": "down",
            "categories_moved": "soft 12.00 → 8.00",
            "criteria_moved": "training 7.00 → 3.00",
        } == comparison.to_rows()[1]

    def test_csv(self, comparison: Comparison, tmp_path: Path) -> None:
        path = tmp_path / "cmp.csv"
        text = comparison.to_csv(path)
        lines = text.splitlines()
        assert (
            (
                "subject,name,unit,group,position,base_total,variant_total,delta,base_rating,"
                "variant_rating,move,categories_moved,criteria_moved"
            ),
            (
                "binh,Binh,Khoa Kinh tế,,,92.00,88.00,-4.00,HTXS,HTT,down,soft 12.00 → 8.00,"
                "training 7.00 → 3.00"
            ),
        ) == (lines[0], lines[2])
        assert text == path.read_text(encoding="utf-8")

    def test_pandas(self, comparison: Comparison) -> None:
        pytest.importorskip("pandas")
        frame = comparison.to_pandas()
        assert (7, D("-4.00")) == (len(frame), frame.to_dict("records")[1]["delta"])

    def test_json_is_canonical(self, comparison: Comparison) -> None:
        tree = json.loads(comparison.to_json())
        assert (
            "2026-Q1",
            "university-kpi-example",
            "-1.43",
            {"HTXS": 2, "HTT": 1, "HT": 0, "KHT": 0},
            {
                "id": "training",
                "category": "soft",
                "base_points": "7.00",
                "variant_points": "3.00",
                "delta": "-4.00",
            },
        ) == (
            tree["period"],
            tree["variant"]["id"],
            tree["summary"]["mean_delta"],
            tree["summary"]["transitions"]["HTXS"],
            tree["rows"][1]["criteria"][0],
        )
        assert (
            comparison.to_json()
            == compare(comparison.base, comparison.variant, "2026-Q1", *reversed_facts()).to_json()
        )

    def test_html_shows_the_movers(self, comparison: Comparison) -> None:
        page = comparison._repr_html_()
        assert all(
            piece in page
            for piece in (
                "▲ 0 up",
                "▼ 2 down",
                "mean Δ -1.43",
                (
                    "<tr class='down'><td>binh</td><td>Binh</td><td class='num'>92.00</td>"
                    "<td class='num'>88.00</td><td class='num'>-4.00</td><td>▼ HTXS → HTT</td>"
                    "<td>training 7.00 → 3.00</td></tr>"
                ),
            )
        )
        assert "<td>an</td>" not in page

    def test_html_when_nobody_moved(self, university: Policy) -> None:
        result = compare(university, university, "2026-Q1", ["an"], measures=facts()[2][:4])
        assert result._repr_html_().endswith("<p>Nobody moved.</p>")


def reversed_facts() -> tuple[list[Person], list[Event], list[Measure]]:
    """The same facts with events and measures in reverse order (the output must not change)."""
    people, events, measures = facts()
    return people, events[::-1], measures[::-1]


class TestManyBadPaths:
    """A flood of unknown paths is reported briefly and cheaply (issue 19, finding 9)."""

    def test_the_problems_listed_and_the_suggestions_are_capped(self) -> None:
        base = policies.load("university-kpi-example")
        changes = {f"categories.soft.criteria.nope{i}.points": 1 for i in range(5000)}
        with pytest.raises(PolicyValidationError) as caught:
            overlay(base, changes)
        message = str(caught.value)
        assert message.startswith(
            "overlay on policy 'university-kpi-example': 5000 problems (the first 100 listed,"
            " and 4900 more)"
        )
        assert len(caught.value.exceptions) == 100
        assert message.count("the nearest valid path is") == 20
        assert message.count("kpiscore.variants.paths(policy) lists the valid paths") == 80
        assert len(message) < 20_000

    def test_a_few_bad_paths_all_get_a_suggestion(self) -> None:
        base = policies.load("university-kpi-example")
        with pytest.raises(PolicyValidationError) as caught:
            overlay(base, {"bands.HTT.min_point": 1, "bands.HTXS.min_pionts": 2})
        assert str(caught.value).count("the nearest valid path is") == 2
