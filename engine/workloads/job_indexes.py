"""Completion indexes of an Indexed Job (k/k pkg/controller/job/indexed_job_utils.go): the
interval lists behind `status.completedIndexes` / `failedIndexes` ("1,3-5"), the index a pod
carries, and the pod name prefix `JOB-INDEX-`."""

from __future__ import annotations

COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
UNKNOWN_INDEX = -1
# names.MaxGeneratedNameLength: 63 characters less the 5 random ones.
MAX_GENERATED_NAME_LENGTH = 58

Intervals = list[tuple[int, int]]


def is_indexed(job: dict) -> bool:
    return (job.get("spec") or {}).get("completionMode") == "Indexed"


def completion_index(pod: dict) -> int:
    """getCompletionIndex: the annotation as a non-negative int, else -1."""
    value = (pod["metadata"].get("annotations") or {}).get(COMPLETION_INDEX)
    if value is None:
        return UNKNOWN_INDEX
    try:
        index = int(value)
    except ValueError:
        return UNKNOWN_INDEX
    return index if index >= 0 else UNKNOWN_INDEX


def parse_indexes(text: str | None, completions: int) -> Intervals:
    """parseIndexesFromString: "1,3-5" as intervals, clipped to completions, corrupt parts
    skipped."""
    if not text:
        return []
    result: Intervals = []
    for part in text.split(","):
        limits = part.split("-")
        try:
            first = int(limits[0])
        except ValueError:
            continue
        if first >= completions:
            break
        if len(limits) > 1:
            try:
                last = int(limits[1])
            except ValueError:
                continue
            last = min(last, completions - 1)
        else:
            last = first
        if result and result[-1][1] == first - 1:
            result[-1] = (result[-1][0], last)
        else:
            result.append((first, last))
    return result


def format_indexes(intervals: Intervals) -> str:
    """orderedIntervals.String: `0,2` for two neighbours, `3-5` from three on."""
    parts = []
    for first, last in intervals:
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def with_indexes(intervals: Intervals, indexes: list[int] | set[int]) -> Intervals:
    """withOrderedIndexes / merge: the intervals with more indexes added, merged."""
    points = sorted((i, i) for i in set(indexes))
    return merge(intervals, points)


def merge(a: Intervals, b: Intervals) -> Intervals:
    result: Intervals = []
    for first, last in sorted(a + b):
        if not result or first > result[-1][1] + 1:
            result.append((first, last))
        elif result[-1][1] < last:
            result[-1] = (result[-1][0], last)
    return result


def total(intervals: Intervals) -> int:
    return sum(last - first + 1 for first, last in intervals)


def has(intervals: Intervals, index: int) -> bool:
    return any(first <= index <= last for first, last in intervals)


def first_pending_indexes(count: int, completions: int, non_pending: Intervals) -> list[int]:
    """firstPendingIndexes: the lowest `count` indexes below completions that are neither
    active, succeeded nor failed (`non_pending` holds those)."""
    result: list[int] = []
    candidate = 0
    while candidate < completions and len(result) < count:
        if not has(non_pending, candidate):
            result.append(candidate)
        candidate += 1
    return result


def pod_name_prefix(job_name: str, index: int) -> str:
    """podGenerateNameWithIndex: `JOB-INDEX-`, the job name cut so the prefix fits."""
    suffix = f"-{index}-"
    prefix = job_name + suffix
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[: MAX_GENERATED_NAME_LENGTH - len(suffix)] + suffix
    return prefix


def annotation_count(pod: dict, key: str) -> int:
    """parseIndexFailureCountAnnotation: a bad or missing value counts as 0."""
    value = (pod["metadata"].get("annotations") or {}).get(key)
    try:
        number = int(value) if value is not None else 0
    except ValueError:
        return 0
    return number if 0 <= number <= 2**31 - 1 else 0
