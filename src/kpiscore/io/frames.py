"""Result rows as pandas DataFrames whose figures are *numbers*, not objects.

``numbers`` chooses how a column of ``Decimal`` figures arrives:

- ``"decimal"``: ``pandas.ArrowDtype(pyarrow.decimal128(p, s))`` — exact (``74.51`` stays
  ``74.51``, sums and means are decimal), sortable, ``groupby().mean()``, ``min``/``max``,
  ``quantile`` and ``std`` work. Needs pyarrow (``kpiscore[arrow]``). pandas 3.1 still cannot
  ``describe()`` or ``plot.hist()`` such a column: call ``frame.astype({"total": "float64"})``
  (or ask for ``numbers="float"``) for those.
- ``"float"``: ``float64`` — everything in pandas and matplotlib works, but the figures are
  binary approximations (``74.51`` is stored as ``74.5100000000000051…``): fine for charts
  and statistics, never for deciding a rating or a payment.
- ``"object"``: the exact ``Decimal`` objects in ``object`` columns (kpiscore's old behaviour).
- ``"auto"`` (default): ``"decimal"`` when pyarrow is installed, else ``"object"``.

Text columns (ids, names, ratings) stay as they are; a column with no value at all stays
``object``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from kpiscore.exceptions import InputError

if TYPE_CHECKING:
    import pandas

__all__ = ["NUMBERS", "Numbers", "rows_to_frame"]

Numbers = Literal["auto", "decimal", "float", "object"]
"""How ``to_pandas`` gives decimal figures (see the module text)."""

NUMBERS: tuple[str, ...] = ("auto", "decimal", "float", "object")

# decimal128 holds at most 38 digits; 18 covers points and money in đồng with room to spare,
# and keeps the dtype the same from one table to the next.
_MIN_DIGITS = 18
_MAX_DIGITS = 38


def _has_pyarrow() -> bool:
    import importlib

    try:
        importlib.import_module("pyarrow")
    except ImportError:
        return False
    return True


def _decimal_columns(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> list[str]:
    found = []
    for column in columns:
        values = [row.get(column) for row in rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, Decimal) for v in present):
            found.append(column)
    return found


def _decimal_type(column: str, values: Sequence[Decimal | None]) -> tuple[int, int]:
    """(precision, scale) of the narrowest decimal128 that holds every value exactly."""
    scale = 0
    whole = 1
    for value in values:
        if value is None:
            continue
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int):
            raise InputError(f"to_pandas: column {column!r} holds {value!r}, not a finite number")
        scale = max(scale, -exponent)
        digits = value.adjusted() + 1
        whole = max(whole, digits)
    precision = max(_MIN_DIGITS, whole + scale)
    if precision > _MAX_DIGITS:
        raise InputError(
            f"to_pandas: column {column!r} needs {precision} decimal digits, more than the"
            f" {_MAX_DIGITS} an Arrow decimal holds; use numbers='object' for exact values"
        )
    return precision, scale


def rows_to_frame(rows: Sequence[Mapping[str, object]], numbers: str = "auto") -> pandas.DataFrame:
    """Rows as a DataFrame with numeric figure columns (see the module text for ``numbers``).

    Args:
        rows: Dicts with the same keys (a table's ``to_rows()``).
        numbers: ``"auto"``, ``"decimal"``, ``"float"`` or ``"object"``.

    Raises:
        InputError: ``numbers`` is unknown, or a column cannot be held exactly.
        MissingExtraError: pandas is missing, or pyarrow for ``numbers="decimal"``.

    >>> frame = rows_to_frame([{"unit": "A", "total": Decimal("74.51")},
    ...                        {"unit": "A", "total": Decimal("80.00")}], numbers="decimal")
    >>> str(frame["total"].dtype), frame.groupby("unit")["total"].mean()["A"]
    ('decimal128(18, 2)[pyarrow]', Decimal('77.26'))
    """
    from kpiscore._extras import require

    if numbers not in NUMBERS:
        raise InputError(f"to_pandas: numbers must be one of {NUMBERS!r} (got {numbers!r})")
    pd = require("pandas", "pandas")
    if numbers == "auto":
        numbers = "decimal" if _has_pyarrow() else "object"
    if numbers == "decimal":
        pa = require("pyarrow", "arrow")
    frame: pandas.DataFrame = pd.DataFrame([dict(row) for row in rows])
    if numbers == "object" or not rows:
        return frame
    for column in _decimal_columns(rows, list(frame.columns)):
        # _decimal_columns found only decimals (and None) in the column.
        values = [v if isinstance(v, Decimal) else None for v in (r.get(column) for r in rows)]
        if numbers == "float":
            frame[column] = pd.Series(
                [float("nan") if v is None else float(v) for v in values],
                index=frame.index,
                dtype="float64",
            )
        else:
            precision, scale = _decimal_type(column, values)
            frame[column] = pd.Series(
                values, index=frame.index, dtype=pd.ArrowDtype(pa.decimal128(precision, scale))
            )
    return frame
