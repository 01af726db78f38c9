"""The service's load check (bench/server_load.py): its wrk driver counts answers, sheds and
failures, and its CPU reading counts a process's children. (Its figures are printed by the
script, never asserted here.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import server_load  # noqa: E402

BURN = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\n"


def test_the_cpu_of_a_process_tree_counts_its_children() -> None:
    # A parent that only waits, and a child of it that burns 0.6 s of CPU: the parent's tree
    # has spent it, the parent alone has not.
    code = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {BURN!r}])\n"
    parent = subprocess.Popen([sys.executable, "-c", code + "time.sleep(60)"])
    try:
        deadline = time.monotonic() + 30
        while server_load.tree_cpu(parent.pid) < server_load.TICKS // 2:
            assert time.monotonic() < deadline, "the child's CPU time was not counted"
            time.sleep(0.05)
    finally:
        parent.kill()
        parent.wait()


def test_the_wrk_script_is_complete_lua() -> None:
    script = server_load.WRK_SCRIPT % '"/tmp/a.json", "/tmp/b.json"'
    assert '"/tmp/a.json", "/tmp/b.json"' in script
    assert "%%" not in script
    assert "(count - 1) % #prepared + 1" in script
    assert "retry-after" in script  # header names are compared in lower case


def test_every_stack_starts_the_application_factory() -> None:
    for stack, parts in server_load.STACKS.items():
        command = " ".join(parts)
        assert "{port}" in command, stack
        assert "{workers}" in command, stack
        assert "kpiscore.server" in command, stack


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_counts_the_answers_of_a_real_server() -> None:
    pytest.importorskip("uvicorn")
    wrk = shutil.which("wrk")
    assert wrk is not None
    payloads = server_load.bodies(1, count=5)
    with server_load.server("serve", 1) as (port, pid):
        assert pid is not None
        before = server_load.tree_cpu(pid)
        rate, fine, answered = server_load.measure_wrk(port, payloads, 2, 1, "test", wrk)
        assert server_load.tree_cpu(pid) > before
    assert fine
    assert answered > 0
    assert rate > Decimal(0)
