"""The Pod table: READY, STATUS, RESTARTS and AGE as `kubectl get pods` prints them.

The rules are printPod's (pkg/printers/internalversion/printers.go, the API server's
table handler): init containers in status order, sidecars (init containers with
restartPolicy Always), the first failing regular container's reason, Completed /
NotReady / error reasons, then Terminating or Unknown for pods being deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.printers.duration import human_duration, parse_timestamp, since
from engine.printers.registry import Column

# pkg/util/node: the reason the legacy node controller wrote on pods of a lost node.
NODE_UNREACHABLE_POD_REASON = "NodeLost"
SCHEDULING_GATED = "SchedulingGated"
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class PodSummary:
    """What printPod works out for one pod, before it becomes text."""

    ready: int
    total: int
    reason: str  # the STATUS column
    restarts: int
    last_restart: datetime | None  # newest lastState.terminated.finishedAt counted


def _is_sidecar(container: dict | None) -> bool:
    """podutil.IsRestartableInitContainer: an init container with restartPolicy Always."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true_in(conditions, condition_type: str) -> bool:
    """The first condition of this type is True (isPodInitializedConditionTrue)."""
    for condition in conditions:
        if condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


def _has_ready_condition_in(conditions) -> bool:
    """hasPodReadyCondition: any Ready condition that is True."""
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _last_finished(status: dict) -> datetime | None:
    terminated = (status.get("lastState") or {}).get("terminated")
    if terminated is None:
        return None
    return parse_timestamp(terminated.get("finishedAt"))


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    if current is None or candidate > current:
        return candidate
    return current


def _terminated_reason(terminated: dict, prefix: str = "") -> str:
    """Reason, else `Signal:N`, else `ExitCode:N` (signal is never set by the kubelet)."""
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def summarize_pod(pod: dict) -> PodSummary:
    """printPod's arithmetic: ready/total containers, the STATUS reason and restarts."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    deleting = (pod.get("metadata") or {}).get("deletionTimestamp") is not None
    return PodSummary(*_summarize(spec, status, deleting))


def _summarize(
    spec: dict, status: dict, deleting: bool
) -> tuple[int, int, str, int, datetime | None]:
    """summarize_pod's figures as a tuple, from parts the caller has already looked up.

    Every Table page and every changed row of the console comes through here, so it
    reads each field once and calls nothing on the common path (one running container);
    the rules are printPod's, step for step.
    """
    containers = spec.get("containers")
    init_specs = spec.get("initContainers")
    total = len(containers) if containers else 0
    if init_specs:
        for c in init_specs:
            if c and c.get("restartPolicy") == "Always":
                total += 1
    else:
        init_specs = ()
    ready = 0
    restarts = 0
    last_restart: datetime | None = None

    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    conditions = status.get("conditions") or ()
    for condition in conditions:
        # reason first: most conditions have none, so one lookup each.
        if condition.get("reason") == SCHEDULING_GATED and condition.get("type") == "PodScheduled":
            reason = SCHEDULING_GATED
            break

    initializing = False
    init_statuses = status.get("initContainerStatuses")
    if init_statuses:
        sidecar_restarts = 0
        last_sidecar_restart: datetime | None = None
        init_by_name = {c.get("name"): c for c in init_specs}
        for index, container in enumerate(init_statuses):
            count = container.get("restartCount", 0)
            restarts += count
            finished = _last_finished(container)
            last_restart = _later(last_restart, finished)
            sidecar = _is_sidecar(init_by_name.get(container.get("name")))
            if sidecar:
                sidecar_restarts += count
                last_sidecar_restart = _later(last_sidecar_restart, finished)
            state = container.get("state") or {}
            terminated = state.get("terminated")
            waiting = state.get("waiting")
            if terminated is not None and terminated.get("exitCode", 0) == 0:
                continue
            if sidecar and container.get("started") is True:
                if container.get("ready"):
                    ready += 1
                continue
            if terminated is not None:
                reason = _terminated_reason(terminated, prefix="Init:")
            elif waiting is not None and waiting.get("reason") not in (None, "", "PodInitializing"):
                reason = "Init:" + waiting["reason"]
            else:
                reason = f"Init:{index}/{len(init_specs)}"
            initializing = True
            break
        # Restarts of init containers that ran to completion no longer count.
        if not initializing or _condition_true_in(conditions, "Initialized"):
            restarts = sidecar_restarts
            last_restart = last_sidecar_restart

    if not initializing or _condition_true_in(conditions, "Initialized"):
        has_running = False
        error_reason = ""
        statuses = status.get("containerStatuses")
        if statuses:
            # Backwards, so that the first container's reason is the one left standing.
            for container in reversed(statuses):
                restarts += container.get("restartCount", 0)
                last_state = container.get("lastState")
                if last_state:
                    terminated = last_state.get("terminated")
                    if terminated is not None:
                        last_restart = _later(
                            last_restart, parse_timestamp(terminated.get("finishedAt"))
                        )
                state = container.get("state") or {}
                waiting = state.get("waiting")
                if waiting is not None and waiting.get("reason"):
                    reason = waiting["reason"]
                    continue
                terminated = state.get("terminated")
                if terminated is not None:
                    reason = _terminated_reason(terminated)
                    if terminated.get("exitCode", 0) != 0:
                        error_reason = reason
                elif container.get("ready") and state.get("running") is not None:
                    has_running = True
                    ready += 1
        if reason == "Completed":
            if has_running and _has_ready_condition_in(conditions):
                reason = "Running"
            elif error_reason:
                reason = error_reason
            elif has_running:
                reason = "NotReady"

    if deleting:
        if status.get("reason") == NODE_UNREACHABLE_POD_REASON:
            reason = "Unknown"
        elif phase not in TERMINAL_PHASES:
            reason = "Terminating"

    return ready, total, reason, restarts, last_restart


def pod_status_reason(pod: dict) -> str:
    """The STATUS column: `Running`, `Init:0/2`, `CrashLoopBackOff`, `Terminating`, ..."""
    return summarize_pod(pod).reason


def pod_ready(pod: dict) -> tuple[int, int]:
    """The READY column as (ready, total); sidecars count in both."""
    summary = summarize_pod(pod)
    return summary.ready, summary.total


def format_restarts(summary: PodSummary, now: datetime) -> str:
    """`N`, or `N (Xs ago)` when the newest counted restart has a finish time."""
    if summary.restarts == 0 or summary.last_restart is None:
        return str(summary.restarts)
    ago = human_duration((now - summary.last_restart).total_seconds())
    return f"{summary.restarts} ({ago} ago)"


def pod_restarts(pod: dict, now: datetime) -> str:
    """The RESTARTS column: `0`, `3`, `3 (10s ago)`."""
    return format_restarts(summarize_pod(pod), now)


def pod_ip(pod: dict) -> str:
    """First of status.podIPs (or status.podIP, as the v1 conversion fills it), `<none>`."""
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    ip = ips[0].get("ip", "") if ips else status.get("podIP", "")
    return ip or "<none>"


def readiness_gates(pod: dict) -> str:
    """READINESS GATES: `<none>`, else how many gate conditions are True of how many gates."""
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = (pod.get("status") or {}).get("conditions") or []
    true_count = 0
    for gate in gates:
        for condition in conditions:
            if condition.get("type") == gate.get("conditionType"):
                if condition.get("status") == "True":
                    true_count += 1
                break
    return f"{true_count}/{len(gates)}"


class PodPrinter:
    """kubectl get pods: NAME READY STATUS RESTARTS AGE; wide: IP NODE NOMINATED NODE ..."""

    columns = [
        Column("NAME", format="name"),
        Column("READY"),
        Column("STATUS"),
        Column("RESTARTS"),
        Column("AGE"),
        Column("IP", priority=1),
        Column("NODE", priority=1),
        Column("NOMINATED NODE", priority=1),
        Column("READINESS GATES", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        ready, total, reason, restarts, last_restart = _summarize(
            spec, status, meta.get("deletionTimestamp") is not None
        )
        if restarts == 0 or last_restart is None:
            restarts_text = str(restarts)
        else:
            ago = human_duration((now - last_restart).total_seconds())
            restarts_text = f"{restarts} ({ago} ago)"
        ips = status.get("podIPs")
        ip = ips[0].get("ip", "") if ips else status.get("podIP", "")
        return [
            meta.get("name", ""),
            f"{ready}/{total}",
            reason,
            restarts_text,
            since(meta.get("creationTimestamp"), now),
            ip or "<none>",
            spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            readiness_gates(obj) if spec.get("readinessGates") else "<none>",
        ]
