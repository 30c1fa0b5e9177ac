"""`kubectl drain NODE` as a long-running engine operation on the simulated clock
(k8s.io/kubectl/pkg/cmd/drain/drain.go and k8s.io/kubectl/pkg/drain/drain.go).

The node is cordoned first and stays cordoned whatever happens next. The node's pods (every
namespace) go through the filters; any refused pod fails the drain before anything is
evicted. Then every pod is evicted at once through the Eviction API: each prints
`evicting pod NS/NAME` before every attempt, a 429 (a budget allows no disruption) is
retried 5 s later with kubectl's line, and an evicted pod is polled every second until it
is gone (or replaced: same name, new UID), when `pod/NAME evicted` is printed. When all
are done the node is `drained`. `--timeout` bounds the whole eviction phase;
`--disable-eviction` deletes instead, bypassing every budget.

Lines go to the `on_line` listeners as they happen, each with its simulated time and the
stream kubectl writes it to.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine import actions
from engine.api import errors
from engine.clock import Timer
from engine.disruption import drain_filters
from engine.disruption.drain_progress import (
    CANCELLED,
    DEADLINE_EXCEEDED,
    DRAINED,
    EVICT_ERROR_RETRY_DELAY,
    FAILED,
    POD_BLOCKED,
    POD_DELETED,
    POD_EVICTED,
    POD_EVICTING,
    POD_FAILED,
    POD_GONE,
    POD_SKIPPED,
    POD_WAITING,
    RUNNING,
    STDERR,
    STDOUT,
    WAIT_FOR_DELETE_INTERVAL,
    DrainLine,
    DrainOptions,
    DrainUsageError,
    PodProgress,
)
from engine.disruption.drain_words import aggregate, failure_lines, pending_lines
from engine.disruption.eviction import EvictionError, evict
from engine.disruption.node_pods import node_pod_index
from engine.labels import SelectorError, parse_selector
from engine.timeutil import format_go_duration

if TYPE_CHECKING:
    from engine.cluster import Cluster

LineListener = Callable[[DrainLine], None]

_DRAINS: weakref.WeakKeyDictionary[Any, list[Drain]] = weakref.WeakKeyDictionary()


def drains_of(cluster: Cluster) -> list[Drain]:
    """Every drain started on this cluster, oldest first (the console's drain panel)."""
    return list(_DRAINS.get(cluster, []))


class Drain:
    """A running `kubectl drain`; `start()` it, then let the clock run."""

    def __init__(
        self, cluster: Cluster, options: DrainOptions, on_line: LineListener | None = None
    ) -> None:
        self.cluster = cluster
        self.options = options
        self.node = options.node
        self.state = RUNNING
        self.lines: list[DrainLine] = []
        self.pods: list[PodProgress] = []
        self.warnings = ""
        self.errors: list[str] = []
        self.started_at = cluster.clock.now
        self.finished_at: float | None = None
        self.deadline: float | None = None
        self._listeners: list[LineListener] = [on_line] if on_line else []
        self._deadline_timer: Timer | None = None
        self._final_lines: list[str] | None = None

    # -- output -----------------------------------------------------------------------------
    def listen(self, listener: LineListener) -> Callable[[], None]:
        """Add a line listener; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, text: str, stream: str = STDOUT) -> None:
        line = DrainLine(self.cluster.clock.now, text, stream)
        self.lines.append(line)
        for listener in list(self._listeners):
            listener(line)

    def _suffix(self) -> str:
        return {"client": " (dry run)", "server": " (server dry run)"}.get(self.options.dry_run, "")

    @property
    def done(self) -> bool:
        return self.state != RUNNING

    # -- the flow ---------------------------------------------------------------------------
    def start(self) -> Drain:
        """RunDrain: cordon, filter, then evict (or delete) every pod at once."""
        _DRAINS.setdefault(self.cluster, []).append(self)
        options = self.options
        if options.pod_selector:
            try:
                parse_selector(options.pod_selector)
            except (SelectorError, ValueError):
                self._emit(
                    "error: --pod-selector=<pod_selector> must be a valid label selector", STDERR
                )
                self._finish(FAILED)
                return self
        node = self.cluster.store.get("Node", "", self.node)
        if node is None:
            self._emit(errors.not_found("nodes", self.node).kubectl(), STDERR)
            self._finish(FAILED)
            return self
        self._cordon(node)
        listing = self._pods_for_deletion()
        errs = listing.errors()
        if errs:
            self._fail_node(errs)
            return self
        if listing.warnings():
            self.warnings = listing.warnings()
            self._emit(f"Warning: {self.warnings}", STDERR)
        pods = listing.pods()
        if options.dry_run == "client":
            for pod in pods:
                meta = pod["metadata"]
                self._emit(f"evicting pod {meta.get('namespace', '')}/{meta['name']} (dry run)")
            self._drained()
            return self
        if not pods:
            self._drained()
            return self
        self.pods = [
            PodProgress(
                p["metadata"].get("namespace", ""),
                p["metadata"]["name"],
                p["metadata"].get("uid", ""),
                since=self.cluster.clock.now,
            )
            for p in pods
        ]
        if options.timeout > 0:
            self.deadline = self.cluster.clock.now + options.timeout
        if options.disable_eviction:
            self._delete_pods()
        else:
            if self.deadline is not None:
                self._deadline_timer = self.cluster.clock.call_at(self.deadline, self._on_deadline)
            for progress in self.pods:
                self._attempt(progress)
        return self

    def cancel(self) -> None:
        """Stop like an interrupted kubectl: no more attempts; the node stays cordoned."""
        if self.done:
            return
        for progress in self.pods:
            if progress._timer is not None:
                progress._timer.cancel()
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        self._finish(CANCELLED)

    def _cordon(self, node: dict) -> None:
        if self.options.dry_run != "none":
            verb = (
                "already cordoned" if (node.get("spec") or {}).get("unschedulable") else "cordoned"
            )
            self._emit(f"node/{self.node} {verb}{self._suffix()}")
            return
        result = actions.cordon(self.cluster, self.node)
        for line in result.lines:
            self._emit(line)
        for line in result.errors:
            self._emit(f"error: unable to cordon node {json.dumps(self.node)}: {line}", STDERR)

    def _pods_for_deletion(self) -> drain_filters.PodDeleteList:
        """GetPodsForDeletion: the node's pods in every namespace, through the filters."""
        selector = parse_selector(self.options.pod_selector) if self.options.pod_selector else None
        pods = [
            pod
            for pod in node_pod_index(self.cluster).pods_on(self.node)
            if selector is None or selector.matches(pod["metadata"].get("labels") or {})
        ]
        return drain_filters.pods_for_deletion(
            pods,
            self.options.filter_options(),
            self._daemonset_missing,
            drain_filters.stamp_age(self.cluster.clock.now_datetime),
        )

    def _daemonset_missing(self, namespace: str, name: str) -> str | None:
        if self.cluster.store.get("DaemonSet", namespace, name) is not None:
            return None
        return errors.not_found("daemonsets.apps", name).message

    # -- evictPods --------------------------------------------------------------------------
    def _timed_out(self) -> bool:
        return self.deadline is not None and self.cluster.clock.now >= self.deadline

    def _attempt(self, progress: PodProgress) -> None:
        """One turn of evictPods' loop for a pod."""
        progress._timer = None
        if self.done:
            return
        progress.attempts += 1
        progress.state = POD_EVICTING
        server_dry_run = self.options.dry_run == "server"
        self._emit(f"evicting pod {progress.key}{self._suffix() if server_dry_run else ''}")
        name, namespace = progress.name, progress.namespace
        if self._timed_out():
            self._pod_failed(
                progress,
                f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)}: "
                f"global timeout reached: {format_go_duration(self.options.timeout)}",
            )
            return
        grace = self.options.grace_period if self.options.grace_period >= 0 else None
        try:
            evict(self.cluster, name, namespace, grace_period=grace, dry_run=server_dry_run)
        except errors.APIError as err:
            if err.code == 404:
                self._pod_done(progress, POD_GONE)
                return
            if err.code == 429:
                self._emit(
                    f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)} "
                    f"(will retry after {format_go_duration(EVICT_ERROR_RETRY_DELAY)}): {err.message}",
                    STDERR,
                )
                progress.state = POD_BLOCKED
                progress.since = self.cluster.clock.now
                if isinstance(err, EvictionError):
                    progress.blocked_by = err.budget_name
                    progress.reason = "; ".join(err.cause_messages) or err.message
                else:
                    progress.reason = err.message
                progress._timer = self.cluster.clock.call_later(
                    EVICT_ERROR_RETRY_DELAY, lambda: self._retry(progress)
                )
                return
            self._pod_failed(
                progress,
                f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)}: {err.message}",
            )
            return
        progress.blocked_by = None
        progress.reason = ""
        if server_dry_run:
            self._pod_done(progress, POD_EVICTED, announce=False)
            return
        progress.state = POD_WAITING
        progress.since = self.cluster.clock.now
        self._poll(progress)

    def _retry(self, progress: PodProgress) -> None:
        """After the 5 s sleep: re-GET the pod by name (it may be a new one) and try again."""
        fresh = self.cluster.store.get("Pod", progress.namespace, progress.name)
        if fresh is not None:
            progress.uid = fresh["metadata"].get("uid", progress.uid)
        self._attempt(progress)

    def _poll(self, progress: PodProgress) -> None:
        """waitForDelete: done when the pod is gone or has a new UID."""
        progress._timer = None
        if self.done:
            return
        live = self.cluster.store.get("Pod", progress.namespace, progress.name)
        if live is None or live["metadata"].get("uid") != progress.uid:
            verb = POD_DELETED if self.options.disable_eviction else POD_EVICTED
            self._pod_done(progress, verb)
            return
        skip = self.options.skip_wait_for_delete_timeout
        if drain_filters.should_skip_pod(
            live, skip, drain_filters.stamp_age(self.cluster.clock.now_datetime)
        ):
            self._emit(
                f"pod {json.dumps(progress.name)} has DeletionTimestamp older than {skip} seconds, skipping"
            )
            self._pod_done(progress, POD_SKIPPED, announce=False)
            return
        progress._timer = self.cluster.clock.call_later(
            WAIT_FOR_DELETE_INTERVAL, lambda: self._poll(progress)
        )

    def _on_deadline(self) -> None:
        """The global timeout: pods still waiting for deletion fail now; those sleeping
        after a 429 fail at their next attempt, as kubectl's loop checks the context there."""
        self._deadline_timer = None
        for progress in self.pods:
            if progress.state == POD_WAITING and not progress.done:
                if progress._timer is not None:
                    progress._timer.cancel()
                    progress._timer = None
                if self.options.disable_eviction:
                    continue
                self._pod_failed(
                    progress,
                    f"error when waiting for pod {json.dumps(progress.name)} in namespace "
                    f"{json.dumps(progress.namespace)} to terminate: {DEADLINE_EXCEEDED}",
                )
        if self.options.disable_eviction and not self.done:
            # deletePods waits for all pods in one poll; its timeout is the whole error.
            for progress in self.pods:
                if not progress.done:
                    progress.state = POD_FAILED
                    progress.error = DEADLINE_EXCEEDED
            self.errors = [DEADLINE_EXCEEDED]
            self._final_lines = [f"error: {DEADLINE_EXCEEDED}"]
            self._after_pods()

    def _pod_done(self, progress: PodProgress, state: str, *, announce: bool = True) -> None:
        progress.state = state
        progress.since = self.cluster.clock.now
        if announce and state in (POD_EVICTED, POD_DELETED):
            self._emit(f"pod/{progress.name} {state}")
        self._check_all_done()

    def _pod_failed(self, progress: PodProgress, message: str) -> None:
        progress.state = POD_FAILED
        progress.error = message
        progress.reason = message
        progress.since = self.cluster.clock.now
        self.errors.append(message)
        self._check_all_done()

    def _check_all_done(self) -> None:
        if not self.done and all(p.done for p in self.pods):
            self._after_pods()

    # -- deletePods (--disable-eviction) ----------------------------------------------------
    def _delete_pods(self) -> None:
        grace = self.options.grace_period if self.options.grace_period >= 0 else None
        dry_run = self.options.dry_run == "server"
        for progress in self.pods:
            try:
                self.cluster.api.delete(
                    "Pod", progress.namespace, progress.name, grace_period=grace, dry_run=dry_run
                )
            except errors.APIError as err:
                if err.code != 404:
                    progress.state = POD_FAILED
                    progress.error = err.message
                    self.errors = [err.message]
                    self._final_lines = [err.kubectl()]
                    self._after_pods()
                    return
        if dry_run:
            for progress in self.pods:
                progress.state = POD_DELETED
            self._after_pods()
            return
        for progress in self.pods:
            progress.state = POD_WAITING
        if self.deadline is not None:
            self._deadline_timer = self.cluster.clock.call_at(self.deadline, self._on_deadline)
        for progress in self.pods:
            self._poll(progress)

    # -- the end ----------------------------------------------------------------------------
    def _after_pods(self) -> None:
        """deleteOrEvictPodsSimple's ending, then RunDrain's."""
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None
        if not self.errors:
            self._drained()
            return
        message = aggregate(self.errors)
        pending = self._pods_for_deletion()
        for line in pending_lines(self.node, message, pending.pods(), pending.errors()):
            self._emit(line, STDERR)
        self._fail_node(list(dict.fromkeys(self.errors)), self._final_lines)

    def _fail_node(self, errs: list[str], final_lines: list[str] | None = None) -> None:
        """RunDrain's failure path (drain_words.failure_lines)."""
        self.errors = errs
        for line in failure_lines(self.node, errs, final_lines):
            self._emit(line, STDERR)
        self._finish(FAILED)

    def _drained(self) -> None:
        self._emit(f"node/{self.node} drained{self._suffix()}")
        self._finish(DRAINED)

    def _finish(self, state: str) -> None:
        self.state = state
        self.finished_at = self.cluster.clock.now

    # -- for the console --------------------------------------------------------------------
    def blocking_budgets(self) -> dict[str, list[str]]:
        """Budget name -> pods it is holding up right now."""
        found: dict[str, list[str]] = {}
        for progress in self.pods:
            if progress.state == POD_BLOCKED and progress.blocked_by:
                found.setdefault(progress.blocked_by, []).append(progress.key)
        return found

    def counts(self) -> dict[str, int]:
        """How many pods are in each state."""
        out: dict[str, int] = {}
        for progress in self.pods:
            out[progress.state] = out.get(progress.state, 0) + 1
        return out


def drain(cluster: Cluster, options: DrainOptions, on_line: LineListener | None = None) -> Drain:
    """Start `kubectl drain` on the cluster; the returned Drain runs on the clock."""
    return Drain(cluster, options, on_line).start()


def cancel_drains(cluster: Cluster, node: str) -> actions.ActionResult:
    """Interrupt every running `kubectl drain NODE` (its Ctrl-C): no more evictions, the
    node stays cordoned. The `cancelDrain` scenario step and the console's stop-drain key."""
    result = actions.ActionResult()
    running = [run for run in drains_of(cluster) if run.node == node and not run.done]
    if not running:
        result.errors.append(f"error: no drain of node/{node} is running")
        return result
    for run in running:
        run.cancel()
    result.lines.append(f"drain of node/{node} stopped; the node stays cordoned")
    return result


__all__ = [
    "CANCELLED",
    "DEADLINE_EXCEEDED",
    "DRAINED",
    "EVICT_ERROR_RETRY_DELAY",
    "FAILED",
    "POD_BLOCKED",
    "POD_DELETED",
    "POD_EVICTED",
    "POD_EVICTING",
    "POD_FAILED",
    "POD_GONE",
    "POD_SKIPPED",
    "POD_WAITING",
    "RUNNING",
    "STDERR",
    "STDOUT",
    "WAIT_FOR_DELETE_INTERVAL",
    "Drain",
    "DrainLine",
    "DrainOptions",
    "DrainUsageError",
    "LineListener",
    "PodProgress",
    "cancel_drains",
    "drain",
    "drains_of",
]
