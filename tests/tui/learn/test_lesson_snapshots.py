"""Each lesson's first screen, in Chinese and in English, at 140 and 80 columns.

Rich measures wide characters (two cells for a CJK character), so Chinese text wraps
inside the panel and the border stays straight; these snapshots would show a ragged
border otherwise. Refresh with `--snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.learn.helpers import lesson_app

LESSONS = [
    "pods",
    "controllers",
    "init-containers",
    "pause-container",
    "psp",
    "phases",
    "probes",
    "restart-policy",
    "podpreset",
    "pdb",
]


@pytest.mark.parametrize("size", [(140, 42), (80, 24)], ids=["140x42", "80x24"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", LESSONS)
def test_the_first_screen_of_each_lesson(snap_compare, name: str, lang: str, size) -> None:
    """The lesson opened: its cluster at t=0, the panel with step 1's task first."""
    assert snap_compare(lesson_app(name, lang=lang), terminal_size=size)
