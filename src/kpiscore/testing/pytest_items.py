"""The pytest collector and items for kpiscore case files (see :mod:`pytest_kpiscore`).

Kept apart from the plugin module, which pytest imports in every session of every project where
kpiscore is installed: this one is imported only when a ``*.kpi.toml`` file is found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kpiscore.exceptions import KpiscoreError
from kpiscore.testing.cases import Case, CaseResult, load_cases

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

__all__ = ["CaseFailedError", "CaseFile", "CaseFileError", "CaseItem"]


class CaseFailedError(Exception):
    """A case's figures differ from the expected ones (or scoring failed)."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case.where)
        self.result = result


class CaseFileError(Exception):
    """A case file cannot be read; the message lists every problem with its place.

    The library's error is re-raised as this plain exception so that pytest prints the message
    as it is, rather than as a traceback of an exception group.
    """


class CaseFile(pytest.File):
    """A ``*.kpi.toml`` file: its cases are the tests."""

    def collect(self) -> Iterator[CaseItem]:
        try:
            name = str(self.path.relative_to(self.config.rootpath))
        except ValueError:  # pragma: no cover - a file outside the rootdir
            name = str(self.path)
        try:
            cases = load_cases(self.path, name=name)
        except KpiscoreError as error:
            raise CaseFileError(str(error)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, CaseFileError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # pragma: no cover - a bug, shown as pytest would


class CaseItem(pytest.Item):
    """One case of a case file."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        result = self.case.run()
        if not result.passed:
            raise CaseFailedError(result)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, CaseFailedError):
            return excinfo.value.result.report()
        return super().repr_failure(excinfo)  # pragma: no cover - a bug, shown as pytest would

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"kpiscore case: {self.case.name}"
