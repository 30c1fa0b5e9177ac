"""A PodSecurityPolicy's strategies: what each one generates and what it refuses.

From k8s.io/kubernetes pkg/security/podsecuritypolicy/{user,group,selinux,capabilities,
sysctl,seccomp,apparmor} and factory.go, as of 1.24. Each strategy is built from one field
of the policy's spec; a policy whose strategies cannot be built (MustRunAs without ranges,
an unknown rule) gives no provider and is skipped by admission (upstream only logs it).
Messages are the upstream field errors, word for word.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from engine.security.fielderr import GoSlice, aggregate, forbidden, invalid, required
from engine.security.psp.annotations import (
    AppArmorStrategy,
    SeccompStrategy,
    apparmor_strategy,
    seccomp_strategy,
)

Range = tuple[int, int]


class ProviderError(Exception):
    """A strategy could not be created from the policy (factory.go's errors)."""


def ranges_of(opts: dict | None) -> list[Range]:
    return [(int(r.get("min", 0)), int(r.get("max", 0))) for r in (opts or {}).get("ranges") or []]


def format_ranges(ranges: list[Range]) -> str:
    """%v of []policy.IDRange: `[{1000 2000} {3000 3000}]`."""
    return "[" + " ".join(f"{{{lo} {hi}}}" for lo, hi in ranges) + "]"


def in_ranges(value: int, ranges: list[Range]) -> bool:
    return any(lo <= value <= hi for lo, hi in ranges)


# -- runAsUser: MustRunAs, MustRunAsNonRoot, RunAsAny ---------------------------------------
@dataclass(frozen=True)
class RunAsUserStrategy:
    rule: str
    ranges: tuple[Range, ...] = ()

    def generate(self) -> int | None:
        """MustRunAs: the first range's min; the others leave the UID to the image."""
        return self.ranges[0][0] if self.rule == "MustRunAs" else None

    def validate(
        self, sc_path: str, run_as_non_root: bool | None, run_as_user: int | None
    ) -> list[str]:
        if self.rule == "MustRunAs":
            if run_as_user is None:
                return [required(f"{sc_path}.runAsUser")]
            if not in_ranges(run_as_user, list(self.ranges)):
                detail = f"must be in the ranges: {format_ranges(list(self.ranges))}"
                return [invalid(f"{sc_path}.runAsUser", run_as_user, detail)]
            return []
        if self.rule == "MustRunAsNonRoot":
            if run_as_non_root is None and run_as_user is None:
                return [required(f"{sc_path}.runAsNonRoot", "must be true")]
            if run_as_non_root is False:
                return [invalid(f"{sc_path}.runAsNonRoot", False, "must be true")]
            if run_as_user == 0:
                return [
                    invalid(f"{sc_path}.runAsUser", 0, "running with the root UID is forbidden")
                ]
        return []


def run_as_user_strategy(opts: dict | None) -> RunAsUserStrategy:
    rule = (opts or {}).get("rule", "")
    ranges = ranges_of(opts)
    if rule == "MustRunAs":
        if not ranges:
            raise ProviderError("MustRunAs requires at least one range")
    elif rule not in ("MustRunAsNonRoot", "RunAsAny"):
        raise ProviderError(f"Unrecognized RunAsUser strategy type {rule}")
    return RunAsUserStrategy(rule, tuple(ranges))


# -- groups: fsGroup, supplementalGroups, runAsGroup (MustRunAs, MayRunAs, RunAsAny) --------
@dataclass(frozen=True)
class GroupStrategy:
    rule: str
    ranges: tuple[Range, ...] = ()

    def generate(self) -> list[int] | None:
        return [self.ranges[0][0]] if self.rule == "MustRunAs" else None

    def generate_single(self) -> int | None:
        return self.ranges[0][0] if self.rule == "MustRunAs" else None

    def validate(self, path: str, groups: list[int] | None) -> list[str]:
        if self.rule == "RunAsAny":
            return []
        errors = []
        value = GoSlice("int64", groups)
        if self.rule == "MustRunAs" and not groups and self.ranges:
            errors.append(
                invalid(path, value, "unable to validate empty groups against required ranges")
            )
        for group in groups or []:
            if not in_ranges(group, list(self.ranges)):
                detail = f"group {group} must be in the ranges: {format_ranges(list(self.ranges))}"
                errors.append(invalid(path, value, detail))
        return errors


def group_strategy(
    opts: dict | None, field_name: str, *, nil_is_any: bool = False
) -> GroupStrategy:
    """createFSGroupStrategy / createSupplementalGroupStrategy / createRunAsGroupStrategy."""
    if opts is None and nil_is_any:
        return GroupStrategy("RunAsAny")
    rule = (opts or {}).get("rule", "")
    ranges = ranges_of(opts)
    if rule in ("MustRunAs", "MayRunAs"):
        if not ranges:
            raise ProviderError(f"ranges must be supplied for {rule}")
    elif rule != "RunAsAny":
        raise ProviderError(f"Unrecognized {field_name} strategy type {rule}")
    return GroupStrategy(rule, tuple(ranges))


# -- seLinux: MustRunAs, RunAsAny ------------------------------------------------------------
def equal_levels(expected: str, actual: str) -> bool:
    """`s0:c6,c0` equals `s0:c0,c6`: the same sensitivity and the same categories."""
    if expected == actual:
        return True
    expected_parts = expected.split(":", 1)
    actual_parts = actual.split(":", 1)
    if len(expected_parts) != 2 or len(actual_parts) != 2:
        return False
    if expected_parts[0] != actual_parts[0]:
        return False
    return sorted(expected_parts[1].split(",")) == sorted(actual_parts[1].split(","))


@dataclass(frozen=True)
class SELinuxStrategy:
    rule: str
    options: dict = field(default_factory=dict)

    def generate(self) -> dict | None:
        return copy.deepcopy(self.options) if self.rule == "MustRunAs" else None

    def validate(self, path: str, options: dict | None) -> list[str]:
        if self.rule != "MustRunAs":
            return []
        if options is None:
            return [required(path)]
        errors = []
        want = self.options
        if not equal_levels(want.get("level", ""), options.get("level", "")):
            errors.append(
                invalid(
                    f"{path}.level", options.get("level", ""), f"must be {want.get('level', '')}"
                )
            )
        for key in ("role", "type", "user"):
            if options.get(key, "") != want.get(key, ""):
                errors.append(
                    invalid(f"{path}.{key}", options.get(key, ""), f"must be {want.get(key, '')}")
                )
        return errors


def selinux_strategy(opts: dict | None) -> SELinuxStrategy:
    rule = (opts or {}).get("rule", "")
    if rule == "MustRunAs":
        options = (opts or {}).get("seLinuxOptions")
        if options is None:
            raise ProviderError("MustRunAs requires SELinuxOptions")
        return SELinuxStrategy(rule, dict(options))
    if rule != "RunAsAny":
        raise ProviderError(f"Unrecognized SELinuxContext strategy type {rule}")
    return SELinuxStrategy(rule)


# -- capabilities -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CapabilitiesStrategy:
    default_add: tuple[str, ...] = ()
    required_drop: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def generate(self, capabilities: dict | None) -> dict | None:
        """Default adds the container does not drop, plus its own adds; required drops plus its
        own drops. The container's own capabilities come back unchanged if nothing is added."""
        container_add = set((capabilities or {}).get("add") or [])
        container_drop = set((capabilities or {}).get("drop") or [])
        combined_add = (set(self.default_add) - container_drop) | container_add
        combined_drop = set(self.required_drop) | container_drop
        if len(combined_add) == len(container_add) and len(combined_drop) == len(container_drop):
            return capabilities
        out: dict = {}
        if combined_add:
            out["add"] = sorted(combined_add)
        if combined_drop:
            out["drop"] = sorted(combined_drop)
        return out

    def validate(self, path: str, capabilities: dict | None) -> list[str]:
        if capabilities is None:
            if not self.default_add and not self.required_drop:
                return []
            return [invalid(path, None, "required capabilities are not set on the securityContext")]
        if "*" in self.allowed:
            return []
        errors = []
        for cap in capabilities.get("add") or []:
            if cap not in self.default_add and cap not in self.allowed:
                errors.append(invalid(f"{path}.add", cap, "capability may not be added"))
        drops = capabilities.get("drop")
        for cap in self.required_drop:
            if cap not in (drops or []):
                errors.append(
                    invalid(
                        f"{path}.drop",
                        GoSlice("core.Capability", drops),
                        f"{cap} is required to be dropped but was not found",
                    )
                )
        return errors


# -- sysctls ----------------------------------------------------------------------------------
# sysctl.SafeSysctlAllowlist() in 1.22–1.24.
SAFE_SYSCTLS = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
)


def _matches_pattern(name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern:
            return True
    return False


@dataclass(frozen=True)
class SysctlsStrategy:
    allowed_unsafe: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    def validate(self, pod: dict) -> list[str]:
        errors = []
        sysctls = ((pod.get("spec") or {}).get("securityContext") or {}).get("sysctls") or []
        for index, sysctl in enumerate(sysctls):
            name = sysctl.get("name", "")
            path = f"pod.spec.securityContext.sysctls[{index}]"
            if _matches_pattern(name, self.forbidden):
                errors.append(forbidden(path, f'sysctl "{name}" is not allowed'))
            elif name in SAFE_SYSCTLS or _matches_pattern(name, self.allowed_unsafe):
                continue
            else:
                errors.append(forbidden(path, f'unsafe sysctl "{name}" is not allowed'))
        return errors


# -- all of them --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Strategies:
    run_as_user: RunAsUserStrategy
    run_as_group: GroupStrategy
    selinux: SELinuxStrategy
    apparmor: AppArmorStrategy
    seccomp: SeccompStrategy
    fs_group: GroupStrategy
    supplemental_groups: GroupStrategy
    capabilities: CapabilitiesStrategy
    sysctls: SysctlsStrategy


def create_strategies(psp: dict) -> Strategies:
    """simpleStrategyFactory.CreateStrategies; every factory error, aggregated."""
    spec = psp.get("spec") or {}
    annotations = (psp.get("metadata") or {}).get("annotations") or {}
    problems: list[str] = []

    def attempt(build, *args, **kwargs):
        try:
            return build(*args, **kwargs)
        except ProviderError as err:
            problems.append(str(err))
            return None

    user = attempt(run_as_user_strategy, spec.get("runAsUser"))
    group = attempt(group_strategy, spec.get("runAsGroup"), "RunAsGroup", nil_is_any=True)
    selinux = attempt(selinux_strategy, spec.get("seLinux"))
    fs_group = attempt(group_strategy, spec.get("fsGroup"), "FSGroup")
    supplemental = attempt(group_strategy, spec.get("supplementalGroups"), "SupplementalGroups")
    if problems:
        raise ProviderError(aggregate(problems))
    return Strategies(
        run_as_user=user,
        run_as_group=group,
        selinux=selinux,
        apparmor=apparmor_strategy(annotations),
        seccomp=seccomp_strategy(annotations),
        fs_group=fs_group,
        supplemental_groups=supplemental,
        capabilities=CapabilitiesStrategy(
            tuple(spec.get("defaultAddCapabilities") or ()),
            tuple(spec.get("requiredDropCapabilities") or ()),
            tuple(spec.get("allowedCapabilities") or ()),
        ),
        sysctls=SysctlsStrategy(
            tuple(spec.get("allowedUnsafeSysctls") or ()), tuple(spec.get("forbiddenSysctls") or ())
        ),
    )
