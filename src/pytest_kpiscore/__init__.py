"""A pytest plugin that collects kpiscore case files (``*.kpi.toml``): one test per case.

kpiscore registers it through the ``pytest11`` entry point, so ``pytest`` in a project that keeps
case files collects them with nothing to configure. A failing case is reported with its expected
and actual figures and the scorecard's ledger; a file that cannot be read is a collection error
that names the file and the place. Nothing of kpiscore is imported until a case file is found
(:mod:`kpiscore.testing.pytest_items` holds the collector), so the plugin costs nothing elsewhere —
which is why it is a top-level module: a submodule of ``kpiscore`` would import the whole
package when pytest loads its plugins, before a coverage tool starts measuring.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from kpiscore.testing.pytest_items import CaseFile

#: The ending of a case file's name (``kpiscore.testing.CASE_SUFFIX``).
SUFFIX = ".kpi.toml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    """Collect ``*.kpi.toml`` files."""
    if not file_path.name.endswith(SUFFIX):
        return None
    from kpiscore.testing.pytest_items import CaseFile

    collector: CaseFile = CaseFile.from_parent(parent, path=file_path)
    return collector
