"""Pod phase from container statuses: the kubelet's `getPhase`, feature gates off.

Upstream: kubernetes/kubernetes `pkg/kubelet/kubelet_pods.go` `getPhase`, with the alpha gates
`ContainerRestartRules` and `RestartAllContainersOnContainerExits` off (a normal cluster).
Status dicts are in `pod.status.containerStatuses` shape (`name`, `state`, `lastState`,
`started`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

PENDING = "Pending"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"


def is_sidecar(init_container: dict) -> bool:
    """A restartable init container (KEP-753): an init container with `restartPolicy: Always`."""
    return init_container.get("restartPolicy") == "Always"


def status_by_name(statuses: Iterable[dict] | None) -> dict[str, dict]:
    """Index container statuses by container name (`podutil.GetContainerStatus`)."""
    # First match wins, as in the linear search upstream.
    index: dict[str, dict] = {}
    for status in statuses or ():
        index.setdefault(status.get("name", ""), status)
    return index


def _state_kind(state: dict | None) -> str | None:
    """Which of running / terminated / waiting is set, checked in the kubelet's order."""
    state = state or {}
    for kind in ("running", "terminated", "waiting"):
        if state.get(kind) is not None:
            return kind
    return None


def _exit_code(state: dict | None) -> int:
    return int(((state or {}).get("terminated") or {}).get("exitCode", 0) or 0)


def _has_last_termination(status: dict) -> bool:
    return _state_kind(status.get("lastState")) == "terminated"


def get_phase(
    spec: dict,
    init_statuses: list[dict] | None,
    statuses: list[dict] | None,
    *,
    pod_is_terminal: bool,
    pod_has_initialized: bool,
    static_pod: bool = False,
) -> str:
    """The pod phase the kubelet computes from its container statuses (gates off)."""
    # Upstream looks every container up in one list of regular + init statuses; names are
    # unique across both, so one index serves.
    index = status_by_name([*(statuses or ()), *(init_statuses or ())])
    init_containers = spec.get("initContainers") or []
    restart_policy = spec.get("restartPolicy", "Always")

    pending_regular_init = 0
    failed_init = 0
    for container in init_containers:
        if is_sidecar(container):
            continue
        status = index.get(container.get("name", ""))
        kind = _state_kind(status.get("state")) if status else None
        if kind == "terminated":
            if _exit_code(status["state"]) != 0:
                failed_init += 1
        elif kind == "waiting" and _has_last_termination(status):
            # A restarting init container counts only by how its last run ended; exit 0
            # followed by waiting counts as nothing.
            if _exit_code(status["lastState"]) != 0:
                failed_init += 1
        else:
            # Missing, running, plain waiting or no state at all.
            pending_regular_init += 1

    unknown = running = waiting = stopped = succeeded = 0
    pending_sidecar = 0
    for container in init_containers:
        if not is_sidecar(container):
            continue
        status = index.get(container.get("name", ""))
        if status is None:
            unknown += 1
            continue
        kind = _state_kind(status.get("state"))
        if kind == "running":
            if not status.get("started"):
                pending_sidecar += 1
            running += 1
        elif kind == "terminated":
            pass  # a stopped sidecar does not count toward the phase
        elif kind == "waiting":
            if not _has_last_termination(status):
                pending_sidecar += 1
                waiting += 1
        else:
            pending_sidecar += 1
            unknown += 1

    for container in spec.get("containers") or []:
        status = index.get(container.get("name", ""))
        if status is None:
            unknown += 1
            continue
        kind = _state_kind(status.get("state"))
        if kind == "running":
            running += 1
        elif kind == "terminated":
            stopped += 1
            if _exit_code(status["state"]) == 0:
                succeeded += 1
        elif kind == "waiting":
            # A container in back-off after a crash counts as stopped, but (unlike a
            # terminated one) never as succeeded, whatever its last exit code.
            if _has_last_termination(status):
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1

    if failed_init > 0 and restart_policy == "Never":
        return FAILED
    # A restarting sidecar does not send an already-initialized pod back to Pending.
    if pending_regular_init > 0 or (pending_sidecar > 0 and not pod_has_initialized):
        return PENDING
    if waiting > 0:
        return PENDING
    if running > 0 and unknown == 0:
        return RUNNING
    if running == 0 and stopped > 0 and unknown == 0:
        if pod_is_terminal and not static_pod:
            return SUCCEEDED if stopped == succeeded else FAILED
        if restart_policy == "Always":
            return RUNNING
        if stopped == succeeded:
            return SUCCEEDED
        if restart_policy == "Never":
            return FAILED
        return RUNNING  # OnFailure: a failed container is being restarted
    return PENDING


def has_any_regular_container_started(spec: dict, statuses: Iterable[dict] | None) -> bool:
    """Whether a regular container is running or has terminated (`HasAnyRegularContainerStarted`)."""
    names = {c.get("name") for c in spec.get("containers") or []}
    return any(
        status.get("name") in names
        and _state_kind(status.get("state")) in ("running", "terminated")
        for status in statuses or ()
    )
