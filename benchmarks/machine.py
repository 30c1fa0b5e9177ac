"""What machine a benchmark ran on, and how fast it was running at the time.

Shared VMs change speed from run to run, so a figure alone does not say whether the code or
the machine got slower. `cpu_loop_s` times a fixed pure-Python loop (best of three, taken
after the benchmark): compare figures from runs whose `cpu_loop_s` are close.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

LOOP_STEPS = 5_000_000
SKIP_MACHINE = "PODTUI_BENCH_SKIP_MACHINE"
"""Set (by `python -m benchmarks`, which times the machine once) to leave the figures out."""


def cpu_loop_s() -> float:
    """Best of three timings of the same 5-million-step loop."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(LOOP_STEPS):
            total += i * i
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def machine() -> dict[str, object]:
    """The figures every benchmark appends to its JSON line."""
    if os.environ.get(SKIP_MACHINE):
        return {}
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "cpu_loop_s": cpu_loop_s(),
    }
