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

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from engine.manifests.source import read_source
from engine.manifests.yamldoc import Problem, parse_documents


class KeymapError(ValueError):
    """A keymap file that cannot be used (`FILE: message`)."""


def load_keymap(path: str | Path, known_ids: Iterable[str]) -> dict[str, str]:
    """Read and check a keymap file; raises KeymapError naming the file."""
    file = Path(path)
    # Read and parsed as a manifest is (engine.manifests): a size limit, a byte order mark,
    # no recursion and bounded aliases in YAML, and `FILE:LINE: message` for what is wrong.
    text, problem = read_source(file, str(path))
    if text is None:
        raise KeymapError(str(problem).replace(": cannot read file: ", ": cannot read keymap: "))
    if file.suffix.lower() in (".yaml", ".yml"):
        docs, problems = parse_documents(text, str(path))
        if problems:
            raise KeymapError(str(problems[0]))
        if len(docs) > 1:
            raise KeymapError(f"{path}:{docs[1].line}: a keymap is one YAML document")
        data = docs[0].data if docs else {}
    else:
        data = _toml(text, str(path))
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


_TOML_AT = re.compile(
    r"^(?P<what>.*) \((?:at line (?P<line>\d+), column \d+|(?P<end>at end of document))\)$"
)


def _toml(text: str, file: str) -> object:
    """TOML's data, or KeymapError as `FILE:LINE: message`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = _TOML_AT.match(str(err))
        if match is None:
            raise KeymapError(str(Problem(file, 0, f"error parsing TOML: {err}"))) from err
        line = text.count("\n") + 1 if match["end"] else int(match["line"])
        raise KeymapError(str(Problem(file, line, f"error parsing TOML: {match['what']}"))) from err
    except RecursionError as err:
        # tomllib recurses once per nested array or inline table: a keymap never nests.
        raise KeymapError(str(Problem(file, 0, "error parsing TOML: nested too deep"))) from err
