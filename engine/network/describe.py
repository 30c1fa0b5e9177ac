"""`kubectl describe` for Services, Endpoints and EndpointSlices (kubectl pkg/describe/describe.go:
describeService with formatEndpointSlices, describeEndpoints, describeEndpointSliceV1), line
for line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.common import (
    describe_events,
    write_object_meta,
)
from engine.describe.generic import events_about
from engine.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter
from engine.network.endpointslice import SERVICE_NAME_LABEL
from engine.network.printers import format_selector_map

if TYPE_CHECKING:
    from engine.cluster import Cluster


def _join_host_port(host: str, port: object) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def format_endpoint_slices(slices: list[dict], port_name: str | None) -> str:
    """formatEndpointSlices: up to three ready `ip:port` of the named port, `+ N more...`."""
    if not slices:
        return "<none>"
    listed: list[str] = []
    limit, more, count = 3, False, 0
    for slice_ in slices:
        ports = slice_.get("ports") or []
        endpoints = slice_.get("endpoints") or []
        if not ports:
            # A headless Service may have no ports.
            for endpoint in endpoints:
                if len(listed) == limit:
                    more = True
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    listed.append(endpoint["addresses"][0])
                count += 1
            continue
        for port in ports:
            if port_name is not None and port.get("name", "") != port_name:
                continue
            for endpoint in endpoints:
                if len(listed) == limit:
                    more = True
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    listed.append(_join_host_port(endpoint["addresses"][0], port.get("port")))
                count += 1
    text = ",".join(listed)
    if more:
        return f"{text} + {count - limit} more..."
    return text


def describe_service(cluster: Cluster, service: dict) -> str:
    """ServiceDescriber, as kubectl 1.32 writes it: no AppProtocol or Traffic Distribution
    lines (kubectl 1.34 added them; kubernetes/kubectl v0.32 pkg/describe/describe.go)."""
    meta = service.get("metadata") or {}
    spec = service.get("spec") or {}
    slices = [
        s
        for s in cluster.store.list("EndpointSlice", meta.get("namespace", ""))
        if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == meta.get("name")
    ]
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, f"Selector:\t{format_selector_map(spec.get('selector'))}\n")
    w.write(LEVEL_0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(LEVEL_0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    families = ",".join(spec.get("ipFamilies") or []) or "<none>"
    w.write(LEVEL_0, f"IP Families:\t{families}\n")
    w.write(LEVEL_0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(LEVEL_0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(LEVEL_0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(LEVEL_0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(LEVEL_0, f"External Name:\t{spec['externalName']}\n")
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        listed = ", ".join(i.get("ip") or i.get("hostname") or "" for i in ingress)
        w.write(LEVEL_0, f"LoadBalancer Ingress:\t{listed}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        w.write(LEVEL_0, f"Port:\t{name}\t{port.get('port')}/{protocol}\n")
        w.write(LEVEL_0, f"TargetPort:\t{port.get('targetPort')}/{protocol}\n")
        if port.get("nodePort"):
            w.write(LEVEL_0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        endpoints = format_endpoint_slices(slices, port.get("name", ""))
        w.write(LEVEL_0, f"Endpoints:\t{endpoints}\n")
    w.write(LEVEL_0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(LEVEL_0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(LEVEL_0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(LEVEL_0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        ranges = ",".join(spec["loadBalancerSourceRanges"])
        w.write(LEVEL_0, f"LoadBalancer Source Ranges:\t{ranges}\n")
    describe_events(w, events_about(cluster, service), cluster.now_datetime())
    return w.text()


def describe_endpoints(cluster: Cluster, endpoints: dict) -> str:
    """EndpointsDescriber."""
    meta = endpoints.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, "Subsets:\n")
    for subset in endpoints.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or []) or "<none>"
        w.write(LEVEL_1, f"Addresses:\t{ready}\n")
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(LEVEL_1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        ports = subset.get("ports") or []
        if ports:
            w.write(LEVEL_1, "Ports:\n")
            w.write(LEVEL_2, "Name\tPort\tProtocol\n")
            w.write(LEVEL_2, "----\t----\t--------\n")
            for port in ports:
                name = port.get("name") or "<unset>"
                w.write(LEVEL_2, f"{name}\t{port.get('port')}\t{port.get('protocol', 'TCP')}\n")
        w.write(LEVEL_0, "\n")
    describe_events(w, events_about(cluster, endpoints), cluster.now_datetime())
    return w.text()


def describe_endpoint_slice(cluster: Cluster, slice_: dict) -> str:
    """EndpointSliceDescriber (discovery/v1)."""
    meta = slice_.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, f"AddressType:\t{slice_.get('addressType', '')}\n")
    ports = slice_.get("ports") or []
    if not ports:
        w.write(LEVEL_0, "Ports: <unset>\n")
    else:
        w.write(LEVEL_0, "Ports:\n")
        w.write(LEVEL_1, "Name\tPort\tProtocol\n")
        w.write(LEVEL_1, "----\t----\t--------\n")
        for port in ports:
            name = port.get("name") or "<unset>"
            number = str(port["port"]) if port.get("port") is not None else "<unset>"
            w.write(LEVEL_1, f"{name}\t{number}\t{port.get('protocol', 'TCP')}\n")
    endpoints = slice_.get("endpoints") or []
    if not endpoints:
        w.write(LEVEL_0, "Endpoints: <none>\n")
    else:
        w.write(LEVEL_0, "Endpoints:\n")
        for endpoint in endpoints:
            addresses = ", ".join(endpoint.get("addresses") or []) or "<none>"
            w.write(LEVEL_1, f"- Addresses:\t{addresses}\n")
            w.write(LEVEL_2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            ready_text = "<unset>" if ready is None else ("true" if ready else "false")
            w.write(LEVEL_3, f"Ready:\t{ready_text}\n")
            w.write(LEVEL_2, f"Hostname:\t{endpoint.get('hostname', '<unset>')}\n")
            ref = endpoint.get("targetRef")
            if ref:
                w.write(LEVEL_2, f"TargetRef:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
            w.write(LEVEL_2, f"NodeName:\t{endpoint.get('nodeName', '<unset>')}\n")
            w.write(LEVEL_2, f"Zone:\t{endpoint.get('zone', '<unset>')}\n")
    describe_events(w, events_about(cluster, slice_), cluster.now_datetime())
    return w.text()


def register() -> None:
    from engine.describe import register_describer

    register_describer("Service", describe_service)
    register_describer("Endpoints", describe_endpoints)
    register_describer("EndpointSlice", describe_endpoint_slice)
