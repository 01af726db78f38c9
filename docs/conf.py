"""Sphinx configuration: MyST Markdown pages, API reference from the docstrings."""

from __future__ import annotations

project = "kpiscore"
author = "kpiscore developers"
copyright = "2026, kpiscore developers"  # noqa: A001 - Sphinx's name for it

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "*.ipynb"]  # notebooks are executed by tests/test_notebook.py
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
nitpicky = False
html_theme = "alabaster"
suppress_warnings = ["myst.header"]
