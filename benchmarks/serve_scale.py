"""`podtui serve` at scale: `kubectl get pods` as a Table at 10,000 pods, watchers through a
10,000-pod ramp, and (--settled) the whole envelope served: 150,000 pods on 5,000 nodes.

    python benchmarks/serve_scale.py --pods 10000 --nodes 100 --watchers 20
    python benchmarks/serve_scale.py --pods 150000 --nodes 5000 --settled

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
   The *_cpu_s figures are the server process's CPU seconds for the same ramps and
   watch_overhead_cpu their ratio (steadier than wall time on a shared machine, where the
   client process competes for the same cores); client_cpu_s is the watchers' process.

With --settled, N pods are created with the engine and ticked until all are Running (no
server yet: build_s), then served as `podtui serve` serves them (the settled objects moved
out of the collector's sight, the simulated clock running at 1x on the server's loop):

- get_all_table_s (get_all_table_cpu_s): `kubectl get pods -A` as the server sees it, the
  facade's time for every Table page of `GET /api/v1/pods?limit=500` and its `continue`
  tokens (get_all_pages pages, get_all_rows rows), before the clock starts.
- get_all_kubectl_s: the real kubectl, when installed, against the server over HTTPS with
  the clock running: wall time until it has printed every row. kubectl's client-side rate
  limit (client-go's default: 5 requests a second after a burst of 10) spaces its pages
  out whatever the server does: get_all_kubectl_throttle_s is that floor.
- watch0_*: one watch of pods from resourceVersion 0 over HTTPS, which starts with all N
  pods as ADDED events while the clock ticks: watch0_initial_s until the client has every
  one of them (watch0_ok: N distinct resourceVersions); watch0_server_step_max_ms the
  longest the server held the event loop at once (the clock waits that long at most;
  watch0_server_step_max_cpu_ms the CPU time of the longest, what it would be on a core
  of its own, and watch0_server_step_max_what where that step ended: the innermost podtui
  or engine coroutine the request waited in after it);
  watch0_tick_max_ms the longest tick, watch0_gc_max_ms the longest pause of the cyclic
  collector, watch0_loop_lag_max_ms the largest lateness of a 10 ms timer (whoever held
  the loop). clock_only_* are the same over 11 s of the clock alone, get_all_kubectl_*
  while kubectl pages.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_scale import RunningCount, peak_rss_mb, pod_manifest  # benchmarks/engine_scale.py
from machine import machine  # benchmarks/machine.py

from engine.cluster import Cluster, default_node
from engine.rest import Request, RestFacade
from podtui.serve.command import freeze_settled_objects

HERE = Path(__file__).resolve().parent
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def new_cluster(nodes: int, seed: int) -> Cluster:
    cluster = Cluster(seed=seed)
    cluster.boot(default_nodes=False)
    for index in range(nodes):
        cluster.api.create(default_node(f"node-{index + 1:03d}"))
    return cluster


async def ramp(cluster: Cluster, pods: int) -> tuple[float, float]:
    """Create the pods and tick until all are Running, yielding to the loop between ticks;
    (wall seconds, CPU seconds of this process)."""
    start = time.perf_counter()
    cpu_start = time.process_time()
    for index in range(pods):
        cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    running = RunningCount(cluster)
    while len(running) < pods:
        cluster.tick()
        await asyncio.sleep(0)
        if cluster.now > 600:
            raise SystemExit("the ramp did not finish within 600 simulated seconds")
    return time.perf_counter() - start, time.process_time() - cpu_start


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
    ramp_s, ramp_cpu_s = await ramp(cluster, args.pods)
    ended = time.perf_counter()
    await server.stop()  # closes every watch once it has sent its backlog: the client reports
    result: dict = {"ramp_s": ramp_s, "ramp_cpu_s": ramp_cpu_s, "pod_events": len(pod_events)}
    if client is not None:
        assert client.stdout is not None
        reports = json.loads(await client.stdout.readline())
        result["drain_s"] = time.perf_counter() - ended
        await client.wait()
        result["client_cpu_s"] = children_cpu_s()
        result["watchers_ok"] = all(
            r["in_order"] and r["events"] == len(pod_events) and r["last_rv"] == pod_events[-1]
            for r in reports
        )
        result["events_per_watcher"] = sorted({r["events"] for r in reports})
    return result


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def settle(args: argparse.Namespace) -> tuple[Cluster, float]:
    """N pods created with the engine and ticked until all are Running (no server)."""
    start = time.perf_counter()
    cluster = new_cluster(args.nodes, args.seed)
    for index in range(args.pods):
        cluster.api.create(pod_manifest(index, probe=index % 2 == 0))
    running = RunningCount(cluster)
    while len(running) < args.pods:
        cluster.tick()
        if cluster.now > 900:
            raise SystemExit(f"only {len(running)} of {args.pods} pods Running after 900 s")
    for _ in range(10):
        cluster.tick()
    freeze_settled_objects()
    return cluster, time.perf_counter() - start


def get_all_pages(facade: RestFacade, token: str) -> tuple[float, float, int, int]:
    """`kubectl get pods -A` as the server sees it: Table pages of 500 and their continue
    tokens; (the facade's wall and CPU seconds for all of them, pages, rows)."""
    wall = cpu = 0.0
    pages = rows = 0
    page = ""
    while True:
        query = {"limit": "500"}
        if page:
            query["continue"] = page
        headers = {"Accept": TABLE, "Authorization": f"Bearer {token}"}
        start, cpu_start = time.perf_counter(), time.process_time()
        response = facade.handle(Request("GET", "/api/v1/pods", query, headers))
        wall += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        table = json.loads(response.body)
        pages += 1
        rows += len(table["rows"])
        page = table["metadata"].get("continue", "")
        if not page:
            return wall, cpu, pages, rows


def stopped_at(task: asyncio.Task) -> str:
    """Where the step of `task` that just ran ended: the innermost podtui or engine
    coroutine it awaits in, as qualname:line (the request handler's own name otherwise)."""
    where = task.get_coro().__qualname__
    coro = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        if "podtui" in frame.f_code.co_filename or "engine" in frame.f_code.co_filename:
            where = f"{frame.f_code.co_qualname}:{frame.f_lineno}"
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return where


class LoopSteps:
    """How long the event loop is held at once, and by whom, while `on`: each step of a
    task timed (the clock's ticks apart from everything else, which is the server), the
    lateness of a 10 ms timer (the loop's lag, whoever caused it), and the cyclic garbage
    collector's pauses (inside whichever step triggered them)."""

    def __init__(self) -> None:
        self.on = False
        self.reset()
        handle_run = asyncio.events.Handle._run

        def timed_run(handle: asyncio.events.Handle) -> None:
            if not self.on:
                return handle_run(handle)
            start, cpu_start = time.perf_counter(), time.process_time()
            handle_run(handle)
            took = time.perf_counter() - start
            task = getattr(handle._callback, "__self__", None)
            name = task.get_coro().__qualname__ if isinstance(task, asyncio.Task) else ""
            if name == "run_clock":
                self.tick_max_s = max(self.tick_max_s, took)
            elif name != "LoopSteps._lag" and task is not self.bench:
                # (The benchmark's own task is not the server: it forks the watch client,
                # a copy of this 2.5 GB process's page tables.)
                self.server_max_s = max(self.server_max_s, took)
                # On a busy machine a step's wall time counts the time other processes had
                # the core; its CPU time is the stall it would be on a core of its own.
                cpu = time.process_time() - cpu_start
                if cpu > self.server_max_cpu_s:
                    self.server_max_cpu_s = cpu
                    self.server_max_what = stopped_at(task) if name else repr(handle._callback)[:60]
            return None

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        gc.callbacks.append(self._gc)
        self._gc_start = 0.0
        self.task = asyncio.get_running_loop().create_task(self._lag())
        self.bench = asyncio.current_task()

    def reset(self) -> None:
        self.server_max_s = self.server_max_cpu_s = 0.0
        self.server_max_what = ""
        self.tick_max_s = self.lag_max_s = self.gc_max_s = 0.0

    def figures(self, prefix: str) -> dict:
        return {
            f"{prefix}_server_step_max_ms": round(self.server_max_s * 1000, 1),
            f"{prefix}_server_step_max_cpu_ms": round(self.server_max_cpu_s * 1000, 1),
            f"{prefix}_server_step_max_what": self.server_max_what,
            f"{prefix}_tick_max_ms": round(self.tick_max_s * 1000, 1),
            f"{prefix}_loop_lag_max_ms": round(self.lag_max_s * 1000, 1),
            f"{prefix}_gc_max_ms": round(self.gc_max_s * 1000, 1),
        }

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self.on:
            self.gc_max_s = max(self.gc_max_s, time.perf_counter() - self._gc_start)

    async def _lag(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            if self.on:
                self.lag_max_s = max(self.lag_max_s, loop.time() - due)


async def served_settled(args: argparse.Namespace, cluster: Cluster) -> dict:
    from podtui.serve.clock import run_clock
    from podtui.serve.kubeconfig import write_kubeconfig
    from podtui.serve.server import APIServer, ServeOptions

    server = APIServer(
        lambda token, address: RestFacade(cluster, token=token, server_address=address),
        ServeOptions(),
    )
    await server.start()
    assert server.facade is not None
    result: dict = {}
    # The server's own time for every page, before the clock runs (nothing else on the loop).
    table_s, table_cpu_s, pages, rows = get_all_pages(server.facade, server.options.token)
    result.update(
        get_all_table_s=round(table_s, 3),
        get_all_table_cpu_s=round(table_cpu_s, 3),
        get_all_pages=pages,
        get_all_rows=rows,
    )
    print(
        f"kubectl get pods -A, server time: {table_s:.2f}s ({table_cpu_s:.2f}s CPU) "
        f"for {pages} pages, {rows} rows",
        flush=True,
    )

    steps = LoopSteps()
    clock = asyncio.get_running_loop().create_task(run_clock(cluster, 1.0))
    # The clock alone first, as a yardstick: a slow tick holds the loop by itself.
    steps.on = True
    await asyncio.sleep(11)  # a probe period and more: the probes of pods started together
    result.update(steps.figures("clock_only"))
    steps.reset()

    folder = Path(tempfile.mkdtemp())
    kubectl = shutil.which("kubectl")
    if kubectl:
        config = folder / "kubeconfig"
        write_kubeconfig(config, server.url, server.certs.ca_pem, server.options.token)
        start = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            kubectl,
            "--kubeconfig",
            str(config),
            "get",
            "pods",
            "-A",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await process.communicate()
        kubectl_s = time.perf_counter() - start
        printed = len(out.splitlines()) - 1  # the header line
        if process.returncode != 0 or printed < rows:
            raise SystemExit(f"kubectl get pods -A printed {printed} rows: {err.decode()[-500:]}")
        result["get_all_kubectl_s"] = round(kubectl_s, 3)
        # client-go's default rate limit (5 requests a second after a burst of 10) spaces
        # kubectl's pages out whatever the server does.
        result["get_all_kubectl_throttle_s"] = max(0, pages - 10) / 5
        result.update(steps.figures("get_all_kubectl"))
        print(f"kubectl get pods -A: {kubectl_s:.2f}s wall, {printed} rows", flush=True)
    else:
        result["get_all_kubectl_s"] = None
    steps.reset()

    ca = folder / "ca.pem"
    ca.write_bytes(server.certs.ca_pem)
    pods = cluster.store.count("Pod")
    client = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "serve_watch_client.py"),
        server.url,
        server.options.token,
        str(ca),
        "0",
        "1",
        str(pods),
        stdout=subprocess.PIPE,
    )
    assert client.stdout is not None
    line = await client.stdout.readline()
    assert line.strip() == b"ready", line
    [report] = json.loads(await client.stdout.readline())
    await client.wait()
    steps.on = False
    clock.cancel()
    steps.task.cancel()
    await server.stop()
    result.update(
        watch0_initial_s=report["initial_s"],
        watch0_ok=report["initial_distinct"] == pods,
        **steps.figures("watch0"),
    )
    print(
        f"watch from resourceVersion 0: {report['initial_distinct']} of {pods} pods in "
        f"{report['initial_s']:.2f}s; the server held the loop at most "
        f"{steps.server_max_s * 1000:.0f} ms at once (a tick: {steps.tick_max_s * 1000:.0f} ms, "
        f"the collector: {steps.gc_max_s * 1000:.0f} ms)",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--watchers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--settled",
        action="store_true",
        help="serve N settled pods: kubectl get pods -A, and a watch from resourceVersion 0",
    )
    args = parser.parse_args()

    if args.settled:
        cluster, build_s = settle(args)
        print(f"{args.pods} pods Running on {args.nodes} nodes after {build_s:.1f}s", flush=True)
        result = {"pods": args.pods, "nodes": args.nodes, "build_s": round(build_s, 1)}
        result.update(asyncio.run(served_settled(args, cluster)))
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        result.update(machine())
        print(json.dumps(result))
        return

    cluster = new_cluster(args.nodes, args.seed)
    plain_s, plain_cpu_s = asyncio.run(ramp(cluster, args.pods))
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
        "ramp_plain_cpu_s": round(plain_cpu_s, 3),
        "ramp_served_cpu_s": round(served["ramp_cpu_s"], 3),
        "ramp_watched_cpu_s": round(watched["ramp_cpu_s"], 3),
        "watch_overhead_cpu": round(watched["ramp_cpu_s"] / served["ramp_cpu_s"], 2),
        "watch_drain_s": round(watched["drain_s"], 3),
        "client_cpu_s": round(watched.get("client_cpu_s", 0.0), 3),
        "pod_events": watched["pod_events"],
        "watchers_ok": watched["watchers_ok"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    result.update(machine())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
