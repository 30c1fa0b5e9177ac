"""The owner index's and the ReplicaSet controller's per-write shortcuts against the long way.

Three shortcuts skip work a pod's several writes repeat (every kubelet status post of a
rollout): the owner index takes a status-only write's owners from the last change instead
of reading them from the object again (OwnerIndex.status_shortcut), and the ReplicaSet
controller refiles a pod whose labels did not change from its state instead of matching
its labels again (ReplicaSetController.bits_from_state), and the disruption controller takes
a changed pod's budgets from where the budget counts filed it instead of asking for them
again (DisruptionController.filed_shortcut). A run with all three and a run with none must leave every object and every event the same, through the scenario of
test_sync_counts_equivalence (a drain past budgets, a rollout, scaling, a released and an
adopted pod, a deleted pod), with the kept counts checked against the pods every tick.
"""

from __future__ import annotations

import pytest

from engine.disruption.budget_pods import BudgetPods
from engine.disruption.disruption_controller import DisruptionController
from engine.workloads.index import OwnerIndex
from engine.workloads.replica_counts import ReplicaCounts
from engine.workloads.replicaset import ReplicaSetController
from tests.engine.test_sync_counts_equivalence import run


def run_with(monkeypatch: pytest.MonkeyPatch, *, shortcuts: bool) -> tuple[str, dict[str, int]]:
    """The scenario's objects and events as JSON, and how often each path was taken."""
    taken = {"status_writes": 0, "bits": 0, "filed": 0}
    on_status_write, bits = OwnerIndex._on_status_write, ReplicaCounts.bits
    filed_under = BudgetPods.filed_under

    def counting_filed_under(self: BudgetPods, namespace: str, name: str) -> tuple[str, ...]:
        names = filed_under(self, namespace, name)
        taken["filed"] += bool(names)
        return names

    def counting_status_write(self: OwnerIndex, *args: object) -> None:
        taken["status_writes"] += 1
        on_status_write(self, *args)  # type: ignore[arg-type]

    def counting_bits(self: ReplicaCounts, pod: dict) -> int:
        taken["bits"] += 1
        return bits(self, pod)

    with monkeypatch.context() as patch:
        patch.setattr(OwnerIndex, "status_shortcut", shortcuts)
        patch.setattr(ReplicaSetController, "bits_from_state", shortcuts)
        patch.setattr(OwnerIndex, "_on_status_write", counting_status_write)
        patch.setattr(ReplicaCounts, "bits", counting_bits)
        patch.setattr(DisruptionController, "filed_shortcut", shortcuts)
        patch.setattr(BudgetPods, "filed_under", counting_filed_under)
        dump, _ = run(from_counts=True, check=True)
    return dump, taken


def test_status_write_and_state_shortcuts_leave_every_object_and_event_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, fast_taken = run_with(monkeypatch, shortcuts=True)
    slow, slow_taken = run_with(monkeypatch, shortcuts=False)
    assert fast == slow
    # Not two runs of the long way: the shortcuts served many writes.
    assert slow_taken["status_writes"] == 0 and slow_taken["filed"] == 0
    assert fast_taken["filed"] > 50, fast_taken
    assert fast_taken["status_writes"] > 50, fast_taken
    assert fast_taken["bits"] < slow_taken["bits"] - 20, (fast_taken, slow_taken)


def test_the_shortcuts_are_on_by_default() -> None:
    assert OwnerIndex.status_shortcut is True
    assert ReplicaSetController.bits_from_state is True
    assert DisruptionController.filed_shortcut is True
