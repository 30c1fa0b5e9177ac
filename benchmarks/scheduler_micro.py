"""Scheduler micro-benchmark: 10,000 pods onto 100 nodes, pure scheduling work.

Run: python benchmarks/scheduler_micro.py [--pods N] [--nodes N] [--seed N] [--repeat N]
For the envelope's node count: --pods 20000 --nodes 5000.
Each pod is scheduled with `schedule` over a `Snapshot` of the nodes and then added to the
chosen NodeInfo, and the next scan starts where this one stopped, as the engine's scheduler
does. Prints pods per second for the best of `--repeat` runs (shared machines are noisy),
CPU microseconds per pod, and a reference loop's time so runs on different machines can be
compared.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's engine

from engine.scheduler import NodeInfo, Snapshot, schedule

# Pod shapes a Deployment-heavy cluster has: a few templates, many replicas.
TEMPLATES = [
    {"requests": {"cpu": "10m", "memory": "16Mi"}},
    {"requests": {"cpu": "5m", "memory": "8Mi"}, "limits": {"memory": "32Mi"}},
    {},  # best effort
]
DEFAULT_TOLERATIONS = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]


def make_node(i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
        "spec": {},
        "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "250"}},
    }


def make_pod(i: int) -> dict:
    resources = TEMPLATES[i % len(TEMPLATES)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"web-{i}", "namespace": "default", "uid": f"uid-{i}"},
        "spec": {
            "containers": [{"name": "app", "image": "nginx", "resources": resources}],
            "tolerations": DEFAULT_TOLERATIONS,
        },
    }


def run(num_pods: int, num_nodes: int, seed: int) -> tuple[float, float, int, list[int]]:
    """Schedule every pod once; (seconds, CPU seconds, unscheduled, pods per node)."""
    infos = [NodeInfo(make_node(i)) for i in range(num_nodes)]
    by_name = {info.name: info for info in infos}
    snapshot = Snapshot(infos)
    pods = [make_pod(i) for i in range(num_pods)]
    rng = random.Random(seed)

    start = time.perf_counter()
    cpu = time.process_time()
    unscheduled = 0
    next_start = 0
    for pod in pods:
        result = schedule(pod, snapshot, rng, next_start)
        next_start = (next_start + result.evaluated_nodes) % num_nodes
        if result.node_name is None:
            unscheduled += 1
            continue
        by_name[result.node_name].add_pod(pod)
    cpu = time.process_time() - cpu
    elapsed = time.perf_counter() - start
    return elapsed, cpu, unscheduled, sorted(info.pod_count for info in infos)


def reference_seconds() -> float:
    """A fixed pure-Python loop, to compare this machine's speed with another's."""
    start = time.perf_counter()
    sum(i * i for i in range(1_000_000))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    runs = [run(args.pods, args.nodes, args.seed) for _ in range(args.repeat)]
    elapsed, cpu, unscheduled, counts = min(runs)
    print(
        f"{args.pods} pods on {args.nodes} nodes: best {elapsed:.3f}s of {args.repeat}, "
        f"{args.pods / elapsed:,.0f} pods/s, {cpu / args.pods * 1e6:.1f} CPU us/pod "
        f"(unscheduled {unscheduled}, pods per node min {counts[0]} max {counts[-1]}; "
        f"reference loop {reference_seconds() * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
