"""kube-controller-manager and kube-scheduler: one controller per file.

`CONTROLLERS` lists the factories the cluster starts, in order; later controllers plug in
by adding themselves here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.cluster import Cluster

ControllerFactory = Callable[["Cluster"], Any]


def controller_factories() -> list[tuple[str, ControllerFactory]]:
    """(name, factory) for every controller, in start order."""
    from engine.controllers.namespace import NamespaceController
    from engine.controllers.podgc import PodGCController
    from engine.controllers.scheduler import Scheduler
    from engine.extensions import load_extensions

    factories: list[tuple[str, ControllerFactory]] = [
        ("namespace", NamespaceController),
        ("scheduler", Scheduler),
        ("pod-garbage-collector", PodGCController),
    ]
    for package in load_extensions():
        factories.extend(getattr(package, "CONTROLLERS", []))
    return factories
