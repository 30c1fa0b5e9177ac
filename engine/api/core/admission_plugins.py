"""The always-on admission plugins for pods: NamespaceLifecycle, ServiceAccount, Priority and
DefaultTolerationSeconds."""

from __future__ import annotations

import random

from engine.api import errors
from engine.api.admission import AdmissionRequest
from engine.api.compact import compact, share

# utilrand.String's alphabet: no vowels, no confusable characters.
RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_TOLERATION_SECONDS = 300


def random_suffix(rng, length: int = 5) -> str:
    if type(rng) is not random.Random:
        return "".join(rng.choice(RAND_ALPHABET) for _ in range(length))
    # What rng.choice(RAND_ALPHABET) draws (Random._randbelow_with_getrandbits: 5 bits,
    # again while they are 27 or more), without its two calls per letter.
    getrandbits = rng.getrandbits
    letters = []
    for _ in range(length):
        index = getrandbits(5)
        while index >= 27:
            index = getrandbits(5)
        letters.append(RAND_ALPHABET[index])
    return "".join(letters)


# The projected token volume's sources are the same in every pod, so pods share one list
# (objects are read-only outside the API server, which copies before it changes one).
TOKEN_SOURCES = share(
    [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {
            "downwardAPI": {
                "items": [
                    {
                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                        "path": "namespace",
                    }
                ]
            }
        },
    ]
)


class NamespaceLifecycle:
    """Refuses objects in namespaces that do not exist or are being deleted."""

    name = "NamespaceLifecycle"

    def admit(self, request: AdmissionRequest) -> None:
        if not request.kind.namespaced or request.operation != "CREATE":
            return
        namespace = request.namespace
        ns = request.server.store.get("Namespace", "", namespace)
        if ns is None:
            raise errors.not_found("namespaces", namespace)
        if (
            ns["metadata"].get("deletionTimestamp")
            or (ns.get("status") or {}).get("phase") == "Terminating"
        ):
            raise errors.forbidden(
                request.kind.resource,
                request.name,
                f"unable to create new content in namespace {namespace} because it is being terminated",
            )


class ServiceAccountAdmission:
    """Sets serviceAccountName and mounts the projected API token volume (kube-api-access-xxxxx)."""

    name = "ServiceAccount"

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Pod" or request.operation != "CREATE":
            return
        pod = request.obj
        spec = pod["spec"]
        if (pod["metadata"].get("annotations") or {}).get("kubernetes.io/config.mirror"):
            return
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccountName"] = account
        spec["serviceAccount"] = account
        namespace = request.namespace
        sa = request.server.store.get("ServiceAccount", namespace, account)
        if sa is None:
            raise errors.forbidden(
                "pods",
                request.name,
                f'error looking up service account {namespace}/{account}: serviceaccount "{account}" not found',
            )
        if spec.get("automountServiceAccountToken") is False:
            return
        if (
            sa.get("automountServiceAccountToken") is False
            and spec.get("automountServiceAccountToken") is None
        ):
            return
        # compact() and lists made one long when this plugin makes them: the pod's copy made
        # its own dicts compact (engine/api/compact.py), and append leaves room for more.
        fresh = "volumes" not in spec
        volumes = spec.setdefault("volumes", [])
        for volume in volumes:
            if volume.get("name", "").startswith("kube-api-access-"):
                return
        volume_name = "kube-api-access-" + random_suffix(request.server.rng)
        projected = compact({"defaultMode": 420, "sources": TOKEN_SOURCES})
        volume = compact({"name": volume_name, "projected": projected})
        if fresh:
            spec["volumes"] = [volume]
        else:
            volumes.append(volume)
        for group in ("initContainers", "containers"):
            for container in spec.get(group) or []:
                fresh = "volumeMounts" not in container
                mounts = container.setdefault("volumeMounts", [])
                if any(m.get("mountPath") == SERVICE_ACCOUNT_MOUNT for m in mounts):
                    continue
                mount = compact(
                    {"mountPath": SERVICE_ACCOUNT_MOUNT, "name": volume_name, "readOnly": True}
                )
                if fresh:
                    container["volumeMounts"] = [mount]
                else:
                    mounts.append(mount)


class Priority:
    """Resolves the pod's priority (no PriorityClasses here: 0) and its preemption policy."""

    name = "Priority"

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Pod" or request.operation != "CREATE":
            return
        spec = request.obj["spec"]
        spec.setdefault("priority", 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")


class DefaultTolerationSeconds:
    """Adds 300 s NoExecute tolerations for not-ready and unreachable nodes unless the pod has its own."""

    name = "DefaultTolerationSeconds"

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Pod" or request.operation != "CREATE":
            return
        spec = request.obj["spec"]
        tolerations = spec.get("tolerations") or []
        additions = []
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if any(_tolerates_key(t, key) for t in tolerations):
                continue
            additions.append(_DEFAULT_TOLERATIONS[key])
        if additions:
            spec["tolerations"] = [*tolerations, *additions]


# The two default tolerations are the same in every pod, so pods share them as they share
# TOKEN_SOURCES (read-only outside the API server, which copies before it changes one).
_DEFAULT_TOLERATIONS = {
    key: share(
        {
            "effect": "NoExecute",
            "key": key,
            "operator": "Exists",
            "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
        }
    )
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
}


def _tolerates_key(toleration: dict, key: str) -> bool:
    effect = toleration.get("effect", "")
    if effect not in ("", "NoExecute"):
        return False
    return toleration.get("key", "") in ("", key)


def core_plugins() -> list:
    return [NamespaceLifecycle(), ServiceAccountAdmission(), Priority(), DefaultTolerationSeconds()]
