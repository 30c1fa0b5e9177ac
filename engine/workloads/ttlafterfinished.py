"""The TTL-after-finished controller (k/k pkg/controller/ttlafterfinished/
ttlafterfinished_controller.go): a finished Job with `ttlSecondsAfterFinished` is deleted,
with foreground propagation, that many seconds after its Complete or Failed condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api.errors import APIError
from engine.store import Change
from engine.workloads.base import WorkloadController

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "ttl-after-finished-controller"


def finish_time(job: dict) -> str | None:
    """jobFinishTime: the lastTransitionTime of the True Complete or Failed condition."""
    for condition in (job.get("status") or {}).get("conditions") or ():
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition.get("lastTransitionTime")
    return None


class TTLAfterFinishedController(WorkloadController):
    """Controller.processJob for every Job that has a TTL and is finished."""

    name = COMPONENT
    kind = "Job"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        cluster.store.watch(self._on_job, {"Job"})

    def _on_job(self, change: Change) -> None:
        if change.type == "DELETED":
            return
        job = change.obj
        # needsCleanup: a TTL, no deletion under way, and finished.
        if (
            (job.get("spec") or {}).get("ttlSecondsAfterFinished") is not None
            and not job["metadata"].get("deletionTimestamp")
            and finish_time(job)
        ):
            self.enqueue_obj(job)

    def sync(self, key: tuple[str, str]) -> None:
        job = self.get(key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        finished = self.seconds(finish_time(job))
        if ttl is None or finished is None:
            return
        expire_at = finished + int(ttl)
        if self.now < expire_at:
            self.enqueue_after(key, expire_at - self.now)
            return
        try:
            # The TTL controller deletes in the foreground, with the Job's uid as a
            # precondition; it records no event.
            self.cluster.api.delete(
                "Job",
                key[0],
                key[1],
                propagation="Foreground",
                uid=job["metadata"]["uid"],
            )
        except APIError:
            return
