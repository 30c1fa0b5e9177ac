"""The engine's feature packages, each plugging in its kinds, printers, controllers,
admission plugins and scenario steps when imported.

A package may define:
- `CONTROLLERS`: list of (name, factory(cluster)) started after the core controllers;
- `ADMISSION_PLUGINS`: list of factory(cluster) -> admission plugin (engine.api.admission);
and registers kinds (`register_kind`), printers (`register_printer`) and scenario steps
(`register_step`) at import.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PACKAGES = [
    "engine.workloads",  # Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, PVC, garbage collection
    "engine.disruption",  # PodDisruptionBudget, eviction, drain, node lifecycle, taint eviction
    "engine.security",  # RBAC, PodSecurityPolicy, PodPreset, Pod Security Admission
    "engine.network",  # Service, Endpoints, EndpointSlice, cluster DNS and kube-proxy
]


def load_extensions() -> list[ModuleType]:
    """Import every feature package that is present."""
    loaded = []
    for name in PACKAGES:
        try:
            loaded.append(importlib.import_module(name))
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
    return loaded
