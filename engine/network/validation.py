"""Validation of Services, Endpoints and EndpointSlices as the registry strategies run it
(k/k pkg/apis/core/validation/validation.go: ValidateService, validateServicePort,
ValidateServiceUpdate, ValidateEndpoints; pkg/apis/discovery/validation/validation.go:
ValidateEndpointSlice). apimachinery's IsValidPortName and IsValidPortNum give the port texts.
"""

from __future__ import annotations

import ipaddress
import re

from engine.api.kinds import FieldErrors
from engine.api.validation import (
    DNS1123_LABEL,
    DNS1123_SUBDOMAIN,
    LABEL_MSG,
    SUBDOMAIN_MSG,
    duplicate,
    forbidden,
    invalid,
    render,
    required,
    unsupported,
    validate_object_meta,
)

Path = tuple[str | int, ...]

SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
PORT_NUM_MSG = "must be between 1 and 65535, inclusive"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
# discovery/v1: at most 100 addresses... per endpoint 1, 1000 endpoints and 100 ports a slice.
MAX_ENDPOINTS_PER_SLICE = 1000
MAX_PORTS_PER_SLICE = 100
ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]

_PORT_NAME_CHARSET = re.compile(r"^[-a-z0-9]+$")
_ONE_LETTER = re.compile(r"[a-z]")


def port_name_errors(name: str) -> list[str]:
    """IsValidPortName: an IANA_SVC_NAME (a container port's name, a named targetPort)."""
    errors = []
    if len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARSET.match(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    elif not _ONE_LETTER.search(name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def _is_port_num(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _is_ip(value: object) -> bool:
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def is_headless(spec: dict) -> bool:
    return (spec.get("clusterIPs") or [spec.get("clusterIP")])[0] == "None"


def _go_service_port(port: dict) -> str:
    """%#v of the core.ServicePort key ValidateService reports a duplicate port with."""
    return (
        f'core.ServicePort{{Name:"", Protocol:"{port.get("protocol", "")}", '
        f"AppProtocol:(*string)(nil), Port:{port.get('port')}, "
        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
    )


def validate_service_port(port: dict, path: Path, require_name: bool) -> FieldErrors:
    """validateServicePort: name, protocol, port, targetPort."""
    errors: FieldErrors = []
    name = port.get("name") or ""
    if require_name and not name:
        errors.append(required((*path, "name")))
    elif name and not DNS1123_LABEL.match(name):
        errors.append(invalid((*path, "name"), name, LABEL_MSG))
    elif len(name) > 63:
        errors.append(invalid((*path, "name"), name, "must be no more than 63 characters"))
    if not _is_port_num(port.get("port")):
        errors.append(invalid((*path, "port"), port.get("port"), PORT_NUM_MSG))
    protocol = port.get("protocol")
    if not protocol:
        errors.append(required((*path, "protocol")))
    elif protocol not in PROTOCOLS:
        errors.append(unsupported((*path, "protocol"), protocol, PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, str):
        for message in port_name_errors(target):
            errors.append(invalid((*path, "targetPort"), target, message))
    elif target is not None and not _is_port_num(target):
        errors.append(invalid((*path, "targetPort"), target, PORT_NUM_MSG))
    return errors


def validate_service(obj: dict) -> FieldErrors:
    """ValidateService (what a single-stack IPv4 cluster accepts)."""
    errors = validate_object_meta(obj, namespaced=True, name_rule="label")
    spec = obj.get("spec") or {}
    service_type = spec.get("type")
    ports = spec.get("ports") or []
    headless = is_headless(spec)
    if service_type not in SERVICE_TYPES:
        errors.append(unsupported(("spec", "type"), service_type, SERVICE_TYPES))
    if not ports and not headless and service_type != "ExternalName":
        errors.append(required(("spec", "ports")))
    if service_type == "ExternalName":
        if spec.get("clusterIPs"):
            errors.append(
                forbidden(("spec", "clusterIPs"), "may not be set for ExternalName services")
            )
        if spec.get("ipFamilies"):
            errors.append(
                forbidden(("spec", "ipFamilies"), "may not be set for ExternalName services")
            )
        if spec.get("ipFamilyPolicy"):
            errors.append(
                forbidden(("spec", "ipFamilyPolicy"), "may not be set for ExternalName services")
            )
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if not cname:
            errors.append(required(("spec", "externalName")))
        elif not DNS1123_SUBDOMAIN.match(cname) or len(cname) > 253:
            errors.append(invalid(("spec", "externalName"), cname, SUBDOMAIN_MSG))
    else:
        for index, address in enumerate(spec.get("clusterIPs") or []):
            if address == "None" and index == 0:
                continue
            if address == "None":
                errors.append(
                    invalid(
                        ("spec", "clusterIPs", index),
                        address,
                        "must be empty when the first ClusterIP is empty or None",
                    )
                )
            elif address and not _is_ip(address):
                errors.append(invalid(("spec", "clusterIPs", index), address, IP_MSG))
        if headless and service_type in ("NodePort", "LoadBalancer"):
            errors.append(
                invalid(
                    ("spec", "clusterIPs", 0),
                    "None",
                    f"may not be set to 'None' for {service_type} services",
                )
            )
    names: set[str] = set()
    seen: set[tuple[object, object]] = set()
    for index, port in enumerate(ports):
        path: Path = ("spec", "ports", index)
        if not isinstance(port, dict):
            continue
        errors += validate_service_port(port, path, require_name=len(ports) > 1)
        name = port.get("name") or ""
        if name:
            if name in names:
                errors.append(duplicate((*path, "name"), name))
            names.add(name)
        if port.get("nodePort") and service_type == "ClusterIP":
            errors.append(
                forbidden((*path, "nodePort"), "may not be used when `type` is 'ClusterIP'")
            )
        node_port = port.get("nodePort")
        if node_port and not _is_port_num(node_port):
            errors.append(invalid((*path, "nodePort"), node_port, PORT_NUM_MSG))
        key = (port.get("protocol"), port.get("port"))
        if key in seen:
            errors.append((path, f"{render(path)}: Duplicate value: {_go_service_port(port)}"))
        seen.add(key)
    for key, value in (spec.get("selector") or {}).items():
        label_errors = validate_object_meta(
            {"metadata": {"name": "x", "labels": {key: value}}}, namespaced=False
        )
        for _, message in label_errors:
            errors.append(
                (("spec", "selector", key), message.replace("metadata.labels", "spec.selector", 1))
            )
    affinity = spec.get("sessionAffinity")
    if affinity not in ("ClientIP", "None"):
        errors.append(unsupported(("spec", "sessionAffinity"), affinity, ["ClientIP", "None"]))
    for index, address in enumerate(spec.get("externalIPs") or []):
        if not _is_ip(address):
            errors.append(invalid(("spec", "externalIPs", index), address, IP_MSG))
    policy = spec.get("internalTrafficPolicy")
    if policy is not None and policy not in ("Cluster", "Local"):
        errors.append(unsupported(("spec", "internalTrafficPolicy"), policy, ["Cluster", "Local"]))
    return errors


def validate_service_update(live: dict, new: dict) -> FieldErrors:
    """ValidateServiceUpdate: an allocated clusterIP may not change (unless the type goes to
    ExternalName, which releases it)."""
    old_spec = live.get("spec") or {}
    new_spec = new.get("spec") or {}
    if new_spec.get("type") == "ExternalName" or old_spec.get("type") == "ExternalName":
        return []
    old_ips = old_spec.get("clusterIPs") or []
    new_ips = new_spec.get("clusterIPs") or []
    if new_ips and old_ips and new_ips[0] != old_ips[0]:
        path: Path = ("spec", "clusterIPs", 0)
        listed = ", ".join(f'"{ip}"' for ip in new_ips)
        return [
            (path, f"{render(path)}: Invalid value: []string{{{listed}}}: may not change once set")
        ]
    return []


def validate_endpoints(obj: dict) -> FieldErrors:
    """ValidateEndpoints: every address an IP, every port a valid number and protocol."""
    errors = validate_object_meta(obj, namespaced=True)
    for s_index, subset in enumerate(obj.get("subsets") or []):
        spath: Path = ("subsets", s_index)
        for field in ("addresses", "notReadyAddresses"):
            for a_index, address in enumerate(subset.get(field) or []):
                ip = address.get("ip")
                if not ip:
                    errors.append(required((*spath, field, a_index, "ip")))
                elif not _is_ip(ip):
                    errors.append(invalid((*spath, field, a_index, "ip"), ip, IP_MSG))
        ports = subset.get("ports") or []
        for p_index, port in enumerate(ports):
            ppath: Path = (*spath, "ports", p_index)
            if len(ports) > 1 and not port.get("name"):
                errors.append(required((*ppath, "name")))
            if not _is_port_num(port.get("port")):
                errors.append(invalid((*ppath, "port"), port.get("port"), PORT_NUM_MSG))
            protocol = port.get("protocol", "TCP")
            if protocol not in PROTOCOLS:
                errors.append(unsupported((*ppath, "protocol"), protocol, PROTOCOLS))
    return errors


def validate_endpoint_slice(obj: dict) -> FieldErrors:
    """ValidateEndpointSlice: addressType, 1 address an endpoint, the size limits."""
    errors = validate_object_meta(obj, namespaced=True)
    address_type = obj.get("addressType")
    if not address_type:
        errors.append(required(("addressType",)))
    elif address_type not in ADDRESS_TYPES:
        errors.append(unsupported(("addressType",), address_type, ["IPv4", "IPv6"]))
    endpoints = obj.get("endpoints") or []
    if len(endpoints) > MAX_ENDPOINTS_PER_SLICE:
        errors.append(
            (
                ("endpoints",),
                f"endpoints: Too many: {len(endpoints)}: must have at most {MAX_ENDPOINTS_PER_SLICE} items",
            )
        )
    for index, endpoint in enumerate(endpoints):
        addresses = endpoint.get("addresses") or []
        path: Path = ("endpoints", index, "addresses")
        if not addresses:
            errors.append(required(path, "must contain at least 1 address"))
        elif len(addresses) > 100:
            errors.append(
                (path, f"{render(path)}: Too many: {len(addresses)}: must have at most 100 items")
            )
        for a_index, address in enumerate(addresses):
            if address_type in ("IPv4", "IPv6") and not _is_ip(address):
                errors.append(invalid((*path, a_index), address, IP_MSG))
    ports = obj.get("ports") or []
    if len(ports) > MAX_PORTS_PER_SLICE:
        errors.append(
            (
                ("ports",),
                f"ports: Too many: {len(ports)}: must have at most {MAX_PORTS_PER_SLICE} items",
            )
        )
    for index, port in enumerate(ports):
        protocol = port.get("protocol", "TCP")
        if protocol not in PROTOCOLS:
            errors.append(unsupported(("ports", index, "protocol"), protocol, PROTOCOLS))
    return errors
