"""`kubectl apply` and `--prune`: the three-way merge, the inventory, live edits."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine.apply import (
    LAST_APPLIED,
    Inventory,
    apply,
    apply_object,
    live_edits,
    three_way_merge,
)
from engine.cluster import Cluster
from engine.manifests.loader import Manifest, load_text
from engine.steps import apply_manifests


def pod(name: str = "web", **container: object) -> dict:
    spec_container = {"name": "app", "image": "nginx:1.25", **container}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"containers": [spec_container]},
    }


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def manifests(file: str, *objects: dict) -> list[Manifest]:
    import yaml

    text = "---\n".join(yaml.safe_dump(o) for o in objects)
    loaded = load_text(text, file)
    assert not loaded.problems, loaded.problems
    return loaded.manifests


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(seed=1)
    c.boot()
    return c


class TestThreeWayMerge:
    @pytest.mark.parametrize(
        ("live", "desired", "previous", "expected"),
        [
            pytest.param(
                {"a": 1, "b": 2, "server": 3},
                {"a": 1},
                {"a": 1, "b": 2},
                {"a": 1, "server": 3},
                id="a field the manifest dropped is removed, server fields stay",
            ),
            pytest.param(
                {"a": 1},
                {"a": None},
                {"a": 1},
                {},
                id="an explicit null removes the field",
            ),
            pytest.param(
                {
                    "mounts": 0,
                    "volumeMounts": [
                        {"name": "d", "mountPath": "/d"},
                        {"name": "token", "mountPath": "/var/run"},
                    ],
                },
                {
                    "volumeMounts": [
                        {"name": "d", "mountPath": "/d"},
                        {"name": "e", "mountPath": "/e"},
                    ]
                },
                {"volumeMounts": [{"name": "d", "mountPath": "/d"}]},
                {
                    "mounts": 0,
                    "volumeMounts": [
                        {"name": "d", "mountPath": "/d"},
                        {"name": "token", "mountPath": "/var/run"},
                        {"name": "e", "mountPath": "/e"},
                    ],
                },
                id="volumeMounts merge on mountPath; the injected token mount is kept",
            ),
            pytest.param(
                {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                {"env": [{"name": "A", "value": "1"}]},
                {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                {"env": [{"name": "A", "value": "1"}]},
                id="an item removed from the manifest is removed",
            ),
            pytest.param(
                {"ports": [{"containerPort": 80, "protocol": "TCP"}]},
                {"ports": [{"containerPort": 80}]},
                {"ports": [{"containerPort": 80}]},
                {"ports": [{"containerPort": 80, "protocol": "TCP"}]},
                id="ports merge on containerPort, keeping defaults",
            ),
            pytest.param(
                {"tolerations": [{"key": "a"}, {"key": "default"}]},
                {"tolerations": [{"key": "b"}]},
                {"tolerations": [{"key": "a"}]},
                {"tolerations": [{"key": "b"}]},
                id="lists without a merge key are replaced",
            ),
            pytest.param(
                {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}},
                {"strategy": {"type": "Recreate"}},
                {},
                {"strategy": {"type": "Recreate"}},
                id="retainKeys: switching to Recreate clears rollingUpdate",
            ),
            pytest.param(
                {"volumes": [{"name": "d", "emptyDir": {}}]},
                {"volumes": [{"name": "d", "configMap": {"name": "c"}}]},
                {"volumes": [{"name": "d", "emptyDir": {}}]},
                {"volumes": [{"name": "d", "configMap": {"name": "c"}}]},
                id="a volume's source is replaced, not merged",
            ),
            pytest.param(
                {"finalizers": ["server/x", "mine/a"]},
                {"finalizers": ["mine/b"]},
                {"finalizers": ["mine/a"]},
                {"finalizers": ["mine/b", "server/x"]},
                id="finalizers merge as a set",
            ),
        ],
    )
    def test_merge(self, live: dict, desired: dict, previous: dict, expected: dict) -> None:
        assert three_way_merge(live, desired, previous) == expected


class TestLiveEdits:
    @pytest.mark.parametrize(
        ("live", "desired", "previous", "expected"),
        [
            pytest.param(
                {"spec": {"replicas": 5}},
                {"spec": {"replicas": 3}},
                {"spec": {"replicas": 3}},
                ["spec.replicas"],
                id="a scaled replica count is put back",
            ),
            pytest.param(
                {"spec": {"replicas": 5}},
                {"spec": {"replicas": 5}},
                {"spec": {"replicas": 3}},
                [],
                id="the manifest now says what the live edit said",
            ),
            pytest.param(
                {"spec": {"replicas": 5, "paused": True}},
                {"spec": {"replicas": 5}},
                {"spec": {"replicas": 5}},
                [],
                id="fields the manifest never set are not the file's business",
            ),
            pytest.param(
                {
                    "spec": {
                        "containers": [
                            {
                                "name": "app",
                                "image": "nginx:1.27",
                                "imagePullPolicy": "IfNotPresent",
                            }
                        ]
                    }
                },
                {"spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}},
                {"spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}},
                ["spec.containers[0].image"],
                id="named list items are matched by name",
            ),
            pytest.param(
                {"spec": {"tolerations": [{"key": "a"}, {"key": "default"}]}},
                {"spec": {"tolerations": [{"key": "a"}]}},
                {"spec": {"tolerations": [{"key": "a"}]}},
                [],
                id="items admission appended are not edits",
            ),
        ],
    )
    def test_live_edits(self, live: dict, desired: dict, previous: dict, expected: list) -> None:
        assert live_edits(live, desired, previous) == expected

    def test_a_live_edit_is_replaced_and_reported(self, cluster: Cluster) -> None:
        cm = config_map("settings", mode="fast")
        apply_object(cluster, cm)
        live = copy.deepcopy(cluster.store.get("ConfigMap", "default", "settings"))
        live["data"]["mode"] = "slow"
        cluster.api.update(live)
        outcome = apply_object(cluster, cm, source="settings.yaml")
        assert outcome.line() == "configmap/settings configured"
        assert outcome.replaced == ("data.mode",)
        assert (
            outcome.replaced_notice()
            == "configmap/settings: live edit of data.mode replaced by settings.yaml"
        )
        assert cluster.store.get("ConfigMap", "default", "settings")["data"]["mode"] == "fast"


class TestApplyObject:
    def test_created_then_unchanged_after_the_cluster_ran(self, cluster: Cluster) -> None:
        manifest = pod(ports=[{"containerPort": 80}])
        assert apply_object(cluster, manifest).line() == "pod/web created"
        cluster.run_until(30)
        outcome = apply_object(cluster, manifest)
        assert outcome.line() == "pod/web unchanged"
        assert outcome.replaced == ()

    def test_changing_an_image_configures_the_pod(self, cluster: Cluster) -> None:
        apply_object(cluster, pod())
        cluster.run_until(5)
        assert apply_object(cluster, pod(image="nginx:1.27")).line() == "pod/web configured"
        live = cluster.store.get("Pod", "default", "web")
        assert live["spec"]["containers"][0]["image"] == "nginx:1.27"

    def test_a_forbidden_pod_change_is_refused_and_the_pod_stays(self, cluster: Cluster) -> None:
        apply_object(cluster, pod())
        cluster.run_until(5)
        before = copy.deepcopy(cluster.store.get("Pod", "default", "web"))
        outcome = apply_object(cluster, pod(command=["sleep", "10"]), source="web.yaml")
        assert outcome.action == ""
        first = outcome.error_line().splitlines()[0]
        assert first == (
            'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other '
            "than `spec.containers[*].image`,`spec.initContainers[*].image`,"
            "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
            "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
            "was previously negative)"
        )
        assert '+ \t\t\tCommand: {"sleep", "10"},' in outcome.error_line()
        assert cluster.store.get("Pod", "default", "web") == before

    def test_an_object_without_the_annotation_gets_kubectls_warning(self, cluster: Cluster) -> None:
        cluster.api.create(config_map("plain", a="1"))
        outcome = apply_object(cluster, config_map("plain", a="2"))
        assert outcome.line() == "configmap/plain configured"
        assert outcome.warnings == (
            "Warning: resource configmaps/plain is missing the "
            "kubectl.kubernetes.io/last-applied-configuration annotation which is required by "
            "kubectl apply. kubectl apply should only be used on resources created "
            "declaratively by either kubectl create --save-config or kubectl apply. The "
            "missing annotation will be patched automatically.",
        )
        annotations = cluster.store.get("ConfigMap", "default", "plain")["metadata"]["annotations"]
        assert LAST_APPLIED in annotations


class TestPrune:
    def test_a_removed_document_is_pruned(self, cluster: Cluster) -> None:
        inventory = Inventory()
        first = manifests("app.yaml", config_map("a", x="1"), config_map("b", x="1"))
        report = apply(cluster, first, inventory=inventory, prune=["app.yaml"])
        assert report.lines() == ["configmap/a created", "configmap/b created"]
        second = manifests("app.yaml", config_map("a", x="1"))
        report = apply(cluster, second, inventory=inventory, prune=["app.yaml"])
        assert report.lines() == ["configmap/a unchanged", "configmap/b pruned"]
        assert cluster.store.get("ConfigMap", "default", "b") is None

    def test_a_deleted_file_prunes_all_its_objects(self, cluster: Cluster) -> None:
        inventory = Inventory()
        apply(cluster, manifests("a.yaml", config_map("a")), inventory=inventory, prune=["a.yaml"])
        apply(cluster, manifests("b.yaml", config_map("b")), inventory=inventory, prune=["b.yaml"])
        report = apply(cluster, [], inventory=inventory, prune=["a.yaml"])
        assert report.lines() == ["configmap/a pruned"]
        assert cluster.store.get("ConfigMap", "default", "b") is not None

    def test_an_object_moved_to_another_file_is_not_pruned(self, cluster: Cluster) -> None:
        inventory = Inventory()
        apply(cluster, manifests("a.yaml", config_map("m")), inventory=inventory, prune=["a.yaml"])
        uid = cluster.store.get("ConfigMap", "default", "m")["metadata"]["uid"]
        # The rename of a.yaml to b.yaml arrives as one batch...
        report = apply(
            cluster,
            manifests("b.yaml", config_map("m")),
            inventory=inventory,
            prune=["a.yaml", "b.yaml"],
        )
        assert report.lines() == ["configmap/m unchanged"]
        assert cluster.store.get("ConfigMap", "default", "m")["metadata"]["uid"] == uid
        assert inventory.owner(("ConfigMap", "default", "m")) == "b.yaml"
        # ...or as two: the file that gave it up later does not take it away.
        report = apply(cluster, [], inventory=inventory, prune=["a.yaml"])
        assert report.lines() == []

    def test_objects_the_inventory_did_not_apply_are_never_pruned(self, cluster: Cluster) -> None:
        inventory = Inventory()
        apply(cluster, manifests("a.yaml", config_map("a")), inventory=inventory, prune=["a.yaml"])
        cluster.api.delete("ConfigMap", "default", "a")
        cluster.api.create(config_map("a", other="yes"))  # someone else's object now
        report = apply(cluster, [], inventory=inventory, prune=["a.yaml"])
        assert report.lines() == []
        assert cluster.store.get("ConfigMap", "default", "a") is not None

    def test_nothing_is_pruned_for_a_file_whose_apply_failed(self, cluster: Cluster) -> None:
        inventory = Inventory()
        first = manifests("app.yaml", pod("web"), config_map("extra"))
        apply(cluster, first, inventory=inventory, prune=["app.yaml"])
        cluster.run_until(5)
        second = manifests("app.yaml", pod("web", command=["sleep", "1"]))
        report = apply(cluster, second, inventory=inventory, prune=["app.yaml"])
        assert len(report.errors()) == 1
        assert cluster.store.get("ConfigMap", "default", "extra") is not None

    def test_a_pruned_pod_terminates_gracefully(self, cluster: Cluster) -> None:
        inventory = Inventory()
        apply(cluster, manifests("web.yaml", pod("web")), inventory=inventory, prune=["web.yaml"])
        cluster.run_until(10)
        report = apply(cluster, [], inventory=inventory, prune=["web.yaml"])
        assert report.lines() == ["pod/web pruned"]
        live = cluster.store.get("Pod", "default", "web")
        assert live is not None and live["metadata"]["deletionTimestamp"]


class TestOneFunctionForEveryCaller:
    def test_the_scenario_step_prints_what_apply_reports(
        self, cluster: Cluster, tmp_path: Path
    ) -> None:
        found = manifests(str(tmp_path / "cm.yaml"), config_map("c", a="1"))
        result = apply_manifests(cluster, found)
        assert result.lines == ["configmap/c created"]
        assert result.errors == []


class TestWorkloads:
    @staticmethod
    def deployment(image: str, replicas: int = 2) -> dict:
        labels = {"app": "web"}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "app", "image": image}]},
                },
            },
        }

    def test_a_changed_pod_template_starts_a_rollout(self, cluster: Cluster) -> None:
        apply_object(cluster, self.deployment("nginx:1.25"))
        cluster.run_until(20)
        assert apply_object(cluster, self.deployment("nginx:1.25")).action == "unchanged"
        assert apply_object(cluster, self.deployment("nginx:1.27")).action == "configured"
        cluster.run_until(90)
        sets = cluster.store.list("ReplicaSet")
        assert len(sets) == 2
        current = [rs for rs in sets if rs["spec"]["replicas"] == 2]
        assert current[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"

    def test_a_scaled_deployment_goes_back_to_the_files_replicas(self, cluster: Cluster) -> None:
        apply_object(cluster, self.deployment("nginx:1.25"))
        live = copy.deepcopy(cluster.store.get("Deployment", "default", "web"))
        live["spec"]["replicas"] = 5
        cluster.api.update(live)
        outcome = apply_object(cluster, self.deployment("nginx:1.25"), source="web.yaml")
        assert outcome.replaced_notice() == (
            "deployment.apps/web: live edit of spec.replicas replaced by web.yaml"
        )
        assert cluster.store.get("Deployment", "default", "web")["spec"]["replicas"] == 2


class TestLastAppliedAnnotation:
    # kubectl pkg/util/apply.go GetModifiedConfiguration sets the annotation map (empty
    # when the manifest has none) before encoding; cli-runtime's resource builder has already
    # given a namespaced object the command's namespace (visitor.go SetNamespace).
    def test_last_applied_records_an_empty_annotation_map_and_the_default_namespace(
        self, cluster: Cluster
    ) -> None:
        outcome = apply_object(cluster, config_map("settings", mode="fast"))
        assert outcome.error is None
        live = cluster.store.get("ConfigMap", "default", "settings")
        assert live["metadata"]["annotations"][LAST_APPLIED] == (
            '{"apiVersion":"v1","data":{"mode":"fast"},"kind":"ConfigMap",'
            '"metadata":{"annotations":{},"name":"settings","namespace":"default"}}\n'
        )

    def test_a_cluster_scoped_object_records_no_namespace(self, cluster: Cluster) -> None:
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}
        assert apply_object(cluster, namespace).error is None
        live = cluster.store.get("Namespace", "", "team")
        assert live["metadata"]["annotations"][LAST_APPLIED] == (
            '{"apiVersion":"v1","kind":"Namespace","metadata":{"annotations":{},"name":"team"}}\n'
        )

    def test_applying_the_same_manifest_again_is_unchanged(self, cluster: Cluster) -> None:
        assert apply_object(cluster, config_map("settings", mode="fast")).action == "created"
        assert apply_object(cluster, config_map("settings", mode="fast")).action == "unchanged"
