"""Keys typed in a burst go to the screen that is on top when they are handled.

Textual forwards a key to the focused widget and checks the screen's (non-priority)
bindings only when the key bubbles back up to the App. A key that opens a dialog (`s`)
runs its binding then, while the keys typed right after it (`backspace 5 enter`) are
already on their way up through the screen they were typed on. They then reach the App
with the dialog on top: bindings of the dialog's input run (backspace, enter), printable
keys are dropped, and the dialog submits half of what was typed
(`invalid argument "" for "--replicas" flag`). Here such a key is typed again, as a fresh
key, once the new screen has taken its focus, so it reaches what is on screen.
"""

from __future__ import annotations

import weakref

from textual import events
from textual.app import App
from textual.screen import Screen


class KeysFollowTheScreen(App):
    """Mixed into the App: replay keys that were forwarded to a screen no longer on top."""

    _typed_on: weakref.WeakKeyDictionary[events.Key, Screen]

    def _remember_screen(self, event: events.Key) -> None:
        if not hasattr(self, "_typed_on"):
            self._typed_on = weakref.WeakKeyDictionary()
        self._typed_on[event] = self.screen

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            if not self.screen_stack:
                # A key still queued while the app shuts down finds no screen at all:
                # Textual would raise ScreenStackError forwarding it.
                return
            if not event.is_forwarded:
                self._remember_screen(event)
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        typed_on = getattr(self, "_typed_on", {}).pop(event, None)
        if not self.screen_stack:
            return
        screen = self.screen
        if typed_on is not None and typed_on is not screen and typed_on in self.screen_stack:
            # The screen it was typed on is still below: a screen was pushed over it
            # while the key was in flight. Type it again once that screen has its focus
            # (its ScreenResume, which sets the focus, is ahead in its queue).
            screen.call_next(self._type_again, event.key, event.character)
            event.prevent_default()  # App._on_key (next in the MRO) would run it now
            return

    def _type_again(self, key: str, character: str | None) -> None:
        replay = events.Key(key, character)
        replay.set_sender(self)
        self.post_message(replay)
