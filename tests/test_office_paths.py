"""Office files give the same result, or the same error, on every path (issue 16).

``kpiscore score`` reads CSV inputs through a fast columnar reader (pyarrow's, or pandas' C
reader) when one is installed, and steps aside to the careful line-by-line reader for anything
irregular. Whatever the files hold (UTF-8 with or without a byte-order mark, UTF-16, CP1258;
``,``, ``;`` or tab; the ``vi`` number format; Excel's trailing empty columns; bad cells), the
three ways must print the same bytes, or the same error with the same exit status. Where the
file is plain enough for ``pandas.read_csv`` (given its separator and encoding), ``score_frame``
over the frames must give the same table, or refuse too.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import KpiscoreError, ScoreTable, cli, policies, score_frame
from kpiscore.io import fastcsv

pd = pytest.importorskip("pandas")

POLICY = policies.load("university-kpi-example")
RATIOS = ("key_tasks", "research", "workload")
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Đức Chính", "Phạm Thị Thu Hương", "Hồ Văn Em")
UNITS = ("Phòng Tổ chức", "Khoa Toán", "P2", "")
KINDS = ("training_absence", "late_approval")

PATHS: dict[str, Callable[[], object]] = {
    "careful": lambda: None,
    "pandas": fastcsv._pandas_reader,
}
try:  # pragma: no branch - pyarrow is part of the test extra
    import pyarrow  # noqa: F401

    PATHS["arrow"] = fastcsv._arrow_reader
except ImportError:  # pragma: no cover
    pass


def cp1258(text: str) -> bytes:
    """Text as Windows Vietnamese saves it: a letter the code page lacks (``ễ``) as its base
    letter followed by a combining tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258")
            out += parts[-1].encode("cp1258")
    return bytes(out)


def encoded(text: str, encoding: str) -> bytes:
    return cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def table_text(rows: list[list[str]], sep: str, trailing: int) -> str:
    """Rows as CSV (quoted where a cell needs it), each followed by ``trailing`` empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    for row in rows:
        writer.writerow([*row, *[""] * trailing])
    return out.getvalue()


def number(text: str, fmt: str) -> str:
    """A plain number (``2.5``) as the format writes it (``2,5`` in ``vi``)."""
    return text.replace(".", ",") if fmt == "vi" else text


@st.composite
def office_files(draw: st.DrawFn) -> dict[str, object]:
    """People, events and measures files as an office might save them, some cells bad."""
    # A plain file (UTF-8, commas, only the kind's columns, no bad cell) is one the fast
    # readers score themselves; the others they leave to the careful reader.
    plain = draw(st.booleans())
    fmt = draw(st.sampled_from(["point", "vi"]))
    encodings = ["utf-8", "utf-8-sig"] + ([] if plain else ["utf-16", "cp1258"])
    encoding = draw(st.sampled_from(encodings))
    sep = "," if plain else draw(st.sampled_from([",", ";", "\t"]))
    ids = [f"nv{i:03d}" for i in range(1, draw(st.integers(1, 4)) + 1)]
    bad = not plain and draw(st.booleans())

    def cell(good: list[str], wrong: list[str]) -> str:
        return draw(st.sampled_from(good + wrong if bad else good))

    people = [["id", "name", "unit"]]
    if not plain and draw(st.booleans()):
        people[0].append("grade")  # another column: a person attribute
    for person in ids:
        row = [person, draw(st.sampled_from(NAMES)), draw(st.sampled_from(UNITS))]
        people.append(row + (["A1"] if len(people[0]) == 4 else []))
    events = [["subject", "kind", "on", "quantity", "excused"]]
    for _ in range(draw(st.integers(0, 5))):
        events.append(
            [
                cell(ids, ["nv999"]),
                draw(st.sampled_from(KINDS)),
                cell(["2026-01-15", "03/02/2026", "31/03/2026", "2026-05-02"], ["2026-02-30"]),
                cell(["", "1", number("2.5", fmt)], ["1_7", "-1"]),
                cell(["", "có", "không", "no", "TRUE"], ["maybe"]),
            ]
        )
    measures = [["subject", "criterion", "value"]]
    for person in ids:
        for criterion in RATIOS:
            value = cell(
                [number("0.875", fmt), "90%", number("1.000", fmt) if fmt == "point" else "1"],
                ["1e3", "0,9" if fmt == "point" else "0.9", "7.020.000" if fmt == "point" else ""],
            )
            measures.append([person, criterion, value])
        measures.append([person, "collaboration", number("2.5", fmt)])
    if bad and draw(st.booleans()) and len(measures) > 2:
        del measures[draw(st.integers(1, len(measures) - 1))]  # a measure missing
    return {
        "fmt": fmt,
        "encoding": encoding,
        "sep": sep,
        "plain": plain,
        "trailing": 0 if plain else draw(st.sampled_from([0, 0, 1, 2])),
        "tell_encoding": (encoding == "cp1258" and draw(st.booleans())) or encoding == "utf-16",
        "tell_delimiter": draw(st.booleans()),
        "with_events": draw(st.booleans()),
        "people": people,
        "events": events,
        "measures": measures,
    }


def write_files(folder: Path, case: dict[str, object]) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    sep, trailing, encoding = str(case["sep"]), case["trailing"], str(case["encoding"])
    assert isinstance(trailing, int)
    for kind in ("people", "events", "measures"):
        rows = case[kind]
        assert isinstance(rows, list)
        paths[kind] = folder / f"{kind}.csv"
        paths[kind].write_bytes(encoded(table_text(rows, sep, trailing), encoding))
    return paths


def command(paths: dict[str, Path], case: dict[str, object]) -> list[str]:
    args = ["score", "--policy", POLICY.id, "--period", "2026-Q1", "--format", "csv"]
    args += ["--people", str(paths["people"]), "--measures", str(paths["measures"])]
    if case["with_events"]:
        args += ["--events", str(paths["events"])]
    if case["fmt"] == "vi":
        args += ["--number-format", "vi"]
    if case["tell_encoding"]:
        args += ["--encoding", str(case["encoding"]).removesuffix("-sig")]
    if case["tell_delimiter"]:
        args += ["--delimiter", {"\t": "tab"}.get(str(case["sep"]), str(case["sep"]))]
    return args


def run_on(
    path: str, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str, bool]:
    """``kpiscore score``'s status, output and errors with one reader, and whether the fast
    path scored (rather than stepping aside)."""
    real = fastcsv.score_csv_files
    fast: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> ScoreTable | None:
        table = real(*args, **kwargs)
        fast.append(table is not None)
        return table

    with monkeypatch.context() as patch:
        patch.setattr(fastcsv, "_reader", PATHS[path])
        patch.setattr(fastcsv, "score_csv_files", spy)
        code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err, fast == [True]


def frame(path: Path, case: dict[str, object]) -> pd.DataFrame:
    """The file as ``pandas.read_csv`` reads it, every cell as text and blank as blank."""
    sep = str(case["sep"])
    encoding = {"utf-8": "utf-8-sig"}.get(str(case["encoding"]), str(case["encoding"]))
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=office_files())
def test_every_path_prints_the_same(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: dict[str, object],
) -> None:
    paths = write_files(tmp_path_factory.mktemp("office"), case)
    args = command(paths, case)
    *expected, _ = run_on("careful", args, capsys, monkeypatch)
    assert expected[0] in (0, 2), expected
    for path in PATHS:
        *got, scored = run_on(path, args, capsys, monkeypatch)
        assert expected == got, path
        if path == "careful":
            assert not scored
        elif case["plain"]:
            assert scored, f"{path}: the fast path stepped aside from plain files"
    if case["encoding"] == "cp1258" and not case["tell_encoding"]:
        return  # kpiscore score was not told the encoding: pandas is, below
    if case["fmt"] != "point" or case["trailing"] or "grade" in case["people"][0]:  # type: ignore[index]
        return  # score_frame reads numbers in the default format and only the kinds' columns
    frames = {kind: frame(paths[kind], case) for kind in ("people", "events", "measures")}
    try:
        table = score_frame(
            POLICY,
            "2026-Q1",
            frames["people"],
            frames["events"] if case["with_events"] else None,
            frames["measures"],
        )
    except KpiscoreError:
        assert 2 == expected[0], "score_frame refused what kpiscore score accepts"
        return
    assert [0, table.to_csv()] == expected[:2]


#: Characters where CSV readers tend to differ: separators, quotes, line breaks of every
#: kind, NUL, spaces Python strips, a byte-order mark, decomposed tone marks.
AWKWARD = st.text(
    st.sampled_from(
        [*"aAđĐ ,;\t\"'\r\n\x00\x0b\x0c\x1c\x85\u2028\ufeff\u0301\u0323", "ê", "Ễ", "ệ"]
    ),
    max_size=6,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.fixed_dictionaries(
        {
            "names": st.lists(AWKWARD, min_size=1, max_size=3),
            "units": st.lists(AWKWARD, min_size=1, max_size=3),
            "notes": st.lists(AWKWARD, min_size=0, max_size=3),
        }
    ),
    bom=st.booleans(),
    crlf=st.booleans(),
)
def test_awkward_text_cells_read_alike(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cells: dict[str, list[str]],
    *,
    bom: bool,
    crlf: bool,
) -> None:
    """Any text in the text columns of a UTF-8, comma-separated file: the same on every path."""
    folder = tmp_path_factory.mktemp("awkward")
    ending = "\r\n" if crlf else "\n"
    names, units, notes = cells["names"], cells["units"], cells["notes"]
    ids = [f"nv{i:03d}" for i in range(1, len(names) + 1)]

    def save(name: str, rows: list[list[str]]) -> Path:
        out = io.StringIO()
        csv.writer(out, lineterminator=ending).writerows(rows)
        path = folder / name
        path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))
        return path

    people = save(
        "people.csv",
        [
            ["id", "name", "unit"],
            *([i, names[k], units[k % len(units)]] for k, i in enumerate(ids)),
        ],
    )
    events = save(
        "events.csv",
        [["subject", "kind", "on", "note", "ref"]]
        + [
            [ids[k % len(ids)], "training_absence", "2026-01-15", note, note]
            for k, note in enumerate(notes)
        ],
    )
    measures = save(
        "measures.csv",
        [["subject", "criterion", "value"]]
        + [[i, c, "0.875"] for i in ids for c in RATIOS]
        + [[i, "collaboration", "2.5"] for i in ids],
    )
    args = ["score", "--policy", POLICY.id, "--period", "2026-Q1", "--format", "json"]
    args += ["--people", str(people), "--events", str(events), "--measures", str(measures)]
    *expected, _ = run_on("careful", args, capsys, monkeypatch)
    for path in PATHS:
        assert expected == list(run_on(path, args, capsys, monkeypatch)[:3]), path


#: Lines of a people file, regular and not: headers spelt otherwise, short and long rows,
#: blank lines and lines of spaces, stray byte-order marks and quotes.
PEOPLE_LINES = st.sampled_from(
    [
        "nv001,An,P1",
        "nv002,Bình,",
        "nv003,,P2",
        " nv004,Chi,P1",
        "nv005,Dũng",
        "nv006,Em,P1,",
        "",
        "  ",
        "\t",
        '"nv007","Giang, Thị",P1',
        "nv001,An again,P1",
        "\ufeffnv008,H,P1",
        "nv009,I,P1 ",
    ]
)
PEOPLE_HEADERS = st.sampled_from(
    ["id,name,unit", " id , name ,unit", "ID,name,unit", "id,name,unit,", "id,name,name", ""]
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=PEOPLE_HEADERS,
    lines=st.lists(PEOPLE_LINES, max_size=6),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    last=st.booleans(),
)
def test_irregular_people_files_read_alike(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    header: str,
    lines: list[str],
    *,
    ending: str,
    last: bool,
) -> None:
    """A people file's shape (its header, short or long rows, blank lines, line endings, a
    duplicate id): the same output or the same error on every path."""
    folder = tmp_path_factory.mktemp("shapes")
    people = folder / "people.csv"
    people.write_bytes((ending.join([header, *lines]) + (ending if last else "")).encode())
    args = ["score", "--policy", POLICY.id, "--period", "2026-Q1", "--format", "csv"]
    args += ["--people", str(people), "--measures", str(folder / "measures.csv")]
    # The measures name the people the lines hold: what is refused is the people file's shape.
    ids = sorted({line.split(",")[0].strip(' \t"\ufeff') for line in lines} - {""})
    rows = [[i, c, "0.875"] for i in ids for c in RATIOS] + [[i, "collaboration", "1"] for i in ids]
    (folder / "measures.csv").write_text(
        table_text([["subject", "criterion", "value"], *rows], ",", 0)
    )
    *expected, _ = run_on("careful", args, capsys, monkeypatch)
    for path in PATHS:
        assert expected == list(run_on(path, args, capsys, monkeypatch)[:3]), path
