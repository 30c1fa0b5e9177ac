"""The default kube-scheduler's rules: filters, scores, host selection, FitError text.

Pure functions over Pod dicts and `NodeInfo` aggregates; the engine's scheduler
controller owns the queue, the binding and the events.
"""

from engine.scheduler.filters import (
    ERR_REASON_AFFINITY_CONFLICT,
    ERR_REASON_NODE_AFFINITY,
    ERR_REASON_NODE_NAME,
    ERR_REASON_NODE_PORTS,
    ERR_REASON_PREFILTER_NODE_AFFINITY,
    ERR_REASON_TOO_MANY_PODS,
    ERR_REASON_UNSCHEDULABLE,
    ERR_REASON_UNTOLERATED_TAINT,
    NodeStatus,
    PodFacts,
    filter_node,
    insufficient,
    run_filters,
)
from engine.scheduler.fiterror import (
    NO_NODES_AVAILABLE,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    PREEMPTION_POLICY_NEVER,
    fit_error_message,
    reasons_histogram,
)
from engine.scheduler.nodeinfo import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    NodeInfo,
    PodResources,
    host_port_conflicts,
    pod_host_ports,
    pod_key,
    pod_non_zero_requests,
    pod_requests,
    pod_resources,
)
from engine.scheduler.scoring import score_nodes
from engine.scheduler.selection import (
    ScheduleResult,
    num_feasible_nodes_to_find,
    schedule,
    select_host,
)
from engine.scheduler.snapshot import Snapshot

__all__ = [
    "DEFAULT_MEMORY_REQUEST",
    "DEFAULT_MILLI_CPU_REQUEST",
    "ERR_REASON_AFFINITY_CONFLICT",
    "ERR_REASON_NODE_AFFINITY",
    "ERR_REASON_NODE_NAME",
    "ERR_REASON_NODE_PORTS",
    "ERR_REASON_PREFILTER_NODE_AFFINITY",
    "ERR_REASON_TOO_MANY_PODS",
    "ERR_REASON_UNSCHEDULABLE",
    "ERR_REASON_UNTOLERATED_TAINT",
    "NO_NODES_AVAILABLE",
    "NO_PREEMPTION_VICTIMS",
    "PREEMPTION_NOT_HELPFUL",
    "PREEMPTION_POLICY_NEVER",
    "NodeInfo",
    "NodeStatus",
    "PodFacts",
    "PodResources",
    "ScheduleResult",
    "Snapshot",
    "filter_node",
    "fit_error_message",
    "host_port_conflicts",
    "insufficient",
    "num_feasible_nodes_to_find",
    "pod_host_ports",
    "pod_key",
    "pod_non_zero_requests",
    "pod_requests",
    "pod_resources",
    "reasons_histogram",
    "run_filters",
    "schedule",
    "score_nodes",
    "select_host",
]
