"""Creating and deleting a controller's pods, with the events RealPodControl records.

Pods go through the API server as the controller's service account
(`system:serviceaccount:kube-system:<name>`), so admission (PodSecurityPolicy, PodPreset)
treats them as a real cluster treats controller-made pods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import controller_user
from engine.events import Source

if TYPE_CHECKING:
    from engine.cluster import Cluster

# k/k pkg/controller/controller_utils.go
SLOW_START_INITIAL_BATCH_SIZE = 1
BURST_REPLICAS = 500

SUCCESSFUL_CREATE = "SuccessfulCreate"
FAILED_CREATE = "FailedCreate"
SUCCESSFUL_DELETE = "SuccessfulDelete"
FAILED_DELETE = "FailedDelete"


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH_SIZE) -> list[int]:
    """The batch sizes slowStartBatch uses for `count` calls: 1, 2, 4, ... (the last cut short)."""
    sizes = []
    remaining = count
    batch = min(remaining, initial)
    while batch > 0:
        sizes.append(batch)
        remaining -= batch
        batch = min(2 * batch, remaining)
    return sizes


def slow_start_batch(count: int, call: Callable[[], bool]) -> int:
    """slowStartBatch: run `call` in growing batches, stopping after a batch with a failure.

    Returns how many calls succeeded; calls never attempted are "skipped" upstream.
    """
    successes = 0
    for size in slow_start_batches(count):
        failed = False
        for _ in range(size):
            if call():
                successes += 1
            else:
                failed = True
        if failed:
            break
    return successes


class PodControl:
    """RealPodControl for one controller: creates and deletes pods, records the events."""

    def __init__(self, cluster: Cluster, component: str) -> None:
        self.cluster = cluster
        self.component = component
        self.source = Source(component)
        self.user = controller_user(component)

    def create(self, pod: dict, owner: dict) -> tuple[dict | None, errors.APIError | None]:
        """CreatePods: `SuccessfulCreate` / `FailedCreate` events on the owner."""
        try:
            result = self.cluster.api.create(pod, user=self.user)
        except errors.APIError as err:
            self.cluster.events.event(
                owner, "Warning", FAILED_CREATE, f"Error creating: {err.message}", self.source
            )
            return None, err
        created = result.obj
        self.cluster.events.event(
            owner,
            "Normal",
            SUCCESSFUL_CREATE,
            f"Created pod: {created['metadata']['name']}",
            self.source,
        )
        return created, None

    def delete(self, pod: dict, owner: dict) -> errors.APIError | None:
        """DeletePod: a graceful delete; `SuccessfulDelete` / `FailedDelete` on the owner."""
        meta = pod["metadata"]
        try:
            self.cluster.api.delete("Pod", meta.get("namespace", ""), meta["name"], user=self.user)
        except errors.APIError as err:
            if err.reason == "NotFound":
                return None
            self.cluster.events.event(
                owner,
                "Warning",
                FAILED_DELETE,
                f"Error deleting: {err.message}",
                self.source,
            )
            return err
        self.cluster.events.event(
            owner, "Normal", SUCCESSFUL_DELETE, f"Deleted pod: {meta['name']}", self.source
        )
        return None

    def event(self, obj: dict, type_: str, reason: str, message: str) -> None:
        self.cluster.events.event(obj, type_, reason, message, self.source)
