"""Jumps between views, as k9s pushes a view and `esc` pops it: Enter on a controller
shows its pods, `z` a Deployment's ReplicaSets, shift-j a pod's (or ReplicaSet's) owner.

A jump sets the target view's filter (the controller's `-l` selector, or `^name$` for an
owner) and remembers where it came from; `esc` in the target view puts its filter back
and returns to the origin with the cursor on the row it left. Jumps stack, so
Deployment → ReplicaSets → Pods comes back one step per `esc`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen


@dataclass(frozen=True)
class Jump:
    """Where a jump came from and what it changed in the view it went to."""

    origin_kind: str
    origin_key: str | None
    origin_namespace: str | None
    target_kind: str
    target_filter: str
    previous_filter: str
    label: str
    """`deployment.apps/web`: what the jump is about (shown in the pane's subtitle)."""


class JumpStack:
    """A MainScreen's jumps, newest last."""

    def __init__(self) -> None:
        self.jumps: list[Jump] = []

    def jump(
        self,
        screen: MainScreen,
        kind: str,
        filter_text: str,
        label: str,
        *,
        namespace: str | bool | None = True,
    ) -> None:
        """Show `kind` filtered by `filter_text`, remembering the view we leave."""
        target = screen.view(kind)
        self.jumps.append(
            Jump(
                screen.kind,
                screen.table.cursor_key,
                screen.namespace,
                kind,
                filter_text,
                target.filter_text,
                label,
            )
        )
        target.filter_text = filter_text
        screen.show_kind(kind, namespace)

    def current(self, screen: MainScreen) -> Jump | None:
        """The jump that led to what is on screen (None when the user has moved on)."""
        if not self.jumps:
            return None
        top = self.jumps[-1]
        if screen.kind != top.target_kind or screen.view().filter_text != top.target_filter:
            self.jumps.clear()
            return None
        return top

    def back(self, screen: MainScreen) -> bool:
        """`esc`: undo the newest jump; False when there is none to undo."""
        top = self.current(screen)
        if top is None:
            return False
        self.jumps.pop()
        screen.view(top.target_kind).filter_text = top.previous_filter
        screen.show_kind(top.origin_kind, top.origin_namespace)
        if top.origin_key is not None:
            screen.table.move_cursor_to_key(top.origin_key)
        return True


def name_filter(name: str) -> str:
    """The filter that shows one row by name (what `:get KIND NAME` sets)."""
    return f"^{re.escape(name)}$"
