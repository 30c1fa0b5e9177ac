"""Helpers for the Service networking tests."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.shell.host import ExecResult
from tests.engine.simulation import cluster_with, pod

BACKEND = """
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: web-a
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - {name: http, containerPort: 80}
    readinessProbe:
      exec: {command: [cat, /usr/share/nginx/html/index.html]}
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: sh
    image: busybox:1.36
    command: [sleep, infinity]
"""


def exec_in(cluster: Cluster, name: str, argv: list[str], namespace: str = "default") -> ExecResult:
    """`kubectl exec NAME -- ARGV` in the pod's first container."""
    obj = pod(cluster, name, namespace)
    worker = cluster.kubelets[obj["spec"]["nodeName"]].workers[obj["metadata"]["uid"]]
    container = obj["spec"]["containers"][0]["name"]
    return worker.instances[container][-1].process.exec(argv, 5.0)


def endpoints(cluster: Cluster, name: str, namespace: str = "default") -> dict:
    found = cluster.store.get("Endpoints", namespace, name)
    assert found is not None, f"endpoints {name} not found"
    return found


def slices(cluster: Cluster, service: str, namespace: str = "default") -> list[dict]:
    return [
        s
        for s in cluster.store.list("EndpointSlice", namespace)
        if s["metadata"]["labels"].get("kubernetes.io/service-name") == service
    ]


def ips(addresses: list[dict] | None) -> list[str]:
    return [a["ip"] for a in addresses or []]


__all__ = ["BACKEND", "cluster_with", "endpoints", "exec_in", "ips", "pod", "slices"]
