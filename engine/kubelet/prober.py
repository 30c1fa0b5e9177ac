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

from engine.kubelet.runtime import RUNNING, ContainerInstance

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


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    result: str  # Success, Failure, or "Error" (thrown away)
    output: str = ""


PROBE_SUCCESS = ProbeOutcome(SUCCESS)
"""The outcome of every probe that passes without output (shared: outcomes are immutable)."""


class ProbeWorker:
    """One probe of one container of one pod."""

    # Slots: half the pods of a big cluster have a probe worker each.
    __slots__ = (
        "_startup_key",
        "container_id",
        "container_name",
        "failure_threshold",
        "http_get",
        "initial_delay",
        "injected_failure_until",
        "last_result",
        "on_hold",
        "period",
        "port_for",
        "probe_type",
        "result",
        "result_run",
        "spec",
        "steady",
        "steady_process",
        "steady_servers",
        "steady_startup",
        "stopped",
        "success_threshold",
        "timer",
        "worker",
    )

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
        # A probe's spec never changes (a pod's containers are immutable): read it once.
        spec = self.spec
        self.period = float(spec.get("periodSeconds", 10))
        self.initial_delay = float(spec.get("initialDelaySeconds", 0))
        self.failure_threshold = int(spec.get("failureThreshold", 3))
        self.success_threshold = int(spec.get("successThreshold", 1))
        action = spec.get("httpGet")
        self.http_get: dict | None = (
            action if isinstance(action, dict) and not isinstance(spec.get("exec"), dict) else None
        )
        # (container spec, port it resolved to): a named port resolved once per container.
        self.port_for: tuple[dict, int | None] | None = None
        self._startup_key = (self.container_name, STARTUP)
        # The instance whose last probe passed with an answer that cannot change while its
        # process keeps `steady_servers` and writes nothing (see _repeat_success).
        self.steady: ContainerInstance | None = None
        self.steady_process: Any = None  # the steady instance's process
        self.steady_servers: tuple = ()
        self.steady_startup: ProbeWorker | None = None

    def start(self) -> None:
        """The first probe runs at once, then every period (no jitter after kubelet start)."""
        clock = self.worker.clock
        self.timer = clock.call_batched(clock.now, _tick, self)

    def stop(self) -> None:
        self.stopped = True
        if self.timer is not None:
            self.timer.drop()
            self.timer = None

    def _tick(self) -> None:
        self.timer = None
        if self.stopped:
            return
        worker = self.worker
        clock = worker.clock
        # A stopped kubelet probes nothing; its ticker resumes with it.
        if worker.kubelet.running and not self._repeat_success(worker) and not self.do_probe():
            return
        if not self.stopped:
            # Probes due at one instant one after another share one timer (call_batched).
            self.timer = clock.call_batched(clock.now + self.period, _tick, self)

    def _repeat_success(self, worker: PodWorker) -> bool:
        """A probe that passed, of a container none of whose inputs changed, passes again:
        count it as do_probe would (the result is already Success, so nothing else moves)
        without asking the server. False: run the whole do_probe."""
        instance = self.steady
        if instance is None:
            return False
        # The instance is still the container's latest: a new one resets this probe
        # (reset_for clears `steady`) as the worker starts it. Only what is read here is
        # touched (half the pods of a big cluster pass this way every period, and each
        # object read is one more cache miss).
        phase = worker.phase
        if (
            phase == "Failed"
            or phase == "Succeeded"
            or self.on_hold
            or self.result != SUCCESS
            # Process.http_unchanged, without the call: the token is the servers the
            # process had while it has not exited nor written a file. The instance stays
            # running while it holds (container_exited closes the process's ports first),
            # so the instance itself is not read: one object fewer per probe per period.
            or self.steady_process.http_token is not self.steady_servers
            or (self.probe_type != READINESS and worker.deleting)
        ):
            self.steady = None
            return False
        injected = self.injected_failure_until
        if injected is not None and worker.clock.now < injected:
            self.steady = None
            return False
        startup = self.steady_startup
        if startup is not None and startup.result != SUCCESS:
            self.steady = None
            return False
        if self.probe_type == STARTUP:
            return True  # started: a startup probe stops probing (do_probe returns early)
        self.result_run += 1
        return True

    def reset_for(self, instance: ContainerInstance) -> None:
        """A new container instance: the result starts again from its initial value."""
        self.steady = None
        self.container_id = instance.id
        self.result = INITIAL_RESULT[self.probe_type]
        self.last_result = None
        self.result_run = 0
        self.on_hold = False

    def do_probe(self) -> bool:
        """One tick (`worker.doProbe`); returns False when the worker should stop."""
        worker = self.worker
        phase = worker.phase
        if phase == "Failed" or phase == "Succeeded":
            return False
        instances = worker.instances.get(self.container_name)
        instance = instances[-1] if instances else None
        if instance is None or instance.id is None:
            return True
        if instance.id != self.container_id:
            self.reset_for(instance)
            worker.probe_result_changed(self)
        if self.on_hold:
            return True
        probe_type = self.probe_type
        if instance.state != RUNNING:
            if self.result != FAILURE:
                self._set(FAILURE)
            return not (instance.exited and worker.restart_policy == "Never")
        if probe_type != READINESS and worker.deleting:
            self._set(SUCCESS)
            return False
        if worker.clock.now - (instance.started_at or 0.0) < self.initial_delay:
            return True
        # worker.container_started, with the instance known to be running.
        startup = worker.probes.get(self._startup_key)
        started = startup is None or startup.result == SUCCESS
        if started and probe_type == STARTUP:
            return True
        if not started and probe_type != STARTUP:
            return True
        self.steady = None
        outcome = worker.run_probe(self, instance)
        result = outcome.result
        if result == "Error":
            return True
        if result == FAILURE:
            worker.record_probe_failure(self, outcome.output)
        if self.last_result == result:
            self.result_run += 1
        else:
            self.last_result = result
            self.result_run = 1
        threshold = self.failure_threshold if result == FAILURE else self.success_threshold
        if self.result_run < threshold:
            return True
        if self.result != result:
            self._set(result)
            if (
                outcome is PROBE_SUCCESS
                and self.http_get is not None
                and self.result == SUCCESS
                and self.container_id == instance.id
            ):
                # Ready now (a readiness probe's first pass): the next periods are the
                # steady ones below; don't wait one more period to find that out.
                self._mark_steady(instance)
        elif outcome is PROBE_SUCCESS and self.http_get is not None:
            # A passing httpGet probe of the pod itself (the only way to PROBE_SUCCESS from
            # an httpGet action): the next ones pass too while nothing they read changes.
            self._mark_steady(instance)
        if result == FAILURE and probe_type != READINESS:
            # The container will be restarted; wait for the next instance.
            self.result_run = 0
            self.on_hold = True
        return True

    def _mark_steady(self, instance: ContainerInstance) -> None:
        action = self.http_get
        process = instance.process
        if action is None or action.get("host") or process is None:
            return
        memo = self.port_for
        if memo is None or memo[0] is not instance.spec or memo[1] is None:
            return
        if process.http_answer_is_fixed(memo[1]):
            self.steady = instance
            self.steady_process = process
            self.steady_servers = process.servers
            # The worker's probes are made once, with the pod's worker: this one stays.
            self.steady_startup = self.worker.probes.get(self._startup_key)

    def _set(self, result: str) -> None:
        if self.result != result:
            self.result = result
            self.worker.probe_result_changed(self)


def _tick(probe: ProbeWorker) -> None:
    """A probe's period came: the one function every probe batch runs (Clock.call_batched).

    ProbeWorker._tick, with its common case kept short: a steady probe of a running kubelet
    counts its pass and joins the next batch (half the pods of a big cluster take this
    way every period, all at the same instants)."""
    probe.timer = None
    if probe.stopped:
        return
    worker = probe.worker
    if probe.steady is None or not worker.kubelet.running or not probe._repeat_success(worker):
        probe._tick()
        return
    clock = worker.clock
    probe.timer = clock.call_batched(clock.now + probe.period, _tick, probe)


ProbeRunner = Callable[[ProbeWorker, ContainerInstance], ProbeOutcome]
