"""A FIFO of distinct keys: what controllers and the scheduler queue their work in.

It behaves as a dict used as an ordered set (`queue[key] = None`, then take the first key
and delete it): keys come out in the order they first arrived, a key added again while it
is waiting keeps its place, and a key taken out and added again goes to the back. A dict
does that at a cost that grows with the queue: CPython leaves a deleted entry's slot behind
and `next(iter(d))` steps over every one of them, so draining N keys from the front is
quadratic (150,000 pods queued at once took seconds per controller).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyQueue(Generic[K]):
    """Distinct keys in arrival order; add, discard and pop in constant time."""

    __slots__ = ("_arrivals", "_order", "_waiting")

    def __init__(self) -> None:
        self._order: deque[tuple[int, K]] = deque()
        self._waiting: dict[K, int] = {}
        """Each waiting key with its arrival number: an entry of `_order` whose number is no
        longer the key's is left over from an earlier arrival and is skipped."""
        self._arrivals = 0

    def add(self, key: K) -> None:
        """Queue `key` at the back, unless it is already waiting (then it keeps its place)."""
        if key in self._waiting:
            return
        self._arrivals += 1
        self._waiting[key] = self._arrivals
        self._order.append((self._arrivals, key))

    def discard(self, key: K) -> None:
        """Take `key` out wherever it waits; nothing if it is not waiting."""
        self._waiting.pop(key, None)

    def pop(self) -> K:
        """The key that arrived first, taken out; IndexError when none is waiting."""
        order = self._order
        waiting = self._waiting
        while True:
            arrival, key = order.popleft()
            if waiting.get(key) == arrival:
                del waiting[key]
                if not waiting:
                    order.clear()  # entries left by discarded keys
                return key

    def __len__(self) -> int:
        return len(self._waiting)

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __contains__(self, key: object) -> bool:
        return key in self._waiting
