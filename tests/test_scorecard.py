"""Scorecards and tables: canonical JSON, explanations, HTML, rows, CSV, pandas."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from kpiscore import (
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Measure,
    Period,
    Person,
    Policy,
    RatingCap,
    score,
    score_many,
)

Q1 = Period.quarter(2026, 1)


def policy() -> Policy:
    return Policy(
        id="demo",
        name="Demo",
        scale=100,
        categories=[
            Category(
                id="general",
                name="Tiêu chí chung",
                reference="Decree 335/2025 Art. 12",
                criteria=[
                    Criterion(
                        id="training",
                        name="Tham gia tập huấn",
                        max_points=15,
                        overflow="carry",
                        deductions=[
                            Deduction(on="training_absence", points=2, reference="illustrative")
                        ],
                    ),
                    Criterion(id="ethics", name="Đạo đức", max_points=15, basis="assessed"),
                ],
            ),
            Category(
                id="task",
                name="Kết quả nhiệm vụ",
                max_points=70,
                criteria=[
                    Criterion(id=c, name=c, max_points=100, basis="ratio")
                    for c in ("quantity", "quality", "on_time")
                ],
            ),
        ],
        bands=[
            Band(
                id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ", name_en="Excellent"
            ),
            Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ", name_en="Good"),
            Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ", name_en="Completed"),
            Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ", name_en="Not completed"),
        ],
        caps=[RatingCap(on="reprimand", at_most="KHT", reference="Decree 335/2025")],
    )


def facts(subject: str = "nv001") -> tuple[list[Event], list[Measure]]:
    events = [
        Event(subject=subject, kind="training_absence", on=date(2026, 1, d), ref=f"att-{d}")
        for d in (5, 12, 19)
    ]
    events.append(
        Event(
            subject=subject, kind="training_absence", on=date(2026, 2, 2), excused=True, note="ốm"
        )
    )
    measures = [
        Measure(subject=subject, criterion=c, value=v)
        for c, v in (
            ("ethics", 14),
            ("quantity", "0.9"),
            ("quality", "0.875"),
            ("on_time", "0.825"),
        )
    ]
    return events, measures


class TestJson:
    def test_canonical_and_exact(self) -> None:
        events, measures = facts()
        data = json.loads(score(policy(), Q1, "nv001", events, measures).to_json())

        assert ("83.67", "HTT", "2026-Q1", "demo") == (
            data["total"],
            data["rating"],
            data["period"],
            data["policy_id"],
        )
        assert "-6" == data["categories"][0]["criteria"][0]["rules"][0]["applied"]

    def test_same_facts_in_any_order_give_the_same_bytes(self) -> None:
        events, measures = facts()
        one = score(policy(), Q1, "nv001", events, measures).to_json()
        two = score(policy(), Q1, "nv001", events[::-1], measures[::-1]).to_json()

        assert one == two

    def test_equal_inputs_in_other_forms_give_the_same_bytes(self) -> None:
        events, measures = facts()
        other = [
            Measure(
                subject=m.subject, criterion=m.criterion, value=m.value.quantize(Decimal("0.0001"))
            )
            for m in measures
        ]
        assert (
            score(policy(), Q1, "nv001", events, measures).to_json()
            == score(policy(), Q1, "nv001", events, other).to_json()
        )

    def test_vietnamese_text_is_written_as_text(self) -> None:
        events, measures = facts()
        assert "Tiêu chí chung" in score(policy(), Q1, "nv001", events, measures).to_json()

    def test_indent(self) -> None:
        events, measures = facts()
        text = score(policy(), Q1, "nv001", events, measures).to_json(indent=2)
        assert text.startswith("{\n  ")


class TestExplain:
    def test_english(self) -> None:
        events, measures = facts()
        text = score(
            policy(), Q1, Person(id="nv001", name="Nguyễn Văn An"), events, measures
        ).explain("en")

        for line in (
            "Scorecard: nv001 (Nguyễn Văn An) — period 2026-Q1",
            "Total: 83.67 / 100 — rating HTT (Good)",
            "[task] Kết quả nhiệm vụ: 60.67 / 70 (weighted mean × 70)",
            "deduction training_absence: 3 times × −2 = −6 requested; −6 applied  [illustrative]",
            "events: 2026-01-05 [att-5], 2026-01-12 [att-12], 2026-01-19 [att-19]",
            "exempted (valid reason): 2026-02-02 (ốm)",
            "quantity «quantity»: 90.00 / 100 (ratio 0.9 × 100 = 90)",
        ):
            assert line in text

    def test_vietnamese_uses_vietnamese_band_names(self) -> None:
        events, measures = facts()
        text = score(policy(), Q1, "nv001", events, measures).explain("vi")

        assert "Tổng điểm: 83,67 / 100 — xếp loại HTT (Hoàn thành tốt nhiệm vụ)" in text
        assert "miễn trừ (có lý do chính đáng): 02/02/2026 (ốm)" in text

    def test_cap_is_explained(self) -> None:
        events, measures = facts()
        events.append(Event(subject="nv001", kind="reprimand", on=date(2026, 3, 3)))
        text = score(policy(), Q1, "nv001", events, measures).explain("en")

        assert "Rating cap: reprimand (2026-03-03) ⇒ rating lowered to at most KHT" in text
        assert "rating by score: HTT (Good) → KHT (Not completed)" in text

    def test_carried_is_explained(self) -> None:
        events, measures = facts()
        events += [
            Event(subject="nv001", kind="training_absence", on=date(2026, 3, d))
            for d in range(1, 7)
        ]
        card = score(policy(), Q1, "nv001", events, measures)
        text = card.explain("en")

        assert Decimal("3.00") == card.carried
        assert "3 carried to the total" in text
        assert "Deductions carried past criteria into the total: −3.00" in text

    def test_unknown_language(self) -> None:
        events, measures = facts()
        with pytest.raises(InputError, match="lang must be 'vi' or 'en' \\(got 'fr'\\)"):
            score(policy(), Q1, "nv001", events, measures).explain("fr")  # type: ignore[arg-type]


class TestHtml:
    def test_scorecard_html_is_escaped_and_compact(self) -> None:
        events, measures = facts()
        html = score(
            policy(), Q1, Person(id="nv001", name="<b>x</b>"), events, measures
        )._repr_html_()

        assert html.count("<table") == 1
        assert "training_absence: −6" in html
        assert "<b>x</b>" not in html

    def test_table_html_shows_distribution(self) -> None:
        events, measures = facts()
        table = score_many(policy(), Q1, ["nv001"], events, measures)
        assert "HTT: 1" in table._repr_html_()


class TestTableExports:
    def table(self) -> object:
        events, measures = facts("nv001")
        events2, measures2 = facts("nv002")
        people = [
            Person(id="nv001", name='=HYPERLINK("x")', unit="A"),
            Person(id="nv002", unit="B"),
        ]
        return score_many(policy(), Q1, people, events + events2[:1], measures + measures2)

    def test_rows(self) -> None:
        rows = self.table().to_rows()  # type: ignore[attr-defined]

        assert ["nv001", "nv002"] == [row["subject"] for row in rows]
        assert (Decimal("83.67"), Decimal("87.67")) == (rows[0]["total"], rows[1]["total"])
        assert list(rows[0]) == [
            "subject",
            "name",
            "unit",
            "group",
            "position",
            "period",
            "policy",
            "version",
            "general",
            "task",
            "carried",
            "total",
            "score_rating",
            "rating",
        ]

    def test_csv_neutralises_formulas(self, tmp_path: object) -> None:
        text = self.table().to_csv()  # type: ignore[attr-defined]
        rows = list(csv.DictReader(io.StringIO(text)))

        assert '\'=HYPERLINK("x")' == rows[0]["name"]
        assert "83.67" == rows[0]["total"]

    def test_csv_to_a_file(self, tmp_path: object) -> None:
        from pathlib import Path

        target = Path(str(tmp_path)) / "out.csv"
        text = self.table().to_csv(str(target))  # type: ignore[attr-defined]
        assert text == target.read_text(encoding="utf-8")

    def test_pandas(self) -> None:
        pytest.importorskip("pandas")
        frame = self.table().to_pandas()  # type: ignore[attr-defined]
        assert [Decimal("83.67"), Decimal("87.67")] == list(frame["total"])

    def test_summary(self) -> None:
        summary = self.table().summary()  # type: ignore[attr-defined]
        assert (2, Decimal("85.67"), Decimal("83.67"), Decimal("87.67")) == (
            summary["count"],
            summary["mean"],
            summary["min"],
            summary["max"],
        )

    def test_table_json_has_every_scorecard(self) -> None:
        data = json.loads(self.table().to_json())  # type: ignore[attr-defined]
        assert ["nv001", "nv002"] == [card["subject"] for card in data["scorecards"]]
