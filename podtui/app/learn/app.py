"""The console with a lesson: PodtuiApp plus the lesson panel and its keys.

Nothing in the console knows about lessons: this subclass mounts the panel on the main
screen and, each time the app shows the cluster's changes (after a tick or an action),
looks at the cluster for the current step's checks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding
from textual.css.query import NoMatches

from engine.lessons import Lesson, LessonRun
from podtui.app.app import PodtuiApp
from podtui.app.learn.panel import LessonPanel
from podtui.app.learn.verbs import lesson_verbs


class LessonApp(PodtuiApp):
    """`podtui learn LESSON`: the console on the lesson's cluster, the lesson beside it."""

    # Textual resolves CSS_PATH beside the module that defines the class: point at the app's.
    CSS_PATH = str(Path(__file__).parent.parent / "podtui.tcss")

    BINDINGS = [
        Binding("H", "lesson_hint", "Hint", id="lesson.hint"),
        Binding("V", "lesson_reveal", "Reveal", id="lesson.reveal"),
    ]

    def __init__(
        self,
        *args,
        lesson: Lesson,
        lang: str = "en",
        done: int = 0,
        on_progress: Callable[[str, int], None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._lesson_keymap: dict[str, str] = dict(kwargs.get("keymap") or {})
        self.lesson = lesson
        self.lang = lang
        self.lesson_run = LessonRun(lesson, self.session.cluster, done=done)
        self.on_progress = on_progress
        self.title = f"podtui learn · {lesson.heading(lang)}"
        self.session.verbs.update(lesson_verbs(self.action_lesson_hint, self.action_lesson_reveal))

    def on_mount(self) -> None:
        # Textual calls PodtuiApp.on_mount too (handlers run for every class of the MRO),
        # after this one: it pushes the main screen.
        with self.session.lock:
            self.lesson_run.observe()
        # The main screen composes after this handler: mount the panel once it has.
        self.call_after_refresh(self._mount_panel)

    def _mount_panel(self) -> None:
        # Docked in the pane area: beside the tables, under the header, above the footer.
        pane = self.main_screen.query_one("#pane")
        panel = LessonPanel(self.lesson, self.lesson_run, self.lang, id="lesson")
        panel.keys = {"hint": self._key_of("lesson.hint"), "reveal": self._key_of("lesson.reveal")}
        pane.mount(panel)

    def _key_of(self, binding_id: str) -> str:
        """The first key bound to a lesson binding, as Textual displays it (a keymap's)."""
        binding = next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
        key = self._lesson_keymap.get(binding_id, binding.key).split(",")[0].strip()
        return self.get_key_display(Binding(key, binding.action))

    @property
    def lesson_panel(self) -> LessonPanel:
        return self.main_screen.query_one("#lesson", LessonPanel)

    def apply_changes(self) -> None:
        super().apply_changes()
        with self.session.lock:
            passed = self.lesson_run.observe()
        try:
            panel = self.lesson_panel
        except (NoMatches, LookupError):  # before the panel is mounted
            return
        if passed:
            done = self.lesson_run.current
            if self.on_progress is not None:
                self.on_progress(self.lesson.name, done)
            panel.step_changed()
            for index in passed:
                title = self.lesson.steps[index].title.get(self.lang)
                self.notify(f"✓ {title}", markup=False, timeout=4)
        else:
            panel.refresh_lesson()

    def action_lesson_hint(self) -> None:
        panel = self.lesson_panel
        panel.show_hint = True
        panel.refresh_lesson()

    def action_lesson_reveal(self) -> None:
        panel = self.lesson_panel
        panel.show_hint = True
        panel.show_reveal = True
        panel.refresh_lesson()
