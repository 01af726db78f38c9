"""Variants, comparisons and test cases as a user would call them (checked by mypy --strict)."""

from __future__ import annotations

from decimal import Decimal

from kpiscore import policies
from kpiscore.testing import run_cases
from kpiscore.variants import Comparison, compare, overlay


def harsher_training() -> tuple[Decimal | None, int]:
    base = policies.load("university-kpi-example")
    variant = overlay(base, {"bands.HTT.min_points": 75})
    comparison: Comparison = compare(base, variant, "2026-Q1", ["nv001"])
    report = run_cases([])
    return comparison.summary.mean_delta, len(comparison.to_rows()) + len(report.results)
