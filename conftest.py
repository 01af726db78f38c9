"""Names every doctest (in src/, docs/ and README.md) may use without importing them."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["date"] = datetime.date
    doctest_namespace["Decimal"] = decimal.Decimal
