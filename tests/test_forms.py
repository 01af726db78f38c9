"""Printable A4 scorecards: the HTML, and the PDF a real browser (headless Chromium) prints."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from kpiscore import (
    Award,
    Band,
    Category,
    Criterion,
    Deduction,
    Event,
    InputError,
    Period,
    Person,
    Policy,
    RatingCap,
    Scorecard,
    ScoreTable,
    score_many,
)
from kpiscore.io.forms import forms_document, scorecard_form, write_forms


def form_policy() -> Policy:
    return Policy(
        id="truong-dh",
        name="Quy chế KPI trường đại học",
        bands=[
            Band(id="HTXS", min_points=90, name="Hoàn thành xuất sắc nhiệm vụ"),
            Band(id="HTT", min_points=70, name="Hoàn thành tốt nhiệm vụ"),
            Band(id="HT", min_points=50, name="Hoàn thành nhiệm vụ"),
            Band(id="KHT", min_points=0, name="Không hoàn thành nhiệm vụ"),
        ],
        caps=[RatingCap(on="ky_luat", at_most="KHT", name="Kỷ luật", reference="Điều 20")],
        categories=[
            Category(
                id="mem",
                name="KPI mềm",
                reference="Quy chế Điều 5",
                criteria=[
                    Criterion(
                        id="dao_tao",
                        name="Tham gia đào tạo",
                        max_points=15,
                        reference="Quy chế Điều 6",
                        deductions=[
                            Deduction(
                                on="vang_dao_tao",
                                points=2,
                                name="Vắng buổi đào tạo",
                                reference="Quy chế Điều 6 khoản 2",
                            )
                        ],
                    ),
                    Criterion(
                        id="phe_duyet",
                        name="Phê duyệt đúng hạn",
                        max_points=25,
                        deductions=[
                            Deduction(
                                on="duyet_tre", points="0.5", per="unit", name="Duyệt trễ (ngày)"
                            )
                        ],
                        awards=[Award(on="sang_kien", points=3, name="Sáng kiến")],
                    ),
                ],
            ),
            Category(
                id="cung",
                name="KPI cứng",
                criteria=[Criterion(id="ket_qua", name="Kết quả công việc", max_points=60)],
            ),
        ],
    )


@pytest.fixture(scope="module")
def table() -> ScoreTable:
    people = [
        Person(id="nv01", name="Nguyễn Văn An", unit="Phòng Đào tạo", position="Chuyên viên"),
        Person(id="nv02", name="Trần Thị <Bình>", unit="Phòng Tổ chức", group="Hành chính"),
        Person(id="nv03", name="Lê Văn Cường", unit="Phòng Đào tạo"),
    ]
    start = date(2026, 1, 5)
    events = [
        # Nineteen absences: one per line, set in columns so the form stays on its page.
        *(
            Event(subject="nv01", kind="vang_dao_tao", on=start + timedelta(days=3 * i))
            for i in range(19)
        ),
        Event(subject="nv01", kind="duyet_tre", on=date(2026, 2, 10), quantity=3, ref="CV-12"),
        Event(subject="nv02", kind="vang_dao_tao", on=date(2026, 2, 3), excused=True),
        Event(subject="nv02", kind="sang_kien", on=date(2026, 3, 1), note="phần mềm lịch"),
        Event(subject="nv03", kind="ky_luat", on=date(2026, 3, 2)),
    ]
    return score_many(form_policy(), Period.parse("2026-Q1"), people, events=events)


class TestForm:
    def test_a_form_names_the_person_unit_and_period(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"])
        for text in (
            "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
            "Nguyễn Văn An",
            "nv01",
            "Phòng Đào tạo",
            "Chuyên viên",
            "2026-Q1",
            "từ 01/01/2026 đến 31/03/2026",
        ):
            assert text in page

    def test_each_criterion_shows_its_ledger_and_article(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"])
        assert (
            "Trừ điểm «Vắng buổi đào tạo»: 19 lần × −2 = −38; 23 không trừ tiếp do chạm sàn (0)"
            in page
        )
        assert "áp dụng −15" in page
        assert "Căn cứ: Quy chế Điều 6 khoản 2" in page
        assert "Căn cứ: Quy chế Điều 5" in page

    def test_events_are_listed_one_per_line(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"])
        assert 20 == page.count("<li>")
        assert "<li>05/01/2026</li>" in page
        assert '<ul class="events many">' in page

    def test_quantities_appear_only_where_the_rule_counts_units(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"])
        assert "<li>10/02/2026 × 3 [CV-12]</li>" in page
        assert "Trừ điểm «Duyệt trễ (ngày)»: 3 đơn vị × −0,5 = −1,5</p>" in page
        assert "× 1</li>" not in page

    def test_numbers_are_written_the_vietnamese_way(self, table: ScoreTable) -> None:
        card = table["nv01"]
        assert Decimal("83.50") == card.total
        page = scorecard_form(card)
        assert '<td class="num">83,50</td>' in page
        assert "83.50" not in page

    def test_the_total_rating_and_signature_blocks(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"])
        assert "Xếp loại: HTT — Hoàn thành tốt nhiệm vụ" in page
        assert "NGƯỜI TỰ ĐÁNH GIÁ" in page
        assert "NGƯỜI ĐÁNH GIÁ" in page
        assert page.count("(Ký, ghi rõ họ tên)") == 2
        assert f"mã kiểm tra {table.policy.fingerprint[:12]}" in page
        assert table.policy.fingerprint not in page

    def test_a_cap_shows_both_ratings(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv03"])
        assert "Giới hạn xếp loại: Kỷ luật (02/03/2026) ⇒ hạ xếp loại xuống tối đa KHT" in page
        assert "(theo điểm: HTXS — Hoàn thành xuất sắc nhiệm vụ)" in page

    def test_exempted_events_and_notes(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv02"])
        assert "miễn trừ (có lý do chính đáng):" in page
        assert "01/03/2026 (phần mềm lịch)" in page

    def test_text_is_escaped(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv02"])
        assert "Trần Thị &lt;Bình&gt;" in page
        assert "<Bình>" not in page

    def test_english_on_request(self, table: ScoreTable) -> None:
        page = scorecard_form(table["nv01"], lang="en")
        assert "EVALUATION FORM" in page
        assert '<td class="num">83.50</td>' in page
        assert "from 2026-01-01 to 2026-03-31" in page

    def test_a_fragment_for_other_pages(self, table: ScoreTable) -> None:
        fragment = scorecard_form(table["nv01"], standalone=False)
        assert fragment.startswith("<style>")
        assert "<html" not in fragment
        assert '<section class="kpi-form">' in fragment

    def test_an_unknown_language_is_refused(self, table: ScoreTable) -> None:
        with pytest.raises(InputError, match=r"scorecard form: lang must be 'vi' or 'en'"):
            scorecard_form(table["nv01"], lang="fr")

    def test_one_document_holds_every_form(self, table: ScoreTable) -> None:
        document = forms_document(table)
        assert 3 == document.count('<section class="kpi-form">')
        assert 1 == document.count("<html")


class TestWriteForms:
    def test_one_file_per_person(self, table: ScoreTable, tmp_path: Path) -> None:
        written = write_forms(table, tmp_path / "phieu")
        assert ["nv01.html", "nv02.html", "nv03.html"] == [p.name for p in written]
        assert "Lê Văn Cường" in (tmp_path / "phieu" / "nv03.html").read_text(encoding="utf-8")

    def test_all_in_one_file(self, table: ScoreTable, tmp_path: Path) -> None:
        written = write_forms(table, tmp_path, single="tat-ca.html")
        assert [tmp_path / "tat-ca.html"] == written

    def test_colliding_file_names_are_refused(self, tmp_path: Path) -> None:
        policy = form_policy()
        cards = score_many(policy, Period.parse("2026-Q1"), ["a/b", "a_b"])
        with pytest.raises(InputError, match=r"subjects 'a/b' and 'a_b' would both be written"):
            write_forms(cards, tmp_path)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


def _print_pdf(page: Path, pdf: Path, profile: Path) -> None:
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        pytest.skip(f"{tool} is not installed (Debian: apt-get install poppler-utils)")
    return found


class TestPrinted:
    def test_chromium_prints_one_a4_page_per_person_with_the_text(
        self, table: ScoreTable, tmp_path: Path
    ) -> None:
        pdfinfo, pdftotext = _poppler("pdfinfo"), _poppler("pdftotext")
        (page,) = write_forms(table, tmp_path, single="all.html")
        pdf = tmp_path / "all.pdf"
        _print_pdf(page, pdf, tmp_path / "profile")
        info = subprocess.run(
            [pdfinfo, str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        assert re.search(r"^Pages:\s+3$", info, re.MULTILINE), info
        assert re.search(r"Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)", info), info
        pages = []
        for number in (1, 2, 3):
            pages.append(
                subprocess.run(
                    [pdftotext, "-f", str(number), "-l", str(number), str(pdf), "-"],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
        for text, name in zip(
            pages, ("Nguyễn Văn An", "Trần Thị <Bình>", "Lê Văn Cường"), strict=True
        ):
            assert "PHIẾU ĐÁNH GIÁ" in text
            assert name in text
            assert "NGƯỜI TỰ ĐÁNH GIÁ" in text
            # The next form's first line ("CỘNG HÒA …") must not leave the tops of its
            # diacritics at the foot of this page (they did while its line box was too short).
            assert not re.search(r"^\s*[ỘỦ]\s*$", text, re.MULTILINE), text
        assert "83,50" in pages[0]
        assert "Vắng buổi đào tạo" in pages[0]
        assert "Không hoàn thành nhiệm vụ" in pages[2]


class TestMethods:
    def test_scorecard_to_html_is_the_form(self, table: ScoreTable) -> None:
        card = table["nv01"]
        assert scorecard_form(card, lang="en") == card.to_html(lang="en")
        assert card.to_html(standalone=False).startswith("<style>")

    def test_score_table_write_forms(self, table: ScoreTable, tmp_path: Path) -> None:
        assert [tmp_path / "a.html"] == table.write_forms(tmp_path, single="a.html")


class TestPrintedSample:
    @pytest.mark.slow  # about 50 s: Chromium prints 300 pages
    def test_the_bundled_sample_prints_one_page_per_person(self, tmp_path: Path) -> None:
        """All 300 people of the demo, caps and long names included: 300 A4 pages."""
        from kpiscore import policies
        from kpiscore.cli.demo import sample_facts

        pdfinfo = _poppler("pdfinfo")
        people, events, measures = sample_facts()
        sample = score_many(
            policies.load("vn-nd335-2025-staff"),
            Period.parse("2026-Q1"),
            people,
            events=events,
            measures=measures,
        )
        (page,) = sample.write_forms(tmp_path, single="all.html")
        pdf = tmp_path / "all.pdf"
        _print_pdf(page, pdf, tmp_path / "profile")
        info = subprocess.run(
            [pdfinfo, str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        assert re.search(rf"^Pages:\s+{len(sample)}$", info, re.MULTILINE), info


class TestOneRulePhrase:
    """Explanations and forms state a rule's arithmetic with one helper and one number format."""

    @staticmethod
    def card() -> Scorecard:
        from kpiscore import score

        policy = Policy(
            id="p",
            name="P",
            categories=[
                Category(
                    id="c",
                    name="Chung",
                    max_points=100000,
                    criteria=[
                        Criterion(
                            id="x",
                            name="Hồ sơ",
                            max_points=100000,
                            deductions=[Deduction(on="tre", points="0.5", per="unit")],
                        )
                    ],
                )
            ],
        )
        event = Event(subject="nv1", kind="tre", on=date(2026, 2, 3), quantity=2001)
        return score(policy, "2026-Q1", "nv1", [event])

    @pytest.mark.parametrize(
        ("lang", "phrase"),
        [("vi", "2.001 đơn vị × −0,5 = −1.000,5"), ("en", "2001 units × −0.5 = −1000.5")],
    )
    def test_the_form_and_the_explanation_agree(
        self, lang: Literal["vi", "en"], phrase: str
    ) -> None:
        from kpiscore.io.render import PHRASES, rule_phrases

        card = self.card()
        (line,) = card.categories[0].criteria[0].rules
        result = card.categories[0].criteria[0]
        assert rule_phrases(line, result, PHRASES[lang], lang)[0].startswith(phrase)
        assert phrase in card.explain(lang)
        assert phrase in card.to_html(lang=lang)
