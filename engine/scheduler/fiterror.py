"""The scheduler's failure message: `0/3 nodes are available: ...`.

Rules from pkg/scheduler/framework/types.go (`FitError.Error`), pkg/scheduler/schedule_one.go
(`ErrNoNodesAvailable`) and pkg/scheduler/framework/preemption/preemption.go +
plugins/defaultpreemption (the `preemption: ...` PostFilter message).

unverified: transcripts from 1.36 clusters show the DynamicResources PostFilter adding
`no new claims to deallocate, ` before `preemption:`; podtui follows 1.32-1.35 and
leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping

# The whole message when the cluster has no nodes at all (no FitError, no PostFilter).
NO_NODES_AVAILABLE = "no nodes available to schedule pods"

# DefaultPreemption's per-node reasons. podtui has no pod priority: no pod is ever a
# lower-priority victim, so every node where eviction might have helped finds none.
PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod"
PREEMPTION_POLICY_NEVER = "not eligible due to preemptionPolicy=Never."


def reasons_histogram(reasons: Mapping[str, int]) -> str:
    """`count reason` entries sorted as strings (so `10 x` comes before `2 y`), comma-joined."""
    return ", ".join(sorted(f"{count} {reason}" for reason, count in reasons.items()))


def nodes_available_message(num_nodes: int, reasons: Mapping[str, int], prefilter: str = "") -> str:
    """FitError.Error() without the PostFilter part."""
    message = f"0/{num_nodes} nodes are available:"
    if prefilter:
        # A PreFilter rejection stands for every node; the histogram is left out.
        return f"{message} {prefilter}."
    histogram = reasons_histogram(reasons)
    return f"{message} {histogram}." if histogram else message


def preemption_message(num_nodes: int, postfilter: Mapping[str, int] | str) -> str:
    """DefaultPreemption's message: its own FitError over the nodes, or a refusal."""
    if isinstance(postfilter, str):
        return f"preemption: {postfilter}"
    return f"preemption: {nodes_available_message(num_nodes, postfilter)}"


def fit_error_message(
    num_nodes: int,
    reasons: Mapping[str, int],
    postfilter: Mapping[str, int] | str | None,
    prefilter: str = "",
) -> str:
    """The FailedScheduling text: filter histogram, then the preemption histogram.

    `postfilter` is the preemption histogram, or a preemption refusal such as
    PREEMPTION_POLICY_NEVER, or None when no PostFilter ran. Current releases append it
    with a single space, so the text ends in one period (1.22-1.3x ended in `..`).
    """
    message = nodes_available_message(num_nodes, reasons, prefilter)
    if postfilter is None:
        return message
    return f"{message} {preemption_message(num_nodes, postfilter)}"
