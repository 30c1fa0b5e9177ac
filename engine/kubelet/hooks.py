"""Container lifecycle hooks: postStart and preStop (exec, httpGet, sleep)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.kubelet.runtime import ContainerInstance

if TYPE_CHECKING:
    from engine.kubelet.worker import PodWorker


def _handler(instance: ContainerInstance, hook: str) -> dict | None:
    handler = (instance.spec.get("lifecycle") or {}).get(hook)
    return handler if isinstance(handler, dict) else None


def post_start(worker: PodWorker, instance: ContainerInstance) -> str | None:
    """Run the postStart hook; returns the failure message, or None."""
    handler = _handler(instance, "postStart")
    if handler is None:
        return None
    _seconds, ok, output = _run(worker, instance, handler, timeout=None)
    if ok:
        return None
    return f"PostStartHook failed{': ' + output if output else ''}".strip()


def pre_stop(
    worker: PodWorker, instance: ContainerInstance, grace: float
) -> tuple[float, str | None]:
    """Run the preStop hook within the grace period: (seconds it took, failure message or None)."""
    handler = _handler(instance, "preStop")
    if handler is None:
        return 0.0, None
    seconds, ok, _output = _run(worker, instance, handler, timeout=grace)
    return min(seconds, grace), None if ok else "PreStopHook failed"


def _run(
    worker: PodWorker, instance: ContainerInstance, handler: dict, timeout: float | None
) -> tuple[float, bool, str]:
    if isinstance(handler.get("sleep"), dict):
        seconds = float(handler["sleep"].get("seconds", 0))
        return (seconds if timeout is None else min(seconds, timeout)), True, ""
    if isinstance(handler.get("exec"), dict):
        process = instance.process
        if process is None:
            return 0.0, False, ""
        result = process.exec(
            list(handler["exec"].get("command") or []), timeout if timeout is not None else 3600.0
        )
        elapsed = float(getattr(result, "elapsed", 0.0) or 0.0)
        if result.timed_out:
            return (timeout or elapsed), False, result.output.strip()
        return elapsed, result.exit_code == 0, result.output.strip()
    if isinstance(handler.get("httpGet"), dict):
        from engine.kubelet.probes import resolve_port

        process = instance.process
        port = resolve_port(instance.spec, handler["httpGet"].get("port"))
        if process is None or port is None:
            return 0.0, False, ""
        status = process.http_status(port, handler["httpGet"].get("path", "/"))
        return 0.0, status is not None and 200 <= status < 400, ""
    return 0.0, True, ""
