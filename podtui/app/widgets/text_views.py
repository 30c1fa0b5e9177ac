"""Read-only text views of an object: kubectl describe's text and its YAML, highlighted
with the theme's colours (keys, strings, numbers, warnings)."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

_YAML_LINE = re.compile(r"^(\s*)(- )?(?:([^\s:#][^:#]*?|\"[^\"]*\"):(?=\s|$))?(\s*)(.*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DESCRIBE_KEY = re.compile(r"^(\s*)([A-Za-z][\w .\-/()]*?:)(?=\s|$)")


class HighlightedText(Static):
    """Text shown through `highlight`, redone when the theme's styles change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, expand=True)
        self._source = ""

    def show(self, source: str) -> None:
        if source == self._source:
            return
        self._source = source
        self.update(self.highlight(source))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._source and self.is_mounted:
            self.update(self.highlight(self._source))

    def highlight(self, source: str) -> Text:
        raise NotImplementedError


class YamlView(HighlightedText):
    """`kubectl get -o yaml`, coloured: keys, strings, numbers and booleans."""

    COMPONENT_CLASSES = {
        "yaml--key",
        "yaml--string",
        "yaml--number",
        "yaml--literal",
        "yaml--dash",
    }

    def highlight(self, source: str) -> Text:
        key = self.get_component_rich_style("yaml--key", partial=True)
        string = self.get_component_rich_style("yaml--string", partial=True)
        number = self.get_component_rich_style("yaml--number", partial=True)
        literal = self.get_component_rich_style("yaml--literal", partial=True)
        dash = self.get_component_rich_style("yaml--dash", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        for line in source.splitlines():
            match = _YAML_LINE.match(line)
            if match is None:
                text.append(line + "\n", string)
                continue
            indent, bullet, name, space, value = match.groups()
            text.append(indent)
            if bullet:
                text.append(bullet, dash)
            if name is not None:
                text.append(name, key)
                text.append(":")
            text.append(space)
            if value:
                if value in ("true", "false", "null", "{}", "[]", "|", "|-", ">"):
                    style = literal
                elif _NUMBER.match(value):
                    style = number
                else:
                    style = string
                text.append(value, style)
            text.append("\n")
        return text


class DescribeView(HighlightedText):
    """`kubectl describe`, with its field names picked out and Warning events marked."""

    COMPONENT_CLASSES = {"describe--key", "describe--warning"}

    def highlight(self, source: str) -> Text:
        key = self.get_component_rich_style("describe--key", partial=True)
        warning = self.get_component_rich_style("describe--warning", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        in_events = False
        for line in source.splitlines():
            if line.startswith("Events:"):
                in_events = True
            if in_events and line.startswith("  Warning"):
                text.append(line + "\n", warning)
                continue
            match = _DESCRIBE_KEY.match(line)
            if match is not None and not in_events:
                text.append(match.group(1))
                text.append(match.group(2), key)
                text.append(line[match.end() :] + "\n")
            else:
                text.append(line + "\n")
        return text
