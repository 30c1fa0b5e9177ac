"""Engine actions: what a key press, a `:` command and a scenario step all call.

Each returns an `ActionResult` whose lines are what kubectl (or, for faults, podtui) would
print, so the console's notification and `podtui sim`'s stderr say the same thing.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.api.kinds import KindInfo, resolve_resource
from engine.result import ActionResult  # re-exported: callers import it from here too
from engine.timeutil import parse_duration

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.kubelet.worker import PodWorker

FORCE_WARNING = (
    "Warning: Immediate deletion does not wait for confirmation that the running resource has "
    "been terminated. The resource may continue to run on the cluster indefinitely."
)
DEFAULT_FAULT_SECONDS = 300.0


def _resource(kind: str) -> KindInfo | None:
    return resolve_resource(kind)


def parse_target(target: str) -> tuple[KindInfo, str]:
    """`deployment/web` → (Deployment, "web"); raises APIError for an unknown kind."""
    kind, _, name = target.partition("/")
    info = _resource(kind)
    if info is None:
        raise errors.bad_request(f'the server doesn\'t have a resource type "{kind}"')
    return info, name


# -- delete ----------------------------------------------------------------------------------
def delete(
    cluster: Cluster,
    target: str,
    *,
    namespace: str = "default",
    grace_period: int | None = None,
    cascade: str | None = "background",
    force: bool = False,
    user: UserInfo = ADMIN,
    api_version: str = "",
) -> ActionResult:
    """`kubectl delete KIND/NAME [--grace-period N] [--force] [--cascade ...]`.

    kubectl always names a propagationPolicy (`--cascade` defaults to background);
    `cascade=None` is a client that names none, leaving the choice to the API server
    (which orphans through a legacy apps group). `api_version` is the group/version the
    delete is addressed through, as `kubectl delete -f FILE` addresses the file's.
    """
    result = ActionResult()
    try:
        info, name = parse_target(target)
    except errors.APIError as err:
        result.errors.append(f"error: {err.message}")
        return result
    if force and grace_period is not None and grace_period > 0:
        result.errors.append(
            "error: --force and --grace-period greater than 0 cannot be specified together"
        )
        return result
    if grace_period == 0 and not force:
        grace_period = 1  # kubectl turns --grace-period=0 into 1 unless --force
    if force and grace_period is None:
        grace_period = 0
    propagation = (
        None
        if cascade is None
        else {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}.get(
            cascade, "Background"
        )
    )
    try:
        cluster.api.delete(
            info,
            namespace,
            name,
            grace_period=grace_period,
            propagation=propagation,
            user=user,
            api_version=api_version,
        )
    except errors.APIError as err:
        result.errors.append(err.kubectl())
        return result
    if force and grace_period == 0:
        result.lines.append(FORCE_WARNING)
        result.lines.append(f'{info.type_name(api_version)} "{name}" force deleted')
    else:
        result.lines.append(f'{info.type_name(api_version)} "{name}" deleted')
    return result


# -- cordon ----------------------------------------------------------------------------------
def cordon(
    cluster: Cluster, node: str, *, unschedulable: bool = True, user: UserInfo = ADMIN
) -> ActionResult:
    """`kubectl cordon NODE` / `kubectl uncordon NODE`."""
    result = ActionResult()
    obj = cluster.store.get("Node", "", node)
    if obj is None:
        result.errors.append(errors.not_found("nodes", node).kubectl())
        return result
    verb = "cordoned" if unschedulable else "uncordoned"
    if bool((obj.get("spec") or {}).get("unschedulable")) == unschedulable:
        result.lines.append(f"node/{node} already {verb}")
        return result
    # kubectl patches spec.unschedulable; the node lifecycle controller's
    # TaintNodesByCondition adds or removes the node.kubernetes.io/unschedulable taint.
    updated = copy.deepcopy(obj)
    spec = updated.setdefault("spec", {})
    if unschedulable:
        spec["unschedulable"] = True
    else:
        spec.pop("unschedulable", None)
    try:
        cluster.api.update(updated, user=user)
    except errors.APIError as err:
        result.errors.append(err.kubectl())
        return result
    result.lines.append(f"node/{node} {verb}")
    return result


def uncordon(cluster: Cluster, node: str, *, user: UserInfo = ADMIN) -> ActionResult:
    return cordon(cluster, node, unschedulable=False, user=user)


# -- faults ----------------------------------------------------------------------------------
def select_pods(
    cluster: Cluster, *, pod: str | None, selector: str | None, namespace: str
) -> list[dict]:
    """Pods named by a step: one by name, or every pod matching a label selector."""
    if pod:
        found = cluster.store.get("Pod", namespace, pod)
        return [found] if found is not None else []
    if selector:
        from engine.labels import parse_selector

        matcher = parse_selector(selector)
        return [
            p
            for p in cluster.store.list("Pod", namespace)
            if matcher.matches(p["metadata"].get("labels") or {})
        ]
    return []


def _worker(cluster: Cluster, pod: dict) -> PodWorker | None:
    node = (pod.get("spec") or {}).get("nodeName")
    kubelet = cluster.kubelets.get(node or "")
    if kubelet is None:
        return None
    return kubelet.workers.get(pod["metadata"]["uid"])


def _describe_target(pod: str | None, selector: str | None, namespace: str) -> str:
    if pod:
        return f'pods "{pod}" not found'
    return f"no pods match {selector!r} in namespace {namespace!r}"


def inject(
    cluster: Cluster,
    fault: str,
    *,
    pod: str | None = None,
    selector: str | None = None,
    namespace: str = "default",
    container: str | None = None,
    exit_code: int | None = None,
    probe: str = "liveness",
    duration: float | str | None = None,
    image: str | None = None,
    node: str | None = None,
    count: int = 1,
) -> ActionResult:
    """Inject a fault (DESIGN.md's list); returns what happened to what."""
    result = ActionResult()
    seconds = parse_duration(duration) if duration is not None else DEFAULT_FAULT_SECONDS
    if fault in ("nodeDown", "nodeUp"):
        kubelet = cluster.kubelets.get(node or "")
        if kubelet is None:
            result.errors.append(errors.not_found("nodes", node or "").kubectl())
            return result
        if fault == "nodeDown":
            kubelet.stop()
            result.lines.append(f"node/{node} kubelet stopped (no more heartbeats)")
        else:
            kubelet.start()
            result.lines.append(f"node/{node} kubelet started")
        return result
    if fault == "imagePullFail" and image and not (pod or selector):
        return _fail_image_pulls(cluster, image, seconds, list(cluster.kubelets.values()))
    pods = select_pods(cluster, pod=pod, selector=selector, namespace=namespace)
    if not pods:
        result.errors.append(f"error: {_describe_target(pod, selector, namespace)}")
        return result
    if fault == "podKill":
        # Chaos tools pick among running pods, not ones already going or gone.
        chosen = sorted(
            (
                p
                for p in pods
                if (p.get("status") or {}).get("phase") == "Running"
                and not p["metadata"].get("deletionTimestamp")
            ),
            key=lambda p: p["metadata"]["name"],
        )
        if not chosen:
            result.errors.append(
                f"error: no running pod matches {selector or pod!r} in namespace {namespace!r}"
            )
            return result
        victims = cluster.rng.sample(chosen, min(count, len(chosen)))
        for victim in victims:
            meta = victim["metadata"]
            try:
                cluster.api.delete(
                    "Pod", meta.get("namespace", "default"), meta["name"], grace_period=0
                )
            except errors.APIError as err:
                result.errors.append(err.kubectl())
                continue
            result.lines.append(f'pod "{meta["name"]}" killed')
        return result
    for target in pods:
        result.extend(
            _inject_into_pod(cluster, target, fault, container, exit_code, probe, seconds, image)
        )
    return result


def _inject_into_pod(
    cluster: Cluster,
    pod: dict,
    fault: str,
    container: str | None,
    exit_code: int | None,
    probe: str,
    seconds: float,
    image: str | None,
) -> ActionResult:
    result = ActionResult()
    name = pod["metadata"]["name"]
    worker = _worker(cluster, pod)
    if worker is None:
        result.errors.append(f"error: pod/{name} is not running on a node")
        return result
    if fault == "sandboxKill":
        if worker.sandbox is None or not worker.sandbox.ready:
            result.errors.append(f"error: pod/{name} has no running sandbox")
            return result
        worker.sandbox.ready = False
        worker.request_status()
        worker.request_relist()
        result.lines.append(f"pod/{name} sandbox (pause container) killed")
        return result
    if fault == "imagePullFail":
        kubelet = worker.kubelet
        images = (
            [image] if image else [c.get("image", "") for c in pod["spec"].get("containers") or []]
        )
        for ref in images:
            result.extend(_fail_image_pulls(cluster, ref, seconds, [kubelet], remove=True))
        return result
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    target = container or (names[0] if names else "")
    if worker.container_spec(target) is None:
        result.errors.append(f"error: container {target} is not valid for pod {name}")
        return result
    if fault == "probeFail":
        probe_worker = worker.probes.get((target, probe))
        if probe_worker is None:
            result.errors.append(f"error: pod/{name} container {target} has no {probe} probe")
            return result
        probe_worker.injected_failure_until = cluster.clock.now + seconds
        result.lines.append(
            f"pod/{name} container {target}: {probe} probe fails for {_seconds(seconds)}"
        )
        return result
    instance = worker.newest_instance(target)
    if instance is None or not instance.running:
        result.errors.append(f"error: container {target} in pod/{name} is not running")
        return result
    if fault == "crash":
        code = 1 if exit_code is None else exit_code
        worker.container_exited(instance, code, None)
        result.lines.append(f"pod/{name} container {target} crashed (exit code {code})")
    elif fault == "oom":
        worker.container_exited(instance, 137, "OOMKilled")
        result.lines.append(f"pod/{name} container {target} OOMKilled (exit code 137)")
    else:
        result.errors.append(f'error: unknown fault "{fault}"')
    return result


def _fail_image_pulls(
    cluster: Cluster, image: str, seconds: float, kubelets: list, *, remove: bool = False
) -> ActionResult:
    from engine.containers.images import normalize_image

    result = ActionResult()
    try:
        ref = normalize_image(image)
    except ValueError as err:
        result.errors.append(f"error: {err}")
        return result
    full = str(ref)
    host = ref.registry if hasattr(ref, "registry") else "registry-1.docker.io"
    registry = "registry-1.docker.io" if host == "docker.io" else host
    message = (
        f'rpc error: code = Unavailable desc = failed to pull and unpack image "{full}": '
        f'failed to resolve reference "{full}": failed to do request: Head '
        f'"https://{registry}/v2/{getattr(ref, "repository", "")}/manifests/{getattr(ref, "tag", "latest")}": '
        f"dial tcp: lookup {registry}: no such host"
    )
    until = cluster.clock.now + seconds
    for kubelet in kubelets:
        kubelet.images.injected_failures[full] = (until, message)
        if remove:
            kubelet.images.remove(full)
    where = "every node" if len(kubelets) != 1 else f"node/{kubelets[0].node_name}"
    result.lines.append(f"image {image}: pulls fail on {where} for {_seconds(seconds)}")
    return result


def _seconds(value: float) -> str:
    if math.isinf(value):
        return "ever"
    return f"{value:g}s"


def exec_in_container(
    cluster: Cluster, namespace: str, pod: str, container: str | None = None, shell: str = "sh"
):
    """`kubectl exec -it POD [-c CONTAINER] -- sh`: an interactive shell session in the
    container (engine.containers.exec_session.ShellSession), or kubectl's error."""
    from engine.containers.exec_session import exec_in_container as open_shell

    return open_shell(cluster, namespace, pod, container, shell)
