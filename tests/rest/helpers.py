"""A facade over a small cluster, and requests as kubectl sends them (no sockets)."""

from __future__ import annotations

import json

from engine.cluster import Cluster
from engine.rest import Request, Response, RestFacade
from tests.engine.simulation import cluster_with

TOKEN = "test-token"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: two, labels: {app: two}}
spec:
  containers:
  - {name: a, image: busybox:1.36, command: [sh, -c, "echo one; echo two; echo three; sleep infinity"]}
  - {name: b, image: busybox:1.36, command: [sh, -c, "sleep infinity"]}
"""


class Client:
    """Requests to a facade with the admin's token (or another's headers)."""

    def __init__(self, cluster: Cluster, **kwargs) -> None:
        self.cluster = cluster
        self.facade = RestFacade(cluster, token=TOKEN, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        query: dict | None = None,
        headers: dict | list | None = None,
        token: str | None = TOKEN,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Response:
        pairs = [("Accept", accept)]
        if token is not None:
            pairs.append(("Authorization", f"Bearer {token}"))
        if body is not None:
            pairs.append(("Content-Type", content_type))
        if isinstance(headers, dict):
            pairs += list(headers.items())
        elif headers:
            pairs += list(headers)
        raw = (
            b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        )
        return self.facade.handle(Request(method, path, query or {}, pairs, raw))

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)


def client_with(yaml_text: str = WEB, until: float = 10, **kwargs) -> Client:
    cluster = cluster_with(yaml_text)
    client = Client(cluster, **kwargs)
    cluster.run_until(until)
    return client


def lines(response: Response) -> list[dict]:
    """The watch events queued on a response's stream."""
    assert response.watch is not None
    return [json.loads(line) for line in response.watch.take()]
