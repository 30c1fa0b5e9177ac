"""Small builders shared by the security tests."""

from __future__ import annotations

import copy

from engine.api.admission import ADMIN, UserInfo
from engine.cluster import Cluster

JANE = UserInfo("jane", ("system:authenticated",))


def cluster() -> Cluster:
    c = Cluster()
    c.boot()
    return c


def pod(name: str = "web", namespace: str = "default", **spec) -> dict:
    """A minimal pod; keyword arguments go into its spec (containers default to one nginx)."""
    body = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    body.update(copy.deepcopy(spec))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def container(**fields) -> dict:
    out = {"name": "app", "image": "nginx:1.27"}
    out.update(copy.deepcopy(fields))
    return out


def psp(name: str, **spec) -> dict:
    """A policy that allows everything unless `spec` says otherwise."""
    body = {
        "seLinux": {"rule": "RunAsAny"},
        "runAsUser": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"},
        "volumes": ["*"],
    }
    body.update(copy.deepcopy(spec))
    return {
        "apiVersion": "policy/v1beta1",
        "kind": "PodSecurityPolicy",
        "metadata": {"name": name},
        "spec": body,
    }


def use_role(name: str, policies: list[str]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": [
            {
                "apiGroups": ["policy"],
                "resources": ["podsecuritypolicies"],
                "verbs": ["use"],
                "resourceNames": list(policies),
            }
        ],
    }


def binding(
    name: str,
    role: str,
    subjects: list[dict],
    namespace: str | None = None,
    role_kind: str = "ClusterRole",
) -> dict:
    obj = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding" if namespace else "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subjects,
    }
    if namespace:
        obj["metadata"]["namespace"] = namespace
    return obj


def group(name: str) -> dict:
    return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def user(name: str) -> dict:
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def service_account(name: str, namespace: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def namespace(name: str, labels: dict | None = None) -> dict:
    meta: dict = {"name": name}
    if labels:
        meta["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def create(c: Cluster, obj: dict, as_user: UserInfo = ADMIN) -> dict:
    return c.api.create(obj, user=as_user).obj
