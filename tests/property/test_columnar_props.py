"""The columnar engine agrees with the exact engine, person by person."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from engine_strategies import PERIOD, SUBJECTS, events, measures_for, policies
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import (
    Event,
    Measure,
    MissingInputError,
    Policy,
    score_frame,
    score_many,
)
from kpiscore.io.render import criterion_columns

pd = pytest.importorskip("pandas")


def quoting_csv(rows: list[dict[str, Any]]) -> str:
    """The csv module's rows, quoting a cell with a bare carriage return as the module does
    since gh-67044 (Python 3.11.9 / 3.12.3): each row written with ``\r\n`` line ends, whose
    characters are quoted inside cells, then ended by ``\n``."""
    import csv
    import io

    from kpiscore.io.render import safe_cell

    lines = []
    for cells in [list(rows[0]), *(list(row.values()) for row in rows)]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(v) for v in cells])
        lines.append(buffer.getvalue()[:-2] + "\n")
    return "".join(lines)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, list[Event], list[Measure]]:
    policy = draw(policies())
    policy = attrs.evolve(policy, missing=draw(st.sampled_from(("error", "zero", "exclude"))))
    measures = measures_for(policy, draw)
    dropped = draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    return policy, draw(events()), [m for i, m in enumerate(measures) if i not in dropped]


def frames(facts: list[Event], measures: list[Measure], *, typed: bool) -> tuple[Any, Any, Any]:
    people = pd.DataFrame({"id": list(SUBJECTS)})
    events_frame = pd.DataFrame(
        {
            "subject": [e.subject for e in facts],
            "kind": [e.kind for e in facts],
            "on": pd.to_datetime([e.on for e in facts]) if typed else [e.on for e in facts],
            "quantity": [float(e.quantity) if typed else str(e.quantity) for e in facts],
            "excused": [e.excused for e in facts],
        }
    )
    if typed:
        events_frame["subject"] = events_frame["subject"].astype("category")
    measures_frame = pd.DataFrame(
        {
            "subject": [m.subject for m in measures],
            "criterion": [m.criterion for m in measures],
            "value": [m.value for m in measures],
        }
    )
    return people, events_frame, measures_frame


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.booleans())
def test_columnar_equals_exact(
    scenario: tuple[Policy, list[Event], list[Measure]], typed: bool
) -> None:
    """Invariant: for any policy (rounding modes, carried overflow, limits, weights, missing
    measures) and any facts, score_frame gives every person the exact engine's category points,
    carried, total, score rating and rating, every criterion's reported points (the score CSV's
    columns) — and the same scorecard when one is read."""
    policy, facts, measures = scenario
    try:
        expected = score_many(policy, PERIOD, SUBJECTS, facts, measures)
    except MissingInputError as error:
        message = str(error)
        with pytest.raises(MissingInputError) as caught:
            score_frame(policy, PERIOD, *frames(facts, measures, typed=typed), duplicates="allow")
        assert message == str(caught.value)
        return
    table = score_frame(policy, PERIOD, *frames(facts, measures, typed=typed), duplicates="allow")
    assert expected.to_rows() == table.to_rows()
    assert expected.csv_rows() == table.csv_rows()  # a column per criterion too
    # The exact table's criterion columns (computed without rule lines) are the ledger's.
    ledger = [
        {r.id: r.points for c in card.categories for r in c.criteria if not r.excluded}
        for card in expected
    ]
    columns = criterion_columns(policy)
    assert [
        {cid: row[name] for name, cid in columns if row[name] is not None}
        for row in expected.csv_rows()
    ] == ledger
    assert expected.to_csv() == table.to_csv()
    assert expected.totals() == table.totals()
    assert expected.ratings() == table.ratings()
    assert expected["nv002"].to_json() == table["nv002"].to_json()


TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "Nguyễn, An",
            '"quoted"',
            "=SUM(A1)",
            "-1",
            "@x",
            "\tx",
            "a\nb",
            "cafe\u0301",
            "An\r=HYPERLINK(C2)",
        ]
    ),
    st.text(alphabet="ab ,\"'=+-@\r\n\té", max_size=6),
)
IDS = st.lists(
    st.sampled_from(["nv001", "=1+1", "a,b", 'q"t', "-x", "Đặng", "plain", "x\ny"]),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=80, deadline=None)
@given(IDS, st.data(), st.sampled_from(["object", "str"]), st.booleans())
def test_columnar_csv_writes_what_the_csv_module_writes(
    ids: list[str], data: st.DataObject, dtype: str, arrow: bool
) -> None:
    """Invariant: the columnar table's CSV (built column by column, each distinct cell quoted
    once, rows joined by pyarrow or by str.join) is byte for byte the csv module's rows of the
    exact engine's table, whatever the ids and attributes hold: separators, quotes, line
    breaks, formula starts, other Unicode forms."""
    from kpiscore import Category, Criterion, MissingExtraError, Person
    from kpiscore.engine.columnar import _csv
    from kpiscore.io.render import rows_to_csv

    policy = Policy(
        id="p",
        name="P",
        missing="zero",
        categories=[
            Category(
                id="c",
                name="C",
                criteria=[Criterion(id="w", name="W", max_points=10, basis="assessed")],
            )
        ],
    )
    names = [data.draw(TEXTS) for _ in ids]
    units = [data.draw(TEXTS) for _ in ids]
    people = pd.DataFrame({"id": ids, "name": names, "unit": units}, dtype=dtype)

    def as_a_file_reads(cell: str | None) -> str | None:  # issue 16: trimmed, blank is none
        return cell.strip() or None if cell is not None else None

    persons = [
        Person(id=i, name=as_a_file_reads(n), unit=as_a_file_reads(u))
        for i, n, u in zip(ids, names, units, strict=True)
    ]
    table = score_frame(policy, PERIOD, people, None, None)
    real = _csv.require

    def without_pyarrow(module: str, extra: str) -> Any:
        if module.startswith("pyarrow"):
            raise MissingExtraError(module)
        return real(module, extra)

    with pytest.MonkeyPatch.context() as patch:
        if not arrow:
            patch.setattr(_csv, "require", without_pyarrow)
        text = table.to_csv()
    exact = score_many(policy, PERIOD, persons, [], [])
    if '"x\ry"' in rows_to_csv([{"a": "x\ry"}]):
        assert exact.to_csv() == text  # the careful writer quotes \r (H1's fix)
    else:  # this Python's csv module leaves a bare \r unquoted, splitting the row
        assert quoting_csv(exact.csv_rows()) == text
    assert [p.unit for p in persons] == [table[i].person.unit for i in ids]


MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_05UP",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(MODES),
)
def test_integer_rounding_is_decimal_rounding(
    numerators: list[int], denominator: int, rounding: str
) -> None:
    """Invariant: the columnar engine's integer rounding of n / d gives, for every sign, tie and
    mode, what ``decimal`` gives when it rounds the exact quotient to an integer."""
    from decimal import Context, Decimal, localcontext

    import numpy as np

    from kpiscore.engine.columnar._figures import round_units

    ties = [denominator // 2 * k for k in (-3, -1, 1, 3)] if denominator % 2 == 0 else []
    values = numerators + ties
    got = round_units(np.array(values, dtype=np.int64), denominator, rounding).tolist()
    with localcontext(Context(prec=60)):
        expected = [
            int((Decimal(v) / Decimal(denominator)).to_integral_value(rounding=rounding))
            for v in values
        ]
    assert expected == got
