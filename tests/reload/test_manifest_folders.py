"""The reload model, without the watcher: which files apply, what stays, what is said."""

from __future__ import annotations

from pathlib import Path

from engine.cluster import Cluster
from podtui.reload.settle import SETTLE_SECONDS
from podtui.reload.state import ManifestFolders
from tests.reload.conftest import FakeClock, config_map, pod, write


def data(cluster: Cluster, name: str) -> dict | None:
    obj = cluster.store.get("ConfigMap", "default", name)
    return None if obj is None else obj.get("data")


class TestInitialLoad:
    def test_every_file_is_applied_and_remembered(self, cluster: Cluster, folder: Path) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        write(folder / "sub" / "b.yaml", config_map("b", x="1"), config_map("c"))
        folders = ManifestFolders([folder])
        entry = folders.reload(cluster)
        assert entry is not None and entry.initial
        assert entry.lines == ("configmap/a created", "configmap/b created", "configmap/c created")
        assert sorted(folders.files) == ["manifests/a.yaml", "manifests/sub/b.yaml"]

    def test_objects_already_in_the_cluster_come_back_unchanged(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("a", x="1"))
        ManifestFolders([folder]).reload(cluster)
        entry = ManifestFolders([folder]).reload(cluster)
        assert entry is not None
        assert entry.lines == ("configmap/a unchanged",)
        assert entry.summary() == ["1 objects unchanged"]


class TestChanges:
    def test_a_save_without_a_change_applies_nothing(self, cluster: Cluster, folder: Path) -> None:
        path = write(folder / "a.yaml", config_map("a", x="1"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        assert folders.reload(cluster, {path.absolute()}) is None

    def test_a_broken_file_keeps_its_objects_and_its_error(
        self, cluster: Cluster, folder: Path
    ) -> None:
        path = write(folder / "a.yaml", config_map("a", x="1"))
        other = write(folder / "b.yaml", config_map("b", x="1"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: [oops\n")
        write(other, config_map("b", x="2"))
        entry = folders.reload(cluster, {path.absolute(), other.absolute()})
        assert entry is not None
        assert entry.lines == ("configmap/b configured",)
        assert len(entry.errors) == 1 and entry.errors[0].startswith(
            "manifests/a.yaml:6: error parsing YAML"
        )
        assert data(cluster, "a") == {"x": "1"}
        assert [str(p) for p in folders.problems()] == list(entry.errors)
        # Deleting the last good document would prune it, but a broken file prunes nothing.
        assert cluster.store.get("ConfigMap", "default", "a") is not None
        write(path, config_map("a", x="3"))
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None and entry.lines == ("configmap/a configured",)
        assert folders.problems() == []

    def test_a_schema_error_is_reported_with_its_line(self, cluster: Cluster, folder: Path) -> None:
        path = write(folder / "a.yaml", config_map("a", x="1"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: 1\n")
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None
        assert entry.errors == (
            'manifests/a.yaml:6: ConfigMap in version "v1" cannot be handled as a ConfigMap: '
            "json: cannot unmarshal number into Go struct field ConfigMap.data.x of type string",
        )

    def test_the_same_object_in_two_files_refuses_the_second(
        self, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "a.yaml", config_map("m", x="1"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        second = write(folder / "b.yaml", config_map("m", x="2"))
        entry = folders.reload(cluster, {second.absolute()})
        assert entry is not None
        assert entry.errors == (
            'manifests/b.yaml:1: duplicate ConfigMap "m" in namespace "default" (first defined at manifests/a.yaml:1)',
        )
        assert data(cluster, "m") == {"x": "1"}

    def test_cutting_and_pasting_an_object_across_two_saves(
        self, cluster: Cluster, folder: Path
    ) -> None:
        first = write(folder / "a.yaml", config_map("m", x="1"), config_map("keep"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        uid = cluster.store.get("ConfigMap", "default", "m")["metadata"]["uid"]
        second = write(folder / "b.yaml", config_map("m", x="1"))  # pasted first: a duplicate
        folders.reload(cluster, {second.absolute()})
        write(first, config_map("keep"))  # then cut: b.yaml's object is no longer a duplicate
        entry = folders.reload(cluster, {first.absolute()})
        assert entry is not None
        assert entry.lines == ("configmap/keep unchanged", "configmap/m unchanged")
        assert cluster.store.get("ConfigMap", "default", "m")["metadata"]["uid"] == uid
        assert folders.problems() == []

    def test_a_deleted_folder_prunes_its_files_once_they_stay_gone(
        self, cluster: Cluster, folder: Path, clock: FakeClock
    ) -> None:
        write(folder / "sub" / "a.yaml", config_map("a"))
        write(folder / "b.yaml", config_map("b"))
        folders = ManifestFolders([folder], clock=clock.time)
        folders.reload(cluster)
        import shutil

        shutil.rmtree(folder / "sub")
        assert folders.reload(cluster, {(folder / "sub").absolute()}) is None  # held
        clock.advance(SETTLE_SECONDS)
        entry = folders.reload(cluster, folders.settling.due())
        assert entry is not None and entry.lines == ("configmap/a pruned",)
        assert cluster.store.get("ConfigMap", "default", "b") is not None

    def test_a_refused_pod_change_stays_listed_until_fixed(
        self, cluster: Cluster, folder: Path
    ) -> None:
        path = write(folder / "web.yaml", pod("web"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        cluster.run_until(5)
        write(path, pod("web", command=["sleep", "60"]))
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None and entry.lines == ()
        assert entry.errors[0].startswith(
            'manifests/web.yaml:1: The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than'
        )
        assert len(folders.problems()) == 1
        live = cluster.store.get("Pod", "default", "web")
        assert "command" not in live["spec"]["containers"][0]
        write(path, pod("web", image="nginx:1.27"))
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None and entry.lines == ("pod/web configured",)
        assert folders.problems() == []

    def test_a_live_edit_replaced_by_a_save_is_noticed(
        self, cluster: Cluster, folder: Path
    ) -> None:
        import copy

        path = write(folder / "settings.yaml", config_map("settings", mode="fast", size="1"))
        folders = ManifestFolders([folder])
        folders.reload(cluster)
        live = copy.deepcopy(cluster.store.get("ConfigMap", "default", "settings"))
        live["data"]["mode"] = "slow"
        cluster.api.update(live)
        write(path, config_map("settings", mode="fast", size="2"))
        entry = folders.reload(cluster, {path.absolute()})
        assert entry is not None
        assert entry.notices == (
            "configmap/settings: live edit of data.mode replaced by manifests/settings.yaml",
        )
        assert data(cluster, "settings") == {"mode": "fast", "size": "2"}

    def test_a_file_path_is_watched_on_its_own(self, cluster: Cluster, folder: Path) -> None:
        path = write(folder / "a.yaml", config_map("a"))
        write(folder / "b.yaml", config_map("b"))
        entry = ManifestFolders([path]).reload(cluster)
        assert entry is not None and entry.lines == ("configmap/a created",)
