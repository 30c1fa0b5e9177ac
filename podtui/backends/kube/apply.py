"""Client-side `kubectl apply` over the network (k8s.io/kubectl/pkg/cmd/apply/apply.go,
applyOneObject, and patcher.go).

GET the live object. Absent: POST the manifest carrying the
`kubectl.kubernetes.io/last-applied-configuration` annotation (`created`). Present: compute
the three-way patch of the last applied configuration, the manifest (with its new
annotation) and the live object; an empty patch is `unchanged` and is not sent, else PATCH
it (`configured`), re-reading the object and recomputing on a 409 Conflict up to five times.
The server's warnings come first, as `Warning: ...` lines, as kubectl prints them.
The annotation is the engine's own (engine.apply.last_applied), so an object applied over
the network and one applied in process carry the same text.
"""

from __future__ import annotations

import asyncio
import copy
from typing import TYPE_CHECKING

from engine.actions import ActionResult
from engine.api.kinds import lookup
from engine.apply import (
    DELETING_WARNING,
    LAST_APPLIED,
    NO_LAST_APPLIED_WARNING,
    in_namespace,
    last_applied,
    previous_configuration,
)
from podtui.backends.kube.apply_patch import (
    PatchError,
    is_strategic,
    three_way_json_merge_patch,
    three_way_strategic_patch,
)
from podtui.backends.kube.client import (
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    KubeAPIError,
    KubeConnectionError,
    resource,
)

if TYPE_CHECKING:
    from podtui.backends.kube.backend import KubeBackend

FIELD_MANAGER = "kubectl-client-side-apply"
"""apply.go FieldManagerClientSideApply: the manager of a client-side apply's writes."""
MAX_PATCH_RETRY = 5
TRIES_BEFORE_BACKOFF = 1
PATCH_RETRY_BACKOFF = 1.0
"""patcher.go: conflicts are retried with a fresh GET, sleeping 1 s after the first retry."""


def modified_configuration(obj: dict) -> dict:
    """GetModifiedConfiguration(annotate=true): the manifest carrying its own annotation."""
    desired = copy.deepcopy(obj)
    annotations = desired.setdefault("metadata", {}).setdefault("annotations", {})
    annotations[LAST_APPLIED] = last_applied(obj)
    return desired


def apply_patch_for(live: dict, desired: dict) -> tuple[str, dict]:
    """The content type and body patcher.patchSimple sends to bring `live` to `desired`."""
    previous = previous_configuration(live)
    api_version = str(desired.get("apiVersion", ""))
    if is_strategic(api_version, str(desired.get("kind", ""))):
        return STRATEGIC_MERGE_PATCH, three_way_strategic_patch(previous, desired, live)
    return MERGE_PATCH, three_way_json_merge_patch(previous, desired, live)


def _error(result: ActionResult, err: Exception) -> None:
    if isinstance(err, KubeAPIError):
        result.errors.append(err.kubectl())
    else:
        result.errors.append(f"Unable to connect to the server: {err}")


async def client_side_apply(backend: KubeBackend, obj: dict) -> ActionResult:
    """`kubectl apply -f` of one object, without --server-side."""
    result = ActionResult()
    api_version = str(obj.get("apiVersion", ""))
    meta = obj.get("metadata") or {}
    info = lookup(api_version, str(obj.get("kind", "")))
    name = str(meta.get("name") or "")
    if info is None:
        result.errors.append(
            f'error: resource mapping not found for name: "{name}" namespace: '
            f'"{meta.get("namespace", "")}" from "": no matches for kind "{obj.get("kind")}" '
            f'in version "{api_version}"'
        )
        return result
    if not name:
        result.errors.append("error: resource name may not be empty")
        return result
    client = backend.client
    type_name = info.type_name(api_version)
    namespace = (meta.get("namespace") or "default") if info.namespaced else None
    collection = resource(info.kind).path(namespace, api_version=api_version)
    path = resource(info.kind).path(namespace, name, api_version)
    query = {"fieldManager": FIELD_MANAGER, "fieldValidation": "Strict"}
    desired = modified_configuration(in_namespace(obj, namespace or ""))
    warnings: list[str] = []
    try:
        live = await client.request("GET", path)
    except KubeAPIError as err:
        if err.status != 404:
            _error(result, err)
            return result
        live = None
    except KubeConnectionError as err:
        _error(result, err)
        return result
    if live is None:
        try:
            await client.request("POST", collection, body=desired, query=query, warnings=warnings)
        except (KubeAPIError, KubeConnectionError) as err:
            _error(result, err)
            return result
        result.lines.extend(f"Warning: {w}" for w in warnings)
        result.lines.append(f"{type_name}/{name} created")
        return result
    if LAST_APPLIED not in ((live.get("metadata") or {}).get("annotations") or {}):
        result.lines.append(NO_LAST_APPLIED_WARNING.format(resource=info.plural, name=name))
    patched: dict | None = None
    for attempt in range(MAX_PATCH_RETRY + 1):
        try:
            content_type, patch = apply_patch_for(live, desired)
        except PatchError as err:
            result.errors.append(f"error: {err}")
            return result
        if not patch:
            patched = live
            break
        try:
            patched = await client.request(
                "PATCH",
                path,
                body=patch,
                content_type=content_type,
                query=query,
                warnings=warnings,
            )
            break
        except KubeAPIError as err:
            if err.status != 409 or attempt == MAX_PATCH_RETRY:
                _error(result, err)
                return result
        except KubeConnectionError as err:
            _error(result, err)
            return result
        if attempt + 1 > TRIES_BEFORE_BACKOFF:
            await asyncio.sleep(PATCH_RETRY_BACKOFF)
        try:
            live = await client.request("GET", path)
        except (KubeAPIError, KubeConnectionError) as err:
            _error(result, err)
            return result
    result.lines.extend(f"Warning: {w}" for w in dict.fromkeys(warnings))
    if patched is not None and (patched.get("metadata") or {}).get("deletionTimestamp"):
        result.lines.append(DELETING_WARNING.format(name=name))
    result.lines.append(f"{type_name}/{name} {'configured' if patch else 'unchanged'}")
    return result
