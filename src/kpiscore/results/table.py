"""One table shape for every result: rows, CSV, pandas, JSON and a notebook preview.

:class:`ResultTable` is the small base that :class:`~kpiscore.ScoreTable`,
:class:`~kpiscore.rollup.RollupTable`, the quota outcome, the payout rows and
:class:`~kpiscore.variants.Comparison` share. A result says what its rows are
(:meth:`~ResultTable.to_rows`) and what its JSON tree is (:meth:`~ResultTable.json_tree`); the
exports are written once, here:

- ``to_csv(path=None)``: CSV text, formula cells neutralised and line breaks inside cells quoted
  (:func:`kpiscore.io.render.rows_to_csv`), written atomically when a path is given;
- ``to_json(path=None, *, indent=None)``: canonical JSON, written atomically when a path is given;
- ``to_pandas(numbers="auto")``: a DataFrame whose figures are numbers (exact Arrow decimals
  when pyarrow is installed; see :mod:`kpiscore.io.frames`);
- ``to_excel(path)``: a workbook with typed number cells (:mod:`kpiscore.io.excel`);
- ``_repr_html_()``: a head line and the first :data:`HTML_ROWS` rows only (a 200,000-row table
  builds 20 rows to show 20).

To add an export to every result, add it here. :class:`SubjectTable` adds ``table[subject]``
for the tables of one result per person (score, roll-up and comparison tables).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Literal, Protocol, TypeVar

from kpiscore.exceptions import UnknownSubjectError
from kpiscore.model.canonical import canonical_json

if TYPE_CHECKING:
    from decimal import Decimal

    import pandas

    from kpiscore.io.frames import Numbers
    from kpiscore.model.facts import Person
    from kpiscore.model.jsontypes import JsonObject, JsonValue
    from kpiscore.model.period import Period
    from kpiscore.model.policy import Policy

__all__ = [
    "HTML_ROWS",
    "PolicyTable",
    "ResultTable",
    "SubjectTable",
    "result_row",
    "subject_position",
    "table_tree",
]

#: Rows drawn by a result's notebook preview.
HTML_ROWS: Final = 20

PathLike = str | os.PathLike[str]

_Row = TypeVar("_Row")


class RatedResult(Protocol):
    """What a result table's rows are made of: a scorecard, a roll-up, anything alike."""

    @property
    def subject(self) -> str: ...  # pragma: no cover - a protocol
    @property
    def person(self) -> Person: ...  # pragma: no cover
    @property
    def total(self) -> Decimal: ...  # pragma: no cover
    @property
    def rating(self) -> str | None: ...  # pragma: no cover
    def to_dict(self) -> JsonObject: ...  # pragma: no cover


class ResultTable:
    """The exports every table of results has, written once.

    A subclass defines :meth:`to_rows`, :meth:`json_tree` and ``__len__``; it may override
    :meth:`head_rows` (to build only the rows a preview shows), :meth:`csv_text` (a faster
    writer giving the same text) and :meth:`html_head`.

    >>> from kpiscore import Policy, Category, Criterion, Period, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> table = score_many(policy, Period.year(2026), ["nv001"])
    >>> isinstance(table, ResultTable), table.to_csv().splitlines()[1].split(",")[-3:]
    (True, ['10.00', '', ''])
    """

    __slots__ = ()

    #: What one row is about, for the preview's head line ("people", "rows").
    row_noun: ClassVar[str] = "rows"

    def __len__(self) -> int:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def to_rows(self) -> list[dict[str, object]]:  # pragma: no cover - every subclass defines it
        """One flat dict per row, exact values (``Decimal``, ``str``, ``int``, ``None``)."""
        raise NotImplementedError

    def json_tree(self) -> JsonObject:  # pragma: no cover - every subclass defines it
        """The whole result as a JSON-ready tree (decimals as strings)."""
        raise NotImplementedError

    def head_rows(self, count: int) -> list[dict[str, object]]:
        """The first ``count`` rows (as :meth:`to_rows` gives them)."""
        return self.to_rows()[:count]

    def csv_text(self) -> str:
        """The rows as CSV text (header line first), safe for spreadsheets."""
        from kpiscore.io.render import rows_to_csv

        return rows_to_csv(self.to_rows())

    def html_head(self) -> str:
        """The preview's head line, as HTML."""
        return f"{len(self)} {self.row_noun}"

    def to_csv(
        self, path: PathLike | None = None, *, bom: bool = False, inputs: Iterable[PathLike] = ()
    ) -> str:
        """The rows as CSV text, safe for spreadsheets; written to ``path`` too when given.

        The file is written atomically (the old one stays whole on any error); ``bom=True``
        starts the file with a UTF-8 byte-order mark; ``inputs`` are files it must not
        overwrite.

        Raises:
            OutputError: the file cannot be written, or is one of ``inputs``.
        """
        text = self.csv_text()
        if path is not None:
            from kpiscore.io.output import write_atomic

            write_atomic(path, text, bom=bom, inputs=inputs)
        return text

    def to_json(
        self,
        path: PathLike | None = None,
        *,
        indent: int | None = None,
        inputs: Iterable[PathLike] = (),
    ) -> str:
        """Canonical JSON (sorted keys, UTF-8 text, decimals as strings); written atomically to
        ``path`` too when given.

        Raises:
            OutputError: the file cannot be written, or is one of ``inputs``.
        """
        text = canonical_json(self.json_tree(), indent=indent)
        if path is not None:
            from kpiscore.io.output import write_atomic

            write_atomic(path, text, inputs=inputs)
        return text

    def to_pandas(self, numbers: Numbers = "auto") -> pandas.DataFrame:
        """The rows as a pandas DataFrame whose figures are numbers.

        Args:
            numbers: ``"auto"`` (default: exact Arrow decimals when pyarrow is installed,
                else ``"object"``), ``"decimal"`` (``pandas.ArrowDtype(pyarrow.decimal128)``:
                exact, ``groupby().mean()`` works), ``"float"`` (``float64``: ``describe()`` and
                plotting work, values approximate) or ``"object"`` (exact ``Decimal`` objects).
                See ``docs/reports.md`` for the trade-off.

        Raises:
            MissingExtraError: pandas is not installed (``pip install 'kpiscore[pandas]'``), or
                pyarrow for ``numbers="decimal"``.
        """
        from kpiscore.io.frames import rows_to_frame

        return rows_to_frame(self.to_rows(), numbers)

    def to_excel(
        self, path: PathLike, *, lang: Literal["vi", "en"] = "vi", inputs: Iterable[PathLike] = ()
    ) -> Path:
        """The rows as a one-sheet workbook: typed number cells, frozen header (atomic write).

        Raises:
            MissingExtraError: XlsxWriter is not installed (``pip install 'kpiscore[excel]'``).
            OutputError: the file cannot be written, or is one of ``inputs``.
        """
        from kpiscore.io.excel import write_rows
        from kpiscore.io.numbers_vi import check_lang

        sheet = "Kết quả" if check_lang(lang, "excel") == "vi" else "Results"
        return write_rows(self.to_rows(), path, sheet=sheet, inputs=inputs)

    def _repr_html_(self) -> str:
        from kpiscore.io.render import rows_html

        return rows_html(self.html_head(), self.head_rows(HTML_ROWS), len(self))


class SubjectTable(ResultTable, Generic[_Row]):
    """A table of one result per subject, in population order: ``table[subject]``, written once.

    A subclass holds ``_index`` (subject id -> position, usually a cached property) and defines
    ``_at(position)`` (the result there, built on demand for a table read by column); its
    ``_lookup_names`` say how the error for an unknown subject names the table.

    >>> from kpiscore import Policy, Category, Criterion, Period, score_many
    >>> policy = Policy(id="p", name="P", categories=[Category(id="c", name="C", criteria=[
    ...     Criterion(id="x", name="X", max_points=10)])])
    >>> table = score_many(policy, Period.year(2026), ["nv001"])
    >>> isinstance(table, SubjectTable), table["nv001"].total
    (True, Decimal('10.00'))
    """

    __slots__ = ()

    # How the error for an unknown subject names the table, an item and the count:
    # "<table>: no <item> for subject 'x' (<count> <counted>)".
    _lookup_names: ClassVar[tuple[str, str, str]] = ("table", "row", "subjects")

    if TYPE_CHECKING:  # a subclass holds it (a cached property: built on first use)

        @property
        def _index(self) -> Mapping[str, int]: ...

    def _at(self, position: int) -> _Row:  # pragma: no cover - every subclass defines it
        """The result at ``position`` in population order."""
        raise NotImplementedError

    def __getitem__(self, subject: str) -> _Row:
        table, item, counted = self._lookup_names
        return self._at(
            subject_position(
                self._index, subject, table=table, item=item, count=len(self), counted=counted
            )
        )


class PolicyTable(ResultTable):
    """A table of per-person results under one policy and period (score and roll-up tables):
    the JSON document and the preview's head line are written once, here."""

    __slots__ = ()

    policy: Policy
    period: Period
    #: The key of the results' list in the JSON document.
    json_key: ClassVar[str] = "results"
    #: Words after the count in the preview's head line.
    head_note: ClassVar[str] = ""

    def results(self) -> Iterable[RatedResult]:  # pragma: no cover - every subclass defines it
        """The per-person results, in order (each with ``to_dict()``)."""
        raise NotImplementedError

    def distribution(self) -> dict[str | None, int]:  # pragma: no cover - subclasses define it
        """People per rating."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """The same kind of table with the same policy, period and results, in order."""
        if not isinstance(other, type(self)):
            return NotImplemented
        return (self.policy, self.period, tuple(self.results())) == (
            other.policy,
            other.period,
            tuple(other.results()),
        )

    __hash__ = None  # type: ignore[assignment]  # compared by content, like a list

    def json_tree(self) -> JsonObject:
        """Every result, under the policy and period: the tree of :meth:`to_json`."""
        return table_tree(
            self.policy, self.period, self.json_key, [item.to_dict() for item in self.results()]
        )

    def html_head(self) -> str:
        """The policy, the period, the count and the distribution (for the preview)."""
        from kpiscore.io.render import distribution_html

        return (
            f"<b>{html.escape(self.policy.id)}</b> · {html.escape(self.period.label)} ·"
            f" {len(self)} people{self.head_note} · " + distribution_html(self.distribution())
        )


def subject_position(
    index: Mapping[str, int],
    subject: str,
    *,
    table: str,
    item: str,
    count: int,
    counted: str = "subjects",
) -> int:
    """Where ``subject`` stands in a table indexed by subject (``index``), for ``table[subject]``.

    Raises:
        UnknownSubjectError: no such subject (or not a subject at all):
            ``<table>: no <item> for subject <subject> (<count> <counted>)``.

    >>> subject_position({"nv001": 0}, "nv002", table="t", item="row", count=1)
    Traceback (most recent call last):
    ...
    kpiscore.exceptions.UnknownSubjectError: t: no row for subject 'nv002' (1 subjects)
    """
    try:
        return index[subject]
    except (KeyError, TypeError):
        raise UnknownSubjectError(
            f"{table}: no {item} for subject {subject!r} ({count} {counted})"
        ) from None


def table_tree(policy: Policy, period: Period, key: str, items: list[JsonValue]) -> JsonObject:
    """The canonical JSON tree of a table of results under one policy and period."""
    return {
        "policy_id": policy.id,
        "policy_version": policy.version,
        "fingerprint": policy.fingerprint,
        "period": period.label,
        key: items,
    }


def result_row(item: Any) -> dict[str, object]:  # quota passes its own result TypeVar
    """The common row of one rated result (a scorecard, a roll-up, anything alike).

    Raises:
        AttributeError: the item lacks ``subject``, ``person``, ``total`` or ``rating`` (the
            callers check first and raise an :class:`~kpiscore.InputError`).
    """
    period = getattr(item, "period", None)
    return {
        "subject": item.subject,
        "name": item.person.name,
        "unit": item.person.unit,
        "group": item.person.group,
        "position": item.person.position,
        "period": None if period is None else period.label,
        "total": item.total,
        "rating": item.rating,
    }
