"""A controller's work queue: watch events enqueue keys, one sync per key, at the current
simulated time, in the order the keys arrived (so runs are deterministic)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.workqueue import KeyQueue

if TYPE_CHECKING:
    from engine.cluster import Cluster


class QueueController:
    """Base for controllers that reconcile objects by key."""

    name = "controller"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._queue: KeyQueue[Any] = KeyQueue()
        self._scheduled = False
        self._delayed: dict[Any, Any] = {}

    def enqueue(self, key: Any) -> None:
        self._queue.add(key)
        if not self._scheduled:
            self._scheduled = True
            self.cluster.clock.call_later(0, self._drain)

    def enqueue_after(self, key: Any, delay: float) -> None:
        """AddAfter: sync the key again once `delay` seconds have passed (earliest wins)."""
        at = self.cluster.clock.now + delay
        timer = self._delayed.get(key)
        if timer is not None and not timer.cancelled and timer.at <= at:
            return
        if timer is not None:
            timer.cancel()

        def fire() -> None:
            self._delayed.pop(key, None)
            self.enqueue(key)

        self._delayed[key] = self.cluster.clock.call_at(at, fire)

    def _drain(self) -> None:
        self._scheduled = False
        while self._queue:
            self.sync(self._queue.pop())

    def sync(self, key: Any) -> None:  # pragma: no cover - every controller overrides it
        raise NotImplementedError
