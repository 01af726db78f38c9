"""Fuzzing the case-file reader (kpiscore.testing): only KpiscoreError subclasses ever escape.

Each test's invariant: for any text, ``parse_cases`` returns cases or raises a
``FileFormatError`` within the deadline.
"""

from __future__ import annotations

import contextlib
import time
from importlib import resources
from typing import Any

import pytest
from fuzz_strategies import FUZZ, mutated, top_tables
from hypothesis import given
from hypothesis import strategies as st

from kpiscore import FileFormatError

testing = pytest.importorskip("kpiscore.testing")

CASES = resources.files("kpiscore").joinpath("policies/cases")
BUNDLED = sorted(
    entry.read_text(encoding="utf-8")
    for entry in CASES.iterdir()
    if entry.name.endswith(".kpi.toml")
)


def parse_or_refuse(text: str) -> None:
    with contextlib.suppress(FileFormatError):
        testing.parse_cases(text, name="fuzz.kpi.toml")


class TestCaseFiles:
    @FUZZ
    @given(text=st.text(max_size=3000))
    def test_random_text(self, text: str) -> None:
        """Invariant: any text is read as cases or refused with a FileFormatError."""
        parse_or_refuse(text)

    @FUZZ
    @given(tree=top_tables(with_none=False))
    def test_random_toml_trees(self, tree: dict[str, Any]) -> None:
        """Invariant: any TOML document is read as cases or refused with a FileFormatError."""
        tomli_w = pytest.importorskip("tomli_w")
        parse_or_refuse(tomli_w.dumps(tree))

    @FUZZ
    @given(data=st.data(), index=st.integers(min_value=0, max_value=len(BUNDLED) - 1))
    def test_mutated_bundled_case_files(self, data: st.DataObject, index: int) -> None:
        """Invariant: a bundled case file after random edits is read or refused with a
        FileFormatError."""
        parse_or_refuse(data.draw(mutated(BUNDLED[index])))


class TestHostileCaseFiles:
    """Case files are read with the policy files' limits (kpiscore.io.load.parse_toml_document)."""

    def test_an_integer_of_5000_digits(self) -> None:
        with pytest.raises(FileFormatError, match="more than 4300 digits"):
            testing.parse_cases("policy = 1" + "0" * 5000 + "\n")

    def test_10000_nested_lists(self) -> None:
        with pytest.raises(FileFormatError, match="nest more than 32 levels deep"):
            testing.parse_cases("policy = " + "[" * 10_000 + "]" * 10_000 + "\n")

    def test_a_dotted_key_of_2_million_parts_is_refused_fast(self) -> None:
        start = time.perf_counter()
        with pytest.raises(FileFormatError, match="nest more than 32 levels deep"):
            testing.parse_cases("a" + ".a" * 2_000_000 + " = 1\n")
        assert time.perf_counter() - start < 3
