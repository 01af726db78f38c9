"""The columnar engine's figures (``engine/columnar/_figures.py``): behaviours that mutation
testing (tools/mutation.py, a partial run) found no test pinned down. Each test names the
mutants it kills; the survivors found equivalent are listed, with the reason, in
``tools/mutation.py``. Two tests pin bugs the examination found, fixed since
(``test_fast_csv_path_names_the_person_the_careful_path_names``,
``test_allowed_duplicates_are_allowed_when_the_exact_engine_scores_everyone``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    MissingInputError,
    Period,
    Policy,
    RatingCap,
    load_measures,
    score_frame,
    score_many,
)

pd = pytest.importorskip("pandas")
Q1 = "2026-Q1"


def test_csv_rows_of_a_columnar_table_are_the_exact_engine_s() -> None:
    """``ScoreTable.csv_rows`` of a columnar table: each criterion's points after the
    categories', an excluded criterion's as ``None`` (``xǁFiguresǁcsv_rows__mutmut_3``, ``_7``)."""
    policy = Policy(
        id="p",
        name="P",
        missing="exclude",
        categories=[
            Category(
                id="rest",
                name="Rest",
                criteria=[
                    Criterion(id="work", name="Work", max_points=40, basis="assessed"),
                    Criterion(id="base", name="Base", max_points=60),
                ],
            )
        ],
    )
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["work"], "value": [7]})
    table = score_frame(policy, Q1, ["a", "b"], None, measures)
    exact = score_many(
        policy, Q1, ["a", "b"], [], [Measure(subject="a", criterion="work", value=7)]
    )
    assert exact.csv_rows() == table.csv_rows()
    assert [list(row) for row in exact.csv_rows()] == [list(row) for row in table.csv_rows()]
    assert ["rest", "work", "base", "carried"] == list(table.csv_rows()[0])[8:12]
    assert [None, 7] == [
        row["work"] if row["work"] is None else int(row["work"]) for row in table.csv_rows()
    ][::-1]


def test_rows_read_every_attribute_in_kpiscore_s_context() -> None:
    """Each row's name, group and position, its ratings ``None`` without bands, and its figures
    formatted in kpiscore's own decimal context (``xǁFiguresǁrows__mutmut_12``…``_41``, ``_66``;
    ``xǁFiguresǁ_decimal__mutmut_2``, ``_4``; ``xǁFiguresǁratings__mutmut_3``)."""
    import decimal

    from kpiscore import Person

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points=1234)])
        ],
    )
    people = pd.DataFrame(
        {"id": ["a", "b"], "name": ["An", None], "group": ["G", "H"], "position": [None, "P"]}
    )
    persons = [Person(id="a", name="An", group="G"), Person(id="b", group="H", position="P")]
    table = score_frame(policy, Q1, people, None)
    exact = score_many(policy, Q1, persons)
    with decimal.localcontext(decimal.Context(prec=2, traps=[decimal.Rounded])):
        assert exact.csv_rows() == table.csv_rows()
    assert (None, None) == table.ratings()


# --------------------------------------------------------------------------- the 94 survivors
# The survivors of the run of the version whose SHA-256 starts 114130e4b96f55ac (examined in
# mut19b); the ones equivalent are listed, with the reason, in tools/mutation.py.

TOP_BANDS = [Band(id="A", min_points=50, name="A"), Band(id="B", min_points=0, name="B")]


def _fine_policy(bands: list[Band] | None = None) -> Policy:
    """A policy whose scaled figures leave int64: the columnar engine hands everyone to the
    exact engine (``_fallback_all``)."""
    return Policy(
        id="fine",
        name="Fine",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="x",
                        name="X",
                        max_points=100,
                        deductions=[Deduction(on="x", points=Decimal("0.000001"), per="unit")],
                    )
                ],
            )
        ],
        bands=bands or [],
    )


def _fine_events() -> tuple[Any, list[Event]]:
    quantity = Decimal("99999999.999999")
    frame = pd.DataFrame(
        {
            "subject": ["a", "b"],
            "kind": ["x", "x"],
            "on": pd.to_datetime(["2026-01-05", "2026-01-06"]),
            "quantity": [str(quantity), "1"],
        }
    )
    events = [
        Event(subject="a", kind="x", on=date(2026, 1, 5), quantity=quantity),
        Event(subject="b", kind="x", on=date(2026, 1, 6), quantity=1),
    ]
    return frame, events


def test_totals_are_read_in_kpiscore_s_context() -> None:
    """``ScoreTable.totals()`` of a columnar table, asked under a hostile decimal context, is
    still exact (``xǁFiguresǁtotals__mutmut_5``, ``_7``: the caller's context rounded 115.25
    to 115)."""
    import decimal

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(id="c", name="C", criteria=[Criterion(id="x", name="X", max_points="115.25")])
        ],
    )
    table = score_frame(policy, Q1, ["a"], None)
    with decimal.localcontext(decimal.Context(prec=3)):
        assert (Decimal("115.25"),) == table.totals()
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Rounded])):
        assert (Decimal("115.25"),) == table.totals()


def test_fallback_all_with_bands_reads_integer_ranks() -> None:
    """A table the exact engine scored whole (figures past int64) with bands: its ratings,
    distribution and CSV are the exact engine's. (Written for ``xǁFiguresǁ_from_cards__mutmut_27``,
    ``_30``, ``_36``, ``_39``, which turned out equivalent: ``np.full(n, -1)`` without a dtype
    is int64 too; kept, as no other test reads the ranks of such a table.)"""
    policy = _fine_policy(TOP_BANDS)
    frame, events = _fine_events()
    table = score_frame(policy, Q1, ["a", "b"], frame)
    expected = score_many(policy, Q1, ["a", "b"], events)
    assert table.notes[0].startswith("every person was scored by the exact engine")
    assert ("B", "A") == expected.ratings() == table.ratings()
    assert {"A": 1, "B": 1} == table.distribution()
    assert expected.to_csv() == table.to_csv()
    assert ["B", "A"] == [row["score_rating"] for row in table.csv_rows()]


def test_compare_frames_reads_each_table_s_figures() -> None:
    """:func:`kpiscore.variants.compare` on DataFrames reads each total through
    ``Figures.figure`` (``xǁFiguresǁfigure__mutmut_1``), and a person without a rating as rank
    -1 (``xǁFiguresǁ_from_cards__mutmut_100``: -2 read another band's position, or past the end
    of a policy without bands), in a table the exact engine scored whole."""
    from kpiscore.variants import compare

    base = _fine_policy()
    variant = attrs.evolve(base, name="Variant")
    frame, events = _fine_events()
    by_frames = compare(base, variant, Q1, ["a", "b"], frame)
    by_objects = compare(base, variant, Q1, ["a", "b"], events)
    assert by_frames.base_table.notes[0].startswith("every person was scored by the exact")
    assert by_objects.to_csv() == by_frames.to_csv()
    assert by_objects.to_json() == by_frames.to_json()
    assert [(None, None)] * 2 == [(row.base_rating, row.variant_rating) for row in by_frames.rows]
    assert [Decimal("0.00")] * 2 == [row.delta for row in by_frames.rows]


def test_compare_frames_with_an_excluded_person_and_no_bands() -> None:
    """A person the exact engine scored (a measure excluded) without a rating is rank -1 in the
    columns compared (``xǁFiguresǁ_from_cards__mutmut_100``)."""
    from kpiscore.variants import compare

    base = Policy(
        id="p",
        name="P",
        missing="exclude",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="w", name="W", max_points=40, basis="assessed"),
                    Criterion(id="x", name="X", max_points=60),
                ],
            )
        ],
    )
    variant = attrs.evolve(base, name="Variant")
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["w"], "value": [30]})
    objects = [Measure(subject="a", criterion="w", value=30)]
    by_frames = compare(base, variant, Q1, ["a", "b"], None, measures)
    by_objects = compare(base, variant, Q1, ["a", "b"], [], objects)
    assert by_objects.to_csv() == by_frames.to_csv()
    assert [None, None] == [row.base_rating for row in by_frames.rows]


def test_a_quota_on_a_quota_s_table_keeps_both_lines() -> None:
    """A quota applied to a columnar table another quota re-rated: each scorecard carries both
    quotas' lines, in order (``x_then__mutmut_2``…``_11``; ``xǁFiguresǁrerated__mutmut_5``: the
    first quota's line lost)."""
    from kpiscore.quota import apply_quota

    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[Criterion(id="x", name="X", max_points=100, basis="assessed")],
            )
        ],
        bands=[
            Band(id="HTXS", min_points=90, name="HTXS"),
            Band(id="HTT", min_points=70, name="HTT"),
            Band(id="HT", min_points=50, name="HT"),
            Band(id="KHT", min_points=0, name="KHT"),
        ],
    )
    points = {"a": 95, "b": 91, "c": 90, "d": 80, "e": 75, "f": 72, "g": 71, "h": 60}
    subjects = list(points)
    frame = pd.DataFrame(
        {"subject": subjects, "criterion": ["x"] * len(points), "value": list(points.values())}
    )
    objects = [Measure(subject=s, criterion="x", value=v) for s, v in points.items()]
    columnar = score_frame(policy, Q1, subjects, None, frame)
    exact = score_many(policy, Q1, subjects, [], objects)
    results = []
    for table in (columnar, exact):
        once = apply_quota(table, "HTXS", "0.20", base="next")
        results.append(apply_quota(once, "HTT", "0.20", base="next"))
    twice, expected = results
    assert twice.notes == columnar.notes  # the columns, re-rated twice
    assert expected.ratings() == twice.ratings()
    for subject in subjects:
        assert expected[subject].adjustments == twice[subject].adjustments
        assert expected[subject] == twice[subject]
    # b and c left HTXS (allowed 1 of 3), then the HTT quota moved the lowest of HTT down.
    assert ["quota", "quota"] == [line.kind for line in twice["c"].adjustments]
    assert expected.to_json() == twice.to_json()


def _files(tmp_path: Path, people: str, measures: str) -> tuple[Path, Path]:
    (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    (tmp_path / "measures.csv").write_text(measures, encoding="utf-8")
    return tmp_path / "people.csv", tmp_path / "measures.csv"


ASSESSED = Policy(
    id="p",
    name="P",
    categories=[
        Category(
            id="c",
            name="C",
            criteria=[
                Criterion(id="w1", name="W1", max_points=40, basis="assessed"),
                Criterion(id="w2", name="W2", max_points=40, basis="assessed"),
            ],
        )
    ],
)


def test_fast_csv_path_names_the_person_of_a_refused_measure(tmp_path: Path) -> None:
    """The CSV fast path does not range-check measures while reading: the figures do, naming
    the first row holding the refused value, here the first person in population order, as
    the exact engine does (``xǁFiguresǁ_check_measures__mutmut_16``…``_31``)."""
    from kpiscore.io.fastcsv import score_csv_files

    people, measures = _files(
        tmp_path,
        "id\na\nb\nc\n",
        "subject,criterion,value\na,w1,7\nb,w1,50\nc,w1,50\na,w2,1\nb,w2,1\nc,w2,1\n",
    )
    period = Period.parse(Q1)
    with pytest.raises(InputError) as fast:
        score_csv_files(ASSESSED, period, people, None, measures)
    with pytest.raises(InputError) as careful:
        score_many(ASSESSED, period, ["a", "b", "c"], [], load_measures(measures))
    expected = (
        "policy 'p': measure for criterion 'w1' of subject 'b': value must lie in [0, 40] (got 50)"
    )
    assert expected == str(careful.value) == str(fast.value)
    assert type(careful.value) is type(fast.value)


@pytest.mark.parametrize(
    "rows",
    [
        # Rows out of population order: b's refused 50 comes first, a's follows.
        "c,w1,7\nb,w1,50\na,w1,50\na,w2,1\nb,w2,1\nc,w2,1\n",
        # b's refused w1 comes first; a, earlier in the population, has one in w2.
        "b,w1,50\na,w1,1\na,w2,60\nb,w2,1\nc,w1,1\nc,w2,1\n",
        # One person, two refused values: the first criterion in policy order is named.
        "a,w2,70\na,w1,50\nb,w1,1\nb,w2,1\nc,w1,1\nc,w2,1\n",
    ],
    ids=["out-of-order", "earliest-person", "first-criterion"],
)
def test_fast_csv_path_names_the_person_the_careful_path_names(rows: str, tmp_path: Path) -> None:
    """The fast path (``Figures._check_measures``) named the first row holding a refused
    value; ``score_many`` on the careful reader's measures names the first person scored (in
    population order), at that person's first such criterion (in policy order).
    ``score_csv_files`` promises never a different result."""
    from kpiscore.io.fastcsv import score_csv_files

    people, measures = _files(tmp_path, "id\na\nb\nc\n", "subject,criterion,value\n" + rows)
    period = Period.parse(Q1)
    with pytest.raises(InputError) as careful:
        score_many(ASSESSED, period, ["a", "b", "c"], [], load_measures(measures))
    with pytest.raises(InputError) as fast:
        score_csv_files(ASSESSED, period, people, None, measures)
    assert str(careful.value) == str(fast.value)
    assert "of subject 'a'" in str(fast.value)


def test_carry_counts_nothing_when_a_deduction_stays_above_the_floor() -> None:
    """A carrying criterion whose deductions stay above its floor carries 0, not one unit of
    the scale (``xǁFiguresǁ_deduct__mutmut_35``)."""
    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="x",
                        name="X",
                        max_points=10,
                        overflow="carry",
                        deductions=[Deduction(on="late", points=3)],
                    ),
                    Criterion(id="y", name="Y", max_points=90),
                ],
            )
        ],
    )
    frame = pd.DataFrame(
        {"subject": ["a", "b"], "kind": ["late"] * 2, "on": pd.to_datetime(["2026-01-05"] * 2)}
    )
    events = [Event(subject=s, kind="late", on=date(2026, 1, 5)) for s in ("a", "b")]
    table = score_frame(policy, Q1, ["a", "b", "c"], frame)
    expected = score_many(policy, Q1, ["a", "b", "c"], events)
    assert (Decimal("97.00"), Decimal("97.00"), Decimal("100.00")) == table.totals()
    assert expected.to_csv() == table.to_csv()
    assert [Decimal(0)] * 3 == [row["carried"] for row in table.to_rows()]


def _many_kinds(count: int) -> tuple[Policy, Any, list[Event]]:
    """A policy knowing ``count`` event kinds (one scored, ``late``, listed first in the
    events), one live event of each for ``a``, and an excused ``late`` for ``b``."""
    others = [f"k{i}" for i in range(count - 1)]
    policy = Policy(
        id="p",
        name="P",
        other_kinds=others,
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="x", name="X", max_points=10, deductions=[Deduction(on="late", points=1)]
                    )
                ],
            )
        ],
    )
    kinds = ["late", *others, "late"]
    subjects = ["a"] * count + ["b"]
    frame = pd.DataFrame(
        {
            "subject": subjects,
            "kind": kinds,
            "on": pd.to_datetime(["2026-01-05"] * (count + 1)),
            "excused": [False] * count + [True],
        }
    )
    events = [
        Event(subject=s, kind=k, on=date(2026, 1, 5), excused=i == count)
        for i, (s, k) in enumerate(zip(subjects, kinds, strict=True))
    ]
    return policy, frame, events


def test_256_event_kinds_keep_the_dead_events_apart() -> None:
    """With 256 kinds the dead events' bucket (code 256) needs 16 bits: in 8 bits it would
    wrap onto the first kind, or overflow (``xǁFiguresǁ_requested__mutmut_36``, ``_39``)."""
    policy, frame, events = _many_kinds(256)
    table = score_frame(policy, Q1, ["a", "b"], frame)
    assert (Decimal("9.00"), Decimal("10.00")) == table.totals()
    assert score_many(policy, Q1, ["a", "b"], events).totals() == table.totals()


def test_65536_event_kinds_keep_the_dead_events_apart() -> None:
    """With 65,536 kinds the dead events' bucket (code 65,536) needs more than 16 bits
    (``xǁFiguresǁ_requested__mutmut_42``, ``_44``, ``_46``, ``_47``). Under a second: not
    marked slow."""
    policy, frame, _ = _many_kinds(2**16)
    table = score_frame(policy, Q1, ["a", "b"], frame)
    assert (Decimal("9.00"), Decimal("10.00")) == table.totals()


def test_a_year_of_an_excused_measure_keeps_the_top_band() -> None:
    """A person the exact engine scored (a measure excluded) without a cap event carries no
    cap to the year's roll-up (``xǁFiguresǁ_from_cards__mutmut_107``: a cap at rank 1 moved
    a to B)."""
    from kpiscore.rollup import rollup_many

    policy = Policy(
        id="p",
        name="P",
        missing="exclude",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(id="w", name="W", max_points=40, basis="assessed"),
                    Criterion(id="x", name="X", max_points=60),
                ],
            )
        ],
        bands=TOP_BANDS,
    )
    measures = pd.DataFrame({"subject": ["b"], "criterion": ["w"], "value": [40]})
    months = score_frame(policy, Q1, ["a", "b"], None, measures, every="month")
    assert all(t.notes and t.notes[0].startswith("1 people") for t in months.values())
    year = rollup_many(months.values(), Q1)
    assert year.notes[0].startswith("the roll-up was computed from the tables")
    objects = [Measure(subject="b", criterion="w", value=40)]
    exact = [score_many(policy, piece, ["a", "b"], [], objects) for piece in months]
    expected = rollup_many(exact, Q1)
    assert ("A", "A") == expected.ratings() == year.ratings()
    assert expected.to_csv() == year.to_csv()


def test_allowed_duplicates_are_allowed_when_the_exact_engine_scores_everyone() -> None:
    """``duplicates="allow"`` counts two events sharing a ref; with figures past int64 the
    columnar engine hands everyone to ``score_many``, which must count them too (it used to
    raise DuplicateEventError)."""
    policy = _fine_policy()
    quantity = Decimal("99999999.999999")
    frame = pd.DataFrame(
        {
            "subject": ["a", "a"],
            "kind": ["x", "x"],
            "on": pd.to_datetime(["2026-01-05", "2026-01-06"]),
            "quantity": [str(quantity), "1"],
            "ref": ["r1", "r1"],
        }
    )
    events = [
        Event(subject="a", kind="x", on=date(2026, 1, 5), quantity=quantity, ref="r1"),
        Event(subject="a", kind="x", on=date(2026, 1, 6), quantity=1, ref="r1"),
    ]
    expected = score_many(policy, Q1, ["a"], events, duplicates="allow")
    table = score_frame(policy, Q1, ["a"], frame, duplicates="allow")
    assert (Decimal("0.00"),) == expected.totals() == table.totals()


# ------------------------------------------- survivors of the continued run (mut19b, partial)


def test_every_month_with_a_kind_of_another_month_only() -> None:
    """Every month scored from one events frame: January has no event of kind ``b`` (its
    code is the last), so the kinds' bounds must still cover it
    (``xǁFiguresǁ_requested__mutmut_72``, ``_73``: an IndexError)."""
    policy = Policy(
        id="p",
        name="P",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[
                    Criterion(
                        id="x",
                        name="X",
                        max_points=10,
                        deductions=[
                            Deduction(on="a", points=1),
                            Deduction(on="b", points=2),
                        ],
                    )
                ],
            )
        ],
    )
    frame = pd.DataFrame(
        {
            "subject": ["p", "p"],
            "kind": ["a", "b"],
            "on": pd.to_datetime(["2026-01-05", "2026-02-05"]),
        }
    )
    months = score_frame(policy, Q1, ["p"], frame, every="month")
    assert [(Decimal("9.00"),), (Decimal("8.00"),), (Decimal("10.00"),)] == [
        table.totals() for table in months.values()
    ]


def test_two_carrying_criteria_add_their_overflow() -> None:
    """Two carrying criteria overflowing their floors for one person: the carried points add
    up (``xǁFiguresǁ_deduct__mutmut_21``: the second replaced the first); a per-unit deduction
    with a decimal quantity is scaled by a power of ten (``xǁFiguresǁ_requested__mutmut_31``)."""
    criteria = [
        Criterion(
            id=name,
            name=name,
            max_points=5,
            overflow="carry",
            deductions=[Deduction(on=name, points=1, per="unit")],
        )
        for name in ("x", "y")
    ]
    criteria.append(Criterion(id="z", name="Z", max_points=90))
    policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=criteria)])
    rows = [("a", "x", "7.5"), ("a", "y", "6"), ("b", "y", "1.25")]
    frame = pd.DataFrame(
        {
            "subject": [s for s, _, _ in rows],
            "kind": [k for _, k, _ in rows],
            "on": pd.to_datetime(["2026-01-05"] * len(rows)),
            "quantity": [q for _, _, q in rows],
        }
    )
    events = [Event(subject=s, kind=k, on=date(2026, 1, 5), quantity=q) for s, k, q in rows]
    table = score_frame(policy, Q1, ["a", "b", "c"], frame)
    expected = score_many(policy, Q1, ["a", "b", "c"], events)
    # a: both criteria at 0, carrying 2.5 and 1: 90 - 3.5; b: 100 - 1.25.
    assert (Decimal("86.50"), Decimal("98.75"), Decimal("100.00")) == table.totals()
    assert expected.to_csv() == table.to_csv()


def _one(*criteria: Criterion, **options: Any) -> Policy:
    return Policy(
        id="p",
        name="P",
        categories=[Category(id="c", name="C", criteria=list(criteria))],
        **options,
    )


def _same_as_exact(
    policy: Policy, people: list[str], events: list[Event], measures: list[Measure]
) -> Any:
    """The columnar table of these facts, checked against the exact engine's."""
    event_frame = (
        pd.DataFrame(
            {
                "subject": [e.subject for e in events],
                "kind": [e.kind for e in events],
                "on": pd.to_datetime([e.on for e in events]),
                "quantity": [str(e.quantity) for e in events],
                "excused": [e.excused for e in events],
            }
        )
        if events
        else None
    )
    measure_frame = (
        pd.DataFrame(
            {
                "subject": [m.subject for m in measures],
                "criterion": [m.criterion for m in measures],
                "value": [str(m.value) for m in measures],
            }
        )
        if measures
        else None
    )
    table = score_frame(policy, Q1, people, event_frame, measure_frame)
    expected = score_many(policy, Q1, people, events, measures)
    assert expected.to_csv() == table.to_csv()
    assert expected.notices == table.notices
    return table


def test_notices_count_the_events_outside_the_period_and_the_excused() -> None:
    """``x_score_columns__mutmut_13``…``_33``: the table's notices."""
    policy = _one(
        Criterion(id="x", name="X", max_points=10, deductions=[Deduction(on="k", points=1)])
    )
    events = [
        Event(subject="a", kind="k", on=date(2026, 1, 5)),
        Event(subject="a", kind="k", on=date(2026, 1, 6), excused=True),
        Event(subject="a", kind="k", on=date(2026, 4, 6)),
        Event(subject="a", kind="k", on=date(2026, 5, 6)),
    ]
    table = _same_as_exact(policy, ["a"], events, [])
    assert len(table.notices) == 2


def test_the_scale_covers_every_input_s_places() -> None:
    """Each input alone needing a third place: a maximum (``xǁFiguresǁcompute__mutmut_23``), a
    per-unit deduction of 0.25 × 0.5 (``_29``, ``_31``…``_33``), a ratio of 0.25 × 12.5
    (``_39``, ``_43``)."""
    maximum = _one(
        Criterion(id="m", name="M", max_points="10.125"),
        Criterion(id="n", name="N", max_points="0.875"),
    )
    assert (Decimal("11.00"),) == _same_as_exact(maximum, ["a"], [], []).totals()
    unit = _one(
        Criterion(
            id="u",
            name="U",
            max_points=10,
            deductions=[Deduction(on="k", points="0.25", per="unit")],
        ),
        rounding="ROUND_DOWN",  # 9.875 is 9.87; 0.125 cut to 0.12 would give 9.88
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5), quantity="0.5")]
    assert (Decimal("9.87"), Decimal("10.00")) == _same_as_exact(
        unit, ["a", "b"], events, []
    ).totals()
    ratio = _one(
        Criterion(id="r", name="R", max_points="12.5", basis="ratio"),
        Criterion(id="z", name="Z", max_points="0.5"),
    )
    measures = [Measure(subject="a", criterion="r", value="0.25")]
    assert (Decimal("3.63"),) == _same_as_exact(ratio, ["a"], [], measures).totals()


def test_a_capped_ratio_starts_at_the_maximum() -> None:
    """A ratio above 1 with ``ratio_cap`` starts at the maximum, before its deductions
    (``_compute_starts__mutmut_42``: capped at 2 instead of 1, 15 - 3 clipped to 10); a large
    assessed value is scaled in int64, not float64 (``_compute_starts__mutmut_37``, ``_39``)."""
    big = Decimal("98765432109876.53")  # 9,876,543,210,987,653 units: odd, past 2**53
    policy = _one(
        Criterion(
            id="r",
            name="R",
            max_points=10,
            basis="ratio",
            ratio_cap=True,
            deductions=[Deduction(on="k", points=3)],
        ),
        Criterion(id="w", name="W", max_points=big, basis="assessed"),
    )
    measures = [
        Measure(subject="a", criterion="r", value="1.5"),
        Measure(subject="a", criterion="w", value=big),
    ]
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
    table = _same_as_exact(policy, ["a"], events, measures)
    assert () == table.notes
    assert (big + 7,) == table.totals()  # the capped start 10, less 3


def test_the_first_missing_measure_is_the_first_criterion_s() -> None:
    """Two criteria lacking a measure for the first person: the error names the first in
    the policy's order, not the first by id (``_compute_starts__mutmut_93``, ``_95``)."""
    policy = _one(
        Criterion(id="zeta", name="Z", max_points=10, basis="assessed"),
        Criterion(id="alpha", name="A", max_points=10, basis="assessed"),
    )
    measures = pd.DataFrame(
        {"subject": ["b", "b"], "criterion": ["zeta", "alpha"], "value": [1, 2]}
    )
    with pytest.raises(MissingInputError) as columnar:
        score_frame(policy, Q1, ["a", "b"], None, measures)
    with pytest.raises(MissingInputError) as exact:
        score_many(
            policy,
            Q1,
            ["a", "b"],
            [],
            [
                Measure(subject="b", criterion="zeta", value=1),
                Measure(subject="b", criterion="alpha", value=2),
            ],
        )
    assert str(exact.value) == str(columnar.value)
    assert "'zeta'" in str(columnar.value)


def test_people_excluded_for_any_criterion() -> None:
    """a lacks one measure, b the other: both are excluded and scored by the exact engine
    (``_compute_starts__mutmut_84``: the second criterion's replaced the first's)."""
    policy = _one(
        Criterion(id="v", name="V", max_points=10, basis="assessed"),
        Criterion(id="w", name="W", max_points=10, basis="assessed"),
        Criterion(id="x", name="X", max_points=80),
        missing="exclude",
    )
    measures = [
        Measure(subject="a", criterion="w", value=5),
        Measure(subject="b", criterion="v", value=5),
    ]
    table = _same_as_exact(policy, ["a", "b"], [], measures)
    assert table.notes[0].startswith("2 people were scored by the exact engine")


def test_a_cap_event_caps_the_rating() -> None:
    """A live cap event caps its person's rating, an excused one does not
    (``xǁFiguresǁ_cap_ranks__mutmut_15``…``_22``)."""
    policy = _one(
        Criterion(id="x", name="X", max_points=100),
        bands=TOP_BANDS,
        caps=[RatingCap(on="reprimand", at_most="B")],
    )
    events = [
        Event(subject="a", kind="reprimand", on=date(2026, 1, 5)),
        Event(subject="b", kind="reprimand", on=date(2026, 1, 5), excused=True),
    ]
    table = _same_as_exact(policy, ["a", "b", "c"], events, [])
    assert ("B", "A", "A") == table.ratings()


def test_figures_near_the_int64_bound_stay_in_the_columns() -> None:
    """Figures just inside the int64 bound at the scale the inputs need: the columns score
    them, with no note. (Meant for ``xǁFiguresǁcompute__mutmut_18``, ``_34``, a scale one
    place finer: this input is not close enough to the bound to catch them; see
    tools/mutation_survivors.py's NOT_KILLED.)"""
    policy = _one(
        Criterion(
            id="big",
            name="Big",
            max_points=5 * 10**14,
            deductions=[Deduction(on="k", points=1)],
        ),
        Criterion(id="w", name="W", max_points=10, basis="assessed"),
        missing="zero",
    )
    table = _same_as_exact(policy, ["a"], [], [])
    assert () == table.notes


def test_places_of_a_measure_and_a_quantity_near_the_int64_bound() -> None:
    """An assessed maximum of 2 places and a value of 1 need no third place, nor does an
    occurrence's decimal quantity (``xǁFiguresǁcompute__mutmut_40``, ``_44``; not ``_30``)."""
    policy = _one(
        Criterion(
            id="big",
            name="Big",
            max_points=10**14,
            deductions=[Deduction(on="k", points=1)],
        ),
        Criterion(id="w", name="W", max_points="0.25", basis="assessed"),
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5), quantity="0.5")]
    measures = [Measure(subject="a", criterion="w", value="0.2")]
    table = _same_as_exact(policy, ["a"], events, measures)
    assert () == table.notes


def test_months_of_different_scales_share_no_starts() -> None:
    """Every month from one measures frame: January needs a finer scale (a per-unit 0.25 ×
    0.5) than February, so February's starts are not January's (``xǁFiguresǁ_starts__mutmut_12``:
    a start cached at another scale reused)."""
    policy = _one(
        Criterion(
            id="u",
            name="U",
            max_points=10,
            deductions=[Deduction(on="k", points="0.25", per="unit")],
        ),
        Criterion(id="w", name="W", max_points=10, basis="assessed"),
    )
    events = pd.DataFrame(
        {"subject": ["a"], "kind": ["k"], "on": pd.to_datetime(["2026-01-05"]), "quantity": ["0.5"]}
    )
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["w"], "value": ["7"]})
    months = score_frame(policy, Q1, ["a"], events, measures, every="month")
    assert [(Decimal("16.88"),), (Decimal("17.00"),), (Decimal("17.00"),)] == [
        table.totals() for table in months.values()
    ]


def test_compare_frames_with_a_ratio_whose_maximum_the_variant_changes() -> None:
    """The base and the variant read one measures frame: each scores it with its own maximum
    (``xǁFiguresǁ_starts__mutmut_8``: the start cached for the other policy reused)."""
    from kpiscore.variants import compare

    base = _one(Criterion(id="r", name="R", max_points=10, basis="ratio"))
    variant = _one(Criterion(id="r", name="R", max_points=20, basis="ratio"))
    measures = pd.DataFrame({"subject": ["a"], "criterion": ["r"], "value": ["0.5"]})
    objects = [Measure(subject="a", criterion="r", value="0.5")]
    by_frames = compare(base, variant, Q1, ["a"], None, measures)
    by_objects = compare(base, variant, Q1, ["a"], [], objects)
    assert by_objects.to_csv() == by_frames.to_csv()
    assert [Decimal("5.00")] == [row.delta for row in by_frames.rows]


def test_awards_reach_only_their_people() -> None:
    """Awards (computed densely, for everyone) of people listed before one without events:
    each column is as long as the population (``xǁFiguresǁ_requested__mutmut_98``, ``_119``:
    a shorter column broadcast a's award to b, or failed)."""
    policy = _one(
        Criterion(
            id="x",
            name="X",
            max_points=10,
            basis="zero",
            awards=[Award(on="k", points=1, per="unit"), Award(on="j", points=2)],
        ),
    )
    events = [
        Event(subject="a", kind="k", on=date(2026, 1, 5), quantity="1.5"),
        Event(subject="a", kind="j", on=date(2026, 1, 5)),
    ]
    table = _same_as_exact(policy, ["a", "b"], events, [])
    assert (Decimal("3.50"), Decimal("0.00")) == table.totals()


# ------------------------------------ survivors of the resumed run (mut19c: the 426 left)


def test_an_untouched_criterion_s_points_round_in_the_policy_s_mode() -> None:
    """A criterion no fact touches, worth 10.125 points, reports 10.13 under ROUND_HALF_UP
    (``xǁFiguresǁcompute__mutmut_139``: rounded half-even, 10.12)."""
    policy = _one(
        Criterion(id="m", name="M", max_points="10.125"),
        Criterion(id="n", name="N", max_points="0.875"),
        rounding="ROUND_HALF_UP",
    )
    table = _same_as_exact(policy, ["a"], [], [])
    row = table.csv_rows()[0]
    assert (Decimal("10.13"), Decimal("0.88")) == (row["m"], row["n"])


def test_a_criterion_that_does_not_carry_keeps_its_overflow() -> None:
    """Deductions past a non-carrying criterion's floor are lost, not carried to the total
    (``xǁFiguresǁcompute__mutmut_163``: carried, 90 became 85)."""
    policy = _one(
        Criterion(id="x", name="X", max_points=10, deductions=[Deduction(on="k", points=15)]),
        Criterion(id="y", name="Y", max_points=90),
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
    table = _same_as_exact(policy, ["a", "b"], events, [])
    assert (Decimal("90.00"), Decimal("100.00")) == table.totals()
    assert [Decimal(0)] * 2 == [row["carried"] for row in table.to_rows()]


def test_a_criterion_starting_at_zero_carries_its_whole_deduction() -> None:
    """A carrying criterion that starts at 0 (``basis="zero"``) carries every point its
    deduction takes (``xǁFiguresǁcompute__mutmut_166``: started one unit above 0, it carried
    a hundredth less: 87.01)."""
    policy = _one(
        Criterion(
            id="x",
            name="X",
            max_points=10,
            basis="zero",
            overflow="carry",
            deductions=[Deduction(on="k", points=3)],
        ),
        Criterion(id="y", name="Y", max_points=90),
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
    table = _same_as_exact(policy, ["a", "b"], events, [])
    assert (Decimal("87.00"), Decimal("90.00")) == table.totals()
    assert [Decimal(3), Decimal(0)] == [row["carried"] for row in table.to_rows()]


def test_a_carrying_criterion_with_awards_carries_only_past_its_floor() -> None:
    """A carrying criterion with an award (computed densely, for everyone): people above its
    floor carry nothing, one below it carries what passed it (``xǁFiguresǁcompute__mutmut_221``:
    everyone above carried a hundredth)."""
    policy = _one(
        Criterion(
            id="x",
            name="X",
            max_points=10,
            overflow="carry",
            awards=[Award(on="j", points=1)],
            deductions=[Deduction(on="k", points=3)],
        ),
        Criterion(id="y", name="Y", max_points=90),
    )
    events = [
        Event(subject="a", kind="k", on=date(2026, 1, 5)),
        *(Event(subject="b", kind="k", on=date(2026, 1, day)) for day in range(5, 10)),
        Event(subject="c", kind="j", on=date(2026, 1, 5)),
    ]
    table = _same_as_exact(policy, ["a", "b", "c", "d"], events, [])
    # a: 10 - 3; b: 10 - 15, floored at 0, carries 5; c: 10 + 1, capped at 10.
    assert (Decimal("97.00"), Decimal("85.00"), Decimal("100.00"), Decimal("100.00")) == (
        table.totals()
    )
    assert [0, 5, 0, 0] == [int(row["carried"]) for row in table.to_rows()]


# The int64 bound (``Figures._fits``): ``(largest rule × largest quantity × events + largest
# points) × 10^(scale + quantity places) × multiplier × criteria × denominator × 10 < 2**62``.
# Each input below puts the bound just under 2**62 (the columns score it, no note), so that a
# bound any larger hands everyone to the exact engine (a note). Every number stays below
# 10**15, as the policy and the facts require.

_BOUND = 2**62


def _near_the_bound(policy: Policy, events: list[Event]) -> Any:
    table = _same_as_exact(policy, ["a", "b"], events, [])
    assert () == table.notes
    return table


def test_a_rule_s_points_just_inside_the_int64_bound() -> None:
    """A deduction of 440000000000000.001 points (scale 3): (points + 10) × 10^3 × 10 is 0.95
    × 2**62. A factor 11 for 10 (``xǁFiguresǁ_fits__mutmut_4``, ``_71``), a largest quantity
    or an event count of 2 at least (``_40``, ``_52``), a multiplier or denominator of 2 at
    least (``_62``, ``_65``) or a scale one place finer for a count rule
    (``xǁFiguresǁcompute__mutmut_34``) leave it."""
    points = Decimal("440000000000000.001")
    assert 0.9 * _BOUND < (points + 10) * 10**4 < _BOUND
    policy = _one(
        Criterion(id="x", name="X", max_points=10, deductions=[Deduction(on="k", points=points)])
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
    assert (Decimal("0.00"), Decimal("10.00")) == _near_the_bound(policy, events).totals()


def test_a_quantity_just_inside_the_int64_bound() -> None:
    """A count deduction of 1 point on an event of quantity 4.4e14, beside a deduction of
    0.001 (scale 3): a largest rule of 2 at least (``xǁFiguresǁ_fits__mutmut_46``) or an event
    count of 2 at least (``_52``) leave the bound."""
    quantity = 44 * 10**13
    assert 0.9 * _BOUND < (quantity + 10) * 10**4 < _BOUND
    policy = _one(
        Criterion(
            id="x",
            name="X",
            max_points=10,
            deductions=[Deduction(on="k", points=1), Deduction(on="j", points="0.001")],
        )
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5), quantity=quantity)]
    assert (Decimal("9.00"), Decimal("10.00")) == _near_the_bound(policy, events).totals()


def test_points_of_one_just_inside_the_int64_bound() -> None:
    """Two criteria of 1 point and a deduction of 10^-17 (scale 17): (1 + 1) × 10^17 × 2 × 10
    is 0.87 × 2**62, the largest points being 1 (``xǁFiguresǁ_fits__mutmut_8``: a least
    largest of 2 left the bound)."""
    policy = _one(
        Criterion(id="x", name="X", max_points=1, deductions=[Deduction(on="k", points="1E-17")]),
        Criterion(id="y", name="Y", max_points=1),
    )
    assert (Decimal("2.00"), Decimal("2.00")) == _near_the_bound(policy, []).totals()


def test_no_measure_needs_no_place() -> None:
    """A ratio criterion of 0.01 points nobody has a measure for (``missing="zero"``) beside
    a deduction of 9e14: (9e14 + 10) × 10^2 × 2 × 10 is 0.39 × 2**62; a value place counted
    without values (``xǁFiguresǁcompute__mutmut_18``: a scale of 3) leaves the bound."""
    points = 9 * 10**14
    assert (points + 10) * 2000 * 10 > _BOUND > (points + 10) * 2000
    policy = _one(
        Criterion(id="x", name="X", max_points=10, deductions=[Deduction(on="k", points=points)]),
        Criterion(id="w", name="W", max_points="0.01", basis="ratio"),
        missing="zero",
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
    assert (Decimal("0.00"), Decimal("10.00")) == _near_the_bound(policy, events).totals()


def test_a_count_rule_needs_no_quantity_place() -> None:
    """A count deduction of 200000000000000.01 points on an event of quantity 0.5: the scale
    is the points' 2 places (a count rule's points are not multiplied by the quantity), and
    the bound (points + 10) × 10^(2 + 1) × 10 is 0.43 × 2**62 (``xǁFiguresǁcompute__mutmut_30``:
    the quantity's place added, a scale of 3, leaves it)."""
    points = Decimal("200000000000000.01")
    assert (points + 10) * 10**5 > _BOUND > (points + 10) * 10**4
    policy = _one(
        Criterion(id="x", name="X", max_points=10, deductions=[Deduction(on="k", points=points)])
    )
    events = [Event(subject="a", kind="k", on=date(2026, 1, 5), quantity="0.5")]
    assert (Decimal("0.00"), Decimal("10.00")) == _near_the_bound(policy, events).totals()


def test_a_maximum_or_a_floor_past_the_int64_bound() -> None:
    """A criterion of 999999999999999 points, or one whose floor is -999999999999999, beside a
    deduction of 0.0001 (scale 4): the figures leave int64, so the exact engine scores
    everyone (``xǁFiguresǁ_fits__mutmut_32``: the maxima left out of the bound, an
    OverflowError; ``_34``: the floors)."""
    large = 10**15 - 1
    fine = [Deduction(on="k", points="0.0001")]
    for policy in (
        _one(Criterion(id="x", name="X", max_points=large, deductions=fine)),
        _one(Criterion(id="x", name="X", max_points=10, floor=-large, deductions=fine)),
    ):
        events = [Event(subject="a", kind="k", on=date(2026, 1, 5))]
        table = _same_as_exact(policy, ["a", "b"], events, [])
        assert table.notes[0].startswith("every person was scored by the exact engine")
        assert policy.categories[0].criteria[0].max_points == table.totals()[1]
