"""`kubectl describe` for PodSecurityPolicy, the RBAC kinds and PodPreset.

From kubectl's pkg/describe/describe.go: describePodSecurityPolicy as it was in its last
release with PSP (1.24; removed from kubectl in 1.25), RoleDescriber, ClusterRoleDescriber
(rules broken down and compacted by pkg/util/rbac, sorted by PolicyRule.String()),
RoleBindingDescriber and ClusterRoleBindingDescriber. None of those print events or (for
Role) the namespace; kubectl does not either.

PodPreset (settings.k8s.io/v1alpha1, removed in 1.20) never had a kubectl describer; kubectl
fell back to its generic one. podtui gives it one in the describers' style: the header, the
selector, then the environment, mounts and volumes it injects, laid out as in a pod's
description, and the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.budget import format_selector
from engine.describe.common import (
    describe_events,
    print_annotations,
    print_labels,
    write_object_meta,
)
from engine.describe.pod import describe_volumes, env, env_from, mounts
from engine.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter

if TYPE_CHECKING:
    from engine.cluster import Cluster


# -- PodSecurityPolicy (1.24) ------------------------------------------------------------------
def _string_or_none(text: str) -> str:
    return text or "<none>"


def _joined(items: list | None) -> str:
    """capsToString / fsTypeToString / sysctlsToString: comma-joined, `<none>` when empty."""
    return _string_or_none(",".join(str(item) for item in items or []))


def _ranges(ranges: list | None) -> str:
    """idRangeToString / hostPortRangeToString: `min-max` comma-joined, `<none>` when empty."""
    return _string_or_none(
        ",".join(
            f"{r.get('min', 0)}-{r.get('max', 0)}" for r in ranges or [] if isinstance(r, dict)
        )
    )


def _drivers(items: list | None, key: str) -> str:
    """flexVolumesToString / csiDriversToString: `driver=NAME` comma-joined, `<all>` when empty."""
    return ",".join(f"driver={item.get(key, '')}" for item in items or []) or "<all>"


def _go_bool(value: object) -> str:
    return "true" if value else "false"


def describe_pod_security_policy(cluster: Cluster, psp: dict) -> str:
    """describePodSecurityPolicy (kubectl 1.24)."""
    meta = psp.get("metadata") or {}
    spec = psp.get("spec") or {}
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, "\nSettings:\n")
    w.write(LEVEL_1, f"Allow Privileged:\t{_go_bool(spec.get('privileged'))}\n")
    escalation = spec.get("allowPrivilegeEscalation")
    escalation_text = "<unset>" if escalation is None else _go_bool(escalation)
    w.write(LEVEL_1, f"Allow Privilege Escalation:\t{escalation_text}\n")
    w.write(LEVEL_1, f"Default Add Capabilities:\t{_joined(spec.get('defaultAddCapabilities'))}\n")
    w.write(
        LEVEL_1, f"Required Drop Capabilities:\t{_joined(spec.get('requiredDropCapabilities'))}\n"
    )
    w.write(LEVEL_1, f"Allowed Capabilities:\t{_joined(spec.get('allowedCapabilities'))}\n")
    w.write(LEVEL_1, f"Allowed Volume Types:\t{_joined(spec.get('volumes'))}\n")
    if spec.get("allowedFlexVolumes"):
        flex = _drivers(spec["allowedFlexVolumes"], "driver")
        w.write(LEVEL_1, f"Allowed FlexVolume Types:\t{flex}\n")
    if spec.get("allowedCSIDrivers"):
        w.write(LEVEL_1, f"Allowed CSI Drivers:\t{_drivers(spec['allowedCSIDrivers'], 'name')}\n")
    if spec.get("allowedUnsafeSysctls"):
        w.write(LEVEL_1, f"Allowed Unsafe Sysctls:\t{_joined(spec['allowedUnsafeSysctls'])}\n")
    if spec.get("forbiddenSysctls"):
        w.write(LEVEL_1, f"Forbidden Sysctls:\t{_joined(spec['forbiddenSysctls'])}\n")
    w.write(LEVEL_1, f"Allow Host Network:\t{_go_bool(spec.get('hostNetwork'))}\n")
    w.write(LEVEL_1, f"Allow Host Ports:\t{_ranges(spec.get('hostPorts'))}\n")
    w.write(LEVEL_1, f"Allow Host PID:\t{_go_bool(spec.get('hostPID'))}\n")
    w.write(LEVEL_1, f"Allow Host IPC:\t{_go_bool(spec.get('hostIPC'))}\n")
    w.write(
        LEVEL_1, f"Read Only Root Filesystem:\t{_go_bool(spec.get('readOnlyRootFilesystem'))}\n"
    )
    selinux = spec.get("seLinux") or {}
    # The strategy lines put the tab after the rule (`SELinux Context Strategy: RunAsAny\t`).
    w.write(LEVEL_1, f"SELinux Context Strategy: {selinux.get('rule', '')}\t\n")
    options = selinux.get("seLinuxOptions") or {}
    for label, key in (("User", "user"), ("Role", "role"), ("Type", "type"), ("Level", "level")):
        w.write(LEVEL_2, f"{label}:\t{_string_or_none(str(options.get(key) or ''))}\n")
    for title, key in (
        ("Run As User Strategy", "runAsUser"),
        ("FSGroup Strategy", "fsGroup"),
        ("Supplemental Groups Strategy", "supplementalGroups"),
    ):
        strategy = spec.get(key) or {}
        w.write(LEVEL_1, f"{title}: {strategy.get('rule', '')}\t\n")
        w.write(LEVEL_2, f"Ranges:\t{_ranges(strategy.get('ranges'))}\n")
    return w.text()


# -- Role and ClusterRole -------------------------------------------------------------------------
def breakdown_rule(rule: dict) -> list[dict]:
    """rbac.BreakdownRule: one rule per group x resource x verb (x resource name), then one
    per non-resource URL x verb."""
    subrules: list[dict] = []
    verbs = list(rule.get("verbs") or [])
    names = list(rule.get("resourceNames") or [])
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for verb in verbs:
                base = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                if names:
                    subrules += [{**base, "resourceNames": [name]} for name in names]
                else:
                    subrules.append(base)
    for url in rule.get("nonResourceURLs") or []:
        subrules += [{"nonResourceURLs": [url], "verbs": [verb]} for verb in verbs]
    return subrules


def compact_rules(rules: list[dict]) -> list[dict]:
    """rbac.CompactRules: rules on one group and resource (and at most one name) that differ
    only by verb become one rule with the verbs in order of first appearance."""
    compacted: list[dict] = []
    simple: dict[tuple, dict] = {}
    for rule in rules:
        key = _simple_resource(rule)
        if key is None:
            compacted.append(rule)
        elif key in simple:
            verbs = simple[key]["verbs"]
            verbs += [verb for verb in rule.get("verbs") or [] if verb not in verbs]
        else:
            simple[key] = {**rule, "verbs": list(rule.get("verbs") or [])}
    return compacted + list(simple.values())


def _simple_resource(rule: dict) -> tuple | None:
    """isSimpleResourceRule: one group, one resource, at most one name, nothing else."""
    names = rule.get("resourceNames") or []
    if len(names) > 1 or rule.get("nonResourceURLs"):
        return None
    if len(rule.get("apiGroups") or []) != 1 or len(rule.get("resources") or []) != 1:
        return None
    return (rule["apiGroups"][0], rule["resources"][0], bool(names), names[0] if names else "")


def _go_list(items: list | None) -> str:
    """`%v` of a Go []string: `[a b]`, `[]` when empty."""
    return "[" + " ".join(items or []) + "]"


def policy_rule_string(rule: dict) -> str:
    """rbacv1.PolicyRule.String() (generated.pb.go): the key kubectl sorts rules by."""
    return (
        f"&PolicyRule{{Verbs:{_go_list(rule.get('verbs'))},"
        f"APIGroups:{_go_list(rule.get('apiGroups'))},"
        f"Resources:{_go_list(rule.get('resources'))},"
        f"ResourceNames:{_go_list(rule.get('resourceNames'))},"
        f"NonResourceURLs:{_go_list(rule.get('nonResourceURLs'))},}}"
    )


def combine_resource_group(resources: list | None, groups: list | None) -> str:
    """CombineResourceGroup: `deployments.apps`, `pods/log`, `deployments.apps/scale`."""
    if not resources:
        return ""
    resource, slash, subresource = resources[0].partition("/")
    combined = resource
    if groups and groups[0]:
        combined += "." + groups[0]
    return combined + (f"/{subresource}" if slash else "")


def describe_role(cluster: Cluster, role: dict) -> str:
    """RoleDescriber / ClusterRoleDescriber (the same text: no namespace, no events)."""
    meta = role.get("metadata") or {}
    broken_down = [sub for rule in role.get("rules") or [] for sub in breakdown_rule(rule)]
    rules = sorted(compact_rules(broken_down), key=policy_rule_string)
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, "PolicyRule:\n")
    w.write(LEVEL_1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(LEVEL_1, "---------\t-----------------\t--------------\t-----\n")
    for rule in rules:
        w.write(
            LEVEL_1,
            f"{combine_resource_group(rule.get('resources'), rule.get('apiGroups'))}\t"
            f"{_go_list(rule.get('nonResourceURLs'))}\t{_go_list(rule.get('resourceNames'))}\t"
            f"{_go_list(rule.get('verbs'))}\n",
        )
    return w.text()


# -- RoleBinding and ClusterRoleBinding -----------------------------------------------------------
def describe_binding(cluster: Cluster, binding: dict) -> str:
    """RoleBindingDescriber / ClusterRoleBindingDescriber (the same text)."""
    meta = binding.get("metadata") or {}
    role_ref = binding.get("roleRef") or {}
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, "Role:\n")
    w.write(LEVEL_1, f"Kind:\t{role_ref.get('kind', '')}\n")
    w.write(LEVEL_1, f"Name:\t{role_ref.get('name', '')}\n")
    w.write(LEVEL_0, "Subjects:\n")
    w.write(LEVEL_1, "Kind\tName\tNamespace\n")
    w.write(LEVEL_1, "----\t----\t---------\n")
    for subject in binding.get("subjects") or []:
        w.write(
            LEVEL_1,
            f"{subject.get('kind', '')}\t{subject.get('name', '')}\t{subject.get('namespace', '')}\n",
        )
    return w.text()


# -- PodPreset (podtui's own; kubectl never had one) ----------------------------------------------
def describe_pod_preset(cluster: Cluster, preset: dict) -> str:
    """A PodPreset as the describers print their parts: what it selects and what it injects."""
    meta = preset.get("metadata") or {}
    spec = preset.get("spec") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, f"Selector:\t{format_selector(spec.get('selector'))}\n")
    if spec.get("envFrom"):
        env_from(w, spec["envFrom"], LEVEL_0)
    env(w, spec, None, LEVEL_0)
    mounts(w, spec, LEVEL_0)
    describe_volumes(w, spec.get("volumes") or [])
    describe_events(w, cluster.events.events_for(preset), cluster.now_datetime())
    return w.text()


def register() -> None:
    from engine.describe import register_describer

    register_describer("PodSecurityPolicy", describe_pod_security_policy)
    register_describer("Role", describe_role)
    register_describer("ClusterRole", describe_role)
    register_describer("RoleBinding", describe_binding)
    register_describer("ClusterRoleBinding", describe_binding)
    register_describer("PodPreset", describe_pod_preset)
