"""kubectl get tables for Services, Endpoints and EndpointSlices (k/k
pkg/printers/internalversion/printers.go: serviceColumnDefinitions and printService,
getServiceExternalIP, makePortString, loadBalancerStatusStringer; endpointColumnDefinitions
and formatEndpoints; endpointSliceColumnDefinitions, formatDiscoveryPorts,
formatDiscoveryEndpoints, listWithMoreString)."""

from __future__ import annotations

from datetime import datetime

from engine.printers.duration import since
from engine.printers.registry import Column

NAME = Column("NAME", format="name")
AGE = Column("AGE")
LOAD_BALANCER_WIDTH = 16


def _age(obj: dict, now: datetime) -> str:
    return since((obj.get("metadata") or {}).get("creationTimestamp"), now)


def format_selector_map(selector: dict | None) -> str:
    """labels.FormatLabels: sorted `k=v`, `<none>` when empty."""
    if not selector:
        return "<none>"
    return ",".join(f"{key}={selector[key]}" for key in sorted(selector))


def make_port_string(ports: list[dict]) -> str:
    """makePortString: `80/TCP`, `80:30080/TCP` for a node port, comma-joined."""
    pieces = []
    for port in ports:
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{port.get('protocol', 'TCP')}")
        else:
            pieces.append(f"{port.get('port')}/{port.get('protocol', 'TCP')}")
    return ",".join(pieces)


def load_balancer_status(status: dict, wide: bool) -> str:
    """loadBalancerStatusStringer: ingress IPs or hostnames, a sorted set (sets.NewString),
    cut to 16 characters unless wide."""
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    names = {entry.get("ip") or entry.get("hostname") or "" for entry in ingress}
    result = ",".join(sorted(name for name in names if name))
    if not wide and len(result) > LOAD_BALANCER_WIDTH:
        result = result[: LOAD_BALANCER_WIDTH - 3] + "..."
    return result


def service_external_ip(service: dict, wide: bool) -> str:
    """getServiceExternalIP."""
    spec = service.get("spec") or {}
    external_ips = spec.get("externalIPs") or []
    service_type = spec.get("type")
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if service_type == "LoadBalancer":
        lb_ips = load_balancer_status(service.get("status") or {}, wide)
        if external_ips:
            results = (lb_ips.split(",") if lb_ips else []) + list(external_ips)
            return ",".join(results)
        return lb_ips or "<pending>"
    if service_type == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


class ServicePrinter:
    """NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (wide: SELECTOR)."""

    columns = [
        NAME,
        Column("TYPE"),
        Column("CLUSTER-IP"),
        Column("EXTERNAL-IP"),
        Column("PORT(S)"),
        AGE,
        Column("SELECTOR", priority=1),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        spec = obj.get("spec") or {}
        cluster_ips = spec.get("clusterIPs") or []
        ports = make_port_string(spec.get("ports") or []) or "<none>"
        # A row serves both widths: the API server prints tables with Wide set
        # (pkg/printers/storage/storage.go), so a long load balancer address is never cut.
        # podtui runs no cloud provider, so a LoadBalancer stays <pending>.
        return [
            obj["metadata"]["name"],
            str(spec.get("type", "")),
            cluster_ips[0] if cluster_ips else "<none>",
            service_external_ip(obj, wide=True),
            ports,
            _age(obj, now),
            format_selector_map(spec.get("selector")),
        ]


def format_endpoints(endpoints: dict) -> str:
    """formatEndpoints: up to three ready `ip:port`, then `+ N more...`; `<none>` when the
    Endpoints have no subsets (not-ready addresses are not listed)."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    listed: list[str] = []
    limit = 3
    more = False
    count = 0
    # Only the inner loops stop at the limit: every port of every subset still adds its
    # addresses to the count, so "+ N more" counts address:port pairs, not addresses.
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            # A headless Service may have no ports.
            count += len(addresses)
            for address in addresses:
                if len(listed) == limit:
                    more = True
                    break
                listed.append(address.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(listed) == limit:
                    more = True
                    break
                listed.append(_join_host_port(address.get("ip", ""), port.get("port")))
    text = ",".join(listed)
    if more:
        return f"{text} + {count - limit} more..."
    return text


def _join_host_port(host: str, port: object) -> str:
    """net.JoinHostPort: IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class EndpointsPrinter:
    """NAME ENDPOINTS AGE."""

    columns = [NAME, Column("ENDPOINTS"), AGE]

    def row(self, obj: dict, now: datetime) -> list[str]:
        return [obj["metadata"]["name"], format_endpoints(obj), _age(obj, now)]


def _list_with_more(listed: list[str], more: bool, count: int, limit: int) -> str:
    text = ",".join(listed)
    if more:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


def format_discovery_ports(ports: list[dict] | None) -> str:
    """formatDiscoveryPorts: port numbers (or names, or `*`), three at most."""
    listed: list[str] = []
    limit, more, count = 3, False, 0
    for port in ports or []:
        if len(listed) < limit:
            if port.get("port") is not None:
                listed.append(str(port["port"]))
            elif port.get("name") is not None:
                listed.append(str(port["name"]))
            else:
                listed.append("*")
        elif len(listed) == limit:
            more = True
        count += 1
    return _list_with_more(listed, more, count, limit)


def format_discovery_endpoints(endpoints: list[dict] | None) -> str:
    """formatDiscoveryEndpoints: every endpoint's addresses, ready or not, three at most."""
    listed: list[str] = []
    limit, more, count = 3, False, 0
    for endpoint in endpoints or []:
        for address in endpoint.get("addresses") or []:
            if len(listed) < limit:
                listed.append(address)
            elif len(listed) == limit:
                more = True
            count += 1
    return _list_with_more(listed, more, count, limit)


class EndpointSlicePrinter:
    """NAME ADDRESSTYPE PORTS ENDPOINTS AGE."""

    columns = [NAME, Column("ADDRESSTYPE"), Column("PORTS"), Column("ENDPOINTS"), AGE]

    def row(self, obj: dict, now: datetime) -> list[str]:
        return [
            obj["metadata"]["name"],
            str(obj.get("addressType", "")),
            format_discovery_ports(obj.get("ports")),
            format_discovery_endpoints(obj.get("endpoints")),
            _age(obj, now),
        ]


def register() -> None:
    from engine.printers import register_printer

    register_printer("Service", ServicePrinter())
    register_printer("Endpoints", EndpointsPrinter())
    register_printer("EndpointSlice", EndpointSlicePrinter())
