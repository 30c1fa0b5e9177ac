"""SetDefaults for the workload kinds, per apiVersion, as the API server applies them on decode.

Sources: k/k pkg/apis/apps/v1/defaults.go, pkg/apis/apps/v1beta1/defaults.go,
pkg/apis/apps/v1beta2/defaults.go, pkg/apis/extensions/v1beta1/defaults.go (≈1.15, the last
release that served it), pkg/apis/batch/v1/defaults.go, pkg/apis/core/v1/defaults.go.
The pod template inside each controller gets the pod defaults (SetDefaults_PodSpec and
friends) but no status.
"""

from __future__ import annotations

from engine.api.core.pod_defaults import default_pod_spec

MAX_INT32 = 2**31 - 1

LEGACY_EXTENSIONS = "extensions/v1beta1"
LEGACY_APPS_V1BETA1 = "apps/v1beta1"
LEGACY_APPS_V1BETA2 = "apps/v1beta2"


def default_template(obj: dict) -> None:
    """The pod template's defaults (what `kubectl get deploy -o yaml` shows under template)."""
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))


def _selector_from_template_labels(obj: dict) -> None:
    """The legacy defaulting: a missing selector (and empty object labels) from the template."""
    spec = obj.setdefault("spec", {})
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels:
        if spec.get("selector") is None:
            spec["selector"] = {"matchLabels": dict(labels)}
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            meta["labels"] = dict(labels)


# -- Deployment ----------------------------------------------------------------------------
def default_deployment(obj: dict) -> None:
    """SetDefaults_Deployment for the apiVersion the object was sent as."""
    version = obj.get("apiVersion", "")
    spec = obj.setdefault("spec", {})
    if version in (LEGACY_EXTENSIONS, LEGACY_APPS_V1BETA1):
        _selector_from_template_labels(obj)
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    legacy_extensions = version == LEGACY_EXTENSIONS
    # extensions/v1beta1 defaulted rollingUpdate whenever it was given, whatever the type.
    if strategy["type"] == "RollingUpdate" or (legacy_extensions and "rollingUpdate" in strategy):
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            rolling = strategy["rollingUpdate"] = {}
        default_value = 1 if legacy_extensions else "25%"
        rolling.setdefault("maxUnavailable", default_value)
        rolling.setdefault("maxSurge", default_value)
    if legacy_extensions:
        # "MaxInt32, which has the same meaning as unset": keep every revision, no deadline.
        spec.setdefault("revisionHistoryLimit", MAX_INT32)
        spec.setdefault("progressDeadlineSeconds", MAX_INT32)
    else:
        spec.setdefault("revisionHistoryLimit", 2 if version == LEGACY_APPS_V1BETA1 else 10)
        spec.setdefault("progressDeadlineSeconds", 600)
    # Fields of the old APIs that apps/v1 does not have (rollbackTo: use `rollout undo`).
    spec.pop("rollbackTo", None)
    default_template(obj)


# -- ReplicaSet ----------------------------------------------------------------------------
def default_replica_set(obj: dict) -> None:
    if obj.get("apiVersion") == LEGACY_EXTENSIONS:
        _selector_from_template_labels(obj)
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    default_template(obj)


# -- StatefulSet ---------------------------------------------------------------------------
def default_stateful_set(obj: dict) -> None:
    version = obj.get("apiVersion", "")
    spec = obj.setdefault("spec", {})
    if version == LEGACY_APPS_V1BETA1:
        _selector_from_template_labels(obj)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    if not strategy.get("type"):
        # apps/v1beta1 updated StatefulSets only when their pods were deleted.
        strategy["type"] = "OnDelete" if version == LEGACY_APPS_V1BETA1 else "RollingUpdate"
        if strategy["type"] == "RollingUpdate" and strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    if strategy["type"] == "RollingUpdate" and strategy.get("rollingUpdate") is not None:
        strategy["rollingUpdate"].setdefault("partition", 0)
    if version not in (LEGACY_APPS_V1BETA1, LEGACY_APPS_V1BETA2):
        # StatefulSetAutoDeletePVC (beta, on by default since 1.27).
        policy = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
        policy.setdefault("whenDeleted", "Retain")
        policy.setdefault("whenScaled", "Retain")
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    for claim in spec.get("volumeClaimTemplates") or ():
        default_claim_template(claim)
    default_template(obj)


def default_claim_template(claim: dict) -> None:
    """A volumeClaimTemplate as the API server stores it: a full PersistentVolumeClaim."""
    claim.setdefault("apiVersion", "v1")
    claim.setdefault("kind", "PersistentVolumeClaim")
    claim.setdefault("metadata", {})
    claim.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    claim.setdefault("status", {}).setdefault("phase", "Pending")


# -- DaemonSet -----------------------------------------------------------------------------
def default_daemon_set(obj: dict) -> None:
    version = obj.get("apiVersion", "")
    spec = obj.setdefault("spec", {})
    if version == LEGACY_EXTENSIONS:
        _selector_from_template_labels(obj)
    strategy = spec.setdefault("updateStrategy", {})
    if not strategy.get("type"):
        # extensions/v1beta1 DaemonSets were OnDelete unless told otherwise.
        strategy["type"] = "OnDelete" if version == LEGACY_EXTENSIONS else "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            rolling = strategy["rollingUpdate"] = {}
        rolling.setdefault("maxUnavailable", 1)
        if version != LEGACY_EXTENSIONS:
            rolling.setdefault("maxSurge", 0)
    spec.pop("templateGeneration", None)
    spec.setdefault("revisionHistoryLimit", 10)
    default_template(obj)


# -- Job -----------------------------------------------------------------------------------
def default_job(obj: dict) -> None:
    """SetDefaults_Job (batch/v1, ≈1.32)."""
    spec = obj.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = (
            "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
        )
    spec.setdefault("manualSelector", False)
    # A pod condition pattern's status defaults to True (SetDefaults_Job).
    for rule in (spec.get("podFailurePolicy") or {}).get("rules") or ():
        for pattern in rule.get("onPodConditions") or ():
            if isinstance(pattern, dict) and not pattern.get("status"):
                pattern["status"] = "True"
    default_template(obj)


# -- PersistentVolumeClaim / PersistentVolume / StorageClass ---------------------------------
def default_persistent_volume_claim(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("volumeMode", "Filesystem")
    obj["status"] = {"phase": "Pending"}


def default_persistent_volume(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def default_storage_class(obj: dict) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")
