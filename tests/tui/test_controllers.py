"""The Controllers pane: k9s' controller keys and jumps, and `:rollout` / `:set image`.

Pilot tests drive the console over tests/tui/controllers (a Deployment, a StatefulSet, a
DaemonSet and a Job), paused 30 s in, and assert the engine's state afterwards; the
snapshots show each kind of the pane and the jump to a Deployment's pods.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.sim import load_inputs, simulate
from engine.workloads import deployment_util as du
from podtui.app.app import PodtuiApp
from podtui.app.screens.dialogs import ConfirmDialog, ScaleDialog
from podtui.app.workloads.set_image_dialog import SetImageDialog
from tests.tui.conftest import TERMINAL, enter_command, make_session

CONTROLLERS = Path(__file__).parent / "controllers"


def controllers_app(*, ticks: int = 30, readonly: bool = False) -> PodtuiApp:
    return PodtuiApp(make_session([CONTROLLERS], ticks=ticks, readonly=readonly), paused=True)


def get(app: PodtuiApp, kind: str, name: str) -> dict | None:
    return app.session.cluster.store.get(kind, "default", name)


def image_of(app: PodtuiApp, kind: str, name: str) -> str:
    return get(app, kind, name)["spec"]["template"]["spec"]["containers"][0]["image"]


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


async def show(app: PodtuiApp, pilot, kind: str, key: str | None = None) -> None:
    app.main_screen.show_kind(kind)
    await pilot.pause()
    if key is not None:
        assert app.main_screen.table.move_cursor_to_key(key), key
        await pilot.pause()


class TestRolloutKeys:
    async def test_r_restarts_a_deployment_after_asking(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("2")
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("r")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await pilot.pause()
            template = get(app, "Deployment", "web")["spec"]["template"]
            assert template["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == (
                "2025-01-01T00:00:30Z"
            )
            assert "deployment.apps/web restarted" in app.transcript
            app.advance(30)
            assert len(app.session.cluster.store.list("ReplicaSet", "default")) == 2

    async def test_r_on_a_deployment_is_not_drain(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("2", "r", "escape")
            nodes = app.session.cluster.store.list("Node")
            assert not any(n["spec"].get("unschedulable") for n in nodes)

    async def test_r_restarts_statefulsets_and_daemonsets_but_not_jobs(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            for kind, key in (("StatefulSet", "default/db"), ("DaemonSet", "default/agent")):
                await show(app, pilot, kind, key)
                await pilot.press("r", "y")
                await pilot.pause()
            assert "statefulset.apps/db restarted" in app.transcript
            assert "daemonset.apps/agent restarted" in app.transcript
            await show(app, pilot, "Job", "default/batch")
            await pilot.press("r")
            assert app.screen is app.main_screen

    async def test_i_sets_an_image_and_ctrl_l_rolls_back(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("i")
            assert isinstance(app.screen, SetImageDialog)
            field = app.screen.query_one("#image-0")
            field.value = "nginx:1.28"
            await pilot.press("enter")
            await pilot.pause()
            assert image_of(app, "Deployment", "web") == "nginx:1.28"
            assert "deployment.apps/web image updated" in app.transcript
            app.advance(40)
            await pilot.press("ctrl+l")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await pilot.pause()
            assert "deployment.apps/web rolled back" in app.transcript
            assert image_of(app, "Deployment", "web") == "nginx:1.27"

    async def test_ctrl_l_on_a_replica_set_rolls_its_deployment_back_to_it(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "set image deployment/web nginx=nginx:1.28")
            app.advance(40)
            await run(pilot, "set image deployment/web nginx=nginx:1.29")
            app.advance(40)
            first = next(
                rs
                for rs in app.session.cluster.store.list("ReplicaSet", "default")
                if du.revision(rs) == 1
            )
            await show(app, pilot, "ReplicaSet", f"default/{first['metadata']['name']}")
            await pilot.press("ctrl+l", "y")
            await pilot.pause()
            assert image_of(app, "Deployment", "web") == "nginx:1.27"
            assert (
                get(app, "Deployment", "web")["metadata"]["annotations"][
                    "deployment.kubernetes.io/revision"
                ]
                == "3"
            )  # the controller has not synced yet: the revision moves on its tick
            app.advance(1)
            assert du.revision(get(app, "Deployment", "web")) == 4

    async def test_ctrl_l_rolls_a_daemonset_back_to_its_previous_controller_revision(
        self,
    ) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            before = image_of(app, "DaemonSet", "agent")
            await run(pilot, "set image daemonset/agent *=busybox:1.37")
            app.advance(60)
            await show(app, pilot, "DaemonSet", "default/agent")
            await pilot.press("ctrl+l")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await pilot.pause()
            assert "daemonset.apps/agent rolled back" in app.transcript
            assert image_of(app, "DaemonSet", "agent") == before

    async def test_s_scales_a_statefulset(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "StatefulSet", "default/db")
            await pilot.press("s")
            assert isinstance(app.screen, ScaleDialog)
            await pilot.press("backspace", "3", "enter")
            await pilot.pause()
            assert get(app, "StatefulSet", "db")["spec"]["replicas"] == 3
            app.advance(15)
            assert get(app, "Pod", "db-2") is not None

    async def test_read_only_has_no_controller_writes(self) -> None:
        app = controllers_app(readonly=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("r", "i", "ctrl+l", "s")
            assert app.screen is app.main_screen
            await run(pilot, "rollout restart deployment/web")
            assert any("read-only" in line for line in app.transcript)
            await run(pilot, "rollout history deployment/web")
            assert "REVISION  CHANGE-CAUSE" in app.transcript


class TestJumps:
    async def test_enter_on_a_deployment_shows_its_pods_and_escape_comes_back(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("enter")
            await pilot.pause()
            main = app.main_screen
            assert main.kind == "Pod"
            names = main.table.visible_keys()
            assert len(names) == 3 and all(k.startswith("default/web-") for k in names)
            assert main.table.cursor_key == names[0]
            await pilot.press("escape")
            await pilot.pause()
            assert main.kind == "Deployment"
            assert main.table.cursor_key == "default/web"
            assert main.view("Pod").filter_text == ""

    @pytest.mark.parametrize(
        ("kind", "key", "pods"),
        [
            ("StatefulSet", "default/db", ["default/db-0", "default/db-1"]),
            ("Job", "default/batch", 2),
            ("DaemonSet", "default/agent", 3),
        ],
    )
    async def test_enter_shows_the_pods_of_every_controller_kind(self, kind, key, pods) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, kind, key)
            await pilot.press("enter")
            await pilot.pause()
            visible = app.main_screen.table.visible_keys()
            if isinstance(pods, int):
                assert len(visible) == pods
            else:
                assert visible == pods

    async def test_z_then_enter_then_escape_twice_walks_back(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("z")
            await pilot.pause()
            main = app.main_screen
            assert main.kind == "ReplicaSet" and len(main.table.visible_keys()) == 1
            await pilot.press("enter")
            await pilot.pause()
            assert main.kind == "Pod" and len(main.table.visible_keys()) == 3
            await pilot.press("escape")
            await pilot.pause()
            assert main.kind == "ReplicaSet"
            await pilot.press("escape")
            await pilot.pause()
            assert main.kind == "Deployment"

    async def test_shift_j_on_a_pod_jumps_to_its_owner(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Pod", "default/db-1")
            await pilot.press("J")
            await pilot.pause()
            main = app.main_screen
            assert (main.kind, main.table.cursor_key) == ("StatefulSet", "default/db")
            await pilot.press("escape")
            await pilot.pause()
            assert (main.kind, main.table.cursor_key) == ("Pod", "default/db-1")

    async def test_d_still_describes_a_controller(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Deployment", "default/web")
            await pilot.press("d")
            await pilot.pause()
            text = str(app.screen.query_one("#describe-view").content)
            assert text.startswith("Name:                   web\n")


class TestVerbs:
    async def test_rollout_undo_to_a_revision_and_history(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "set image deployment/web nginx=nginx:1.28")
            app.advance(40)
            await run(pilot, "set image deployment/web nginx=nginx:1.29")
            app.advance(40)
            await run(pilot, "rollout history deployment/web")
            lines = list(app.transcript)
            start = lines.index("deployment.apps/web ")
            assert lines[start + 1 : start + 5] == [
                "REVISION  CHANGE-CAUSE",
                "1         <none>",
                "2         <none>",
                "3         <none>",
            ]
            await run(pilot, "rollout undo deployment/web --to-revision=1")
            assert image_of(app, "Deployment", "web") == "nginx:1.27"
            await run(pilot, "rollout undo deployment/web --to-revision=9")
            assert "error: unable to find specified revision 9 in history" in app.transcript

    async def test_set_image_names_a_container_kubectls_way(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "set image statefulset/db redis=redis:7.4")
            assert image_of(app, "StatefulSet", "db") == "redis:7.4"
            assert "statefulset.apps/db image updated" in app.transcript
            await run(pilot, "set image daemonset/agent nope=busybox:1.37")
            assert 'error: unable to find container named "nope"' in app.transcript
            await run(pilot, "set image deployment/web *=nginx:1.28")
            assert image_of(app, "Deployment", "web") == "nginx:1.28"

    async def test_rollout_restart_of_a_job_is_refused_in_kubectls_words(self) -> None:
        app = controllers_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "rollout restart job/batch")
            assert "error: restarting is not supported" in app.transcript
            await run(pilot, "rollout restart deployment/nope")
            assert 'Error from server (NotFound): deployments.apps "nope" not found' in (
                app.transcript
            )

    async def test_a_recorded_set_image_replays_in_podtui_sim(self, tmp_path) -> None:
        app = controllers_app(ticks=0)
        async with app.run_test(size=TERMINAL) as pilot:
            app.advance(12)
            await run(pilot, "set image deployment/web nginx=nginx:1.28")
            await run(pilot, "scale deployment/web --replicas=2")
            app.advance(30)
            scenario = tmp_path / "session.yaml"
            await run(pilot, f"record save {scenario}")
            assert f"recorded 2 step(s) to {scenario}" in app.transcript
        replay = simulate(load_inputs([str(CONTROLLERS)], str(scenario)), until=42, seed=0)
        live = app.session.cluster
        for kind in ("Deployment", "ReplicaSet", "Pod"):
            names = sorted(o["metadata"]["name"] for o in live.store.list(kind))
            assert names == sorted(o["metadata"]["name"] for o in replay.store.list(kind))


class TestSnapshots:
    """The pane at 120x34, seed 0, 30 s in, paused."""

    def test_deployments(self, snap_compare) -> None:
        """`2`: Deployments, with the controller keys in the footer."""
        assert snap_compare(controllers_app(), press=["2"], terminal_size=TERMINAL)

    def test_replica_sets(self, snap_compare) -> None:
        """`2` `]`: ReplicaSets (DESIRED, CURRENT, READY)."""
        assert snap_compare(controllers_app(), press=["2", "]"], terminal_size=TERMINAL)

    def test_stateful_sets(self, snap_compare) -> None:
        """`2` `]` `]`: StatefulSets."""
        assert snap_compare(controllers_app(), press=["2", "]", "]"], terminal_size=TERMINAL)

    def test_daemon_sets(self, snap_compare) -> None:
        """`2` `[` `[`: DaemonSets (one pod per node)."""
        assert snap_compare(controllers_app(), press=["2", "[", "["], terminal_size=TERMINAL)

    def test_jobs(self, snap_compare) -> None:
        """`2` `[`: Jobs (COMPLETIONS, DURATION)."""
        assert snap_compare(controllers_app(), press=["2", "["], terminal_size=TERMINAL)

    def test_enter_jumps_to_the_deployments_pods(self, snap_compare) -> None:
        """`2` enter: the Pods pane filtered to web's selector; the border says where from."""
        assert snap_compare(controllers_app(), press=["2", "enter"], terminal_size=TERMINAL)

    def test_set_image_form(self, snap_compare) -> None:
        """`2` `i`: one field per container, filled with its image."""
        assert snap_compare(controllers_app(), press=["2", "i"], terminal_size=TERMINAL)
