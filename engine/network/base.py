"""What the Endpoints and EndpointSlice controllers share: their watches. A pod's change
queues every Service of its namespace that selects it now or listed it at its last sync
(the controllers' getPodServiceMemberships, which compares the old and new pod); a Service's
change queues that Service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api.admission import controller_user
from engine.controllers.base import QueueController
from engine.network.podutil import selects
from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

ServiceKey = tuple[str, str]


class ServicePodsController(QueueController):
    """A controller that syncs one Service at a time from the pods it selects."""

    name = "service-pods"
    service_account = ""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.store = cluster.store
        self.user = controller_user(self.service_account)
        self.members: dict[ServiceKey, set[str]] = {}
        cluster.watch(self._on_service, {"Service"})
        cluster.watch(self._on_pod, {"Pod"})

    def _on_service(self, change: Change) -> None:
        meta = change.obj["metadata"]
        self.enqueue((meta.get("namespace", ""), meta["name"]))

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        meta = pod["metadata"]
        namespace = meta.get("namespace", "")
        uid = meta.get("uid", "")
        for service in self.store.iter("Service"):
            service_meta = service["metadata"]
            if service_meta.get("namespace") != namespace:
                continue
            key = (namespace, service_meta["name"])
            if selects(service, pod) or uid in self.members.get(key, ()):
                self.enqueue(key)

    def selected_pods(self, service: dict) -> list[dict]:
        """The Service's namespace's pods its selector selects, by name."""
        namespace = service["metadata"].get("namespace", "")
        pods = [
            pod
            for pod in self.store.iter("Pod")
            if pod["metadata"].get("namespace") == namespace and selects(service, pod)
        ]
        pods.sort(key=lambda pod: pod["metadata"]["name"])
        return pods

    def remember(self, key: ServiceKey, pods: list[dict]) -> None:
        self.members[key] = {pod["metadata"].get("uid", "") for pod in pods}

    def trigger_time(self) -> str:
        """endpoints.kubernetes.io/last-change-trigger-time: the sync follows the change at
        once in simulated time, so the change happened now."""
        return self.cluster.clock.timestamp()
