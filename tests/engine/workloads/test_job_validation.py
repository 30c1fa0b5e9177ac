"""validateJobSpec's rules for indexed, per-index, podFailurePolicy and successPolicy Jobs,
and what ValidateJobSpecUpdate keeps immutable (k/k pkg/apis/batch/validation/
validation.go)."""

from __future__ import annotations

import pytest
import yaml

from engine.api.errors import APIError
from tests.engine.workloads.helpers import apply, cluster_with
from tests.engine.workloads.test_job import job

FAIL_ON_42 = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}


def refused(text: str) -> str:
    with pytest.raises(APIError) as raised:
        cluster_with("").api.create(yaml.safe_load(text))
    return raised.value.message.removeprefix('The Job "report" is invalid: ')


class TestJobSpecValidation:
    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            (
                {"backoffLimitPerIndex": 1},
                "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
            ),
            (
                {"completionMode": "Indexed", "completions": 2, "maxFailedIndexes": 1},
                "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
            ),
            (
                {
                    "completionMode": "Indexed",
                    "completions": 2,
                    "backoffLimitPerIndex": 1,
                    "maxFailedIndexes": 3,
                },
                "spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions",
            ),
            (
                {
                    "podFailurePolicy": {
                        "rules": [
                            {
                                "action": "FailIndex",
                                "onExitCodes": {"operator": "In", "values": [1]},
                            }
                        ]
                    }
                },
                'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the '
                "backoffLimitPerIndex to be set",
            ),
            (
                {"podFailurePolicy": {"rules": [{"action": "FailJob"}]}},
                "spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes "
                "and OnPodConditions is required",
            ),
            (
                {
                    "podFailurePolicy": {
                        "rules": [
                            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [0]}}
                        ]
                    }
                },
                "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not "
                "be 0 for the In operator",
            ),
            (
                {"successPolicy": {"rules": [{"succeededCount": 1}]}},
                'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires '
                "indexed completion mode",
            ),
            (
                {
                    "completionMode": "Indexed",
                    "completions": 3,
                    "successPolicy": {"rules": [{"succeededIndexes": "0-5"}]},
                },
                'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-5": error '
                'parsing succeededIndexes: too large index: "5"',
            ),
            (
                {
                    "completionMode": "Indexed",
                    "completions": 3,
                    "successPolicy": {"rules": [{"succeededIndexes": "0-1", "succeededCount": 3}]},
                },
                "spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than "
                "or equal to 2 (the number of indexes in the specified succeededIndexes field)",
            ),
        ],
    )
    def test_messages(self, spec, message) -> None:
        assert refused(job(**spec)) == message

    def test_a_pod_failure_policy_needs_restart_policy_never(self) -> None:
        assert refused(job(restartPolicy="OnFailure", podFailurePolicy=FAIL_ON_42)) == (
            'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is '
            "supported when podFailurePolicy is specified"
        )

    def test_an_unknown_restart_policy_is_refused_by_the_pod_and_the_job_rules(self) -> None:
        # ValidatePodTemplateSpec runs first, then the Job's own restart policy rule.
        assert refused(job(restartPolicy="Sometimes")) == (
            '[spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported '
            'values: "Always", "OnFailure", "Never", spec.template.spec.restartPolicy: '
            'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"]'
        )


class TestJobSpecUpdate:
    def test_how_a_job_ends_is_immutable_but_suspend_is_not(self) -> None:
        cluster = cluster_with(job(suspend=True))
        assert apply(cluster, job(suspend=False)) == ["job.batch/report configured"]
        lines = apply(cluster, job(suspend=False, podFailurePolicy=FAIL_ON_42))
        assert len(lines) == 1
        assert "spec.podFailurePolicy: Invalid value: " in lines[0]
        assert lines[0].endswith("field is immutable")
