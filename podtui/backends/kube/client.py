"""The HTTP link to a Kubernetes API server: kubeconfig, auth, TLS, raw JSON requests.

kubernetes_asyncio does what must not be hand-written: it reads the kubeconfig and its
contexts, client certificates, bearer tokens, exec credential plugins, OIDC and the
cluster's CA. podtui talks to the REST API through its ApiClient without the generated
typed models (`_preload_content=False`): the engine's describers and printers want the
objects in their wire shape (plain dicts), and one path per kind serves every kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from kubernetes_asyncio import client, config

from engine.api.kinds import KindInfo, kind_info, lookup

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"


class KubeAPIError(Exception):
    """A refusal from the API server: its HTTP status and Status object."""

    def __init__(self, status: int, body: dict) -> None:
        self.status = status
        self.body = body
        self.reason = str(body.get("reason", ""))
        self.message = str(body.get("message", "")) or f"the server answered {status}"
        super().__init__(self.message)

    def kubectl(self) -> str:
        """The line kubectl prints: `Error from server (NotFound): pods "x" not found`."""
        if self.reason == "Invalid":
            return self.message
        reason = self.reason or "Unknown"
        return f"Error from server ({reason}): {self.message}"


class KubeConnectionError(Exception):
    """The API server could not be reached (refused, reset, TLS, timeout)."""


@dataclass(frozen=True)
class Resource:
    """Where a kind lives on the API server."""

    info: KindInfo

    @property
    def kind(self) -> str:
        return self.info.kind

    def path(
        self, namespace: str | None = None, name: str | None = None, api_version: str = ""
    ) -> str:
        """The URL path at the preferred group-version, or at `api_version` when the kind
        is served there (kubectl sends a manifest to its own apiVersion's path)."""
        version = self.info.preferred_api_version
        if api_version and lookup(api_version, self.info.kind) is self.info:
            version = api_version
        base = f"/api/{version}" if "/" not in version else f"/apis/{version}"
        if self.info.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.info.plural}"
        return base + (f"/{name}" if name else "")


def resource(kind: str) -> Resource:
    info = kind_info(kind)
    if info is None:
        raise KeyError(f'the server doesn\'t have a resource type "{kind}"')
    return Resource(info)


class KubeClient:
    """Raw JSON requests to one API server, authenticated as the kubeconfig says."""

    def __init__(self, api: client.ApiClient, context: str = "") -> None:
        self.api = api
        self.context = context
        self.host = api.configuration.host

    @classmethod
    async def from_kubeconfig(cls, path: str | None, context: str | None = None) -> KubeClient:
        """Read a kubeconfig (KUBECONFIG or ~/.kube/config when path is None)."""
        configuration = client.Configuration()
        loader = await config.load_kube_config(
            config_file=path,
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
        name = context or loader.current_context["name"]
        return cls(client.ApiClient(configuration), name)

    async def close(self) -> None:
        await self.api.close()

    async def _send(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None,
        body: Any,
        content_type: str,
        timeout: float | tuple[float, float] | None,
    ) -> Any:
        try:
            return await self.api.call_api(
                path,
                method,
                query_params=[(k, v) for k, v in (query or {}).items() if v is not None],
                header_params={"Content-Type": content_type, "Accept": JSON},
                body=body,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=timeout,
            )
        except (OSError, TimeoutError) as err:
            raise KubeConnectionError(str(err) or type(err).__name__) from err
        except Exception as err:
            # aiohttp.ClientError: connection refused, reset, TLS errors...
            if type(err).__module__.startswith("aiohttp"):
                raise KubeConnectionError(str(err) or type(err).__name__) from err
            raise

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str = JSON,
        timeout: float | None = 30.0,
        warnings: list[str] | None = None,
    ) -> dict:
        """One request; the decoded JSON answer, or KubeAPIError with the server's Status.
        The server's `Warning` headers (deprecations, Pod Security) go into `warnings`."""
        response = await self._send(method, path, query, body, content_type, timeout)
        if warnings is not None:
            for header in response.headers.getall("Warning", ()):
                warnings.extend(parse_warning_header(header))
        try:
            data = await response.read()
        except Exception as err:
            raise KubeConnectionError(str(err) or type(err).__name__) from err
        finally:
            response.release()
        try:
            decoded = json.loads(data) if data else {}
        except ValueError:
            decoded = {"message": data.decode("utf-8", "replace").strip()}
        if not 200 <= response.status <= 299:
            raise KubeAPIError(response.status, decoded if isinstance(decoded, dict) else {})
        return decoded

    async def text(self, path: str, *, query: dict[str, Any] | None = None) -> str:
        """A plain-text GET (logs)."""
        response = await self._send("GET", path, query, None, JSON, 60.0)
        try:
            data = await response.read()
        finally:
            response.release()
        if not 200 <= response.status <= 299:
            raise KubeAPIError(response.status, _status(data))
        return data.decode("utf-8", "replace")

    async def lines(
        self,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        timeout: float | tuple[float, float] | None = None,
        on_open: Callable[[], None] | None = None,
    ) -> AsyncIterator[bytes]:
        """A streamed GET (a watch, `logs -f`), one line at a time, until the server ends it.

        `on_open` is called once the server has accepted the request (a 2xx status)."""
        response = await self._send("GET", path, query, None, JSON, timeout)
        try:
            if not 200 <= response.status <= 299:
                raise KubeAPIError(response.status, _status(await response.read()))
            if on_open is not None:
                on_open()
            while True:
                try:
                    line = await response.content.readline()
                except Exception as err:
                    raise KubeConnectionError(str(err) or type(err).__name__) from err
                if not line:
                    return
                yield line
        finally:
            response.release()


_WARNING = re.compile(r'(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"')


def parse_warning_header(header: str) -> list[str]:
    """The texts of a `Warning` header (RFC 7234: `299 - "text"`, several comma-separated),
    as client-go's ParseWarningHeaders reads them; kubectl prints each as `Warning: text`."""
    return [
        re.sub(r"\\(.)", r"\1", text)
        for code, _agent, text in _WARNING.findall(header)
        if code == "299"
    ]


def _status(data: bytes) -> dict:
    try:
        decoded = json.loads(data)
    except ValueError:
        return {"message": data.decode("utf-8", "replace").strip()}
    return decoded if isinstance(decoded, dict) else {}
