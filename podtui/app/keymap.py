"""User keymaps: remap any key of the console by its binding id.

A keymap file is TOML or YAML with one table, `keymap`, from binding id to keys
(comma-separated for several), for example:

    [keymap]
    "action.delete" = "ctrl+x"
    "clock.pause" = "p,space"

`podtui --keymap FILE` applies it over the defaults with Textual's `App.set_keymap`;
`?` shows the keys in effect. The ids are listed in docs/console.md and in `?`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import yaml


class KeymapError(ValueError):
    """A keymap file that cannot be used (`FILE: message`)."""


def load_keymap(path: str | Path, known_ids: Iterable[str]) -> dict[str, str]:
    """Read and check a keymap file; raises KeymapError naming the file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise KeymapError(f"{path}: cannot read keymap: {err.strerror or err}") from err
    try:
        if file.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as err:
        raise KeymapError(f"{path}: {err}") from err
    if not isinstance(data, dict):
        raise KeymapError(f"{path}: a keymap is a table of binding id = keys")
    table = data.get("keymap", data)
    if not isinstance(table, dict):
        raise KeymapError(f"{path}: `keymap` must be a table of binding id = keys")
    known = set(known_ids)
    keymap: dict[str, str] = {}
    problems = []
    for binding_id, keys in table.items():
        if binding_id not in known:
            problems.append(f'unknown binding id "{binding_id}"')
            continue
        if isinstance(keys, list):
            keys = ",".join(str(k) for k in keys)
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f'"{binding_id}": keys must be a string such as "ctrl+x" or "a,b"')
            continue
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    if problems:
        raise KeymapError(
            f"{path}: " + "; ".join(problems) + f" (known ids: {', '.join(sorted(known))})"
        )
    return keymap
