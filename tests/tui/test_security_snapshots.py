"""What PodSecurityPolicy looks like in the console: the PSP pane, a policy's admitted pods,
the refused pods and the explain view beside Pod Security Admission's verdicts.

Taken at 120x34 over tests/tui/security with seed 0, the clock paused 30 s in. Refresh with
`pytest tests/tui/test_security_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.api.kinds import kind_info
from podtui.app.app import PodtuiApp
from tests.tui.conftest import TERMINAL, make_session

pytestmark = pytest.mark.skipif(
    kind_info("PodSecurityPolicy") is None, reason="no engine package simulates PSPs"
)

SECURITY = Path(__file__).parent / "security"


def security_app() -> PodtuiApp:
    return PodtuiApp(make_session([SECURITY], ticks=30), paused=True)


def select(key: str):
    async def run_before(pilot) -> None:
        pilot.app.main_screen.table.move_cursor_to_key(key)
        await pilot.pause()

    return run_before


class TestSecurity:
    def test_psp_pane(self, snap_compare) -> None:
        """`4`: kubectl's PSP columns; the header says PSP admission is on; `x` lists the
        refused pods."""
        assert snap_compare(security_app(), press=["4"], terminal_size=TERMINAL)

    def test_psp_detail_with_its_admitted_pods(self, snap_compare) -> None:
        """`4`, enter on restricted, `a`: the two api pods it admitted (psp-demo)."""

        async def run_before(pilot) -> None:
            await pilot.press("4")
            pilot.app.main_screen.table.move_cursor_to_key("restricted")
            await pilot.press("enter", "a")
            await pilot.pause()

        assert snap_compare(security_app(), run_before=run_before, terminal_size=TERMINAL)

    def test_refused_pods(self, snap_compare) -> None:
        """`4`, `x`: runs-as-root's pod, refused 13 times in 30 s, requested by the
        ReplicaSet controller."""
        assert snap_compare(security_app(), press=["4", "x"], terminal_size=TERMINAL)

    def test_explain_a_refused_pod(self, snap_compare) -> None:
        """`4`, `x`, enter: every policy, who may use it and what failed, beside Pod
        Security Admission's verdicts for the same pod."""
        assert snap_compare(security_app(), press=["4", "x", "enter"], terminal_size=TERMINAL)

    def test_explain_an_admitted_pod(self, snap_compare) -> None:
        """`:explain pod web`: admitted by permissive, which default's service accounts may
        use; PSA's namespace `default` enforces nothing."""
        assert snap_compare(
            security_app(), press=[":", *"explain pod web", "enter"], terminal_size=TERMINAL
        )
