"""Engine scale: N pods on M nodes, from creation to all Running, then idle ticks.

    python benchmarks/engine_scale.py --pods 10000 --nodes 100

Pods are created at t=0 (half of them with a readiness probe), the cluster is simulated
until every pod is Running, then 60 s more. The last line printed is one JSON object:
ramp_wall_s (wall time until all Running), idle_tick_ms (median wall cost of a tick once all
are Running), sim_speed (simulated seconds per wall second in steady state), peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.cluster import Cluster, default_node  # noqa: E402


def pod_manifest(index: int, probe: bool) -> dict:
    container: dict = {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
    if probe:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 10}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"pod-{index:05d}", "labels": {"app": f"app-{index % 100}"}},
        "spec": {"containers": [container]},
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    cluster = Cluster(seed=args.seed)
    cluster.boot(default_nodes=False)
    for index in range(args.nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))

    start = time.perf_counter()
    for index in range(args.pods):
        cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    create_s = time.perf_counter() - start

    def running() -> int:
        return sum(1 for p in cluster.store.iter("Pod") if p["status"].get("phase") == "Running")

    while running() < args.pods:
        cluster.tick()
        if cluster.now > 600:
            raise SystemExit(f"only {running()} of {args.pods} pods Running after 600 simulated seconds")
    ramp_s = time.perf_counter() - start
    ramp_sim = cluster.now

    durations = []
    idle_start = time.perf_counter()
    for _ in range(60):
        tick_start = time.perf_counter()
        cluster.tick()
        durations.append(time.perf_counter() - tick_start)
    idle_wall = time.perf_counter() - idle_start

    print(f"created {args.pods} pods in {create_s:.2f}s; all Running at t={ramp_sim:.0f}s (simulated)")
    print(
        json.dumps(
            {
                "pods": args.pods,
                "nodes": args.nodes,
                "ramp_wall_s": round(ramp_s, 3),
                "idle_tick_ms": round(statistics.median(durations) * 1000, 3),
                "sim_speed": round(60 / idle_wall, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
