"""Disruptions in the console: the PDB pane, the drain form and the live drain panel, chaos
mode, and the session journal that `podtui sim` replays.

Pilot tests run over tests/tui/disruption (api: two replicas under a budget that wants both,
so its evictions get 429s; web: three replicas, one disruption allowed; an agent DaemonSet),
paused 30 s in, and assert the engine's state afterwards.
"""

from __future__ import annotations

from pathlib import Path

from engine.disruption.drain import (
    CANCELLED,
    DRAINED,
    FAILED,
    POD_BLOCKED,
    DrainOptions,
    drains_of,
)
from engine.output import to_yaml
from engine.scenario import Step
from engine.sim import load_inputs, simulate
from engine.steps import run_step
from podtui.app.app import PodtuiApp
from podtui.app.disruption.chaos_dialog import ChaosDialog
from podtui.app.disruption.drain_dialog import DrainDialog
from podtui.app.disruption.drain_screen import DrainScreen
from podtui.app.rows import FAILING, OK, PENDING
from tests.tui.conftest import TERMINAL, enter_command, make_session

DISRUPTION = Path(__file__).parent / "disruption"
API_NODE = "node-2"
"""Where seed 0 puts api-…-tsvlc (and one web pod and an agent)."""


def disruption_app(*, ticks: int = 30, readonly: bool = False, seed: int = 0) -> PodtuiApp:
    return PodtuiApp(
        make_session([DISRUPTION], ticks=ticks, readonly=readonly, seed=seed), paused=True
    )


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


async def show(app: PodtuiApp, pilot, kind: str, key: str | None = None) -> None:
    app.main_screen.show_kind(kind)
    await pilot.pause()
    if key is not None:
        assert app.main_screen.table.move_cursor_to_key(key), key
        await pilot.pause()


def pods_on(app: PodtuiApp, node: str) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in app.session.cluster.store.list("Pod")
        if p["spec"].get("nodeName") == node
    )


class TestPdbPane:
    async def test_a_budget_at_zero_is_a_warning_and_a_violated_one_an_error(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("5")
            table = app.main_screen.table
            assert table.get_row("default/api").state == PENDING
            assert table.get_row("default/web").state == OK
            await run(pilot, "scale deployment/api --replicas=1")
            app.advance(5)
            await pilot.pause()
            budget = app.session.cluster.store.get("PodDisruptionBudget", "default", "api")
            assert (budget["status"]["currentHealthy"], budget["status"]["desiredHealthy"]) == (
                1,
                2,
            )
            assert table.get_row("default/api").state == FAILING

    async def test_the_panel_says_why_evictions_get_429(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("5")
            await pilot.pause()
            panel = str(app.main_screen.disruption_panel.render())
            assert "Allowed disruptions: 0" in panel
            assert "Current: 2   Desired: 2   Total: 2" in panel
            assert "DisruptionAllowed False  InsufficientPods" in panel
            assert "429 Too Many Requests" in panel


class TestDrainForm:
    async def test_r_on_a_node_opens_kubectls_flags_with_kubectls_defaults(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Node", API_NODE)
            await pilot.press("r")
            assert isinstance(app.screen, DrainDialog)
            assert app.screen.options() == DrainOptions(API_NODE)
            for flag in ("ignore-daemonsets", "delete-emptydir-data", "force", "disable-eviction"):
                app.screen.query_one(f"#{flag}").value = True
            app.screen.query_one("#grace-period").value = "10"
            app.screen.query_one("#timeout").value = "90s"
            await pilot.pause()
            assert str(app.screen.query_one("#drain-command").render()) == (
                f"kubectl drain {API_NODE} --force --ignore-daemonsets --delete-emptydir-data "
                "--disable-eviction --grace-period=10 --timeout=1m30s"
            )

    async def test_a_bad_timeout_is_refused_in_kubectls_words(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Node", API_NODE)
            await pilot.press("r")
            app.screen.query_one("#timeout").value = "soon"
            await pilot.pause()
            assert str(app.screen.query_one("#drain-command").render()).startswith(
                'error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"'
            )

    async def test_kubectls_defaults_refuse_daemonset_pods(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await show(app, pilot, "Node", API_NODE)
            await pilot.press("r")
            await pilot.click("#drain")
            await pilot.pause()
            assert isinstance(app.screen, DrainScreen)
            assert app.screen.drain.state == FAILED
            assert any("cannot delete DaemonSet-managed Pods" in line for line in app.transcript)
            node = app.session.cluster.store.get("Node", "", API_NODE)
            assert node["spec"]["unschedulable"] is True  # cordoned first, as kubectl does


class TestDrainPanel:
    async def start(self, app: PodtuiApp, pilot) -> None:
        await show(app, pilot, "Node", API_NODE)
        await pilot.press("r")
        app.screen.query_one("#ignore-daemonsets").value = True
        await pilot.pause()
        await pilot.click("#drain")
        await pilot.pause()

    async def test_it_shows_which_budget_holds_which_pod_and_why(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.start(app, pilot)
            screen = app.screen
            assert isinstance(screen, DrainScreen)
            app.advance(12)
            await pilot.pause()
            drain = screen.drain
            blocked = [p for p in drain.pods if p.state == POD_BLOCKED]
            assert [(p.name[:4], p.blocked_by) for p in blocked] == [("api-", "api")]
            assert blocked[0].attempts == 3  # at 30 s, 35 s and 40 s: kubectl retries every 5 s
            assert "The disruption budget api needs 2 healthy pods" in blocked[0].reason
            budgets = str(screen.query_one("#drain-budgets").render())
            assert "pdb/api  ALLOWED DISRUPTIONS 0  healthy 2 of 2 desired, 2 expected" in budgets
            table = screen.query_one("#drain-pods")
            assert [str(c) for c in table.get_row(blocked[0].key)][1:5] == [
                "blocked",
                "3",
                "2s",
                "api",
            ]

    async def test_scaling_the_deployment_up_lets_the_drain_finish(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.start(app, pilot)
            await pilot.press("escape")
            await run(pilot, "scale deployment/api --replicas=3")
            app.advance(40)
            await pilot.pause()
            drain = drains_of(app.session.cluster)[-1]
            assert drain.state == DRAINED
            assert pods_on(app, API_NODE) == [
                p for p in pods_on(app, API_NODE) if p.startswith("agent-")
            ]
            assert f"[{drain.finished_at:g}s] node/{API_NODE} drained" in app.transcript

    async def test_x_stops_the_drain_and_the_node_stays_cordoned(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await self.start(app, pilot)
            app.advance(6)
            await pilot.press("x")
            await pilot.pause()
            drain = app.screen.drain
            assert drain.state == CANCELLED
            attempts = drain.pods[0].attempts
            app.advance(30)
            assert drain.pods[0].attempts == attempts
            node = app.session.cluster.store.get("Node", "", API_NODE)
            assert node["spec"]["unschedulable"] is True

    async def test_a_drain_from_a_scenario_step_opens_with_d_and_colon_drains(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            cluster = app.session.cluster
            with app.session.lock:
                step = Step(
                    cluster.now,
                    "drain",
                    {"node": "node-1", "ignoreDaemonsets": True},
                    {},
                    "s",
                    1,
                    DISRUPTION,
                )
                run_step(cluster, step)
            app.advance(1)
            await run(pilot, "drains")
            assert isinstance(app.screen, DrainScreen)
            assert app.screen.drain.node == "node-1"
            await pilot.press("escape")
            await show(app, pilot, "Node", "node-1")
            await pilot.press("D")
            await pilot.pause()
            assert isinstance(app.screen, DrainScreen)

    async def test_colon_drain_takes_every_kubectl_flag_and_says_so_when_wrong(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, f"drain {API_NODE} --ignore-daemonsets --dry-run=client")
            assert isinstance(app.screen, DrainScreen)
            assert f"node/{API_NODE} cordoned (dry run)" in app.transcript
            assert not app.session.cluster.store.get("Node", "", API_NODE)["spec"].get(
                "unschedulable"
            )
            await pilot.press("escape")
            await run(pilot, f"drain {API_NODE} --grace-period=soon")
            assert any(
                'invalid argument "soon" for "--grace-period" flag' in line
                for line in app.transcript
            )
            await run(pilot, "drains node-3")
            assert "error: no drain of node/node-3 has been started" in app.transcript


class TestChaos:
    async def kills(self, seed: int) -> list[str]:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, f"chaos start --interval=10s -l app=web --seed={seed}")
            app.advance(60)
            await pilot.pause()
            return [line for line in app.transcript if "chaos:" in line]

    async def test_same_seed_same_kills(self) -> None:
        first = await self.kills(4)
        assert len(first) >= 3
        assert first == await self.kills(4)
        assert first != await self.kills(5)
        assert all("web-" in line for line in first)

    async def test_the_header_says_so_while_it_runs_and_stop_stops(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "chaos start --interval=20s")
            clock = app.main_screen.query_one("ClockLine")
            assert clock.notes[0][0] == "☠ chaos 20s · 0 killed"
            app.advance(60)
            await pilot.pause()
            assert clock.notes[0][0].startswith("☠ chaos 20s · ")
            await run(pilot, "chaos stop")
            assert clock.notes == ()
            before = app.session.counts.copy()
            app.advance(60)
            assert not any("chaos:" in line for line in list(app.transcript)[-3:]) or (
                app.session.counts == before
            )

    async def test_x_opens_the_form_with_the_pods_filter_and_x_again_stops(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("slash", *"-l app=api", "enter")
            await pilot.press("X")
            assert isinstance(app.screen, ChaosDialog)
            assert app.screen.query_one("#selector").value == "app=api"
            assert app.screen.query_one("#seed").value == "0"
            await pilot.click("#start")
            await pilot.pause()
            assert any(
                line.startswith("chaos mode on: kills one of pods matching app=api")
                for line in app.transcript
            )
            await pilot.press("X")
            await pilot.pause()
            assert "chaos mode off after 0 kill(s)" in app.transcript

    async def test_read_only_has_no_chaos(self) -> None:
        app = disruption_app(readonly=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("X")
            assert app.screen is app.main_screen
            await run(pilot, "chaos start")
            assert 'error: podtui is read-only (--readonly): "chaos" is disabled' in app.transcript


class TestRecorder:
    async def test_a_recorded_console_session_replays_to_the_same_objects(self, tmp_path) -> None:
        """Keys, `:` verbs, the fault menu, a drain and chaos kills, saved and replayed."""
        app = disruption_app(ticks=0, seed=7)
        async with app.run_test(size=TERMINAL) as pilot:
            app.advance(10)
            await run(pilot, "chaos start --interval=15s -l app=web --seed=2")
            app.advance(10)
            await show(app, pilot, "Node", "node-3")
            await pilot.press("c")  # cordon
            await show(app, pilot, "Pod")
            app.main_screen.table.move_cursor_to_key(app.main_screen.table.visible_keys()[0])
            await pilot.press("ctrl+k")  # kill the first pod
            await pilot.press("i", "enter")  # the fault menu: crash
            app.advance(7)
            await run(pilot, "scale deployment/api --replicas=3")
            await run(pilot, "evict " + pods_on(app, "node-1")[0])
            await show(app, pilot, "Node", "node-1")
            await pilot.press("r")
            app.screen.query_one("#ignore-daemonsets").value = True
            app.screen.query_one("#timeout").value = "60s"
            await pilot.pause()
            await pilot.click("#drain")
            await pilot.pause()
            await pilot.press("escape")
            app.advance(25)
            await show(app, pilot, "Node", "node-3")
            await pilot.press("u")  # uncordon
            await run(pilot, "delete deployment web --cascade=orphan")
            app.advance(20)
            scenario = tmp_path / "replay" / "session.yaml"
            await run(pilot, f"record save {scenario}")
            text = scenario.read_text()
            assert "# Not replayed" not in text
            assert text.count("fault: podKill") >= 1  # chaos kills are recorded as steps
            live = app.session.cluster
        replay = simulate(load_inputs([str(DISRUPTION)], str(scenario)), until=live.now, seed=7)
        assert to_yaml(replay.objects()) == to_yaml(live.objects())

    async def test_it_never_writes_over_a_manifest_or_into_their_folder(self, tmp_path) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            manifest = DISRUPTION / "api.yaml"
            before = manifest.read_text()
            await run(pilot, f"record save {manifest} --overwrite")
            await run(pilot, f"record save {DISRUPTION / 'session.yaml'}")
            assert manifest.read_text() == before
            assert not (DISRUPTION / "session.yaml").exists()
            errors = [line for line in app.transcript if line.startswith("error: ")]
            assert "podtui never overwrites them" in errors[0]
            assert "which podtui loads as manifests" in errors[1]
            existing = tmp_path / "taken.yaml"
            existing.write_text("keep me")
            await run(pilot, f"record save {existing}")
            assert existing.read_text() == "keep me"
            assert f"error: {existing} exists (add --overwrite to replace it)" in app.transcript
            await run(pilot, f"record save {existing} --overwrite")
            assert existing.read_text().startswith("# A podtui session, recorded.")

    async def test_actions_without_a_scenario_step_are_listed_not_lost(self, tmp_path) -> None:
        from podtui.app.screens.edit import EditScreen

        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await TestDrainPanel().start(app, pilot)
            await pilot.press("escape")
            pod = pods_on(app, API_NODE)[0]
            await show(app, pilot, "Pod", f"default/{pod}")
            await pilot.press("e")  # edit: no step says that
            await pilot.pause()
            assert isinstance(app.screen, EditScreen)
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace("  labels:\n", "  labels:\n    tier: edited\n", 1)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert f"pod/{pod} edited" in app.transcript
            target = tmp_path / "s.yaml"
            await run(pilot, f"record save {target}")
            lines = target.read_text().splitlines()
            assert lines[1] == f"# Replay: podtui sim {DISRUPTION} --seed 0 --scenario THIS_FILE"
            assert lines[2:4] == [
                "# Not replayed (no scenario step expresses them):",
                f"#   [30s] edit pod/{pod} -n default",
            ]
            assert lines[4:] == [
                "- at: 30s",
                f"  drain: {{node: {API_NODE}, ignoreDaemonsets: true}}",
            ]

    async def test_x_on_a_drain_is_recorded_as_a_cancel_drain_step(self, tmp_path) -> None:
        """The drain panel's `x` runs the cancelDrain step's engine action and is recorded
        as that step: the saved session replays to the same objects."""
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await TestDrainPanel().start(app, pilot)
            app.advance(6)
            await pilot.press("x")
            await pilot.pause()
            assert app.screen.drain.state == CANCELLED
            await pilot.press("escape")
            app.advance(20)
            target = tmp_path / "s.yaml"
            await run(pilot, f"record save {target}")
            text = target.read_text()
            assert "# Not replayed" not in text
            assert text.splitlines()[2:] == [
                "- at: 30s",
                f"  drain: {{node: {API_NODE}, ignoreDaemonsets: true}}",
                "- at: 36s",
                f"  cancelDrain: {API_NODE}",
            ]
            live = app.session.cluster
        replay = simulate(load_inputs([str(DISRUPTION)], str(target)), until=live.now)
        assert to_yaml(replay.objects()) == to_yaml(live.objects())

    async def test_rollouts_and_a_dry_run_drain_are_recorded_as_steps(self, tmp_path) -> None:
        """`rollout restart`, `rollout undo --to-revision`, `drain --dry-run=server
        --skip-wait-for-delete-timeout`: each a step, and the replay reaches the same objects."""
        app = disruption_app(ticks=0)
        async with app.run_test(size=TERMINAL) as pilot:
            app.advance(20)
            await run(pilot, "rollout restart deployment/web")
            app.advance(30)
            await run(pilot, "rollout undo deployment/web --to-revision=1")
            app.advance(5)
            await run(
                pilot,
                f"drain {API_NODE} --ignore-daemonsets --dry-run=server "
                "--skip-wait-for-delete-timeout=30",
            )
            await pilot.press("escape")  # the drain panel `:drain` opens
            app.advance(20)
            scenario = tmp_path / "session.yaml"
            await run(pilot, f"record save {scenario}")
            text = scenario.read_text()
            live = app.session.cluster
        assert "# Not replayed" not in text
        assert text.splitlines()[2:] == [
            "- at: 20s",
            "  rolloutRestart: deployment/web",
            "- at: 50s",
            "  rolloutUndo: deployment/web",
            "  toRevision: 1",
            "- at: 55s",
            f"  drain: {{node: {API_NODE}, ignoreDaemonsets: true, skipWaitForDeleteTimeout: 30,"
            " dryRun: server}",
        ]
        lines: list[str] = []
        replay = simulate(
            load_inputs([str(DISRUPTION)], str(scenario)), until=live.now, report=lines.append
        )
        assert to_yaml(replay.objects()) == to_yaml(live.objects())
        assert "[20s] deployment.apps/web restarted" in lines
        assert "[50s] deployment.apps/web rolled back" in lines
        assert f"[55s] node/{API_NODE} cordoned (server dry run)" in lines


class TestSnapshots:
    """120x34, seed 0, 30 s in, paused."""

    def test_pdbs(self, snap_compare) -> None:
        """`5`: budgets, api at zero; the panel gives describe pdb's numbers and the 429."""
        assert snap_compare(disruption_app(), press=["5"], terminal_size=TERMINAL)

    def test_pdbs_with_the_budget_at_zero_in_warning(self, snap_compare) -> None:
        """`5` `j`: the cursor on web, so api's row shows its $warning colour."""
        assert snap_compare(disruption_app(), press=["5", "j"], terminal_size=TERMINAL)

    def test_drain_form(self, snap_compare) -> None:
        """`3` `j` `r`: node-2's drain form, kubectl's defaults, the command it makes."""
        assert snap_compare(disruption_app(), press=["3", "j", "r"], terminal_size=TERMINAL)

    def test_drain_panel_held_by_a_budget(self, snap_compare) -> None:
        """`:drain node-2 --ignore-daemonsets --timeout=2m`, then 12 s: web evicted, api
        blocked by pdb/api (three 429s), the budget's numbers and kubectl's output."""

        async def run_before(pilot) -> None:
            await run(pilot, f"drain {API_NODE} --ignore-daemonsets --timeout=2m")
            pilot.app.advance(12)
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(disruption_app(), run_before=run_before, terminal_size=TERMINAL)

    def test_chaos_in_the_header(self, snap_compare) -> None:
        """`:chaos start --interval=10s -l app=web`, 30 s: the header's note and the kills."""

        async def run_before(pilot) -> None:
            await run(pilot, "chaos start --interval=10s -l app=web")
            pilot.app.advance(30)
            await pilot.pause()

        assert snap_compare(disruption_app(), run_before=run_before, terminal_size=TERMINAL)
