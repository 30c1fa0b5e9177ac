"""A lesson as loaded from its folder: steps with their text in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Localized:
    """One text in the chapter's Chinese and in an English rendering."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class LessonStep:
    """One exercise: what the chapter says, what to do, how podtui sees it is done."""

    title: Localized
    text: Localized
    task: Localized
    checks: list[Any]  # compiled JMESPath expressions; every one must hold
    sources: list[str]  # the expressions as written, for messages
    hint: Localized
    reveal: Localized
    hint_after: float = 60.0
    remember: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass
class Lesson:
    """A folder of `lesson.yaml`, its manifests and the scenario that solves it."""

    name: str
    folder: Path
    section: str
    order: int
    title: Localized
    intro: Localized
    steps: list[LessonStep]
    manifests: Path
    solution: Path | None
    until: float = 300.0
    file: str = ""

    def heading(self, lang: str) -> str:
        return f"{self.section} {self.title.get(lang)}"
