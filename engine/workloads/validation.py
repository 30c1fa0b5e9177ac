"""Validation of the workload kinds, as the registry strategies run it (k/k
pkg/apis/apps/validation/validation.go, pkg/apis/batch/validation/validation.go,
pkg/apis/core/validation/validation.go for claims).

The API server defaults an object before it validates it; podtui's server validates first,
so each function here validates a defaulted copy (a legacy Deployment without a selector is
valid because defaulting fills it in).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from engine.api.core.pod_validation import validate_pod_spec
from engine.api.kinds import FieldErrors
from engine.api.validation import (
    forbidden,
    render,
    required,
    unsupported,
    validate_object_meta,
)
from engine.labels import SelectorError, label_selector_as_selector
from engine.quantity import QuantityError, parse_quantity
from engine.workloads import defaults
from engine.workloads.field_errors import Path, invalid, nonnegative
from engine.workloads.intstr import is_valid_percent
from engine.workloads.job_validation import job_policy_errors, job_restart_policy_errors

PERCENT_MSG = (
    "a valid percent string must be a numeric string followed by an ending '%' "
    "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
)
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]


def _with_defaults(obj: dict, default: Callable[[dict], None]) -> dict:
    copied = copy.deepcopy(obj)
    default(copied)
    return copied


# -- shared pieces -------------------------------------------------------------------------
def _selector_errors(spec: dict, path: Path, kind_word: str, *, need: bool = True) -> FieldErrors:
    selector = spec.get("selector")
    if selector is None:
        return [required((*path, "selector"))] if need else []
    errors: FieldErrors = []
    if not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errors.append(
            invalid((*path, "selector"), selector, f"empty selector is invalid for {kind_word}")
        )
    return errors


def _template_matches(spec: dict, path: Path, *, skip_empty: bool = True) -> FieldErrors:
    """The selector must select the template's labels (`selector` does not match ...)."""
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    try:
        selector = label_selector_as_selector(spec.get("selector"))
    except SelectorError:
        return [invalid((*path, "selector"), spec.get("selector"), "invalid label selector")]
    if skip_empty and selector.empty():
        return []
    if not selector.matches(labels):
        return [
            invalid(
                (*path, "template", "metadata", "labels"),
                labels,
                "`selector` does not match template `labels`",
            )
        ]
    return []


def _template_spec_errors(spec: dict, path: Path, *, extra_volumes: list[dict] = ()) -> FieldErrors:
    pod_spec = (spec.get("template") or {}).get("spec")
    if not isinstance(pod_spec, dict):
        return [required((*path, "template", "spec", "containers"))]
    if extra_volumes:
        pod_spec = dict(pod_spec)
        pod_spec["volumes"] = [*(pod_spec.get("volumes") or []), *extra_volumes]
    return validate_pod_spec(pod_spec, (*path, "template", "spec"))


# The pod template check, for the CronJob's job template (engine/workloads/cronjob_kind.py).
template_spec_errors = _template_spec_errors


def _restart_always(spec: dict, path: Path, kind: str, *, forbid: bool = False) -> FieldErrors:
    errors: FieldErrors = []
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    policy = pod_spec.get("restartPolicy", "Always")
    if policy != "Always":
        errors.append(unsupported((*path, "template", "spec", "restartPolicy"), policy, ["Always"]))
    deadline = pod_spec.get("activeDeadlineSeconds")
    if deadline is not None:
        field_path = (*path, "template", "spec", "activeDeadlineSeconds")
        message = f"activeDeadlineSeconds in {kind} is not Supported"
        errors.append(
            forbidden(field_path, message) if forbid else invalid(field_path, deadline, message)
        )
    return errors


def int_or_percent_errors(value: object, path: Path) -> FieldErrors:
    """ValidatePositiveIntOrPercent."""
    if value is None:
        return []
    if isinstance(value, str):
        return [] if is_valid_percent(value) else [invalid(path, value, PERCENT_MSG)]
    if isinstance(value, int) and not isinstance(value, bool):
        return nonnegative(path, value)
    return [invalid(path, value, "must be an integer or percentage (e.g '5%')")]


def _int_or_percent_value(value: object) -> int:
    """getIntOrPercentValue: the number, a percentage's digits, or 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and is_valid_percent(value):
        return int(value[:-1])
    return 0


def not_more_than_100_percent(value: object, path: Path) -> FieldErrors:
    if isinstance(value, str) and is_valid_percent(value) and int(value[:-1]) > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


# -- Deployment ----------------------------------------------------------------------------
def validate_deployment(obj: dict) -> FieldErrors:
    obj = _with_defaults(obj, defaults.default_deployment)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    path: Path = ("spec",)
    errors += nonnegative((*path, "replicas"), spec.get("replicas"))
    errors += _selector_errors(spec, path, "deployment")
    errors += _template_matches(spec, path)
    errors += _template_spec_errors(spec, path)
    errors += _restart_always(spec, path, "ReplicaSet")
    errors += _deployment_strategy_errors(spec.get("strategy") or {}, (*path, "strategy"))
    errors += nonnegative((*path, "minReadySeconds"), spec.get("minReadySeconds"))
    errors += nonnegative((*path, "revisionHistoryLimit"), spec.get("revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool):
        errors += nonnegative((*path, "progressDeadlineSeconds"), deadline)
        if deadline <= int(spec.get("minReadySeconds") or 0):
            errors.append(
                invalid(
                    (*path, "progressDeadlineSeconds"),
                    deadline,
                    "must be greater than minReadySeconds",
                )
            )
    return errors


def _deployment_strategy_errors(strategy: dict, path: Path) -> FieldErrors:
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [
                forbidden(
                    (*path, "rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                )
            ]
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [required((*path, "rollingUpdate"), "this should be defaulted and never be nil")]
        rpath = (*path, "rollingUpdate")
        errors = int_or_percent_errors(rolling.get("maxUnavailable"), (*rpath, "maxUnavailable"))
        errors += int_or_percent_errors(rolling.get("maxSurge"), (*rpath, "maxSurge"))
        if (
            _int_or_percent_value(rolling.get("maxUnavailable")) == 0
            and _int_or_percent_value(rolling.get("maxSurge")) == 0
        ):
            errors.append(
                invalid(
                    (*rpath, "maxUnavailable"),
                    rolling.get("maxUnavailable"),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        errors += not_more_than_100_percent(
            rolling.get("maxUnavailable"), (*rpath, "maxUnavailable")
        )
        return errors
    return [unsupported((*path, "type"), kind, ["Recreate", "RollingUpdate"])]


# -- ReplicaSet ----------------------------------------------------------------------------
def validate_replica_set(obj: dict) -> FieldErrors:
    obj = _with_defaults(obj, defaults.default_replica_set)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    path: Path = ("spec",)
    errors += nonnegative((*path, "replicas"), spec.get("replicas"))
    errors += nonnegative((*path, "minReadySeconds"), spec.get("minReadySeconds"))
    # Upstream's ReplicaSet validation says "deployment" here too.
    errors += _selector_errors(spec, path, "deployment")
    errors += _template_matches(spec, path)
    errors += _template_spec_errors(spec, path)
    errors += _restart_always(spec, path, "ReplicaSet")
    return errors


# -- StatefulSet ---------------------------------------------------------------------------
def validate_stateful_set(obj: dict) -> FieldErrors:
    obj = _with_defaults(obj, defaults.default_stateful_set)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    path: Path = ("spec",)
    policy = spec.get("podManagementPolicy")
    if policy not in ("OrderedReady", "Parallel"):
        errors.append(
            invalid((*path, "podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'")
        )
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type")
    if kind == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errors.append(
                invalid(
                    (*path, "updateStrategy", "rollingUpdate"),
                    strategy["rollingUpdate"],
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        errors += nonnegative(
            (*path, "updateStrategy", "rollingUpdate", "partition"), rolling.get("partition")
        )
    else:
        errors.append(
            invalid((*path, "updateStrategy"), strategy, "must be 'RollingUpdate' or 'OnDelete'")
        )
    errors += nonnegative((*path, "replicas"), spec.get("replicas"))
    errors += nonnegative((*path, "minReadySeconds"), spec.get("minReadySeconds"))
    errors += _selector_errors(spec, path, "statefulset")
    errors += _template_matches(spec, path)
    claim_volumes = []
    for index, claim in enumerate(spec.get("volumeClaimTemplates") or ()):
        name = (claim.get("metadata") or {}).get("name")
        cpath = (*path, "volumeClaimTemplates", index)
        if not name:
            errors.append(required((*cpath, "metadata", "name")))
            continue
        claim_volumes.append({"name": name, "persistentVolumeClaim": {"claimName": name}})
        errors += claim_spec_errors(claim.get("spec") or {}, (*cpath, "spec"))
    errors += _template_spec_errors(spec, path, extra_volumes=claim_volumes)
    errors += _restart_always(spec, path, "StatefulSet", forbid=True)
    return errors


# -- DaemonSet -----------------------------------------------------------------------------
def validate_daemon_set(obj: dict) -> FieldErrors:
    obj = _with_defaults(obj, defaults.default_daemon_set)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    path: Path = ("spec",)
    errors += _selector_errors(spec, path, "daemonset")
    errors += _template_matches(spec, path, skip_empty=False)
    errors += _template_spec_errors(spec, path)
    errors += _restart_always(spec, path, "DaemonSet")
    errors += nonnegative((*path, "minReadySeconds"), spec.get("minReadySeconds"))
    errors += nonnegative((*path, "revisionHistoryLimit"), spec.get("revisionHistoryLimit"))
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type")
    spath = (*path, "updateStrategy")
    if kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        rpath = (*spath, "rollingUpdate")
        errors += int_or_percent_errors(rolling.get("maxUnavailable"), (*rpath, "maxUnavailable"))
        errors += int_or_percent_errors(rolling.get("maxSurge"), (*rpath, "maxSurge"))
        unavailable = _int_or_percent_value(rolling.get("maxUnavailable"))
        surge = _int_or_percent_value(rolling.get("maxSurge"))
        if unavailable == 0 and surge == 0:
            errors.append(
                invalid(
                    (*rpath, "maxUnavailable"),
                    rolling.get("maxUnavailable"),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        if unavailable != 0 and surge != 0:
            errors.append(
                invalid(
                    (*rpath, "maxSurge"),
                    rolling.get("maxSurge"),
                    "may not be set when maxUnavailable is non-zero",
                )
            )
        errors += not_more_than_100_percent(
            rolling.get("maxUnavailable"), (*rpath, "maxUnavailable")
        )
    elif kind != "OnDelete":
        errors.append(unsupported((*spath, "type"), kind, ["OnDelete", "RollingUpdate"]))
    return errors


# -- Job -----------------------------------------------------------------------------------
def validate_job(obj: dict) -> FieldErrors:
    obj = _with_defaults(obj, defaults.default_job)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    path: Path = ("spec",)
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"):
        errors += nonnegative((*path, name), spec.get(name))
    if spec.get("manualSelector"):
        # Without manualSelector the API server generates the selector (controller-uid).
        errors += _selector_errors(spec, path, "job")
        errors += _template_matches(spec, path, skip_empty=False)
    mode = spec.get("completionMode")
    if mode not in ("NonIndexed", "Indexed"):
        errors.append(unsupported((*path, "completionMode"), mode, ["NonIndexed", "Indexed"]))
    elif mode == "Indexed" and spec.get("completions") is None:
        errors.append(required((*path, "completions"), "when completion mode is Indexed"))
    errors += job_policy_errors(spec, path)
    errors += _template_spec_errors(spec, path)
    errors += job_restart_policy_errors(spec, path)
    return errors


# -- PersistentVolumeClaim ---------------------------------------------------------------------
def claim_spec_errors(spec: dict, path: Path) -> FieldErrors:
    """ValidatePersistentVolumeClaimSpec: access modes and a storage request."""
    errors: FieldErrors = []
    modes = spec.get("accessModes") or []
    if not modes:
        errors.append(required((*path, "accessModes"), "at least 1 access mode is required"))
    for mode in modes:
        if mode not in ACCESS_MODES:
            errors.append(unsupported((*path, "accessModes"), mode, ACCESS_MODES))
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    spath = (*path, "resources", "requests", "storage")
    if storage is None:
        if not spec.get("dataSource") and not spec.get("dataSourceRef"):
            errors.append(
                (
                    (*path, "resources", "requests"),
                    f"{render((*path, 'resources', 'requests'))}: Required value: "
                    "storage: Required value",
                )
            )
    else:
        try:
            if parse_quantity(storage) <= 0:
                errors.append(invalid(spath, str(storage), "must be greater than zero"))
        except (QuantityError, TypeError):
            errors.append(
                invalid(
                    spath,
                    str(storage),
                    "quantities must match the regular expression "
                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                )
            )
    return errors


def validate_persistent_volume_claim(obj: dict) -> FieldErrors:
    errors = validate_object_meta(obj, namespaced=True)
    return errors + claim_spec_errors(obj.get("spec") or {}, ("spec",))


def validate_cluster_object(obj: dict) -> FieldErrors:
    return validate_object_meta(obj, namespaced=False)


def validate_namespaced_object(obj: dict) -> FieldErrors:
    return validate_object_meta(obj, namespaced=True)


# -- updates -------------------------------------------------------------------------------
def _selector_immutable(live: dict, new: dict) -> FieldErrors:
    old_selector = (live.get("spec") or {}).get("selector")
    new_selector = (new.get("spec") or {}).get("selector")
    if old_selector != new_selector:
        return [invalid(("spec", "selector"), new_selector, "field is immutable")]
    return []


def validate_deployment_update(live: dict, new: dict) -> FieldErrors:
    return _selector_immutable(live, new)


def validate_replica_set_update(live: dict, new: dict) -> FieldErrors:
    return _selector_immutable(live, new)


def validate_daemon_set_update(live: dict, new: dict) -> FieldErrors:
    return _selector_immutable(live, new)


STATEFULSET_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)


def validate_stateful_set_update(live: dict, new: dict) -> FieldErrors:
    old_spec = {k: v for k, v in (live.get("spec") or {}).items() if k not in STATEFULSET_MUTABLE}
    new_spec = {k: v for k, v in (new.get("spec") or {}).items() if k not in STATEFULSET_MUTABLE}
    if old_spec != new_spec:
        return [
            forbidden(
                ("spec",),
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                "'minReadySeconds' are forbidden",
            )
        ]
    return []


def validate_job_update(live: dict, new: dict) -> FieldErrors:
    errors: FieldErrors = []
    old_spec = live.get("spec") or {}
    new_spec = new.get("spec") or {}
    if old_spec.get("selector") != new_spec.get("selector"):
        errors.append(invalid(("spec", "selector"), new_spec.get("selector"), "field is immutable"))
    if old_spec.get("template") != new_spec.get("template"):
        errors.append(invalid(("spec", "template"), new_spec.get("template"), "field is immutable"))
    if old_spec.get("completions") != new_spec.get("completions"):
        errors.append(
            invalid(("spec", "completions"), new_spec.get("completions"), "field is immutable")
        )
    # ValidateJobSpecUpdate: how a Job counts and ends cannot change once it exists.
    for name in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "successPolicy"):
        if old_spec.get(name) != new_spec.get(name):
            errors.append(invalid(("spec", name), new_spec.get(name), "field is immutable"))
    return errors


def validate_persistent_volume_claim_update(live: dict, new: dict) -> FieldErrors:
    old_spec = dict(live.get("spec") or {})
    new_spec = dict(new.get("spec") or {})
    for spec in (old_spec, new_spec):
        spec.pop("resources", None)
        spec.pop("volumeAttributesClassName", None)
    if not new_spec.get("volumeName"):
        new_spec.pop("volumeName", None)
        old_spec.pop("volumeName", None)
    if not new_spec.get("storageClassName"):
        new_spec.pop("storageClassName", None)
        old_spec.pop("storageClassName", None)
    if old_spec != new_spec:
        return [
            forbidden(
                ("spec",),
                "spec is immutable after creation except resources.requests and "
                "volumeAttributesClassName for bound claims",
            )
        ]
    return []
