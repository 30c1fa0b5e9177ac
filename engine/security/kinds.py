"""The kinds engine.security serves: RBAC (rbac.authorization.k8s.io/v1), PodSecurityPolicy
(policy/v1beta1, also accepted as extensions/v1beta1) and PodPreset (settings.k8s.io/v1alpha1)."""

from __future__ import annotations

from engine.api.kinds import KindInfo, register_kind
from engine.security.podpreset.validation import default_podpreset, validate_podpreset
from engine.security.psp.validation import default_psp, validate_psp
from engine.security.rbac.rules import RBAC_GROUP
from engine.security.rbac.validation import (
    default_binding,
    validate_binding_update,
    validate_cluster_role,
    validate_cluster_role_binding,
    validate_role,
    validate_role_binding,
)

RBAC = "io.k8s.api.rbac.v1."
# The API server's deprecation warnings (deprecation.WarningMessage). The extensions one is
# built from the type's lifecycle tags (deprecated 1.11, removed 1.16, replaced by
# policy/v1beta1): no 1.16+ server served it, so no transcript shows it.
PSP_DEPRECATED = {
    "policy/v1beta1": "policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+",
    "extensions/v1beta1": (
        "extensions/v1beta1 PodSecurityPolicy is deprecated in v1.11+, unavailable in v1.16+; "
        "use policy/v1beta1 PodSecurityPolicy"
    ),
}


def register() -> None:
    register_kind(
        KindInfo(
            "PodSecurityPolicy",
            "policy",
            ("v1beta1",),
            "podsecuritypolicies",
            namespaced=False,
            short_names=("psp",),
            schema={"v1beta1": "io.k8s.api.policy.v1beta1.PodSecurityPolicy"},
            deprecated=dict(PSP_DEPRECATED),
            validate=validate_psp,
            default=default_psp,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "PodPreset",
            "settings.k8s.io",
            ("v1alpha1",),
            "podpresets",
            schema={"v1alpha1": "io.k8s.api.settings.v1alpha1.PodPreset"},
            validate=validate_podpreset,
            default=default_podpreset,
            has_status=False,
        )
    )
    for kind, plural, namespaced, validate in (
        ("Role", "roles", True, validate_role),
        ("ClusterRole", "clusterroles", False, validate_cluster_role),
    ):
        register_kind(
            KindInfo(
                kind,
                RBAC_GROUP,
                ("v1",),
                plural,
                namespaced=namespaced,
                schema={"v1": RBAC + kind},
                validate=validate,
                has_status=False,
            )
        )
    for kind, plural, namespaced, validate in (
        ("RoleBinding", "rolebindings", True, validate_role_binding),
        ("ClusterRoleBinding", "clusterrolebindings", False, validate_cluster_role_binding),
    ):
        register_kind(
            KindInfo(
                kind,
                RBAC_GROUP,
                ("v1",),
                plural,
                namespaced=namespaced,
                schema={"v1": RBAC + kind},
                validate=validate,
                default=default_binding,
                validate_update=validate_binding_update,
                has_status=False,
            )
        )
