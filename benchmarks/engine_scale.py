"""Engine scale: N pods on M nodes, from creation to all Running, then idle ticks.

    python benchmarks/engine_scale.py --pods 10000 --nodes 100
    python benchmarks/engine_scale.py --pods 10000 --nodes 100 --deployments 100

Pods are created at t=0 (half of them with a readiness probe), the cluster is simulated
until every pod is Running, then 60 s more. The last line printed is one JSON object:
ramp_wall_s (wall time until all Running), idle_tick_ms (median wall cost of a tick once all
are Running), sim_speed (simulated seconds per wall second in steady state), peak_rss_mb.

With --deployments K the pods come from K Deployments sharing them (pods / K replicas
each), and after the idle ticks every Deployment gets a new image at once: rollout_wall_s is
the wall time until every rollout is complete (all replicas updated and available, the old
pods gone), rollout_sim_s the simulated time it took.
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

from machine import machine  # benchmarks/machine.py, beside this script

from engine.cluster import Cluster, default_node


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


def deployment_manifest(index: int, replicas: int) -> dict:
    """A Deployment whose pods look like the bare pods above (every other one probed)."""
    pod = pod_manifest(index, probe=index % 2 == 0)
    labels = {"app": f"app-{index:03d}"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{index:03d}", "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod["spec"]},
        },
    }


def rollouts_complete(cluster: Cluster) -> bool:
    """kubectl rollout status for every Deployment, plus no old pod left at all."""
    for deployment in cluster.store.iter("Deployment"):
        status = deployment.get("status") or {}
        want = deployment["spec"]["replicas"]
        if status.get("observedGeneration", 0) < deployment["metadata"]["generation"]:
            return False
        if not (
            status.get("updatedReplicas") == want
            and status.get("replicas") == want
            and status.get("availableReplicas") == want
        ):
            return False
    return cluster.store.count("Pod") == sum(
        d["spec"]["replicas"] for d in cluster.store.iter("Deployment")
    )


def roll_out(cluster: Cluster) -> tuple[float, float]:
    """Set a new image on every Deployment; (wall seconds, simulated seconds) until done."""
    from engine.workloads.actions import set_image

    start = time.perf_counter()
    sim_start = cluster.now
    for deployment in cluster.store.list("Deployment"):
        set_image(cluster, f"deployment/{deployment['metadata']['name']}", "nginx:1.28")
    while not rollouts_complete(cluster):
        cluster.tick()
        if cluster.now - sim_start > 1800:
            raise SystemExit("the rollout did not complete within 1800 simulated seconds")
    return time.perf_counter() - start, cluster.now - sim_start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--deployments", type=int, default=0, help="K Deployments own the pods, then roll out"
    )
    args = parser.parse_args()

    cluster = Cluster(seed=args.seed)
    cluster.boot(default_nodes=False)
    for index in range(args.nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))

    start = time.perf_counter()
    if args.deployments:
        base, extra = divmod(args.pods, args.deployments)
        for index in range(args.deployments):
            cluster.api.create(deployment_manifest(index, base + (1 if index < extra else 0)))
    else:
        for index in range(args.pods):
            cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    create_s = time.perf_counter() - start

    def running() -> int:
        return sum(1 for p in cluster.store.iter("Pod") if p["status"].get("phase") == "Running")

    if args.deployments:
        cluster.tick()  # the controllers create the pods on the first tick
    while running() < args.pods:
        cluster.tick()
        if cluster.now > 600:
            raise SystemExit(
                f"only {running()} of {args.pods} pods Running after 600 simulated seconds"
            )
    ramp_s = time.perf_counter() - start
    ramp_sim = cluster.now

    durations = []
    idle_start = time.perf_counter()
    for _ in range(60):
        tick_start = time.perf_counter()
        cluster.tick()
        durations.append(time.perf_counter() - tick_start)
    idle_wall = time.perf_counter() - idle_start

    print(
        f"created {args.pods} pods in {create_s:.2f}s; all Running at t={ramp_sim:.0f}s (simulated)"
    )
    result = {
        "pods": args.pods,
        "nodes": args.nodes,
        "ramp_wall_s": round(ramp_s, 3),
        "idle_tick_ms": round(statistics.median(durations) * 1000, 3),
        "sim_speed": round(60 / idle_wall, 1),
    }
    if args.deployments:
        rollout_wall, rollout_sim = roll_out(cluster)
        print(f"rolled out {args.deployments} deployments in {rollout_sim:.0f}s (simulated)")
        result["deployments"] = args.deployments
        result["rollout_wall_s"] = round(rollout_wall, 3)
        result["rollout_sim_s"] = round(rollout_sim, 1)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result.update(machine())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
