"""How the console copes with a big cluster: N running pods, 1% of them changing every tick.

Drives the app headless with Pilot and prints, as its last line, one JSON object:
`first_frame_s` (app start to the first frame of the Pods pane with every row loaded),
`tick_refresh_ms` (median wall cost of taking one tick's changes into the visible pane and
repainting it), `keypress_ms` (median cursor-move latency, key to repaint) and
`peak_rss_mb`. The engine's own tick time is measured apart (`engine_tick_ms`): it runs
off the UI's critical path. Targets at 10,000 pods: first frame < 2 s, tick refresh < 30 ms,
key press < 50 ms.

    python benchmarks/console_scale.py --pods 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import statistics
import time

from machine import machine  # benchmarks/machine.py, beside this script
from textual._compositor import Compositor

from engine import actions
from engine.cluster import Cluster, default_node
from podtui.app.app import PodtuiApp
from podtui.app.session import Session

PODS_PER_NODE = 100


def build_cluster(pods: int, seed: int) -> Cluster:
    """N long-running pods (nginx, no command) spread over N/100 nodes, all Running."""
    cluster = Cluster(seed=seed)
    cluster.boot(default_nodes=False)
    for index in range(max(1, math.ceil(pods / PODS_PER_NODE))):
        cluster.api.create(
            default_node(f"node-{index + 1}", {"cpu": "64", "memory": "256Gi", "pods": "110"})
        )
    for index in range(pods):
        cluster.api.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"app-{index:05d}", "labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            }
        )
    cluster.run_until(20)
    return cluster


class FrameClock:
    """Notes when each frame is composed and how long composing it took.

    Pilot's own waiting (it sleeps until the app is idle) is not the console's cost, so
    latencies are taken from the frames themselves: a key press lasts until the first frame
    composed after it, a tick until its changes are taken in and the next frame composed.
    """

    def __init__(self) -> None:
        self.frames: list[tuple[float, float]] = []  # (start, end) of each render_update
        self.compositors: list[object] = []
        original = Compositor.render_update

        def timed(compositor, *args, **kwargs):
            start = time.perf_counter()
            result = original(compositor, *args, **kwargs)
            self.frames.append((start, time.perf_counter()))
            self.compositors.append(compositor)
            return result

        Compositor.render_update = timed  # type: ignore[method-assign]

    def first_frame_after(self, moment: float) -> tuple[float, float] | None:
        return next(((s, e) for s, e in self.frames if s >= moment), None)

    def first_frame_of(self, compositor: object) -> tuple[float, float] | None:
        for frame, owner in zip(self.frames, self.compositors, strict=True):
            if owner is compositor:
                return frame
        return None


def running_pods(cluster: Cluster) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in cluster.store.iter("Pod")
        if (p.get("status") or {}).get("phase") == "Running"
    )


async def measure(args: argparse.Namespace) -> dict:
    setup = time.perf_counter()
    cluster = build_cluster(args.pods, args.seed)
    session = Session(cluster)
    session.take_changes()
    setup_s = time.perf_counter() - setup
    rng = random.Random(args.seed)

    frames = FrameClock()
    started = time.perf_counter()
    app = PodtuiApp(session, paused=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.main_screen.table
        main = app.main_screen
        while table.total_count < args.pods or frames.first_frame_of(main._compositor) is None:
            await pilot.pause()
        first = frames.first_frame_of(main._compositor)
        first_frame_s = (first[1] if first else time.perf_counter()) - started

        # Put the cursor mid-table, where rows change above and below it.
        table.move_cursor_to_key(table.key_at(table.row_count // 2) or "")
        await pilot.pause()

        tick_ms: list[float] = []
        engine_ms: list[float] = []
        changed: list[int] = []
        names = running_pods(cluster)
        per_tick = max(1, args.pods // 100)
        for _ in range(args.ticks):
            engine_start = time.perf_counter()
            with session.lock:
                for name in rng.sample(names, per_tick):
                    actions.inject(cluster, "crash", pod=name)
            session.advance(1)
            engine_ms.append((time.perf_counter() - engine_start) * 1000)
            changed.append(sum(1 for key in session._pending if key[0] == "Pod"))
            refresh_start = time.perf_counter()
            app.apply_changes()
            applied = time.perf_counter()
            await pilot.pause()
            frame = frames.first_frame_after(refresh_start)
            paint = (frame[1] - frame[0]) if frame else 0.0
            tick_ms.append((applied - refresh_start + paint) * 1000)

        key_ms: list[float] = []
        for _ in range(args.keys):
            key_start = time.perf_counter()
            await pilot.press("down")
            frame = frames.first_frame_after(key_start)
            end = frame[1] if frame else time.perf_counter()
            key_ms.append((end - key_start) * 1000)

    return {
        "pods": args.pods,
        "first_frame_s": round(first_frame_s, 3),
        "tick_refresh_ms": round(statistics.median(tick_ms), 2),
        "keypress_ms": round(statistics.median(key_ms), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "engine_tick_ms": round(statistics.median(engine_ms), 2),
        "pods_changed_per_tick": round(statistics.mean(changed), 1),
        "tick_refresh_p95_ms": round(sorted(tick_ms)[int(len(tick_ms) * 0.95) - 1], 2),
        "setup_s": round(setup_s, 1),
        **machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=30)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args))))


if __name__ == "__main__":
    main()
