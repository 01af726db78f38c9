"""A pytest plugin that collects kpiscore case files (``*.kpi.toml``): one test per case.

kpiscore registers it through the ``pytest11`` entry point, so ``pytest`` in a project that keeps
case files collects them with nothing to configure. A failing case is reported with its expected
and actual figures and the scorecard's ledger; a file that cannot be read is a collection error
that names the file and the place. This module imports nothing from kpiscore until a case file
is found, so it costs nothing in projects without any.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from kpiscore.testing import Case, CaseResult

SUFFIX = ".kpi.toml"


class CaseFailedError(Exception):
    """A case's figures differ from the expected ones (or scoring failed)."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case.where)
        self.result = result


class CaseFile(pytest.File):
    """A ``*.kpi.toml`` file: its cases are the tests."""

    def collect(self) -> Iterator[CaseItem]:
        from kpiscore.testing import load_cases

        try:
            name = str(self.path.relative_to(self.config.rootpath))
        except ValueError:  # pragma: no cover - a file outside the rootdir
            name = str(self.path)
        for case in load_cases(self.path, name=name):
            yield CaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        from kpiscore.exceptions import KpiscoreError

        if isinstance(excinfo.value, KpiscoreError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


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
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"kpiscore case: {self.case.name}"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    """Collect ``*.kpi.toml`` files."""
    if file_path.name.endswith(SUFFIX):
        file: CaseFile = CaseFile.from_parent(parent, path=file_path)
        return file
    return None
