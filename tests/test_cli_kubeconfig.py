"""`--kubeconfig FILE` means two things on the console's command line: with --serve the
kubeconfig podtui writes, without it a real cluster's kubeconfig to open. The flags of the
other meaning are refused with a message that says which is which, and --help says both."""

from __future__ import annotations

import pytest

import podtui.app
import podtui.app.remote
from podtui import cli
from podtui.cli import main, tui_parser


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def opened(monkeypatch):
    """Record what the console would open instead of opening it."""
    calls: list[tuple] = []

    def fake_remote(kubeconfig, context, **kwargs):
        calls.append(("remote", kubeconfig, context))
        return 0

    def fake_app(paths, **kwargs):
        calls.append(("simulator", paths, kwargs["serve"]))
        return 0

    monkeypatch.setattr(podtui.app.remote, "run_remote", fake_remote)
    monkeypatch.setattr(podtui.app, "run_app", fake_app)
    return calls


def test_help_says_both_meanings_of_kubeconfig(capsys):
    text = tui_parser().format_help()
    flat = " ".join(text.split())
    assert "With --serve: the kubeconfig podtui WRITES for kubectl" in flat
    assert "Without --serve: a real cluster's kubeconfig to READ" in flat
    assert "an error with --serve" in flat
    serve_help = " ".join(cli._serve_parser().format_help().split())
    assert "the kubeconfig podtui WRITES for kubectl" in serve_help
    assert "real cluster" not in serve_help


def test_kubeconfig_without_serve_opens_the_real_cluster(capsys, opened, tmp_path):
    code, _, err = run(capsys, "--kubeconfig", "k.yaml", "--context", "prod")
    assert (code, err) == (0, "")
    assert opened == [("remote", "k.yaml", "prod")]


def test_kubeconfig_with_serve_is_the_file_written(capsys, opened, tmp_path):
    target = str(tmp_path / "podtui.yaml")
    code, _, err = run(capsys, "--serve", "--kubeconfig", target, "x.yaml")
    assert (code, err) == (0, "")
    kind, paths, serve = opened[0]
    assert (kind, paths, str(serve[1]), serve[0]) == ("simulator", ["x.yaml"], target, 0)


def test_context_with_serve_is_an_error(capsys, opened):
    code, out, err = run(capsys, "--serve", "--kubeconfig", "k.yaml", "--context", "prod")
    assert code == 1 and out == "" and opened == []
    assert err.startswith("error: --context cannot be used with --serve: ")
    assert "--kubeconfig names the kubeconfig podtui writes" in err


def test_context_without_kubeconfig_is_an_error(capsys, opened):
    code, _, err = run(capsys, "--context", "prod")
    assert (code, opened) == (1, [])
    assert (
        err == "error: --context needs --kubeconfig FILE: the real cluster's kubeconfig to open\n"
    )


def test_port_without_serve_is_an_error(capsys, opened):
    code, _, err = run(capsys, "--port", "8443")
    assert (code, opened) == (1, [])
    assert err.startswith("error: --port needs --serve")


def test_simulator_flags_with_a_real_clusters_kubeconfig_are_refused(capsys, opened):
    code, _, err = run(capsys, "--kubeconfig", "k.yaml", "--seed", "3", "sample_manifests")
    assert (code, opened) == (1, [])
    assert err == (
        "error: PATH, --seed cannot be used with --kubeconfig without --serve: "
        "--kubeconfig k.yaml opens the real cluster it names, and they configure the "
        "simulated one (add --serve to serve the simulated cluster and write the kubeconfig "
        "instead)\n"
    )
    code, _, err = run(capsys, "--kubeconfig", "k.yaml", "--port", "0")
    assert code == 1 and err.startswith("error: --port cannot be used with --kubeconfig")
