"""`kubectl rollout undo` over the network (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go).

A Deployment (DeploymentRollbacker) takes the template of an earlier ReplicaSet it owns, as
a JSON patch of `/spec/template` and `/metadata/annotations`. A StatefulSet or DaemonSet
(statefulSetRollbacker, daemonSetRollbacker) lists the ControllerRevisions its selector
matches, keeps those it controls, picks the second newest (or `--to-revision`), skips when
the revision's data equals the live template's patch, and else sends the revision's data
(`{"spec": {"template": {..., "$patch": "replace"}}}`) as a strategic merge patch.
The choices and the words are the engine's (engine.workloads.actions, .revisions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.actions import ActionResult
from engine.api.kinds import KindInfo
from engine.labels import SelectorError, label_selector_as_selector
from engine.workloads import deployment_util as du
from engine.workloads.actions import ROLLBACK_SKIP_ANNOTATIONS, revision_to_roll_back_to
from engine.workloads.revisions import template_patch
from podtui.backends.kube.client import (
    JSON_PATCH,
    STRATEGIC_MERGE_PATCH,
    KubeAPIError,
    KubeConnectionError,
    resource,
)

if TYPE_CHECKING:
    from podtui.backends.kube.backend import KubeBackend

ROLLBACKERS = ("Deployment", "StatefulSet", "DaemonSet")


def _controlled_by(obj: dict, owner: dict) -> bool:
    uid = owner["metadata"].get("uid")
    return any(
        ref.get("controller") and ref.get("uid") == uid
        for ref in obj["metadata"].get("ownerReferences") or ()
    )


def _skipped(info: KindInfo, name: str, to_revision: int) -> str:
    # kubectl prints the revision asked for: 0 when --to-revision was not given.
    return (
        f"{info.type_name()}/{name} skipped rollback "
        f"(current template already matches revision {to_revision})"
    )


async def rollout_undo(
    backend: KubeBackend,
    info: KindInfo,
    name: str,
    to_revision: int,
    namespace: str,
    result: ActionResult,
) -> ActionResult:
    if info.kind not in ROLLBACKERS:
        group_kind = f"{info.kind}.{info.group}" if info.group else info.kind
        result.errors.append(f'error: no rollbacker has been implemented for "{group_kind}"')
        return result
    obj = await backend._call(result, "GET", resource(info.kind).path(namespace, name))
    if obj is None:
        return result
    if to_revision < 0:
        result.errors.append(f"error: unable to find specified revision {to_revision} in history")
        return result
    if info.kind == "Deployment":
        await _deployment(backend, info, name, obj, to_revision, namespace, result)
    else:
        await _revision(backend, info, name, obj, to_revision, namespace, result)
    return result


async def _deployment(
    backend: KubeBackend,
    info: KindInfo,
    name: str,
    obj: dict,
    to_revision: int,
    namespace: str,
    result: ActionResult,
) -> None:
    """DeploymentRollbacker: the chosen ReplicaSet's template as a JSON patch."""
    listing = await backend._call(result, "GET", resource("ReplicaSet").path(namespace))
    if listing is None:
        return
    owned = [rs for rs in listing.get("items") or () if _controlled_by(rs, obj)]
    owned.sort(key=du.by_creation)
    found = revision_to_roll_back_to(owned, to_revision)
    if isinstance(found, str):
        message = found or f'no rollout history found for deployment "{name}"'
        result.errors.append(f"error: {message}")
        return
    if obj["spec"].get("paused"):
        result.errors.append(
            "error: you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again"
        )
        return
    if du.equal_ignore_hash(found["spec"].get("template"), obj["spec"].get("template")):
        result.lines.append(_skipped(info, name, to_revision))
        return
    annotations = {
        k: v
        for k, v in (obj["metadata"].get("annotations") or {}).items()
        if k in ROLLBACK_SKIP_ANNOTATIONS
    }
    for key, value in (found["metadata"].get("annotations") or {}).items():
        if key not in ROLLBACK_SKIP_ANNOTATIONS:
            annotations[key] = value
    patch = [
        {
            "op": "replace",
            "path": "/spec/template",
            "value": du.template_without_hash(found["spec"].get("template")),
        },
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    path = resource("Deployment").path(namespace, name)
    if await backend._call(result, "PATCH", path, body=patch, content_type=JSON_PATCH) is not None:
        result.lines.append(f"{info.type_name()}/{name} rolled back")


async def _revision(
    backend: KubeBackend,
    info: KindInfo,
    name: str,
    obj: dict,
    to_revision: int,
    namespace: str,
    result: ActionResult,
) -> None:
    """statefulSetRollbacker / daemonSetRollbacker."""
    kind = info.kind
    try:
        selector = str(label_selector_as_selector((obj.get("spec") or {}).get("selector")))
    except SelectorError as err:
        result.errors.append(f"error: failed to create selector for {kind} {name}: {err}")
        return
    try:
        listing = await backend.client.request(
            "GET",
            resource("ControllerRevision").path(namespace),
            query={"labelSelector": selector},
        )
    except (KubeAPIError, KubeConnectionError) as err:
        message = err.message if isinstance(err, KubeAPIError) else str(err)
        result.errors.append(
            f"error: unable to find history controlled by {kind} {name}: {message}"
        )
        return
    history = [r for r in listing.get("items") or () if _controlled_by(r, obj)]
    if to_revision == 0 and len(history) <= 1:
        result.errors.append("error: no last revision to roll back to")
        return
    if to_revision == 0:
        # findHistory: sorted by revision number only (historiesByRevision).
        chosen = sorted(history, key=lambda r: int(r.get("revision") or 0))[-2]
    else:
        chosen = next((r for r in history if int(r.get("revision") or 0) == to_revision), None)
    if chosen is None:
        result.errors.append(f"error: unable to find specified revision {to_revision} in history")
        return
    if template_patch(obj) == chosen.get("data"):
        result.lines.append(_skipped(info, name, to_revision))
        return
    path = resource(kind).path(namespace, name)
    try:
        await backend.client.request(
            "PATCH", path, body=chosen.get("data"), content_type=STRATEGIC_MERGE_PATCH
        )
    except (KubeAPIError, KubeConnectionError) as err:
        message = err.message if isinstance(err, KubeAPIError) else str(err)
        result.errors.append(f"error: failed restoring revision {to_revision}: {message}")
        return
    result.lines.append(f"{info.type_name()}/{name} rolled back")
