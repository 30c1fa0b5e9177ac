"""`kubectl get pdb` (k8s.io/kubernetes/pkg/printers/internalversion printPodDisruptionBudget)."""

from __future__ import annotations

from datetime import datetime

from engine.disruption import intstr
from engine.printers.duration import since
from engine.printers.registry import Column


def _bound(spec: dict, field: str) -> str:
    value = spec.get(field)
    return "N/A" if value is None else intstr.to_string(value)


def pdb_allowed_disruptions(pdb: dict) -> int:
    """ALLOWED DISRUPTIONS: status.disruptionsAllowed."""
    return int((pdb.get("status") or {}).get("disruptionsAllowed", 0))


class PodDisruptionBudgetPrinter:
    """kubectl get pdb: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE."""

    columns = [
        Column("NAME", format="name"),
        Column("MIN AVAILABLE"),
        Column("MAX UNAVAILABLE"),
        Column("ALLOWED DISRUPTIONS"),
        Column("AGE"),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        return [
            meta.get("name", ""),
            _bound(spec, "minAvailable"),
            _bound(spec, "maxUnavailable"),
            str(pdb_allowed_disruptions(obj)),
            since(meta.get("creationTimestamp"), now),
        ]
