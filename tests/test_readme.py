"""The README's quick start: each command works on its own after a fresh clone, so a
reader who runs only one of them (or the second after quitting the first's console) is
never missing a step."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def quick_start_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_each_quick_start_command_installs_what_it_runs() -> None:
    opens, tests = quick_start_commands()
    assert opens.startswith("pip install -e .") and opens.endswith("&& podtui")
    # the test command brings its own test dependencies: it does not need the first line
    assert tests.startswith("pip install -e '.[test]'") and tests.endswith("python -m pytest")


def test_the_quick_start_says_how_to_quit_the_console() -> None:
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    assert "q quits" in section.split("\n## ", 1)[0]
