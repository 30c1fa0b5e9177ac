"""A store, a clock and the disruption controller alone: upstream's disruption_test.go setup,
where owners are plain objects in the store and pods are Ready because a test says so."""

from __future__ import annotations

from engine.clock import Clock
from engine.disruption.disruption_controller import DisruptionController
from engine.events import EventRecorder
from engine.store import Store


class PdbHarness:
    """Quacks like a Cluster for the controller: `clock`, `store`, `events`."""

    def __init__(self, start_at: float = 0.0) -> None:
        self.clock = Clock()
        self.store = Store(self.clock)
        self.events = EventRecorder(self.store, self.clock)
        self.controller = DisruptionController(self)  # type: ignore[arg-type]
        self._uid = 0
        if start_at:
            self.clock.run_until(start_at)

    # -- objects ----------------------------------------------------------------------------
    def _meta(self, name: str, labels: dict | None = None) -> dict:
        self._uid += 1
        meta = {"name": name, "namespace": "default", "uid": f"uid-{name}-{self._uid}"}
        if labels is not None:
            meta["labels"] = dict(labels)
        return meta

    def owner(
        self,
        kind: str,
        name: str,
        replicas: int,
        *,
        api_version: str = "apps/v1",
        controller: dict | None = None,
    ) -> dict:
        obj = {
            "apiVersion": api_version,
            "kind": kind,
            "metadata": self._meta(name),
            "spec": {"replicas": replicas},
        }
        if controller is not None:
            obj["metadata"]["ownerReferences"] = [ref_to(controller)]
        return self.store.add(obj)

    def scale(self, obj: dict, replicas: int) -> None:
        obj["spec"]["replicas"] = replicas
        self.store.modified(obj, spec_changed=True)

    def pod(
        self,
        name: str,
        *,
        ready: bool = True,
        owner: dict | None = None,
        labels: dict | None = None,
        deleting: bool = False,
    ) -> dict:
        meta = self._meta(name, labels if labels is not None else {"app": "web"})
        if owner is not None:
            meta["ownerReferences"] = [ref_to(owner)]
        if deleting:
            meta["deletionTimestamp"] = self.clock.timestamp(self.clock.now + 30)
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": "nginx"}], "nodeName": "node-1"},
            "status": {
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            },
        }
        return self.store.add(pod)

    def set_ready(self, pod: dict, ready: bool) -> None:
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
        self.store.modified(pod)

    def pdb(
        self,
        name: str = "web",
        *,
        min_available: int | str | None = None,
        max_unavailable: int | str | None = None,
        selector: dict | None = None,
        status: dict | None = None,
    ) -> dict:
        spec: dict = {"selector": {"matchLabels": {"app": "web"}} if selector is None else selector}
        if min_available is not None:
            spec["minAvailable"] = min_available
        if max_unavailable is not None:
            spec["maxUnavailable"] = max_unavailable
        obj = {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": self._meta(name),
            "spec": spec,
            "status": status or {},
        }
        return self.store.add(obj)

    # -- running and reading ------------------------------------------------------------------
    def sync(self, advance: float = 0.0) -> None:
        """Let the controller's queue drain (and time pass, if asked)."""
        self.clock.run_until(self.clock.now + advance)

    def status(self, name: str = "web") -> tuple[int, int, int, int]:
        """(disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods), as VerifyPdbStatus."""
        status = self.store.get("PodDisruptionBudget", "default", name)["status"]
        return (
            status.get("disruptionsAllowed", 0),
            status.get("currentHealthy", 0),
            status.get("desiredHealthy", 0),
            status.get("expectedPods", 0),
        )

    def condition(self, name: str = "web") -> dict:
        status = self.store.get("PodDisruptionBudget", "default", name)["status"]
        return next(c for c in status.get("conditions", []) if c["type"] == "DisruptionAllowed")

    def event_reasons(self, obj: dict) -> list[str]:
        return [e["reason"] for e in self.events.events_for(obj)]

    def event_messages(self, obj: dict, reason: str) -> list[str]:
        return [e["message"] for e in self.events.events_for(obj) if e["reason"] == reason]


def ref_to(owner: dict) -> dict:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
