"""The pod worker: one pod on one node, synced as the kubelet's SyncPod does.

A sync is a generator: it runs until it has to wait for simulated time (an image pull, a
sandbox, containers stopping) and is resumed by the clock. Syncs never overlap; a request
made while one runs starts another when it ends, and a sync that hit an error (back-off, a
failed pull) is requeued after 10–15 s, as the kubelet's pod workers do.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from engine.containers.process import Exit, Process
from engine.events import Source
from engine.kubelet import hooks
from engine.kubelet.backoff import backoff_event_message, backoff_message, stable_key
from engine.kubelet.env import ConfigError, container_env
from engine.kubelet.phase import is_sidecar
from engine.kubelet.pod_status import build_status
from engine.kubelet.prober import (
    FAILURE,
    LIVENESS,
    PROBE_FIELDS,
    READINESS,
    STARTUP,
    SUCCESS,
    ProbeWorker,
)
from engine.kubelet.probes import run_probe
from engine.kubelet.runtime import EXITED, RUNNING, ContainerInstance, Sandbox
from engine.kubelet.volumes import PodVolumes

if TYPE_CHECKING:
    from engine.kubelet.kubelet import Kubelet

SANDBOX_CREATE_SECONDS = 1.0
WORKER_BACKOFF_PERIOD = 10.0
WORKER_BACKOFF_JITTER = 0.5
MIN_GRACE_PERIOD = 2.0
RELIST_PERIOD = 1.0


class Barrier:
    """A sync waits here until every listed container instance has exited."""

    def __init__(self, instances: list[ContainerInstance]) -> None:
        self.instances = instances
        self.on_done: Callable[[], None] | None = None

    def done(self) -> bool:
        return all(i.exited for i in self.instances)


SyncStep = Generator[float | Barrier, None, None]


class InstanceHost:
    """What a container's process sees of the node: its log and the assumed-command note."""

    # One per container: slots, and the set made on the first note (an empty set is 216 bytes).
    __slots__ = ("_noted", "instance", "worker")

    def __init__(self, worker: PodWorker, instance: ContainerInstance) -> None:
        self.worker = worker
        self.instance = instance
        self._noted: set[str] | None = None

    def log(self, stream: str, line: str) -> None:
        self.instance.log((self.worker.clock.now, stream, line))

    def note_assumed(self, command: str) -> None:
        if self._noted is None:
            self._noted = set()
        elif command in self._noted:
            return
        self._noted.add(command)
        self.log("stderr", f"[podtui] {command}: not simulated; assumed to succeed (exit 0)")

    def connect(self, host: str, port: int) -> Any:
        """Where a connection from this pod to host:port lands (cluster DNS and kube-proxy,
        when a feature package runs them); None when host is not the cluster's."""
        proxy = self.worker.cluster.controllers.get("kube-proxy")
        route = getattr(proxy, "route", None)
        return None if route is None else route(self.worker.pod, host, port)

    def pod_listener(self, port: int) -> Process | None:
        """The running container of this pod that listens on port (shared localhost)."""
        for instances in self.worker.instances.values():
            instance = instances[-1] if instances else None
            process = getattr(instance, "process", None)
            running = instance is not None and instance.running and process is not None
            if running and port in process.listening:
                return process
        return None


class PodWorker:
    """Everything one kubelet knows and does about one pod."""

    # Slots: one worker per pod, and an instance dict of ~35 attributes is 1.5 KB of it.
    __slots__ = (
        "_backoff_keys",
        "_barrier",
        "_deleted_from_api",
        "_gen",
        "_requeue_timer",
        "_status_pending",
        "_sync_again",
        "_sync_error",
        "_sync_running",
        "_sync_timer",
        "clock",
        "cluster",
        "deadline_timer",
        "ever_initialized",
        "instances",
        "kubelet",
        "mount_statuses",
        "phase",
        "pod",
        "pod_ip",
        "probes",
        "reason_cache",
        "removed",
        "requests",
        "restart_counts",
        "sandbox",
        "sandbox_attempts",
        "start_time",
        "status_message",
        "status_reason",
        "sync_view",
        "terminal",
        "uid",
        "volumes",
    )

    def __init__(self, kubelet: Kubelet, pod: dict) -> None:
        self.kubelet = kubelet
        self.cluster = kubelet.cluster
        self.clock = kubelet.cluster.clock
        self.pod = pod
        self.uid: str = pod["metadata"]["uid"]
        self.instances: dict[str, list[ContainerInstance]] = {}
        self.restart_counts: dict[str, int] = {}
        self.reason_cache: dict[str, tuple[str, str]] = {}
        self.probes: dict[tuple[str, str], ProbeWorker] = {}
        self.sandbox: Sandbox | None = None
        self.sandbox_attempts = 0
        self.pod_ip: str | None = None
        self.start_time: float | None = None
        self.phase = (pod.get("status") or {}).get("phase", "Pending")
        self.terminal = False
        self.ever_initialized = False
        self.removed = False
        self.status_reason: str | None = None
        self.status_message: str | None = None
        self.deadline_timer: Any = None
        self._sync_running = False
        self._sync_again = False
        self._sync_error = False
        self._sync_timer: Any = None
        self._requeue_timer: Any = None
        self._gen: SyncStep | None = None
        self._status_pending = False
        self._deleted_from_api = False
        self._barrier: Barrier | None = None
        self.sync_view: tuple | None = None
        self._backoff_keys: dict[str, str] = {}
        self.volumes = PodVolumes(self)
        self.mount_statuses: dict[str, list[dict]] = {}
        self.requests: dict[str, int] | None = None

    # -- identity and the spec ----------------------------------------------------------
    @property
    def spec(self) -> dict:
        return self.pod["spec"]

    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    @property
    def restart_policy(self) -> str:
        return self.spec.get("restartPolicy", "Always")

    @property
    def deleting(self) -> bool:
        return bool(self.pod["metadata"].get("deletionTimestamp")) or self.removed

    @property
    def source(self) -> Source:
        return self.kubelet.source

    def container_spec(self, name: str) -> tuple[dict, bool] | None:
        for container in self.spec.get("initContainers") or []:
            if container["name"] == name:
                return container, True
        for container in self.spec.get("containers") or []:
            if container["name"] == name:
                return container, False
        return None

    def newest_instance(self, name: str) -> ContainerInstance | None:
        instances = self.instances.get(name)
        return instances[-1] if instances else None

    def event(self, type_: str, reason: str, message: str, container: str | None = None) -> None:
        field_path = None
        if container is not None:
            if self.pod["spec"].get("initContainers"):
                found = self.container_spec(container)
                group = "initContainers" if found and found[1] else "containers"
            else:
                group = "containers"  # what container_spec's search ends with
            # Interned: every pod's events name the same few fields (spec.containers{app}).
            field_path = sys.intern(f"spec.{group}{{{container}}}")
        self.cluster.events.event(
            self.pod, type_, reason, message, self.source, field_path=field_path
        )

    # -- requests from the kubelet ------------------------------------------------------
    def pod_updated(self, pod: dict) -> None:
        if pod.get("spec") is not self.pod.get("spec"):
            self._backoff_keys.clear()
            self.mount_statuses.clear()
        self.pod = pod
        self.request_sync()

    def request_sync(self, delay: float = 0.0) -> None:
        """Ask for a sync (coalesced; never two at once)."""
        if self._deleted_from_api and self.terminal:
            return
        if self._sync_running:
            self._sync_again = True
            return
        at = self.clock.now + delay
        if self._sync_timer is not None:
            if self._sync_timer.at <= at:
                return
            self._sync_timer.cancel()
        self._sync_timer = self.clock.call_at(at, self._start_sync)

    def request_relist(self) -> None:
        """A container changed state: PLEG notices at its next relist (every second)."""
        now = self.clock.now
        next_relist = math.floor(now / RELIST_PERIOD + 1) * RELIST_PERIOD
        self.request_sync(next_relist - now)

    def _start_sync(self) -> None:
        self._sync_timer = None
        if not self.kubelet.running:
            return
        if self._requeue_timer is not None:
            self._requeue_timer.cancel()
            self._requeue_timer = None
        self._sync_running = True
        self._sync_again = False
        self._sync_error = False
        self._gen = self._sync()
        self._advance()

    def _advance(self) -> None:
        assert self._gen is not None
        try:
            step = next(self._gen)
        except StopIteration:
            self._finish_sync()
            return
        if isinstance(step, Barrier):
            if step.done():
                self.clock.call_later(0, self._advance)
            else:
                step.on_done = self._advance
                self._barrier = step
        else:
            self.clock.call_later(step, self._advance)

    def _finish_sync(self) -> None:
        self._gen = None
        self._sync_running = False
        self.request_status()
        if self._sync_again:
            self.request_sync()
        elif self._sync_error and not self.terminal:
            delay = WORKER_BACKOFF_PERIOD * (1 + WORKER_BACKOFF_JITTER * self.cluster.rng.random())
            self._requeue_timer = self.clock.call_later(delay, self.request_sync)

    # -- status ---------------------------------------------------------------------------
    def request_status(self) -> None:
        """The status manager writes the pod's status (once per instant, however many changes)."""
        if self._status_pending or self._deleted_from_api:
            return
        self._status_pending = True
        self.clock.call_later(0, self._write_status)

    def _write_status(self) -> None:
        self._status_pending = False
        if self._deleted_from_api or not self.kubelet.running:
            return
        live = self.cluster.store.get_by_uid(self.uid)
        if live is None:
            return
        self.pod = live
        status = build_status(self)
        if status != live.get("status"):
            live["status"] = status
            self.cluster.store.modified(live, status_only=True)
        if self.terminal and self.deleting and self._all_stopped():
            # The status manager's final DELETE: grace 0, with the pod's UID as precondition.
            self._deleted_from_api = True
            self.cluster.api.finish_pod_deletion(live)

    def _all_stopped(self) -> bool:
        return all(not i.running for instances in self.instances.values() for i in instances)

    # -- readiness and start, as the prober reports them ----------------------------------
    def container_started(self, name: str) -> bool:
        instance = self.newest_instance(name)
        if instance is None or not instance.running:
            return False
        startup = self.probes.get((name, STARTUP))
        return startup is None or startup.result == SUCCESS

    def container_ready(self, name: str) -> bool:
        readiness = self.probes.get((name, READINESS))
        return readiness is None or readiness.result == SUCCESS

    def probe_result_changed(self, probe: ProbeWorker) -> None:
        if probe.probe_type in (LIVENESS, STARTUP) and probe.result == FAILURE:
            self.request_sync()
        elif probe.probe_type == STARTUP and probe.result == SUCCESS:
            # A started sidecar lets the next init container run.
            self.request_sync()
        self.request_status()

    def run_probe(self, probe: ProbeWorker, instance: ContainerInstance):
        return run_probe(self, probe, instance)

    def record_probe_failure(self, probe: ProbeWorker, output: str) -> None:
        kind = probe.probe_type.capitalize()
        self.event("Warning", "Unhealthy", f"{kind} probe failed: {output}", probe.container_name)

    def _ensure_probe_workers(self) -> None:
        if self.probes:
            return
        for group in ("initContainers", "containers"):
            for container in self.spec.get(group) or []:
                if group == "initContainers" and not is_sidecar(container):
                    continue
                for probe_type, field in PROBE_FIELDS.items():
                    if container.get(field):
                        worker = ProbeWorker(self, container, probe_type)
                        self.probes[(container["name"], probe_type)] = worker
                        worker.start()

    def _stop_probes(self) -> None:
        for probe in self.probes.values():
            probe.stop()

    # -- restart policy -------------------------------------------------------------------
    def should_restart(
        self, instance: ContainerInstance | None, container: dict, *, init: bool
    ) -> bool:
        """ShouldContainerBeRestarted."""
        if self.deleting or self.terminal:
            return False
        if instance is None or instance.state not in (RUNNING, EXITED):
            return True
        if instance.running:
            return False
        if init and is_sidecar(container):
            return True
        if init and instance.exit_code == 0:
            return False
        policy = self.restart_policy
        if policy == "Never":
            return False
        return not (policy == "OnFailure" and instance.exit_code == 0)

    # -- the sync -------------------------------------------------------------------------
    def _sync(self) -> SyncStep:
        if self.removed or self.deleting:
            yield from self._terminate_pod()
            return
        if self.terminal:
            return
        if self.status_reason == "DeadlineExceeded":
            yield from self._kill_all("Stopping container {name}")
            self._become_terminal()
            return
        if self.start_time is None:
            self.start_time = self.clock.now
            deadline = self.spec.get("activeDeadlineSeconds")
            if isinstance(deadline, int) and deadline > 0:
                self.deadline_timer = self.clock.call_later(deadline, self._deadline_exceeded)
        self._ensure_probe_workers()
        if not self._volumes_ready():
            self._sync_error = True
            return
        if self.sandbox is None or not self.sandbox.ready:
            recreate = yield from self._ensure_sandbox()
            if not recreate:
                return
        initialized = yield from self._sync_init_containers()
        if not initialized:
            return
        yield from self._sync_containers()

    def _volumes_ready(self) -> bool:
        """The volume manager: ConfigMap and Secret volumes must exist before the sandbox."""
        store = self.cluster.store
        for volume in self.spec.get("volumes") or []:
            for kind, field, key in (
                ("ConfigMap", "configMap", "name"),
                ("Secret", "secret", "secretName"),
            ):
                source = volume.get(field)
                if not isinstance(source, dict) or source.get("optional"):
                    continue
                ref = source.get(key, "")
                if store.get(kind, self.namespace, ref) is None:
                    self.event(
                        "Warning",
                        "FailedMount",
                        f'MountVolume.SetUp failed for volume "{volume.get("name")}" : {kind.lower()} "{ref}" not found',
                    )
                    return False
        return True

    def _ensure_sandbox(self) -> Generator[float | Barrier, None, bool]:
        """Create (or re-create) the sandbox; False when the pod ends instead."""
        old = self.sandbox
        if self.sandbox_attempts > 0:
            if self.restart_policy == "Never" and any(self.instances.values()):
                yield from self._kill_all("Stopping container {name}")
                self._become_terminal()
                return False
            if old is not None:
                self.event(
                    "Normal",
                    "SandboxChanged",
                    "Pod sandbox changed, it will be killed and re-created.",
                )
            yield from self._kill_all("Stopping container {name}")
            self._release_sandbox()
            # purgeInitContainers: initialization starts again from the first init container.
            for container in self.spec.get("initContainers") or []:
                instances = self.instances.pop(container["name"], [])
                if instances:
                    self.restart_counts[container["name"]] = instances[-1].restart_count + 1
        self.sandbox_attempts += 1
        sandbox = Sandbox(self.kubelet.new_id(), self.sandbox_attempts - 1, None, self.clock.now)
        self.sandbox = sandbox
        self.request_status()
        yield SANDBOX_CREATE_SECONDS
        if self.sandbox is not sandbox or self.deleting:
            return False
        if self.spec.get("hostNetwork"):
            sandbox.ip = self.kubelet.host_ip
        else:
            sandbox.ip = self.kubelet.ips.allocate()
            if sandbox.ip is None:
                self.event(
                    "Warning",
                    "FailedCreatePodSandBox",
                    'Failed to create pod sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set',
                )
                self.sandbox = None
                self._sync_error = True
                return False
        sandbox.ready = True
        self.pod_ip = sandbox.ip
        self.request_status()
        return True

    def _release_sandbox(self) -> None:
        if self.sandbox is not None:
            if not self.spec.get("hostNetwork"):
                self.kubelet.ips.release(self.sandbox.ip)
            self.sandbox.ready = False

    def _in_sandbox(self, instance: ContainerInstance | None) -> ContainerInstance | None:
        if instance is None or self.sandbox is None:
            return None
        return instance if getattr(instance, "sandbox_id", None) == self.sandbox.id else None

    def _sync_init_containers(self) -> Generator[float | Barrier, None, bool]:
        """computeInitContainerActions: True once the pod is initialized in this sandbox."""
        inits = self.spec.get("initContainers")
        if not inits:
            return True
        initialized_here = any(
            self._in_sandbox(self.newest_instance(c["name"]))
            for c in self.spec.get("containers") or []
        )
        for container in inits:
            name = container["name"]
            instance = self._in_sandbox(self.newest_instance(name))
            if is_sidecar(container):
                if instance is not None and instance.running:
                    if self._probe_failed(name):
                        yield from self._restart_for_probe(instance, container, init=True)
                        return False
                    if not self.container_started(name) and not initialized_here:
                        return False
                    continue
                if instance is None or instance.exited:
                    yield from self._start_container(container, init=True)
                    if not self.container_started(name) and not initialized_here:
                        return False
                continue
            if initialized_here:
                continue
            if instance is None:
                yield from self._start_container(container, init=True)
                return False
            if instance.running:
                return False
            if instance.exit_code == 0:
                continue
            if self.restart_policy == "Never":
                yield from self._kill_all("Stopping container {name}")
                self._become_terminal()
                return False
            yield from self._start_container(container, init=True)
            return False
        return True

    def _probe_failed(self, name: str) -> str | None:
        for probe_type in (LIVENESS, STARTUP):
            probe = self.probes.get((name, probe_type))
            if probe is not None and probe.on_hold and probe.result == FAILURE:
                instance = self.newest_instance(name)
                if instance is not None and instance.id == probe.container_id and instance.running:
                    return probe_type
        return None

    def _restart_for_probe(
        self, instance: ContainerInstance, container: dict, *, init: bool
    ) -> SyncStep:
        probe_type = self._probe_failed(instance.name) or LIVENESS
        prefix = "Init container" if init else "Container"
        message = f"{prefix} {instance.name} failed {probe_type} probe"
        restart = init or self.restart_policy != "Never"
        if restart:
            message += ", will be restarted"
        probe = self.probes.get((instance.name, probe_type))
        grace = probe.spec.get("terminationGracePeriodSeconds") if probe else None
        yield from self._kill([instance], message, grace=grace)
        if restart:
            yield from self._start_container(container, init=init)

    def _sync_containers(self) -> SyncStep:
        """computePodActions for the regular containers."""
        containers = self.spec.get("containers") or []
        to_start: list[dict] = []
        to_kill: list[tuple[ContainerInstance, dict]] = []
        keep = 0
        for container in containers:
            name = container["name"]
            newest = self.newest_instance(name)
            instance = self._in_sandbox(newest)
            if instance is None:
                if (
                    newest is None
                    or self.should_restart(newest, container, init=False)
                    or newest.running
                ):
                    to_start.append(container)
                continue
            if instance.running:
                if self._probe_failed(name):
                    to_kill.append((instance, container))
                else:
                    keep += 1
                continue
            if self.should_restart(instance, container, init=False):
                to_start.append(container)
        if keep == 0 and not to_start and not to_kill:
            yield from self._finish_pod()
            return
        for instance, container in to_kill:
            yield from self._restart_for_probe(instance, container, init=False)
        for container in to_start:
            yield from self._start_container(container, init=False)
        if any(self._in_sandbox(self.newest_instance(c["name"])) for c in containers):
            self.ever_initialized = True

    def _finish_pod(self) -> SyncStep:
        """Every regular container is done and none restarts: stop sidecars and the sandbox."""
        sidecars = [
            i
            for c in reversed(self.spec.get("initContainers") or [])
            if is_sidecar(c) and (i := self.newest_instance(c["name"])) is not None and i.running
        ]
        if sidecars:
            yield from self._kill(sidecars, "Stopping container {name}")
        self._become_terminal()

    def _become_terminal(self) -> None:
        self.terminal = True
        self.kubelet.pod_finished(self.uid)
        self._release_sandbox()
        self._stop_probes()
        if self.deadline_timer is not None:
            self.deadline_timer.cancel()
        self.request_status()

    # -- starting containers ------------------------------------------------------------
    def _start_container(self, container: dict, *, init: bool) -> SyncStep:
        """startContainer after doBackOff: image, config, create, start, postStart."""
        name = container["name"]
        previous = self.newest_instance(name)
        backoff = self.kubelet.backoff
        if previous is not None and previous.exited and previous.finished_at is not None:
            # The back-off key (and its hash of the spec) is only read for a restart: a
            # first start, the common case by far, never hashes its container.
            key = self._backoff_keys.get(name)
            if key is None:
                key = self._backoff_keys[name] = stable_key(self.pod, container)
            if backoff.is_in_backoff_since(key, previous.finished_at, self.clock.now):
                delay = backoff.get(key)
                self.reason_cache[name] = (
                    "CrashLoopBackOff",
                    backoff_message(delay, name, self.name, self.namespace, self.uid),
                )
                self.event(
                    "Warning",
                    "BackOff",
                    backoff_event_message(name, self.name, self.namespace, self.uid),
                    name,
                )
                self._sync_error = True
                self.request_status()
                return
            backoff.next(key, previous.finished_at, self.clock.now)
        pulled = yield from self.kubelet.image_puller.ensure_image(self, container)
        if pulled is None or self.deleting or self.terminal:
            self._sync_error = pulled is None
            self.request_status()
            return
        image, image_id = pulled
        try:
            env = container_env(self.cluster.store, self.pod, container, self.pod_ip)
        except ConfigError as err:
            self.reason_cache[name] = ("CreateContainerConfigError", str(err))
            self.event("Warning", "Failed", f"Error: {err}", name)
            self._sync_error = True
            self.request_status()
            return
        if previous is not None:
            restart_count = previous.restart_count + 1
        else:
            restart_count = self.restart_counts.get(name, 0)
        instance = ContainerInstance(
            id=self.kubelet.new_id(),
            name=name,
            spec=container,
            init=init,
            sidecar=init and is_sidecar(container),
            restart_count=restart_count,
            image=image,
            image_id=image_id,
            created_at=self.clock.now,
        )
        instance.sandbox_id = self.sandbox.id if self.sandbox else None  # type: ignore[attr-defined]
        history = self.instances.setdefault(name, [])
        history.append(instance)
        del history[:-2]
        self.event("Normal", "Created", "Container created", name)
        self.event("Normal", "Started", "Container started", name)
        self.reason_cache.pop(name, None)
        instance.state = RUNNING
        instance.started_at = self.clock.now
        self._start_process(instance, env)
        for probe_type in (STARTUP, LIVENESS, READINESS):
            probe = self.probes.get((name, probe_type))
            if probe is not None:
                probe.reset_for(instance)
        if not init:
            self.ever_initialized = True
        self.request_status()
        failure = hooks.post_start(self, instance)
        if failure is not None:
            self.event("Warning", "FailedPostStartHook", failure, name)
            yield from self._kill([instance], "FailedPostStartHook")

    def _start_process(self, instance: ContainerInstance, env: dict[str, str]) -> None:
        host = InstanceHost(self, instance)
        instance.process = Process(
            instance.spec,
            self.pod,
            env,
            host,
            now=self.clock.now_datetime,
            mounts=self.volumes.mounts_for(instance.spec),
        )
        self._process_step(instance, instance.process.start())

    def _process_step(self, instance: ContainerInstance, step: Any) -> None:
        if isinstance(step, Exit):
            self.container_exited(instance, step.code, step.reason, step.message)
            return
        seconds = float(step.seconds)
        if math.isinf(seconds):
            return
        instance.timer = self.clock.call_later(seconds, lambda: self._resume(instance))

    def _resume(self, instance: ContainerInstance) -> None:
        instance.timer = None
        if not instance.running:
            return
        self._process_step(instance, instance.process.resume())

    def container_exited(
        self,
        instance: ContainerInstance,
        code: int,
        reason: str | None = None,
        message: str | None = None,
    ) -> None:
        """The runtime saw the container's process end."""
        if not instance.running:
            return
        instance.state = EXITED
        instance.message = message
        instance.finished_at = self.clock.now
        instance.exit_code = code
        instance.reason = reason or ("Completed" if code == 0 else "Error")
        for timer in (instance.timer, instance.kill_timer):
            if timer is not None:
                timer.cancel()
        instance.timer = instance.kill_timer = None
        if instance.process is not None:
            instance.process.listening = set()
        barrier = self._barrier
        if barrier is not None and barrier.on_done is not None and barrier.done():
            callback = barrier.on_done
            barrier.on_done = None
            self._barrier = None
            self.clock.call_later(0, callback)
        self.request_status()
        self.request_relist()

    # -- stopping containers ------------------------------------------------------------
    def _grace_period(self, override: float | None = None) -> float:
        deletion = self.pod["metadata"].get("deletionGracePeriodSeconds")
        if deletion is not None:
            return float(deletion)
        if override is not None:
            return float(override)
        return float(self.spec.get("terminationGracePeriodSeconds", 30))

    def _kill(
        self, instances: list[ContainerInstance], message: str, *, grace: float | None = None
    ) -> SyncStep:
        """killContainer for several containers at once; waits until all have exited."""
        running = [i for i in instances if i.running]
        for instance in running:
            self.kill_instance(
                instance, message.format(name=instance.name), self._grace_period(grace)
            )
        if running:
            yield Barrier(running)

    def kill_instance(
        self, instance: ContainerInstance, message: str, grace: float, *, quiet: bool = False
    ) -> None:
        """Stop one container: preStop, then SIGTERM, then SIGKILL when the grace period ends."""
        if not instance.running or instance.terminating:
            return
        instance.terminating = True
        if not quiet:
            self.event("Normal", "Killing", message, instance.name)
        hook_seconds = 0.0
        if grace > 0:
            hook_seconds, failure = hooks.pre_stop(self, instance, grace)
            if failure is not None:
                self._pre_stop_failed(instance, failure, hook_seconds)
        remaining = max(grace - hook_seconds, MIN_GRACE_PERIOD)

        def sigterm() -> None:
            if not instance.running:
                return
            outcome = instance.process.sigterm() if instance.process is not None else None
            if outcome is None:
                return
            if instance.timer is not None:
                instance.timer.cancel()
                instance.timer = None
            self._process_step(instance, outcome)

        def sigkill() -> None:
            instance.kill_timer = None
            if instance.running:
                exit_ = instance.process.sigkill() if instance.process is not None else None
                self.container_exited(
                    instance, exit_.code if exit_ else 137, exit_.reason if exit_ else None
                )

        self.clock.call_later(hook_seconds, sigterm)
        instance.kill_timer = self.clock.call_later(hook_seconds + remaining, sigkill)

    def _pre_stop_failed(self, instance: ContainerInstance, failure: str, after: float) -> None:
        """FailedPreStopHook when the hook's handler returns its error.

        executePreStopHook (pkg/kubelet/kuberuntime/kuberuntime_container.go) runs the
        handler in a goroutine that records the event when Run returns an error: when the
        hook fails, or when the grace period cuts it off, not when the kill began.
        """
        if after <= 0:
            self.event("Warning", "FailedPreStopHook", failure, instance.name)
            return
        self.clock.call_later(
            after, lambda: self.event("Warning", "FailedPreStopHook", failure, instance.name)
        )

    def _kill_all(self, message: str) -> SyncStep:
        """KillPod: regular containers first, then sidecars in reverse order."""
        regular = [
            i
            for c in self.spec.get("containers") or []
            if (i := self.newest_instance(c["name"])) and i.running
        ]
        inits = [
            i
            for c in reversed(self.spec.get("initContainers") or [])
            if (i := self.newest_instance(c["name"])) and i.running
        ]
        yield from self._kill(regular, message)
        yield from self._kill(inits, message)

    def _terminate_pod(self) -> SyncStep:
        """The pod is being deleted: stop everything within the grace period, then report."""
        for probe in self.probes.values():
            if probe.probe_type in (LIVENESS, STARTUP):
                probe.stop()
        yield from self._kill_all("Stopping container {name}")
        self._become_terminal()

    def _deadline_exceeded(self) -> None:
        """activeDeadlineSeconds: the pod fails with DeadlineExceeded."""
        self.deadline_timer = None
        if self.terminal:
            return
        self.status_reason = "DeadlineExceeded"
        self.status_message = "Pod was active on the node longer than the specified deadline"
        self.event("Normal", "DeadlineExceeded", self.status_message)
        self.request_sync()

    # -- removal from the node ----------------------------------------------------------
    def pod_removed(self) -> None:
        """The API object is gone (force deletion or the final delete): stop what still runs."""
        self.removed = True
        self._deleted_from_api = True
        self._stop_probes()
        for instances in self.instances.values():
            for instance in instances:
                if instance.running:
                    self.kill_instance(instance, "", MIN_GRACE_PERIOD, quiet=True)
        if self.sandbox is not None and self.sandbox.ready:
            self._release_sandbox()
        if self.deadline_timer is not None:
            self.deadline_timer.cancel()
