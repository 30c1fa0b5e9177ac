"""Workload verbs shared by console keys, `:` commands and scenario steps: `kubectl scale`,
`kubectl set image`, `kubectl rollout restart` and `kubectl rollout undo`, each returning
kubectl's lines (kubectl pkg/cmd/scale, pkg/cmd/set/set_image.go,
pkg/polymorphichelpers/objectrestarter.go and rollback.go)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from engine.actions import ActionResult, parse_target
from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.workloads import deployment_util as du

if TYPE_CHECKING:
    from engine.api.kinds import KindInfo
    from engine.cluster import Cluster
    from engine.scenario import Step

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")
TEMPLATED = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
RESTARTABLE = ("Deployment", "StatefulSet", "DaemonSet")
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
ROLLBACK_SKIP_ANNOTATIONS = du.SKIP_COPY_ANNOTATIONS


def _lookup(
    cluster: Cluster, target: str, namespace: str
) -> tuple[KindInfo | None, str, dict | None, ActionResult]:
    result = ActionResult()
    try:
        info, name = parse_target(target)
    except errors.APIError as err:
        result.errors.append(f"error: {err.message}")
        return None, "", None, result
    obj = cluster.store.get(info.kind, namespace if info.namespaced else "", name)
    if obj is None:
        result.errors.append(errors.not_found(info.resource, name).kubectl())
    return info, name, obj, result


def _update(cluster: Cluster, obj: dict, user: UserInfo, result: ActionResult) -> bool:
    try:
        cluster.api.update(obj, user=user)
    except errors.APIError as err:
        result.errors.append(err.kubectl())
        return False
    return True


# -- scale -----------------------------------------------------------------------------------
def scale(
    cluster: Cluster,
    target: str,
    replicas: int,
    *,
    namespace: str = "default",
    user: UserInfo = ADMIN,
) -> ActionResult:
    """`kubectl scale KIND/NAME --replicas=N` → `deployment.apps/web scaled`."""
    info, name, obj, result = _lookup(cluster, target, namespace)
    if obj is None or info is None:
        return result
    if info.kind not in SCALABLE:
        # Only kinds with a /scale subresource can be scaled.
        result.errors.append(
            "Error from server (NotFound): the server could not find the requested resource"
        )
        return result
    if replicas < 0:
        result.errors.append(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
        return result
    updated = copy.deepcopy(obj)
    updated["spec"]["replicas"] = replicas
    if _update(cluster, updated, user, result):
        result.lines.append(f"{info.type_name()}/{name} scaled")
    return result


# -- set image -------------------------------------------------------------------------------
def set_image(
    cluster: Cluster,
    target: str,
    image: str,
    *,
    container: str = "*",
    namespace: str = "default",
    user: UserInfo = ADMIN,
) -> ActionResult:
    """`kubectl set image KIND/NAME CONTAINER=IMAGE` → `deployment.apps/web image updated`.

    `*` sets every container. Nothing is printed when the image is already that one.
    """
    info, name, obj, result = _lookup(cluster, target, namespace)
    if obj is None or info is None:
        return result
    if info.kind not in (*TEMPLATED, "Job"):
        result.errors.append(f"error: setting the image of a {info.kind} is not supported")
        return result
    updated = copy.deepcopy(obj)
    pod_spec = updated["spec"]["template"]["spec"]
    found = False
    changed = False
    for group in ("initContainers", "containers"):
        for item in pod_spec.get(group) or ():
            if container == "*" or item.get("name") == container:
                found = True
                if item.get("image") != image:
                    item["image"] = image
                    changed = True
    if not found:
        result.errors.append(f'error: unable to find container named "{container}"')
        return result
    if not changed:
        return result
    if _update(cluster, updated, user, result):
        result.lines.append(f"{info.type_name()}/{name} image updated")
    return result


# -- rollout restart ---------------------------------------------------------------------------
def rollout_restart(
    cluster: Cluster, target: str, *, namespace: str = "default", user: UserInfo = ADMIN
) -> ActionResult:
    """`kubectl rollout restart`: a restartedAt annotation on the pod template."""
    info, name, obj, result = _lookup(cluster, target, namespace)
    if obj is None or info is None:
        return result
    if info.kind not in RESTARTABLE:
        result.errors.append("error: restarting is not supported")
        return result
    if info.kind == "Deployment" and obj["spec"].get("paused"):
        result.errors.append("error: can't restart paused deployment (run rollout resume first)")
        return result
    updated = copy.deepcopy(obj)
    template_meta = updated["spec"]["template"].setdefault("metadata", {})
    annotations = template_meta.setdefault("annotations", {})
    stamp = cluster.clock.timestamp()
    if annotations.get(RESTARTED_AT) == stamp:
        result.errors.append(
            f"error: failed to create patch for {name}: if restart has already been triggered "
            "within the past second, please wait before attempting to trigger another"
        )
        return result
    annotations[RESTARTED_AT] = stamp
    if _update(cluster, updated, user, result):
        result.lines.append(f"{info.type_name()}/{name} restarted")
    return result


# -- rollout undo ------------------------------------------------------------------------------
def revision_to_roll_back_to(replica_sets: list[dict], to_revision: int) -> dict | str:
    """deploymentRevision: the ReplicaSet of the revision asked for (0: the previous one),
    or kubectl's error text."""
    max_revision = previous_revision = -1
    max_rs = previous_rs = None
    for rs in replica_sets:
        value = du._annotation_int(rs, du.REVISION_ANNOTATION)
        if value is None:
            continue
        if to_revision == 0:
            if max_revision < value:
                previous_revision, previous_rs = max_revision, max_rs
                max_revision, max_rs = value, rs
            elif previous_revision < value:
                previous_revision, previous_rs = value, rs
        elif to_revision == value:
            return rs
    if to_revision > 0:
        return f"unable to find specified revision {to_revision} in history"
    if previous_rs is None:
        return ""
    return previous_rs


def rollout_undo(
    cluster: Cluster,
    target: str,
    *,
    to_revision: int = 0,
    namespace: str = "default",
    user: UserInfo = ADMIN,
) -> ActionResult:
    """`kubectl rollout undo KIND/NAME [--to-revision=N]` (rollback.go's rollbackers): a
    Deployment takes the template of an earlier ReplicaSet, which its controller scales back
    up; a StatefulSet or DaemonSet the template of an earlier ControllerRevision."""
    info, name, obj, result = _lookup(cluster, target, namespace)
    if obj is None or info is None:
        return result
    if info.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
        group_kind = f"{info.kind}.{info.group}" if info.group else info.kind
        result.errors.append(f'error: no rollbacker has been implemented for "{group_kind}"')
        return result
    if to_revision < 0:
        result.errors.append(f"error: unable to find specified revision {to_revision} in history")
        return result
    if info.kind == "Deployment":
        updated = _deployment_rollback(cluster, info, name, obj, to_revision, result)
    else:
        updated = _revision_rollback(cluster, info, obj, to_revision, result)
    if updated is not None and _update(cluster, updated, user, result):
        result.lines.append(f"{info.type_name()}/{name} rolled back")
    return result


def _skipped(info: KindInfo, name: str, to_revision: int) -> str:
    # kubectl prints the revision asked for: 0 when --to-revision was not given.
    return (
        f"{info.type_name()}/{name} skipped rollback "
        f"(current template already matches revision {to_revision})"
    )


def _deployment_rollback(
    cluster: Cluster, info: KindInfo, name: str, obj: dict, to_revision: int, result: ActionResult
) -> dict | None:
    """DeploymentRollbacker: the chosen ReplicaSet's template (without its hash label) and
    annotations, keeping the Deployment's own revision bookkeeping annotations."""
    from engine.workloads.index import workload_index

    owned = workload_index(cluster).controlled_by(obj["metadata"]["uid"], "ReplicaSet")
    owned.sort(key=du.by_creation)
    found = revision_to_roll_back_to(owned, to_revision)
    if isinstance(found, str):
        message = found or f'no rollout history found for deployment "{name}"'
        result.errors.append(f"error: {message}")
        return None
    if obj["spec"].get("paused"):
        result.errors.append(
            # kubectl polymorphichelpers/rollback.go (DeploymentRollbacker.Rollback).
            "error: you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again"
        )
        return None
    if du.equal_ignore_hash(found["spec"].get("template"), obj["spec"].get("template")):
        result.lines.append(_skipped(info, name, to_revision))
        return None
    updated = copy.deepcopy(obj)
    updated["spec"]["template"] = du.template_without_hash(found["spec"].get("template"))
    annotations = {
        k: v
        for k, v in (obj["metadata"].get("annotations") or {}).items()
        if k in ROLLBACK_SKIP_ANNOTATIONS
    }
    for key, value in (found["metadata"].get("annotations") or {}).items():
        if key not in ROLLBACK_SKIP_ANNOTATIONS:
            annotations[key] = value
    if annotations:
        updated["metadata"]["annotations"] = annotations
    else:
        updated["metadata"].pop("annotations", None)
    return updated


def _revision_rollback(
    cluster: Cluster, info: KindInfo, obj: dict, to_revision: int, result: ActionResult
) -> dict | None:
    """StatefulSetRollbacker / DaemonSetRollbacker: findHistory picks the revision (0: the
    second newest), which is skipped when its patch equals the live template's, else
    patched in (its data replaces spec.template); the controller then re-uses that
    ControllerRevision under a new number."""
    from engine.workloads.index import workload_index
    from engine.workloads.revisions import owned_revisions, template_of, template_patch

    history = owned_revisions(workload_index(cluster), obj)
    if to_revision == 0 and len(history) <= 1:
        result.errors.append("error: no last revision to roll back to")
        return None
    if to_revision == 0:
        chosen = sorted(history, key=lambda r: int(r.get("revision") or 0))[-2]
    else:
        chosen = next((r for r in history if int(r.get("revision") or 0) == to_revision), None)
    if chosen is None:
        result.errors.append(f"error: unable to find specified revision {to_revision} in history")
        return None
    if template_patch(obj) == chosen.get("data"):
        result.lines.append(_skipped(info, obj["metadata"]["name"], to_revision))
        return None
    updated = copy.deepcopy(obj)
    updated["spec"]["template"] = template_of(chosen)
    return updated


# -- scenario steps ----------------------------------------------------------------------------
def _scale_step(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    value = step.value
    return scale(
        cluster,
        value["target"],
        int(value["replicas"]),
        namespace=value.get("namespace") or step.options.get("namespace", "default"),
        user=user,
    )


def _set_image_step(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    value = step.value
    return set_image(
        cluster,
        value["target"],
        value["image"],
        container=value.get("container") or "*",
        namespace=value.get("namespace") or step.options.get("namespace", "default"),
        user=user,
    )


def _rollout_restart_step(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return rollout_restart(
        cluster, step.value, namespace=step.options.get("namespace") or "default", user=user
    )


def _rollout_undo_step(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return rollout_undo(
        cluster,
        step.value,
        to_revision=int(step.options.get("toRevision") or 0),
        namespace=step.options.get("namespace") or "default",
        user=user,
    )


def register_steps() -> None:
    from engine.steps import register_step

    register_step("scale", _scale_step)
    register_step("setImage", _set_image_step)
    register_step("rolloutRestart", _rollout_restart_step)
    register_step("rolloutUndo", _rollout_undo_step)
