"""Hot reload in the real console: `podtui PATH` (run_app) with the real watcher on a
temporary folder, driven by Pilot. Each test saves files as editors and tools do, waits for
the reload to reach the screen, and checks the cluster, the panes, the banner and the log."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from podtui.app import run_app
from podtui.app.app import PodtuiApp
from podtui.app.reload_ui.screen import ReloadLogScreen
from podtui.app.screens.edit import EditScreen
from podtui.reload.widgets import ReloadErrorBanner, ReloadLogPane
from tests.reload.conftest import atomic_write, config_map, pod, until, write
from tests.tui.conftest import enter_command

SIZE = (120, 34)


def console(paths: list[Path], monkeypatch: pytest.MonkeyPatch, *args: str) -> PodtuiApp:
    """The app `podtui PATH...` builds (run_app), ready for `run_test` instead of `run`."""
    built: list[PodtuiApp] = []
    monkeypatch.setattr(PodtuiApp, "run", lambda self, *a, **k: built.append(self))
    assert run_app([str(p) for p in paths]) == 0
    return built[0]


def shown(app: PodtuiApp) -> int:
    assert app.hot_reload is not None
    return app.hot_reload.reloads_shown


def log_text(app: PodtuiApp) -> str:
    assert app.hot_reload is not None
    return "\n".join(
        line
        for entry in app.hot_reload.log
        for line in (*entry.summary(), *entry.errors, *entry.notices)
    )


def configmap(app: PodtuiApp, name: str, namespace: str = "default") -> dict | None:
    return app.session.cluster.store.get("ConfigMap", namespace, name)


def banner(app: PodtuiApp) -> ReloadErrorBanner:
    return app.main_screen.query_one(ReloadErrorBanner)


async def command(pilot, line: str) -> None:
    await enter_command(pilot, line)


@pytest.fixture
async def running(folder: Path, monkeypatch: pytest.MonkeyPatch):
    """The console over `manifests/` holding a.yaml (ConfigMap a) and web.yaml (Pod web),
    its first load done and the watcher running."""
    write(folder / "a.yaml", config_map("a", x="1"))
    write(folder / "web.yaml", pod("web"))
    app = console([folder], monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        assert app.hot_reload is not None
        await until(app.hot_reload.reloader.ready.is_set)
        await until(lambda: shown(app) >= 1)
        yield app, pilot


class TestTheStart:
    async def test_the_first_load_adopts_what_the_console_applied(self, running) -> None:
        app, _ = running
        (entry,) = app.hot_reload.log
        assert entry.initial and entry.adopted == 2 and entry.lines == ()
        # adopted, not applied again: no `unchanged` lines, the inventory knows the files
        assert app.hot_reload.reloader.folders.inventory.owner(("Pod", "default", "web")) == (
            "manifests/web.yaml"
        )
        assert not banner(app).has_class("-problems")

    async def test_objects_refused_at_start_stand_in_one_calm_line_not_the_banner(
        self, folder: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from podtui.app.reload_ui.banner import AdmissionNote

        write(folder / "00-policy.yaml", _strict_policy())
        write(folder / "privileged.yaml", _privileged_pod())
        app = console([folder], monkeypatch)
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: shown(app) >= 1)
            await pilot.pause()
            note = app.main_screen.query_one(AdmissionNote)
            (problem,) = note.refusals
            assert str(problem).startswith("manifests/privileged.yaml:1: Error from server")
            assert "Privileged containers are not allowed" in str(problem)
            assert note.display and not banner(app).has_class("-problems")


class TestFilesAndFolders:
    async def test_a_new_file_is_created_and_shown_in_its_pane(self, running, folder: Path) -> None:
        app, pilot = running
        await command(pilot, "cm")
        write(folder / "b.yaml", config_map("b", x="1", z="2"))
        await until(lambda: app.main_screen.table.get_row("default/b") is not None)
        assert app.main_screen.table.get_row("default/b").cells[1] == "2"  # DATA
        assert "configmap/b created" in log_text(app)

    async def test_a_modified_file_is_configured(self, running, folder: Path) -> None:
        app, pilot = running
        await command(pilot, "cm")
        write(folder / "a.yaml", config_map("a", x="2", z="3"))
        await until(lambda: configmap(app, "a")["data"] == {"x": "2", "z": "3"})
        await until(lambda: app.main_screen.table.get_row("default/a").cells[1] == "2")
        assert "configmap/a configured" in log_text(app)

    async def test_a_renamed_file_keeps_its_objects(self, running, folder: Path) -> None:
        app, _ = running
        uid = configmap(app, "a")["metadata"]["uid"]
        os.rename(folder / "a.yaml", folder / "renamed.yaml")
        inventory = app.hot_reload.reloader.folders.inventory
        await until(
            lambda: inventory.owner(("ConfigMap", "default", "a")) == "manifests/renamed.yaml"
        )
        assert configmap(app, "a")["metadata"]["uid"] == uid
        assert "pruned" not in log_text(app)

    async def test_a_deleted_file_prunes_its_pod_and_the_pane_shows_it_terminating(
        self, running, folder: Path
    ) -> None:
        app, _ = running
        (folder / "web.yaml").unlink()
        table = app.main_screen.table

        def gone_or_terminating() -> bool:
            row = table.get_row("default/web")
            return row is None or row.cells[2] == "Terminating"

        await until(gone_or_terminating)
        assert "pod/web pruned" in log_text(app)
        assert (
            app.session.cluster.store.get("Pod", "default", "web") is None
            or (
                app.session.cluster.store.get("Pod", "default", "web")["metadata"][
                    "deletionTimestamp"
                ]
            )
        )

    async def test_a_new_folder_applies_and_removing_it_prunes(self, running, folder: Path) -> None:
        app, _ = running
        write(folder / "team" / "deeper" / "c.yaml", config_map("c"))
        await until(lambda: configmap(app, "c") is not None)
        shutil.rmtree(folder / "team")
        await until(lambda: configmap(app, "c") is None)
        assert "configmap/c pruned" in log_text(app)


class TestEditorsAndTools:
    async def test_an_editors_atomic_save_applies_once(self, running, folder: Path) -> None:
        app, _ = running
        count = len(app.hot_reload.log)
        atomic_write(
            folder / "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: atomic\n",
        )
        await until(lambda: configmap(app, "a")["data"] == {"x": "atomic"})
        await until(lambda: len(app.hot_reload.log) > count)
        new = list(app.hot_reload.log)[count:]
        assert [e.files for e in new] == [("manifests/a.yaml",)]

    async def test_a_burst_of_saves_ends_in_the_last_content(self, running, folder: Path) -> None:
        app, _ = running
        count = len(app.hot_reload.log)
        for n in range(30):
            write(folder / "a.yaml", config_map("a", x=str(n)))
        await until(lambda: configmap(app, "a")["data"] == {"x": "29"})
        assert len(app.hot_reload.log) - count < 30

    async def test_podtui_never_writes_the_users_files(self, running, folder: Path) -> None:
        app, pilot = running
        before = {p: p.read_bytes() for p in folder.rglob("*")}
        await command(pilot, "delete cm a")
        await command(pilot, "scale deployment/nothing --replicas=2")
        write(folder / "b.yaml", config_map("b"))
        await until(lambda: configmap(app, "b") is not None)
        after = {p: p.read_bytes() for p in folder.rglob("*") if p.name != "b.yaml"}
        assert after == before


class TestBrokenFiles:
    async def test_a_broken_save_keeps_the_objects_and_the_banner_until_fixed(
        self, running, folder: Path
    ) -> None:
        app, pilot = running
        (folder / "a.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {x: [\n"
        )
        await until(lambda: banner(app).has_class("-problems"))
        assert str(banner(app).problems[0]).startswith("manifests/a.yaml:6: error parsing YAML")
        assert configmap(app, "a")["data"] == {"x": "1"}
        await until(  # App.notify posts a message: the toast lands on a later turn
            lambda: any(
                n.severity == "error" and "manifests/a.yaml:6" in n.message
                for n in app._notifications
            )
        )
        # another file still applies while this one is broken, and the banner stays
        write(folder / "b.yaml", config_map("b"))
        await until(lambda: configmap(app, "b") is not None)
        await pilot.pause()
        assert banner(app).has_class("-problems")
        write(folder / "a.yaml", config_map("a", x="fixed"))
        await until(lambda: not banner(app).has_class("-problems"))
        assert configmap(app, "a")["data"] == {"x": "fixed"}

    async def test_a_forbidden_pod_change_is_refused_in_the_api_servers_words(
        self, running, folder: Path
    ) -> None:
        app, _ = running
        write(folder / "web.yaml", pod("web", command=["sleep", "1"]))
        await until(lambda: banner(app).has_class("-problems"))
        assert 'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields' in (
            str(banner(app).problems[0])
        )
        write(folder / "web.yaml", pod("web", image="nginx:1.27"))
        await until(lambda: not banner(app).has_class("-problems"))


class TestLiveEdits:
    async def test_an_edit_in_the_console_is_replaced_by_the_next_save_and_it_says_so(
        self, running, folder: Path
    ) -> None:
        app, pilot = running
        await command(pilot, "edit cm a")
        assert isinstance(app.screen, EditScreen)
        editor = app.screen.query_one("#editor")
        editor.text = editor.text.replace("x: '1'", "x: edited").replace('x: "1"', "x: edited")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert configmap(app, "a")["data"] == {"x": "edited"}
        write(folder / "a.yaml", config_map("a", x="1", z="new"))
        await until(lambda: configmap(app, "a")["data"] == {"x": "1", "z": "new"})
        notice = "configmap/a: live edit of data.x replaced by manifests/a.yaml"
        await until(
            lambda: any(n.message == notice and n.severity == "warning" for n in app._notifications)
        )
        assert notice in log_text(app)


class TestTheReloadLog:
    async def test_R_opens_the_log_which_follows_new_reloads(self, running, folder: Path) -> None:
        app, pilot = running
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReloadLogScreen)
        pane = app.screen.query_one(ReloadLogPane)
        assert pane.entries_shown == 1
        write(folder / "b.yaml", config_map("b"))
        await until(lambda: pane.entries_shown == 2)
        assert any("configmap/b created" in strip.text for strip in pane.lines)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen

    async def test_the_reloads_verb_opens_it(self, running) -> None:
        app, pilot = running
        await command(pilot, "reloads")
        assert isinstance(app.screen, ReloadLogScreen)

    async def test_a_save_shows_in_the_panes_while_the_clock_is_paused(
        self, running, folder: Path
    ) -> None:
        app, pilot = running
        await pilot.press("space")
        assert app.paused
        now = app.session.cluster.now
        write(folder / "db.yaml", pod("db", image="redis:7"))
        await until(lambda: app.main_screen.table.get_row("default/db") is not None)
        assert app.session.cluster.now == now


def _strict_policy() -> dict:
    return {
        "apiVersion": "policy/v1beta1",
        "kind": "PodSecurityPolicy",
        "metadata": {"name": "strict"},
        "spec": {
            "privileged": False,
            "seLinux": {"rule": "RunAsAny"},
            "runAsUser": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "volumes": ["*"],
        },
    }


def _privileged_pod() -> dict:
    return pod("privileged", image="busybox:1.36", securityContext={"privileged": True})
