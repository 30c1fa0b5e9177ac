"""Where the feature packages plug into the screens and widgets.

The screens and widgets are the console's frame; the feature packages (podtui.app.disruption,
security, workloads, drill, learn, checkpoint, reload_ui) build on them. So the frame does
not import a feature back: it asks this registry, and each feature puts its part here when
podtui.app.features is imported (podtui.app.app imports it, before any screen is built).
An import-linter contract in pyproject.toml keeps the frame free of feature imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from podtui.app.session import Session

HeaderNote = tuple[str, str]
"""(text, the header's component class that colours it)"""

HeaderNotes = Callable[["Session"], tuple[HeaderNote, ...]]
AdmissionNote = Callable[["Session"], str]

_header_notes: list[HeaderNotes] = []
_admission_notes: list[AdmissionNote] = []


def add_header_notes(source: HeaderNotes) -> None:
    """A feature's notes for the header's clock line (`☠ chaos 30s · 2 killed`); the
    sources are asked in the order they were added."""
    if source not in _header_notes:
        _header_notes.append(source)


def add_admission_note(source: AdmissionNote) -> None:
    """A feature's word on admission for the clock line's last part (`PSP admission on`)."""
    if source not in _admission_notes:
        _admission_notes.append(source)


def header_notes(session: Session) -> tuple[HeaderNote, ...]:
    """Every feature's notes, in the order the features were added."""
    return tuple(note for source in _header_notes for note in source(session))


def admission_note(session: Session) -> str:
    """The first non-empty admission note; "" when no feature has one."""
    return next((text for source in _admission_notes if (text := source(session))), "")


_main_screen: list[Callable[[Session], Screen]] = []


def set_main_screen(screen: Callable[[Session], Screen]) -> None:
    """The main screen's class with the features plugged in (podtui.app.features)."""
    _main_screen[:] = [screen]


def main_screen(session: Session) -> Screen:
    """A new main screen over `session`, the features' keys and widgets in it."""
    if not _main_screen:
        raise LookupError("no main screen: podtui.app.features is not imported")
    return _main_screen[0](session)


# What the screens' own actions leave behind: the session journal's steps (`:save` writes
# them as a scenario, podtui.app.disruption.journal) and the checkpoint log's entries
# (podtui.app.checkpoint.log). The `:` verbs write them directly: they are features too.
StepRecorder = Callable[..., None]
"""(session, action, value, **options): one scenario step."""
StepNote = Callable[["Session", str], None]
"""(session, what): a line the journal keeps without a step (`edit pods/web-0`)."""
EditRecorder = Callable[["Session", dict], None]
"""(session, obj): the object `edit` saved, as the API server's update took it."""

_step_recorders: list[StepRecorder] = []
_step_notes: list[StepNote] = []
_edit_recorders: list[EditRecorder] = []


def add_step_recorder(recorder: StepRecorder) -> None:
    if recorder not in _step_recorders:
        _step_recorders.append(recorder)


def add_step_note(recorder: StepNote) -> None:
    if recorder not in _step_notes:
        _step_notes.append(recorder)


def add_edit_recorder(recorder: EditRecorder) -> None:
    if recorder not in _edit_recorders:
        _edit_recorders.append(recorder)


def record_step(session: Session, action: str, value: Any, **options: Any) -> None:
    """A key's action as the step a scenario would replay (`delete`, `cordon`, ...)."""
    for recorder in _step_recorders:
        recorder(session, action, value, **options)


def note_step(session: Session, what: str) -> None:
    for recorder in _step_notes:
        recorder(session, what)


def record_edit(session: Session, obj: dict) -> None:
    for recorder in _edit_recorders:
        recorder(session, obj)
