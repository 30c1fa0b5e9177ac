"""Memory per Running pod: where the bytes go, by source line and by object type.

    python benchmarks/pod_memory.py --pods 3000 --nodes 100
    python benchmarks/pod_memory.py --pods 3000 --nodes 100 --top 40 --by lineno

The pods are engine_scale.py's (half of them with a readiness probe every 10 s), created
after the nodes; allocations are traced (tracemalloc) from just before the first pod is
created until every pod is Running and 60 simulated seconds more have passed. It prints
the largest allocation sites (bytes per pod), the object types with the most instances
made in that window (count per pod), and as its last line one JSON object:
bytes_per_pod, and the same by area of the engine (the top-level module or package under
engine/ that allocated it).
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine_scale import RunningCount, pod_manifest  # benchmarks/engine_scale.py

from engine.cluster import Cluster, default_node

ROOT = Path(__file__).resolve().parent.parent


def relative(filename: str) -> Path:
    """A path under the repository, relative to it; any other as it is."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


def area(filename: str) -> str:
    """engine/kubelet/worker.py -> kubelet; engine/events.py -> events; outside: python."""
    path = relative(filename)
    if path.is_absolute() or path.parts[0].startswith("<"):
        return "python"
    parts = path.parts
    if len(parts) >= 2 and parts[0] == "engine":
        return parts[1].removesuffix(".py")
    return parts[0].removesuffix(".py")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=3000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--by", choices=("lineno", "filename"), default="lineno")
    parser.add_argument("--types", action="store_true", help="count objects by type")
    args = parser.parse_args(argv)

    cluster = Cluster(seed=args.seed)
    cluster.boot(default_nodes=False)
    for index in range(args.nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))
    manifests = [pod_manifest(index, probe=index % 2 == 0) for index in range(args.pods)]
    cluster.tick()
    gc.collect()
    before_ids = {id(o) for o in gc.get_objects()} if args.types else set()
    tracemalloc.start(1)
    for manifest in manifests:
        cluster.api.create(manifest)
    del manifests
    running = RunningCount(cluster)
    while len(running) < args.pods:
        cluster.tick()
    for _ in range(60):
        cluster.tick()
    gc.collect()
    counts: collections.Counter[str] = collections.Counter()
    if args.types:
        for obj in gc.get_objects():
            if id(obj) not in before_ids:
                counts[type(obj).__name__] += 1
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    snapshot = snapshot.filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__))
    )
    pods = args.pods
    total = sum(stat.size for stat in snapshot.statistics("filename"))
    by_area: dict[str, float] = collections.Counter()
    for stat in snapshot.statistics("filename"):
        by_area[area(stat.traceback[0].filename)] += stat.size
    print(f"{total / pods:,.0f} bytes per pod ({pods} pods Running)")
    for stat in snapshot.statistics(args.by)[: args.top]:
        frame = stat.traceback[0]
        where = relative(frame.filename)
        line = f":{frame.lineno}" if args.by == "lineno" else ""
        print(f"{stat.size / pods:9,.0f} B {stat.count / pods:7.2f} blocks  {where}{line}")
    if args.types:
        print("objects the collector tracks, made per pod, by type:")
        for name, count in counts.most_common(args.top):
            print(f"{count / pods:9.2f}  {name}")
    print(
        json.dumps(
            {
                "pods": pods,
                "nodes": args.nodes,
                "bytes_per_pod": round(total / pods),
                "by_area": {
                    k: round(v / pods) for k, v in sorted(by_area.items(), key=lambda kv: -kv[1])
                },
            }
        )
    )


if __name__ == "__main__":
    main()
