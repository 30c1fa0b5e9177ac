"""The kubelet's status builder, restructured for speed, builds what the plain derivation
builds: container statuses assembled and then sorted, the phase with
HasAnyRegularContainerStarted, and every condition from its own generator
(pkg/kubelet/kubelet_pods.go generateAPIPodStatus, pkg/kubelet/status/generate.go).

The reference functions below are the derivations as they were written before the fast
paths (one dict per step, `dict(sorted(...))`, each generator indexing the statuses); the
tests feed both random container states, probe results, reason-cache entries, phases and
old conditions, and compare the results key order included."""

from __future__ import annotations

import json
import random

import pytest

from engine.kubelet import conditions as cond
from engine.kubelet.phase import get_phase, has_any_regular_container_started, is_sidecar
from engine.kubelet.pod_status import (
    TERMINAL,
    _mount_statuses,
    _synthesize_unknown,
    build_status,
    instance_state,
)
from engine.kubelet.prober import FAILURE, SUCCESS
from engine.kubelet.runtime import CREATED, EXITED, RUNNING, ContainerInstance
from tests.engine.simulation import cluster_with

# -- the reference derivations ------------------------------------------------------------


def reference_container_status(worker, container: dict, *, init: bool) -> dict:
    name = container["name"]
    instances = worker.instances.get(name) or []
    timestamp = worker.clock.timestamp
    newest = instances[-1] if instances else None
    status: dict = {"name": name}
    if newest is None:
        default_reason = (
            "PodInitializing" if worker.spec.get("initContainers") else "ContainerCreating"
        )
        status.update(
            {
                "image": container.get("image", ""),
                "imageID": "",
                "lastState": {},
                "ready": False,
                "restartCount": worker.restart_counts.get(name, 0),
                "started": False,
                "state": {"waiting": {"reason": default_reason}},
            }
        )
        if worker.terminal and _synthesize_unknown(worker, container, init):
            status["state"] = {
                "terminated": {
                    "exitCode": 137,
                    "message": "The container could not be located when the pod was terminated",
                    "reason": "ContainerStatusUnknown",
                }
            }
    else:
        status.update(
            {
                "containerID": newest.container_id,
                "image": newest.image,
                "imageID": newest.image_id,
                "lastState": instance_state(instances[-2], timestamp) if len(instances) > 1 else {},
                "restartCount": newest.restart_count,
                "state": instance_state(newest, timestamp),
            }
        )
        if instances[-2:-1] and instances[-2].state != "exited":
            status["lastState"] = {}
        started = worker.container_started(name) if newest.running else False
        if init and not is_sidecar(container):
            ready = newest.exited and newest.exit_code == 0
        else:
            ready = newest.running and started and worker.container_ready(name)
        status["ready"] = bool(ready)
        status["started"] = bool(started)
    cached = worker.reason_cache.get(name)
    if cached is not None and worker.should_restart(newest, container, init=init):
        if "terminated" in status["state"]:
            status["lastState"] = status["state"]
        reason, message = cached
        waiting = {"reason": reason}
        if message:
            waiting["message"] = message
        status["state"] = {"waiting": waiting}
    mounts = _mount_statuses(worker, container)
    if mounts:
        status["volumeMounts"] = mounts
    return dict(sorted(status.items()))


def reference_conditions(
    pod, phase, init_statuses, statuses, *, ready_to_start, old_conditions, now, og=None
) -> list[dict]:
    api_conditions = (pod.get("status") or {}).get("conditions") or []
    conditions = [dict(c) for c in api_conditions if c.get("type") not in cond.KUBELET_OWNED]
    old_by_type: dict = {}
    for old in old_conditions:
        old_by_type.setdefault(old.get("type"), old)
    disruption = old_by_type.get(cond.DISRUPTION_TARGET)
    if disruption is not None:
        existing = next(
            (i for i, c in enumerate(conditions) if c.get("type") == cond.DISRUPTION_TARGET), None
        )
        if existing is None:
            conditions.append(dict(disruption))
        else:
            conditions[existing] = dict(disruption)
    everything = cond.all_container_statuses(init_statuses, statuses)

    def add(condition: dict) -> None:
        conditions.append(cond._stamp(condition, old_by_type.get(condition["type"]), now, og))

    add(cond.ready_to_start_containers_condition(ready_to_start))
    add(cond.initialized_condition(pod, everything, phase))
    containers_ready = cond.containers_ready_condition(pod, everything, phase)
    add(cond.pod_ready_condition(pod, conditions, everything, phase))
    add(containers_ready)
    add(cond.pod_scheduled_condition())
    return conditions


def reference_build_status(worker) -> dict:
    pod = worker.pod
    spec = worker.spec
    old = pod.get("status") or {}
    init_specs = spec.get("initContainers") or []
    init_statuses = [reference_container_status(worker, c, init=True) for c in init_specs]
    statuses = [reference_container_status(worker, c, init=False) for c in spec["containers"]]
    phase = get_phase(
        spec,
        init_statuses,
        statuses,
        pod_is_terminal=worker.terminal,
        pod_has_initialized=has_any_regular_container_started(spec, statuses),
    )
    if worker.terminal and (phase not in TERMINAL or worker.status_reason):
        phase = "Failed"
    if old.get("phase") in TERMINAL:
        phase = old["phase"]
    conditions = reference_conditions(
        pod,
        phase,
        init_statuses if init_specs else None,
        statuses,
        ready_to_start=worker.sandbox is not None and worker.sandbox.ready,
        old_conditions=old.get("conditions") or [],
        now=worker.clock.timestamp(),
    )
    status: dict = {"conditions": conditions, "containerStatuses": statuses}
    status["hostIP"] = worker.kubelet.host_ip
    status["hostIPs"] = [{"ip": worker.kubelet.host_ip}]
    if init_specs:
        status["initContainerStatuses"] = init_statuses
    if worker.status_message:
        status["message"] = worker.status_message
    status["phase"] = phase
    if worker.pod_ip:
        status["podIP"] = worker.pod_ip
        status["podIPs"] = [{"ip": worker.pod_ip}]
    status["qosClass"] = old.get("qosClass", "BestEffort")
    if worker.status_reason:
        status["reason"] = worker.status_reason
    if worker.start_time is not None:
        status["startTime"] = worker.clock.timestamp(worker.start_time)
    if old.get("nominatedNodeName"):
        status["nominatedNodeName"] = old["nominatedNodeName"]
    return status


# -- random worker states -----------------------------------------------------------------

PODS = {
    "plain": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: app, image: nginx:1.27, readinessProbe: {httpGet: {path: /, port: 80}}}
""",
    "full": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: OnFailure
  volumes: [{name: e, emptyDir: {}}]
  initContainers:
  - {name: init, image: busybox:1.36, command: [sh, -c, 'sleep 1']}
  - name: side
    image: busybox:1.36
    restartPolicy: Always
    command: [sh, -c, 'sleep 3600']
    startupProbe: {exec: {command: [cat, /etc/hostname]}}
    readinessProbe: {exec: {command: [cat, /etc/hostname]}}
  containers:
  - name: web
    image: nginx:1.27
    volumeMounts: [{name: e, mountPath: /e, readOnly: true}]
    readinessProbe: {httpGet: {path: /, port: 80}}
    startupProbe: {httpGet: {path: /, port: 80}}
  - {name: worker, image: busybox:1.36, command: [sh, -c, 'sleep 3600']}
""",
    "two": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: nginx:1.27, readinessProbe: {httpGet: {path: /, port: 80}}}
  - {name: b, image: busybox:1.36, command: [sh, -c, 'sleep 3600']}
""",
}


def randomize(worker, rng: random.Random) -> None:
    """Give the worker a random but possible-looking runtime state."""
    spec = worker.spec
    containers = [(c, True) for c in spec.get("initContainers") or []]
    containers += [(c, False) for c in spec["containers"]]
    worker.instances = {}
    worker.reason_cache = {}
    worker.restart_counts = {}
    for container, init in containers:
        name = container["name"]
        if rng.random() < 0.3:
            worker.restart_counts[name] = rng.randint(0, 3)
        history = []
        for attempt in range(rng.choice((0, 1, 1, 2, 3))):
            instance = ContainerInstance(
                id=f"{name}{attempt:062d}",
                name=name,
                spec=container,
                init=init,
                sidecar=init and is_sidecar(container),
                restart_count=attempt,
                image="docker.io/library/nginx:1.27",
                image_id="docker.io/library/nginx@sha256:00",
                created_at=float(attempt * 10),
            )
            instance.state = rng.choice((CREATED, RUNNING, EXITED, EXITED))
            if instance.state != CREATED:
                instance.started_at = float(attempt * 10 + 1)
            if instance.state == EXITED:
                instance.finished_at = float(attempt * 10 + 5)
                instance.exit_code = rng.choice((0, 0, 1, 137))
                instance.reason = "Completed" if instance.exit_code == 0 else "Error"
                instance.message = rng.choice((None, "", "boom"))
            history.append(instance)
        if history:
            worker.instances[name] = history[-2:]
        if rng.random() < 0.3:
            worker.reason_cache[name] = rng.choice(
                (("CrashLoopBackOff", "back-off 10s"), ("ErrImagePull", ""))
            )
    for probe in worker.probes.values():
        probe.result = rng.choice((SUCCESS, FAILURE))
    worker.terminal = rng.random() < 0.2
    worker.ever_initialized = rng.random() < 0.5
    worker.status_reason = rng.choice((None, None, "DeadlineExceeded"))
    worker.status_message = "deadline" if worker.status_reason else None
    worker.removed = False
    if worker.sandbox is not None:
        worker.sandbox.ready = rng.random() < 0.8
    old = worker.pod.setdefault("status", {})
    old["phase"] = rng.choice(("Pending", "Running", "Running", "Succeeded", "Failed"))


@pytest.mark.parametrize("manifest", sorted(PODS))
def test_status_builder_matches_the_plain_derivation_on_random_states(manifest: str) -> None:
    cluster = cluster_with(PODS[manifest])
    cluster.run_until(8)
    worker = next(w for k in cluster.kubelets.values() for w in k.workers.values())
    rng = random.Random(manifest)
    for _ in range(400):
        randomize(worker, rng)
        expected = reference_build_status(worker)
        got = build_status(worker)
        # json.dumps keeps key order: the order must match too.
        assert json.dumps(got) == json.dumps(expected)
        # The next round starts from this status, as the next write would.
        worker.pod["status"] = got


# -- conditions on random inputs ------------------------------------------------------------

TIMES = ("2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z", "2025-01-01T00:00:09Z")


def random_conditions_case(rng: random.Random) -> dict:
    names = rng.sample(["a", "b", "c", "d"], rng.randint(1, 3))
    init = rng.random() < 0.2
    spec: dict = {"containers": [{"name": n} for n in names]}
    if init:
        spec["initContainers"] = [{"name": "i"}, {"name": "s", "restartPolicy": "Always"}]
    if rng.random() < 0.2:
        spec["readinessGates"] = [{"conditionType": "example.com/gate"}]
    statuses = [
        {"name": n, "ready": rng.random() < 0.6, "started": True, "state": {"running": {}}}
        for n in names
    ]
    shape = rng.random()
    if shape < 0.1:
        rng.shuffle(statuses)
    elif shape < 0.2:
        statuses.pop()
    elif shape < 0.25:
        statuses = None
    elif shape < 0.3:
        statuses = [*statuses, dict(statuses[0])]
    init_statuses = None
    if init:
        init_statuses = [
            {"name": "i", "ready": rng.random() < 0.5, "state": {"terminated": {"exitCode": 0}}},
            {"name": "s", "ready": True, "started": rng.random() < 0.5, "state": {"running": {}}},
        ][: rng.randint(0, 2)]
    old = []
    for condition_type in rng.sample(sorted(cond.KUBELET_OWNED), rng.randint(0, 5)):
        old.append(
            {
                "type": condition_type,
                "status": rng.choice(("True", "False")),
                "lastTransitionTime": rng.choice(TIMES),
            }
        )
    api = list(old)
    if rng.random() < 0.3:
        api.append({"type": "example.com/gate", "status": rng.choice(("True", "False"))})
    if rng.random() < 0.2:
        old.append({"type": cond.DISRUPTION_TARGET, "status": "True", "reason": "x"})
    return {
        "pod": {"metadata": {"name": "p"}, "spec": spec, "status": {"conditions": api}},
        "phase": rng.choice(("Pending", "Running", "Succeeded", "Failed")),
        "init_statuses": init_statuses,
        "statuses": statuses,
        "ready_to_start": rng.random() < 0.7,
        "old_conditions": old,
        "now": rng.choice(TIMES),
        "og": rng.choice((None, None, 3)),
    }


def test_generate_conditions_matches_every_generator_on_random_inputs() -> None:
    rng = random.Random(15)
    for _ in range(3000):
        case = random_conditions_case(rng)
        expected = reference_conditions(
            case["pod"],
            case["phase"],
            case["init_statuses"],
            case["statuses"],
            ready_to_start=case["ready_to_start"],
            old_conditions=case["old_conditions"],
            now=case["now"],
            og=case["og"],
        )
        got = cond.generate_conditions(
            case["pod"],
            case["phase"],
            case["init_statuses"],
            case["statuses"],
            ready_to_start_containers=case["ready_to_start"],
            old_conditions=case["old_conditions"],
            now=case["now"],
            observed_generation=case["og"],
        )
        assert json.dumps(got) == json.dumps(expected), case
