"""YAML documents parsed as the API machinery parses them, remembering each field's line.

Kubernetes turns YAML into JSON before decoding (sigs.k8s.io/yaml), so timestamps stay
strings; YAML 1.1 booleans (`yes`, `on`) are still booleans, as they are there. Duplicate
keys are an error, as in kubectl's strict decoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Document:
    """One YAML document: its data, and the line (1-based) of every path in it."""

    data: object
    file: str
    line: int
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of a path, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.line


@dataclass(frozen=True)
class Problem:
    """A mistake in the user's input, printed as `FILE:LINE: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


def parse_documents(text: str, file: str) -> tuple[list[Document], list[Problem]]:
    """Every non-empty document of a multi-document YAML (or JSON) text."""
    docs: list[Document] = []
    problems: list[Problem] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[Path, int] = {}
            dup = _index_lines(node, (), lines, file)
            if dup:
                problems.extend(dup)
                continue
            data = loader.construct_document(node)
            if data is None:
                continue
            docs.append(Document(data, file, node.start_mark.line + 1, lines))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = err.problem or "invalid YAML"
        context = f" {err.context}" if err.context else ""
        problems.append(Problem(file, line, f"error parsing YAML:{context} {what}".strip()))
    except yaml.YAMLError as err:
        problems.append(Problem(file, 1, f"error parsing YAML: {err}"))
    finally:
        loader.dispose()
    return docs, problems


def _index_lines(node: yaml.Node, path: Path, lines: dict[Path, int], file: str) -> list[Problem]:
    lines[path] = node.start_mark.line + 1
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key == "<<":
                continue
            if key in seen:
                problems.append(
                    Problem(file, line, f'mapping key "{key}" already defined at line {seen[key]}')
                )
                continue
            seen[key] = line
            lines[(*path, key)] = line
            problems.extend(_index_lines(value_node, (*path, key), lines, file))
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_index_lines(item, (*path, index), lines, file))
    return problems
