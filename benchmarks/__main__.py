"""Every benchmark at a small size, in under a minute: `python -m benchmarks`.

Each script runs in its own process exactly as `python benchmarks/NAME.py ARGS` would (so
each peak RSS is its own); its last line, one JSON object, is collected. The last line
printed here is one JSON object of them all by name. A smoke run: the figures at these
sizes say the benchmarks work, not how fast podtui is (benchmarks/README.md has the sizes
that matter).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import SKIP_MACHINE, machine  # benchmarks/machine.py, beside this file

HERE = Path(__file__).resolve().parent
SMALL: dict[str, list[str]] = {
    "engine_scale_sweep": ["engine_scale.py", "--sizes", "100:2,500:5"],
    "engine_scale_rollout_drain": [
        "engine_scale.py",
        "--pods",
        "200",
        "--nodes",
        "7",
        "--deployments",
        "10",
        "--drain",
    ],
    "soak": ["soak.py", "--pods", "100", "--nodes", "2", "--hours", "1.25"],
    "drill": ["drill.py", "--deployments", "3", "--replicas", "4", "--nodes", "2"],
    "console_scale": ["console_scale.py", "--pods", "500", "--ticks", "5", "--keys", "5"],
    "serve_scale": ["serve_scale.py", "--pods", "200", "--nodes", "2", "--watchers", "2"],
    "printer_micro": ["printer_micro.py", "--repeat", "5"],
    "pod_memory": ["pod_memory.py", "--pods", "200", "--nodes", "4", "--types"],
}


def main() -> int:
    results: dict[str, object] = {}
    failed = []
    started = time.perf_counter()
    for name, (script, *args) in SMALL.items():
        run_start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(HERE / script), *args],
            capture_output=True,
            text=True,
            env={**os.environ, SKIP_MACHINE: "1"},  # the machine is timed once, at the end
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            failed.append(name)
            print(f"{name}: FAILED (exit {proc.returncode})\n{proc.stderr[-2000:]}", flush=True)
            continue
        results[name] = json.loads(lines[-1])
        print(f"{name}: {time.perf_counter() - run_start:.1f}s  {lines[-1]}", flush=True)
    results["total_wall_s"] = round(time.perf_counter() - started, 1)
    results.update(machine())
    print(json.dumps(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
