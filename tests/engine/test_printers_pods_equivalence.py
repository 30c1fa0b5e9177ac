"""The pod printer's fast path prints exactly what printPod's step-by-step version printed.

The reference below is engine/printers/pods.py as it was before the row function was made
cheaper (commit 241858d), kept verbatim apart from its class name; hypothesis generates
pods of every shape (init containers, sidecars, waiting / terminated / running states,
restarts with finish times, deletion, readiness gates) and the two must agree cell for cell,
at one `now` for a whole page (as a Table page asks) and across several.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.printers import PodPrinter
from engine.printers.duration import human_duration, parse_timestamp
from engine.printers.registry import Column

NOW = datetime(2025, 1, 3, 12, 0, tzinfo=UTC)


def _reference_since(timestamp: object, now: datetime) -> str:
    """duration.since before its per-`now` memo."""
    moment = parse_timestamp(timestamp)
    if moment is None:
        return "<unknown>"
    return human_duration((now - moment).total_seconds())


since = _reference_since

# ---- reference: engine/printers/pods.py at 241858d ----------------------------------------

# pkg/util/node: the reason the legacy node controller wrote on pods of a lost node.
NODE_UNREACHABLE_POD_REASON = "NodeLost"
SCHEDULING_GATED = "SchedulingGated"
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class PodSummary:
    """What printPod works out for one pod, before it becomes text."""

    ready: int
    total: int
    reason: str  # the STATUS column
    restarts: int
    last_restart: datetime | None  # newest lastState.terminated.finishedAt counted


def _is_sidecar(container: dict | None) -> bool:
    """podutil.IsRestartableInitContainer: an init container with restartPolicy Always."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(pod: dict, condition_type: str) -> bool:
    """The first condition of this type is True (isPodInitializedConditionTrue)."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


def _has_ready_condition(pod: dict) -> bool:
    """hasPodReadyCondition: any Ready condition that is True."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _last_finished(status: dict) -> datetime | None:
    terminated = (status.get("lastState") or {}).get("terminated")
    if terminated is None:
        return None
    return parse_timestamp(terminated.get("finishedAt"))


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    if current is None or candidate > current:
        return candidate
    return current


def _terminated_reason(terminated: dict, prefix: str = "") -> str:
    """Reason, else `Signal:N`, else `ExitCode:N` (signal is never set by the kubelet)."""
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def summarize_pod(pod: dict) -> PodSummary:
    """printPod's arithmetic: ready/total containers, the STATUS reason and restarts."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    init_specs = spec.get("initContainers") or []
    init_by_name = {c.get("name"): c for c in init_specs}

    total = len(spec.get("containers") or []) + sum(1 for c in init_specs if _is_sidecar(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None

    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == SCHEDULING_GATED:
            reason = SCHEDULING_GATED

    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses") or []):
        restarts += container.get("restartCount", 0)
        finished = _last_finished(container)
        last_restart = _later(last_restart, finished)
        sidecar = _is_sidecar(init_by_name.get(container.get("name")))
        if sidecar:
            sidecar_restarts += container.get("restartCount", 0)
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if sidecar and container.get("started") is True:
            if container.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, prefix="Init:")
        elif waiting is not None and waiting.get("reason") not in (None, "", "PodInitializing"):
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(pod, "Initialized"):
        # Restarts of init containers that ran to completion no longer count.
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        error_reason = ""
        # Backwards, so that the first container's reason is the one left standing.
        for container in reversed(status.get("containerStatuses") or []):
            restarts += container.get("restartCount", 0)
            last_restart = _later(last_restart, _last_finished(container))
            state = container.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
                if terminated.get("exitCode", 0) != 0:
                    error_reason = reason
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed":
            if has_running and _has_ready_condition(pod):
                reason = "Running"
            elif error_reason:
                reason = error_reason
            elif has_running:
                reason = "NotReady"

    deleting = (pod.get("metadata") or {}).get("deletionTimestamp") is not None
    if deleting and status.get("reason") == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif deleting and phase not in TERMINAL_PHASES:
        reason = "Terminating"

    return PodSummary(ready, total, reason, restarts, last_restart)


def pod_status_reason(pod: dict) -> str:
    """The STATUS column: `Running`, `Init:0/2`, `CrashLoopBackOff`, `Terminating`, ..."""
    return summarize_pod(pod).reason


def pod_ready(pod: dict) -> tuple[int, int]:
    """The READY column as (ready, total); sidecars count in both."""
    summary = summarize_pod(pod)
    return summary.ready, summary.total


def format_restarts(summary: PodSummary, now: datetime) -> str:
    """`N`, or `N (Xs ago)` when the newest counted restart has a finish time."""
    if summary.restarts == 0 or summary.last_restart is None:
        return str(summary.restarts)
    ago = human_duration((now - summary.last_restart).total_seconds())
    return f"{summary.restarts} ({ago} ago)"


def pod_restarts(pod: dict, now: datetime) -> str:
    """The RESTARTS column: `0`, `3`, `3 (10s ago)`."""
    return format_restarts(summarize_pod(pod), now)


def pod_ip(pod: dict) -> str:
    """First of status.podIPs (or status.podIP, as the v1 conversion fills it), `<none>`."""
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    ip = ips[0].get("ip", "") if ips else status.get("podIP", "")
    return ip or "<none>"


def readiness_gates(pod: dict) -> str:
    """READINESS GATES: `<none>`, else how many gate conditions are True of how many gates."""
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = (pod.get("status") or {}).get("conditions") or []
    true_count = 0
    for gate in gates:
        for condition in conditions:
            if condition.get("type") == gate.get("conditionType"):
                if condition.get("status") == "True":
                    true_count += 1
                break
    return f"{true_count}/{len(gates)}"


class ReferencePodPrinter:
    """kubectl get pods: NAME READY STATUS RESTARTS AGE; wide: IP NODE NOMINATED NODE ..."""

    columns = [
        Column("NAME", format="name"),
        Column("READY"),
        Column("STATUS"),
        Column("RESTARTS"),
        Column("AGE"),
        Column("IP", priority=1),
        Column("NODE", priority=1),
        Column("NOMINATED NODE", priority=1),
        Column("READINESS GATES", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        summary = summarize_pod(obj)
        return [
            meta.get("name", ""),
            f"{summary.ready}/{summary.total}",
            summary.reason,
            format_restarts(summary, now),
            since(meta.get("creationTimestamp"), now),
            pod_ip(obj),
            spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            readiness_gates(obj),
        ]


# ---- generated pods ------------------------------------------------------------------------

OFFSETS = st.sampled_from([-3, -2, -1, 0, 1, 59, 60, 119, 120, 599, 3599, 10799, 28799, 172799,
                           691199, 63071999, 252287999, 300000000])


@st.composite
def stamps(draw) -> str | None:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([None, ""]))
    seconds = draw(OFFSETS) + draw(st.integers(0, 3))
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _maybe(draw, key: str, strategy, into: dict) -> None:
    if draw(st.booleans()):
        into[key] = draw(strategy)


@st.composite
def terminated(draw) -> dict:
    out: dict = {}
    _maybe(draw, "exitCode", st.sampled_from([0, 1, 2, 137, 143]), out)
    _maybe(draw, "reason", st.sampled_from(["", "Completed", "Error", "OOMKilled"]), out)
    _maybe(draw, "signal", st.sampled_from([0, 9, 15]), out)
    _maybe(draw, "finishedAt", stamps(), out)
    return out


@st.composite
def state(draw) -> dict:
    kind = draw(st.sampled_from(["running", "waiting", "terminated", "none", "empty"]))
    if kind == "running":
        return {"running": {"startedAt": draw(stamps())}}
    if kind == "waiting":
        reasons = ["", "PodInitializing", "CrashLoopBackOff", "ContainerCreating", "ErrImagePull"]
        waiting: dict = {}
        _maybe(draw, "reason", st.sampled_from(reasons), waiting)
        return {"waiting": waiting}
    if kind == "terminated":
        return {"terminated": draw(terminated())}
    return {} if kind == "empty" else None


@st.composite
def container_status(draw, names: list[str]) -> dict:
    out: dict = {"name": draw(st.sampled_from(names))}
    _maybe(draw, "restartCount", st.integers(0, 30), out)
    _maybe(draw, "ready", st.booleans(), out)
    _maybe(draw, "started", st.sampled_from([True, False, None]), out)
    _maybe(draw, "state", state(), out)
    _maybe(draw, "lastState", st.one_of(st.just({}), terminated().map(lambda t: {"terminated": t})), out)
    return out


CONDITION_TYPES = ["Initialized", "Ready", "ContainersReady", "PodScheduled", "example.com/lb",
                   "example.com/gate"]


@st.composite
def condition(draw) -> dict:
    out = {"type": draw(st.sampled_from(CONDITION_TYPES)),
           "status": draw(st.sampled_from(["True", "False", "Unknown"]))}
    _maybe(draw, "reason", st.sampled_from(["SchedulingGated", "Unschedulable", ""]), out)
    return out


@st.composite
def pods(draw) -> dict:
    names = [f"c{i}" for i in range(draw(st.integers(0, 3)))]
    init_names = [f"i{i}" for i in range(draw(st.integers(0, 3)))]
    spec: dict = {}
    if names or draw(st.booleans()):
        spec["containers"] = [{"name": n} for n in names]
    if init_names:
        spec["initContainers"] = [
            {"name": n, **({"restartPolicy": "Always"} if draw(st.booleans()) else {})}
            for n in init_names
        ]
    _maybe(draw, "nodeName", st.sampled_from(["", "node-1"]), spec)
    _maybe(draw, "readinessGates", st.lists(
        st.sampled_from(["example.com/lb", "example.com/gate", "example.com/none"]).map(
            lambda t: {"conditionType": t}), max_size=3), spec)
    status: dict = {}
    _maybe(draw, "phase", st.sampled_from(["Pending", "Running", "Succeeded", "Failed",
                                           "Unknown", "Completed"]), status)
    _maybe(draw, "reason", st.sampled_from(["", "NodeLost", "Evicted", "Completed"]), status)
    _maybe(draw, "conditions", st.lists(condition(), max_size=5), status)
    if init_names or draw(st.booleans()):
        _maybe(draw, "initContainerStatuses",
               st.lists(container_status(init_names or ["x"]), max_size=3), status)
    _maybe(draw, "containerStatuses", st.lists(container_status(names or ["x"]), max_size=3),
           status)
    _maybe(draw, "podIP", st.sampled_from(["", "10.0.0.1"]), status)
    _maybe(draw, "podIPs", st.lists(st.sampled_from([{"ip": "10.0.0.2"}, {}, {"ip": ""}]),
                                    max_size=2), status)
    _maybe(draw, "nominatedNodeName", st.sampled_from(["", "node-2"]), status)
    meta: dict = {}
    _maybe(draw, "name", st.sampled_from(["web-0", ""]), meta)
    _maybe(draw, "creationTimestamp", stamps(), meta)
    if draw(st.booleans()):
        meta["deletionTimestamp"] = draw(stamps())
    pod: dict = {"kind": "Pod"}
    for key, value in (("metadata", meta), ("spec", spec), ("status", status)):
        if value or draw(st.booleans()):
            pod[key] = value if value or draw(st.booleans()) else None
    return pod


NOWS = st.sampled_from([NOW, NOW + timedelta(seconds=1), NOW + timedelta(microseconds=999_999),
                        NOW - timedelta(seconds=2), NOW + timedelta(days=400)])


# Twice the profile's examples (tests/conftest.py: 50 by default, 200 in CI, 2,000 with
# HYPOTHESIS_PROFILE=thorough): the pages are small and the space of pod shapes is large.
EXAMPLES = 2 * settings.default.max_examples


@settings(max_examples=EXAMPLES, deadline=None)
@given(page=st.lists(pods(), min_size=1, max_size=8), nows=st.lists(NOWS, min_size=1, max_size=3))
def test_pod_rows_match_the_reference_printer(page: list[dict], nows: list[datetime]) -> None:
    new, old = PodPrinter(), ReferencePodPrinter()
    for now in nows:
        for pod in page:
            assert new.row(pod, now) == old.row(pod, now)


@settings(max_examples=EXAMPLES, deadline=None)
@given(pod=pods())
def test_summarize_pod_matches_the_reference(pod: dict) -> None:
    from engine.printers import summarize_pod as fast_summarize

    assert astuple(fast_summarize(pod)) == astuple(summarize_pod(pod))
