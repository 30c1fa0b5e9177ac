"""What a Job's status says about how it ends (k/k pkg/controller/job/job_controller.go
syncJob, enactJobFinished, recordJobFinished, backoff_utils.go): the checks behind the
interim FailureTarget / SuccessCriteriaMet conditions and the final Failed / Complete, the
Suspended condition, and when a failed pod counts and finished."""

from __future__ import annotations

from engine.workloads.job_backoff import BackoffRecord
from engine.workloads.job_policies import match_pod_failure_policy
from engine.workloads.podutil import pod_phase, ready_condition

SUCCESS_CRITERIA_MET = "SuccessCriteriaMet"
FAILURE_TARGET = "FailureTarget"
COMPLETIONS_REACHED = "CompletionsReached"
COMPLETIONS_REACHED_MESSAGE = "Reached expected number of succeeded pods"
BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded"
BACKOFF_LIMIT_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_EXCEEDED = "DeadlineExceeded"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"
POD_FAILURE_POLICY = "PodFailurePolicy"
MAX_FAILED_INDEXES = "MaxFailedIndexesExceeded"
MAX_FAILED_INDEXES_MESSAGE = "Job has exceeded the specified maximal number of failed indexes"
FAILED_INDEXES = "FailedIndexes"
FAILED_INDEXES_MESSAGE = "Job has failed indexes"
SUCCESS_POLICY = "SuccessPolicy"


class JobConditions:
    """The JobController's rules about conditions and failures (a mixin: it uses the
    controller's clock, queue, pod control and back-off records)."""

    def finished_condition(
        self, job: dict, status: dict, conditions: list[dict], pods: list[dict], failed: int
    ) -> tuple[str, str, str] | None:
        """syncJob's checks, in its order: an interim condition already written, a FailJob
        rule, the backoff limit, the active deadline."""
        spec = job["spec"]
        for kind in (SUCCESS_CRITERIA_MET, FAILURE_TARGET):
            found = next(
                (c for c in conditions if c.get("type") == kind and c.get("status") == "True"),
                None,
            )
            if found is not None:
                return kind, found.get("reason", ""), found.get("message", "")
        if spec.get("podFailurePolicy") is not None:
            for pod in pods:
                if self.is_pod_failed(pod, job):
                    match = match_pod_failure_policy(spec["podFailurePolicy"], pod)
                    if match.message is not None:
                        return FAILURE_TARGET, POD_FAILURE_POLICY, match.message
        if failed > int(spec.get("backoffLimit") or 0) or self.past_backoff_limit_on_failure(
            job, pods
        ):
            return FAILURE_TARGET, BACKOFF_LIMIT_EXCEEDED, BACKOFF_LIMIT_MESSAGE
        if self.past_active_deadline(job, status):
            return FAILURE_TARGET, DEADLINE_EXCEEDED, DEADLINE_MESSAGE
        if spec.get("activeDeadlineSeconds") is not None and not spec.get("suspend"):
            start = self.seconds(status.get("startTime"))
            if start is not None:
                self.enqueue_obj_after(job, start + int(spec["activeDeadlineSeconds"]) - self.now)
        return None

    def record_finished(
        self,
        job: dict,
        status: dict,
        conditions: list[dict],
        finished: tuple[str, str, str],
        terminating: int,
    ) -> None:
        """The interim condition now; Complete or Failed once no pod is terminating
        (enactJobFinished, recordJobFinished)."""
        kind, reason, message = finished
        if not any(c.get("type") == kind for c in conditions):
            conditions.append(self.condition(kind, reason, message))
        if terminating:
            return
        final = "Complete" if kind == SUCCESS_CRITERIA_MET else "Failed"
        conditions.append(self.condition(final, reason, message))
        if final == "Failed":
            self.pods.event(job, "Warning", reason, message)
            return
        status["completionTime"] = self.timestamp()
        completions = job["spec"].get("completions")
        if completions is not None and int(status.get("succeeded") or 0) > int(completions):
            self.pods.event(
                job,
                "Warning",
                "TooManySucceededPods",
                "Too many succeeded pods running after completion count reached",
            )
        self.pods.event(job, "Normal", "Completed", "Job completed")

    def update_suspended(self, job: dict, status: dict, conditions: list[dict]) -> None:
        """The Suspended condition and its events; a resumed Job's startTime restarts so
        activeDeadlineSeconds counts only the time it runs."""
        current = next((c for c in conditions if c.get("type") == "Suspended"), None)
        if job["spec"].get("suspend"):
            if current is None or current.get("status") != "True":
                condition = self.condition("Suspended", "JobSuspended", "Job suspended")
                if current is None:
                    conditions.append(condition)
                else:
                    current.clear()
                    current.update(condition)
                self.pods.event(job, "Normal", "Suspended", "Job suspended")
        elif current is not None and current.get("status") == "True":
            current.clear()
            current.update(self.condition("Suspended", "JobResumed", "Job resumed", "False"))
            self.pods.event(job, "Normal", "Resumed", "Job resumed")
            status["startTime"] = self.timestamp()

    def condition(self, kind: str, reason: str, message: str, status: str = "True") -> dict:
        now = self.timestamp()
        return {
            "lastProbeTime": now,
            "lastTransitionTime": now,
            "message": message,
            "reason": reason,
            "status": status,
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
        """getFinishedTime: the latest container finish, else when the pod turned not
        Ready, else when it was deleted, else now."""
        latest = None
        for status in (pod.get("status") or {}).get("containerStatuses") or ():
            finished = ((status.get("state") or {}).get("terminated") or {}).get("finishedAt")
            when = self.seconds(finished)
            if when is not None and (latest is None or when > latest):
                latest = when
        if latest is None:
            ready = ready_condition(pod)
            if ready is not None and ready.get("status") == "False":
                latest = self.seconds(ready.get("lastTransitionTime"))
        if latest is None:
            # The deletion timestamp less the grace period: when the delete was asked.
            deleted = self.seconds(pod["metadata"].get("deletionTimestamp"))
            if deleted is not None:
                latest = deleted - int(pod["metadata"].get("deletionGracePeriodSeconds") or 0)
        return latest if latest is not None else self.now
