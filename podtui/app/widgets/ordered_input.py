"""An Input whose editing keys keep their place among the characters typed around them.

Textual's Input inserts a printable key as soon as it receives it, but its bound keys
(backspace, delete, arrows, enter) only run once the key has bubbled up to the App, a few
message hops later. Typed in one burst, `backspace 5` becomes `5 backspace`
(Textualize/textual#6605; the fix proposed upstream, textual#6631, runs the widget's own
bindings inline, as here). Until Textual does, the console's inputs run their own
bindings when the key arrives.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OrderedInput(Input):
    """Input that runs its own (non-priority) key bindings in the order keys arrive."""

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # the App ran priority bindings before the key got here
            if await self.app.run_action(binding.action, self):
                event.stop()
                # Input._on_key, next in the MRO, must not handle it as well.
                event.prevent_default()
                return
