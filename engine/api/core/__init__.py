"""The core (`v1`) kinds and coordination.k8s.io Lease, registered with the kind registry."""

from __future__ import annotations

from engine.api.core.misc import (
    default_namespace,
    default_secret,
    validate_config_map,
    validate_namespace,
    validate_node,
    validate_plain,
    validate_secret,
)
from engine.api.core.pod_defaults import default_pod
from engine.api.core.pod_update import validate_pod_update
from engine.api.core.pod_validation import validate_pod
from engine.api.kinds import KindInfo, register_kind

CORE = "io.k8s.api.core.v1."


def register() -> None:
    register_kind(
        KindInfo(
            "Namespace",
            "",
            ("v1",),
            "namespaces",
            namespaced=False,
            short_names=("ns",),
            schema={"v1": CORE + "Namespace"},
            validate=validate_namespace,
            default=default_namespace,
        )
    )
    register_kind(
        KindInfo(
            "Node",
            "",
            ("v1",),
            "nodes",
            namespaced=False,
            short_names=("no",),
            schema={"v1": CORE + "Node"},
            validate=validate_node,
        )
    )
    register_kind(
        KindInfo(
            "Pod",
            "",
            ("v1",),
            "pods",
            short_names=("po",),
            categories=("all",),
            schema={"v1": CORE + "Pod"},
            validate=validate_pod,
            validate_update=validate_pod_update,
            default=default_pod,
        )
    )
    register_kind(
        KindInfo(
            "ServiceAccount",
            "",
            ("v1",),
            "serviceaccounts",
            short_names=("sa",),
            schema={"v1": CORE + "ServiceAccount"},
            validate=validate_plain,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "ConfigMap",
            "",
            ("v1",),
            "configmaps",
            short_names=("cm",),
            schema={"v1": CORE + "ConfigMap"},
            validate=validate_config_map,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "Secret",
            "",
            ("v1",),
            "secrets",
            schema={"v1": CORE + "Secret"},
            validate=validate_secret,
            default=default_secret,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "Event",
            "",
            ("v1",),
            "events",
            short_names=("ev",),
            schema={"v1": CORE + "Event"},
            validate=validate_plain,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "Lease",
            "coordination.k8s.io",
            ("v1",),
            "leases",
            schema={"v1": "io.k8s.api.coordination.v1.Lease"},
            validate=validate_plain,
            has_status=False,
        )
    )


register()
