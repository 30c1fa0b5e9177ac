"""The footer: the keys that fit, then `…` and `? Help`, so no key is cut in half.

Textual's Footer lays every key out in a row and lets the row run off the right edge:
at 140 columns the Controllers pane lost `? Help`, at 80 columns the Pods pane ended in
`^d Del`. Here the keys are kept in their order while they fit; when some do not, a `…`
says so, and the help key (which lists every key in effect) always stays visible.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

ALWAYS_SHOWN = frozenset({"help", "app.help", "quit", "app.quit"})
"""Actions whose key is never dropped: help (which lists the keys that did not fit), quit."""
MORE = "…"


def key_width(key: FooterKey) -> int:
    """Cells a (non-compact) FooterKey takes: ` key ` then `description `."""
    width = len(key.key_display) + 2
    if key.description:
        width += len(key.description) + 1
    return width


class KeyFooter(Footer):
    """A Footer that drops the keys that do not fit, marking the drop with `…`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._composed_width = 0
        self._composed_keys: tuple | None = None

    def _keys_to_show(self) -> tuple:
        """What compose lays out: the bindings the footer shows (and the palette key, shown
        though its binding is not), as it words them, and the width."""
        if not self._bindings_ready:
            return ()
        palette = self.app.COMMAND_PALETTE_BINDING
        bindings = tuple(
            (key, b.key, b.key_display, b.action, b.description, b.group, enabled, tooltip)
            for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
            if b.show or key == palette
        )
        return (bindings, self.size.width or self.app.size.width, self.compact)

    async def recompose(self) -> None:
        # The screen signals a change of bindings at every change of focus, and most leave
        # the footer's keys as they were: laying them out again is then wasted work.
        if self.is_attached and self._keys_to_show() == self._composed_keys:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._composed_keys = self._keys_to_show()
        widgets: list[Widget] = list(super().compose())
        for widget in widgets:
            if isinstance(widget, FooterKey) and "-command-palette" not in widget.classes:
                # A FooterKey starts compact and its binding to the footer's `compact` then
                # turns that off: two full style updates per key, at every recompose (each
                # change of focus or screen). Start it with the footer's value instead. (The
                # palette key is not bound: it stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
        self._explain_disabled(widgets)
        width = self.size.width or self.app.size.width
        self._composed_width = width
        keys = [
            w for w in widgets if isinstance(w, FooterKey) and "-command-palette" not in w.classes
        ]
        docked = [w for w in widgets if w not in keys]
        # The palette key is docked right, behind a one-cell border.
        room = width - sum(key_width(w) + 1 for w in docked if isinstance(w, FooterKey))
        if sum(key_width(k) for k in keys) <= room:
            yield from widgets
            return
        kept_always = [k for k in keys if k.action in ALWAYS_SHOWN]
        room -= sum(key_width(k) for k in kept_always) + len(MORE) + 1
        shown: list[FooterKey] = []
        for key in keys:
            if key in kept_always:
                continue
            if key_width(key) > room:
                break  # in order: a later, shorter key would read as if it came first
            shown.append(key)
            room -= key_width(key)
        yield from shown
        yield FooterLabel(MORE, classes="footer-more")
        yield from kept_always
        yield from docked

    def _explain_disabled(self, widgets: list[Widget]) -> None:
        """A dimmed key that needs what the backend lacks says why, as its help text."""
        from podtui.app.capabilities import action_needs

        session = getattr(self.app, "session", None)
        if session is None:
            return
        for widget in widgets:
            if isinstance(widget, FooterKey) and widget.has_class("-disabled"):
                action = widget.action.rpartition(".")[2]
                name, _, args = action.partition("(")
                needs = action_needs(name, (args.strip("')\""),) if args else ())
                if needs is not None and not session.has(needs):
                    widget.tooltip = f"{widget.description}: {session.reason(needs)}"

    def on_resize(self) -> None:
        width = self.size.width
        if width and width != self._composed_width:
            self.call_after_refresh(self.recompose)
