"""podFailurePolicy, successPolicy, podReplacementPolicy, suspend and the TTL-after-finished
controller (k/k pkg/controller/job/job_controller.go, pod_failure_policy.go,
success_policy.go, pkg/controller/ttlafterfinished/ttlafterfinished_controller.go)."""

from __future__ import annotations

import yaml

from engine.disruption.eviction import evict
from engine.workloads.job_policies import match_pod_failure_policy, match_success_policy
from tests.engine.workloads.helpers import apply, cluster_with, events, get, pods_of
from tests.engine.workloads.test_job import conditions, job, run_until_finished


def failed_pod(code: int, name: str = "app", conditions_: list | None = None) -> dict:
    return {
        "metadata": {"name": "p", "namespace": "ns"},
        "status": {
            "phase": "Failed",
            "conditions": conditions_ or [],
            "containerStatuses": [{"name": name, "state": {"terminated": {"exitCode": code}}}],
        },
    }


EXIT_42_FAILS = {
    "rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]
}
IGNORE_DISRUPTION = {
    "rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    ]
}


def quick_to_kill(text: str) -> str:
    """The Job with terminationGracePeriodSeconds 1: `sh -c` as PID 1 ignores SIGTERM, so
    a deleted pod's container dies by SIGKILL when the grace period ends."""
    obj = yaml.safe_load(text)
    obj["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 1
    return yaml.safe_dump(obj)


class TestPodFailurePolicyRules:
    def test_the_first_matching_rule_wins(self) -> None:
        policy = {
            "rules": [
                {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}},
                {"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [5]}},
            ]
        }
        assert match_pod_failure_policy(policy, failed_pod(1)).action == "Ignore"
        assert not match_pod_failure_policy(policy, failed_pod(1)).count_failed
        fail = match_pod_failure_policy(policy, failed_pod(3))
        assert fail.action == "FailJob"
        assert fail.message == (
            "Container app for pod ns/p failed with exit code 3 matching FailJob rule at index 1"
        )
        assert match_pod_failure_policy(policy, failed_pod(5)).action is None

    def test_exit_code_zero_never_matches(self) -> None:
        # getMatchingContainerFromList skips containers that exited 0, even for NotIn.
        policy = {
            "rules": [{"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [1]}}]
        }
        assert match_pod_failure_policy(policy, failed_pod(0)).action is None

    def test_a_pod_condition_rule_names_the_condition(self) -> None:
        policy = {
            "rules": [
                {
                    "action": "FailJob",
                    "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                }
            ]
        }
        pod = failed_pod(137, conditions_=[{"type": "DisruptionTarget", "status": "True"}])
        assert match_pod_failure_policy(policy, pod).message == (
            "Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0"
        )


class TestPodFailurePolicy:
    def test_a_fail_job_rule_fails_the_job_at_once_with_reason_pod_failure_policy(self) -> None:
        cluster = cluster_with(
            job(command="sleep 1; exit 42", backoffLimit=6, podFailurePolicy=EXIT_42_FAILS)
        )
        run_until_finished(cluster)
        (pod,) = pods_of(cluster, "report")
        message = (
            f"Container work for pod default/{pod['metadata']['name']} failed with exit code "
            "42 matching FailJob rule at index 0"
        )
        assert conditions(cluster) == [
            ("FailureTarget", "PodFailurePolicy", message),
            ("Failed", "PodFailurePolicy", message),
        ]
        assert events(cluster, get(cluster, "Job", "report"), "PodFailurePolicy") == [message]

    def test_a_pod_failure_policy_defaults_pod_replacement_to_failed(self) -> None:
        cluster = cluster_with(job(podFailurePolicy=EXIT_42_FAILS))
        assert get(cluster, "Job", "report")["spec"]["podReplacementPolicy"] == "Failed"

    def test_an_ignored_disruption_does_not_count_toward_the_backoff_limit(self) -> None:
        cluster = cluster_with(
            quick_to_kill(
                job(
                    command="test -e /tmp/evicted || sleep 30",
                    backoffLimit=0,
                    podFailurePolicy=IGNORE_DISRUPTION,
                )
            )
        )
        cluster.run_until(5)
        (pod,) = pods_of(cluster, "report")
        evict(cluster, pod["metadata"]["name"])
        run_until_finished(cluster)
        status = get(cluster, "Job", "report")["status"]
        assert conditions(cluster)[-1][0] == "Complete"
        assert "failed" not in status
        created = events(cluster, get(cluster, "Job", "report"), "SuccessfulCreate")
        assert len(created) == 2

    def test_a_disruption_with_a_fail_job_rule_fails_the_job(self) -> None:
        policy = {
            "rules": [
                {
                    "action": "FailJob",
                    "onPodConditions": [{"type": "DisruptionTarget"}],
                }
            ]
        }
        cluster = cluster_with(quick_to_kill(job(command="sleep 300", podFailurePolicy=policy)))
        cluster.run_until(5)
        (pod,) = pods_of(cluster, "report")
        evict(cluster, pod["metadata"]["name"])
        run_until_finished(cluster)
        assert conditions(cluster)[-1] == (
            "Failed",
            "PodFailurePolicy",
            f"Pod default/{pod['metadata']['name']} has condition DisruptionTarget matching "
            "FailJob rule at index 0",
        )

    def test_a_counted_failure_fails_a_job_with_backoff_limit_zero(self) -> None:
        cluster = cluster_with(
            job(
                command="sleep 1; exit 3",
                backoffLimit=0,
                podFailurePolicy={
                    "rules": [{"action": "Count", "onExitCodes": {"operator": "In", "values": [3]}}]
                },
            )
        )
        run_until_finished(cluster)
        assert conditions(cluster)[-1][:2] == ("Failed", "BackoffLimitExceeded")

    def test_a_fail_index_rule_fails_the_index_without_retrying_it(self) -> None:
        cluster = cluster_with(
            job(
                command="sleep 1; test $JOB_COMPLETION_INDEX != 1 || exit 7",
                completions=3,
                parallelism=3,
                completionMode="Indexed",
                backoffLimitPerIndex=3,
                podFailurePolicy={
                    "rules": [
                        {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [7]}}
                    ]
                },
            )
        )
        run_until_finished(cluster)
        status = get(cluster, "Job", "report")["status"]
        assert (status["completedIndexes"], status["failedIndexes"]) == ("0,2", "1")
        assert len(pods_of(cluster, "report")) == 3


class TestSuccessPolicy:
    def test_a_success_policy_rule_completes_the_job_and_stops_the_rest(self) -> None:
        cluster = cluster_with(
            job(
                command="sleep 2; test $JOB_COMPLETION_INDEX = 0 || sleep 300",
                completions=3,
                parallelism=3,
                completionMode="Indexed",
                successPolicy={"rules": [{"succeededIndexes": "0"}]},
            )
        )
        run_until_finished(cluster)
        assert conditions(cluster) == [
            ("SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"),
            ("Complete", "SuccessPolicy", "Matched rules at index 0"),
        ]
        status = get(cluster, "Job", "report")["status"]
        # Pods stopped after the success criteria are not failures.
        assert "failed" not in status
        assert status["completedIndexes"] == "0"

    def test_succeeded_count_within_succeeded_indexes(self) -> None:
        policy = {"rules": [{"succeededIndexes": "0-3", "succeededCount": 2}]}
        assert match_success_policy(policy, 5, [(4, 4)]) is None
        assert match_success_policy(policy, 5, [(1, 1), (3, 4)]) == "Matched rules at index 0"
        assert match_success_policy({"rules": [{"succeededCount": 3}]}, 5, [(0, 2)]) == (
            "Matched rules at index 0"
        )


class TestPodReplacementPolicy:
    def test_terminating_or_failed_replaces_a_terminating_pod(self) -> None:
        # The deleted pod counts as a failure at once (isPodFailed), so its replacement
        # waits out the 10 s back-off, not the pod's 30 s grace period.
        cluster = cluster_with(job(command="sleep 60"))
        cluster.run_until(5)
        (pod,) = pods_of(cluster, "report")
        cluster.api.delete("Pod", "default", pod["metadata"]["name"])
        cluster.run_until(17)
        status = get(cluster, "Job", "report")["status"]
        assert status["terminating"] == 1
        assert status["active"] == 1

    def test_failed_waits_until_the_deleted_pod_is_failed(self) -> None:
        cluster = cluster_with(job(command="sleep 60", podReplacementPolicy="Failed"))
        cluster.run_until(5)
        (pod,) = pods_of(cluster, "report")
        cluster.api.delete("Pod", "default", pod["metadata"]["name"])
        cluster.run_until(17)
        status = get(cluster, "Job", "report")["status"]
        assert status["terminating"] == 1
        assert "active" not in status


class TestSuspend:
    def test_a_suspended_job_starts_no_pods_until_resumed(self) -> None:
        cluster = cluster_with(job(command="sleep 5", suspend=True))
        cluster.run_until(10)
        assert pods_of(cluster, "report") == []
        status = get(cluster, "Job", "report")["status"]
        assert "startTime" not in status
        assert conditions(cluster) == [("Suspended", "JobSuspended", "Job suspended")]
        apply(cluster, job(command="sleep 5", suspend=False))
        cluster.run_until(12)
        assert len(pods_of(cluster, "report")) == 1
        condition = get(cluster, "Job", "report")["status"]["conditions"][0]
        assert (condition["status"], condition["reason"], condition["message"]) == (
            "False",
            "JobResumed",
            "Job resumed",
        )
        reasons = [e["reason"] for e in cluster.events.events_for(get(cluster, "Job", "report"))]
        # manageJob creates the pods before syncJob records the resume.
        assert reasons[:3] == ["Suspended", "SuccessfulCreate", "Resumed"]

    def test_suspending_deletes_active_pods_without_counting_failures(self) -> None:
        cluster = cluster_with(job(command="sleep 60", parallelism=2, completions=2))
        cluster.run_until(5)
        apply(cluster, job(command="sleep 60", parallelism=2, completions=2, suspend=True))
        cluster.run_until(45)
        status = get(cluster, "Job", "report")["status"]
        assert "failed" not in status and "active" not in status
        assert conditions(cluster)[0][:2] == ("Suspended", "JobSuspended")

    def test_resuming_restarts_the_active_deadline(self) -> None:
        # Resumed jobs reset StartTime so activeDeadlineSeconds counts running time only.
        cluster = cluster_with(job(command="sleep 60", activeDeadlineSeconds=20))
        cluster.run_until(5)
        apply(cluster, job(command="sleep 60", activeDeadlineSeconds=20, suspend=True))
        cluster.run_until(40)
        apply(cluster, job(command="sleep 60", activeDeadlineSeconds=20, suspend=False))
        cluster.run_until(50)
        assert not any(t == "Failed" for t, _, _ in conditions(cluster))
        run_until_finished(cluster)
        failed_at = get(cluster, "Job", "report")["status"]["conditions"][-1]
        assert failed_at["reason"] == "DeadlineExceeded"
        assert cluster.now >= 60


class TestTTLAfterFinished:
    def test_a_finished_job_is_deleted_ttl_seconds_after_it_finished(self) -> None:
        cluster = cluster_with(job(command="sleep 3", ttlSecondsAfterFinished=30))
        run_until_finished(cluster)
        finished = cluster.now
        cluster.run_until(finished + 28)
        assert cluster.store.get("Job", "default", "report") is not None
        cluster.run_until(finished + 32)
        assert cluster.store.get("Job", "default", "report") is None
        cluster.run_until(finished + 40)
        # Foreground deletion takes the pods with it.
        assert pods_of(cluster, "report") == []

    def test_a_job_without_ttl_stays(self) -> None:
        cluster = cluster_with(job(command="sleep 3"))
        run_until_finished(cluster)
        cluster.run_until(cluster.now + 600)
        assert cluster.store.get("Job", "default", "report") is not None


def test_a_ttl_of_zero_deletes_the_job_as_soon_as_it_finishes() -> None:
    cluster = cluster_with(job(command="sleep 2", ttlSecondsAfterFinished=0))
    start = cluster.now
    while cluster.store.get("Job", "default", "report") is not None:
        assert cluster.now - start < 60
        cluster.tick()
    assert cluster.now < 10
