"""The feature packages plugged into the console's screens and widgets.

The header asks podtui.app.plugins for its notes; the main screen is MainScreen (the frame)
with the features' key mixins and widgets: features.MainScreen, below. Imported once by
podtui.app.app, before any screen is built. The order of the calls is the order things show
(the header's notes: drill and disruption, then the PSP note).
"""

from __future__ import annotations

from textual.app import ComposeResult

from podtui.app import plugins
from podtui.app.checkpoint import log as checkpoint_log
from podtui.app.disruption import journal
from podtui.app.disruption.badges import header_notes as disruption_notes
from podtui.app.disruption.keys import DisruptionKeys
from podtui.app.disruption.panel import DisruptionPanel
from podtui.app.drill.keys import DrillKeys
from podtui.app.reload_ui.banner import AdmissionNote, ConsoleReloadBanner
from podtui.app.screens import main as frame
from podtui.app.security.badges import psp_note
from podtui.app.security.keys import SecurityKeys
from podtui.app.workloads.keys import WorkloadKeys

plugins.add_header_notes(disruption_notes)
plugins.add_admission_note(psp_note)
plugins.add_step_recorder(journal.record)
plugins.add_step_note(journal.note)
plugins.add_edit_recorder(checkpoint_log.record_update)


class MainScreen(SecurityKeys, WorkloadKeys, DisruptionKeys, DrillKeys, frame.MainScreen):
    """The main screen with the features' keys, widgets and checks plugged in: what the
    console shows. podtui.app.screens.main.MainScreen is the frame and knows none of them;
    this one keeps its name (Textual's CSS type, what a test or a log sees)."""

    def compose_above_pane(self) -> ComposeResult:
        yield ConsoleReloadBanner()
        yield AdmissionNote(id="admission-note")

    def compose_under_table(self) -> ComposeResult:
        yield DisruptionPanel(id="disruption-panel")

    def dismiss_banners(self) -> None:
        self.query_one(ConsoleReloadBanner).dismiss()

    def check_feature_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In this order: `x` is the security feature's on every pane it applies to.
        for check in (
            self.check_security_action,
            self.check_workload_action,
            self.check_disruption_action,
        ):
            verdict = check(action, parameters)
            if verdict is not None:
                return verdict
        return None


plugins.set_main_screen(MainScreen)
