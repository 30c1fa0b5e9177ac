"""The node lifecycle controller: notices nodes that stop heartbeating, marks them and their
pods, and taints them so the taint eviction controller moves the pods away
(k8s.io/kubernetes/pkg/controller/nodelifecycle/node_lifecycle_controller.go).

Every 5 s (`monitorNodeHealth`) each node's health signal is checked (node_health.py). A node
silent for longer than the grace period gets its conditions set to Unknown; on the Ready
True → not-True transition a `NodeNotReady` event is recorded and its pods' Ready condition
is set to False (`MarkPodsNotReady`; phase and container statuses are the kubelet's and stay
as they were). From the next pass on the node is queued for the NoExecute taint
`node.kubernetes.io/unreachable` (or `not-ready` for Ready=False), rate-limited per zone. A
node Ready again loses both NoExecute taints. On every node change the NoSchedule taints are
made to follow the conditions and spec.unschedulable (`doNoScheduleTaintingPass`).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from engine.controllers.base import QueueController
from engine.disruption import node_health as health_rules
from engine.disruption.node_taints import (
    CONDITION_TAINT_KEYS,
    NOT_READY_TAINT,
    UNREACHABLE_TAINT,
    ZoneTainter,
    no_schedule_taints_wanted,
    swap_taints,
    taint_exists,
)
from engine.disruption.podutil import update_pod_condition
from engine.events import Source
from engine.store import Change
from engine.timeutil import parse_time
from engine.tolerations import NO_SCHEDULE, TAINT_NODE_UNSCHEDULABLE

if TYPE_CHECKING:
    from engine.cluster import Cluster

SOURCE = Source("node-controller")
# What a settled node counts as in its zone (compute_zone_state reads only the status).
_SETTLED_READY = {"type": "Ready", "status": "True"}
NODE_LEASE_NAMESPACE = "kube-node-lease"


class NodeLifecycleController(QueueController):
    """monitorNodeHealth on a 5 s period; NoSchedule tainting and MarkPodsNotReady on events."""

    name = "node-lifecycle"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.store = cluster.store
        self.events = cluster.events
        self.known: dict[str, str] = {}
        self.health: dict[str, health_rules.NodeHealth] = {}
        self.zone_states: dict[str, str] = {}
        self.tainters: dict[str, ZoneTainter] = {}
        self._taint_pass_timer: Any = None
        # The node each pod was last seen on: podUpdated acts only when it lands on one.
        self._pod_nodes: dict[tuple[str, str], str] = {}
        # name -> (node, resourceVersion, zone key, excluded from disruption checks, Ready
        # condition): a node left Ready, untainted and unwritten by the previous pass. Until
        # its resourceVersion moves, a pass can only refresh its lease time or find it
        # stale, so it takes the short way (in monitor_node_health).
        self._settled: dict[str, tuple[dict, Any, str, bool, dict]] = {}
        # A pass reads only what can have moved since the last one: the nodes not settled
        # (changed since, or never settled), the settled nodes whose lease was written, and
        # those whose grace period may have run out (`_expiry`, by probe timestamp).
        self._unsettled: set[str] = {n["metadata"]["name"] for n in self.store.iter("Node")}
        self._lease_moved: set[str] = set()
        self._expiry: list[tuple[float, str]] = []
        self._expiry_stamp: dict[str, float] = {}  # the entry in _expiry that counts
        self._settled_in_zone: dict[str, int] = {}
        self._node_removed = False
        self.store.watch(self._on_node, {"Node"})
        # podUpdated reads a pod's nodeName only: its status writes are no-ops here.
        self.store.watch(self._on_pod, {"Pod"}, status_writes=False)
        self.store.watch(self._on_lease, {"Lease"})
        cluster.clock.call_later(0, self._monitor_loop)

    # -- events -----------------------------------------------------------------------------
    def _on_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        self._unsettle(name)
        if change.type != "DELETED":
            self._unsettled.add(name)
            self.enqueue(("node", name))
        else:
            self._unsettled.discard(name)
            self._node_removed = True

    def _on_lease(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if meta.get("namespace") == NODE_LEASE_NAMESPACE and meta["name"] in self._settled:
            self._lease_moved.add(meta["name"])

    def _unsettle(self, name: str) -> None:
        entry = self._settled.pop(name, None)
        if entry is not None:
            self._unsettled.add(name)
            if not entry[3]:
                self._settled_in_zone[entry[2]] -= 1

    def _on_pod(self, change: Change) -> None:
        if change.type == "DELETED":
            meta = change.obj["metadata"]
            self._pod_nodes.pop((meta.get("namespace", ""), meta["name"]), None)
            return
        node_name = (change.obj.get("spec") or {}).get("nodeName")
        if not node_name:
            return
        meta = change.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        # podUpdated: only when the pod lands on a node (added, or nodeName changed).
        if self._pod_nodes.get(key) != node_name:
            self._pod_nodes[key] = node_name
            self.enqueue(("pod", *key))

    def sync(self, key: tuple) -> None:
        if key[0] == "node":
            self._no_schedule_tainting_pass(key[1])
        else:
            self._process_pod(key[1], key[2])

    # -- doNoScheduleTaintingPass -------------------------------------------------------------
    def _no_schedule_tainting_pass(self, name: str) -> None:
        node = self.store.get("Node", "", name)
        if node is None:
            return
        wanted = no_schedule_taints_wanted(node)
        taints = list((node.get("spec") or {}).get("taints") or [])
        current = [
            (t.get("key"), t.get("effect"))
            for t in taints
            if t.get("effect") == NO_SCHEDULE
            and (t.get("key") == TAINT_NODE_UNSCHEDULABLE or t.get("key") in CONDITION_TAINT_KEYS)
        ]
        add = [{"key": k, "effect": e} for k, e in wanted if (k, e) not in current]
        remove = [{"key": k, "effect": e} for k, e in current if (k, e) not in wanted]
        if add or remove:
            self._write_taints(
                node, swap_taints(taints, add, remove, self.cluster.clock.timestamp())
            )

    def _write_taints(self, node: dict, taints: list[dict]) -> None:
        spec = node.setdefault("spec", {})
        if taints == (spec.get("taints") or []):
            return
        if taints:
            spec["taints"] = taints
        else:
            spec.pop("taints", None)
        self.store.modified(node)

    # -- processPod ---------------------------------------------------------------------------
    def _process_pod(self, namespace: str, name: str) -> None:
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            self._pod_nodes.pop((namespace, name), None)
            return
        node_name = (pod.get("spec") or {}).get("nodeName", "")
        health = self.health.get(node_name)
        if health is None or self.store.get("Node", "", node_name) is None or health.ready is None:
            return
        if health.ready.get("status") != "True":
            self.mark_pods_not_ready([pod], node_name)

    def mark_pods_not_ready(self, pods: list[dict], node_name: str) -> None:
        """MarkPodsNotReady: Ready=False (reason and message kept) and a NodeNotReady event."""
        for pod in pods:
            if (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            status = pod.get("status") or {}
            ready = next(
                (c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None
            )
            if ready is None:
                continue
            if update_pod_condition(
                status, {**ready, "status": "False"}, self.cluster.clock.timestamp()
            ):
                self.store.modified(pod)
                self.events.event(pod, "Warning", "NodeNotReady", "Node is not ready", SOURCE)

    # -- monitorNodeHealth --------------------------------------------------------------------
    def _monitor_loop(self) -> None:
        self.monitor_node_health()
        self.cluster.clock.call_later(health_rules.NODE_MONITOR_PERIOD, self._monitor_loop)

    def monitor_node_health(self) -> None:
        """One pass over every node, then the zones, then the NoExecute tainting queue.

        A settled node (see _note_settled) stays settled until the node is written (the
        Node watch unsettles it): a pass could only see its lease move (the probe timestamp
        moves to now) or find it stale (the long way), so the pass reads the leases that
        were written since the last one and the nodes whose grace period has run out, and
        counts the settled ones Ready in their zone. The nodes it does read, it reads in
        name order, as the long way over every node would.
        """
        now = self.cluster.clock.now
        settled = self._settled
        healths = self.health
        get = self.store.get
        grace = health_rules.NODE_MONITOR_GRACE_PERIOD
        expiry = self._expiry
        for name in self._lease_moved:
            health = healths.get(name)
            if name not in settled or health is None:
                continue
            lease = get("Lease", NODE_LEASE_NAMESPACE, name)
            renew = (lease.get("spec") or {}).get("renewTime") if lease is not None else None
            if renew is not None and (
                health.lease_renew_time is None or health.lease_renew_time < renew
            ):
                healths[name] = health_rules.NodeHealth(
                    now, health.ready_transition_timestamp, health.ready, renew
                )
        self._lease_moved.clear()
        # Each settled node has one entry, by the probe timestamp it had when queued: once
        # that one's grace period is over, the node is stale or is queued again by its
        # newer timestamp (a lease renewed every 10 s requeues it once per grace period).
        queued = self._expiry_stamp
        while expiry and now > expiry[0][0] + grace:
            stamp, name = heapq.heappop(expiry)
            health = healths.get(name)
            if name not in settled or health is None or queued.get(name) != stamp:
                continue
            if now > health.probe_timestamp + grace:
                del queued[name]
                self._unsettle(name)  # stale: the long way
            else:
                queued[name] = health.probe_timestamp
                heapq.heappush(expiry, (health.probe_timestamp, name))
        names = sorted(self._unsettled)
        nodes = [node for node in (get("Node", "", name) for name in names) if node is not None]
        for node in nodes:
            zone = health_rules.zone_key(node)
            if zone not in self.zone_states:
                self._add_zone(zone)
        for node in nodes:
            meta = node["metadata"]
            if meta["name"] in self.known:
                continue
            self._node_event(
                node,
                meta.get("uid", ""),
                "RegisteredNode",
                f"Registered Node {meta['name']} in Controller",
            )
            self.known[meta["name"]] = meta.get("uid", "")
            self._mark_node_as_reachable(node)
        if self._node_removed:
            self._node_removed = False
            for name in [n for n in self.known if get("Node", "", n) is None]:
                ref = {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": name, "uid": self.known[name]},
                }
                self._node_event(
                    ref, self.known[name], "RemovingNode", f"Removing Node {name} from Controller"
                )
                del self.known[name]
                self.health.pop(name, None)
                self._unsettle(name)
                self._unsettled.discard(name)
        zone_conditions: dict[str, list[dict | None]] = {
            zone: [_SETTLED_READY] * count
            for zone, count in self._settled_in_zone.items()
            if count
        }
        for node in nodes:
            observed, current = self._try_update_node_health(node, now)
            if not health_rules.excluded_from_disruption_checks(node):
                zone_conditions.setdefault(health_rules.zone_key(node), []).append(current)
            if current is None:
                continue
            self._process_taint_based_eviction(node, observed)
            if current.get("status") != "True" and observed.get("status") == "True":
                self._node_event(
                    node,
                    node["metadata"].get("uid", ""),
                    "NodeNotReady",
                    f"Node {node['metadata']['name']} status is now: NodeNotReady",
                    plain=True,
                )
                self.mark_pods_not_ready(
                    self._pods_on(node["metadata"]["name"]), node["metadata"]["name"]
                )
            self._note_settled(node, observed, current)
        self._handle_disruption(zone_conditions)
        self.no_execute_tainting_pass()

    def _note_settled(self, node: dict, observed: dict, current: dict | None) -> None:
        """Remember a node this pass found Ready before and after and left as it was.

        Such a node's next pass, while its resourceVersion stays, would read the same
        conditions, labels and taints: it differs only by the lease it reads and the time.
        """
        meta = node["metadata"]
        name = meta["name"]
        if (
            current is None
            or current.get("status") != "True"
            or observed.get("status") != "True"
            or name not in self.known
        ):
            return
        taints = (node.get("spec") or {}).get("taints") or ()
        if any(taint_exists([t], UNREACHABLE_TAINT) or taint_exists([t], NOT_READY_TAINT)
               for t in taints):
            return
        zone = health_rules.zone_key(node)
        tainter = self.tainters.get(zone)
        if tainter is not None and name in tainter.members:
            return
        if health_rules.excluded_from_disruption_checks(node):
            return  # its zone may be in no pass's counts (handleDisruption drops it): long way
        health = self.health.get(name)
        if health is None or health.ready is None:
            return
        self._settled[name] = (node, meta.get("resourceVersion"), zone, False, current)
        self._settled_in_zone[zone] = self._settled_in_zone.get(zone, 0) + 1
        self._unsettled.discard(name)
        self._expiry_stamp[name] = health.probe_timestamp
        heapq.heappush(self._expiry, (health.probe_timestamp, name))

    def _pods_on(self, node_name: str) -> list[dict]:
        return [
            p for p in self.store.iter("Pod") if (p.get("spec") or {}).get("nodeName") == node_name
        ]

    def _node_event(
        self, node: dict, uid: str, reason: str, message: str, *, plain: bool = False
    ) -> None:
        """RecordNodeEvent (`Node X event: ...`) or RecordNodeStatusChange (plain message)."""
        meta = node["metadata"]
        ref = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": meta["name"], "uid": uid}}
        text = message if plain else f"Node {meta['name']} event: {message}"
        self.events.event(ref, "Normal", reason, text, SOURCE)

    def _try_update_node_health(self, node: dict, now: float) -> tuple[dict, dict | None]:
        """tryUpdateNodeHealth: (the Ready condition observed, the Ready condition now)."""
        name = node["metadata"]["name"]
        created_stamp = node["metadata"].get("creationTimestamp") or self.cluster.clock.timestamp()
        created = self.cluster.clock.seconds_since(parse_time(created_stamp))
        created_at = now - created
        current = health_rules.ready_condition(node)
        if current is None:
            observed: dict = {
                "type": "Ready",
                "status": "Unknown",
                "lastHeartbeatTime": created_stamp,
                "lastTransitionTime": created_stamp,
            }
        else:
            observed = dict(current)
        lease = self.store.get("Lease", NODE_LEASE_NAMESPACE, name)
        renew = (lease.get("spec") or {}).get("renewTime") if lease is not None else None
        health = health_rules.observe(self.health.get(name), current, renew, now, created_at)
        grace = health_rules.grace_period(current)
        if health_rules.is_stale(health, now, grace):
            status = node.get("status") or {}
            conditions = health_rules.mark_unknown(
                status.get("conditions") or [], self.cluster.clock.timestamp(), created_stamp
            )
            current = health_rules.ready_condition({"status": {"conditions": conditions}})
            if current != observed:
                node.setdefault("status", {})["conditions"] = conditions
                self.store.modified(node)
                health = health_rules.NodeHealth(
                    health.probe_timestamp, now, dict(current) if current else None, renew
                )
        self.health[name] = health
        return observed, current

    # -- NoExecute taints ---------------------------------------------------------------------
    def _process_taint_based_eviction(self, node: dict, observed: dict) -> None:
        taints = (node.get("spec") or {}).get("taints") or []
        status = observed.get("status")
        if status == "False":
            if taint_exists(taints, UNREACHABLE_TAINT):
                self._write_taints(
                    node,
                    swap_taints(
                        taints,
                        [NOT_READY_TAINT],
                        [UNREACHABLE_TAINT],
                        self.cluster.clock.timestamp(),
                    ),
                )
            else:
                self._mark_for_tainting(node)
        elif status == "Unknown":
            if taint_exists(taints, NOT_READY_TAINT):
                self._write_taints(
                    node,
                    swap_taints(
                        taints,
                        [UNREACHABLE_TAINT],
                        [NOT_READY_TAINT],
                        self.cluster.clock.timestamp(),
                    ),
                )
            else:
                self._mark_for_tainting(node)
        elif status == "True":
            self._mark_node_as_reachable(node)

    def _add_zone(self, zone: str) -> None:
        self.zone_states[zone] = health_rules.STATE_INITIAL
        self.tainters[zone] = ZoneTainter(health_rules.EVICTION_LIMITER_QPS, self.cluster.clock.now)

    def _mark_for_tainting(self, node: dict) -> None:
        zone = health_rules.zone_key(node)
        if zone not in self.tainters:
            self._add_zone(zone)
        self.tainters[zone].add(node["metadata"]["name"])

    def _mark_node_as_reachable(self, node: dict) -> bool:
        """Remove both NoExecute taints and take the node off its zone's queue."""
        taints = (node.get("spec") or {}).get("taints") or []
        kept = [
            t
            for t in taints
            if not (taint_exists([t], UNREACHABLE_TAINT) or taint_exists([t], NOT_READY_TAINT))
        ]
        if len(kept) != len(taints):
            self._write_taints(node, kept)
        zone = health_rules.zone_key(node)
        tainter = self.tainters.get(zone)
        return tainter.remove(node["metadata"]["name"]) if tainter is not None else False

    def no_execute_tainting_pass(self) -> None:
        """doNoExecuteTaintingPass: taint queued nodes as each zone's rate allows."""
        now = self.cluster.clock.now
        next_try: float | None = None
        for tainter in self.tainters.values():
            while tainter.queue:
                if not tainter.bucket.try_accept(now):
                    at = tainter.bucket.next_token_at(now)
                    if at is not None and (next_try is None or at < next_try):
                        next_try = at
                    break
                name, _ = tainter.queue.popitem(last=False)  # stays a member: tainted once
                node = self.store.get("Node", "", name)
                if node is None:
                    continue
                ready = health_rules.ready_condition(node)
                if ready is None:
                    tainter.queue[name] = None
                    break
                taints = (node.get("spec") or {}).get("taints") or []
                stamp = self.cluster.clock.timestamp()
                if ready.get("status") == "False":
                    self._write_taints(
                        node, swap_taints(taints, [NOT_READY_TAINT], [UNREACHABLE_TAINT], stamp)
                    )
                elif ready.get("status") == "Unknown":
                    self._write_taints(
                        node, swap_taints(taints, [UNREACHABLE_TAINT], [NOT_READY_TAINT], stamp)
                    )
        if next_try is not None and self._taint_pass_timer is None:

            def again() -> None:
                self._taint_pass_timer = None
                self.no_execute_tainting_pass()

            self._taint_pass_timer = self.cluster.clock.call_at(next_try, again)

    # -- handleDisruption ---------------------------------------------------------------------
    def _handle_disruption(self, zone_conditions: dict[str, list[dict | None]]) -> None:
        now = self.cluster.clock.now
        new_states: dict[str, str] = {}
        all_are_full = True
        for zone, conditions in zone_conditions.items():
            _, state = health_rules.compute_zone_state(conditions)
            if state != health_rules.STATE_FULL_DISRUPTION:
                all_are_full = False
            new_states[zone] = state
            if zone not in self.zone_states:
                self._add_zone(zone)
        all_were_full = True
        for zone in list(self.zone_states):
            if zone not in zone_conditions:
                del self.zone_states[zone]
                continue
            if self.zone_states[zone] != health_rules.STATE_FULL_DISRUPTION:
                all_were_full = False
                break
        if all_are_full and all_were_full:
            return
        if all_are_full:
            # Every node is not Ready: more likely the control plane is cut off than every
            # node dead, so no NoExecute taint and no eviction (master disruption mode).
            for node in self.store.list("Node"):
                self._mark_node_as_reachable(node)
            for zone in self.zone_states:
                self.tainters[zone].swap_limiter(0.0, now)
                self.zone_states[zone] = health_rules.STATE_FULL_DISRUPTION
            return
        if all_were_full:
            # Every node's probe timestamp moves: none is settled any more.
            for name in list(self._settled):
                self._unsettle(name)
            for node in self.store.list("Node"):
                name = node["metadata"]["name"]
                old = self.health.get(name)
                if old is not None:
                    self.health[name] = health_rules.NodeHealth(
                        now, now, old.ready, old.lease_renew_time
                    )
            for zone in self.zone_states:
                state = new_states.get(zone, health_rules.STATE_NORMAL)
                size = len(zone_conditions.get(zone, []))
                self.tainters[zone].swap_limiter(health_rules.zone_tainting_qps(state, size), now)
                self.zone_states[zone] = state
            return
        for zone, old_state in list(self.zone_states.items()):
            state = new_states.get(zone, old_state)
            if state == old_state:
                continue
            size = len(zone_conditions.get(zone, []))
            self.tainters[zone].swap_limiter(health_rules.zone_tainting_qps(state, size), now)
            self.zone_states[zone] = state
