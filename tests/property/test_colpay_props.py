"""Payout, comparison and summaries read from the columns equal the exact path's, person by
person (issue 14)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from engine_strategies import PERIOD, SUBJECTS, events, measures_for, policies
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_columnar_props import frames

from kpiscore import (
    Band,
    Event,
    KpiscoreError,
    Measure,
    MissingInputError,
    Policy,
    PolicyError,
    score_frame,
    score_many,
)
from kpiscore.payout import (
    PayoutRate,
    PayoutRelation,
    PayoutTable,
    Salary,
    payout_amounts,
    payout_rows,
)
from kpiscore.variants import compare

pd = pytest.importorskip("pandas")


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Event], list[Measure]]:
    policy = draw(policies())
    policy = attrs.evolve(policy, missing=draw(st.sampled_from(("zero", "exclude"))))
    measures = measures_for(policy, draw)
    dropped = draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    # Each event once: a frame refuses identical rows (strict facts), an Event list does not.
    facts = list(dict.fromkeys(draw(events())))
    return policy, facts, [m for i, m in enumerate(measures) if i not in dropped]


def _tables(policy: Policy, facts: list[Event], measures: list[Measure]) -> tuple[Any, Any]:
    try:
        exact = score_many(policy, PERIOD, SUBJECTS, facts, measures)
    except MissingInputError:
        assume(False)
    return exact, score_frame(policy, PERIOD, *frames(facts, measures, typed=True))


AMOUNTS = st.decimals(min_value=0, max_value=20_000_000, places=0, allow_nan=False)


@st.composite
def payout_tables(draw: st.DrawFn, ratings: tuple[str, ...]) -> PayoutTable:
    rates = []
    for rating in ratings:
        floor = draw(st.none() | st.decimals(min_value=0, max_value=2_000_000, places=0))
        cap = draw(st.none() | st.decimals(min_value=2_000_000, max_value=9_000_000, places=0))
        rates.append(
            PayoutRate(
                rating=rating,
                coefficient=draw(st.decimals(min_value=0, max_value=2, places=3)),
                floor=floor,
                cap=cap,
                cap_multiple=draw(st.none() | st.sampled_from(["0.5", "1.8"])),
            )
        )
    relations = []
    if len(ratings) > 1 and draw(st.booleans()):
        relations.append(PayoutRelation(rating=ratings[1], of=ratings[0], at_most="0.8"))
    fields = {
        "id": "t",
        "name": "T",
        "rates": rates,
        "precision": draw(st.sampled_from(["1", "1000"])),
        "rounding": draw(st.sampled_from(["ROUND_HALF_UP", "ROUND_DOWN", "ROUND_HALF_EVEN"])),
    }
    try:
        return PayoutTable(**fields, relations=relations)
    except PolicyError:  # the relation contradicts the drawn coefficients: drop it
        return PayoutTable(**fields)


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.data())
def test_columnar_payout_equals_exact(
    scenario: tuple[Policy, list[Event], list[Measure]], data: st.DataObject
) -> None:
    """Invariant: payout_rows on a score_frame table gives every person the exact table's row
    (salary, days, money), whatever the payout table's rates, floors, caps, relations and
    rounding, and whatever the salaries (shared steps, days worked)."""
    policy, facts, measures = scenario
    if not policy.bands:
        policy = attrs.evolve(
            policy,
            bands=[Band(id="A", name="A", min_points=5), Band(id="B", name="B", min_points=0)],
        )
    exact, columnar = _tables(policy, facts, measures)
    table = data.draw(payout_tables(tuple(band.id for band in policy.bands)))
    steps = data.draw(st.lists(AMOUNTS, min_size=1, max_size=3))
    salaries: dict[str, Any] = {}
    for subject in SUBJECTS:
        amount = data.draw(st.sampled_from(steps))
        kind = data.draw(st.sampled_from(["int", "decimal", "salary"]))
        if kind == "int":
            salaries[subject] = int(amount)
        elif kind == "decimal":
            salaries[subject] = amount
        else:
            salaries[subject] = Salary(amount=amount, days_worked=11, days_in_period=22)
    months = data.draw(st.integers(min_value=1, max_value=12))
    expected = payout_rows(exact, table, salaries, months=months)
    got = payout_rows(columnar, table, salaries, months=months)
    assert got == expected
    assert got.to_csv() == expected.to_csv()
    # Each amount is the table's own, computed person by person (no sharing between people).
    for row, card in zip(got, exact, strict=True):
        salary = salaries[card.subject]
        figures = (
            (salary.amount, salary.days_worked, salary.days_in_period)
            if isinstance(salary, Salary)
            else (salary, None, None)
        )
        assert row["payout"] == table.amount(card.rating, *figures, months=months)
    # And the per-item path (a plain list of scorecards, rows of the common columns) pays the
    # same money: the column read is the same payout.
    items = payout_rows(list(exact), table, salaries, months=months)
    assert [row["payout"] for row in items] == [row["payout"] for row in expected]
    # payout_amounts is the payout column, on mixed salaries (one by one) and on whole ones
    # (each rating's distinct salaries paid on integers at once).
    assert payout_amounts(columnar, table, salaries, months=months) == [
        row["payout"] for row in expected
    ]
    whole = {
        subject: int(salary.amount if isinstance(salary, Salary) else salary)
        for subject, salary in salaries.items()
    }
    assert payout_amounts(columnar, table, whole, months=months) == [
        table.amount(card.rating, whole[card.subject], months=months) for card in exact
    ]


def _variant(policy: Policy, draw: st.DrawFn) -> Policy:
    from kpiscore.variants import overlay, paths

    numeric = [
        p
        for p in paths(policy)
        if p.endswith((".points", ".max_points", ".floor", ".limit", ".min_points"))
    ]
    assume(numeric)
    path = draw(st.sampled_from(numeric))
    tree: Any = policy.to_dict()
    for segment in path.split(".")[:-1]:
        tree = (
            next(m for m in tree if segment in (m.get("id"), m.get("on")))
            if isinstance(tree, list)
            else tree[segment]
        )
    value = Decimal(str(tree[path.rsplit(".", 1)[1]] or 1))
    changed = value * draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(2)]))
    try:
        return overlay(policy, {path: changed})
    except KpiscoreError:  # an invalid variant is not this test's subject
        assume(False)
        raise


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.data())
def test_columnar_compare_equals_exact(
    scenario: tuple[Policy, list[Event], list[Measure]], data: st.DataObject
) -> None:
    """Invariant: compare on DataFrames (two score_frame runs and a column diff) gives every
    person the exact comparison's row (totals, ratings, move, categories and criteria moved),
    the same summary, movers' order, JSON and CSV, under any one-value variant."""
    policy, facts, measures = scenario
    variant = _variant(policy, data.draw)
    try:
        expected = compare(policy, variant, PERIOD, SUBJECTS, facts, measures)
    except KpiscoreError as error:  # a measure the variant refuses: refused from frames too
        with pytest.raises(type(error)):
            compare(policy, variant, PERIOD, *frames(facts, measures, typed=True))
        return
    got = compare(policy, variant, PERIOD, *frames(facts, measures, typed=True))
    probe = data.draw(st.sampled_from(SUBJECTS))
    assert got[probe].to_dict() == expected[probe].to_dict()  # one row, read first
    assert got.summary == expected.summary
    assert [r.subject for r in got.moved] == [r.subject for r in expected.moved]
    assert got.to_json() == expected.to_json()
    assert got.to_csv() == expected.to_csv()
    assert got._repr_html_() == expected._repr_html_()


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_columnar_summary_equals_exact(
    scenario: tuple[Policy, list[Event], list[Measure]],
) -> None:
    """Invariant: summary() and distribution() of a score_frame table equal the exact table's,
    and reading them builds no scorecard."""
    policy, facts, measures = scenario
    exact, columnar = _tables(policy, facts, measures)
    assert columnar.summary() == exact.summary()
    assert columnar.distribution() == exact.distribution()
    assert columnar._built == {}
