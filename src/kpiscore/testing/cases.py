"""Test-case files: a policy's expected behaviour, written down by the people who know the rules.

A case file (``*.kpi.toml``) names a policy, optionally changes it with an overlay, and lists
cases: the facts about one person for one period, and the figures the policy must give, compared
exactly (no tolerances)::

    # university.kpi.toml
    policy = "university-kpi-example"   # a bundled policy id, or a policy file next to this one
    period = "2026-Q1"

    [[case]]
    name = "four unexcused absences cost eight points"
    measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }
    events = [
        { kind = "training_absence", on = 2026-01-06 },
        { kind = "training_absence", on = 2026-01-13 },
        { kind = "training_absence", on = 2026-01-20 },
        { kind = "training_absence", on = 2026-01-27 },
        { kind = "training_absence", on = 2026-02-03, excused = true },
    ]
    expect = { total = "92.00", rating = "HTXS", criteria = { training = 7 } }

``kpiscore test FILE|DIR…`` runs them and prints a pass/fail table; ``pytest`` collects them too
(kpiscore registers a pytest plugin), one test per case. The format is described in full in
``docs/testing.md``.

>>> cases = parse_cases('''
... policy = "university-kpi-example"
... period = "2026-Q1"
... [[case]]
... name = "one absence"
... measures = { key_tasks = 1, research = 1, workload = 1, collaboration = 5 }
... events = [{ kind = "training_absence", on = 2026-01-06 }]
... expect = { total = 98, criteria = { training = 13 } }
... ''')
>>> result = cases[0].run()
>>> result.status, [(check.figure, check.actual) for check in result.checks]
('pass', [('total', '98.00'), ('criterion training', '13.00')])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore.exceptions import (
    FileFormatError,
    FileFormatErrorGroup,
)
from kpiscore.io.load import MAX_POLICY_BYTES, parse_toml_document, read_text_file
from kpiscore.testing.case_model import Case, CaseResult, Check, Expected, RunReport
from kpiscore.testing.case_reader import _FILE_KEYS, CASE_SUFFIX, _case, _Reader

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "CASE_SUFFIX",
    "Case",
    "CaseResult",
    "Check",
    "Expected",
    "RunReport",
    "bundled_cases",
    "find_case_files",
    "load_cases",
    "parse_cases",
    "run_cases",
]


def parse_cases(
    text: str, *, name: str = "<cases>", folder: str | os.PathLike[str] | None = None
) -> tuple[Case, ...]:
    """Read the cases of a case file from its text.

    Args:
        text: The TOML text.
        name: The file's name, for messages.
        folder: Where a policy or overlay file named by a relative path is looked for
            (by default the current directory).

    Returns:
        The cases, in file order.

    Raises:
        FileFormatError: the text is not valid TOML, or has a problem (an unknown key, a
            missing one, a value of the wrong kind, an unknown criterion or band…); the message
            names the file and the place (``case 2 'name': expect.criteria.training``).
            :class:`~kpiscore.FileFormatErrorGroup` lists every problem of the file.
    """
    if not isinstance(text, str):
        raise FileFormatError(f"{name}: expected the text of a case file (got {text!r})", path=name)
    # A case file is untrusted input: the policy files' size and nesting limits apply.
    tree = parse_toml_document(text, name)
    reader = _Reader(name, Path(folder) if folder is not None else None)
    reader.keys(tree, "", _FILE_KEYS)
    for key in ("description",):
        if key in tree and not isinstance(tree[key], str):
            reader.fail(key, f"expected text (got {tree[key]!r})")
    raw_cases = tree.get("case")
    cases: list[Case] = []
    if not isinstance(raw_cases, list) or not raw_cases:
        reader.fail("case", "expected at least one [[case]] table (got none)")
    else:
        names: dict[str, int] = {}
        for number, raw in enumerate(raw_cases, 1):
            if not isinstance(raw, Mapping):
                reader.fail(f"case {number}", f"expected a table (got {raw!r})")
                continue
            found = _case(reader, raw, tree, number)
            if found is None:
                continue
            if found.name in names:
                reader.fail(
                    f"case {number} {found.name!r}",
                    f"the name is used by case {names[found.name]} too; names must be unique",
                )
                continue
            names[found.name] = number
            cases.append(found)
    if len(reader.problems) == 1:
        raise reader.problems[0]
    if reader.problems:
        raise FileFormatErrorGroup(f"{name}: {len(reader.problems)} problems", reader.problems)
    return tuple(cases)


def load_cases(path: str | os.PathLike[str], *, name: str | None = None) -> tuple[Case, ...]:
    """Read a case file (see :func:`parse_cases`); relative policy paths are read next to it.

    Args:
        path: The file.
        name: What messages and reports call the file (by default ``path`` as given).

    Raises:
        FileFormatError: the file cannot be read or has problems (see :func:`parse_cases`).
    """
    file = Path(path)
    name = str(file) if name is None else name
    text = read_text_file(file, name, limit=MAX_POLICY_BYTES)
    return parse_cases(text, name=name, folder=file.parent)


def find_case_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The case files named: files as given, folders searched for ``*.kpi.toml`` (sorted).

    Raises:
        FileFormatError: a path that does not exist.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*" + CASE_SUFFIX) if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileFormatError(f"{path}: no such file or folder", path=str(path))
    return tuple(dict.fromkeys(found))


def run_cases(paths: Iterable[str | os.PathLike[str]]) -> RunReport:
    """Run every case of the files and folders named (see :func:`find_case_files`).

    A file that cannot be read is reported in ``problems``; its cases are not run, the others
    are.

    Raises:
        FileFormatError: a path that does not exist.
    """
    results: list[CaseResult] = []
    problems: dict[str, FileFormatError] = {}
    for file in find_case_files(paths):
        try:
            cases = load_cases(file)
        except FileFormatError as error:
            problems[str(file)] = error
            continue
        results.extend(case.run() for case in cases)
    return RunReport(results=tuple(results), problems=problems)


def bundled_cases() -> tuple[Case, ...]:
    """The cases shipped with the bundled policies (``kpiscore/policies/cases/``).

    >>> all(case.run().passed for case in bundled_cases())
    True
    """
    folder = resources.files("kpiscore.policies").joinpath("cases")
    cases: list[Case] = []
    for entry in sorted(_entries(folder), key=lambda e: e.name):
        cases.extend(
            parse_cases(
                entry.read_text(encoding="utf-8"), name=f"kpiscore/policies/cases/{entry.name}"
            )
        )
    return tuple(cases)


def _entries(folder: Traversable) -> Iterator[Traversable]:
    for entry in folder.iterdir():
        if entry.name.endswith(CASE_SUFFIX) and entry.is_file():
            yield entry
