"""Namespaces: the default ServiceAccount and kube-root-ca.crt in every namespace
(serviceaccount-controller, root-ca-cert-publisher), and deleting a namespace's content
before the namespace itself (namespace-controller)."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from engine.controllers.base import QueueController
from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters."
)


def fake_ca_bundle(seed: str) -> str:
    """A PEM-shaped CA bundle (not a real certificate: nothing here verifies TLS)."""
    body = base64.b64encode(hashlib.sha512(seed.encode()).digest() * 8).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class NamespaceController(QueueController):
    name = "namespace-controller"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        cluster.store.watch(self._on_change, {"Namespace", "ServiceAccount", "ConfigMap"})

    def _on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.kind == "Namespace":
            if change.type == "ADDED":
                # The controllers create these within milliseconds; doing it at once keeps a
                # folder's `Namespace` + `Pod` apply from racing the ServiceAccount admission.
                self._ensure_defaults(meta["name"])
            elif change.type == "MODIFIED" and meta.get("deletionTimestamp"):
                self.enqueue(meta["name"])
        elif change.type == "DELETED":
            namespace = meta.get("namespace", "")
            name = meta["name"]
            ns = self.cluster.store.get("Namespace", "", namespace)
            if ns is not None and not ns["metadata"].get("deletionTimestamp"):
                if (change.kind, name) in (
                    ("ServiceAccount", "default"),
                    ("ConfigMap", "kube-root-ca.crt"),
                ):
                    self.cluster.clock.call_later(0, lambda: self._ensure_defaults(namespace))
            elif ns is not None:
                self.enqueue(namespace)

    def _ensure_defaults(self, namespace: str) -> None:
        store = self.cluster.store
        ns = store.get("Namespace", "", namespace)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        if store.get("ServiceAccount", namespace, "default") is None:
            store.add(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": "default", "namespace": namespace},
                }
            )
        if store.get("ConfigMap", namespace, "kube-root-ca.crt") is None:
            store.add(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION},
                        "name": "kube-root-ca.crt",
                        "namespace": namespace,
                    },
                    "data": {"ca.crt": fake_ca_bundle(self.cluster.cluster_name)},
                }
            )

    def sync(self, key: str) -> None:
        """Delete everything in a terminating namespace, then the namespace."""
        store = self.cluster.store
        ns = store.get("Namespace", "", key)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        remaining = 0
        from engine.api.kinds import all_kinds

        for info in all_kinds():
            if not info.namespaced or info.kind == "Event":
                continue
            for obj in store.list(info.kind, key):
                remaining += 1
                if obj["metadata"].get("deletionTimestamp"):
                    continue
                try:
                    self.cluster.api.delete(info, key, obj["metadata"]["name"])
                except Exception:
                    continue
        if remaining == 0:
            for event in store.list("Event", key):
                store.remove("Event", key, event["metadata"]["name"])
            spec = ns.setdefault("spec", {})
            spec["finalizers"] = []
            store.remove("Namespace", "", key)
        else:
            self.enqueue_after(key, 1.0)
