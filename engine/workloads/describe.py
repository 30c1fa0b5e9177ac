"""`kubectl describe` for the workload kinds (kubectl pkg/describe/describe.go:
DeploymentDescriber, ReplicaSetDescriber, StatefulSetDescriber, DaemonSetDescriber,
JobDescriber, PersistentVolumeClaimDescriber, DescribePodTemplate), in describe.go's current
layout, line for line."""

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
from engine.describe.writer import LEVEL_0, LEVEL_1, PrefixWriter
from engine.labels import SelectorError, label_selector_as_selector, label_selector_matches
from engine.printers.duration import human_duration, parse_timestamp
from engine.workloads import deployment_util as du
from engine.workloads.index import workload_index
from engine.workloads.printers import access_modes, format_label_selector, format_labels

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPLETED_INDEXES_SOFT_LIMIT = 50


def _selector(obj: dict) -> str:
    try:
        return str(label_selector_as_selector((obj.get("spec") or {}).get("selector")))
    except SelectorError:
        return "<invalid>"


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


def _header(w: PrefixWriter, obj: dict, *, creation: bool = True) -> None:
    meta = obj["metadata"]
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if creation:
        w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")


def _pods_status(cluster: Cluster, owner: dict) -> str:
    """getPodStatusForController: the pods its selector matches that it controls, by phase."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    selector = (owner.get("spec") or {}).get("selector")
    for pod in workload_index(cluster).controlled_by(owner["metadata"]["uid"], "Pod"):
        if not label_selector_matches(selector, pod["metadata"].get("labels") or {}):
            continue
        phase = (pod.get("status") or {}).get("phase", "")
        if phase in counts:
            counts[phase] += 1
    return (
        f"{counts['Running']} Running / {counts['Pending']} Waiting / "
        f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed"
    )


def _conditions(w: PrefixWriter, status: dict) -> None:
    conditions = status.get("conditions") or []
    if not conditions:
        return
    w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(LEVEL_1, "----\t------\t------\n")
    for condition in conditions:
        w.write(
            LEVEL_1,
            f"{condition.get('type', '')} \t{condition.get('status', '')}\t{condition.get('reason', '')}\n",
        )


def _replica_sets_by_labels(rss: list[dict]) -> str:
    """printReplicaSetsByLabels: `name (status/spec replicas created)`, comma-joined."""
    items = [
        f"{rs['metadata']['name']} ({du.rs_status(rs, 'replicas')}/{du.rs_replicas(rs)} replicas created)"
        for rs in rss
    ]
    return ", ".join(items) or "<none>"


def replica_sets_of(cluster: Cluster, d: dict) -> tuple[list[dict], list[dict]]:
    """GetAllReplicaSetsInChunks as the describer uses it: every old ReplicaSet (scaled to
    zero or not) and the new one, the oldest whose template matches, by creation time."""
    selector = (d.get("spec") or {}).get("selector")
    owned = sorted(
        (
            rs
            for rs in workload_index(cluster).controlled_by(d["metadata"]["uid"], "ReplicaSet")
            if label_selector_matches(selector, rs["metadata"].get("labels") or {})
        ),
        key=du.by_creation,
    )
    template = (d.get("spec") or {}).get("template")
    new = next(
        (rs for rs in owned if du.equal_ignore_hash(rs["spec"].get("template"), template)), None
    )
    return [rs for rs in owned if rs is not new], [new] if new is not None else []


def describe_deployment(cluster: Cluster, d: dict) -> str:
    w = PrefixWriter()
    spec, status = d.get("spec") or {}, d.get("status") or {}
    _header(w, d)
    print_labels(w, "Labels", d["metadata"].get("labels"))
    print_annotations(w, "Annotations", d["metadata"].get("annotations"))
    w.write(LEVEL_0, f"Selector:\t{_selector(d)}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{int(spec.get('replicas') or 0)} desired | {int(status.get('updatedReplicas') or 0)} updated"
        f" | {int(status.get('replicas') or 0)} total | {int(status.get('availableReplicas') or 0)} available"
        f" | {int(status.get('unavailableReplicas') or 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(LEVEL_0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(LEVEL_0, f"MinReadySeconds:\t{int(spec.get('minReadySeconds') or 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(
            LEVEL_0,
            f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', 0)} max unavailable, "
            f"{rolling.get('maxSurge', 0)} max surge\n",
        )
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status)
    old, new = replica_sets_of(cluster, d)
    if old or new:
        w.write(LEVEL_0, f"OldReplicaSets:\t{_replica_sets_by_labels(old)}\n")
        w.write(LEVEL_0, f"NewReplicaSet:\t{_replica_sets_by_labels(new)}\n")
    describe_events(w, cluster.events.events_for(d), cluster.now_datetime())
    return w.text()


def describe_replica_set(cluster: Cluster, rs: dict) -> str:
    w = PrefixWriter()
    meta, spec, status = rs["metadata"], rs.get("spec") or {}, rs.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(LEVEL_0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    controller = controller_of(rs)
    if controller:
        w.write(LEVEL_0, f"Controlled By:\t{controller}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{int(status.get('replicas') or 0)} current / {int(spec.get('replicas') or 0)} desired\n",
    )
    w.write(LEVEL_0, f"Pods Status:\t{_pods_status(cluster, rs)}\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status)
    describe_events(w, cluster.events.events_for(rs), cluster.now_datetime())
    return w.text()


def describe_stateful_set(cluster: Cluster, sts: dict) -> str:
    w = PrefixWriter()
    meta, spec, status = sts["metadata"], sts.get("spec") or {}, sts.get("status") or {}
    _header(w, sts)
    w.write(LEVEL_0, f"Selector:\t{_selector(sts)}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(
        LEVEL_0,
        f"Replicas:\t{int(spec.get('replicas') or 0)} desired | {int(status.get('replicas') or 0)} total\n",
    )
    strategy = spec.get("updateStrategy") or {}
    w.write(LEVEL_0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None and rolling.get("partition") is not None:
        w.write(LEVEL_1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(LEVEL_1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    w.write(LEVEL_0, f"Pods Status:\t{_pods_status(cluster, sts)}\n")
    describe_pod_template(w, spec.get("template"))
    claims = spec.get("volumeClaimTemplates") or []
    if not claims:
        w.write(LEVEL_0, "Volume Claims:\t<none>\n")
    else:
        w.write(LEVEL_0, "Volume Claims:\n")
        for claim in claims:
            claim_meta, claim_spec = claim.get("metadata") or {}, claim.get("spec") or {}
            w.write(LEVEL_1, f"Name:\t{claim_meta.get('name', '')}\n")
            w.write(LEVEL_1, f"StorageClass:\t{claim_spec.get('storageClassName') or ''}\n")
            print_labels(w, "Labels", claim_meta.get("labels"), initial_indent="  ")
            print_labels(w, "Annotations", claim_meta.get("annotations"), initial_indent="  ")
            storage = ((claim_spec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(LEVEL_1, f"Capacity:\t{storage if storage is not None else '<default>'}\n")
            w.write(LEVEL_1, f"Access Modes:\t[{' '.join(claim_spec.get('accessModes') or [])}]\n")
    describe_events(w, cluster.events.events_for(sts), cluster.now_datetime())
    return w.text()


def describe_daemon_set(cluster: Cluster, ds: dict) -> str:
    w = PrefixWriter()
    meta, spec, status = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(LEVEL_0, f"Selector:\t{_selector(ds)}\n")
    node_selector = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
    w.write(LEVEL_0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    for title, field in (
        ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
        ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
        ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
        ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ):
        w.write(LEVEL_0, f"{title}: {int(status.get(field) or 0)}\n")
    w.write(LEVEL_0, f"Pods Status:\t{_pods_status(cluster, ds)}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, cluster.events.events_for(ds), cluster.now_datetime())
    return w.text()


def describe_job(cluster: Cluster, job: dict) -> str:
    w = PrefixWriter()
    meta, spec, status = job["metadata"], job.get("spec") or {}, job.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(LEVEL_0, f"Selector:\t{_selector(job)}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    controller = controller_of(job)
    if controller:
        w.write(LEVEL_0, f"Controlled By:\t{controller}\n")
    if spec.get("parallelism") is not None:
        w.write(LEVEL_0, f"Parallelism:\t{spec['parallelism']}\n")
    completions = spec.get("completions")
    w.write(LEVEL_0, f"Completions:\t{completions if completions is not None else '<unset>'}\n")
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
        start, end = (
            parse_timestamp(status.get("startTime")),
            parse_timestamp(status["completionTime"]),
        )
        if start is not None and end is not None:
            w.write(LEVEL_0, f"Duration:\t{human_duration((end - start).total_seconds())}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, succeeded, failed = (int(status.get(k) or 0) for k in ("active", "succeeded", "failed"))
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
        indexes = cap_indexes(status.get("completedIndexes") or "", COMPLETED_INDEXES_SOFT_LIMIT)
        w.write(LEVEL_0, f"Completed Indexes:\t{indexes}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, cluster.events.events_for(job), cluster.now_datetime())
    return w.text()


def cap_indexes(indexes: str, soft_limit: int) -> str:
    """capIndexesListOrNone: cut a long `1,3-5,...` list at the first comma past the limit."""
    if not indexes:
        return "<none>"
    cut = indexes.find(",", soft_limit)
    if cut < 0:
        return indexes
    return indexes[: cut + 1] + "..."


def describe_persistent_volume_claim(cluster: Cluster, claim: dict) -> str:
    w = PrefixWriter()
    meta, spec, status = claim["metadata"], claim.get("spec") or {}, claim.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(LEVEL_0, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
    if meta.get("deletionTimestamp"):
        deleted = parse_timestamp(meta["deletionTimestamp"])
        lasts = (
            human_duration((cluster.now_datetime() - deleted).total_seconds()) if deleted else ""
        )
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {lasts})\n")
    else:
        w.write(LEVEL_0, f"Status:\t{status.get('phase', '')}\n")
    w.write(LEVEL_0, f"Volume:\t{spec.get('volumeName', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, f"Finalizers:\t[{' '.join(meta.get('finalizers') or [])}]\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        capacity = str((status.get("capacity") or {}).get("storage", ""))
        modes = access_modes(status.get("accessModes"))
    w.write(LEVEL_0, f"Capacity:\t{capacity}\n")
    w.write(LEVEL_0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(LEVEL_0, f"VolumeMode:\t{spec['volumeMode']}\n")
    users = []
    for pod in cluster.store.list("Pod", meta.get("namespace", "")):
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            if (volume.get("persistentVolumeClaim") or {}).get("claimName") == meta.get("name"):
                users.append(pod["metadata"]["name"])
                break
    w.write(LEVEL_0, "Used By:\t")
    if not users:
        w.write_line("<none>")
    else:
        for index, name in enumerate(users):
            if index:
                w.write(LEVEL_0, "\t")
            w.write(LEVEL_0, f"{name}\n")
    describe_events(w, cluster.events.events_for(claim), cluster.now_datetime())
    return w.text()


def register() -> None:
    from engine.describe import register_describer

    register_describer("Deployment", describe_deployment)
    register_describer("ReplicaSet", describe_replica_set)
    register_describer("StatefulSet", describe_stateful_set)
    register_describer("DaemonSet", describe_daemon_set)
    register_describer("Job", describe_job)
    register_describer("PersistentVolumeClaim", describe_persistent_volume_claim)
