"""Each budget's pods as counts kept from the change feed, so that a budget sync costs the
changes since the last one instead of a pass over every pod it selects.

A sync of the disruption controller (k8s.io/kubernetes/pkg/controller/disruption/
disruption.go: trySync) reads of its pods only: how many there are, how many are healthy
(countHealthyPods: Ready and not being deleted), the controllers behind them
(getExpectedScale) and the pods named in status.disruptedPods. A drain evicts a node's pods
at once, and every budget behind them is synced several times in that instant (the
eviction, the replacement pod's creation, its scheduling, its start...): at 100 replicas a
budget, those passes were most of the drain's tick. Here every budget keeps:

- its members, by pod name, each with what a sync reads of it: being deleted, Ready, its
  controller reference;
- the number of members that are healthy (not being deleted and Ready);
- its members' distinct controller references, with how many members hold each, and the
  names of the members with none (unmanaged).

The counts are filed under the budgets the budget index says select the pod, so a pod is a
member of a budget exactly when the index's listing of the budget's pods holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.disruption import finders
from engine.disruption.budget import ExpectedCountError
from engine.disruption.selection import budget_index
from engine.labels import NOTHING, SelectorError, parsed_label_selector
from engine.per_cluster import PerCluster
from engine.store import Change

if TYPE_CHECKING:
    from collections.abc import Iterable

    from engine.cluster import Cluster
    from engine.labels import Selector

PDB = "PodDisruptionBudget"
_TRACKERS: PerCluster[BudgetPods] = PerCluster()

RefKey = tuple
"""A controller reference as what the finders read of it: (apiVersion, kind, name, uid)."""
REF_FIELDS = ("apiVersion", "kind", "name", "uid")
Facts = tuple[bool, bool, "RefKey | None"]
"""What a sync reads of one pod: (being deleted, healthy, controller reference)."""
LABEL_SETS_REMEMBERED = 4096
FACTS_REMEMBERED = 65536
"""Distinct facts tuples shared: past this, start over (sharing is only to save memory)."""
"""Label sets whose budgets are remembered, per namespace: past this, start over."""
_ODD = ("odd",)
"""The reference key of a controller reference that cannot be hashed: never resolved."""


def budget_pods(cluster: Cluster) -> BudgetPods:
    """The cluster's per-budget pod counts, created (and subscribed) on first use."""
    return _TRACKERS.get(cluster, BudgetPods)


@dataclass
class Members:
    """One budget's pods, as counts."""

    selector: Selector
    pods: dict[str, Facts] = field(default_factory=dict)
    healthy: int = 0
    refs: dict[RefKey, int] = field(default_factory=dict)
    unmanaged: dict[str, None] = field(default_factory=dict)

    def add(self, name: str, facts: Facts) -> None:
        self.pods[name] = facts
        if facts[1]:
            self.healthy += 1
        ref = facts[2]
        if ref is None:
            self.unmanaged[name] = None
        else:
            self.refs[ref] = self.refs.get(ref, 0) + 1

    def remove(self, name: str) -> None:
        facts = self.pods.pop(name, None)
        if facts is None:
            return
        if facts[1]:
            self.healthy -= 1
        ref = facts[2]
        if ref is None:
            self.unmanaged.pop(name, None)
            return
        left = self.refs[ref] - 1
        if left:
            self.refs[ref] = left
        else:
            del self.refs[ref]


def pod_facts(pod: dict) -> Facts:
    """(being deleted, healthy as countHealthyPods counts it, controller reference)."""
    meta = pod["metadata"]
    deleting = bool(meta.get("deletionTimestamp"))
    healthy = False
    if not deleting:
        # The first Ready condition decides, as in count_healthy_pods.
        for condition in (pod.get("status") or {}).get("conditions") or ():
            if condition.get("type") == "Ready":
                healthy = condition.get("status") == "True"
                break
    ref = None
    for owner in meta.get("ownerReferences") or ():
        if owner.get("controller"):
            ref = (owner.get("apiVersion"), owner.get("kind"), owner.get("name"), owner.get("uid"))
            try:
                hash(ref)
            except TypeError:
                ref = _ODD
            break
    return deleting, healthy, ref


class BudgetPods:
    """Members and counts of every budget with a valid selector, by (namespace, name)."""

    def __init__(self, cluster: Cluster) -> None:
        self.store = cluster.store
        # Subscribed first: the index must be up to date when this is told of a change.
        self.index = budget_index(cluster)
        self.budgets: dict[tuple[str, str], Members] = {}
        self._filed: dict[str, dict[str, tuple[str, ...]]] = {}
        """Namespace -> pod name -> the budgets it is a member of."""
        self._facts: dict[Facts, Facts] = {}
        """Each distinct facts tuple once (a few per controller), shared by its pods."""
        self._selecting: dict[str, dict[tuple, tuple[str, ...]]] = {}
        """Namespace -> label set (its items) -> the budgets selecting it, by name: the
        index's answer, remembered until a budget of the namespace comes, goes or changes
        its selector (a Deployment's pods share a few label sets)."""
        self.store.watch(self._on_budget, {PDB})
        self.store.watch(self._on_pod, {"Pod"})
        for pdb in self.store.iter(PDB):
            self._on_budget(Change("ADDED", PDB, pdb))

    # -- feeding ----------------------------------------------------------------------------
    def _on_budget(self, change: Change) -> None:
        meta = change.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        selector: Selector | None = None
        if change.type != "DELETED":
            try:
                selector = parsed_label_selector((change.obj.get("spec") or {}).get("selector"))
            except SelectorError:
                selector = None
        old = self.budgets.get(key)
        if old is not None and selector is not None and old.selector == selector:
            return
        if old is not None or selector is not None:
            self._selecting.pop(key[0], None)
        if old is not None:
            for name in old.pods:
                self._unfile(key[0], name, key[1])
            del self.budgets[key]
        if selector is None:
            return
        members = self.budgets[key] = Members(selector)
        if selector is NOTHING:
            return
        filed = self._filed.setdefault(key[0], {})
        for pod in self.index.pods_for(key[0], selector):
            name = pod["metadata"]["name"]
            members.add(name, self._shared(pod_facts(pod)))
            filed[name] = (*filed.get(name, ()), key[1])

    def _unfile(self, namespace: str, name: str, budget: str) -> None:
        filed = self._filed.get(namespace, {})
        left = tuple(b for b in filed.get(name, ()) if b != budget)
        if left:
            filed[name] = left
        else:
            filed.pop(name, None)

    def _shared(self, facts: Facts) -> Facts:
        known = self._facts.get(facts)
        if known is None:
            if len(self._facts) >= FACTS_REMEMBERED:
                self._facts.clear()
            known = self._facts[facts] = facts
        return known

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        meta = pod["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        filed = self._filed.get(namespace)
        old = filed.get(name, ()) if filed is not None else ()
        new = () if change.type == "DELETED" else self.selecting(namespace, meta.get("labels"))
        if not old and not new:
            return
        for budget in old:
            if budget not in new:
                self.budgets[(namespace, budget)].remove(name)
        if new:
            facts = pod_facts(pod)
            for budget in new:
                members = self.budgets[(namespace, budget)]
                if members.pods.get(name) != facts:
                    members.remove(name)
                    members.add(name, self._shared(facts))
            if filed is None:
                filed = self._filed[namespace] = {}
            filed[name] = new  # the label set's tuple, shared with its other pods
        elif filed is not None:
            filed.pop(name, None)

    # -- reading ----------------------------------------------------------------------------
    def filed_under(self, namespace: str, name: str) -> tuple[str, ...]:
        """The budgets the pod was filed under at the change last told of it: while the
        store delivers a change to a pod (not a DELETED), what selecting() answers for its
        labels, in its order, as _on_pod has just filed it (a budget's own change, which
        files pods in another order, is delivered after it)."""
        filed = self._filed.get(namespace)
        return filed.get(name, ()) if filed is not None else ()

    def selecting(self, namespace: str, labels: dict | None) -> tuple[str, ...]:
        """getPodPodDisruptionBudgets' budgets (valid selector) for these labels, by name."""
        known = self._selecting.get(namespace)
        if known is None:
            known = self._selecting[namespace] = {}
        pairs = tuple(labels.items()) if labels else ()
        try:
            names = known.get(pairs)
        except TypeError:  # a label value that is not a string: ask the index
            return self._ask(namespace, labels)
        if names is None:
            if len(known) >= LABEL_SETS_REMEMBERED:
                known.clear()
            names = known[pairs] = self._ask(namespace, labels)
        return names

    def _ask(self, namespace: str, labels: dict | None) -> tuple[str, ...]:
        return tuple(
            pdb["metadata"]["name"]
            for pdb in self.index.budgets_for(namespace, labels)
            if (namespace, pdb["metadata"]["name"]) in self.budgets
        )

    def members(self, namespace: str, name: str, selector: Selector) -> Members | None:
        """The budget's members, if they are kept for this selector."""
        members = self.budgets.get((namespace, name))
        if members is None or members.selector != selector:
            return None
        return members

    def pods_named(self, namespace: str, members: Members, names: Iterable[str]) -> list[dict]:
        """The members among `names`, by name (a listing's order)."""
        found = []
        for name in sorted(n for n in names if n in members.pods):
            pod = self.store.get("Pod", namespace, name)
            if pod is not None:
                found.append(pod)
        return found

    def expected_scale(self, namespace: str, members: Members) -> tuple[int, list[str]] | None:
        """getExpectedScale from the distinct controller references, or None when one of them
        does not resolve (the caller then asks the pods in order, for upstream's error).

        The sum does not depend on the order the references are resolved in: a reference
        resolves to its own object or to the Deployment of its ReplicaSet, whatever comes
        before it, and each controller counts once by uid.
        """
        scales: dict[str, int] = {}
        for ref_key in members.refs:
            if ref_key is _ODD:
                return None
            # What the finders read of a reference (a missing field stays missing).
            ref = {k: v for k, v in zip(REF_FIELDS, ref_key, strict=True) if v is not None}
            if ref.get("uid") in scales:
                continue
            for finder in finders.FINDERS:
                try:
                    found = finder(self.store, ref, namespace)
                except ExpectedCountError:
                    return None
                if found is not None:
                    scales[found[0]] = found[1]
                    break
            else:
                return None
        return sum(scales.values()), sorted(members.unmanaged)
