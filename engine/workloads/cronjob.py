"""The CronJob controller (k/k pkg/controller/cronjob/cronjob_controllerv2.go, utils.go):
at each scheduled time of `spec.schedule` (in `spec.timeZone`, on the simulated clock) a Job
named `CRONJOB-<scheduled minutes since the epoch>`, under concurrencyPolicy, within
startingDeadlineSeconds, with the finished Jobs beyond the history limits deleted."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.api import errors
from engine.api.admission import controller_user
from engine.events import Source
from engine.store import Change
from engine.timeutil import format_time, parse_time
from engine.workloads.base import WorkloadController, set_status
from engine.workloads.cron import CronError, Schedule, parse_standard
from engine.workloads.job import job_finished
from engine.workloads.podutil import controller_ref, new_controller_ref

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "cronjob-controller"
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
# nextScheduleDelta: the controller wakes a little after each scheduled time.
NEXT_SCHEDULE_DELTA = 0.1
TOO_MANY_MISSED = 100


def job_name(cronjob_name: str, scheduled: datetime) -> str:
    """getJobName: the scheduled time in minutes since the epoch, so a retried start
    cannot create a second Job."""
    return f"{cronjob_name}-{int(scheduled.timestamp()) // 60}"


def format_schedule(cronjob: dict) -> str:
    """formatSchedule: a timeZone becomes robfig's `TZ=` prefix."""
    spec = cronjob.get("spec") or {}
    schedule = spec.get("schedule", "")
    zone = spec.get("timeZone")
    if "TZ" in schedule or zone is None:
        return schedule
    return f"TZ={zone} {schedule}"


def most_recent_schedule_time(
    earliest: datetime,
    now: datetime,
    schedule: Schedule,
    starting_deadline: int | None,
) -> tuple[datetime, datetime | None, int]:
    """mostRecentScheduleTime: (earliest considered time, the latest unmet scheduled time
    or None, roughly how many were missed). Raises CronError for a schedule that never
    fires twice (`59 23 31 2 *`)."""
    if starting_deadline is not None:
        deadline = now - timedelta(seconds=starting_deadline)
        if deadline > earliest:
            earliest = deadline
    t1 = schedule.next(earliest)
    if t1 is None or now < t1:
        return earliest, None, 0
    t2 = schedule.next(t1)
    if t2 is None or now < t2:
        return earliest, t1, 1
    between = round((t2 - t1).total_seconds())
    if between < 1:
        raise CronError("time difference between two schedules is less than 1 second")
    elapsed = int((now - t1).total_seconds())
    missed = elapsed // between + 1
    # Start one interval early and let the schedule find the real most recent time, which
    # copes with irregular schedules such as `30 6-16/4 * * 1-5`.
    t: datetime | None = t1 + timedelta(seconds=(missed - 2) * between)
    most_recent = None
    t = schedule.next(t)
    while t is not None and t <= now:
        most_recent = t
        t = schedule.next(t)
    return earliest, most_recent, missed


class CronJobController(WorkloadController):
    """ControllerV2.sync for every CronJob."""

    name = COMPONENT
    kind = "CronJob"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.source = Source(COMPONENT)
        self.user = controller_user(COMPONENT)
        # The schedule and time zone each CronJob had when last seen (updateCronJob compares
        # the old and new objects).
        self._schedules: dict[tuple[str, str], tuple[object, object]] = {}
        cluster.store.watch(self._on_cronjob, {"CronJob"})
        cluster.store.watch(self._on_job, {"Job"})

    def _on_cronjob(self, change: Change) -> None:
        """addCronJob / updateCronJob: a new schedule or time zone waits for its next
        scheduled time (a time it would have had before the change is not started); any
        other change syncs now."""
        meta = change.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if change.type == "DELETED":
            self._schedules.pop(key, None)
            return
        spec = change.obj.get("spec") or {}
        current = (spec.get("schedule"), spec.get("timeZone"))
        previous = self._schedules.get(key)
        self._schedules[key] = current
        if change.type != "MODIFIED" or previous is None or previous == current:
            self.enqueue_obj(change.obj)
            return
        try:
            schedule = parse_standard(format_schedule(change.obj))
        except CronError:
            self.event(
                change.obj,
                "Warning",
                "UnParseableCronJobSchedule",
                f"unparseable schedule for cronjob: {spec.get('schedule', '')}",
            )
            return
        status = change.obj.get("status") or {}
        delay = self.next_schedule_delay(change.obj, status, schedule, self.clock.now_datetime())
        if delay is not None:
            self.enqueue_after(key, max(delay, 0.0))

    def _on_job(self, change: Change) -> None:
        ref = controller_ref(change.obj)
        if ref is None or ref.get("kind") != "CronJob":
            return
        owner = self.owner_of(change.obj)
        if owner is not None:
            self.enqueue_obj(owner)

    def event(self, obj: dict, type_: str, reason: str, message: str) -> None:
        self.cluster.events.event(obj, type_, reason, message, self.source)

    def datetime(self, timestamp: str | None) -> datetime | None:
        return parse_time(timestamp) if timestamp else None

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        """ControllerV2.sync: clean up finished Jobs beyond the history limits, then
        syncCronJob; one status write for both."""
        cronjob = self.get(key)
        if cronjob is None:
            return
        status = copy.deepcopy(cronjob.get("status") or {})
        jobs = list(self.index.controlled_by(cronjob["metadata"]["uid"], "Job"))
        self.cleanup_finished_jobs(cronjob, status, jobs)
        self.reconcile_active(cronjob, status, jobs)
        requeue = None
        if not cronjob["metadata"].get("deletionTimestamp"):
            requeue = self.sync_schedule(cronjob, status)
        set_status(cronjob, _compact(status), self.cluster)
        if requeue is not None:
            self.enqueue_after(key, max(requeue, 0.0))

    def reconcile_active(self, cronjob: dict, status: dict, jobs: list[dict]) -> None:
        """syncCronJob's first half: an unfinished Job it does not track is UnexpectedJob;
        finished Jobs leave `status.active` (SawCompletedJob); `lastSuccessfulTime`
        follows the latest completion of any of its Jobs; vanished Jobs are MissingJob."""
        active = list(status.get("active") or [])
        for job in jobs:
            uid = job["metadata"]["uid"]
            found = any(ref.get("uid") == uid for ref in active)
            finished = job_finished(job)
            if not found and not finished:
                self.event(
                    cronjob,
                    "Warning",
                    "UnexpectedJob",
                    "Saw a job that the controller did not create or forgot: "
                    f"{job['metadata']['name']}",
                )
                continue
            if not finished:
                continue
            condition = _finished_condition(job)
            if found:
                active = [ref for ref in active if ref.get("uid") != uid]
                self.event(
                    cronjob,
                    "Normal",
                    "SawCompletedJob",
                    f"Saw completed job: {job['metadata']['name']}, condition: {condition}",
                )
            completion = (job.get("status") or {}).get("completionTime")
            if condition == "Complete" and completion:
                last = status.get("lastSuccessfulTime")
                if last is None or parse_time(completion) > parse_time(last):
                    status["lastSuccessfulTime"] = completion
        present = {j["metadata"]["uid"] for j in jobs}
        for ref in list(active):
            if ref.get("uid") in present:
                continue
            if self.store.get("Job", ref.get("namespace", ""), ref.get("name", "")) is None:
                self.event(
                    cronjob, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}"
                )
                active.remove(ref)
        status["active"] = active

    def cleanup_finished_jobs(self, cronjob: dict, status: dict, jobs: list[dict]) -> None:
        """cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit Complete and
        failedJobsHistoryLimit Failed Jobs, delete the oldest of the rest."""
        spec = cronjob["spec"]
        succeeded_limit = spec.get("successfulJobsHistoryLimit")
        failed_limit = spec.get("failedJobsHistoryLimit")
        if succeeded_limit is None and failed_limit is None:
            return
        # A finished Job already being deleted (a foreground delete waiting on its pods or a
        # finalizer) still counts and may be deleted again, as the lister still lists it.
        done = [j for j in jobs if job_finished(j)]
        complete = [j for j in done if _finished_condition(j) == "Complete"]
        failed = [j for j in done if _finished_condition(j) == "Failed"]
        for group, limit in ((complete, succeeded_limit), (failed, failed_limit)):
            if limit is None:
                continue
            excess = len(group) - int(limit)
            if excess <= 0:
                continue
            for job in sorted(group, key=_by_start_time)[:excess]:
                self.delete_job(cronjob, status, job)

    def delete_job(self, cronjob: dict, status: dict, job: dict) -> bool:
        """deleteJob: background propagation, out of `status.active`, SuccessfulDelete."""
        meta = job["metadata"]
        try:
            self.cluster.api.delete(
                "Job",
                meta.get("namespace", ""),
                meta["name"],
                propagation="Background",
                user=self.user,
            )
        except errors.APIError as err:
            if err.reason != "NotFound":
                self.event(cronjob, "Warning", "FailedDelete", f"Deleted job: {err.message}")
                return False
        status["active"] = [r for r in status.get("active") or [] if r.get("uid") != meta["uid"]]
        self.event(cronjob, "Normal", "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True

    def sync_schedule(self, cronjob: dict, status: dict) -> float | None:
        """syncCronJob's second half: start the Job of the most recent unmet schedule.
        Returns the delay until the controller should look again (None: never)."""
        spec = cronjob["spec"]
        zone = spec.get("timeZone")
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                self.event(
                    cronjob,
                    "Warning",
                    "UnknownTimeZone",
                    f'invalid timeZone: "{zone}": unknown time zone {zone}',
                )
                return None
        if spec.get("suspend"):
            return None
        if "TZ" in spec.get("schedule", ""):
            self.event(
                cronjob,
                "Warning",
                "UnsupportedSchedule",
                f'CRON_TZ or TZ used in schedule "{spec["schedule"]}" is not officially '
                "supported, see https://kubernetes.io/docs/concepts/workloads/controllers/"
                "cron-jobs/ for more details",
            )
        try:
            schedule = parse_standard(format_schedule(cronjob))
        except CronError as err:
            self.event(
                cronjob,
                "Warning",
                "UnparseableSchedule",
                f'unparseable schedule: "{spec.get("schedule", "")}" : {err}',
            )
            return None
        now = self.clock.now_datetime()
        created = parse_time(cronjob["metadata"]["creationTimestamp"])
        last = self.datetime(status.get("lastScheduleTime"))
        earliest = last or created
        deadline = spec.get("startingDeadlineSeconds")
        try:
            _, scheduled, missed = most_recent_schedule_time(
                earliest, now, schedule, int(deadline) if deadline is not None else None
            )
        except CronError as err:
            self.event(
                cronjob,
                "Warning",
                "InvalidSchedule",
                f"invalid schedule: {spec.get('schedule')} : {err}",
            )
            return None
        if scheduled is not None and missed > TOO_MANY_MISSED:
            self.event(
                cronjob,
                "Warning",
                "TooManyMissedTimes",
                # nextScheduleTime (pkg/controller/cronjob/utils.go) names the rough count.
                f"too many missed start times: {missed}. Set or decrease "
                ".spec.startingDeadlineSeconds or check clock skew",
            )
        if scheduled is None:
            return self.next_schedule_delay(cronjob, status, schedule, now)
        if deadline is not None and scheduled + timedelta(seconds=int(deadline)) < now:
            self.event(
                cronjob,
                "Warning",
                "MissSchedule",
                f"Missed scheduled time to start a job: {_rfc1123z(scheduled)}",
            )
            return self.next_schedule_delay(cronjob, status, schedule, now)
        name = job_name(cronjob["metadata"]["name"], scheduled)
        if any(ref.get("name") == name for ref in status.get("active") or ()) or (
            last is not None and last == scheduled
        ):
            return self.next_schedule_delay(cronjob, status, schedule, now)
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status.get("active"):
            self.event(
                cronjob,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
            return self.next_schedule_delay(cronjob, status, schedule, now)
        if policy == "Replace":
            for ref in list(status.get("active") or ()):
                job = self.store.get("Job", ref.get("namespace", ""), ref.get("name", ""))
                if job is None or job["metadata"]["uid"] != ref.get("uid"):
                    continue
                if not self.delete_job(cronjob, status, job):
                    return None
        job = self.job_from_template(cronjob, scheduled)
        try:
            created_job = self.cluster.api.create(job, user=self.user).obj
        except errors.APIError as err:
            if err.reason != "AlreadyExists":
                self.event(cronjob, "Warning", "FailedCreate", f"Error creating job: {err.message}")
                return None
            # Created before, but the status write was lost: track it if it is ours.
            existing = self.store.get("Job", job["metadata"]["namespace"], job["metadata"]["name"])
            ref = controller_ref(existing) if existing is not None else None
            if ref is None or ref.get("uid") != cronjob["metadata"]["uid"]:
                return None
            if any(r.get("uid") == existing["metadata"]["uid"] for r in status.get("active") or ()):
                return None
            created_job = existing
        else:
            meta = created_job["metadata"]
            self.event(cronjob, "Normal", "SuccessfulCreate", f"Created job {meta['name']}")
        meta = created_job["metadata"]
        status.setdefault("active", []).append(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": meta["name"],
                "namespace": meta.get("namespace", ""),
                "resourceVersion": meta.get("resourceVersion", ""),
                "uid": meta["uid"],
            }
        )
        status["lastScheduleTime"] = format_time(scheduled)
        return self.next_schedule_delay(cronjob, status, schedule, now)

    def next_schedule_delay(
        self, cronjob: dict, status: dict, schedule: Schedule, now: datetime
    ) -> float | None:
        """nextScheduleTimeDuration: until just after the next scheduled time."""
        created = parse_time(cronjob["metadata"]["creationTimestamp"])
        last = self.datetime(status.get("lastScheduleTime"))
        try:
            earliest, most_recent, _ = most_recent_schedule_time(
                last or created, now, schedule, None
            )
        except CronError:
            return None
        following = schedule.next(most_recent or earliest)
        if following is None:
            return None
        return (following - now).total_seconds() + NEXT_SCHEDULE_DELTA

    def job_from_template(self, cronjob: dict, scheduled: datetime) -> dict:
        """getJobFromTemplate2: the template's labels and annotations, the scheduled time
        annotation (in the CronJob's time zone), the deterministic name."""
        template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
        tmeta = template.get("metadata") or {}
        zone = ZoneInfo(cronjob["spec"].get("timeZone") or "UTC")
        annotations = dict(tmeta.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP] = _rfc3339(scheduled.astimezone(zone))
        meta: dict = {
            "name": job_name(cronjob["metadata"]["name"], scheduled),
            "namespace": cronjob["metadata"].get("namespace", "default"),
            "annotations": annotations,
            "ownerReferences": [new_controller_ref(cronjob)],
        }
        if tmeta.get("labels"):
            meta["labels"] = dict(tmeta["labels"])
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": meta,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }


def _finished_condition(job: dict) -> str:
    for condition in (job.get("status") or {}).get("conditions") or ():
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition["type"]
    return ""


def _by_start_time(job: dict) -> tuple:
    """byJobStartTime: by status.startTime (Jobs that never started last), then name."""
    start = (job.get("status") or {}).get("startTime")
    return (start is None, start or "", job["metadata"]["name"])


def _rfc1123z(moment: datetime) -> str:
    """Go's time.RFC1123Z of a UTC time: `Mon, 02 Jan 2006 15:04:05 +0000`."""
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _rfc3339(moment: datetime) -> str:
    """Go's time.RFC3339: `Z` for UTC, else the numeric offset."""
    offset = moment.utcoffset()
    if not offset:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = moment.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text[:-2] + ":" + text[-2:]


def _compact(status: dict) -> dict:
    """CronJobStatus with omitempty: no empty active list."""
    return {k: v for k, v in status.items() if v not in (None, [], "")}
