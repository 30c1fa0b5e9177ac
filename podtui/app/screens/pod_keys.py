"""k9s' pod keys beyond the basics: `s` shell, `a` attach, `shift+f` port-forward.

`s` opens a shell in the selected pod's container (a picker first when it has several),
through `engine.actions.exec_in_container`, which `:exec` calls too; `a` shows the
container's live log (what attaching to its output shows); port-forwarding needs a real
network, which the simulated cluster does not have, and says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.actions import exec_in_container
from engine.result import ActionResult

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object

PORT_FORWARD_MESSAGE = (
    "port-forward is not simulated: podtui's pods listen on simulated ports only, there is "
    "no network to forward to. Try s (a shell in the pod) and curl localhost:PORT there."
)


class PodKeys(_Base):
    """Mixed into MainScreen: shell, attach, port-forward on the Pods pane."""

    def open_shell(self, namespace: str, pod: str, container: str | None) -> ActionResult:
        """`kubectl exec -it POD [-c CONTAINER] -- sh`: the shell screen, or kubectl's error."""
        from podtui.app.screens.shell import ShellScreen

        with self.session.lock:
            shell, result = exec_in_container(
                self.session.cluster, namespace, pod, container
            )
        if shell is not None:
            self.app.push_screen(ShellScreen(self.session, shell, list(result.lines)))
            return ActionResult(errors=result.errors)
        return result

    def action_shell(self) -> None:
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        spec = row.obj.get("spec") or {}
        names = [c["name"] for c in spec.get("containers") or []]
        names += [
            c["name"]
            for c in spec.get("initContainers") or []
            if c.get("restartPolicy") == "Always"  # sidecars run alongside: shell-able
        ]
        if len(names) < 2:
            self.report(self.open_shell(namespace, name, names[0] if names else None))
            return
        from podtui.app.screens.listing import ListingScreen

        statuses = {
            s.get("name"): s
            for s in (row.obj.get("status") or {}).get("containerStatuses", [])
            + (row.obj.get("status") or {}).get("initContainerStatuses", [])
        }
        rows = [
            (
                c,
                (
                    c,
                    next(iter((statuses.get(c) or {}).get("state") or {"waiting": {}})),
                    str((statuses.get(c) or {}).get("image", "")),
                ),
            )
            for c in names
        ]
        self.app.push_screen(
            ListingScreen(
                f" Containers of {name} — enter opens a shell",
                ("NAME", "STATE", "IMAGE"),
                rows,
                on_choose=lambda container: self.report(
                    self.open_shell(namespace, name, container)
                ),
            )
        )

    def action_attach(self) -> None:
        """k9s' attach shows what the container writes: here, its live log."""
        self.action_detail("logs")

    def action_port_forward(self) -> None:
        self.notify(PORT_FORWARD_MESSAGE, severity="warning", markup=False, timeout=8)
