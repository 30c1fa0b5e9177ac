"""The workload kinds at the API server: apiVersions (legacy ones with their own defaults
and deprecation warnings), defaulting, validation in the API server's words."""

from __future__ import annotations

import copy

import pytest
import yaml

from engine.api.errors import APIError
from engine.cluster import Cluster
from engine.manifests.loader import load_text
from tests.engine.workloads.helpers import cluster_with, workload


def booted() -> Cluster:
    cluster = Cluster()
    cluster.boot()
    return cluster


def obj(text: str) -> dict:
    return yaml.safe_load(text)


class TestLegacyApiVersions:
    @pytest.mark.parametrize(
        ("api_version", "kind", "warning"),
        [
            (
                "extensions/v1beta1",
                "Deployment",
                "extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment",
            ),
            (
                "apps/v1beta1",
                "Deployment",
                "apps/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment",
            ),
            (
                "apps/v1beta2",
                "Deployment",
                "apps/v1beta2 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment",
            ),
            (
                "extensions/v1beta1",
                "DaemonSet",
                "extensions/v1beta1 DaemonSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 DaemonSet",
            ),
            (
                "extensions/v1beta1",
                "ReplicaSet",
                "extensions/v1beta1 ReplicaSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 ReplicaSet",
            ),
            (
                "apps/v1beta1",
                "StatefulSet",
                "apps/v1beta1 StatefulSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 StatefulSet",
            ),
        ],
    )
    def test_accepted_with_the_api_servers_warning_and_stored_as_apps_v1(
        self, api_version, kind, warning
    ) -> None:
        cluster = booted()
        replicas = None if kind == "DaemonSet" else 1
        manifest = obj(workload(kind, "old", replicas=replicas, api_version=api_version))
        result = cluster.api.create(manifest)
        assert result.warnings == [warning]
        assert result.obj["apiVersion"] == "apps/v1"

    def test_the_warning_reaches_the_apply_output(self) -> None:
        from engine.steps import apply_manifests

        cluster = booted()
        loaded = load_text(
            workload("Deployment", "old", api_version="extensions/v1beta1", selector=False),
            "old.yaml",
        )
        assert loaded.ok
        lines = apply_manifests(cluster, loaded.manifests).lines
        assert lines == [
            "Warning: extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment",
            "deployment.extensions/old created",  # kubectl names the group it sent
        ]

    @pytest.mark.parametrize("api_version", ["extensions/v1beta1", "apps/v1beta1"])
    def test_a_missing_selector_defaults_from_the_template_labels(self, api_version) -> None:
        cluster = booted()
        created = cluster.api.create(
            obj(workload("Deployment", "old", api_version=api_version, selector=False))
        ).obj
        assert created["spec"]["selector"] == {"matchLabels": {"app": "old"}}
        assert created["metadata"]["labels"] == {"app": "old"}

    def test_apps_v1_needs_a_selector(self) -> None:
        cluster = booted()
        with pytest.raises(APIError) as raised:
            cluster.api.create(obj(workload("Deployment", "new", selector=False)))
        assert raised.value.message == (
            'The Deployment "new" is invalid: [spec.selector: Required value, '
            'spec.template.metadata.labels: Invalid value: {"app":"new"}: `selector` does not match template `labels`]'
        )

    @pytest.mark.parametrize(
        ("api_version", "surge", "unavailable", "history", "deadline"),
        [
            ("apps/v1", "25%", "25%", 10, 600),
            ("apps/v1beta2", "25%", "25%", 10, 600),
            ("apps/v1beta1", "25%", "25%", 2, 600),
            ("extensions/v1beta1", 1, 1, 2**31 - 1, 2**31 - 1),
        ],
    )
    def test_deployment_defaults_per_version(
        self, api_version, surge, unavailable, history, deadline
    ) -> None:
        cluster = booted()
        spec = cluster.api.create(obj(workload("Deployment", "d", api_version=api_version))).obj[
            "spec"
        ]
        assert spec["strategy"] == {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
        }
        assert (
            spec["revisionHistoryLimit"],
            spec["progressDeadlineSeconds"],
            spec["replicas"],
        ) == (
            history,
            deadline,
            1,
        )

    @pytest.mark.parametrize(
        ("kind", "api_version", "strategy"),
        [
            ("DaemonSet", "extensions/v1beta1", {"type": "OnDelete"}),
            (
                "DaemonSet",
                "apps/v1",
                {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            ),
            ("StatefulSet", "apps/v1beta1", {"type": "OnDelete"}),
            (
                "StatefulSet",
                "apps/v1",
                {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            ),
        ],
    )
    def test_update_strategy_defaults_per_version(self, kind, api_version, strategy) -> None:
        cluster = booted()
        created = cluster.api.create(obj(workload(kind, "x", api_version=api_version))).obj
        assert created["spec"]["updateStrategy"] == strategy

    def test_rollback_to_is_accepted_in_the_old_deployment_api(self) -> None:
        text = workload(
            "Deployment",
            "old",
            api_version="extensions/v1beta1",
            spec={"rollbackTo": {"revision": 1}},
        )
        assert load_text(text, "x.yaml").ok
        cluster = booted()
        assert "rollbackTo" not in cluster.api.create(obj(text)).obj["spec"]


class TestValidation:
    @pytest.mark.parametrize(
        ("kind", "spec", "pod_spec", "message"),
        [
            (
                "Deployment",
                {"replicas": -1},
                None,
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                "Deployment",
                {
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0},
                    }
                },
                None,
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
            ),
            (
                "Deployment",
                {
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxUnavailable": "120%"},
                    }
                },
                None,
                'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
            ),
            (
                "Deployment",
                {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "lots"}}},
                None,
                'spec.strategy.rollingUpdate.maxSurge: Invalid value: "lots": a valid percent string must be a '
                "numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            ),
            (
                "Deployment",
                {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
                None,
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
            ),
            (
                "Deployment",
                {"minReadySeconds": 30, "progressDeadlineSeconds": 20},
                None,
                "spec.progressDeadlineSeconds: Invalid value: 20: must be greater than minReadySeconds",
            ),
            (
                "ReplicaSet",
                {"selector": {}},
                None,
                "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
            ),
            (
                "Deployment",
                {},
                {"restartPolicy": "Never", "containers": [{"name": "a", "image": "nginx"}]},
                'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
            ),
            (
                "StatefulSet",
                {"podManagementPolicy": "Eager"},
                None,
                "spec.podManagementPolicy: Invalid value: \"Eager\": must be 'OrderedReady' or 'Parallel'",
            ),
            (
                "DaemonSet",
                {"selector": {"matchLabels": {"app": "other"}}},
                None,
                'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
            ),
        ],
    )
    def test_messages(self, kind, spec, pod_spec, message) -> None:
        cluster = booted()
        with pytest.raises(APIError) as raised:
            cluster.api.create(obj(workload(kind, "x", spec=spec, pod_spec=pod_spec)))
        assert raised.value.message == f'The {kind} "x" is invalid: {message}'

    def test_a_job_must_not_restart_always(self) -> None:
        # pkg/apis/batch/validation/validation.go validateJobSpec: since 1.21 the defaulted
        # Always (or an empty policy) is a Required error, not NotSupported.
        job = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j"},
            "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "busybox"}]}}},
        }
        with pytest.raises(APIError) as raised:
            booted().api.create(job)
        assert raised.value.message == (
            'The Job "j" is invalid: spec.template.spec.restartPolicy: Required value: '
            'valid values: "OnFailure", "Never"'
        )

    def test_problems_are_located_in_the_file(self) -> None:
        text = workload("Deployment", "x", spec={"replicas": -2})
        line = text.splitlines().index("  replicas: -2") + 1
        loaded = load_text(text, "d.yaml")
        assert [str(p) for p in loaded.problems] == [
            f'd.yaml:{line}: The Deployment "x" is invalid: '
            "spec.replicas: Invalid value: -2: must be greater than or equal to 0"
        ]

    def test_a_deployments_selector_is_immutable(self) -> None:
        cluster = cluster_with(workload("Deployment", "web"))
        live = copy.deepcopy(cluster.store.get("Deployment", "default", "web"))
        live["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
        live["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
        with pytest.raises(APIError) as raised:
            cluster.api.update(live)
        assert raised.value.message == (
            'The Deployment "web" is invalid: spec.selector: Invalid value: '
            '{"matchLabels":{"app":"web","tier":"x"}}: field is immutable'
        )

    def test_a_stateful_sets_claims_are_immutable(self) -> None:
        cluster = cluster_with(workload("StatefulSet", "db"))
        live = copy.deepcopy(cluster.store.get("StatefulSet", "default", "db"))
        live["spec"]["serviceName"] = "other"
        with pytest.raises(APIError) as raised:
            cluster.api.update(live)
        assert (
            "updates to statefulset spec for fields other than 'replicas'" in raised.value.message
        )


class TestDefaults:
    def test_a_stateful_set_claim_template_is_a_full_claim(self) -> None:
        text = workload(
            "StatefulSet",
            "db",
            spec={
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                        },
                    }
                ]
            },
        )
        created = booted().api.create(obj(text)).obj
        (claim,) = created["spec"]["volumeClaimTemplates"]
        assert claim["apiVersion"] == "v1" and claim["kind"] == "PersistentVolumeClaim"
        assert claim["spec"]["volumeMode"] == "Filesystem"
        assert claim["status"] == {"phase": "Pending"}
        assert created["spec"]["persistentVolumeClaimRetentionPolicy"] == {
            "whenDeleted": "Retain",
            "whenScaled": "Retain",
        }

    def test_a_new_objects_status_is_the_servers(self) -> None:
        manifest = obj(workload("ReplicaSet", "rs"))
        manifest["status"] = {"replicas": 99}
        assert booted().api.create(manifest).obj["status"] == {"replicas": 0}

    def test_the_pod_template_is_defaulted(self) -> None:
        spec = booted().api.create(obj(workload("Deployment", "d"))).obj["spec"]["template"]["spec"]
        assert spec["restartPolicy"] == "Always"
        assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
        assert spec["terminationGracePeriodSeconds"] == 30
