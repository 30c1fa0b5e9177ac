"""The Eviction API (`POST pods/NAME/eviction`) as an engine function
(k8s.io/kubernetes/pkg/registry/core/pod/storage/eviction.go, current release).

A pod is deleted without consulting any budget when it is Pending, Succeeded, Failed or
already being deleted. Otherwise the one PodDisruptionBudget that selects it decides: a
budget with no disruption allowed refuses with 429 TooManyRequests; two budgets are a 500;
a budget that allows one gives it up at once (disruptionsAllowed-1, the pod recorded in
disruptedPods) before the pod is deleted. A Ready pod always needs the budget; a pod that is
running but not Ready may go without it when the budget is healthy (IfHealthyBudget, the
default) or always (AlwaysAllow). Every pod this deletes first gets the condition
DisruptionTarget=True, reason EvictionByEvictionAPI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.actions import ActionResult
from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.disruption import budget
from engine.disruption.api import ALWAYS_ALLOW
from engine.disruption.podutil import (
    DISRUPTION_TARGET,
    EVICTION_BY_EVICTION_API,
    EVICTION_MESSAGE,
    is_deleting,
    is_pod_ready,
    update_pod_condition,
)
from engine.disruption.selection import budget_index

if TYPE_CHECKING:
    from engine.cluster import Cluster

PDB = "PodDisruptionBudget"
MAX_DISRUPTED_POD_SIZE = 2000
DISRUPTION_BUDGET_CAUSE = "DisruptionBudget"
VIOLATION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_BUDGETS_MESSAGE = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."


class EvictionError(errors.APIError):
    """A refused eviction, with the Status details clients read (causes, Retry-After)."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        causes: list[tuple[str, str]] | None = None,
        retry_after_seconds: int = 0,
        budget_name: str | None = None,
    ) -> None:
        super().__init__(code, reason, message)
        self.causes = list(causes or [])
        self.retry_after_seconds = retry_after_seconds
        self.budget_name = budget_name

    @property
    def cause_messages(self) -> list[str]:
        return [message for _, message in self.causes]


@dataclass
class EvictionOutcome:
    """A successful eviction: the pod is being deleted (or was, already)."""

    namespace: str
    name: str
    budget_name: str | None = None
    """The budget that was consulted and gave up a disruption, if any."""
    checked_budget: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)


def too_many_requests_still_processing(pdb_name: str) -> EvictionError:
    """createTooManyRequestsError: the budget's status is behind its spec."""
    return EvictionError(
        429,
        "TooManyRequests",
        VIOLATION_MESSAGE,
        causes=[
            (
                DISRUPTION_BUDGET_CAUSE,
                f"The disruption budget {pdb_name} is still being processed by the server.",
            )
        ],
        retry_after_seconds=10,
        budget_name=pdb_name,
    )


def matching_budgets(cluster: Cluster, pod: dict) -> list[dict]:
    """getPodDisruptionBudgets: budgets of the pod's namespace whose selector selects it.

    `{}` selects every pod, no selector selects none, an invalid one is skipped.
    """
    meta = pod["metadata"]
    return budget_index(cluster).budgets_for(meta.get("namespace", ""), meta.get("labels"))


def can_ignore_pdb(pod: dict) -> bool:
    """canIgnorePDB: terminal, Pending and already-deleting pods are deleted without a budget."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or is_deleting(pod)


def check_and_decrement(cluster: Cluster, pod_name: str, pdb: dict, dry_run: bool) -> None:
    """checkAndDecrement: take one disruption from the budget, or refuse."""
    name = pdb["metadata"]["name"]
    status = pdb.get("status") or {}
    if status.get("observedGeneration", 0) < pdb["metadata"].get("generation", 0):
        raise too_many_requests_still_processing(name)
    allowed = status.get("disruptionsAllowed", 0)
    if allowed < 0:
        raise EvictionError(
            403,
            "Forbidden",
            f'poddisruptionbudget.policy "{name}" is forbidden: pdb disruptions allowed is negative',
            budget_name=name,
        )
    if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
        raise EvictionError(
            403,
            "Forbidden",
            f'poddisruptionbudget.policy "{name}" is forbidden: DisruptedPods map too big - '
            "too many evictions not confirmed by PDB controller",
            budget_name=name,
        )
    if allowed == 0:
        raise EvictionError(
            429,
            "TooManyRequests",
            VIOLATION_MESSAGE,
            causes=[
                (
                    DISRUPTION_BUDGET_CAUSE,
                    f"The disruption budget {name} needs {status.get('desiredHealthy', 0)} "
                    f"healthy pods and has {status.get('currentHealthy', 0)} currently",
                )
            ],
            budget_name=name,
        )
    if dry_run:
        return
    new_status = dict(status)
    new_status["disruptionsAllowed"] = allowed - 1
    now = cluster.clock.now_datetime()
    if new_status["disruptionsAllowed"] == 0:
        new_status["conditions"] = [dict(c) for c in status.get("conditions") or []]
        budget.update_disruption_allowed_condition(new_status, now)
    disrupted = dict(status.get("disruptedPods") or {})
    disrupted[pod_name] = cluster.clock.timestamp()
    new_status["disruptedPods"] = dict(sorted(disrupted.items()))
    pdb["status"] = dict(sorted(new_status.items()))
    cluster.store.modified(pdb)


def _add_condition_and_delete(
    cluster: Cluster,
    pod: dict,
    grace_period: int | None,
    dry_run: bool,
    user: UserInfo,
) -> None:
    """addConditionAndDeletePod: DisruptionTarget=True on the pod, then a normal DELETE."""
    meta = pod["metadata"]
    namespace = meta.get("namespace", "default")
    if not dry_run:
        status = pod.setdefault("status", {})
        changed = update_pod_condition(
            status,
            {
                "type": DISRUPTION_TARGET,
                "status": "True",
                "reason": EVICTION_BY_EVICTION_API,
                "message": EVICTION_MESSAGE,
            },
            cluster.clock.timestamp(),
        )
        if changed:
            cluster.store.modified(pod)
    cluster.api.delete(
        "Pod", namespace, meta["name"], grace_period=grace_period, user=user, dry_run=dry_run
    )


def evict(
    cluster: Cluster,
    name: str,
    namespace: str = "default",
    *,
    grace_period: int | None = None,
    dry_run: bool = False,
    user: UserInfo = ADMIN,
) -> EvictionOutcome:
    """Create an Eviction for a pod; raises APIError (EvictionError for budget refusals)."""
    pod = cluster.store.get("Pod", namespace, name)
    if pod is None:
        raise errors.not_found("pods", name)
    outcome = EvictionOutcome(namespace, name, dry_run=dry_run)
    if can_ignore_pdb(pod):
        _add_condition_and_delete(cluster, pod, grace_period, dry_run, user)
        return outcome
    pdbs = matching_budgets(cluster, pod)
    if len(pdbs) > 1:
        raise EvictionError(500, "InternalError", MULTIPLE_BUDGETS_MESSAGE)
    if pdbs:
        pdb = pdbs[0]
        outcome.budget_name = pdb["metadata"]["name"]
        outcome.checked_budget = True
        status = pdb.get("status") or {}
        unhealthy_may_go = False
        if not is_pod_ready(pod):
            policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy")
            if policy == ALWAYS_ALLOW:
                unhealthy_may_go = True
                outcome.notes.append("the pod is not Ready and the budget's policy is AlwaysAllow")
            elif status.get("currentHealthy", 0) >= status.get("desiredHealthy", 0) > 0:
                unhealthy_may_go = True
                outcome.notes.append("the pod is not Ready and the budget is healthy")
        if unhealthy_may_go:
            outcome.checked_budget = False
        else:
            check_and_decrement(cluster, name, pdb, dry_run)
    _add_condition_and_delete(cluster, pod, grace_period, dry_run, user)
    return outcome


def eviction_error_line(name: str, namespace: str, err: errors.APIError) -> str:
    """How kubectl reports a failed eviction: `error when evicting pods/"x" -n "ns": ...`."""
    return f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)}: {err.message}"


def evict_action(
    cluster: Cluster,
    target: str,
    *,
    namespace: str = "default",
    grace_period: int | None = None,
    dry_run: bool = False,
    user: UserInfo = ADMIN,
) -> ActionResult:
    """The `evict` step, the console's evict key and `:evict pod/NAME`: one Eviction.

    Prints `pod/NAME evicted`, or kubectl's eviction error line.
    """
    result = ActionResult()
    name = target.split("/", 1)[1] if "/" in target else target
    try:
        evict(cluster, name, namespace, grace_period=grace_period, dry_run=dry_run, user=user)
    except errors.APIError as err:
        if err.code == 404:
            result.errors.append(err.kubectl())
        else:
            result.errors.append(eviction_error_line(name, namespace, err))
        return result
    suffix = " (server dry run)" if dry_run else ""
    result.lines.append(f"pod/{name} evicted{suffix}")
    return result
