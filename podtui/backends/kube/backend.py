"""A Kubernetes API server over the network as a Backend.

Reads come from the reflectors' cache (one reflector per kind the console asks for);
verbs send what kubectl sends (patches for cordon, scale, restart and set image, an
Eviction, DELETE with DeleteOptions) and answer in kubectl's words.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime

from engine.actions import FORCE_WARNING, ActionResult, parse_target
from engine.api import errors
from engine.describe import describe
from engine.disruption.drain_progress import DrainOptions
from engine.workloads.actions import (
    RESTARTED_AT,
)
from podtui.backends.base import (
    SIMULATOR_ONLY,
    Backend,
    Capability,
    ChangeListener,
    Connection,
    ConnectionState,
)
from podtui.backends.kube.apply import client_side_apply
from podtui.backends.kube.cache import ObjectCache
from podtui.backends.kube.client import (
    APPLY_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    KubeAPIError,
    KubeClient,
    KubeConnectionError,
    resource,
)
from podtui.backends.kube.drain import KubeDrain
from podtui.backends.kube.reflector import Backoff, Reflector
from podtui.backends.kube.rollback import rollout_undo
from podtui.backends.kube.view import ClusterView

RELATED = {
    "Deployment": ("ReplicaSet", "Pod"),
    "ReplicaSet": ("Pod",),
    "StatefulSet": ("Pod",),
    "DaemonSet": ("Pod",),
    "Job": ("Pod",),
    "CronJob": ("Job",),
    "PersistentVolumeClaim": ("Pod",),
    "Service": ("EndpointSlice",),
}
"""What a kind's describer reads besides the object and its events (kubectl describe
lists the same: a Deployment's ReplicaSets, a controller's Pods, a Service's slices)."""


def _now() -> datetime:
    return datetime.now(UTC)


class KubeBackend(Backend):
    def __init__(
        self,
        client: KubeClient,
        *,
        now: Callable[[], datetime] = _now,
        watch_timeout: int | None = None,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self.client = client
        self.cache = ObjectCache()
        self.reflectors: dict[str, Reflector] = {}
        self.now = now
        self._watch_timeout = watch_timeout
        self._backoff = backoff
        self._state_listeners: list[Callable[[Connection], None]] = []
        self.drain_retry_delay: float | None = None
        self.drain_poll_interval: float | None = None
        self._drains: list[KubeDrain] = []

    # -- reflectors ---------------------------------------------------------------------------
    def reflect(self, kinds: Iterable[str]) -> list[Reflector]:
        """Start a reflector for each kind not reflected yet; returns the kinds' reflectors."""
        found = []
        for kind in kinds:
            reflector = self.reflectors.get(kind)
            if reflector is None:
                extra = {"watch_timeout": self._watch_timeout} if self._watch_timeout else {}
                reflector = Reflector(
                    self.client,
                    resource(kind),
                    self.cache,
                    on_state=self._on_state,
                    backoff=self._backoff(),
                    **extra,
                )
                self.reflectors[kind] = reflector
                reflector.start()
            found.append(reflector)
        return found

    def on_connection(self, listener: Callable[[Connection], None]) -> None:
        self._state_listeners.append(listener)

    def _on_state(self, _reflector: Reflector) -> None:
        connection = self.connection
        for listener in tuple(self._state_listeners):
            listener(connection)

    async def close(self) -> None:
        for reflector in self.reflectors.values():
            await reflector.stop()
        await self.client.close()

    # -- reading ------------------------------------------------------------------------------
    def objects(self, kind: str, namespace: str | None = None) -> list[dict]:
        self.reflect([kind])
        return self.cache.list(kind, namespace)

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        self.reflect([kind])
        return self.cache.get(kind, namespace, name)

    def watch(self, listener: ChangeListener, kinds: Iterable[str] | None) -> Callable[[], None]:
        if kinds is None:  # every kind reflected, now or later (objects() starts them)
            return self.cache.watch(listener, None)
        kinds = list(kinds)
        self.reflect(kinds)
        return self.cache.watch(listener, kinds)

    @property
    def connection(self) -> Connection:
        """Disconnected if any reflector is (with its error), connecting until all answered."""
        states = [r.connection for r in self.reflectors.values()]
        for wanted in (ConnectionState.DISCONNECTED, ConnectionState.CONNECTING):
            for connection in states:
                if connection.state == wanted:
                    return connection
        return Connection(ConnectionState.CONNECTED)

    def capability(self, name: str) -> Capability:
        return Capability(name, False, SIMULATOR_ONLY.get(name, "not available on a real cluster"))

    def current_time(self) -> datetime:
        return self.now()

    async def describe(self, kind: str, namespace: str, name: str) -> str:
        """The engine's describer over the object and its events, fetched now (as kubectl
        describe GETs the object and lists events by involvedObject)."""
        store = ObjectCache()
        res = resource(kind)
        namespace = namespace if res.info.namespaced else ""
        obj = await self.client.request("GET", res.path(namespace, name))
        store.apply("ADDED", kind, obj)
        meta = obj["metadata"]
        selector = f"involvedObject.name={name},involvedObject.kind={kind}"
        # Node events carry the node's UID (controllers) or its name (the kubelet): kubectl's
        # NodeDescriber asks for both, so the UID stays out of the selector there.
        if meta.get("uid") and kind != "Node":
            selector += f",involvedObject.uid={meta['uid']}"
        event_ns = None if kind == "Node" else (namespace or "default")
        await self._fetch_into(store, "Event", event_ns, {"fieldSelector": selector})
        for related in RELATED.get(kind, ()):
            await self._fetch_into(store, related, namespace or None, {})
        if kind == "Node":
            await self._fetch_into(store, "Pod", None, {"fieldSelector": f"spec.nodeName={name}"})
            lease = resource("Lease")
            with contextlib.suppress(KubeAPIError):
                store.apply(
                    "ADDED",
                    "Lease",
                    await self.client.request("GET", lease.path("kube-node-lease", name)),
                )
        return describe(ClusterView(store, self.now), obj)  # type: ignore[arg-type]

    async def _fetch_into(
        self, store: ObjectCache, kind: str, namespace: str | None, query: dict
    ) -> None:
        answer = await self.client.request("GET", resource(kind).path(namespace), query=query)
        for item in answer.get("items") or ():
            item.setdefault("kind", kind)
            store.apply("ADDED", kind, item)

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
        path = resource("Pod").path(namespace, pod) + "/log"
        query = {
            "container": container,
            "previous": "true" if previous else None,
            "timestamps": "true" if timestamps else None,
            "sinceSeconds": str(int(since)) if since is not None else None,
        }
        if not follow:
            for line in (await self.client.text(path, query=query)).splitlines():
                yield line
            return
        query["follow"] = "true"
        async for raw in self.client.lines(path, query=query):
            yield raw.decode("utf-8", "replace").rstrip("\n")

    # -- verbs --------------------------------------------------------------------------------
    async def _call(self, result: ActionResult, method: str, path: str, **kwargs) -> dict | None:
        """One request for a verb: its errors in kubectl's words, the server's warnings as
        `Warning: ...` lines (kubectl prints them as they come, before its own line)."""
        warnings: list[str] = []
        try:
            return await self.client.request(method, path, warnings=warnings, **kwargs)
        except KubeAPIError as err:
            result.errors.append(err.kubectl())
        except KubeConnectionError as err:
            result.errors.append(f"Unable to connect to the server: {err}")
        finally:
            result.lines.extend(f"Warning: {w}" for w in warnings)
        return None

    def _target(self, target: str, result: ActionResult):
        try:
            return parse_target(target)
        except errors.APIError as err:
            result.errors.append(f"error: {err.message}")
            return None, ""

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
        # api_version: the server serves the kind at its preferred version, which deletes
        # the same object (kubectl's URL would name the file's version).
        result = ActionResult()
        info, name = self._target(target, result)
        if info is None:
            return result
        if force and grace_period is not None and grace_period > 0:
            result.errors.append(
                "error: --force and --grace-period greater than 0 cannot be specified together"
            )
            return result
        if grace_period == 0 and not force:
            grace_period = 1  # kubectl turns --grace-period=0 into 1 unless --force
        if force and grace_period is None:
            grace_period = 0
        body: dict = {
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "propagationPolicy": cascade.capitalize(),
        }
        if grace_period is not None:
            body["gracePeriodSeconds"] = grace_period
        ns = namespace if info.namespaced else None
        path = resource(info.kind).path(ns, name)
        if await self._call(result, "DELETE", path, body=body) is None:
            return result
        if force and grace_period == 0:
            result.lines.append(FORCE_WARNING)
            result.lines.append(f'{info.type_name()} "{name}" force deleted')
        else:
            result.lines.append(f'{info.type_name()} "{name}" deleted')
        return result

    async def evict(self, pod: str, *, namespace: str = "default") -> ActionResult:
        result = ActionResult()
        name = pod.split("/", 1)[1] if "/" in pod else pod
        body = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": namespace},
        }
        path = resource("Pod").path(namespace, name) + "/eviction"
        try:
            await self.client.request("POST", path, body=body)
        except KubeAPIError as err:
            if err.status == 404:
                result.errors.append(err.kubectl())
            else:
                result.errors.append(
                    f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)}: "
                    f"{err.message}"
                )
            return result
        except KubeConnectionError as err:
            result.errors.append(f"Unable to connect to the server: {err}")
            return result
        result.lines.append(f"pod/{name} evicted")
        return result

    async def cordon(self, node: str, *, unschedulable: bool = True) -> ActionResult:
        """kubectl reads the node, and patches spec.unschedulable only if it must change."""
        result = ActionResult()
        path = resource("Node").path(None, node)
        obj = await self._call(result, "GET", path)
        if obj is None:
            return result
        verb = "cordoned" if unschedulable else "uncordoned"
        if bool((obj.get("spec") or {}).get("unschedulable")) == unschedulable:
            result.lines.append(f"node/{node} already {verb}")
            return result
        patch = {"spec": {"unschedulable": True if unschedulable else None}}
        if (
            await self._call(result, "PATCH", path, body=patch, content_type=STRATEGIC_MERGE_PATCH)
            is not None
        ):
            result.lines.append(f"node/{node} {verb}")
        return result

    async def uncordon(self, node: str) -> ActionResult:
        return await self.cordon(node, unschedulable=False)

    async def drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> ActionResult:
        return await self.start_drain(options, on_line).wait()

    def start_drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> KubeDrain:
        """Start `kubectl drain` on this loop and return it at once: its per-pod progress
        (the engine Drain's shape), `cancel()`, and `wait()` for the ActionResult."""
        timing = {}
        if self.drain_retry_delay is not None:
            timing["retry_delay"] = self.drain_retry_delay
        if self.drain_poll_interval is not None:
            timing["poll_interval"] = self.drain_poll_interval
        running = KubeDrain(self.client, options, self.cordon, on_line, now=self.now, **timing)
        self._drains.append(running)
        return running.start()

    def drains(self) -> list[KubeDrain]:
        """Every drain started through this backend, oldest first (the drain panel's list)."""
        return list(self._drains)

    async def scale(
        self, target: str, replicas: int, *, namespace: str = "default"
    ) -> ActionResult:
        """kubectl scale patches the scale subresource."""
        result = ActionResult()
        info, name = self._target(target, result)
        if info is None:
            return result
        if replicas < 0:
            result.errors.append(
                "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
            )
            return result
        path = resource(info.kind).path(namespace, name) + "/scale"
        patch = {"spec": {"replicas": replicas}}
        if (
            await self._call(result, "PATCH", path, body=patch, content_type=MERGE_PATCH)
            is not None
        ):
            result.lines.append(f"{info.type_name()}/{name} scaled")
        return result

    async def rollout_restart(self, target: str, *, namespace: str = "default") -> ActionResult:
        result = ActionResult()
        info, name = self._target(target, result)
        if info is None:
            return result
        stamp = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        path = resource(info.kind).path(namespace, name)
        if (
            await self._call(result, "PATCH", path, body=patch, content_type=STRATEGIC_MERGE_PATCH)
            is not None
        ):
            result.lines.append(f"{info.type_name()}/{name} restarted")
        return result

    async def rollout_undo(
        self, target: str, *, to_revision: int = 0, namespace: str = "default"
    ) -> ActionResult:
        """`kubectl rollout undo`: polymorphichelpers/rollback.go's rollbacker of the kind."""
        result = ActionResult()
        info, name = self._target(target, result)
        if info is None:
            return result
        return await rollout_undo(self, info, name, to_revision, namespace, result)

    async def set_image(
        self, target: str, image: str, *, container: str = "*", namespace: str = "default"
    ) -> ActionResult:
        result = ActionResult()
        info, name = self._target(target, result)
        if info is None:
            return result
        path = resource(info.kind).path(namespace, name)
        obj = await self._call(result, "GET", path)
        if obj is None:
            return result
        pod_spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        patch_spec: dict = {}
        for group in ("initContainers", "containers"):
            for item in pod_spec.get(group) or ():
                if container == "*" or item.get("name") == container:
                    patch_spec.setdefault(group, []).append({"name": item["name"], "image": image})
        if not patch_spec:
            result.errors.append(f'error: unable to find container named "{container}"')
            return result
        patch = {"spec": {"template": {"spec": patch_spec}}}
        if (
            await self._call(result, "PATCH", path, body=patch, content_type=STRATEGIC_MERGE_PATCH)
            is not None
        ):
            result.lines.append(f"{info.type_name()}/{name} image updated")
        return result

    async def replace(self, obj: dict) -> ActionResult:
        result = ActionResult()
        meta = obj.get("metadata") or {}
        info, name = self._target(f"{obj.get('kind')}/{meta.get('name')}", result)
        if info is None:
            return result
        path = resource(info.kind).path(meta.get("namespace") if info.namespaced else None, name)
        if await self._call(result, "PUT", path, body=copy.deepcopy(obj)) is not None:
            result.lines.append(f"{info.type_name()}/{name} edited")
        return result

    async def apply(self, obj: dict, *, server_side: bool = False) -> ActionResult:
        """`kubectl apply` of one object: client-side by default (kubectl's own default: the
        last-applied annotation and a three-way patch), or `--server-side`."""
        if server_side:
            return await self._server_side_apply(obj)
        return await client_side_apply(self, obj)

    async def _server_side_apply(self, obj: dict) -> ActionResult:
        """`kubectl apply --server-side`: the server merges and records field ownership."""
        result = ActionResult()
        meta = obj.get("metadata") or {}
        info, name = self._target(f"{obj.get('kind')}/{meta.get('name')}", result)
        if info is None:
            return result
        namespace = (meta.get("namespace") or "default") if info.namespaced else None
        api_version = str(obj.get("apiVersion", ""))
        path = resource(info.kind).path(namespace, name, api_version)
        answer = await self._call(
            result,
            "PATCH",
            path,
            body=obj,
            content_type=APPLY_PATCH,
            query={"fieldManager": "kubectl", "fieldValidation": "Strict", "force": "false"},
        )
        if answer is not None:
            result.lines.append(f"{info.type_name(api_version)}/{name} serverside-applied")
        return result
