"""The Job controller (k/k pkg/controller/job/job_controller.go, backoff_utils.go):
parallel pods until `completions` succeed, failures counted against backoffLimit with
exponential back-off before replacements, pods tracked with the
`batch.kubernetes.io/job-tracking` finalizer, and the terminal conditions
(SuccessCriteriaMet → Complete, FailureTarget → Failed) of a current Kubernetes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.store import Change
from engine.workloads.base import WorkloadController, selector_of, set_status
from engine.workloads.podcontrol import PodControl, slow_start_batch
from engine.workloads.podutil import (
    controller_ref,
    is_pod_active,
    is_pod_ready,
    pod_from_template,
    pod_phase,
    pods_prefix,
)

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "job-controller"
TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
SYNC_JOB_BATCH_PERIOD = 1.0
DEFAULT_POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0
MAX_POD_CREATE_DELETE_PER_SYNC = 500

COMPLETIONS_REACHED = "CompletionsReached"
COMPLETIONS_REACHED_MESSAGE = "Reached expected number of succeeded pods"
BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded"
BACKOFF_LIMIT_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_EXCEEDED = "DeadlineExceeded"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"


def remaining_backoff(failures: int, last_failure: float | None, now: float) -> float:
    """getRemainingTimeForFailuresCount: 10 s doubling per failure after the last success,
    capped at 10 min, measured from the last failure."""
    if failures == 0 or last_failure is None:
        return 0.0
    backoff = DEFAULT_POD_FAILURE_BACKOFF
    for _ in range(1, failures):
        backoff *= 2
        if backoff >= MAX_POD_FAILURE_BACKOFF:
            backoff = MAX_POD_FAILURE_BACKOFF
            break
    elapsed = now - last_failure
    if backoff < elapsed:
        return 0.0
    return backoff - elapsed


def want_active(completions: int | None, parallelism: int, succeeded: int, active: int) -> int:
    """manageJob's target: parallelism, never more than the completions still needed (a
    work-queue Job without completions stops starting pods after its first success)."""
    if completions is None:
        return active if succeeded > 0 else parallelism
    return max(min(completions - succeeded, parallelism), 0)


@dataclass
class BackoffRecord:
    failures_after_last_success: int = 0
    last_failure_time: float | None = None


def job_finished(job: dict) -> bool:
    """IsJobFinished: a Complete or Failed condition that is True."""
    for condition in (job.get("status") or {}).get("conditions") or ():
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return True
    return False


class JobController(WorkloadController):
    """Controller.syncJob for every Job."""

    name = COMPONENT
    kind = "Job"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.pods = PodControl(cluster, COMPONENT)
        self._backoff: dict[tuple[str, str], BackoffRecord] = {}
        cluster.store.watch(self._on_job, {"Job"})
        self.index.watch_pods(self.kind, self._on_pod)

    # -- events -----------------------------------------------------------------------------
    def _on_job(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.type == "DELETED":
            self._backoff.pop((meta.get("namespace", ""), meta["name"]), None)
            self._release_orphans(change.obj)
            return
        # Spec changes sync at once; status writes are batched like pod events.
        if change.type == "ADDED":
            self.enqueue_obj(change.obj)
        else:
            self.enqueue_obj_after(change.obj, SYNC_JOB_BATCH_PERIOD)

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        ref = controller_ref(pod)
        if ref is None:
            if change.type != "DELETED" and TRACKING_FINALIZER in (
                pod["metadata"].get("finalizers") or ()
            ):
                # An orphan still tracked: nobody will count it, let it go.
                self._remove_tracking_finalizer(pod)
            return
        owner = self.owner_of(pod)
        if owner is None:
            if change.type != "DELETED" and TRACKING_FINALIZER in (
                pod["metadata"].get("finalizers") or ()
            ):
                self._remove_tracking_finalizer(pod)
            return
        if job_finished(owner):
            if TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ()):
                self._remove_tracking_finalizer(pod)
            return
        self.enqueue_obj_after(owner, SYNC_JOB_BATCH_PERIOD)

    def _release_orphans(self, job: dict) -> None:
        for pod in self.index.controlled_by(job["metadata"]["uid"], "Pod"):
            if TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ()):
                self._remove_tracking_finalizer(pod)

    def _remove_tracking_finalizer(self, pod: dict) -> None:
        self.cluster.api.remove_finalizer(pod, TRACKING_FINALIZER)

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        job = self.get(key)
        if job is None or job_finished(job):
            return
        spec = job["spec"]
        status = dict(job.get("status") or {})
        pods = self.claim_pods(job, selector_of(job), finalizer=TRACKING_FINALIZER)
        active = [p for p in pods if is_pod_active(p)]
        terminating = [
            p
            for p in pods
            if p["metadata"].get("deletionTimestamp")
            and pod_phase(p) not in ("Succeeded", "Failed")
        ]
        tracked = [p for p in pods if TRACKING_FINALIZER in (p["metadata"].get("finalizers") or ())]
        new_succeeded = [p for p in tracked if pod_phase(p) == "Succeeded"]
        new_failed = [p for p in tracked if self.is_pod_failed(p, job)]
        succeeded = int(status.get("succeeded") or 0) + len(new_succeeded)
        failed = int(status.get("failed") or 0) + len(new_failed)
        if not status.get("startTime") and not spec.get("suspend"):
            status["startTime"] = self.timestamp()
        record = self.new_backoff_record(key, new_succeeded, new_failed)
        conditions = list(status.get("conditions") or [])
        finished: tuple[str, str, str] | None = None
        target = next(
            (
                c
                for c in conditions
                if c.get("type") == "FailureTarget" and c.get("status") == "True"
            ),
            None,
        )
        success_met = next(
            (
                c
                for c in conditions
                if c.get("type") == "SuccessCriteriaMet" and c.get("status") == "True"
            ),
            None,
        )
        if success_met is not None:
            finished = (
                "SuccessCriteriaMet",
                success_met.get("reason", ""),
                success_met.get("message", ""),
            )
        elif target is not None:
            finished = ("FailureTarget", target.get("reason", ""), target.get("message", ""))
        elif failed > int(spec.get("backoffLimit") or 0) or self.past_backoff_limit_on_failure(
            job, pods
        ):
            finished = ("FailureTarget", BACKOFF_LIMIT_EXCEEDED, BACKOFF_LIMIT_MESSAGE)
        elif self.past_active_deadline(job, status):
            finished = ("FailureTarget", DEADLINE_EXCEEDED, DEADLINE_MESSAGE)
        elif spec.get("activeDeadlineSeconds") is not None and not spec.get("suspend"):
            start = self.seconds(status.get("startTime"))
            if start is not None:
                self.enqueue_after(key, start + int(spec["activeDeadlineSeconds"]) - self.now)
        active_count = len(active)
        if finished is not None and finished[0] == "FailureTarget":
            for pod in active:
                self.pods.delete(pod, job)
            terminating += active
            active_count = 0
        elif finished is None:
            active_count = self.manage_job(job, key, active, succeeded, record)
            completions = spec.get("completions")
            if completions is None:
                complete = succeeded > 0 and active_count == 0
            else:
                complete = succeeded >= int(completions) and active_count == 0
            if complete:
                finished = ("SuccessCriteriaMet", COMPLETIONS_REACHED, COMPLETIONS_REACHED_MESSAGE)
        self._backoff[key] = record
        # Finished pods are counted once: their tracking finalizer goes with the count.
        for pod in new_succeeded + new_failed:
            self._remove_tracking_finalizer(pod)
        if finished is not None and finished[0] == "SuccessCriteriaMet":
            for pod in tracked:
                if (
                    pod not in new_succeeded
                    and pod not in new_failed
                    and TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ())
                ):
                    self._remove_tracking_finalizer(pod)
        status["active"] = active_count
        status["succeeded"] = succeeded
        status["failed"] = failed
        status["ready"] = sum(1 for p in active if is_pod_ready(p)) if active_count else 0
        status["terminating"] = len(terminating)
        status["uncountedTerminatedPods"] = {}
        if finished is not None:
            kind, reason, message = finished
            if not any(c.get("type") == kind for c in conditions):
                conditions.append(self.condition(kind, reason, message))
            if len(terminating) == 0:
                final = "Complete" if kind == "SuccessCriteriaMet" else "Failed"
                conditions.append(self.condition(final, reason, message))
                if final == "Complete":
                    status["completionTime"] = self.timestamp()
                    completions = spec.get("completions")
                    if completions is not None and succeeded > int(completions):
                        self.pods.event(
                            job,
                            "Warning",
                            "TooManySucceededPods",
                            "Too many succeeded pods running after completion count reached",
                        )
                    self.pods.event(job, "Normal", "Completed", "Job completed")
                else:
                    self.pods.event(job, "Warning", reason, message)
        if conditions:
            status["conditions"] = conditions
        set_status(job, _compact(status), self.cluster)

    def condition(self, kind: str, reason: str, message: str) -> dict:
        now = self.timestamp()
        return {
            "lastProbeTime": now,
            "lastTransitionTime": now,
            "message": message,
            "reason": reason,
            "status": "True",
            "type": kind,
        }

    def is_pod_failed(self, pod: dict, job: dict) -> bool:
        """isPodFailed: Failed, or (unless only failed pods are replaced) deleted before success."""
        phase = pod_phase(pod)
        if phase == "Failed":
            return True
        if job["spec"].get("podReplacementPolicy") == "Failed":
            return False
        return bool(pod["metadata"].get("deletionTimestamp")) and phase != "Succeeded"

    def past_backoff_limit_on_failure(self, job: dict, pods: list[dict]) -> bool:
        """pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count."""
        template_spec = (job["spec"].get("template") or {}).get("spec") or {}
        if template_spec.get("restartPolicy") != "OnFailure":
            return False
        restarts = 0
        for pod in pods:
            if pod_phase(pod) in ("Running", "Pending"):
                status = pod.get("status") or {}
                for group in ("initContainerStatuses", "containerStatuses"):
                    restarts += sum(
                        int(s.get("restartCount") or 0) for s in status.get(group) or ()
                    )
        limit = int(job["spec"].get("backoffLimit") or 0)
        if limit == 0:
            return restarts > 0
        return restarts >= limit

    def past_active_deadline(self, job: dict, status: dict) -> bool:
        deadline = job["spec"].get("activeDeadlineSeconds")
        start = self.seconds(status.get("startTime"))
        if deadline is None or start is None or job["spec"].get("suspend"):
            return False
        return self.now - start >= int(deadline)

    def new_backoff_record(
        self, key: tuple[str, str], succeeded: list[dict], failed: list[dict]
    ) -> BackoffRecord:
        """newBackoffRecord: failures since the last success, and when the last one failed."""
        old = self._backoff.get(key, BackoffRecord())
        record = BackoffRecord(old.failures_after_last_success, old.last_failure_time)
        failed = sorted(failed, key=self.finished_time)
        if not succeeded:
            if failed:
                record.failures_after_last_success += len(failed)
                record.last_failure_time = self.finished_time(failed[-1])
            return record
        record = BackoffRecord()
        last_success = max(self.finished_time(p) for p in succeeded)
        for pod in reversed(failed):
            when = self.finished_time(pod)
            if not when > last_success:
                break
            if record.last_failure_time is None:
                record.last_failure_time = when
            record.failures_after_last_success += 1
        return record

    def finished_time(self, pod: dict) -> float:
        """getFinishedTime: the latest container finish, else the deletion time, else now."""
        latest = None
        for status in (pod.get("status") or {}).get("containerStatuses") or ():
            finished = ((status.get("state") or {}).get("terminated") or {}).get("finishedAt")
            when = self.seconds(finished)
            if when is not None and (latest is None or when > latest):
                latest = when
        if latest is None:
            latest = self.seconds(pod["metadata"].get("deletionTimestamp"))
        return latest if latest is not None else self.now

    def manage_job(
        self,
        job: dict,
        key: tuple[str, str],
        active: list[dict],
        succeeded: int,
        record: BackoffRecord,
    ) -> int:
        """manageJob: delete extra pods, or start what is missing after the back-off."""
        spec = job["spec"]
        if spec.get("suspend"):
            for pod in active:
                self.pods.delete(pod, job)
            return 0
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism") or 0)
        wanted = want_active(
            int(completions) if completions is not None else None,
            parallelism,
            succeeded,
            len(active),
        )
        excess = len(active) - wanted
        if excess > 0:
            victims = sorted(active, key=_removal_order)[
                : min(excess, MAX_POD_CREATE_DELETE_PER_SYNC)
            ]
            for pod in victims:
                self.pods.delete(pod, job)
            return len(active) - len(victims)
        diff = wanted - len(active)
        if diff <= 0:
            return len(active)
        wait = remaining_backoff(
            record.failures_after_last_success, record.last_failure_time, self.now
        )
        if wait > 0:
            self.enqueue_after(key, max(wait, SYNC_JOB_BATCH_PERIOD))
            return len(active)
        diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
        template = spec.get("template") or {}
        created = 0

        def create_one() -> bool:
            nonlocal created
            pod = pod_from_template(template, job, pods_prefix(job["metadata"]["name"]))
            finalizers = pod["metadata"].setdefault("finalizers", [])
            if TRACKING_FINALIZER not in finalizers:
                finalizers.append(TRACKING_FINALIZER)
            _, err = self.pods.create(pod, job)
            if err is not None:
                return False
            created += 1
            return True

        slow_start_batch(diff, create_one)
        if created < diff:
            self.enqueue_after(key, SYNC_JOB_BATCH_PERIOD)
        return len(active) + created


def _removal_order(pod: dict) -> tuple:
    """activePodsForRemoval's preference: unscheduled, pending, not ready pods first."""
    spec = pod.get("spec") or {}
    phase = {"Pending": 0, "Unknown": 1, "Running": 2}.get(pod_phase(pod), 0)
    return (bool(spec.get("nodeName")), phase, is_pod_ready(pod), pod["metadata"]["name"])


def _compact(status: dict) -> dict:
    """JobStatus with omitempty: zero counters are not written; ready and terminating are
    pointers and stay even at 0."""
    out = {}
    for key, value in status.items():
        if key in ("active", "succeeded", "failed") and not value:
            continue
        out[key] = value
    return out
