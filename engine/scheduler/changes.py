"""The log of NodeInfo changes the scheduler's per-node answers catch up from.

A node's filter and score results for a pod shape change only when the node does (a pod
bound to it or gone, its labels, taints or allocatable changed). NodeInfo appends itself
here on every such change; engine/scheduler/snapshot.py reads the log to forget just the
answers of the nodes that changed instead of asking every node again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.scheduler.nodeinfo import NodeInfo

CHANGE_LOG_LIMIT = 1 << 16
"""How many node changes the log keeps: a reader that fell further behind starts over."""


class ChangeLog:
    """Every NodeInfo change, in order, so a reader can catch up on just what changed.

    Positions are absolute (they keep counting when the log starts over): a reader keeps
    the position it has read up to, and `since` tells it when that part is gone."""

    __slots__ = ("base", "entries")

    def __init__(self) -> None:
        self.base = 0  # absolute position of entries[0]
        self.entries: list[NodeInfo] = []

    @property
    def end(self) -> int:
        """The absolute position after the newest change."""
        return self.base + len(self.entries)

    def append(self, info: NodeInfo) -> None:
        if len(self.entries) >= CHANGE_LOG_LIMIT:
            self.base += len(self.entries)
            self.entries = []
        self.entries.append(info)

    def since(self, position: int) -> list[NodeInfo] | None:
        """The nodes changed from `position` on (repeats kept); None when that is lost."""
        if position < self.base:
            return None
        return self.entries[position - self.base :]


NODE_CHANGES = ChangeLog()
