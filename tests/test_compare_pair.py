"""``variants.compare`` on DataFrames reads the people and events once for both policies
(issue 14, the year pipeline's speed): the same tables and errors as two score_frame calls."""

from __future__ import annotations

import pytest

from kpiscore import Category, Criterion, Deduction, InputError, Policy, score_frame
from kpiscore.variants import compare, overlay
from test_colpay import EVENTS, MEASURES, PEOPLE, POLICY, VARIANT

pd = pytest.importorskip("pandas")


def _same(table: object, other: object) -> None:
    assert table.totals() == other.totals()  # type: ignore[attr-defined]
    assert table.ratings() == other.ratings()  # type: ignore[attr-defined]
    assert table.to_rows() == other.to_rows()  # type: ignore[attr-defined]


def test_compare_on_frames_reads_the_events_once_and_equals_two_calls() -> None:
    from kpiscore.engine.columnar import _year

    calls: dict[str, int] = {"read_events": 0, "read_measures": 0}

    def counting(name: str) -> object:
        real = getattr(_year, name)

        def count(*arguments: object, **options: object) -> object:
            calls[name] += 1
            return real(*arguments, **options)

        return count

    with pytest.MonkeyPatch.context() as patch:
        for name in calls:
            patch.setattr(_year, name, counting(name))
        comparison = compare(POLICY, VARIANT, "2026-03", PEOPLE, EVENTS, MEASURES)
        assert calls == {"read_events": 1, "read_measures": 1}  # the variant reads alike
        lower = overlay(POLICY, {"categories.c.criteria.x.max_points": 99})
        compare(POLICY, lower, "2026-03", PEOPLE, EVENTS, MEASURES)
        assert calls == {"read_events": 2, "read_measures": 3}  # its own check of measures
    _same(comparison.base_table, score_frame(POLICY, "2026-03", PEOPLE, EVENTS, MEASURES))
    _same(comparison.variant_table, score_frame(VARIANT, "2026-03", PEOPLE, EVENTS, MEASURES))


def _problems(error: BaseException) -> list[str]:
    return [str(error), *(str(part) for part in getattr(error, "exceptions", ()))]


def test_compare_on_frames_checks_the_variants_measures_on_their_own() -> None:
    # The variant lowers the assessed maximum: measures the base accepts, the variant refuses.
    lower = overlay(POLICY, {"categories.c.criteria.x.max_points": 50})
    with pytest.raises(InputError) as raised:
        compare(POLICY, lower, "2026-03", PEOPLE, EVENTS, MEASURES)
    with pytest.raises(InputError) as alone:
        score_frame(lower, "2026-03", PEOPLE, EVENTS, MEASURES)
    assert _problems(raised.value) == _problems(alone.value)
    assert "measures" in _problems(raised.value)[1]


def test_compare_on_frames_with_other_kinds_scores_each_policy_alone() -> None:
    extra = Criterion(
        id="late", name="Late", max_points=10, deductions=[Deduction(on="late", points=1)]
    )
    other = Policy(
        id="q",
        name="Q",
        categories=[Category(id="c", name="C", criteria=[*POLICY.categories[0].criteria, extra])],
        bands=list(POLICY.bands),
    )
    assert other.known_kinds != POLICY.known_kinds
    comparison = compare(POLICY, other, "2026-03", PEOPLE, EVENTS, MEASURES)
    _same(comparison.variant_table, score_frame(other, "2026-03", PEOPLE, EVENTS, MEASURES))
    late = pd.DataFrame({"subject": ["nv001"], "kind": ["late"], "on": EVENTS["on"][:1]})
    events = pd.concat([EVENTS, late], ignore_index=True)
    with pytest.raises(InputError) as raised:
        compare(POLICY, other, "2026-03", PEOPLE, events, MEASURES)
    with pytest.raises(InputError) as alone:
        score_frame(POLICY, "2026-03", PEOPLE, events, MEASURES)
    assert _problems(raised.value) == _problems(alone.value)
    assert "late" in str(raised.value)


def test_compare_on_frames_refuses_facts_of_mixed_kinds_by_name() -> None:
    import datetime

    from kpiscore import Event

    events = [Event(subject="nv001", kind="absence", on=datetime.date(2026, 3, 10))]
    with pytest.raises(InputError) as raised:
        compare(POLICY, VARIANT, "2026-03", PEOPLE, events, MEASURES)
    assert str(raised.value) == (
        "compare: events must be a DataFrame (or none) when the other facts are DataFrames"
        " (got list); give every fact as DataFrames, or every fact as Event and Measure objects"
    )
    with pytest.raises(InputError, match=r"compare: measures must be a DataFrame \(or none\)"):
        compare(POLICY, VARIANT, "2026-03", PEOPLE, EVENTS, {"nv001": 1})
    with pytest.raises(InputError) as people:
        compare(POLICY, VARIANT, "2026-03", 7, EVENTS, MEASURES)  # type: ignore[arg-type]
    assert str(people.value) == (
        "compare: people must be a DataFrame or an iterable of Person or id strings (got 7)"
    )
    # An empty list or None is "no events", as no frame: the same table as score_frame's.
    for none in ([], (), None):
        table = compare(POLICY, VARIANT, "2026-03", PEOPLE, none, MEASURES).base_table
        _same(table, score_frame(POLICY, "2026-03", PEOPLE, None, MEASURES))
