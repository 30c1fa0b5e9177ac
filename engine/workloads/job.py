"""The Job controller (k/k pkg/controller/job/job_controller.go, backoff_utils.go):
parallel pods until `completions` succeed, failures counted against backoffLimit with
exponential back-off before replacements, pods tracked with the
`batch.kubernetes.io/job-tracking` finalizer, and the terminal conditions
(SuccessCriteriaMet → Complete, FailureTarget → Failed) of a current Kubernetes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.store import Change
from engine.workloads.base import WorkloadController, selector_of, set_status
from engine.workloads.job_backoff import BackoffRecord, remaining_backoff
from engine.workloads.job_conditions import (
    COMPLETIONS_REACHED,
    COMPLETIONS_REACHED_MESSAGE,
    FAILED_INDEXES,
    FAILED_INDEXES_MESSAGE,
    FAILURE_TARGET,
    MAX_FAILED_INDEXES,
    MAX_FAILED_INDEXES_MESSAGE,
    SUCCESS_CRITERIA_MET,
    SUCCESS_POLICY,
    JobConditions,
)
from engine.workloads.job_indexes import (
    COMPLETION_INDEX,
    INDEX_FAILURE_COUNT,
    INDEX_IGNORED_FAILURE_COUNT,
    Intervals,
    annotation_count,
    completion_index,
    first_pending_indexes,
    format_indexes,
    has,
    is_indexed,
    merge,
    parse_indexes,
    pod_name_prefix,
    total,
    with_indexes,
)
from engine.workloads.job_pods import (
    absolute_failures,
    new_index_failure_counts,
    pods_for_removal,
    with_completion_index_env,
)
from engine.workloads.job_policies import (
    FAIL_INDEX,
    match_pod_failure_policy,
    match_success_policy,
)
from engine.workloads.podcontrol import PodControl, slow_start_batch
from engine.workloads.podutil import (
    controller_ref,
    is_pod_active,
    is_pod_ready,
    is_pod_terminating,
    pod_from_template,
    pod_phase,
    pods_prefix,
)

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "job-controller"
TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
SYNC_JOB_BATCH_PERIOD = 1.0
MAX_POD_CREATE_DELETE_PER_SYNC = 500


def want_active(completions: int | None, parallelism: int, succeeded: int, active: int) -> int:
    """manageJob's target: parallelism, never more than the completions still needed (a
    work-queue Job without completions stops starting pods after its first success)."""
    if completions is None:
        return active if succeeded > 0 else parallelism
    return max(min(completions - succeeded, parallelism), 0)


def job_finished(job: dict) -> bool:
    """IsJobFinished: a Complete or Failed condition that is True."""
    for condition in (job.get("status") or {}).get("conditions") or ():
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return True
    return False


class JobController(JobConditions, WorkloadController):
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
        indexed = is_indexed(job)
        completions = spec.get("completions")
        policy = spec.get("podFailurePolicy")
        per_index = spec.get("backoffLimitPerIndex")
        pods = self.claim_pods(job, selector_of(job), finalizer=TRACKING_FINALIZER)
        active = [p for p in pods if is_pod_active(p)]
        terminating = [p for p in pods if is_pod_terminating(p)]
        tracked = [p for p in pods if TRACKING_FINALIZER in (p["metadata"].get("finalizers") or ())]
        if indexed:
            # getValidPodsWithFilter: an Indexed Job counts only pods of a valid index.
            tracked = [p for p in tracked if 0 <= completion_index(p) < int(completions or 0)]
        new_succeeded = [p for p in tracked if pod_phase(p) == "Succeeded"]
        new_failed = [p for p in tracked if self.is_pod_failed(p, job)]
        counted_new_failed = [
            p for p in new_failed if match_pod_failure_policy(policy, p).count_failed
        ]
        succeeded = int(status.get("succeeded") or 0) + len(new_succeeded)
        failed = int(status.get("failed") or 0) + len(counted_new_failed)
        if not status.get("startTime") and not spec.get("suspend"):
            status["startTime"] = self.timestamp()
        record = self.new_backoff_record(key, new_succeeded, new_failed)
        conditions = [dict(c) for c in status.get("conditions") or []]
        if not spec.get("suspend") and any(
            c.get("type") == "Suspended" and c.get("status") == "True" for c in conditions
        ):
            # Being resumed: startTime restarts now (update_suspended records it), so the
            # time spent suspended never counts against activeDeadlineSeconds.
            status["startTime"] = self.timestamp()
        finished = self.finished_condition(job, status, conditions, pods, failed)
        succeeded_ix: Intervals = []
        failed_ix: Intervals | None = None
        delayed: dict[int, dict] = {}
        if indexed:
            total_indexes = int(completions or 0)
            succeeded_ix = with_indexes(
                parse_indexes(status.get("completedIndexes"), total_indexes),
                [completion_index(p) for p in new_succeeded],
            )
            succeeded = total(succeeded_ix)
            if per_index is not None:
                failed_ix = with_indexes(
                    parse_indexes(status.get("failedIndexes"), total_indexes),
                    [completion_index(p) for p in tracked if self.is_index_failed(job, p)],
                )
                if finished is None:
                    max_failed = spec.get("maxFailedIndexes")
                    if max_failed is not None and total(failed_ix) > int(max_failed):
                        finished = (FAILURE_TARGET, MAX_FAILED_INDEXES, MAX_FAILED_INDEXES_MESSAGE)
                    elif failed_ix and total(failed_ix) + succeeded >= total_indexes:
                        finished = (FAILURE_TARGET, FAILED_INDEXES, FAILED_INDEXES_MESSAGE)
                delayed = self.pods_with_delayed_deletion(
                    job, tracked, active, succeeded_ix, failed_ix
                )
            if finished is None:
                message = match_success_policy(
                    spec.get("successPolicy"), total_indexes, succeeded_ix
                )
                if message is not None:
                    finished = (SUCCESS_CRITERIA_MET, SUCCESS_POLICY, message)
        active_count = len(active)
        terminating_count = len(terminating)
        if finished is not None:
            # deleteActivePods: finalizers stay until the pods are counted below.
            for pod in active:
                self.pods.delete(pod, job)
            terminating_count += len(active)
            active_count = 0
        else:
            active_count, deleted = self.manage_job(
                job, key, active, terminating, succeeded, record, succeeded_ix, failed_ix, delayed
            )
            terminating_count += deleted
            if completions is None:
                complete = succeeded > 0 and active_count == 0
            else:
                complete = succeeded >= int(completions) and active_count == 0
            if complete:
                finished = (SUCCESS_CRITERIA_MET, COMPLETIONS_REACHED, COMPLETIONS_REACHED_MESSAGE)
            else:
                self.update_suspended(job, status, conditions)
        self._backoff[key] = record
        # trackJobStatusAndRemoveFinalizers: a finished pod is counted when its tracking
        # finalizer goes; once the Job is failing every unfinished pod counts as failed.
        failing = finished is not None and finished[0] == FAILURE_TARGET
        counted_succeeded = int(status.get("succeeded") or 0)
        counted_failed = int(status.get("failed") or 0)
        # As the controller's informer saw them before this sync's deletions.
        failed_before = {id(p) for p in new_failed}
        for pod in tracked:
            considered_failed = id(pod) in failed_before
            if not (
                finished is not None
                or pod_phase(pod) == "Succeeded"
                or (considered_failed and delayed.get(completion_index(pod)) is not pod)
            ):
                continue
            if pod_phase(pod) == "Succeeded":
                counted_succeeded += 1
            elif (considered_failed or failing) and match_pod_failure_policy(
                policy, pod
            ).count_failed:
                counted_failed += 1
            self._remove_tracking_finalizer(pod)
        for pod in pods:
            if pod not in tracked and TRACKING_FINALIZER in (
                pod["metadata"].get("finalizers") or ()
            ):
                self._remove_tracking_finalizer(pod)
        status["active"] = active_count
        status["succeeded"] = succeeded if indexed else counted_succeeded
        status["failed"] = counted_failed
        status["ready"] = sum(1 for p in active if is_pod_ready(p)) if active_count else 0
        status["terminating"] = terminating_count
        status["uncountedTerminatedPods"] = {}
        if indexed:
            status["completedIndexes"] = format_indexes(succeeded_ix)
            if failed_ix is not None:
                status["failedIndexes"] = format_indexes(failed_ix)
        if finished is not None:
            self.record_finished(job, status, conditions, finished, terminating_count)
        if conditions:
            status["conditions"] = conditions
        set_status(job, _compact(status), self.cluster)

    def is_index_failed(self, job: dict, pod: dict) -> bool:
        """isIndexFailed: a FailIndex rule matched, or a counted failure with the index's
        failure count already at backoffLimitPerIndex."""
        if not self.is_pod_failed(pod, job):
            return False
        match = match_pod_failure_policy(job["spec"].get("podFailurePolicy"), pod)
        if match.action == FAIL_INDEX:
            return True
        return match.count_failed and annotation_count(pod, INDEX_FAILURE_COUNT) >= int(
            job["spec"]["backoffLimitPerIndex"]
        )

    def pods_with_delayed_deletion(
        self,
        job: dict,
        tracked: list[dict],
        active: list[dict],
        succeeded_ix: Intervals,
        failed_ix: Intervals,
    ) -> dict[int, dict]:
        """getPodsWithDelayedDeletionPerIndex: per index still to retry, its latest failed
        pod keeps its finalizer until the replacement carries its failure count on."""
        active_indexes = {completion_index(p) for p in active}
        delayed: dict[int, dict] = {}
        for pod in tracked:
            if not self.is_pod_failed(pod, job):
                continue
            ix = completion_index(pod)
            if has(succeeded_ix, ix) or has(failed_ix, ix) or ix in active_indexes:
                continue
            last = delayed.get(ix)
            if last is None or (
                absolute_failures(last) <= absolute_failures(pod)
                and self.finished_time(pod) >= self.finished_time(last)
            ):
                delayed[ix] = pod
        return delayed

    def index_backoff(self, pod: dict | None) -> float:
        """getRemainingTimePerIndex: the back-off of the index's last failed pod."""
        if pod is None:
            return 0.0
        return remaining_backoff(absolute_failures(pod) + 1, self.finished_time(pod), self.now)

    def manage_job(
        self,
        job: dict,
        key: tuple[str, str],
        active: list[dict],
        terminating: list[dict],
        succeeded: int,
        record: BackoffRecord,
        succeeded_ix: Intervals,
        failed_ix: Intervals | None,
        delayed: dict[int, dict],
    ) -> tuple[int, int]:
        """manageJob: delete extra pods, or start what is missing after the back-off.
        Returns (active, pods deleted)."""
        spec = job["spec"]
        indexed = is_indexed(job)
        if spec.get("suspend"):
            deleted = self.delete_job_pods(job, active)
            return len(active) - deleted, deleted
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism") or 0)
        wanted = want_active(
            int(completions) if completions is not None else None,
            parallelism,
            succeeded,
            len(active),
        )
        victims = pods_for_removal(job, active, max(len(active) - wanted, 0))
        if victims:
            deleted = self.delete_job_pods(job, victims[:MAX_POD_CREATE_DELETE_PER_SYNC])
            return len(active) - deleted, deleted
        replacing = len(terminating) if spec.get("podReplacementPolicy") == "Failed" else 0
        diff = wanted - replacing - len(active)
        if diff <= 0:
            return len(active), 0
        if spec.get("backoffLimitPerIndex") is None:
            wait = remaining_backoff(
                record.failures_after_last_success, record.last_failure_time, self.now
            )
            if wait > 0:
                self.enqueue_after(key, max(wait, SYNC_JOB_BATCH_PERIOD))
                return len(active), 0
        diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
        indexes: list[int | None] = [None] * diff
        if indexed:
            non_pending = with_indexes(succeeded_ix, [completion_index(p) for p in active])
            if spec.get("podReplacementPolicy") == "Failed":
                non_pending = with_indexes(non_pending, [completion_index(p) for p in terminating])
            if failed_ix is not None:
                non_pending = merge(non_pending, failed_ix)
            pending = first_pending_indexes(diff, int(completions), non_pending)
            if spec.get("backoffLimitPerIndex") is not None:
                ready_now = [ix for ix in pending if self.index_backoff(delayed.get(ix)) == 0]
                if not ready_now and pending:
                    wait = min(self.index_backoff(delayed.get(ix)) for ix in pending)
                    self.enqueue_after(key, max(wait, SYNC_JOB_BATCH_PERIOD))
                    return len(active), 0
                pending = ready_now
            indexes = list(pending)
        template = spec.get("template") or {}
        if indexed:
            template = with_completion_index_env(template)
        created = 0
        queue = list(indexes)

        def create_one() -> bool:
            nonlocal created
            ix = queue.pop(0)
            if ix is None:
                pod = pod_from_template(template, job, pods_prefix(job["metadata"]["name"]))
            else:
                pod = self.indexed_pod(job, template, ix, delayed.get(ix))
            finalizers = pod["metadata"].setdefault("finalizers", [])
            if TRACKING_FINALIZER not in finalizers:
                finalizers.append(TRACKING_FINALIZER)
            _, err = self.pods.create(pod, job)
            if err is not None:
                return False
            created += 1
            return True

        slow_start_batch(len(indexes), create_one)
        if created < len(indexes):
            self.enqueue_after(key, SYNC_JOB_BATCH_PERIOD)
        return len(active) + created, 0

    def indexed_pod(self, job: dict, template: dict, index: int, replacing: dict | None) -> dict:
        """The pod of one completion index: its annotation and label, hostname
        `JOB-INDEX`, name prefix `JOB-INDEX-`, and with backoffLimitPerIndex the failure
        counts carried over from the pod it replaces."""
        name = job["metadata"]["name"]
        pod = pod_from_template(template, job, pod_name_prefix(name, index))
        meta = pod["metadata"]
        annotations = meta.setdefault("annotations", {})
        annotations[COMPLETION_INDEX] = str(index)
        meta.setdefault("labels", {})[COMPLETION_INDEX] = str(index)
        pod["spec"] = {**pod["spec"], "hostname": f"{name}-{index}"}
        if job["spec"].get("backoffLimitPerIndex") is not None:
            failures, ignored = new_index_failure_counts(job, replacing)
            annotations[INDEX_FAILURE_COUNT] = str(failures)
            if ignored > 0:
                annotations[INDEX_IGNORED_FAILURE_COUNT] = str(ignored)
        return pod

    def delete_job_pods(self, job: dict, pods: list[dict]) -> int:
        """deleteJobPods: the tracking finalizer goes first, so these pods (removed for a
        suspension or as extras) are not counted as failures."""
        deleted = 0
        for pod in pods:
            if TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ()):
                self._remove_tracking_finalizer(pod)
            if self.pods.delete(pod, job) is None:
                deleted += 1
        return deleted


def _compact(status: dict) -> dict:
    """JobStatus with omitempty: zero counters and an empty completedIndexes are not
    written; ready, terminating and failedIndexes are pointers and stay even when empty."""
    out = {}
    for key, value in status.items():
        if key in ("active", "succeeded", "failed", "completedIndexes") and not value:
            continue
        out[key] = value
    return out
