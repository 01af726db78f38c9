"""Rendering at the edge: explanations as text, HTML for notebooks, CSV rows, summaries.

Nothing here computes a score; it only prints what the engine decided.

This module stays whole (about 700 lines): the text explanation, the notebook HTML and the CSV
cells print the same ledger with the same number and date forms (English and Vietnamese), and
the result tables, the command line and the columnar CSV writer take them from this one place.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Protocol

from kpiscore.exceptions import InputError
from kpiscore.io.numbers_vi import format_date, format_figure, format_number
from kpiscore.model.numbers import EXACT, canonical, format_points, quantize_fraction
from kpiscore.model.rules import RESERVED_COLUMNS

if TYPE_CHECKING:
    import pandas

    from kpiscore.model.facts import Event
    from kpiscore.model.policy import Policy
    from kpiscore.results.scorecard import (
        Adjustment,
        CriterionResult,
        RuleLine,
        Scorecard,
        ScoreTable,
    )

__all__ = [
    "PHRASES",
    "adjustment_lines",
    "band_label",
    "cited",
    "criterion_columns",
    "csv_field",
    "csv_line",
    "explain",
    "rating_change_line",
    "rows_html",
    "rows_to_csv",
    "rule_phrases",
    "safe_cell",
    "scorecard_html",
    "start_phrase",
    "table_html",
    "table_summary",
]

#: The words of explanations, by language (``"vi"``, ``"en"``); roll-ups add their own.
PHRASES: Final[dict[str, dict[str, str]]] = {
    "vi": {
        "card": "Phiếu đánh giá",
        "period": "kỳ",
        "policy": "Quy định",
        "version": "phiên bản",
        "fingerprint": "mã kiểm tra",
        "total": "Tổng điểm",
        "rating": "xếp loại",
        "no_rating": "không xếp loại (quy định không có mức xếp loại)",
        "start_full": "bắt đầu từ điểm tối đa {value}",
        "start_zero": "bắt đầu từ 0",
        "start_assessed": "điểm chấm {value}",
        "start_ratio": "tỷ lệ {ratio} × {max} = {value}",
        "ratio_capped": "tỷ lệ {ratio} vượt 1, tính bằng 1",
        "missing_zero": "thiếu kết quả đo, tính bằng 0",
        "excluded": (
            "thiếu kết quả đo, không tính (nhóm chia lại trọng số cho các tiêu chí còn lại)"
        ),
        "deduction": "trừ điểm",
        "award": "cộng điểm",
        "times": "lần",
        "units": "đơn vị",
        "requested": "yêu cầu",
        "limited": "bị giới hạn của quy tắc ({limit}) cắt {value}",
        "absorbed_floor": "{value} bị sàn ({floor}) hấp thụ",
        "absorbed_max": "{value} bị điểm tối đa hấp thụ",
        "carried": "{value} chuyển trừ vào tổng điểm",
        "applied": "áp dụng",
        "events": "sự kiện",
        "exempted": "miễn trừ (có lý do chính đáng)",
        "raised": "sàn nâng điểm thêm {value}",
        "carried_total": "Điểm trừ vượt tiêu chí chuyển sang tổng",
        "clamped": "Tổng điểm không âm: {value} không trừ tiếp",
        "cap": "Giới hạn xếp loại",
        "cap_lowered": "hạ xếp loại xuống tối đa {band}",
        "cap_no_effect": "xếp loại đã không cao hơn {band}",
        "cap_exempted": "không áp dụng: sự kiện có lý do chính đáng",
        "score_rating": "theo điểm",
        "weighted": "bình quân có trọng số × {max}",
        "mean": "bình quân × {max}",
        "adjusted": "Điều chỉnh xếp loại",
    },
    "en": {
        "card": "Scorecard",
        "period": "period",
        "policy": "Policy",
        "version": "version",
        "fingerprint": "fingerprint",
        "total": "Total",
        "rating": "rating",
        "no_rating": "no rating (the policy has no bands)",
        "start_full": "starts at its maximum {value}",
        "start_zero": "starts at 0",
        "start_assessed": "assessed at {value}",
        "start_ratio": "ratio {ratio} × {max} = {value}",
        "ratio_capped": "ratio {ratio} above 1, counted as 1",
        "missing_zero": "measure missing, counted as 0",
        "excluded": "measure missing, left out (the category reweights the other criteria)",
        "deduction": "deduction",
        "award": "award",
        "times": "times",
        "units": "units",
        "requested": "requested",
        "limited": "the rule's limit ({limit}) cut {value}",
        "absorbed_floor": "{value} absorbed by the floor ({floor})",
        "absorbed_max": "{value} absorbed by the maximum",
        "carried": "{value} carried to the total",
        "applied": "applied",
        "events": "events",
        "exempted": "exempted (valid reason)",
        "raised": "the floor raised it by {value}",
        "carried_total": "Deductions carried past criteria into the total",
        "clamped": "The total cannot go below 0: {value} not deducted",
        "cap": "Rating cap",
        "cap_lowered": "rating lowered to at most {band}",
        "cap_no_effect": "rating already no higher than {band}",
        "cap_exempted": "not applied: the events had a valid reason",
        "score_rating": "by score",
        "weighted": "weighted mean × {max}",
        "mean": "weighted mean × {max}",
        "adjusted": "Rating adjusted",
    },
}


def _c(value: Decimal, lang: str = "en") -> str:
    """A figure as given (``2.5``), in the language's number format (``2,5`` in Vietnamese)."""
    return format_figure(value, lang)


def _p(value: Decimal, lang: str = "en") -> str:
    """A reported figure with its decimal places (``74.50``; ``74,50`` in Vietnamese)."""
    return format_points(value) if lang == "en" else format_number(value, lang)


def _signed(value: Decimal, lang: str = "en") -> str:
    text = _c(value, lang)
    return text.replace("-", "−") if value < 0 else ("+" + text if value > 0 else text)


class _Cited(Protocol):
    @property
    def reference(self) -> str | None: ...
    @property
    def reference_vi(self) -> str | None: ...


def cited(item: _Cited, lang: str) -> str | None:
    """The legal reference to print in ``lang``: the Vietnamese one (``reference_vi``) on a
    Vietnamese page where the policy gives it, else ``reference`` as written.

    >>> from kpiscore import RatingCap
    >>> cap = RatingCap(on="k", at_most="KHT", reference="Decree 335/2025/ND-CP Art. 20",
    ...                 reference_vi="Nghị định 335/2025/NĐ-CP, Điều 20")
    >>> cited(cap, "vi"), cited(cap, "en")
    ('Nghị định 335/2025/NĐ-CP, Điều 20', 'Decree 335/2025/ND-CP Art. 20')
    """
    if lang == "vi" and item.reference_vi:
        return item.reference_vi
    return item.reference


def _event_text(event: Event, *, units: bool, lang: str) -> str:
    text = format_date(event.on, lang)
    # A quantity means something only where the rule counts units (per="unit"); a rule that
    # counts occurrences counts each event once whatever its quantity.
    if units:
        text += f" ×{_c(event.quantity, lang)}"
    if event.ref:
        text += f" [{event.ref}]"
    if event.note:
        text += f" ({note_text(event.note, lang)})"
    return text


def _dates(events: Iterable[Event], *, units: bool = False, lang: str = "en") -> str:
    return ", ".join(_event_text(event, units=units, lang=lang) for event in events)


def _event_lines(
    label: str, events: tuple[Event, ...], *, units: bool, lang: str, indent: str
) -> list[str]:
    """English keeps one line of dates; Vietnamese lists several events one per line."""
    if lang == "en" or len(events) == 1:
        return [f"{indent}{label}: {_dates(events, units=units, lang=lang)}"]
    return [f"{indent}{label} ({len(events)}):"] + [
        f"{indent}  - {_event_text(event, units=units, lang=lang)}" for event in events
    ]


_APPROVAL_NOTE = re.compile(
    r"work item (?P<item>'[^']*') of (?P<subject>'[^']*') submitted (?P<submitted>\S+);"
    r" approval due (?P<due>\S+) \((?P<days>\d+) (?P<unit>working|calendar) days\);"
    r" (?:approved (?P<approved>\S+)|not approved by (?P<pending>\S+)):"
    r" (?P<late>\d+) (?:working|calendar) day\(s\) late"
)


def note_text(note: str, lang: str) -> str:
    """An event's note in ``lang``: the notes kpiscore writes itself (late approvals from
    ``approval_events``) are given in Vietnamese; a note from the caller is shown as written.

    >>> text = note_text("work item 'W1' of 'nv1' submitted 2026-01-05; approval due 2026-01-12"
    ...                  " (5 working days); approved 2026-01-14: 2 working day(s) late", "vi")
    >>> for part in text.split("; "):
    ...     print(part)
    hồ sơ 'W1' của 'nv1' trình ngày 05/01/2026
    hạn phê duyệt 12/01/2026 (5 ngày làm việc)
    phê duyệt ngày 14/01/2026: trễ 2 ngày làm việc
    """
    if lang != "vi":
        return note
    found = _APPROVAL_NOTE.fullmatch(note)
    if found is None:
        return note
    unit = "ngày làm việc" if found["unit"] == "working" else "ngày"
    status = (
        f"phê duyệt ngày {_vi_date(found['approved'])}"
        if found["approved"]
        else f"chưa phê duyệt đến ngày {_vi_date(found['pending'])}"
    )
    return (
        f"hồ sơ {found['item']} của {found['subject']} trình ngày {_vi_date(found['submitted'])};"
        f" hạn phê duyệt {_vi_date(found['due'])} ({found['days']} {unit}); {status}:"
        f" trễ {found['late']} {unit}"
    )


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _vi_date(text: str) -> str:
    """An ISO date of a generated note (``2026-01-05``) as Vietnamese writes it (``05/01/2026``);
    anything else unchanged."""
    found = _ISO_DATE.fullmatch(text)
    return f"{found[3]}/{found[2]}/{found[1]}" if found else text


def rule_phrases(
    line: RuleLine,
    result: CriterionResult,
    words: Mapping[str, str],
    lang: str,
    *,
    always_applied: bool = True,
) -> list[str]:
    """The arithmetic of one rule line, phrase by phrase, in ``lang``: the one helper of
    explanations and printed forms.

    ``words`` gives the phrases (``times``/``units``, ``limited``, ``absorbed_floor``,
    ``absorbed_max``, ``applied``, ``carried``; ``requested`` when the page names it). Figures
    are :func:`~kpiscore.io.numbers_vi.format_figure`'s: ``1.000,5`` in Vietnamese, canonical
    ``1000.5`` in English. ``always_applied=False`` states the points applied only where they
    differ from those requested.
    """
    sign = -1 if line.kind == "deduction" else 1
    points = _signed(sign * line.points, lang)
    if line.per == "unit":
        quantity = sum((e.quantity for e in line.events), Decimal(0))
        how = f"{_c(quantity, lang)} {words['units']} × {points}"
    else:
        how = f"{len(line.events)} {words['times']} × {points}"
    requested = f"{how} = {_signed(line.requested, lang)}"
    if "requested" in words:
        requested += f" {words['requested']}"
    parts = [requested]
    if line.limited:
        parts.append(
            words["limited"].format(
                limit=_c(line.limit or Decimal(0), lang), value=_c(line.limited, lang)
            )
        )
    if line.absorbed_by == "floor":
        parts.append(
            words["absorbed_floor"].format(
                value=_c(line.absorbed, lang), floor=_c(result.floor, lang)
            )
        )
    elif line.absorbed_by == "max":
        parts.append(words["absorbed_max"].format(value=_c(line.absorbed, lang)))
    if always_applied:
        parts.append(f"{_signed(line.applied, lang)} {words['applied']}")
    elif line.applied != line.requested:
        parts.append(f"{words['applied']} {_signed(line.applied, lang)}")
    if line.carried:
        parts.append(words["carried"].format(value=_c(line.carried, lang)))
    return parts


def _rule_text(
    line: RuleLine, result: CriterionResult, words: Mapping[str, str], lang: str
) -> list[str]:
    label = words[line.kind] + f" {line.rule}"
    if line.name:
        label += f" «{line.name}»"
    parts = rule_phrases(line, result, words, lang)
    text = [f"      {label}: " + "; ".join(parts)]
    if cited(line, lang):
        text[0] += f"  [{cited(line, lang)}]"
    units = line.per == "unit"
    indent = " " * 10
    if line.events:
        text += _event_lines(words["events"], line.events, units=units, lang=lang, indent=indent)
    if line.exempted:
        text += _event_lines(
            words["exempted"], line.exempted, units=units, lang=lang, indent=indent
        )
    return text


def start_phrase(result: CriterionResult, words: Mapping[str, str], lang: str) -> str:
    """How a criterion's points start (full, zero, assessed, a ratio), in ``words`` (a table
    with the keys of :data:`PHRASES`); the scorecard text and the evaluation form say it so."""
    if result.excluded:
        return words["excluded"]
    if result.missing == "zero":
        return words["missing_zero"]
    if result.basis == "full":
        return words["start_full"].format(value=_c(result.max_points, lang))
    if result.basis == "zero":
        return words["start_zero"]
    if result.basis == "assessed":
        return words["start_assessed"].format(value=_c(result.start, lang))
    measure = result.measure if result.measure is not None else Decimal(0)
    text = words["start_ratio"].format(
        ratio=_c(min(measure, Decimal(1)), lang),
        max=_c(result.max_points, lang),
        value=_c(result.start, lang),
    )
    if result.ratio_capped:
        text += "; " + words["ratio_capped"].format(ratio=_c(measure, lang))
    return text


def explain(card: Scorecard, lang: str) -> str:
    """Render a scorecard's ledger as readable text in ``lang`` (``"vi"`` or ``"en"``)."""
    if lang not in PHRASES:
        raise InputError(f"explain: lang must be 'vi' or 'en' (got {lang!r})")
    words = PHRASES[lang]
    person = card.subject + (f" ({card.person.name})" if card.person.name else "")
    lines = [
        f"{words['card']}: {person} — {words['period']} {card.period.label}",
        (
            f"{words['policy']}: {card.policy_id} {words['version']} {card.policy_version}"
            f" ({words['fingerprint']} {card.fingerprint[:12]})"
        ),
    ]
    rating = (
        f"{words['rating']} {band_label(card, card.rating, lang)}"
        if card.rating
        else words["no_rating"]
    )
    lines.append(
        f"{words['total']}: {_p(card.total, lang)} / {_c(card.max_total, lang)} — {rating}"
    )
    for category in card.categories:
        lines.append("")
        head = (
            f"[{category.id}] {category.name}: {_p(category.points, lang)}"
            f" / {_c(category.max_points, lang)}"
        )
        if category.weighted:
            # "bình quân có trọng số" only where the criteria's weights differ.
            equal = len({result.weight for result in category.criteria}) <= 1
            how = words["mean" if equal else "weighted"]
            head += f" ({how.format(max=_c(category.max_points, lang))})"
        if cited(category, lang):
            head += f"  [{cited(category, lang)}]"
        lines.append(head)
        for result in category.criteria:
            entry = (
                f"  - {result.id} «{result.name}»: {_p(result.points, lang)}"
                f" / {_c(result.max_points, lang)} ({start_phrase(result, words, lang)})"
            )
            if cited(result, lang):
                entry += f"  [{cited(result, lang)}]"
            lines.append(entry)
            for line in result.rules:
                lines.extend(_rule_text(line, result, words, lang))
            if result.raised_by_floor:
                lines.append(
                    "      " + words["raised"].format(value=_c(result.raised_by_floor, lang))
                )
    if card.carried:
        lines.append("")
        lines.append(f"{words['carried_total']}: −{_p(card.carried, lang)}")
    if card.clamped:
        lines.append(words["clamped"].format(value=_p(card.clamped, lang)))
    for cap in card.caps:
        lines.append("")
        head = f"{words['cap']}: {cap.on}"
        if cap.name:
            head += f" «{cap.name}»"
        if cap.events:
            verdict = words["cap_lowered" if cap.lowered else "cap_no_effect"]
            head += f" ({_dates(cap.events, lang=lang)}) ⇒ " + verdict.format(band=cap.at_most)
        else:
            head += f" ({_dates(cap.exempted, lang=lang)}) ⇒ " + words["cap_exempted"]
        if cited(cap, lang):
            head += f"  [{cited(cap, lang)}]"
        lines.append(head)
    lines.extend(adjustment_lines(card.adjustments, words, lang))
    if card.rating != card.score_rating and card.score_rating is not None:
        lines.append(
            rating_change_line(
                words,
                band_label(card, card.score_rating, lang),
                band_label(card, card.rating, lang),
            )
        )
    return "\n".join(lines) + "\n"


def adjustment_lines(
    adjustments: Iterable[Adjustment], words: Mapping[str, str], lang: str
) -> list[str]:
    """One explanation line per rating adjustment (quota, …), in ``lang`` where it has one."""
    return [
        f"{words['adjusted']} ({adjustment.kind}): {adjustment.from_rating} →"
        f" {adjustment.to_rating}: {_adjustment_reason(adjustment, lang)}"
        + (f"  [{cited(adjustment, lang)}]" if cited(adjustment, lang) else "")
        for adjustment in adjustments
    ]


def rating_change_line(words: Mapping[str, str], before: str, after: str) -> str:
    """The line saying the rating by score (``before``) became another (``after``)."""
    return f"{words['rating']} {words['score_rating']}: {before} → {after}"


def _adjustment_reason(adjustment: Adjustment, lang: str) -> str:
    if lang == "vi" and adjustment.reason_vi:
        return adjustment.reason_vi
    return adjustment.reason


def band_label(
    card: Scorecard, band_id: str | None, lang: str, template: str = "{id} ({name})"
) -> str:
    """A rating with its band's name in ``lang`` (the English name where there is one), set in
    ``template``; a rating the card's policy has no band for (``None``) as it is."""
    band = card.band_info(band_id)
    if band is None:
        return str(band_id)
    name = band.name_en if lang == "en" and band.name_en else band.name
    return template.format(id=band.id, name=name)


# --------------------------------------------------------------------------- HTML

_STYLE = (
    "<style>.kpi td,.kpi th{padding:2px 8px;text-align:left}.kpi .num{text-align:right;"
    "font-variant-numeric:tabular-nums}.kpi .cat{font-weight:bold;background:#f3f3f3}"
    ".kpi .neg{color:#b00020}.kpi .pos{color:#1b5e20}.kpi .muted{color:#777}</style>"
)


def scorecard_html(card: Scorecard) -> str:
    """A compact HTML table of one scorecard, for notebooks."""
    esc = html.escape
    rating = esc(card.rating or "—")
    rows = [
        _STYLE,
        '<table class="kpi">',
        (
            f"<caption>{esc(card.subject)} · {esc(card.period.label)} · {esc(card.policy_id)}"
            f" v{esc(card.policy_version)} — <b>{esc(format_points(card.total))}</b> /"
            f" {esc(canonical(card.max_total))} · <b>{rating}</b></caption>"
        ),
        "<tr><th>item</th><th class='num'>points</th><th class='num'>max</th><th>ledger</th></tr>",
    ]
    for category in card.categories:
        rows.append(
            f"<tr class='cat'><td>{esc(category.id)} — {esc(category.name)}</td>"
            f"<td class='num'>{esc(format_points(category.points))}</td>"
            f"<td class='num'>{esc(canonical(category.max_points))}</td><td></td></tr>"
        )
        for result in category.criteria:
            notes = []
            for line in result.rules:
                css = "neg" if line.applied < 0 else "pos"
                text = f"{line.rule}: {_signed(line.applied)}"
                if line.absorbed:
                    text += f" ({canonical(line.absorbed)} absorbed)"
                if line.exempted:
                    text += f", {len(line.exempted)} exempted"
                notes.append(f"<span class='{css}'>{esc(text)}</span>")
            if result.excluded:
                notes.append("<span class='muted'>excluded</span>")
            rows.append(
                f"<tr><td>&nbsp;&nbsp;{esc(result.id)} — {esc(result.name)}</td>"
                f"<td class='num'>{esc(format_points(result.points))}</td>"
                f"<td class='num'>{esc(canonical(result.max_points))}</td>"
                f"<td>{'; '.join(notes)}</td></tr>"
            )
    if card.carried:
        rows.append(
            f"<tr><td>carried</td><td class='num neg'>−{esc(format_points(card.carried))}</td>"
            "<td></td><td></td></tr>"
        )
    for cap in card.caps:
        if cap.lowered:
            rows.append(
                f"<tr><td colspan='4' class='neg'>cap {esc(cap.on)} ⇒ at most"
                f" {esc(cap.at_most)}</td></tr>"
            )
    rows.append("</table>")
    return "".join(rows)


def table_html(table: ScoreTable) -> str:
    """An HTML view of a score table: the distribution and the first rows."""
    return table._repr_html_()


def distribution_html(distribution: Mapping[str | None, int]) -> str:
    """``HTXS: 3, HTT: 5, …`` escaped for HTML (the head line of a table's preview)."""
    return ", ".join(f"{html.escape(str(k))}: {v}" for k, v in distribution.items())


def rows_html(
    head: str, rows: list[dict[str, Any]], count: int, *, columns: Iterable[str] = ()
) -> str:
    """An HTML preview: ``head`` (HTML), then the given rows of a table of ``count`` rows.

    Only the rows given are drawn (a table's first few); a line says how many more there are.
    """
    esc = html.escape
    names = list(rows[0]) if rows else list(columns)
    parts = [_STYLE, f"<p>{head}</p>", '<table class="kpi"><tr>']
    parts.extend(f"<th>{esc(c)}</th>" for c in names)
    parts.append("</tr>")
    for row in rows:
        parts.append("<tr>")
        for column in names:
            value = row.get(column)
            css = " class='num'" if isinstance(value, Decimal) else ""
            parts.append(f"<td{css}>{esc(_cell(value))}</td>")
        parts.append("</tr>")
    if count > len(rows):
        parts.append(
            f"<tr><td colspan='{max(len(names), 1)}' class='muted'>… {count - len(rows)} more"
            "</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


# --------------------------------------------------------------------------- CSV and summaries

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: A formula start right after a line break inside a cell: a spreadsheet that splits the cell's
#: lines (or a CSV reader that splits the row) would otherwise see a formula there.
_FORMULA_AFTER_BREAK: Final = re.compile(r"([\r\n]+)(?=[=+\-@\t])")
#: Characters that make a CSV cell need quotes (the line breaks included, always).
_NEEDS_QUOTES: Final = re.compile(r'[,"\r\n]')


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_points(value)
    return str(value)


def safe_cell(value: object) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula.

    Numbers are written as they are; a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a line break gets a leading apostrophe (the OWASP recommendation), so
    ``=HYPERLINK(…)`` in a person's name shows as text; so does a formula start right after a
    line break inside the cell.

    >>> safe_cell("=1+1"), safe_cell("An\\r=HYPERLINK(C2)")
    ("'=1+1", "An\\r'=HYPERLINK(C2)")
    """
    text = _cell(value)
    if isinstance(value, Decimal):
        return text
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if "\r" in text or "\n" in text:
        text = _FORMULA_AFTER_BREAK.sub(r"\1'", text)
    return text


def csv_field(text: str) -> str:
    """One CSV field: quoted (``"`` doubled) when it holds a comma, a quote or a line break.

    Written here rather than by :mod:`csv`, which before CPython 3.11.9 / 3.12.3 left a bare
    ``\\r`` unquoted, so the row split in two and the bytes differed between patch releases.

    >>> csv_field("a"), csv_field("An\\rB"), csv_field('a"b')
    ('a', '"An\\rB"', '"a""b"')
    """
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells: Iterable[str]) -> str:
    """One CSV record of already safe cells, ending in ``\\n`` (each field quoted as needed)."""
    fields = [csv_field(cell) for cell in cells]
    if fields == [""]:
        return '""\n'  # as the csv module writes a lone empty field, so the line is not blank
    return ",".join(fields) + "\n"


def criterion_columns(policy: Policy) -> list[tuple[str, str]]:
    """(column name, criterion id) of the score CSV's per-criterion columns, in policy order.

    A column is named by the criterion's id; an id that is already a column of the score table
    (a category's id, or a column every table has, such as ``total``) is qualified by its
    category: ``"<category>.<criterion>"``.

    >>> from kpiscore import Category, Criterion, Policy
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=5), Criterion(id="c", name="Y", max_points=5)])])
    >>> criterion_columns(policy)
    [('x', 'x'), ('c.c', 'c')]
    """
    taken = set(RESERVED_COLUMNS) | {category.id for category in policy.categories}
    columns: list[tuple[str, str]] = []
    for category in policy.categories:
        for criterion in category.criteria:
            name = criterion.id
            while name in taken:
                name = f"{category.id}.{name}"
            taken.add(name)
            columns.append((name, criterion.id))
    return columns


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows (dicts with the same keys) as CSV text, formula cells neutralised.

    Line breaks inside a cell are always quoted, so every row is one record.
    """
    if not rows:
        return ""
    columns = list(rows[0])
    lines = [csv_line(safe_cell(c) for c in columns)]
    lines.extend(csv_line(safe_cell(row.get(c)) for c in columns) for row in rows)
    return "".join(lines)


def write_text(text: str, path: str | os.PathLike[str] | None) -> str:
    """Write ``text`` to ``path`` atomically (UTF-8, newlines as given) when given; return it."""
    if path is not None:
        from kpiscore.io.output import write_atomic

        write_atomic(path, text)
    return text


def rows_to_pandas(rows: list[dict[str, Any]]) -> pandas.DataFrame:
    """Rows as a pandas DataFrame (exact ``Decimal`` values in object columns).

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``).
    """
    from kpiscore._extras import require

    pd = require("pandas", "pandas")
    frame: pandas.DataFrame = pd.DataFrame(rows)
    return frame


def table_summary(table: ScoreTable) -> dict[str, Any]:
    """Count, exact mean (rounded once to the policy's precision), min, max, distribution."""
    totals = table.totals()  # a columnar table answers from its columns, building no card
    policy = table.policy
    summary: dict[str, Any] = {
        "count": len(totals),
        "distribution": table.distribution(),
    }
    if totals:
        total = Decimal(0)
        for value in totals:
            total = EXACT.add(total, value)
        summary["mean"] = quantize_fraction(
            Fraction(total) / len(totals), policy.precision, policy.rounding
        )
        summary["min"] = min(totals)
        summary["max"] = max(totals)
    else:
        summary["mean"] = summary["min"] = summary["max"] = None
    return summary
