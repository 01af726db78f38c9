"""How an overlay of many unknown paths scales: the time per path at N and at 10 × N.

    python bench/overlay_paths.py [N]

Prints both timings and their ratio (at most about 10 when the refusal is linear in the paths;
it was quadratic-ish before the suggestions were capped: a difflib search per path). Nothing is
asserted: the figures depend on the machine.
"""

from __future__ import annotations

import sys
import time

from kpiscore import PolicyError, policies
from kpiscore.variants import overlay


def refuse(count: int) -> tuple[float, int]:
    """Seconds to refuse ``count`` unknown paths, and the length of the message."""
    base = policies.load("university-kpi-example")
    changes = {f"categories.soft.criteria.nope{i}.points": 1 for i in range(count)}
    start = time.perf_counter()
    try:
        overlay(base, changes)
    except PolicyError as error:
        return time.perf_counter() - start, len(str(error))
    raise SystemExit("the overlay was accepted; expected a refusal")  # pragma: no cover


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    small, small_chars = refuse(count)
    large, large_chars = refuse(10 * count)
    print(f"{count:>8} unknown paths: {small:.3f} s, message {small_chars} characters")
    print(f"{10 * count:>8} unknown paths: {large:.3f} s, message {large_chars} characters")
    print(f"ratio for 10 × the paths: {large / small:.1f} (linear: at most about 10)")


if __name__ == "__main__":
    main()
