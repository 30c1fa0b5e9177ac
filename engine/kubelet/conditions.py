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
    if not init_containers:
        # Nothing to wait for: every branch below ends True (PodCompleted once Succeeded).
        return _condition(INITIALIZED, "True", POD_COMPLETED if phase == SUCCEEDED else "")
    if statuses is None:
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

    gates = (pod.get("spec") or {}).get("readinessGates")
    if not gates:
        return _condition(READY, "True")
    by_type = {}
    for condition in conditions:
        by_type.setdefault(condition.get("type"), condition)
    messages = []
    for gate in gates:
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
    return _stamped(
        condition["type"],
        condition["status"],
        condition.get("reason"),
        condition.get("message"),
        old,
        now,
        observed_generation,
    )


def _stamped(
    condition_type: str,
    status: str,
    reason: str | None,
    message: str | None,
    old: dict | None,
    now: str,
    observed_generation: int | None,
) -> dict:
    """`_stamp` of the condition with these fields (reason / message None when unset)."""
    transition = old.get("lastTransitionTime") if old and old.get("status") == status else now
    key = (transition, message, observed_generation, reason, status, condition_type)
    found = _STAMPED.get(key)
    if found is not None:
        return found
    if len(_STAMPED) >= _STAMPED_LIMIT:
        _STAMPED.clear()  # only sharing is lost: every condition is built as before
    # Keys in sorted order, as kubectl -o json prints them (built in order: this runs per sync).
    stamped: dict = {"lastProbeTime": None, "lastTransitionTime": transition}
    if message is not None:
        stamped["message"] = message
    if observed_generation is not None:
        stamped["observedGeneration"] = observed_generation
    if reason is not None:
        stamped["reason"] = reason
    stamped["status"] = status
    stamped["type"] = condition_type
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

    get_old = old_by_type.get
    append = conditions.append
    ready_to_start = _READY_TO_START[bool(ready_to_start_containers)]
    append(_stamp(ready_to_start, get_old(POD_READY_TO_START_CONTAINERS), now, observed_generation))
    spec = pod.get("spec") or {}
    if (
        init_statuses is None
        and statuses
        and not spec.get("initContainers")
        and not spec.get("readinessGates")
    ):
        unready = _unready_in_spec_order(spec.get("containers") or [], statuses)
        if unready is not None:
            _append_simple(conditions, phase, unready, get_old, now, observed_generation)
            return conditions
    everything = all_container_statuses(init_statuses, statuses)
    initialized = initialized_condition(pod, everything, phase)
    append(_stamp(initialized, get_old(INITIALIZED), now, observed_generation))
    containers_ready = containers_ready_condition(pod, everything, phase)
    # Readiness gates are looked up among the conditions gathered so far, as upstream does.
    ready = pod_ready_condition(
        pod, conditions, everything, phase, containers_ready=containers_ready
    )
    append(_stamp(ready, get_old(READY), now, observed_generation))
    append(_stamp(containers_ready, get_old(CONTAINERS_READY), now, observed_generation))
    append(_stamp(_POD_SCHEDULED, get_old(POD_SCHEDULED), now, observed_generation))
    return conditions


def _unready_in_spec_order(containers: list[dict], statuses: list[dict]) -> list[str] | None:
    """The names of the unready containers when `statuses` holds exactly one status per
    container of the spec, in the spec's order, under unique names (what the kubelet builds);
    None otherwise."""
    if len(statuses) != len(containers):
        return None
    unready: list[str] = []
    for container, status in zip(containers, statuses, strict=True):
        name = container.get("name", "")
        if status.get("name", "") != name:
            return None
        if not status.get("ready"):
            unready.append(name)
    if len(containers) > 1 and len({c.get("name", "") for c in containers}) != len(containers):
        return None
    return unready


def _append_simple(
    conditions: list[dict],
    phase: str,
    unready: list[str],
    get_old,
    now: str,
    observed_generation: int | None,
) -> None:
    """Initialized, Ready, ContainersReady and PodScheduled, stamped, for a pod with neither
    init containers nor readiness gates whose statuses are the spec's containers in order:
    what the generators above return for it, without their indexes and intermediate dicts.
    (No init container: Initialized is True. Every container has a status: none is unknown.
    No gate: Ready is ContainersReady.)"""
    og = observed_generation
    initialized_reason = POD_COMPLETED if phase == SUCCEEDED else None
    conditions.append(
        _stamped(INITIALIZED, "True", initialized_reason, None, get_old(INITIALIZED), now, og)
    )
    message = None
    if phase == SUCCEEDED:
        status, reason = "False", POD_COMPLETED
    elif phase == FAILED:
        status, reason = "False", POD_FAILED
    elif unready:
        status, reason = "False", CONTAINERS_NOT_READY
        message = f"containers with unready status: {_go_list(unready)}"
    else:
        status, reason = "True", None
    conditions.append(_stamped(READY, status, reason, message, get_old(READY), now, og))
    conditions.append(
        _stamped(CONTAINERS_READY, status, reason, message, get_old(CONTAINERS_READY), now, og)
    )
    conditions.append(_stamped(POD_SCHEDULED, "True", None, None, get_old(POD_SCHEDULED), now, og))


# The two conditions that take no input but a flag, built once (only read: _stamp copies).
_READY_TO_START = {flag: ready_to_start_containers_condition(flag) for flag in (False, True)}
_POD_SCHEDULED = pod_scheduled_condition()
