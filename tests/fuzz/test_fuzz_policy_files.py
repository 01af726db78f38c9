"""Fuzzing load_policy and Policy.from_dict: only KpiscoreError subclasses ever escape.

Each test's invariant: for any input, reading it either returns a Policy or raises a
``KpiscoreError`` (here always a ``FileFormatError`` or a ``PolicyError``), within the deadline.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from fuzz_strategies import FUZZ, mutated, top_tables, trees
from hypothesis import given
from hypothesis import strategies as st

from kpiscore import FileFormatError, Policy, PolicyError, policies
from kpiscore.io.load import dump_policy, load_policy

BUNDLED_TOML = [
    Path(str(policies.__file__)).parent.joinpath(f"{policy_id}.toml").read_text(encoding="utf-8")
    for policy_id in policies.available()
]
BUNDLED_JSON = [dump_policy(policies.load(policy_id), "json") for policy_id in policies.available()]


def load_or_refuse(source: Any, **options: Any) -> None:
    try:
        result = load_policy(source, **options)
    except FileFormatError:
        return
    assert isinstance(result, Policy)


class TestRandomBytes:
    @FUZZ
    @given(data=st.binary(max_size=3000), suffix=st.sampled_from([".toml", ".json"]))
    def test_random_bytes_in_a_policy_file(
        self, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
    ) -> None:
        """Invariant: any bytes in a .toml or .json file are read or refused with a
        FileFormatError."""
        path = tmp_path_factory.mktemp("fuzz") / f"policy{suffix}"
        path.write_bytes(data)
        load_or_refuse(path)

    @FUZZ
    @given(text=st.text(max_size=3000), fmt=st.sampled_from(["toml", "json"]))
    def test_random_text(self, text: str, fmt: str) -> None:
        """Invariant: any text given as a policy is read or refused with a FileFormatError."""
        load_or_refuse("\n" + text, format=fmt)


class TestRandomTrees:
    @FUZZ
    @given(tree=top_tables())
    def test_random_json_trees(self, tree: dict[str, Any]) -> None:
        """Invariant: any JSON document is read or refused with a FileFormatError."""
        load_or_refuse(json.dumps(tree, default=str), format="json")

    @FUZZ
    @given(tree=top_tables(with_none=False))
    def test_random_toml_trees(self, tree: dict[str, Any]) -> None:
        """Invariant: any TOML document is read or refused with a FileFormatError."""
        tomli_w = pytest.importorskip("tomli_w")
        load_or_refuse("\n" + tomli_w.dumps(tree), format="toml")

    @FUZZ
    @given(tree=trees())
    def test_random_trees_to_from_dict(self, tree: Any) -> None:
        """Invariant: Policy.from_dict of any tree returns a Policy or raises a PolicyError."""
        with contextlib.suppress(PolicyError):
            Policy.from_dict(tree)


class TestMutatedValidFiles:
    @FUZZ
    @given(data=st.data(), index=st.integers(min_value=0, max_value=len(BUNDLED_TOML) - 1))
    def test_mutated_bundled_toml(self, data: st.DataObject, index: int) -> None:
        """Invariant: a bundled policy's TOML after random edits is read or refused with a
        FileFormatError."""
        load_or_refuse("\n" + data.draw(mutated(BUNDLED_TOML[index])), format="toml")

    @FUZZ
    @given(data=st.data(), index=st.integers(min_value=0, max_value=len(BUNDLED_JSON) - 1))
    def test_mutated_bundled_json(self, data: st.DataObject, index: int) -> None:
        """Invariant: a bundled policy's JSON after random edits is read or refused with a
        FileFormatError."""
        load_or_refuse(data.draw(mutated(BUNDLED_JSON[index])), format="json")
