"""The PodSecurityPolicy admission plugin (plugin/pkg/admission/security/podsecuritypolicy,
release-1.24), active while at least one PodSecurityPolicy exists.

On a pod CREATE every policy is tried in name order on a copy of the pod: mutate, then
validate. A policy is usable only if the pod's service account or the requesting user may
`use` it (RBAC, in the pod's namespace, API group `policy` then `extensions`). The first
usable policy that admits the pod unchanged wins at once; otherwise the first usable one
that admits it with changes. The pod gets the `kubernetes.io/psp` annotation. If none
admits it, the refusal lists the errors of the policies the user or service account may
use (none: `[]`). On UPDATE the pod must pass some usable policy unchanged.

Upstream builds the error list from a Go map, so its order is random; podtui lists the
policies in name order so runs are deterministic.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.core.admission_plugins import RAND_ALPHABET
from engine.security.fielderr import error_list
from engine.security.psp.provider import mutate_pod, new_provider, validate_pod
from engine.security.psp.strategies import ProviderError
from engine.security.rbac.rules import service_account_groups, service_account_username

if TYPE_CHECKING:
    from engine.api.admission import AdmissionRequest, UserInfo
    from engine.cluster import Cluster
    from engine.security.rbac.authorizer import Decision, RBACAuthorizer

VALIDATED_PSP_ANNOTATION = "kubernetes.io/psp"
USE_GROUPS = ("policy", "extensions")
MAX_REFUSALS = 200


@dataclass
class PolicyEvaluation:
    """One policy tried against one pod: what it changed, what it refused, who may use it."""

    name: str
    provider_error: str = ""
    errors: list[str] = field(default_factory=list)
    mutated: bool = False
    pod: dict | None = None
    service_account: Decision | None = None
    requester: Decision | None = None

    @property
    def authorized(self) -> bool:
        return bool(
            (self.service_account is not None and self.service_account.allowed)
            or (self.requester is not None and self.requester.allowed)
        )

    @property
    def validated(self) -> bool:
        return not self.provider_error and not self.errors


@dataclass
class Outcome:
    """computeSecurityContext's result: the admitted pod and policy, or the refusal."""

    evaluations: list[PolicyEvaluation]
    pod: dict | None = None
    policy: str = ""
    refusal: str = ""


def service_account_info(namespace: str, pod: dict) -> tuple[str, tuple[str, ...]] | None:
    """serviceaccount.UserInfo(ns, sa, ""): no `system:authenticated` group in it."""
    account = (pod.get("spec") or {}).get("serviceAccountName") or ""
    if not account:
        return None
    return service_account_username(namespace, account), service_account_groups(namespace)


def may_use(
    authorizer: RBACAuthorizer, user: str, groups: tuple[str, ...], namespace: str, policy: str
) -> Decision:
    """authorizedForPolicy: `use` of podsecuritypolicies/<name> in the pod's namespace, in
    API group policy, then extensions."""
    decision = None
    for group in USE_GROUPS:
        decision = authorizer.decide(
            user, groups, "use", "podsecuritypolicies", namespace, policy, api_group=group
        )
        if decision.allowed:
            return decision
    assert decision is not None
    return decision


def evaluate_policies(
    policies: list[dict],
    pod: dict,
    namespace: str,
    user: UserInfo,
    authorizer: RBACAuthorizer,
) -> list[PolicyEvaluation]:
    """Mutate and validate a copy of the pod under each policy; record who may use each."""
    sa = service_account_info(namespace, pod)
    out = []
    for psp in policies:
        name = psp["metadata"]["name"]
        evaluation = PolicyEvaluation(name)
        try:
            provider = new_provider(psp)
        except ProviderError as err:
            evaluation.provider_error = f"error creating provider for PSP {name}: {err}"
            out.append(evaluation)
            continue
        candidate = copy.deepcopy(pod)
        mutate_pod(provider, candidate)
        evaluation.errors = validate_pod(provider, candidate)
        evaluation.pod = candidate
        evaluation.mutated = candidate != pod
        if sa is not None:
            evaluation.service_account = may_use(authorizer, sa[0], sa[1], namespace, name)
        evaluation.requester = may_use(authorizer, user.name, tuple(user.groups), namespace, name)
        out.append(evaluation)
    return out


def compute_security_context(
    policies: list[dict],
    pod: dict,
    namespace: str,
    user: UserInfo,
    authorizer: RBACAuthorizer,
    *,
    mutation_allowed: bool,
    hint: str = "",
) -> Outcome:
    """computeSecurityContext: order the policies, try each, pick the winner or refuse."""

    def order(psp: dict) -> tuple[int, str]:
        name = psp["metadata"]["name"]
        first = 0 if (not mutation_allowed and hint and name == hint) else 1
        return (first, name)

    ordered = sorted(policies, key=order)
    evaluations = evaluate_policies(ordered, pod, namespace, user, authorizer)
    if not any(not e.provider_error for e in evaluations):
        return Outcome(evaluations, refusal="no providers available to validate pod request")
    mutated_choice: PolicyEvaluation | None = None
    for evaluation in evaluations:
        if not evaluation.validated:
            continue
        if evaluation.mutated and not mutation_allowed:
            continue
        if not evaluation.authorized:
            continue
        if not evaluation.mutated:
            return Outcome(evaluations, evaluation.pod, evaluation.name)
        if mutation_allowed and mutated_choice is None:
            mutated_choice = evaluation
    if mutated_choice is not None:
        return Outcome(evaluations, mutated_choice.pod, mutated_choice.name)
    failures: list[str] = []
    for evaluation in evaluations:
        if evaluation.provider_error or not evaluation.errors:
            continue
        if evaluation.authorized:
            failures += evaluation.errors
    verb = "admit" if mutation_allowed else "validate"
    return Outcome(evaluations, refusal=f"unable to {verb} pod: {error_list(failures)}")


def mutating_phase_name(pod: dict) -> str:
    """The name a mutating plugin sees: a generated name does not exist yet then, so
    refusals read `pods "web-7d4b9c8f5-" is forbidden` (the generateName)."""
    meta = pod.get("metadata") or {}
    name = meta.get("name") or ""
    prefix = meta.get("generateName") or ""
    suffix = name[len(prefix) :] if prefix and name.startswith(prefix) else None
    if suffix is not None and len(suffix) == 5 and all(c in RAND_ALPHABET for c in suffix):
        return prefix
    return name or prefix


def only_gc_fields_changed(new: dict, old: dict) -> bool:
    """rbacregistry.IsOnlyMutatingGCFields: ownerReferences and finalizers only."""

    def strip(obj: dict) -> dict:
        copied = copy.deepcopy(obj)
        meta = copied.get("metadata") or {}
        for key in ("ownerReferences", "finalizers", "resourceVersion", "managedFields"):
            meta.pop(key, None)
        return copied

    return strip(new) == strip(old)


@dataclass
class Refusal:
    """A pod the plugin refused, kept for the console's explain view."""

    namespace: str
    name: str
    user: UserInfo
    pod: dict
    message: str
    first_time: str
    last_time: str
    count: int = 1


class PodSecurityPolicyAdmission:
    """The plugin, with a short history of refused pods."""

    name = "PodSecurityPolicy"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.refusals: OrderedDict[tuple[str, str, str], Refusal] = OrderedDict()

    def active(self) -> bool:
        """podtui turns the plugin on while at least one PodSecurityPolicy exists."""
        return self.cluster.store.count("PodSecurityPolicy") > 0

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Pod" or request.subresource:
            return
        if request.operation not in ("CREATE", "UPDATE") or not self.active():
            return
        pod = request.obj
        if request.operation == "UPDATE":
            if request.old is not None and only_gc_fields_changed(pod, request.old):
                return
            self._validate(request)
            return
        from engine.security import authorizer_for

        outcome = compute_security_context(
            self.cluster.store.list("PodSecurityPolicy"),
            pod,
            request.namespace,
            request.user,
            authorizer_for(self.cluster),
            mutation_allowed=True,
        )
        if outcome.pod is None:
            message = f"PodSecurityPolicy: {outcome.refusal}"
            name = mutating_phase_name(pod)
            if not request.dry_run:
                self._remember(request, name, pod, message)
            raise errors.forbidden("pods", name, message)
        admitted = copy.deepcopy(outcome.pod)
        admitted["metadata"].setdefault("annotations", {})[VALIDATED_PSP_ANNOTATION] = (
            outcome.policy
        )
        pod.clear()
        pod.update(admitted)

    def _validate(self, request: AdmissionRequest) -> None:
        from engine.security import authorizer_for

        pod = request.obj
        hint = (pod["metadata"].get("annotations") or {}).get(VALIDATED_PSP_ANNOTATION, "")
        outcome = compute_security_context(
            self.cluster.store.list("PodSecurityPolicy"),
            pod,
            request.namespace,
            request.user,
            authorizer_for(self.cluster),
            mutation_allowed=False,
            hint=hint,
        )
        if outcome.pod is None or outcome.pod != pod:
            refusal = outcome.refusal or "unable to validate pod: []"
            raise errors.forbidden("pods", request.name, f"PodSecurityPolicy: {refusal}")

    def _remember(self, request: AdmissionRequest, name: str, pod: dict, message: str) -> None:
        key = (request.namespace, name, request.user.name)
        now = self.cluster.clock.timestamp()
        previous = self.refusals.pop(key, None)
        if previous is not None:
            previous.count += 1
            previous.last_time = now
            previous.pod = copy.deepcopy(pod)
            previous.message = message
            self.refusals[key] = previous
        else:
            self.refusals[key] = Refusal(
                request.namespace, name, request.user, copy.deepcopy(pod), message, now, now
            )
        while len(self.refusals) > MAX_REFUSALS:
            self.refusals.popitem(last=False)
