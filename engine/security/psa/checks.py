"""Pod Security Standards checks (k8s.io/pod-security-admission/policy), as of Kubernetes 1.32.

Each check looks at a pod's metadata and spec and returns a CheckResult with upstream's
reason and detail strings. Checks have versions: a namespace pinned to `v1.24` is judged
by the checks as they were in 1.24. `latest` is the cluster's own version (1.32 here:
checks added in 1.34 and 1.35 do not exist yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.security.psa.baseline import (
    SYSCTLS_1_0,
    SYSCTLS_1_27,
    SYSCTLS_1_29,
    SYSCTLS_1_32,
    app_armor_profile,
    capabilities_baseline,
    host_namespaces,
    host_path_volumes,
    host_ports,
    privileged,
    proc_mount,
    se_linux_options_1_0,
    se_linux_options_1_31,
    seccomp_profile_baseline_1_0,
    seccomp_profile_baseline_1_19,
    sysctls_check,
    windows_host_process,
)
from engine.security.psa.common import CLUSTER_VERSION, CheckFn, CheckResult, Version
from engine.security.psa.restricted import (
    allow_privilege_escalation_1_8,
    allow_privilege_escalation_1_25,
    capabilities_restricted_1_22,
    capabilities_restricted_1_25,
    restricted_volumes,
    run_as_non_root,
    run_as_user_1_23,
    seccomp_profile_restricted_1_19,
    seccomp_profile_restricted_1_25,
)

__all__ = ["CLUSTER_VERSION", "CheckResult", "Version", "checks_for", "evaluate"]


# -- the registry ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One check and its versions: (minimum version, function, baseline checks it replaces)."""

    id: str
    level: str
    versions: tuple[tuple[Version, CheckFn, tuple[str, ...]], ...]

    def at(self, version: Version) -> tuple[CheckFn, tuple[str, ...]] | None:
        chosen = None
        for minimum, fn, overrides in self.versions:
            if minimum <= version:
                chosen = (fn, overrides)
        return chosen


CHECKS = (
    Check("appArmorProfile", "baseline", (((1, 0), app_armor_profile, ()),)),
    Check("capabilities_baseline", "baseline", (((1, 0), capabilities_baseline, ()),)),
    Check("hostNamespaces", "baseline", (((1, 0), host_namespaces, ()),)),
    Check("hostPathVolumes", "baseline", (((1, 0), host_path_volumes, ()),)),
    Check("hostPorts", "baseline", (((1, 0), host_ports, ()),)),
    Check("privileged", "baseline", (((1, 0), privileged, ()),)),
    Check("procMount", "baseline", (((1, 0), proc_mount, ()),)),
    Check(
        "seLinuxOptions",
        "baseline",
        (((1, 0), se_linux_options_1_0, ()), ((1, 31), se_linux_options_1_31, ())),
    ),
    Check(
        "seccompProfile_baseline",
        "baseline",
        (((1, 0), seccomp_profile_baseline_1_0, ()), ((1, 19), seccomp_profile_baseline_1_19, ())),
    ),
    Check(
        "sysctls",
        "baseline",
        (
            ((1, 0), sysctls_check(SYSCTLS_1_0), ()),
            ((1, 27), sysctls_check(SYSCTLS_1_27), ()),
            ((1, 29), sysctls_check(SYSCTLS_1_29), ()),
            ((1, 32), sysctls_check(SYSCTLS_1_32), ()),
        ),
    ),
    Check("windowsHostProcess", "baseline", (((1, 0), windows_host_process, ()),)),
    Check(
        "allowPrivilegeEscalation",
        "restricted",
        (
            ((1, 8), allow_privilege_escalation_1_8, ()),
            ((1, 25), allow_privilege_escalation_1_25, ()),
        ),
    ),
    Check(
        "capabilities_restricted",
        "restricted",
        (
            ((1, 22), capabilities_restricted_1_22, ("capabilities_baseline",)),
            ((1, 25), capabilities_restricted_1_25, ("capabilities_baseline",)),
        ),
    ),
    Check("restrictedVolumes", "restricted", (((1, 0), restricted_volumes, ("hostPathVolumes",)),)),
    Check("runAsNonRoot", "restricted", (((1, 0), run_as_non_root, ()),)),
    Check("runAsUser", "restricted", (((1, 23), run_as_user_1_23, ()),)),
    Check(
        "seccompProfile_restricted",
        "restricted",
        (
            ((1, 19), seccomp_profile_restricted_1_19, ("seccompProfile_baseline",)),
            ((1, 25), seccomp_profile_restricted_1_25, ("seccompProfile_baseline",)),
        ),
    ),
)


def checks_for(level: str, version: Version) -> list[tuple[str, CheckFn]]:
    """The checks of a level at a version: baseline IDs sorted, then restricted IDs sorted;
    at restricted, a restricted check replaces the baseline check it overrides."""
    if level == "privileged":
        return []
    version = min(version, CLUSTER_VERSION)
    baseline = {}
    restricted = {}
    overrides: set[str] = set()
    for check in CHECKS:
        found = check.at(version)
        if found is None:
            continue
        if check.level == "baseline":
            baseline[check.id] = found[0]
        else:
            restricted[check.id] = found[0]
            overrides.update(found[1])
    if level == "baseline":
        return sorted(baseline.items())
    kept = {k: v for k, v in baseline.items() if k not in overrides}
    return sorted(kept.items()) + sorted(restricted.items())


def evaluate(level: str, version: Version, meta: dict, spec: dict) -> list[CheckResult]:
    """Every failing check's result, in registry order."""
    results = [fn(meta, spec) for _, fn in checks_for(level, version)]
    return [r for r in results if not r.allowed]


def forbidden_detail(results: list[CheckResult]) -> str:
    """AggregateCheckResult.ForbiddenDetail: `reason (detail), reason (detail)`."""
    return ", ".join(f"{r.reason} ({r.detail})" if r.detail else r.reason for r in results)


def forbidden_reason(results: list[CheckResult]) -> str:
    return ", ".join(r.reason for r in results)
