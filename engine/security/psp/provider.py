"""One PodSecurityPolicy applied to one pod: MutatePod, then ValidatePod (provider.go, 1.24).

MutatePod only fills what the pod left unset (a MustRunAs UID, required capability drops,
readOnlyRootFilesystem...), so a policy that can default a field makes the pod valid rather
than refusing it; only explicit conflicting values are refused. A container inherits the
pod-level runAsUser, runAsGroup, runAsNonRoot and seLinuxOptions unless it sets its own
(securitycontext's effective accessors); a generated value is written on the container only
when it differs from what it would inherit.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.security.fielderr import invalid
from engine.security.psp.strategies import Strategies, create_strategies
from engine.security.psp.volumes import (
    validate_volumes,
    visit_containers,
)

INHERITED = ("runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile")


@dataclass(frozen=True)
class Provider:
    """A policy with its strategies built (NewSimpleProvider)."""

    psp: dict
    strategies: Strategies

    @property
    def name(self) -> str:
        return self.psp["metadata"]["name"]

    @property
    def spec(self) -> dict:
        return self.psp.get("spec") or {}


def new_provider(psp: dict) -> Provider:
    """Raises ProviderError when a strategy cannot be built."""
    return Provider(psp, create_strategies(psp))


def effective(pod_sc: dict, container: dict, key: str):
    """The container's value, or the pod's for the fields a container inherits."""
    sc = container.get("securityContext") or {}
    if sc.get(key) is not None:
        return sc[key]
    return pod_sc.get(key) if key in INHERITED else None


def _set_container(container: dict, key: str, value) -> None:
    if value is None and not container.get("securityContext"):
        return
    container.setdefault("securityContext", {})
    if container["securityContext"] is None:
        container["securityContext"] = {}
    if value is None:
        container["securityContext"].pop(key, None)
    else:
        container["securityContext"][key] = value


def _set_effective(pod_sc: dict, container: dict, key: str, value) -> None:
    """effectiveContainerSecurityContextMutator: write only if the effective value changes."""
    if effective(pod_sc, container, key) != value:
        _set_container(container, key, value)


# -- MutatePod --------------------------------------------------------------------------------
def mutate_pod(provider: Provider, pod: dict) -> None:
    """Fill the pod's unset security fields with the policy's defaults (in place)."""
    strategies = provider.strategies
    spec = pod.setdefault("spec", {})
    pod_sc = spec.get("securityContext")
    if pod_sc is None:
        pod_sc = {}
    if pod_sc.get("supplementalGroups") is None:
        groups = strategies.supplemental_groups.generate()
        if groups is not None:
            pod_sc["supplementalGroups"] = groups
    if pod_sc.get("fsGroup") is None:
        fs_group = strategies.fs_group.generate_single()
        if fs_group is not None:
            pod_sc["fsGroup"] = fs_group
    if pod_sc.get("seLinuxOptions") is None:
        options = strategies.selinux.generate()
        if options is not None:
            pod_sc["seLinuxOptions"] = options
    profile = strategies.seccomp.generate(pod)
    if profile:
        annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
        # A pod-level seccompProfile field already stands for this annotation.
        field_set = bool(pod_sc.get("seccompProfile"))
        if not field_set:
            annotations["seccomp.security.alpha.kubernetes.io/pod"] = profile
    if pod_sc or spec.get("securityContext") is not None:
        spec["securityContext"] = pod_sc
    runtime_class = provider.spec.get("runtimeClass")
    if runtime_class is not None and spec.get("runtimeClassName") is None:
        default = runtime_class.get("defaultRuntimeClassName")
        if default is not None:
            spec["runtimeClassName"] = default
    for _, container in visit_containers(spec):
        _mutate_container(provider, pod, pod_sc, container)


def _mutate_container(provider: Provider, pod: dict, pod_sc: dict, container: dict) -> None:
    strategies = provider.strategies
    spec = provider.spec
    if effective(pod_sc, container, "runAsUser") is None:
        _set_effective(pod_sc, container, "runAsUser", strategies.run_as_user.generate())
    if effective(pod_sc, container, "runAsGroup") is None:
        _set_effective(pod_sc, container, "runAsGroup", strategies.run_as_group.generate_single())
    if effective(pod_sc, container, "seLinuxOptions") is None:
        _set_effective(pod_sc, container, "seLinuxOptions", strategies.selinux.generate())
    meta = pod.setdefault("metadata", {})
    annotations = strategies.apparmor.generate(meta.get("annotations") or {}, container)
    if (
        effective(pod_sc, container, "runAsNonRoot") is None
        and effective(pod_sc, container, "runAsUser") is None
        and strategies.run_as_user.rule == "MustRunAsNonRoot"
    ):
        _set_effective(pod_sc, container, "runAsNonRoot", True)
    sc = container.get("securityContext") or {}
    current = sc.get("capabilities")
    caps = strategies.capabilities.generate(current)
    if caps is not current:
        _set_container(container, "capabilities", caps)
    sc = container.get("securityContext") or {}
    if spec.get("readOnlyRootFilesystem") and sc.get("readOnlyRootFilesystem") is None:
        _set_container(container, "readOnlyRootFilesystem", True)
    sc = container.get("securityContext") or {}
    default_escalation = spec.get("defaultAllowPrivilegeEscalation")
    if default_escalation is not None and sc.get("allowPrivilegeEscalation") is None:
        _set_container(container, "allowPrivilegeEscalation", default_escalation)
    sc = container.get("securityContext") or {}
    if (
        spec.get("allowPrivilegeEscalation", True) is False
        and sc.get("allowPrivilegeEscalation") is None
    ):
        _set_container(container, "allowPrivilegeEscalation", False)
    if annotations:
        meta["annotations"] = annotations


# -- ValidatePod ---------------------------------------------------------------------------------
def validate_pod(provider: Provider, pod: dict) -> list[str]:
    """Every way the pod breaks the policy, in provider.go's order."""
    strategies = provider.strategies
    spec = pod.get("spec") or {}
    pod_sc = spec.get("securityContext") or {}
    sc_path = "spec.securityContext"
    errors: list[str] = []
    fs_group = pod_sc.get("fsGroup")
    errors += strategies.fs_group.validate(
        f"{sc_path}.fsGroup", [fs_group] if fs_group is not None else None
    )
    errors += strategies.supplemental_groups.validate(
        f"{sc_path}.supplementalGroups", pod_sc.get("supplementalGroups")
    )
    errors += strategies.seccomp.validate_pod(pod)
    errors += strategies.selinux.validate(f"{sc_path}.seLinuxOptions", pod_sc.get("seLinuxOptions"))
    psp_spec = provider.spec
    # The internal API keeps the host namespaces in the pod's security context: hence the path.
    for key, message in (
        ("hostNetwork", "Host network is not allowed to be used"),
        ("hostPID", "Host PID is not allowed to be used"),
        ("hostIPC", "Host IPC is not allowed to be used"),
    ):
        if spec.get(key) and not psp_spec.get(key):
            errors.append(invalid(f"{sc_path}.{key}", True, message))
    errors += strategies.sysctls.validate(pod)
    errors += validate_volumes(provider, pod)
    runtime_class = psp_spec.get("runtimeClass")
    if runtime_class is not None:
        errors += _validate_runtime_class(
            spec.get("runtimeClassName"), runtime_class.get("allowedRuntimeClassNames") or []
        )
    for path, container in visit_containers(spec):
        errors += validate_container(provider, pod, container, path)
    return errors


def _validate_runtime_class(actual: str | None, allowed: list[str]) -> list[str]:
    if actual is None:
        return []
    if "*" in allowed or actual in allowed:
        return []
    return [invalid("spec.runtimeClassName", actual, "")]


def host_port_ranges(ranges: list[dict]) -> str:
    """hostPortRangesToString: `8000-8080,9000`."""
    parts = []
    for r in ranges:
        lo, hi = r.get("min", 0), r.get("max", 0)
        parts.append(str(lo) if lo == hi else f"{lo}-{hi}")
    return ",".join(parts)


def validate_container(provider: Provider, pod: dict, container: dict, path: str) -> list[str]:
    """validateContainer: user, group, seLinux, AppArmor, seccomp, privileged, procMount,
    capabilities, host ports, read-only root, privilege escalation."""
    strategies = provider.strategies
    psp_spec = provider.spec
    pod_sc = (pod.get("spec") or {}).get("securityContext") or {}
    sc = container.get("securityContext") or {}
    sc_path = f"{path}.securityContext"
    errors: list[str] = []
    errors += strategies.run_as_user.validate(
        sc_path,
        effective(pod_sc, container, "runAsNonRoot"),
        effective(pod_sc, container, "runAsUser"),
    )
    group = effective(pod_sc, container, "runAsGroup")
    errors += strategies.run_as_group.validate(sc_path, [group] if group is not None else None)
    errors += strategies.selinux.validate(
        f"{sc_path}.seLinuxOptions", effective(pod_sc, container, "seLinuxOptions")
    )
    errors += strategies.apparmor.validate(pod, container)
    errors += strategies.seccomp.validate_container(pod, container)
    if sc.get("privileged") and not psp_spec.get("privileged"):
        errors.append(
            invalid(f"{sc_path}.privileged", True, "Privileged containers are not allowed")
        )
    proc_mount = sc.get("procMount") or "Default"
    if proc_mount not in (psp_spec.get("allowedProcMountTypes") or ["Default"]):
        errors.append(invalid(f"{sc_path}.procMount", proc_mount, "ProcMountType is not allowed"))
    errors += strategies.capabilities.validate(f"{sc_path}.capabilities", sc.get("capabilities"))
    host_ports = psp_spec.get("hostPorts") or []
    for port in container.get("ports") or []:
        host_port = port.get("hostPort") or 0
        if host_port > 0 and not any(
            r.get("min", 0) <= host_port <= r.get("max", 0) for r in host_ports
        ):
            detail = (
                f"Host port {host_port} is not allowed to be used. "
                f"Allowed ports: [{host_port_ranges(host_ports)}]"
            )
            errors.append(invalid(f"{path}.hostPort", host_port, detail))
    if psp_spec.get("readOnlyRootFilesystem"):
        read_only = sc.get("readOnlyRootFilesystem")
        if read_only is None:
            errors.append(
                invalid(
                    f"{sc_path}.readOnlyRootFilesystem",
                    None,
                    "ReadOnlyRootFilesystem may not be nil and must be set to true",
                )
            )
        elif not read_only:
            errors.append(
                invalid(
                    f"{sc_path}.readOnlyRootFilesystem",
                    False,
                    "ReadOnlyRootFilesystem must be set to true",
                )
            )
    escalation = sc.get("allowPrivilegeEscalation")
    if psp_spec.get("allowPrivilegeEscalation", True) is False and (
        escalation is None or escalation
    ):
        errors.append(
            invalid(
                f"{sc_path}.allowPrivilegeEscalation",
                escalation,
                "Allowing privilege escalation for containers is not allowed",
            )
        )
    return errors
