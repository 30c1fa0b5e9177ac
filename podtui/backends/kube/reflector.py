"""A reflector per kind: list, then watch from the list's resourceVersion, as client-go's
Reflector.ListAndWatch does (staging/src/k8s.io/client-go/tools/cache/reflector.go).

- The watch asks for bookmarks (`allowWatchBookmarks`), which only move the
  resourceVersion forward, so a resumed watch starts close to now.
- When the server ends a watch (its `timeoutSeconds`, a restart of the stream), the next
  one resumes from the last resourceVersion seen: no relist, no event lost or repeated.
- A `410 Gone` / `Expired` (as an HTTP status or as a watch ERROR event) means that
  resourceVersion left the server's history: relist, and replace the cache with what the
  list says (isExpiredError / isTooLargeResourceVersionError -> relist).
- A lost connection is reported (DISCONNECTED with the error, for the header) and retried
  with exponential back-off (client-go's backoff manager: 800 ms doubling to 30 s); the
  first answer from the server reports CONNECTED again and resets the back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from podtui.backends.base import Connection, ConnectionState
from podtui.backends.kube.cache import ObjectCache
from podtui.backends.kube.client import KubeAPIError, KubeClient, KubeConnectionError, Resource

PAGE_SIZE = 500
"""client-go's pager asks for 500 objects at a time."""
WATCH_TIMEOUT_SECONDS = 300
CONNECT_TIMEOUT_SECONDS = 30
"""client-go picks 5 to 10 minutes; a fixed 5 keeps podtui deterministic."""


@dataclass
class Backoff:
    initial: float = 0.8
    cap: float = 30.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        self.current = self.initial

    def next(self) -> float:
        delay = self.current
        self.current = min(self.current * self.factor, self.cap)
        return delay

    def reset(self) -> None:
        self.current = self.initial


class ResourceExpired(Exception):
    """The resourceVersion to resume from is older than the server's history (410)."""


class Reflector:
    def __init__(
        self,
        client: KubeClient,
        resource: Resource,
        cache: ObjectCache,
        *,
        on_state: Callable[[Reflector], None] | None = None,
        watch_timeout: int = WATCH_TIMEOUT_SECONDS,
        backoff: Backoff | None = None,
    ) -> None:
        self.client = client
        self.resource = resource
        self.kind = resource.kind
        self.cache = cache
        self.on_state = on_state
        self.watch_timeout = watch_timeout
        self.backoff = backoff or Backoff()
        self.resource_version = ""
        self.connection = Connection(ConnectionState.CONNECTING)
        self.synced = asyncio.Event()
        """Set once the first list has filled the cache."""
        self.lists = 0
        """How many lists were made (1 + one per relist)."""
        self.watches = 0
        """How many watches were started."""
        self._task: asyncio.Task | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _set_state(self, state: ConnectionState, message: str = "") -> None:
        if self.connection.state == state and self.connection.message == message:
            return
        self.connection = Connection(state, message)
        if state == ConnectionState.CONNECTED:
            self.backoff.reset()
        if self.on_state is not None:
            self.on_state(self)

    def _connected(self) -> None:
        self._set_state(ConnectionState.CONNECTED)

    # -- ListAndWatch -------------------------------------------------------------------------
    async def run(self) -> None:
        need_list = True
        while True:
            try:
                if need_list:
                    await self.list()
                    need_list = False
                await self.watch()
                # The server ended the watch (timeoutSeconds): resume from where it was.
            except ResourceExpired:
                need_list = True
            except KubeConnectionError as err:
                self._set_state(ConnectionState.DISCONNECTED, str(err))
                await asyncio.sleep(self.backoff.next())
            except KubeAPIError as err:
                if err.status == 410:
                    need_list = True
                    continue
                # Forbidden, a server error...: shown, and retried as client-go does.
                self._set_state(ConnectionState.DISCONNECTED, err.kubectl())
                await asyncio.sleep(self.backoff.next())
            except (ValueError, KeyError, TypeError) as err:
                # A line that is not a watch event: drop the stream and start again.
                self._set_state(ConnectionState.DISCONNECTED, f"bad answer from the server: {err}")
                await asyncio.sleep(self.backoff.next())

    async def list(self) -> None:
        """List every object of the kind (in pages), then replace the cache with them."""
        items: list[dict] = []
        token = None
        while True:
            answer = await self.client.request(
                "GET", self.resource.path(), query={"limit": PAGE_SIZE, "continue": token}
            )
            self._connected()
            api_version = answer.get("apiVersion", "")
            for item in answer.get("items") or ():
                # List items come without kind and apiVersion; the describers want them.
                item.setdefault("kind", self.kind)
                item.setdefault("apiVersion", api_version)
                items.append(item)
            meta = answer.get("metadata") or {}
            token = meta.get("continue")
            if not token:
                break
        self.lists += 1
        self.resource_version = str(meta.get("resourceVersion", ""))
        self.cache.replace(self.kind, items)
        self.synced.set()

    async def watch(self) -> None:
        """One watch from the last resourceVersion, until the server ends it."""
        self.watches += 1
        query = {
            "watch": "true",
            "resourceVersion": self.resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": self.watch_timeout,
        }
        # (connect, read) timeouts: a connection that went silent without a reset is given
        # up on after the watch's own timeout (bookmarks and the server's end come sooner).
        timeout = (CONNECT_TIMEOUT_SECONDS, self.watch_timeout + CONNECT_TIMEOUT_SECONDS)
        async for line in self.client.lines(
            self.resource.path(), query=query, on_open=self._connected, timeout=timeout
        ):
            if line.strip():
                self._event(json.loads(line))

    def _event(self, event: dict) -> None:
        kind = event.get("type", "")
        obj = event.get("object") or {}
        if kind == "ERROR":
            code = obj.get("code")
            if code == 410:
                raise ResourceExpired(obj.get("message", ""))
            raise KubeAPIError(int(code or 500), obj)
        rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
        if kind != "BOOKMARK":
            obj.setdefault("kind", self.kind)
            self.cache.apply(kind, self.kind, obj)
        if rv:
            self.resource_version = rv
