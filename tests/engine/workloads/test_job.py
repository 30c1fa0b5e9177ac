"""The Job controller: completions and parallelism, pods that end Succeeded, backoffLimit
and pod failure counting, back-off between retries, the terminal conditions."""

from __future__ import annotations

import itertools

import pytest
import yaml

from engine.printers import print_row
from engine.workloads.job import remaining_backoff, want_active
from tests.engine.workloads.helpers import cluster_with, events, get, pods_of


def job(name: str = "report", command: str = "sleep 5", **spec) -> str:
    body = {
        "template": {
            "spec": {
                "restartPolicy": spec.pop("restartPolicy", "Never"),
                "containers": [
                    {"name": "work", "image": "busybox:1.36", "command": ["sh", "-c", command]}
                ],
            }
        },
        **spec,
    }
    return yaml.safe_dump(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": body}
    )


def conditions(cluster, name: str = "report") -> list[tuple[str, str, str]]:
    status = get(cluster, "Job", name).get("status") or {}
    return [(c["type"], c["reason"], c["message"]) for c in status.get("conditions") or ()]


def run_until_finished(cluster, name: str = "report", limit: float = 900) -> None:
    start = cluster.now
    while not any(t in ("Complete", "Failed") for t, _, _ in conditions(cluster, name)):
        assert cluster.now - start < limit
        cluster.tick()


class TestCompletion:
    def test_completions_run_with_parallelism_and_pods_end_succeeded(self) -> None:
        cluster = cluster_with(job(completions=3, parallelism=2))
        cluster.run_until(1)
        assert len(pods_of(cluster, "report")) == 2
        run_until_finished(cluster)
        pods = pods_of(cluster, "report")
        assert len(pods) == 3
        assert {p["status"]["phase"] for p in pods} == {"Succeeded"}
        assert all(
            "batch.kubernetes.io/job-tracking" not in (p["metadata"].get("finalizers") or ())
            for p in pods
        )
        assert conditions(cluster) == [
            (
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
            ),
            ("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
        ]
        status = get(cluster, "Job", "report")["status"]
        assert status["succeeded"] == 3
        assert "active" not in status and "failed" not in status
        assert (status["ready"], status["terminating"], status["uncountedTerminatedPods"]) == (
            0,
            0,
            {},
        )
        assert status["completionTime"] >= status["startTime"]
        messages = events(cluster, get(cluster, "Job", "report"))
        assert messages[-1] == "Job completed"
        assert sum(m.startswith("Created pod: report-") for m in messages) == 3

    def test_the_api_server_generates_the_selector_and_labels(self) -> None:
        cluster = cluster_with(job())
        j = get(cluster, "Job", "report")
        uid = j["metadata"]["uid"]
        assert j["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        assert j["spec"]["template"]["metadata"]["labels"] == {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": "report",
            "controller-uid": uid,
            "job-name": "report",
        }
        assert j["metadata"]["labels"] == j["spec"]["template"]["metadata"]["labels"]
        assert (
            j["spec"]["backoffLimit"],
            j["spec"]["completionMode"],
            j["spec"]["podReplacementPolicy"],
        ) == (
            6,
            "NonIndexed",
            "TerminatingOrFailed",
        )

    def test_printer_columns(self) -> None:
        cluster = cluster_with(job(completions=2, parallelism=2))
        cluster.run_until(3)
        name, status, completions, duration, age = print_row(
            get(cluster, "Job", "report"), cluster.now_datetime()
        )
        assert (name, status, completions, duration, age) == (
            "report",
            "Running",
            "0/2",
            "3s",
            "3s",
        )
        run_until_finished(cluster)
        assert print_row(get(cluster, "Job", "report"), cluster.now_datetime())[1:3] == [
            "Complete",
            "2/2",
        ]

    def test_a_work_queue_job_shows_of_parallelism(self) -> None:
        cluster = cluster_with(job(parallelism=3))
        cluster.run_until(1)
        assert print_row(get(cluster, "Job", "report"), cluster.now_datetime())[2] == "0/1 of 3"


class TestFailures:
    def test_the_job_fails_once_failures_exceed_the_backoff_limit(self) -> None:
        cluster = cluster_with(job(command="sleep 1; exit 2", backoffLimit=2))
        run_until_finished(cluster)
        status = get(cluster, "Job", "report")["status"]
        assert status["failed"] == 3
        assert conditions(cluster) == [
            (
                "FailureTarget",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            ),
            ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ]
        j = get(cluster, "Job", "report")
        failed_event = [
            e for e in cluster.events.events_for(j) if e["reason"] == "BackoffLimitExceeded"
        ]
        assert failed_event and failed_event[0]["type"] == "Warning"
        assert {p["status"]["phase"] for p in pods_of(cluster, "report")} == {"Failed"}

    def test_replacements_wait_ten_seconds_doubling(self) -> None:
        cluster = cluster_with(job(command="exit 1", backoffLimit=3))
        created: dict[str, float] = {}
        while len(created) < 3:
            for pod in pods_of(cluster, "report"):
                created.setdefault(pod["metadata"]["name"], cluster.now)
            cluster.tick()
            assert cluster.now < 200
        times = sorted(created.values())
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # each pod needs a few seconds to fail; the controller then waits 10 s, then 20 s.
        assert 10 <= gaps[0] < 20
        assert 20 <= gaps[1] < 30

    @pytest.mark.parametrize(
        ("failures", "since", "expected"),
        [
            (0, 0, 0),
            (1, 0, 10),
            (1, 4, 6),
            (2, 0, 20),
            (3, 5, 35),
            (7, 0, 600),
            (20, 0, 600),
            (1, 11, 0),
        ],
    )
    def test_remaining_backoff(self, failures, since, expected) -> None:
        assert remaining_backoff(failures, 100.0 - since if failures else None, 100.0) == expected

    def test_an_active_deadline_fails_the_job_and_deletes_its_pods(self) -> None:
        cluster = cluster_with(job(command="sleep 600", activeDeadlineSeconds=10))
        run_until_finished(cluster)
        assert conditions(cluster)[-1] == (
            "Failed",
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        )
        assert cluster.now >= 10


class TestWantActive:
    @pytest.mark.parametrize(
        ("completions", "parallelism", "succeeded", "active", "expected"),
        [
            (5, 2, 0, 0, 2),
            (5, 2, 4, 1, 1),
            (5, 2, 5, 0, 0),
            (None, 3, 0, 0, 3),
            (None, 3, 1, 2, 2),
            (2, 5, 0, 0, 2),
        ],
    )
    def test_table(self, completions, parallelism, succeeded, active, expected) -> None:
        assert want_active(completions, parallelism, succeeded, active) == expected
