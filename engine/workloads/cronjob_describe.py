"""`kubectl describe cronjob` (kubectl pkg/describe/describe.go describeCronJob,
describeJobTemplate, printActiveJobs), line for line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.common import (
    describe_events,
    rfc1123z,
    write_object_meta,
)
from engine.describe.writer import LEVEL_0, PrefixWriter
from engine.labels import SelectorError, label_selector_as_selector
from engine.workloads.describe import describe_pod_template

if TYPE_CHECKING:
    from engine.cluster import Cluster


def _or_unset(value: object, suffix: str = "") -> str:
    return "<unset>" if value is None else f"{value}{suffix}"


def describe_cronjob(cluster: Cluster, cronjob: dict) -> str:
    w = PrefixWriter()
    meta = cronjob["metadata"]
    spec = cronjob.get("spec") or {}
    status = cronjob.get("status") or {}
    write_object_meta(w, meta)
    w.write(LEVEL_0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(LEVEL_0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(
        LEVEL_0, f"Suspend:\t{'<unset>' if suspend is None else ('True' if suspend else 'False')}\n"
    )
    w.write(
        LEVEL_0,
        f"Successful Job History Limit:\t{_or_unset(spec.get('successfulJobsHistoryLimit'))}\n",
    )
    w.write(
        LEVEL_0, f"Failed Job History Limit:\t{_or_unset(spec.get('failedJobsHistoryLimit'))}\n"
    )
    w.write(
        LEVEL_0,
        f"Starting Deadline Seconds:\t{_or_unset(spec.get('startingDeadlineSeconds'), 's')}\n",
    )
    describe_job_template(w, spec.get("jobTemplate") or {})
    last = status.get("lastScheduleTime")
    w.write(LEVEL_0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = status.get("active") or []
    names = ", ".join(ref.get("name", "") for ref in active)
    w.write(LEVEL_0, f"Active Jobs:\t{names or '<none>'}\n")
    describe_events(w, cluster.events.events_for(cronjob), cluster.now_datetime())
    return w.text()


def describe_job_template(w: PrefixWriter, template: dict) -> None:
    """describeJobTemplate: the selector, parallelism, completions and deadline, then the
    pod template."""
    spec = template.get("spec") or {}
    selector = spec.get("selector")
    if selector is None:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    else:
        try:
            w.write(LEVEL_0, f"Selector:\t{label_selector_as_selector(selector)}\n")
        except SelectorError as err:
            w.write(LEVEL_0, f"Selector:\tFailed to get selector: {err}\n")
    w.write(LEVEL_0, f"Parallelism:\t{_or_unset(spec.get('parallelism'))}\n")
    w.write(LEVEL_0, f"Completions:\t{_or_unset(spec.get('completions'))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    describe_pod_template(w, spec.get("template"))


def register() -> None:
    from engine.describe import register_describer

    register_describer("CronJob", describe_cronjob)
