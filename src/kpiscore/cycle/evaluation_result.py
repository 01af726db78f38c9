"""The result of an evaluation run: the sub-period tables, the year, the payout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from kpiscore.cycle import evaluation_write
from kpiscore.cycle.rollup import RollupTable
from kpiscore.model.period import Period
from kpiscore.results.scorecard import ScoreTable

if TYPE_CHECKING:
    from kpiscore.cycle.evaluation import Evaluation

__all__ = ["EvaluationResult"]


@attrs.frozen(kw_only=True, eq=False)
class EvaluationResult:
    """What an evaluation gives.

    Attributes:
        evaluation: The inputs.
        periods: Each sub-:class:`~kpiscore.Period` → its :class:`~kpiscore.ScoreTable` (the
            people scored in it, each card under its own policy), in date order.
        year: The year's :class:`~kpiscore.rollup.RollupTable`, after the quota when one is
            set (``year_before_quota`` otherwise the same).
        year_before_quota: The year before the quota.
        payout: The payout rows (after the quota), or ``None`` without ``[payout]``.
        absent: People with no scored sub-period (on leave all period), with the reason.
        notes: Notices: facts left out (outside the period, in a sub-period on leave), and
            similar, each naming the fact.
    """

    evaluation: Evaluation
    periods: dict[Period, ScoreTable]
    year: RollupTable
    year_before_quota: RollupTable
    payout: list[dict[str, Any]] | None
    absent: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    def year_rows(self) -> list[dict[str, evaluation_write.YearCell]]:
        """The rows of ``year.csv``: ``subject``, ``name``, ``unit``, ``policy``, one column
        per sub-period total, ``total``, ``rating_by_score``, ``rating`` (and ``payout``)."""
        return evaluation_write.year_rows(self)

    def to_excel(self, path: str | os.PathLike[str], *, lang: Literal["vi", "en"] = "vi") -> Path:
        """The year as a workbook: the rows of :meth:`year_rows` (a column per sub-period total)
        with typed number cells and a frozen header (atomic write).

        Raises:
            MissingExtraError: XlsxWriter is not installed (``pip install 'kpiscore[excel]'``).
            OutputError: the file cannot be written.
        """
        from kpiscore.io.excel import write_rows
        from kpiscore.io.numbers_vi import check_lang

        sheet = "Cả năm" if check_lang(lang, "excel") == "vi" else "Year"
        return write_rows(self.year_rows(), path, sheet=sheet)

    def summary(self) -> str:
        """A one-screen text summary of the run."""
        return evaluation_write.summary(self)

    def write(
        self, directory: str | os.PathLike[str], *, lang: Literal["vi", "en"] = "vi"
    ) -> tuple[Path, ...]:
        """Write ``year.csv``, one CSV per sub-period (``2026-Q1.csv``…), ``payout.csv`` with a
        payout, and ``explanations/<subject>.txt`` (the year and each sub-period explained).

        Returns:
            The paths written, in order.
        """
        return evaluation_write.write(self, Path(directory), lang=lang)
