"""Which budgets select a pod, and which pods a budget selects, without scanning either kind.

Upstream's disruption controller answers both by listing (getPdbForPod lists the namespace's
budgets for every pod change, getPodsForPdb lists the namespace's pods for every budget
sync: k8s.io/kubernetes/pkg/controller/disruption/disruption.go). At 150,000 pods under
1,500 budgets that is what a drain or a rollout spends its time on, so the index keeps, fed
by the change feed:

- per namespace, each budget's parsed selector, filed under one equality requirement's
  `key=value` pairs (a selector with no `=`/`in` requirement is looked at for every pod);
- per namespace that has a budget, its pods by `key=value` label.

The answers are the listings' answers, in the listings' order (by name). The index subscribes
before the disruption controller does, so the controller's watchers see it up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.labels import (
    DOUBLE_EQUALS,
    EQUALS,
    IN,
    NOTHING,
    Selector,
    SelectorError,
    parsed_label_selector,
)
from engine.per_cluster import PerCluster
from engine.store import Change

if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.cluster import Cluster

PDB = "PodDisruptionBudget"
_ANCHORS = (IN, EQUALS, DOUBLE_EQUALS)
_INDEXES: PerCluster[BudgetIndex] = PerCluster()

Pair = tuple[str, str]


def budget_index(cluster: Cluster) -> BudgetIndex:
    """The cluster's budget index, created (and subscribed) on first use."""
    return _INDEXES.get(cluster, BudgetIndex)


def _anchor(selector: Selector) -> tuple[Pair, ...]:
    """The pairs a matching label set must hold one of; () when no requirement says so."""
    for requirement in selector.requirements:
        if requirement.operator in _ANCHORS:
            return tuple((requirement.key, value) for value in requirement.values)
    return ()


class _Namespace:
    """One namespace's budgets and (once it has a budget) its pods."""

    __slots__ = ("anchored", "budgets", "by_label", "pods", "selectors", "unanchored")

    def __init__(self) -> None:
        self.budgets: set[str] = set()
        """Every budget's name, whatever its selector (the namespace's pods are indexed
        while this is not empty)."""
        self.selectors: dict[str, tuple[Selector, tuple[Pair, ...]]] = {}
        """Budgets whose selector can select a pod: name -> (selector, anchor pairs)."""
        self.anchored: dict[Pair, dict[str, None]] = {}
        self.unanchored: dict[str, None] = {}
        self.pods: dict[str, tuple[Pair, ...]] = {}
        """Pod name -> the label pairs it is filed under."""
        self.by_label: dict[Pair, dict[str, None]] = {}


class BudgetIndex:
    """Budgets by selector anchor and pods by label, per namespace."""

    def __init__(self, cluster: Cluster) -> None:
        self.store = cluster.store
        self._namespaces: dict[str, _Namespace] = {}
        self.store.watch(self._on_budget, {PDB})
        # Files pods by their labels only: their status writes are no-ops here.
        self.store.watch(self._on_pod, {"Pod"}, status_writes=False)
        for pdb in self.store.iter(PDB):
            self._on_budget(Change("ADDED", PDB, pdb))

    # -- feeding ----------------------------------------------------------------------------
    def _on_budget(self, change: Change) -> None:
        meta = change.obj["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        state = self._namespaces.get(namespace)
        if change.type == "DELETED":
            if state is None:
                return
            self._file_budget(state, name, None)
            state.budgets.discard(name)
            if not state.budgets:
                del self._namespaces[namespace]
            return
        if state is None:
            state = self._namespaces[namespace] = _Namespace()
            for pod in self.store.iter("Pod"):
                if pod["metadata"].get("namespace", "") == namespace:
                    self._file_pod(state, pod["metadata"])
        state.budgets.add(name)
        try:
            selector = parsed_label_selector((change.obj.get("spec") or {}).get("selector"))
        except SelectorError:
            selector = None  # skipped by getPodPodDisruptionBudgets, as upstream does
        self._file_budget(state, name, None if selector is NOTHING else selector)

    def _file_budget(self, state: _Namespace, name: str, selector: Selector | None) -> None:
        old = state.selectors.get(name)
        if old is not None and old[0] == selector:
            return
        if old is not None:
            del state.selectors[name]
            state.unanchored.pop(name, None)
            for pair in old[1]:
                _discard(state.anchored, pair, name)
        if selector is None:
            return
        anchor = _anchor(selector)
        state.selectors[name] = (selector, anchor)
        if not anchor:
            state.unanchored[name] = None
        for pair in anchor:
            state.anchored.setdefault(pair, {})[name] = None

    def _on_pod(self, change: Change) -> None:
        meta = change.obj["metadata"]
        state = self._namespaces.get(meta.get("namespace", ""))
        if state is None:
            return
        if change.type == "DELETED":
            old = state.pods.pop(meta["name"], None)
            for pair in old or ():
                _discard(state.by_label, pair, meta["name"])
            return
        self._file_pod(state, meta)

    def _file_pod(self, state: _Namespace, meta: dict) -> None:
        name = meta["name"]
        pairs = tuple((meta.get("labels") or {}).items())
        old = state.pods.get(name)
        if old == pairs:
            return
        for pair in old or ():
            _discard(state.by_label, pair, name)
        state.pods[name] = pairs
        for pair in pairs:
            state.by_label.setdefault(pair, {})[name] = None

    # -- reading ----------------------------------------------------------------------------
    def budgets_for(self, namespace: str, labels: Mapping[str, str] | None) -> list[dict]:
        """getPodPodDisruptionBudgets: the namespace's budgets (valid selector) selecting the
        labels, by name."""
        state = self._namespaces.get(namespace)
        if state is None:
            return []
        labels = labels or {}
        names = list(state.unanchored)
        for pair in labels.items():
            names.extend(state.anchored.get(pair, ()))
        found = []
        for name in sorted(set(names)):
            if state.selectors[name][0].matches(labels):
                pdb = self.store.get(PDB, namespace, name)
                if pdb is not None:
                    found.append(pdb)
        return found

    def pods_for(self, namespace: str, selector: Selector) -> list[dict]:
        """The namespace's pods the selector selects, by name (a lister's List(selector))."""
        state = self._namespaces.get(namespace)
        if state is None:
            # No budget in the namespace yet (the index has not been told of it): list.
            return [
                pod
                for pod in self.store.list("Pod", namespace)
                if selector.matches(pod["metadata"].get("labels") or {})
            ]
        if selector is NOTHING:
            return []
        candidates: dict[str, None] | None = None
        for requirement in selector.requirements:
            if requirement.operator not in _ANCHORS:
                continue
            found: dict[str, None] = {}
            for value in requirement.values:
                found.update(state.by_label.get((requirement.key, value), {}))
            if candidates is None or len(found) < len(candidates):
                candidates = found
        names = state.pods if candidates is None else candidates
        # A selector that is one `key=value`/`key in (...)` is answered by its buckets alone
        # (the index holds every pod's labels as of its last change).
        exact = candidates is not None and len(selector.requirements) == 1
        pods = []
        get = self.store.get
        for name in sorted(names):
            pod = get("Pod", namespace, name)
            if pod is not None and (exact or selector.matches(pod["metadata"].get("labels") or {})):
                pods.append(pod)
        return pods


def _discard(table: dict[Pair, dict[str, None]], pair: Pair, name: str) -> None:
    bucket = table.get(pair)
    if bucket is None:
        return
    bucket.pop(name, None)
    if not bucket:
        del table[pair]
