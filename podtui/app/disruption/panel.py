"""The strip under the Nodes and PDBs tables: what `kubectl get` leaves out and a drain needs.

For the selected node: whether it is cordoned, its taints and its conditions, in kubectl
describe node's words (engine.disruption.summaries.node_summary), the pods the taint
eviction controller is about to delete, and the drain running on it. For the selected
budget: kubectl describe pdb's Status numbers, its DisruptionAllowed condition, the pods it
covers and which of them a drain is waiting on. Budgets at zero read in the theme's
`$warning`, those short of their desired healthy pods in `$error` (as k9s colours them).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from engine.describe.writer import tabwrite
from engine.disruption.drain import POD_BLOCKED, POD_EVICTING, drains_of
from engine.disruption.summaries import budget_summary, node_summary, pending_taint_evictions
from engine.labels import SelectorError, label_selector_as_selector
from engine.printers.duration import human_duration
from podtui.app.session import Session
from podtui.backends.base import CLOCK

PANEL_KINDS = ("Node", "PodDisruptionBudget")


class DisruptionPanel(Static):
    """A few lines about the selected node or budget; hidden on other panes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.display = False

    def _style(self, name: str) -> Style:
        theme = self.app.current_theme
        if name == "muted":
            return Style(dim=True)
        colour = {"ok": theme.success, "warn": theme.warning, "bad": theme.error}[name]
        return Style(color=colour)

    def show_for(self, session: Session, kind: str, obj: dict | None) -> None:
        """Redraw for this row (the caller holds the engine lock)."""
        if kind not in PANEL_KINDS:
            self.display = False
            return
        self.display = True
        name = ((obj or {}).get("metadata") or {}).get("name", "")
        self.border_title = f" {'node' if kind == 'Node' else 'pdb'}/{name} " if obj else ""
        if obj is None:
            self.update(Text("Nothing selected.", self._style("muted")))
        elif kind == "Node":
            self.update(self._node(session, obj))
        else:
            self.update(self._budget(session, obj))

    # -- a node -------------------------------------------------------------------------------
    def _node(self, session: Session, node: dict) -> Text:
        # Taint evictions and drains are the simulator's to follow (its clock): a real
        # cluster's panel shows the node, its conditions and its pods.
        cluster = session.backend.simulator(CLOCK) if session.has(CLOCK) else None
        summary = node_summary(node)
        conditions = (node.get("status") or {}).get("conditions") or []
        messages = {c.get("type"): c.get("message", "") for c in conditions}
        rows = ["Type\tStatus\tReason\tMessage"]
        rows += [f"{t}\t{s}\t{r}\t{messages.get(t, '')}" for t, s, r in summary.conditions]
        table = tabwrite(rows)
        out = Text()
        out.append("Unschedulable:  ")
        out.append(
            "true" if summary.cordoned else "false",
            self._style("warn") if summary.cordoned else Style(),
        )
        out.append("\nTaints:         ")
        out.append(
            ", ".join(summary.taints) or "<none>",
            self._style("warn") if summary.taints else Style(),
        )
        out.append("\nConditions:     ")
        for index, line in enumerate(table):
            if index:
                out.append("\n                ")
            style = (
                Style(bold=True)
                if index == 0
                else self._condition_style(summary.conditions[index - 1])
            )
            out.append(line, style)
        pods = [
            p
            for p in session.objects("Pod")
            if (p.get("spec") or {}).get("nodeName") == summary.name
        ]
        out.append(f"\nPods:           {len(pods)}")
        if cluster is None:
            return out
        evictions = {
            key: at
            for key, at in pending_taint_evictions(cluster).items()
            if any((p["metadata"].get("namespace"), p["metadata"]["name"]) == key for p in pods)
        }
        if evictions:
            soonest = sorted(evictions.items(), key=lambda item: item[1])
            shown = ", ".join(
                f"{ns}/{name} in {human_duration(max(at - cluster.now, 0))}"
                for (ns, name), at in soonest[:3]
            )
            more = f" and {len(soonest) - 3} more" if len(soonest) > 3 else ""
            out.append(f"   taint eviction: {shown}{more}", self._style("bad"))
        drains = [d for d in drains_of(cluster) if d.node == summary.name]
        if drains:
            drain = drains[-1]
            past = sum(1 for p in drain.pods if p.state not in (POD_EVICTING, POD_BLOCKED))
            out.append(
                f"\nDrain:          {drain.state}",
                self._style("ok" if drain.state == "drained" else "warn"),
            )
            blocked = drain.blocking_budgets()
            if blocked and not drain.done:
                names = ", ".join(f"pdb/{b}" for b in sorted(blocked))
                out.append(
                    f", {sum(len(v) for v in blocked.values())} pod(s) held by {names}",
                    self._style("warn"),
                )
            elif drain.pods:
                out.append(f", {past} of {len(drain.pods)} pod(s) past eviction")
            out.append("   D: the drain panel", self._style("muted"))
        return out

    def _condition_style(self, condition: tuple[str, str, str]) -> Style:
        kind, status, _ = condition
        if kind == "Ready":
            return self._style("ok") if status == "True" else self._style("bad")
        return self._style("bad") if status == "True" else Style()

    # -- a budget -----------------------------------------------------------------------------
    def _budget(self, session: Session, pdb: dict) -> Text:
        summary = budget_summary(pdb)
        short = summary.current_healthy < summary.desired_healthy
        level = "bad" if short else ("warn" if summary.at_zero else "ok")
        out = Text()
        out.append("Status:         ")
        out.append(f"Allowed disruptions: {summary.allowed}", self._style(level) + Style(bold=True))
        out.append(
            f"   Current: {summary.current_healthy}   Desired: {summary.desired_healthy}"
            f"   Total: {summary.expected_pods}"
        )
        out.append("\nCondition:      ")
        status = "False" if summary.at_zero else "True"
        out.append(f"DisruptionAllowed {status}  {summary.reason}", self._style(level))
        if summary.message:
            out.append(f"  {summary.message}", self._style("muted"))
        if summary.at_zero:
            out.append("\n                ")
            out.append(
                "At zero: evicting any of its healthy pods gets 429 Too Many Requests "
                "(Cannot evict pod as it would violate the pod's disruption budget.)",
                self._style(level),
            )
        pods = self._covered_pods(session, pdb)
        out.append(f"\nPods:           {len(pods)}")
        if pods:
            names = ", ".join(p["metadata"]["name"] for p in pods[:6])
            out.append(f"  {names}" + (f" and {len(pods) - 6} more" if len(pods) > 6 else ""))
        held = [
            (drain, progress)
            for drain in (drains_of(session.backend.simulator(CLOCK)) if session.has(CLOCK) else ())
            if not drain.done
            for progress in drain.pods
            if progress.state == POD_BLOCKED
            and progress.blocked_by == summary.name
            and progress.namespace == summary.namespace
        ]
        if held:
            out.append("\nHolding:        ")
            out.append(
                ", ".join(
                    f"{p.name} (drain of node/{d.node}, {p.attempts} attempt(s))" for d, p in held
                ),
                self._style("warn"),
            )
            out.append("   D: the drain panel", self._style("muted"))
        return out

    def _covered_pods(self, session: Session, pdb: dict) -> list[dict]:
        meta = pdb.get("metadata") or {}
        try:
            selector = label_selector_as_selector((pdb.get("spec") or {}).get("selector"))
        except SelectorError:
            return []
        return [
            pod
            for pod in session.objects("Pod", meta.get("namespace", "default"))
            if selector.matches(pod["metadata"].get("labels") or {})
        ]
