"""Pod Security Standards checks (k8s.io/pod-security-admission/policy), as of Kubernetes 1.32.

Each check looks at a pod's metadata and spec and returns a CheckResult with upstream's
reason and detail strings. Checks have versions: a namespace pinned to `v1.24` is judged
by the checks as they were in 1.24. `latest` is the cluster's own version (1.32 here:
checks added in 1.34 and 1.35 do not exist yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

Version = tuple[int, int]
CLUSTER_VERSION: Version = (1, 32)


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    reason: str = ""
    detail: str = ""


ALLOWED = CheckResult(True)
CheckFn = Callable[[dict, dict], CheckResult]


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def join_quote(items: list[str]) -> str:
    return '"' + '", "'.join(items) + '"' if items else ""


def visit_containers(spec: dict) -> Iterator[dict]:
    for group in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(group) or []


def _sc(container: dict) -> dict:
    return container.get("securityContext") or {}


def _pod_sc(spec: dict) -> dict:
    return spec.get("securityContext") or {}


def _containers_detail(names: list[str]) -> str:
    return f"{pluralize('container', 'containers', len(names))} {join_quote(names)}"


def _is_windows(spec: dict) -> bool:
    return (spec.get("os") or {}).get("name") == "windows"


# -- baseline -------------------------------------------------------------------------------
def app_armor_profile(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    bad_values: set[str] = set()
    allowed_types = ("RuntimeDefault", "Localhost")
    profile = _pod_sc(spec).get("appArmorProfile")
    if profile is not None and profile.get("type") not in allowed_types:
        bad_setters.append("pod")
        bad_values.add(profile.get("type", ""))
    bad_containers = []
    for container in visit_containers(spec):
        profile = _sc(container).get("appArmorProfile")
        if profile is not None and profile.get("type") not in allowed_types:
            bad_containers.append(container.get("name", ""))
            bad_values.add(profile.get("type", ""))
    if bad_containers:
        bad_setters.append(_containers_detail(bad_containers))
    forbidden = []
    for key, value in (meta.get("annotations") or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
            value == "" or value == "runtime/default" or value.startswith("localhost/")
        ):
            forbidden.append(f'{key}="{value}"')
    value_list = sorted(bad_values)
    if forbidden:
        value_list += sorted(forbidden)
        bad_setters.append(pluralize("annotation", "annotations", len(forbidden)))
    if bad_setters:
        return CheckResult(
            False,
            pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(value_list)),
            f"{' and '.join(bad_setters)} must not set AppArmor profile type to {join_quote(value_list)}",
        )
    return ALLOWED


BASELINE_CAPABILITIES = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}


def capabilities_baseline(meta: dict, spec: dict) -> CheckResult:
    bad_containers = []
    extra: set[str] = set()
    for container in visit_containers(spec):
        caps = _sc(container).get("capabilities")
        if caps is None:
            continue
        added = [c for c in caps.get("add") or [] if c not in BASELINE_CAPABILITIES]
        if added:
            bad_containers.append(container.get("name", ""))
            extra.update(added)
    if bad_containers:
        return CheckResult(
            False,
            "non-default capabilities",
            f"{_containers_detail(bad_containers)} must not include {join_quote(sorted(extra))} "
            "in securityContext.capabilities.add",
        )
    return ALLOWED


def host_namespaces(meta: dict, spec: dict) -> CheckResult:
    used = [f"{key}=true" for key in ("hostNetwork", "hostPID", "hostIPC") if spec.get(key)]
    if used:
        return CheckResult(False, "host namespaces", ", ".join(used))
    return ALLOWED


def host_path_volumes(meta: dict, spec: dict) -> CheckResult:
    names = [v.get("name", "") for v in spec.get("volumes") or [] if v.get("hostPath") is not None]
    if names:
        return CheckResult(
            False,
            "hostPath volumes",
            f"{pluralize('volume', 'volumes', len(names))} {join_quote(names)}",
        )
    return ALLOWED


def host_ports(meta: dict, spec: dict) -> CheckResult:
    bad_containers = []
    ports: set[str] = set()
    for container in visit_containers(spec):
        used = [str(p["hostPort"]) for p in container.get("ports") or [] if p.get("hostPort")]
        if used:
            bad_containers.append(container.get("name", ""))
            ports.update(used)
    if bad_containers:
        return CheckResult(
            False,
            "hostPort",
            f"{_containers_detail(bad_containers)} "
            f"{pluralize('uses', 'use', len(bad_containers))} "
            f"{pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}",
        )
    return ALLOWED


def privileged(meta: dict, spec: dict) -> CheckResult:
    bad = [c.get("name", "") for c in visit_containers(spec) if _sc(c).get("privileged")]
    if bad:
        return CheckResult(
            False,
            "privileged",
            f"{_containers_detail(bad)} must not set securityContext.privileged=true",
        )
    return ALLOWED


def proc_mount(meta: dict, spec: dict) -> CheckResult:
    bad = []
    types: set[str] = set()
    for container in visit_containers(spec):
        value = _sc(container).get("procMount")
        if value is not None and value != "Default":
            bad.append(container.get("name", ""))
            types.add(value)
    if bad:
        return CheckResult(
            False,
            "procMount",
            f"{_containers_detail(bad)} must not set securityContext.procMount to {join_quote(sorted(types))}",
        )
    return ALLOWED


def _se_linux_options(meta: dict, spec: dict, allowed_types: set[str]) -> CheckResult:
    bad_setters: list[str] = []
    bad_types: set[str] = set()
    flags = {"user": False, "role": False}

    def valid(options: dict) -> bool:
        ok = True
        if options.get("type", "") not in allowed_types:
            ok = False
            bad_types.add(options.get("type", ""))
        for key in ("user", "role"):
            if options.get(key):
                ok = False
                flags[key] = True
        return ok

    options = _pod_sc(spec).get("seLinuxOptions")
    if options is not None and not valid(options):
        bad_setters.append("pod")
    bad = []
    for container in visit_containers(spec):
        options = _sc(container).get("seLinuxOptions")
        if options is not None and not valid(options):
            bad.append(container.get("name", ""))
    if bad:
        bad_setters.append(_containers_detail(bad))
    if bad_setters:
        data = []
        if bad_types:
            data.append(
                f"{pluralize('type', 'types', len(bad_types))} {join_quote(sorted(bad_types))}"
            )
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        return CheckResult(
            False,
            "seLinuxOptions",
            f"{' and '.join(bad_setters)} set forbidden securityContext.seLinuxOptions: {'; '.join(data)}",
        )
    return ALLOWED


def se_linux_options_1_0(meta: dict, spec: dict) -> CheckResult:
    return _se_linux_options(meta, spec, {"", "container_t", "container_init_t", "container_kvm_t"})


def se_linux_options_1_31(meta: dict, spec: dict) -> CheckResult:
    return _se_linux_options(
        meta, spec, {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
    )


SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def seccomp_profile_baseline_1_0(meta: dict, spec: dict) -> CheckResult:
    annotations = meta.get("annotations") or {}

    def valid(value: str) -> bool:
        return value in ("runtime/default", "docker/default") or value.startswith("localhost/")

    forbidden: set[str] = set()
    if SECCOMP_POD_ANNOTATION in annotations and not valid(annotations[SECCOMP_POD_ANNOTATION]):
        forbidden.add(f'{SECCOMP_POD_ANNOTATION}="{annotations[SECCOMP_POD_ANNOTATION]}"')
    for container in visit_containers(spec):
        key = SECCOMP_CONTAINER_PREFIX + container.get("name", "")
        if key in annotations and not valid(annotations[key]):
            forbidden.add(f'{key}="{annotations[key]}"')
    if forbidden:
        return CheckResult(
            False,
            "seccompProfile",
            f"forbidden {pluralize('annotation', 'annotations', len(forbidden))} {', '.join(sorted(forbidden))}",
        )
    return ALLOWED


def _valid_seccomp(profile: dict) -> bool:
    return profile.get("type") in ("Localhost", "RuntimeDefault")


def seccomp_profile_baseline_1_19(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    values: set[str] = set()
    profile = _pod_sc(spec).get("seccompProfile")
    if profile is not None and not _valid_seccomp(profile):
        bad_setters.append("pod")
        values.add(profile.get("type", ""))
    bad = []
    for container in visit_containers(spec):
        profile = _sc(container).get("seccompProfile")
        if profile is not None and not _valid_seccomp(profile):
            bad.append(container.get("name", ""))
            values.add(profile.get("type", ""))
    if bad:
        bad_setters.append(_containers_detail(bad))
    if bad_setters:
        return CheckResult(
            False,
            "seccompProfile",
            f"{' and '.join(bad_setters)} must not set securityContext.seccompProfile.type to "
            f"{join_quote(sorted(values))}",
        )
    return ALLOWED


SYSCTLS_1_0 = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
}
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def _sysctls(allowed: set[str]) -> CheckFn:
    def check(meta: dict, spec: dict) -> CheckResult:
        bad = [
            s.get("name", "")
            for s in _pod_sc(spec).get("sysctls") or []
            if s.get("name") not in allowed
        ]
        if bad:
            return CheckResult(False, "forbidden sysctls", ", ".join(bad))
        return ALLOWED

    return check


def windows_host_process(meta: dict, spec: dict) -> CheckResult:
    def host_process(sc: dict) -> bool:
        return bool((sc.get("windowsOptions") or {}).get("hostProcess"))

    setters = ["pod"] if host_process(_pod_sc(spec)) else []
    bad = [c.get("name", "") for c in visit_containers(spec) if host_process(_sc(c))]
    if bad:
        setters.append(_containers_detail(bad))
    if setters:
        return CheckResult(
            False,
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
        )
    return ALLOWED


# -- restricted -----------------------------------------------------------------------------
def allow_privilege_escalation_1_8(meta: dict, spec: dict) -> CheckResult:
    bad = [
        c.get("name", "")
        for c in visit_containers(spec)
        if _sc(c).get("allowPrivilegeEscalation") is not False
    ]
    if bad:
        return CheckResult(
            False,
            "allowPrivilegeEscalation != false",
            f"{_containers_detail(bad)} must set securityContext.allowPrivilegeEscalation=false",
        )
    return ALLOWED


def allow_privilege_escalation_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if _is_windows(spec) else allow_privilege_escalation_1_8(meta, spec)


def capabilities_restricted_1_22(meta: dict, spec: dict) -> CheckResult:
    missing_drop = []
    adding = []
    forbidden: set[str] = set()
    for container in visit_containers(spec):
        caps = _sc(container).get("capabilities")
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
            f'{_containers_detail(missing_drop)} must set securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{_containers_detail(adding)} must not include {join_quote(sorted(forbidden))} "
            "in securityContext.capabilities.add"
        )
    if details:
        return CheckResult(False, "unrestricted capabilities", "; ".join(details))
    return ALLOWED


def capabilities_restricted_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if _is_windows(spec) else capabilities_restricted_1_22(meta, spec)


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
    pod_value = _pod_sc(spec).get("runAsNonRoot")
    if pod_value is False:
        bad_setters.append("pod")
    explicit = []
    implicit = []
    for container in visit_containers(spec):
        value = _sc(container).get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(container.get("name", ""))
        elif pod_value is not True:
            implicit.append(container.get("name", ""))
    if explicit:
        bad_setters.append(_containers_detail(explicit))
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
            f"pod or {_containers_detail(implicit)} must set securityContext.runAsNonRoot=true",
        )
    return ALLOWED


def run_as_user_1_23(meta: dict, spec: dict) -> CheckResult:
    setters = ["pod"] if _pod_sc(spec).get("runAsUser") == 0 else []
    bad = [c.get("name", "") for c in visit_containers(spec) if _sc(c).get("runAsUser") == 0]
    if bad:
        setters.append(_containers_detail(bad))
    if setters:
        return CheckResult(
            False, "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"
        )
    return ALLOWED


def seccomp_profile_restricted_1_19(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    values: set[str] = set()
    pod_set = False
    profile = _pod_sc(spec).get("seccompProfile")
    if profile is not None:
        if not _valid_seccomp(profile):
            bad_setters.append("pod")
            values.add(profile.get("type", ""))
        else:
            pod_set = True
    explicit = []
    implicit = []
    for container in visit_containers(spec):
        profile = _sc(container).get("seccompProfile")
        if profile is not None:
            if not _valid_seccomp(profile):
                explicit.append(container.get("name", ""))
                values.add(profile.get("type", ""))
        elif not pod_set:
            implicit.append(container.get("name", ""))
    if explicit:
        bad_setters.append(_containers_detail(explicit))
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
            f"pod or {_containers_detail(implicit)} must set securityContext.seccompProfile.type "
            'to "RuntimeDefault" or "Localhost"',
        )
    return ALLOWED


def seccomp_profile_restricted_1_25(meta: dict, spec: dict) -> CheckResult:
    return ALLOWED if _is_windows(spec) else seccomp_profile_restricted_1_19(meta, spec)


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
            ((1, 0), _sysctls(SYSCTLS_1_0), ()),
            ((1, 27), _sysctls(SYSCTLS_1_27), ()),
            ((1, 29), _sysctls(SYSCTLS_1_29), ()),
            ((1, 32), _sysctls(SYSCTLS_1_32), ()),
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
