"""The feature packages plugged into the console's screens and widgets (podtui.app.plugins).

Imported once by podtui.app.app, before any screen is built. The order of the calls is the
order things show (the header's notes: drill and disruption, then the PSP note).
"""

from __future__ import annotations

from podtui.app import plugins
from podtui.app.disruption.badges import header_notes as disruption_notes
from podtui.app.security.badges import psp_note

plugins.add_header_notes(disruption_notes)
plugins.add_admission_note(psp_note)
