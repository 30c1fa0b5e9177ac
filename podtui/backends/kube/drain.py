"""`kubectl drain` over the network (k8s.io/kubectl/pkg/drain/drain.go, cmd/drain/drain.go):
cordon, filter the node's pods with the engine's filters (the same code the simulator's
drain uses), evict them all at once, retry a 429 every 5 s, wait for each to go, and give up
at --timeout. It prints kubectl's lines; unlike the engine's drain, it runs on wall time.

It keeps the progress the engine's `Drain` keeps (engine.disruption.drain), in the same
shape and with the same state names, so the console's drain panel reads either: `state`,
`pods` (one `PodProgress` each: POD_EVICTING, POD_BLOCKED with the budget and the 429's
cause, POD_WAITING, then POD_EVICTED, POD_DELETED, POD_GONE, POD_SKIPPED or POD_FAILED),
`lines` (`DrainLine`s), `warnings`, `started_at`, `finished_at`, `deadline`, `counts()`,
`blocking_budgets()`, `listen()`. Its times are seconds on `now()` (the event loop's
monotonic clock), where the engine's are the simulated clock's. `cancel()` stops it as an
interrupted kubectl stops: no more evictions, the node stays cordoned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from engine.actions import ActionResult
from engine.disruption import drain_filters
from engine.disruption.drain_progress import (
    CANCELLED,
    DEADLINE_EXCEEDED,
    DRAINED,
    EVICT_ERROR_RETRY_DELAY,
    FAILED,
    POD_BLOCKED,
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
    PodProgress,
)
from engine.timeutil import format_go_duration
from podtui.backends.kube.client import KubeAPIError, KubeClient, KubeConnectionError, resource

LineListener = Callable[[DrainLine], None]

_BUDGET = re.compile(r"^The disruption budget (\S+) ")
"""The budget's name in a 429's DisruptionBudget cause (pkg/registry/core/pod/storage/
eviction.go: `The disruption budget %s needs %d healthy pods and has %d currently`)."""


def _aggregate(messages: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]`."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _causes(err: KubeAPIError) -> list[str]:
    details = err.body.get("details") or {}
    return [str(c.get("message", "")) for c in details.get("causes") or () if c.get("message")]


class KubeDrain:
    def __init__(
        self,
        client: KubeClient,
        options: DrainOptions,
        cordon: Callable,
        on_line: Callable[[str], None] | None = None,
        *,
        retry_delay: float = EVICT_ERROR_RETRY_DELAY,
        poll_interval: float = WAIT_FOR_DELETE_INTERVAL,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.options = options
        self.cordon = cordon
        self.retry_delay = retry_delay
        self.poll_interval = poll_interval
        self.wall_now = now
        self.result = ActionResult()
        self.node = options.node
        self.state = RUNNING
        self.lines: list[DrainLine] = []
        self.pods: list[PodProgress] = []
        self.warnings = ""
        self.errors: list[str] = []
        self.started_at = self.now()
        self.finished_at: float | None = None
        self.deadline: float | None = None
        self._listeners: list[LineListener] = []
        if on_line is not None:
            self._listeners.append(lambda line: on_line(line.text))
        self._task: asyncio.Task | None = None
        self._pod_tasks: list[asyncio.Task] = []

    # -- progress (the engine Drain's shape) ------------------------------------------------
    @staticmethod
    def now() -> float:
        """The clock of `started_at`, `since`, `deadline`: the loop's monotonic seconds."""
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return 0.0

    @property
    def done(self) -> bool:
        return self.state != RUNNING

    def listen(self, listener: LineListener) -> Callable[[], None]:
        """Add a line listener; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for progress in self.pods:
            out[progress.state] = out.get(progress.state, 0) + 1
        return out

    def blocking_budgets(self) -> dict[str, list[str]]:
        """Budget name -> pods it is holding up right now."""
        found: dict[str, list[str]] = {}
        for progress in self.pods:
            if progress.state == POD_BLOCKED and progress.blocked_by:
                found.setdefault(progress.blocked_by, []).append(progress.key)
        return found

    def _emit(self, text: str, stream: str = STDOUT) -> None:
        self.lines.append(DrainLine(self.now(), text, stream))
        (self.result.errors if stream == STDERR else self.result.lines).append(text)
        for listener in list(self._listeners):
            listener(self.lines[-1])

    def _finish(self, state: str) -> None:
        if self.done:
            return
        self.state = state
        self.finished_at = self.now()

    # -- running and stopping ----------------------------------------------------------------
    def start(self) -> KubeDrain:
        """Run on the current event loop; `wait()` for the end, `cancel()` to stop."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def wait(self) -> ActionResult:
        if self._task is None:
            self.start()
        assert self._task is not None
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._task)
        return self.result

    async def run(self) -> ActionResult:
        """Start and wait."""
        return await self.start().wait()

    def cancel(self) -> None:
        """Stop like an interrupted kubectl: no more attempts; the node stays cordoned."""
        if self.done:
            return
        self._finish(CANCELLED)
        for task in [*self._pod_tasks, self._task]:
            if task is not None and not task.done():
                task.cancel()

    async def _run(self) -> None:
        try:
            await self._drain()
        except asyncio.CancelledError:
            self._finish(CANCELLED)
        except KubeAPIError as err:
            self._emit(err.kubectl(), STDERR)
            self._finish(FAILED)
        except KubeConnectionError as err:
            self._emit(f"Unable to connect to the server: {err}", STDERR)
            self._finish(FAILED)

    # -- RunDrain ----------------------------------------------------------------------------
    async def _drain(self) -> None:
        cordoned = await self.cordon(self.node)
        for line in cordoned.lines:
            self._emit(line)
        if cordoned.errors:
            for line in cordoned.errors:
                self._emit(line, STDERR)
            self._finish(FAILED)
            return
        listing = await self._pods_for_deletion()
        if listing.errors():
            self._fail_node(listing.errors())
            return
        if listing.warnings():
            self.warnings = listing.warnings()
            self._emit(f"Warning: {self.warnings}", STDERR)
        pods = listing.pods()
        self.pods = [
            PodProgress(
                p["metadata"].get("namespace", ""),
                p["metadata"]["name"],
                p["metadata"].get("uid", ""),
                since=self.now(),
            )
            for p in pods
        ]
        if self.options.timeout > 0:
            self.deadline = self.now() + self.options.timeout
        loop = asyncio.get_running_loop()
        self._pod_tasks = [loop.create_task(self._evict(p)) for p in self.pods]
        try:
            await asyncio.gather(*self._pod_tasks)
        except BaseException:
            for task in self._pod_tasks:
                task.cancel()
            raise
        if self.errors:
            await self._after_errors()
            return
        self._emit(f"node/{self.node} drained")
        self._finish(DRAINED)

    async def _list_pods(self) -> list[dict]:
        query = {"fieldSelector": f"spec.nodeName={self.node}"}
        if self.options.pod_selector:
            query["labelSelector"] = self.options.pod_selector
        answer = await self.client.request("GET", resource("Pod").path(), query=query)
        return answer.get("items") or []

    async def _daemonset_missing(self, namespace: str, name: str) -> str | None:
        try:
            await self.client.request("GET", resource("DaemonSet").path(namespace, name))
        except KubeAPIError as err:
            return err.message if err.status == 404 else None
        return None

    async def _pods_for_deletion(self) -> drain_filters.PodDeleteList:
        pods = await self._list_pods()
        missing: dict[tuple[str, str], str | None] = {}
        for pod in pods:
            for ref in pod["metadata"].get("ownerReferences") or ():
                if ref.get("controller") and ref.get("kind") == "DaemonSet":
                    key = (pod["metadata"].get("namespace", ""), ref["name"])
                    missing[key] = await self._daemonset_missing(*key)
        return drain_filters.pods_for_deletion(
            pods,
            self.options.filter_options(),
            lambda ns, name: missing.get((ns, name)),
            drain_filters.stamp_age(self.wall_now),
        )

    async def _after_errors(self) -> None:
        """deleteOrEvictPodsSimple's ending, then RunDrain's."""
        message = _aggregate(self.errors)
        pending = await self._pods_for_deletion()
        if pending.pods():
            self._emit(
                f"There are pending pods in node {json.dumps(self.node)} when an error occurred: {message}",
                STDERR,
            )
            for pod in pending.pods():
                self._emit(f"pod/{pod['metadata']['name']}", STDERR)
        if pending.errors():
            self._emit(
                "Following errors occurred while getting the list of pods to delete:", STDERR
            )
            self._emit(_aggregate(pending.errors()), STDERR)
        self._fail_node(list(dict.fromkeys(self.errors)))

    def _fail_node(self, errs: list[str]) -> None:
        self.errors = errs
        self._emit(
            f"error: unable to drain node {json.dumps(self.node)} due to error: "
            f"{_aggregate(errs)}, continuing command...",
            STDERR,
        )
        self._emit("There are pending nodes to be drained:", STDERR)
        self._emit(f" {self.node}", STDERR)
        for line in errs:
            self._emit(line, STDERR)
        self._finish(FAILED)

    # -- evictPods, one pod ------------------------------------------------------------------
    def _timed_out(self) -> bool:
        return self.deadline is not None and self.now() >= self.deadline

    def _pod_failed(self, progress: PodProgress, message: str) -> None:
        progress.state = POD_FAILED
        progress.error = message
        progress.reason = message
        progress.since = self.now()
        self.errors.append(message)

    def _pod_done(self, progress: PodProgress, state: str) -> None:
        progress.state = state
        progress.since = self.now()
        if state == POD_EVICTED:
            self._emit(f"pod/{progress.name} {state}")

    async def _evict(self, progress: PodProgress) -> None:
        """evictPods' goroutine for one pod: evict until accepted, then wait for it to go."""
        name, namespace = progress.name, progress.namespace
        quoted = f"pods/{json.dumps(name)} -n {json.dumps(namespace)}"
        path = resource("Pod").path(namespace, name)
        body: dict = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": namespace},
        }
        if self.options.grace_period >= 0:
            body["deleteOptions"] = {"gracePeriodSeconds": self.options.grace_period}
        while True:
            progress.attempts += 1
            progress.state = POD_EVICTING
            self._emit(f"evicting pod {progress.key}")
            if self._timed_out():
                self._pod_failed(
                    progress,
                    f"error when evicting {quoted}: global timeout reached: "
                    f"{format_go_duration(self.options.timeout)}",
                )
                return
            try:
                await self.client.request("POST", path + "/eviction", body=body)
                break
            except KubeAPIError as err:
                if err.status == 404:
                    self._pod_done(progress, POD_GONE)
                    return
                if err.status != 429:
                    self._pod_failed(progress, f"error when evicting {quoted}: {err.message}")
                    return
                self._emit(
                    f"error when evicting {quoted} (will retry after "
                    f"{format_go_duration(EVICT_ERROR_RETRY_DELAY)}): {err.message}",
                    STDERR,
                )
                causes = _causes(err)
                progress.state = POD_BLOCKED
                progress.since = self.now()
                found = next((m for c in causes if (m := _BUDGET.match(c))), None)
                progress.blocked_by = found.group(1) if found else None
                progress.reason = "; ".join(causes) or err.message
            await asyncio.sleep(self.retry_delay)
            # Re-read the pod by name: it may be a new one (kubectl's getPodFn).
            with contextlib.suppress(KubeAPIError):
                fresh = await self.client.request("GET", path)
                progress.uid = fresh["metadata"].get("uid", progress.uid)
        progress.blocked_by = None
        progress.reason = ""
        progress.state = POD_WAITING
        progress.since = self.now()
        await self._wait_for_delete(progress, path)

    async def _wait_for_delete(self, progress: PodProgress, path: str) -> None:
        """waitForDelete: gone, or replaced by a pod of the same name with a new UID."""
        skip = self.options.skip_wait_for_delete_timeout
        while True:
            try:
                live = await self.client.request("GET", path)
            except KubeAPIError as err:
                if err.status != 404:
                    raise
                live = None
            if live is None or live["metadata"].get("uid") != progress.uid:
                self._pod_done(progress, POD_EVICTED)
                return
            if drain_filters.should_skip_pod(live, skip, drain_filters.stamp_age(self.wall_now)):
                self._emit(
                    f"pod {json.dumps(progress.name)} has DeletionTimestamp older than {skip} seconds, skipping"
                )
                progress.state = POD_SKIPPED
                progress.since = self.now()
                return
            if self._timed_out():
                self._pod_failed(
                    progress,
                    f"error when waiting for pod {json.dumps(progress.name)} in namespace "
                    f"{json.dumps(progress.namespace)} to terminate: {DEADLINE_EXCEEDED}",
                )
                return
            delay = self.poll_interval
            if self.deadline is not None:
                delay = max(0.0, min(delay, self.deadline - self.now()))
            await asyncio.sleep(delay)
