"""Mutation testing of the scoring engine with mutmut, and its kill rate.

mutmut changes the engine's code one small edit at a time (``<`` for ``<=``, ``+`` for ``-``,
a constant, a dropped argument…) and runs the focused engine tests against each change; a
*killed* mutant is one some test noticed, a *surviving* one shows a behaviour no test pins down
(or an edit that changes nothing: an equivalent mutant, listed in ``docs/errors.md``'s neighbour,
the issue note).

mutmut is not a dependency of kpiscore (and must not become one): this script installs it into a
throw-away virtual environment of its own, copies the project there and runs it there, so the
working tree is never edited. It is CPU-heavy; on a shared machine run it with ``nice``::

    nice -n 19 python tools/mutation.py                      # engine/exact.py + compile.py
    nice -n 19 python tools/mutation.py --module model/numbers.py
    nice -n 19 python tools/mutation.py --module 'engine/columnar*.py'   # a glob, quoted
    python tools/mutation.py --report-only                   # figures of the last run again
    nice -n 19 python tools/mutation.py --rerun              # survivors, against new tests
    python tools/mutation.py --rerun --in-process --test tests/test_new.py   # the same, fast

Modules are paths under ``src/kpiscore`` and may be globs (the columnar engine may be split
into several files). Mutating a columnar module adds the columnar tests and installs numpy,
pandas and pyarrow in the throw-away environment.

The last line printed is the kill rate, ``killed / (killed + survived + timeout + …)``; mutants
no selected test reaches (``no tests``) count as survivors, not as excluded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
WORK: Final = Path(os.environ.get("KPISCORE_MUTATION_DIR", "/tmp/kpiscore-mutation"))  # noqa: S108
#: The fast tests that pin the engine down (no pandas, numpy or subprocesses).
TESTS: Final = (
    "tests/test_engine.py",
    "tests/property/test_engine_props.py",
    "tests/test_numbers.py",
    "tests/test_policy.py",
    "tests/test_scorecard.py",
    "tests/test_error_catalogue.py",
    "tests/test_engine_mutants.py",
)
#: The tests added when a columnar module is mutated.
COLUMNAR_TESTS: Final = (
    "tests/test_columnar.py",
    "tests/property/test_columnar_props.py",
    "tests/property/test_reference_props.py",
    "tests/test_fastcsv.py",
    "tests/test_columnar_errors.py",
    "tests/test_columnar_reliability.py",
    "tests/test_columnar_mutants.py",
)
#: The modules mutated by default: the exact engine and the policy compilation it uses.
DEFAULT_MODULES: Final = ("engine/exact.py", "engine/compile.py")
#: What the throw-away environment needs: mutmut and what the selected tests import.
REQUIREMENTS: Final = ("mutmut==3.8.1", "attrs", "python-dateutil", "hypothesis", "pytest")
#: Added for the columnar engine's tests.
COLUMNAR_REQUIREMENTS: Final = ("numpy", "pandas", "pyarrow")
#: mutmut's exit codes (mutmut.stats.status_by_exit_code), collapsed to the figures reported.
STATUS: Final = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}


#: Surviving mutants of the exact engine (then ``_engine.py``) examined and found equivalent
#: (no test can tell them from the original), for the version of the file whose SHA-256 starts
#: with ``_EXACT_FOR`` (commit 96ae1f0; the engine has changed since, so the report says the
#: list does not apply: its survivors need examining again).
_EXACT_FOR: Final = "265e95d8d07acb17"
_SIGN = "a rule's sign is -1 or +1, so < 0, <= 0 and < 1 agree"
_ZIP = "the zipped sequences always have the same length, so strict= changes nothing"
_BOUNDARY = "at the boundary both branches give the same value"
_FALLBACK = "the fast path gives up and the full ledger computes the same figures"
_LAZY = "the ledger is then built on first read instead: the same ledger"
_ZERO_ROUNDED = "0 quantized with any rounding is the same 0"
_UNREACHABLE = (
    "the fast path has already raised MissingInputError for a missing measure under"
    " missing='error', so this branch or argument of the ledger path is never used"
)
_DEAD_BRANCH = "_measured_start is only ever called with measure=None: dead code (reported)"
_SUM_START = "the sum is never empty, so its start value (0 or Decimal 0) changes nothing"
_EXACT_EQUIVALENT: Final = {
    "x__apply_caps__mutmut_5": "get(kind, None): None is as falsy as () for 'if not matched'",
    "x__apply_caps__mutmut_7": "get(kind): None is as falsy as () for 'if not matched'",
    "x__card__mutmut_19": _LAZY,
    "x__card__mutmut_20": _LAZY,
    "x__card__mutmut_39": _LAZY,
    "x__card__mutmut_40": _LAZY,
    "x__card__mutmut_45": _ZIP,
    "x__card__mutmut_48": _ZIP,
    "x__card__mutmut_49": _ZIP,
    "x__category_points__mutmut_17": _SUM_START,
    "x__category_points__mutmut_41": _ZERO_ROUNDED,
    "x__fast_figures__mutmut_5": "cap rank -2 instead of -1: only 'rank >= 0' is ever asked",
    "x__fast_figures__mutmut_12": "rank >= cap_rank keeps the same maximum",
    "x__fast_figures__mutmut_30": _BOUNDARY + " (the limit)",
    "x__fast_figures__mutmut_47": _FALLBACK,
    "x__fast_figures__mutmut_58": _BOUNDARY + " (_check_measure returns max × 0)",
    "x__fast_figures__mutmut_59": _BOUNDARY + " (_check_measure returns max × 1)",
    "x__fast_figures__mutmut_65": _BOUNDARY + " (_check_measure returns the value 0)",
    "x__fast_figures__mutmut_66": _BOUNDARY + " (_check_measure returns the maximum)",
    "x__fast_figures__mutmut_85": _BOUNDARY + " (the floor)",
    "x__fast_figures__mutmut_100": _BOUNDARY + " (raw at the floor carries 0)",
    "x__fast_figures__mutmut_108": _BOUNDARY + " (gap equal to the deductions)",
    "x__fast_figures__mutmut_109": _BOUNDARY + " (raw at the maximum)",
    "x__fast_figures__mutmut_125": _ZIP,
    "x__fast_figures__mutmut_128": _ZIP,
    "x__fast_figures__mutmut_129": _ZIP,
    "x__fast_figures__mutmut_165": _BOUNDARY + " (-0.00 is 0.00 outside ROUND_FLOOR)",
    "x__fast_figures__mutmut_174": _FALLBACK,
    "x__fast_figures__mutmut_178": "a cap at the top band (rank 0) can never lower a rating",
    "x__fast_figures__mutmut_179": "a cap at the top band (rank 0) can never lower a rating",
    "x__fast_figures__mutmut_181": "a cap at the rating already held sets the same rating",
    "x__ledger_card__mutmut_19": _UNREACHABLE,
    "x__ledger_card__mutmut_44": _SUM_START,
    "x__ledger_card__mutmut_71": _BOUNDARY + " (-0.00 is 0.00 outside ROUND_FLOOR)",
    **{f"x__measured_start__mutmut_{n}": _DEAD_BRANCH for n in range(14, 23)},
    "x__measured_start__mutmut_10": _FALLBACK,
    "x__positive_zero__mutmut_1": "_positive_zero is never called: dead code (reported)",
    "x__positive_zero__mutmut_2": "_positive_zero is never called: dead code (reported)",
    "x__score_criterion__mutmut_4": _UNREACHABLE,
    "x__score_criterion__mutmut_62": _ZERO_ROUNDED,
    "x__score_criterion__mutmut_98": _SIGN,
    "x__score_criterion__mutmut_99": _SIGN,
    "x__score_criterion__mutmut_120": _BOUNDARY + " (a gap of 0)",
    "x__score_criterion__mutmut_132": _BOUNDARY + " (an excess of 0)",
    "x__score_criterion__mutmut_152": "position -1 is reached only when nothing remains",
    "x__score_criterion__mutmut_155": "with 0 remaining, further shares are 0, as absent ones",
    "x__score_criterion__mutmut_217": _SIGN,
    "x__score_criterion__mutmut_218": _SIGN,
    "x__score_criterion__mutmut_230": _SIGN,
    "x__score_criterion__mutmut_231": _SIGN,
    "x__score_criterion__mutmut_237": _SIGN,
    "x__score_criterion__mutmut_238": _SIGN,
    "x__score_one__mutmut_3": "_LedgerSource.period is never read: dead attribute (reported)",
    "x__score_one__mutmut_12": _FALLBACK,
    "x__score_one__mutmut_24": "_LedgerSource.period is never read: dead attribute (reported)",
    "x__score_one__mutmut_28": _LAZY,
    "x__score_one__mutmut_29": _LAZY,
    **{f"x__start__mutmut_{n}": _UNREACHABLE for n in (13, 14, 15, 16, 17, 22)},
    "xǁ_Compiledǁ__init____mutmut_22": _ZERO_ROUNDED,
    "xǁ_Compiledǁ__init____mutmut_46": "cap rank -2 instead of -1 before max(): same maximum",
    "xǁ_Compiledǁ__init____mutmut_57": _SUM_START,
    "xǁ_Compiledǁ__init____mutmut_76": (
        "an unweighted category scaled by 2 and divided by 2 again gives the same figure"
    ),
    "xǁ_Compiledǁ__init____mutmut_80": _ZIP,
    "xǁ_Compiledǁ__init____mutmut_83": _ZIP,
    "xǁ_Compiledǁ__init____mutmut_84": _ZIP,
    "xǁ_Compiledǁ__init____mutmut_123": "_Compiled.cat_weighted is never read: dead (reported)",
    "xǁ_Compiledǁ__init____mutmut_141": "cap rank -2 instead of -1: only 'rank > cap' is asked",
    "xǁ_Compiledǁ__init____mutmut_144": _SIGN,
    "xǁ_Compiledǁ__init____mutmut_145": _SIGN,
    "xǁ_Compiledǁ__init____mutmut_149": _ZIP,
    "xǁ_Compiledǁ__init____mutmut_153": _ZIP,
    "xǁ_Compiledǁ__init____mutmut_154": _ZIP,
}
#: Survivors of the exact engine killed by tests outside the fast selection (they need pandas
#: and numpy, which the throw-away environment does not install).
_EXACT_KILLED_ELSEWHERE: Final = {
    "xǁ_Compiledǁ__init____mutmut_171": "tests/test_columnar.py (the columnar engine reads it)",
}

_MESSAGE_ONLY = (
    "number() catches the KpiscoreError and returns the value unchanged, so the owner and field"
    " named in the discarded message are never seen"
)
_C_DECIMAL = (
    "CPython's C decimal ignores every underscore itself ('1__0', '_1' and '1_' all read), and"
    " the text with none left ('' or '_') is refused the same way"
)
_SAME_REFUSAL = (
    "'', 'x', 'X' and 'XXxXX' are all refused by Decimal (InvalidOperation, or NaN under a"
    " context that does not trap it), with the same message"
)
#: Surviving mutants of ``model/numbers.py`` examined (commit 1149d43 + the quantize_ratio
#: test): equivalent, each with the reason no input can tell it from the original.
_NUMBERS_EQUIVALENT: Final = {
    **{f"x_number__mutmut_{n}": _MESSAGE_ONLY for n in (2, 3, 7, 8, 9, 10)},
    "x_optional_number__mutmut_1": (
        "number(None) passes None through unchanged (to_decimal refuses it, number keeps it)"
    ),
    "x_to_decimal__mutmut_15": _SAME_REFUSAL + " (blank text is tried as itself)",
    "x_to_decimal__mutmut_20": _C_DECIMAL,
    "x_to_decimal__mutmut_22": _SAME_REFUSAL,
    "x_to_decimal__mutmut_23": _SAME_REFUSAL,
    "x__round_units__mutmut_36": "inside 'if twice != denominator', >= and > agree",
    "x_quantize_ratio__mutmut_3": (
        "at exponent 0 both branches multiply by 10 ** 0 = 1 (numerator or denominator)"
    ),
}

_TO_FALLBACK = (
    "the edit makes the fast lookup raise TypeError, which get_indexer catches: the fallback"
    " (a dict get per value) gives the same positions, and -1 for none but those outside"
)
_INT64 = "numpy's default integer is int64 on 64-bit Linux (numpy 2), the dtype named"
_SCAN = (
    "the ids are then scanned for a repeated one, which finds the same duplicate (or none):"
    " the shortcut only saves the scan"
)
_NULL_ALL = (
    "pyarrow compares with None as nulls, and pc.all of nulls is null (falsy): the shortcut"
    " is skipped and the general lookup gives the same positions"
)
#: Surviving mutants of ``engine/columnar/_arrays.py`` examined (the version of commit
#: db9bc59): the equivalent ones.
_ARRAYS_EQUIVALENT: Final = {
    **{
        f"xǁPopulationǁget_indexer__mutmut_{n}": _TO_FALLBACK
        for n in (8, 9, 11, 12, 13, 15, 16, 17, 18)
    },
    "xǁPopulationǁget_indexer__mutmut_14": "without count= fromiter builds the same array",
    "xǁPopulationǁget_indexer__mutmut_2": (
        "lists of different lengths are never equal, so the shortcut is skipped; the general"
        " lookup gives position i for ids[i] (the ids are unique), the same arange"
    ),
    **{f"xǁPopulationǁget_indexer__mutmut_{n}": _INT64 for n in (5, 7, 21, 23)},
    "x__get_or_missing__mutmut_3": "int(None) raises TypeError, caught: -1, as get(value, -1)",
    "x__get_or_missing__mutmut_5": "int(None) raises TypeError, caught: -1, as get(value, -1)",
    "xǁPeopleǁcodes__mutmut_6": _INT64 + " (np.full of -1)",
    "xǁPeopleǁcodes__mutmut_9": _INT64 + " (np.full of -1)",
    "xǁPopulationǁget_indexer_arrow__mutmut_9": (
        "pyarrow (26.0.1 here) casts string and large_string itself in pc.equal and"
        " pc.index_in, so the explicit cast changes no position"
    ),
    "xǁPopulationǁget_indexer_arrow__mutmut_15": _NULL_ALL,
    "xǁPopulationǁget_indexer_arrow__mutmut_16": _NULL_ALL,
    "xǁPopulationǁget_indexer_arrow__mutmut_20": _INT64 + " (np.arange)",
    "xǁPopulationǁget_indexer_arrow__mutmut_22": _INT64 + " (np.arange)",
    "xǁPopulationǁ__init____mutmut_2": (
        "arrow() then builds the array from the ids, which hold the same text; its one user,"
        " get_indexer_arrow, casts it to the values' type"
    ),
    "xǁPopulationǁ__init____mutmut_7": "None is falsy: count_distinct decides, correctly",
    "xǁPopulationǁ__init____mutmut_8": (
        "for 2 ids or more count_distinct decides, correctly; for 0 or 1, pc.all of the"
        " empty comparison is null, so count_distinct decides too (and finds them unique)"
    ),
    "xǁPopulationǁ__init____mutmut_12": _NULL_ALL.replace("positions", "answer (count_distinct)"),
    "xǁPopulationǁ__init____mutmut_13": _NULL_ALL.replace("positions", "answer (count_distinct)"),
    "xǁPopulationǁ__init____mutmut_19": _SCAN,
    "xǁPopulationǁ__init____mutmut_20": _SCAN,
    "xǁPopulationǁ__init____mutmut_23": _SCAN,
    "xǁPopulationǁ__init____mutmut_29": "the loop is the last statement of __init__",
    "x_arrow_ints__mutmut_33": "np.concatenate of one array is an equal copy of it",
    "x_arrow_text__mutmut_16": "'UTF-8' and 'utf-8' name the same codec",
    "x_arrow_text__mutmut_21": (
        "float64 holds every offset below 2**31 exactly, and they are cast to int32 before use"
        " (the int64 buffer is used only past 2 GiB)"
    ),
    "x_arrow_text__mutmut_23": (
        "float64 holds every offset below 2**31 exactly, and they are cast to int32 before use"
        " (the int64 buffer is used only past 2 GiB)"
    ),
}
_PAST_2_GIB = (
    "differs only for 2 GiB of text or more (the large_string branch): killable in principle,"
    " not at a size the tests can afford"
)
_EMPTY_FLOAT = (
    "only tables of zero rows keep this default, and the engine skips events without kind"
    " codes and reads the rest by boolean masks, take() of int rows and searchsorted, for"
    " which an empty float64 array behaves as an empty int64 one"
)
_OVERWRITTEN = (
    "every reader (frames, the fast CSV readers, the year's parts) and empty() set it before"
    " it is read"
)
_LIMITED = "limit_to, called by every reader and by empty(), sets it before it is read"
_DAY_VALUES = "read only through day_codes, which every reader sets together with day_values"
_DAY_OR_CODES = (
    "every reader sets day, or day_codes with day_values; both branches then compute the"
    " same in_period (day is day_values.take(day_codes)), so only the speed differs"
)
#: Surviving mutants of ``engine/columnar/_columns.py`` examined (the version of commit
#: db9bc59): the equivalent ones.
_COLUMNS_EQUIVALENT: Final = {
    "x__no_rows__mutmut_2": _EMPTY_FLOAT,
    "x__no_rows__mutmut_4": _EMPTY_FLOAT,
    "xǁEventColumnsǁ__init____mutmut_7": _OVERWRITTEN + " (and no row of empty() reads it)",
    "xǁEventColumnsǁ__init____mutmut_13": (
        "only empty() keeps the default: its in_period has 0 rows, and & broadcasts a 1-row"
        " array to 0 rows"
    ),
    "xǁEventColumnsǁ__init____mutmut_15": (
        "day_codes is read only while day is unset, and every reader sets one or the other"
    ),
    **{f"xǁEventColumnsǁ__init____mutmut_{n}": _DAY_VALUES for n in (16, 18, 20, 21)},
    **{f"xǁEventColumnsǁ__init____mutmut_{n}": _LIMITED for n in (25, 27, 29, 30, 31, 33, 35, 36)},
    "xǁEventColumnsǁ__init____mutmut_4": (
        "only empty() keeps it, and the engine skips events without kind codes (_figures)"
        " while events_of reads it per row: there are none"
    ),
    "xǁMeasureColumnsǁ__init____mutmut_2": (
        "only empty() keeps it: None == slot is False, and flatnonzero(False) gives no rows,"
        " as the empty array does; it is read otherwise only per row: there are none"
    ),
    "xǁEventColumnsǁempty__mutmut_2": "day then reads as zeros(0) (no day_codes): the same",
    "xǁEventColumnsǁempty__mutmut_7": (
        "in_period is read only to compute live, and & broadcasts its 1 row to the 0 rows of"
        " excused; day is read otherwise only per row: there are none"
    ),
    "xǁEventColumnsǁlimit_to__mutmut_5": "np.datetime64 of a date is already in days",
    "xǁEventColumnsǁlimit_to__mutmut_12": "np.datetime64 of a date is already in days",
    "xǁEventColumnsǁlimit_to__mutmut_15": _DAY_OR_CODES,
    "xǁEventColumnsǁlimit_to__mutmut_16": _DAY_OR_CODES,
    "xǁEventColumnsǁlimit_to__mutmut_17": _DAY_OR_CODES,
    "xǁEventColumnsǁset_kinds__mutmut_4": _INT64 + " (with no kinds, no codes: _no_rows)",
    "xǁEventColumnsǁset_kinds__mutmut_6": _INT64 + " (with no kinds, no codes: _no_rows)",
    "xǁEventColumnsǁset_kinds__mutmut_15": (
        "take() of no codes is an empty array (float64 with no kinds): " + _EMPTY_FLOAT
    ),
}

_ZEROS_AS_INT32 = (
    "np.zeros of float64 is n × 8 zero bytes, whose first n × 4 read as int32 are the same zeros"
)
_EXTRA_NAME = (
    "the extra's name appears only in the MissingExtraError's message, which _pyarrow discards"
)
_JOINED_FRESH = "binary_join_element_wise returns a new array, at offset 0"
_DENSE_OR_SORTED = (
    "the dense coding and np.unique give the same codes and sorted distinct values; the bound"
    " only chooses the cheaper"
)
_ANY_FUSION = (
    "fusing neighbouring columns only saves joins: any grouping writes the same rows (the limit"
    " bounds the memory of the pairs' cells)"
)
#: Surviving mutants of ``engine/columnar/_csv.py`` examined (the version of commit 38b2502):
#: the equivalent ones (the others are killed by tests/test_columnar_mutants_csv.py).
_CSV_EQUIVALENT: Final = {
    **{f"x__join_rows__mutmut_{n}": _ZIP for n in (21, 23, 24)},
    "x__join_rows_arrow__mutmut_3": (
        "the subject cells are then built from the ids' text, the same text as the Arrow ids"
    ),
    "x__join_rows_arrow__mutmut_18": _ZEROS_AS_INT32,
    "x__join_rows_arrow__mutmut_20": _ZEROS_AS_INT32,
    "x__join_rows_arrow__mutmut_35": (
        "every array is a string array below 2 GiB, so every table goes to _join_rows, which"
        " writes the same bytes (tested without pyarrow): only the speed differs"
    ),
    "x__join_rows_arrow__mutmut_63": (
        "without count= the offsets run to the buffer's end; only offsets[0] and offsets[n] are"
        " read"
    ),
    "x__join_rows_arrow__mutmut_64": _JOINED_FRESH,
    "x__join_rows_arrow__mutmut_69": _JOINED_FRESH,
    "x__join_rows_arrow__mutmut_78": (
        "no text reaching the writer holds a lone surrogate (Person, the frames and the files"
        " refuse one), so strict UTF-8 decodes the same"
    ),
    "x__join_rows_arrow__mutmut_81": "'UTF-8' and 'utf-8' name the same codec",
    "x__join_rows_arrow__mutmut_82": "an error handler is looked up only on an error: none here",
    "x__join_rows_arrow__mutmut_83": "an error handler is looked up only on an error: none here",
    **{f"x__pyarrow__mutmut_{n}": _EXTRA_NAME for n in (2, 7, 8, 10, 15, 16)},
    "x__dense_codes__mutmut_5": _INT64,
    "x__dense_codes__mutmut_7": _INT64,
    **{f"x__dense_codes__mutmut_{n}": _DENSE_OR_SORTED for n in (17, 18, 19, 20, 21, 22)},
    "x__dense_codes__mutmut_32": "one more False at the end adds no value and changes no code",
    **{
        f"x__dense_codes__mutmut_{n}": (
            "np.unique's inverse of 1-D units is 1-D already: NumPy 2 reshapes it to itself"
        )
        for n in (48, 50)
    },
    "x_figures_csv__mutmut_129": (
        "without pyarrow the rows are joined by str.join: the same bytes (tested), only slower"
    ),
    **{
        f"x_figures_csv__mutmut_{n}": (
            "the subject cells are then built from the ids' text, the same text as the Arrow ids"
        )
        for n in (137, 138, 145)
    },
    "x__fuse_columns__mutmut_3": _ANY_FUSION,
    "x__fuse_columns__mutmut_4": _ANY_FUSION,
    "x_figures_csv__mutmut_26": "a table of no rows is written before this test (as '')",
    **{
        f"x_figures_csv__mutmut_{n}": (
            "np.where(codes < 0, …) changes no code when none is negative: the same codes"
        )
        for n in (27, 28)
    },
    **{
        f"x_figures_csv__mutmut_{n}": "numbers() always gives codes (never None), so never read"
        for n in (64, 66, 67, 68, 69)
    },
    **{f"x_figures_csv__mutmut_{n}": _ANY_FUSION for n in (120, 121, 122)},
}

_NO_PROBLEM = (
    "a Person's attributes are checked text or None, so factorize finds no problem: its"
    " problems, namer, field and expected text are never used"
)
_LOOKED_UP_BY_DICT = (
    "without the Arrow ids (or the Arrow lookup) the subjects are looked up by the ids' dict,"
    " or factorized first: the same positions, only slower"
)
_READER_FIELD = (
    "_attribute's reader sees only non-blank text (convert takes a blank cell as missing"
    " first), so the expected text is never shown; the field reaches only _text, which does"
    " not use it (the message names convert's field)"
)
_LOOKED_UP_AGAIN = (
    "rows left at a negative position are looked up again by _unfound, by their cell: the"
    " same positions and problems"
)
_FLOAT_WIDTH = (
    "every float dtype pandas gives (NumPy, nullable, Arrow) has an itemsize, and a float64"
    " read as np.float64 has the same shortest repr as a Python float"
)
_RAISED_FIRST = "the row's problem is raised before its id or position is read"
_FRESH = "the positions come fresh from the lookup (take, where, astype): no one else holds them"
_SAME_KEY = "the key only groups equal cells: another constant or repr keeps them apart the same"
_UNHASHABLE = "unreachable (pragma: no cover): building the key never raises TypeError"
#: Surviving mutants of ``engine/columnar/_frames.py`` examined (the version of commit 38b2502,
#: from a partial run: 403 of its 1,375 mutants): the equivalent ones (the others are killed
#: by tests/test_columnar_mutants_frames.py).
_FRAMES_EQUIVALENT: Final = {
    **{f"x__all_persons__mutmut_{n}": _NO_PROBLEM for n in (29, 30, 31, 32, 42)},
    **{
        f"x__all_persons__mutmut_{n}": (
            "pandas reads the object array of None and text to the same codes and values"
        )
        for n in (39, 41)
    },
    **{f"x__all_persons__mutmut_{n}": _LOOKED_UP_BY_DICT for n in (45, 46, 47, 48, 50)},
    **{f"x__attribute__mutmut_{n}": _READER_FIELD for n in (2, 3, 6, 7)},
    **{f"x__from_codes__mutmut_{n}": _LOOKED_UP_BY_DICT for n in (1, 3, 4, 5, 6, 7, 8)},
    **{
        f"x__from_codes__mutmut_{n}": "codes of 0 or more give the same positions either way"
        for n in (16, 17)
    },
    **{f"x__from_codes__mutmut_{n}": _LOOKED_UP_AGAIN for n in (18, 24, 25, 33)},
    **{f"x__narrow__mutmut_{n}": _FLOAT_WIDTH for n in (5, 11, 16, 17)},
    **{f"x__object_positions__mutmut_{n}": _LOOKED_UP_BY_DICT for n in (1, 4, 6, 7)},
    **{f"x__people_frame__mutmut_{n}": _LOOKED_UP_BY_DICT for n in (15, 21, 35, 36, 37)},
    **{f"x__people_frame__mutmut_{n}": _READER_FIELD for n in (57, 75, 76)},
    "x__persons__mutmut_18": _RAISED_FIRST,
    "x__persons__mutmut_19": _RAISED_FIRST,
    "x__persons__mutmut_38": "None coded as a distinct value reads back as None, as -1 does",
    "x__persons__mutmut_49": _INT64,
    "x__persons__mutmut_51": _INT64,
    **{
        f"x__unfound__mutmut_{n}": (
            "a subject found as it is is a person id (trimmed, NFC): looked up again it is"
            " found at the same position"
        )
        for n in (3, 4)
    },
    **{f"x__unfound__mutmut_{n}": _FRESH for n in (7, 9, 10)},
    "x__unfound__mutmut_15": _SAME_KEY,
    "x__unfound__mutmut_17": _SAME_KEY,
    **{f"x__unfound__mutmut_{n}": _UNHASHABLE for n in (19, 20, 21)},
    "x__unfound__mutmut_32": _RAISED_FIRST,
    "x__no_second_measures__mutmut_6": (
        "a width of at least the number of measured criteria keeps subject × width + slot"
        " unique per (subject, criterion): the same repeats found"
    ),
    "x__unfound__mutmut_53": _INT64 + " (or no rows, which problems.rows skips)",
    "x__unfound__mutmut_55": _INT64 + " (or no rows, which problems.rows skips)",
}

#: Per module: surviving mutants NOT equivalent that no test kills, with why (counted as
#: survivors in every figure; listed so that a reviewer does not examine them again).
NOT_KILLED: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "engine/columnar/_arrays.py": (
        "d0714605739a36e0",
        {f"x_arrow_text__mutmut_{n}": _PAST_2_GIB for n in (35, 36, 37, 39, 40, *range(49, 56))},
    ),
    "engine/columnar/_csv.py": (
        "b707f791b1ece32b",
        {
            f"x__join_rows_arrow__mutmut_{n}": _PAST_2_GIB.replace("text or more", "text in all")
            for n in (*range(36, 42), *range(50, 56))
        },
    ),
}

#: Per mutated module (a path under ``src/kpiscore``): the SHA-256 prefix of the version whose
#: survivors were examined, the equivalent ones by mutant name with the reason, and the ones
#: killed by tests outside the selection. mutmut numbers mutants by position, so once a module
#: changes its list no longer applies: the report says so, and its survivors need examining
#: again.
EQUIVALENT: Final[dict[str, tuple[str, dict[str, str], dict[str, str]]]] = {
    "engine/exact.py": (_EXACT_FOR, _EXACT_EQUIVALENT, _EXACT_KILLED_ELSEWHERE),
    "model/numbers.py": ("65addffc1fa9ad93", _NUMBERS_EQUIVALENT, {}),
    "engine/columnar/_arrays.py": ("d0714605739a36e0", _ARRAYS_EQUIVALENT, {}),
    "engine/columnar/_columns.py": ("efc54c286320e76b", _COLUMNS_EQUIVALENT, {}),
    "engine/columnar/_csv.py": ("b707f791b1ece32b", _CSV_EQUIVALENT, {}),
    "engine/columnar/_frames.py": ("1d576e4a5e20915a", _FRAMES_EQUIVALENT, {}),
}


# mutmut runs each test more than once in one process (to map tests to functions, then clean):
# hypothesis must not call that a flaky executor, must not time out in the slower mutated code,
# must draw the same examples every time so a mutant's fate does not depend on luck, and draws
# fewer of them (each surviving mutant runs every test that reaches it).
_HYPOTHESIS_PROFILE: Final = """
from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)
settings.load_profile("mutation")
"""


def _environment(columnar: bool) -> Path:
    """The throw-away virtual environment with mutmut, created on first use."""
    python = WORK / "venv" / "bin" / "python"
    if not python.exists():
        venv.create(WORK / "venv", with_pip=True)
        # Our own interpreter and fixed arguments: nothing here comes from outside.
        install = [str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS]
        subprocess.run(install, check=True)  # noqa: S603
    if columnar:
        install = [str(python), "-m", "pip", "install", "--quiet", *COLUMNAR_REQUIREMENTS]
        subprocess.run(install, check=True)  # noqa: S603
    return python


def _expand(patterns: list[str]) -> list[str]:
    """Module paths under ``src/kpiscore`` (globs expanded, sorted, each once)."""
    source = ROOT / "src" / "kpiscore"
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(path.relative_to(source).as_posix() for path in source.glob(pattern))
        if not matches:
            raise SystemExit(f"no module of src/kpiscore matches {pattern!r}")
        found.extend(match for match in matches if match not in found)
    return found


def _is_columnar(modules: list[str]) -> bool:
    return any("columnar" in module or "fastcsv" in module for module in modules)


def _project(modules: list[str], tests: list[str]) -> Path:
    """A fresh copy of the project for mutmut, with its configuration in ``setup.cfg``."""
    project = WORK / "project"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for part in ("src", "tests", "docs"):
        shutil.copytree(
            ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for part in ("conftest.py", "pyproject.toml"):
        shutil.copy2(ROOT / part, project / part)
    with (project / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(_HYPOTHESIS_PROFILE)
    lines = [
        "[mutmut]",
        "source_paths = src/kpiscore",
        "also_copy =",
        "    conftest.py",
        "    docs",
        "only_mutate =",
        *(f"    src/kpiscore/{module}" for module in modules),
        "pytest_add_cli_args_test_selection =",
        *(f"    {test}" for test in tests if (project / test).exists()),
        "pytest_add_cli_args =",
        "    -p no:cacheprovider",
        "",
    ]
    (project / "setup.cfg").write_text("\n".join(lines), encoding="utf-8")
    return project


def _originals(project: Path, modules: list[str]) -> None:
    """Keep each mutated module as it was when the run started (for --rerun's check)."""
    for module in modules:
        original = project / "mutants" / "src" / "kpiscore" / f"{module}.orig"
        original.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / "src" / "kpiscore" / module, original)


def _counts(project: Path) -> tuple[Counter[str], list[str]]:
    """Mutant counts by status, and the names of the ones that were not killed."""
    counts: Counter[str] = Counter()
    alive: list[str] = []
    for meta in sorted((project / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in sorted(data.get("exit_code_by_key", {}).items()):
            status = STATUS.get(code, "timeout" if code in (36, 24, -24, 152, 255) else "other")
            if code is None:
                status = "not checked"
            counts[status] += 1
            if status != "killed":
                alive.append(f"{name}: {status}")
    return counts, alive


def _statuses(project: Path) -> dict[str, str]:
    """Each checked mutant's status, with the outcomes of ``--rerun`` merged in."""
    statuses: dict[str, str] = {}
    for line in _counts(project)[1]:
        name, status = line.split(": ")
        statuses[name] = status
    killed = {}
    for meta in sorted((project / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        killed.update(dict.fromkeys(data.get("exit_code_by_key", {}), "killed"))
    statuses = {**killed, **statuses}
    rerun = WORK / "rerun.json"
    if rerun.exists():
        # Mutants the first run left alive and a later test killed (see --rerun).
        later = json.loads(rerun.read_text(encoding="utf-8"))
        statuses.update({name: later[name] for name in statuses if name in later})
    return {name: status for name, status in statuses.items() if status != "not checked"}


def _report(project: Path) -> int:
    statuses = _statuses(project)
    if not statuses:
        print("no mutant was checked; run without --report-only first")
        return 1
    for module in _mutated_modules(project):
        prefix = "kpiscore." + module.removesuffix(".py").replace("/", ".") + "."
        mine = {n.removeprefix(prefix): s for n, s in statuses.items() if n.startswith(prefix)}
        if mine:
            _module_report(project, module, mine)
    if len(_mutated_modules(project)) > 1:
        counts = Counter(statuses.values())
        print(f"all modules: killed {counts['killed']}/{sum(counts.values())}")
    return 0


def _module_report(project: Path, module: str, statuses: dict[str, str]) -> None:
    """The survivors of one module, its kill rate, and the rate without equivalent mutants."""
    counts = Counter(statuses.values())
    total = sum(counts.values())
    original = project / "mutants" / "src" / "kpiscore" / f"{module}.orig"
    version, equivalents, elsewhere_killed = EQUIVALENT.get(module, ("", {}, {}))
    examined = bool(version) and original.exists()
    examined = examined and hashlib.sha256(original.read_bytes()).hexdigest().startswith(version)
    equivalent = elsewhere = 0
    not_killed_for, not_killed = NOT_KILLED.get(module, ("", {}))
    if not (examined and not_killed_for == version):
        not_killed = {}
    print(f"== {module}")
    for name, status in sorted(statuses.items()):
        if status == "killed":
            continue
        note = ""
        if examined and name in equivalents:
            equivalent += 1
            note = f" (equivalent: {equivalents[name]})"
        elif examined and name in elsewhere_killed:
            elsewhere += 1
            note = f" (killed by {elsewhere_killed[name]})"
        elif name in not_killed:
            note = f" (not equivalent, not killed: {not_killed[name]})"
        print(f"{name}: {status}{note}")
    figures = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    print(f"mutants: {figures}")
    detected = counts["killed"] + counts["timeout"]
    print(f"kill rate: {counts['killed']}/{total} = {counts['killed'] * 100 // total} %")
    print(f"killed or timed out: {detected}/{total} = {detected * 100 // total} %")
    if examined:
        meaningful = total - equivalent
        caught = detected + elsewhere
        print(
            f"leaving out {equivalent} equivalent mutants: {caught}/{meaningful}"
            f" = {caught * 1000 // meaningful / 10} %"
        )
    elif counts["killed"] < total:
        print(
            f"the equivalent mutants listed for {module} are for another version of it (or none"
            " are listed); examine the survivors again"
        )


#: ``--rerun --in-process``: one interpreter checks every survivor, a ``pytest.main`` per
#: mutant (mutmut's trampolines read ``MUTANT_UNDER_TEST`` at each call), so a mutant costs its
#: tests only, not an interpreter and pandas each. Caches that outlive a test (compiled
#: policies) are not mutated by the columnar modules, so no mutant leaks into the next.
_IN_PROCESS: Final = """
import json, os, sys
from pathlib import Path
import pytest
out, names, tests = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3:]
done = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
arguments = ["-x", "-q", "-p", "no:cacheprovider", *tests]
os.environ["MUTANT_UNDER_TEST"] = ""
if pytest.main(arguments) != 0:
    raise SystemExit("the tests fail without any mutant")
for name in names:
    if done.get(name) in ("killed", "timeout"):
        continue
    os.environ["MUTANT_UNDER_TEST"] = name
    code = pytest.main(arguments)
    done[name] = "killed" if code == 1 else "survived"
    print(f"{name}: {done[name]}", file=sys.stderr, flush=True)
    out.write_text(json.dumps(done, indent=1), encoding="utf-8")
"""


def _rerun_in_process(python: Path, tests: list[str], environment: dict[str, str]) -> None:
    """:func:`_rerun` in one interpreter (``--in-process``): far faster, for new tests."""
    project = WORK / "project"
    copy = project / "mutants"
    for part in ("tests", "docs"):
        shutil.copytree(
            ROOT / part,
            copy / part,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    names = [line.split(": ")[0] for line in _counts(project)[1] if not line.endswith("checked")]
    environment = {**environment, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [str(python), "-c", _IN_PROCESS, str(WORK / "rerun.json"), json.dumps(names)]
    subprocess.run([*command, *tests], cwd=copy, env=environment, check=True)  # noqa: S603


def _rerun(python: Path, tests: list[str], environment: dict[str, str]) -> None:
    """Check again each mutant the last run did not kill, against the tests as they are now.

    mutmut only runs the tests its first pass saw reach a function, so a test written after
    the run is invisible to it; here the tests as they are now are copied into mutmut's own
    copy of the project (``mutants/``, whose mutated modules hold every mutant behind a
    trampoline) and run once per surviving mutant, chosen by ``MUTANT_UNDER_TEST`` as mutmut
    itself chooses it. (``mutmut apply`` is not used: mutmut 3.8.1 writes a method's mutant
    over the first method of that name in the file, so ``xǁPopulationǁ__init__``'s mutants
    replaced ``People.__init__``.)
    """
    project = WORK / "project"
    copy = project / "mutants"
    for part in ("tests", "docs"):
        shutil.copytree(
            ROOT / part,
            copy / part,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    for module in _mutated_modules(project):
        original = copy / "src" / "kpiscore" / f"{module}.orig"
        if original.read_bytes() != (ROOT / "src" / "kpiscore" / module).read_bytes():
            print(f"note: src/kpiscore/{module} changed since the run; checking the run's version")
    earlier = WORK / "rerun.json"
    outcomes: dict[str, str] = (
        json.loads(earlier.read_text(encoding="utf-8")) if earlier.exists() else {}
    )
    environment = {
        **environment,
        "PYTHONPATH": str(copy / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MUTANT_UNDER_TEST": "",
    }
    command = [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    baseline = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        command, cwd=copy, env=environment, check=False, capture_output=True
    )
    if baseline.returncode != 0:
        raise SystemExit(f"the tests fail without any mutant:\n{baseline.stdout.decode()}")
    try:
        for line in _counts(project)[1]:
            name, status = line.split(": ")
            if status == "not checked" or outcomes.get(name) in ("killed", "timeout"):
                continue
            try:
                finished = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
                    command,
                    cwd=copy,
                    env={**environment, "MUTANT_UNDER_TEST": name},
                    check=False,
                    capture_output=True,
                    timeout=180,
                )
            except subprocess.TimeoutExpired:
                outcomes[name] = "timeout"
            else:
                outcomes[name] = "killed" if finished.returncode == 1 else "survived"
            print(f"{name}: {outcomes[name]}", flush=True)
    finally:
        (WORK / "rerun.json").write_text(json.dumps(outcomes, indent=1), encoding="utf-8")


def _mutated_modules(project: Path) -> list[str]:
    text = (project / "setup.cfg").read_text(encoding="utf-8")
    listed = text.split("only_mutate", 1)[1].split("pytest")[0]
    return re.findall(r"src/kpiscore/([\w/]+\.py)", listed)


def main(argv: list[str] | None = None) -> int:
    """Run mutmut over the chosen modules and print the kill rate."""
    # Stopped with SIGTERM, still put the project's source back (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--module",
        action="append",
        help=(
            "a module (path or glob under src/kpiscore) to mutate (repeatable; default"
            " engine/exact.py and engine/compile.py)"
        ),
    )
    parser.add_argument(
        "--test", action="append", help="a test file to run (repeatable; default: the fast set)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants checked at once (default 1)")
    parser.add_argument(
        "--report-only", action="store_true", help="print the figures of the last run"
    )
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="check the survivors of the last run again, with the tests as they are now",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="with --rerun: check every survivor in one interpreter (for the new tests only)",
    )
    args = parser.parse_args(argv)
    project = WORK / "project"
    if args.report_only:
        return _report(project)
    modules = _expand(args.module or list(DEFAULT_MODULES))
    columnar = _is_columnar(modules)
    tests = args.test or [*TESTS, *(COLUMNAR_TESTS if columnar else ())]
    python = _environment(columnar)
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    environment.pop("PYTHONPATH", None)
    if args.rerun:
        (_rerun_in_process if args.in_process else _rerun)(python, tests, environment)
        return _report(project)
    project = _project(modules, tests)
    (WORK / "rerun.json").unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [str(python), "-m", "mutmut", "run", "--max-children", str(args.jobs)],
        cwd=project,
        env=environment,
        check=False,
    )
    _originals(project, modules)
    return _report(project)


if __name__ == "__main__":
    sys.exit(main())
