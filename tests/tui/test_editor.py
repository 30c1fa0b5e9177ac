"""The editor (`e`, `:edit KIND NAME`): esc leaves it, and a YAML error points at its line.

kubectl edit's own behaviour (k8s.io/kubectl/pkg/cmd/util/editor/editoptions.go): a
syntax error reopens the file with `# The edited file had a syntax error: ...` at the top.
"""

from __future__ import annotations

from podtui.app.screens.dialogs import ConfirmDialog
from podtui.app.screens.edit import EditScreen
from tests.tui.conftest import TERMINAL, enter_command, make_app
from tests.tui.test_security import security_app


async def open_editor(app, pilot, line: str) -> EditScreen:
    await enter_command(pilot, line)
    assert isinstance(app.screen, EditScreen)
    return app.screen


class TestEscapeLeavesTheEditor:
    async def test_esc_on_an_unchanged_buffer_cancels_like_kubectl_edit(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await open_editor(app, pilot, "edit psp permissive")
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.main_screen
            assert "Edit cancelled, no changes made." in app.transcript

    async def test_keys_after_esc_no_longer_land_in_the_buffer(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await open_editor(app, pilot, "edit psp permissive")
            await pilot.press("escape", "2")
            await pilot.pause()
            assert app.screen is app.main_screen
            assert app.main_screen.pane_id == "controllers"  # `2` reached the main screen

    async def test_esc_after_a_change_asks_first_and_cancel_keeps_the_buffer(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            screen = await open_editor(app, pilot, "edit psp permissive")
            await pilot.press("end", "x")
            changed = screen.query_one("#editor").text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen
            assert screen.query_one("#editor").text == changed

    async def test_esc_after_a_change_then_discard_leaves_the_object_alone(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            store = app.session.cluster.store
            before = store.get("PodSecurityPolicy", "", "permissive")["metadata"]
            screen = await open_editor(app, pilot, "edit psp permissive")
            editor = screen.query_one("#editor")
            editor.text = editor.text.replace("name: permissive", "name: permissive\n  labels: {a: b}")
            await pilot.press("escape", "y")
            await pilot.pause()
            assert app.screen is app.main_screen
            assert "Edit cancelled, no changes made." in app.transcript
            assert store.get("PodSecurityPolicy", "", "permissive")["metadata"] == before


class TestSyntaxErrors:
    async def test_the_error_names_the_line_as_the_editor_numbers_it_and_the_cursor_goes_there(
        self,
    ) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            screen = await open_editor(app, pilot, "edit pod web")
            editor = screen.query_one("#editor")
            # An over-indented key under metadata: `mapping values are not allowed here`.
            editor.text = editor.text.replace("  name: web\n", "  name: web\n     broken: x\n", 1)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            lines = editor.text.splitlines()
            (error,) = [line for line in lines if "syntax error" in line]
            assert error.startswith("# The edited file had a syntax error: line ")
            named = int(error.split("line ", 1)[1].split(",", 1)[0])
            assert lines[named - 1] == "     broken: x"
            assert editor.cursor_location[0] == named - 1
            assert "mapping values are not allowed here" in error
            assert "^" not in error and "<unicode string>" not in error

    async def test_the_error_keeps_the_parsers_context_readable(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            screen = await open_editor(app, pilot, "edit pod web")
            editor = screen.query_one("#editor")
            editor.text = editor.text.replace("  name: web\n", "  name: web\n  tags: [a, b\n", 1)
            await pilot.press("ctrl+s")
            await pilot.pause()
            lines = editor.text.splitlines()
            (error,) = [line for line in lines if "syntax error" in line]
            named = int(error.split("line ", 1)[1].split(",", 1)[0])
            opened = int(error.rsplit("starts on line ", 1)[1].rstrip(")"))
            assert "(while parsing a flow sequence that starts on line" in error
            assert lines[opened - 1] == "  tags: [a, b"
            assert editor.cursor_location[0] == named - 1

    async def test_a_buffer_nested_too_deep_is_an_error_at_its_line_not_a_traceback(self) -> None:
        # Read as a manifest file is (engine/manifests/yamlbuild.py, go-yaml's "exceeded max
        # depth"): PyYAML's safe_load recursed and raised RecursionError past ~490 levels.
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            screen = await open_editor(app, pilot, "edit pod web")
            editor = screen.query_one("#editor")
            deep = "  annotations: {a: " + "[" * 600 + "]" * 600 + "}\n"
            editor.text = editor.text.replace("  name: web\n", "  name: web\n" + deep, 1)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            lines = editor.text.splitlines()
            (error,) = [line for line in lines if "syntax error" in line]
            assert error.endswith("error parsing YAML: exceeded max depth of 100")
            named = int(error.split("line ", 1)[1].split(":", 1)[0])
            assert lines[named - 1].startswith("  annotations: {a: [[[")
            assert editor.cursor_location[0] == named - 1
