"""The command palette (ctrl+p): panes, kinds and clock controls by name.

Each hit runs the same action its key runs; the `:` line (podtui.app.commandline) is the
place for kubectl's verbs.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from podtui.app import resources


class PodtuiCommands(Provider):
    """Open a pane or a kind, drive the clock, show help."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        main = getattr(app, "main_screen", None)
        found: list[tuple[str, str, Callable[[], object]]] = []
        if main is not None:
            for pane in resources.PANES:
                found.append(
                    (
                        f"Pane: {pane.title}",
                        f"key {pane.key}",
                        lambda pane_id=pane.id: main.action_pane(pane_id),
                    )
                )
            for known in resources.KNOWN_KINDS:
                if len(resources.pane_for_kind(known.kind).kinds) > 1:
                    found.append(
                        (
                            f"Show {resources.title(known.kind)}",
                            f":{known.short_names[0]}",
                            lambda kind=known.kind: main.show_kind(kind),
                        )
                    )
            found.append(("Namespace…", "key n", main.action_pick_namespace))
            found.append(("All namespaces", "key 0", main.action_all_namespaces))
            found.append(("Wide columns on/off", "ctrl+w", main.action_toggle_wide))
        found += [
            ("Clock: pause / run", "space", app.action_toggle_pause),  # type: ignore[attr-defined]
            ("Clock: step one second", ".", app.action_step),  # type: ignore[attr-defined]
            ("Clock: faster", "+", app.action_faster),  # type: ignore[attr-defined]
            ("Clock: slower", "-", app.action_slower),  # type: ignore[attr-defined]
            ("Help: keys and commands", "?", app.action_help),  # type: ignore[attr-defined]
        ]
        return found

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
