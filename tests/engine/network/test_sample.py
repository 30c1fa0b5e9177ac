"""sample_manifests/services: readiness takes a pod out of its Service and puts it back."""

from __future__ import annotations

from pathlib import Path

from engine.sim import load_inputs, simulate
from tests.engine.network.helpers import endpoints, ips, pod

SAMPLE = Path(__file__).resolve().parents[3] / "sample_manifests" / "services"


def test_readiness_takes_the_flaky_pod_out_of_its_service_and_puts_it_back() -> None:
    seen = []
    for until in (20, 50, 90):
        cluster = simulate(load_inputs([str(SAMPLE)]), until=until)
        flaky = pod(cluster, "flaky")["status"]["podIP"]
        subset = endpoints(cluster, "backend")["subsets"][0]
        seen.append((flaky in ips(subset.get("addresses")), flaky in ips(subset.get("notReadyAddresses"))))
    assert seen == [(True, False), (False, True), (True, False)]


def test_the_client_reaches_the_service_by_its_dns_name() -> None:
    cluster = simulate(load_inputs([str(SAMPLE)]), until=60)
    assert "backend answered" in cluster.logs("default", "client")


def test_the_stateful_sets_headless_service_names_its_pods() -> None:
    root = SAMPLE.parent
    cluster = simulate(load_inputs([str(SAMPLE / "redis-headless.yaml"), str(root / "workloads")]), until=60)
    hostnames = [a.get("hostname") for a in endpoints(cluster, "redis")["subsets"][0]["addresses"]]
    assert sorted(hostnames) == ["redis-0", "redis-1"]


def test_get_all_includes_services(capsys) -> None:
    # kubectl get all: the `all` category (Service's registry lists it, Endpoints' does not).
    from podtui.cli import main

    assert main(["sim", str(SAMPLE), "--until", "10s", "--kind", "all"]) == 0
    out = capsys.readouterr().out
    assert "service/backend" in out and "pod/flaky" in out
    assert "endpoints/" not in out


def test_services_endpoints_and_slices_validate_strictly_against_the_1_32_schema() -> None:
    import pytest

    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    from tests.engine.simulation import cluster_with

    cluster = cluster_with(
        """
apiVersion: v1
kind: Service
metadata: {name: nothing}
spec:
  selector: {app: none}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: none}
  ports: [{port: 80}]
"""
    )
    cluster.run_until(3)
    checked = 0
    for kind in ("Service", "Endpoints", "EndpointSlice"):
        for obj in cluster.store.list(kind):
            kubernetes_validate.validate(obj, "1.32.0", strict=True)
            checked += 1
    assert checked == 10
