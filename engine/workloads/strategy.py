"""PrepareForCreate / PrepareForUpdate of the workload registries (k/k pkg/registry/apps/*,
pkg/registry/batch/job/strategy.go).

podtui's API server has no per-kind strategy hook besides defaulting and validation, so these
run as a mutating step of the admission chain; nothing here refuses a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api.admission import AdmissionRequest

if TYPE_CHECKING:
    from engine.cluster import Cluster

TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"

# Job labels (k8s.io/api/batch/v1/types.go): the prefixed ones since 1.27, the legacy ones kept.
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"

# A new object's status as the registry resets it; fields without omitempty print as 0.
EMPTY_STATUS = {
    "Deployment": {},
    "ReplicaSet": {"replicas": 0},
    "StatefulSet": {"availableReplicas": 0, "replicas": 0},
    "DaemonSet": {
        "currentNumberScheduled": 0,
        "desiredNumberScheduled": 0,
        "numberMisscheduled": 0,
        "numberReady": 0,
    },
    "Job": {},
}


class RegistryStrategy:
    """The registries' create and update preparation for Deployments, ReplicaSets,
    StatefulSets, DaemonSets and Jobs."""

    name = "WorkloadRegistryStrategy"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def admit(self, request: AdmissionRequest) -> None:
        kind = request.kind.kind
        if kind not in EMPTY_STATUS:
            return
        if request.operation == "CREATE":
            self.prepare_for_create(kind, request.obj)
        elif request.operation == "UPDATE" and request.subresource != "status":
            self.prepare_for_update(kind, request.obj, request.old or {})

    def prepare_for_create(self, kind: str, obj: dict) -> None:
        obj["status"] = dict(EMPTY_STATUS[kind])
        meta = obj["metadata"]
        if kind == "DaemonSet":
            meta.setdefault("annotations", {})[TEMPLATE_GENERATION] = "1"
        elif kind == "Job":
            # The UID is assigned before PrepareForCreate on a real server; the selector
            # the Job generates names it.
            meta["uid"] = self.cluster.store.new_uid()
            if not obj["spec"].get("manualSelector"):
                generate_selector(obj)
            template_labels = obj["spec"]["template"]["metadata"].get("labels") or {}
            if not meta.get("labels") and template_labels:
                meta["labels"] = dict(template_labels)

    def prepare_for_update(self, kind: str, obj: dict, old: dict) -> None:
        if kind == "DaemonSet":
            old_generation = (old["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
            annotations = obj["metadata"].setdefault("annotations", {})
            if old_generation is not None:
                annotations[TEMPLATE_GENERATION] = old_generation
            if (obj.get("spec") or {}).get("template") != (old.get("spec") or {}).get("template"):
                try:
                    generation = int(str(old_generation or "0")[:18])
                except ValueError:  # a user-written annotation that is not a number
                    generation = 0
                annotations[TEMPLATE_GENERATION] = str(generation + 1)


def generate_selector(job: dict) -> None:
    """generateSelector: job-name and controller-uid labels on the template, the
    controller-uid label as the selector."""
    uid = job["metadata"]["uid"]
    template_meta = job["spec"]["template"].setdefault("metadata", {})
    labels = template_meta.get("labels")
    if labels is None:
        labels = template_meta["labels"] = {}
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, job["metadata"]["name"])
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, uid)
    selector = job["spec"].get("selector")
    if selector is None:
        selector = job["spec"]["selector"] = {}
    match_labels = selector.get("matchLabels")
    if match_labels is None:
        match_labels = selector["matchLabels"] = {}
    match_labels.setdefault(CONTROLLER_UID_LABEL, uid)
