"""getExpectedScale: the scale of the controllers behind a budget's pods, read from the store.

Each pod's controllerRef is resolved by upstream's finders, in order: ReplicationController,
Deployment (through its ReplicaSet), ReplicaSet not owned by a Deployment, StatefulSet, and
any other kind through its `/scale` subresource. Every controller counts once, by UID.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from engine.disruption.budget import ExpectedCountError
from engine.disruption.podutil import controller_of, group_of
from engine.store import Store

# Kinds that serve a /scale subresource, with the field that holds their scale.
SCALABLE = {
    ("", "ReplicationController"): "replicationcontrollers",
    ("apps", "Deployment"): "deployments.apps",
    ("apps", "ReplicaSet"): "replicasets.apps",
    ("apps", "StatefulSet"): "statefulsets.apps",
    ("extensions", "Deployment"): "deployments.extensions",
    ("extensions", "ReplicaSet"): "replicasets.extensions",
}


def _replicas(obj: dict) -> int:
    # spec.replicas is defaulted to 1 by every workload API; a hand-made object may lack it.
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def _verify(ref: dict, kind: str, groups: tuple[str, ...]) -> bool:
    return ref.get("kind") == kind and group_of(ref.get("apiVersion", "")) in groups


def _owned(store: Store, kind: str, namespace: str, ref: dict) -> dict | None:
    obj = store.get(kind, namespace, ref.get("name", ""))
    if obj is None or obj["metadata"].get("uid") != ref.get("uid"):
        return None
    return obj


def _replication_controller(store: Store, ref: dict, namespace: str) -> tuple[str, int] | None:
    if not _verify(ref, "ReplicationController", ("",)):
        return None
    rc = _owned(store, "ReplicationController", namespace, ref)
    return None if rc is None else (rc["metadata"]["uid"], _replicas(rc))


def _deployment(store: Store, ref: dict, namespace: str) -> tuple[str, int] | None:
    if not _verify(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = _owned(store, "ReplicaSet", namespace, ref)
    if rs is None:
        return None
    owner = controller_of(rs)
    if owner is None or not _verify(owner, "Deployment", ("apps", "extensions")):
        return None
    deployment = _owned(store, "Deployment", namespace, owner)
    return None if deployment is None else (deployment["metadata"]["uid"], _replicas(deployment))


def _replica_set(store: Store, ref: dict, namespace: str) -> tuple[str, int] | None:
    if not _verify(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = _owned(store, "ReplicaSet", namespace, ref)
    if rs is None:
        return None
    owner = controller_of(rs)
    if owner is not None and owner.get("kind") == "Deployment":
        return None  # counted through its Deployment
    return rs["metadata"]["uid"], _replicas(rs)


def _stateful_set(store: Store, ref: dict, namespace: str) -> tuple[str, int] | None:
    if not _verify(ref, "StatefulSet", ("apps",)):
        return None
    sts = _owned(store, "StatefulSet", namespace, ref)
    return None if sts is None else (sts["metadata"]["uid"], _replicas(sts))


def _scale_controller(store: Store, ref: dict, namespace: str) -> tuple[str, int] | None:
    """getScaleController: any kind, through its /scale subresource."""
    from engine.api.kinds import kinds_named

    api_version = ref.get("apiVersion", "")
    group = group_of(api_version)
    kind = ref.get("kind", "")
    info = kinds_named(kind)
    version = api_version.split("/")[-1]
    if info is None or info.group != group:
        # The RESTMapper does not know the kind: NoKindMatchError.
        raise ExpectedCountError(
            f"no matches for kind {json.dumps(kind)} in version {json.dumps(f'{group}/{version}' if group else version)}"
        )
    resource = SCALABLE.get((group, kind))
    if resource is None:
        raise ExpectedCountError(f"{info.resource} does not implement the scale subresource")
    obj = _owned(store, kind, namespace, ref)
    return None if obj is None else (obj["metadata"]["uid"], _replicas(obj))


def register_scale_subresource(group: str, kind: str, resource: str) -> None:
    """Declare that a kind serves /scale (spec.replicas), as a CRD with a scale subresource does."""
    SCALABLE[(group, kind)] = resource


FINDERS = (_replication_controller, _deployment, _replica_set, _stateful_set, _scale_controller)


def expected_scale(store: Store, pods: Iterable[dict]) -> tuple[int, list[str]]:
    """(Σ spec.replicas over the pods' distinct controllers, names of pods with no controller).

    Raises ExpectedCountError when a pod's controller cannot be found or has no scale.
    """
    scales: dict[str, int] = {}
    unmanaged: list[str] = []
    # Upstream skips a pod whose controllerRef uid is already in `scales`, which holds the
    # Deployment's uid for a ReplicaSet's pods, so it resolves every such pod again; the
    # store does not change during the call, so remembering the refs resolved gives the
    # same sum without a finder run per pod (a ref is the same only if all of it and the namespace are).
    resolved: dict[str | None, tuple[dict, str]] = {}
    for pod in pods:
        meta = pod["metadata"]
        # controller_of, written out (this loop runs for every pod of every budget sync).
        ref = None
        for owner in meta.get("ownerReferences") or ():
            if owner.get("controller"):
                ref = owner
                break
        if ref is None:
            unmanaged.append(meta["name"])
            continue
        uid = ref.get("uid")
        if uid in scales:
            continue
        namespace = meta.get("namespace", "")
        seen = resolved.get(uid)
        if seen is not None and seen[1] == namespace and (seen[0] is ref or seen[0] == ref):
            continue
        resolved[uid] = (ref, namespace)
        for finder in FINDERS:
            found = finder(store, ref, namespace)
            if found is not None:
                scales[found[0]] = found[1]
                break
        else:
            raise ExpectedCountError(
                f"found no controllers for pod {json.dumps(pod['metadata']['name'])}"
            )
    return sum(scales.values()), unmanaged
