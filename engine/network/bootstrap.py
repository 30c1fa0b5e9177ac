"""The `kubernetes` Service every cluster has, with its Endpoints and EndpointSlice pointing
at the API server (k/k pkg/controlplane/controller/kubernetesservice/controller.go:
CreateOrUpdateMasterServiceIfNeeded; pkg/controlplane/reconcilers/endpointsadapter.go:
endpointSliceFromEndpoints; pkg/controlplane/reconcilers/lease.go).

The API server writes them itself when `default` exists, and puts the Service back within its
10 s reconcile interval if someone deletes it. podtui's API server lives at a kind-like
control-plane address, outside the range the default nodes get. The objects' uids come from a
stream of their own, so that their creation shifts no other object's uid.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from engine.network.allocator import first_service_ip
from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

APISERVER_ADDRESS = "172.18.0.254"
APISERVER_PORT = 6443  # kubeadm's and kind's --secure-port
SERVICE_PORT = 443
RECONCILE_INTERVAL = 10.0  # EndpointInterval
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"


def kubernetes_service() -> dict:
    cluster_ip = first_service_ip()
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "labels": {"component": "apiserver", "provider": "kubernetes"},
            "name": "kubernetes",
            "namespace": "default",
        },
        "spec": {
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [
                {
                    "name": "https",
                    "port": SERVICE_PORT,
                    "protocol": "TCP",
                    "targetPort": APISERVER_PORT,
                }
            ],
            "sessionAffinity": "None",
            "type": "ClusterIP",
        },
        "status": {"loadBalancer": {}},
    }


def kubernetes_endpoints() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "labels": {SKIP_MIRROR_LABEL: "true"},
            "name": "kubernetes",
            "namespace": "default",
        },
        "subsets": [
            {
                "addresses": [{"ip": APISERVER_ADDRESS}],
                "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}],
            }
        ],
    }


def kubernetes_endpoint_slice() -> dict:
    return {
        "addressType": "IPv4",
        "apiVersion": "discovery.k8s.io/v1",
        "endpoints": [{"addresses": [APISERVER_ADDRESS], "conditions": {"ready": True}}],
        "kind": "EndpointSlice",
        "metadata": {
            "labels": {"kubernetes.io/service-name": "kubernetes"},
            "name": "kubernetes",
            "namespace": "default",
        },
        "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}],
    }


class KubernetesService:
    """The API server's own Service, created when `default` is and kept there."""

    name = "kubernetes-service"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.uids = random.Random(f"podtui-apiserver-uids-{cluster.seed}")
        self._timer = None
        cluster.watch(self._on_namespace, {"Namespace"})
        cluster.watch(self._on_deleted, {"Service", "Endpoints", "EndpointSlice"})

    def _on_namespace(self, change: Change) -> None:
        if change.type == "ADDED" and change.obj["metadata"]["name"] == "default":
            self.ensure()

    def _on_deleted(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.type != "DELETED" or meta.get("namespace") != "default":
            return
        if meta["name"] != "kubernetes" or self._timer is not None:
            return
        self._timer = self.cluster.clock.call_later(RECONCILE_INTERVAL, self._reconcile)

    def _reconcile(self) -> None:
        self._timer = None
        self.ensure()

    def ensure(self) -> None:
        """Write whichever of the three objects is missing (straight to storage, as the
        API server's own controller does)."""
        store = self.cluster.store
        if store.get("Namespace", "", "default") is None:
            return
        for obj in (kubernetes_service(), kubernetes_endpoints(), kubernetes_endpoint_slice()):
            if store.get(obj["kind"], "default", "kubernetes") is not None:
                continue
            obj["metadata"]["uid"] = self._uid()
            store.add(obj)

    def _uid(self) -> str:
        value = self.uids.getrandbits(128)
        value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
        value = (value & ~(0xF000 << 64)) | (4 << 76)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
