"""`:drill` in the console: the drills over the console's own files and seed, their report
as a pane, and `enter` on a finding replaying that drill in the console up to the moment it
went wrong. Over tests/tui/disruption (api: two replicas under a budget that wants both)."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.cells import cell_len
from textual.widgets import DataTable, Label, Static

from engine.checkpoint.replay import fingerprint
from engine.drill import runner
from engine.drill.findings import DRAIN_BLOCKED
from engine.printers.duration import human_duration
from podtui.app.app import PodtuiApp
from podtui.app.drill.screen import DrillScreen
from podtui.app.screens.main import MainScreen
from tests.tui.conftest import TERMINAL, enter_command, make_session, until

DISRUPTION = Path(__file__).parent / "disruption"


def drill_app() -> PodtuiApp:
    return PodtuiApp(make_session([DISRUPTION], ticks=30), paused=True)


async def open_report(pilot, line: str = "drill drain") -> DrillScreen:
    await enter_command(pilot, line)
    screen = pilot.app.screen
    assert isinstance(screen, DrillScreen)
    await until(pilot, lambda: screen.results is not None, timeout=60)
    table = screen.query_one(DataTable)

    def columns_fit() -> bool:
        # DataTable widens its columns for new rows when it next goes idle: a snapshot taken
        # before then (a loaded machine) shows the cells cut at the headers' widths.
        return all(
            column.content_width
            >= max((cell_len(str(cell)) for cell in table.get_column(column.key)), default=0)
            for column in table.ordered_columns
        )

    await until(pilot, columns_fit)
    await pilot.pause()
    return screen


def blocked_row(screen: DrillScreen) -> int:
    return next(i for i, (f, _) in enumerate(screen.findings) if f.rule == DRAIN_BLOCKED)


async def test_drill_lists_the_drain_held_by_the_budget() -> None:
    app = drill_app()
    async with app.run_test(size=TERMINAL) as pilot:
        before = app.session.cluster.now
        screen = await open_report(pilot)
        table = screen.query_one(DataTable)
        row = table.get_row_at(blocked_row(screen))
        assert [str(c) for c in row[:4]] == ["error", "drain", "default", "deployment/api"]
        assert "never completes" in str(row[4]) and "api has minAvailable 2" in str(row[4])
        table.move_cursor(row=blocked_row(screen))
        await pilot.pause()
        evidence = str(screen.query_one("#drill-evidence").render())
        assert "Cannot evict pod as it would violate the pod's disruption budget." in evidence
        # The drills ran on clusters of their own: the console's did not move.
        assert app.session.cluster.now == before
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_an_unknown_drill_is_refused_with_the_known_ones() -> None:
    app = drill_app()
    async with app.run_test(size=TERMINAL) as pilot:
        await enter_command(pilot, "drill upgrade")
        assert isinstance(app.screen, MainScreen)
        assert any('unknown drill "upgrade"' in line for line in app.transcript)


async def test_enter_replays_the_drill_up_to_where_it_went_wrong(monkeypatch) -> None:
    """The console's cluster after the replay is the drill's own cluster at that moment:
    every object, the timers due and both random generators (the checkpoint fingerprint)."""
    drill_started: list[tuple[float, str]] = []
    drain = runner.drain

    def started(cluster, options, *args):
        run = drain(cluster, options, *args)
        # What was due at the drain's start runs before the clock moves on: as the replay
        # (run to the moment) leaves it.
        cluster.run_until(cluster.now)
        drill_started.append((cluster.now, fingerprint(cluster)))
        return run

    monkeypatch.setattr(runner, "drain", started)
    app = drill_app()
    async with app.run_test(size=TERMINAL) as pilot:
        old = app.session
        screen = await open_report(pilot)
        screen.query_one(DataTable).move_cursor(row=blocked_row(screen))
        finding, _ = screen.findings[blocked_row(screen)]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session is not old and app.screen.session is app.session
        assert app.paused
        # It went wrong when the drain of api's node began: the first eviction refused.
        when = finding.evidence[0].at
        assert when in dict(drill_started)
        assert app.session.cluster.now == when
        assert fingerprint(app.session.cluster) == dict(drill_started)[when]
        assert app.session.replaying == f"drill drain @{when:g}s"
        assert any(f"replaying drill drain up to {when:g}s" in line for line in app.transcript)


async def test_enter_on_a_later_nodes_finding_replays_past_the_cancelled_drain(
    monkeypatch,
) -> None:
    """The drill gave up on node-2's drain (the budget holds it) and cancelled it, a
    `cancelDrain` step: the finding about node-3 replays up to node-3's drain, the console's
    cluster the drill's own at that moment."""
    drill_started: list[tuple[str, float, str]] = []
    drain = runner.drain

    def started(cluster, options, *args):
        run = drain(cluster, options, *args)
        cluster.run_until(cluster.now)  # as in the test above
        drill_started.append((options.node, cluster.now, fingerprint(cluster)))
        return run

    monkeypatch.setattr(runner, "drain", started)
    app = drill_app()
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_report(pilot)
        rows = [
            i
            for i, (f, _) in enumerate(screen.findings)
            if f.rule == DRAIN_BLOCKED and "the drain of node-3" in f.why
        ]
        assert rows, [f.why for f, _ in screen.findings]
        finding, result = screen.findings[rows[0]]
        cancelled = [s.at for s in result.steps if s.action == "cancelDrain"]
        screen.query_one(DataTable).move_cursor(row=rows[0])
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        ((when, expected),) = [(at, fp) for node, at, fp in drill_started if node == "node-3"]
        assert finding.evidence[0].at == when
        assert cancelled and cancelled[0] < when  # past node-2's cancelled drain
        assert app.session.cluster.now == when
        assert fingerprint(app.session.cluster) == expected
        assert app.session.replaying == f"drill drain @{human_duration(when)}"


async def test_esc_while_the_drills_run_stops_them_and_no_further_drill_runs(
    monkeypatch,
) -> None:
    """The drain drill is held at a gate the test opens only after `esc`: the runner's next
    check of the clock sees the stop, so the pod-kill drill never starts, whatever the
    machine's speed."""
    entered, gate = threading.Event(), threading.Event()
    ran: list[str] = []
    drill_drain = runner.RUNNERS["drain"]

    def gated(ctx) -> None:
        ran.append(ctx.name)
        entered.set()
        gate.wait(timeout=120)  # the test opens it; the timeout only keeps a failure from hanging
        drill_drain(ctx)

    def pod_kill(ctx) -> None:
        ran.append(ctx.name)

    monkeypatch.setitem(runner.RUNNERS, "drain", gated)
    monkeypatch.setitem(runner.RUNNERS, "pod-kill", pod_kill)
    app = drill_app()
    try:
        async with app.run_test(size=TERMINAL) as pilot:
            before = app.session.cluster.now
            await enter_command(pilot, "drill drain pod-kill")
            screen = app.screen
            assert isinstance(screen, DrillScreen)
            await until(pilot, entered.is_set, timeout=60)
            progress = screen.query_one("#drill-progress", Static)
            await pilot.press("escape")
            assert app.screen is screen  # the pane stays to say what happened
            assert "stopping the drills during drain (2/3)" in str(progress.render())
            gate.set()
            await until(pilot, lambda: not screen.running, timeout=60)
            await pilot.pause()
            assert "stopped during drain (2/3): no further drill ran" in str(progress.render())
            assert "Drills: stopped" in str(screen.query_one("#drill-title", Label).render())
            assert ran == ["drain"]
            assert screen.results is None and screen.query_one(DataTable).row_count == 0
            assert app.session.cluster.now == before
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)
    finally:
        gate.set()


def test_drill_report(snap_compare) -> None:
    """`:drill drain` over tests/tui/disruption: the budget's findings, the first selected
    with its evidence."""

    async def run_before(pilot) -> None:
        await open_report(pilot)

    assert snap_compare(drill_app(), run_before=run_before, terminal_size=TERMINAL)


async def test_long_findings_are_cut_with_a_marker_at_80_columns() -> None:
    # Issue 12's rule for every table: a long cell is elided with a visible `…`, nothing
    # runs off the right edge; the evidence panel below gives the finding whole.
    app = drill_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        table = screen.query_one(DataTable)
        findings = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
        assert any(cell.endswith("…") for cell in findings)
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        assert sum(widths) <= 80
        whole = screen.findings[0][0].why
        assert whole in str(screen.query_one("#drill-evidence").render())
