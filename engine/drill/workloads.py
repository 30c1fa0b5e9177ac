"""The workloads a drill reports on (Deployments, StatefulSets, DaemonSets), how many Ready
pods each wants and has, the budgets that cover them, and which workload a pod belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.disruption.eviction import matching_budgets
from engine.workloads import deployment_util

if TYPE_CHECKING:
    from engine.cluster import Cluster

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass(frozen=True, order=True)
class WorkloadRef:
    kind: str
    namespace: str
    name: str

    @property
    def label(self) -> str:
        """`deployment/checkout`, as kubectl names it."""
        return f"{self.kind.lower()}/{self.name}"


def workloads(cluster: Cluster) -> list[WorkloadRef]:
    """Every live workload, sorted."""
    refs = [
        WorkloadRef(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        for kind in WORKLOAD_KINDS
        for obj in cluster.store.iter(kind)
        if not obj["metadata"].get("deletionTimestamp")
    ]
    return sorted(refs)


def get(cluster: Cluster, ref: WorkloadRef) -> dict | None:
    return cluster.store.get(ref.kind, ref.namespace, ref.name)


def desired(obj: dict) -> int:
    """How many Ready pods the workload wants."""
    if obj["kind"] == "DaemonSet":
        return int((obj.get("status") or {}).get("desiredNumberScheduled", 0))
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def ready(obj: dict) -> int:
    """Ready pods, as the workload's controller counts them in its status."""
    status = obj.get("status") or {}
    if obj["kind"] == "DaemonSet":
        return int(status.get("numberReady", 0))
    return int(status.get("readyReplicas", 0))


def template_pod(obj: dict) -> dict:
    """A pod as the workload's template would make it (for budget matching)."""
    template = (obj.get("spec") or {}).get("template") or {}
    return {
        "metadata": {
            "namespace": obj["metadata"].get("namespace", ""),
            "labels": (template.get("metadata") or {}).get("labels") or {},
        },
        "spec": template.get("spec") or {},
    }


def budgets(cluster: Cluster, obj: dict) -> list[dict]:
    """The PodDisruptionBudgets whose selector takes the workload's pods."""
    return matching_budgets(cluster, template_pod(obj))


def has_readiness_probe(obj: dict) -> bool:
    containers = (template_pod(obj)["spec"].get("containers")) or []
    return bool(containers) and all(c.get("readinessProbe") for c in containers)


def max_unavailable(obj: dict) -> int | None:
    """A Deployment's rolling-update maxUnavailable as a pod count (None otherwise)."""
    if obj["kind"] != "Deployment":
        return None
    if not deployment_util.is_rolling_update(obj):
        return desired(obj)  # Recreate takes every pod down first
    return deployment_util.max_unavailable(obj)


class Owners:
    """Which workload a pod (or ReplicaSet) belongs to, by controller ownerReferences."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def workload_of(self, obj: dict) -> WorkloadRef | None:
        namespace = obj["metadata"].get("namespace", "")
        current = obj
        for _ in range(3):
            owner = next(
                (
                    o
                    for o in current["metadata"].get("ownerReferences") or []
                    if o.get("controller")
                ),
                None,
            )
            if owner is None:
                return None
            if owner["kind"] in WORKLOAD_KINDS:
                return WorkloadRef(owner["kind"], namespace, owner["name"])
            parent = self.cluster.store.get(owner["kind"], namespace, owner["name"])
            if parent is None:
                return None
            current = parent
        return None

    def pods_of(self, ref: WorkloadRef) -> list[dict]:
        return [
            pod
            for pod in self.cluster.store.list("Pod", ref.namespace)
            if self.workload_of(pod) == ref
        ]
