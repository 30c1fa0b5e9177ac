"""`podtui [PATH ...]` refuses bad input before the console opens, as `sim` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.app import base_dir_of, run_app


def test_invalid_manifests_are_printed_as_file_line_and_exit_1(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: 7\n")
    assert run_app([str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:")


def test_an_unknown_theme_is_refused(tmp_path: Path, capsys) -> None:
    assert run_app([str(tmp_path)], theme="no-such-theme") == 1
    assert 'error: unknown theme "no-such-theme"' in capsys.readouterr().err


def test_a_bad_keymap_is_refused(tmp_path: Path, capsys) -> None:
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[keymap]\n"no.such.binding" = "x"\n')
    assert run_app([str(tmp_path)], keymap=str(keymap)) == 1
    assert 'unknown binding id "no.such.binding"' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kind", "expected"), [("dir", "self"), ("file", "parent"), ("none", "cwd")]
)
def test_relative_paths_start_from_the_first_path_folder(
    tmp_path: Path, kind: str, expected: str
) -> None:
    file = tmp_path / "pods.yaml"
    file.write_text("")
    paths = {"dir": [str(tmp_path)], "file": [str(file)], "none": []}[kind]
    want = {"self": tmp_path, "parent": tmp_path, "cwd": Path.cwd()}[expected]
    assert base_dir_of(paths) == want
