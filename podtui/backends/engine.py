"""The simulated cluster in this process as a Backend: a thin layer over engine.actions.

Reads come straight from the store, the change feed is the store's, and each verb is the
engine action a key press, a `:` command and a scenario step already share. The engine
runs on the console's clock, so everything a simulator can do is available.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime

from engine import actions
from engine.actions import ActionResult
from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.api.kinds import kind_info, lookup
from engine.apply import apply_object
from engine.cluster import Cluster
from engine.describe import describe
from engine.disruption.drain import Drain, drains_of
from engine.disruption.drain import drain as start_drain
from engine.disruption.drain_progress import DrainOptions
from engine.disruption.eviction import evict_action
from engine.rest.managed_fields import server_side_apply
from engine.rest.patch import strategic_merge_patch
from engine.workloads import actions as workload_actions
from podtui.backends.base import (
    Backend,
    Capability,
    ChangeListener,
    Connection,
    ConnectionState,
)

# How often an awaited drain looks at its state: the console's clock moves it, not this.
DRAIN_POLL_SECONDS = 0.05


class EngineBackend(Backend):
    inline = True

    def __init__(self, cluster: Cluster, *, user: UserInfo = ADMIN) -> None:
        self.cluster = cluster
        self.user = user
        """Who the verbs act as (`podtui --as`): admission judges them as this user."""

    # -- reading ------------------------------------------------------------------------------
    def objects(self, kind: str, namespace: str | None = None) -> list[dict]:
        return self.cluster.store.list(kind, namespace)

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.cluster.store.get(kind, namespace, name)

    def watch(self, listener: ChangeListener, kinds: Iterable[str] | None) -> Callable[[], None]:
        # The store's Change has the feed's shape (type, kind, obj): handed on as it is,
        # no copy per change (a tick of 10,000 pods is 10,000 changes).
        return self.cluster.watch(listener, None if kinds is None else set(kinds))  # type: ignore[arg-type]

    @property
    def connection(self) -> Connection:
        return Connection(ConnectionState.CONNECTED)

    def capability(self, name: str) -> Capability:
        return Capability(name, True)

    def simulator(self, capability: str) -> Cluster:
        return self.cluster

    def current_time(self) -> datetime:
        return self.cluster.now_datetime()

    def elapsed(self) -> float:
        return self.cluster.now

    async def describe(self, kind: str, namespace: str, name: str) -> str:
        obj = self.get(kind, namespace, name)
        if obj is None:
            info = kind_info(kind)
            raise errors.not_found(info.resource if info else kind.lower(), name)
        return describe(self.cluster, obj)

    async def logs(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        previous: bool = False,
        follow: bool = False,
        timestamps: bool = False,
        since: float | None = None,
    ) -> AsyncIterator[str]:
        seen = 0
        while True:
            lines = self.cluster.logs(
                namespace, pod, container, previous, timestamps=timestamps, since=since
            )
            for line in lines[seen:]:
                yield line
            seen = len(lines)
            if not follow or self.cluster.store.get("Pod", namespace, pod) is None:
                return
            await asyncio.sleep(DRAIN_POLL_SECONDS)

    # -- verbs --------------------------------------------------------------------------------
    async def delete(
        self,
        target: str,
        *,
        namespace: str = "default",
        grace_period: int | None = None,
        cascade: str = "background",
        force: bool = False,
        api_version: str = "",
    ) -> ActionResult:
        return actions.delete(
            self.cluster,
            target,
            namespace=namespace,
            grace_period=grace_period,
            cascade=cascade,
            force=force,
            user=self.user,
            api_version=api_version,
        )

    async def evict(self, pod: str, *, namespace: str = "default") -> ActionResult:
        return evict_action(self.cluster, pod, namespace=namespace, user=self.user)

    async def cordon(self, node: str) -> ActionResult:
        return actions.cordon(self.cluster, node, user=self.user)

    async def uncordon(self, node: str) -> ActionResult:
        return actions.uncordon(self.cluster, node, user=self.user)

    async def drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> ActionResult:
        """The engine's drain runs on the simulated clock; this waits for it to finish."""
        running = start_drain(
            self.cluster, options, (lambda line: on_line(line.text)) if on_line else None
        )
        while not running.done:
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        result = ActionResult()
        result.lines = [line.text for line in running.lines if line.stream != "stderr"]
        result.errors = [line.text for line in running.lines if line.stream == "stderr"]
        return result

    def start_drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> Drain:
        """The engine's drain, started: it runs on the simulated clock."""
        return start_drain(
            self.cluster, options, (lambda line: on_line(line.text)) if on_line else None
        )

    def drains(self) -> list[Drain]:
        return drains_of(self.cluster)

    async def scale(
        self, target: str, replicas: int, *, namespace: str = "default"
    ) -> ActionResult:
        return workload_actions.scale(
            self.cluster, target, replicas, namespace=namespace, user=self.user
        )

    async def rollout_restart(self, target: str, *, namespace: str = "default") -> ActionResult:
        return workload_actions.rollout_restart(
            self.cluster, target, namespace=namespace, user=self.user
        )

    async def rollout_undo(
        self, target: str, *, to_revision: int = 0, namespace: str = "default"
    ) -> ActionResult:
        return workload_actions.rollout_undo(
            self.cluster, target, to_revision=to_revision, namespace=namespace, user=self.user
        )

    async def set_image(
        self, target: str, image: str, *, container: str = "*", namespace: str = "default"
    ) -> ActionResult:
        return workload_actions.set_image(
            self.cluster, target, image, container=container, namespace=namespace, user=self.user
        )

    async def replace(self, obj: dict) -> ActionResult:
        result = ActionResult()
        try:
            outcome = self.cluster.api.update(copy.deepcopy(obj), user=self.user)
        except errors.APIError as err:
            result.errors.append(err.kubectl("replacing"))
            return result
        result.lines.extend(f"Warning: {w}" for w in outcome.warnings)
        info = actions.parse_target(f"{obj['kind']}/{obj['metadata']['name']}")[0]
        if outcome.changed:
            result.lines.append(f"{info.type_name()}/{obj['metadata']['name']} edited")
        else:  # kubectl edit's words when the server kept the object as it was
            result.lines.append("Edit cancelled, no changes made.")
        return result

    async def apply(self, obj: dict, *, server_side: bool = False) -> ActionResult:
        if server_side:
            return self._server_side_apply(obj)
        outcome = apply_object(self.cluster, copy.deepcopy(obj), user=self.user)
        result = ActionResult()
        if outcome.ok:
            result.lines.extend(outcome.warnings)
            result.lines.append(outcome.line())
        else:
            result.errors.append(outcome.error_line())
        return result

    def _server_side_apply(self, obj: dict) -> ActionResult:
        """What the served API server does with `kubectl apply --server-side`'s PATCH
        (engine.rest.resources), in process: manager `kubectl`, conflicts unless forced."""
        result = ActionResult()
        info = lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        meta = obj.get("metadata") or {}
        name = str(meta.get("name") or "")
        if info is None:
            result.errors.append(
                f'error: the server doesn\'t have a resource type "{obj.get("kind")}"'
            )
            return result
        config = copy.deepcopy(obj)
        namespace = ""
        if info.namespaced:
            namespace = meta.get("namespace") or "default"
            config["metadata"]["namespace"] = namespace
        live = copy.deepcopy(self.cluster.store.get(info.kind, namespace, name) or {})
        try:
            applied = server_side_apply(
                live,
                config,
                strategic_merge_patch(live, config),
                manager="kubectl",
                api_version=str(obj.get("apiVersion", "")),
                time=self.cluster.clock.timestamp(),
                force=False,
            )
            if live:
                outcome = self.cluster.api.update(applied, user=self.user)
            else:
                outcome = self.cluster.api.create(applied, user=self.user)
        except errors.APIError as err:
            result.errors.append(err.kubectl())
            return result
        result.lines.extend(f"Warning: {w}" for w in outcome.warnings)
        result.lines.append(
            f"{info.type_name(str(obj.get('apiVersion', '')))}/{name} serverside-applied"
        )
        return result
