"""The StatefulSet controller (k/k pkg/controller/statefulset: stateful_set_control.go,
stateful_set_utils.go, stateful_pod_control.go): one pod per ordinal with a stable name
and claims, created in order (OrderedReady) or all at once (Parallel), removed from the
highest ordinal, updated from the highest ordinal down to the partition."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import controller_user
from engine.events import Source
from engine.store import Change
from engine.workloads import revisions as history
from engine.workloads.base import WorkloadController, selector_of, set_status
from engine.workloads.hashing import hash_controller_revision
from engine.workloads.podcontrol import slow_start_batches
from engine.workloads.podutil import (
    available_at,
    controller_ref,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    pod_phase,
)

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "statefulset-controller"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"
RETRY_BASE = 0.005
RETRY_MAX = 1000.0

_ORDINAL = re.compile(r"(.*)-([0-9]+)$")


# -- identity -----------------------------------------------------------------------------
def parent_and_ordinal(pod_name: str) -> tuple[str, int]:
    """getParentNameAndOrdinal: `web-3` → ("web", 3); ("", -1) when there is no ordinal."""
    match = _ORDINAL.match(pod_name)
    if match is None:
        return "", -1
    return match.group(1), int(match.group(2))


def start_ordinal(sts: dict) -> int:
    return int(((sts.get("spec") or {}).get("ordinals") or {}).get("start") or 0)


def pod_name(sts: dict, ordinal: int) -> str:
    return f"{sts['metadata']['name']}-{ordinal}"


def claim_name(sts: dict, template_name: str, ordinal: int) -> str:
    """getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`."""
    return f"{template_name}-{sts['metadata']['name']}-{ordinal}"


def pod_revision(pod: dict | None) -> str:
    return ((pod or {}).get("metadata", {}).get("labels") or {}).get(REVISION_LABEL, "")


def is_created(pod: dict | None) -> bool:
    """isCreated: the pod exists in the store (a new one has no phase yet)."""
    return pod is not None and bool(pod_phase(pod))


def is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def is_running_and_ready(pod: dict) -> bool:
    return pod_phase(pod) == "Running" and is_pod_ready(pod)


def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


def claims_for(sts: dict, ordinal: int) -> list[dict]:
    """getPersistentVolumeClaims: one claim per volumeClaimTemplate, labelled with the
    set's selector."""
    spec = sts.get("spec") or {}
    match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    out = []
    for template in spec.get("volumeClaimTemplates") or ():
        claim = copy.deepcopy(template)
        claim.pop("status", None)
        meta = claim.setdefault("metadata", {})
        template_name = meta.get("name", "")
        meta["name"] = claim_name(sts, template_name, ordinal)
        meta["namespace"] = sts["metadata"].get("namespace", "default")
        meta["labels"] = {**(meta.get("labels") or {}), **match_labels}
        claim["apiVersion"] = "v1"
        claim["kind"] = "PersistentVolumeClaim"
        out.append((template_name, claim))
    return out


def new_stateful_set_pod(sts: dict, template: dict, ordinal: int, revision: str) -> dict:
    """newStatefulSetPod: the template, a stable name, hostname and subdomain, the claims'
    volumes, and the identity and revision labels."""
    pod = pod_from_template(template, sts)
    pod["spec"] = copy.deepcopy(pod["spec"])
    name = pod_name(sts, ordinal)
    meta = pod["metadata"]
    meta["name"] = name
    labels = meta.setdefault("labels", {})
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    labels[REVISION_LABEL] = revision
    spec = pod["spec"]
    spec["hostname"] = name
    service = (sts.get("spec") or {}).get("serviceName")
    if service:
        spec["subdomain"] = service
    claims = claims_for(sts, ordinal)
    if claims:
        names = {template_name for template_name, _ in claims}
        volumes = [
            {
                "name": template_name,
                "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]},
            }
            for template_name, claim in claims
        ]
        volumes += [v for v in spec.get("volumes") or () if v.get("name") not in names]
        spec["volumes"] = volumes
    return pod


def uses_current_revision(sts: dict, ordinal: int) -> bool:
    """newVersionedStatefulSetPod: ordinals below the partition stay at the current revision."""
    strategy = (sts.get("spec") or {}).get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate")
    start = start_ordinal(sts)
    if strategy.get("type") == "RollingUpdate" and rolling is None:
        current = int((sts.get("status") or {}).get("currentReplicas") or 0)
        return ordinal < start + current
    if rolling is not None:
        return ordinal < start + int(rolling.get("partition") or 0)
    return False


class StatefulSetController(WorkloadController):
    """StatefulSetController.sync for every StatefulSet."""

    name = COMPONENT
    kind = "StatefulSet"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.source = Source(COMPONENT)
        self.user = controller_user(COMPONENT)
        self._failures: dict[tuple[str, str], int] = {}
        cluster.store.watch(self._on_stateful_set, {"StatefulSet"})
        self.index.watch_pods(self.kind, self._on_pod)

    def _on_stateful_set(self, change: Change) -> None:
        if change.type != "DELETED":
            self.enqueue_obj(change.obj)

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        uid = pod["metadata"].get("uid", "")
        if (
            controller_ref(pod) is None
            and change.type != "DELETED"
            and self.index.orphan_changed(uid)
        ):
            self.enqueue_matching(pod)
        self.enqueue_owner_of_pod(pod)

    def event(self, sts: dict, type_: str, reason: str, message: str) -> None:
        self.cluster.events.event(sts, type_, reason, message, self.source)

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        sts = self.get(key)
        if sts is None:
            return
        pods = self.claim_pods(sts, selector_of(sts))
        pods = [
            p
            for p in pods
            if parent_and_ordinal(p["metadata"]["name"])[0] == sts["metadata"]["name"]
        ]
        revisions = history.owned_revisions(self.index, sts)
        current, update, collision_count = self.get_revisions(sts, revisions)
        if current is None or update is None:
            return
        status, error = self.update_stateful_set(sts, current, update, collision_count, pods)
        self.update_status(sts, status)
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update(pod_revision(p) for p in pods)
        history.truncate_history(
            self.cluster,
            history.owned_revisions(self.index, sts),
            live,
            int(sts["spec"].get("revisionHistoryLimit") or 0),
            self.user,
        )
        if error:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
            self.enqueue_after(key, min(RETRY_BASE * 2**failures, RETRY_MAX))
        else:
            self._failures.pop(key, None)
        self._requeue_for_availability(sts, pods)

    def get_revisions(
        self, sts: dict, revisions: list[dict]
    ) -> tuple[dict | None, dict | None, int]:
        """getStatefulSetRevisions: the current and update revisions, creating or re-using one
        for the set's template."""
        collision_count = int((sts.get("status") or {}).get("collisionCount") or 0)
        next_number = int(revisions[-1].get("revision") or 0) + 1 if revisions else 1
        data = history.template_patch(sts)
        equal = [r for r in revisions if r.get("data") == data]
        if equal and revisions[-1] is equal[-1]:
            update = revisions[-1]
        elif equal:
            update = history.bump_revision(self.cluster, equal[-1], next_number)
        else:
            update = None
            labels = ((sts["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
            while update is None and collision_count < 100:
                digest = hash_controller_revision(data, collision_count)
                revision = history.new_revision(
                    sts,
                    f"{sts['metadata']['name']}-{digest}",
                    data,
                    next_number,
                    {**labels, history.CONTROLLER_REVISION_HASH_LABEL: digest},
                )
                update = history.create_revision(self.cluster, revision, self.user)
                if update is None:
                    collision_count += 1
        current_name = (sts.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == current_name), None)
        if current is None:
            current = update
        return current, update, collision_count

    def update_stateful_set(
        self, sts: dict, current: dict, update: dict, collision_count: int, pods: list[dict]
    ) -> tuple[dict, bool]:
        """updateStatefulSet: create, recreate, scale down and roll, as far as the policy lets
        this sync go. Returns the new status and whether an API call failed."""
        spec = sts["spec"]
        current_template = history.template_of(current)
        update_template = history.template_of(update)
        current_name = current["metadata"]["name"]
        update_name = update["metadata"]["name"]
        replica_count = int(spec.get("replicas") or 0)
        start = start_ordinal(sts)
        replicas: list[dict | None] = [None] * replica_count
        condemned: list[dict] = []
        for pod in pods:
            _, ordinal = parent_and_ordinal(pod["metadata"]["name"])
            if start <= ordinal < start + replica_count:
                replicas[ordinal - start] = pod
            elif ordinal >= 0:
                condemned.append(pod)
        for index in range(replica_count):
            if replicas[index] is None:
                replicas[index] = self.versioned_pod(
                    sts, current_template, update_template, current_name, update_name, start + index
                )
        condemned.sort(key=lambda p: parent_and_ordinal(p["metadata"]["name"])[1], reverse=True)
        first_unhealthy = None
        for pod in replicas:
            if not is_healthy(pod):
                first_unhealthy = pod
                break
        if first_unhealthy is None:
            for pod in reversed(condemned):
                if not is_healthy(pod):
                    first_unhealthy = pod
                    break
        status_base = {
            "collisionCount": collision_count,
            "currentRevision": current_name,
            "observedGeneration": sts["metadata"].get("generation"),
            "updateRevision": update_name,
        }

        def status() -> dict:
            return self.compute_status(
                sts, status_base, current_name, update_name, [*replicas, *condemned]
            )

        if sts["metadata"].get("deletionTimestamp"):
            return status(), False
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        min_ready = int(spec.get("minReadySeconds") or 0)
        context = (sts, current_template, update_template, current_name, update_name, min_ready)

        def process_replica(index: int) -> tuple[bool, bool]:
            return self.process_replica(context, monotonic, replicas, index)

        exit_now, failed = run_for_all(len(replicas), process_replica, monotonic)
        if exit_now or failed:
            return status(), failed

        def process_condemned(index: int) -> tuple[bool, bool]:
            return self.process_condemned(
                sts, first_unhealthy, monotonic, condemned, index, min_ready
            )

        exit_now, failed = run_for_all(len(condemned), process_condemned, monotonic)
        if exit_now or failed:
            return status(), failed
        result = status()
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type") == "OnDelete":
            return result, False
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        for target in range(len(replicas) - 1, partition - 1, -1):
            pod = replicas[target]
            if pod is None:
                continue
            if pod_revision(pod) != update_name and not is_terminating(pod):
                failed = self.delete_pod(sts, pod)
                result = status()
                return result, failed
            if not is_healthy(pod):
                return result, False
        return result, False

    def versioned_pod(
        self,
        sts: dict,
        current_template: dict,
        update_template: dict,
        current_name: str,
        update_name: str,
        ordinal: int,
    ) -> dict:
        if uses_current_revision(sts, ordinal):
            return new_stateful_set_pod(sts, current_template, ordinal, current_name)
        return new_stateful_set_pod(sts, update_template, ordinal, update_name)

    def process_replica(
        self, context: tuple, monotonic: bool, replicas: list[dict | None], index: int
    ) -> tuple[bool, bool]:
        """processReplica → (exit this sync, an API call failed)."""
        sts, current_template, update_template, current_name, update_name, min_ready = context
        pod = replicas[index]
        assert pod is not None
        if (
            is_created(pod)
            and pod_phase(pod) in ("Failed", "Succeeded")
            and not is_terminating(pod)
        ):
            name = pod["metadata"]["name"]
            namespace = sts["metadata"].get("namespace", "default")
            if pod_phase(pod) == "Failed":
                self.event(
                    sts,
                    "Warning",
                    "RecreatingFailedPod",
                    f"StatefulSet {namespace}/{sts['metadata']['name']} is recreating failed Pod {name}",
                )
            else:
                self.event(
                    sts,
                    "Normal",
                    "RecreatingTerminatedPod",
                    f"StatefulSet {namespace}/{sts['metadata']['name']} is recreating terminated Pod {name}",
                )
            if self.delete_pod(sts, pod):
                return True, True
            ordinal = start_ordinal(sts) + index
            pod = replicas[index] = self.versioned_pod(
                sts, current_template, update_template, current_name, update_name, ordinal
            )
            if self.store.get("Pod", sts["metadata"].get("namespace", ""), pod["metadata"]["name"]):
                # The failed pod still terminates: its ordinal waits for it to be gone.
                return monotonic, False
        if not is_created(pod):
            if self.create_pod(sts, pod):
                return True, True
            if monotonic:
                return True, False
            return False, False
        if is_terminating(pod) and monotonic:
            return True, False
        if not is_running_and_ready(pod) and monotonic:
            return True, False
        if monotonic and not (
            pod_phase(pod) == "Running" and is_pod_available(pod, min_ready, self.now, self.clock)
        ):
            return True, False
        return False, False

    def process_condemned(
        self,
        sts: dict,
        first_unhealthy: dict | None,
        monotonic: bool,
        condemned: list[dict],
        index: int,
        min_ready: int,
    ) -> tuple[bool, bool]:
        pod = condemned[index]
        if is_terminating(pod):
            return monotonic, False
        if monotonic and pod is not first_unhealthy:
            if not is_running_and_ready(pod):
                return True, False
            if not (
                pod_phase(pod) == "Running"
                and is_pod_available(pod, min_ready, self.now, self.clock)
            ):
                return True, False
        return True, self.delete_pod(sts, pod)

    # -- pod control ------------------------------------------------------------------------
    def create_pod(self, sts: dict, pod: dict) -> bool:
        """CreateStatefulPod: the claims first, then the pod; True if something failed."""
        name = pod["metadata"]["name"]
        set_name = sts["metadata"]["name"]
        _, ordinal = parent_and_ordinal(name)
        failed = False
        for _, claim in claims_for(sts, ordinal):
            meta = claim["metadata"]
            if self.store.get("PersistentVolumeClaim", meta["namespace"], meta["name"]) is not None:
                continue
            if (sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}).get(
                "whenDeleted"
            ) == "Delete":
                ref = {k: v for k, v in _owner_ref(sts).items()}
                meta["ownerReferences"] = [ref]
            try:
                self.cluster.api.create(claim, user=self.user)
            except errors.APIError as err:
                self.event(
                    sts,
                    "Warning",
                    "FailedCreate",
                    f"create Claim {meta['name']} for Pod {name} in StatefulSet {set_name} "
                    f"failed error: failed to create PVC {meta['name']}: {err.message}",
                )
                failed = True
                continue
            self.event(
                sts,
                "Normal",
                "SuccessfulCreate",
                f"create Claim {meta['name']} Pod {name} in StatefulSet {set_name} success",
            )
        if failed:
            return True
        try:
            self.cluster.api.create(pod, user=self.user)
        except errors.APIError as err:
            if err.reason == "AlreadyExists":
                return True
            self.event(
                sts,
                "Warning",
                "FailedCreate",
                f"create Pod {name} in StatefulSet {set_name} failed error: {err.message}",
            )
            return True
        self.event(
            sts,
            "Normal",
            "SuccessfulCreate",
            f"create Pod {name} in StatefulSet {set_name} successful",
        )
        return False

    def delete_pod(self, sts: dict, pod: dict) -> bool:
        """DeleteStatefulPod; True if the delete failed."""
        name = pod["metadata"]["name"]
        set_name = sts["metadata"]["name"]
        try:
            self.cluster.api.delete(
                "Pod", pod["metadata"].get("namespace", ""), name, user=self.user
            )
        except errors.APIError as err:
            if err.reason == "NotFound":
                return False
            self.event(
                sts,
                "Warning",
                "FailedDelete",
                f"delete Pod {name} in StatefulSet {set_name} failed error: {err.message}",
            )
            return True
        self.event(
            sts,
            "Normal",
            "SuccessfulDelete",
            f"delete Pod {name} in StatefulSet {set_name} successful",
        )
        return False

    # -- status -----------------------------------------------------------------------------
    def compute_status(
        self, sts: dict, base: dict, current_name: str, update_name: str, pods: list[dict | None]
    ) -> dict:
        """updateStatus / computeReplicaStatus over the replicas and the condemned."""
        min_ready = int(sts["spec"].get("minReadySeconds") or 0)
        counts = {"replicas": 0, "ready": 0, "available": 0, "current": 0, "updated": 0}
        for pod in pods:
            if pod is None or not is_created(pod):
                continue
            counts["replicas"] += 1
            if is_running_and_ready(pod):
                counts["ready"] += 1
                if is_pod_available(pod, min_ready, self.now, self.clock):
                    counts["available"] += 1
            if not is_terminating(pod):
                revision = pod_revision(pod)
                if revision == current_name:
                    counts["current"] += 1
                if revision == update_name:
                    counts["updated"] += 1
        status = dict(base)
        status["replicas"] = counts["replicas"]
        status["availableReplicas"] = counts["available"]
        for key, value in (
            ("readyReplicas", counts["ready"]),
            ("currentReplicas", counts["current"]),
            ("updatedReplicas", counts["updated"]),
        ):
            if value:
                status[key] = value
        if not status.get("observedGeneration"):
            status.pop("observedGeneration", None)
        return status

    def update_status(self, sts: dict, status: dict) -> None:
        """updateStatefulSetStatus: complete a finished rolling update, then write."""
        strategy = (sts["spec"].get("updateStrategy") or {}).get("type")
        replicas = int(status.get("replicas") or 0)
        if (
            strategy == "RollingUpdate"
            and int(status.get("updatedReplicas") or 0) == replicas
            and int(status.get("readyReplicas") or 0) == replicas
        ):
            status["currentReplicas"] = status.get("updatedReplicas", 0)
            if not status["currentReplicas"]:
                status.pop("currentReplicas")
            status["currentRevision"] = status["updateRevision"]
        conditions = (sts.get("status") or {}).get("conditions")
        if conditions:
            status["conditions"] = conditions
        set_status(sts, status, self.cluster)

    def _requeue_for_availability(self, sts: dict, pods: list[dict]) -> None:
        min_ready = int(sts["spec"].get("minReadySeconds") or 0)
        if not min_ready:
            return
        soonest = None
        for pod in pods:
            at = available_at(pod, min_ready, self.clock)
            if at is not None and at >= self.now and (soonest is None or at < soonest):
                soonest = at
        if soonest is not None:
            self.enqueue_obj_after(sts, soonest + 1 - self.now)


def _owner_ref(sts: dict) -> dict:
    meta = sts["metadata"]
    return {
        "apiVersion": "apps/v1",
        "blockOwnerDeletion": True,
        "controller": True,
        "kind": "StatefulSet",
        "name": meta["name"],
        "uid": meta["uid"],
    }


def run_for_all(count: int, fn, monotonic: bool) -> tuple[bool, bool]:
    """runForAll: one at a time, stopping when told (OrderedReady), or in slow-start batches
    that stop only on a failure (Parallel). Returns (exit the sync, a call failed)."""
    if monotonic:
        for index in range(count):
            exit_now, failed = fn(index)
            if exit_now or failed:
                return True, failed
        return False, False
    position = 0
    for size in slow_start_batches(count):
        failed_batch = False
        for index in range(position, position + size):
            _, failed = fn(index)
            failed_batch = failed_batch or failed
        position += size
        if failed_batch:
            return True, True
    return False, False
