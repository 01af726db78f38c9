"""The fast CSV path reads exactly what the careful reader reads, or steps aside.

Every test runs with each fast reader: pyarrow's (the ``arrow`` extra) and pandas' (when
pyarrow is not installed).
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import load_events, load_measures, load_people, policies, score_many
from kpiscore.io import fastcsv
from kpiscore.io.fastcsv import score_csv_files
from kpiscore.model.period import Period

pytest.importorskip("pandas")

# The kinds the random files use that the policy does not score are listed as known.
POLICY = attrs.evolve(
    policies.load("university-kpi-example"), other_kinds=("unknown_kind", "caf\u00e9")
)
PERIOD = Period.parse("2026-Q1")
ASSESSED = {"collaboration"}
RATIOS = ("key_tasks", "research", "workload")


@pytest.fixture(params=["arrow", "pandas"], autouse=True)
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``score_csv_files`` use one reader only."""
    if request.param == "arrow":
        pytest.importorskip("pyarrow")
        chosen: object = fastcsv._arrow_reader
    else:
        chosen = fastcsv._pandas_reader
    monkeypatch.setattr(fastcsv, "_reader", chosen)
    return str(request.param)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def careful(people: Path, events: Path | None, measures: Path | None) -> str:
    table = score_many(
        POLICY,
        PERIOD,
        load_people(people),
        [] if events is None else load_events(events),
        [] if measures is None else load_measures(measures),
    )
    return table.to_csv()


def fast(people: Path, events: Path | None, measures: Path | None) -> str:
    table = score_csv_files(POLICY, PERIOD, people, events, measures)
    assert table is not None, "the fast path stepped aside"
    return table.to_csv()


def measures_for(subjects: list[str]) -> str:
    lines = ["subject,criterion,value"]
    for subject in subjects:
        for criterion in RATIOS:
            lines.append(f"{subject},{criterion},0.875")
        lines.append(f"{subject},collaboration,2.5")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "people": write(
            tmp_path,
            "people.csv",
            'id,name,unit\nnv001,"Nguyễn, An",=cmd\nnv002,Trần Bình,\nnv003,,P2\n',
        ),
        "events": write(
            tmp_path,
            "events.csv",
            "\ufeffsubject,kind,on,quantity,excused,ref\n"
            "nv001,training_absence,15/01/2026,,có,r1\n"
            "nv001,training_absence,2026-02-03,1,no,\n"
            "nv002,late_approval,2026-03-01,2.5,,r3\n"
            "nv003,training_absence,2026-04-02,1,false,\n"
            "\n",
        ),
        "measures": write(tmp_path, "measures.csv", measures_for(["nv001", "nv002", "nv003"])),
    }


class TestSameAsCareful:
    def test_identical_csv(self, files: dict[str, Path]) -> None:
        assert careful(**files) == fast(**files)

    def test_four_steps_are_reported(self, files: dict[str, Path]) -> None:
        steps: list[int] = []
        table = score_csv_files(POLICY, PERIOD, **files, advance=steps.append)
        assert table is not None
        assert [1, 1, 1, 1] == steps

    def test_scorecards_match(self, files: dict[str, Path]) -> None:
        table = score_csv_files(POLICY, PERIOD, files["people"], files["events"], files["measures"])
        expected = score_many(
            POLICY,
            PERIOD,
            load_people(files["people"]),
            load_events(files["events"]),
            load_measures(files["measures"]),
        )
        assert table is not None
        for subject in ("nv001", "nv002", "nv003"):
            assert expected[subject].to_json() == table[subject].to_json()

    def test_unquoted_files_crlf_and_blank_lines(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id,unit,group\r\nb,U1,\r\na,U2,g\r\n\r\nc,,g\r\n")
        events = write(
            tmp_path,
            "events.csv",
            "kind,subject,on,excused,note\r\n"
            " training_absence ,a,2026-01-05,yes,late\r\n"
            "training_absence,a,05/02/2026,KHÔNG,\r\n"
            "late_approval,c,2026-03-31,,\r\n"
            "late_approval,b,2025-12-31,0,\r\n",
        )
        measures = write(tmp_path, "measures.csv", measures_for(["c", "a", "b"]))
        assert careful(people, events, measures) == fast(people, events, measures)

    def test_kinds_in_another_unicode_form_share_their_rules(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\na\n")
        events = write(
            tmp_path, "events.csv", "subject,kind,on\na,cafe\u0301,2026-01-05\na,café,2026-01-06\n"
        )
        measures = write(tmp_path, "measures.csv", measures_for(["a"]))
        table = score_csv_files(POLICY, PERIOD, people, events, measures)
        assert table is not None
        assert careful(people, events, measures) == table.to_csv()

    def test_no_events_file(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\na\n")
        measures = write(tmp_path, "measures.csv", measures_for(["a"]))
        assert careful(people, None, measures) == fast(people, None, measures)

    def test_header_only_events(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\na\n")
        events = write(tmp_path, "events.csv", "subject,kind,on\n")
        measures = write(tmp_path, "measures.csv", measures_for(["a"]))
        assert careful(people, events, measures) == fast(people, events, measures)

    def test_non_ascii_ids(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\nNguyễn\nĐặng\n")
        events = write(
            tmp_path, "events.csv", "subject,kind,on\nĐặng,training_absence,2026-01-05\n"
        )
        measures = write(tmp_path, "measures.csv", measures_for(["Nguyễn", "Đặng"]))
        assert careful(people, events, measures) == fast(people, events, measures)

    def test_ids_that_look_like_formulas_are_neutralised(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\n=1+1\n@a\nplain\n")
        measures = write(tmp_path, "measures.csv", measures_for(["=1+1", "@a", "plain"]))
        text = fast(people, None, measures)
        assert careful(people, None, measures) == text
        assert "\n'=1+1," in text


class TestStepsAside:
    @pytest.mark.parametrize(
        ("name", "text"),
        [
            pytest.param(
                "events.csv",
                "subject,kind,on,quantity\nnv001,training_absence,2026-01-05\n",
                id="short-row",
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on\nnv001,training_absence,2026-01-05,1\n",
                id="long-row",
            ),
            pytest.param(
                "events.csv", "subject,kind,on\nnv001,training_absence,2026-02-30\n", id="bad-date"
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on\nnv009,training_absence,2026-02-03\n",
                id="unknown-subject",
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on\n nv001,training_absence,2026-02-03\n",
                id="spaces-around-subject",
            ),
            pytest.param(
                "events.csv",
                'subject,kind,on\nnv001,"training_absence"x,2026-02-03\n',
                id="malformed-quotes",
            ),
            pytest.param(
                "events.csv", "subject,kind,on\nnv001,,2026-02-03\n", id="empty-required-cell"
            ),
            pytest.param("events.csv", "subject,kind,when\nnv001,x,2026-02-03\n", id="bad-header"),
            pytest.param(
                "events.csv", "subject,kind,on,kind\nnv001,x,2026-02-03,y\n", id="repeated-column"
            ),
            pytest.param("events.csv", "", id="empty-file"),
            pytest.param("events.csv", "\nsubject,kind,on\n", id="blank-first-line"),
            pytest.param(
                "events.csv", "subject,kind,on,quantity\nnv001,x,2026-02-03,-1\n", id="negative"
            ),
            pytest.param(
                "events.csv", "subject,kind,on,excused\nnv001,x,2026-02-03,maybe\n", id="bad-flag"
            ),
            pytest.param(
                "measures.csv", "subject,criterion,value\nnv001,training,1\n", id="no-measure"
            ),
            pytest.param(
                "measures.csv",
                "subject,criterion,value\nnv001,research,0.5\nnv001,research,0.6\n",
                id="twice",
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on,note\nnv001,training_absence,2026-01-05," + "x" * 131_073 + "\n",
                id="cell-past-the-csv-limit",
            ),
            pytest.param(
                "events.csv",
                '\nsubject,kind,on,note\nnv001,training_absence,2026-01-05,"x"\n',
                id="quoted-blank-first-line",
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on" + " " * 70_000 + ",quantity\nnv001,training_absence,2026-01-05\n",
                id="header-past-64-kib",
            ),
            pytest.param(
                "events.csv",
                "subject,kind,on\nnv001,training_absence,2026-01-05\n   \n",
                id="line-of-spaces",
            ),
            pytest.param(
                "people.csv",
                "id,name\nnv001," + "n" * 131_073 + "\nnv002,B\nnv003,C\n",
                id="name-past-the-csv-limit",
            ),
            pytest.param(
                "people.csv",
                '\nid,name\nnv001,"A"\nnv002,B\nnv003,C\n',
                id="quoted-people-blank-first",
            ),
            pytest.param("people.csv", "id\nnv001\nnv001\n", id="duplicate-person"),
            pytest.param("people.csv", "id\nnv003\nnv001\nnv003\n", id="duplicate-unsorted"),
            pytest.param("people.csv", "id\nnv001 \n", id="untrimmed-id"),
            pytest.param("people.csv", "id\nnv001\x1f\n", id="unit-separator-strips"),
            pytest.param("people.csv", "id,name\n,A\n", id="empty-id"),
            pytest.param("people.csv", "id\ncafe\u0301\n", id="id-not-nfc"),
        ],
    )
    def test_irregular_files_go_to_the_careful_reader(
        self, files: dict[str, Path], name: str, text: str
    ) -> None:
        files[name.removesuffix(".csv")].write_text(text, encoding="utf-8", newline="")

        assert (
            score_csv_files(POLICY, PERIOD, files["people"], files["events"], files["measures"])
            is None
        )

    def test_old_mac_line_endings_are_read_alike_or_left(self, files: dict[str, Path]) -> None:
        files["events"].write_bytes(b"subject,kind,on\rnv001,training_absence,2026-02-03\r")
        table = score_csv_files(POLICY, PERIOD, **files)
        assert table is None or careful(**files) == table.to_csv()

    def test_a_cell_at_the_csv_limit_is_read(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.csv", "id\na\n")
        events = write(
            tmp_path,
            "events.csv",
            "subject,kind,on,note\na,training_absence,2026-01-05," + "x" * 131_072 + "\n",
        )
        measures = write(tmp_path, "measures.csv", measures_for(["a"]))
        assert careful(people, events, measures) == fast(people, events, measures)

    def test_a_pipe_is_left_to_the_careful_reader(self, tmp_path: Path) -> None:
        pipe = tmp_path / "people.csv"
        os.mkfifo(pipe)  # never opened: a pipe can be read only once
        assert score_csv_files(POLICY, PERIOD, pipe, None, None) is None

    def test_invalid_utf8_goes_to_the_careful_reader(self, files: dict[str, Path]) -> None:
        files["events"].write_bytes(b"subject,kind,on\nnv001,\xff,2026-02-03\n")
        assert score_csv_files(POLICY, PERIOD, **files) is None

    def test_json_files_are_left_to_the_careful_reader(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.json", '[{"id": "nv001"}]')
        assert score_csv_files(POLICY, PERIOD, people, None, None) is None

    def test_missing_file_is_left_to_the_careful_reader(self, tmp_path: Path) -> None:
        assert score_csv_files(POLICY, PERIOD, tmp_path / "nobody.csv", None, None) is None


SUBJECTS = ("a", "b", "nv-1", "Đặng")
KINDS = ("training_absence", " late_approval", "late_approval ", "unknown_kind", "cafe\u0301")
DATES = ("2026-01-05", "05/01/2026", "2026-03-31", "31/12/2025", "2026-04-01", "1/2/2026")
QUANTITIES = ("", "1", "2.5", "0", "3")
FLAGS = ("", "true", "no", "Có", " 1 ")


@st.composite
def event_files(draw: st.DrawFn) -> str:
    columns = draw(st.permutations(["subject", "kind", "on", "quantity", "excused"]))
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "subject": st.sampled_from(SUBJECTS),
                    "kind": st.sampled_from(KINDS),
                    "on": st.sampled_from(DATES),
                    "quantity": st.sampled_from(QUANTITIES),
                    "excused": st.sampled_from(FLAGS),
                }
            ),
            max_size=12,
        )
    )
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    return ending.join(lines) + ending


class TestProperties:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(text=event_files(), quoted=st.booleans())
    def test_fast_equals_careful(self, tmp_path: Path, text: str, quoted: bool) -> None:
        """Whatever a regular events file holds, the fast path scores it as the careful
        reader does (quoted files are split by the csv module, unquoted ones by the reader)."""
        people_text = "id,name\n" + "\n".join(
            f'{s},"{s}, x"' if quoted else f"{s},{s}" for s in SUBJECTS
        )
        people = write(tmp_path, "people.csv", people_text + "\n")
        events = write(tmp_path, "events.csv", text)
        measures = write(tmp_path, "measures.csv", measures_for(list(SUBJECTS)))
        # Random rows repeat; repeated rows are refused by default (tests/test_strict.py).
        table = score_csv_files(POLICY, PERIOD, people, events, measures, duplicates="allow")
        assert table is not None
        assert careful(people, events, measures) == table.to_csv()
