"""The default scheduler's Filter plugins and their reason strings.

Order and texts from pkg/scheduler/apis/config/v1/default_plugins.go and
pkg/scheduler/framework/plugins/{nodeunschedulable,nodename,tainttoleration,nodeaffinity,
nodeports,noderesources}. A node is rejected by the first plugin that fails; that plugin
gives its reasons (NodeResourcesFit can give several). Facts about the pod are computed
once per pod shape (`PodFacts`, shared by replicas), so checking a node stays cheap.

Not modelled (no such objects in podtui yet): volumes, PodTopologySpread, InterPodAffinity.
There is no node-condition filter: current schedulers see NotReady/unreachable nodes
through the node.kubernetes.io/not-ready and /unreachable NoSchedule taints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from engine.labels import (
    OBJECT_NAME_FIELD,
    NodeSelector,
    PreferredSchedulingTerms,
    Selector,
    selector_from_set,
)
from engine.scheduler.nodeinfo import (
    NodeInfo,
    PodResources,
    host_port_conflicts,
    pod_host_ports,
    pod_resources,
    spec_key,
)
from engine.tolerations import NO_SCHEDULE, TAINT_NODE_UNSCHEDULABLE, tolerations_tolerate_taint

ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name"
# Since kubernetes#134740 (1.35, cherry-picked to release-1.34 by #135023) the taint is
# no longer named; before, `node(s) had untolerated taint {key: value}`. unverified:
# whether 1.32/1.33 patch releases also got the change.
ERR_REASON_UNTOLERATED_TAINT = "node(s) had untolerated taint(s)"
ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_AFFINITY_CONFLICT = "pod affinity terms conflict"
ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"
ERR_REASON_TOO_MANY_PODS = "Too many pods"
# Nodes a PreFilter result excluded (NodeAffinity's matchFields metadata.name).
ERR_REASON_PREFILTER_NODE_AFFINITY = "node(s) didn't satisfy plugin(s) [NodeAffinity]"


def insufficient(resource: str) -> str:
    """NodeResourcesFit's reason for one resource: `Insufficient cpu`."""
    return f"Insufficient {resource}"


class NodeStatus(NamedTuple):
    """Why a node was rejected. `unresolvable` is UnschedulableAndUnresolvable: evicting
    pods from the node (preemption) could not help."""

    reasons: tuple[str, ...]
    unresolvable: bool


UNSCHEDULABLE = NodeStatus((ERR_REASON_UNSCHEDULABLE,), True)
NODE_NAME_MISMATCH = NodeStatus((ERR_REASON_NODE_NAME,), True)
UNTOLERATED_TAINT = NodeStatus((ERR_REASON_UNTOLERATED_TAINT,), True)
NODE_AFFINITY_MISMATCH = NodeStatus((ERR_REASON_NODE_AFFINITY,), True)
NODE_PORTS_IN_USE = NodeStatus((ERR_REASON_NODE_PORTS,), False)

_UNSCHEDULABLE_TAINT = {"key": TAINT_NODE_UNSCHEDULABLE, "effect": NO_SCHEDULE}


def _affinity_node_names(required: Mapping[str, Any] | None) -> set[str] | None:
    """NodeAffinity PreFilter: the only nodes the required terms can match, from
    `matchFields: metadata.name In [...]` in every term; None means any node."""
    terms = (required or {}).get("nodeSelectorTerms") or []
    if not terms:
        return None
    names: set[str] | None = None
    for term in terms:
        term_names: set[str] | None = None
        for req in term.get("matchFields") or ():
            if req.get("key") == OBJECT_NAME_FIELD and req.get("operator") == "In":
                values = set(req.get("values") or ())
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None  # this term can match any node, and terms are ORed
        names = term_names if names is None else names | term_names
    return names


def pod_signature(spec: Mapping[str, Any]) -> bytes:
    """Everything in a pod spec the filters and scores read, as one comparable key:
    two pods with the same signature get the same answer from every node."""
    affinity = spec.get("affinity") or {}
    return spec_key(
        (
            [(c.get("resources"), c.get("ports")) for c in spec.get("containers") or ()],
            [
                (c.get("resources"), c.get("ports"), c.get("restartPolicy"))
                for c in spec.get("initContainers") or ()
            ],
            spec.get("resources"),
            spec.get("overhead"),
            spec.get("nodeName"),
            spec.get("nodeSelector"),
            affinity.get("nodeAffinity"),
            spec.get("tolerations"),
            spec.get("preemptionPolicy"),
        )
    )


class PodFacts:
    """What the filters and scores need from a pod, computed once per pod shape."""

    __slots__ = (
        "_tolerated",
        "host_ports",
        "node_name",
        "node_selector",
        "preemption_never",
        "preferred",
        "prefilter_node_names",
        "prefilter_reject",
        "required_affinity",
        "resources",
        "signature",
        "tolerates_unschedulable",
        "tolerations",
    )

    def __init__(self, pod: Mapping[str, Any], signature: bytes | None = None) -> None:
        spec = pod.get("spec") or {}
        self.signature = signature if signature is not None else pod_signature(spec)
        self.node_name: str = spec.get("nodeName") or ""
        self.tolerations: list = list(spec.get("tolerations") or ())
        self.tolerates_unschedulable = tolerations_tolerate_taint(
            self.tolerations, _UNSCHEDULABLE_TAINT
        )
        self._tolerated: dict[tuple, bool] = {}
        node_selector = spec.get("nodeSelector")
        self.node_selector: Selector | None = (
            selector_from_set(node_selector) if node_selector is not None else None
        )
        node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_affinity = NodeSelector(required) if required is not None else None
        preferred = node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution")
        self.preferred = PreferredSchedulingTerms(preferred) if preferred is not None else None
        self.prefilter_node_names = _affinity_node_names(required)
        self.prefilter_reject = (
            ERR_REASON_AFFINITY_CONFLICT if self.prefilter_node_names == set() else None
        )
        self.host_ports = pod_host_ports(pod)
        self.resources: PodResources = pod_resources(pod)
        self.preemption_never = spec.get("preemptionPolicy") == "Never"

    def tolerates(self, taint: Mapping[str, Any]) -> bool:
        """Whether the pod tolerates a taint (memoised: nodes share their taints)."""
        key = (taint.get("key"), taint.get("value"), taint.get("effect"))
        answer = self._tolerated.get(key)
        if answer is None:
            answer = self._tolerated[key] = tolerations_tolerate_taint(self.tolerations, taint)
        return answer


FACTS_MEMO_LIMIT = 4096
"""A memo keyed by everything PodFacts reads: past this many shapes it starts over."""
_FACTS_MEMO: dict[bytes, PodFacts] = {}


def pod_facts(pod: Mapping[str, Any]) -> PodFacts:
    """PodFacts for the pod, shared by every pod of the same shape (replicas)."""
    signature = pod_signature(pod.get("spec") or {})
    facts = _FACTS_MEMO.get(signature)
    if facts is None:
        if len(_FACTS_MEMO) >= FACTS_MEMO_LIMIT:
            _FACTS_MEMO.clear()
        facts = _FACTS_MEMO[signature] = PodFacts(pod, signature)
    return facts


# -- the plugins, in the default profile's order -----------------------------------------


def node_unschedulable(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """A cordoned node takes only pods tolerating node.kubernetes.io/unschedulable:NoSchedule."""
    if info.unschedulable and not facts.tolerates_unschedulable:
        return UNSCHEDULABLE
    return None


def node_name(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """spec.nodeName, when set, names the only node that fits."""
    if facts.node_name and facts.node_name != info.name:
        return NODE_NAME_MISMATCH
    return None


def taint_toleration(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """Every NoSchedule/NoExecute taint must be tolerated (PreferNoSchedule only scores)."""
    for taint in info.hard_taints:
        if not facts.tolerates(taint):
            return UNTOLERATED_TAINT
    return None


def node_affinity(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """nodeSelector labels and required node affinity terms (ORed) must match."""
    if facts.node_selector is not None and not facts.node_selector.matches(info.labels):
        return NODE_AFFINITY_MISMATCH
    required = facts.required_affinity
    if required is not None and not required.matches_labels(info.labels, info.name):
        return NODE_AFFINITY_MISMATCH
    return None


def node_ports(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """A wanted (protocol, hostIP, hostPort) must not be in use on the node."""
    if facts.host_ports and info.used_host_ports:
        used = info.used_host_ports
        for protocol, ip, port in facts.host_ports:
            if host_port_conflicts(used, protocol, ip, port):
                return NODE_PORTS_IN_USE
    return None


def node_resources_fit(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """Requests (not limits) against allocatable minus what the node's pods request."""
    res = facts.resources
    reasons = []
    if info.pod_count + 1 > info.allowed_pod_number:
        reasons.append(ERR_REASON_TOO_MANY_PODS)
    if not res.is_zero():
        cpu = res.milli_cpu
        if cpu > 0 and cpu > info.allocatable_milli_cpu - info.requested_milli_cpu:
            reasons.append("Insufficient cpu")
        memory = res.memory
        if memory > 0 and memory > info.allocatable_memory - info.requested_memory:
            reasons.append("Insufficient memory")
        storage = res.ephemeral_storage
        if storage > 0 and storage > (
            info.allocatable_ephemeral_storage - info.requested_ephemeral_storage
        ):
            reasons.append("Insufficient ephemeral-storage")
        for name, amount in res.scalar:
            free = info.allocatable_scalar.get(name, 0) - info.requested_scalar.get(name, 0)
            if amount > 0 and amount > free:
                reasons.append(insufficient(name))
    return NodeStatus(tuple(reasons), False) if reasons else None


FILTERS = (
    node_unschedulable,
    node_name,
    taint_toleration,
    node_affinity,
    node_ports,
    node_resources_fit,
)


def run_filters(facts: PodFacts, info: NodeInfo) -> NodeStatus | None:
    """The first failing plugin's status, or None when the node fits."""
    for plugin in FILTERS:
        status = plugin(facts, info)
        if status is not None:
            return status
    return None


def filter_node(pod: Mapping[str, Any], info: NodeInfo) -> list[str]:
    """Reasons the node cannot take the pod (histogram strings); empty when it fits.

    A node the pod's NodeAffinity PreFilter leaves out reports
    `node(s) didn't satisfy plugin(s) [NodeAffinity]`, as it is counted in the FitError.
    """
    facts = pod_facts(pod)
    if facts.prefilter_reject is not None:
        return [facts.prefilter_reject]
    names = facts.prefilter_node_names
    if names is not None and info.name not in names:
        return [ERR_REASON_PREFILTER_NODE_AFFINITY]
    status = run_filters(facts, info)
    return list(status.reasons) if status is not None else []
