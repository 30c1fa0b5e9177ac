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


class TestAHostileKeymapIsAFileLineErrorAtStart:
    """A keymap is read as a manifest is (engine/manifests/yamlbuild.py): yaml.safe_load
    raised RecursionError past ~490 levels and expanded alias bombs without bound."""

    def refusal(self, file: Path) -> str:
        with pytest.raises(KeymapError) as caught:
            load_keymap(file, PodtuiApp.binding_ids())
        return str(caught.value)

    def test_deep_yaml_is_refused_at_its_line(self, tmp_path: Path) -> None:
        file = tmp_path / "keymap.yaml"
        file.write_text("keymap:\n  action.kill: " + "[" * 600 + "]" * 600 + "\n")
        assert self.refusal(file) == f"{file}:2: error parsing YAML: exceeded max depth of 100"

    def test_an_alias_bomb_is_refused_as_go_yaml_refuses_it(self, tmp_path: Path) -> None:
        # go-yaml v2 decode.go allowedAliasRatio (CVE-2019-11253).
        lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
        lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
        file = tmp_path / "keymap.yaml"
        file.write_text("\n".join(lines) + "\nkeymap: {action.kill: *a8}\n")
        assert self.refusal(file).endswith(": error parsing YAML: document contains excessive aliasing")
        assert self.refusal(file).startswith(f"{file}:")

    def test_a_yaml_syntax_error_is_one_file_line_message(self, tmp_path: Path) -> None:
        file = tmp_path / "keymap.yaml"
        file.write_text("keymap:\n  action.kill: [x\n")
        message = self.refusal(file)
        assert message.startswith(f"{file}:") and "\n" not in message
        assert int(message.split(":")[1]) >= 2

    def test_a_toml_syntax_error_names_its_line(self, tmp_path: Path) -> None:
        file = tmp_path / "keymap.toml"
        file.write_text('[keymap]\n"action.kill" = \n')
        assert self.refusal(file).startswith(f"{file}:2: error parsing TOML: ")

    def test_deep_toml_is_refused_not_a_traceback(self, tmp_path: Path) -> None:
        file = tmp_path / "keymap.toml"
        file.write_text("[keymap]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
        assert self.refusal(file) == f"{file}: error parsing TOML: nested too deep"

    def test_utf16_with_a_byte_order_mark_loads(self, tmp_path: Path) -> None:
        file = tmp_path / "keymap.yaml"
        file.write_bytes("keymap:\n  action.kill: ctrl+x\n".encode("utf-16"))
        assert load_keymap(file, PodtuiApp.binding_ids()) == {"action.kill": "ctrl+x"}

    def test_the_console_does_not_start_and_says_file_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from podtui.cli import main

        file = tmp_path / "keymap.yaml"
        file.write_text("keymap:\n  action.kill: " + "{a: " * 600 + "}" * 600 + "\n")
        assert main(["--keymap", str(file), "sample_manifests"]) == 1
        assert capsys.readouterr().err == (
            f"error: {file}:2: error parsing YAML: exceeded max depth of 100\n"
        )


async def test_a_remapped_key_replaces_the_default() -> None:
    app = make_app(keymap={"action.delete": "x"})
    async with app.run_test(size=TERMINAL) as pilot:
        app.main_screen.table.move_cursor_to_key("default/web")
        await pilot.press("ctrl+d")
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
