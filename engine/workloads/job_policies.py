"""A Job's podFailurePolicy and successPolicy (k/k pkg/controller/job/pod_failure_policy.go,
success_policy.go): which rule a failed pod matches and what it means, and when the
succeeded indexes meet a success rule."""

from __future__ import annotations

from dataclasses import dataclass

from engine.workloads.job_indexes import Intervals, has, parse_indexes, total

FAIL_JOB = "FailJob"
FAIL_INDEX = "FailIndex"
IGNORE = "Ignore"
COUNT = "Count"


@dataclass(frozen=True)
class PolicyMatch:
    """matchPodFailurePolicy's answer: the Job failure message (FailJob), whether the
    failure counts toward the backoff limits, and the matched action (None: no rule)."""

    message: str | None
    count_failed: bool
    action: str | None


NO_MATCH = PolicyMatch(None, True, None)


def match_pod_failure_policy(policy: dict | None, pod: dict) -> PolicyMatch:
    """The first rule, in order, that the failed pod matches."""
    if not policy:
        return NO_MATCH
    meta = pod["metadata"]
    where = f"{meta.get('namespace', '')}/{meta['name']}"
    status = pod.get("status") or {}
    for index, rule in enumerate(policy.get("rules") or ()):
        action = rule.get("action")
        if rule.get("onExitCodes") is not None:
            matched = match_on_exit_codes(status, rule["onExitCodes"])
            if matched is None:
                continue
            name, code = matched
            message = (
                f"Container {name} for pod {where} failed with exit code {code} "
                f"matching {action} rule at index {index}"
            )
        elif rule.get("onPodConditions"):
            condition = match_on_pod_conditions(status, rule["onPodConditions"])
            if condition is None:
                continue
            message = (
                f"Pod {where} has condition {condition} matching {action} rule at index {index}"
            )
        else:
            continue
        if action == IGNORE:
            return PolicyMatch(None, False, IGNORE)
        if action == COUNT:
            return PolicyMatch(None, True, COUNT)
        if action == FAIL_INDEX:
            return PolicyMatch(None, True, FAIL_INDEX)
        if action == FAIL_JOB:
            return PolicyMatch(message, True, FAIL_JOB)
    return NO_MATCH


def match_on_exit_codes(status: dict, requirement: dict) -> tuple[str, int] | None:
    """matchOnExitCodes: a terminated container (regular first, then init) with a non-zero
    exit code the operator accepts."""
    for group in ("containerStatuses", "initContainerStatuses"):
        for container in status.get(group) or ():
            terminated = (container.get("state") or {}).get("terminated")
            if terminated is None:
                continue
            name = requirement.get("containerName")
            if name is not None and name != container.get("name"):
                continue
            code = int(terminated.get("exitCode") or 0)
            if code == 0:
                continue
            values = requirement.get("values") or ()
            operator = requirement.get("operator")
            if (operator == "In" and code in values) or (
                operator == "NotIn" and code not in values
            ):
                return container.get("name", ""), code
    return None


def match_on_pod_conditions(status: dict, patterns: list[dict]) -> str | None:
    for condition in status.get("conditions") or ():
        for pattern in patterns:
            if condition.get("type") == pattern.get("type") and condition.get(
                "status"
            ) == pattern.get("status", "True"):
                return condition["type"]
    return None


def match_success_policy(policy: dict | None, completions: int, succeeded: Intervals) -> str | None:
    """matchSuccessPolicy: "Matched rules at index N" for the first rule met, else None."""
    if not policy or not succeeded:
        return None
    for index, rule in enumerate(policy.get("rules") or ()):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_indexes(rule["succeededIndexes"], completions)
            if not required:
                continue
            met = sum(
                1 for first, last in required for ix in range(first, last + 1) if has(succeeded, ix)
            )
            if (count is None and met == total(required)) or (
                count is not None and met >= int(count)
            ):
                return f"Matched rules at index {index}"
        elif count is not None and total(succeeded) >= int(count):
            return f"Matched rules at index {index}"
    return None
