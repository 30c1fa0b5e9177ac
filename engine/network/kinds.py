"""The kinds of Service networking the API server serves: v1 Service and Endpoints,
discovery.k8s.io/v1 EndpointSlice."""

from __future__ import annotations

from engine.api.kinds import KindInfo, register_kind
from engine.network import defaults, validation
from engine.network.allocator import drop_type_dependent_fields


def register() -> None:
    register_kind(
        KindInfo(
            "Service",
            "",
            ("v1",),
            "services",
            short_names=("svc",),
            categories=("all",),
            schema={"v1": "io.k8s.api.core.v1.Service"},
            validate=validation.validate_service,
            default=defaults.default_service,
            validate_update=validation.validate_service_update,
            prepare_for_update=drop_type_dependent_fields,
        )
    )
    register_kind(
        KindInfo(
            "Endpoints",
            "",
            ("v1",),
            "endpoints",
            short_names=("ep",),
            schema={"v1": "io.k8s.api.core.v1.Endpoints"},
            validate=validation.validate_endpoints,
            has_status=False,
        )
    )
    register_kind(
        KindInfo(
            "EndpointSlice",
            "discovery.k8s.io",
            ("v1",),
            "endpointslices",
            schema={"v1": "io.k8s.api.discovery.v1.EndpointSlice"},
            validate=validation.validate_endpoint_slice,
            has_status=False,
        )
    )
