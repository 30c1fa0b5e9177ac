"""The header's second line: pod counts by phase and the sparklines of their recent past."""

from __future__ import annotations

from pathlib import Path

from podtui.app.app import PodtuiApp
from podtui.app.widgets.count_sparkline import BARS, CountSparkline, bar_heights
from tests.tui.conftest import TERMINAL, make_session
from tests.tui.screen_text import screen_lines

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: nginx:1.27
"""


def many_pods(folder: Path, count: int) -> Path:
    folder.mkdir(exist_ok=True)
    text = "---\n".join(POD.format(name=f"pod-{i:02d}") for i in range(count))
    (folder / "pods.yaml").write_text(text)
    return folder


class TestCounts:
    async def test_the_running_count_shows_once_ten_or_more_pods_run(self, tmp_path) -> None:
        app = PodtuiApp(make_session([many_pods(tmp_path / "m", 12)]), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            assert "Running 0" in screen_lines(app)[1]
            app.advance(20)  # the pods went from Pending (12) to Running (12)
            await pilot.pause()
            assert app.session.counts["Running"] == 12
            line = screen_lines(app)[1]
            assert "Running 12 " in line, line
            assert "Pending 0 " in line, line


class TestSparklines:
    def test_zero_is_the_empty_bar_and_a_constant_count_is_not_a_full_bar(self) -> None:
        assert bar_heights([0] * 60, 12, top=5) == [0] * 12
        # A constant `Failing 1` next to five running pods: a low bar, not a full one.
        assert bar_heights([1] * 60, 12, top=5) == [2] * 12
        assert bar_heights([5] * 60, 12, top=5) == [7] * 12

    def test_a_count_above_zero_never_draws_as_zero(self) -> None:
        assert bar_heights([1], 1, top=1000) == [1]

    def test_a_larger_count_is_never_drawn_lower(self) -> None:
        heights = bar_heights(list(range(61)), 60, top=60)
        assert heights == sorted(heights)

    async def test_the_three_sparklines_share_one_scale_from_zero(self, tmp_path) -> None:
        app = PodtuiApp(make_session([many_pods(tmp_path / "m", 12)]), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            app.advance(70)  # a full window of 12 running, 0 pending, 0 failing
            await pilot.pause()
            line = screen_lines(app)[1]
            assert f"Running 12 {BARS[-1] * 12}" in line, line
            assert f"Pending 0 {BARS[0] * 12}" in line, line
            header = app.main_screen
            running = header.query_one("#spark-running", CountSparkline)
            pending = header.query_one("#spark-pending", CountSparkline)
            assert running.top == pending.top == 12
