"""The Deployment controller (k/k pkg/controller/deployment: deployment_controller.go,
sync.go, rolling.go, recreate.go, progress.go): ReplicaSets per pod template, rolling and
recreate rollouts, proportional scaling, revision history and the Progressing / Available
conditions."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import controller_user
from engine.events import Source
from engine.store import Change
from engine.workloads import deployment_util as du
from engine.workloads.base import WorkloadController, adopt, release, selector_of, set_status
from engine.workloads.hashing import compute_hash
from engine.workloads.podutil import controller_ref, is_pod_terminal, new_controller_ref

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "deployment-controller"


class DeploymentController(WorkloadController):
    """DeploymentController.syncDeployment for every Deployment."""

    name = COMPONENT
    kind = "Deployment"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.source = Source(COMPONENT)
        self.user = controller_user(COMPONENT)
        self._quiet: dict[tuple[str, str], tuple] = {}
        """Deployments whose last sync only requeued them (see _sync_quietly)."""
        self._requeued_at_once = False
        self._read_clock = False
        cluster.store.watch(self._on_deployment, {"Deployment"})
        cluster.store.watch(self._on_replica_set, {"ReplicaSet"})
        self.index.watch_pods("ReplicaSet", self._on_pod)

    # -- events -----------------------------------------------------------------------------
    def _on_deployment(self, change: Change) -> None:
        if change.type != "DELETED":
            self.enqueue_obj(change.obj)

    def _on_replica_set(self, change: Change) -> None:
        rs = change.obj
        owner = self.owner_of(rs)
        if owner is not None:
            self.enqueue_obj(owner)
        previous = self.index.previous_controller(rs["metadata"].get("uid", ""))
        if previous is not None and (owner is None or owner["metadata"]["uid"] != previous):
            old_owner = self.owner_of(rs, previous)
            if old_owner is not None:
                self.enqueue_obj(old_owner)
        if controller_ref(rs) is None and change.type != "DELETED":
            # An orphan ReplicaSet: any Deployment that selects it may adopt it.
            labels = rs["metadata"].get("labels") or {}
            for deployment in self.store.list("Deployment", rs["metadata"].get("namespace", "")):
                selector = selector_of(deployment)
                if selector is not None and not selector.empty() and selector.matches(labels):
                    self.enqueue_obj(deployment)

    def _on_pod(self, change: Change) -> None:
        # Recreate waits for the old pods to be gone: a deleted pod may unblock it.
        if change.type != "DELETED":
            return
        ref = controller_ref(change.obj)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        rs = self.store.get_by_uid(ref.get("uid", ""))
        if rs is None:
            return
        owner = self.owner_of(rs)
        if owner is not None and owner["spec"].get("strategy", {}).get("type") == "Recreate":
            self.enqueue_obj(owner)

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        deployment = self.get(key)
        if deployment is None:
            self._quiet.pop(key, None)
            return
        self._sync_quietly(key, deployment)

    def _inputs(self, deployment: dict) -> tuple | None:
        """What a rolling sync reads, as resourceVersions: the Deployment and the ReplicaSets
        it controls (None when an orphan ReplicaSet could be adopted, or for Recreate, whose
        sync reads pods too)."""
        namespace = deployment["metadata"].get("namespace", "")
        if self.index.orphan_replica_sets.get(namespace) or (
            deployment["spec"].get("strategy", {}).get("type") == "Recreate"
        ):
            return None
        return (
            deployment["metadata"]["resourceVersion"],
            *[
                rs["metadata"]["resourceVersion"]
                for rs in self.index.controlled_by(deployment["metadata"]["uid"], "ReplicaSet")
            ],
        )

    def _sync_quietly(self, key: tuple[str, str], deployment: dict) -> None:
        """syncDeployment, skipped when it would only requeue itself again.

        A Deployment short of a pod past its progress deadline, whose rollout had completed,
        requeues itself every second (requeueStuckDeployment) until its pods come back: on
        a node failure, every Deployment with a pod there, for minutes. Such a sync writes
        nothing and reads the clock only to requeue, so while the Deployment and its
        ReplicaSets keep the resourceVersions it saw, the next one would do the same: it is
        not run again, only requeued as it would requeue itself.
        """
        inputs = self._inputs(deployment)
        if inputs is not None and self._quiet.get(key) == inputs:
            self.enqueue_obj_after(deployment, 1)
            return
        self._quiet.pop(key, None)
        written = self.store.resource_version
        self._requeued_at_once = self._read_clock = False
        self._sync(deployment)
        if (
            inputs is not None
            and self._requeued_at_once
            and not self._read_clock
            and self.store.resource_version == written
        ):
            self._quiet[key] = inputs

    def _sync(self, deployment: dict) -> None:
        spec = deployment["spec"]
        if spec.get("selector") == {}:
            self.event(
                deployment,
                "Warning",
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            )
            status = dict(deployment.get("status") or {})
            generation = deployment["metadata"].get("generation")
            if status.get("observedGeneration") != generation:
                status["observedGeneration"] = generation
                set_status(deployment, status, self.cluster)
            return
        rs_list = self.claim_replica_sets(deployment)
        if deployment["metadata"].get("deletionTimestamp"):
            self.sync_status_only(deployment, rs_list)
            return
        self.check_paused_conditions(deployment)
        if spec.get("paused"):
            self.sync_scale(deployment, rs_list)
            return
        if self.is_scaling_event(deployment, rs_list):
            self.sync_scale(deployment, rs_list)
            return
        if spec.get("strategy", {}).get("type") == "Recreate":
            self.rollout_recreate(deployment, rs_list)
        else:
            self.rollout_rolling(deployment, rs_list)

    def event(self, obj: dict, type_: str, reason: str, message: str) -> None:
        self.cluster.events.event(obj, type_, reason, message, self.source)

    # -- ReplicaSets ------------------------------------------------------------------------
    def claim_replica_sets(self, deployment: dict) -> list[dict]:
        """getReplicaSetsForDeployment: owned ReplicaSets, adopting and releasing by selector."""
        uid = deployment["metadata"]["uid"]
        selector = selector_of(deployment)
        deleting = bool(deployment["metadata"].get("deletionTimestamp"))
        claimed = []
        for rs in self.index.controlled_by(uid, "ReplicaSet"):
            labels = rs["metadata"].get("labels") or {}
            if deleting or (selector is not None and selector.matches(labels)):
                claimed.append(rs)
            else:
                release(rs, uid, self.cluster)
        namespace = deployment["metadata"].get("namespace", "")
        # Only a ReplicaSet without a controller can be adopted: most syncs have none to look at.
        if (
            not deleting
            and selector is not None
            and not selector.empty()
            and self.index.orphan_replica_sets.get(namespace)
        ):
            # The index's orphans, in the order a listing gives (by name).
            orphans = [
                rs
                for rs in map(
                    self.store.get_by_uid, self.index.orphan_replica_sets.get(namespace, ())
                )
                if rs is not None
            ]
            for rs in sorted(orphans, key=lambda rs: rs["metadata"]["name"]):
                if controller_ref(rs) is not None or rs["metadata"].get("deletionTimestamp"):
                    continue
                if selector.matches(rs["metadata"].get("labels") or {}):
                    adopt(rs, deployment, self.cluster)
                    claimed.append(rs)
        return claimed

    def find_new_replica_set(self, deployment: dict, rs_list: list[dict]) -> dict | None:
        """FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's."""
        template = deployment["spec"].get("template")
        for rs in sorted(rs_list, key=du.by_creation):
            if du.equal_ignore_hash(rs["spec"].get("template"), template):
                return rs
        return None

    def get_all_replica_sets(
        self, deployment: dict, rs_list: list[dict], create: bool
    ) -> tuple[dict | None, list[dict]]:
        """getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked) and the old."""
        existing = self.find_new_replica_set(deployment, rs_list)
        old = [rs for rs in rs_list if existing is None or rs is not existing]
        new_rs = self.get_new_replica_set(deployment, rs_list, old, existing, create)
        return new_rs, old

    def get_new_replica_set(
        self,
        deployment: dict,
        rs_list: list[dict],
        old: list[dict],
        existing: dict | None,
        create: bool,
    ) -> dict | None:
        new_revision = str(du.max_revision(old) + 1)
        # Read-only until a branch writes it: copied there, not on every sync (a Deployment
        # short of pods is synced every second while it waits for its deadline).
        status = deployment.get("status") or {}
        if existing is not None:
            annotations_updated = du.set_new_replica_set_annotations(
                deployment, existing, new_revision, True
            )
            min_ready = int(deployment["spec"].get("minReadySeconds") or 0)
            min_ready_changed = int(existing["spec"].get("minReadySeconds") or 0) != min_ready
            if annotations_updated or min_ready_changed:
                if min_ready:
                    existing["spec"]["minReadySeconds"] = min_ready
                else:
                    existing["spec"].pop("minReadySeconds", None)
                self.store.modified(existing, spec_changed=min_ready_changed)
                return existing
            needs_update = self.set_deployment_revision(
                deployment,
                (existing["metadata"].get("annotations") or {}).get(du.REVISION_ANNOTATION, ""),
            )
            if (
                du.has_progress_deadline(deployment)
                and du.get_condition(status, "Progressing") is None
            ):
                status = copy.deepcopy(status)
                du.set_condition(
                    status,
                    du.new_condition(
                        "Progressing",
                        "True",
                        du.FOUND_NEW_RS_REASON,
                        f'Found new replica set "{existing["metadata"]["name"]}"',
                        self.timestamp(),
                    ),
                )
                deployment["status"] = status
                needs_update = True
            if needs_update:
                self.store.modified(deployment)
            return existing
        if not create:
            return None
        return self.create_new_replica_set(deployment, old, new_revision, copy.deepcopy(status))

    def create_new_replica_set(
        self, deployment: dict, old: list[dict], new_revision: str, status: dict
    ) -> dict | None:
        meta = deployment["metadata"]
        template = copy.deepcopy(deployment["spec"].get("template") or {})
        pod_hash = compute_hash(template, status.get("collisionCount"))
        template.setdefault("metadata", {})
        template["metadata"]["labels"] = {
            **(template["metadata"].get("labels") or {}),
            du.POD_TEMPLATE_HASH: pod_hash,
        }
        selector = copy.deepcopy(deployment["spec"].get("selector") or {})
        selector["matchLabels"] = {
            **(selector.get("matchLabels") or {}),
            du.POD_TEMPLATE_HASH: pod_hash,
        }
        new_rs: dict = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{meta['name']}-{pod_hash}",
                "namespace": meta.get("namespace", "default"),
                "ownerReferences": [new_controller_ref(deployment)],
                "labels": dict(template["metadata"]["labels"]),
            },
            "spec": {"replicas": 0, "selector": selector, "template": template},
        }
        min_ready = int(deployment["spec"].get("minReadySeconds") or 0)
        if min_ready:
            new_rs["spec"]["minReadySeconds"] = min_ready
        new_replicas = du.new_rs_new_replicas(deployment, [*old, new_rs], new_rs)
        new_rs["spec"]["replicas"] = new_replicas
        du.set_new_replica_set_annotations(deployment, new_rs, new_revision, False)
        already_exists = False
        try:
            created = self.cluster.api.create(new_rs, user=self.user).obj
        except errors.APIError as err:
            if err.reason == "AlreadyExists":
                live = self.store.get(
                    "ReplicaSet", new_rs["metadata"]["namespace"], new_rs["metadata"]["name"]
                )
                ref = controller_ref(live) if live is not None else None
                if (
                    live is not None
                    and ref is not None
                    and ref.get("uid") == meta["uid"]
                    and du.equal_ignore_hash(
                        deployment["spec"].get("template"), live["spec"].get("template")
                    )
                ):
                    created = live
                    already_exists = True
                else:
                    # A hash collision: bump collisionCount and try again on the next sync.
                    status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                    set_status(deployment, status, self.cluster)
                    return None
            else:
                message = f'Failed to create new replica set "{new_rs["metadata"]["name"]}": {err.message}'
                if du.has_progress_deadline(deployment):
                    du.set_condition(
                        status,
                        du.new_condition(
                            "Progressing",
                            "False",
                            du.FAILED_RS_CREATE_REASON,
                            message,
                            self.timestamp(),
                        ),
                    )
                    set_status(deployment, status, self.cluster)
                self.event(deployment, "Warning", du.FAILED_RS_CREATE_REASON, message)
                return None
        if not already_exists and new_replicas > 0:
            self.event(
                deployment,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {created['metadata']['name']} to {new_replicas}",
            )
        needs_update = self.set_deployment_revision(deployment, new_revision)
        if not already_exists and du.has_progress_deadline(deployment):
            du.set_condition(
                status,
                du.new_condition(
                    "Progressing",
                    "True",
                    du.NEW_RS_REASON,
                    f'Created new replica set "{created["metadata"]["name"]}"',
                    self.timestamp(),
                ),
            )
            deployment["status"] = status
            needs_update = True
        if needs_update:
            self.store.modified(deployment)
        return created

    def set_deployment_revision(self, deployment: dict, revision: str) -> bool:
        """SetDeploymentRevision: the Deployment carries its new ReplicaSet's revision."""
        annotations = deployment["metadata"].setdefault("annotations", {})
        if annotations.get(du.REVISION_ANNOTATION) == revision:
            return False
        annotations[du.REVISION_ANNOTATION] = revision
        return True

    # -- scaling ReplicaSets ----------------------------------------------------------------
    def scale_replica_set_and_record_event(
        self, rs: dict, new_scale: int, deployment: dict
    ) -> bool:
        if du.rs_replicas(rs) == new_scale:
            return False
        operation = "up" if du.rs_replicas(rs) < new_scale else "down"
        return self.scale_replica_set(rs, new_scale, deployment, operation)

    def scale_replica_set(self, rs: dict, new_scale: int, deployment: dict, operation: str) -> bool:
        """scaleReplicaSet: new size and replica annotations; `ScalingReplicaSet` if resized."""
        old_scale = du.rs_replicas(rs)
        size_changed = old_scale != new_scale
        annotations_changed = du.set_replicas_annotations(
            rs, du.replicas(deployment), du.replicas(deployment) + du.max_surge(deployment)
        )
        if not (size_changed or annotations_changed):
            return False
        rs["spec"]["replicas"] = new_scale
        self.store.modified(rs, spec_changed=size_changed)
        if size_changed:
            self.event(
                deployment,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {operation} replica set {rs['metadata']['name']} to {new_scale} from {old_scale}",
            )
        return size_changed

    def is_scaling_event(self, deployment: dict, rs_list: list[dict]) -> bool:
        """isScalingEvent: an active ReplicaSet's desired-replicas differs from spec.replicas."""
        new_rs, old = self.get_all_replica_sets(deployment, rs_list, False)
        for rs in du.filter_active([*old, new_rs]):
            desired = du.desired_replicas_annotation(rs)
            if desired is not None and desired != du.replicas(deployment):
                return True
        return False

    def scale(self, deployment: dict, new_rs: dict | None, old: list[dict]) -> None:
        """scale: one active ReplicaSet takes all; a saturated new one empties the old;
        otherwise the change is shared in proportion to each ReplicaSet's size."""
        active_or_latest = find_active_or_latest(new_rs, old)
        desired = du.replicas(deployment)
        if active_or_latest is not None:
            if du.rs_replicas(active_or_latest) != desired:
                self.scale_replica_set_and_record_event(active_or_latest, desired, deployment)
            return
        if is_saturated(deployment, new_rs):
            for rs in du.filter_active(old):
                self.scale_replica_set_and_record_event(rs, 0, deployment)
            return
        if not du.is_rolling_update(deployment):
            return
        all_rss = du.filter_active([*old, new_rs])
        allowed = desired + du.max_surge(deployment) if desired > 0 else 0
        to_add = allowed - du.replica_count(all_rss)
        operation = ""
        if to_add > 0:
            all_rss = du.sort_by_size_newer(all_rss)
            operation = "up"
        elif to_add < 0:
            all_rss = du.sort_by_size_older(all_rss)
            operation = "down"
        added = 0
        sizes: dict[str, int] = {}
        for rs in all_rss:
            if to_add != 0:
                proportion = du.get_proportion(rs, deployment, to_add, added)
                sizes[rs["metadata"]["name"]] = du.rs_replicas(rs) + proportion
                added += proportion
            else:
                sizes[rs["metadata"]["name"]] = du.rs_replicas(rs)
        for index, rs in enumerate(all_rss):
            name = rs["metadata"]["name"]
            if index == 0 and to_add != 0:
                sizes[name] = max(sizes[name] + to_add - added, 0)
            self.scale_replica_set(rs, sizes[name], deployment, operation)

    # -- strategies -------------------------------------------------------------------------
    def sync_scale(self, deployment: dict, rs_list: list[dict]) -> None:
        """sync: a paused Deployment or a scaling event only resizes ReplicaSets."""
        new_rs, old = self.get_all_replica_sets(deployment, rs_list, False)
        self.scale(deployment, new_rs, old)
        if deployment["spec"].get("paused"):
            self.cleanup(deployment, old)
        self.sync_deployment_status([*old, new_rs], new_rs, deployment)

    def sync_status_only(self, deployment: dict, rs_list: list[dict]) -> None:
        new_rs, old = self.get_all_replica_sets(deployment, rs_list, False)
        self.sync_deployment_status([*old, new_rs], new_rs, deployment)

    def rollout_rolling(self, deployment: dict, rs_list: list[dict]) -> None:
        """rolloutRolling: scale the new ReplicaSet up, else the old ones down, one step a sync."""
        new_rs, old = self.get_all_replica_sets(deployment, rs_list, True)
        if new_rs is None:
            # The create failed (reported on the Deployment); the sync is retried.
            self.enqueue_obj_after(deployment, 5.0)
            return
        all_rss = [*old, new_rs]
        if self.reconcile_new_replica_set(all_rss, new_rs, deployment):
            self.sync_rollout_status(all_rss, new_rs, deployment)
            return
        if self.reconcile_old_replica_sets(all_rss, du.filter_active(old), new_rs, deployment):
            self.sync_rollout_status(all_rss, new_rs, deployment)
            return
        if du.deployment_complete(deployment, deployment.get("status") or {}):
            self.cleanup(deployment, old)
        self.sync_rollout_status(all_rss, new_rs, deployment)

    def reconcile_new_replica_set(
        self, all_rss: list[dict], new_rs: dict, deployment: dict
    ) -> bool:
        desired = du.replicas(deployment)
        if du.rs_replicas(new_rs) == desired:
            return False
        if du.rs_replicas(new_rs) > desired:
            return self.scale_replica_set_and_record_event(new_rs, desired, deployment)
        count = du.new_rs_new_replicas(deployment, all_rss, new_rs)
        return self.scale_replica_set_and_record_event(new_rs, count, deployment)

    def reconcile_old_replica_sets(
        self, all_rss: list[dict], old: list[dict], new_rs: dict, deployment: dict
    ) -> bool:
        if du.replica_count(old) == 0:
            return False
        bound = du.max_scaled_down(deployment, all_rss, new_rs)
        if bound <= 0:
            return False
        cleaned = self.cleanup_unhealthy_replicas(old, deployment, bound)
        scaled = self.scale_down_old_for_rolling_update([*old, new_rs], old, deployment)
        return cleaned + scaled > 0

    def cleanup_unhealthy_replicas(self, old: list[dict], deployment: dict, bound: int) -> int:
        """cleanupUnhealthyReplicas: old ReplicaSets lose their unavailable replicas first."""
        total = 0
        for rs in sorted(old, key=du.by_creation):
            if total >= bound:
                break
            spec_replicas = du.rs_replicas(rs)
            available = du.rs_status(rs, "availableReplicas")
            if spec_replicas == 0 or spec_replicas == available:
                continue
            count = min(bound - total, spec_replicas - available)
            self.scale_replica_set_and_record_event(rs, spec_replicas - count, deployment)
            total += count
        return total

    def scale_down_old_for_rolling_update(
        self, all_rss: list[dict], old: list[dict], deployment: dict
    ) -> int:
        """scaleDownOldReplicaSetsForRollingUpdate: only as far as maxUnavailable allows."""
        min_available = du.replicas(deployment) - du.max_unavailable(deployment)
        available = du.available_replica_count(all_rss)
        if available <= min_available:
            return 0
        total = 0
        to_scale_down = available - min_available
        for rs in sorted(old, key=du.by_creation):
            if total >= to_scale_down:
                break
            if du.rs_replicas(rs) == 0:
                continue
            count = min(du.rs_replicas(rs), to_scale_down - total)
            self.scale_replica_set_and_record_event(rs, du.rs_replicas(rs) - count, deployment)
            total += count
        return total

    def rollout_recreate(self, deployment: dict, rs_list: list[dict]) -> None:
        """rolloutRecreate: every old pod gone first, then the new ReplicaSet at full size."""
        new_rs, old = self.get_all_replica_sets(deployment, rs_list, False)
        all_rss = [*old, new_rs]
        scaled_down = False
        for rs in du.filter_active(old):
            if self.scale_replica_set_and_record_event(rs, 0, deployment):
                scaled_down = True
        if scaled_down:
            self.sync_rollout_status(all_rss, new_rs, deployment)
            return
        if self.old_pods_running(new_rs, old):
            self.sync_rollout_status(all_rss, new_rs, deployment)
            return
        if new_rs is None:
            new_rs, old = self.get_all_replica_sets(deployment, rs_list, True)
            all_rss = [*old, new_rs]
        if new_rs is not None:
            self.scale_replica_set_and_record_event(new_rs, du.replicas(deployment), deployment)
        if du.deployment_complete(deployment, deployment.get("status") or {}):
            self.cleanup(deployment, old)
        self.sync_rollout_status(all_rss, new_rs, deployment)

    def old_pods_running(self, new_rs: dict | None, old: list[dict]) -> bool:
        """oldPodsRunning: old ReplicaSets report pods, or their pods are not yet terminal."""
        if du.actual_replica_count(old) > 0:
            return True
        for rs in old:
            if new_rs is not None and rs is new_rs:
                continue
            for pod in self.index.controlled_by(rs["metadata"]["uid"], "Pod"):
                if not is_pod_terminal(pod):
                    return True
        return False

    def cleanup(self, deployment: dict, old: list[dict]) -> None:
        """cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit."""
        if not du.has_revision_history_limit(deployment):
            return
        alive = [rs for rs in old if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - int(deployment["spec"]["revisionHistoryLimit"])
        if diff <= 0:
            return
        for rs in sorted(alive, key=du.by_revision)[:diff]:
            status = rs.get("status") or {}
            if (
                int(status.get("replicas") or 0) != 0
                or du.rs_replicas(rs) != 0
                or int(rs["metadata"].get("generation") or 0)
                > int(status.get("observedGeneration") or 0)
            ):
                continue
            try:
                self.cluster.api.delete(
                    "ReplicaSet",
                    rs["metadata"].get("namespace", ""),
                    rs["metadata"]["name"],
                    user=self.user,
                )
            except errors.APIError:
                continue

    # -- status -----------------------------------------------------------------------------
    def calculate_status(
        self, all_rss: list[dict | None], new_rs: dict | None, deployment: dict
    ) -> dict:
        """calculateStatus: counts from the ReplicaSets and the Available condition."""
        rss = [rs for rs in all_rss if rs is not None]
        available = du.available_replica_count(rss)
        unavailable = max(du.replica_count(rss) - available, 0)
        old = deployment.get("status") or {}
        status: dict = {}
        for key, value in (
            ("observedGeneration", deployment["metadata"].get("generation")),
            ("replicas", du.actual_replica_count(rss)),
            ("updatedReplicas", du.actual_replica_count([new_rs])),
            ("readyReplicas", du.ready_replica_count(rss)),
            ("availableReplicas", available),
            ("unavailableReplicas", unavailable),
            ("collisionCount", old.get("collisionCount")),
        ):
            if value:
                status[key] = value
        if old.get("conditions"):
            # DeploymentConditions hold only strings: a copy of each is a deep copy.
            status["conditions"] = [dict(condition) for condition in old["conditions"]]
        if available >= du.replicas(deployment) - du.max_unavailable(deployment):
            condition = du.new_condition(
                "Available",
                "True",
                du.MINIMUM_REPLICAS_AVAILABLE,
                "Deployment has minimum availability.",
                self.timestamp(),
            )
        else:
            condition = du.new_condition(
                "Available",
                "False",
                du.MINIMUM_REPLICAS_UNAVAILABLE,
                "Deployment does not have minimum availability.",
                self.timestamp(),
            )
        du.set_condition(status, condition)
        return status

    def sync_deployment_status(
        self, all_rss: list[dict | None], new_rs: dict | None, deployment: dict
    ) -> None:
        set_status(deployment, self.calculate_status(all_rss, new_rs, deployment), self.cluster)

    def sync_rollout_status(
        self, all_rss: list[dict | None], new_rs: dict | None, deployment: dict
    ) -> None:
        """syncRolloutStatus: the Progressing condition, ReplicaFailure, and the deadline check."""
        new_status = self.calculate_status(all_rss, new_rs, deployment)
        if not du.has_progress_deadline(deployment):
            du.remove_condition(new_status, "Progressing")
        current = du.get_condition(deployment.get("status") or {}, "Progressing")
        complete_before = (
            int(new_status.get("replicas") or 0) == int(new_status.get("updatedReplicas") or 0)
            and current is not None
            and current.get("reason") == du.NEW_RS_AVAILABLE_REASON
        )
        name = new_rs["metadata"]["name"] if new_rs is not None else None
        now = self.timestamp()
        if du.has_progress_deadline(deployment) and not complete_before:
            self._read_clock = True  # the deadline, checked against now
            if du.deployment_complete(deployment, new_status):
                message = (
                    f'ReplicaSet "{name}" has successfully progressed.'
                    if name
                    else f'Deployment "{deployment["metadata"]["name"]}" has successfully progressed.'
                )
                du.set_condition(
                    new_status,
                    du.new_condition(
                        "Progressing", "True", du.NEW_RS_AVAILABLE_REASON, message, now
                    ),
                )
            elif du.deployment_progressing(deployment, new_status):
                message = (
                    f'ReplicaSet "{name}" is progressing.'
                    if name
                    else f'Deployment "{deployment["metadata"]["name"]}" is progressing.'
                )
                condition = du.new_condition(
                    "Progressing", "True", du.REPLICA_SET_UPDATED_REASON, message, now
                )
                if current is not None:
                    if current.get("status") == "True":
                        condition["lastTransitionTime"] = current.get("lastTransitionTime")
                    du.remove_condition(new_status, "Progressing")
                du.set_condition(new_status, condition)
            elif du.deployment_timed_out(
                deployment, new_status, self.now, self._progress_update_seconds(new_status)
            ):
                message = (
                    f'ReplicaSet "{name}" has timed out progressing.'
                    if name
                    else f'Deployment "{deployment["metadata"]["name"]}" has timed out progressing.'
                )
                du.set_condition(
                    new_status,
                    du.new_condition("Progressing", "False", du.TIMED_OUT_REASON, message, now),
                )
        failure = self.replica_failure(all_rss, new_rs)
        if failure is not None:
            du.set_condition(new_status, failure)
        else:
            du.remove_condition(new_status, "ReplicaFailure")
        if not set_status(deployment, new_status, self.cluster):
            self.requeue_stuck_deployment(deployment, new_status)

    def _progress_update_seconds(self, status: dict) -> float | None:
        condition = du.get_condition(status, "Progressing")
        if condition is None:
            return None
        return self.seconds(condition.get("lastUpdateTime"))

    def replica_failure(self, all_rss: list[dict | None], new_rs: dict | None) -> dict | None:
        """getReplicaFailures: the new ReplicaSet's ReplicaFailure first, then any old one's."""
        ordered = [new_rs, *[rs for rs in all_rss if rs is not new_rs]]
        for rs in ordered:
            if rs is None:
                continue
            for condition in (rs.get("status") or {}).get("conditions") or ():
                if condition.get("type") == "ReplicaFailure":
                    return {
                        "lastTransitionTime": condition.get("lastTransitionTime"),
                        "lastUpdateTime": condition.get("lastTransitionTime"),
                        "message": condition.get("message", ""),
                        "reason": condition.get("reason", ""),
                        "status": condition.get("status", ""),
                        "type": "ReplicaFailure",
                    }
        return None

    def requeue_stuck_deployment(self, deployment: dict, new_status: dict) -> None:
        """requeueStuckDeployment: look again when the progress deadline would pass."""
        current = du.get_condition(deployment.get("status") or {}, "Progressing")
        if not du.has_progress_deadline(deployment) or current is None:
            return
        if (
            du.deployment_complete(deployment, new_status)
            or current.get("reason") == du.TIMED_OUT_REASON
        ):
            return
        last = self.seconds(current.get("lastUpdateTime"))
        if last is None:
            return
        after = last + int(deployment["spec"]["progressDeadlineSeconds"]) - self.now
        # Timed out once strictly past the deadline: look a second after it.
        self.enqueue_obj_after(deployment, max(after, 0) + 1)
        # Past it already: every later sync on the same inputs requeues a second on too.
        self._requeued_at_once = after <= 0

    def check_paused_conditions(self, deployment: dict) -> None:
        """checkPausedConditions: Progressing Unknown while paused, and again when resumed."""
        if not du.has_progress_deadline(deployment):
            return
        status = deployment.get("status") or {}
        current = du.get_condition(status, "Progressing")
        if current is not None and current.get("reason") == du.TIMED_OUT_REASON:
            return
        paused = bool(deployment["spec"].get("paused"))
        paused_condition = current is not None and current.get("reason") == du.PAUSED_DEPLOY_REASON
        if paused and not paused_condition:
            condition = du.new_condition(
                "Progressing",
                "Unknown",
                du.PAUSED_DEPLOY_REASON,
                "Deployment is paused",
                self.timestamp(),
            )
        elif not paused and paused_condition:
            condition = du.new_condition(
                "Progressing",
                "Unknown",
                du.RESUMED_DEPLOY_REASON,
                "Deployment is resumed",
                self.timestamp(),
            )
        else:
            return
        new_status = copy.deepcopy(status)
        du.set_condition(new_status, condition)
        set_status(deployment, new_status, self.cluster)


def find_active_or_latest(new_rs: dict | None, old: list[dict]) -> dict | None:
    """FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active."""
    if new_rs is None and not old:
        return None
    old_sorted = sorted(old, key=du.by_creation, reverse=True)
    active = du.filter_active([*old_sorted, new_rs])
    if not active:
        return new_rs if new_rs is not None else old_sorted[0]
    if len(active) == 1:
        return active[0]
    return None


def is_saturated(deployment: dict, rs: dict | None) -> bool:
    """IsSaturated: the new ReplicaSet is full size and fully available."""
    if rs is None:
        return False
    desired = du.desired_replicas_annotation(rs)
    if desired is None:
        return False
    want = du.replicas(deployment)
    return (
        du.rs_replicas(rs) == want
        and desired == want
        and du.rs_status(rs, "availableReplicas") == want
    )
