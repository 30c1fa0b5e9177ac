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
from collections.abc import Callable
from datetime import UTC, datetime

from engine.actions import ActionResult
from engine.disruption import drain_filters
from engine.disruption.drain_progress import (
    CANCELLED,
    DRAINED,
    EVICT_ERROR_RETRY_DELAY,
    FAILED,
    POD_BLOCKED,
    POD_DELETED,
    POD_EVICTED,
    POD_FAILED,
    RUNNING,
    STDERR,
    STDOUT,
    WAIT_FOR_DELETE_INTERVAL,
    DrainLine,
    DrainOptions,
    PodProgress,
)
from engine.disruption.drain_words import aggregate, failure_lines, pending_lines
from podtui.backends.kube.client import KubeAPIError, KubeClient, KubeConnectionError, resource
from podtui.backends.kube.drain_pods import delete_pods, evict_pod

LineListener = Callable[[DrainLine], None]


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
        self.final_lines: list[str] | None = None
        """What deletePods' error prints in place of the aggregate (`error: ...`)."""

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
        try:
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            # The drain cancelled before it began; a waiter that is itself cancelled
            # must hear of it.
            if not self._task.cancelled():
                raise
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
    def suffix(self) -> str:
        return {"client": " (dry run)", "server": " (server dry run)"}.get(self.options.dry_run, "")

    async def _cordon(self) -> bool:
        """RunCordonOrUncordon; a dry run only says what it would do."""
        if self.options.dry_run == "none":
            cordoned = await self.cordon(self.node)
            for line in cordoned.lines:
                self._emit(line)
            for line in cordoned.errors:
                self._emit(line, STDERR)
            return not cordoned.errors
        node = await self.client.request("GET", resource("Node").path(None, self.node))
        verb = "already cordoned" if (node.get("spec") or {}).get("unschedulable") else "cordoned"
        self._emit(f"node/{self.node} {verb}{self.suffix()}")
        return True

    async def _drain(self) -> None:
        if not await self._cordon():
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
        if self.options.dry_run == "client":
            for pod in pods:
                meta = pod["metadata"]
                self._emit(f"evicting pod {meta.get('namespace', '')}/{meta['name']} (dry run)")
            self._drained()
            return
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
        if self.options.disable_eviction:
            await delete_pods(self)
        else:
            loop = asyncio.get_running_loop()
            self._pod_tasks = [loop.create_task(evict_pod(self, p)) for p in self.pods]
            try:
                await asyncio.gather(*self._pod_tasks)
            except BaseException:
                for task in self._pod_tasks:
                    task.cancel()
                raise
        if self.errors:
            await self._after_errors()
            return
        self._drained()

    def _drained(self) -> None:
        self._emit(f"node/{self.node} drained{self.suffix()}")
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
        message = aggregate(self.errors)
        pending = await self._pods_for_deletion()
        for line in pending_lines(self.node, message, pending.pods(), pending.errors()):
            self._emit(line, STDERR)
        self._fail_node(list(dict.fromkeys(self.errors)), self.final_lines)

    def _fail_node(self, errs: list[str], final_lines: list[str] | None = None) -> None:
        """RunDrain's failure path (drain_words.failure_lines)."""
        self.errors = errs
        for line in failure_lines(self.node, errs, final_lines):
            self._emit(line, STDERR)
        self._finish(FAILED)

    # -- for the pod flows (kube/drain_pods.py) ----------------------------------------------
    def timed_out(self) -> bool:
        return self.deadline is not None and self.now() >= self.deadline

    def pod_failed(self, progress: PodProgress, message: str) -> None:
        progress.state = POD_FAILED
        progress.error = message
        progress.reason = message
        progress.since = self.now()
        self.errors.append(message)

    def pod_done(self, progress: PodProgress, state: str, *, announce: bool = True) -> None:
        progress.state = state
        progress.since = self.now()
        if announce and state in (POD_EVICTED, POD_DELETED):
            self._emit(f"pod/{progress.name} {state}")

    def emit(self, text: str, stream: str = STDOUT) -> None:
        self._emit(text, stream)
