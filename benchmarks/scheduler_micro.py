"""Scheduler micro-benchmark: 10,000 pods onto 100 nodes, pure scheduling work.

Run: python benchmarks/scheduler_micro.py [--pods N] [--nodes N] [--seed N] [--repeat N]
Each pod is scheduled with `schedule` and then added to the chosen NodeInfo, as the
engine's scheduler does when it binds. Prints pods per second for the best of `--repeat`
runs (shared machines are noisy), and a reference loop's time so runs on different
machines can be compared.
"""

from __future__ import annotations

import argparse
import random
import time

from engine.scheduler import NodeInfo, schedule

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


def run(num_pods: int, num_nodes: int, seed: int) -> tuple[float, int, list[int]]:
    """Schedule every pod once; (seconds, unscheduled, pods per node)."""
    infos = [NodeInfo(make_node(i)) for i in range(num_nodes)]
    by_name = {info.name: info for info in infos}
    pods = [make_pod(i) for i in range(num_pods)]
    rng = random.Random(seed)

    start = time.perf_counter()
    unscheduled = 0
    for pod in pods:
        result = schedule(pod, infos, rng)
        if result.node_name is None:
            unscheduled += 1
            continue
        by_name[result.node_name].add_pod(pod)
    elapsed = time.perf_counter() - start
    return elapsed, unscheduled, sorted(info.pod_count for info in infos)


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
    elapsed, unscheduled, counts = min(runs)
    print(
        f"{args.pods} pods on {args.nodes} nodes: best {elapsed:.3f}s of {args.repeat}, "
        f"{args.pods / elapsed:,.0f} pods/s "
        f"(unscheduled {unscheduled}, pods per node min {counts[0]} max {counts[-1]}; "
        f"reference loop {reference_seconds() * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
