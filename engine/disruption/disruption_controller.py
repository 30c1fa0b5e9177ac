"""The disruption controller: keeps every PodDisruptionBudget's status true to its pods
(k8s.io/kubernetes/pkg/controller/disruption/disruption.go).

A budget is synced when it changes and when one of its pods changes. Like upstream, a pod
change wakes only the first budget that selects the pod (with a MultiplePodDisruptionBudgets
warning when there are more), and a controller's scale change wakes nothing until its pods
change. Events come from `controllermanager`, the source upstream's recorder names.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.controllers.base import QueueController
from engine.disruption import budget, finders
from engine.disruption.budget_pods import Members, budget_pods
from engine.disruption.node_pods import node_pod_index
from engine.disruption.podutil import (
    DISRUPTION_TARGET,
    TERMINATION_BY_KUBELET,
    get_pod_condition,
    is_deleting,
    is_pod_terminal,
    update_pod_condition,
)
from engine.disruption.selection import budget_index
from engine.events import Source
from engine.labels import Selector, SelectorError, parsed_label_selector
from engine.store import Change
from engine.timeutil import parse_time

if TYPE_CHECKING:
    from engine.cluster import Cluster

PDB = "PodDisruptionBudget"
SOURCE = Source("controllermanager")
# The controller's clock moves on between two syncs; the simulated one does not within an
# instant, so a recheck due "now" is taken a millisecond later.
MIN_RECHECK = 0.001

UNMANAGED_PODS_MESSAGE = (
    "Pods selected by this PodDisruptionBudget (selector: {selector}) were found to be "
    "unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may "
    'result in undefined behavior. To account for these pods please set ".spec.minAvailable" '
    "field of the PDB to an integer value."
)


class SyncError(Exception):
    """trySync failed; failSafe writes the message into the DisruptionAllowed condition."""


def go_label_selector(selector: dict | None) -> str:
    """`%v` of a *metav1.LabelSelector (its generated String method).

    The format of the gogo-protobuf String() methods (unverified for the newest releases,
    whose generated code may differ).
    """
    if selector is None:
        return "nil"
    labels = "".join(f"{k}: {v}," for k, v in sorted((selector.get("matchLabels") or {}).items()))
    exprs = "".join(
        "LabelSelectorRequirement{"
        f"Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(e.get('values') or [])}],"
        "},"
        for e in selector.get("matchExpressions") or []
    )
    return (
        f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
    )


def go_selector_error(selector: Any) -> str:
    """The error LabelSelectorAsSelector returns for an operator it does not know."""
    for expr in (selector or {}).get("matchExpressions") or []:
        if expr.get("operator") not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return f"{json.dumps(expr.get('operator', ''))} is not a valid label selector operator"
    return "invalid label selector"


class DisruptionController(QueueController):
    """Syncs PodDisruptionBudget status; resets stale DisruptionTarget pod conditions."""

    name = "disruption"
    from_counts = True
    """Sync from each budget's counts (budget_pods) when kept; a test turns this off to
    compare with syncs that list every pod."""
    filed_shortcut = True
    """Take a changed pod's budgets from where the budget counts filed it; a test turns this
    off to compare with asking for them again."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.store = cluster.store
        self.events = cluster.events
        # Subscribed first, so it is up to date when the watchers below are told of a change.
        self.index = budget_index(cluster)
        # Each budget's pods as counts (after the index: it files pods by the index's say).
        self.members = budget_pods(cluster)
        # Kept from boot, so that a drain's listing of a node's pods never scans them all.
        node_pod_index(cluster)
        self.store.watch(self._on_pdb, {PDB})
        self.store.watch(self._on_pod, {"Pod"})

    # -- watches ----------------------------------------------------------------------------
    def _on_pdb(self, change: Change) -> None:
        meta = change.obj["metadata"]
        self.enqueue(("pdb", meta.get("namespace", ""), meta["name"]))

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        names = None
        if change.type != "DELETED" and self.filed_shortcut:
            # The budget counts were told of this change first and filed the pod under the
            # budgets selecting its labels now: the same answer, not asked again.
            meta = pod["metadata"]
            names = self.members.filed_under(meta.get("namespace", ""), meta["name"])
        found = self.pdb_for_pod(pod, names)
        if found is not None:
            self.enqueue(("pdb", found["metadata"]["namespace"], found["metadata"]["name"]))
        if change.type != "DELETED":
            stale, wait = self._stale_disruption_condition(pod)
            if stale:
                meta = pod["metadata"]
                self.enqueue_after(("pod", meta.get("namespace", ""), meta["name"]), wait)

    def matching_pdbs(self, pod: dict, names: tuple[str, ...] | None = None) -> list[dict]:
        """GetPodPodDisruptionBudgets: the budgets whose (valid) selector selects the pod
        (`names`: theirs, when already known)."""
        meta = pod["metadata"]
        namespace = meta.get("namespace", "")
        if names is None:
            # The budget counts' answer for the pod's label set (the index's, remembered).
            names = self.members.selecting(namespace, meta.get("labels"))
        if not names:
            return []
        get = self.store.get
        return [pdb for pdb in (get(PDB, namespace, name) for name in names) if pdb is not None]

    def pdb_for_pod(self, pod: dict, names: tuple[str, ...] | None = None) -> dict | None:
        """getPdbForPod: the first budget (by name) selecting the pod; warns if there are more."""
        pdbs = self.matching_pdbs(pod, names)
        if not pdbs:
            return None
        if len(pdbs) > 1:
            meta = pod["metadata"]
            message = (
                f"Pod {json.dumps(meta.get('namespace', ''))}/{json.dumps(meta['name'])} matches "
                f"multiple PodDisruptionBudgets.  Chose {json.dumps(pdbs[0]['metadata']['name'])} "
                "arbitrarily."
            )
            self.events.event(pod, "Warning", "MultiplePodDisruptionBudgets", message, SOURCE)
        return pdbs[0]

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str, str]) -> None:
        what, namespace, name = key
        if what == "pod":
            self._sync_stale_pod_disruption(namespace, name)
            return
        pdb = self.store.get(PDB, namespace, name)
        if pdb is None:
            return
        try:
            self._try_sync(pdb)
        except SyncError as err:
            self._fail_safe(pdb, str(err))

    def _selector_for(self, pdb: dict) -> Selector:
        selector_spec = (pdb.get("spec") or {}).get("selector")
        try:
            return parsed_label_selector(selector_spec)
        except SelectorError:
            message = go_selector_error(selector_spec)
            self.events.event(pdb, "Warning", "NoPods", f"Failed to get pods: {message}", SOURCE)
            raise SyncError(message) from None

    def _try_sync(self, pdb: dict) -> None:
        selector = self._selector_for(pdb)
        meta = pdb["metadata"]
        namespace = meta.get("namespace", "")
        members = (
            self.members.members(namespace, meta["name"], selector) if self.from_counts else None
        )
        if members is None:
            self._sync_pods(pdb, self.index.pods_for(namespace, selector))
        else:
            self._sync_members(pdb, members)

    def _expected_count(
        self, pdb: dict, pod_count: int, scale: budget.ScaleLookup
    ) -> budget.ExpectedCount:
        spec = pdb.get("spec") or {}
        try:
            counted = budget.get_expected_pod_count(spec, pod_count, scale)
        except budget.ExpectedCountError as err:
            self.events.event(
                pdb,
                "Warning",
                "CalculateExpectedPodCountFailed",
                f"Failed to calculate the number of expected pods: {err}",
                SOURCE,
            )
            raise SyncError(str(err)) from None
        if counted.unmanaged_pods:
            self.events.event(
                pdb,
                "Warning",
                "UnmanagedPods",
                UNMANAGED_PODS_MESSAGE.format(selector=go_label_selector(spec.get("selector"))),
                SOURCE,
            )
        return counted

    def _sync_pods(self, pdb: dict, pods: list[dict]) -> None:
        """trySync over the budget's pods, listed."""
        if not pods:
            self.events.event(pdb, "Normal", "NoPods", "No matching pods found", SOURCE)
        counted = self._expected_count(
            pdb, len(pods), lambda: finders.expected_scale(self.store, pods)
        )
        now = self.cluster.clock.now_datetime()
        status = pdb.get("status") or {}
        disrupted = budget.build_disrupted_pod_map(pods, status.get("disruptedPods"), now)
        self._warn_not_deleted(pdb, disrupted.not_deleted)
        current = budget.count_healthy_pods(pods, disrupted.disrupted_pods, now)
        self._finish(pdb, current, counted, disrupted, now)

    def _sync_members(self, pdb: dict, members: Members) -> None:
        """trySync from the budget's counts: what _sync_pods computes, reading only the pods
        named in status.disruptedPods (the only ones whose entries change their counting)."""
        namespace = pdb["metadata"].get("namespace", "")
        if not members.pods:
            self.events.event(pdb, "Normal", "NoPods", "No matching pods found", SOURCE)

        def scale() -> tuple[int, list[str]]:
            found = self.members.expected_scale(namespace, members)
            if found is not None:
                return found
            # A reference that does not resolve: ask the pods in order, for upstream's error.
            pods = self.members.pods_named(namespace, members, members.pods)
            return finders.expected_scale(self.store, pods)

        counted = self._expected_count(pdb, len(members.pods), scale)
        now = self.cluster.clock.now_datetime()
        status = pdb.get("status") or {}
        recorded = status.get("disruptedPods")
        named = self.members.pods_named(namespace, members, recorded) if recorded else []
        disrupted = budget.build_disrupted_pod_map(named, recorded, now)
        self._warn_not_deleted(pdb, disrupted.not_deleted)
        current = members.healthy
        if disrupted.disrupted_pods:
            # countHealthyPods skips the disrupted among the healthy: count those again.
            kept = [pod for pod in named if pod["metadata"]["name"] in disrupted.disrupted_pods]
            current += budget.count_healthy_pods(
                kept, disrupted.disrupted_pods, now
            ) - budget.count_healthy_pods(kept, {}, now)
        self._finish(pdb, current, counted, disrupted, now)

    def _warn_not_deleted(self, pdb: dict, pods: list[dict]) -> None:
        namespace = pdb["metadata"].get("namespace", "")
        for pod in pods:
            # Upstream formats pdb.Namespace twice (pdb.Namespace, pdb.Namespace).
            self.events.event(
                pod,
                "Warning",
                "NotDeleted",
                f"Pod was expected by PDB {namespace}/{namespace} to be deleted but it wasn't",
                SOURCE,
            )

    def _finish(
        self,
        pdb: dict,
        current: int,
        counted: budget.ExpectedCount,
        disrupted: budget.DisruptedPodMap,
        now: datetime,
    ) -> None:
        self._update_status(
            pdb, current, counted.desired_healthy, counted.expected_count, disrupted.disrupted_pods
        )
        if disrupted.recheck_time is not None:
            namespace = pdb["metadata"].get("namespace", "")
            delay = (disrupted.recheck_time - now).total_seconds()
            self.enqueue_after(("pdb", namespace, pdb["metadata"]["name"]), max(delay, MIN_RECHECK))

    def _update_status(
        self,
        pdb: dict,
        current_healthy: int,
        desired_healthy: int,
        expected_count: int,
        disrupted_pods: dict[str, str],
    ) -> None:
        allowed = budget.disruptions_allowed(current_healthy, desired_healthy, expected_count)
        old = pdb.get("status") or {}
        generation = pdb["metadata"].get("generation", 0)
        if (
            old.get("currentHealthy", 0) == current_healthy
            and old.get("desiredHealthy", 0) == desired_healthy
            and old.get("expectedPods", 0) == expected_count
            and old.get("disruptionsAllowed", 0) == allowed
            and (old.get("disruptedPods") or {}) == disrupted_pods
            and old.get("observedGeneration", 0) == generation
            and budget.conditions_are_up_to_date(pdb)
        ):
            return
        status: dict = {
            "conditions": copy.deepcopy(old.get("conditions") or []),
            "currentHealthy": current_healthy,
            "desiredHealthy": desired_healthy,
            "disruptionsAllowed": allowed,
            "expectedPods": expected_count,
            "observedGeneration": generation,
        }
        if disrupted_pods:
            status["disruptedPods"] = dict(sorted(disrupted_pods.items()))
        budget.update_disruption_allowed_condition(status, self.cluster.clock.now_datetime())
        self._write_status(pdb, status)

    def _fail_safe(self, pdb: dict, message: str) -> None:
        """failSafe: no disruption allowed, and the condition says why."""
        status = copy.deepcopy(pdb.get("status") or budget.empty_status())
        status["disruptionsAllowed"] = 0
        conditions = status.setdefault("conditions", [])
        budget.set_status_condition(
            conditions,
            {
                "type": budget.DISRUPTION_ALLOWED,
                "status": "False",
                "reason": budget.SYNC_FAILED,
                "message": message,
                "observedGeneration": status.get("observedGeneration", 0),
            },
            self.cluster.clock.now_datetime(),
        )
        if status != pdb.get("status"):
            self._write_status(pdb, status)

    def _write_status(self, pdb: dict, status: dict) -> None:
        pdb["status"] = dict(sorted(status.items()))
        self.store.modified(pdb)

    # -- stale DisruptionTarget conditions ----------------------------------------------------
    def _stale_disruption_condition(self, pod: dict) -> tuple[bool, float]:
        """nonTerminatingPodHasStaleDisruptionCondition: (stale?, seconds until it is)."""
        if is_deleting(pod):
            return False, 0.0
        condition = get_pod_condition(pod, DISRUPTION_TARGET)
        if (
            condition is None
            or condition.get("status") != "True"
            or condition.get("reason") == TERMINATION_BY_KUBELET
            or is_pod_terminal(pod)
        ):
            return False, 0.0
        since = self.cluster.clock.seconds_since(parse_time(condition["lastTransitionTime"]))
        return True, max(budget.STALE_POD_DISRUPTION_TIMEOUT - since, 0.0)

    def _sync_stale_pod_disruption(self, namespace: str, name: str) -> None:
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            return
        stale, wait = self._stale_disruption_condition(pod)
        if not stale:
            return
        if wait > 0:
            self.enqueue_after(("pod", namespace, name), wait)
            return
        status = pod.setdefault("status", {})
        if update_pod_condition(
            status,
            {"type": DISRUPTION_TARGET, "status": "False"},
            self.cluster.clock.timestamp(),
        ):
            self.store.modified(pod)
