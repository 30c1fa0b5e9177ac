"""The lesson panel: the chapter's words, the task, a live check, the hint and the reveal.

It reads the lesson's state (engine.lessons.LessonRun) and renders it as Rich text; Rich
measures wide characters, so Chinese text wraps and aligns in the terminal's cells.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.lessons import Lesson, LessonRun

WORDS = {
    "step": {"zh": "第 {n}/{total} 步", "en": "Step {n}/{total}"},
    "task": {"zh": "任务", "en": "Task"},
    "waiting": {"zh": "… 检查中：还没有完成", "en": "… checking: not done yet"},
    "done": {"zh": "✓ 完成", "en": "✓ Done"},
    "hint": {"zh": "提示", "en": "Hint"},
    "reveal": {"zh": "一种做法", "en": "One way to do it"},
    "keys": {"zh": "{hint} 提示 · {reveal} 答案", "en": "{hint} hint · {reveal} reveal"},
    "finished": {
        "zh": "✓ 本课完成！podtui learn --list 列出所有课程。",
        "en": "✓ Lesson complete! podtui learn --list lists every lesson.",
    },
    "previous": {"zh": "已完成", "en": "Done"},
}


def word(key: str, lang: str, **values: object) -> str:
    return WORDS[key][lang].format(**values)


def _folded(parts: list[Text]) -> list[Text]:
    """A word longer than the panel (an object name, a path) folds rather than being cut."""
    for part in parts:
        part.overflow = "fold"
    return parts


class LessonPanel(VerticalScroll):
    """The lesson beside the panes; `refresh_lesson()` after every check."""

    DEFAULT_CSS = """
    LessonPanel {
        dock: right;
        width: 40%;
        min-width: 30;
        max-width: 64;
        height: 1fr;
        border-left: solid $primary;
        padding: 0 1;
        background: $surface;
    }
    LessonPanel > Static { width: 1fr; }
    """

    def __init__(self, lesson: Lesson, run: LessonRun, lang: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lesson = lesson
        self.run = run
        self.lang = lang
        self.show_hint = False
        self.show_reveal = False
        self.keys = {"hint": "H", "reveal": "V"}
        """The keys in effect (a keymap may remap lesson.hint and lesson.reveal)."""

    def compose(self):
        yield Static(self.render_lesson(), id="lesson-text")

    def refresh_lesson(self) -> None:
        if self.is_mounted:
            self.query_one("#lesson-text", Static).update(self.render_lesson())

    def render_lesson(self) -> Group:
        """The task first (it must show on a small terminal), then the chapter's words."""
        lang = self.lang
        lesson = self.lesson
        parts: list[Text] = [Text(lesson.heading(lang), style="bold")]
        step = self.run.step
        if step is None:
            parts.append(Text(word("finished", lang), style="bold green"))
            parts.extend(self._done(lang))
            return Group(*_folded(parts))
        n = self.run.current + 1
        total = len(self.run.verdicts)
        parts.append(Text(f"{word('step', lang, n=n, total=total)} · {step.title.get(lang)}"))
        parts.append(Text(""))
        parts.append(Text(f"▶ {word('task', lang)}: ", style="bold").append(step.task.get(lang)))
        parts.append(Text(word("waiting", lang), style="yellow"))
        if self.show_hint or self.run.hint_due():
            parts.append(Text(f"{word('hint', lang)}: ", style="bold").append(step.hint.get(lang)))
        if self.show_reveal:
            reveal = Text(f"{word('reveal', lang)}: ", style="bold")
            parts.append(reveal.append(step.reveal.get(lang)))
        for error in dict.fromkeys(self.run.errors[-3:]):
            parts.append(Text(f"error in a check: {error}", style="red"))
        parts.append(Text(word("keys", lang, **self.keys), style="dim"))
        parts.append(Text(""))
        parts.append(Text(step.text.get(lang)))
        if self.run.current == 0 and lesson.intro.get(lang):
            parts.append(Text(""))
            parts.append(Text(lesson.intro.get(lang), style="italic"))
        parts.extend(self._done(lang))
        return Group(*_folded(parts))

    def _done(self, lang: str) -> list[Text]:
        done = [v for v in self.run.verdicts if v.done]
        if not done:
            return []
        lines = [Text(""), Text(word("previous", lang), style="dim")]
        lines += [Text(f"✓ {v.step.title.get(lang)}", style="dim") for v in done]
        return lines

    def step_changed(self) -> None:
        """A new step: its hint and reveal are hidden again."""
        self.show_hint = False
        self.show_reveal = False
        self.refresh_lesson()
