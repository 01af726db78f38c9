"""The bundled policies, used as a user would; it must pass ``mypy --strict``."""

from __future__ import annotations

from kpiscore import Policy, ScoreTable, policies, score_many


def bundled() -> dict[str, Policy]:
    return {policy_id: policies.load(policy_id) for policy_id in policies.available()}


def starting_point() -> str:
    return policies.source("vn-nd335-2025-staff")


def score_nobody() -> ScoreTable:
    return score_many(policies.load("university-kpi-example"), "2026-Q1", [])
