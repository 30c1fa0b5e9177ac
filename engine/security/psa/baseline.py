"""The baseline level's checks (pod-security-admission/policy/check_*.go), upstream's words."""

from __future__ import annotations

from engine.security.psa.common import (
    ALLOWED,
    CheckFn,
    CheckResult,
    containers_detail,
    join_quote,
    pluralize,
    pod_sc_of,
    sc_of,
    visit_containers,
)


# -- baseline -------------------------------------------------------------------------------
def app_armor_profile(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    bad_values: set[str] = set()
    allowed_types = ("RuntimeDefault", "Localhost")
    profile = pod_sc_of(spec).get("appArmorProfile")
    if profile is not None and profile.get("type") not in allowed_types:
        bad_setters.append("pod")
        bad_values.add(profile.get("type", ""))
    bad_containers = []
    for container in visit_containers(spec):
        profile = sc_of(container).get("appArmorProfile")
        if profile is not None and profile.get("type") not in allowed_types:
            bad_containers.append(container.get("name", ""))
            bad_values.add(profile.get("type", ""))
    if bad_containers:
        bad_setters.append(containers_detail(bad_containers))
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
        caps = sc_of(container).get("capabilities")
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
            f"{containers_detail(bad_containers)} must not include {join_quote(sorted(extra))} "
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
            f"{containers_detail(bad_containers)} "
            f"{pluralize('uses', 'use', len(bad_containers))} "
            f"{pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}",
        )
    return ALLOWED


def privileged(meta: dict, spec: dict) -> CheckResult:
    bad = [c.get("name", "") for c in visit_containers(spec) if sc_of(c).get("privileged")]
    if bad:
        return CheckResult(
            False,
            "privileged",
            f"{containers_detail(bad)} must not set securityContext.privileged=true",
        )
    return ALLOWED


def proc_mount(meta: dict, spec: dict) -> CheckResult:
    bad = []
    types: set[str] = set()
    for container in visit_containers(spec):
        value = sc_of(container).get("procMount")
        if value is not None and value != "Default":
            bad.append(container.get("name", ""))
            types.add(value)
    if bad:
        return CheckResult(
            False,
            "procMount",
            f"{containers_detail(bad)} must not set securityContext.procMount to {join_quote(sorted(types))}",
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

    options = pod_sc_of(spec).get("seLinuxOptions")
    if options is not None and not valid(options):
        bad_setters.append("pod")
    bad = []
    for container in visit_containers(spec):
        options = sc_of(container).get("seLinuxOptions")
        if options is not None and not valid(options):
            bad.append(container.get("name", ""))
    if bad:
        bad_setters.append(containers_detail(bad))
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


def valid_seccomp(profile: dict) -> bool:
    return profile.get("type") in ("Localhost", "RuntimeDefault")


def seccomp_profile_baseline_1_19(meta: dict, spec: dict) -> CheckResult:
    bad_setters: list[str] = []
    values: set[str] = set()
    profile = pod_sc_of(spec).get("seccompProfile")
    if profile is not None and not valid_seccomp(profile):
        bad_setters.append("pod")
        values.add(profile.get("type", ""))
    bad = []
    for container in visit_containers(spec):
        profile = sc_of(container).get("seccompProfile")
        if profile is not None and not valid_seccomp(profile):
            bad.append(container.get("name", ""))
            values.add(profile.get("type", ""))
    if bad:
        bad_setters.append(containers_detail(bad))
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


def sysctls_check(allowed: set[str]) -> CheckFn:
    def check(meta: dict, spec: dict) -> CheckResult:
        bad = [
            s.get("name", "")
            for s in pod_sc_of(spec).get("sysctls") or []
            if s.get("name") not in allowed
        ]
        if bad:
            return CheckResult(False, "forbidden sysctls", ", ".join(bad))
        return ALLOWED

    return check


def windows_host_process(meta: dict, spec: dict) -> CheckResult:
    def host_process(sc: dict) -> bool:
        return bool((sc.get("windowsOptions") or {}).get("hostProcess"))

    setters = ["pod"] if host_process(pod_sc_of(spec)) else []
    bad = [c.get("name", "") for c in visit_containers(spec) if host_process(sc_of(c))]
    if bad:
        setters.append(containers_detail(bad))
    if setters:
        return CheckResult(
            False,
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
        )
    return ALLOWED
