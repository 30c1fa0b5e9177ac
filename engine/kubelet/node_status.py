"""The Node status a kubelet posts: capacity, allocatable, conditions, addresses, nodeInfo,
images. A Node manifest may give its own capacity; otherwise the default node's is used."""

from __future__ import annotations

import functools
import hashlib
import uuid
from typing import TYPE_CHECKING

from engine.version import KUBERNETES_VERSION

if TYPE_CHECKING:
    from engine.kubelet.kubelet import Kubelet

NODE_STATUS_UPDATE_FREQUENCY = 10.0
NODE_STATUS_REPORT_FREQUENCY = 300.0
LEASE_DURATION_SECONDS = 40
KUBELET_VERSION = KUBERNETES_VERSION
CONTAINER_RUNTIME = "containerd://1.7.24"
OS_IMAGE = "Debian GNU/Linux 12 (bookworm)"
KERNEL_VERSION = "6.8.0-1017-generic"
MAX_IMAGES_IN_STATUS = 50

DEFAULT_CAPACITY = {
    "cpu": "4",
    "ephemeral-storage": "100Gi",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    "memory": "8Gi",
    "pods": "110",
}

_CONDITIONS = (
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


@functools.lru_cache(maxsize=16384)
def _stable_uuid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def node_status(kubelet: Kubelet, node: dict, *, heartbeat: bool) -> dict:
    """The status the kubelet would post now."""
    old = node.get("status") or {}
    now = kubelet.cluster.clock.timestamp()
    capacity = dict(old.get("capacity") or DEFAULT_CAPACITY)
    allocatable = dict(old.get("allocatable") or capacity)
    old_conditions = {c.get("type"): c for c in old.get("conditions") or []}
    conditions = []
    for type_, status, reason, message in _CONDITIONS:
        previous = old_conditions.get(type_)
        transition = now
        beat = now
        if previous is not None:
            if previous.get("status") == status:
                transition = previous.get("lastTransitionTime") or now
            if not heartbeat and previous.get("status") == status:
                beat = previous.get("lastHeartbeatTime") or now
        conditions.append(
            {
                "lastHeartbeatTime": beat,
                "lastTransitionTime": transition,
                "message": message,
                "reason": reason,
                "status": status,
                "type": type_,
            }
        )
    images = [
        {"names": list(_image_names(name)), "sizeBytes": size}
        for name, size in sorted(
            kubelet.images.present.items(), key=lambda item: (-item[1], item[0])
        )
    ]
    name = kubelet.node_name
    addresses = old.get("addresses") or [
        {"address": kubelet.host_ip, "type": "InternalIP"},
        {"address": name, "type": "Hostname"},
    ]
    status = {
        "addresses": addresses,
        "allocatable": allocatable,
        "capacity": capacity,
        "conditions": conditions,
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "images": images[:MAX_IMAGES_IN_STATUS],
        "nodeInfo": dict(_node_info(name)),
    }
    return status


# Both below are pure functions of their argument, asked again at every status post of
# every node (bounded: past the bound they are only recomputed).
@functools.lru_cache(maxsize=16384)
def _node_info(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        {
            "architecture": "amd64",
            "bootID": _stable_uuid(f"boot/{name}"),
            "containerRuntimeVersion": CONTAINER_RUNTIME,
            "kernelVersion": KERNEL_VERSION,
            "kubeProxyVersion": "",
            "kubeletVersion": KUBELET_VERSION,
            "machineID": hashlib.sha256(f"machine/{name}".encode()).hexdigest()[:32],
            "operatingSystem": "linux",
            "osImage": OS_IMAGE,
            "systemUUID": _stable_uuid(f"system/{name}"),
        }.items()
    )


@functools.lru_cache(maxsize=4096)
def _image_names(name: str) -> tuple[str, ...]:
    from engine.containers import images as catalog

    try:
        ref = catalog.normalize_image(name)
        return (catalog.image_id(ref), str(ref))
    except ValueError:
        return (name,)
