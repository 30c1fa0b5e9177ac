"""`kubectl drain` over the network (k8s.io/kubectl/pkg/drain/drain.go, cmd/drain/drain.go):
cordon, filter the node's pods with the engine's filters (the same code the simulator's
drain uses), evict them all at once, retry a 429 every 5 s, wait for each to go, and give up
at --timeout. It prints kubectl's lines; unlike the engine's drain, it runs on wall time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime

from engine.actions import ActionResult
from engine.disruption import drain_filters
from engine.disruption.drain_progress import (
    EVICT_ERROR_RETRY_DELAY,
    WAIT_FOR_DELETE_INTERVAL,
    DrainOptions,
)
from engine.timeutil import format_go_duration
from podtui.backends.kube.client import KubeAPIError, KubeClient, resource


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
    ) -> None:
        self.client = client
        self.options = options
        self.cordon = cordon
        self.on_line = on_line
        self.retry_delay = retry_delay
        self.poll_interval = poll_interval
        self.result = ActionResult()
        self.node = options.node

    def _out(self, text: str) -> None:
        self.result.lines.append(text)
        if self.on_line:
            self.on_line(text)

    def _err(self, text: str) -> None:
        self.result.errors.append(text)
        if self.on_line:
            self.on_line(text)

    async def _daemonset_missing(self, namespace: str, name: str) -> str | None:
        try:
            await self.client.request("GET", resource("DaemonSet").path(namespace, name))
        except KubeAPIError as err:
            return err.message if err.status == 404 else None
        return None

    async def _pods_for_deletion(self) -> drain_filters.PodDeleteList:
        query = {"fieldSelector": f"spec.nodeName={self.node}"}
        if self.options.pod_selector:
            query["labelSelector"] = self.options.pod_selector
        answer = await self.client.request("GET", resource("Pod").path(), query=query)
        pods = answer.get("items") or []
        missing: dict[tuple[str, str], str | None] = {}
        for pod in pods:
            for ref in pod["metadata"].get("ownerReferences") or ():
                if ref.get("controller") and ref.get("kind") == "DaemonSet":
                    key = (pod["metadata"].get("namespace", ""), ref["name"])
                    missing[key] = await self._daemonset_missing(*key)
        options = drain_filters.FilterOptions(
            force=self.options.force,
            ignore_daemonsets=self.options.ignore_daemonsets,
            delete_emptydir_data=self.options.delete_emptydir_data,
            skip_wait_for_delete_timeout=self.options.skip_wait_for_delete_timeout,
        )
        return drain_filters.pods_for_deletion(
            pods,
            options,
            lambda ns, name: missing.get((ns, name)),
            drain_filters.stamp_age(lambda: datetime.now(UTC)),
        )

    def _fail(self, errs: list[str]) -> ActionResult:
        message = "\n".join(errs) if len(errs) > 1 else errs[0]
        self._err(
            f"error: unable to drain node {json.dumps(self.node)} due to error: "
            f"{message}, continuing command..."
        )
        self._err("There are pending nodes to be drained:")
        self._err(f" {self.node}")
        for line in errs:
            self._err(line)
        return self.result

    async def run(self) -> ActionResult:
        cordoned = await self.cordon(self.node)
        for line in cordoned.lines:
            self._out(line)
        if cordoned.errors:
            for line in cordoned.errors:
                self._err(line)
            return self.result
        listing = await self._pods_for_deletion()
        if listing.errors():
            return self._fail(listing.errors())
        if listing.warnings():
            self._err(f"Warning: {listing.warnings()}")
        pods = listing.pods()
        timeout = self.options.timeout or None
        try:
            outcomes = await asyncio.wait_for(
                asyncio.gather(*(self._evict(pod) for pod in pods)), timeout
            )
        except TimeoutError:
            assert timeout is not None
            outcomes = [f"global timeout reached: {format_go_duration(timeout)}"]
        errs = [e for e in outcomes if e]
        if errs:
            return self._fail(errs)
        self._out(f"node/{self.node} drained")
        return self.result

    async def _evict(self, pod: dict) -> str:
        """evictPods' loop for one pod; the error message, or "" once it is gone."""
        meta = pod["metadata"]
        name, namespace, uid = meta["name"], meta.get("namespace", ""), meta.get("uid")
        path = resource("Pod").path(namespace, name)
        body: dict = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": namespace},
        }
        if self.options.grace_period >= 0:
            body["deleteOptions"] = {"gracePeriodSeconds": self.options.grace_period}
        while True:
            self._out(f"evicting pod {namespace}/{name}")
            try:
                await self.client.request("POST", path + "/eviction", body=body)
                break
            except KubeAPIError as err:
                if err.status == 404:
                    return ""
                if err.status != 429:
                    return (
                        f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)}: "
                        f"{err.message}"
                    )
                self._err(
                    f"error when evicting pods/{json.dumps(name)} -n {json.dumps(namespace)} "
                    f"(will retry after {format_go_duration(EVICT_ERROR_RETRY_DELAY)}): {err.message}"
                )
                await asyncio.sleep(self.retry_delay)
        # waitForDelete: gone, or replaced by a pod of the same name with a new UID.
        while True:
            try:
                live = await self.client.request("GET", path)
            except KubeAPIError as err:
                if err.status == 404:
                    break
                raise
            if live["metadata"].get("uid") != uid:
                break
            await asyncio.sleep(self.poll_interval)
        self._out(f"pod/{name} evicted")
        return ""
