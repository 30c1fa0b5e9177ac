"""Mixed into MainScreen: `:drill` opens the drill report pane (podtui.app.drill.screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.sim import Inputs

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object


class DrillKeys(_Base):
    def open_drill(self, inputs: Inputs, names: list[str]) -> None:
        from podtui.app.drill.screen import DrillScreen

        self.app.push_screen(DrillScreen(self.session, inputs, names))
