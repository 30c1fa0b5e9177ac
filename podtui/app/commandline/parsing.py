"""Parsing a `:` line the way kubectl reads its arguments, and the helpers every verb uses."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Protocol

from engine.api import errors
from engine.result import ActionResult
from podtui.app.resources import namespaced, plural, resolve_kind
from podtui.app.session import Session

VALUE_FLAGS = frozenset(
    {
        "-n",
        "--namespace",
        "-f",
        "--filename",
        "-c",
        "--container",
        "-l",
        "--selector",
        "-o",
        "--output",
        "--replicas",
        "--grace-period",
        "--cascade",
        "--timeout",
        "--pod-selector",
        "--exit-code",
        "--probe",
        "--duration",
        "--image",
        "--count",
        "--as",
        "--as-group",
        "--to-revision",
        "--revision",
        "--interval",
        "--seed",
    }
)
FLAG_ALIASES = {
    "--namespace": "-n",
    "--filename": "-f",
    "--container": "-c",
    "--selector": "-l",
    "--output": "-o",
    "--all-namespaces": "-A",
    "--previous": "-p",
}


class Console(Protocol):
    """What a command can ask of the console."""

    namespace: str | None

    def show_kind(self, kind: str, namespace: str | bool | None, name: str | None) -> None: ...
    def open_detail(
        self, kind: str, namespace: str, name: str, tab: str, container: str | None, previous: bool
    ) -> None: ...
    def open_editor(self, kind: str, namespace: str, name: str) -> None: ...
    def set_namespace(self, namespace: str | None) -> None: ...
    def set_theme(self, theme: str) -> list[str]: ...
    def clock(self, verb: str, argument: str | None) -> ActionResult: ...
    def show_help(self) -> None: ...
    def quit(self) -> None: ...


@dataclass
class Parsed:
    """A command line split into its verb, words and flags."""

    verb: str
    args: list[str] = field(default_factory=list)
    flags: dict[str, str | bool] = field(default_factory=dict)


class CommandError(Exception):
    """A line kubectl would refuse before talking to the server."""


def parse(line: str) -> Parsed:
    """`delete pod web --grace-period=0 --force` → verb, args, flags."""
    try:
        words = shlex.split(line)
    except ValueError as err:
        raise CommandError(f"error: {err}") from err
    if not words:
        raise CommandError("")
    if words[0] == "kubectl":
        words = words[1:]
    if not words:
        raise CommandError("")
    parsed = Parsed(words[0].lower())
    index = 1
    while index < len(words):
        word = words[index]
        if word.startswith("-") and len(word) > 1 and not _is_number(word):
            name, eq, value = word.partition("=")
            name = FLAG_ALIASES.get(name, name)
            if eq:
                parsed.flags[name] = value
            elif name in VALUE_FLAGS or FLAG_ALIASES.get(name) in VALUE_FLAGS:
                if index + 1 >= len(words):
                    raise CommandError(f"error: flag needs an argument: {word}")
                parsed.flags[name] = words[index + 1]
                index += 1
            else:
                parsed.flags[name] = True
        else:
            parsed.args.append(word)
        index += 1
    return parsed


def _is_number(word: str) -> bool:
    return word[1:].replace(".", "", 1).isdigit()


def namespace_of(parsed: Parsed, console: Console) -> str:
    value = parsed.flags.get("-n")
    if isinstance(value, str) and value:
        return value
    return console.namespace or "default"


def kind_and_names(parsed: Parsed, *, need_name: bool = True) -> tuple[str, list[str]]:
    """`pod web`, `pod/web`, `pods web other`: the kind and the names."""
    if not parsed.args:
        raise CommandError(
            "error: You must specify the type of resource. Required resource not specified."
        )
    first = parsed.args[0]
    if "/" in first:
        kinds_names = [a.partition("/") for a in parsed.args]
        kinds = {resolve_kind(k) for k, _, _ in kinds_names}
        if None in kinds:
            bad = next(k for k, _, _ in kinds_names if resolve_kind(k) is None)
            raise CommandError(f'error: the server doesn\'t have a resource type "{bad}"')
        if len(kinds) > 1:
            raise CommandError("error: one kind at a time, please")
        return kinds.pop() or "", [n for _, _, n in kinds_names]
    kind = resolve_kind(first)
    if kind is None:
        raise CommandError(f'error: the server doesn\'t have a resource type "{first}"')
    names = parsed.args[1:]
    if need_name and not names:
        raise CommandError(
            f"error: resource name may not be empty (kubectl {parsed.verb} {first} NAME)"
        )
    return kind, names


def get_object(session: Session, kind: str, namespace: str, name: str) -> dict:
    ns = namespace if namespaced(kind) else ""
    obj = session.get(kind, ns, name)
    if obj is None:
        raise CommandError(errors.not_found(resource_name(kind), name).kubectl())
    return obj


def resource_name(kind: str) -> str:
    from engine.api.kinds import kind_info

    info = kind_info(kind)
    return info.resource if info else plural(kind)
