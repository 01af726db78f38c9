"""Charts of results (``kpiscore[plot]``, matplotlib): ratings by unit, totals against the band
thresholds, and a comparison's band-move matrix.

Each function draws on the ``ax`` it is given (or a new figure's) and returns the axes, so a
notebook shows it and a script saves it with ``ax.figure.savefig("ratings.png")``. Figures are
converted to float only here, for drawing; scores stay exact everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from kpiscore.io.numbers_vi import check_lang, format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kpiscore.cycle.comparison import Comparison
    from kpiscore.results.scorecard import Scorecard, ScoreTable

__all__ = ["band_moves", "ratings_by_unit", "totals_histogram"]

_WORDS = {
    "vi": {
        "unit": "Đơn vị",
        "people": "Số người",
        "no_unit": "(không ghi đơn vị)",
        "no_rating": "(không xếp loại)",
        "ratings": "Xếp loại theo đơn vị — {policy}, kỳ {period}",
        "total": "Tổng điểm",
        "histogram": "Phân bố tổng điểm — {policy}, kỳ {period}",
        "base": "Xếp loại theo quy định gốc",
        "variant": "Xếp loại theo phương án",
        "moves": "Thay đổi xếp loại — {base} → {variant}",
    },
    "en": {
        "unit": "Unit",
        "people": "People",
        "no_unit": "(no unit)",
        "no_rating": "(no rating)",
        "ratings": "Ratings by unit — {policy}, {period}",
        "total": "Total",
        "histogram": "Totals — {policy}, {period}",
        "base": "Rating under the base policy",
        "variant": "Rating under the variant",
        "moves": "Rating moves — {base} → {variant}",
    },
}

# Highest band first: green, blue, amber, red; further bands cycle through greys.
_COLOURS = ("#2e7d32", "#1565c0", "#f9a825", "#c62828")


def _pyplot() -> ModuleType:
    from kpiscore._extras import require

    require("matplotlib", "plot")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _figure, new = _pyplot().subplots(figsize=(8, 4.5), layout="constrained")
    axes: Axes = new
    return axes


def _start(lang: str, ax: Axes | None) -> tuple[dict[str, str], Axes]:
    """The words of a chart in ``lang`` (checked first) and the axes to draw it on."""
    return _WORDS[check_lang(lang, "plot")], _axes(ax)


def _colour(index: int) -> str:
    return _COLOURS[index] if index < len(_COLOURS) else f"{0.35 + 0.1 * (index % 5):.2f}"


def ratings_by_unit(table: ScoreTable, ax: Axes | None = None, *, lang: str = "vi") -> Axes:
    """A stacked bar per unit: how many people got each rating (highest band on top).

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install 'kpiscore[plot]'``).
        InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
    """
    words, axes = _start(lang, ax)
    bands = [band.id for band in table.policy.bands_descending]
    cards: Iterable[Scorecard] = table
    counts: dict[str, dict[str | None, int]] = {}
    for card in cards:
        unit = card.person.unit or words["no_unit"]
        per_unit = counts.setdefault(unit, {})
        per_unit[card.rating] = per_unit.get(card.rating, 0) + 1
    units = sorted(counts)
    ratings: list[str | None] = list(bands)
    ratings += sorted({r for c in counts.values() for r in c if r not in bands}, key=str)
    bottoms = [0] * len(units)
    # Draw the lowest rating first so the highest sits on top of each bar.
    for index in reversed(range(len(ratings))):
        rating = ratings[index]
        heights = [counts[unit].get(rating, 0) for unit in units]
        axes.bar(
            units,
            heights,
            bottom=bottoms,
            label=rating or words["no_rating"],
            color=_colour(index),
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    axes.set_xlabel(words["unit"])
    axes.set_ylabel(words["people"])
    axes.set_title(words["ratings"].format(policy=table.policy.id, period=table.period.label))
    handles, labels = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1, 1))
    axes.tick_params(axis="x", labelrotation=30)
    return axes


def totals_histogram(
    table: ScoreTable, ax: Axes | None = None, *, lang: str = "vi", bins: int = 20
) -> Axes:
    """A histogram of the totals with a dashed line at each band's threshold.

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install 'kpiscore[plot]'``).
        InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
    """
    words, axes = _start(lang, ax)
    totals = [float(total) for total in table.totals()]
    axes.hist(totals, bins=bins, range=(0, float(table.policy.max_total)), color="#90a4ae")
    for index, band in enumerate(table.policy.bands_descending):
        if band.min_points <= 0:
            continue
        axes.axvline(float(band.min_points), color=_colour(index), linestyle="--")
        axes.annotate(
            f"{band.id} ≥ {format_number(band.min_points, lang, keep_places=False)}",
            xy=(float(band.min_points), 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            color=_colour(index),
        )
    axes.set_xlabel(words["total"])
    axes.set_ylabel(words["people"])
    axes.set_title(words["histogram"].format(policy=table.policy.id, period=table.period.label))
    return axes


def band_moves(comparison: Comparison, ax: Axes | None = None, *, lang: str = "vi") -> Axes:
    """The band-move matrix of a comparison: people per (base rating, variant rating).

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install 'kpiscore[plot]'``).
        InputError: ``lang`` is neither ``"vi"`` nor ``"en"``.
    """
    words, axes = _start(lang, ax)
    summary = comparison.summary
    ratings = list(summary.ratings)
    matrix = [
        [summary.transitions.get(base, {}).get(variant, 0) for variant in ratings]
        for base in ratings
    ]
    axes.imshow(matrix, cmap="Blues")
    labels = [rating or words["no_rating"] for rating in ratings]
    axes.set_xticks(range(len(ratings)), labels)
    axes.set_yticks(range(len(ratings)), labels)
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, people in enumerate(row):
            colour = "white" if peak and people > peak / 2 else "black"
            axes.text(j, i, str(people), ha="center", va="center", color=colour)
    axes.set_xlabel(words["variant"])
    axes.set_ylabel(words["base"])
    axes.set_title(
        words["moves"].format(base=comparison.base.version, variant=comparison.variant.version)
    )
    return axes
