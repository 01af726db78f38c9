"""The command-line tests' shared inputs: the bundled sample's files and the options naming them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The policy the command-line tests score the sample under.
STAFF = "vn-nd335-2025-staff"
#: The bundled sample workforce's files.
SAMPLE_FILES = ("people.csv", "events.csv", "measures.csv")


def copy_sample(folder: Path) -> Path:
    """Copy the bundled sample workforce's CSV files into ``folder``; return it."""
    data = resources.files("kpiscore").joinpath("data/sample")
    for name in SAMPLE_FILES:
        (folder / name).write_bytes(data.joinpath(name).read_bytes())
    return folder


def inputs(folder: Path, policy: str = STAFF) -> list[str]:
    """The options scoring ``folder``'s sample files for 2026-Q1 under ``policy``."""
    return [
        "--policy",
        policy,
        "--period",
        "2026-Q1",
        "--people",
        str(folder / "people.csv"),
        "--events",
        str(folder / "events.csv"),
        "--measures",
        str(folder / "measures.csv"),
    ]
