"""The banner shows files relative to the watched folder (podtui.app.reload_ui.banner), but
a problem of a watched PATH itself keeps the name the user typed: `manifests/: folder not
found` or `manifests: permission denied`, never `.: ...`."""

from __future__ import annotations

from pathlib import Path

from engine.manifests.yamldoc import Problem
from podtui.app.reload_ui.banner import shorten

MISSING = (
    "folder not found; its 2 objects are kept, and it is applied again when it comes back"
)


def test_a_file_is_shown_relative_to_its_watched_folder(folder: Path) -> None:
    problem = Problem("manifests/team/a.yaml", 3, "error parsing YAML: x")
    assert shorten(problem, [folder]) == "team/a.yaml:3: error parsing YAML: x"


def test_a_missing_watched_folder_keeps_its_name(folder: Path) -> None:
    problem = Problem("manifests/", 0, MISSING)
    folder.rmdir()
    assert shorten(problem, [folder]) == f"manifests/: {MISSING}"
    # and while the banner catches up with a folder already back
    folder.mkdir()
    assert shorten(problem, [folder]) == f"manifests/: {MISSING}"


def test_an_unreadable_watched_folder_keeps_its_name(folder: Path) -> None:
    problem = Problem("manifests", 0, "permission denied")
    assert shorten(problem, [folder]) == "manifests: permission denied"


def test_an_unreadable_folder_inside_is_relative_like_a_file(folder: Path) -> None:
    (folder / "team").mkdir()
    problem = Problem("manifests/team", 0, "permission denied")
    assert shorten(problem, [folder]) == "team: permission denied"
