"""Reading and writing at the edge: policy files (TOML, JSON) and fact files (CSV, JSON).

A policy file holds the same tree as the classes (see ``docs/policy-files.md``); a fact file holds
events, measures or people, one per CSV row or JSON object. Files are parsed by the standard
library (``tomllib``, ``json``, ``csv``) and nothing in them is ever executed or evaluated: numbers
are read as exact decimals, text stays text, Vietnamese text is normalised to NFC.

Every problem found in one file is reported together: one problem raises
:class:`~kpiscore.exceptions.FileFormatError`, several raise
:class:`~kpiscore.exceptions.FileFormatErrorGroup`; each names the file and the place in it (the
dotted path of a key in a policy file; the line and the column of a CSV cell; the item and the key
of a JSON fact file).

The code lives in three modules by concept: :mod:`kpiscore.io.documents` (reading untrusted
text within limits, TOML/JSON parsing), :mod:`kpiscore.io.policy_files` and
:mod:`kpiscore.io.fact_files`. This module is their one public face: every name importable from
here before the split still is.
"""

# ruff: noqa: PLC0414 - "x as x" marks the re-exports for mypy --strict

from __future__ import annotations

from kpiscore.io.documents import MAX_FACT_BYTES as MAX_FACT_BYTES
from kpiscore.io.documents import MAX_POLICY_BYTES as MAX_POLICY_BYTES
from kpiscore.io.documents import FactFormat as FactFormat
from kpiscore.io.documents import FactKind as FactKind
from kpiscore.io.documents import PolicyFormat as PolicyFormat
from kpiscore.io.documents import _check_nesting as _check_nesting
from kpiscore.io.documents import _parse_json as _parse_json
from kpiscore.io.documents import parse_json_document as parse_json_document
from kpiscore.io.documents import parse_toml_document as parse_toml_document
from kpiscore.io.documents import read_text_file as read_text_file
from kpiscore.io.fact_files import _COLUMNS as _COLUMNS
from kpiscore.io.fact_files import FactRecord as FactRecord
from kpiscore.io.fact_files import _build as _build
from kpiscore.io.fact_files import _CellError as _CellError
from kpiscore.io.fact_files import _date as _date
from kpiscore.io.fact_files import _flag as _flag
from kpiscore.io.fact_files import _number as _number
from kpiscore.io.fact_files import _quantity as _quantity
from kpiscore.io.fact_files import _text as _text
from kpiscore.io.fact_files import load_events as load_events
from kpiscore.io.fact_files import load_measures as load_measures
from kpiscore.io.fact_files import load_people as load_people
from kpiscore.io.fact_files import read_fact_records as read_fact_records
from kpiscore.io.policy_files import dump_policy as dump_policy
from kpiscore.io.policy_files import load_policy as load_policy
from kpiscore.io.policy_files import parse_policy as parse_policy
from kpiscore.model.tree import MAX_DEPTH as MAX_DEPTH

__all__ = [
    "MAX_DEPTH",
    "MAX_FACT_BYTES",
    "MAX_POLICY_BYTES",
    "FactRecord",
    "dump_policy",
    "load_events",
    "load_measures",
    "load_people",
    "load_policy",
    "parse_json_document",
    "parse_policy",
    "parse_toml_document",
    "read_fact_records",
    "read_text_file",
]
