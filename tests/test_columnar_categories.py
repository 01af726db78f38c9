"""Issue 14: a categorical subject column whose categories are the people's own ids, in their
order, is read without looking anyone up; categories in another order, or other ids, are
looked up as before — the same scores either way, and the same error for a missing subject."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kpiscore import Category, Criterion, Deduction, Policy, score_frame
from kpiscore.exceptions import KpiscoreError

pd = pytest.importorskip("pandas")

POLICY = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(
                    id="t", name="T", max_points=10, deductions=[Deduction(on="late", points=1)]
                )
            ],
        )
    ],
)
IDS = ["a", "b", "c", "d"]


def _events(subjects: list[str | None], categories: list[str]) -> Any:
    return pd.DataFrame(
        {
            "subject": pd.Categorical(subjects, categories=categories),
            "kind": ["late"] * len(subjects),
            "on": pd.to_datetime([date(2026, 1, 1 + i) for i in range(len(subjects))]),
        }
    )


@pytest.mark.parametrize(
    "categories", [IDS, ["d", "c", "b", "a"], [*IDS, "zz"], ["b", "a", "d", "c"]]
)
def test_categorical_subjects_score_as_text(categories: list[str]) -> None:
    subjects: list[str | None] = ["c", "a", "c", "d", "c"]
    people = pd.DataFrame({"id": IDS})
    coded = score_frame(POLICY, "2026-01", people, _events(subjects, categories))
    plain = score_frame(POLICY, "2026-01", people, _events(subjects, categories).astype(
        {"subject": object}))  # fmt: skip
    assert [str(t) for t in coded.totals()] == ["9.00", "10.00", "7.00", "9.00"]
    assert coded.totals() == plain.totals()


def test_a_missing_categorical_subject_is_refused() -> None:
    people = pd.DataFrame({"id": IDS})
    with pytest.raises(KpiscoreError, match="subject"):
        score_frame(POLICY, "2026-01", people, _events(["a", None], IDS))
