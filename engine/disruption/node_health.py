"""The node lifecycle controller's rules, as pure functions
(k8s.io/kubernetes/pkg/controller/nodelifecycle/node_lifecycle_controller.go).

- A node's health signal is its Ready condition's heartbeat or its Lease's renewTime; the
  controller notes *when it saw* either change (the probe timestamp). Past the grace period
  (50 s; 60 s for a node that never posted Ready) the node's Ready, MemoryPressure,
  DiskPressure and PIDPressure conditions become Unknown.
- Zones: a zone whose nodes are all not Ready is in FullDisruption; one with more than two
  not-Ready nodes making at least 55% of it is in PartialDisruption. NoExecute tainting runs
  at 0.1 node/s per zone normally, stops in a partially disrupted small zone, and stops
  everywhere when every zone is fully disrupted (the control plane may be the one cut off).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

NODE_MONITOR_PERIOD = 5.0
NODE_MONITOR_GRACE_PERIOD = 50.0  # 40 s before v1.32 (kubernetes/kubernetes#126287)
NODE_STARTUP_GRACE_PERIOD = 60.0
EVICTION_LIMITER_QPS = 0.1
SECONDARY_EVICTION_LIMITER_QPS = 0.01
LARGE_CLUSTER_THRESHOLD = 50
UNHEALTHY_ZONE_THRESHOLD = 0.55

STATE_INITIAL = "Initial"
STATE_NORMAL = "Normal"
STATE_FULL_DISRUPTION = "FullDisruption"
STATE_PARTIAL_DISRUPTION = "PartialDisruption"

CONDITIONS_SET_UNKNOWN = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
NODE_STATUS_UNKNOWN = "NodeStatusUnknown"
NODE_STATUS_UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated"
NODE_STATUS_NEVER_UPDATED_MESSAGE = "Kubelet never posted node status."

LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
LABEL_ZONE_BETA = "failure-domain.beta.kubernetes.io/zone"
LABEL_REGION_BETA = "failure-domain.beta.kubernetes.io/region"
LABEL_EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption"


@dataclass(frozen=True)
class NodeHealth:
    """nodeHealthData: what the controller last saw of a node, and when (seconds)."""

    probe_timestamp: float
    ready_transition_timestamp: float
    ready: Mapping | None
    """The Ready condition as last seen (None if the node had none)."""
    lease_renew_time: str | None = None


def ready_condition(node: Mapping) -> dict | None:
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition
    return None


def observe(
    saved: NodeHealth | None,
    ready: Mapping | None,
    lease_renew_time: str | None,
    now: float,
    created: float,
) -> NodeHealth:
    """tryUpdateNodeHealth's bookkeeping: refresh the probe timestamp when a signal moved.

    As upstream, a fresh record forgets the lease it had seen, so the next renewal counts.
    """
    current = dict(ready) if ready is not None else None
    health = saved
    if current is None:
        health = (
            replace(health, ready=None)
            if health is not None
            else NodeHealth(created, created, None)
        )
    saved_ready = health.ready if health is not None else None
    saved_lease = health.lease_renew_time if health is not None else None
    if health is None or (saved_ready is None and current is not None):
        health = NodeHealth(now, now, current)
    elif saved_ready is not None and current is None:
        health = NodeHealth(now, now, None)
    elif (
        saved_ready is not None
        and current is not None
        and saved_ready.get("lastHeartbeatTime") != current.get("lastHeartbeatTime")
    ):
        transitioned = saved_ready.get("lastTransitionTime") != current.get("lastTransitionTime")
        transition = now if transitioned else health.ready_transition_timestamp
        health = NodeHealth(now, transition, current)
    if lease_renew_time is not None and (saved_lease is None or saved_lease < lease_renew_time):
        health = replace(health, probe_timestamp=now, lease_renew_time=lease_renew_time)
    return health


def grace_period(ready: Mapping | None) -> float:
    """nodeStartupGracePeriod until the node has posted a Ready condition."""
    return NODE_STARTUP_GRACE_PERIOD if ready is None else NODE_MONITOR_GRACE_PERIOD


def is_stale(health: NodeHealth, now: float, grace: float) -> bool:
    """`now.After(probeTimestamp + gracePeriod)`."""
    return now > health.probe_timestamp + grace


def mark_unknown(conditions: list[dict], now_stamp: str, created_stamp: str) -> list[dict]:
    """The conditions after the controller decides the kubelet is gone (NetworkUnavailable kept)."""
    out = [dict(c) for c in conditions]
    for condition_type in CONDITIONS_SET_UNKNOWN:
        current = next((c for c in out if c.get("type") == condition_type), None)
        if current is None:
            out.append(
                {
                    "lastHeartbeatTime": created_stamp,
                    "lastTransitionTime": now_stamp,
                    "message": NODE_STATUS_NEVER_UPDATED_MESSAGE,
                    "reason": NODE_STATUS_NEVER_UPDATED,
                    "status": "Unknown",
                    "type": condition_type,
                }
            )
        elif current.get("status") != "Unknown":
            current.update(
                {
                    "status": "Unknown",
                    "reason": NODE_STATUS_UNKNOWN,
                    "message": NODE_STATUS_UNKNOWN_MESSAGE,
                    "lastTransitionTime": now_stamp,
                }
            )
    return [dict(sorted(c.items())) for c in out]


def zone_key(node: Mapping) -> str:
    """topology.GetZoneKey: `region:\\x00:zone`, or "" for a node with neither label."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    region = labels.get(LABEL_REGION) or labels.get(LABEL_REGION_BETA) or ""
    zone = labels.get(LABEL_ZONE) or labels.get(LABEL_ZONE_BETA) or ""
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def excluded_from_disruption_checks(node: Mapping) -> bool:
    return LABEL_EXCLUDE_DISRUPTION in ((node.get("metadata") or {}).get("labels") or {})


def compute_zone_state(ready_conditions: Iterable[Mapping | None]) -> tuple[int, str]:
    """ComputeZoneState: (not-Ready nodes, zone state)."""
    ready = not_ready = 0
    for condition in ready_conditions:
        if condition is not None and condition.get("status") == "True":
            ready += 1
        else:
            not_ready += 1
    if ready == 0 and not_ready > 0:
        return not_ready, STATE_FULL_DISRUPTION
    if not_ready > 2 and not_ready / (not_ready + ready) >= UNHEALTHY_ZONE_THRESHOLD:
        return not_ready, STATE_PARTIAL_DISRUPTION
    return not_ready, STATE_NORMAL


def zone_tainting_qps(state: str, zone_size: int) -> float:
    """setLimiterInZone: how fast a zone's nodes get their NoExecute taint."""
    if state == STATE_PARTIAL_DISRUPTION:
        # ReducedQPSFunc: small clusters stop tainting altogether.
        return SECONDARY_EVICTION_LIMITER_QPS if zone_size > LARGE_CLUSTER_THRESHOLD else 0.0
    # Normal, and FullDisruption of one zone among others (HealthyQPSFunc).
    return EVICTION_LIMITER_QPS


class TokenBucket:
    """flowcontrol's token bucket with burst 1 (a qps of 0 never lets anything through)."""

    def __init__(self, qps: float, now: float) -> None:
        self.qps = qps
        self.tokens = 1.0
        self.last = now

    def _refill(self, now: float) -> None:
        if self.qps > 0:
            self.tokens = min(1.0, self.tokens + (now - self.last) * self.qps)
        self.last = now

    def try_accept(self, now: float) -> bool:
        if self.qps <= 0:
            return False
        self._refill(now)
        if self.tokens >= 1.0 - 1e-9:
            self.tokens -= 1.0
            return True
        return False

    def next_token_at(self, now: float) -> float | None:
        """When the next token will be there (None: never)."""
        if self.qps <= 0:
            return None
        self._refill(now)
        return now + max(0.0, (1.0 - self.tokens) / self.qps)
