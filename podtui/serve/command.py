"""`podtui serve PATH... [--port N] [--kubeconfig FILE] [--speed X] [--seed N]`, and the
server `podtui --serve` runs beside the console on the same event loop."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path
from typing import Any

from engine.cluster import Cluster
from engine.rest import RestFacade
from podtui.serve.clock import run_clock
from podtui.serve.kubeconfig import write_kubeconfig
from podtui.serve.options import add_serve_options, kubeconfig_path, now, positive_speed
from podtui.serve.server import APIServer, ServeOptions


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podtui serve",
        description="Serve the simulated cluster over the Kubernetes API for kubectl.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="manifest files or folders")
    add_serve_options(parser)
    parser.add_argument(
        "--speed",
        type=positive_speed,
        default=1.0,
        help="simulated seconds per wall second (default 1)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for every random choice")
    return parser


def announce(server: APIServer, path: Path, out: Any = sys.stdout) -> None:
    print(f"Serving the simulated cluster at {server.url} (Kubernetes v1.32)", file=out)
    print(f"Kubeconfig written to {path} (mode 0600)", file=out)
    print(f"  export KUBECONFIG={path}", file=out)
    print("  kubectl get pods", file=out)
    out.flush()


async def start_server(cluster: Cluster, port: int, path: Path, lock: Any = None) -> APIServer:
    """Start the HTTPS server for `cluster` on the running loop and write the kubeconfig."""
    server = APIServer(
        lambda token, address: RestFacade(cluster, token=token, lock=lock, server_address=address),
        ServeOptions(port=port),
    )
    await server.start()
    write_kubeconfig(path, server.url, server.certs.ca_pem, server.options.token)
    return server


def freeze_settled_objects() -> None:
    """Move the objects alive now (the loaded cluster) out of the cyclic collector's sight,
    as the console does once its first view is built: a full collection walks every pod's
    dicts, about 2 s at 50,000 pods, and would hold the loop (the clock, every request)
    that long in the middle of a kubectl request. What is garbage now is collected first."""
    gc.collect()
    gc.freeze()


def run_serve(argv: list[str]) -> int:
    from engine.sim import load_inputs
    from engine.steps import apply_manifests

    args = serve_parser().parse_args(argv)
    inputs = load_inputs(args.paths)
    if inputs.problems:
        for problem in inputs.problems:
            print(str(problem), file=sys.stderr)
        return 1
    cluster = Cluster(seed=args.seed, start=now())
    cluster.boot(default_nodes=not any(m.kind == "Node" for m in inputs.manifests))
    outcome = apply_manifests(cluster, inputs.manifests)
    for line in outcome.lines + outcome.errors:
        print(line, file=sys.stderr)
    freeze_settled_objects()
    path = kubeconfig_path(args.kubeconfig)

    async def main() -> None:
        try:
            server = await start_server(cluster, args.port, path)
        except OSError as err:
            print(f"error: cannot listen on 127.0.0.1:{args.port}: {err.strerror}", file=sys.stderr)
            raise SystemExit(1) from err
        announce(server, path)
        try:
            await run_clock(cluster, args.speed)
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    return 0
