"""Building `pod.status` from what the kubelet knows (generateAPIPodStatus).

Container statuses come from the two newest runtime instances of each container, rewritten
by the reason cache for containers that will be restarted; then the phase (getPhase, with
terminal phases sticky) and the kubelet's conditions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.kubelet.conditions import generate_conditions
from engine.kubelet.phase import get_phase, is_sidecar
from engine.kubelet.runtime import EXITED, RUNNING, ContainerInstance

if TYPE_CHECKING:
    from engine.kubelet.worker import PodWorker

TERMINAL = ("Succeeded", "Failed")
UNKNOWN_MESSAGE = "The container could not be located when the pod was terminated"


def instance_state(instance: ContainerInstance, timestamp) -> dict:
    """`state` of a runtime container: running, terminated or (created) waiting."""
    if instance.state == "running":
        return {"running": {"startedAt": timestamp(instance.started_at)}}
    if instance.state == "exited":
        terminated = {
            "containerID": instance.container_id,
            "exitCode": instance.exit_code,
            "finishedAt": timestamp(instance.finished_at),
            "reason": instance.reason,
            "startedAt": timestamp(
                instance.started_at if instance.started_at is not None else instance.finished_at
            ),
        }
        if instance.message:
            terminated["message"] = instance.message
        return {"terminated": terminated}
    return {"waiting": {}}


def container_status(worker: PodWorker, container: dict, *, init: bool) -> dict:
    """One entry of containerStatuses / initContainerStatuses."""
    # Keys are written in sorted order, as kubectl -o json prints them (this runs for every
    # container of every status write: no sort, no intermediate dict).
    name = container["name"]
    instances = worker.instances.get(name)
    newest = instances[-1] if instances else None
    if newest is None:
        if worker.terminal and _synthesize_unknown(worker, container, init):
            state: dict = {
                "terminated": {
                    "exitCode": 137,
                    "message": UNKNOWN_MESSAGE,
                    "reason": "ContainerStatusUnknown",
                }
            }
        elif worker.pod["spec"].get("initContainers"):
            state = {"waiting": {"reason": "PodInitializing"}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        status: dict = {
            "image": container.get("image", ""),
            "imageID": "",
            "lastState": {},
            "name": name,
            "ready": False,
            "restartCount": worker.restart_counts.get(name, 0),
            "started": False,
            "state": state,
        }
    else:
        timestamp = worker.clock.timestamp
        running = newest.state == RUNNING
        started = worker.container_started(name) if running else False
        if init and not is_sidecar(container):
            ready = newest.state == EXITED and newest.exit_code == 0
        else:
            ready = running and started and worker.container_ready(name)
        # lastState: the previous instance when it has exited, else nothing.
        previous = instances[-2] if len(instances) > 1 else None
        status = {
            "containerID": newest.container_id,
            "image": newest.image,
            "imageID": newest.image_id,
            "lastState": (
                instance_state(previous, timestamp)
                if previous is not None and previous.state == EXITED
                else {}
            ),
            "name": name,
            "ready": bool(ready),
            "restartCount": newest.restart_count,
            "started": bool(started),
            "state": instance_state(newest, timestamp),
        }
    cached = worker.reason_cache.get(name)
    if cached is not None and worker.should_restart(newest, container, init=init):
        if "terminated" in status["state"]:
            status["lastState"] = status["state"]
        reason, message = cached
        waiting = {"reason": reason}
        if message:
            waiting["message"] = message
        status["state"] = {"waiting": waiting}
    if container.get("volumeMounts"):
        status["volumeMounts"] = _mount_statuses(worker, container)
    return status


def _mount_statuses(worker: PodWorker, container: dict) -> list[dict]:
    """containerStatuses[].volumeMounts: the same for every status of this container."""
    cache = worker.mount_statuses
    found = cache.get(container["name"])
    if found is None:
        found = cache[container["name"]] = [
            {
                "mountPath": m.get("mountPath"),
                "name": m.get("name"),
                **(
                    {"readOnly": True, "recursiveReadOnly": "Disabled"} if m.get("readOnly") else {}
                ),
            }
            for m in container.get("volumeMounts") or []
        ]
    return found


def _synthesize_unknown(worker: PodWorker, container: dict, init: bool) -> bool:
    """TerminatePod: containers never run when a started pod ends are ContainerStatusUnknown."""
    if not worker.ever_initialized and not init:
        return False
    if init:
        inits = worker.spec.get("initContainers") or []
        index = next(i for i, c in enumerate(inits) if c["name"] == container["name"])
        return any(worker.instances.get(c["name"]) for c in inits[index + 1 :])
    return True


def build_status(worker: PodWorker) -> dict:
    """The whole pod.status the kubelet would write now."""
    pod = worker.pod
    spec = worker.spec
    old = pod.get("status") or {}
    init_specs = spec.get("initContainers") or []
    init_statuses = [container_status(worker, c, init=True) for c in init_specs]
    statuses = [container_status(worker, c, init=False) for c in spec.get("containers") or []]
    # HasAnyRegularContainerStarted over statuses built from spec.containers themselves:
    # every name matches, and each state has exactly one of running/terminated/waiting.
    regular_started = any("waiting" not in s["state"] for s in statuses)
    phase = get_phase(
        spec,
        init_statuses,
        statuses,
        pod_is_terminal=worker.terminal,
        pod_has_initialized=regular_started,
    )
    if worker.terminal and (phase not in TERMINAL or worker.status_reason):
        # TerminatePod, or a PodSyncHandler's ShouldEvict (activeDeadlineSeconds): Failed.
        phase = "Failed"
    if old.get("phase") in TERMINAL:
        phase = old["phase"]
    worker.phase = phase
    conditions = generate_conditions(
        pod,
        phase,
        init_statuses if init_specs else None,
        statuses,
        ready_to_start_containers=worker.sandbox is not None and worker.sandbox.ready,
        old_conditions=old.get("conditions") or [],
        now=worker.clock.timestamp(),
    )
    status: dict = {"conditions": conditions, "containerStatuses": statuses}
    host_ip = worker.kubelet.host_ip
    status["hostIP"] = host_ip
    status["hostIPs"] = [{"ip": host_ip}]
    if init_specs:
        status["initContainerStatuses"] = init_statuses
    if worker.status_message:
        status["message"] = worker.status_message
    status["phase"] = phase
    ip = worker.pod_ip
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    status["qosClass"] = old.get("qosClass", "BestEffort")
    if worker.status_reason:
        status["reason"] = worker.status_reason
    if worker.start_time is not None:
        status["startTime"] = worker.clock.timestamp(worker.start_time)
    if old.get("nominatedNodeName"):
        status["nominatedNodeName"] = old["nominatedNodeName"]
    return status
