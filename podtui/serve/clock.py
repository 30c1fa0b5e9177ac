"""Simulated time for a served cluster: it runs from now at `speed` times wall-clock.

kubectl's timeouts (`--timeout`, `rollout status`) and the ages it computes itself
(`describe`) are wall-clock, so the served clock keeps pace with the wall: tick after tick,
as many as the elapsed wall time times the speed asks for, yielding to the event loop
between bursts so that requests and watches are served while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from engine.cluster import Cluster

MAX_TICKS_PER_BURST = 50


async def run_clock(cluster: Cluster, speed: float, lock: Any = None) -> None:
    """Tick `cluster` forever at `speed` simulated seconds per wall second (cancel to stop)."""
    lock = lock if lock is not None else contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    wall_start = loop.time()
    sim_start = cluster.now
    step = cluster.clock.step
    while True:
        target = sim_start + (loop.time() - wall_start) * speed
        ticks = 0
        while cluster.now + step <= target + 1e-9 and ticks < MAX_TICKS_PER_BURST:
            with lock:
                cluster.tick()
            ticks += 1
        if ticks == MAX_TICKS_PER_BURST:
            await asyncio.sleep(0)  # behind: let requests in, then catch up
            continue
        due = cluster.now + step
        await asyncio.sleep(max((due - target) / speed, 0.001))
