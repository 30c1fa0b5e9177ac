"""Admission and authorization: RBAC, PodSecurityPolicy, PodPreset and Pod Security Admission.

What it plugs into the engine (engine.extensions):
- kinds: Role, ClusterRole, RoleBinding, ClusterRoleBinding, PodSecurityPolicy, PodPreset;
- printers: kubectl's tables for them; describers: kubectl describe's text for them;
- CONTROLLERS: `rbac-bootstrap`, which writes the bootstrap RBAC policy and installs the RBAC
  authorizer the API server consults before admission;
- ADMISSION_PLUGINS: PodPreset, PodSecurityPolicy, PodSecurity (run in
  engine.api.admission.ORDER).

What the console and other packages call:
- `authorizer_for(cluster).can(user, groups, verb, resource, namespace, name)` and `can(...)`;
- `psp_active`, `admitted_pods`, `admitted_by_policy`, `refused_pods`;
- `explain(cluster, pod, user)` (engine.security.explain).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.printers.registry import register_printer
from engine.security import describe as _describe
from engine.security import kinds
from engine.security.explain import Explanation, PolicyReport, explain
from engine.security.podpreset.admission import PodPresetAdmission
from engine.security.printers import BindingPrinter, CreatedAtPrinter, PodSecurityPolicyPrinter
from engine.security.psa.admission import PodSecurityAdmission
from engine.security.psp.admission import (
    VALIDATED_PSP_ANNOTATION,
    PodSecurityPolicyAdmission,
    Refusal,
)
from engine.security.rbac.authorizer import RBACAuthorizer
from engine.security.rbac.bootstrap import RBACBootstrap

if TYPE_CHECKING:
    from engine.cluster import Cluster

kinds.register()
_describe.register()
register_printer("PodSecurityPolicy", PodSecurityPolicyPrinter(), namespaced=False)
register_printer("PodPreset", CreatedAtPrinter())
register_printer("Role", CreatedAtPrinter())
register_printer("ClusterRole", CreatedAtPrinter(), namespaced=False)
register_printer("RoleBinding", BindingPrinter())
register_printer("ClusterRoleBinding", BindingPrinter(), namespaced=False)

CONTROLLERS = [("rbac-bootstrap", RBACBootstrap)]
ADMISSION_PLUGINS = [PodPresetAdmission, PodSecurityPolicyAdmission, PodSecurityAdmission]

__all__ = [
    "ADMISSION_PLUGINS",
    "CONTROLLERS",
    "Explanation",
    "PolicyReport",
    "Refusal",
    "admitted_by_policy",
    "admitted_pods",
    "authorizer_for",
    "can",
    "explain",
    "psa_plugin",
    "psp_active",
    "psp_plugin",
    "refused_pods",
]


def authorizer_for(cluster: Cluster) -> RBACAuthorizer:
    """The cluster's RBAC authorizer."""
    return cluster.controllers["rbac-bootstrap"].authorizer  # type: ignore[attr-defined]


def can(
    cluster: Cluster,
    user: str,
    groups: Sequence[str],
    verb: str,
    resource: str,
    namespace: str = "",
    name: str = "",
) -> bool:
    """`kubectl auth can-i VERB RESOURCE[/NAME] -n NAMESPACE --as USER --as-group GROUP`."""
    return authorizer_for(cluster).can(user, groups, verb, resource, namespace, name)


def psp_plugin(cluster: Cluster) -> PodSecurityPolicyAdmission | None:
    plugin = cluster.api.admission.get("PodSecurityPolicy")
    return plugin if isinstance(plugin, PodSecurityPolicyAdmission) else None


def psa_plugin(cluster: Cluster) -> PodSecurityAdmission | None:
    plugin = cluster.api.admission.get("PodSecurity")
    return plugin if isinstance(plugin, PodSecurityAdmission) else None


def psp_active(cluster: Cluster) -> bool:
    """Whether PodSecurityPolicy admission is on (at least one PodSecurityPolicy exists)."""
    return cluster.store.count("PodSecurityPolicy") > 0


def admitted_pods(cluster: Cluster, policy: str) -> list[dict]:
    """The pods a policy admitted (their `kubernetes.io/psp` annotation), by namespace and name."""
    return [
        pod
        for pod in cluster.store.list("Pod")
        if ((pod["metadata"].get("annotations") or {}).get(VALIDATED_PSP_ANNOTATION)) == policy
    ]


def admitted_by_policy(cluster: Cluster) -> dict[str, list[dict]]:
    """Every policy's admitted pods (policies that admitted none map to an empty list)."""
    out: dict[str, list[dict]] = {
        psp["metadata"]["name"]: [] for psp in cluster.store.list("PodSecurityPolicy")
    }
    for pod in cluster.store.list("Pod"):
        name = (pod["metadata"].get("annotations") or {}).get(VALIDATED_PSP_ANNOTATION)
        if name is not None:
            out.setdefault(name, []).append(pod)
    return out


def refused_pods(cluster: Cluster) -> list[Refusal]:
    """The pods PodSecurityPolicy refused, most recent last (one entry per pod name and
    requester; a controller's retries count up)."""
    plugin = psp_plugin(cluster)
    return list(plugin.refusals.values()) if plugin is not None else []
