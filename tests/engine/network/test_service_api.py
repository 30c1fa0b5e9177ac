"""The v1 Service registry: defaults, allocation and validation (k/k
pkg/apis/core/v1/defaults.go SetDefaults_Service; pkg/registry/core/service/storage/alloc.go;
pkg/registry/core/service/ipallocator and portallocator; pkg/apis/core/validation/validation.go
ValidateService)."""

from __future__ import annotations

import ipaddress

import pytest

from engine.api.errors import APIError
from engine.cluster import Cluster
from engine.network.allocator import allocate_cluster_ip, allocate_node_port, range_offset


def _cluster() -> Cluster:
    cluster = Cluster(seed=0)
    cluster.boot()
    return cluster


def _create(cluster: Cluster, spec: dict, name: str = "web") -> dict:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}
    return cluster.api.create(obj).obj


def _invalid_update(cluster: Cluster, live: dict, spec: dict) -> str:
    with pytest.raises(APIError) as caught:
        cluster.api.update({**live, "spec": spec})
    return caught.value.kubectl()


def _invalid(cluster: Cluster, spec: dict, name: str = "web") -> str:
    with pytest.raises(APIError) as caught:
        _create(cluster, spec, name)
    return caught.value.kubectl()


class TestDefaults:
    # pkg/apis/core/v1/defaults.go SetDefaults_Service; alloc.go initIPFamilyFields.
    def test_service_defaults_type_affinity_protocol_target_port_and_families(self) -> None:
        spec = _create(_cluster(), {"selector": {"app": "web"}, "ports": [{"port": 80}]})["spec"]
        assert spec["type"] == "ClusterIP"
        assert spec["sessionAffinity"] == "None"
        assert spec["internalTrafficPolicy"] == "Cluster"
        assert spec["ipFamilies"] == ["IPv4"]
        assert spec["ipFamilyPolicy"] == "SingleStack"
        assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
        assert spec["clusterIPs"] == [spec["clusterIP"]]

    def test_client_ip_affinity_defaults_to_three_hours(self) -> None:
        spec = _create(_cluster(), {"ports": [{"port": 80}], "sessionAffinity": "ClientIP"})["spec"]
        assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}

    def test_node_port_service_defaults_external_traffic_policy_cluster(self) -> None:
        spec = _create(_cluster(), {"type": "NodePort", "ports": [{"port": 80}]})["spec"]
        assert spec["externalTrafficPolicy"] == "Cluster"

    def test_headless_service_without_selector_requires_dual_stack(self) -> None:
        spec = _create(_cluster(), {"clusterIP": "None", "ports": [{"port": 80}]})["spec"]
        assert spec["ipFamilyPolicy"] == "RequireDualStack"
        assert spec["clusterIPs"] == ["None"]

    def test_headless_selectorless_service_gets_both_families_on_a_single_stack_cluster(
        self,
    ) -> None:
        # pkg/registry/core/service/storage/alloc.go initIPFamilyFields, the headless +
        # selectorless special case: unless its policy is SingleStack the other family is
        # added, even where the cluster has only IPv4.
        spec = _create(_cluster(), {"clusterIP": "None", "ports": [{"port": 80}]})["spec"]
        assert spec["ipFamilies"] == ["IPv4", "IPv6"]
        single = _create(
            _cluster(),
            {"clusterIP": "None", "ipFamilyPolicy": "SingleStack", "ports": [{"port": 80}]},
        )["spec"]
        assert single["ipFamilies"] == ["IPv4"]
        with_selector = _create(
            _cluster(), {"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 80}]}
        )["spec"]
        assert with_selector["ipFamilies"] == ["IPv4"]
        assert with_selector["ipFamilyPolicy"] == "SingleStack"

    def test_a_local_load_balancer_gets_a_health_check_node_port_and_loses_it_for_cluster(
        self,
    ) -> None:
        # pkg/registry/core/service/storage/alloc.go allocHealthCheckNodePort (for
        # service.NeedsHealthCheck: LoadBalancer and externalTrafficPolicy Local), and
        # strategy.go dropTypeDependentFields clearing it when no longer needed.
        cluster = _cluster()
        spec = _create(
            cluster,
            {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]},
        )["spec"]
        health = spec["healthCheckNodePort"]
        assert 30000 <= health <= 32767
        assert health != spec["ports"][0]["nodePort"]
        live = cluster.store.get("Service", "default", "web")
        updated = {**live, "spec": {**live["spec"], "externalTrafficPolicy": "Cluster"}}
        after = cluster.api.update(updated).obj["spec"]
        assert "healthCheckNodePort" not in after
        cluster_policy = _create(
            cluster, {"type": "LoadBalancer", "ports": [{"port": 80}]}, name="other"
        )["spec"]
        assert "healthCheckNodePort" not in cluster_policy

    def test_an_update_from_node_port_to_cluster_ip_drops_the_node_ports(self) -> None:
        # pkg/registry/core/service/strategy.go dropTypeDependentFields: the live nodePorts
        # and externalTrafficPolicy that `kubectl apply` merges back in are wiped rather than
        # refused, unless the update adds a node port of its own.
        cluster = _cluster()
        _create(cluster, {"type": "NodePort", "ports": [{"port": 80}]})
        live = cluster.store.get("Service", "default", "web")
        after = cluster.api.update({**live, "spec": {**live["spec"], "type": "ClusterIP"}}).obj
        assert "nodePort" not in after["spec"]["ports"][0]
        assert "externalTrafficPolicy" not in after["spec"]
        live = cluster.store.get("Service", "default", "web")
        _create(cluster, {"type": "NodePort", "ports": [{"port": 81}]}, name="other")
        spec = {**live["spec"], "type": "ClusterIP", "ports": [{"port": 80, "nodePort": 30999}]}
        assert "may not be used when `type` is 'ClusterIP'" in _invalid_update(cluster, live, spec)

    def test_external_name_service_gets_no_cluster_ip_nor_families(self) -> None:
        spec = _create(_cluster(), {"type": "ExternalName", "externalName": "example.com"})["spec"]
        assert "clusterIP" not in spec and "ipFamilies" not in spec
        assert "internalTrafficPolicy" not in spec

    def test_a_service_has_no_generation(self) -> None:
        # The Service registry does not track metadata.generation.
        assert "generation" not in _create(_cluster(), {"ports": [{"port": 80}]})["metadata"]


class TestAllocation:
    # ipallocator.calculateRangeOffset: /12 keeps 256 addresses for static allocation.
    def test_range_offset_of_the_service_cidr_and_the_node_port_range(self) -> None:
        assert range_offset(2**20, 16, 256, 16) == 256
        assert range_offset(2768, 16, 128, 32) == 86

    def test_cluster_ip_comes_from_the_upper_band_of_the_service_cidr(self) -> None:
        ip = ipaddress.ip_address(_create(_cluster(), {"ports": [{"port": 80}]})["spec"]["clusterIP"])
        assert ip in ipaddress.ip_network("10.96.0.0/12")
        assert int(ip) >= int(ipaddress.ip_address("10.96.1.1"))

    def test_cluster_ip_allocation_does_not_draw_from_the_cluster_generator(self) -> None:
        cluster = _cluster()
        state = cluster.rng.getstate()
        _create(cluster, {"type": "NodePort", "ports": [{"port": 80}]})
        assert cluster.rng.getstate() == state

    def test_allocation_is_deterministic_and_probes_past_taken_addresses(self) -> None:
        first = allocate_cluster_ip("default/web", set())
        assert allocate_cluster_ip("default/web", set()) == first
        assert allocate_cluster_ip("default/web", {first}) != first

    def test_node_port_comes_from_30000_32767(self) -> None:
        spec = _create(_cluster(), {"type": "NodePort", "ports": [{"port": 80}]})["spec"]
        assert 30086 <= spec["ports"][0]["nodePort"] <= 32767
        assert allocate_node_port("k", set()) == allocate_node_port("k", set())

    def test_kubernetes_service_has_the_first_address_of_the_range(self) -> None:
        service = _cluster().store.get("Service", "default", "kubernetes")
        assert service["spec"]["clusterIP"] == "10.96.0.1"

    def test_a_requested_cluster_ip_already_allocated_is_refused(self) -> None:
        message = _invalid(_cluster(), {"clusterIP": "10.96.0.1", "ports": [{"port": 80}]})
        assert message == (
            'The Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
            "failed to allocate IP 10.96.0.1: provided IP is already allocated"
        )

    def test_a_requested_cluster_ip_out_of_range_is_refused(self) -> None:
        message = _invalid(_cluster(), {"clusterIP": "10.0.0.5", "ports": [{"port": 80}]})
        assert message.endswith(
            "failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid "
            "range. The range of valid IPs is 10.96.0.0/12"
        )

    def test_a_requested_node_port_already_allocated_is_refused(self) -> None:
        cluster = _cluster()
        _create(cluster, {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}, "a")
        message = _invalid(cluster, {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}, "b")
        assert message == (
            'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
            "provided port is already allocated"
        )

    def test_a_node_port_out_of_range_is_refused(self) -> None:
        message = _invalid(_cluster(), {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]})
        assert message.endswith(
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
            "The range of valid ports is 30000-32767"
        )

    def test_an_update_without_the_cluster_ip_keeps_it(self) -> None:
        # storage.go patchAllocatedValues.
        cluster = _cluster()
        created = _create(cluster, {"type": "NodePort", "ports": [{"port": 80}]})
        update = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web"},
            "spec": {"type": "NodePort", "ports": [{"port": 80}]},
        }
        spec = cluster.api.update(update).obj["spec"]
        assert spec["clusterIP"] == created["spec"]["clusterIP"]
        assert spec["ports"][0]["nodePort"] == created["spec"]["ports"][0]["nodePort"]

    def test_the_cluster_ip_may_not_change_once_set(self) -> None:
        cluster = _cluster()
        _create(cluster, {"ports": [{"port": 80}]})
        update = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web"},
            "spec": {"clusterIP": "10.96.0.77", "ports": [{"port": 80}]},
        }
        with pytest.raises(APIError) as caught:
            cluster.api.update(update)
        assert caught.value.kubectl().endswith(
            'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.77"}: may not change once set'
        )


class TestValidation:
    def test_ports_are_required_unless_headless_or_external_name(self) -> None:
        assert _invalid(_cluster(), {"selector": {"a": "b"}}).endswith("spec.ports: Required value")

    def test_unsupported_protocol(self) -> None:
        message = _invalid(_cluster(), {"ports": [{"port": 80, "protocol": "HTTP"}]})
        assert message.endswith(
            'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'
        )

    def test_named_target_port_must_be_an_iana_service_name(self) -> None:
        message = _invalid(_cluster(), {"ports": [{"port": 80, "targetPort": "Web_Port"}]})
        assert (
            'spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric '
            "characters (a-z, 0-9), and hyphens (-)" in message
        )

    def test_several_ports_need_names(self) -> None:
        message = _invalid(_cluster(), {"ports": [{"port": 80, "name": "a"}, {"port": 81}]})
        assert message.endswith("spec.ports[1].name: Required value")

    def test_duplicate_port_and_protocol(self) -> None:
        message = _invalid(_cluster(), {"ports": [{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]})
        assert "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\"" in message

    def test_node_port_is_forbidden_for_cluster_ip_services(self) -> None:
        message = _invalid(_cluster(), {"ports": [{"port": 80, "nodePort": 30080}]})
        assert message.endswith(
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        )

    def test_external_name_is_required_for_external_name_services(self) -> None:
        message = _invalid(_cluster(), {"type": "ExternalName"})
        assert message.endswith("spec.externalName: Required value")

    def test_unsupported_type(self) -> None:
        message = _invalid(_cluster(), {"type": "Internal", "ports": [{"port": 80}]})
        assert 'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' in message
