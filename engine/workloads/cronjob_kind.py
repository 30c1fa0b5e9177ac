"""batch/v1 CronJob as the API server serves it: defaults (SetDefaults_CronJob), validation
(pkg/apis/batch/validation ValidateCronJobCreate: schedule, timeZone, the job template) and
kubectl's table (printers.go printCronJob)."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.api.kinds import FieldErrors, KindInfo, register_kind
from engine.api.validation import required, unsupported, validate_object_meta
from engine.printers import register_printer
from engine.printers.duration import since
from engine.printers.registry import Column
from engine.workloads.cron import CronError, parse_standard
from engine.workloads.defaults import default_pod_spec
from engine.workloads.printers import (
    AGE,
    CONTAINERS,
    IMAGES,
    NAME,
    SELECTOR,
    format_label_selector,
    layout_container_cells,
)
from engine.workloads.validation import (
    _template_spec_errors,
    invalid,
    job_policy_errors,
    job_restart_policy_errors,
    nonnegative,
)

CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"]


def default_cronjob(obj: dict) -> None:
    """SetDefaults_CronJob, and the pod defaults of the job template's pod template."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = spec.setdefault("jobTemplate", {}).setdefault("spec", {})
    template = job_spec.setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))


def validate_cronjob(obj: dict) -> FieldErrors:
    """ValidateCronJobCreate: the name (52 characters at most, so the Job's name with its
    11-digit suffix fits in 63), the schedule, the time zone, the job template."""
    obj = copy.deepcopy(obj)
    default_cronjob(obj)
    errors = validate_object_meta(obj, namespaced=True)
    name = obj["metadata"].get("name", "")
    if len(name) > 52:
        errors.append(invalid(("metadata", "name"), name, "must be no more than 52 characters"))
    spec = obj["spec"]
    path = ("spec",)
    schedule = spec.get("schedule")
    if not schedule:
        errors.append(required((*path, "schedule")))
    else:
        try:
            parse_standard(schedule)
        except CronError as err:
            errors.append(invalid((*path, "schedule"), schedule, str(err)))
        if spec.get("timeZone") and ("TZ=" in schedule):
            errors.append(
                invalid(
                    (*path, "schedule"),
                    schedule,
                    "cannot use both timeZone field and TZ or CRON_TZ in schedule",
                )
            )
    zone = spec.get("timeZone")
    if zone is not None:
        try:
            if zone == "" or zone.lower() == "local":
                raise ValueError
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(invalid((*path, "timeZone"), zone, "unknown time zone " + zone))
    policy = spec.get("concurrencyPolicy")
    if policy not in CONCURRENCY_POLICIES:
        errors.append(unsupported((*path, "concurrencyPolicy"), policy, CONCURRENCY_POLICIES))
    for field in (
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ):
        errors += nonnegative((*path, field), spec.get(field))
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    jpath = (*path, "jobTemplate", "spec")
    errors += job_policy_errors(job_spec, jpath)
    errors += _template_spec_errors(job_spec, jpath)
    errors += job_restart_policy_errors(job_spec, jpath)
    return errors


def validate_cronjob_update(live: dict, new: dict) -> FieldErrors:
    return validate_cronjob(new)


class CronJobPrinter:
    """NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (wide: CONTAINERS IMAGES
    SELECTOR)."""

    columns = [
        NAME,
        Column("SCHEDULE"),
        Column("TIMEZONE"),
        Column("SUSPEND"),
        Column("ACTIVE"),
        Column("LAST SCHEDULE"),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        containers = ((job_spec.get("template") or {}).get("spec") or {}).get("containers") or []
        names, images = layout_container_cells(containers)
        suspend = spec.get("suspend")
        last = status.get("lastScheduleTime")
        return [
            meta.get("name", ""),
            spec.get("schedule", ""),
            spec.get("timeZone") if spec.get("timeZone") is not None else "<none>",
            "<unset>" if suspend is None else ("True" if suspend else "False"),
            str(len(status.get("active") or ())),
            since(last, now) if last else "<none>",
            since(meta.get("creationTimestamp"), now),
            names,
            images,
            format_label_selector(job_spec.get("selector")),
        ]


def register() -> None:
    register_kind(
        KindInfo(
            "CronJob",
            "batch",
            ("v1",),
            "cronjobs",
            short_names=("cj",),
            categories=("all",),
            schema={"v1": "io.k8s.api.batch.v1.CronJob"},
            validate=validate_cronjob,
            default=default_cronjob,
            validate_update=validate_cronjob_update,
        )
    )
    register_printer("CronJob", CronJobPrinter())
