"""The DaemonSet controller (k/k pkg/controller/daemon: daemon_controller.go, update.go,
util/daemonset_util.go): one pod per eligible node, pinned to it with node affinity, with
the tolerations every daemon pod gets, replaced node by node on a rolling update."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from engine.api.admission import controller_user
from engine.labels import NodeSelector
from engine.store import Change
from engine.tolerations import NO_EXECUTE, NO_SCHEDULE, find_matching_untolerated_taint
from engine.workloads import revisions as history
from engine.workloads.base import WorkloadController, selector_of, set_status
from engine.workloads.hashing import compute_hash
from engine.workloads.intstr import value_or_zero
from engine.workloads.podcontrol import PodControl, slow_start_batch
from engine.workloads.podutil import (
    available_at,
    controller_ref,
    is_pod_available,
    is_pod_ready,
    is_pod_terminal,
    pod_from_template,
    pods_prefix,
)
from engine.workloads.strategy import TEMPLATE_GENERATION

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "daemon-set-controller"
REVISION_LABEL = "controller-revision-hash"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
# daemon_controller.go: BurstReplicas (unverified, from memory) and the failed-pod back-off.
BURST_REPLICAS = 250
FAILED_POD_BACKOFF = 1.0
FAILED_POD_BACKOFF_MAX = 900.0

# util.AddOrUpdateDaemonPodTolerations, in upstream's order.
DAEMON_TOLERATIONS = [
    ("node.kubernetes.io/not-ready", NO_EXECUTE),
    ("node.kubernetes.io/unreachable", NO_EXECUTE),
    ("node.kubernetes.io/disk-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/memory-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/pid-pressure", NO_SCHEDULE),
    ("node.kubernetes.io/unschedulable", NO_SCHEDULE),
]
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", NO_SCHEDULE)


def add_daemon_tolerations(pod_spec: dict) -> None:
    """AddOrUpdateDaemonPodTolerations: Exists tolerations for the node conditions, so daemon
    pods ignore cordon and pressure and stay on unreachable nodes."""
    wanted = list(DAEMON_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        wanted.append(NETWORK_UNAVAILABLE)
    tolerations = list(pod_spec.get("tolerations") or [])
    for key, effect in wanted:
        toleration = {"effect": effect, "key": key, "operator": "Exists"}
        for index, existing in enumerate(tolerations):
            if (
                existing.get("key") == key
                and existing.get("effect") == effect
                and existing.get("operator", "Equal") == "Exists"
                and not existing.get("value")
            ):
                if existing != toleration:
                    tolerations[index] = toleration
                break
        else:
            tolerations.append(toleration)
    pod_spec["tolerations"] = tolerations


def pin_to_node(pod_spec: dict, node_name: str) -> None:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: a required matchFields term on the node name."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    affinity = pod_spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}


def target_node(pod: dict) -> str:
    """GetTargetNodeName: spec.nodeName, or the node the affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    terms = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        or {}
    ).get("nodeSelectorTerms") or []
    for term in terms:
        for field in term.get("matchFields") or ():
            if field.get("key") == "metadata.name" and field.get("operator") == "In":
                values = field.get("values") or []
                if len(values) == 1:
                    return values[0]
    return ""


def node_should_run_daemon_pod(node: dict, ds: dict) -> tuple[bool, bool]:
    """NodeShouldRunDaemonPod → (shouldRun, shouldContinueRunning)."""
    template_spec = copy.deepcopy(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
    add_daemon_tolerations(template_spec)
    name = node["metadata"]["name"]
    if template_spec.get("nodeName") and template_spec["nodeName"] != name:
        return False, False
    labels = node["metadata"].get("labels") or {}
    selector = template_spec.get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False, False
    required = ((template_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if required and not NodeSelector(required).matches(node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    tolerations = template_spec.get("tolerations") or []
    untolerated = find_matching_untolerated_taint(
        taints, tolerations, lambda t: t.get("effect") in (NO_SCHEDULE, NO_EXECUTE)
    )
    if untolerated is not None:
        no_execute = find_matching_untolerated_taint(
            taints, tolerations, lambda t: t.get("effect") == NO_EXECUTE
        )
        return False, no_execute is None
    return True, True


def scaled_counts(ds: dict, desired: int) -> tuple[int, int]:
    """UnavailableCount and SurgeCount (both round up); nothing allowed means unavailable 1."""
    rolling = (((ds.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")) or {}
    surge = value_or_zero(rolling.get("maxSurge"), desired, True)
    unavailable = value_or_zero(rolling.get("maxUnavailable"), desired, True)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def is_pod_updated(pod: dict, hash_: str, generation: str | None) -> bool:
    """IsPodUpdated: the revision hash matches, or the (deprecated) template generation does."""
    labels = pod["metadata"].get("labels") or {}
    return (bool(hash_) and labels.get(REVISION_LABEL) == hash_) or (
        generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == generation
    )


def find_updated_pods_on_node(
    pods: list[dict], hash_: str, generation: str | None
) -> tuple[dict | None, dict | None, bool]:
    """findUpdatedPodsOnNode → (new pod, old pod, ok); not ok when a node has two of a kind."""
    new_pod = old_pod = None
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if is_pod_updated(pod, hash_, generation):
            if new_pod is not None:
                return None, None, False
            new_pod = pod
        else:
            if old_pod is not None:
                return None, None, False
            old_pod = pod
    return new_pod, old_pod, True


def oldest_first(pods: list[dict]) -> list[dict]:
    """podByCreationTimestampAndPhase: scheduled before pending, then oldest, then by name."""
    return sorted(
        pods,
        key=lambda p: (
            not (p.get("spec") or {}).get("nodeName"),
            p["metadata"].get("creationTimestamp") or "",
            p["metadata"]["name"],
        ),
    )


class DaemonSetController(WorkloadController):
    """DaemonSetsController.syncDaemonSet for every DaemonSet."""

    name = COMPONENT
    kind = "DaemonSet"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.pods = PodControl(cluster, COMPONENT)
        self.user = controller_user(COMPONENT)
        self._failed_backoff: dict[tuple[str, str, str], tuple[float, float]] = {}
        self._node_view: dict[str, tuple] = {}
        cluster.store.watch(self._on_daemon_set, {"DaemonSet"})
        self.index.watch_pods(self.kind, self._on_pod)
        cluster.store.watch(self._on_node, {"Node"})

    # -- events -----------------------------------------------------------------------------
    def _on_daemon_set(self, change: Change) -> None:
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

    def _on_node(self, change: Change) -> None:
        """Nodes added, removed, relabelled or re-tainted change where daemon pods belong."""
        node = change.obj
        name = node["metadata"]["name"]
        if change.type == "DELETED":
            self._node_view.pop(name, None)
        else:
            view = (
                tuple(sorted((node["metadata"].get("labels") or {}).items())),
                repr((node.get("spec") or {}).get("taints")),
            )
            if self._node_view.get(name) == view:
                return
            self._node_view[name] = view
        for ds in self.store.iter("DaemonSet"):
            self.enqueue_obj(ds)

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        ds = self.get(key)
        if ds is None:
            return
        nodes = self.store.list("Node")
        revisions = history.owned_revisions(self.index, ds)
        current, hash_ = self.construct_history(ds, revisions)
        node_to_pods = self.nodes_to_daemon_pods(ds)
        if ds["metadata"].get("deletionTimestamp"):
            self.update_status(ds, nodes, node_to_pods, hash_)
            return
        self.manage(ds, nodes, node_to_pods, hash_)
        strategy = (ds["spec"].get("updateStrategy") or {}).get("type")
        if strategy == "RollingUpdate":
            self.rolling_update(ds, nodes, hash_)
        live = {current["metadata"]["name"]} if current is not None else set()
        for pods in self.nodes_to_daemon_pods(ds).values():
            for pod in pods:
                live.add(
                    f"{ds['metadata']['name']}-{(pod['metadata'].get('labels') or {}).get(REVISION_LABEL, '')}"
                )
        history.truncate_history(
            self.cluster,
            history.owned_revisions(self.index, ds),
            live,
            int(ds["spec"].get("revisionHistoryLimit") or 0),
            self.user,
        )
        self.update_status(ds, nodes, self.nodes_to_daemon_pods(ds), hash_)

    def construct_history(self, ds: dict, revisions: list[dict]) -> tuple[dict | None, str]:
        """constructHistory / snapshot: the revision of the current template (hash =
        ComputeHash of the template), re-numbered when an old one comes back."""
        collision = (ds.get("status") or {}).get("collisionCount")
        hash_ = compute_hash((ds["spec"].get("template") or {}), collision)
        name = f"{ds['metadata']['name']}-{hash_}"
        data = history.template_patch(ds)
        max_number = max((int(r.get("revision") or 0) for r in revisions), default=0)
        current = next((r for r in revisions if r["metadata"]["name"] == name), None)
        if current is not None:
            if int(current.get("revision") or 0) < max_number:
                history.bump_revision(self.cluster, current, max_number + 1)
            return current, hash_
        labels = {
            **(((ds["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}),
            REVISION_LABEL: hash_,
        }
        revision = history.new_revision(ds, name, data, max_number + 1, labels)
        return history.create_revision(self.cluster, revision, self.user), hash_

    def nodes_to_daemon_pods(self, ds: dict) -> dict[str, list[dict]]:
        """getNodesToDaemonPods: claimed pods by target node (deleted terminal pods left out)."""
        out: dict[str, list[dict]] = {}
        for pod in self.claim_pods(ds, selector_of(ds)):
            if is_pod_terminal(pod) and pod["metadata"].get("deletionTimestamp"):
                continue
            out.setdefault(target_node(pod), []).append(pod)
        return out

    def manage(
        self, ds: dict, nodes: list[dict], node_to_pods: dict[str, list[dict]], hash_: str
    ) -> None:
        """manage: which nodes need a daemon pod and which pods must go."""
        needing: list[str] = []
        to_delete: list[dict] = []
        known = set()
        for node in nodes:
            name = node["metadata"]["name"]
            known.add(name)
            create, delete = self.pods_should_be_on_node(node, node_to_pods, ds, hash_)
            if create:
                needing.append(name)
            to_delete.extend(delete)
        # Unscheduled pods pinned to nodes that no longer exist.
        for name, pods in node_to_pods.items():
            if name in known:
                continue
            for pod in pods:
                if not (pod.get("spec") or {}).get("nodeName") and not pod["metadata"].get(
                    "deletionTimestamp"
                ):
                    to_delete.append(pod)
        self.sync_nodes(ds, to_delete, needing, hash_)

    def pods_should_be_on_node(
        self, node: dict, node_to_pods: dict[str, list[dict]], ds: dict, hash_: str
    ) -> tuple[bool, list[dict]]:
        """podsShouldBeOnNode → (create one here, pods to delete here)."""
        should_run, should_continue = node_should_run_daemon_pod(node, ds)
        name = node["metadata"]["name"]
        pods = node_to_pods.get(name)
        to_delete: list[dict] = []
        if should_run and not pods:
            return True, []
        if should_continue:
            running = []
            for pod in pods or ():
                if pod["metadata"].get("deletionTimestamp"):
                    continue
                phase = (pod.get("status") or {}).get("phase")
                if phase == "Failed":
                    if self._in_backoff(ds, name):
                        continue
                    self._next_backoff(ds, name)
                    self.pods.event(
                        ds,
                        "Warning",
                        "FailedDaemonPod",
                        f"Found failed daemon pod {pod['metadata'].get('namespace', '')}/"
                        f"{pod['metadata']['name']} on node {name}, will try to kill it",
                    )
                    to_delete.append(pod)
                elif phase == "Succeeded":
                    to_delete.append(pod)
                else:
                    running.append(pod)
            if len(running) > 1:
                to_delete.extend(oldest_first(running)[1:])
            return False, to_delete
        if pods:
            to_delete.extend(p for p in pods if not p["metadata"].get("deletionTimestamp"))
        return False, to_delete

    def _in_backoff(self, ds: dict, node: str) -> bool:
        key = (ds["metadata"].get("namespace", ""), ds["metadata"]["name"], node)
        entry = self._failed_backoff.get(key)
        if entry is None:
            return False
        last, delay = entry
        if self.now - last < delay:
            self.enqueue_obj_after(ds, last + delay - self.now)
            return True
        return False

    def _next_backoff(self, ds: dict, node: str) -> None:
        key = (ds["metadata"].get("namespace", ""), ds["metadata"]["name"], node)
        entry = self._failed_backoff.get(key)
        delay = FAILED_POD_BACKOFF if entry is None else min(entry[1] * 2, FAILED_POD_BACKOFF_MAX)
        self._failed_backoff[key] = (self.now, delay)

    def sync_nodes(self, ds: dict, to_delete: list[dict], needing: list[str], hash_: str) -> None:
        """syncNodes: create pinned pods in slow-start batches, delete the rest."""
        template = copy.deepcopy(ds["spec"].get("template") or {})
        add_daemon_tolerations(template.setdefault("spec", {}))
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
        if generation is not None:
            labels[TEMPLATE_GENERATION_LABEL] = generation
        labels[REVISION_LABEL] = hash_
        pending = list(needing[:BURST_REPLICAS])
        failures: list[str] = []

        def create_one() -> bool:
            node = pending.pop(0)
            pod = pod_from_template(template, ds, pods_prefix(ds["metadata"]["name"]))
            pod["spec"] = copy.deepcopy(pod["spec"])
            pin_to_node(pod["spec"], node)
            _, err = self.pods.create(pod, ds)
            if err is not None:
                failures.append(err.message)
                return False
            return True

        slow_start_batch(len(pending), create_one)
        for pod in to_delete:
            self.pods.delete(pod, ds)
        if failures:
            self.enqueue_obj_after(ds, 1.0)

    def rolling_update(self, ds: dict, nodes: list[dict], hash_: str) -> None:
        """rollingUpdate without surge: delete old pods while fewer than maxUnavailable are
        unavailable; the manage loop recreates them at the new revision."""
        node_to_pods = self.nodes_to_daemon_pods(ds)
        desired = sum(1 for node in nodes if node_should_run_daemon_pod(node, ds)[0])
        surge, max_unavailable = scaled_counts(ds, desired)
        generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        if surge != 0:
            self._rolling_update_with_surge(ds, node_to_pods, hash_, generation, surge, min_ready)
            return
        unavailable = 0
        replacements: list[dict] = []
        candidates: list[dict] = []
        for name in sorted(node_to_pods):
            new_pod, old_pod, ok = find_updated_pods_on_node(node_to_pods[name], hash_, generation)
            if not ok:
                unavailable += 1
                continue
            if (old_pod is None and new_pod is None) or (
                old_pod is not None and new_pod is not None
            ):
                unavailable += 1
            elif new_pod is not None:
                if not is_pod_available(new_pod, min_ready, self.now, self.clock):
                    unavailable += 1
            elif not is_pod_available(old_pod, min_ready, self.now, self.clock):
                replacements.append(old_pod)
            elif unavailable >= max_unavailable:
                continue
            else:
                candidates.append(old_pod)
        remaining = max(max_unavailable - unavailable, 0)
        remaining = min(remaining, len(candidates))
        self.sync_nodes(ds, [*replacements, *candidates[:remaining]], [], hash_)

    def _rolling_update_with_surge(
        self,
        ds: dict,
        node_to_pods: dict[str, list[dict]],
        hash_: str,
        generation: str | None,
        surge: int,
        min_ready: int,
    ) -> None:
        """rollingUpdate with maxSurge: a new pod beside the old one on up to maxSurge nodes;
        the old pod goes once the new one is available."""
        needing: list[str] = []
        to_delete: list[dict] = []
        surging = 0
        candidates: list[str] = []
        for name in sorted(node_to_pods):
            new_pod, old_pod, ok = find_updated_pods_on_node(node_to_pods[name], hash_, generation)
            if not ok or old_pod is None:
                continue
            if new_pod is None:
                if not is_pod_available(old_pod, min_ready, self.now, self.clock):
                    needing.append(name)
                else:
                    candidates.append(name)
                continue
            surging += 1
            if is_pod_available(new_pod, min_ready, self.now, self.clock):
                to_delete.append(old_pod)
        room = max(surge - surging, 0)
        needing.extend(candidates[:room])
        self.sync_nodes(ds, to_delete, needing, hash_)

    # -- status -----------------------------------------------------------------------------
    def update_status(
        self, ds: dict, nodes: list[dict], node_to_pods: dict[str, list[dict]], hash_: str
    ) -> None:
        """updateDaemonSetStatus: counts over the nodes."""
        generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        desired = current = misscheduled = ready = available = updated = 0
        soonest = None
        for node in nodes:
            should_run, _ = node_should_run_daemon_pod(node, ds)
            pods = node_to_pods.get(node["metadata"]["name"]) or []
            if not should_run:
                if pods:
                    misscheduled += 1
                continue
            desired += 1
            if not pods:
                continue
            current += 1
            pod = oldest_first(pods)[0]
            if is_pod_ready(pod):
                ready += 1
                if is_pod_available(pod, min_ready, self.now, self.clock):
                    available += 1
                elif min_ready:
                    at = available_at(pod, min_ready, self.clock)
                    if at is not None and (soonest is None or at < soonest):
                        soonest = at
            if is_pod_updated(pod, hash_, generation):
                updated += 1
        status: dict = {
            "currentNumberScheduled": current,
            "desiredNumberScheduled": desired,
            "numberMisscheduled": misscheduled,
            "numberReady": ready,
        }
        for key, value in (
            ("numberAvailable", available),
            ("numberUnavailable", desired - available),
            ("observedGeneration", ds["metadata"].get("generation")),
            ("updatedNumberScheduled", updated),
            ("collisionCount", (ds.get("status") or {}).get("collisionCount")),
        ):
            if value:
                status[key] = value
        set_status(ds, status, self.cluster)
        if soonest is not None:
            self.enqueue_obj_after(ds, max(soonest + 1 - self.now, 0))
