"""The restricted level's own checks (pod-security-admission/policy/check_*.go), upstream's words."""

from __future__ import annotations

from engine.security.psa.baseline import valid_seccomp
from engine.security.psa.common import (
    ALLOWED,
    CheckResult,
    containers_detail,
    is_windows,
    join_quote,
    pluralize,
    pod_sc_of,
    sc_of,
    visit_containers,
)


# -- restricted -----------------------------------------------------------------------------
def allow_privilege_escalation_1_8(meta: dict, spec: dict) -> CheckResult:
    bad = [
        c.get("name", "")
        for c in visit_containers(spec)
        if sc_of(c).get("allowPrivilegeEscalation") is not False
    ]
    if bad:
        return CheckResult(
            False,
            "allowPrivilegeEscalation != false",
            f"{containers_detail(bad)} must set securityContext.allowPrivilegeEscalation=false",
        )
    return ALLOWED


def allow_privilege_escalation_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if is_windows(spec) else allow_privilege_escalation_1_8(meta, spec)


def capabilities_restricted_1_22(meta: dict, spec: dict) -> CheckResult:
    missing_drop = []
    adding = []
    forbidden: set[str] = set()
    for container in visit_containers(spec):
        caps = sc_of(container).get("capabilities")
        if caps is None:
            missing_drop.append(container.get("name", ""))
            continue
        if "ALL" not in (caps.get("drop") or []):
            missing_drop.append(container.get("name", ""))
        extra = [c for c in caps.get("add") or [] if c != "NET_BIND_SERVICE"]
        if extra:
            adding.append(container.get("name", ""))
            forbidden.update(extra)
    details = []
    if missing_drop:
        details.append(
            f'{containers_detail(missing_drop)} must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{containers_detail(adding)} must not include {join_quote(sorted(forbidden))} "
            "in securityContext.capabilities.add"
        )
    if details:
        return CheckResult(False, "unrestricted capabilities", "; ".join(details))
    return ALLOWED


def capabilities_restricted_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if is_windows(spec) else capabilities_restricted_1_22(meta, spec)


ALLOWED_RESTRICTED_VOLUMES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
RESTRICTED_VOLUME_TYPES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def restricted_volumes(meta: dict, spec: dict) -> CheckResult:
    bad = []
    types: set[str] = set()
    for volume in spec.get("volumes") or []:
        if any(volume.get(k) is not None for k in ALLOWED_RESTRICTED_VOLUMES):
            continue
        bad.append(volume.get("name", ""))
        types.add(
            next((k for k in RESTRICTED_VOLUME_TYPES if volume.get(k) is not None), "unknown")
        )
    if bad:
        return CheckResult(
            False,
            "restricted volume types",
            f"{pluralize('volume', 'volumes', len(bad))} {join_quote(bad)} "
            f"{pluralize('uses', 'use', len(bad))} "
            f"{pluralize('restricted volume type', 'restricted volume types', len(types))} "
            f"{join_quote(sorted(types))}",
        )
    return ALLOWED


def run_as_non_root(meta: dict, spec: dict) -> CheckResult:
    bad_setters = []
    pod_value = pod_sc_of(spec).get("runAsNonRoot")
    if pod_value is False:
        bad_setters.append("pod")
    explicit = []
    implicit = []
    for container in visit_containers(spec):
        value = sc_of(container).get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(container.get("name", ""))
        elif pod_value is not True:
            implicit.append(container.get("name", ""))
    if explicit:
        bad_setters.append(containers_detail(explicit))
    if bad_setters:
        return CheckResult(
            False,
            "runAsNonRoot != true",
            f"{' and '.join(bad_setters)} must not set securityContext.runAsNonRoot=false",
        )
    if implicit:
        return CheckResult(
            False,
            "runAsNonRoot != true",
            f"pod or {containers_detail(implicit)} must set securityContext.runAsNonRoot=true",
        )
    return ALLOWED


def run_as_user_1_23(meta: dict, spec: dict) -> CheckResult:
    setters = ["pod"] if pod_sc_of(spec).get("runAsUser") == 0 else []
    bad = [c.get("name", "") for c in visit_containers(spec) if sc_of(c).get("runAsUser") == 0]
    if bad:
        setters.append(containers_detail(bad))
    if setters:
        return CheckResult(
            False, "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"
        )
    return ALLOWED


def seccomp_profile_restricted_1_19(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    values: set[str] = set()
    pod_set = False
    profile = pod_sc_of(spec).get("seccompProfile")
    if profile is not None:
        if not valid_seccomp(profile):
            bad_setters.append("pod")
            values.add(profile.get("type", ""))
        else:
            pod_set = True
    explicit = []
    implicit = []
    for container in visit_containers(spec):
        profile = sc_of(container).get("seccompProfile")
        if profile is not None:
            if not valid_seccomp(profile):
                explicit.append(container.get("name", ""))
                values.add(profile.get("type", ""))
        elif not pod_set:
            implicit.append(container.get("name", ""))
    if explicit:
        bad_setters.append(containers_detail(explicit))
    if bad_setters:
        return CheckResult(
            False,
            "seccompProfile",
            f"{' and '.join(bad_setters)} must not set securityContext.seccompProfile.type to "
            f"{join_quote(sorted(values))}",
        )
    if implicit:
        return CheckResult(
            False,
            "seccompProfile",
            f"pod or {containers_detail(implicit)} must set securityContext.seccompProfile.type "
            'to "RuntimeDefault" or "Localhost"',
        )
    return ALLOWED


def seccomp_profile_restricted_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if is_windows(spec) else seccomp_profile_restricted_1_19(meta, spec)
