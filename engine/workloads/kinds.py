"""The workload kinds the API server serves: apps/v1 (and the legacy groups older tutorials
use), batch/v1 Job, and the storage kinds a StatefulSet's claims need."""

from __future__ import annotations

from engine.api.kinds import KindInfo, register_kind
from engine.workloads import defaults, validation

APPS = "io.k8s.api.apps.v1."


def deprecation(group_version: str, kind: str, deprecated: str) -> str:
    """deprecation.WarningMessage (k8s.io/apiserver/pkg/endpoints/deprecation): the legacy
    apps groups were all removed in 1.16 and replaced by apps/v1."""
    return (
        f"{group_version} {kind} is deprecated in v{deprecated}+, unavailable in v1.16+; "
        f"use apps/v1 {kind}"
    )


# Which legacy group/versions served which kind, and when each was deprecated
# (zz_generated.prerelease-lifecycle.go of extensions/v1beta1, apps/v1beta1, apps/v1beta2).
LEGACY: dict[str, dict[str, str]] = {
    "Deployment": {"extensions/v1beta1": "1.8", "apps/v1beta1": "1.8", "apps/v1beta2": "1.9"},
    "ReplicaSet": {"extensions/v1beta1": "1.8", "apps/v1beta2": "1.9"},
    "DaemonSet": {"extensions/v1beta1": "1.8", "apps/v1beta2": "1.9"},
    "StatefulSet": {"apps/v1beta1": "1.8", "apps/v1beta2": "1.9"},
}

LEGACY_SCHEMA = {
    "Deployment": {
        "v1beta1": "io.k8s.api.extensions.v1beta1.Deployment",
        "v1beta2": "io.k8s.api.apps.v1beta2.Deployment",
    },
    "ReplicaSet": {
        "v1beta1": "io.k8s.api.extensions.v1beta1.ReplicaSet",
        "v1beta2": "io.k8s.api.apps.v1beta2.ReplicaSet",
    },
    "DaemonSet": {
        "v1beta1": "io.k8s.api.extensions.v1beta1.DaemonSet",
        "v1beta2": "io.k8s.api.apps.v1beta2.DaemonSet",
    },
    "StatefulSet": {
        "v1beta1": "io.k8s.api.apps.v1beta1.StatefulSet",
        "v1beta2": "io.k8s.api.apps.v1beta2.StatefulSet",
    },
}


def _apps_kind(kind: str, plural: str, short: tuple[str, ...], **hooks) -> KindInfo:
    return KindInfo(
        kind,
        "apps",
        ("v1",),
        plural,
        short_names=short,
        categories=("all",),
        schema={"v1": APPS + kind, **LEGACY_SCHEMA.get(kind, {})},
        deprecated={
            version: deprecation(version, kind, since)
            for version, since in LEGACY.get(kind, {}).items()
        },
        # DefaultGarbageCollectionPolicy (pkg/registry/apps/{deployment,replicaset,
        # daemonset,statefulset}/strategy.go): a delete through extensions/v1beta1,
        # apps/v1beta1 or apps/v1beta2 that names no policy orphans, "for back
        # compatibility"; every other version deletes the dependents.
        version_propagation={version: "Orphan" for version in LEGACY.get(kind, {})},
        **hooks,
    )


def register() -> None:
    register_kind(
        _apps_kind(
            "Deployment",
            "deployments",
            ("deploy",),
            validate=validation.validate_deployment,
            default=defaults.default_deployment,
            validate_update=validation.validate_deployment_update,
        )
    )
    register_kind(
        _apps_kind(
            "ReplicaSet",
            "replicasets",
            ("rs",),
            validate=validation.validate_replica_set,
            default=defaults.default_replica_set,
            validate_update=validation.validate_replica_set_update,
        )
    )
    register_kind(
        _apps_kind(
            "StatefulSet",
            "statefulsets",
            ("sts",),
            validate=validation.validate_stateful_set,
            default=defaults.default_stateful_set,
            validate_update=validation.validate_stateful_set_update,
        )
    )
    register_kind(
        _apps_kind(
            "DaemonSet",
            "daemonsets",
            ("ds",),
            validate=validation.validate_daemon_set,
            default=defaults.default_daemon_set,
            validate_update=validation.validate_daemon_set_update,
        )
    )
    register_kind(
        KindInfo(
            "ControllerRevision",
            "apps",
            ("v1",),
            "controllerrevisions",
            schema={"v1": APPS + "ControllerRevision"},
            validate=validation.validate_namespaced_object,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "Job",
            "batch",
            ("v1",),
            "jobs",
            categories=("all",),
            schema={"v1": "io.k8s.api.batch.v1.Job"},
            validate=validation.validate_job,
            default=defaults.default_job,
            validate_update=validation.validate_job_update,
            # jobStrategy.DefaultGarbageCollectionPolicy: batch/v1 orphans "for back
            # compatibility" when the request names no policy (kubectl always names one).
            default_propagation="Orphan",
        )
    )
    register_kind(
        KindInfo(
            "PersistentVolumeClaim",
            "",
            ("v1",),
            "persistentvolumeclaims",
            short_names=("pvc",),
            schema={"v1": "io.k8s.api.core.v1.PersistentVolumeClaim"},
            validate=validation.validate_persistent_volume_claim,
            default=defaults.default_persistent_volume_claim,
            validate_update=validation.validate_persistent_volume_claim_update,
        )
    )
    register_kind(
        KindInfo(
            "PersistentVolume",
            "",
            ("v1",),
            "persistentvolumes",
            namespaced=False,
            short_names=("pv",),
            schema={"v1": "io.k8s.api.core.v1.PersistentVolume"},
            validate=validation.validate_cluster_object,
            default=defaults.default_persistent_volume,
        )
    )
    register_kind(
        KindInfo(
            "StorageClass",
            "storage.k8s.io",
            ("v1",),
            "storageclasses",
            namespaced=False,
            short_names=("sc",),
            schema={"v1": "io.k8s.api.storage.v1.StorageClass"},
            validate=validation.validate_cluster_object,
            default=defaults.default_storage_class,
            has_status=False,
        )
    )
