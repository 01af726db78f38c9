"""Additional income ("thu nhập tăng thêm") by rating: payout tables, bundled and your own.

A :class:`PayoutTable` gives, per rating, a coefficient of the monthly salary, a floor and a cap
per person and month, relations between ratings, proration by days worked and the rounding to
the đồng. Every step is exact; an amount is rounded once, by the table's rule (1 đồng, half up,
unless the table says otherwise).

Bundled tables, each with its legal references, the dates it was in force and notes marking the
values that are local choices:

=================  ============================================================================
``danang-2026``    Đà Nẵng, 2026: HTXS 0.5, HTT 0.3, HT 0.1 × monthly salary; floors 1,500,000
                   (HTT and above) and 500,000 (HT); per monthly rating, paid quarterly
``hcm-2024``       Ho Chi Minh City: HTT and above only; HTT at most 80 % of HTXS; at most
                   1.8 × salary (the table pays the ceilings, a local choice)
=================  ============================================================================

>>> from kpiscore.cycle import payout
>>> payout.available()
('danang-2026', 'hcm-2024')
>>> danang = payout.load("danang-2026")
>>> danang.amount_for_months(["HTXS", "HTT", "HTT"], 7_020_000)
Decimal('7722000')
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Final

from kpiscore.cycle.payout._rows import (
    PAYOUT_COLUMNS,
    PayoutRows,
    RatedColumns,
    Salary,
    format_money,
    payout_amounts,
    payout_rows,
)
from kpiscore.cycle.payout._salaries import MAX_SALARY_BYTES, parse_salaries, read_salaries
from kpiscore.cycle.payout._table import (
    PayoutLine,
    PayoutRate,
    PayoutRelation,
    PayoutTable,
    TableNote,
)
from kpiscore.exceptions import FileFormatError, PolicyError
from kpiscore.io.bundled import SUFFIX, BundledFiles
from kpiscore.io.load import MAX_POLICY_BYTES, parse_toml_document, read_text_file

__all__ = [
    "MAX_SALARY_BYTES",
    "PAYOUT_COLUMNS",
    "PayoutLine",
    "PayoutRate",
    "PayoutRelation",
    "PayoutRows",
    "PayoutTable",
    "RatedColumns",
    "Salary",
    "TableNote",
    "available",
    "format_money",
    "load",
    "parse",
    "parse_salaries",
    "payout_amounts",
    "payout_rows",
    "read",
    "read_salaries",
    "source",
]


_FILES: Final = BundledFiles(__name__, "payout table")

#: The ids of the bundled payout tables, sorted: ``"hcm-2024" in available()``.
available = _FILES.available
#: The text of a bundled table file, comments included: ``source("hcm-2024")``.
source = _FILES.source


@functools.cache
def load(table_id: str) -> PayoutTable:
    """The bundled payout table with this id (tables are immutable, so each is read once).

    Raises:
        UnknownPolicyError: no bundled table has that id; the message lists the ones there are.

    >>> load("danang-2026").valid_from
    datetime.date(2026, 1, 1)
    """
    return parse(source(table_id), name=f"{table_id}{SUFFIX}")


def parse(text: str, *, name: str = "<payout table>") -> PayoutTable:
    """Build a payout table from the text of a TOML table file (the bundled files' format).

    Numbers are read as exact decimals. Unknown keys are errors.

    Raises:
        FileFormatError: invalid TOML, an unknown or missing key, or an invalid value; the
            message names the file and the place (``error.path``).

    >>> table = parse('''
    ... id = "mine"
    ... name = "Mine"
    ... [[rates]]
    ... rating = "HTXS"
    ... coefficient = 0.25
    ... ''')
    >>> table.amount("HTXS", 7_020_001)
    Decimal('1755000')
    """
    if not isinstance(text, str):
        raise FileFormatError(f"{name}: expected the text of a TOML file (got {text!r})", path=name)
    # The limits of policy files: size, nesting and integer length, refused fast and clearly.
    tree = parse_toml_document(text, name)
    try:
        return PayoutTable.from_dict(tree)
    except PolicyError as error:
        where = f"{name}:{error.path}" if error.path else name
        raise FileFormatError(f"{name}: {error}", path=where) from error


def read(path: str | os.PathLike[str]) -> PayoutTable:
    """Read a payout table from a TOML file: see :func:`parse`.

    Raises:
        FileFormatError: the file cannot be read or is invalid.
    """
    file = Path(path)
    text = read_text_file(file, str(file), limit=MAX_POLICY_BYTES)
    return parse(text, name=str(file))
