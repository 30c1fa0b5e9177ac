"""The Controllers pane's keys, k9s' keys: `r` restart, `ctrl+l` roll back, `i` set image,
`enter` the controller's pods, `z` a Deployment's ReplicaSets, shift-j a row's owner.

Mixed into MainScreen (its BINDINGS hold the keys, so a key shared with another pane, `r`
drain on Nodes, `i` inject on Pods, stays one key that `check_action` routes by kind).
Writes go through the `:` verbs (podtui.app.workloads.verbs), which call the engine's
workload actions and record what they did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podtui.app import resources
from podtui.app.commandline import run_command
from podtui.app.screens.dialogs import ConfirmDialog
from podtui.app.workloads.jumps import JumpStack, name_filter
from podtui.app.workloads.owners import (
    CONTROLLER_KINDS,
    RESTARTABLE,
    TEMPLATED,
    containers_of,
    controller_of,
    revision,
    selector_filter,
)
from podtui.app.workloads.set_image_dialog import SetImageDialog

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object

WORKLOAD_ACTIONS = {
    "restart": RESTARTABLE,
    "rollback": ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"),
    "set_image": TEMPLATED,
    "replica_sets": ("Deployment",),
}
WRITES = frozenset({"restart", "rollback", "set_image"})


class WorkloadKeys(_Base):
    """Mixed into MainScreen: the controller keys and the jumps."""

    @property
    def jumps(self) -> JumpStack:
        stack = getattr(self, "_jump_stack", None)
        if stack is None:
            stack = self._jump_stack = JumpStack()
        return stack

    def check_workload_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a workload key applies here (None: not a workload key)."""
        if action in WORKLOAD_ACTIONS:
            if action in WRITES and self.session.readonly:
                return False
            # Not on a kind the engine does not simulate: that pane is an empty state.
            return (
                self.kind in WORKLOAD_ACTIONS[action]
                and resources.registered(self.kind) is not None
            )
        if action == "jump_owner":
            return self.kind in ("Pod", "ReplicaSet", "Job")
        return None

    # -- jumps ------------------------------------------------------------------------------
    def show_pods_of_selected(self) -> bool:
        """Enter on a controller: its pods (k9s); False when the row is not a controller."""
        if self.kind not in CONTROLLER_KINDS:
            return False
        row = self.table.cursor_row
        if row is None:
            return True
        selector = selector_filter(row.obj)
        meta = row.obj.get("metadata") or {}
        label = f"{resources.type_name(self.kind)}/{meta.get('name', '')}"
        if selector is None:
            self.notify(f"{label} has no selector", severity="warning")
            return True
        self.jumps.jump(self, "Pod", selector, label, namespace=meta.get("namespace") or True)
        return True

    def action_replica_sets(self) -> None:
        """`z` on a Deployment: its ReplicaSets (k9s' dp view)."""
        row = self.selected()
        if row is None:
            return
        selector = selector_filter(row.obj)
        meta = row.obj.get("metadata") or {}
        if selector is not None:
            label = f"{resources.type_name(self.kind)}/{meta.get('name', '')}"
            self.jumps.jump(
                self, "ReplicaSet", selector, label, namespace=meta.get("namespace") or True
            )

    def action_jump_owner(self) -> None:
        """shift-j: the row's controller (k9s' jump to owner)."""
        row = self.selected()
        if row is None:
            return
        owner = controller_of(row.obj)
        name = (row.obj.get("metadata") or {}).get("name", "")
        if owner is None or resources.pane_for_kind(owner.kind) is resources.OTHER_PANE:
            self.notify(
                f"{self.kind.lower()}/{name} has no controller to jump to", severity="warning"
            )
            return
        label = f"{resources.type_name(self.kind)}/{name}"
        self.jumps.jump(
            self, owner.kind, name_filter(owner.name), label, namespace=owner.namespace or True
        )
        self.table.move_cursor_to_key(
            f"{owner.namespace}/{owner.name}" if owner.namespace else owner.name
        )

    def jump_back(self) -> bool:
        """`esc` after a jump: back where it came from."""
        return self.jumps.back(self)

    def jump_label(self) -> str:
        """What the jump on screen is about (empty when none)."""
        top = self.jumps.current(self)
        return f"esc ← {top.label}" if top is not None else ""

    # -- writes -----------------------------------------------------------------------------
    def action_restart(self) -> None:
        """`r`: kubectl rollout restart, after asking (k9s asks too)."""
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        target = f"{resources.type_name(self.kind)}/{name}"
        line = f"rollout restart {self.kind.lower()}/{name} -n {namespace or 'default'}"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.report(run_command(line, self.session, self))

        self.app.push_screen(
            ConfirmDialog(f"Restart {target}?", "kubectl " + line, confirm_label="Restart"),
            confirmed,
        )

    def action_rollback(self) -> None:
        """`ctrl+l`: roll a Deployment, StatefulSet or DaemonSet back to its previous
        revision, or (on a ReplicaSet, as k9s does) its Deployment back to that ReplicaSet's
        revision."""
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        kind = self.kind
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            target, to_revision = name, 0
            question = f"Roll back {resources.type_name(kind)}/{name} to its previous revision?"
        else:
            kind = "Deployment"
            owner = controller_of(row.obj)
            if owner is None or owner.kind != "Deployment":
                self.notify(
                    f"replicaset.apps/{name} has no Deployment to roll back", severity="warning"
                )
                return
            target, to_revision = owner.name, revision(row.obj)
            question = f"Roll back deployment.apps/{owner.name} to revision {to_revision} ({name})?"
        flag = f" --to-revision={to_revision}" if to_revision else ""
        line = f"rollout undo {kind.lower()}/{target} -n {namespace or 'default'}{flag}"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.report(run_command(line, self.session, self))

        self.app.push_screen(
            ConfirmDialog(question, "kubectl " + line, confirm_label="Roll back"), confirmed
        )

    def action_set_image(self) -> None:
        """`i`: kubectl set image, one field per container."""
        row = self.selected()
        if row is None:
            return
        namespace, name = self._identity(row)
        kind = self.kind
        current = containers_of(row.obj)

        def chosen(images: dict[str, str] | None) -> None:
            if not images:
                return
            pairs = " ".join(f"{container}={image}" for container, image in images.items())
            line = f"set image {kind.lower()}/{name} {pairs} -n {namespace or 'default'}"
            self.report(run_command(line, self.session, self))

        self.app.push_screen(SetImageDialog(f"{resources.type_name(kind)}/{name}", current), chosen)
