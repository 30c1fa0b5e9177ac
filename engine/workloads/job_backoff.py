"""A Job's back-off between failed pods (k/k pkg/controller/job/backoff_utils.go): 10 s
doubling per failure since the last success, capped at 10 minutes, per Job or, with
backoffLimitPerIndex, per index."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0


def remaining_backoff(failures: int, last_failure: float | None, now: float) -> float:
    """getRemainingTimeForFailuresCount: 10 s doubling per failure after the last success,
    capped at 10 min, measured from the last failure."""
    if failures == 0 or last_failure is None:
        return 0.0
    backoff = DEFAULT_POD_FAILURE_BACKOFF
    for _ in range(1, failures):
        backoff *= 2
        if backoff >= MAX_POD_FAILURE_BACKOFF:
            backoff = MAX_POD_FAILURE_BACKOFF
            break
    elapsed = now - last_failure
    if backoff < elapsed:
        return 0.0
    return backoff - elapsed


@dataclass
class BackoffRecord:
    failures_after_last_success: int = 0
    last_failure_time: float | None = None
