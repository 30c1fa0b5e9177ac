"""`podtui serve`'s command line: bad input is refused before anything is served."""

from __future__ import annotations

import pytest

from podtui.cli import main


def test_invalid_manifests_are_reported_as_file_line_and_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {}\n")
    kubeconfig = tmp_path / "kubeconfig"
    assert main(["serve", str(bad), "--kubeconfig", str(kubeconfig)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:")
    assert not kubeconfig.exists()


@pytest.mark.parametrize("argv", [["--speed", "0"], ["--speed", "fast"], ["--port", "70000"]])
def test_bad_options_are_usage_errors(tmp_path, argv):
    with pytest.raises(SystemExit) as raised:
        main(["serve", str(tmp_path), *argv])
    assert raised.value.code == 2
