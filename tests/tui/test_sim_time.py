"""Simulated time has one human format in the console: kubectl's duration (HumanDuration,
k8s.io/apimachinery/pkg/util/duration/duration.go) since t=0, the header's `+5m31s`.

Drain and chaos lines, the drain panel, `:chaos` and `:record` all say `5m31s`, never
`331s` nor `[331.0s]`. (`podtui sim`'s stderr keeps DESIGN.md's headless `[331s]`.)
"""

from __future__ import annotations

import re

from textual.widgets import Label, RichLog

from engine.printers.duration import human_duration
from podtui.app.disruption.drain_screen import DrainScreen
from tests.tui.conftest import TERMINAL, enter_command
from tests.tui.test_disruption import API_NODE, disruption_app


def log_text(log: RichLog) -> list[str]:
    return [strip.text for strip in log.lines]


class TestOneFormat:
    async def test_a_drains_later_lines_and_its_panel_say_kubectl_durations(self) -> None:
        app = disruption_app(ticks=331)
        async with app.run_test(size=TERMINAL) as pilot:
            await enter_command(pilot, f"drain {API_NODE} --ignore-daemonsets --timeout=2m")
            assert isinstance(app.screen, DrainScreen)
            app.advance(5)  # the evictions it prints after its own time (5m31s)
            await pilot.pause()
            later = [line for line in app.transcript if re.match(r"\[5m3[2-6]s\] ", line)]
            assert later, list(app.transcript)
            assert not any(re.match(r"\[33\ds\]", line) for line in app.transcript)
            title = str(app.screen.query_one("#drain-title", Label).render())
            assert "started at 5m31s, 5s so far" in title, title
            output = log_text(app.screen.query_one("#drain-output", RichLog))
            assert output[0].startswith("[5m31s] "), output
            assert all(not line.startswith("[331s]") for line in output)

    async def test_chaos_and_record_say_kubectl_durations(self) -> None:
        app = disruption_app(ticks=331)
        async with app.run_test(size=TERMINAL) as pilot:
            await enter_command(pilot, "chaos start --interval=30s --seed=1")
            app.advance(200)
            await pilot.pause()
            await enter_command(pilot, "chaos")
            status = [line for line in app.transcript if line.startswith(("last kills", "next"))]
            assert len(status) == 2, list(app.transcript)
            assert re.search(r" at \dm\d+s\b", status[0]), status  # last kills: ... at 6m2s
            assert re.fullmatch(r"next kill at \dm\d+s", status[1]), status
            assert not any(re.search(r"\b\d{3,}(\.\d+)?s\b", line) for line in status), status
            await enter_command(pilot, "record")
            assert any(line.endswith(" at 8m51s") for line in app.transcript)

    def test_the_format_is_kubectls_human_duration(self) -> None:
        assert [human_duration(s) for s in (40, 119, 331, 481.303, 900)] == [
            "40s",
            "119s",
            "5m31s",
            "8m1s",
            "15m",
        ]
