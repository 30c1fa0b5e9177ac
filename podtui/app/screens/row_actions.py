"""The keys that act on the selected row: delete, kill, inject, edit, cordon, drain, scale.

Each calls the backend's verb (the engine action a scenario step calls, in process), or
the `:` verb that wraps it, then reports kubectl's words. Injecting a fault is the
simulator's (FAULTS): it reaches the engine through the backend's guarded accessor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.actions import inject
from podtui.app import plugins, resources
from podtui.app.commandline import run_command
from podtui.app.rows import TableRow
from podtui.app.screens.dialogs import (
    ConfirmDialog,
    FaultChoice,
    InjectDialog,
    ScaleDialog,
)
from podtui.backends.base import FAULTS

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object


class RowActions(_Base):
    """Mixed into MainScreen: actions on `self.table.cursor_row`."""

    def selected(self) -> TableRow | None:
        row = self.table.cursor_row
        if row is None:
            self.notify("nothing selected", severity="warning")
        return row

    def _identity(self, row: TableRow) -> tuple[str, str]:
        meta = row.obj.get("metadata") or {}
        return meta.get("namespace") or "", meta.get("name", "")

    def action_detail(self, tab: str) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        self.open_detail(self.kind, namespace, name, tab)

    def action_delete(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        kind = self.kind
        target = f"{resources.type_name(kind)}/{name}"
        where = f" in namespace {namespace}" if namespace else ""

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            session = self.session
            with session.lock:
                plugins.record_step(
                    session,
                    "delete",
                    f"{resources.plural(kind)}/{name}",
                    namespace=namespace or "default",
                )
            result = session.call(
                session.backend.delete(
                    f"{resources.plural(kind)}/{name}", namespace=namespace or "default"
                )
            )
            self.report(result)

        self.app.push_screen(ConfirmDialog(f"Delete {target}{where}?", "kubectl delete"), confirmed)

    def action_kill(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        session = self.session
        with session.lock:
            plugins.record_step(
                session,
                "delete",
                f"pods/{name}",
                namespace=namespace,
                gracePeriod=0,
                force=True,
            )
        # Killing a pod is a forced delete: a real cluster can do it too (no FAULTS needed).
        result = session.call(
            session.backend.delete(f"pods/{name}", namespace=namespace, grace_period=0, force=True)
        )
        self.report(result)

    def action_inject(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        obj = row.obj
        if self.kind == "Pod":
            spec = obj.get("spec") or {}
            containers = [c["name"] for c in spec.get("containers") or []]
            node = spec.get("nodeName")
            dialog = InjectDialog(f"pod/{name}", containers, node, pod=True)
        else:
            dialog = InjectDialog(f"node/{name}", [], name, pod=False)

        def chosen(choice: FaultChoice | None) -> None:
            if choice is None:
                return
            cluster = self.session.backend.simulator(FAULTS)
            with self.session.lock:
                plugins.record_step(
                    self.session,
                    "inject",
                    {
                        "fault": choice.fault,
                        "pod": name if self.kind == "Pod" and choice.node is None else None,
                        "node": choice.node,
                        "namespace": namespace or "default",
                        "container": choice.container,
                        "probe": choice.probe if choice.fault == "probeFail" else None,
                    },
                )
                result = inject(
                    cluster,
                    choice.fault,
                    pod=name if self.kind == "Pod" and choice.node is None else None,
                    namespace=namespace or "default",
                    container=choice.container,
                    probe=choice.probe,
                    node=choice.node,
                )
            self.report(result)

        self.app.push_screen(dialog, chosen)

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        self.open_editor(self.kind, namespace, name)

    def action_cordon(self) -> None:
        self._node_action("cordon")

    def action_uncordon(self) -> None:
        self._node_action("uncordon")

    def _node_action(self, verb: str) -> None:
        row = self.selected()
        if row is None:
            return
        _, name = self._identity(row)
        session = self.session
        with session.lock:
            plugins.record_step(session, verb, name)  # the cordon / uncordon step
        backend = session.backend
        node_verb = backend.cordon if verb == "cordon" else backend.uncordon
        self.report(session.call(node_verb(name)))

    def action_drain(self) -> None:
        row = self.selected()
        if row is None:
            return
        _, name = self._identity(row)
        self.open_drain_dialog(name)  # the form of kubectl drain's flags, then the drain panel

    def action_scale(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        replicas = int(((row.obj.get("spec") or {}).get("replicas")) or 0)
        kind = self.kind

        def chosen(count: int | None) -> None:
            if count is None:
                return
            line = f"scale {kind.lower()}/{name} --replicas={count} -n {namespace or 'default'}"
            self.report(run_command(line, self.session, self))

        self.app.push_screen(ScaleDialog(f"{kind.lower()}/{name}", replicas), chosen)
