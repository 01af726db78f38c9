"""The columnar roll-up and quota agree with the exact path, person for person.

The exact path: ``score_many`` per sub-period on fact objects, ``rollup_many`` on those tables
and ``apply_quota`` on the roll-ups (or on a month's scorecards). The columnar path: the same
facts as DataFrames through ``score_frame`` (one ``every=`` call, or one call per sub-period
with a population of its own: people who worked part of the period), then the same calls,
which compute from the integer columns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from engine_strategies import policies
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpiscore import Event, KpiscoreError, Measure, Period, Person, Policy, score_frame, score_many
from kpiscore.quota import apply_quota, plan_quota
from kpiscore.rollup import RollupTable, rollup_many

pd = pytest.importorskip("pandas")

from engine_strategies import KINDS, measures_for  # noqa: E402

SUBJECTS = tuple(f"nv{i:03d}" for i in range(1, 9))

#: (period, sub-periods): whole months (worked time in months) and a range whose months are
#: clipped (worked time in days).
SPLITS = st.sampled_from([("2026-Q1", "month"), ("2025-12-20/2026-03-10", "month")])


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    return [
        Person(
            id=subject,
            unit=draw(st.sampled_from(["U1", "U2"])),
            group=draw(st.sampled_from(["G1", "G2", None])),
            name=draw(st.sampled_from(["An", None])),
        )
        for subject in SUBJECTS
    ]


@st.composite
def facts(draw: st.DrawFn, period: Period) -> list[Event]:
    days = (period.end - period.start).days
    return draw(
        st.lists(
            st.builds(
                Event,
                subject=st.sampled_from(SUBJECTS),
                kind=st.sampled_from(KINDS),
                on=st.integers(min_value=0, max_value=days).map(
                    lambda day: period.start + timedelta(days=day)
                ),
                quantity=st.decimals(min_value=0, max_value=5, places=1),
                excused=st.booleans(),
            ),
            max_size=30,
        )
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    label, every = draw(SPLITS)
    period = Period.parse(label)
    policy = draw(policies())
    policy = attrs.evolve(
        policy,
        missing=draw(st.sampled_from(("zero", "exclude"))),
        min_worked_share=draw(st.sampled_from((None, "0.5", "0.7"))),
    )
    pieces = period.months() if every == "month" else period.quarters()
    # Each sub-period's population: everyone (one every= call) or a subset of its own.
    whole = draw(st.booleans())
    populations = [
        list(SUBJECTS)
        if whole
        else draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=8, unique=True))
        for _ in pieces
    ]
    if not whole:  # a sub-period nobody of the draw worked is left out, as a caller would
        kept = [i for i, population in enumerate(populations) if population]
        pieces = tuple(pieces[i] for i in kept)
        populations = [populations[i] for i in kept]
    measures = measures_for(policy, draw, SUBJECTS)
    dropped = draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    return {
        "period": period,
        "every": every,
        "policy": policy,
        "people": draw(people()),
        "events": draw(facts(period)),
        "measures": [m for i, m in enumerate(measures) if i not in dropped],
        "pieces": pieces,
        "populations": populations,
        "whole": whole,
    }


QUOTAS = st.fixed_dictionaries(
    {
        "rating": st.sampled_from(["A", "B"]),
        "share": st.sampled_from(["0", "0.2", "0.34", "0.5", "1"]),
        "base": st.sampled_from(["next", "next_and_above", "fixed_point"]),
        "group_by": st.sampled_from([None, "unit", ("unit", "group"), "group"]),
        "rounding": st.sampled_from(["ROUND_DOWN", "ROUND_HALF_UP", "ROUND_CEILING"]),
        "ties": st.sampled_from(["demote_all", "keep_all", "subject", "name"]),
    }
)


def _frames(scenario: dict[str, Any], subjects: list[str]) -> tuple[Any, Any, Any]:
    persons = [p for p in scenario["people"] if p.id in subjects]
    people_frame = pd.DataFrame(
        {
            "id": [p.id for p in persons],
            "unit": [p.unit for p in persons],
            "group": [p.group for p in persons],
            "name": [p.name for p in persons],
        }
    )
    events = [e for e in scenario["events"] if e.subject in subjects]
    events_frame = pd.DataFrame(
        {
            "subject": [e.subject for e in events],
            "kind": [e.kind for e in events],
            "on": pd.to_datetime([e.on for e in events]),
            "quantity": [str(e.quantity) for e in events],
            "excused": [e.excused for e in events],
        }
    )
    measures = [m for m in scenario["measures"] if m.subject in subjects]
    measures_frame = pd.DataFrame(
        {
            "subject": [m.subject for m in measures],
            "criterion": [m.criterion for m in measures],
            "value": [m.value for m in measures],
        }
    )
    return people_frame, events_frame, measures_frame


def _tables(scenario: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """(exact tables, columnar tables), one per sub-period."""
    policy: Policy = scenario["policy"]
    exact, columnar = [], []
    for piece, population in zip(scenario["pieces"], scenario["populations"], strict=True):
        persons = [p for p in scenario["people"] if p.id in population]
        events = [e for e in scenario["events"] if e.subject in population]
        measures: list[Measure] = [m for m in scenario["measures"] if m.subject in population]
        try:
            exact.append(score_many(policy, piece, persons, events, measures))
        except KpiscoreError:  # a population the policy cannot score (tested elsewhere)
            assume(False)
    # score_many counts repeated events: the frames are told to count them too (strict facts).
    if scenario["whole"]:
        frames = _frames(scenario, list(SUBJECTS))
        columnar = list(
            score_frame(
                policy, scenario["period"], *frames, every=scenario["every"], duplicates="allow"
            ).values()
        )
    else:
        for piece, population in zip(scenario["pieces"], scenario["populations"], strict=True):
            columnar.append(
                score_frame(policy, piece, *_frames(scenario, population), duplicates="allow")
            )
    return exact, columnar


def _same_tables(exact: RollupTable | Any, columnar: RollupTable | Any) -> None:
    assert exact.subjects == columnar.subjects
    assert exact.to_rows() == columnar.to_rows()
    assert exact.to_csv() == columnar.to_csv()  # the columns in the same order too
    assert exact.head_rows(3) == columnar.head_rows(3)
    assert exact.totals() == columnar.totals()
    assert exact.ratings() == columnar.ratings()
    assert exact.distribution() == columnar.distribution()
    for subject in exact.subjects:
        assert exact[subject].to_json() == columnar[subject].to_json()
    assert [r.to_json() for r in exact] == [r.to_json() for r in columnar]


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except KpiscoreError as error:
        return type(error).__name__, str(error)


@settings(max_examples=30, deadline=None)
@given(scenarios(), QUOTAS)
def test_columnar_rollup_and_quota_equal_the_exact_path(
    scenario: dict[str, Any], quota: dict[str, Any]
) -> None:
    """Invariant: for any policy (rounding, precision, carried overflow, caps, a minimum share
    worked), any population (everyone every month, or part-year workers), any facts and any
    quota settings (base readings, shares, rounding, tie rules including ties at the cut, a
    secondary key, grouping by unit or by two attributes, a missing attribute), the columnar
    roll-up and quota give the exact path's rows, totals, ratings, plans and per-person
    results (JSON, explanations, quota reasons), or fail with the same error."""
    exact_tables, columnar_tables = _tables(scenario)
    period = scenario["period"]
    exact_year = rollup_many(exact_tables, period)
    columnar_year = rollup_many(columnar_tables, period)
    assert columnar_year.notes[0].startswith("the roll-up was computed from the tables'")
    _same_tables(exact_year, columnar_year)
    subject = exact_year.subjects[0]
    assert exact_year[subject].explain("en") == columnar_year[subject].explain("en")

    plans = _outcome(lambda: plan_quota(exact_year, **quota))
    assert plans == _outcome(lambda: plan_quota(columnar_year, **quota))
    after = _outcome(lambda: apply_quota(exact_year, **quota))
    columnar_after = _outcome(lambda: apply_quota(columnar_year, **quota))
    assert after[0] == columnar_after[0]
    if after[0] != "ok":
        assert after == columnar_after
    else:
        _same_tables(after[1], columnar_after[1])
        for name in after[1].subjects:
            assert after[1][name].explain("vi") == columnar_after[1][name].explain("vi")

    # The quota on one sub-period's scorecards: the score table's own columns.
    month, columnar_month = exact_tables[-1], columnar_tables[-1]
    month_after = _outcome(lambda: apply_quota(month, **quota))
    columnar_month_after = _outcome(lambda: apply_quota(columnar_month, **quota))
    assert month_after[0] == columnar_month_after[0]
    if month_after[0] != "ok":
        assert month_after == columnar_month_after
    else:
        assert month_after[1].to_rows() == columnar_month_after[1].to_rows()
        assert month_after[1].to_csv() == columnar_month_after[1].to_csv()
        for name in month_after[1].subjects:
            assert month_after[1][name].to_json() == columnar_month_after[1][name].to_json()
        # A second quota on the first's result (the next band down) composes.
        again = {**quota, "rating": "B"}
        second = _outcome(lambda: apply_quota(month_after[1], **again))
        columnar_second = _outcome(lambda: apply_quota(columnar_month_after[1], **again))
        assert second[0] == columnar_second[0]
        if second[0] == "ok":
            assert second[1].to_rows() == columnar_second[1].to_rows()
            assert [c.to_json() for c in second[1]] == [c.to_json() for c in columnar_second[1]]
