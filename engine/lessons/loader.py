"""Reading lesson folders: `lesson.yaml` checked whole, every problem a `FILE:LINE: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.lessons.checks import CheckError, compile_check
from engine.lessons.model import LANGUAGES, Lesson, LessonStep, Localized
from engine.manifests.yamldoc import Document, Problem, parse_documents
from engine.timeutil import DurationError, parse_duration

LESSON_FILE = "lesson.yaml"
LESSON_KEYS = ("section", "order", "title", "intro", "manifests", "solution", "until", "steps")
STEP_KEYS = ("title", "text", "task", "check", "hint", "hintAfter", "reveal", "remember")
TEXT_KEYS = ("title", "text", "task", "hint", "reveal")
REQUIRED_STEP_KEYS = ("title", "text", "task", "check", "hint", "reveal")


class _Reader:
    """Collects the problems of one lesson file while reading it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.doc.file, self.doc.line_of(path), message))

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], path: tuple, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    (*path, key), f'unknown field "{key}" in {what} (known: {", ".join(allowed)})'
                )

    def text(self, data: dict, key: str, path: tuple, required: bool = True) -> Localized:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(path, f"{key}: missing (a mapping with zh: and en:)")
            return Localized("", "")
        if not isinstance(value, dict):
            self.problem((*path, key), f"{key}: must be a mapping with zh: and en:")
            return Localized("", "")
        for lang in value:
            if lang not in LANGUAGES:
                self.problem((*path, key, lang), f'{key}: unknown language "{lang}" (zh, en)')
        texts = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem((*path, key), f"{key}: {lang}: missing or empty")
                text = ""
            texts[lang] = text.strip()
        return Localized(texts["zh"], texts["en"])

    def duration(self, data: dict, key: str, path: tuple, default: float) -> float:
        if key not in data:
            return default
        try:
            return parse_duration(data[key])
        except DurationError as err:
            self.problem((*path, key), f"{key}: {err}")
            return default

    def expression(self, text: Any, path: tuple, key: str) -> Any:
        try:
            return compile_check(text)
        except CheckError as err:
            self.problem(path, f"{key}: {err}")
            return None


def load_lesson(folder: str | Path) -> tuple[Lesson | None, list[Problem]]:
    """Read and check one lesson folder; nothing is returned unless all of it is sound."""
    folder = Path(folder)
    path = folder / LESSON_FILE
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(file, 0, f"cannot read lesson: {err}")]
    docs, problems = parse_documents(text, file)
    if problems:
        return None, problems
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        line = docs[0].line if docs else 1
        return None, [
            Problem(file, line, "a lesson is one YAML mapping (section:, title:, steps:)")
        ]
    doc = docs[0]
    data: dict = doc.data  # type: ignore[assignment]
    r = _Reader(doc)
    r.unknown_keys(data, LESSON_KEYS, (), "a lesson")
    section = data.get("section")
    if not isinstance(section, str) or not section:
        r.problem(("section",), 'section: missing (the chapter\'s section, e.g. "4.1")')
        section = ""
    order = data.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        r.problem(("order",), "order: must be an integer")
        order = 0
    title = r.text(data, "title", ())
    intro = r.text(data, "intro", (), required=False)
    manifests = folder / str(data.get("manifests", "manifests"))
    if not manifests.exists():
        r.problem(("manifests",), f"manifests: {manifests} does not exist")
    solution = None
    if "solution" in data:
        solution = folder / str(data["solution"])
        if not solution.is_file():
            r.problem(("solution",), f"solution: {solution} does not exist")
    until = r.duration(data, "until", (), 300.0)
    steps: list[LessonStep] = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        r.problem(("steps",), "steps: a lesson needs a list of steps")
        raw_steps = []
    for index, item in enumerate(raw_steps):
        step = _read_step(r, item, ("steps", index))
        if step is not None:
            steps.append(step)
    if r.problems:
        return None, r.problems
    lesson = Lesson(
        name=folder.name,
        folder=folder,
        section=section,
        order=order,
        title=title,
        intro=intro,
        steps=steps,
        manifests=manifests,
        solution=solution,
        until=until,
        file=file,
    )
    return lesson, []


def _read_step(r: _Reader, item: Any, path: tuple) -> LessonStep | None:
    if not isinstance(item, dict):
        r.problem(path, "a step must be a mapping (title:, text:, task:, check:, hint:, reveal:)")
        return None
    r.unknown_keys(item, STEP_KEYS, path, "a step")
    for key in REQUIRED_STEP_KEYS:
        if key not in item:
            r.problem(path, f"step has no {key}:")
    texts = {key: r.text(item, key, path, required=False) for key in TEXT_KEYS if key in item}
    raw = item.get("check")
    sources = raw if isinstance(raw, list) else [raw] if raw is not None else []
    checks = []
    for index, source in enumerate(sources):
        where = (*path, "check", index) if isinstance(raw, list) else (*path, "check")
        compiled = r.expression(source, where, "check")
        if compiled is not None:
            checks.append(compiled)
    remember: dict[str, Any] = {}
    raw_remember = item.get("remember", {})
    if not isinstance(raw_remember, dict):
        r.problem((*path, "remember"), "remember: a mapping of names to expressions")
        raw_remember = {}
    for name, source in raw_remember.items():
        compiled = r.expression(source, (*path, "remember", name), f"remember: {name}")
        if compiled is not None:
            remember[str(name)] = compiled
    empty = Localized("", "")
    return LessonStep(
        title=texts.get("title", empty),
        text=texts.get("text", empty),
        task=texts.get("task", empty),
        checks=checks,
        sources=[str(s) for s in sources],
        hint=texts.get("hint", empty),
        reveal=texts.get("reveal", empty),
        hint_after=r.duration(item, "hintAfter", path, 60.0),
        remember=remember,
        line=r.doc.line_of(path),
    )


def load_lessons(root: str | Path) -> tuple[list[Lesson], list[Problem]]:
    """Every lesson folder under `root`, in the chapter's order (section, then order)."""
    root = Path(root)
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    for folder in sorted(p for p in root.iterdir() if (p / LESSON_FILE).is_file()):
        lesson, found = load_lesson(folder)
        problems.extend(found)
        if lesson is not None:
            lessons.append(lesson)
    lessons.sort(key=lambda lesson: (_section_key(lesson.section), lesson.order, lesson.name))
    return lessons, problems


def _section_key(section: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in section.split("."))
