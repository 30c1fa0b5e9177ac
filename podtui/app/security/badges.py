"""What the header says about PodSecurityPolicy: whether its admission plugin is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api.kinds import kind_info
from podtui.backends.base import ADMISSION

if TYPE_CHECKING:
    from podtui.app.session import Session

PSP_ON = "PSP admission on"


def psp_note(session: Session) -> str:
    """`PSP admission on` while a PodSecurityPolicy exists (podtui's rule: the plugin is on
    while there is a policy, and then every new pod needs one it may use); "" otherwise."""
    if kind_info("PodSecurityPolicy") is None or not session.has(ADMISSION):
        return ""
    from engine.security import psp_active

    return PSP_ON if psp_active(session.cluster) else ""
