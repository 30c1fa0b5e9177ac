"""The reader's progress, kept in the user's data folder (XDG: `$XDG_DATA_HOME/podtui`,
by default ~/.local/share/podtui) as `learn-progress.json`: steps done per lesson."""

from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "learn-progress.json"


def data_home() -> Path:
    """podtui's folder under the XDG data home."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    # The XDG spec: a relative path in the variable is invalid and is ignored.
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "podtui"


def progress_file() -> Path:
    return data_home() / FILE


def read_progress() -> dict[str, int]:
    """Steps done per lesson name (a missing or unreadable file is no progress)."""
    try:
        data = json.loads(progress_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    lessons = data.get("lessons") if isinstance(data, dict) else None
    if not isinstance(lessons, dict):
        return {}
    return {
        str(name): int(done) for name, done in lessons.items() if isinstance(done, int) and done > 0
    }


def write_progress(progress: dict[str, int]) -> None:
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"lessons": dict(sorted(progress.items()))}, indent=2) + "\n"
    partial = path.with_suffix(".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def record(lesson: str, done: int) -> None:
    """Remember that `done` steps of the lesson are done (never forgets steps)."""
    progress = read_progress()
    if done > progress.get(lesson, 0):
        progress[lesson] = done
        write_progress(progress)


def reset(lesson: str | None = None) -> None:
    """Forget one lesson's progress, or every lesson's."""
    progress = read_progress()
    if lesson is None:
        progress = {}
    else:
        progress.pop(lesson, None)
    write_progress(progress)
