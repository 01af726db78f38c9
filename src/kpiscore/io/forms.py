"""Printable scorecards: the A4 evaluation form ("phiếu đánh giá") that is signed and filed.

One form per person: the person, unit and period; each criterion with its points, how they were
reached (the ledger, events one per line) and the article behind it; the total and the rating;
the signature blocks of the self-assessment and of the assessor. Plain HTML and CSS with
``@page { size: A4 }``, so any browser prints it (``kpiscore`` tests print it with headless
Chromium); several forms in one document get a page break each.

Numbers follow the page's language: ``74,51`` in Vietnamese, ``74.51`` in English.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore.exceptions import InputError
from kpiscore.io.numbers_vi import check_lang, format_date, format_figure, format_number
from kpiscore.io.render import (
    PHRASES,
    band_label,
    cited,
    note_text,
    rule_phrases,
    start_phrase,
)

if TYPE_CHECKING:
    from kpiscore.model.facts import Event
    from kpiscore.results.scorecard import CriterionResult, RuleLine, Scorecard

__all__ = ["forms_document", "scorecard_form", "write_forms"]

# The form's own words, and those it says otherwise than the scorecard text; every other
# phrase of an explanation (start, rules, caps) is the scorecard text's, written once there.
_FORM_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập – Tự do – Hạnh phúc",
        "title": "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        "period": "Kỳ đánh giá",
        "from_to": "từ {start} đến {end}",
        "name": "Họ và tên",
        "subject": "Mã số",
        "unit": "Đơn vị",
        "position": "Chức vụ",
        "group": "Nhóm",
        "policy": "Quy định áp dụng",
        "check_code": "mã kiểm tra",
        "number": "STT",
        "criterion": "Tiêu chí",
        "max": "Tối đa",
        "points": "Điểm",
        "how": "Diễn giải và căn cứ",
        "basis": "Căn cứ",
        "rating": "Xếp loại",
        "excluded": "thiếu kết quả đo, không tính (nhóm chia lại cho các tiêu chí còn lại)",
        "deduction": "Trừ điểm",
        "award": "Cộng điểm",
        "limited": "giới hạn của quy tắc ({limit}) cắt {value}",
        "absorbed_floor": "{value} không trừ tiếp do chạm sàn ({floor})",
        "absorbed_max": "{value} không cộng tiếp do đạt điểm tối đa",
        "cap_exempted": "không áp dụng: có lý do chính đáng",
        "place_date": "…………, ngày …… tháng …… năm ……",
        "self": "NGƯỜI TỰ ĐÁNH GIÁ",
        "assessor": "NGƯỜI ĐÁNH GIÁ",
        "assessor_role": "(Thủ trưởng trực tiếp)",
        "sign": "(Ký, ghi rõ họ tên)",
        "document": "Phiếu đánh giá",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto": "Independence – Freedom – Happiness",
        "title": "EVALUATION FORM",
        "period": "Period",
        "from_to": "from {start} to {end}",
        "name": "Name",
        "subject": "Id",
        "unit": "Unit",
        "position": "Position",
        "group": "Group",
        "check_code": "check code",
        "number": "No.",
        "criterion": "Criterion",
        "max": "Max",
        "points": "Points",
        "how": "How the points were reached, and the rule",
        "basis": "Rule",
        "rating": "Rating",
        "deduction": "Deduction",
        "award": "Award",
        "cap_exempted": "not applied: valid reason",
        "mean": "mean × {max}",
        "place_date": "…………, date ……………………",
        "self": "SELF-ASSESSMENT",
        "assessor": "ASSESSOR",
        "assessor_role": "(direct head)",
        "sign": "(signature and full name)",
        "document": "Evaluation form",
    },
}

# Less "requested": a rule's line on a form says no "requested" after its count (rule_phrases
# adds the word only where the text has it).
_WORDS: dict[str, dict[str, str]] = {
    lang: {**{k: v for k, v in PHRASES[lang].items() if k != "requested"}, **words}
    for lang, words in _FORM_WORDS.items()
}

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")

# A4 with print margins; a form is one page, several forms get a page break each.
_CSS = """
@page { size: A4; margin: 12mm 14mm 12mm 16mm; }
body { margin: 0; }
.kpi-form { font-family: "Times New Roman", "DejaVu Serif", "Liberation Serif", serif;
  font-size: 10.5pt; color: #000; line-height: 1.25; break-after: page;
  page-break-after: always; }
.kpi-form:last-of-type { break-after: auto; page-break-after: auto; }
.kpi-form .nation { text-align: center; font-weight: bold; margin: 0; padding-top: 1.5mm; }
.kpi-form .motto { text-align: center; font-weight: bold; margin: 0 0 2mm; }
.kpi-form .motto span { border-bottom: 1px solid #000; }
.kpi-form h1 { text-align: center; font-size: 13pt; margin: 3mm 0 1mm; }
.kpi-form .sub { text-align: center; margin: 0 0 2.5mm; }
.kpi-form table { border-collapse: collapse; width: 100%; }
.kpi-form .who td { padding: 0.3mm 1mm; vertical-align: top; }
.kpi-form .who td.label { width: 24%; }
.kpi-form .ledger { margin-top: 2.5mm; font-size: 9pt; line-height: 1.2; }
.kpi-form .ledger th, .kpi-form .ledger td { border: 1px solid #000; padding: 0.7mm 1.5mm;
  vertical-align: top; }
.kpi-form .ledger th { background: #eee; }
.kpi-form .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.kpi-form .center { text-align: center; }
.kpi-form tr.cat td { font-weight: bold; background: #f4f4f4; }
.kpi-form tr.sum td { font-weight: bold; }
.kpi-form .how p { margin: 0; }
.kpi-form .basis { font-style: italic; color: #333; font-size: 8pt; line-height: 1.15; }
.kpi-form ul.events { margin: 0.3mm 0 0.5mm 4mm; padding: 0; list-style: "– ";
  font-size: 8.5pt; }
.kpi-form ul.events.many { columns: 3; column-gap: 4mm; }
.kpi-form .verdict { margin: 3mm 0 0; }
.kpi-form .verdict p { margin: 0.5mm 0; }
.kpi-form .meta { font-size: 8.5pt; color: #333; margin-top: 2mm; }
.kpi-form .place { text-align: right; font-style: italic; margin: 2mm 0 1mm; }
.kpi-form .signatures td { width: 50%; text-align: center; vertical-align: top; }
.kpi-form .signatures b { display: block; }
.kpi-form .signatures .signer { padding-top: 14mm; font-weight: bold; }
.kpi-form .signatures { break-inside: avoid; page-break-inside: avoid; }
"""

#: How a form names a rating: its band and the band's name.
_BAND = "{id} — {name}"

#: More events than this in one rule are set in three columns to keep the form on its page.
_MANY_EVENTS = 6


def _num(value: Decimal, lang: str, *, places: bool = True) -> str:
    """A reported figure with its places (``74,50``), or with ``places=False`` a figure as given
    in the arithmetic phrases' format (``format_figure``: ``1.000,5``; English ``1000.5``)."""
    return format_number(value, lang) if places else format_figure(value, lang)


def _date(on: date, lang: str) -> str:
    return format_date(on, lang)


def _events(events: Iterable[Event], line: RuleLine | None, lang: str) -> str:
    items = []
    for event in events:
        text = _date(event.on, lang)
        # A quantity means something only where the rule counts units (per="unit").
        if line is not None and line.per == "unit":
            text += f" × {_num(event.quantity, lang, places=False)}"
        if event.ref:
            text += f" [{event.ref}]"
        if event.note:
            text += f" ({note_text(event.note, lang)})"
        items.append(f"<li>{html.escape(text)}</li>")
    css = "events many" if len(items) > _MANY_EVENTS else "events"
    return f'<ul class="{css}">{"".join(items)}</ul>'


def _rule(line: RuleLine, result: CriterionResult, words: Mapping[str, str], lang: str) -> str:
    esc = html.escape
    label = words[line.kind] + (f" «{line.name}»" if line.name else f" {line.rule}")
    parts = rule_phrases(line, result, words, lang, always_applied=False)
    text = f"<p>{esc(label)}: {esc('; '.join(parts))}</p>"
    if line.events:
        text += _events(line.events, line, lang)
    if line.exempted:
        text += f"<p>{esc(words['exempted'])}:</p>" + _events(line.exempted, line, lang)
    if cited(line, lang):
        text += f'<p class="basis">{esc(words["basis"])}: {esc(cited(line, lang) or "")}</p>'
    return text


def _form_body(card: Scorecard, lang: str) -> str:
    esc = html.escape
    words = _WORDS[lang]
    person = card.person
    period = card.period
    parts = [
        '<section class="kpi-form">',
        f'<p class="nation">{esc(words["nation"])}</p>',
        f'<p class="motto"><span>{esc(words["motto"])}</span></p>',
        f"<h1>{esc(words['title'])}</h1>",
        (
            f'<p class="sub">{esc(words["period"])}: <b>{esc(period.label)}</b> ('
            + esc(
                words["from_to"].format(
                    start=_date(period.start, lang), end=_date(period.end, lang)
                )
            )
            + ")</p>"
        ),
        '<table class="who">',
    ]
    who = [
        ("name", person.name or ""),
        ("subject", card.subject),
        ("unit", person.unit or ""),
        ("position", person.position or ""),
    ]
    if person.group:
        who.append(("group", person.group))
    for key, value in who:
        parts.append(
            f'<tr><td class="label">{esc(words[key])}:</td><td><b>{esc(value)}</b></td></tr>'
        )
    parts.append("</table>")
    parts.append(
        '<table class="ledger"><colgroup><col style="width:6%"><col style="width:27%">'
        '<col style="width:7%"><col style="width:8%"><col></colgroup><thead><tr>'
        f'<th class="center">{esc(words["number"])}</th><th>{esc(words["criterion"])}</th>'
        f'<th class="num">{esc(words["max"])}</th><th class="num">{esc(words["points"])}</th>'
        f"<th>{esc(words['how'])}</th></tr></thead><tbody>"
    )
    for index, category in enumerate(card.categories):
        number = _ROMAN[index] if index < len(_ROMAN) else str(index + 1)
        how = ""
        if category.weighted:
            # "bình quân có trọng số" only where the weights differ; else a plain mean.
            equal = len({result.weight for result in category.criteria}) <= 1
            how = words["mean" if equal else "weighted"].format(
                max=_num(category.max_points, lang, places=False)
            )
        if cited(category, lang):
            how += ("; " if how else "") + f"{words['basis']}: {cited(category, lang)}"
        parts.append(
            f'<tr class="cat"><td class="center">{number}</td><td>{esc(category.name)}</td>'
            f'<td class="num">{_num(category.max_points, lang, places=False)}</td>'
            f'<td class="num">{_num(category.points, lang)}</td>'
            f'<td class="how basis">{esc(how)}</td></tr>'
        )
        for position, result in enumerate(category.criteria, start=1):
            how_parts = [f"<p>{esc(start_phrase(result, words, lang))}</p>"]
            how_parts += [_rule(line, result, words, lang) for line in result.rules]
            if result.raised_by_floor:
                how_parts.append(
                    "<p>"
                    + esc(
                        words["raised"].format(
                            value=_num(result.raised_by_floor, lang, places=False)
                        )
                    )
                    + "</p>"
                )
            if cited(result, lang):
                how_parts.append(
                    f'<p class="basis">{esc(words["basis"])}: {esc(cited(result, lang) or "")}</p>'
                )
            parts.append(
                f'<tr><td class="center">{position}</td><td>{esc(result.name)}</td>'
                f'<td class="num">{_num(result.max_points, lang, places=False)}</td>'
                f'<td class="num">{"—" if result.excluded else _num(result.points, lang)}</td>'
                f'<td class="how">{"".join(how_parts)}</td></tr>'
            )
    if card.carried:
        parts.append(
            f'<tr><td></td><td colspan="2">{esc(words["carried_total"])}</td>'
            f'<td class="num">−{_num(card.carried, lang)}</td><td></td></tr>'
        )
    parts.append(
        f'<tr class="sum"><td></td><td>{esc(words["total"])}</td>'
        f'<td class="num">{_num(card.max_total, lang, places=False)}</td>'
        f'<td class="num">{_num(card.total, lang)}</td><td></td></tr>'
    )
    parts.append("</tbody></table>")
    parts.append('<div class="verdict">')
    if card.clamped:
        parts.append(f"<p>{esc(words['clamped'].format(value=_num(card.clamped, lang)))}</p>")
    for cap in card.caps:
        text = f"{words['cap']}: {cap.name or cap.on}"
        if cap.events:
            verdict = words["cap_lowered" if cap.lowered else "cap_no_effect"]
            dates = ", ".join(_date(e.on, lang) for e in cap.events)
            text += f" ({dates}) ⇒ " + verdict.format(band=cap.at_most)
        else:
            text += " ⇒ " + words["cap_exempted"]
        if cited(cap, lang):
            text += f" — {words['basis']}: {cited(cap, lang)}"
        parts.append(f"<p>{esc(text)}</p>")
    for adjustment in card.adjustments:
        reason = (
            adjustment.reason_vi if lang == "vi" and adjustment.reason_vi else adjustment.reason
        )
        text = f"{words['adjusted']}: {adjustment.from_rating} → {adjustment.to_rating}: {reason}"
        if cited(adjustment, lang):
            text += f" — {words['basis']}: {cited(adjustment, lang)}"
        parts.append(f"<p>{esc(text)}</p>")
    if card.rating is None:
        parts.append(f"<p><b>{esc(words['rating'])}:</b> {esc(words['no_rating'])}</p>")
    else:
        band = band_label(card, card.rating, lang, _BAND)
        rating = f"<p><b>{esc(words['rating'])}: {esc(band)}</b>"
        if card.score_rating is not None and card.score_rating != card.rating:
            by_score = band_label(card, card.score_rating, lang, _BAND)
            rating += f" ({esc(words['score_rating'])}: {esc(by_score)})"
        parts.append(rating + "</p>")
    parts.append("</div>")
    parts.append(
        f'<p class="meta">{esc(words["policy"])}: {esc(card.policy_id)}'
        f" {esc(words['version'])} {esc(card.policy_version)}"
        f" · {esc(words['check_code'])} {esc(card.fingerprint[:12])}</p>"
    )
    parts.append(f'<p class="place">{esc(words["place_date"])}</p>')
    parts.append(
        '<table class="signatures"><tr>'
        f"<td><b>{esc(words['self'])}</b>{esc(words['sign'])}"
        f'<div class="signer">{esc(person.name or "")}</div></td>'
        f"<td><b>{esc(words['assessor'])}</b>{esc(words['assessor_role'])}<br>"
        f"{esc(words['sign'])}</td>"
        "</tr></table>"
    )
    parts.append("</section>")
    return "\n".join(parts)


def _document(bodies: list[str], title: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(bodies)
        + "\n</body>\n</html>\n"
    )


def scorecard_form(card: Scorecard, *, lang: str = "vi", standalone: bool = True) -> str:
    """The printable A4 evaluation form of one scorecard, as HTML.

    Args:
        card: The scorecard.
        lang: ``"vi"`` (default) or ``"en"``.
        standalone: A whole HTML document (``True``), or the ``<section>`` with its style, to
            put inside another page (a notebook, a web page).

    Raises:
        InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.

    >>> from kpiscore import Category, Criterion, Policy, score
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="Chung", criteria=[
    ...     Criterion(id="x", name="Đào tạo", max_points=15)])])
    >>> page = scorecard_form(score(policy, "2026-Q1", "nv001"))
    >>> "PHIẾU ĐÁNH GIÁ" in page and "15,00" in page and "NGƯỜI TỰ ĐÁNH GIÁ" in page
    True
    """
    from kpiscore.model.numbers import exact

    check_lang(lang, "scorecard form")
    with exact():
        body = _form_body(card, lang)
    if not standalone:
        return f"<style>{_CSS}</style>\n{body}"
    title = f"{_WORDS[lang]['document']} {card.subject} {card.period.label}"
    return _document([body], title, lang)


def forms_document(cards: Iterable[Scorecard], *, lang: str = "vi") -> str:
    """Every scorecard's form in one HTML document, a page break after each.

    Raises:
        InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
    """
    from kpiscore.model.numbers import exact

    check_lang(lang, "scorecard forms")
    with exact():
        bodies = [_form_body(card, lang) for card in cards]
    return _document(bodies, _WORDS[lang]["document"], lang)


_UNSAFE = re.compile(r"[^0-9A-Za-z._-]")


def _file_name(subject: str) -> str:
    name = _UNSAFE.sub("_", subject).strip(".") or "_"
    return name + ".html"


def write_forms(
    cards: Iterable[Scorecard],
    directory: str | os.PathLike[str],
    *,
    lang: str = "vi",
    single: str | None = None,
) -> list[Path]:
    """Write the printable forms into ``directory``: one file per person, or all in one.

    Args:
        cards: The scorecards (a :class:`ScoreTable` iterates as them).
        directory: The folder (created when missing).
        lang: ``"vi"`` (default) or ``"en"``.
        single: A file name (``"phieu-danh-gia.html"``) to write every form into one document
            with a page break per person; by default each person gets ``<subject>.html``.

    Returns:
        The files written, in order.

    Raises:
        InputError: ``lang`` is unknown, or two subject ids map to the same file name.
    """
    from kpiscore.io.excel import write_atomic

    check_lang(lang, "scorecard forms")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    cards = list(cards)
    if single is not None:
        return [write_atomic(folder / single, forms_document(cards, lang=lang).encode("utf-8"))]
    names: dict[str, str] = {}
    for card in cards:
        name = _file_name(card.subject)
        if name in names:
            raise InputError(
                f"scorecard forms: subjects {names[name]!r} and {card.subject!r} would both be"
                f" written to {name!r}; give single=… to write one document"
            )
        names[name] = card.subject
    return [
        write_atomic(folder / name, scorecard_form(card, lang=lang).encode("utf-8"))
        for name, card in zip(names, cards, strict=True)
    ]
