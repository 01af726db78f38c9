"""Peak memory of the careful fact reader (``kpiscore.load_events``) on a large events file.

Usage::

    python bench/careful_reader_memory.py events.csv

Prints the rows read, the file size, the peak traced by :mod:`tracemalloc` and the ratio of the
peak to the file size. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

from kpiscore import load_events


def main() -> None:
    path = Path(sys.argv[1])
    tracemalloc.start()
    started = time.perf_counter()
    events = load_events(path)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    size = path.stat().st_size
    print(f"{len(events)} events from {size / 2**20:.1f} MiB in {seconds:.1f} s")
    print(f"peak traced: {peak / 2**20:.0f} MiB = {peak / size:.1f} x the file")


if __name__ == "__main__":
    main()
