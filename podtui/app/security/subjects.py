"""Which pod to explain, and as whom: a refusal PodSecurityPolicy remembered, a pod in the
cluster, the pod a controller would create from its template, or a manifest file.

Refused pods never exist as objects; the PodSecurityPolicy plugin keeps the last refusals
(`engine.security.refused_pods`), and a controller's FailedCreate event names the owner
whose pods were refused. No Textual here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from engine.api.admission import UserInfo, controller_user
from engine.apply import previous_configuration
from engine.cluster import Cluster
from engine.security import Explanation, Refusal, explain, psp_active, refused_pods
from engine.security.psp.admission import VALIDATED_PSP_ANNOTATION
from engine.timeutil import format_time

CONTROLLER_USERS = {
    "ReplicaSet": "replicaset-controller",
    "Deployment": "replicaset-controller",  # a Deployment's pods are its ReplicaSets'
    "StatefulSet": "statefulset-controller",
    "DaemonSet": "daemon-set-controller",
    "Job": "job-controller",
}
"""Who creates a workload's pods (kube-controller-manager's per-controller service accounts)."""
WORKLOAD_KINDS = frozenset(CONTROLLER_USERS)


@dataclass
class Subject:
    """A pod to explain and how it was (or would be) requested."""

    pod: dict
    user: UserInfo
    prepared: bool
    """True: the pod as PodSecurityPolicy saw it (a refusal, a running pod); False: a
    manifest that the earlier admission plugins still have to see."""
    source: str
    """Where it comes from, in a few words (`refused 3 times, last at ...`)."""
    refusal: Refusal | None = None
    admitted_by: str = ""
    """The policy a running pod's `kubernetes.io/psp` annotation names."""

    def explain(self, cluster: Cluster) -> Explanation:
        """PodSecurityPolicy's and Pod Security Admission's verdicts, now."""
        return explain(cluster, copy.deepcopy(self.pod), self.user, prepared=self.prepared)

    @property
    def key(self) -> tuple[str, str]:
        meta = self.pod.get("metadata") or {}
        return meta.get("namespace") or "default", meta.get("name") or meta.get("generateName", "")


def refusal_subject(refusal: Refusal) -> Subject:
    times = "once" if refusal.count == 1 else f"{refusal.count} times"
    source = f"refused {times}, last at {refusal.last_time}"
    if refusal.count > 1:
        source += f" (first at {refusal.first_time})"
    return Subject(refusal.pod, refusal.user, True, source, refusal)


def find_refusal(cluster: Cluster, namespace: str, name: str) -> Refusal | None:
    """The newest refusal of a pod by its name (a controller's pods: their generateName)."""
    found = [r for r in refused_pods(cluster) if r.namespace == namespace and r.name == name]
    return found[-1] if found else None


def refusal_by_prefix(cluster: Cluster, namespace: str, prefix: str) -> Refusal | None:
    """The newest refusal of a pod whose name starts with `prefix` (a workload's pods)."""
    found = [
        r for r in refused_pods(cluster) if r.namespace == namespace and r.name.startswith(prefix)
    ]
    return found[-1] if found else None


def pod_subject(cluster: Cluster, pod: dict, user: UserInfo) -> Subject:
    """A pod in the cluster: as its controller would create it now, else as its manifest
    (last applied configuration) creates it, else as it runs (after admission)."""
    meta = pod.get("metadata") or {}
    admitted_by = (meta.get("annotations") or {}).get(VALIDATED_PSP_ANNOTATION, "")
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner is not None and owner.get("kind") in WORKLOAD_KINDS:
        workload = cluster.store.get(owner["kind"], meta.get("namespace", ""), owner["name"])
        if workload is not None:
            subject = template_subject(cluster, owner["kind"], workload)
            subject.source = (
                f"pod {meta.get('name')} as {owner['kind'].lower()}/{owner['name']} creates it"
            )
            subject.admitted_by = admitted_by
            return subject
    manifest = previous_configuration(pod)
    if manifest is not None and manifest.get("kind") == "Pod":
        manifest.setdefault("metadata", {}).setdefault("namespace", meta.get("namespace"))
        return Subject(
            manifest,
            user,
            False,
            f"as its manifest creates it, requested by {user.name}",
            admitted_by=admitted_by,
        )
    return Subject(pod, user, True, "as it runs, after admission", admitted_by=admitted_by)


def workload_subject(cluster: Cluster, kind: str, obj: dict) -> Subject:
    """A workload: its newest refused pod, else the pod its controller would create now."""
    meta = obj["metadata"]
    namespace, name = meta.get("namespace") or "default", meta["name"]
    refusal = refusal_by_prefix(cluster, namespace, f"{name}-")
    if refusal is not None:
        return refusal_subject(refusal)
    return template_subject(cluster, kind, obj)


def template_subject(cluster: Cluster, kind: str, obj: dict) -> Subject:
    """The pod a workload's controller would create from its template now."""
    meta = obj["metadata"]
    namespace, name = meta.get("namespace") or "default", meta["name"]
    if kind == "Deployment":
        newest = _newest_replica_set(cluster, obj)
        if newest is not None:
            subject = template_subject(cluster, "ReplicaSet", newest)
            subject.source = (
                f"a pod as replicaset/{newest['metadata']['name']} of deployment/{name} "
                "would create it"
            )
            return subject
    template = (obj.get("spec") or {}).get("template") or {}
    template_meta = copy.deepcopy(template.get("metadata") or {})
    pod_meta: dict = {"namespace": namespace, "labels": template_meta.get("labels") or {}}
    if template_meta.get("annotations"):
        pod_meta["annotations"] = template_meta["annotations"]
    if kind == "StatefulSet":
        pod_meta["name"] = f"{name}-0"
    else:
        pod_meta["generateName"] = f"{name}-"
    if meta.get("uid"):
        pod_meta["ownerReferences"] = [
            {
                "apiVersion": obj.get("apiVersion", "apps/v1"),
                "kind": kind,
                "name": name,
                "uid": meta["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": copy.deepcopy(template.get("spec") or {}),
    }
    controller = CONTROLLER_USERS.get(kind, "replicaset-controller")
    return Subject(
        pod,
        controller_user(controller),
        False,
        f"a pod as {kind.lower()}/{name} would create it now",
    )


def _newest_replica_set(cluster: Cluster, deployment: dict) -> dict | None:
    uid = deployment["metadata"].get("uid")
    owned = [
        rs
        for rs in cluster.store.list("ReplicaSet", deployment["metadata"].get("namespace"))
        if any(o.get("uid") == uid for o in rs["metadata"].get("ownerReferences") or [])
    ]
    owned.sort(key=lambda rs: rs["metadata"].get("creationTimestamp") or "")
    return owned[-1] if owned else None


def event_subject(cluster: Cluster, event: dict, user: UserInfo) -> Subject | None:
    """The pod behind an event: a FailedCreate's workload, or the pod an event is about."""
    involved = event.get("involvedObject") or {}
    kind, name = involved.get("kind", ""), involved.get("name", "")
    namespace = involved.get("namespace") or event["metadata"].get("namespace") or "default"
    obj = cluster.store.get(kind, namespace, name) if kind else None
    if kind in WORKLOAD_KINDS:
        refusal = refusal_by_prefix(cluster, namespace, f"{name}-")
        if refusal is not None:
            return refusal_subject(refusal)
        return template_subject(cluster, kind, obj) if obj is not None else None
    if kind == "Pod" and obj is not None:
        return pod_subject(cluster, obj, user)
    return None


def manifest_subject(obj: dict, file: str, user: UserInfo, cluster: Cluster) -> Subject | None:
    """A manifest from a file: a Pod as `create -f` would request it, a workload's pod as its
    controller would."""
    kind = obj.get("kind", "")
    if kind == "Pod":
        return Subject(obj, user, False, f"as `create -f {file}` would create it")
    if kind in WORKLOAD_KINDS:
        meta = obj.setdefault("metadata", {})
        meta.setdefault("namespace", "default")
        subject = template_subject(cluster, kind, obj)
        subject.source = f"a pod as {kind.lower()}/{meta.get('name')} from {file} would create it"
        return subject
    return None


def plugin_state(cluster: Cluster) -> str:
    """`PodSecurityPolicy admission is on (2 policies)` / `... off (no policy exists)`."""
    count = cluster.store.count("PodSecurityPolicy")
    if psp_active(cluster):
        return f"PodSecurityPolicy admission is on ({count} polic{'y' if count == 1 else 'ies'})"
    return "PodSecurityPolicy admission is off (no policy exists: every pod is admitted)"


def short_time(timestamp: str) -> str:
    """`00:01:30` out of an RFC 3339 timestamp (the refusal times)."""
    from engine.printers.duration import parse_timestamp

    moment = parse_timestamp(timestamp)
    return format_time(moment)[11:19] if moment is not None else timestamp
