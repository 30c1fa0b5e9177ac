"""Engine scale: N pods on M nodes, from creation to all Running, then idle ticks.

    python benchmarks/engine_scale.py --pods 10000 --nodes 100
    python benchmarks/engine_scale.py --pods 150000 --nodes 5000 --deployments 1500 --drain
    python benchmarks/engine_scale.py --sweep

Pods are created at t=0 (half of them with a readiness probe every 10 s), the cluster is
simulated until every pod is Running, then 60 s more. The last line printed is one JSON
object: ramp_wall_s (wall time until all Running), ramp_us_per_pod (the same per pod),
idle_tick_ms (median wall cost of a tick once all are Running; idle_tick_mean_ms the mean),
sim_speed (simulated seconds per wall second in steady state; sim_speed_cpu the same per CPU
second, steadier on a shared machine), ramp_cpu_s (the ramp's CPU seconds), steady_us_per_pod_per_sim_s (the steady state's wall cost
per pod per simulated second), peak_rss_mb. Those 60 s still see pods turn Ready (first
probes, status writes); the next 60 s are the settled state alone: settled_tick_mean_ms,
settled_tick_max_ms, settled_sim_speed_cpu and settled_us_per_pod_per_sim_s (CPU µs). Each
tick's CPU time gives idle_tick_cpu_mean_ms / idle_tick_cpu_max_ms and
settled_tick_cpu_mean_ms / settled_tick_cpu_max_ms (the worst tick: every 10 s the probes,
lease renewals and status checks of pods and nodes that started together come due at once);
--ticks prints every one of those ticks' CPU milliseconds.

With --deployments K the pods come from K Deployments sharing them (pods / K replicas
each), and after the idle ticks every Deployment gets a new image at once: rollout_wall_s is
the wall time until every rollout is complete (all replicas updated and available, the old
pods gone), rollout_cpu_s its CPU seconds, rollout_sim_s the simulated time it took.

With --drain (needs --deployments) every Deployment gets a `maxUnavailable: 1`
PodDisruptionBudget and the fullest node is drained as `kubectl drain --ignore-daemonsets`
drains it: drain_pods, drain_sim_s, and the engine's cost per tick while the drain runs, wall
(drain_tick_mean_ms, drain_tick_max_ms) and CPU (drain_tick_cpu_mean_ms, drain_tick_cpu_max_ms);
drain_start_ms and drain_start_cpu_ms are the drain's own start, between two ticks (cordon,
the listing of the node's pods, the first evictions), as a key press or a step starts it.
Then a node holding 30 pods (the nearest count, first by name; issue 15's "30-pod node")
is drained the same way: the same figures prefixed drain30_.

--sweep runs 1,000 / 10,000 / 50,000 / 150,000 pods (30 pods a node from 50,000 up), each
in its own process (so each peak RSS is its own), prints each size's figures, and ends with
one JSON object: the figures by size and `linearity`, the largest ramp_us_per_pod over the
smallest (1.0 is perfectly linear). --sizes PODS:NODES,... chooses other sizes.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import machine  # benchmarks/machine.py, beside this script

from engine.cluster import Cluster, default_node
from engine.store import Change

SWEEP = ((1000, 10), (10000, 100), (50000, 1000), (150000, 5000))


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


def pdb_manifest(index: int) -> dict:
    labels = {"app": f"app-{index:03d}"}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": f"app-{index:03d}"},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
    }


class RunningCount:
    """How many pods are Running, kept from the change feed (not a scan of every pod per
    tick: at 150,000 pods the benchmark's own scan would be part of what it measures)."""

    def __init__(self, cluster: Cluster) -> None:
        self.running: set[str] = set()
        cluster.store.watch(self._on_change, {"Pod"})
        for pod in cluster.store.iter("Pod"):
            self._on_change(Change("ADDED", "Pod", pod))

    def _on_change(self, change: Change) -> None:
        uid = change.obj["metadata"].get("uid", "")
        phase = (change.obj.get("status") or {}).get("phase")
        if change.type != "DELETED" and phase == "Running":
            self.running.add(uid)
        else:
            self.running.discard(uid)

    def __len__(self) -> int:
        return len(self.running)


def timed_tick(cluster: Cluster) -> tuple[float, float]:
    """One tick of the cluster: its (wall, CPU) seconds."""
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    cluster.tick()
    return time.perf_counter() - wall_start, time.process_time() - cpu_start


def timed_ticks(cluster: Cluster, count: int) -> tuple[list[float], list[float], float, float]:
    """`count` ticks: each one's wall and CPU seconds, then the window's wall and CPU."""
    walls: list[float] = []
    cpus: list[float] = []
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    for _ in range(count):
        wall, cpu = timed_tick(cluster)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, time.perf_counter() - wall_start, time.process_time() - cpu_start


def pods_per_node(cluster: Cluster) -> dict[str, int]:
    per_node: dict[str, int] = {}
    for pod in cluster.store.iter("Pod"):
        node = pod["spec"].get("nodeName")
        if node:
            per_node[node] = per_node.get(node, 0) + 1
    return per_node


def drain_fullest_node(cluster: Cluster) -> dict:
    """Drain the node with the most pods; the engine's wall cost per tick while it runs."""
    per_node = pods_per_node(cluster)
    node = max(sorted(per_node), key=lambda n: per_node[n])
    return drain_node(cluster, node, per_node[node], "drain")


def drain_node_of(cluster: Cluster, pods: int) -> dict:
    """Drain the first schedulable node (by name) whose pod count is nearest `pods`."""
    per_node = pods_per_node(cluster)
    cordoned = {
        n["metadata"]["name"] for n in cluster.store.iter("Node") if n["spec"].get("unschedulable")
    }
    candidates = sorted(n for n in per_node if n not in cordoned)
    node = min(candidates, key=lambda n: abs(per_node[n] - pods))
    return drain_node(cluster, node, per_node[node], f"drain{pods}")


def drain_node(cluster: Cluster, node: str, pods: int, prefix: str) -> dict:
    """Drain `node` as `kubectl drain --ignore-daemonsets`; the engine's cost per tick meanwhile."""
    from engine.disruption.drain import DrainOptions, drain

    sim_start = cluster.now
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    running = drain(cluster, DrainOptions(node=node, ignore_daemonsets=True))
    start_cpu = time.process_time() - cpu_start
    start_wall = time.perf_counter() - wall_start
    durations = []
    cpu_durations = []
    while not running.done:
        wall, cpu = timed_tick(cluster)
        durations.append(wall)
        cpu_durations.append(cpu)
        if cluster.now - sim_start > 3600:
            raise SystemExit("the drain did not finish within 3600 simulated seconds")
    if running.state != "drained":
        raise SystemExit(f"the drain ended {running.state}")
    return {
        f"{prefix}_node": node,
        f"{prefix}_pods": pods,
        f"{prefix}_sim_s": round(cluster.now - sim_start, 1),
        f"{prefix}_wall_s": round(time.perf_counter() - wall_start, 3),
        f"{prefix}_tick_mean_ms": round(statistics.mean(durations) * 1000, 3),
        f"{prefix}_tick_max_ms": round(max(durations) * 1000, 3),
        f"{prefix}_tick_cpu_mean_ms": round(statistics.mean(cpu_durations) * 1000, 3),
        f"{prefix}_tick_cpu_max_ms": round(max(cpu_durations) * 1000, 3),
        f"{prefix}_start_ms": round(start_wall * 1000, 3),
        f"{prefix}_start_cpu_ms": round(start_cpu * 1000, 3),
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


def roll_out(cluster: Cluster) -> tuple[float, float, float]:
    """Set a new image on every Deployment; (wall s, CPU s, simulated s) until done."""
    from engine.workloads.actions import set_image

    start = time.perf_counter()
    cpu_start = time.process_time()
    sim_start = cluster.now
    for deployment in cluster.store.list("Deployment"):
        set_image(cluster, f"deployment/{deployment['metadata']['name']}", "nginx:1.28")
    while not rollouts_complete(cluster):
        cluster.tick()
        if cluster.now - sim_start > 1800:
            raise SystemExit("the rollout did not complete within 1800 simulated seconds")
    return time.perf_counter() - start, time.process_time() - cpu_start, cluster.now - sim_start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace) -> dict:
    cluster = Cluster(seed=args.seed)
    cluster.boot(default_nodes=False)
    for index in range(args.nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))

    start = time.perf_counter()
    cpu_start = time.process_time()
    if args.deployments:
        base, extra = divmod(args.pods, args.deployments)
        for index in range(args.deployments):
            cluster.api.create(deployment_manifest(index, base + (1 if index < extra else 0)))
            if args.drain:
                cluster.api.create(pdb_manifest(index))
    else:
        for index in range(args.pods):
            cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    create_s = time.perf_counter() - start

    running = RunningCount(cluster)
    if args.deployments:
        cluster.tick()  # the controllers create the pods on the first tick
    while len(running) < args.pods:
        cluster.tick()
        if cluster.now > 600:
            raise SystemExit(
                f"only {len(running)} of {args.pods} pods Running after 600 simulated seconds"
            )
    ramp_s = time.perf_counter() - start
    ramp_cpu = time.process_time() - cpu_start
    ramp_sim = cluster.now

    durations, cpu_durations, idle_wall, idle_cpu = timed_ticks(cluster, 60)
    # The first window still has pods turning Ready (their first probes, status writes,
    # endpoints); a second one, once every probe has run at least three times, is the
    # steady state alone.
    settled_durations, settled_cpu_durations, settled_wall, settled_cpu = timed_ticks(cluster, 60)

    print(
        f"created {args.pods} pods in {create_s:.2f}s; all Running at t={ramp_sim:.0f}s (simulated)",
        flush=True,
    )
    if args.ticks:
        # Each idle tick's CPU milliseconds, by the simulated second it ended at.
        for offset, cpu in enumerate(cpu_durations + settled_cpu_durations):
            print(f"tick t={ramp_sim + offset + 1:.0f}s cpu_ms={cpu * 1000:.1f}")
    result: dict = {
        "pods": args.pods,
        "nodes": args.nodes,
        "ramp_wall_s": round(ramp_s, 3),
        "ramp_cpu_s": round(ramp_cpu, 3),
        "ramp_us_per_pod": round(ramp_s / args.pods * 1e6, 1),
        "idle_tick_ms": round(statistics.median(durations) * 1000, 3),
        "idle_tick_mean_ms": round(statistics.mean(durations) * 1000, 3),
        "sim_speed": round(60 / idle_wall, 1),
        "sim_speed_cpu": round(60 / max(idle_cpu, 1e-9), 1),
        "steady_us_per_pod_per_sim_s": round(idle_wall / 60 / args.pods * 1e6, 3),
        "settled_tick_mean_ms": round(statistics.mean(settled_durations) * 1000, 3),
        "settled_tick_max_ms": round(max(settled_durations) * 1000, 3),
        "settled_sim_speed": round(60 / settled_wall, 1),
        "settled_sim_speed_cpu": round(60 / max(settled_cpu, 1e-9), 1),
        "settled_us_per_pod_per_sim_s": round(settled_cpu / 60 / args.pods * 1e6, 3),
        "idle_tick_cpu_mean_ms": round(statistics.mean(cpu_durations) * 1000, 3),
        "idle_tick_cpu_max_ms": round(max(cpu_durations) * 1000, 3),
        "settled_tick_cpu_mean_ms": round(statistics.mean(settled_cpu_durations) * 1000, 3),
        "settled_tick_cpu_max_ms": round(max(settled_cpu_durations) * 1000, 3),
        "rss_after_ramp_mb": round(current_rss_mb(), 1),
    }
    if args.deployments:
        rollout_wall, rollout_cpu, rollout_sim = roll_out(cluster)
        print(f"rolled out {args.deployments} deployments in {rollout_sim:.0f}s (simulated)")
        result["deployments"] = args.deployments
        result["rollout_wall_s"] = round(rollout_wall, 3)
        result["rollout_cpu_s"] = round(rollout_cpu, 3)
        result["rollout_sim_s"] = round(rollout_sim, 1)
        if args.drain:
            result.update(drain_fullest_node(cluster))
            result.update(drain_node_of(cluster, 30))
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def current_rss_mb() -> float:
    """Resident memory now (VmRSS), for figures taken mid-run."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


def sweep(args: argparse.Namespace) -> dict:
    """Each size in its own process; the figures by size and the ramp's linearity."""
    sizes = SWEEP
    if args.sizes:
        sizes = tuple(
            (int(p), int(n)) for p, n in (item.split(":") for item in args.sizes.split(","))
        )
    by_size: dict[str, dict] = {}
    for pods, nodes in sizes:
        command = [sys.executable, __file__, "--pods", str(pods), "--nodes", str(nodes)]
        command += ["--seed", str(args.seed), "--no-machine"]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(figures), flush=True)
        by_size[str(pods)] = {
            key: figures[key]
            for key in (
                "nodes",
                "ramp_wall_s",
                "ramp_cpu_s",
                "ramp_us_per_pod",
                "idle_tick_ms",
                "idle_tick_mean_ms",
                "sim_speed",
                "steady_us_per_pod_per_sim_s",
                "settled_sim_speed_cpu",
                "settled_us_per_pod_per_sim_s",
                "peak_rss_mb",
            )
        }
    ramp = [figures["ramp_us_per_pod"] for figures in by_size.values()]
    steady = [figures["steady_us_per_pod_per_sim_s"] for figures in by_size.values()]
    return {
        "sizes": by_size,
        "linearity": round(ramp[-1] / ramp[0], 2),
        "steady_linearity": round(steady[-1] / steady[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--deployments", type=int, default=0, help="K Deployments own the pods, then roll out"
    )
    parser.add_argument(
        "--drain", action="store_true", help="PDBs on every Deployment, then drain a node"
    )
    parser.add_argument("--sweep", action="store_true", help="1k, 10k, 50k and 150k pods")
    parser.add_argument("--sizes", default="", help="the sweep's PODS:NODES,PODS:NODES,...")
    parser.add_argument("--ticks", action="store_true", help="print each idle tick's CPU ms")
    parser.add_argument("--no-machine", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drain and not args.deployments:
        parser.error("--drain needs --deployments")
    result = sweep(args) if args.sweep or args.sizes else run(args)
    if not args.no_machine:
        result.update(machine())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
