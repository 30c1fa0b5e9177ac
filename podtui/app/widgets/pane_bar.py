"""The row of pane tabs (`1 Pods  2 Controllers ...`) and, for the Controllers pane, its kinds."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from podtui.app.resources import OTHER_PANE, PANES, short_name, title


class PaneBar(Widget):
    """Tabs for the panes; the active one highlighted. Click a tab to switch."""

    COMPONENT_CLASSES = {"pane-bar--active", "pane-bar--key", "pane-bar--kind", "pane-bar--dim"}
    DEFAULT_CSS = "PaneBar { height: 1; }"

    pane_id: reactive[str] = reactive("pods")
    kind: reactive[str] = reactive("Pod")

    class Chosen(Message):
        """A tab or a kind was clicked."""

        def __init__(self, pane_id: str, kind: str | None) -> None:
            super().__init__()
            self.pane_id = pane_id
            self.kind = kind

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, str | None]] = []

    def render(self) -> Text:
        text = Text()
        self._spans = []
        active = self.get_component_rich_style("pane-bar--active", partial=True)
        key_style = self.get_component_rich_style("pane-bar--key", partial=True)
        dim = self.get_component_rich_style("pane-bar--dim", partial=True)
        for pane in PANES:
            start = len(text)
            label = Text.assemble((f" {pane.key} ", key_style), (f"{pane.title} ", ""))
            if pane.id == self.pane_id:
                label.stylize(active)
            text.append_text(label)
            self._spans.append((start, len(text), pane.id, None))
            text.append(" ")
        current = next((p for p in PANES if p.id == self.pane_id), OTHER_PANE)
        if current is OTHER_PANE:
            text.append_text(Text.assemble(("  ", ""), (f" {title(self.kind)} ", active)))
        elif len(current.kinds) > 1:
            text.append("  ")
            kind_style = self.get_component_rich_style("pane-bar--kind", partial=True)
            for index, kind in enumerate(current.kinds):
                if index:
                    text.append(" · ", dim)
                start = len(text)
                label = title(kind) if kind == self.kind else short_name(kind)
                text.append(label, kind_style if kind == self.kind else dim)
                self._spans.append((start, len(text), current.id, kind))
            text.append("   [ ] switch", dim)
        return text

    def _on_click(self, event: events.Click) -> None:
        for start, end, pane_id, kind in self._spans:
            if start <= event.x < end:
                self.post_message(self.Chosen(pane_id, kind))
                return
