"""podtui installs like any other tool: the sample cluster travels inside the package,
`--version`, `python -m podtui`, and shell completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from podtui import __version__
from podtui.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_manifests"
LESSONS = ROOT / "lessons"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def built_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real wheel of a copy of the checkout, unpacked: what `pip install` puts in
    site-packages. Built by pip in an isolated build environment (the build-system
    requirements come from the package index, as on a user's machine)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work), "."],
        cwd=source,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "Could not find a version" in result.stderr:
        pytest.skip("the package index cannot be reached to build the wheel")
    assert result.returncode == 0, result.stderr
    (wheel,) = work.glob("podtui-*.whl")
    target = work / "lib"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _run_installed(lib: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(lib)}
    return subprocess.run(
        [sys.executable, "-m", "podtui", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestTheSampleClusterIsPackageData:
    def test_the_build_copies_every_sample_file_into_the_package(self, built_lib: Path) -> None:
        packaged = built_lib / "podtui" / "sample_manifests"
        assert _files(packaged) == _files(SAMPLE)
        assert "pods/web.yaml" in _files(packaged)

    def test_the_build_copies_every_lesson_into_the_package(self, built_lib: Path) -> None:
        packaged = built_lib / "podtui" / "lessons"
        assert _files(packaged) == _files(LESSONS)
        assert "pods/lesson.yaml" in _files(packaged)

    def test_an_installed_podtui_checks_its_own_lessons(self, built_lib: Path, tmp_path: Path) -> None:
        probe = _run_installed(built_lib, tmp_path, "learn", "--check-all")
        assert probe.returncode == 0, probe.stdout + probe.stderr
        assert probe.stdout.endswith("10/10 lessons check\n")

    def test_an_installed_podtui_opens_its_own_sample_from_any_folder(
        self, built_lib: Path, tmp_path: Path
    ) -> None:
        probe = _run_installed(
            built_lib,
            tmp_path,
            "validate",
        )
        assert probe.returncode == 0, probe.stderr
        here = subprocess.run(
            [sys.executable, "-m", "podtui", "validate", str(SAMPLE)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout == here.stdout
        where = subprocess.run(
            [sys.executable, "-c", "from podtui.bundled import sample_manifests as s; print(s())"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(built_lib)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert Path(where.stdout.strip()) == built_lib / "podtui" / "sample_manifests"

    def test_a_checkout_uses_the_repository_folder_itself(self) -> None:
        from podtui.bundled import sample_manifests

        assert sample_manifests() == SAMPLE


class TestCommandLine:
    def test_version_names_the_package_and_the_kubernetes_it_simulates(self, capsys) -> None:
        with pytest.raises(SystemExit) as exc:
            main(["--version"])
        assert exc.value.code == 0
        assert capsys.readouterr().out == f"podtui {__version__} (simulates Kubernetes v1.32.0)\n"

    def test_python_dash_m_podtui_is_the_podtui_command(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "podtui", "sim", str(SAMPLE / "pods"), "--until", "5s"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("NAME ")
        assert "web" in result.stdout

    def test_sim_and_validate_without_a_path_play_the_bundled_sample(self, capsys) -> None:
        assert main(["validate"]) == 0
        bare = capsys.readouterr().out
        assert main(["validate", str(SAMPLE)]) == 0
        assert capsys.readouterr().out == bare
        assert bare.startswith("ok: ")


def _bash_complete(script: Path, *words: str) -> list[str]:
    words_array = " ".join(f"'{w}'" for w in ("podtui", *words))
    program = (
        f"source {script}; COMP_WORDS=({words_array}); COMP_CWORD={len(words)}; "
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; '
        '_shtab_podtui; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(
        ["bash", "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


class TestShellCompletion:
    @pytest.fixture
    def bash_script(self, tmp_path: Path, capsys) -> Path:
        if shutil.which("bash") is None:
            pytest.skip("bash is not installed")
        assert main(["completion", "bash"]) == 0
        script = tmp_path / "podtui.bash"
        script.write_text(capsys.readouterr().out)
        return script

    def test_bash_completes_subcommands(self, bash_script: Path) -> None:
        assert sorted(_bash_complete(bash_script, "s")) == ["serve", "sim"]
        assert _bash_complete(bash_script, "se") == ["serve"]
        assert _bash_complete(bash_script, "va") == ["validate"]

    def test_bash_completes_a_subcommands_options(self, bash_script: Path) -> None:
        assert _bash_complete(bash_script, "sim", "--unt") == ["--until"]
        assert _bash_complete(bash_script, "--ve") == ["--version"]

    def test_bash_completes_manifest_paths_with_file_names(self, bash_script: Path) -> None:
        assert _bash_complete(bash_script, "sim", "sample_manif") == ["sample_manifests"]

    def test_zsh_script_is_valid_zsh(self, tmp_path: Path, capsys) -> None:
        assert main(["completion", "zsh"]) == 0
        text = capsys.readouterr().out
        assert text.startswith("#compdef podtui")
        assert "sim" in text and "--until" in text
        if shutil.which("zsh") is None:
            pytest.skip("zsh is not installed: the script's syntax was not checked")
        script = tmp_path / "_podtui"
        script.write_text(text)
        subprocess.run(["zsh", "-n", str(script)], check=True)

    def test_an_unknown_shell_is_a_usage_error(self, capsys) -> None:
        with pytest.raises(SystemExit) as exc:
            main(["completion", "fish"])
        assert exc.value.code == 2
        assert "invalid choice: 'fish'" in capsys.readouterr().err
