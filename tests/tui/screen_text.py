"""The terminal's text as a user reads it: what a test can check for clipping."""

from __future__ import annotations

import io

from rich.console import Console


def screen_lines(app) -> list[str]:
    """Every line of the current screen, as plain text (styles dropped)."""
    width, height = app.size
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(update)
    return console.export_text().splitlines()[:height]
