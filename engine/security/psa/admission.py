"""The PodSecurity admission plugin (k8s.io/pod-security-admission/admission), PSP's successor.

A namespace chooses levels with labels: `pod-security.kubernetes.io/enforce`, `audit`,
`warn` (privileged, baseline, restricted) and optional `-version` labels (`latest` or
`v1.x`). Enforce refuses a pod: `pods "x" is forbidden: violates PodSecurity
"restricted:latest": <reason> (<detail>), ...`. Warn adds `would violate PodSecurity ...`
warnings; audit only annotates the audit log (kept here for the console). Workload objects
(Deployment, ReplicaSet, ...) get warn/audit on their pod template, never enforce. With no
labels a namespace is privileged (the API server's default policy, no exemptions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.api import errors
from engine.security.psa.checks import (
    CLUSTER_VERSION,
    Version,
    evaluate,
    forbidden_detail,
    forbidden_reason,
)

if TYPE_CHECKING:
    from engine.api.admission import AdmissionRequest
    from engine.cluster import Cluster

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
LEVELS = ("privileged", "baseline", "restricted")
_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")
IGNORED_POD_SUBRESOURCES = {
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
}
# PodSpecExtractor: where each workload kind keeps its pod template.
TEMPLATE_PATHS = {
    "ReplicationController": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}


@dataclass(frozen=True)
class LevelVersion:
    level: str = "privileged"
    version: Version | None = None  # None: latest

    def __str__(self) -> str:
        version = "latest" if self.version is None else f"v{self.version[0]}.{self.version[1]}"
        return f"{self.level}:{version}"

    @property
    def effective_version(self) -> Version:
        return CLUSTER_VERSION if self.version is None else self.version


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion = LevelVersion()
    audit: LevelVersion = LevelVersion()
    warn: LevelVersion = LevelVersion()

    @property
    def fully_privileged(self) -> bool:
        return all(lv.level == "privileged" for lv in (self.enforce, self.audit, self.warn))


def _compare_levels(a: str, b: str) -> int:
    return LEVELS.index(a) - LEVELS.index(b)


def policy_from_labels(labels: dict) -> tuple[Policy, list[tuple[str, str, str]]]:
    """PolicyToEvaluate: the namespace's policy and its label errors (label, value, message).
    A bad enforce level fails closed (restricted); bad audit/warn levels fail open."""
    found: dict[str, LevelVersion] = {m: LevelVersion() for m in MODES}
    problems: list[tuple[str, str, str]] = []
    has_enforce_level = False
    has_warn_level = has_warn_version = False
    for mode in MODES:
        level = found[mode].level
        version = found[mode].version
        key = LABEL_PREFIX + mode
        if key in labels:
            value = labels[key]
            if value in LEVELS:
                level = value
                if mode == "enforce":
                    has_enforce_level = True
            else:
                problems.append((key, value, "must be one of privileged, baseline, restricted"))
                level = "restricted" if mode == "enforce" else "privileged"
            if mode == "warn":
                has_warn_level = True
        key = LABEL_PREFIX + mode + "-version"
        if key in labels:
            value = labels[key]
            if mode == "warn":
                has_warn_version = True
            if value == "latest":
                version = None
            else:
                match = _VERSION.match(value)
                if match:
                    version = (1, int(match.group(1)))
                else:
                    problems.append((key, value, 'must be "latest" or "v1.x"'))
                    version = None
        found[mode] = LevelVersion(level, version)
    enforce, warn = found["enforce"], found["warn"]
    if not has_warn_level and has_enforce_level and _compare_levels(enforce.level, warn.level) > 0:
        warn = LevelVersion(enforce.level, warn.version if has_warn_version else enforce.version)
    return Policy(enforce, found["audit"], warn), problems


def pod_template(obj: dict) -> tuple[dict, dict] | None:
    """(metadata, spec) of a workload's pod template, or None for other kinds."""
    path = TEMPLATE_PATHS.get(obj.get("kind", ""))
    if path is None:
        return None
    node = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node.get("metadata") or {}, node.get("spec") or {}


@dataclass(frozen=True)
class Verdict:
    """One mode's judgement of a pod: the level it was judged at and what it would violate."""

    mode: str
    level: LevelVersion
    reasons: str
    detail: str

    @property
    def allowed(self) -> bool:
        return not self.detail


def judge(policy: Policy, meta: dict, spec: dict) -> dict[str, Verdict]:
    """Enforce, audit and warn verdicts for a pod under a namespace's policy."""
    return {mode: judge_level(getattr(policy, mode), meta, spec, mode) for mode in MODES}


def judge_level(level: LevelVersion, meta: dict, spec: dict, mode: str = "") -> Verdict:
    """One level's verdict on a pod (`mode` only labels it)."""
    failing = evaluate(level.level, level.effective_version, meta, spec)
    return Verdict(mode or level.level, level, forbidden_reason(failing), forbidden_detail(failing))


def is_significant_pod_update(new: dict, old: dict) -> bool:
    """isSignificantPodUpdate: containers added or removed, or an image changed (the rest of
    a pod's spec cannot change once it exists)."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    for group in ("containers", "initContainers"):
        a, b = new_spec.get(group) or [], old_spec.get(group) or []
        if len(a) != len(b):
            return True
        if any(x.get("image") != y.get("image") for x, y in zip(a, b, strict=True)):
            return True
    old_ephemeral = {c.get("name"): c for c in old_spec.get("ephemeralContainers") or []}
    for container in new_spec.get("ephemeralContainers") or []:
        previous = old_ephemeral.get(container.get("name"))
        if previous is None or previous.get("image") != container.get("image"):
            return True
    return False


_PRIVILEGED = Policy()
"""The policy of a namespace without pod-security labels (frozen, so one is shared)."""


class PodSecurityAdmission:
    """Validates pods, warns on workloads, checks namespace labels."""

    name = "PodSecurity"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.audit: list[tuple[str, str, str, str]] = []
        """(namespace, kind, name, audit-violations) for requests the audit level flags."""

    def namespace_policy(self, namespace: str) -> Policy:
        ns = self.cluster.store.get("Namespace", "", namespace)
        labels = ((ns or {}).get("metadata") or {}).get("labels") or {}
        for key in labels:
            if isinstance(key, str) and key.startswith(LABEL_PREFIX):
                return policy_from_labels(labels)[0]
        # No pod-security label (most namespaces): what policy_from_labels gives then.
        return _PRIVILEGED

    def admit(self, request: AdmissionRequest) -> None:
        kind = request.kind.kind
        if kind == "Namespace":
            self._namespace(request)
        elif kind == "Pod":
            self._pod(request)
        elif kind in TEMPLATE_PATHS and not request.subresource:
            self._workload(request)

    # -- namespaces ----------------------------------------------------------------------
    def _namespace(self, request: AdmissionRequest) -> None:
        if request.subresource or request.operation not in ("CREATE", "UPDATE"):
            return
        labels = request.obj["metadata"].get("labels") or {}
        policy, problems = policy_from_labels(labels)
        if problems:
            old_problems = []
            if request.operation == "UPDATE" and request.old is not None:
                old_problems = policy_from_labels(request.old["metadata"].get("labels") or {})[1]
            if request.operation == "CREATE" or not old_problems or old_problems != problems:
                causes = [
                    f'metadata.labels[{label}]: Invalid value: "{value}": {message}'
                    for label, value, message in problems
                ]
                raise errors.invalid("Namespace", request.name, causes)
        if request.operation != "UPDATE" or request.old is None:
            return
        old_policy = policy_from_labels(request.old["metadata"].get("labels") or {})[0]
        new, old = policy.enforce, old_policy.enforce
        if new == old or new.level == "privileged":
            return
        if new.version == old.version and _compare_levels(new.level, old.level) < 1:
            return
        request.warnings += self.existing_pod_warnings(request.name, new)

    def existing_pod_warnings(self, namespace: str, level: LevelVersion) -> list[str]:
        """EvaluatePodsInNamespace: which running pods the new enforce level would refuse."""
        counts: dict[str, tuple[str, int]] = {}
        order: list[str] = []
        for pod in self.cluster.store.list("Pod", namespace):
            failing = evaluate(
                level.level, level.effective_version, pod["metadata"], pod.get("spec") or {}
            )
            if not failing:
                continue
            warning = forbidden_reason(failing)
            name = pod["metadata"]["name"]
            if warning not in counts:
                order.append(warning)
                counts[warning] = (name, 1)
            else:
                first, count = counts[warning]
                counts[warning] = (min(first, name), count + 1)
        if not order:
            return []
        out = [
            f'existing pods in namespace "{namespace}" violate the new PodSecurity enforce level '
            f'"{level}"'
        ]
        decorated = []
        for warning in order:
            name, count = counts[warning]
            if count == 1:
                decorated.append(f"{name}: {warning}")
            elif count == 2:
                decorated.append(f"{name} (and 1 other pod): {warning}")
            else:
                decorated.append(f"{name} (and {count - 1} other pods): {warning}")
        return out + sorted(decorated)

    # -- pods ------------------------------------------------------------------------------
    def _pod(self, request: AdmissionRequest) -> None:
        if request.subresource in IGNORED_POD_SUBRESOURCES:
            return
        if request.operation not in ("CREATE", "UPDATE"):
            return
        policy = self.namespace_policy(request.namespace)
        if policy.fully_privileged:
            return
        pod = request.obj
        if (
            request.operation == "UPDATE"
            and request.old is not None
            and not is_significant_pod_update(pod, request.old)
        ):
            return
        verdicts = judge(policy, pod["metadata"], pod.get("spec") or {})
        self._record_audit(request, verdicts["audit"])
        enforce = verdicts["enforce"]
        if not enforce.allowed:
            raise errors.forbidden(
                "pods", request.name, f'violates PodSecurity "{enforce.level}": {enforce.detail}'
            )
        warn = verdicts["warn"]
        if not warn.allowed:
            request.warnings.append(f'would violate PodSecurity "{warn.level}": {warn.detail}')

    def _workload(self, request: AdmissionRequest) -> None:
        if request.operation not in ("CREATE", "UPDATE"):
            return
        policy = self.namespace_policy(request.namespace)
        if policy.warn.level == "privileged" and policy.audit.level == "privileged":
            return
        template = pod_template(request.obj)
        if template is None:
            return
        verdicts = judge(policy, template[0], template[1])
        self._record_audit(request, verdicts["audit"])
        warn = verdicts["warn"]
        if not warn.allowed:
            request.warnings.append(f'would violate PodSecurity "{warn.level}": {warn.detail}')

    def _record_audit(self, request: AdmissionRequest, verdict: Verdict) -> None:
        if verdict.allowed or request.dry_run:
            return
        self.audit.append(
            (
                request.namespace,
                request.kind.kind,
                request.name,
                f'would violate PodSecurity "{verdict.level}": {verdict.detail}',
            )
        )
        del self.audit[:-200]
