"""How the console copes with a big cluster: N running pods, 1% of them changing every tick.

Drives the app headless with Pilot and prints, as its last line, one JSON object:
`first_frame_s` (app start to the first frame of the Pods pane with every row loaded;
`all_printed_s` until the rows off screen are printed too, which the table does after the
first frame, in slices),
`tick_refresh_ms` (median wall cost of taking one tick's changes into the visible pane and
repainting it; `tick_settled_cpu_ms` adds the printing of the rows changed off screen,
which the table does after the frame, in slices), `keypress_ms` (median cursor-move latency, key to repaint),
`filter_ms` (median time from `enter` on a filter typed into `/` to the first frame that
shows the filtered table; `filter_first_cpu_ms` the first of them, typed straight after
the pane switches below; `filter_clear_ms` the same for `esc`), `pane_switch_ms` (`2`
then `1`: to the Controllers pane and back to the Pods pane, each key to its frame) and
`peak_rss_mb`; `*_cpu_ms` / `first_frame_cpu_s` are the same figures in the process's
CPU time, which neighbours on a shared machine do not inflate. Targets at 150,000 pods:
first frame < 3 s, tick refresh < 50 ms, key press < 50 ms, filter < 200 ms.

By default the cluster is built quickly: the engine runs one pod to Running and crashes a
second one, and the N pods are copies of the first (bound to nodes that do not exist, so
no kubelet or controller touches them; 150,000 pods in about a minute instead of the
ramp's minutes of CPU). Each tick, 1% of them get the crashed pod's status (a real
`CrashLoopBackOff` with a restart), written through the store as any controller writes,
and the clock advances one tick. `--engine` builds and crashes the pods with the engine
instead (N/100 nodes, real kubelets; minutes at 50,000 pods and more). The engine's own
tick is measured apart (`engine_tick_ms`): it runs off the UI's critical path.

    python benchmarks/console_scale.py --pods 150000
    python benchmarks/console_scale.py --pods 10000 --engine
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import math
import random
import resource
import statistics
import time
from dataclasses import dataclass

from machine import machine  # benchmarks/machine.py, beside this script
from textual._compositor import Compositor

from engine import actions
from engine.cluster import Cluster, default_node
from podtui.app.app import PodtuiApp
from podtui.app.session import Session

PODS_PER_NODE = 100


def bench_pod(index: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"app-{index:05d}", "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }


def build_copies(pods: int, seed: int) -> tuple[Cluster, dict]:
    """N Running pods copied from one the engine ran; returns the cluster and the status of
    a pod the engine crashed (CrashLoopBackOff after a restart)."""
    cluster = Cluster(seed=seed)
    cluster.boot(default_nodes=False)
    cluster.api.create(default_node("node-1", {"cpu": "64", "memory": "256Gi", "pods": "110"}))
    template = cluster.api.create(bench_pod(0)).obj
    crashed = cluster.api.create({**bench_pod(1), "metadata": {"name": "crashed"}}).obj
    cluster.run_until(20)
    actions.inject(cluster, "crash", pod="crashed")
    cluster.run_until(21)
    crashed_status = copy.deepcopy(crashed["status"])
    template = copy.deepcopy(template)
    for name in ("crashed", template["metadata"]["name"]):
        cluster.api.delete("Pod", "default", name, grace_period=0)
    cluster.run_until(22)
    store = cluster.store
    for index in range(pods):
        pod = copy.deepcopy(template)
        meta = pod["metadata"]
        meta["name"] = f"app-{index:05d}"
        for field in ("uid", "resourceVersion"):
            meta.pop(field, None)
        # Nodes that do not exist: no kubelet syncs these pods, so they stay as copied.
        pod["spec"]["nodeName"] = f"node-{index // PODS_PER_NODE + 2}"
        store.add(pod)
    return cluster, crashed_status


def crash_copies(cluster: Cluster, names: list[str], crashed_status: dict) -> None:
    """Give pods the crashed pod's status, as the kubelet writes it."""
    store = cluster.store
    for name in names:
        pod = store.get("Pod", "default", name)
        if pod is None:
            continue
        status = copy.deepcopy(crashed_status)
        status["podIP"] = (pod.get("status") or {}).get("podIP")
        pod["status"] = status
        store.modified(pod)


def build_cluster(pods: int, seed: int) -> Cluster:
    """N long-running pods (nginx, no command) spread over N/100 nodes, all Running."""
    cluster = Cluster(seed=seed)
    cluster.boot(default_nodes=False)
    for index in range(max(1, math.ceil(pods / PODS_PER_NODE))):
        cluster.api.create(
            default_node(f"node-{index + 1}", {"cpu": "64", "memory": "256Gi", "pods": "110"})
        )
    for index in range(pods):
        cluster.api.create(bench_pod(index))
    cluster.run_until(20)
    return cluster


class FrameClock:
    """Notes when each frame is composed and how long composing it took.

    Pilot's own waiting (it sleeps until the app is idle) is not the console's cost, so
    latencies are taken from the frames themselves: a key press lasts until the first frame
    composed after it, a tick until its changes are taken in and the next frame composed.
    Each frame is noted in wall and in CPU time.
    """

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.compositors: list[object] = []
        original = Compositor.render_update

        def timed(compositor, *args, **kwargs):
            start, cpu_start = time.perf_counter(), time.process_time()
            result = original(compositor, *args, **kwargs)
            self.frames.append(Frame(start, time.perf_counter(), cpu_start, time.process_time()))
            self.compositors.append(compositor)
            return result

        Compositor.render_update = timed  # type: ignore[method-assign]

    def first_frame_after(self, moment: float) -> Frame | None:
        return next((frame for frame in self.frames if frame.start >= moment), None)

    def first_frame_of(self, compositor: object) -> Frame | None:
        for frame, owner in zip(self.frames, self.compositors, strict=True):
            if owner is compositor:
                return frame
        return None


@dataclass(frozen=True)
class Frame:
    start: float
    end: float
    cpu_start: float
    cpu_end: float


class Latency:
    """Wall and CPU milliseconds from a moment to the end of the first frame after it."""

    def __init__(self, frames: FrameClock) -> None:
        self.frames = frames
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def start(self) -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def stop(self, started: tuple[float, float]) -> None:
        frame = self.frames.first_frame_after(started[0])
        end, cpu_end = (
            (frame.end, frame.cpu_end) if frame else (time.perf_counter(), time.process_time())
        )
        self.wall.append((end - started[0]) * 1000)
        self.cpu.append((cpu_end - started[1]) * 1000)

    def figures(self, name: str) -> dict:
        if not self.wall:
            return {}
        return {
            f"{name}_ms": round(statistics.median(self.wall), 2),
            f"{name}_cpu_ms": round(statistics.median(self.cpu), 2),
        }


def running_pods(cluster: Cluster) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in cluster.store.iter("Pod")
        if (p.get("status") or {}).get("phase") == "Running"
    )


FILTERS = ("app-0012", "app-1.*7$", "!app-0", "-l app=bench", "CrashLoop")
"""Typed into `/`: a name (a few rows), a regex, an inverse, a label selector, a status."""


async def measure(args: argparse.Namespace) -> dict:
    setup = time.perf_counter()
    crashed_status: dict = {}
    if args.engine:
        cluster = build_cluster(args.pods, args.seed)
    else:
        cluster, crashed_status = build_copies(args.pods, args.seed)
    session = Session.simulating(cluster)
    session.take_changes()
    setup_s = time.perf_counter() - setup
    rng = random.Random(args.seed)

    frames = FrameClock()
    started, cpu_started = time.perf_counter(), time.process_time()
    app = PodtuiApp(session, paused=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.main_screen.table
        main = app.main_screen
        while table.total_count < args.pods or frames.first_frame_of(main._compositor) is None:
            await pilot.pause()
        first = frames.first_frame_of(main._compositor)
        first_frame_s = (first.end if first else time.perf_counter()) - started
        first_frame_cpu_s = (first.cpu_end if first else time.process_time()) - cpu_started
        # A big pane's rows off screen are printed after its first frame, in slices.
        while getattr(table, "unprinted_count", 0):
            await pilot.pause()
        printed_s = time.perf_counter() - started
        printed_cpu_s = time.process_time() - cpu_started

        # Put the cursor mid-table, where rows change above and below it.
        table.move_cursor_to_key(table.key_at(table.row_count // 2) or "")
        await pilot.pause()

        tick_ms: list[float] = []
        tick_cpu_ms: list[float] = []
        settled_cpu_ms: list[float] = []
        engine_ms: list[float] = []
        changed: list[int] = []
        names = running_pods(cluster)
        per_tick = max(1, args.pods // 100)
        for _ in range(args.ticks):
            engine_start = time.perf_counter()
            with session.lock:
                sample = rng.sample(names, per_tick)
                if args.engine:
                    for name in sample:
                        actions.inject(cluster, "crash", pod=name)
                else:
                    crash_copies(cluster, sample, crashed_status)
            session.advance(1)
            engine_ms.append((time.perf_counter() - engine_start) * 1000)
            changed.append(sum(1 for key in session._pending if key[0] == "Pod"))
            refresh_start, refresh_cpu = time.perf_counter(), time.process_time()
            app.apply_changes()
            applied, applied_cpu = time.perf_counter(), time.process_time()
            await pilot.pause()
            frame = frames.first_frame_after(refresh_start)
            paint = (frame.end - frame.start) if frame else 0.0
            paint_cpu = (frame.cpu_end - frame.cpu_start) if frame else 0.0
            tick_ms.append((applied - refresh_start + paint) * 1000)
            tick_cpu_ms.append((applied_cpu - refresh_cpu + paint_cpu) * 1000)
            while getattr(table, "unprinted_count", 0):
                await pilot.pause()
            settled_cpu_ms.append((time.process_time() - refresh_cpu) * 1000)

        keys = Latency(frames)
        for _ in range(args.keys):
            moment = keys.start()
            await pilot.press("down")
            keys.stop(moment)

        switches = Latency(frames)
        for _ in range(args.switches):
            for key in ("2", "1"):
                moment = switches.start()
                await pilot.press(key)
                switches.stop(moment)
                await pilot.pause()

        filters = Latency(frames)
        clears = Latency(frames)
        for text in FILTERS[: args.filters]:
            await pilot.press("slash")
            await pilot.pause()
            main.query_one("#command-line").value = text  # type: ignore[attr-defined]
            await pilot.pause()
            moment = filters.start()
            await pilot.press("enter")
            filters.stop(moment)
            await pilot.pause()
            moment = clears.start()
            await pilot.press("escape")
            clears.stop(moment)
            await pilot.pause()

    return {
        "pods": args.pods,
        "first_frame_s": round(first_frame_s, 3),
        "first_frame_cpu_s": round(first_frame_cpu_s, 3),
        "all_printed_s": round(printed_s, 3),
        "all_printed_cpu_s": round(printed_cpu_s, 3),
        "tick_refresh_ms": round(statistics.median(tick_ms), 2),
        "tick_refresh_cpu_ms": round(statistics.median(tick_cpu_ms), 2),
        "tick_settled_cpu_ms": round(statistics.median(settled_cpu_ms), 2),
        **keys.figures("keypress"),
        **filters.figures("filter"),
        **({"filter_first_cpu_ms": round(filters.cpu[0], 2)} if filters.cpu else {}),
        **clears.figures("filter_clear"),
        **switches.figures("pane_switch"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "engine_tick_ms": round(statistics.median(engine_ms), 2),
        "pods_changed_per_tick": round(statistics.mean(changed), 1),
        "tick_refresh_p95_ms": round(sorted(tick_ms)[int(len(tick_ms) * 0.95) - 1], 2),
        "setup_s": round(setup_s, 1),
        "cluster": "engine" if args.engine else "copies",
        **machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=30)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--filters", type=int, default=len(FILTERS))
    parser.add_argument("--switches", type=int, default=3, help="2-then-1 pane switches")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--engine", action="store_true", help="build and crash the pods with the engine"
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args))))


if __name__ == "__main__":
    main()
