"""The notebook in docs/ runs from top to bottom, offline, and shows what it promises."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "comparing-variants.ipynb"


@pytest.fixture(scope="module")
def executed() -> Any:
    """The notebook, executed in a fresh kernel (a few seconds; at most two minutes)."""
    # jupyter_core warns about its future paths unless told which to use.
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    nbformat = pytest.importorskip("nbformat", reason="the notebook tools are in the test extra")
    nbclient = pytest.importorskip("nbclient", reason="the notebook tools are in the test extra")
    pytest.importorskip("ipykernel", reason="the notebook tools are in the test extra")
    pytest.importorskip("matplotlib", reason="the notebook plots with matplotlib")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        extra_arguments=["--HistoryManager.enabled=False"],
    )
    client.execute()
    return notebook


def outputs(notebook: Any) -> list[Any]:
    return [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]


class TestNotebook:
    def test_every_cell_runs_without_error(self, executed: Any) -> None:
        assert [] == [o for o in outputs(executed) if o.output_type == "error"]

    def test_nothing_is_written_to_stderr(self, executed: Any) -> None:
        assert [] == [o.text for o in outputs(executed) if o.get("name") == "stderr"]

    def test_the_comparison_shows_as_html_with_its_movers(self, executed: Any) -> None:
        pages = [o.data["text/html"] for o in outputs(executed) if "text/html" in o.get("data", {})]
        assert any("▼ 13 down" in page and "HTT → HT" in page for page in pages)

    def test_the_band_moves_are_plotted(self, executed: Any) -> None:
        assert any("image/png" in o.get("data", {}) for o in outputs(executed))

    def test_the_librarys_charts_are_the_plots(self, executed: Any) -> None:
        """Comparison.plot(), ScoreTable.plot() and plot("totals") draw the notebook's charts."""
        plotted = [
            "".join(cell.source)
            for cell in executed.cells
            if cell.cell_type == "code"
            and any("image/png" in o.get("data", {}) for o in cell.outputs)
        ]
        assert 2 == len(plotted)
        assert "bands.plot(" in plotted[0]
        assert "table.plot(ax=" in plotted[1]
        assert 'table.plot("totals"' in plotted[1]

    def test_the_notebook_is_kept_without_outputs(self) -> None:
        nbformat = pytest.importorskip("nbformat")
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        assert [] == [cell for cell in notebook.cells if cell.get("outputs")]
