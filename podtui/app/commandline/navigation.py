"""Verbs that move around the console: get, describe, logs, edit, ns, theme, the clock."""

from __future__ import annotations

from engine.api import errors
from engine.result import ActionResult
from podtui.app.commandline.parsing import (
    CommandError,
    Console,
    Parsed,
    get_object,
    kind_and_names,
    namespace_of,
)
from podtui.app.resources import plural, resolve_kind
from podtui.app.session import Session


def get(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    kind, names = kind_and_names(parsed, need_name=False)
    namespace: str | bool | None = True  # True: keep the current namespace
    if parsed.flags.get("-A"):
        namespace = None
    elif isinstance(parsed.flags.get("-n"), str):
        namespace = str(parsed.flags["-n"])
    console.show_kind(kind, namespace, names[0] if len(names) == 1 else None)
    return ActionResult()


def describe(
    parsed: Parsed, session: Session, console: Console, tab: str = "describe"
) -> ActionResult:
    kind, names = kind_and_names(parsed)
    namespace = namespace_of(parsed, console)
    with session.lock:
        obj = get_object(session, kind, namespace, names[0])
    meta = obj["metadata"]
    console.open_detail(kind, meta.get("namespace", ""), meta["name"], tab, None, False)
    return ActionResult()


def logs(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    if not parsed.args:
        raise CommandError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    target = parsed.args[0]
    kind, _, name = target.partition("/") if "/" in target else ("pod", "", target)
    if resolve_kind(kind) != "Pod":
        raise CommandError(f"error: cannot get the logs from {plural(resolve_kind(kind) or kind)}")
    namespace = namespace_of(parsed, console)
    with session.lock:
        pod = get_object(session, "Pod", namespace, name)
        container = parsed.flags.get("-c")
        names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
        names += [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
        if isinstance(container, str) and container not in names:
            raise CommandError(f"error: container {container} is not valid for pod {name}")
    console.open_detail(
        "Pod",
        namespace,
        name,
        "logs",
        container if isinstance(container, str) else None,
        bool(parsed.flags.get("-p")),
    )
    return ActionResult()


def ns(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    if not parsed.args and not parsed.flags.get("-A"):
        # k9s: the Namespaces view; enter on one shows its pods.
        console.show_kind("Namespace", True, None)
        return ActionResult()
    if parsed.flags.get("-A") or parsed.args[0] in ("all", "-A"):
        console.set_namespace(None)
        return ActionResult()
    name = parsed.args[0]
    with session.lock:
        if session.get("Namespace", "", name) is None:
            return ActionResult(errors=[errors.not_found("namespaces", name).kubectl()])
    console.set_namespace(name)
    return ActionResult()


def theme(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    if not parsed.args:
        return ActionResult(lines=console.set_theme(""))
    problems = console.set_theme(parsed.args[0])
    return ActionResult(errors=problems)


def clock(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    return console.clock(parsed.verb, parsed.args[0] if parsed.args else None)


def show_help(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    console.show_help()
    return ActionResult()


def quit_console(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    console.quit()
    return ActionResult()
