"""Simulated time for a served cluster: it runs from now at `speed` times wall-clock.

kubectl's timeouts (`--timeout`, `rollout status`) and the ages it computes itself
(`describe`) are wall-clock, so the served clock keeps pace with the wall: tick after tick,
as many as the elapsed wall time times the speed asks for, yielding to the event loop
after each tick so that requests and watches are served while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from engine.cluster import Cluster


async def run_clock(cluster: Cluster, speed: float, lock: Any = None) -> None:
    """Tick `cluster` forever at `speed` simulated seconds per wall second (cancel to stop)."""
    lock = lock if lock is not None else contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    wall_start = loop.time()
    sim_start = cluster.now
    step = cluster.clock.step
    while True:
        target = sim_start + (loop.time() - wall_start) * speed
        if cluster.now + step <= target + 1e-9:
            with lock:
                cluster.tick()
            # Behind (or at a high speed): one tick at a time, letting requests and watch
            # writes in between. A burst of ticks at 150,000 pods would hold the loop for
            # seconds.
            await asyncio.sleep(0)
            continue
        due = cluster.now + step
        await asyncio.sleep(max((due - target) / speed, 0.001))
