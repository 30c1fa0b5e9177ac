"""The API server's defaults for Services (k/k pkg/apis/core/v1/defaults.go: SetDefaults_Service)
and the strategy's clusterIP/clusterIPs normalisation (pkg/registry/core/service/strategy.go:
NormalizeClusterIPs).

The fields the registry fills in when it allocates (clusterIP, ipFamilies, ipFamilyPolicy,
nodePort) are in engine/network/allocator.py: they need the cluster's other Services.
"""

from __future__ import annotations

# v1.DefaultClientIPServiceAffinitySeconds: three hours.
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800

EXTERNALLY_ACCESSIBLE_TYPES = ("NodePort", "LoadBalancer")


def externally_accessible(spec: dict) -> bool:
    """service.ExternallyAccessible: a NodePort or LoadBalancer, or a ClusterIP with externalIPs."""
    return spec.get("type") in EXTERNALLY_ACCESSIBLE_TYPES or (
        spec.get("type") == "ClusterIP" and bool(spec.get("externalIPs"))
    )


def default_service(obj: dict) -> None:
    """SetDefaults_Service, then NormalizeClusterIPs."""
    spec = obj.setdefault("spec", {})
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if spec["sessionAffinity"] == "ClientIP":
        client_ip = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {
                "clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_AFFINITY_SECONDS}
            }
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        # targetPort 0 or "" means "the same as port".
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and spec["type"] in (
        "ClusterIP",
        "NodePort",
        "LoadBalancer",
    ):
        spec["internalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    # NormalizeClusterIPs: clusterIP and clusterIPs[0] say the same thing; either may be given.
    cluster_ip = spec.get("clusterIP")
    cluster_ips = spec.get("clusterIPs")
    if cluster_ip and not cluster_ips:
        spec["clusterIPs"] = [cluster_ip]
    elif cluster_ips and not cluster_ip:
        spec["clusterIP"] = cluster_ips[0]
    obj.setdefault("status", {}).setdefault("loadBalancer", {})
