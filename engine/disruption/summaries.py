"""What the console's PDB pane, Nodes pane and drain panel show, computed once in the engine:
a budget's numbers and whether it is at zero, a node's cordon, taints and conditions as
kubectl describe writes them, and when the taint eviction controller will delete each pod
of a lost node."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.disruption.budget import DISRUPTION_ALLOWED
from engine.disruption.eviction import matching_budgets

if TYPE_CHECKING:
    from engine.cluster import Cluster


@dataclass(frozen=True)
class BudgetSummary:
    """One PodDisruptionBudget at a glance."""

    namespace: str
    name: str
    allowed: int
    current_healthy: int
    desired_healthy: int
    expected_pods: int
    reason: str
    """The DisruptionAllowed condition's reason: SufficientPods, InsufficientPods, SyncFailed."""
    message: str

    @property
    def at_zero(self) -> bool:
        """No voluntary disruption allowed now: evictions of its Ready pods get a 429."""
        return self.allowed <= 0


def budget_summary(pdb: dict) -> BudgetSummary:
    meta = pdb.get("metadata") or {}
    status = pdb.get("status") or {}
    condition = next(
        (c for c in status.get("conditions") or [] if c.get("type") == DISRUPTION_ALLOWED), {}
    )
    return BudgetSummary(
        meta.get("namespace", ""),
        meta.get("name", ""),
        int(status.get("disruptionsAllowed", 0)),
        int(status.get("currentHealthy", 0)),
        int(status.get("desiredHealthy", 0)),
        int(status.get("expectedPods", 0)),
        condition.get("reason", ""),
        condition.get("message", ""),
    )


def budgets_for_pod(cluster: Cluster, pod: dict) -> list[BudgetSummary]:
    """The budgets an eviction of this pod would consult (more than one: the eviction fails)."""
    return [budget_summary(pdb) for pdb in matching_budgets(cluster, pod)]


def format_taint(taint: dict) -> str:
    """Taint.ToString: `key=value:effect`, `key:effect`, as kubectl describe node lists them."""
    key, value, effect = taint.get("key", ""), taint.get("value", ""), taint.get("effect", "")
    if not effect:
        return key if not value else f"{key}={value}:"
    return f"{key}:{effect}" if not value else f"{key}={value}:{effect}"


@dataclass(frozen=True)
class NodeSummary:
    """A node's disruption state: cordoned, its taints and its conditions."""

    name: str
    cordoned: bool
    taints: list[str]
    conditions: list[tuple[str, str, str]]
    """(type, status, reason) in the order the node lists them."""

    @property
    def ready(self) -> str:
        """The Ready condition's status: True, False or Unknown (Unknown if none)."""
        return next((status for kind, status, _ in self.conditions if kind == "Ready"), "Unknown")


def node_summary(node: dict) -> NodeSummary:
    spec = node.get("spec") or {}
    return NodeSummary(
        (node.get("metadata") or {}).get("name", ""),
        bool(spec.get("unschedulable")),
        [format_taint(t) for t in spec.get("taints") or []],
        [
            (c.get("type", ""), c.get("status", ""), c.get("reason", ""))
            for c in (node.get("status") or {}).get("conditions") or []
        ],
    )


def pending_taint_evictions(cluster: Cluster) -> dict[tuple[str, str], float]:
    """(namespace, pod) -> the simulated time the taint eviction controller deletes it."""
    controller = getattr(cluster, "controllers", {}).get("taint-eviction-controller")
    if controller is None:
        return {}
    return controller.scheduled_evictions()
