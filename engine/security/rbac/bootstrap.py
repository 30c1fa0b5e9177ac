"""The RBAC objects a kubeadm cluster starts with, and the hook that installs RBAC.

kube-apiserver's `rbac/bootstrap-roles` post-start hook creates these roles and bindings
(plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go and controller_policy.go); they
carry the `kubernetes.io/bootstrapping: rbac-defaults` label and the autoupdate annotation.
podtui builds them into the authorizer (see RBACBootstrap) and keeps the subset that
matters here:
- `cluster-admin`, bound to the `system:masters` group;
- `admin`, `edit`, `view`, the roles tutorials bind users to (flattened: upstream builds them
  from the `system:aggregate-to-*` roles, and only for the resources podtui simulates);
- `system:controller:<name>` for the kube-controller-manager service accounts
  (`--use-service-account-credentials`) of the controllers podtui runs, bound to
  `kube-system/<name>`. None of them may `use` a PodSecurityPolicy, which is why a
  Deployment's pods need a grant for their own service account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.security.rbac.authorizer import RBACAuthorizer
from engine.security.rbac.rules import RBAC_GROUP

if TYPE_CHECKING:
    from engine.cluster import Cluster

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
EVENTS_VERBS = ["create", "update", "patch"]
CONTROLLER_PREFIX = "system:controller:"
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def rule(
    verbs: list[str], groups: list[str], resources: list[str], names: list[str] | None = None
) -> dict:
    """rbacv1helpers.NewRule(...).Groups(...).Resources(...).Names(...)."""
    out: dict = {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}
    if names:
        out["resourceNames"] = list(names)
    return out


def events_rule() -> dict:
    return rule(EVENTS_VERBS, ["", "events.k8s.io"], ["events"])


def _view_rules() -> list[dict]:
    return [
        rule(
            READ,
            [""],
            [
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        rule(
            READ,
            [""],
            [
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        rule(READ, [""], ["namespaces"]),
        rule(
            READ,
            ["apps"],
            [
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    ]


def _edit_rules() -> list[dict]:
    return [
        rule(
            READ,
            [""],
            [
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
        rule(["impersonate"], [""], ["serviceaccounts"]),
        rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        rule(["create"], [""], ["pods/eviction"]),
        rule(
            WRITE,
            [""],
            [
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        rule(["create"], [""], ["serviceaccounts/token"]),
        rule(
            WRITE,
            ["apps"],
            [
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
        rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        *_view_rules(),
    ]


def _admin_rules() -> list[dict]:
    return [
        rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        rule([*READ, *WRITE], [RBAC_GROUP], ["rolebindings", "roles"]),
        *_edit_rules(),
    ]


# controller_policy.go, for the controllers podtui runs (or its feature packages add).
CONTROLLER_ROLES: dict[str, list[dict]] = {
    "cronjob-controller": [
        rule(["get", "list", "watch", "update"], ["batch"], ["cronjobs"]),
        rule(["get", "list", "watch", "create", "update", "delete", "patch"], ["batch"], ["jobs"]),
        rule(["update"], ["batch"], ["cronjobs/status"]),
        rule(["update"], ["batch"], ["cronjobs/finalizers"]),
        rule(["list", "watch", "delete"], [""], ["pods"]),
        events_rule(),
    ],
    "daemon-set-controller": [
        rule(READ, ["extensions", "apps"], ["daemonsets"]),
        rule(["update"], ["extensions", "apps"], ["daemonsets/status"]),
        rule(["update"], ["extensions", "apps"], ["daemonsets/finalizers"]),
        rule(["list", "watch"], [""], ["nodes"]),
        rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
        rule(["create"], [""], ["pods/binding"]),
        rule(
            ["get", "list", "watch", "create", "delete", "update", "patch"],
            ["apps"],
            ["controllerrevisions"],
        ),
        events_rule(),
    ],
    "deployment-controller": [
        rule(["get", "list", "watch", "update"], ["extensions", "apps"], ["deployments"]),
        rule(["update"], ["extensions", "apps"], ["deployments/status"]),
        rule(["update"], ["extensions", "apps"], ["deployments/finalizers"]),
        rule(
            ["get", "list", "watch", "create", "update", "patch", "delete"],
            ["apps", "extensions"],
            ["replicasets"],
        ),
        rule(["get", "list", "watch", "update"], [""], ["pods"]),
        events_rule(),
    ],
    "disruption-controller": [
        rule(READ, ["extensions", "apps"], ["deployments"]),
        rule(READ, ["apps", "extensions"], ["replicasets"]),
        rule(READ, [""], ["replicationcontrollers"]),
        rule(READ, ["policy"], ["poddisruptionbudgets"]),
        rule(READ, ["apps"], ["statefulsets"]),
        rule(["update"], ["policy"], ["poddisruptionbudgets/status"]),
        rule(["patch", "update"], [""], ["pods/status"]),
        rule(["get"], ["*"], ["*/scale"]),
        events_rule(),
    ],
    "endpoint-controller": [
        rule(READ, [""], ["services", "pods"]),
        rule(["get", "list", "create", "update", "delete"], [""], ["endpoints"]),
        rule(["create"], [""], ["endpoints/restricted"]),
        events_rule(),
    ],
    "endpointslice-controller": [
        rule(READ, [""], ["services", "pods", "nodes"]),
        rule(
            ["get", "list", "create", "update", "delete"], ["discovery.k8s.io"], ["endpointslices"]
        ),
        events_rule(),
    ],
    "generic-garbage-collector": [
        rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"]),
        events_rule(),
    ],
    "job-controller": [
        rule(["get", "list", "watch", "update", "patch"], ["batch"], ["jobs"]),
        rule(["update"], ["batch"], ["jobs/status"]),
        rule(["update"], ["batch"], ["jobs/finalizers"]),
        rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
        events_rule(),
    ],
    "namespace-controller": [
        rule(["get", "list", "watch", "delete"], [""], ["namespaces"]),
        rule(["update"], [""], ["namespaces/finalize", "namespaces/status"]),
        rule(["get", "list", "watch", "delete", "deletecollection"], ["*"], ["*"]),
    ],
    "node-controller": [
        rule(["get", "list", "watch", "update", "delete", "patch"], [""], ["nodes"]),
        rule(["patch", "update"], [""], ["nodes/status"]),
        rule(["patch", "update"], [""], ["pods/status"]),
        rule(["list", "watch", "get", "delete"], [""], ["pods"]),
        events_rule(),
    ],
    "pod-garbage-collector": [
        rule(["list", "watch", "delete"], [""], ["pods"]),
        rule(READ, [""], ["nodes"]),
        rule(["patch"], [""], ["pods/status"]),
    ],
    "replicaset-controller": [
        rule(["get", "list", "watch", "update"], ["apps", "extensions"], ["replicasets"]),
        rule(["update"], ["apps", "extensions"], ["replicasets/status"]),
        rule(["update"], ["apps", "extensions"], ["replicasets/finalizers"]),
        rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"]),
        events_rule(),
    ],
    "replication-controller": [
        rule(["get", "list", "watch", "update"], [""], ["replicationcontrollers"]),
        rule(["update"], [""], ["replicationcontrollers/status"]),
        rule(["update"], [""], ["replicationcontrollers/finalizers"]),
        rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"]),
        events_rule(),
    ],
    "statefulset-controller": [
        rule(["list", "watch"], [""], ["pods"]),
        rule(READ, ["apps"], ["statefulsets"]),
        rule(["update"], ["apps"], ["statefulsets/status"]),
        rule(["update"], ["apps"], ["statefulsets/finalizers"]),
        rule(["get", "create", "delete", "update", "patch"], [""], ["pods"]),
        rule(
            ["get", "create", "delete", "update", "patch", "list", "watch"],
            ["apps"],
            ["controllerrevisions"],
        ),
        rule(["get", "create", "list", "watch"], [""], ["persistentvolumeclaims"]),
        rule(["update", "delete"], [""], ["persistentvolumeclaims"]),
        rule(["update"], [""], ["pods/finalizers"]),
        events_rule(),
    ],
    "ttl-after-finished-controller": [
        rule(["get", "list", "watch", "delete"], ["batch"], ["jobs"]),
        events_rule(),
    ],
}


def _meta(name: str) -> dict:
    return {"annotations": dict(AUTOUPDATE), "labels": dict(BOOTSTRAP_LABELS), "name": name}


def cluster_role(name: str, rules: list[dict]) -> dict:
    return {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": "ClusterRole",
        "metadata": _meta(name),
        "rules": rules,
    }


def cluster_role_binding(name: str, role: str, subjects: list[dict]) -> dict:
    return {
        "apiVersion": f"{RBAC_GROUP}/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(name),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    }


def bootstrap_policy() -> list[dict]:
    """Every bootstrap ClusterRole and ClusterRoleBinding, in the order they are created."""
    objects = [
        cluster_role(
            "cluster-admin",
            [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                {"nonResourceURLs": ["*"], "verbs": ["*"]},
            ],
        ),
        cluster_role("admin", _admin_rules()),
        cluster_role("edit", _edit_rules()),
        cluster_role("view", _view_rules()),
        cluster_role_binding(
            "cluster-admin",
            "cluster-admin",
            [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": "system:masters"}],
        ),
    ]
    for controller, rules in CONTROLLER_ROLES.items():
        role = CONTROLLER_PREFIX + controller
        objects.append(cluster_role(role, rules))
        objects.append(
            cluster_role_binding(
                role,
                role,
                [{"kind": "ServiceAccount", "name": controller, "namespace": "kube-system"}],
            )
        )
    return objects


class RBACBootstrap:
    """The RBAC authorizer and its bootstrap policy, installed when a Cluster is built.

    Listed in engine.security's CONTROLLERS so that it runs at cluster construction. It
    installs the authorizer the admission chain consults before any plugin
    (engine.api.admission.AdmissionChain.authorizer). The bootstrap roles and bindings are
    built into the authorizer rather than written to the store, so `podtui sim -o yaml`
    lists what the manifests made; a stored ClusterRole or ClusterRoleBinding of the same
    name takes the built-in one's place.
    """

    name = "rbac-bootstrap"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.authorizer = RBACAuthorizer(cluster.store, bootstrap_policy())
        cluster.api.admission.authorizer = self.authorizer.check_request
