"""Issue 14: a payout run's amounts on whole salaries for many people are found by position
among the distinct (rating, salary) pairs (NumPy), for few people with a dictionary: the same
exact amounts as the table's own ``paid`` person by person, either way."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from kpiscore.cycle.payout import _whole
from kpiscore.cycle.payout._whole import amounts_whole
from kpiscore.exceptions import InputError
from kpiscore.payout import PayoutTable, load

pytest.importorskip("numpy")


def _population(count: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)  # noqa: S311 - a test fixture, not a secret
    ratings = [rng.choice(["HTXS", "HTT", "HT", "KHT"]) for _ in range(count)]
    salaries = [rng.choice([0, 1, 4_000_000, 5_000_001, 7_020_000, rng.randrange(10**9)])
                for _ in range(count)]  # fmt: skip
    return ratings, salaries


@pytest.mark.parametrize("count", [10, 1_999, 2_000, 5_000])
@pytest.mark.parametrize("months", [1, 12])
def test_amounts_are_the_tables_own_person_by_person(count: int, months: int) -> None:
    table = load("danang-2026")
    ratings, salaries = _population(count, seed=count + months)
    expected = [
        table.paid(rating, Decimal(salary), None, None, months)
        for rating, salary in zip(ratings, salaries, strict=True)
    ]
    assert expected == amounts_whole(table, ratings, salaries, months)


def test_the_positional_path_is_taken_for_many_people(monkeypatch: pytest.MonkeyPatch) -> None:
    table = load("danang-2026")
    ratings, salaries = _population(3_000, seed=1)
    calls: list[int] = []
    original = PayoutTable.paid_whole

    def counted(
        self: PayoutTable, rating: str | None, whole: list[int], months: int
    ) -> list[Decimal]:
        calls.append(len(whole))
        return original(self, rating, whole, months)

    monkeypatch.setattr(PayoutTable, "paid_whole", counted)
    amounts_whole(table, ratings, salaries, 3)
    distinct = len(set(zip(ratings, salaries, strict=True)))
    assert distinct == sum(calls)  # one computation per distinct pair, not per person
    assert len(calls) == 4  # one call per rating


def test_a_salary_past_int64_is_paid_exactly() -> None:
    table = load("danang-2026")
    ratings, salaries = _population(3_000, seed=2)
    salaries[1_234] = 10**20
    expected = [
        table.paid(rating, Decimal(salary), None, None, 1)
        for rating, salary in zip(ratings, salaries, strict=True)
    ]
    assert expected == amounts_whole(table, ratings, salaries, 1)


@pytest.mark.parametrize("count", [3, 3_000])
def test_the_first_unknown_rating_is_named(count: int) -> None:
    ratings = (["HTT", "SOON", "LATER"] * count)[:count]
    with pytest.raises(InputError, match="SOON"):
        amounts_whole(load("danang-2026"), ratings, [4_000_000] * count, 1)


def test_without_numpy_the_dictionary_path_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    table = load("danang-2026")
    ratings, salaries = _population(3_000, seed=3)
    positional = amounts_whole(table, ratings, salaries, 2)
    monkeypatch.setattr(_whole, "_MANY", 10**9)
    assert positional == amounts_whole(table, ratings, salaries, 2)
