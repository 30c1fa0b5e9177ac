"""Probe workers: startup, liveness and readiness, as pkg/kubelet/prober runs them.

A worker is created when the pod is added to the node and ticks every `periodSeconds` from
then on. A new container instance resets its result (readiness Failure, liveness Success,
startup Unknown); only `failureThreshold` consecutive failures (or `successThreshold`
successes) change the result; every failed probe before that emits `Unhealthy`. A failed
liveness or startup result puts the worker on hold until the next container instance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.kubelet.runtime import ContainerInstance

if TYPE_CHECKING:
    from engine.kubelet.worker import PodWorker

SUCCESS = "Success"
FAILURE = "Failure"
UNKNOWN = "Unknown"

LIVENESS = "liveness"
READINESS = "readiness"
STARTUP = "startup"
PROBE_FIELDS = {STARTUP: "startupProbe", LIVENESS: "livenessProbe", READINESS: "readinessProbe"}
INITIAL_RESULT = {READINESS: FAILURE, LIVENESS: SUCCESS, STARTUP: UNKNOWN}


@dataclass
class ProbeOutcome:
    result: str  # Success, Failure, or "Error" (thrown away)
    output: str = ""


class ProbeWorker:
    """One probe of one container of one pod."""

    def __init__(self, worker: PodWorker, container: dict, probe_type: str) -> None:
        self.worker = worker
        self.container_name = container["name"]
        self.probe_type = probe_type
        self.spec: dict = container[PROBE_FIELDS[probe_type]]
        self.result = INITIAL_RESULT[probe_type]
        self.last_result: str | None = None
        self.result_run = 0
        self.on_hold = False
        self.container_id: str | None = None
        self.stopped = False
        self.timer: Any = None
        self.injected_failure_until: float | None = None

    @property
    def period(self) -> float:
        return float(self.spec.get("periodSeconds", 10))

    def start(self) -> None:
        """The first probe runs at once, then every period (no jitter after kubelet start)."""
        self._schedule(0.0)

    def stop(self) -> None:
        self.stopped = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _schedule(self, delay: float) -> None:
        self.timer = self.worker.clock.call_later(delay, self._tick)

    def _tick(self) -> None:
        self.timer = None
        if self.stopped:
            return
        if not self.worker.kubelet.running:
            # A stopped kubelet probes nothing; its ticker resumes with it.
            self._schedule(self.period)
            return
        keep_going = self.do_probe()
        if keep_going and not self.stopped:
            self._schedule(self.period)

    def reset_for(self, instance: ContainerInstance) -> None:
        """A new container instance: the result starts again from its initial value."""
        self.container_id = instance.id
        self.result = INITIAL_RESULT[self.probe_type]
        self.last_result = None
        self.result_run = 0
        self.on_hold = False

    def do_probe(self) -> bool:
        """One tick (`worker.doProbe`); returns False when the worker should stop."""
        worker = self.worker
        phase = worker.phase
        if phase in ("Failed", "Succeeded"):
            return False
        instance = worker.newest_instance(self.container_name)
        if instance is None or instance.id is None:
            return True
        if instance.id != self.container_id:
            self.reset_for(instance)
            worker.probe_result_changed(self)
        if self.on_hold:
            return True
        if not instance.running:
            if self.result != FAILURE:
                self._set(FAILURE)
            return not (instance.exited and worker.restart_policy == "Never")
        if worker.deleting and self.probe_type in (LIVENESS, STARTUP):
            self._set(SUCCESS)
            return False
        if worker.clock.now - (instance.started_at or 0.0) < float(
            self.spec.get("initialDelaySeconds", 0)
        ):
            return True
        started = worker.container_started(self.container_name)
        if started and self.probe_type == STARTUP:
            return True
        if not started and self.probe_type != STARTUP:
            return True
        outcome = worker.run_probe(self, instance)
        if outcome.result == "Error":
            return True
        if outcome.result == FAILURE:
            worker.record_probe_failure(self, outcome.output)
        if self.last_result == outcome.result:
            self.result_run += 1
        else:
            self.last_result = outcome.result
            self.result_run = 1
        threshold = int(
            self.spec.get("failureThreshold", 3)
            if outcome.result == FAILURE
            else self.spec.get("successThreshold", 1)
        )
        if (outcome.result == FAILURE and self.result_run < threshold) or (
            outcome.result == SUCCESS and self.result_run < threshold
        ):
            return True
        self._set(outcome.result)
        if outcome.result == FAILURE and self.probe_type in (LIVENESS, STARTUP):
            # The container will be restarted; wait for the next instance.
            self.result_run = 0
            self.on_hold = True
        return True

    def _set(self, result: str) -> None:
        if self.result != result:
            self.result = result
            self.worker.probe_result_changed(self)


ProbeRunner = Callable[[ProbeWorker, ContainerInstance], ProbeOutcome]
