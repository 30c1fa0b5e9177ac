"""Soak: a long simulated run with chaos, to show memory stays flat.

    python benchmarks/soak.py --pods 10000 --nodes 100 --hours 24

The pods come from Deployments of 100 replicas (half of them probed every 10 s, as in
engine_scale.py); once all are Running, a seeded chaos monkey deletes a random pod every
`--chaos-interval` simulated seconds on average, and the cluster runs for `--hours`
simulated hours. Pods come and go, events expire after an hour: nothing should pile up.
The last line printed is one JSON object: rss_1h_mb (resident memory after one simulated
hour of chaos), rss_end_mb (at the end), growth (rss_end / rss_1h; the target is under
1.10), kills, wall_s, sim_speed and the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine_scale import RunningCount, current_rss_mb, deployment_manifest  # beside this
from machine import machine  # benchmarks/machine.py, beside this script

from engine.cluster import Cluster, default_node
from engine.disruption.chaos import ChaosMonkey

HOUR = 3600


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--chaos-interval", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    cluster = Cluster(seed=args.seed)
    cluster.boot(default_nodes=False)
    for index in range(args.nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))
    deployments = max(1, args.pods // 100)
    base, extra = divmod(args.pods, deployments)
    for index in range(deployments):
        cluster.api.create(deployment_manifest(index, base + (1 if index < extra else 0)))
    running = RunningCount(cluster)
    cluster.tick()
    while len(running) < args.pods:
        cluster.tick()
        if cluster.now > 600:
            raise SystemExit(f"only {len(running)} of {args.pods} Running after 600 s")

    monkey = ChaosMonkey(
        cluster, mean_interval=args.chaos_interval, seed=args.seed, namespace="default"
    ).start()
    start = time.perf_counter()
    chaos_start = cluster.now
    cluster.run_until(chaos_start + min(HOUR, args.hours * HOUR))
    gc.collect()
    rss_1h = current_rss_mb()
    print(f"after 1 simulated hour: {rss_1h:.1f} MB", flush=True)
    cluster.run_until(chaos_start + args.hours * HOUR)
    monkey.stop()
    gc.collect()
    rss_end = current_rss_mb()
    wall = time.perf_counter() - start
    result = {
        "pods": args.pods,
        "nodes": args.nodes,
        "hours": args.hours,
        "kills": monkey.kill_count,
        "rss_1h_mb": round(rss_1h, 1),
        "rss_end_mb": round(rss_end, 1),
        "growth": round(rss_end / rss_1h, 3),
        "wall_s": round(wall, 1),
        "sim_speed": round(args.hours * HOUR / wall, 1),
        **machine(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
