"""kubectl's tables and describers for Services (k/k pkg/printers/internalversion/printers.go
printService, formatEndpoints, formatDiscoveryPorts/Endpoints; kubectl pkg/describe/describe.go
describeService, formatEndpointSlices) and a pod reaching a Service through cluster DNS and
kube-proxy."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.describe import describe
from engine.network.describe import format_endpoint_slices
from engine.network.printers import (
    format_discovery_endpoints,
    format_discovery_ports,
    format_endpoints,
)
from engine.printers import print_row
from tests.engine.network.helpers import BACKEND, cluster_with, exec_in, pod

NOW = datetime(2025, 1, 1, 0, 1, tzinfo=UTC)


def _service(spec: dict, name: str = "web") -> dict:
    return {
        "kind": "Service",
        "metadata": {"name": name, "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": spec,
    }


class TestServicePrinter:
    def test_get_svc_columns_for_a_node_port_service(self) -> None:
        service = _service(
            {
                "type": "NodePort",
                "clusterIPs": ["10.96.5.6"],
                "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}],
                "selector": {"app": "web"},
            }
        )
        assert print_row(service, NOW, wide=True) == [
            "web", "NodePort", "10.96.5.6", "<none>", "80:30080/TCP", "60s", "app=web"
        ]

    def test_headless_service_prints_none_and_external_name_its_name(self) -> None:
        headless = _service({"type": "ClusterIP", "clusterIPs": ["None"], "ports": []})
        assert print_row(headless, NOW)[2:5] == ["None", "<none>", "<none>"]
        external = _service({"type": "ExternalName", "externalName": "db.example.com"})
        assert print_row(external, NOW)[2:4] == ["<none>", "db.example.com"]

    def test_get_svc_never_cuts_a_load_balancer_address(self) -> None:
        # pkg/printers/storage/storage.go: the API server prints tables with Wide set, so
        # getServiceExternalIP's 16-character cut never applies to `kubectl get svc`.
        service = _service({"type": "LoadBalancer", "clusterIPs": ["10.96.1.2"], "ports": []})
        service["status"] = {"loadBalancer": {"ingress": [{"hostname": "a-long-name.elb.example.com"}]}}
        assert print_row(service, NOW)[3] == "a-long-name.elb.example.com"

    def test_get_svc_lists_load_balancer_addresses_sorted_and_once(self) -> None:
        # printers.go loadBalancerStatusStringer: a sets.NewString, listed sorted.
        service = _service({"type": "LoadBalancer", "clusterIPs": ["10.96.1.2"], "ports": []})
        ingress = [{"ip": "203.0.113.9"}, {"ip": "198.51.100.1"}, {"ip": "203.0.113.9"}]
        service["status"] = {"loadBalancer": {"ingress": ingress}}
        assert print_row(service, NOW)[3] == "198.51.100.1,203.0.113.9"

    def test_load_balancer_without_ingress_is_pending(self) -> None:
        service = _service({"type": "LoadBalancer", "clusterIPs": ["10.96.1.2"], "ports": []})
        assert print_row(service, NOW)[3] == "<pending>"


class TestEndpointsPrinters:
    def test_get_ep_lists_three_ready_addresses_then_more(self) -> None:
        subset = {
            "addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 6)],
            "notReadyAddresses": [{"ip": "10.0.0.9"}],
            "ports": [{"port": 80}],
        }
        assert format_endpoints({"subsets": [subset]}) == (
            "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."
        )

    def test_get_ep_more_counts_every_address_of_every_port(self) -> None:
        # printers.go formatEndpoints: only the inner loop stops at three; each further port
        # and subset still adds its addresses to the count.
        subset = {
            "addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 6)],
            "ports": [{"port": 80}, {"port": 443}],
        }
        other = {"addresses": [{"ip": "10.0.1.1"}], "ports": [{"port": 8080}]}
        assert format_endpoints({"subsets": [subset, other]}) == (
            "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 8 more..."
        )

    def test_get_ep_prints_none_without_subsets_and_nothing_for_only_unready(self) -> None:
        assert format_endpoints({}) == "<none>"
        assert format_endpoints({"subsets": [{"notReadyAddresses": [{"ip": "1.2.3.4"}]}]}) == ""

    def test_get_endpointslices_ports_and_endpoints_columns(self) -> None:
        assert format_discovery_ports(None) == "<unset>"
        assert format_discovery_endpoints(None) == "<unset>"
        ports = [{"port": p} for p in (80, 443, 8080, 9090)]
        assert format_discovery_ports(ports) == "80,443,8080 + 1 more..."
        # Unready endpoints are listed too.
        endpoints = [{"addresses": ["10.0.0.1"], "conditions": {"ready": False}}]
        assert format_discovery_endpoints(endpoints) == "10.0.0.1"

    def test_describe_endpoints_line_counts_only_ready_endpoints(self) -> None:
        slices = [
            {
                "ports": [{"name": "", "port": 8080}],
                "endpoints": [
                    {"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
                    {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},
                ],
            }
        ]
        assert format_endpoint_slices(slices, "") == "10.0.0.1:8080"
        assert format_endpoint_slices([], "") == "<none>"


class TestDescribeService:
    def test_describe_svc_shows_ports_and_the_endpoints_line(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        service = cluster.store.get("Service", "default", "web")
        text = describe(cluster, service)
        ip = pod(cluster, "web-a")["status"]["podIP"]
        cluster_ip = service["spec"]["clusterIP"]
        assert text.splitlines()[:16] == [
            "Name:                     web",
            "Namespace:                default",
            "Labels:                   <none>",
            "Annotations:              <none>",
            "Selector:                 app=web",
            "Type:                     ClusterIP",
            "IP Family Policy:         SingleStack",
            "IP Families:              IPv4",
            f"IP:                       {cluster_ip}",
            f"IPs:                      {cluster_ip}",
            "Port:                     <unset>  80/TCP",
            "TargetPort:               http/TCP",
            f"Endpoints:                {ip}:80",
            "Session Affinity:         None",
            "Internal Traffic Policy:  Cluster",
            "Events:                   <none>",
        ]


    def test_describe_svc_as_kubectl_132_has_no_app_protocol_or_traffic_distribution(self) -> None:
        # kubernetes/kubectl v0.32 pkg/describe/describe.go describeService: neither line
        # exists before kubectl 1.34.
        cluster = cluster_with(
            BACKEND.replace("  - port: 80\n", "  - port: 80\n    appProtocol: http\n").replace(
                "  selector: {app: web}", "  trafficDistribution: PreferClose\n  selector: {app: web}"
            )
        )
        cluster.run_until(1)
        service = cluster.store.get("Service", "default", "web")
        assert service["spec"]["ports"][0]["appProtocol"] == "http"
        text = describe(cluster, service)
        assert "AppProtocol" not in text and "Traffic Distribution" not in text

class TestServiceTraffic:
    def test_wget_by_service_name_reaches_a_ready_endpoint(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        for host in ("web", "web.default", "web.default.svc", "web.default.svc.cluster.local"):
            result = exec_in(cluster, "client", ["wget", "-q", "-O-", f"http://{host}/"])
            assert result.exit_code == 0, (host, result.output)
            assert "Welcome to nginx" in result.output

    def test_wget_by_cluster_ip_reaches_a_ready_endpoint(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        ip = cluster.store.get("Service", "default", "web")["spec"]["clusterIP"]
        assert exec_in(cluster, "client", ["wget", "-q", "-O-", f"http://{ip}/"]).exit_code == 0

    def test_a_service_without_ready_endpoints_refuses_the_connection(self) -> None:
        cluster = cluster_with(BACKEND.replace("selector: {app: web}", "selector: {app: none}"))
        cluster.run_until(15)
        ip = cluster.store.get("Service", "default", "web")["spec"]["clusterIP"]
        result = exec_in(cluster, "client", ["wget", "-q", "-O-", "http://web/"])
        assert result.exit_code == 1
        assert result.output == f"wget: can't connect to remote host ({ip}): Connection refused\n"
        assert exec_in(cluster, "client", ["nc", "-z", "web", "80"]).exit_code == 1

    def test_nc_reaches_the_service_port(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        assert exec_in(cluster, "client", ["nc", "-z", "web", "80"]).exit_code == 0
        assert exec_in(cluster, "client", ["nc", "-z", "web", "81"]).exit_code == 1

    def test_an_unknown_cluster_name_does_not_resolve(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        result = exec_in(cluster, "client", ["wget", "-q", "-O-", "http://nope.default.svc.cluster.local/"])
        assert (result.exit_code, result.output) == (
            1,
            "wget: bad address 'nope.default.svc.cluster.local'\n",
        )

    def test_an_exec_probe_fails_while_the_service_has_no_ready_endpoint(self) -> None:
        cluster = cluster_with(
            BACKEND
            + """---
apiVersion: v1
kind: Pod
metadata: {name: watcher}
spec:
  containers:
  - name: sh
    image: busybox:1.36
    command: [sleep, infinity]
    readinessProbe:
      exec: {command: [wget, -q, -O-, "http://web/"]}
      periodSeconds: 2
"""
        )
        cluster.run_until(20)

        def ready() -> str:
            conditions = pod(cluster, "watcher")["status"]["conditions"]
            return next(c["status"] for c in conditions if c["type"] == "Ready")

        assert ready() == "True"
        cluster.api.delete("Pod", "default", "web-a", grace_period=0)
        cluster.run_until(30)
        assert ready() == "False"


class TestProbesFromTheNode:
    # The kubelet dials an httpGet probe's `host` from the node: a ClusterIP goes through
    # kube-proxy's rules to a ready endpoint (pkg/probe/http, pkg/kubelet/prober).
    MANIFESTS = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: 10.96.100.100
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-a, labels: {app: web}}
spec:
  containers: [{name: nginx, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Pod
metadata: {name: watcher}
spec:
  containers:
  - name: sh
    image: busybox:1.36
    command: [sleep, infinity]
    readinessProbe:
      httpGet: {host: 10.96.100.100, port: 8080, path: /}
      periodSeconds: 2
"""

    def test_an_http_probe_to_a_cluster_ip_follows_the_services_endpoints(self) -> None:
        cluster = cluster_with(self.MANIFESTS)

        def ready() -> str:
            conditions = pod(cluster, "watcher")["status"]["conditions"]
            return next(c["status"] for c in conditions if c["type"] == "Ready")

        cluster.run_until(20)
        assert ready() == "True"
        cluster.api.delete("Pod", "default", "web-a", grace_period=0)
        cluster.run_until(30)
        assert ready() == "False"
        message = [e["message"] for e in cluster.events.events_for(pod(cluster, "watcher")) if e["reason"] == "Unhealthy"]
        assert message[-1] == (
            'Readiness probe failed: Get "http://10.96.100.100:8080/": dial tcp '
            "10.96.100.100:8080: connect: connection refused"
        )
