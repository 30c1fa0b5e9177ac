"""Indexed Jobs (k/k pkg/controller/job/indexed_job_utils.go, job_controller.go manageJob):
one pod per completion index, named, labelled and annotated with it; completedIndexes and
failedIndexes in the interval format; backoffLimitPerIndex and maxFailedIndexes."""

from __future__ import annotations

import re

import pytest

from engine.workloads.job_indexes import (
    first_pending_indexes,
    format_indexes,
    parse_indexes,
    pod_name_prefix,
    with_indexes,
)
from tests.engine.workloads.helpers import SUFFIX, cluster_with, events, get, pods_of
from tests.engine.workloads.test_job import conditions, job, run_until_finished

INDEX = "batch.kubernetes.io/job-completion-index"


def by_index(cluster, name: str = "report") -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for pod in pods_of(cluster, name):
        result.setdefault(pod["metadata"]["annotations"][INDEX], []).append(pod)
    return result


class TestIntervals:
    # orderedIntervals.String: two neighbours are written "a,b", three or more "a-b".
    @pytest.mark.parametrize(
        ("indexes", "expected"),
        [
            ([], ""),
            ([1], "1"),
            ([1, 2], "1,2"),
            ([1, 3, 4, 5], "1,3-5"),
            ([0, 1, 2, 7, 9, 10], "0-2,7,9,10"),
        ],
    )
    def test_completed_indexes_use_the_interval_format(self, indexes, expected) -> None:
        assert format_indexes(with_indexes([], indexes)) == expected

    def test_parsing_clips_to_completions_and_skips_corrupt_parts(self) -> None:
        # parseIndexesFromString: stop at the first interval past completions.
        assert parse_indexes("0-2,x,4,6-9", 8) == [(0, 2), (4, 4), (6, 7)]
        assert parse_indexes("2,3", 10) == [(2, 3)]

    def test_first_pending_indexes_skip_active_succeeded_and_failed(self) -> None:
        assert first_pending_indexes(3, 8, [(0, 1), (3, 3)]) == [2, 4, 5]
        assert first_pending_indexes(5, 3, []) == [0, 1, 2]

    def test_pod_name_prefix_keeps_the_index_when_the_name_is_long(self) -> None:
        # podGenerateNameWithIndex: the job name is cut so the prefix stays at 58.
        assert pod_name_prefix("report", 3) == "report-3-"
        long = pod_name_prefix("a" * 60, 12)
        assert len(long) == 58 and long.endswith("-12-")


class TestIndexedPods:
    def test_indexed_pods_carry_their_index_in_name_annotation_label_and_hostname(self) -> None:
        cluster = cluster_with(job(completions=3, parallelism=3, completionMode="Indexed"))
        cluster.run_until(2)
        pods = by_index(cluster)
        assert sorted(pods) == ["0", "1", "2"]
        for index, (pod,) in pods.items():
            assert re.fullmatch(rf"report-{index}-{SUFFIX}", pod["metadata"]["name"])
            assert pod["metadata"]["labels"][INDEX] == index
            assert pod["spec"]["hostname"] == f"report-{index}"
            env = pod["spec"]["containers"][0]["env"]
            assert env == [
                {
                    "name": "JOB_COMPLETION_INDEX",
                    "valueFrom": {
                        "fieldRef": {
                            "apiVersion": "v1",
                            "fieldPath": f"metadata.labels['{INDEX}']",
                        }
                    },
                }
            ]

    def test_job_completion_index_is_visible_to_the_containers_shell(self) -> None:
        cluster = cluster_with(
            job(command="echo index $JOB_COMPLETION_INDEX", completions=2, completionMode="Indexed")
        )
        run_until_finished(cluster)
        logs = {
            p["metadata"]["annotations"][INDEX]: cluster.logs("default", p["metadata"]["name"])
            for p in pods_of(cluster, "report")
        }
        assert logs == {"0": ["index 0"], "1": ["index 1"]}

    def test_completed_indexes_and_succeeded_count_the_indexes(self) -> None:
        cluster = cluster_with(
            job(command="sleep 2", completions=5, parallelism=2, completionMode="Indexed")
        )
        run_until_finished(cluster)
        status = get(cluster, "Job", "report")["status"]
        assert status["completedIndexes"] == "0-4"
        assert status["succeeded"] == 5
        assert "failedIndexes" not in status
        assert conditions(cluster)[-1][0] == "Complete"

    def test_a_failed_index_is_retried_under_the_same_index(self) -> None:
        # Without backoffLimitPerIndex a failed pod of index 1 is replaced by another
        # pod of index 1, after the Job's back-off.
        cluster = cluster_with(
            job(
                command="test -e /tmp/never || exit $JOB_COMPLETION_INDEX",
                completions=2,
                completionMode="Indexed",
                backoffLimit=1,
            )
        )
        run_until_finished(cluster)
        pods = by_index(cluster)
        assert len(pods["1"]) == 2
        assert conditions(cluster)[-1][:2] == ("Failed", "BackoffLimitExceeded")


class TestBackoffLimitPerIndex:
    def test_an_index_fails_after_its_own_backoff_limit_and_the_others_complete(self) -> None:
        cluster = cluster_with(
            job(
                command="sleep 2; test $JOB_COMPLETION_INDEX != 2",
                completions=4,
                parallelism=2,
                completionMode="Indexed",
                backoffLimitPerIndex=1,
            )
        )
        run_until_finished(cluster)
        status = get(cluster, "Job", "report")["status"]
        assert status["completedIndexes"] == "0,1,3"
        assert status["failedIndexes"] == "2"
        assert status["failed"] == 2
        pods = by_index(cluster)
        # The replacement carries the index's failure count on.
        counts = sorted(
            p["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"]
            for p in pods["2"]
        )
        assert counts == ["0", "1"]
        # backoffLimit defaults to MaxInt32 with backoffLimitPerIndex.
        assert get(cluster, "Job", "report")["spec"]["backoffLimit"] == 2147483647
        assert conditions(cluster) == [
            ("FailureTarget", "FailedIndexes", "Job has failed indexes"),
            ("Failed", "FailedIndexes", "Job has failed indexes"),
        ]
        assert events(cluster, get(cluster, "Job", "report"), "FailedIndexes") == [
            "Job has failed indexes"
        ]

    def test_more_failed_indexes_than_max_failed_indexes_fail_the_job(self) -> None:
        cluster = cluster_with(
            job(
                command="sleep 1; exit 1",
                completions=4,
                parallelism=4,
                completionMode="Indexed",
                backoffLimitPerIndex=0,
                maxFailedIndexes=1,
            )
        )
        run_until_finished(cluster)
        assert conditions(cluster)[-1] == (
            "Failed",
            "MaxFailedIndexesExceeded",
            "Job has exceeded the specified maximal number of failed indexes",
        )
        assert get(cluster, "Job", "report")["status"]["failedIndexes"] == "0-3"


def test_indexed_jobs_and_their_pods_validate_strictly_against_the_1_32_schema() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    cluster = cluster_with(
        job(
            command="sleep 1; test $JOB_COMPLETION_INDEX != 1 || exit 7",
            completions=3,
            parallelism=3,
            completionMode="Indexed",
            backoffLimitPerIndex=1,
            ttlSecondsAfterFinished=600,
            podFailurePolicy={
                "rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [7]}}]
            },
        )
    )
    run_until_finished(cluster)
    for obj in [get(cluster, "Job", "report"), *pods_of(cluster, "report")]:
        kubernetes_validate.validate(obj, "1.32.0", strict=True)


def test_the_template_subdomain_is_kept_beside_the_index_hostname() -> None:
    # The controller sets only spec.hostname; a subdomain naming a headless Service comes
    # from the template, giving each index a DNS name JOB-INDEX.SUBDOMAIN.
    import yaml

    obj = yaml.safe_load(job(completions=2, parallelism=2, completionMode="Indexed"))
    obj["spec"]["template"]["spec"]["subdomain"] = "workers"
    cluster = cluster_with(yaml.safe_dump(obj))
    cluster.run_until(2)
    pods = {p["spec"]["hostname"]: p["spec"].get("subdomain") for p in pods_of(cluster, "report")}
    assert pods == {"report-0": "workers", "report-1": "workers"}


def test_an_indexed_job_without_completed_indexes_omits_the_field() -> None:
    cluster = cluster_with(job(command="sleep 30", completions=2, completionMode="Indexed"))
    cluster.run_until(3)
    assert "completedIndexes" not in get(cluster, "Job", "report")["status"]
