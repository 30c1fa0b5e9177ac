"""kubectl describe for the controllers and the disruption budget: Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, PodDisruptionBudget (and Secret), with DescribePodTemplate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.common import (
    controller_of,
    describe_events,
    print_annotations,
    print_labels,
    print_tolerations,
    rfc1123z,
)
from engine.describe.pod import describe_containers, describe_volumes
from engine.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter
from engine.labels import SelectorError, label_selector_as_selector, label_selector_matches
from engine.printers.duration import human_duration, parse_timestamp

if TYPE_CHECKING:
    from engine.cluster import Cluster

REVISION = "deployment.kubernetes.io/revision"


def format_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `app=web`, `tier in (a,b)`, `<none>` when empty."""
    if selector is None:
        return "<none>"
    try:
        text = str(label_selector_as_selector(selector))
    except SelectorError:
        return "<error>"
    return text or "<none>"


def selector_string(selector: dict | None) -> str:
    """LabelSelectorAsSelector(...).String(): empty for an empty selector."""
    try:
        return str(label_selector_as_selector(selector)) if selector is not None else ""
    except SelectorError:
        return ""


def pod_status_counts(cluster: Cluster, owner: dict) -> tuple[int, int, int, int]:
    """getPodStatusForController: the controller's own pods, by phase."""
    meta = owner["metadata"]
    selector = (owner.get("spec") or {}).get("selector")
    running = waiting = succeeded = failed = 0
    for pod in cluster.store.list("Pod", meta.get("namespace")):
        refs = (pod.get("metadata") or {}).get("ownerReferences") or []
        if not any(r.get("controller") and r.get("uid") == meta.get("uid") for r in refs):
            continue
        if not label_selector_matches(selector, (pod["metadata"].get("labels") or {})):
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Running":
            running += 1
        elif phase == "Pending":
            waiting += 1
        elif phase == "Succeeded":
            succeeded += 1
        elif phase == "Failed":
            failed += 1
    return running, waiting, succeeded, failed


def describe_pod_template(w: PrefixWriter, template: dict | None) -> None:
    """DescribePodTemplate."""
    w.write(LEVEL_0, "Pod Template:\n")
    if template is None:
        w.write(LEVEL_1, "<unset>")
        return
    meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    print_labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        print_annotations(w, "  Annotations", meta.get("annotations"))
    if spec.get("serviceAccountName"):
        w.write(LEVEL_1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(LEVEL_1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations"))


def _header(w: PrefixWriter, obj: dict) -> None:
    meta = obj.get("metadata") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")


def _pods_status(w: PrefixWriter, counts: tuple[int, int, int, int]) -> None:
    running, waiting, succeeded, failed = counts
    w.write(
        LEVEL_0,
        f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n",
    )


def _conditions(w: PrefixWriter, conditions: list[dict] | None) -> None:
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(LEVEL_1, "----\t------\t------\n")
        for c in conditions:
            w.write(
                LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n"
            )


def _finish(w: PrefixWriter, cluster: Cluster, obj: dict) -> str:
    describe_events(w, cluster.events.events_for(obj), cluster.now_datetime())
    return w.text()


def _intstr(value: object, default: str) -> str:
    return default if value is None else str(value)


def describe_deployment(cluster: Cluster, deployment: dict) -> str:
    """describeDeployment, with its old and new ReplicaSets."""
    meta = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    w = PrefixWriter()
    _header(w, deployment)
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(LEVEL_0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(LEVEL_0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(
            LEVEL_0,
            f"RollingUpdateStrategy:\t{_intstr(rolling.get('maxUnavailable'), '25%')} max unavailable, "
            f"{_intstr(rolling.get('maxSurge'), '25%')} max surge\n",
        )
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    old, new = _replica_sets(cluster, deployment)
    if old or new:
        w.write(LEVEL_0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        w.write(LEVEL_0, f"NewReplicaSet:\t{_replica_sets_text(new)}\n")
    return _finish(w, cluster, deployment)


def _replica_sets(cluster: Cluster, deployment: dict) -> tuple[list[dict], list[dict]]:
    """The Deployment's ReplicaSets: the one at its revision is new, the rest old."""
    meta = deployment["metadata"]
    revision = (meta.get("annotations") or {}).get(REVISION)
    owned = [
        rs
        for rs in cluster.store.list("ReplicaSet", meta.get("namespace"))
        if any(
            r.get("controller") and r.get("uid") == meta.get("uid")
            for r in (rs["metadata"].get("ownerReferences") or [])
        )
    ]
    new = [
        rs for rs in owned if (rs["metadata"].get("annotations") or {}).get(REVISION) == revision
    ]
    if revision is None or not new:
        new = owned[-1:] if owned else []
    old = [rs for rs in owned if rs not in new]
    return old, new


def _replica_sets_text(replica_sets: list[dict]) -> str:
    """printReplicaSetsByLabels: `web-7dd4c748c7 (3/3 replicas created)`."""
    parts = [
        f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
        f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)"
        for rs in replica_sets
    ]
    return ", ".join(parts) or "<none>"


def describe_replica_set(cluster: Cluster, replica_set: dict) -> str:
    """describeReplicaSet."""
    meta = replica_set.get("metadata") or {}
    spec = replica_set.get("spec") or {}
    w = PrefixWriter()
    _header(w, replica_set)
    w.write(LEVEL_0, f"Selector:\t{format_selector(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    controlled_by = controller_of(replica_set)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{(replica_set.get('status') or {}).get('replicas', 0)} current / "
        f"{spec.get('replicas', 1)} desired\n",
    )
    _pods_status(w, pod_status_counts(cluster, replica_set))
    describe_pod_template(w, spec.get("template"))
    _conditions(w, (replica_set.get("status") or {}).get("conditions"))
    return _finish(w, cluster, replica_set)


def describe_stateful_set(cluster: Cluster, stateful_set: dict) -> str:
    """describeStatefulSet."""
    meta = stateful_set.get("metadata") or {}
    spec = stateful_set.get("spec") or {}
    w = PrefixWriter()
    _header(w, stateful_set)
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(
        LEVEL_0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | "
        f"{(stateful_set.get('status') or {}).get('replicas', 0)} total\n",
    )
    strategy = spec.get("updateStrategy") or {}
    w.write(LEVEL_0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("partition") is not None:
        w.write(LEVEL_1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(LEVEL_1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    _pods_status(w, pod_status_counts(cluster, stateful_set))
    describe_pod_template(w, spec.get("template"))
    claims = spec.get("volumeClaimTemplates") or []
    if not claims:
        w.write(LEVEL_0, "Volume Claims:\t<none>\n")
    else:
        w.write(LEVEL_0, "Volume Claims:\n")
        for claim in claims:
            claim_meta = claim.get("metadata") or {}
            claim_spec = claim.get("spec") or {}
            w.write(LEVEL_1, f"Name:\t{claim_meta.get('name', '')}\n")
            w.write(LEVEL_1, f"StorageClass:\t{claim_spec.get('storageClassName', '')}\n")
            print_labels(w, "  Labels", claim_meta.get("labels"))
            print_labels(w, "  Annotations", claim_meta.get("annotations"))
            storage = ((claim_spec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(LEVEL_1, f"Capacity:\t{storage or '<default>'}\n")
            modes = " ".join(claim_spec.get("accessModes") or [])
            w.write(LEVEL_1, f"Access Modes:\t[{modes}]\n")
    return _finish(w, cluster, stateful_set)


def describe_daemon_set(cluster: Cluster, daemon_set: dict) -> str:
    """describeDaemonSet."""
    meta = daemon_set.get("metadata") or {}
    spec = daemon_set.get("spec") or {}
    status = daemon_set.get("status") or {}
    w = PrefixWriter()
    _header(w, daemon_set)
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    node_selector = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    formatted = ",".join(f"{k}={node_selector[k]}" for k in sorted(node_selector)) or "<none>"
    w.write(LEVEL_0, f"Node-Selector:\t{formatted}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    for title, field in (
        ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
        ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
        ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
        ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ):
        w.write(LEVEL_0, f"{title}: {status.get(field, 0)}\n")
    _pods_status(w, pod_status_counts(cluster, daemon_set))
    describe_pod_template(w, spec.get("template"))
    return _finish(w, cluster, daemon_set)


def describe_job(cluster: Cluster, job: dict) -> str:
    """describeJob."""
    meta = job.get("metadata") or {}
    spec = job.get("spec") or {}
    status = job.get("status") or {}
    w = PrefixWriter()
    _header(w, job)
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    controlled_by = controller_of(job)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    if spec.get("parallelism") is not None:
        w.write(LEVEL_0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(LEVEL_0, f"Completions:\t{spec.get('completions', '<unset>')}\n")
    if spec.get("completionMode"):
        w.write(LEVEL_0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(LEVEL_0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(LEVEL_0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(LEVEL_0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime"):
        w.write(LEVEL_0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
    start = parse_timestamp(status.get("startTime"))
    end = parse_timestamp(status.get("completionTime"))
    if start is not None and end is not None:
        w.write(LEVEL_0, f"Duration:\t{human_duration((end - start).total_seconds())}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, succeeded, failed = (
        status.get("active", 0),
        status.get("succeeded", 0),
        status.get("failed", 0),
    )
    if status.get("ready") is None:
        w.write(
            LEVEL_0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"
        )
    else:
        w.write(
            LEVEL_0,
            f"Pods Statuses:\t{active} Active ({status['ready']} Ready) / {succeeded} Succeeded / {failed} Failed\n",
        )
    if spec.get("completionMode") == "Indexed":
        w.write(LEVEL_0, f"Completed Indexes:\t{status.get('completedIndexes') or '<none>'}\n")
    describe_pod_template(w, spec.get("template"))
    return _finish(w, cluster, job)


def describe_pod_disruption_budget(cluster: Cluster, budget: dict) -> str:
    """describePodDisruptionBudgetV1."""
    spec = budget.get("spec") or {}
    status = budget.get("status") or {}
    w = PrefixWriter()
    _header(w, budget)
    if spec.get("minAvailable") is not None:
        w.write(LEVEL_0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(LEVEL_0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    if spec.get("selector") is not None:
        w.write(LEVEL_0, f"Selector:\t{format_selector(spec['selector'])}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    w.write(LEVEL_0, "Status:\n")
    w.write(LEVEL_2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    w.write(LEVEL_2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    w.write(LEVEL_2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    w.write(LEVEL_2, f"Total:\t{status.get('expectedPods', 0)}\n")
    return _finish(w, cluster, budget)


def describe_secret(cluster: Cluster, secret: dict) -> str:
    """describeSecret: the keys and their sizes, never the values."""
    import base64
    import binascii

    meta = secret.get("metadata") or {}
    w = PrefixWriter()
    _header(w, secret)
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(LEVEL_0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        try:
            raw = base64.b64decode(str(data[key]), validate=False)
        except (binascii.Error, ValueError):
            raw = str(data[key]).encode()
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(LEVEL_0, f"{key}:\t{raw.decode(errors='replace')}\n")
        else:
            w.write(LEVEL_0, f"{key}:\t{len(raw)} bytes\n")
    return w.text()
