"""The drain form lives with the other dialogs (podtui.app.screens.drain_dialog): the
screens' `r` on a node opens it, and the frame imports no feature package."""

from podtui.app.screens.drain_dialog import DrainDialog

__all__ = ["DrainDialog"]
