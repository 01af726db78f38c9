"""Policies the columnar tests share (imported as ``from columnar_policies import …``)."""

from __future__ import annotations

from typing import Any

from kpiscore import Band, Category, Criterion, Deduction, Policy


def training_policy(**kwargs: Any) -> Policy:
    """A deduction criterion (events; ``kwargs`` go to it) and an assessed one (measures),
    two bands."""
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
                        **kwargs,
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
