"""The seed tutorial's commands work as printed in the console over the sample cluster,
started from any folder: a relative `-f` not found in the working folder is looked up in
the watched folders (and below them), and the console says which file it used."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.app.commandline.paths import resolve_path
from podtui.bundled import sample_manifests
from tests.tui.conftest import TERMINAL, enter_command
from tests.tui.k9s.conftest import sample_app, sample_session

SAMPLE_MANIFESTS = sample_manifests()

PSP_FILE = SAMPLE_MANIFESTS / "security" / "psp.yaml"


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


class TestTheTutorialOverTheSample:
    async def test_create_get_edit_delete_create_as_printed(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)  # no psp.yaml here
        app = sample_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "create -f ./psp.yaml")
            used = f"(using {PSP_FILE}: ./psp.yaml is not in the working folder)"
            assert used in app.transcript
            # the sample already has it: kubectl's words, with the path as typed
            assert (
                'Error from server (AlreadyExists): error when creating "./psp.yaml": '
                'podsecuritypolicies.policy "permissive" already exists'
            ) in app.transcript
            await run(pilot, "get psp")
            assert "permissive" in app.main_screen.table.visible_keys()
            await run(pilot, "edit psp permissive")
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace("max: 8080", "max: 8081")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "podsecuritypolicy.policy/permissive edited" in app.transcript
            await run(pilot, "delete psp permissive")
            assert 'podsecuritypolicy.policy "permissive" deleted' in app.transcript
            await run(pilot, "create -f ./psp.yaml")
            # psp.yaml says extensions/v1beta1, as the tutorial wrote it
            assert "podsecuritypolicy.extensions/permissive created" in app.transcript


class TestWhereMinusFLooks:
    def test_the_working_folder_comes_first(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "psp.yaml").write_text("{}")
        session = sample_session()
        assert resolve_path(session, "./psp.yaml") == tmp_path / "psp.yaml"

    def test_below_a_watched_folder_the_shallowest_match_wins(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        session = sample_session()
        assert resolve_path(session, "./psp.yaml") == PSP_FILE
        assert resolve_path(session, "refused/privileged.yaml") == (
            SAMPLE_MANIFESTS / "security" / "refused" / "privileged.yaml"
        )
        assert resolve_path(session, "./nope.yaml") == tmp_path / "nope.yaml"
