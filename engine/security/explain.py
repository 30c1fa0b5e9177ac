"""Why a pod was (or would be) admitted or refused: every PSP, who may use it, what failed;
and Pod Security Admission's verdicts on the same pod, side by side.

`explain(cluster, pod, user)` takes a manifest (or a refused pod from `refused_pods`),
runs the admission plugins that come before PodSecurityPolicy on a copy (PodPreset,
ServiceAccount...) without side effects, then tries every policy the way the plugin does.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.api.admission import ADMIN, AdmissionRequest, UserInfo
from engine.api.errors import APIError
from engine.security.psa.admission import LevelVersion, Policy, Verdict, judge, judge_level
from engine.security.psp.admission import (
    Outcome,
    compute_security_context,
    mutating_phase_name,
    service_account_info,
)

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation")


@dataclass
class PolicyReport:
    """One PodSecurityPolicy's view of the pod."""

    name: str
    requester_may_use: bool
    requester_reason: str
    service_account_may_use: bool
    service_account_reason: str
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    provider_error: str = ""
    chosen: bool = False

    @property
    def usable(self) -> bool:
        return self.requester_may_use or self.service_account_may_use

    @property
    def validates(self) -> bool:
        return not self.provider_error and not self.errors


@dataclass
class Explanation:
    namespace: str
    name: str
    requester: str
    service_account: str
    psp_active: bool
    admitted_by: str = ""
    message: str = ""
    """The refusal as kubectl would print it after `Error from server (Forbidden): `."""
    policies: list[PolicyReport] = field(default_factory=list)
    psa: dict[str, Verdict] = field(default_factory=dict)
    """The namespace's enforce / audit / warn verdicts."""
    psa_levels: dict[str, Verdict] = field(default_factory=dict)
    """What baseline and restricted (latest) would say, whatever the namespace's labels."""

    @property
    def psp_verdict(self) -> str:
        if not self.psp_active:
            return "admitted (no PodSecurityPolicy exists)"
        if self.admitted_by:
            return f"admitted by PodSecurityPolicy {self.admitted_by}"
        return "refused"

    def lines(self) -> list[str]:
        """The explanation as plain text, one fact per line."""
        out = [
            f"Pod {self.namespace}/{self.name}",
            f"  requested by:     {self.requester}",
            f"  service account:  {self.service_account or '<none>'}",
            f"  PodSecurityPolicy: {self.psp_verdict}",
        ]
        if self.message:
            out.append(f"    {self.message}")
        for report in self.policies:
            mark = "*" if report.chosen else "-"
            out.append(f"  {mark} {report.name}")
            out.append(
                f"      requester may use:       {_yes(report.requester_may_use)} ({report.requester_reason})"
            )
            out.append(
                f"      service account may use: {_yes(report.service_account_may_use)} "
                f"({report.service_account_reason})"
            )
            if report.provider_error:
                out.append(f"      unusable policy: {report.provider_error}")
            elif report.errors:
                out.append("      refuses the pod:")
                out += [f"        {e}" for e in report.errors]
            else:
                admits = "admits the pod" + (
                    f", setting {', '.join(report.changes)}" if report.changes else " unchanged"
                )
                out.append(f"      {admits}")
        out.append("  Pod Security Admission:")
        for mode, verdict in self.psa.items():
            out.append(f"    {mode} {verdict.level}: {_psa_text(verdict)}")
        for level, verdict in self.psa_levels.items():
            out.append(f"    would {level}: {_psa_text(verdict)}")
        return out


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _psa_text(verdict: Verdict) -> str:
    return "allowed" if verdict.allowed else verdict.detail


def changed_paths(before: object, after: object, prefix: str = "") -> list[str]:
    """Dotted paths where two objects differ (`spec.containers[0].securityContext.runAsUser`)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            out += changed_paths(before.get(key), after.get(key), path)
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for index, (a, b) in enumerate(zip(before, after, strict=True)):
            out += changed_paths(a, b, f"{prefix}[{index}]")
        return out
    return [] if before == after else [prefix]


def prepare_pod(cluster: Cluster, manifest: dict, user: UserInfo) -> dict:
    """The pod as PodSecurityPolicy would see it: decoded, defaulted, and through the
    plugins before it (PodPreset, ServiceAccount...), with no side effects."""
    server = cluster.api
    pod = copy.deepcopy(manifest)
    info = server.kind_for(pod)
    server.validate(pod, info)
    for key in SERVER_FIELDS:
        pod.setdefault("metadata", {}).pop(key, None)
    server.prepare(pod, info)
    pod["apiVersion"] = info.preferred_api_version
    meta = pod["metadata"]
    if not meta.get("name"):
        meta["name"] = meta.get("generateName", "")
    state = cluster.rng.getstate()
    try:
        request = AdmissionRequest("CREATE", info, pod, None, user, server, dry_run=True)
        for plugin in server.admission.plugins():
            if plugin.name == "PodSecurityPolicy":
                break
            plugin.admit(request)
    finally:
        cluster.rng.setstate(state)
    return pod


def explain(
    cluster: Cluster, pod: dict, user: UserInfo = ADMIN, *, prepared: bool = False
) -> Explanation:
    """Explain PodSecurityPolicy's (and Pod Security Admission's) decision on a pod.

    `pod` is a manifest, or with prepared=True a pod as the plugin saw it (a refusal).
    """
    from engine.security import authorizer_for, psa_plugin

    meta = pod.get("metadata") or {}
    namespace = meta.get("namespace") or "default"
    try:
        candidate = pod if prepared else prepare_pod(cluster, pod, user)
    except APIError as err:
        return Explanation(
            namespace, meta.get("name", ""), user.name, "", False, message=err.message
        )
    namespace = candidate["metadata"].get("namespace") or namespace
    sa = service_account_info(namespace, candidate)
    policies = cluster.store.list("PodSecurityPolicy")
    report = Explanation(
        namespace,
        mutating_phase_name(candidate),
        user.name,
        sa[0] if sa else "",
        bool(policies),
    )
    admitted = candidate
    if policies:
        outcome: Outcome = compute_security_context(
            policies, candidate, namespace, user, authorizer_for(cluster), mutation_allowed=True
        )
        report.admitted_by = outcome.policy
        if outcome.pod is None:
            report.message = (
                f'pods "{report.name}" is forbidden: PodSecurityPolicy: {outcome.refusal}'
            )
        else:
            admitted = outcome.pod
        for evaluation in outcome.evaluations:
            requester = evaluation.requester
            account = evaluation.service_account
            report.policies.append(
                PolicyReport(
                    evaluation.name,
                    bool(requester and requester.allowed),
                    requester.explain() if requester else "",
                    bool(account and account.allowed),
                    account.explain() if account else "the pod has no service account",
                    list(evaluation.errors),
                    changed_paths(candidate, evaluation.pod) if evaluation.pod else [],
                    evaluation.provider_error,
                    evaluation.name == outcome.policy,
                )
            )
    plugin = psa_plugin(cluster)
    policy = plugin.namespace_policy(namespace) if plugin is not None else Policy()
    spec = admitted.get("spec") or {}
    report.psa = judge(policy, admitted["metadata"], spec)
    report.psa_levels = {
        level: judge_level(LevelVersion(level), admitted["metadata"], spec)
        for level in ("baseline", "restricted")
    }
    return report
