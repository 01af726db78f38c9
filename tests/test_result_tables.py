"""One table shape for every result; CSV rows a line break cannot split; atomic output files."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Measure,
    OutputError,
    Person,
    Policy,
    ScoreTable,
    UnknownSubjectError,
    rollup_many,
    score_many,
)
from kpiscore.io.output import write_atomic
from kpiscore.io.render import csv_field, rows_to_csv, safe_cell
from kpiscore.payout import PayoutRows, format_money, payout_rows
from kpiscore.quota import QuotaResults, apply_quota
from kpiscore.results.table import HTML_ROWS, ResultTable, SubjectTable
from kpiscore.variants import Comparison, compare, overlay

HOSTILE = "An\r=HYPERLINK(C2)"


def policy() -> Policy:
    return Policy(
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
            Band(id="HTXS", min_points=90, name="Xuất sắc"),
            Band(id="HTT", min_points=70, name="Tốt"),
            Band(id="HT", min_points=50, name="Hoàn thành"),
            Band(id="KHT", min_points=0, name="Không hoàn thành"),
        ],
    )


PEOPLE = [
    Person(id="a", name=HOSTILE),
    Person(id="b", name="Bình\n@SUM(A1)\r\n-1"),
    Person(id="c", name='say "hi", then\r\n\r\n+go'),
]


def table(period: str = "2026-03", people: list[Person] | None = None) -> ScoreTable:
    people = PEOPLE if people is None else people
    values = (95, 75, 60)
    return score_many(
        policy(),
        period,
        people,
        measures=[
            Measure(subject=p.id, criterion="x", value=values[i % 3]) for i, p in enumerate(people)
        ],
    )


def every_result() -> dict[str, ResultTable]:
    scores = table()
    months = [table(f"2026-{m:02d}") for m in (1, 2, 3)]
    variant = overlay(policy(), {"bands.HTT.min_points": 80})
    return {
        "score table": scores,
        "roll-up table": rollup_many(months, "2026-Q1"),
        "quota table": apply_quota(scores, share="0.5", base="next_and_above"),
        "quota tuple": apply_quota(list(scores), share="0.5", base="next_and_above"),
        "comparison": compare(
            policy(),
            variant,
            "2026-03",
            PEOPLE,
            measures=[
                Measure(subject=p.id, criterion="x", value=v)
                for p, v in zip(PEOPLE, (95, 75, 60), strict=True)
            ],
        ),
        "payout": payout_rows(scores, "danang-2026", {"a": 7_020_000, "b": 4_000_000, "c": 1}),
    }


RESULTS = every_result()


@pytest.mark.parametrize("kind", list(RESULTS))
class TestEveryResultHasEveryExport:
    def test_is_a_result_table(self, kind: str) -> None:
        assert isinstance(RESULTS[kind], ResultTable)

    def test_csv_has_one_record_per_person_and_no_line_starts_a_formula(self, kind: str) -> None:
        text = RESULTS[kind].to_csv()
        records = list(csv.reader(io.StringIO(text, newline="")))
        assert len(records) == 1 + len(RESULTS[kind])
        assert {len(record) for record in records} == {len(records[0])}
        # However a program splits the text into lines, no line starts a formula.
        for line in text.splitlines():
            assert not line.startswith(("=", "+", "-", "@")), line
        for record in records:
            for cell in record:
                for piece in cell.splitlines():
                    assert not piece.startswith(("=", "+", "@")), cell

    def test_every_line_break_in_the_csv_is_inside_quotes(self, kind: str) -> None:
        text = RESULTS[kind].to_csv()
        quoted = False
        for character in text:
            if character == '"':
                quoted = not quoted
            elif character == "\r":
                assert quoted  # a bare \r outside quotes splits the row in some readers

    def test_json_pandas_html(self, kind: str) -> None:
        result = RESULTS[kind]
        assert isinstance(json.loads(result.to_json()), dict)
        assert result.to_json(indent=2).startswith("{\n")
        assert result._repr_html_().startswith("<style>")
        pytest.importorskip("pandas")
        assert len(result.to_pandas()) == len(result)

    def test_csv_and_json_files_are_written_atomically(self, kind: str, tmp_path: Path) -> None:
        result = RESULTS[kind]
        assert result.to_csv(tmp_path / "out.csv").encode() == (tmp_path / "out.csv").read_bytes()
        assert result.to_json(tmp_path / "out.json") == (tmp_path / "out.json").read_text(
            encoding="utf-8"
        )
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.json"]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("score table", "score table: no scorecard for subject 'zz' (3 subjects scored)"),
        ("roll-up table", "roll-up table: no result for subject 'zz' (3 subjects)"),
        ("quota table", "score table: no scorecard for subject 'zz' (3 subjects scored)"),
        ("comparison", "comparison: no row for subject 'zz' (3 people compared)"),
    ],
)
def test_a_table_of_people_is_indexed_by_subject_and_names_itself(kind: str, message: str) -> None:
    result = RESULTS[kind]
    assert isinstance(result, SubjectTable)
    assert [result[row["subject"]].subject for row in result.to_rows()] == ["a", "b", "c"]
    assert "b" in result
    assert "zz" not in result
    for missing in ("zz", 7):
        with pytest.raises(UnknownSubjectError) as caught:
            result[missing]  # type: ignore[index]
        assert str(caught.value) == message.replace("'zz'", repr(missing))


def test_payout_rows_keep_behaving_as_a_list() -> None:
    rows = RESULTS["payout"]
    assert isinstance(rows, PayoutRows)
    assert isinstance(rows, list)
    assert rows[0]["payout"] == Decimal("3510000")
    assert rows == [dict(row) for row in rows]
    assert rows.total() == Decimal("5510000")  # 3,510,000 + 1,500,000 + the 500,000 floor
    assert rows.summary_line() == (
        "additional income: 5,510,000 đồng in all · table danang-2026 · 1 month"
    )
    tree = json.loads(rows.to_json())
    assert tree["policy_id"] == "p"
    assert tree["payouts"][0] == {
        "subject": "a",
        "salary": "7020000",
        "days_worked": None,
        "days_in_period": None,
        "payout_table": "danang-2026",
        "payout_months": 1,
        "payout": "3510000",
    }
    assert format_money(Decimal("468000.0")) == "468,000"


def test_quota_on_a_plain_iterable_is_still_a_tuple() -> None:
    outcome = RESULTS["quota tuple"]
    assert isinstance(outcome, QuotaResults)
    assert isinstance(outcome, tuple)
    assert [card.rating for card in outcome] == [
        card.rating
        for card in RESULTS["quota table"]  # type: ignore[attr-defined]
    ]


def test_comparison_keeps_its_own_notebook_view() -> None:
    comparison = RESULTS["comparison"]
    assert isinstance(comparison, Comparison)
    assert "base ↓ / variant →" in comparison._repr_html_()


def test_the_preview_builds_only_the_rows_it_shows() -> None:
    people = [Person(id=f"nv{i:04d}") for i in range(3 * HTML_ROWS)]
    scores = table(people=people)
    built: list[int] = []
    original = ScoreTable.to_rows

    def spy(self: ScoreTable) -> list[dict[str, Any]]:
        built.append(len(self))
        return original(self)

    ScoreTable.to_rows = spy  # type: ignore[method-assign]
    try:
        page = scores._repr_html_()
    finally:
        ScoreTable.to_rows = original  # type: ignore[method-assign]
    assert not built
    assert page.count("<tr>") == 1 + HTML_ROWS + 1  # the head, the rows, "… more"
    assert f"… {2 * HTML_ROWS} more" in page


# --------------------------------------------------------------------------- CSV cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("An\r=HYPERLINK(C2)", "An\r'=HYPERLINK(C2)"),
        ("a\n\n+b", "a\n\n'+b"),
        ("a\r\n-1\r\n@x", "a\r\n'-1\r\n'@x"),
        ("\r=x", "'\r'=x"),
        ("plain\ntext", "plain\ntext"),
        (Decimal("-5.00"), "-5.00"),
    ],
)
def test_safe_cell_neutralises_a_formula_after_any_line_break(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_fields_quote_line_breaks_themselves() -> None:
    assert csv_field("a\rb") == '"a\rb"'
    assert csv_field("a\nb") == '"a\nb"'
    assert csv_field("a,b") == '"a,b"'
    assert csv_field('a"b') == '"a""b"'
    assert csv_field("a b") == "a b"
    assert rows_to_csv([{"x": "1\r2", "y": None}]) == 'x,y\n"1\r2",\n'
    assert rows_to_csv([{"x": ""}]) == 'x\n""\n'
    assert rows_to_csv([]) == ""


def test_csv_text_matches_the_csv_module_for_ordinary_cells() -> None:
    rows = [{"a": "x,y", "b": 'q"q', "c": "", "d": Decimal("1.50"), "e": "Bình"}]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(rows[0]))
    writer.writerow([safe_cell(v) for v in rows[0].values()])
    assert rows_to_csv(rows) == buffer.getvalue()


# --------------------------------------------------------------------------- atomic files


def test_write_atomic_writes_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_atomic(target, "a\n")
    assert target.read_bytes() == b"a\n"
    write_atomic(target, b"b\n")
    assert target.read_bytes() == b"b\n"
    write_atomic(target, "c\n", bom=True)
    assert target.read_bytes() == b"\xef\xbb\xbfc\n"


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old,content\n100.00\n", encoding="utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if where == "write":
        real_fdopen: Callable[..., Any] = os.fdopen

        class Broken:  # writes part of the data, then the disk is full
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> Broken:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: bytes) -> int:
                self.handle.write(data[:5])
                self.handle.flush()
                raise OSError(28, "No space left on device")

        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            return Broken(real_fdopen(fd, mode, *args, **kwargs))

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, where, fail)
    with pytest.raises(OutputError, match="No space left on device") as caught:
        RESULTS["score table"].to_csv(target)
    assert isinstance(caught.value, OSError)
    assert target.read_text(encoding="utf-8") == "old,content\n100.00\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id\nnv001\n", encoding="utf-8")
    with pytest.raises(OutputError, match="same file as the input"):
        RESULTS["score table"].to_csv(people, inputs=[people])
    link = tmp_path / "link.csv"
    link.symlink_to(people)
    with pytest.raises(OutputError, match="same file as the input"):
        write_atomic(link, "x", inputs=[tmp_path / "missing.csv", people])
    assert people.read_text(encoding="utf-8") == "id\nnv001\n"
    write_atomic(tmp_path / "other.csv", "x", inputs=[people])


def test_an_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write the file"):
        write_atomic(tmp_path / "no" / "such" / "out.csv", "x")


def test_a_columnar_table_previews_without_building_every_row() -> None:
    pd = pytest.importorskip("pandas")
    from kpiscore import score_frame

    ids = [f"nv{i:05d}" for i in range(500)]
    people = pd.DataFrame({"id": ids})
    measures = pd.DataFrame({"subject": ids, "criterion": "x", "value": 80})
    scores = score_frame(policy(), "2026-03", people, None, measures)
    columns = scores._columns
    assert columns is not None

    def refuse() -> list[dict[str, Any]]:
        raise AssertionError("the preview built every row")

    object.__setattr__(scores, "_columns", _Spy(columns, refuse))
    page = scores._repr_html_()
    assert f"… {500 - HTML_ROWS} more" in page
    head = scores.head_rows(3)
    assert [(row["subject"], row["total"]) for row in head] == [
        (i, Decimal("80.00")) for i in ids[:3]
    ]


class _Spy:
    def __init__(self, inner: Any, rows: Callable[[], list[dict[str, Any]]]) -> None:
        self._inner = inner
        self.rows = rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
