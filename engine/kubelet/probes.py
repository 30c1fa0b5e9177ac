"""Running one probe against a container: exec, httpGet, tcpSocket, grpc (pkg/probe/*)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.kubelet.prober import FAILURE, PROBE_SUCCESS, SUCCESS, ProbeOutcome, ProbeWorker
from engine.kubelet.runtime import ContainerInstance
from engine.timeutil import format_go_duration

if TYPE_CHECKING:
    from engine.kubelet.worker import PodWorker


def resolve_port(container: dict, port: object) -> int | None:
    """An IntOrString port: a number, or the name of one of the container's ports."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        for declared in container.get("ports") or []:
            if declared.get("name") == port:
                return int(declared.get("containerPort", 0))
    return None


def _elsewhere(worker: PodWorker, host: str, port: int, process: Any) -> tuple[Any, int]:
    """The process (and port) a probe with a `host` other than the pod reaches from the node:
    a ClusterIP through kube-proxy, another pod's IP; else the container itself, as before."""
    if not host or host == worker.pod_ip:
        return process, port
    proxy = worker.cluster.controllers.get("kube-proxy")
    route_from_node = getattr(proxy, "route_from_node", None)
    route = None if route_from_node is None else route_from_node(host, port)
    if route is None:
        return process, port
    return route.process, route.port


def _http_port(probe: ProbeWorker, instance: ContainerInstance, action: dict) -> int | None:
    """The httpGet action's port, resolved against the instance's container (remembered for
    that container: a probe resolves the same port every period)."""
    memo = probe.port_for
    if memo is not None and memo[0] is instance.spec:
        return memo[1]
    port = resolve_port(instance.spec, action.get("port"))
    probe.port_for = (instance.spec, port)
    return port


def run_probe(worker: PodWorker, probe: ProbeWorker, instance: ContainerInstance) -> ProbeOutcome:
    """One probe execution; an injected `probeFail` fault makes the target fail."""
    action = probe.http_get
    if action is not None and not action.get("host"):
        # The common case, kept short: an httpGet probe of the pod itself.
        port = _http_port(probe, instance, action)
        if port is not None:
            path = action.get("path", "/")
            process = instance.process
            status = None if process is None else process.http_status(port, path)
            if status is not None and 200 <= status < 400:
                injected = probe.injected_failure_until
                if injected is None or worker.clock.now >= injected:
                    return PROBE_SUCCESS
    return _run_probe(worker, probe, instance)


def _run_probe(worker: PodWorker, probe: ProbeWorker, instance: ContainerInstance) -> ProbeOutcome:
    spec = probe.spec
    process = instance.process
    ip = worker.pod_ip or ""
    injected = (
        probe.injected_failure_until is not None and worker.clock.now < probe.injected_failure_until
    )
    timeout = float(spec.get("timeoutSeconds", 1))
    if isinstance(spec.get("exec"), dict):
        command = list(spec["exec"].get("command") or [])
        if injected:
            return ProbeOutcome(FAILURE, "podtui: injected probe failure")
        result = process.exec(command, timeout)
        if result.timed_out:
            joined = " ".join(command)
            return ProbeOutcome(FAILURE, f'command "{joined}" timed out')
        if result.exit_code == 0:
            return ProbeOutcome(SUCCESS, result.output)
        return ProbeOutcome(FAILURE, result.output.rstrip("\n"))
    if isinstance(spec.get("httpGet"), dict):
        action = spec["httpGet"]
        port = _http_port(probe, instance, action)
        if port is None:
            return ProbeOutcome("Error", f"unable to find port {action.get('port')!r}")
        path = action.get("path", "/")
        scheme = str(action.get("scheme", "HTTP")).lower()
        host = action.get("host") or ip
        url = f"{scheme}://{host}:{port}{path}"
        target, target_port = _elsewhere(worker, host, port, process)
        status = None if target is None else target.http_status(target_port, path)
        if injected and status is not None:
            status = 500
        if status is None:
            return ProbeOutcome(
                FAILURE, f'Get "{url}": dial tcp {host}:{port}: connect: connection refused'
            )
        if 200 <= status < 400:
            return PROBE_SUCCESS
        return ProbeOutcome(FAILURE, f"HTTP probe failed with statuscode: {status}")
    if isinstance(spec.get("tcpSocket"), dict):
        action = spec["tcpSocket"]
        port = resolve_port(instance.spec, action.get("port"))
        if port is None:
            return ProbeOutcome("Error", f"unable to find port {action.get('port')!r}")
        host = action.get("host") or ip
        target, target_port = _elsewhere(worker, host, port, process)
        listening = target is not None and target_port in target.listening and not injected
        if listening:
            return ProbeOutcome(SUCCESS)
        return ProbeOutcome(FAILURE, f"dial tcp {host}:{port}: connect: connection refused")
    if isinstance(spec.get("grpc"), dict):
        port = int(spec["grpc"].get("port", 0))
        status = None if process is None else process.grpc_status(port)
        if injected and status is not None:
            status = "NOT_SERVING"
        if status is None:
            return ProbeOutcome(
                FAILURE,
                f'timeout: failed to connect service "{ip}:{port}" within {format_go_duration(timeout)}: context deadline exceeded',
            )
        if status == "SERVING":
            return ProbeOutcome(SUCCESS)
        return ProbeOutcome(FAILURE, f'service unhealthy (responded with "{status}")')
    return ProbeOutcome("Error", "missing probe handler")
