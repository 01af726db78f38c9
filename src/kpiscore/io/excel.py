"""Excel workbooks of results (``kpiscore[excel]``, written with XlsxWriter).

A score table becomes a workbook an HR officer can open in a Vietnamese-locale Excel and
compute with: every figure is a *typed number* cell shown with the policy's decimal places
(Excel then shows ``74,51`` or ``74.51`` by the reader's locale), never a text cell.

Sheets of :func:`write_score_table`:

- the scores (``Điểm``): one row per person; a column per criterion and per category (names in
  the first header row, ids in the second), carried deduction, total, ratings and rating name;
  header rows and the person columns frozen, an auto-filter, column widths set;
- the per-unit summary (``Theo đơn vị``): people per band, mean, min and max total per unit,
  and a line for everyone;
- the notes (``Thông tin``): policy, version, check code, period and the table's notices.

The file is written atomically: the workbook is built in memory, written to a temporary file in
the target folder and moved over the target with ``os.replace``, so a reader never sees half a
workbook. Text cells are always written as text (``write_string``), so a name such as
``=HYPERLINK(…)`` can never become a formula.

XlsxWriter was chosen over openpyxl for writing: it has no dependencies, it is write-only and
several times faster for large tables, and it sets number formats, frozen panes and widths
directly; openpyxl (in the ``test`` extra) reads the workbooks back in the tests.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpiscore.io.numbers_vi import check_lang
from kpiscore.model.numbers import EXACT, quantize_fraction

if TYPE_CHECKING:
    from kpiscore.results.scorecard import Scorecard, ScoreTable

__all__ = ["number_format", "write_atomic", "write_rows", "write_score_table"]

PathLike = str | os.PathLike[str]

#: A fixed creation time, so the same table gives the same workbook bytes.
_CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "scores": "Điểm",
        "summary": "Theo đơn vị",
        "notes": "Thông tin",
        "subject": "Mã",
        "name": "Họ và tên",
        "unit": "Đơn vị",
        "group": "Nhóm",
        "position": "Chức vụ",
        "period": "Kỳ",
        "policy": "Quy định",
        "carried": "Điểm trừ chuyển sang tổng",
        "total": "Tổng điểm",
        "score_rating": "Xếp loại theo điểm",
        "rating": "Xếp loại",
        "rating_name": "Tên xếp loại",
        "count": "Số người",
        "mean": "Bình quân",
        "min": "Thấp nhất",
        "max": "Cao nhất",
        "everyone": "Toàn bộ",
        "no_unit": "(không ghi đơn vị)",
        "no_rating": "(không xếp loại)",
        "policy_name": "Tên quy định",
        "version": "Phiên bản",
        "check_code": "Mã kiểm tra",
        "fingerprint": "Mã kiểm tra đầy đủ (SHA-256)",
        "start": "Từ ngày",
        "end": "Đến ngày",
        "people": "Số người được đánh giá",
        "notice": "Ghi chú",
        "about": (
            "Bảng tính do kpiscore tạo. Các ô số là số thực sự (không phải chữ), làm tròn theo"
            " quy định; CSV và JSON vẫn là định dạng máy chuẩn (dấu chấm thập phân, UTF-8)."
        ),
        "item": "Mục",
        "value": "Giá trị",
    },
    "en": {
        "scores": "Scores",
        "summary": "By unit",
        "notes": "About",
        "subject": "Id",
        "name": "Name",
        "unit": "Unit",
        "group": "Group",
        "position": "Position",
        "period": "Period",
        "policy": "Policy",
        "carried": "Carried deduction",
        "total": "Total",
        "score_rating": "Rating by score",
        "rating": "Rating",
        "rating_name": "Rating name",
        "count": "People",
        "mean": "Mean",
        "min": "Min",
        "max": "Max",
        "everyone": "Everyone",
        "no_unit": "(no unit)",
        "no_rating": "(no rating)",
        "policy_name": "Policy name",
        "version": "Version",
        "check_code": "Check code",
        "fingerprint": "Fingerprint (SHA-256)",
        "start": "From",
        "end": "To",
        "people": "People scored",
        "notice": "Notice",
        "about": (
            "Workbook written by kpiscore. Number cells are real numbers (not text), rounded as"
            " the policy says; CSV and JSON stay the canonical machine formats."
        ),
        "item": "Item",
        "value": "Value",
    },
}

_PERSON_FIELDS = ("subject", "name", "unit", "group", "position")


def _xlsxwriter() -> Any:
    from kpiscore._extras import require

    return require("xlsxwriter", "excel")


def number_format(places: int) -> str:
    """The Excel number format showing ``places`` decimals (locale-neutral in the file).

    >>> number_format(2), number_format(0)
    ('0.00', '0')
    """
    return "0" if places <= 0 else "0." + "0" * places


def _places(quantum: Decimal) -> int:
    exponent = quantum.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, inputs: Iterable[PathLike] = ()
) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`kpiscore.io.output.write_atomic`)."""
    from kpiscore.io.output import write_atomic as write

    write(path, data, inputs=inputs)
    return Path(path)


class _Book:
    """An in-memory XlsxWriter workbook with kpiscore's formats."""

    def __init__(self) -> None:
        xlsxwriter = _xlsxwriter()
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.book.set_properties({"created": _CREATED, "author": "kpiscore"})
        self.head = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.ids = self.book.add_format({"italic": True, "font_color": "#555555"})
        self.bold = self.book.add_format({"bold": True})
        self._numbers: dict[tuple[int, bool], Any] = {}

    def number(self, places: int, *, bold: bool = False) -> Any:
        key = (places, bold)
        if key not in self._numbers:
            spec: dict[str, Any] = {"num_format": number_format(places)}
            if bold:
                spec["bold"] = True
            self._numbers[key] = self.book.add_format(spec)
        return self._numbers[key]

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _cell(sheet: Any, row: int, column: int, value: object, number: Any) -> int:
    """Write one typed cell; return the width its text needs."""
    if value is None:
        return 0
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
        return 5
    if isinstance(value, Decimal | int):
        # xlsx stores every number as an IEEE double: exact for the quantized figures of a
        # table (well under 15 significant digits); the exact values stay in CSV and JSON.
        sheet.write_number(row, column, float(value), number)
        return len(f"{value:f}") + 1
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    sheet.write_string(row, column, text)
    return len(text)


def _widths(sheet: Any, widths: Sequence[float], *, wrap_limit: int = 40) -> None:
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(max(width, 6) + 1, wrap_limit))


def write_rows(
    rows: Iterable[Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    sheet: str = "Sheet1",
    headers: Mapping[str, str] | None = None,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Any result table's rows as a one-sheet workbook with typed cells (atomic write).

    Decimals keep their own decimal places (``Decimal("74.50")`` is shown ``74.50``), text is
    always text, ``None`` is an empty cell; the header row is frozen and filtered.

    Args:
        rows: Dicts with the same keys (the table's ``to_rows()``).
        path: The ``.xlsx`` file to write.
        sheet: The sheet's name (31 characters at most, as Excel requires).
        headers: Column titles by key (the keys themselves by default).

    Returns:
        The path written.

    Raises:
        MissingExtraError: XlsxWriter is not installed (``pip install 'kpiscore[excel]'``).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_rows([{"subject": "nv1", "total": Decimal("74.50")}], folder / "t.xlsx").name
    't.xlsx'
    """
    materialised = [dict(row) for row in rows]
    columns = list(materialised[0]) if materialised else []
    titles = headers or {}
    book = _Book()
    worksheet = book.book.add_worksheet(_sheet_name(sheet))
    widths = [float(len(titles.get(c, c))) for c in columns]
    for column, key in enumerate(columns):
        worksheet.write_string(0, column, titles.get(key, key), book.head)
    for index, row in enumerate(materialised, start=1):
        for column, key in enumerate(columns):
            value = row.get(key)
            places = _places(value) if isinstance(value, Decimal) else 0
            width = _cell(worksheet, index, column, value, book.number(places))
            widths[column] = max(widths[column], width)
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, max(len(materialised), 1), len(columns) - 1)
    _widths(worksheet, widths)
    return write_atomic(path, book.close(), inputs=inputs)


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "Sheet1"


def _band_name(card: Scorecard, band_id: str | None, lang: str) -> str | None:
    band = card.band_info(band_id)
    if band is None:
        return None
    return band.name_en if lang == "en" and band.name_en else band.name


def write_score_table(
    table: ScoreTable,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
    inputs: Iterable[PathLike] = (),
) -> Path:
    """A score table as a workbook: scores, per-unit summary, notes (see the module text).

    Args:
        table: The scored population.
        path: The ``.xlsx`` file to write (its folder must exist).
        lang: ``"vi"`` (default) or ``"en"`` for the sheet names, headers and notes.
        inputs: Files the table was read from: writing over one of them is refused.

    Returns:
        The path written.

    Raises:
        InputError: ``lang`` is not ``"vi"``/``"en"``.
        OutputError: the file cannot be written (a missing folder, …), or is one of ``inputs``.
        MissingExtraError: XlsxWriter is not installed (``pip install 'kpiscore[excel]'``).
    """
    words = _WORDS[check_lang(lang, "excel")]
    book = _Book()
    cards = list(table)
    places = _places(table.policy.precision)
    _scores_sheet(book, table, cards, words, lang=lang, places=places)
    _summary_sheet(book, table, cards, words, places)
    _notes_sheet(book, table, words)
    return write_atomic(path, book.close(), inputs=inputs)


def _columns(
    table: ScoreTable, cards: Sequence[Scorecard]
) -> list[tuple[str, str, str, Callable[[Scorecard], Decimal | None]]]:
    """(id, title, kind, getter) per figure column: criteria, then their category's points."""
    seen: dict[str, tuple[str, str, str, Callable[[Scorecard], Decimal | None]]] = {}
    # The policy's own order first, then anything a card of another policy adds.
    sources: list[Any] = [table.policy.categories]
    sources.extend(card.categories for card in cards if card.policy_id != table.policy.id)
    for categories in sources:
        for category in categories:
            for criterion in category.criteria:
                key = f"{category.id}.{criterion.id}"
                seen.setdefault(
                    key,
                    (
                        criterion.id,
                        criterion.name,
                        "criterion",
                        _criterion_getter(category.id, criterion.id),
                    ),
                )
            seen.setdefault(
                category.id, (category.id, category.name, "category", _category_getter(category.id))
            )
    return list(seen.values())


def _criterion_getter(category_id: str, criterion_id: str) -> Callable[[Scorecard], Decimal | None]:
    def get(card: Scorecard) -> Decimal | None:
        for category in card.categories:
            if category.id == category_id:
                for result in category.criteria:
                    if result.id == criterion_id:
                        return None if result.excluded else result.points
        return None

    return get


def _category_getter(category_id: str) -> Callable[[Scorecard], Decimal | None]:
    def get(card: Scorecard) -> Decimal | None:
        for key, points in card.category_points:
            if key == category_id:
                return points
        return None

    return get


def _scores_sheet(
    book: _Book,
    table: ScoreTable,
    cards: Sequence[Scorecard],
    words: Mapping[str, str],
    *,
    lang: str,
    places: int,
) -> None:
    sheet = book.book.add_worksheet(words["scores"])
    figures = _columns(table, cards)
    several = any(card.policy_id != table.policy.id for card in cards)
    person_ids = [*_PERSON_FIELDS, "period", *(("policy",) if several else ())]
    tail_numbers = ["carried", "total"]
    tail_text = ["score_rating", "rating", "rating_name"]
    ids = person_ids + [f[0] for f in figures] + tail_numbers + tail_text
    titles = [words[k] for k in person_ids] + [f[1] for f in figures]
    titles += [words[k] for k in tail_numbers + tail_text]
    bold_columns = {i for i, f in enumerate(figures, start=len(person_ids)) if f[2] == "category"}
    bold_columns.add(len(person_ids) + len(figures) + 1)  # the total
    widths = [float(min(len(t), 18)) for t in titles]
    for column, (title, key) in enumerate(zip(titles, ids, strict=True)):
        sheet.write_string(0, column, title, book.head)
        sheet.write_string(1, column, key, book.ids)
    sheet.set_row(0, 45)
    plain = book.number(places)
    strong = book.number(places, bold=True)
    for row, card in enumerate(cards, start=2):
        person = card.person
        values: list[object] = [
            card.subject,
            person.name,
            person.unit,
            person.group,
            person.position,
            card.period.label,
        ]
        if several:
            values.append(card.policy_id)
        values += [getter(card) for _, _, _, getter in figures]
        values += [card.carried, card.total, card.score_rating, card.rating]
        values.append(_band_name(card, card.rating, lang))
        for column, value in enumerate(values):
            style = strong if column in bold_columns else plain
            widths[column] = max(widths[column], _cell(sheet, row, column, value, style))
    sheet.freeze_panes(2, 2)
    sheet.autofilter(1, 0, max(len(cards) + 1, 2), len(ids) - 1)
    _widths(sheet, widths)


def _mean(totals: Sequence[Decimal], table: ScoreTable) -> Decimal:
    sum_ = Decimal(0)
    for value in totals:
        sum_ = EXACT.add(sum_, value)
    return quantize_fraction(
        Fraction(sum_) / len(totals), table.policy.precision, table.policy.rounding
    )


def _summary_sheet(
    book: _Book,
    table: ScoreTable,
    cards: Sequence[Scorecard],
    words: Mapping[str, str],
    places: int,
) -> None:
    sheet = book.book.add_worksheet(words["summary"])
    bands = [band.id for band in table.policy.bands_descending]
    by_unit: dict[str | None, list[Scorecard]] = {}
    for card in cards:
        by_unit.setdefault(card.person.unit, []).append(card)
    extra_ratings = sorted(
        {card.rating or "" for card in cards} - set(bands)
    )  # ratings of another policy's bands, or "" for no rating
    rating_columns = bands + extra_ratings
    band_names = {band.id: band.name for band in table.policy.bands}
    titles = [words["unit"], words["count"]]
    titles += [band_names.get(r, r) or words["no_rating"] for r in rating_columns]
    titles += [words["mean"], words["min"], words["max"]]
    ids = ["unit", "count", *[r or "none" for r in rating_columns], "mean", "min", "max"]
    for column, (title, key) in enumerate(zip(titles, ids, strict=True)):
        sheet.write_string(0, column, title, book.head)
        sheet.write_string(1, column, key, book.ids)
    sheet.set_row(0, 45)
    widths = [float(min(len(t), 14)) for t in titles]
    groups = sorted(by_unit.items(), key=lambda item: (item[0] is None, item[0] or ""))
    lines: list[tuple[str, list[Scorecard], bool]] = [
        (unit if unit is not None else words["no_unit"], members, False) for unit, members in groups
    ]
    lines.append((words["everyone"], list(cards), True))
    number = book.number(places)
    count_format = book.number(0)
    for row, (label, members, last) in enumerate(lines, start=2):
        counts = dict.fromkeys(rating_columns, 0)
        for card in members:
            counts[card.rating or ""] += 1
        totals = [card.total for card in members]
        values: list[object] = [label, len(members), *counts.values()]
        if totals:
            values += [_mean(totals, table), min(totals), max(totals)]
        for column, value in enumerate(values):
            style = number if isinstance(value, Decimal) else count_format
            widths[column] = max(widths[column], _cell(sheet, row, column, value, style))
        if last:
            sheet.set_row(row, None, book.bold)
    sheet.freeze_panes(2, 1)
    _widths(sheet, widths)


def _notes_sheet(book: _Book, table: ScoreTable, words: Mapping[str, str]) -> None:
    sheet = book.book.add_worksheet(words["notes"])
    policy = table.policy
    period = table.period
    sheet.write_string(0, 0, words["item"], book.head)
    sheet.write_string(0, 1, words["value"], book.head)
    items: list[tuple[str, object]] = [
        (words["policy"], policy.id),
        (words["policy_name"], policy.name),
        (words["version"], policy.version),
        (words["check_code"], policy.fingerprint[:12]),
        (words["fingerprint"], policy.fingerprint),
        (words["period"], period.label),
        (words["start"], period.start.isoformat()),
        (words["end"], period.end.isoformat()),
        (words["people"], len(table)),
    ]
    items += [(words["notice"], note) for note in table.notes]
    items.append(("kpiscore", words["about"]))
    for row, (label, value) in enumerate(items, start=1):
        sheet.write_string(row, 0, label, book.bold)
        _cell(sheet, row, 1, value, book.number(0))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 80)
