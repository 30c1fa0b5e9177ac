"""The scale dialog (`s` on a Deployment, ReplicaSet or StatefulSet) under fast typing.

Keys typed in one burst arrive before the dialog has even drawn; none may be lost or
reordered, and the dialog never sits open under the main screen's footer.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer, Input, Label

from podtui.app.screens.dialogs import ScaleDialog
from tests.tui.conftest import until
from tests.tui.screen_text import screen_lines
from tests.tui.test_controllers import controllers_app, get, show


def burst(app, *keys: str) -> None:
    """Keys as a fast typist (or a paste) delivers them: all queued before any is handled."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


class TestFastTyping:
    async def test_s_backspace_5_enter_in_one_burst_scales_to_5(self) -> None:
        app = controllers_app()
        async with app.run_test(size=(120, 34)) as pilot:
            await show(app, pilot, "StatefulSet", "default/db")
            assert get(app, "StatefulSet", "db")["spec"]["replicas"] == 2
            burst(app, "s", "backspace", "5", "enter")
            await until(pilot, lambda: get(app, "StatefulSet", "db")["spec"]["replicas"] != 2)
            assert get(app, "StatefulSet", "db")["spec"]["replicas"] == 5
            await until(pilot, lambda: app.screen is app.main_screen)
            # The Outcome message (and so the transcript line) arrives a turn after the
            # scale itself, which the check above can see first on a busy machine.
            await until(pilot, lambda: "statefulset.apps/db scaled" in app.transcript)
            assert "statefulset.apps/db scaled" in app.transcript

    async def test_editing_keys_keep_their_place_among_the_digits(self) -> None:
        app = controllers_app()
        async with app.run_test(size=(120, 34)) as pilot:
            await show(app, pilot, "StatefulSet", "default/db")
            await pilot.press("s")
            assert isinstance(app.screen, ScaleDialog)
            burst(app, "backspace", "1", "2", "backspace", "3")
            field = app.screen.query_one("#replicas", Input)
            # Five keys, five edits: wait for the fifth (the value's length settles at 2).
            await until(pilot, lambda: field.value.endswith("3"))
            assert field.value == "13"


class TestTheDialogStaysHonest:
    async def test_an_empty_count_is_refused_in_the_dialog_with_its_own_keys(self) -> None:
        app = controllers_app()
        async with app.run_test(size=(120, 34)) as pilot:
            await show(app, pilot, "StatefulSet", "default/db")
            await pilot.press("s", "backspace", "enter")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ScaleDialog)
            error = dialog.query_one("#scale-error", Label)
            assert error.display
            assert str(error.render()) == 'error: invalid argument "" for "--replicas" flag'
            # The footer on screen is the dialog's (esc cancels), not the main screen's.
            assert dialog.query_one(Footer)
            footer = screen_lines(app)[-1]
            assert "esc Cancel" in footer, footer
            assert "Describe" not in footer, footer
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.main_screen
            assert get(app, "StatefulSet", "db")["spec"]["replicas"] == 2
