"""Columnar engine behaviours that mutation testing found no test pinned down (tools/mutation.py).

Each test kills surviving mutants of ``kpiscore/engine/columnar/*.py``: the mutant's name is
given in the test's docstring, so a reviewer can check it against ``tools/mutation.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from kpiscore import Band, Category, Criterion, Deduction, Person, Policy, score_frame

pd = pytest.importorskip("pandas")
pytest.importorskip("numpy")
Q1 = "2026-Q1"


def training_policy() -> Policy:
    """A deduction criterion (events) and an assessed one (measures), two bands."""
    return Policy(
        id="training",
        name="Training",
        categories=[
            Category(
                id="soft",
                name="Soft",
                criteria=[
                    Criterion(
                        id="training",
                        name="Training",
                        max_points=15,
                        deductions=[Deduction(on="training_absence", points=2)],
                    )
                ],
            ),
            Category(
                id="rest",
                name="Rest",
                criteria=[Criterion(id="work", name="Work", max_points=85, basis="assessed")],
            ),
        ],
        bands=[Band(id="OK", min_points=50, name="OK"), Band(id="NO", min_points=0, name="No")],
    )


def work(*pairs: tuple[str, object]) -> Any:
    """The ``work`` measure of each (subject, value)."""
    return pd.DataFrame(
        {
            "subject": [subject for subject, _ in pairs],
            "criterion": ["work"] * len(pairs),
            "value": [value for _, value in pairs],
        }
    )


class TestPeople:
    def test_an_id_among_persons_has_no_attributes(self) -> None:
        """``People.value`` reads code -1 as no attribute, not as the last distinct value
        (``xǁPeopleǁvalue__mutmut_7``): an id given among Person objects has none."""
        people: list[Any] = [Person(id="a", name="An", unit="U1"), "b", Person(id="c", unit="U2")]
        table = score_frame(
            training_policy(), Q1, people, None, work(("a", 1), ("b", 1), ("c", 1))
        )
        assert Person(id="b") == table["b"].person
        assert Person(id="a", name="An", unit="U1") == table["a"].person
        assert Person(id="c", unit="U2") == table["c"].person
