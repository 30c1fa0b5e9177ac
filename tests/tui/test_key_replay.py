"""Keys still queued while the console shuts down (a key mashed just before quitting) find
no screen: they are dropped, not turned into a ScreenStackError traceback on exit."""

from __future__ import annotations

from textual import events

from podtui.app.key_replay import KeysFollowTheScreen


class _Bare(KeysFollowTheScreen):
    """An app of the console's kind that is not running: its screen stack is empty."""


async def test_a_key_arriving_with_no_screen_is_dropped_quietly() -> None:
    app = _Bare()
    assert app.screen_stack == []
    key = events.Key("x", "x")
    await app.on_event(key)  # would read app.screen and raise ScreenStackError
    await app._on_key(key)
