"""Hot reload end to end: real files in a temporary folder, the real watcher, a Textual
app driven by Pilot. Each test saves files the way editors and tools do and waits for the
reload to land in the cluster and on screen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from engine.cluster import Cluster
from podtui.reload import Reloader
from podtui.reload.widgets import ReloadErrorBanner, ReloadLogPane, ReloadPanel
from tests.reload.conftest import atomic_write, config_map, pod, until, write


class ReloadHost(App):
    """The smallest console: the reload panel over a cluster."""

    def __init__(self, cluster: Cluster, paths: list[Path]) -> None:
        super().__init__()
        self.cluster = cluster
        self.reloader = Reloader(cluster, paths)

    def compose(self) -> ComposeResult:
        yield ReloadPanel()

    def on_mount(self) -> None:
        self.query_one(ReloadPanel).start(self.reloader)


def configmap(cluster: Cluster, name: str) -> dict | None:
    return cluster.store.get("ConfigMap", "default", name)


def logged(app: ReloadHost) -> str:
    """Everything the reload log pane shows."""
    return "\n".join(strip.text for strip in app.query_one(ReloadLogPane).lines)


@pytest.fixture
async def running(cluster: Cluster, folder: Path):
    write(folder / "a.yaml", config_map("a", x="1"))
    app = ReloadHost(cluster, [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app.reloader.ready.is_set)
        await until(lambda: "configmap/a created" in logged(app))
        yield app, pilot


class TestFilesAndFolders:
    async def test_a_new_file_is_created(self, running, cluster: Cluster, folder: Path) -> None:
        app, _ = running
        write(folder / "b.yaml", config_map("b", x="1"))
        await until(lambda: configmap(cluster, "b") is not None)
        await until(lambda: "configmap/b created" in logged(app))

    async def test_a_modified_file_is_configured(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        write(folder / "a.yaml", config_map("a", x="2"))
        await until(lambda: configmap(cluster, "a")["data"] == {"x": "2"})
        await until(lambda: "configmap/a configured" in logged(app))

    async def test_a_renamed_file_keeps_its_objects(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        uid = configmap(cluster, "a")["metadata"]["uid"]
        os.rename(folder / "a.yaml", folder / "renamed.yaml")
        await until(
            lambda: (
                app.reloader.folders.inventory.owner(("ConfigMap", "default", "a"))
                == "manifests/renamed.yaml"
            )
        )
        assert configmap(cluster, "a")["metadata"]["uid"] == uid
        assert "pruned" not in logged(app)

    async def test_a_deleted_file_prunes_its_objects(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        (folder / "a.yaml").unlink()
        await until(lambda: configmap(cluster, "a") is None)
        await until(lambda: "configmap/a pruned" in logged(app))

    async def test_a_removed_document_is_pruned(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        write(folder / "a.yaml", config_map("a", x="1"), config_map("extra"))
        await until(lambda: configmap(cluster, "extra") is not None)
        write(folder / "a.yaml", config_map("a", x="1"))
        await until(lambda: configmap(cluster, "extra") is None)
        await until(lambda: "configmap/extra pruned" in logged(app))

    async def test_a_new_subfolder_and_its_removal(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        write(folder / "team" / "deeper" / "c.yaml", config_map("c"))
        await until(lambda: configmap(cluster, "c") is not None)
        write(folder / "team" / "deeper" / "c.yaml", config_map("c", now="changed"))
        await until(lambda: (configmap(cluster, "c") or {}).get("data") == {"now": "changed"})
        shutil.rmtree(folder / "team")
        await until(lambda: configmap(cluster, "c") is None)

    async def test_a_folder_moved_in_and_out(
        self, running, cluster: Cluster, folder: Path, tmp_path: Path
    ) -> None:
        outside = tmp_path / "elsewhere"
        write(outside / "d.yaml", config_map("d"))
        os.rename(outside, folder / "moved")
        await until(lambda: configmap(cluster, "d") is not None)
        os.rename(folder / "moved", outside)
        await until(lambda: configmap(cluster, "d") is None)


class TestEditorsAndTools:
    async def test_an_atomic_save_applies_once_and_names_the_file(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        before = app.reloader.log.entries[-1]
        atomic_write(
            folder / "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: atomic\n",
        )
        await until(lambda: configmap(cluster, "a")["data"] == {"x": "atomic"})
        entries = list(app.reloader.log)
        new = entries[entries.index(before) + 1 :]
        assert [e.files for e in new] == [("manifests/a.yaml",)]
        assert ".swp" not in logged(app)

    async def test_editor_artefacts_and_other_files_are_ignored(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        count = len(app.reloader.log)
        write(folder / ".hidden.yaml", config_map("hidden"))
        write(folder / ".#a.yaml", config_map("lock"))
        write(folder / "a.yaml~", config_map("backup"))
        write(folder / "4913", config_map("vim"))
        (folder / "notes.txt").write_text("not a manifest")
        write(folder / "b.yaml", config_map("b"))  # a real change, to know the others were seen
        await until(lambda: configmap(cluster, "b") is not None)
        new = list(app.reloader.log)[count:]
        assert all(e.files == ("manifests/b.yaml",) for e in new)
        assert all(configmap(cluster, n) is None for n in ("hidden", "lock", "backup", "vim"))

    async def test_a_burst_of_saves_ends_in_the_last_content(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        count = len(app.reloader.log)
        for n in range(30):
            write(folder / "a.yaml", config_map("a", x=str(n)))
        await until(lambda: configmap(cluster, "a")["data"] == {"x": "29"})
        assert len(app.reloader.log) - count < 30  # the burst was coalesced


class TestBrokenFiles:
    async def test_a_broken_save_keeps_the_objects_until_fixed(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, pilot = running
        (folder / "a.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {x: [\n"
        )
        banner = app.query_one(ReloadErrorBanner)
        await until(lambda: banner.has_class("-problems"))
        assert str(banner.problems[0]).startswith("manifests/a.yaml:6: error parsing YAML")
        assert configmap(cluster, "a")["data"] == {"x": "1"}
        # Other files still apply while this one is broken.
        write(folder / "b.yaml", config_map("b"))
        await until(lambda: configmap(cluster, "b") is not None)
        assert banner.has_class("-problems")
        write(folder / "a.yaml", config_map("a", x="fixed"))
        await until(lambda: not banner.has_class("-problems"))
        assert configmap(cluster, "a")["data"] == {"x": "fixed"}
        await pilot.pause()

    async def test_a_forbidden_pod_change_is_refused_and_listed(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        app, _ = running
        write(folder / "web.yaml", pod("web"))
        await until(lambda: cluster.store.get("Pod", "default", "web") is not None)
        write(folder / "web.yaml", pod("web", command=["sleep", "1"]))
        banner = app.query_one(ReloadErrorBanner)
        await until(lambda: banner.has_class("-problems"))
        assert (
            'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields'
            in str(banner.problems[0])
        )
        assert "command" not in cluster.store.get("Pod", "default", "web")["spec"]["containers"][0]
        write(folder / "web.yaml", pod("web", image="nginx:1.27"))
        await until(lambda: not banner.has_class("-problems"))
        assert (
            cluster.store.get("Pod", "default", "web")["spec"]["containers"][0]["image"]
            == "nginx:1.27"
        )


class TestLiveEdits:
    async def test_a_save_replacing_a_live_edit_says_so(
        self, running, cluster: Cluster, folder: Path
    ) -> None:
        import copy

        app, _ = running
        live = copy.deepcopy(configmap(cluster, "a"))
        live["data"]["x"] = "edited in the console"
        cluster.api.update(live)
        write(folder / "a.yaml", config_map("a", x="1", z="new"))
        await until(lambda: configmap(cluster, "a")["data"] == {"x": "1", "z": "new"})
        notice = "configmap/a: live edit of data.x replaced by manifests/a.yaml"
        await until(lambda: notice in logged(app))
        # App.notify posts a message; the toast arrives on the app's next turn.
        await until(lambda: any(n.message == notice for n in app._notifications))


class TestTheWorker:
    async def test_with_the_consoles_lock_reloads_run_in_a_thread_and_stop(
        self, cluster: Cluster, folder: Path
    ) -> None:
        import threading

        lock = threading.RLock()
        write(folder / "a.yaml", config_map("a"))
        reloader = Reloader(cluster, [folder], lock=lock)
        results = []
        app = App()
        async with app.run_test():
            app.run_worker(reloader.run(results.append))
            await until(reloader.ready.is_set)
            write(folder / "b.yaml", config_map("b"))
            await until(lambda: configmap(cluster, "b") is not None)
            assert [r.entry.lines for r in results] == [
                ("configmap/a created",),
                ("configmap/b created",),
            ]
            reloader.stop()
            await until(lambda: not reloader.ready.is_set())
