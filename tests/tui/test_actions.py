"""Every key action calls the engine action a scenario step calls, and says what happened.

Each test drives the console with Pilot over the test cluster (paused, 30 s in) and then
asserts the engine's state, not the screen.
"""

from __future__ import annotations

from textual.command import CommandList

from engine.kubelet.prober import LIVENESS
from podtui.app.screens.dialogs import ConfirmDialog, DrainDialog, InjectDialog
from podtui.app.screens.edit import EditScreen
from tests.tui.conftest import TERMINAL, enter_command, make_app, until


def pod(app, name: str) -> dict | None:
    return app.session.cluster.store.get("Pod", "default", name)


async def select(app, pilot, key: str) -> None:
    assert app.main_screen.table.move_cursor_to_key(key), key
    await pilot.pause()


class TestDelete:
    async def test_ctrl_d_asks_first_and_cancel_is_the_default(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("ctrl+d")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")  # the focused button is Cancel
            assert pod(app, "web") is not None
            assert not pod(app, "web")["metadata"].get("deletionTimestamp")

    async def test_confirming_deletes_gracefully_like_kubectl_delete(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("ctrl+d", "y")
            await pilot.pause()
            assert pod(app, "web")["metadata"]["deletionTimestamp"]
            assert 'pod "web" deleted' in app.transcript
            app.advance(35)
            assert pod(app, "web") is None

    async def test_kill_force_deletes_at_once(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/crasher")
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert pod(app, "crasher") is None
            assert 'pod "crasher" force deleted' in app.transcript
            assert app.main_screen.table.get_row("default/crasher") is None


class TestInject:
    async def pick(self, app, pilot, row: str, option: int) -> None:
        await select(app, pilot, row)
        await pilot.press("i")
        assert isinstance(app.screen, InjectDialog)
        await pilot.press(*(["down"] * option), "enter")
        await pilot.pause()

    async def test_crash_ends_the_container_with_exit_code_1(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/web", 0)
            app.advance(1)
            status = pod(app, "web")["status"]["containerStatuses"][0]
            assert status["lastState"]["terminated"]["exitCode"] == 1
            assert status["restartCount"] == 1
            assert "pod/web container nginx crashed (exit code 1)" in app.transcript

    async def test_oom_kills_with_137_and_oomkilled(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/web", 1)
            app.advance(1)
            terminated = pod(app, "web")["status"]["containerStatuses"][0]["lastState"][
                "terminated"
            ]
            assert (terminated["exitCode"], terminated["reason"]) == (137, "OOMKilled")

    async def test_a_liveness_failure_gets_the_container_restarted(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/chatty", 2)
            cluster = app.session.cluster
            obj = pod(app, "chatty")
            worker = cluster.kubelets[obj["spec"]["nodeName"]].workers[obj["metadata"]["uid"]]
            assert worker.probes[("talker", LIVENESS)].injected_failure_until > cluster.now
            app.advance(60)
            reasons = [e["reason"] for e in cluster.events.events_for(pod(app, "chatty"))]
            assert "Unhealthy" in reasons and "Killing" in reasons

    async def test_a_probe_the_container_lacks_is_refused_in_words(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/web", 2)
            assert "error: pod/web container nginx has no liveness probe" in app.transcript

    async def test_image_pull_failure_is_set_on_the_pods_node(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/web", 5)
            node = pod(app, "web")["spec"]["nodeName"]
            images = app.session.cluster.kubelets[node].images
            assert "docker.io/library/nginx:1.27" in images.injected_failures

    async def test_sandbox_kill_makes_the_kubelet_recreate_it(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.pick(app, pilot, "default/web", 6)
            app.advance(5)
            reasons = [e["reason"] for e in app.session.cluster.events.events_for(pod(app, "web"))]
            assert "SandboxChanged" in reasons

    async def test_node_down_and_up_from_the_nodes_pane(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("3")
            await self.pick(app, pilot, "node-2", 0)
            assert not app.session.cluster.kubelets["node-2"].running
            await self.pick(app, pilot, "node-2", 1)
            assert app.session.cluster.kubelets["node-2"].running

    async def test_escape_injects_nothing(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("i", "escape")
            assert not list(app.transcript)


class TestNodes:
    async def test_cordon_and_uncordon(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("3")
            await select(app, pilot, "node-1")
            store = app.session.cluster.store
            await pilot.press("c")
            assert store.get("Node", "", "node-1")["spec"]["unschedulable"] is True
            assert "node/node-1 cordoned" in app.transcript
            await pilot.press("u")
            assert not store.get("Node", "", "node-1")["spec"].get("unschedulable")
            assert "node/node-1 uncordoned" in app.transcript

    async def test_drain_opens_kubectls_options_and_cordons_first(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("3")
            await select(app, pilot, "node-1")
            await pilot.press("r")
            assert isinstance(app.screen, DrainDialog)
            await pilot.click("#drain")
            await pilot.pause()
            node = app.session.cluster.store.get("Node", "", "node-1")
            assert node["spec"].get("unschedulable") is True or any(
                "not simulated" in line for line in app.transcript
            )


class TestEdit:
    async def test_e_edits_the_live_object_and_saving_applies_it(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EditScreen)
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace(
                "    app: web\n", "    app: web\n    tier: frontend\n", 1
            )
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert pod(app, "web")["metadata"]["labels"] == {"app": "web", "tier": "frontend"}
            assert "pod/web edited" in app.transcript

    async def test_an_unchanged_buffer_cancels_like_kubectl_edit(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("e", "ctrl+s")
            await pilot.pause()
            assert "Edit cancelled, no changes made." in app.transcript

    async def test_a_refused_edit_keeps_the_editor_open_with_the_reason(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("e")
            await pilot.pause()
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace("image: nginx:1.27", "image: ''", 1)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, EditScreen)
            assert '# pods "web" was not valid:' in editor.text
            assert pod(app, "web")["spec"]["containers"][0]["image"] == "nginx:1.27"


class TestReadOnly:
    async def test_destructive_keys_do_nothing(self) -> None:
        app = make_app(readonly=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/web")
            await pilot.press("ctrl+d", "ctrl+k", "i", "e")
            await pilot.pause()
            assert app.screen is app.main_screen
            assert not pod(app, "web")["metadata"].get("deletionTimestamp")

    async def test_commands_that_write_are_refused(self) -> None:
        app = make_app(readonly=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await enter_command(pilot, "delete pod web")
            await pilot.pause()
            assert 'error: podtui is read-only (--readonly): "delete" is disabled' in app.transcript
            assert pod(app, "web") is not None


class TestClock:
    async def test_space_pauses_and_runs_and_full_stop_steps_one_tick(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            assert app.paused
            before = app.session.cluster.now
            await pilot.press("full_stop")
            assert app.session.cluster.now == before + 1
            await pilot.press("space")
            assert not app.paused
            await pilot.press("space")
            assert app.paused

    async def test_plus_and_minus_change_the_speed(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("plus", "plus")
            assert app.speed == 5
            await pilot.press("minus")
            assert app.speed == 2


class TestViews:
    async def test_enter_opens_describe_and_escape_comes_back(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/crasher")
            await pilot.press("enter")
            await pilot.pause()
            describe = str(app.screen.query_one("#describe-view").content)
            assert describe.startswith("Name:             crasher\n")
            await pilot.press("escape")
            assert app.screen is app.main_screen

    async def test_zero_shows_every_namespace_with_a_namespace_column(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("0")
            await pilot.pause()
            assert app.main_screen.table.columns[0] == "NAMESPACE"
            assert app.main_screen.namespace is None

    async def test_slash_filters_and_escape_clears(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("slash", *"crash", "enter")
            await pilot.pause()
            assert app.main_screen.table.visible_keys() == ["default/crasher"]
            await pilot.press("escape")
            assert app.main_screen.table.row_count == app.main_screen.table.total_count

    async def test_a_label_selector_filters_like_kubectl_get_l(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("slash", *"-l app in (web,chatty)", "enter")
            await pilot.pause()
            assert app.main_screen.table.visible_keys() == ["default/chatty", "default/web"]

    async def test_shift_a_sorts_by_age(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("A")
            table = app.main_screen.table
            assert table.columns[table.sort_column] == "AGE"


class TestPalette:
    async def test_the_command_palette_opens_panes_by_name(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("ctrl+p", *"Pane: Nodes")
            # The palette searches in a worker: wait for its first hit, not a fixed time.
            palette = app.screen
            await until(
                pilot,
                lambda: palette.query(CommandList) and palette.query_one(CommandList).option_count,
            )
            await pilot.press("enter")
            await pilot.pause()
            assert app.main_screen.kind == "Node"


class TestControllers:
    DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: app
        image: nginx:1.27
"""

    async def test_s_scales_a_deployment_through_the_scale_step(self, tmp_path) -> None:
        from podtui.app.app import PodtuiApp
        from podtui.app.screens.dialogs import ScaleDialog
        from tests.tui.conftest import make_session

        (tmp_path / "api.yaml").write_text(self.DEPLOYMENT)
        app = PodtuiApp(make_session([tmp_path], ticks=10), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("2")
            await select(app, pilot, "default/api")
            await pilot.press("s")
            assert isinstance(app.screen, ScaleDialog)
            await pilot.press("backspace", "4", "enter")
            await pilot.pause()
            store = app.session.cluster.store
            assert store.get("Deployment", "default", "api")["spec"]["replicas"] == 4
            assert "deployment.apps/api scaled" in app.transcript
            app.advance(10)
            names = [p["metadata"]["name"] for p in store.list("Pod", "default")]
            assert len([name for name in names if name.startswith("api-")]) == 4


class TestLiveUpdates:
    async def test_the_cursor_stays_on_its_pod_while_pods_come_and_go_around_it(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await select(app, pilot, "default/hello")
            table = app.main_screen.table
            cluster = app.session.cluster
            with app.session.lock:
                for name in ("aaa", "bbb", "zzz"):
                    cluster.api.create(
                        {
                            "apiVersion": "v1",
                            "kind": "Pod",
                            "metadata": {"name": name},
                            "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
                        }
                    )
                cluster.api.delete("Pod", "default", "chatty", grace_period=0)
            app.advance(3)
            await pilot.pause()
            # (All rows fit on screen here, so the row moves down with the rows above it;
            # test_resource_table checks it keeps its height when the table scrolls.)
            assert table.cursor_key == "default/hello"
            assert "default/aaa" in table.visible_keys()
            assert "default/chatty" not in table.visible_keys()

    async def test_a_running_clock_updates_the_pane_without_key_presses(self) -> None:
        app = make_app(ticks=1)
        async with app.run_test(size=TERMINAL) as pilot:
            app.speed = 30
            before = app.session.cluster.now
            app.paused = False
            # The clock's own timer drives the engine here (no app.advance): wait until it
            # has run more than five ticks, however long this machine takes for them.
            await until(pilot, lambda: app.session.cluster.now > before + 5)
            app.paused = True
            await until(pilot, lambda: not app._ticking)
            assert app.session.cluster.now > before + 5
            row = app.main_screen.table.get_row("default/crasher")
            assert row.cells[2] in ("Error", "CrashLoopBackOff", "Running")
