"""Checkpoints from the console: every live edit is kept in a form that replays, quitting
with unsaved live edits offers to save them, and `podtui --load FILE` resumes the cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checkpoint import fingerprint, read_checkpoint
from engine.checkpoint.entries import RELOAD
from engine.sim import SimRun, load_inputs
from podtui.app import run_app
from podtui.app.app import PodtuiApp
from podtui.app.checkpoint.load import load_session
from podtui.app.checkpoint.log import log_of
from podtui.app.checkpoint.quit import SaveCheckpointDialog
from podtui.app.disruption import chaos
from podtui.app.screens.edit import EditScreen
from podtui.app.session import Session
from podtui.cli import main
from podtui.reload import Reloader, read_texts
from tests.tui.conftest import MANIFESTS, TERMINAL, enter_command, make_session

SAMPLE = Path(__file__).resolve().parents[2] / "sample_manifests"

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""


def sample_session(ticks: int) -> Session:
    """The bundled sample cluster (some of its pods are refused on purpose)."""
    inputs = load_inputs([str(SAMPLE)])
    session, _ = Session.boot(inputs.manifests, base_dir=SAMPLE)
    session.advance(ticks)
    return session


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


async def live_edits(app: PodtuiApp, pilot) -> None:
    """A session's worth of changes the manifest files do not hold, with time between."""
    await run(pilot, "scale deployment frontend --replicas=5")
    app.advance(3)
    await run(pilot, "delete pod hello")
    await run(pilot, "cordon node-3")
    await run(pilot, "create -f ./cm.yaml")
    app.advance(2)
    await run(pilot, "edit cm settings")
    assert isinstance(app.screen, EditScreen)
    editor = app.screen.query_one("#editor")
    editor.text = editor.text.replace("mode: fast", "mode: slow")
    await pilot.press("ctrl+s")
    await pilot.pause()
    await run(pilot, "rollout restart deployment/frontend")
    app.advance(4)
    await run(pilot, "set image deployment/checkout nginx=nginx:1.28")
    await run(pilot, "drain node-1 --ignore-daemonsets --delete-emptydir-data --force")
    app.advance(1)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text(CONFIG_MAP)
    return tmp_path


class TestConsoleCheckpoint:
    async def test_a_console_session_resumes_headless_where_it_was_saved(self, workdir: Path):
        session = sample_session(10)
        app = PodtuiApp(session, paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await live_edits(app, pilot)
            assert "configmap/settings edited" in app.transcript
            result = log_of(session).save(workdir / "c")
            assert not result.errors, result.errors
            assert not log_of(session).gaps
            saved_at = session.cluster.now
            app.advance(40)  # the console goes on; the resumed cluster must follow
            objects = session.cluster.objects()
        checkpoint = read_checkpoint(workdir / "c")
        assert checkpoint.at == saved_at
        resumed = SimRun.resume(str(workdir / "c"), checkpoint)
        resumed.advance(saved_at + 40)
        assert resumed.cluster.objects() == objects
        assert resumed.cluster.rng.getstate() == session.cluster.rng.getstate()

    async def test_podtui_load_opens_the_console_on_the_saved_cluster(self, workdir: Path):
        session = sample_session(10)
        app = PodtuiApp(session, paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await live_edits(app, pilot)
            log_of(session).save(workdir / "c")
            expected = fingerprint(session.cluster)
        loaded = load_session(workdir / "c")
        assert fingerprint(loaded.session.cluster) == expected
        assert not log_of(loaded.session).unsaved  # nothing new to lose yet
        resumed = PodtuiApp(loaded.session, paused=True)
        async with resumed.run_test(size=TERMINAL) as pilot:
            await run(pilot, "get deploy")
            keys = resumed.main_screen.table.visible_keys()
            assert "default/frontend" in keys
            await run(pilot, "scale deployment frontend --replicas=2")
            assert log_of(loaded.session).unsaved == ["scale deployment/frontend"]
            # A checkpoint of the resumed console resumes too: the story is kept whole.
            log_of(loaded.session).save(workdir / "again")
            again = fingerprint(loaded.session.cluster)
        assert fingerprint(load_session(workdir / "again").session.cluster) == again

    def test_run_app_opens_the_loaded_cluster_and_says_so(
        self, workdir: Path, capsys, monkeypatch: pytest.MonkeyPatch
    ):
        assert main(["sim", str(SAMPLE / "pods"), "--until", "30s", "--save", "c"]) == 0
        capsys.readouterr()
        opened: list[PodtuiApp] = []
        monkeypatch.setattr(PodtuiApp, "run", lambda self: opened.append(self))
        assert main(["--load", "c"]) == 0
        (app,) = opened
        assert app.session.cluster.now == 30
        assert app.notices == ["resumed c at 30s"]
        assert app.hot_reload is not None  # the PATHs are watched again
        assert main(["--load", "c", str(SAMPLE)]) == 1
        assert "PATH cannot be used with --load" in capsys.readouterr().err

    def test_a_bad_checkpoint_keeps_the_console_closed(self, workdir: Path, capsys):
        (workdir / "c").write_text("not a checkpoint")
        assert run_app([], load=str(workdir / "c")) == 1
        assert capsys.readouterr().err == f"{workdir / 'c'}: not a podtui checkpoint\n"

    def test_chaos_kills_replay_and_chaos_mode_itself_is_left_out(self, tmp_path: Path):
        session = sample_session(5)
        assert not chaos.start(session, chaos.ChaosSettings(mean_interval=5.0, seed=3)).errors
        session.advance(40)
        log = log_of(session)
        kills = [e for e in log.entries if e.describe().startswith("inject podKill")]
        assert len(kills) >= 3
        assert not log.save(tmp_path / "c").errors
        loaded = load_session(tmp_path / "c")  # the fingerprint matched
        assert chaos.running(loaded.session) is None
        assert loaded.session.cluster.objects() == session.cluster.objects()

    def test_hot_reloads_replay_but_are_not_live_edits(self, tmp_path: Path):
        folder = tmp_path / "cluster"
        folder.mkdir()
        web = folder / "web.yaml"
        web.write_text((MANIFESTS / "web.yaml").read_text())
        session = make_session([folder], ticks=5)
        reloader = Reloader(session.cluster, [folder], lock=session.lock)
        texts = read_texts([folder])
        reloader.adopt(load_inputs([str(folder)]).manifests, texts)
        log_of(session).follow_reloads(reloader, [str(folder)], texts)
        reloader.reload()
        session.advance(3)
        (folder / "cm.yaml").write_text(CONFIG_MAP)
        reloader.reload({folder / "cm.yaml"})
        session.advance(3)
        log = log_of(session)
        assert [e.kind for e in log.entries[1:]] == [RELOAD]
        assert log.unsaved == []
        log.save(tmp_path / "c")
        loaded = load_session(tmp_path / "c")
        assert loaded.session.cluster.store.get("ConfigMap", "default", "settings") is not None


class TestQuitOffersACheckpoint:
    async def test_without_live_edits_quit_quits(self, workdir: Path):
        app = PodtuiApp(make_session(ticks=5), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not isinstance(app.screen, SaveCheckpointDialog)
        assert app.return_code == 0

    async def test_cancel_stays_and_quit_without_saving_writes_nothing(self, workdir: Path):
        app = PodtuiApp(make_session(ticks=5), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "cordon node-2")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert isinstance(app.screen, SaveCheckpointDialog)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, SaveCheckpointDialog)
            await run(pilot, "quit")  # `:quit` asks too
            assert isinstance(app.screen, SaveCheckpointDialog)
            await pilot.click("#discard")
            await pilot.pause()
        assert app.return_code == 0
        assert list(workdir.iterdir()) == [workdir / "cm.yaml"]

    async def test_save_writes_the_checkpoint_then_quits(self, workdir: Path):
        app = PodtuiApp(make_session(ticks=5), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "cordon node-2")
            await pilot.press("ctrl+q")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, SaveCheckpointDialog)
            field = dialog.query_one("#checkpoint-path")
            field.value = str(workdir / "missing-folder" / "c")
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog  # the error is shown, the dialog stays
            assert "cannot write" in str(dialog.query_one("#checkpoint-error").render())
            field.value = "cm.yaml"  # never over a file that is not a checkpoint
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert "cm.yaml exists and is not a checkpoint" in str(
                dialog.query_one("#checkpoint-error").render()
            )
            field.value = "session.checkpoint"
            await pilot.press("enter")
            await pilot.pause()
        assert app.return_code == 0
        assert (workdir / "session.checkpoint").exists()
        assert app.farewell[0] == "checkpoint saved to session.checkpoint at 5s"
        loaded = load_session(workdir / "session.checkpoint")
        node = loaded.session.cluster.store.get("Node", "", "node-2")
        assert node["spec"]["unschedulable"] is True

    async def test_a_read_only_console_has_nothing_to_save(self, workdir: Path):
        app = PodtuiApp(make_session(ticks=5, readonly=True), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not isinstance(app.screen, SaveCheckpointDialog)
