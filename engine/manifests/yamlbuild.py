"""One YAML document's data, built from parser events without recursion and within limits.

PyYAML's composer and constructor recurse once or twice per nesting level, so a document
nested ~490 deep raised RecursionError; and it expands nothing, but everything that walks
the data afterwards does, so a 1 KB alias bomb ("billion laughs") took gigabytes. This
builder walks the events with an explicit stack and refuses, before building more:

- nesting deeper than MAX_DEPTH (aliases count as deep as what they name): go-yaml refuses
  past 10000 levels (scannerc.go, max_flow_level / max_indents, "exceeded max depth");
  podtui's limit is lower because the engine is Python, whose recursion limit is 1000,
  and no Kubernetes object comes near it;
- excessive aliasing, with go-yaml v2's rule exactly (decode.go, allowedAliasRatio, added
  for CVE-2019-11253, the billion-laughs report against the Kubernetes API server): once
  more than 100 of more than 1000 decoded nodes come from alias expansion, the share from
  aliases may be at most 99% up to 400,000 nodes, falling to 10% at 4,000,000;
- an alias inside the node it names ("anchor 'a' value contains itself").

An alias shares the object it names (as PyYAML does): expansion costs no memory here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.manifests.scalars import (
    MERGE,
    ScalarError,
    json_unsupported,
    key_string,
    resolve_scalar,
)

MAX_DEPTH = 100
ALIAS_RATIO_RANGE_LOW = 400_000
ALIAS_RATIO_RANGE_HIGH = 4_000_000

Path = tuple[str | int, ...]
_NO_KEY = object()


class Refused(Exception):
    """The document cannot be built; `line` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def allowed_alias_ratio(decode_count: int) -> float:
    """go-yaml v2 decode.go allowedAliasRatio."""
    if decode_count <= ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if decode_count >= ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    span = ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW
    return 0.99 - 0.89 * ((decode_count - ALIAS_RATIO_RANGE_LOW) / span)


@dataclass
class _Node:
    """A finished node: its value, how many nodes decoding it visits, how deep it goes."""

    value: Any
    count: int
    height: int
    scalar: bool


@dataclass
class _Frame:
    """An open mapping or sequence."""

    value: dict | list
    path: Path
    anchor: str | None
    line: int
    count: int = 1
    height: int = 1
    key: Any = _NO_KEY
    key_line: int = 0
    merge: bool = False
    explicit: set[str] = field(default_factory=set)
    merged: set[str] = field(default_factory=set)


class DocumentBuilder:
    """Consumes one document's events (after DocumentStartEvent, through DocumentEndEvent)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path, int] = {}
        self.duplicates: list[tuple[int, str]] = []
        self.anchors: dict[str, _Node | _Frame] = {}
        self.decode_count = 1  # the document node
        self.alias_count = 0
        self.stack: list[_Frame] = []
        self.root: _Node | None = None
        self.root_line = 1

    def build(self, parser: Any) -> Any:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.DocumentEndEvent):
                return self.root.value if self.root is not None else None
            line = event.start_mark.line + 1
            if isinstance(event, yaml.ScalarEvent):
                self._scalar(event, line)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event, line)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self._open(event, line)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self._close()

    # -- events ---------------------------------------------------------------------------
    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        plain = not event.style and bool(event.implicit and event.implicit[0])
        try:
            value = resolve_scalar(event.value, event.tag, plain)
        except ScalarError as err:
            raise Refused(f"error parsing YAML: {err}", line) from err
        self.decode_count += 1
        is_merge = (plain and event.value == "<<") or event.tag == MERGE
        node = _Node(value, 1, 0, True)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        self._attach(node, line, merge_key=is_merge)

    def _alias(self, event: yaml.AliasEvent, line: int) -> None:
        target = self.anchors.get(event.anchor)
        if target is None:
            raise Refused(f"error parsing YAML: unknown anchor '{event.anchor}' referenced", line)
        if isinstance(target, _Frame):
            raise Refused(
                f"error parsing YAML: anchor '{event.anchor}' value contains itself", line
            )
        self.decode_count += 1 + target.count
        self.alias_count += target.count
        if (
            self.alias_count > 100
            and self.decode_count > 1000
            and self.alias_count / self.decode_count > allowed_alias_ratio(self.decode_count)
        ):
            raise Refused("error parsing YAML: document contains excessive aliasing", line)
        if len(self.stack) + target.height > MAX_DEPTH:
            raise Refused(f"error parsing YAML: exceeded max depth of {MAX_DEPTH}", line)
        self._attach(_Node(target.value, 1 + target.count, target.height, target.scalar), line)

    def _open(self, event: yaml.CollectionStartEvent, line: int) -> None:
        if len(self.stack) + 1 > MAX_DEPTH:
            raise Refused(f"error parsing YAML: exceeded max depth of {MAX_DEPTH}", line)
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path: Path = ()
            self.root_line = line
        elif isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
            self.lines[path] = line
        elif parent.key is _NO_KEY and not parent.merge:
            raise Refused(
                "error parsing YAML: invalid map key: a mapping or a sequence cannot be a key",
                line,
            )
        else:
            path = (*parent.path, "<<" if parent.merge else parent.key)
        if parent is None or isinstance(parent.value, list):
            self.lines.setdefault(path, line)
        self.decode_count += 1
        value: dict | list = {} if isinstance(event, yaml.MappingStartEvent) else []
        frame = _Frame(value, path, event.anchor, line)
        if event.anchor is not None:
            self.anchors[event.anchor] = frame
        self.stack.append(frame)

    def _close(self) -> None:
        frame = self.stack.pop()
        node = _Node(frame.value, frame.count, frame.height, False)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = node
        self._attach(node, frame.line)

    # -- placing a finished node --------------------------------------------------------------
    def _attach(self, node: _Node, line: int, *, merge_key: bool = False) -> None:
        if not self.stack:
            self._check_json(node, line)
            self.root = node
            self.root_line = line
            return
        top = self.stack[-1]
        top.count += node.count
        top.height = max(top.height, node.height + 1)
        if isinstance(top.value, list):
            self._check_json(node, line)
            self.lines.setdefault((*top.path, len(top.value)), line)
            top.value.append(node.value)
            return
        if top.key is _NO_KEY and not top.merge:
            if merge_key:
                top.merge = True
                top.key_line = line
                return
            if not node.scalar:
                raise Refused(
                    "error parsing YAML: invalid map key: a mapping or a sequence cannot be a key",
                    line,
                )
            try:
                top.key = key_string(node.value)
            except ScalarError as err:
                raise Refused(f"error converting YAML to JSON: {err}", line) from err
            top.key_line = line
            return
        if top.merge:
            self._merge(top, node, line)
            top.merge = False
            return
        key, top.key = top.key, _NO_KEY
        self._check_json(node, line)
        path = (*top.path, key)
        if key in top.explicit:
            first = self.lines.get(path, top.key_line)
            self.duplicates.append(
                (top.key_line, f'mapping key "{key}" already defined at line {first}')
            )
            return
        top.explicit.add(key)
        self.lines[path] = top.key_line
        top.value[key] = node.value  # type: ignore[index]

    def _merge(self, top: _Frame, node: _Node, line: int) -> None:
        """`<<: *base` (or a list of them): keys the mapping does not set itself; among
        several merged mappings the first wins, as in go-yaml and the YAML merge spec."""
        sources = node.value if isinstance(node.value, list) else [node.value]
        if not all(isinstance(source, dict) for source in sources):
            raise Refused(
                "error parsing YAML: map merge requires map or sequence of maps as the value",
                line,
            )
        for source in sources:
            for key, value in source.items():
                if key in top.explicit or key in top.merged:
                    continue
                top.merged.add(key)
                top.value[key] = value  # type: ignore[index]
                self.lines.setdefault((*top.path, key), top.key_line)

    @staticmethod
    def _check_json(node: _Node, line: int) -> None:
        if node.scalar:
            problem = json_unsupported(node.value)
            if problem is not None:
                raise Refused(f"error converting YAML to JSON: {problem}", line)
