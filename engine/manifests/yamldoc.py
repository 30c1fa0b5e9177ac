"""YAML documents parsed as the API machinery parses them, remembering each field's line.

Kubernetes turns YAML into JSON before decoding (sigs.k8s.io/yaml over go-yaml v2), so
timestamps stay strings, YAML 1.1 booleans (`yes`, `on`, `y`) are booleans and map keys
become strings (engine/manifests/scalars.py). Duplicate keys are an error, as in kubectl's
strict decoding. Every input gets `FILE:LINE: message` and bounded time and memory: a file
is at most MAX_FILE_BYTES, nesting at most MAX_DEPTH, aliases expand as far as go-yaml
lets them (engine/manifests/yamlbuild.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

from engine.manifests.yamlbuild import MAX_DEPTH, DocumentBuilder, Refused

Path = tuple[str | int, ...]

# The API server refuses a request body over 3 MiB (k8s.io/apiserver, server/config.go,
# MaxRequestBodyBytes = 3 * 1024 * 1024, "Request entity too large: limit is 3145728"):
# no object from a larger document could reach it. podtui holds a whole file to that.
MAX_FILE_BYTES = 3 * 1024 * 1024

# libyaml's event parser when PyYAML has it (about ten times faster); the events, marks
# and errors are the same as the pure-Python parser's.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "Document", "Problem", "parse_documents"]


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
        message = self.message.translate(_ESCAPES)
        if self.line <= 0:
            return f"{self.file}: {message}"
        return f"{self.file}:{self.line}: {message}"


# A problem is one line whatever it quotes from the file: control characters (a key "\r",
# a value with an escape sequence) are shown escaped, as Go's %q shows them.
_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_ESCAPES |= {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def file_too_large(file: str) -> Problem:
    return Problem(
        file,
        0,
        f"the file is larger than {MAX_FILE_BYTES} bytes (3 MiB, the largest request body "
        "the API server accepts)",
    )


def looks_like_utf16(data: bytes) -> bool:
    """Mostly-ASCII text in UTF-16: every other byte is NUL."""
    if len(data) < 4:
        return False
    even, odd = data[0::2], data[1::2]
    return (odd.count(0) * 4 >= len(odd) * 3 and not even.count(0)) or (
        even.count(0) * 4 >= len(even) * 3 and not odd.count(0)
    )


def parse_documents(text: str, file: str) -> tuple[list[Document], list[Problem]]:
    """Every non-empty document of a multi-document YAML (or JSON) text.

    Never raises: whatever the text holds, the answer is documents or `FILE:LINE` problems.
    """
    text = text.removeprefix("\ufeff")
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as err:
        line = text[: err.start].count("\n") + 1
        return [], [
            Problem(file, line, "error parsing YAML: invalid UTF-8 (an unpaired surrogate)")
        ]
    if len(encoded) > MAX_FILE_BYTES:
        return [], [file_too_large(file)]
    if file.endswith(".json") and text.strip():
        problem = _json_syntax(text, file)
        if problem is not None:
            return [], [problem]
        # JSON allows a tab wherever it allows a space; YAML does not. Valid JSON has no raw
        # tab inside a string, so every tab is whitespace and a space keeps lines and columns.
        text = text.replace("\t", " ")
    docs: list[Document] = []
    problems: list[Problem] = []
    parser = None
    try:
        parser = _Parser(text)
        parser.get_event()  # StreamStartEvent
        while not parser.check_event(yaml.StreamEndEvent):
            parser.get_event()  # DocumentStartEvent
            builder = DocumentBuilder(file)
            data = builder.build(parser)
            if builder.duplicates:
                problems.extend(
                    Problem(file, line, message) for line, message in builder.duplicates
                )
                continue
            if data is None:
                continue
            docs.append(Document(data, file, builder.root_line, builder.lines))
    except Refused as err:
        problems.append(Problem(file, err.line, err.message))
    except yaml.reader.ReaderError as err:
        problems.append(_reader_problem(err, text, encoded, file))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = err.problem or "invalid YAML"
        context = f" {err.context}" if err.context else ""
        if "exceeded maximum nesting depth" in f"{context} {what}":
            # libyaml 0.2.6 (PyYAML 6.0.4's wheels) refuses deep flow nesting while it scans
            # ahead, before the builder counts the depth: the same refusal, in our words.
            problems.append(
                Problem(file, line, f"error parsing YAML: exceeded max depth of {MAX_DEPTH}")
            )
        else:
            problems.append(Problem(file, line, f"error parsing YAML:{context} {what}".strip()))
    except yaml.YAMLError as err:
        problems.append(Problem(file, 1, f"error parsing YAML: {err}"))
    finally:
        if parser is not None:
            parser.dispose()
    return docs, problems


def _reader_problem(err: yaml.reader.ReaderError, text: str, encoded: bytes, file: str) -> Problem:
    """A character YAML does not allow (go-yaml: "control characters are not allowed")."""
    if isinstance(err.position, int):
        # libyaml reports a byte offset, the pure-Python reader a character index.
        before = (
            encoded[: err.position].count(b"\n")
            if _Parser is not yaml.SafeLoader
            else (text[: err.position].count("\n"))
        )
        line = before + 1
    else:
        line = 1
    if looks_like_utf16(encoded[:64]):
        return Problem(
            file,
            line,
            "the file looks like UTF-16 without a byte order mark: save it as UTF-8 "
            "(or UTF-16 with a byte order mark)",
        )
    character = err.character if isinstance(err.character, int) else 0
    return Problem(
        file,
        line,
        f"error parsing YAML: control characters are not allowed (#x{character:04x})",
    )


def _json_syntax(text: str, file: str) -> Problem | None:
    """JSON's own syntax errors, in encoding/json's terms where they differ from Python's."""

    def no_constant(name: str) -> object:
        raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")

    try:
        # The values come from the YAML reading below; this pass only checks the syntax.
        json.loads(
            text, parse_int=lambda _: 0, parse_float=lambda _: 0.0, parse_constant=no_constant
        )
    except json.JSONDecodeError as err:
        return Problem(file, err.lineno, f"error parsing JSON: {err.msg}")
    except ValueError as err:  # NaN / Infinity, which encoding/json refuses
        return Problem(file, 1, f"error parsing JSON: {err}")
    except RecursionError:
        return None  # nested too deep for Python's json: the YAML reading says where
    return None
