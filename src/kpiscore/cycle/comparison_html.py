"""A :class:`~kpiscore.cycle.comparison.Comparison` as HTML for a notebook: the band-move
matrix and the first people who moved (``Comparison._repr_html_``)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from kpiscore.model.numbers import format_points

if TYPE_CHECKING:
    from kpiscore.cycle.comparison import Comparison


_STYLE: Final = (
    "<style>.kpicmp{border-collapse:collapse;font-family:system-ui,sans-serif;font-size:13px;"
    "margin:4px 0}.kpicmp td,.kpicmp th{border:1px solid #ddd;padding:2px 6px}"
    ".kpicmp .num{text-align:right;font-variant-numeric:tabular-nums}"
    ".kpicmp .up{background:#e8f5e9;color:#1b5e20}.kpicmp .down{background:#fdecea;"
    "color:#b00020}.kpicmp .same{color:#777}.kpicmp .zero{color:#bbb}</style>"
)
#: Rows of movers shown in a notebook (the rest is in to_rows()).
HTML_ROWS: Final = 50


def _label(rating: str | None) -> str:
    return "—" if rating is None else rating


def comparison_html(comparison: Comparison) -> str:
    """The transition matrix and the first :data:`HTML_ROWS` people who moved, as HTML."""
    esc = html.escape
    summary = comparison.summary
    base, variant = comparison.base, comparison.variant
    rank = {rating: position for position, rating in enumerate(comparison.ratings)}
    mean = "—" if summary.mean_delta is None else format_points(summary.mean_delta)
    parts = [
        _STYLE,
        (
            f"<p><b>{esc(base.id)}</b> v{esc(base.version)} → <b>{esc(variant.id)}</b>"
            f" v{esc(variant.version)} · {esc(comparison.period.label)} · {summary.count} people"
            f" · <span class='up'>▲ {summary.up} up</span> · <span class='down'>▼ {summary.down}"
            f" down</span> · {summary.same} same · totals changed {summary.totals_changed}"
            f" · mean Δ {esc(mean)}</p>"
        ),
        "<table class='kpicmp'><tr><th>base ↓ / variant →</th>",
    ]
    parts.extend(f"<th>{esc(_label(r))}</th>" for r in comparison.ratings)
    parts.append("</tr>")
    for before in comparison.ratings:
        parts.append(f"<tr><th>{esc(_label(before))}</th>")
        for after in comparison.ratings:
            count = summary.transitions[before][after]
            css = "zero" if not count else "same"
            if count and rank[after] < rank[before]:
                css = "up"
            elif count and rank[after] > rank[before]:
                css = "down"
            parts.append(f"<td class='num {css}'>{count}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    moved, moved_count = comparison._moved_head(HTML_ROWS)
    if not moved:
        parts.append("<p>Nobody moved.</p>")
        return "".join(parts)
    parts.append(
        "<table class='kpicmp'><tr><th>subject</th><th>name</th><th>base</th><th>variant</th>"
        "<th>Δ</th><th>rating</th><th>moved</th></tr>"
    )
    for row in moved:
        arrow = {"up": "▲", "down": "▼", "same": ""}[row.move]
        rating = _label(row.base_rating)
        if row.base_rating != row.variant_rating:
            rating += f" → {_label(row.variant_rating)}"
        what = "; ".join(str(move) for move in row.criteria or row.categories)
        parts.append(
            f"<tr class='{row.move}'><td>{esc(row.subject)}</td><td>{esc(row.person.name or '')}"
            f"</td><td class='num'>{esc(format_points(row.base_total))}</td>"
            f"<td class='num'>{esc(format_points(row.variant_total))}</td>"
            f"<td class='num'>{esc(_signed(row.delta))}</td><td>{esc(arrow)} {esc(rating)}</td>"
            f"<td>{esc(what)}</td></tr>"
        )
    if moved_count > HTML_ROWS:
        parts.append(
            f"<tr><td colspan='7' class='same'>… {moved_count - HTML_ROWS} more moved"
            " (see to_rows())</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def _signed(value: Decimal) -> str:
    text = format_points(value)
    return text if value <= 0 else "+" + text
