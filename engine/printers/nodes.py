"""The Node table: STATUS from the Ready condition, ROLES from labels (printNode)."""

from __future__ import annotations

from datetime import datetime

from engine.printers.duration import since
from engine.printers.registry import Column

LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_LABEL_ROLE = "kubernetes.io/role"


def node_status(node: dict) -> str:
    """STATUS: `Ready`, `NotReady` (Ready False or Unknown), `Unknown`, `+,SchedulingDisabled`."""
    conditions = {c.get("type"): c for c in (node.get("status") or {}).get("conditions") or []}
    ready = conditions.get("Ready")  # the last Ready condition wins, as in printNode's map
    if ready is None:
        parts = ["Unknown"]
    elif ready.get("status") == "True":
        parts = ["Ready"]
    else:
        parts = ["NotReady"]
    if (node.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def node_roles(node: dict) -> list[str]:
    """Sorted roles from `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values."""
    roles: set[str] = set()
    for key, value in ((node.get("metadata") or {}).get("labels") or {}).items():
        if key.startswith(LABEL_NODE_ROLE_PREFIX):
            role = key[len(LABEL_NODE_ROLE_PREFIX) :]
            if role:
                roles.add(role)
        elif key == NODE_LABEL_ROLE and value:
            roles.add(value)
    return sorted(roles)


def node_address(node: dict, address_type: str) -> str:
    """The first status.addresses entry of this type (InternalIP, ExternalIP), `<none>`."""
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == address_type:
            return address.get("address", "")
    return "<none>"


class NodePrinter:
    """kubectl get nodes: NAME STATUS ROLES AGE VERSION; wide adds IPs, OS, kernel, runtime."""

    columns = [
        Column("NAME", format="name"),
        Column("STATUS"),
        Column("ROLES"),
        Column("AGE"),
        Column("VERSION"),
        Column("INTERNAL-IP", priority=1),
        Column("EXTERNAL-IP", priority=1),
        Column("OS-IMAGE", priority=1),
        Column("KERNEL-VERSION", priority=1),
        Column("CONTAINER-RUNTIME", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        info = (obj.get("status") or {}).get("nodeInfo") or {}
        return [
            meta.get("name", ""),
            node_status(obj),
            ",".join(node_roles(obj)) or "<none>",
            since(meta.get("creationTimestamp"), now),
            info.get("kubeletVersion", ""),
            node_address(obj, "InternalIP"),
            node_address(obj, "ExternalIP"),
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
