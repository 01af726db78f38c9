"""Vietnamese throughout: number formats, the explanation's layout, and a scan of every
``lang="vi"`` output of these fixtures for English words."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiscore import (
    Award,
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
    ScoreTable,
    WorkItem,
    approval_events,
    policies,
    score_many,
)
from kpiscore.calendar import vietnam
from kpiscore.io.numbers_vi import format_amount, format_number, localise_number
from kpiscore.io.render import cited, note_text
from kpiscore.quota import DEFAULT_REFERENCE, DEFAULT_REFERENCE_VI, apply_quota


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("74.51", "74,51"),
            ("74.50", "74,50"),
            ("0.00", "0,00"),
            ("-0.00", "0,00"),
            ("11653200", "11.653.200"),
            ("-1234567.125", "-1.234.567,125"),
            ("999", "999"),
            ("1000", "1.000"),
            ("1E+3", "1.000"),
        ],
        ids=str,
    )
    def test_vietnamese_marks(self, value: str, expected: str) -> None:
        assert expected == format_number(Decimal(value))

    def test_english_marks(self) -> None:
        assert "11,653,200.5" == format_number(Decimal("11653200.5"), "en")

    def test_trailing_zeros_on_request(self) -> None:
        assert "2,5" == format_number(Decimal("2.50"), keep_places=False)

    def test_no_grouping_for_ids_and_years(self) -> None:
        assert "2026" == localise_number("2026", grouping=False)

    def test_money_in_dong(self) -> None:
        assert "11.653.200 đồng" == format_amount(Decimal("11653200.00"))
        assert "7.020.000,5 đồng" == format_amount(Decimal("7020000.5"))

    def test_an_unknown_language_is_refused(self) -> None:
        with pytest.raises(InputError, match=r"money format: lang must be 'vi' or 'en'"):
            format_amount(Decimal(1), "fr")

    @settings(max_examples=200, deadline=None)
    @given(
        st.one_of(
            st.none(),
            st.decimals(
                allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15
            ),
        )
    )
    def test_the_payout_money_format_is_this_one(self, value: Decimal | None) -> None:
        """Invariant: ``kpiscore.payout.format_money`` (English digits, no unit) is this module's
        format: grouped thousands, trailing zeros dropped, ``None`` empty — as it always was."""
        from kpiscore.model.numbers import canonical
        from kpiscore.payout import format_money as payout_money

        before = "" if value is None else f"{Decimal(canonical(value)):,f}"
        assert before == payout_money(value) == format_amount(value, "en", unit=False)


def policy() -> Policy:
    return Policy(
        id="so-noi-vu",
        name="Quy định chấm điểm Sở Nội vụ",
        bands=[
            Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ"),
            Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ"),
            Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ"),
            Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ"),
        ],
        caps=[RatingCap(on="ky_luat", at_most="KHT", name="Kỷ luật khiển trách")],
        categories=[
            Category(
                id="chung",
                name="Tiêu chí chung",
                max_points=30,
                weights={"dao_tao": 2, "phe_duyet": 1},
                criteria=[
                    Criterion(
                        id="dao_tao",
                        name="Tham gia đào tạo",
                        max_points=15,
                        overflow="carry",
                        deductions=[
                            Deduction(on="vang_hop", points=2, name="Vắng họp", limit=12)
                        ],
                        awards=[Award(on="sang_kien", points=5, name="Sáng kiến")],
                    ),
                    Criterion(
                        id="phe_duyet",
                        name="Phê duyệt đúng hạn",
                        max_points=15,
                        deductions=[
                            Deduction(on="late_approval", points=1, per="unit", name="Duyệt trễ")
                        ],
                    ),
                ],
            ),
            Category(
                id="nhiem_vu",
                name="Kết quả nhiệm vụ",
                max_points=70,
                criteria=[
                    Criterion(id="so_luong", name="Số lượng", max_points=100, basis="ratio",
                              ratio_cap=True),
                    Criterion(id="chat_luong", name="Chất lượng", max_points=100, basis="ratio"),
                ],
            ),
        ],
        missing="zero",
    )  # fmt: skip


@pytest.fixture(scope="module")
def scored() -> ScoreTable:
    people = [
        Person(id=f"cc{i:02}", name=f"Công chức {i}", unit="Phòng Tổ chức", position="Chuyên viên")
        for i in range(1, 7)
    ]
    item = WorkItem(
        subject="cc02",
        id="HS-01",
        assigned_on=date(2026, 1, 5),
        due_on=date(2026, 1, 30),
        completed_on=date(2026, 1, 9),
        approver="cc01",
        submitted_on=date(2026, 1, 9),
        approved_on=date(2026, 1, 26),
    )
    late = approval_events([item], vietnam(2026), as_of=date(2026, 3, 31))
    events = [
        *late,
        *(
            Event(subject="cc01", kind="vang_hop", on=date(2026, 1, 5) + timedelta(days=7 * i))
            for i in range(9)
        ),
        Event(subject="cc01", kind="vang_hop", on=date(2026, 3, 20), excused=True, note="ốm"),
        Event(subject="cc03", kind="sang_kien", on=date(2026, 2, 2)),
        Event(subject="cc04", kind="ky_luat", on=date(2026, 3, 2)),
    ]
    measures = [
        Measure(subject=p.id, criterion=c, value=v)
        for p in people
        for c, v in (("so_luong", "1.2"), ("chat_luong", "0.95"))
        if p.id != "cc05" or c != "chat_luong"
    ]
    return score_many(policy(), Period.parse("2026-Q1"), people, events=events, measures=measures)


@pytest.fixture(scope="module")
def table(scored: ScoreTable) -> ScoreTable:
    return apply_quota(scored)


class TestExplain:
    def test_numbers_are_vietnamese(self, table: ScoreTable) -> None:
        card = table["cc02"]
        assert f"Tổng điểm: {format_number(card.total)} / 100" in card.explain("vi")
        assert re.search(r"\d\.\d\d\b", card.explain("vi").split("  [")[0]) is None

    def test_the_check_code_is_twelve_characters(self, table: ScoreTable) -> None:
        text = table["cc01"].explain("vi")
        assert f"mã kiểm tra {table.policy.fingerprint[:12]})" in text
        assert table.policy.fingerprint not in text
        assert "dấu vân tay" not in text

    def test_events_one_per_line(self, table: ScoreTable) -> None:
        lines = table["cc01"].explain("vi").splitlines()
        start = lines.index("          sự kiện (9):")
        assert "            - 05/01/2026" == lines[start + 1]
        assert "            - 02/03/2026" == lines[start + 9]
        assert "          miễn trừ (có lý do chính đáng): 20/03/2026 (ốm)" == lines[start + 10]

    def test_quantities_only_where_the_rule_counts_units(self, table: ScoreTable) -> None:
        text = table["cc01"].explain("vi")
        assert "03/02/2026 ×" not in text
        assert re.search(r"- \d\d/\d\d/\d{4} ×\d+ \[HS-01\]", text) or re.search(
            r"sự kiện: \d\d/\d\d/\d{4} ×\d+ \[HS-01\]", text
        )

    def test_the_approval_note_is_vietnamese(self, table: ScoreTable) -> None:
        text = table["cc01"].explain("vi")
        assert "hồ sơ 'HS-01' của 'cc02' trình ngày 09/01/2026" in text
        assert "ngày làm việc" in text
        assert "work item" in table["cc01"].explain("en")

    def test_weighted_only_where_weights_differ(self, table: ScoreTable) -> None:
        text = table["cc02"].explain("vi")
        assert "(bình quân có trọng số × 30)" in text
        assert "[nhiem_vu] Kết quả nhiệm vụ: 68,25 / 70 (bình quân × 70)" in text

    def test_the_quota_reason_is_vietnamese(self, table: ScoreTable) -> None:
        demoted = [card for card in table if card.adjustments]
        assert demoted
        text = demoted[0].explain("vi")
        assert "Điều chỉnh xếp loại (quota): HTXS → HTT: tỷ lệ HTXS trong toàn bộ danh sách" in text
        assert f"theo tổng điểm {format_number(demoted[0].total)}; chuyển xuống HTT" in text

    def test_a_quota_group_is_named_in_vietnamese(self, scored: ScoreTable) -> None:
        grouped = apply_quota(scored, group_by=("unit", "position"), base="next")
        reasons = [a.reason_vi or "" for card in grouped for a in card.adjustments]
        assert reasons
        assert all("trong đơn vị 'Phòng Tổ chức', chức vụ 'Chuyên viên'" in r for r in reasons)

    def test_a_callers_note_is_kept_as_written(self) -> None:
        assert "xe hỏng" == note_text("xe hỏng", "vi")


ENGLISH = (
    "absorbed", "applied", "approval", "approved", "assessed", "award", "by score", "cap",
    "carried", "category", "completed", "criterion", "days", "deduction", "due", "events",
    "excellent", "exempted", "fingerprint", "good", "late", "lowered", "maximum", "mean",
    "measure", "missing", "not", "of", "period", "policy", "rating", "ratio", "reason",
    "requested", "score", "submitted", "the", "times", "total", "units", "valid", "version",
    "weighted", "work item",
)  # fmt: skip


def english_words(text: str, allowed: set[str]) -> list[str]:
    """English words from the list in ``text``, leaving out the fixture's own ids and names."""
    # Legal references are cited in Vietnamese (reference_vi) too: nothing is left out for them.
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return sorted(
        {word for word in ENGLISH if re.search(rf"(?<![\w-]){word}(?![\w-])", text, re.I)}
    )


def fixture_words(table: ScoreTable) -> set[str]:
    """Ids, kinds and refs chosen by the caller: not words kpiscore writes."""
    policy = table.policy
    ids = {policy.id, "late_approval", "quota", "HS-01"}
    for category in policy.categories:
        ids.add(category.id)
        ids.update(criterion.id for criterion in category.criteria)
    return ids


ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")


class TestDates:
    """Vietnamese text, HTML and forms write dates dd/mm/yyyy; English and CSV/JSON keep ISO."""

    def test_explanations(self, table: ScoreTable) -> None:
        for card in table:
            assert [] == ISO_DATE.findall(card.explain("vi")), card.subject
        assert "05/01/2026" in table["cc01"].explain("vi")
        assert "2026-01-05" in table["cc01"].explain("en")
        assert "05/01/2026" not in table["cc01"].explain("en")

    def test_printable_forms(self, table: ScoreTable) -> None:
        for card in table:
            assert [] == ISO_DATE.findall(card.to_html(lang="vi")), card.subject
        assert "09/01/2026" in table["cc02"].to_html(lang="vi") + table["cc01"].to_html(lang="vi")

    def test_a_year_is_dated_in_vietnamese(self, scored: ScoreTable) -> None:
        from kpiscore import rollup_many

        year = rollup_many([scored], "2026")
        assert "(02/03/2026)" in year["cc04"].explain("vi")
        assert "(2026-03-02)" in year["cc04"].explain("en")
        for result in year:
            assert [] == ISO_DATE.findall(result.explain("vi")), result.subject

    def test_machine_formats_stay_iso(self, table: ScoreTable) -> None:
        assert "2026-01-05" in table.to_json()
        assert [] == re.findall(r"\b\d\d/\d\d/\d{4}\b", table.to_csv() + table.to_json())


class TestNoEnglishInVietnamese:
    def test_explanations(self, table: ScoreTable) -> None:
        allowed = fixture_words(table)
        for card in table:
            assert [] == english_words(card.explain("vi"), allowed), card.subject

    def test_printable_forms(self, table: ScoreTable) -> None:
        allowed = fixture_words(table) | {"kpi-form", "class", "style"}
        for card in table:
            page = re.sub(r"<[^>]+>", " ", card.to_html(standalone=False).split("</style>")[1])
            assert [] == english_words(page, allowed), card.subject

    def test_workbooks(self, table: ScoreTable, tmp_path: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl")
        pytest.importorskip("xlsxwriter")
        book = openpyxl.load_workbook(table.to_excel(tmp_path / "t.xlsx"))
        texts = [" ".join(book.sheetnames)]
        for sheet in book:
            for row in sheet.iter_rows(values_only=True):
                texts.extend(str(v) for v in row if isinstance(v, str))
        # The second header row holds the column ids on purpose (for formulas and scripts).
        ids = {"subject", "name", "unit", "group", "position", "period", "carried", "total"}
        ids |= {"score_rating", "rating", "rating_name", "count", "mean", "min", "max", "none"}
        allowed = fixture_words(table) | ids | {"kpiscore", "CSV", "JSON", "UTF-8", "SHA-256"}
        assert [] == english_words("\n".join(texts), allowed)

    def test_charts(self, table: ScoreTable) -> None:
        matplotlib = pytest.importorskip("matplotlib")
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        try:
            for kind in ("ratings", "totals"):
                axes = table.plot(kind)  # type: ignore[arg-type]
                texts = [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
                texts += [t.get_text() for t in axes.texts]
                assert [] == english_words("\n".join(texts), fixture_words(table)), kind
        finally:
            plt.close("all")


class TestBundledReferences:
    """Every legal reference of the bundled policies has a Vietnamese text, cited in Vietnamese."""

    @staticmethod
    def cited_items(policy: Policy) -> list[Any]:
        items: list[Any] = [*policy.categories, *policy.caps]
        for category in policy.categories:
            for criterion in category.criteria:
                items += [criterion, *criterion.deductions, *criterion.awards]
        return items

    @pytest.mark.parametrize("policy_id", policies.available())
    def test_every_reference_has_a_vietnamese_one(self, policy_id: str) -> None:
        policy = policies.load(policy_id)
        items = [item for item in self.cited_items(policy) if item.reference]
        assert items
        assert [] == [item for item in items if not item.reference_vi]
        for item in items:
            assert cited(item, "vi") == item.reference_vi
            assert cited(item, "en") == item.reference
            assert [] == english_words(item.reference_vi, {"KPI"}), item.reference_vi

    def test_the_sample_explained_and_printed_cites_them(self) -> None:
        from kpiscore.cli.demo import sample_facts

        people, events, measures = sample_facts()
        staff = policies.load("vn-nd335-2025-staff")
        sample = apply_quota(
            score_many(staff, Period.parse("2026-Q1"), people, events=events, measures=measures)
        )
        allowed = {staff.id, "quota"} | {c.id for c in staff.categories}
        allowed |= {r.id for c in staff.categories for r in c.criteria}
        allowed |= {rule.on for c in staff.categories for r in c.criteria for rule in r.deductions}
        allowed |= {cap.on for cap in staff.caps}
        capped = [card for card in sample if any(cap.events for cap in card.caps)]
        demoted = [card for card in sample if card.adjustments]
        assert capped
        assert demoted
        for card in [*sample][:20] + capped + demoted:
            text = card.explain("vi")
            assert "Decree" not in text, card.subject
            assert "Nghị định 335/2025/NĐ-CP, Điều 14 khoản 2 điểm a" in text
            assert [] == english_words(text, allowed), card.subject
            page = re.sub(r"<[^>]+>", " ", card.to_html(standalone=False).split("</style>")[1])
            assert "Decree" not in page, card.subject
            assert [] == english_words(page, allowed | {"kpi-form"}), card.subject
        assert DEFAULT_REFERENCE_VI in demoted[0].explain("vi")
        assert DEFAULT_REFERENCE in demoted[0].explain("en")


class TestRollup:
    def test_a_year_is_explained_in_vietnamese(self, scored: ScoreTable) -> None:
        from kpiscore import rollup_many

        year = apply_quota(rollup_many([scored], "2026"))
        demoted = [result for result in year if result.adjustments]
        assert demoted
        text = demoted[0].explain("vi")
        assert f"mã kiểm tra {scored.policy.fingerprint[:12]}" in text
        assert f"Tổng điểm: {format_number(demoted[0].total)} / 100" in text
        assert "tỷ lệ HTXS trong toàn bộ danh sách" in text
        assert "(ROUND_HALF_UP, 0,01)" in text
        allowed = fixture_words(scored) | {"ROUND_HALF_UP", "fixed_point"}
        for result in year:
            assert [] == english_words(result.explain("vi"), allowed), result.subject


class TestPayout:
    def test_money_is_written_the_vietnamese_way(self) -> None:
        from kpiscore import payout

        text = payout.load("hcm-2024").breakdown("HTT", 7_020_000, months=3).explain("vi")
        assert "  1,44 × lương 7.020.000 = 10.108.800\n" in text
        assert "chi trả: 30.326.400 đồng" in text
        assert [] == english_words(text, {"hcm-2024", "HTT", "ROUND_HALF_UP"})
