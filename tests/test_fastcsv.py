"""The fast CSV path reads exactly what the careful reader reads, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiscore import load_events, load_measures, load_people, policies, score_many
from kpiscore._fastcsv import score_csv_files
from kpiscore._period import Period

pytest.importorskip("pandas")

POLICY = policies.load("university-kpi-example")
PERIOD = Period.parse("2026-Q1")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def careful(people: Path, events: Path, measures: Path) -> str:
    table = score_many(
        POLICY, PERIOD, load_people(people), load_events(events), load_measures(measures)
    )
    return table.to_csv()


def measures_for(subjects: list[str]) -> str:
    ratio_criteria = [
        c.id for cat in POLICY.categories for c in cat.criteria if c.basis in ("ratio", "assessed")
    ]
    lines = ["subject,criterion,value"]
    for subject in subjects:
        for criterion in ratio_criteria:
            maximum = POLICY.criterion(criterion).max_points
            value = "0.875" if POLICY.criterion(criterion).basis == "ratio" else str(maximum / 2)
            lines.append(f"{subject},{criterion},{value}")
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
        table = score_csv_files(POLICY, PERIOD, files["people"], files["events"], files["measures"])

        assert table is not None
        assert careful(files["people"], files["events"], files["measures"]) == table.to_csv()

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
        assert expected["nv001"].to_json() == table["nv001"].to_json()


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
            pytest.param("events.csv", "subject,kind,when\nnv001,x,2026-02-03\n", id="bad-header"),
            pytest.param(
                "events.csv", "subject,kind,on,quantity\nnv001,x,2026-02-03,-1\n", id="negative"
            ),
            pytest.param("people.csv", "id\nnv001\nnv001\n", id="duplicate-person"),
            pytest.param("people.csv", "id\nnv001 \n", id="untrimmed-id"),
        ],
    )
    def test_irregular_files_go_to_the_careful_reader(
        self, files: dict[str, Path], name: str, text: str
    ) -> None:
        files[name.removesuffix(".csv")].write_text(text, encoding="utf-8")

        assert (
            score_csv_files(POLICY, PERIOD, files["people"], files["events"], files["measures"])
            is None
        )

    def test_json_files_are_left_to_the_careful_reader(self, tmp_path: Path) -> None:
        people = write(tmp_path, "people.json", '[{"id": "nv001"}]')
        assert score_csv_files(POLICY, PERIOD, people, None, None) is None
