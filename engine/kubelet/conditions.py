"""The pod conditions the kubelet writes, with its reasons, messages and transition times.

Upstream: kubernetes/kubernetes `pkg/kubelet/status/generate.go` (the generators),
`pkg/kubelet/kubelet_pods.go` `generateAPIPodStatus` (which conditions are kept and in what
order), `pkg/kubelet/status/status_manager.go` `updateLastTransitionTime`, and
`pkg/kubelet/types/pod_status.go` `PodConditionsByKubelet`.

A single generator returns a bare condition (`type`, `status`, and `reason` / `message` when
set); `generate_conditions` assembles the full list as it lands in `pod.status.conditions`.
Status lists are Go slices: `None` is a nil slice, `[]` an empty one, and the difference shows
(`UnknownContainerStatuses`).
"""

from __future__ import annotations

from engine.kubelet.phase import (
    FAILED,
    SUCCEEDED,
    has_any_regular_container_started,
    is_sidecar,
    status_by_name,
)

POD_READY_TO_START_CONTAINERS = "PodReadyToStartContainers"
INITIALIZED = "Initialized"
READY = "Ready"
CONTAINERS_READY = "ContainersReady"
POD_SCHEDULED = "PodScheduled"
DISRUPTION_TARGET = "DisruptionTarget"

# Reasons, as generate.go spells them.
UNKNOWN_CONTAINER_STATUSES = "UnknownContainerStatuses"
POD_COMPLETED = "PodCompleted"
POD_FAILED = "PodFailed"
CONTAINERS_NOT_READY = "ContainersNotReady"
CONTAINERS_NOT_INITIALIZED = "ContainersNotInitialized"
READINESS_GATES_NOT_READY = "ReadinessGatesNotReady"

# PodConditionsByKubelet, plus PodReadyToStartContainers (its gate is on by default since
# 1.29): the kubelet regenerates these every sync and drops whatever the API object had.
KUBELET_OWNED = frozenset(
    {POD_SCHEDULED, READY, INITIALIZED, CONTAINERS_READY, POD_READY_TO_START_CONTAINERS}
)


def _condition(
    condition_type: str, status: str, reason: str = "", message: str = ""
) -> dict[str, str]:
    """A PodCondition as the generators build it; empty reason/message are omitted on the wire."""
    condition: dict[str, str] = {}
    if message:
        condition["message"] = message
    if reason:
        condition["reason"] = reason
    condition["status"] = status
    condition["type"] = condition_type
    return condition


def _go_list(names: list[str]) -> str:
    """A []string as Go's %s prints it: `[a b]`."""
    return "[" + " ".join(names) + "]"


def all_container_statuses(
    init_statuses: list[dict] | None, statuses: list[dict] | None
) -> list[dict] | None:
    """`append(initContainerStatuses, containerStatuses...)`, keeping Go's nil-ness."""
    if init_statuses is None and not statuses:
        return None
    return [*(init_statuses or ()), *(statuses or ())]


def ready_to_start_containers_condition(ready_to_start_containers: bool) -> dict[str, str]:
    """PodReadyToStartContainers: True once the sandbox exists with its network set up."""
    # unverified: newest upstream master adds reason/message when False; released kubelets
    # (1.29-1.34) write a bare False, which is what podtui follows.
    return _condition(
        POD_READY_TO_START_CONTAINERS, "True" if ready_to_start_containers else "False"
    )


def _is_init_container_initialized(init_container: dict, status: dict) -> bool:
    # A sidecar counts once started; a regular init container once it exited 0 (ready).
    if is_sidecar(init_container):
        return bool(status.get("started"))
    return bool(status.get("ready"))


def initialized_condition(pod: dict, statuses: list[dict] | None, phase: str) -> dict[str, str]:
    """Initialized: every init container done (sidecars: started), `GeneratePodInitializedCondition`."""
    spec = pod.get("spec") or {}
    init_containers = spec.get("initContainers") or []
    if statuses is None and init_containers:
        return _condition(INITIALIZED, "False", UNKNOWN_CONTAINER_STATUSES)

    index = status_by_name(statuses)
    unknown: list[str] = []
    incomplete: list[str] = []
    for container in init_containers:
        name = container.get("name", "")
        status = index.get(name)
        if status is None:
            unknown.append(name)
        elif not _is_init_container_initialized(container, status):
            incomplete.append(name)

    if phase == SUCCEEDED and not unknown:
        return _condition(INITIALIZED, "True", POD_COMPLETED)
    # A regular container that has run proves initialization finished, even while a
    # sidecar is restarting.
    if has_any_regular_container_started(spec, statuses):
        return _condition(INITIALIZED, "True")

    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {_go_list(unknown)}")
    if incomplete:
        messages.append(f"containers with incomplete status: {_go_list(incomplete)}")
    if messages:
        return _condition(INITIALIZED, "False", CONTAINERS_NOT_INITIALIZED, ", ".join(messages))
    return _condition(INITIALIZED, "True")


def containers_ready_condition(
    pod: dict, statuses: list[dict] | None, phase: str
) -> dict[str, str]:
    """ContainersReady: every sidecar and regular container ready, `GenerateContainersReadyCondition`."""
    if statuses is None:
        return _condition(CONTAINERS_READY, "False", UNKNOWN_CONTAINER_STATUSES)
    spec = pod.get("spec") or {}
    index = status_by_name(statuses)
    unknown: list[str] = []
    unready: list[str] = []
    sidecars = [c for c in spec.get("initContainers") or [] if is_sidecar(c)]
    for container in [*sidecars, *(spec.get("containers") or [])]:
        name = container.get("name", "")
        status = index.get(name)
        if status is None:
            unknown.append(name)
        elif not status.get("ready"):
            unready.append(name)

    if phase == SUCCEEDED and not unknown:
        return _condition(CONTAINERS_READY, "False", POD_COMPLETED)
    # A failed pod is never ready, even while its containers are still terminating.
    if phase == FAILED:
        return _condition(CONTAINERS_READY, "False", POD_FAILED)

    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {_go_list(unknown)}")
    if unready:
        messages.append(f"containers with unready status: {_go_list(unready)}")
    if messages:
        return _condition(CONTAINERS_READY, "False", CONTAINERS_NOT_READY, ", ".join(messages))
    return _condition(CONTAINERS_READY, "True")


def pod_ready_condition(
    pod: dict,
    conditions: list[dict],
    statuses: list[dict] | None,
    phase: str,
    *,
    containers_ready: dict[str, str] | None = None,
) -> dict[str, str]:
    """Ready: ContainersReady and every readiness gate True, `GeneratePodReadyCondition`.

    `containers_ready` is the ContainersReady condition when the caller has built it already.
    """
    if containers_ready is None:
        containers_ready = containers_ready_condition(pod, statuses, phase)
    if containers_ready["status"] != "True":
        return _condition(
            READY,
            containers_ready["status"],
            containers_ready.get("reason", ""),
            containers_ready.get("message", ""),
        )

    by_type = {}
    for condition in conditions:
        by_type.setdefault(condition.get("type"), condition)
    messages = []
    for gate in (pod.get("spec") or {}).get("readinessGates") or []:
        gate_type = gate.get("conditionType", "")
        condition = by_type.get(gate_type)
        if condition is None:
            messages.append(
                f'corresponding condition of pod readiness gate "{gate_type}" does not exist.'
            )
        elif condition.get("status") != "True":
            messages.append(
                f'the status of pod readiness gate "{gate_type}" is not "True", '
                f"but {condition.get('status', '')}"
            )
    if messages:
        return _condition(READY, "False", READINESS_GATES_NOT_READY, ", ".join(messages))
    return _condition(READY, "True")


def pod_scheduled_condition() -> dict[str, str]:
    """PodScheduled as the kubelet rewrites it: always True (the pod is on its node)."""
    return _condition(POD_SCHEDULED, "True")


def _stamp(
    condition: dict,
    old: dict | None,
    now: str,
    observed_generation: int | None,
) -> dict:
    """Add the times (and observedGeneration): lastTransitionTime moves only on a status change.

    `old` is the condition of the same type in the kubelet's last status, if any."""
    transition = (
        old.get("lastTransitionTime") if old and old.get("status") == condition["status"] else now
    )
    key = (
        transition,
        condition.get("message"),
        observed_generation,
        condition.get("reason"),
        condition["status"],
        condition["type"],
    )
    found = _STAMPED.get(key)
    if found is not None:
        return found
    if len(_STAMPED) >= _STAMPED_LIMIT:
        _STAMPED.clear()  # only sharing is lost: every condition is built as before
    # Keys in sorted order, as kubectl -o json prints them (built in order: this runs per sync).
    stamped: dict = {"lastProbeTime": None, "lastTransitionTime": transition}
    if "message" in condition:
        stamped["message"] = condition["message"]
    if observed_generation is not None:
        stamped["observedGeneration"] = observed_generation
    if "reason" in condition:
        stamped["reason"] = condition["reason"]
    stamped["status"] = condition["status"]
    stamped["type"] = condition["type"]
    _STAMPED[key] = stamped
    return stamped


# Conditions as the kubelet writes them, shared between pods: every pod that started in
# the same second has the same Ready, Initialized, ... conditions, and a condition is
# never changed in place once written (writers build a new dict: UpdatePodCondition, the
# scheduler's binding, the next kubelet sync), so 150,000 pods hold a few hundred dicts
# instead of 750,000.
_STAMPED: dict[tuple, dict] = {}
_STAMPED_LIMIT = 4096


def generate_conditions(
    pod: dict,
    phase: str,
    init_statuses: list[dict] | None,
    statuses: list[dict] | None,
    *,
    ready_to_start_containers: bool,
    old_conditions: list[dict],
    now: str,
    observed_generation: int | None = None,
) -> list[dict]:
    """`pod.status.conditions` after a kubelet sync, in the kubelet's order.

    Conditions the kubelet does not own (readiness-gate conditions, DisruptionTarget, ...)
    are kept from `pod.status.conditions` as they are; DisruptionTarget is then taken from
    `old_conditions` (the kubelet's last status) if it has one. The kubelet's own follow:
    PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, each keeping
    its old lastTransitionTime unless its status changed. `observed_generation` is the pod's
    metadata.generation when the PodObservedGenerationTracking gate is on (beta, 1.34+);
    leave it None for the gate off.
    """
    api_conditions = (pod.get("status") or {}).get("conditions") or []
    conditions = [dict(c) for c in api_conditions if c.get("type") not in KUBELET_OWNED]

    # The first old condition of each type, as a linear search would find it.
    old_by_type: dict = {}
    for old in old_conditions:
        old_by_type.setdefault(old.get("type"), old)

    # Disruption conditions are one-time events: copied forward, never regenerated.
    disruption = old_by_type.get(DISRUPTION_TARGET)
    if disruption is not None:
        existing = next(
            (i for i, c in enumerate(conditions) if c.get("type") == DISRUPTION_TARGET), None
        )
        if existing is None:
            conditions.append(dict(disruption))
        else:
            conditions[existing] = dict(disruption)

    everything = all_container_statuses(init_statuses, statuses)

    def add(condition: dict) -> None:
        old = old_by_type.get(condition["type"])
        conditions.append(_stamp(condition, old, now, observed_generation))

    add(ready_to_start_containers_condition(ready_to_start_containers))
    add(initialized_condition(pod, everything, phase))
    containers_ready = containers_ready_condition(pod, everything, phase)
    # Readiness gates are looked up among the conditions gathered so far, as upstream does.
    add(pod_ready_condition(pod, conditions, everything, phase, containers_ready=containers_ready))
    add(containers_ready)
    add(pod_scheduled_condition())
    return conditions
