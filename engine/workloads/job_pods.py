"""What a Job's pods are made of and which go first (k/k pkg/controller/job/
indexed_job_utils.go, job_controller.go): the JOB_COMPLETION_INDEX variable, the per-index
failure counts a replacement inherits, and activePodsForRemoval's order."""

from __future__ import annotations

import copy

from engine.workloads.job_indexes import (
    COMPLETION_INDEX,
    COMPLETION_INDEX_ENV,
    INDEX_FAILURE_COUNT,
    INDEX_IGNORED_FAILURE_COUNT,
    UNKNOWN_INDEX,
    annotation_count,
    completion_index,
    is_indexed,
)
from engine.workloads.job_policies import match_pod_failure_policy
from engine.workloads.podutil import is_pod_ready, pod_phase


def absolute_failures(pod: dict) -> int:
    """getIndexAbsoluteFailureCount: counted plus ignored failures of the index so far."""
    return annotation_count(pod, INDEX_FAILURE_COUNT) + annotation_count(
        pod, INDEX_IGNORED_FAILURE_COUNT
    )


def new_index_failure_counts(job: dict, replacing: dict | None) -> tuple[int, int]:
    """getNewIndexFailureCounts: the replaced pod's counts plus its own failure."""
    if replacing is None:
        return 0, 0
    failures = annotation_count(replacing, INDEX_FAILURE_COUNT)
    ignored = annotation_count(replacing, INDEX_IGNORED_FAILURE_COUNT)
    if match_pod_failure_policy(job["spec"].get("podFailurePolicy"), replacing).count_failed:
        failures += 1
    else:
        ignored += 1
    return failures, ignored


def with_completion_index_env(template: dict) -> dict:
    """addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the index label (the
    PodIndexLabel gate is on) in every container that does not set it itself."""
    template = copy.deepcopy(template)
    spec = template.setdefault("spec", {})
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or ():
            env = container.setdefault("env", [])
            if any(e.get("name") == COMPLETION_INDEX_ENV for e in env):
                continue
            env.append(
                {
                    "name": COMPLETION_INDEX_ENV,
                    "valueFrom": {
                        "fieldRef": {
                            "apiVersion": "v1",
                            "fieldPath": f"metadata.labels['{COMPLETION_INDEX}']",
                        }
                    },
                }
            )
    return template


def pods_for_removal(job: dict, active: list[dict], at_least: int) -> list[dict]:
    """activePodsForRemoval: an Indexed Job's duplicate, unindexed and out-of-range pods
    first, then the least advanced pods."""
    remove: list[dict] = []
    left = active
    if is_indexed(job):
        completions = int(job["spec"].get("completions") or 0)
        by_index: dict[int, list[dict]] = {}
        left = []
        for pod in active:
            ix = completion_index(pod)
            if ix == UNKNOWN_INDEX or ix >= completions:
                remove.append(pod)
            else:
                by_index.setdefault(ix, []).append(pod)
        for ix in sorted(by_index):
            group = sorted(by_index[ix], key=_removal_order)
            remove += group[:-1]
            left.append(group[-1])
    if len(remove) < at_least:
        remove += sorted(left, key=_removal_order)[: at_least - len(remove)]
    return remove


def _removal_order(pod: dict) -> tuple:
    """activePodsForRemoval's preference: unscheduled, pending, not ready pods first."""
    spec = pod.get("spec") or {}
    phase = {"Pending": 0, "Unknown": 1, "Running": 2}.get(pod_phase(pod), 0)
    return (bool(spec.get("nodeName")), phase, is_pod_ready(pod), pod["metadata"]["name"])
