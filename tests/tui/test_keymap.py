"""Remapping keys by binding id, from a TOML or YAML keymap file."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.app.app import PodtuiApp
from podtui.app.keymap import KeymapError, load_keymap
from podtui.app.screens.dialogs import ConfirmDialog
from tests.tui.conftest import TERMINAL, make_app


def test_every_binding_has_a_description_and_an_id() -> None:
    from podtui.app.screens.main import MainScreen

    ids = set(PodtuiApp.binding_ids())
    assert {"action.delete", "action.kill", "action.inject", "clock.pause", "command.open"} <= ids
    for binding in [*PodtuiApp.BINDINGS, *MainScreen.BINDINGS]:
        assert binding.id and binding.description, binding


def test_a_toml_keymap_maps_ids_to_keys(tmp_path: Path) -> None:
    file = tmp_path / "keymap.toml"
    file.write_text('[keymap]\n"action.delete" = "x"\n"clock.pause" = ["p", "space"]\n')
    assert load_keymap(file, PodtuiApp.binding_ids()) == {
        "action.delete": "x",
        "clock.pause": "p,space",
    }


def test_a_yaml_keymap_works_too(tmp_path: Path) -> None:
    file = tmp_path / "keymap.yaml"
    file.write_text("keymap:\n  action.kill: ctrl+x\n")
    assert load_keymap(file, PodtuiApp.binding_ids()) == {"action.kill": "ctrl+x"}


def test_an_unknown_id_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    file = tmp_path / "keymap.toml"
    file.write_text('[keymap]\n"action.nuke" = "x"\n')
    with pytest.raises(
        KeymapError, match=r'unknown binding id "action.nuke" \(known ids: .*action.delete'
    ):
        load_keymap(file, PodtuiApp.binding_ids())


def test_a_broken_file_names_itself(tmp_path: Path) -> None:
    file = tmp_path / "keymap.toml"
    file.write_text("[keymap\n")
    with pytest.raises(KeymapError, match=r"keymap\.toml"):
        load_keymap(file, PodtuiApp.binding_ids())


async def test_a_remapped_key_replaces_the_default() -> None:
    app = make_app(keymap={"action.delete": "x"})
    async with app.run_test(size=TERMINAL) as pilot:
        app.main_screen.table.move_cursor_to_key("default/web")
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
