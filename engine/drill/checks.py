"""Findings read off the cluster and the observer once a drill has run: availability against
what each workload's budget promises, and pods that never schedule, never become ready,
crash-loop, cannot pull their image or cannot be created."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.drill import findings as F
from engine.drill.findings import Evidence, Finding
from engine.drill.workloads import (
    Owners,
    WorkloadRef,
    budgets,
    get,
    has_readiness_probe,
    max_unavailable,
)
from engine.printers.duration import human_duration

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.drill.observe import Observer

MAX_EVIDENCE = 6
NOT_READY_GRACE = 60.0
"""A running pod not Ready this long after starting counts as never becoming ready."""

IMAGE_WAITING = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}


def _seconds(value: float) -> str:
    return human_duration(value) if value >= 1 else f"{value:g}s"


def desired_healthy(pdb: dict) -> int | None:
    status = pdb.get("status") or {}
    if "desiredHealthy" not in status:
        return None
    return int(status["desiredHealthy"])


def budget_why(pdb: dict) -> str:
    """Why a budget allows no disruption, in the terms of its spec and status."""
    spec = pdb.get("spec") or {}
    status = pdb.get("status") or {}
    name = pdb["metadata"]["name"]
    expected = int(status.get("expectedPods", 0))
    healthy = int(status.get("currentHealthy", 0))
    wanted = int(status.get("desiredHealthy", 0))
    if "maxUnavailable" in spec and wanted >= expected:
        return f"{name} has maxUnavailable {spec['maxUnavailable']}: it allows no disruption at all"
    if wanted >= expected and expected > 0:
        return (
            f"{name} has minAvailable {spec.get('minAvailable')} for {expected} pods: "
            "it allows no disruption at all"
        )
    return (
        f"{name} needs {wanted} healthy pods and has {healthy} of {expected}: "
        "its pods are not all ready"
    )


def availability_findings(
    cluster: Cluster, observer: Observer, drill: str, *, voluntary: bool, rollout: bool = False
) -> list[Finding]:
    """Outages, budgets broken, budgets missing, and rollouts below maxUnavailable."""
    found: list[Finding] = []
    for ref, track in sorted(observer.tracks.items()):
        obj = get(cluster, ref)
        if obj is None or track.desired == 0:
            continue
        evidence = _availability_evidence(observer, ref)
        lowest = f"{track.lowest}/{track.desired} Ready at {_seconds(track.lowest_at)}"
        if track.zero_seconds > 0 and track.initial > 0:
            alone = "its single replica" if track.desired == 1 else f"all {track.desired} replicas"
            found.append(
                Finding(
                    F.ERROR,
                    drill,
                    ref.namespace,
                    ref.label,
                    F.OUTAGE,
                    f"no Ready pod for {_seconds(track.zero_seconds)}: {alone} went down together",
                    evidence,
                )
            )
        pdbs = budgets(cluster, obj)
        promised = [h for h in (desired_healthy(p) for p in pdbs) if h is not None]
        # A budget promises nothing about involuntary disruptions (a node failing, a pod
        # killed): only voluntary ones (evictions: a drain) are held to it.
        if voluntary and promised and track.lowest < min(track.initial, max(promised)):
            names = ", ".join(p["metadata"]["name"] for p in pdbs)
            found.append(
                Finding(
                    F.ERROR,
                    drill,
                    ref.namespace,
                    ref.label,
                    F.BELOW_BUDGET,
                    f"fell to {lowest}, below the {max(promised)} its budget {names} asks for",
                    evidence,
                )
            )
        if (
            voluntary
            and not pdbs
            and not rollout
            and track.lowest < min(track.initial, track.desired)
        ):
            found.append(
                Finding(
                    F.WARNING,
                    drill,
                    ref.namespace,
                    ref.label,
                    F.NO_BUDGET,
                    f"no PodDisruptionBudget: the drill took it to {lowest}, "
                    f"{_seconds(track.below_seconds)} below {track.desired}",
                    evidence,
                )
            )
        if rollout:
            allowed = max_unavailable(obj)
            floor = min(track.initial, track.desired - allowed) if allowed is not None else 0
            if allowed is not None and track.lowest < floor:
                found.append(
                    Finding(
                        F.ERROR,
                        drill,
                        ref.namespace,
                        ref.label,
                        F.ROLLOUT_UNAVAILABLE,
                        f"the rollout took it to {lowest}, below replicas - maxUnavailable "
                        f"({floor})",
                        evidence,
                    )
                )
    return found


def _availability_evidence(observer: Observer, ref: WorkloadRef) -> list[Evidence]:
    reasons = {"Killing", "Evicted", "NodeNotReady", "TaintManagerEviction", "Unhealthy"}
    return [e.evidence() for e in observer.events_about(ref, reasons)][:MAX_EVIDENCE]


def readiness_probe_findings(cluster: Cluster, observer: Observer, drill: str) -> list[Finding]:
    """Workloads without a readiness probe whose replacement pods counted Ready at once."""
    found = []
    for ref in sorted(observer.created):
        obj = get(cluster, ref)
        if obj is None or has_readiness_probe(obj):
            continue
        evidence = []
        for at, name in observer.created[ref]:
            pod = cluster.store.get("Pod", ref.namespace, name)
            ready_at = _ready_since(cluster, pod) if pod is not None else None
            if ready_at is not None:
                evidence.append(
                    Evidence(at, f"pod/{name} created, Ready at {_seconds(ready_at)} with no probe")
                )
        if evidence:
            found.append(
                Finding(
                    F.WARNING,
                    drill,
                    ref.namespace,
                    ref.label,
                    F.NO_READINESS_PROBE,
                    f"no readiness probe: {len(evidence)} replacement pod(s) counted Ready as soon "
                    "as their containers started, before they could serve",
                    evidence[:MAX_EVIDENCE],
                )
            )
    return found


def _event_findings(cluster: Cluster, observer: Observer, add) -> None:
    """Problems seen at any moment of the run, not only at its end: a container that was
    backed off after failing (a crash loop between two restarts looks Running)."""
    owners = Owners(cluster)
    for event in observer.events:
        if event.kind != "Pod" or event.type != "Warning" or event.reason != "BackOff":
            continue
        if not event.message.startswith("Back-off restarting failed container"):
            continue
        pod = cluster.store.get("Pod", event.namespace, event.name)
        ref = owners.workload_of(pod) if pod is not None else None
        label = ref.label if ref else f"pod/{event.name}"
        add(
            ref,
            event.namespace,
            label,
            F.CRASH_LOOP,
            f"pod/{event.name} crash-loops: {event.message.split(' in pod ')[0]}",
            [event.evidence()],
        )


def _origin(cluster: Cluster) -> float:
    """The epoch second of simulated time 0, to turn timestamps into simulated seconds."""
    return cluster.now_datetime().timestamp() - cluster.now


def _ready_since(cluster: Cluster, pod: dict) -> float | None:
    from engine.timeutil import parse_time

    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            stamp = condition.get("lastTransitionTime")
            if stamp:
                return parse_time(stamp).timestamp() - _origin(cluster)
    return None


def pod_findings(cluster: Cluster, observer: Observer | None, drill: str) -> list[Finding]:
    """Pods that never schedule, never become ready, crash-loop or cannot pull their image,
    and workloads whose controller cannot create pods, one finding per workload and rule."""
    owners = Owners(cluster)
    now = cluster.now
    problems: dict[tuple[WorkloadRef | None, str, str], Finding] = {}

    def add(ref: WorkloadRef | None, namespace: str, label: str, rule: str, why: str, ev: list):
        key = (ref, label, rule)
        if key not in problems:
            problems[key] = Finding(F.ERROR, drill, namespace, label, rule, why, ev)

    for pod in sorted(
        cluster.store.iter("Pod"),
        key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]),
    ):
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            continue
        ref = owners.workload_of(pod)
        namespace = meta.get("namespace", "")
        label = ref.label if ref else f"pod/{meta['name']}"
        status = pod.get("status") or {}
        if status.get("phase") in ("Succeeded", "Failed"):
            continue
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        scheduled = conditions.get("PodScheduled")
        if scheduled is not None and scheduled.get("status") == "False":
            add(
                ref,
                namespace,
                label,
                F.NEVER_SCHEDULED,
                f"pod/{meta['name']} never schedules: {scheduled.get('message', '')}",
                [
                    Evidence(
                        now,
                        f"Warning FailedScheduling pod/{meta['name']}: {scheduled.get('message', '')}",
                    )
                ],
            )
            continue
        for container in status.get("containerStatuses") or []:
            waiting = (container.get("state") or {}).get("waiting") or {}
            reason = waiting.get("reason")
            if reason == "CrashLoopBackOff":
                add(
                    ref,
                    namespace,
                    label,
                    F.CRASH_LOOP,
                    f"pod/{meta['name']} crash-loops: container {container['name']} restarted "
                    f"{container.get('restartCount', 0)} times",
                    [Evidence(now, f"{reason} pod/{meta['name']}: {waiting.get('message', '')}")],
                )
            elif reason in IMAGE_WAITING:
                add(
                    ref,
                    namespace,
                    label,
                    F.IMAGE_PULL,
                    f"pod/{meta['name']} cannot pull {container.get('image', '')}: {reason}",
                    [Evidence(now, f"{reason} pod/{meta['name']}: {waiting.get('message', '')}")],
                )
        ready = conditions.get("Ready")
        running = status.get("phase") == "Running"
        if running and ready is not None and ready.get("status") != "True":
            since = _running_since(cluster, pod)
            if since is not None and now - since >= NOT_READY_GRACE:
                probe_events = (
                    [
                        e.evidence()
                        for e in observer.events
                        if e.reason == "Unhealthy" and e.name == meta["name"]
                    ]
                    if observer
                    else []
                )
                add(
                    ref,
                    namespace,
                    label,
                    F.NEVER_READY,
                    f"pod/{meta['name']} runs but never becomes Ready",
                    probe_events[-MAX_EVIDENCE:],
                )
    if observer is not None:
        _event_findings(cluster, observer, add)
        for event in observer.events:
            if event.reason != "FailedCreate":
                continue
            parent = cluster.store.get(event.kind, event.namespace, event.name)
            ref = (
                owners.workload_of(parent)
                if parent is not None and event.kind == "ReplicaSet"
                else None
            )
            if ref is None and event.kind in ("Deployment", "StatefulSet", "DaemonSet"):
                ref = WorkloadRef(event.kind, event.namespace, event.name)
            label = ref.label if ref else f"{event.kind.lower()}/{event.name}"
            add(
                ref,
                event.namespace,
                label,
                F.CREATE_REFUSED,
                f"its controller cannot create pods: {event.message}",
                [event.evidence()],
            )
    return list(problems.values())


def _running_since(cluster: Cluster, pod: dict) -> float | None:
    from engine.timeutil import parse_time

    started = [
        ((c.get("state") or {}).get("running") or {}).get("startedAt")
        for c in (pod.get("status") or {}).get("containerStatuses") or []
    ]
    stamps = [parse_time(s).timestamp() - _origin(cluster) for s in started if s]
    return max(stamps) if stamps else None
