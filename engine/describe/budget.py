"""`kubectl describe poddisruptionbudget` (describePodDisruptionBudgetV1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.common import describe_events
from engine.describe.writer import LEVEL_0, LEVEL_2, PrefixWriter
from engine.labels import SelectorError, label_selector_as_selector

if TYPE_CHECKING:
    from engine.cluster import Cluster


def format_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `app=web`, `tier in (a,b)`, `<none>` when empty."""
    if selector is None:
        return "<none>"
    try:
        text = str(label_selector_as_selector(selector))
    except SelectorError:
        return "<error>"
    return text or "<none>"


def _header(w: PrefixWriter, obj: dict) -> None:
    meta = obj.get("metadata") or {}
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")


def describe_pod_disruption_budget(cluster: Cluster, budget: dict) -> str:
    """describePodDisruptionBudgetV1."""
    spec = budget.get("spec") or {}
    status = budget.get("status") or {}
    w = PrefixWriter()
    _header(w, budget)
    if spec.get("minAvailable") is not None:
        w.write(LEVEL_0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(LEVEL_0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    if spec.get("selector") is not None:
        w.write(LEVEL_0, f"Selector:\t{format_selector(spec['selector'])}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    w.write(LEVEL_0, "Status:\n")
    w.write(LEVEL_2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    w.write(LEVEL_2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    w.write(LEVEL_2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    w.write(LEVEL_2, f"Total:\t{status.get('expectedPods', 0)}\n")
    describe_events(w, cluster.events.events_for(budget), cluster.now_datetime())
    return w.text()
