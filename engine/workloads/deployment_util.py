"""The Deployment controller's arithmetic and bookkeeping, as pure functions
(k/k pkg/controller/deployment/util/deployment_util.go)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from engine.workloads.intstr import IntOrString, value_or_zero

MAX_INT32 = 2**31 - 1

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
POD_TEMPLATE_HASH = "pod-template-hash"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

# Progressing / Available condition reasons.
NEW_RS_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
PAUSED_DEPLOY_REASON = "DeploymentPaused"
RESUMED_DEPLOY_REASON = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

SKIP_COPY_ANNOTATIONS = frozenset(
    {
        LAST_APPLIED,
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        DEPRECATED_ROLLBACK_TO,
    }
)


# -- fenceposts -----------------------------------------------------------------------------
def resolve_fenceposts(
    max_surge: IntOrString | None, max_unavailable: IntOrString | None, desired: int
) -> tuple[int, int]:
    """ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 makes unavailable 1."""
    surge = value_or_zero(max_surge, desired, True)
    unavailable = value_or_zero(max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        # "if the user wants to avoid downtime, they should set maxSurge".
        unavailable = 1
    return surge, unavailable


def _rolling(deployment: dict) -> dict:
    return ((deployment.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}


def is_rolling_update(deployment: dict) -> bool:
    return ((deployment.get("spec") or {}).get("strategy") or {}).get("type") == "RollingUpdate"


def replicas(deployment: dict) -> int:
    return int((deployment.get("spec") or {}).get("replicas") or 0)


def max_unavailable(deployment: dict) -> int:
    """MaxUnavailable: 0 unless RollingUpdate with replicas; capped at replicas."""
    desired = replicas(deployment)
    if not is_rolling_update(deployment) or desired == 0:
        return 0
    rolling = _rolling(deployment)
    _, unavailable = resolve_fenceposts(
        rolling.get("maxSurge"), rolling.get("maxUnavailable"), desired
    )
    return min(unavailable, desired)


def max_surge(deployment: dict) -> int:
    """MaxSurge: 0 unless RollingUpdate."""
    if not is_rolling_update(deployment):
        return 0
    rolling = _rolling(deployment)
    surge, _ = resolve_fenceposts(
        rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas(deployment)
    )
    return surge


# -- replica set arithmetic -----------------------------------------------------------------
def rs_replicas(rs: dict | None) -> int:
    return int(((rs or {}).get("spec") or {}).get("replicas") or 0)


def rs_status(rs: dict | None, field: str) -> int:
    return int(((rs or {}).get("status") or {}).get(field) or 0)


def replica_count(rss: Iterable[dict | None]) -> int:
    """GetReplicaCountForReplicaSets: the sum of spec.replicas."""
    return sum(rs_replicas(rs) for rs in rss if rs is not None)


def actual_replica_count(rss: Iterable[dict | None]) -> int:
    """GetActualReplicaCountForReplicaSets: the sum of status.replicas."""
    return sum(rs_status(rs, "replicas") for rs in rss if rs is not None)


def ready_replica_count(rss: Iterable[dict | None]) -> int:
    return sum(rs_status(rs, "readyReplicas") for rs in rss if rs is not None)


def available_replica_count(rss: Iterable[dict | None]) -> int:
    return sum(rs_status(rs, "availableReplicas") for rs in rss if rs is not None)


def filter_active(rss: Iterable[dict | None]) -> list[dict]:
    """FilterActiveReplicaSets: spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and rs_replicas(rs) > 0]


def new_rs_new_replicas(deployment: dict, all_rss: Sequence[dict | None], new_rs: dict) -> int:
    """NewRSNewReplicas: how far the new ReplicaSet may scale up now."""
    desired = replicas(deployment)
    strategy = ((deployment.get("spec") or {}).get("strategy") or {}).get("type")
    if strategy == "Recreate":
        return desired
    surge = value_or_zero(_rolling(deployment).get("maxSurge"), desired, True)
    current = replica_count(all_rss)
    max_total = desired + surge
    if current >= max_total:
        return rs_replicas(new_rs)
    scale_up = min(max_total - current, desired - rs_replicas(new_rs))
    return rs_replicas(new_rs) + scale_up


def max_scaled_down(deployment: dict, all_rss: Sequence[dict | None], new_rs: dict) -> int:
    """reconcileOldReplicaSets' bound on how many old replicas may go in this step."""
    min_available = replicas(deployment) - max_unavailable(deployment)
    new_unavailable = rs_replicas(new_rs) - rs_status(new_rs, "availableReplicas")
    return replica_count(all_rss) - min_available - new_unavailable


def round_half_away(value: float) -> int:
    """integer.RoundToInt32 (math.Round: halves away from zero)."""
    if value < 0:
        return -int(-value + 0.5)
    return int(value + 0.5)


def replica_set_fraction(rs: dict, deployment: dict) -> int:
    """getReplicaSetFraction: this ReplicaSet's share of a scaling event."""
    if replicas(deployment) == 0:
        return -rs_replicas(rs)
    deployment_replicas = replicas(deployment) + max_surge(deployment)
    annotated = max_replicas_annotation(rs)
    if annotated is None:
        annotated = int(((deployment.get("status") or {}).get("replicas")) or 0)
    if annotated == 0:
        return 0
    new_size = float(rs_replicas(rs) * deployment_replicas) / float(annotated)
    return round_half_away(new_size) - rs_replicas(rs)


def get_proportion(rs: dict | None, deployment: dict, to_add: int, added: int) -> int:
    """GetProportion: the replicas this ReplicaSet gains or loses, bounded by what is left."""
    if rs is None or rs_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replica_set_fraction(rs, deployment)
    allowed = to_add - added
    if to_add > 0:
        return min(fraction, allowed)
    return max(fraction, allowed)


# -- annotations ----------------------------------------------------------------------------
def _annotation_int(rs: dict, key: str) -> int | None:
    value = (rs["metadata"].get("annotations") or {}).get(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def desired_replicas_annotation(rs: dict) -> int | None:
    return _annotation_int(rs, DESIRED_REPLICAS_ANNOTATION)


def max_replicas_annotation(rs: dict) -> int | None:
    return _annotation_int(rs, MAX_REPLICAS_ANNOTATION)


def revision(obj: dict) -> int:
    """Revision: the revision annotation as an int (0 when absent or bad)."""
    return _annotation_int(obj, REVISION_ANNOTATION) or 0


def max_revision(rss: Iterable[dict]) -> int:
    return max((revision(rs) for rs in rss), default=0)


def set_replicas_annotations(rs: dict, desired: int, max_replicas: int) -> bool:
    """SetReplicasAnnotations: desired-replicas and max-replicas; True if either changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (
        (DESIRED_REPLICAS_ANNOTATION, str(desired)),
        (MAX_REPLICAS_ANNOTATION, str(max_replicas)),
    ):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def copy_deployment_annotations(deployment: dict, rs: dict) -> bool:
    """copyDeploymentAnnotationsToReplicaSet (apply and revision annotations excepted)."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (deployment["metadata"].get("annotations") or {}).items():
        if key in SKIP_COPY_ANNOTATIONS or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_new_replica_set_annotations(
    deployment: dict, rs: dict, new_revision: str, exists: bool
) -> bool:
    """SetNewReplicaSetAnnotations: copied annotations, the revision (and its history when a
    rollback re-uses an old ReplicaSet), and the replica annotations of a new one."""
    changed = copy_deployment_annotations(deployment, rs)
    annotations = rs["metadata"].setdefault("annotations", {})
    old_revision = annotations.get(REVISION_ANNOTATION)
    had_revision = old_revision is not None
    try:
        old_value = int(old_revision) if old_revision is not None else 0
    except ValueError:
        if old_revision:
            return False
        old_value = 0
    new_value = int(new_revision)
    if old_value < new_value:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
    if had_revision and old_value < new_value:
        history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
        old_revisions = history.split(",")
        if not old_revisions[0]:
            annotations[REVISION_HISTORY_ANNOTATION] = old_revision
        else:
            total = len(history) + len(old_revision) + 1
            start = 0
            while total > MAX_REV_HISTORY_LENGTH_IN_CHARS and start < len(old_revisions):
                total -= len(old_revisions[start]) + 1
                start += 1
            if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS:
                annotations[REVISION_HISTORY_ANNOTATION] = ",".join(
                    [*old_revisions[start:], old_revision]
                )
    if not exists and set_replicas_annotations(
        rs, replicas(deployment), replicas(deployment) + max_surge(deployment)
    ):
        changed = True
    return changed


# -- templates ------------------------------------------------------------------------------
def template_without_hash(template: dict | None) -> dict:
    template = copy.deepcopy(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(POD_TEMPLATE_HASH, None)
        if not labels:
            template["metadata"].pop("labels")
    return template


def equal_ignore_hash(a: dict | None, b: dict | None) -> bool:
    """EqualIgnoreHash: two pod templates equal once pod-template-hash is dropped."""
    a, b = a or {}, b or {}
    if a.get("spec") != b.get("spec"):
        return False
    meta_a, meta_b = a.get("metadata") or {}, b.get("metadata") or {}
    if {k: v for k, v in meta_a.items() if k != "labels"} != {
        k: v for k, v in meta_b.items() if k != "labels"
    }:
        return False
    labels_a = {k: v for k, v in (meta_a.get("labels") or {}).items() if k != POD_TEMPLATE_HASH}
    labels_b = {k: v for k, v in (meta_b.get("labels") or {}).items() if k != POD_TEMPLATE_HASH}
    return labels_a == labels_b


# -- conditions -----------------------------------------------------------------------------
def get_condition(status: dict, kind: str) -> dict | None:
    for condition in status.get("conditions") or ():
        if condition.get("type") == kind:
            return condition
    return None


def new_condition(kind: str, status: str, reason: str, message: str, now: str) -> dict:
    """NewDeploymentCondition: lastUpdateTime and lastTransitionTime both now."""
    return {
        "lastTransitionTime": now,
        "lastUpdateTime": now,
        "message": message,
        "reason": reason,
        "status": status,
        "type": kind,
    }


def set_condition(status: dict, condition: dict) -> None:
    """SetDeploymentCondition: same status and reason changes nothing; same status keeps
    lastTransitionTime; the condition moves to the end."""
    current = get_condition(status, condition["type"])
    if (
        current is not None
        and current.get("status") == condition["status"]
        and current.get("reason") == condition["reason"]
    ):
        return
    if current is not None and current.get("status") == condition["status"]:
        condition["lastTransitionTime"] = current.get("lastTransitionTime")
    conditions = [c for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    conditions.append(condition)
    status["conditions"] = conditions


def remove_condition(status: dict, kind: str) -> None:
    conditions = [c for c in status.get("conditions") or () if c.get("type") != kind]
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)


def has_progress_deadline(deployment: dict) -> bool:
    deadline = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def has_revision_history_limit(deployment: dict) -> bool:
    limit = (deployment.get("spec") or {}).get("revisionHistoryLimit")
    return limit is not None and limit != MAX_INT32


def deployment_complete(deployment: dict, status: dict) -> bool:
    """DeploymentComplete: every replica updated and available, and the spec observed."""
    desired = replicas(deployment)
    return (
        int(status.get("updatedReplicas") or 0) == desired
        and int(status.get("replicas") or 0) == desired
        and int(status.get("availableReplicas") or 0) == desired
        and int(status.get("observedGeneration") or 0)
        >= int(deployment["metadata"].get("generation") or 0)
    )


def deployment_progressing(deployment: dict, new_status: dict) -> bool:
    """DeploymentProgressing: more updated, ready or available replicas, or fewer old ones."""
    old = deployment.get("status") or {}

    def get(status: dict, key: str) -> int:
        return int(status.get(key) or 0)

    old_old = get(old, "replicas") - get(old, "updatedReplicas")
    new_old = get(new_status, "replicas") - get(new_status, "updatedReplicas")
    return (
        get(new_status, "updatedReplicas") > get(old, "updatedReplicas")
        or new_old < old_old
        or get(new_status, "readyReplicas") > get(old, "readyReplicas")
        or get(new_status, "availableReplicas") > get(old, "availableReplicas")
    )


def deployment_timed_out(
    deployment: dict, new_status: dict, now: float, last_update: float | None
) -> bool:
    """DeploymentTimedOut: no progress for progressDeadlineSeconds (strictly before now).

    `last_update` is the Progressing condition's lastUpdateTime in simulated seconds.
    """
    if not has_progress_deadline(deployment):
        return False
    condition = get_condition(new_status, "Progressing")
    if condition is None:
        return False
    if condition.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if condition.get("reason") == TIMED_OUT_REASON:
        return True
    if last_update is None:
        return False
    deadline = int(deployment["spec"]["progressDeadlineSeconds"])
    return last_update + deadline < now


# -- sorting --------------------------------------------------------------------------------
def by_creation(rs: dict) -> tuple[str, str]:
    """ReplicaSetsByCreationTimestamp: oldest first, then by name."""
    return (rs["metadata"].get("creationTimestamp") or "", rs["metadata"]["name"])


def sort_by_size_newer(rss: list[dict]) -> list[dict]:
    """ReplicaSetsBySizeNewer: larger first; equal sizes newer first."""
    ordered = sorted(rss, key=by_creation, reverse=True)
    return sorted(ordered, key=lambda rs: -rs_replicas(rs))


def sort_by_size_older(rss: list[dict]) -> list[dict]:
    """ReplicaSetsBySizeOlder: larger first; equal sizes older first."""
    ordered = sorted(rss, key=by_creation)
    return sorted(ordered, key=lambda rs: -rs_replicas(rs))


def by_revision(rs: dict) -> tuple[int, str, str]:
    """ReplicaSetsByRevision: lowest revision first, then oldest."""
    return (revision(rs), *by_creation(rs))
