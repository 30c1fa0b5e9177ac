"""PodSecurityPolicy validation and defaults (pkg/apis/policy/validation and v1beta1 defaults, 1.24).

Validation checks what each field may hold; whether the strategies can be built (MustRunAs
needs ranges) is only found out at admission, where such a policy is skipped.
"""

from __future__ import annotations

import json
import re

from engine.api.kinds import FieldErrors
from engine.api.validation import (
    forbidden,
    invalid,
    required,
    unsupported,
    validate_object_meta,
)
from engine.security.fielderr import GoSlice, GoStruct
from engine.security.fielderr import invalid as go_invalid
from engine.security.psp.volumes import VOLUME_TYPES

Path = tuple[str | int, ...]

SYSCTL_SEGMENT = r"[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
SYSCTL_PATTERN_FMT = r"(" + SYSCTL_SEGMENT + r"[\./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]"
_SYSCTL_PATTERN = re.compile("^" + SYSCTL_PATTERN_FMT + "$")
SYSCTL_MAX_LENGTH = 253


def default_psp(obj: dict) -> None:
    """SetDefaults_PodSecurityPolicySpec: allowPrivilegeEscalation defaults to true, so
    policies written before the field existed stay as permissive as they were."""
    spec = obj.setdefault("spec", {})
    if spec.get("allowPrivilegeEscalation") is None:
        spec["allowPrivilegeEscalation"] = True


def validate_psp(obj: dict) -> FieldErrors:
    """ValidatePodSecurityPolicy: metadata, the seccomp/AppArmor annotations, the spec."""
    errors = validate_object_meta(obj, namespaced=False)
    errors += validate_annotations((obj.get("metadata") or {}).get("annotations") or {})
    errors += validate_spec(obj.get("spec") or {}, ("spec",))
    return errors


def validate_annotations(annotations: dict) -> FieldErrors:
    """ValidatePodSecurityPolicySpecificAnnotations: the AppArmor and seccomp profile names."""
    from engine.security.psp.annotations import (
        APPARMOR_ALLOWED,
        APPARMOR_DEFAULT,
        SECCOMP_ALLOWED,
        SECCOMP_DEFAULT,
    )

    def key(name: str) -> Path:
        return ("metadata", "annotations", f"[{name}]")  # field.Path.Key

    errors: FieldErrors = []
    value = annotations.get(APPARMOR_DEFAULT)
    if value and not _apparmor_profile_ok(value):
        errors.append(invalid(key(APPARMOR_DEFAULT), value, _apparmor_error(value)))
    allowed = annotations.get(APPARMOR_ALLOWED)
    if allowed:
        for profile in allowed.split(","):
            if not _apparmor_profile_ok(profile):
                errors.append(invalid(key(APPARMOR_ALLOWED), allowed, _apparmor_error(profile)))
    default = annotations.get(SECCOMP_DEFAULT)
    if default:
        errors += _seccomp_profile_errors(default, key(SECCOMP_DEFAULT))
    allowed = annotations.get(SECCOMP_ALLOWED)
    if allowed:
        for profile in allowed.split(","):
            if profile != "*":
                errors += _seccomp_profile_errors(profile, key(SECCOMP_ALLOWED))
    return errors


def _apparmor_profile_ok(profile: str) -> bool:
    """apparmor.ValidateProfileFormat."""
    return profile in ("", "runtime/default", "unconfined") or profile.startswith("localhost/")


def _apparmor_error(profile: str) -> str:
    return f"invalid AppArmor profile name: {json.dumps(profile)}"


def _seccomp_profile_errors(profile: str, path: Path) -> FieldErrors:
    """ValidateSeccompProfile (annotation form)."""
    if profile in ("runtime/default", "docker/default", "unconfined"):
        return []
    if profile.startswith("localhost/"):
        return []
    return [invalid(path, profile, "must be a valid seccomp profile")]


def validate_spec(spec: dict, path: Path) -> FieldErrors:
    """ValidatePodSecurityPolicySpec."""
    errors: FieldErrors = []
    errors += _rule_errors(
        spec.get("runAsUser"), (*path, "runAsUser"), ["MustRunAs", "MustRunAsNonRoot", "RunAsAny"]
    )
    if spec.get("runAsGroup") is not None:
        errors += _run_as_group_errors(spec["runAsGroup"], (*path, "runAsGroup"))
    errors += _rule_errors(spec.get("seLinux"), (*path, "seLinux"), ["MustRunAs", "RunAsAny"])
    errors += _rule_errors(
        spec.get("supplementalGroups"),
        (*path, "supplementalGroups"),
        ["MayRunAs", "MustRunAs", "RunAsAny"],
    )
    errors += _rule_errors(
        spec.get("fsGroup"), (*path, "fsGroup"), ["MayRunAs", "MustRunAs", "RunAsAny"]
    )
    allowed_types = sorted({*VOLUME_TYPES, "*"})
    for volume in spec.get("volumes") or []:
        if volume not in allowed_types:
            errors.append(unsupported((*path, "volumes"), volume, allowed_types))
    required_drops = spec.get("requiredDropCapabilities") or []
    allowed_caps = spec.get("allowedCapabilities") or []
    if required_drops and "*" in allowed_caps:
        errors.append(
            (
                ("requiredDropCapabilities",),
                go_invalid(
                    "requiredDropCapabilities",
                    GoSlice("core.Capability", required_drops),
                    "must be empty when all capabilities are allowed by a wildcard",
                ),
            )
        )
    for name in ("defaultAddCapabilities", "allowedCapabilities"):
        for cap in spec.get(name) or []:
            if cap in required_drops:
                errors.append(
                    invalid(
                        (name,), cap, f"capability is listed in {name} and requiredDropCapabilities"
                    )
                )
    if (
        spec.get("defaultAllowPrivilegeEscalation")
        and spec.get("allowPrivilegeEscalation") is False
    ):
        errors.append(
            invalid(
                (*path, "defaultAllowPrivilegeEscalation"),
                True,
                "Cannot set DefaultAllowPrivilegeEscalation to true without also setting "
                "AllowPrivilegeEscalation to true",
            )
        )
    for index, host_path in enumerate(spec.get("allowedHostPaths") or []):
        prefix = host_path.get("pathPrefix", "")
        if not prefix:
            errors.append(required((*path, "allowedHostPaths", index), "is required"))
            break
        if ".." in prefix.split("/"):
            errors.append(
                invalid((*path, "allowedHostPaths", index), prefix, "must not contain '..'")
            )
    for index, flex in enumerate(spec.get("allowedFlexVolumes") or []):
        if not flex.get("driver"):
            errors.append(
                required(
                    (*path, "allowedFlexVolumes", "allowedFlexVolumes", index, "driver"),
                    "must specify a driver",
                )
            )
    # Unverified: the procMount check is from memory of 1.12+ validation.
    for index, proc_mount in enumerate(spec.get("allowedProcMountTypes") or []):
        if proc_mount not in ("Default", "Unmasked"):
            errors.append(
                unsupported(
                    (*path, "allowedProcMountTypes", index), proc_mount, ["Default", "Unmasked"]
                )
            )
    errors += _sysctl_errors(
        spec.get("allowedUnsafeSysctls") or [], (*path, "allowedUnsafeSysctls")
    )
    errors += _sysctl_errors(spec.get("forbiddenSysctls") or [], (*path, "forbiddenSysctls"))
    errors += _sysctl_overlap_errors(
        spec.get("allowedUnsafeSysctls") or [], spec.get("forbiddenSysctls") or [], path
    )
    return errors


def _rule_errors(opts: dict | None, path: Path, supported: list[str]) -> FieldErrors:
    errors: FieldErrors = []
    rule = (opts or {}).get("rule", "")
    if rule not in supported:
        errors.append(unsupported((*path, "rule"), rule, supported))
    for index, id_range in enumerate((opts or {}).get("ranges") or []):
        errors += _id_range_errors(id_range, (*path, "ranges", index))
    return errors


def _run_as_group_errors(opts: dict, path: Path) -> FieldErrors:
    """validatePSPRunAsGroup: RunAsAny takes no ranges, MustRunAs and MayRunAs need one."""
    rule = opts.get("rule", "")
    ranges = opts.get("ranges") or []
    if rule == "RunAsAny":
        if ranges:
            return [_ranges_invalid((*path, "ranges"), ranges, "Ranges must be empty")]
        return []
    if rule in ("MustRunAs", "MayRunAs"):
        errors: FieldErrors = []
        if not ranges:
            errors.append(
                _ranges_invalid((*path, "ranges"), None, "must provide at least one range")
            )
        for index, id_range in enumerate(ranges):
            errors += _id_range_errors(id_range, (*path, "ranges", index))
        return errors
    return [unsupported((*path, "rule"), rule, ["MustRunAs", "RunAsAny", "MayRunAs"])]


class _IDRanges(GoSlice):
    """%#v of []policy.IDRange: `[]policy.IDRange{policy.IDRange{Min:1, Max:2}}`."""

    def __repr__(self) -> str:
        if self.items is None:
            return "[]policy.IDRange(nil)"
        inner = ", ".join(
            repr(GoStruct("policy.IDRange", [("Min", r.get("min", 0)), ("Max", r.get("max", 0))]))
            for r in self.items
        )
        return "[]policy.IDRange{" + inner + "}"


def _ranges_invalid(path: Path, ranges: list | None, detail: str) -> tuple[Path, str]:
    return path, go_invalid(path, _IDRanges("policy.IDRange", ranges), detail)


def _id_range_errors(id_range: dict, path: Path) -> FieldErrors:
    """validateIDRanges."""
    low, high = id_range.get("min", 0), id_range.get("max", 0)
    errors: FieldErrors = []
    if low < 0:
        errors.append(invalid((*path, "min"), low, "min cannot be negative"))
    if high < 0:
        errors.append(invalid((*path, "max"), high, "max cannot be negative"))
    if low > high:
        errors.append(invalid((*path, "min"), low, "min cannot be greater than max"))
    return errors


def _sysctl_errors(sysctls: list[str], path: Path) -> FieldErrors:
    errors: FieldErrors = []
    covers_all = False
    for index, name in enumerate(sysctls):
        if not name:
            errors.append(invalid((*path, index), name, "empty sysctl not allowed"))
        elif len(name) > SYSCTL_MAX_LENGTH or not _SYSCTL_PATTERN.match(name):
            errors.append(
                invalid(
                    (*path, index),
                    name,
                    f"must have at most {SYSCTL_MAX_LENGTH} characters and match regex "
                    f"{SYSCTL_PATTERN_FMT}",
                )
            )
        elif name[0] == "*":
            covers_all = True
    if covers_all and len(sysctls) > 1:
        errors.append(
            forbidden((*path, "items"), "if '*' is present, must not specify other sysctls")
        )
    return errors


def _sysctl_overlap_errors(
    allowed: list[str], forbidden_list: list[str], path: Path
) -> FieldErrors:
    """validatePodSecurityPolicySysctlListsDoNotOverlap."""
    errors: FieldErrors = []
    allowed_path = (*path, "allowedUnsafeSysctls")
    forbidden_path = (*path, "forbiddenSysctls")
    for i, allow in enumerate(allowed):
        allow_prefix = allow[:-1] if allow.endswith("*") else None
        for j, forbid in enumerate(forbidden_list):
            forbid_prefix = forbid[:-1] if forbid.endswith("*") else None
            if allow_prefix is not None and forbid_prefix is not None:
                if allow_prefix.startswith(forbid_prefix):
                    errors.append(
                        invalid((*allowed_path, i), allow, f"sysctl overlaps with {forbid}")
                    )
                elif forbid_prefix.startswith(allow_prefix):
                    errors.append(
                        invalid((*forbidden_path, j), forbid, f"sysctl overlaps with {allow}")
                    )
            elif allow_prefix is not None:
                if forbid.startswith(allow_prefix):
                    errors.append(
                        invalid((*forbidden_path, j), forbid, f"sysctl overlaps with {allow}")
                    )
            elif forbid_prefix is not None:
                if allow.startswith(forbid_prefix):
                    errors.append(
                        invalid((*allowed_path, i), allow, f"sysctl overlaps with {forbid}")
                    )
            elif allow == forbid:
                errors.append(invalid((*allowed_path, i), allow, f"sysctl overlaps with {forbid}"))
    return errors
