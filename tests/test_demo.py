"""The demo and its sample workforce: shipped data equal to the generator, figures as documented."""

from __future__ import annotations

from importlib import resources

from kpiscore import policies, score_many
from kpiscore.cli.demo import DEMO_PERIOD, DEMO_POLICY, run_demo, sample_facts
from kpiscore.io.sample import FILES, generate


class TestSampleWorkforce:
    def test_the_shipped_files_are_what_the_generator_makes(self) -> None:
        folder = resources.files("kpiscore").joinpath("data/sample")
        shipped = {name: folder.joinpath(name).read_text(encoding="utf-8") for name in FILES}
        assert generate() == shipped

    def test_generation_is_deterministic(self) -> None:
        assert generate(seed=7, size=20) == generate(seed=7, size=20)

    def test_a_few_hundred_people_each_with_six_measures(self) -> None:
        people, events, measures = sample_facts()
        assert (300, 1800, 4) == (len(people), len(measures), len(events))

    def test_people_have_vietnamese_names_and_units(self) -> None:
        people, _, _ = sample_facts()
        assert ("Ngô Văn Nam", "Phòng Pháp chế") == (people[1].name, people[1].unit)

    def test_the_distribution_under_the_staff_policy(self) -> None:
        people, events, measures = sample_facts()
        table = score_many(
            policies.load(DEMO_POLICY), DEMO_PERIOD, people, events=events, measures=measures
        )
        assert {"HTXS": 48, "HTT": 225, "HT": 21, "KHT": 6} == table.distribution()

    def test_the_worked_example_is_in_the_sample(self) -> None:
        people, events, measures = sample_facts()
        table = score_many(
            policies.load(DEMO_POLICY), DEMO_PERIOD, people, events=events, measures=measures
        )
        assert ("87.67", "HTT") == (str(table["nv0002"].total), table["nv0002"].rating)


class TestRunDemo:
    def test_the_report_explains_three_scorecards(self) -> None:
        lines = run_demo("en").splitlines()
        assert ["nv0065", "nv0002", "nv0063"] == [
            line.split()[1] for line in lines if line.startswith("Scorecard: ")
        ]

    def test_shares_are_exact_percentages(self) -> None:
        assert "HTXS    Excellent          48  16.0 %" in run_demo("en").splitlines()

    def test_the_vietnamese_report_uses_vietnamese_names(self) -> None:
        assert "HTXS      Hoàn thành xuất sắc nhiệm vụ        48  16,0 %" in (
            run_demo("vi").splitlines()
        )
