"""Service networking: v1 Service (ClusterIP and NodePort allocation, headless, ExternalName),
the `kubernetes` Service, the endpoints and EndpointSlice controllers, and the cluster DNS and
kube-proxy that send a connection from inside a pod to a Service's ready endpoints.

Importing the package registers the kinds (v1 Service and Endpoints, discovery.k8s.io/v1
EndpointSlice), their printers and describers. `CONTROLLERS` lists what the cluster starts.
"""

from __future__ import annotations

from engine.network import describe as _describe
from engine.network import kinds as _kinds
from engine.network import printers as _printers
from engine.network.allocator import ServiceAllocation
from engine.network.bootstrap import KubernetesService
from engine.network.endpoints import EndpointsController
from engine.network.endpointslice import EndpointSliceController
from engine.network.proxy import KubeProxy

_kinds.register()
_printers.register()
_describe.register()

CONTROLLERS = [
    ("kubernetes-service", KubernetesService),
    ("endpoint", EndpointsController),
    ("endpointslice", EndpointSliceController),
    ("kube-proxy", KubeProxy),
]

ADMISSION_PLUGINS = [ServiceAllocation]

__all__ = [
    "ADMISSION_PLUGINS",
    "CONTROLLERS",
    "EndpointSliceController",
    "EndpointsController",
    "KubeProxy",
    "KubernetesService",
    "ServiceAllocation",
]
