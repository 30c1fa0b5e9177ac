"""`podtui serve` at scale: `kubectl get pods` as a Table at 10,000 pods, and watchers
through a 10,000-pod ramp.

    python benchmarks/serve_scale.py --pods 10000 --nodes 100 --watchers 20

1. get_pods_table_s: the server time of `GET /api/v1/namespaces/default/pods` with kubectl's
   Table Accept header at N Running pods (the facade's handle(), median of 5), and
   list_json_s the same list as JSON.
2. The same ramp as benchmarks/engine_scale.py (N pods created at t=0 until all Running),
   ticked as fast as it goes on the server's event loop, three times: ramp_plain_s with no
   server at all, ramp_served_s with the HTTPS server up and no watcher, ramp_watched_s with
   W watches of pods open over HTTPS (a client process, benchmarks/serve_watch_client.py).
   watchers_ok says every watcher received every Pod event of the ramp, in order;
   watch_overhead is ramp_watched_s / ramp_served_s; watch_drain_s the wall time from the
   ramp's end until every watcher has received its last event (the server sends at the
   pace each client reads, so a slow client's backlog is sent after the clock moved on).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_scale import peak_rss_mb, pod_manifest  # benchmarks/engine_scale.py
from machine import machine  # benchmarks/machine.py

from engine.cluster import Cluster, default_node
from engine.rest import Request, RestFacade

HERE = Path(__file__).resolve().parent
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def new_cluster(nodes: int, seed: int) -> Cluster:
    cluster = Cluster(seed=seed)
    cluster.boot(default_nodes=False)
    for index in range(nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))
    return cluster


def running(cluster: Cluster) -> int:
    return sum(1 for p in cluster.store.iter("Pod") if p["status"].get("phase") == "Running")


async def ramp(cluster: Cluster, pods: int) -> float:
    """Create the pods and tick until all are Running, yielding to the loop between ticks."""
    start = time.perf_counter()
    for index in range(pods):
        cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    while running(cluster) < pods:
        cluster.tick()
        await asyncio.sleep(0)
        if cluster.now > 600:
            raise SystemExit("the ramp did not finish within 600 simulated seconds")
    return time.perf_counter() - start


def table_times(cluster: Cluster) -> tuple[float, float, int]:
    facade = RestFacade(cluster)
    path = "/api/v1/namespaces/default/pods"
    table_runs, json_runs = [], []
    rows = 0
    for _ in range(5):
        start = time.perf_counter()
        response = facade.handle(Request("GET", path, {}, {"Accept": TABLE}))
        table_runs.append(time.perf_counter() - start)
        rows = len(json.loads(response.body)["rows"])
        start = time.perf_counter()
        facade.handle(Request("GET", path, {}, {"Accept": "application/json"}))
        json_runs.append(time.perf_counter() - start)
    facade.close()
    return statistics.median(table_runs), statistics.median(json_runs), rows


async def served_ramp(args: argparse.Namespace, watchers: int) -> dict:
    from podtui.serve.server import APIServer, ServeOptions

    cluster = new_cluster(args.nodes, args.seed)
    server = APIServer(
        lambda token, address: RestFacade(cluster, token=token, server_address=address),
        ServeOptions(),
    )
    await server.start()
    pod_events: list[int] = []
    cluster.watch(
        lambda change: pod_events.append(int(change.obj["metadata"]["resourceVersion"])), {"Pod"}
    )
    client = None
    if watchers:
        ca = Path(tempfile.mkdtemp()) / "ca.pem"
        ca.write_bytes(server.certs.ca_pem)
        client = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "serve_watch_client.py"),
            server.url,
            server.options.token,
            str(ca),
            str(cluster.store.resource_version),
            str(watchers),
            stdout=subprocess.PIPE,
        )
        assert client.stdout is not None
        line = await client.stdout.readline()
        assert line.strip() == b"ready", line
        while server.facade is not None and server.facade.hub.watchers() < watchers:
            await asyncio.sleep(0.01)
    ramp_s = await ramp(cluster, args.pods)
    ended = time.perf_counter()
    await server.stop()  # closes every watch once it has sent its backlog: the client reports
    result: dict = {"ramp_s": ramp_s, "pod_events": len(pod_events)}
    if client is not None:
        assert client.stdout is not None
        reports = json.loads(await client.stdout.readline())
        result["drain_s"] = time.perf_counter() - ended
        await client.wait()
        result["watchers_ok"] = all(
            r["in_order"] and r["events"] == len(pod_events) and r["last_rv"] == pod_events[-1]
            for r in reports
        )
        result["events_per_watcher"] = sorted({r["events"] for r in reports})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--watchers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    cluster = new_cluster(args.nodes, args.seed)
    plain_s = asyncio.run(ramp(cluster, args.pods))
    table_s, json_s, rows = table_times(cluster)
    print(f"{rows} pods: Table {table_s:.3f}s, JSON {json_s:.3f}s; plain ramp {plain_s:.2f}s")
    del cluster
    gc.collect()

    served = asyncio.run(served_ramp(args, 0))
    print(f"served ramp, no watcher: {served['ramp_s']:.2f}s")
    gc.collect()
    watched = asyncio.run(served_ramp(args, args.watchers))
    print(
        f"served ramp, {args.watchers} watchers: {watched['ramp_s']:.2f}s, "
        f"{watched['pod_events']} pod events, every watcher got them all in order: {watched['watchers_ok']}"
    )
    result = {
        "pods": args.pods,
        "nodes": args.nodes,
        "watchers": args.watchers,
        "get_pods_table_s": round(table_s, 3),
        "list_json_s": round(json_s, 3),
        "ramp_plain_s": round(plain_s, 3),
        "ramp_served_s": round(served["ramp_s"], 3),
        "ramp_watched_s": round(watched["ramp_s"], 3),
        "watch_overhead": round(watched["ramp_s"] / served["ramp_s"], 2),
        "watch_drain_s": round(watched["drain_s"], 3),
        "pod_events": watched["pod_events"],
        "watchers_ok": watched["watchers_ok"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    result.update(machine())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
