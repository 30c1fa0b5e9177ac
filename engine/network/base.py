"""What the Endpoints and EndpointSlice controllers share: their watches. A pod's change
queues every Service of its namespace that selects it now or listed it at its last sync
(the controllers' getPodServiceMemberships, which compares the old and new pod); a Service's
change queues that Service."""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import TYPE_CHECKING

from engine.api.admission import controller_user
from engine.controllers.base import QueueController
from engine.network.podutil import selects
from engine.store import Change, Store
from engine.timeutil import format_time, parse_time

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
        # TriggerTimeTracker.ServiceStates: (service trigger time, pod name -> trigger time).
        self.trigger_states: dict[ServiceKey, tuple[datetime | None, dict[str, datetime]]] = {}
        cluster.watch(self._on_service, {"Service"})
        _ServicePodWatch.join(cluster, self)
        # Every pod change looks at its namespace's Services: an index spares it the rest.
        self.store.index_namespaces("Service")

    def _on_service(self, change: Change) -> None:
        meta = change.obj["metadata"]
        self.enqueue((meta.get("namespace", ""), meta["name"]))

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

    def trigger_time(self, service: dict, pods: list[dict]) -> str:
        """ComputeEndpointLastChangeTriggerTime (staging/src/k8s.io/endpointslice/util/
        trigger_time_tracker.go): a Service's first sync gives its creationTimestamp; later
        syncs the earliest pod Ready-condition transition newer than at the last sync, or ""
        (no annotation) when none changed, as when a pod is only deleted."""
        key = (service["metadata"].get("namespace", ""), service["metadata"]["name"])
        state = self.trigger_states.get(key)
        pod_times: dict[str, datetime] = {}
        changed: list[datetime] = []
        for pod in pods:
            moment = _ready_transition(pod)
            if moment is None:
                continue
            name = pod["metadata"]["name"]
            pod_times[name] = moment
            last = state[1].get(name) if state else None
            if last is None or moment > last:
                changed.append(moment)
        created = service["metadata"].get("creationTimestamp") or ""
        service_time = parse_time(created) if created else None
        if service_time is not None and (
            state is None or state[0] is None or service_time > state[0]
        ):
            changed.append(service_time)
        self.trigger_states[key] = (service_time, pod_times)
        if state is None:
            return created
        return format_time(min(changed)) if changed else ""

    def forget_trigger_time(self, key: ServiceKey) -> None:
        """TriggerTimeTracker.DeleteService."""
        self.trigger_states.pop(key, None)


class _ServicePodWatch:
    """The pod watch of the Endpoints and EndpointSlice controllers, as one watcher.

    Each queues, for a pod's change, the Services of its namespace that select the pod or
    listed it at their last sync. The two are subscribed one after the other, so one
    watcher in the first one's place that does the first's part and then the second's is
    what the two did: a part only queues keys (no write, nothing the other reads), and the
    Services and what selects the pod are the same for both, so they are looked up once.
    """

    _by_store: weakref.WeakKeyDictionary[Store, _ServicePodWatch] = weakref.WeakKeyDictionary()

    def __init__(self, store: Store, controller: ServicePodsController) -> None:
        self.store = store
        self.controllers: tuple[ServicePodsController, ...] = (controller,)

    @classmethod
    def join(cls, cluster: Cluster, controller: ServicePodsController) -> None:
        """Subscribe `controller`'s pod watch: into the one before it when that one is still
        the last watcher of pods (nothing subscribed to pods in between), else its own."""
        store = cluster.store
        watch = cls._by_store.get(store)
        if watch is not None and store.last_watcher("Pod") == watch.on_pod:
            watch.controllers += (controller,)
            return
        watch = cls._by_store[store] = cls(store, controller)
        cluster.watch(watch.on_pod, {"Pod"})

    def on_pod(self, change: Change) -> None:
        pod = change.obj
        meta = pod["metadata"]
        namespace = meta.get("namespace", "")
        services = self.store.in_namespace("Service", namespace)
        if not services:
            return
        uid = meta.get("uid", "")
        found = [((namespace, s["metadata"]["name"]), selects(s, pod)) for s in services]
        for controller in self.controllers:
            members = controller.members
            for key, chosen in found:
                if chosen or uid in members.get(key, ()):
                    controller.enqueue(key)


def _ready_transition(pod: dict) -> datetime | None:
    """getPodTriggerTime: the Ready condition's lastTransitionTime."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            moment = condition.get("lastTransitionTime")
            return parse_time(moment) if moment else None
    return None
