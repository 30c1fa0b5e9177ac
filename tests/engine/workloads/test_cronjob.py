"""CronJobs (k/k pkg/controller/cronjob/cronjob_controllerv2.go, utils.go; robfig/cron v3
parser.go and spec.go; kubectl's printCronJob), on the simulated clock that starts at
2025-01-01T00:00:00Z (a Wednesday)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from engine.api.errors import APIError
from engine.printers import render_table
from engine.workloads.cron import CronError, parse_standard
from engine.workloads.cronjob import job_name, most_recent_schedule_time
from tests.engine.workloads.helpers import apply, cluster_with, get

START = datetime(2025, 1, 1, tzinfo=UTC)


def cronjob(
    name: str = "tick", schedule: str = "*/2 * * * *", command: str = "sleep 5", **spec
) -> str:
    body = {
        "schedule": schedule,
        "jobTemplate": {
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {
                                "name": "work",
                                "image": "busybox:1.36",
                                "command": ["sh", "-c", command],
                            }
                        ],
                    }
                }
            }
        },
        **spec,
    }
    return yaml.safe_dump(
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name}, "spec": body}
    )


def reasons(cluster, name: str = "tick") -> list[tuple[str, str]]:
    obj = get(cluster, "CronJob", name)
    return [(e["reason"], e["message"]) for e in cluster.events.events_for(obj)]


def jobs(cluster) -> list[str]:
    return sorted(j["metadata"]["name"] for j in cluster.store.list("Job", "default"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class TestSchedule:
    @pytest.mark.parametrize(
        ("spec", "after", "expected"),
        [
            ("*/15 * * * *", "2025-01-01T00:07:00", "2025-01-01T00:15:00"),
            ("5 4 * * *", "2025-01-01T04:05:00", "2025-01-02T04:05:00"),
            ("0 9-17/4 * * *", "2025-01-01T10:00:00", "2025-01-01T13:00:00"),
            ("0 0 * jan,jul MON", "2025-01-01T00:00:00", "2025-01-06T00:00:00"),
            ("@hourly", "2025-01-01T00:30:00", "2025-01-01T01:00:00"),
            ("@weekly", "2025-01-01T00:00:00", "2025-01-05T00:00:00"),
            ("@monthly", "2025-01-15T00:00:00", "2025-02-01T00:00:00"),
            ("30 2/6 * * *", "2025-01-01T03:00:00", "2025-01-01T08:30:00"),
        ],
    )
    def test_next_activation(self, spec, after, expected) -> None:
        assert parse_standard(spec).next(at(after)) == at(expected)

    def test_day_of_month_or_day_of_week_when_neither_is_a_star(self) -> None:
        # robfig dayMatches: both restricted → either may match.
        schedule = parse_standard("0 0 13 * FRI")
        assert schedule.next(at("2025-01-01T00:00:00")) == at("2025-01-03T00:00:00")
        assert schedule.next(at("2025-01-11T00:00:00")) == at("2025-01-13T00:00:00")

    def test_a_time_zone_prefix_schedules_in_local_time(self) -> None:
        schedule = parse_standard("TZ=Europe/Paris 0 9 * * *")
        assert schedule.next(at("2025-01-01T00:00:00")) == at("2025-01-01T08:00:00")

    def test_a_time_in_the_skipped_daylight_saving_hour_does_not_run(self) -> None:
        # robfig SpecSchedule.Next walks the hours in absolute time: on 2025-03-30 Paris
        # jumps from 02:00 to 03:00, so 02:30 that day never comes.
        schedule = parse_standard("TZ=Europe/Paris 30 2 * * *")
        assert schedule.next(at("2025-03-29T02:00:00")) == at("2025-03-31T00:30:00")

    def test_a_time_in_the_repeated_daylight_saving_hour_runs_twice(self) -> None:
        # On 2025-10-26 Paris goes from 03:00 back to 02:00: 02:30 comes twice.
        schedule = parse_standard("TZ=Europe/Paris 30 2 * * *")
        first = schedule.next(at("2025-10-25T12:00:00"))
        assert first == at("2025-10-26T00:30:00")
        assert schedule.next(first) == at("2025-10-26T01:30:00")

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            ("61 * * * *", "end of range (61) above maximum (59): 61"),
            ("* * * * 7", "end of range (7) above maximum (6): 7"),
            ("@often", "unrecognized descriptor: @often"),
        ],
    )
    def test_parse_errors_read_as_robfig_writes_them(self, spec, message) -> None:
        with pytest.raises(CronError) as raised:
            parse_standard(spec)
        assert str(raised.value) == message

    def test_job_names_count_minutes_since_the_epoch(self) -> None:
        # getJobName: scheduledTime.Unix() / 60.
        assert job_name("tick", at("2025-01-01T00:02:00")) == "tick-28928162"

    def test_missed_schedules_are_counted(self) -> None:
        schedule = parse_standard("* * * * *")
        _, latest, missed = most_recent_schedule_time(
            at("2025-01-01T00:00:00"), at("2025-01-01T03:00:30"), schedule, None
        )
        assert latest == at("2025-01-01T03:00:00")
        assert missed == 180  # 00:01 through 03:00


class TestCronJobController:
    def test_a_job_is_created_at_each_scheduled_time(self) -> None:
        cluster = cluster_with(cronjob())
        cluster.run_until(119)
        assert jobs(cluster) == []
        cluster.run_until(122)
        assert jobs(cluster) == ["tick-28928162"]
        job = get(cluster, "Job", "tick-28928162")
        assert job["metadata"]["annotations"][
            "batch.kubernetes.io/cronjob-scheduled-timestamp"
        ] == ("2025-01-01T00:02:00Z")
        assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
        status = get(cluster, "CronJob", "tick")["status"]
        assert status["lastScheduleTime"] == "2025-01-01T00:02:00Z"
        assert [r["name"] for r in status["active"]] == ["tick-28928162"]
        assert reasons(cluster)[0] == ("SuccessfulCreate", "Created job tick-28928162")

    def test_a_finished_job_leaves_active_and_sets_last_successful_time(self) -> None:
        cluster = cluster_with(cronjob())
        cluster.run_until(140)
        status = get(cluster, "CronJob", "tick")["status"]
        assert "active" not in status
        completion = get(cluster, "Job", "tick-28928162")["status"]["completionTime"]
        assert status["lastSuccessfulTime"] == completion
        assert (
            "SawCompletedJob",
            "Saw completed job: tick-28928162, condition: Complete",
        ) in reasons(cluster)

    def test_history_limits_delete_the_oldest_finished_jobs(self) -> None:
        cluster = cluster_with(cronjob(successfulJobsHistoryLimit=2))
        cluster.run_until(8 * 60 + 30)
        assert jobs(cluster) == ["tick-28928166", "tick-28928168"]
        deleted = [m for r, m in reasons(cluster) if r == "SuccessfulDelete"]
        assert deleted == ["Deleted job tick-28928162", "Deleted job tick-28928164"]

    def test_a_finished_job_being_deleted_still_counts_against_the_history_limit(self) -> None:
        # cronjob_controllerv2.go cleanupFinishedJobs/removeOldestJobs take every finished
        # Job the lister holds, one with a deletionTimestamp included: it is the oldest, so it
        # is deleted (again) rather than a newer one.
        cluster = cluster_with(cronjob(successfulJobsHistoryLimit=1))
        cluster.run_until(2 * 60 + 30)
        held = get(cluster, "Job", "tick-28928162")
        held["metadata"]["finalizers"] = ["example.com/hold"]
        cluster.store.modified(held)
        cluster.api.delete("Job", "default", "tick-28928162", propagation="Background")
        assert get(cluster, "Job", "tick-28928162")["metadata"].get("deletionTimestamp")
        cluster.run_until(4 * 60 + 30)
        assert jobs(cluster) == ["tick-28928162", "tick-28928164"]
        assert ("SuccessfulDelete", "Deleted job tick-28928162") in reasons(cluster)

    def test_failed_jobs_history_limit_defaults_to_one(self) -> None:
        obj = yaml.safe_load(cronjob(command="exit 1"))
        obj["spec"]["jobTemplate"]["spec"]["backoffLimit"] = 0
        cluster = cluster_with(yaml.safe_dump(obj))
        cluster.run_until(6 * 60 + 30)
        assert get(cluster, "CronJob", "tick")["spec"]["failedJobsHistoryLimit"] == 1
        assert jobs(cluster) == ["tick-28928166"]

    def test_forbid_skips_a_start_while_the_last_job_runs(self) -> None:
        cluster = cluster_with(cronjob(command="sleep 200", concurrencyPolicy="Forbid"))
        cluster.run_until(4 * 60 + 5)
        assert jobs(cluster) == ["tick-28928162"]
        assert (
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
        ) in reasons(cluster)

    def test_allow_runs_jobs_side_by_side(self) -> None:
        cluster = cluster_with(cronjob(command="sleep 200"))
        cluster.run_until(4 * 60 + 5)
        assert jobs(cluster) == ["tick-28928162", "tick-28928164"]
        assert len(get(cluster, "CronJob", "tick")["status"]["active"]) == 2

    def test_replace_deletes_the_running_job_for_the_new_one(self) -> None:
        cluster = cluster_with(cronjob(command="sleep 200", concurrencyPolicy="Replace"))
        cluster.run_until(4 * 60 + 5)
        assert jobs(cluster) == ["tick-28928164"]
        assert ("SuccessfulDelete", "Deleted job tick-28928162") in reasons(cluster)
        status = get(cluster, "CronJob", "tick")["status"]
        assert [r["name"] for r in status["active"]] == ["tick-28928164"]

    def test_a_suspended_cronjob_starts_nothing_and_resumes_at_the_latest_missed_time(self) -> None:
        cluster = cluster_with(cronjob(suspend=True))
        cluster.run_until(5 * 60)
        assert jobs(cluster) == []
        apply(cluster, cronjob(suspend=False))
        cluster.run_until(5 * 60 + 2)
        # Only the most recent missed schedule (00:04) runs, not all of them.
        assert jobs(cluster) == ["tick-28928164"]

    def test_a_start_later_than_starting_deadline_seconds_is_missed(self) -> None:
        cluster = cluster_with(cronjob(suspend=True, startingDeadlineSeconds=30))
        cluster.run_until(5 * 60)
        apply(cluster, cronjob(suspend=False, startingDeadlineSeconds=30))
        cluster.run_until(5 * 60 + 2)
        assert jobs(cluster) == []
        cluster.run_until(6 * 60 + 2)
        assert jobs(cluster) == ["tick-28928166"]

    def test_a_changed_schedule_waits_for_its_next_time(self) -> None:
        # cronjob_controllerv2.go updateCronJob: a new schedule requeues the CronJob at its
        # next scheduled time, so 00:30, which the new schedule has but the old had not, is
        # never started.
        cluster = cluster_with(cronjob(schedule="0 * * * *"))
        cluster.run_until(30 * 60 + 1)
        apply(cluster, cronjob(schedule="*/10 * * * *"))
        cluster.run_until(30 * 60 + 5)
        assert jobs(cluster) == []
        cluster.run_until(40 * 60 + 2)
        assert jobs(cluster) == [job_name("tick", at("2025-01-01T00:40:00"))]

    def test_too_many_missed_start_times_are_reported(self) -> None:
        # More than 100 missed schedules since the last one: a TooManyMissedTimes warning
        # naming mostRecentScheduleTime's rough count (6090 s / 60 s + 1), and the most
        # recent one still starts (pkg/controller/cronjob/utils.go nextScheduleTime).
        cluster = cluster_with(cronjob(schedule="* * * * *", suspend=True))
        cluster.run_until(102 * 60 + 30)
        apply(cluster, cronjob(schedule="* * * * *", suspend=False))
        cluster.run_until(102 * 60 + 32)
        assert (
            "TooManyMissedTimes",
            "too many missed start times: 102. Set or decrease .spec.startingDeadlineSeconds "
            "or check clock skew",
        ) in reasons(cluster)
        assert jobs(cluster) == ["tick-28928262"]

    def test_time_zone_moves_the_schedule(self) -> None:
        cluster = cluster_with(cronjob(schedule="5 1 * * *", timeZone="Europe/Paris"))
        cluster.run_until(5 * 60 + 2)
        assert jobs(cluster) == ["tick-28928165"]
        job = get(cluster, "Job", "tick-28928165")
        assert job["metadata"]["annotations"][
            "batch.kubernetes.io/cronjob-scheduled-timestamp"
        ] == ("2025-01-01T01:05:00+01:00")


class TestCronJobKind:
    def test_defaults(self) -> None:
        cluster = cluster_with(cronjob())
        spec = get(cluster, "CronJob", "tick")["spec"]
        assert (
            spec["concurrencyPolicy"],
            spec["suspend"],
            spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"],
        ) == ("Allow", False, 3, 1)

    def test_get_cronjobs_columns(self) -> None:
        cluster = cluster_with(cronjob(timeZone="Etc/UTC"))
        cluster.run_until(150)
        table = render_table("CronJob", cluster.store.list("CronJob"), cluster.now_datetime())
        assert table.splitlines() == [
            "NAME   SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
            "tick   */2 * * * *   Etc/UTC    False     0        30s             2m30s",
        ]

    def test_an_unparseable_schedule_is_refused(self) -> None:
        cluster = cluster_with("")
        with pytest.raises(APIError) as raised:
            cluster.api.create(yaml.safe_load(cronjob(schedule="every minute")))
        assert raised.value.message == (
            'The CronJob "tick" is invalid: spec.schedule: Invalid value: "every minute": '
            "expected exactly 5 fields, found 2: [every minute]"
        )

    def test_a_job_template_that_restarts_always_is_refused(self) -> None:
        obj = yaml.safe_load(cronjob())
        obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always"
        with pytest.raises(APIError) as raised:
            cluster_with("").api.create(obj)
        assert raised.value.message == (
            'The CronJob "tick" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: '
            'Required value: valid values: "OnFailure", "Never"'
        )

    def test_the_short_name_is_cj(self) -> None:
        from engine.api.kinds import resolve_resource

        assert resolve_resource("cj").kind == "CronJob"


class TestCronJobValidation:
    # pkg/apis/batch/validation/validation.go validateCronJobSpec.
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                {"schedule": "TZ=UTC */2 * * * *"},
                'spec.schedule: Invalid value: "TZ=UTC */2 * * * *": cannot use TZ or CRON_TZ '
                "in schedule, use timeZone field instead",
            ),
            (
                {"timeZone": "Local"},
                'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone '
                "as defined in https://www.iana.org/time-zones",
            ),
            (
                {"timeZone": "Mars/Olympus"},
                'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
            ),
            (
                {"timeZone": ""},
                'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string',
            ),
            (
                {"concurrencyPolicy": "Sometimes"},
                'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: '
                '"Allow", "Forbid", "Replace"',
            ),
        ],
    )
    def test_messages(self, change, message) -> None:
        obj = yaml.safe_load(cronjob())
        obj["spec"].update(change)
        with pytest.raises(APIError) as raised:
            cluster_with("").api.create(obj)
        assert raised.value.message == f'The CronJob "tick" is invalid: {message}'

    def test_a_job_template_may_not_bring_its_own_selector(self) -> None:
        obj = yaml.safe_load(cronjob())
        obj["spec"]["jobTemplate"]["spec"]["selector"] = {"matchLabels": {"a": "b"}}
        with pytest.raises(APIError) as raised:
            cluster_with("").api.create(obj)
        assert raised.value.message.endswith(
            "spec.jobTemplate.spec.selector: Invalid value: "
            '{"matchLabels":{"a":"b"}}: `selector` will be auto-generated'
        )

    def test_a_name_longer_than_52_characters_is_refused(self) -> None:
        obj = yaml.safe_load(cronjob(name="c" * 53))
        with pytest.raises(APIError) as raised:
            cluster_with("").api.create(obj)
        assert raised.value.message.endswith("must be no more than 52 characters")


class TestCronJobEventsAndDescribe:
    def test_a_job_it_does_not_track_is_unexpected(self) -> None:
        cluster = cluster_with(cronjob(command="sleep 300"))
        cluster.run_until(125)
        owner = get(cluster, "CronJob", "tick")
        stray = yaml.safe_load(cronjob())["spec"]["jobTemplate"]
        stray = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "stray",
                "namespace": "default",
                "ownerReferences": [
                    {
                        "apiVersion": "batch/v1",
                        "kind": "CronJob",
                        "name": "tick",
                        "uid": owner["metadata"]["uid"],
                        "controller": True,
                    }
                ],
            },
            "spec": stray["spec"],
        }
        cluster.api.create(stray)
        cluster.run_until(127)
        assert (
            "UnexpectedJob",
            "Saw a job that the controller did not create or forgot: stray",
        ) in reasons(cluster)

    def test_describe_cronjob(self) -> None:
        from engine.describe import describe

        cluster = cluster_with(cronjob(command="sleep 200", startingDeadlineSeconds=30))
        cluster.run_until(4 * 60 + 5)
        text = describe(cluster, get(cluster, "CronJob", "tick"))
        lines = text.splitlines()
        assert lines[4:13] == [
            "Schedule:                      */2 * * * *",
            "Concurrency Policy:            Allow",
            "Suspend:                       False",
            "Successful Job History Limit:  3",
            "Failed Job History Limit:      1",
            "Starting Deadline Seconds:     30s",
            "Selector:                      <unset>",
            "Parallelism:                   <unset>",
            "Completions:                   <unset>",
        ]
        assert "Last Schedule Time:  Wed, 01 Jan 2025 00:04:00 +0000" in lines
        assert "Active Jobs:         tick-28928162, tick-28928164" in lines


def test_the_sample_cronjob_runs_every_minute_and_keeps_two_jobs() -> None:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[3] / "sample_manifests" / "workloads"
    cluster = cluster_with((sample / "cache-warmer-cronjob.yaml").read_text())
    cluster.run_until(5 * 60 + 10)
    names = sorted(
        j["metadata"]["name"]
        for j in cluster.store.list("Job", "default")
        if j["metadata"]["name"].startswith("cache-warmer-")
    )
    # 00:01 .. 00:05 ran; the two newest finished ones and the running one remain.
    assert names == ["cache-warmer-28928163", "cache-warmer-28928164", "cache-warmer-28928165"]
    status = get(cluster, "CronJob", "cache-warmer")["status"]
    assert [r["name"] for r in status["active"]] == ["cache-warmer-28928165"]
