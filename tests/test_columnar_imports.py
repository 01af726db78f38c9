"""``kpiscore`` without NumPy, pandas or pyarrow: the columnar entry points import nothing
optional until called, then name the extra to install (or step aside, on the command line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLOCK = """
import sys
from importlib.abc import MetaPathFinder

class Block(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "pandas", "pyarrow"):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
"""


def run(code: str) -> None:
    subprocess.run([sys.executable, "-c", BLOCK + code], check=True)


def test_score_frame_names_the_extra_without_numpy() -> None:
    run(
        "import kpiscore, pytest\n"
        "from kpiscore import MissingExtraError, Policy, Category, Criterion\n"
        "policy = Policy(id='p', name='P', categories=[Category(id='c', name='C',"
        " criteria=[Criterion(id='x', name='X', max_points=10)])])\n"
        'with pytest.raises(MissingExtraError, match=r"kpiscore\\[pandas\\]"):\n'
        "    kpiscore.score_frame(policy, '2026-Q1', ['a'], None)\n"
        "assert not any(m.split('.')[0] in ('numpy', 'pandas') for m in sys.modules)\n"
    )


def test_the_fast_csv_path_steps_aside_without_numpy(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id\na\n", encoding="utf-8")
    run(
        "from kpiscore import policies, Period\n"
        "from kpiscore.io.fastcsv import score_csv_files\n"
        "policy = policies.load('university-kpi-example')\n"
        f"assert score_csv_files(policy, Period.parse('2026-Q1'), {str(people)!r}, None, None)"
        " is None\n"
    )
