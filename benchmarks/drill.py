"""Drills at application scale: every drill over a 200-pod application on 10 nodes.

    python benchmarks/drill.py
    python benchmarks/drill.py --deployments 20 --replicas 10 --nodes 10

The application is `--deployments` Deployments of `--replicas` nginx pods each (a readiness
probe, a `maxUnavailable: 1` PodDisruptionBudget), written as manifests into a temporary
folder and drilled exactly as `podtui drill FOLDER --nodes N` drills it, in one run: the
steady state once, then each drill on its own fresh cluster, brought to steady state,
disrupted, then settled. The last line printed is one JSON object: wall_s (all drills, from
loading the manifests to the report), per_drill_wall_s (`steady-state` included), cpu_s
and per_drill_cpu_s (this process's CPU seconds: on a shared machine wall time measures
the neighbours too), simulated_s per drill, findings, peak_rss_mb and the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import machine  # benchmarks/machine.py, beside this script

from engine.drill.runner import run_drills
from engine.sim import load_inputs


def application(deployments: int, replicas: int) -> str:
    docs = []
    for index in range(deployments):
        name = f"svc-{index:02d}"
        docs.append(
            f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports: [{{containerPort: 80}}]
        resources: {{requests: {{cpu: 50m, memory: 64Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 5}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: {name}}}}}"""
        )
    return "\n---\n".join(docs) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "app.yaml").write_text(application(args.deployments, args.replicas))
        started = time.perf_counter()
        cpu_started = time.process_time()
        inputs = load_inputs([folder])
        starts: list[tuple[str, float, float]] = []

        def progress(name: str) -> None:
            starts.append((name, time.perf_counter(), time.process_time()))

        results = run_drills(inputs, nodes=args.nodes, seed=args.seed, progress=progress)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        ends = [(wall_at, cpu_at) for _, wall_at, cpu_at in starts[1:]]
        ends.append((started + wall, cpu_started + cpu))
        per_drill = {
            name: round(end[0] - wall_at, 3)
            for (name, wall_at, _), end in zip(starts, ends, strict=True)
        }
        per_drill_cpu = {
            name: round(end[1] - cpu_at, 3)
            for (name, _, cpu_at), end in zip(starts, ends, strict=True)
        }
        simulated = {r.drill: r.simulated_seconds for r in results[1:]}
        findings = sum(len(r.findings) for r in results[1:])
    figures = {
        "pods": args.deployments * args.replicas,
        "nodes": args.nodes,
        "wall_s": round(wall, 3),
        "per_drill_wall_s": per_drill,
        "cpu_s": round(cpu, 3),
        "per_drill_cpu_s": per_drill_cpu,
        "simulated_s": simulated,
        "findings": findings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **machine(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
