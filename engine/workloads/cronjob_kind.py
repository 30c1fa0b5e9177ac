"""batch/v1 CronJob as the API server serves it: defaults (SetDefaults_CronJob), validation
(pkg/apis/batch/validation ValidateCronJobCreate: schedule, timeZone, the job template) and
kubectl's table (printers.go printCronJob)."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.api.kinds import FieldErrors, KindInfo, register_kind
from engine.api.validation import required, unsupported, validate_object_meta
from engine.printers import register_printer
from engine.printers.duration import since
from engine.printers.registry import Column
from engine.workloads import cronjob_describe
from engine.workloads.cron import CronError, parse_standard
from engine.workloads.defaults import default_pod_spec
from engine.workloads.field_errors import invalid, nonnegative
from engine.workloads.job_validation import job_policy_errors, job_restart_policy_errors
from engine.workloads.printers import (
    AGE,
    CONTAINERS,
    IMAGES,
    NAME,
    SELECTOR,
    format_label_selector,
    layout_container_cells,
)
from engine.workloads.validation import template_spec_errors

CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"]
# validTimeZoneCharacters: one component of an IANA name.
TZ_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


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


def validate_cronjob(
    obj: dict, old_schedule: str | None = None, *, create: bool = True
) -> FieldErrors:
    """ValidateCronJobCreate: the name (52 characters at most, so the Job's name with its
    11-character suffix fits in 63), then validateCronJobSpec."""
    obj = copy.deepcopy(obj)
    default_cronjob(obj)
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj["spec"]
    path = ("spec",)
    schedule = spec.get("schedule")
    if not schedule:
        errors.append(required((*path, "schedule")))
    else:
        errors += schedule_errors(
            schedule, "TZ" in (old_schedule or ""), spec.get("timeZone"), (*path, "schedule")
        )
    errors += nonnegative((*path, "startingDeadlineSeconds"), spec.get("startingDeadlineSeconds"))
    errors += time_zone_errors(spec.get("timeZone"), (*path, "timeZone"))
    policy = spec.get("concurrencyPolicy")
    if policy == "":
        errors.append(required((*path, "concurrencyPolicy")))
    elif policy not in CONCURRENCY_POLICIES:
        errors.append(unsupported((*path, "concurrencyPolicy"), policy, CONCURRENCY_POLICIES))
    errors += job_template_errors(spec.get("jobTemplate") or {}, (*path, "jobTemplate"))
    for field in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errors += nonnegative((*path, field), spec.get(field))
    name = obj["metadata"].get("name", "")
    if create and len(name) > 52:
        errors.append(invalid(("metadata", "name"), name, "must be no more than 52 characters"))
    return errors


def schedule_errors(
    schedule: str, allow_tz: bool, time_zone: str | None, path: tuple
) -> FieldErrors:
    """validateScheduleFormat: robfig's parse error; TZ= in the schedule only on an
    update of a CronJob that already had it, and never beside timeZone."""
    errors: FieldErrors = []
    try:
        parse_standard(schedule)
    except CronError as err:
        errors.append(invalid(path, schedule, str(err)))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        errors.append(
            invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
        )
    elif not allow_tz and "TZ" in schedule:
        errors.append(
            invalid(
                path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            )
        )
    return errors


def time_zone_errors(zone: str | None, path: tuple) -> FieldErrors:
    """validateTimeZone: an IANA name the API server's time zone database knows."""
    if zone is None:
        return []
    if zone == "":
        return [invalid(path, zone, "timeZone must be nil or non-empty string")]
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not TZ_PART.fullmatch(part):
            return [invalid(path, zone, f"unknown time zone {zone}")]
    errors: FieldErrors = []
    if zone.lower() == "local":
        errors.append(
            invalid(
                path,
                zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        )
    if zone == "Local":
        # time.LoadLocation("Local") is the server's own zone: no error of its own.
        return errors
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(invalid(path, zone, f"unknown time zone {zone}"))
    return errors


def job_template_errors(template: dict, path: tuple) -> FieldErrors:
    """ValidateJobTemplateSpec: the Job spec's rules, and no selector of one's own."""
    job_spec = template.get("spec") or {}
    jpath = (*path, "spec")
    errors = []
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"):
        errors += nonnegative((*jpath, name), job_spec.get(name))
    errors += job_policy_errors(job_spec, jpath)
    errors += template_spec_errors(job_spec, jpath)
    errors += job_restart_policy_errors(job_spec, jpath)
    if job_spec.get("selector") is not None:
        errors.append(
            invalid((*jpath, "selector"), job_spec["selector"], "`selector` will be auto-generated")
        )
    if job_spec.get("manualSelector"):
        errors.append(unsupported((*jpath, "manualSelector"), True, ["nil", "false"]))
    return errors


def validate_cronjob_update(live: dict, new: dict) -> FieldErrors:
    """ValidateCronJobUpdate: no name length rule, TZ= kept if the old schedule had it."""
    old_schedule = (live.get("spec") or {}).get("schedule")
    return validate_cronjob(new, old_schedule, create=False)


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
    cronjob_describe.register()
