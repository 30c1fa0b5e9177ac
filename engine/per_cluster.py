"""State kept beside a cluster (an index, a registry): one per cluster, made on first use,
gone with the cluster (a weak reference: a test's or a drill's many clusters leave nothing
behind)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from engine.cluster import Cluster

T = TypeVar("T")


class PerCluster(Generic[T]):
    """One T per cluster."""

    def __init__(self) -> None:
        self._made: weakref.WeakKeyDictionary[Cluster, T] = weakref.WeakKeyDictionary()

    def get(self, cluster: Cluster, make: Callable[[Cluster], T]) -> T:
        """The cluster's T, made by `make(cluster)` the first time it is asked for."""
        found = self._made.get(cluster)
        if found is None:
            found = self._made[cluster] = make(cluster)
        return found
