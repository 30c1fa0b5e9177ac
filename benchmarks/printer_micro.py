"""Pod printer micro-benchmark: the cells of one `kubectl get pods` Table page.

Run: python benchmarks/printer_micro.py [--pods 500] [--repeat 200]
Builds a page of varied pods as the engine writes them (Running, CrashLoopBackOff with
restarts, Init:x/y, Terminating, Completed, Pending, readiness gates) and prints the
PodPrinter's row cost for the whole page, best of `--repeat` passes, as one JSON line:
`us_per_row` (CPU microseconds per row) and `page_cpu_ms` (one page of `--pods` rows),
then the machine figures.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

from engine.printers import PodPrinter

try:  # as a script (benchmarks/ on sys.path) or as benchmarks.printer_micro
    from machine import machine
except ImportError:
    from benchmarks.machine import machine

NOW = datetime(2025, 1, 3, 12, 0, tzinfo=UTC)


def _ts(seconds_ago: int) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _running(name: str, started: int, restarts: int = 0) -> dict:
    status: dict = {
        "name": name,
        "image": "nginx",
        "ready": True,
        "started": True,
        "restartCount": restarts,
        "state": {"running": {"startedAt": _ts(started)}},
    }
    if restarts:
        status["lastState"] = {
            "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": _ts(started + 1)}
        }
    return status


def make_pod(i: int) -> dict:
    """Pod i of the page: mostly Running, one in ten each of the other shapes."""
    created = 60 + (i * 37) % 200_000
    meta: dict = {
        "name": f"web-{i:06d}-7f9c8d",
        "namespace": f"ns-{i % 20}",
        "creationTimestamp": _ts(created),
    }
    spec: dict = {"nodeName": f"node-{i % 500}", "containers": [{"name": "app"}]}
    conditions = [
        {"type": "Initialized", "status": "True"},
        {"type": "Ready", "status": "True"},
        {"type": "ContainersReady", "status": "True"},
        {"type": "PodScheduled", "status": "True"},
    ]
    status: dict = {
        "phase": "Running",
        "podIP": f"10.0.{i % 250}.{i % 200}",
        "podIPs": [{"ip": f"10.0.{i % 250}.{i % 200}"}],
        "conditions": conditions,
        "containerStatuses": [_running("app", created - 5)],
    }
    shape = i % 10
    if shape == 1:  # CrashLoopBackOff with restarts
        status["containerStatuses"] = [
            {
                "name": "app",
                "ready": False,
                "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": _ts(40)}
                },
            }
        ]
        conditions[1] = {"type": "Ready", "status": "False"}
    elif shape == 2:  # Init:1/2
        spec["initContainers"] = [{"name": "migrate"}, {"name": "seed"}]
        status["phase"] = "Pending"
        status["initContainerStatuses"] = [
            {
                "name": "migrate",
                "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
            },
            {"name": "seed", "restartCount": 0, "state": {"running": {"startedAt": _ts(3)}}},
        ]
        status["containerStatuses"] = [
            {"name": "app", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
        ]
        conditions[0] = {"type": "Initialized", "status": "False"}
    elif shape == 3:  # Terminating
        meta["deletionTimestamp"] = _ts(5)
    elif shape == 4:  # Completed
        status["phase"] = "Succeeded"
        status["containerStatuses"] = [
            {
                "name": "app",
                "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
            }
        ]
        status.pop("podIPs")
        status.pop("podIP")
    elif shape == 5:  # Pending, unscheduled
        spec.pop("nodeName")
        status = {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]}
        if i % 20 == 5:
            status["nominatedNodeName"] = "node-3"
    elif shape == 6:  # readiness gates, a sidecar and two containers, restarts
        spec["readinessGates"] = [{"conditionType": "example.com/lb"}]
        spec["initContainers"] = [{"name": "proxy", "restartPolicy": "Always"}]
        spec["containers"] = [{"name": "app"}, {"name": "log"}]
        status["initContainerStatuses"] = [_running("proxy", created - 6)]
        status["containerStatuses"] = [_running("app", 500, restarts=2), _running("log", 900)]
        conditions.append({"type": "example.com/lb", "status": "True"})
    status_obj = status
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status_obj}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    pods = [make_pod(i) for i in range(args.pods)]
    row = PodPrinter().row
    best = float("inf")
    for _ in range(args.repeat):
        start = time.process_time()
        for pod in pods:
            row(pod, NOW)
        best = min(best, time.process_time() - start)
    result: dict[str, object] = {
        "pods": args.pods,
        "us_per_row": round(best / args.pods * 1e6, 2),
        "page_cpu_ms": round(best * 1e3, 2),
    }
    result.update(machine())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
