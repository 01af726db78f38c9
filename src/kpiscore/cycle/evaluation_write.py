"""Writing an evaluation's results: ``year.csv``, one CSV per sub-period, the payout, the
explanations, and the one-screen summary the command line prints."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

from kpiscore.exceptions import FileFormatError
from kpiscore.io.output import write_atomic
from kpiscore.model.numbers import exact

if TYPE_CHECKING:
    from kpiscore.cycle.evaluation import EvaluationResult
    from kpiscore.cycle.rollup import RollupTable

__all__ = ["summary", "write", "year_rows"]

#: A cell of ``year.csv``: text, an exact figure, or empty (``None``).
YearCell: TypeAlias = str | Decimal | None


def year_rows(result: EvaluationResult) -> list[dict[str, YearCell]]:
    """The rows of ``year.csv`` (see :meth:`EvaluationResult.year_rows`)."""
    evaluation = result.evaluation
    labels = [piece.label for piece in evaluation.sub_periods]
    paid: dict[str, Decimal] = {}
    if result.payout is not None:
        paid = {row["subject"]: row["payout"] for row in result.payout}
    absent = dict(result.absent)
    rows: list[dict[str, YearCell]] = []
    for member in evaluation.people:
        row: dict[str, YearCell] = {
            "subject": member.id,
            "name": member.person.name,
            "unit": member.person.unit,
        }
        if member.id in absent:
            row["policy"] = None
            row.update(dict.fromkeys(labels))
            row.update({"total": None, "rating_by_score": None, "rating": None})
        else:
            year = result.year[member.id]
            row["policy"] = "; ".join(year.policies)
            totals = {part.period.label: part.total for part in year.parts}
            row.update({label: totals.get(label) for label in labels})
            row.update(
                {"total": year.total, "rating_by_score": year.score_rating, "rating": year.rating}
            )
        if result.payout is not None:
            row["payout"] = paid.get(member.id)
        rows.append(row)
    return rows


def _distribution(table: RollupTable) -> str:
    counts = table.distribution()
    return ", ".join(f"{band or 'not rated'} {count}" for band, count in counts.items())


def summary(result: EvaluationResult) -> str:
    """The one-screen summary of a run (see :meth:`EvaluationResult.summary`)."""
    evaluation = result.evaluation
    lines = [
        f"{evaluation.name}",
        (
            f"period {evaluation.period.label}, every {evaluation.every}:"
            f" {len(evaluation.people)} people, {len(result.periods)} sub-periods scored"
            f" ({', '.join(p.label for p in result.periods)})"
        ),
    ]
    policies = Counter(policy for r in result.year for policy in r.policies)
    lines.append(
        "policies: " + ", ".join(f"{policy} ({count})" for policy, count in policies.items())
    )
    for period, table in result.periods.items():
        counts = Counter(card.rating for card in table)
        shown = ", ".join(f"{band} {counts[band]}" for band in _bands(result) if counts[band])
        lines.append(f"  {period.label}: {len(table)} scored — {shown}")
    lines.append(f"year, by score and caps: {_distribution(result.year_before_quota)}")
    if evaluation.quota is not None:
        moved = sum(1 for r in result.year for a in r.adjustments if a.kind == "quota")
        lines.append(f"year, after the quota ({moved} moved down): {_distribution(result.year)}")
    if result.absent:
        shown = ", ".join(subject for subject, _ in result.absent[:10])
        more = f" and {len(result.absent) - 10} more" if len(result.absent) > 10 else ""
        lines.append(f"not scored (on leave for every sub-period): {shown}{more}")
    if result.payout is not None and evaluation.payout is not None:
        with exact():
            total = sum((row["payout"] for row in result.payout), Decimal(0))
        table_id = evaluation.payout.table.id
        lines.append(f"payout ({table_id}): {len(result.payout)} people, {total:,} đồng")
    if result.notes:
        lines.append(f"{len(result.notes)} notice(s):")
        lines.extend(f"  - {note}" for note in result.notes[:5])
        if len(result.notes) > 5:
            lines.append(f"  … and {len(result.notes) - 5} more (notes.txt)")
    return "\n".join(lines) + "\n"


def _bands(result: EvaluationResult) -> list[str]:
    return [band.id for band in result.year.policy.bands_descending]


def _file_name(subject: str) -> str:
    """A subject id as a safe file name (no folders, no hidden files)."""
    safe = re.sub(r"[^\w.-]", "_", subject)
    return f"_{safe}" if safe.startswith(".") or not safe else safe


def _csv(rows: list[dict[str, YearCell]]) -> str:
    from kpiscore.io.render import rows_to_csv

    return rows_to_csv(rows)


def write(
    result: EvaluationResult, directory: Path, *, lang: Literal["vi", "en"] = "vi"
) -> tuple[Path, ...]:
    """Write the files of a run into ``directory`` (created if needed); see
    :meth:`EvaluationResult.write`."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "explanations").mkdir(exist_ok=True)
    except OSError as error:
        raise FileFormatError(
            f"{directory}: cannot create the output folder ({error.strerror})",
            path=str(directory),
        ) from None
    # A CSV starts with a byte-order mark so spreadsheets read Vietnamese text right.
    files: dict[Path, str] = {directory / "year.csv": "\ufeff" + _csv(result.year_rows())}
    for period, table in result.periods.items():
        files[directory / f"{period.label}.csv"] = "\ufeff" + table.to_csv()
    if result.payout is not None:
        files[directory / "payout.csv"] = "\ufeff" + _csv(result.payout)
    if result.notes:
        files[directory / "notes.txt"] = "\n".join(result.notes) + "\n"
    for year in result.year:
        head = year.explain(lang)
        if year.unrated is not None and year.min_worked_share is None:
            # The leave rule's reason (Decree 90/2020): the roll-up's text does not give it.
            head += ("Không xếp loại: " if lang == "vi" else "No rating: ") + year.unrated + "\n"
        parts = [head]
        parts.extend(part.explain(lang) for part in year.parts)
        files[directory / "explanations" / f"{_file_name(year.subject)}.txt"] = "\n".join(parts)
    for subject, reason in result.absent:
        files[directory / "explanations" / f"{_file_name(subject)}.txt"] = f"{subject}: {reason}\n"
    written: list[Path] = []
    for path, text in files.items():
        write_atomic(path, text)  # whole or not at all: a kill never leaves half a file
        written.append(path)
    return tuple(written)
