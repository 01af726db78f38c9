"""Properties of overlays and comparisons, on random policies and facts."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from engine_strategies import PERIOD, SUBJECTS, events, measures_for, policies
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpiscore import Policy, PolicyError
from kpiscore.variants import compare, load_overlay, overlay, paths

SETTINGS = settings(max_examples=50, deadline=None)


def content(policy: Policy) -> dict[str, Any]:
    """The policy's tree without its version (a variant's version always differs)."""
    tree = policy.to_dict()
    tree.pop("version")
    return tree


def value_at(policy: Policy, path: str) -> Any:
    node: Any = policy.to_dict()
    segments = path.split(".")
    index = 0
    while index < len(segments):
        value = node[segments[index]]
        # A list of objects (criteria, rules, caps) is indexed by the next segment; a list of
        # texts (other_kinds) is a value in itself.
        if isinstance(value, list) and index + 1 < len(segments):
            key = "on" if segments[index] == "caps" else "id"
            value = next(m for m in value if m[key] == segments[index + 1])
            index += 1
        node = value
        index += 1
    return node


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Any], list[Any]]:
    policy = draw(policies())
    return policy, draw(events()), measures_for(policy, draw)


class TestOverlayProperties:
    @SETTINGS
    @given(data=st.data())
    def test_setting_a_value_to_itself_changes_nothing(self, data: st.DataObject) -> None:
        """For any field, an overlay that writes back its current value gives the same content."""
        policy = data.draw(policies())
        path = data.draw(st.sampled_from(paths(policy)))
        assert content(policy) == content(overlay(policy, {path: value_at(policy, path)}))

    @SETTINGS
    @given(data=st.data())
    def test_a_typo_names_a_path_that_exists(self, data: st.DataObject) -> None:
        """A path with one character dropped is refused, and the suggestion is a valid path."""
        policy = data.draw(policies())
        valid = paths(policy)
        path = data.draw(st.sampled_from(valid))
        cut = data.draw(st.integers(min_value=0, max_value=len(path) - 1))
        typo = path[:cut] + path[cut + 1 :]
        assume(typo not in valid and typo and not typo.endswith(".") and ".." not in typo)
        with pytest.raises(PolicyError) as caught:
            overlay(policy, {typo: 1})
        message = str(caught.value)
        if "the nearest valid path is " in message:
            suggested = message.rsplit("the nearest valid path is ", 1)[1].strip("'")
            assert suggested in valid

    @SETTINGS
    @given(data=st.data())
    def test_an_overlay_file_gives_the_same_variant(self, data: st.DataObject) -> None:
        """Changes written to a TOML overlay file and read back give the same variant."""
        tomli_w = pytest.importorskip("tomli_w")
        policy = data.draw(policies())
        numeric = [p for p in paths(policy) if p.endswith((".points", ".limit"))]
        assume(numeric)
        chosen = data.draw(st.lists(st.sampled_from(numeric), unique=True, min_size=1, max_size=3))
        changes = {
            path: data.draw(st.decimals(min_value=0, max_value=20, places=2)) for path in chosen
        }
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "change.toml"
            file.write_text(tomli_w.dumps({"changes": changes}), encoding="utf-8")
            assert overlay(policy, changes).fingerprint == overlay(policy, file).fingerprint
            assert set(changes) == set(load_overlay(file))


class TestCompareProperties:
    @SETTINGS
    @given(scenario=scenarios())
    def test_a_policy_against_itself_moves_nobody(
        self, scenario: tuple[Policy, list[Any], list[Any]]
    ) -> None:
        """compare(p, p): every delta is 0, every rating stays, the matrix is diagonal."""
        policy, facts, measures = scenario
        result = compare(policy, policy, PERIOD, SUBJECTS, events=facts, measures=measures)
        transitions = result.summary.transitions
        off_diagonal = sum(n for a, row in transitions.items() for b, n in row.items() if a != b)
        assert ((), 0, len(SUBJECTS)) == (result.moved, off_diagonal, result.summary.same)

    @SETTINGS
    @given(scenario=scenarios(), extra=st.decimals(min_value="0.01", max_value=10, places=2))
    def test_a_heavier_deduction_never_raises_anyone(
        self, scenario: tuple[Policy, list[Any], list[Any]], extra: Decimal
    ) -> None:
        """Raising a deduction's points never raises a total, and never moves a rating up."""
        policy, facts, measures = scenario
        rules = [p for p in paths(policy) if ".deductions." in p and p.endswith(".points")]
        assume(rules)
        path = rules[0]
        heavier = overlay(policy, {path: Decimal(value_at(policy, path)) + extra})
        result = compare(policy, heavier, PERIOD, SUBJECTS, events=facts, measures=measures)
        assert (0, []) == (
            result.summary.up,
            [row.subject for row in result if row.delta > 0],
        )

    @SETTINGS
    @given(scenario=scenarios(), threshold=st.integers(min_value=31, max_value=100))
    def test_moving_a_band_threshold_moves_ratings_not_totals(
        self, scenario: tuple[Policy, list[Any], list[Any]], threshold: int
    ) -> None:
        """A new threshold for the top band changes no total; ratings move only across it."""
        policy, facts, measures = scenario
        variant = overlay(policy, {"bands.A.min_points": threshold})
        result = compare(policy, variant, PERIOD, SUBJECTS, events=facts, measures=measures)
        for row in result:
            assert row.base_total == row.variant_total
            if row.base_rating != row.variant_rating:
                assert {row.base_rating, row.variant_rating} == {"A", "B"}
                direction = "down" if threshold > 60 else "up"
                assert direction == row.move

    @SETTINGS
    @given(scenario=scenarios(), data=st.data())
    def test_the_summary_adds_up(
        self, scenario: tuple[Policy, list[Any], list[Any]], data: st.DataObject
    ) -> None:
        """up + down + same = people = the matrix's sum; the mean lies between min and max."""
        policy, facts, measures = scenario
        numeric = [p for p in paths(policy) if p.endswith((".points", ".min_points", ".limit"))]
        path = data.draw(st.sampled_from(numeric))
        try:
            variant = overlay(policy, {path: data.draw(st.integers(min_value=0, max_value=40))})
        except PolicyError:
            assume(False)
            return
        result = compare(policy, variant, PERIOD, SUBJECTS, events=facts, measures=measures)
        summary = result.summary
        assert summary.count == summary.up + summary.down + summary.same
        assert summary.count == sum(n for row in summary.transitions.values() for n in row.values())
        assert summary.min_delta is not None
        assert summary.max_delta is not None
        assert summary.mean_delta is not None
        assert summary.min_delta <= summary.mean_delta <= summary.max_delta
