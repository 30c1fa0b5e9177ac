"""The `:` command line: kubectl's verbs and resource names, as a user types them.

`run_command` parses a line and either calls the same engine action a key press or a
scenario step calls (returning kubectl's words), or asks the console to navigate (switch
pane, open a detail view or the editor) through the `Console` protocol. No Textual here:
the parsing and the engine calls are testable on their own.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.result import ActionResult
from podtui.app.capabilities import verb_refusal
from podtui.app.commandline import k9s_views, navigation, verbs
from podtui.app.commandline.parsing import CommandError, Console, Parsed, parse
from podtui.app.disruption import verbs as disruption_verbs
from podtui.app.drill import verbs as drill_verbs
from podtui.app.learn import verbs as lesson_verbs
from podtui.app.reload_ui.verbs import reloads
from podtui.app.resources import resolve_kind
from podtui.app.security import verbs as security_verbs
from podtui.app.session import Session
from podtui.app.workloads import verbs as workload_verbs
from podtui.backends.base import Unavailable

READ_ONLY_VERBS = frozenset(
    {"create", "apply", "edit", "delete", "scale", "cordon", "uncordon", "drain", "inject", "evict"}
    | {"set"}
)

Verb = Callable[[Parsed, Session, Console], ActionResult]


def run_command(line: str, session: Session, console: Console) -> ActionResult:
    """Run one `:` line; the result holds what kubectl (or podtui) prints."""
    try:
        parsed = parse(line)
    except CommandError as err:
        return ActionResult(errors=[str(err)] if str(err) else [])
    verb = parsed.verb
    handler = session.verbs.get(verb) or VERBS.get(verb)
    if handler is None:
        kind = resolve_kind(verb)
        if kind is not None:
            return navigation.get(
                Parsed("get", [verb, *parsed.args], parsed.flags), session, console
            )
        return ActionResult(errors=[f'error: unknown command "{verb}" for "kubectl"'])
    if session.readonly and verb in READ_ONLY_VERBS:
        return ActionResult(
            errors=[f'error: podtui is read-only (--readonly): "{verb}" is disabled']
        )
    refusal = verb_refusal(session, verb)
    if refusal is not None:
        return ActionResult(errors=[refusal])
    try:
        return handler(parsed, session, console)
    except CommandError as err:
        return ActionResult(errors=[str(err)])
    except Unavailable as err:  # a simulator-only feature reached on a real cluster
        return ActionResult(errors=[f"error: {err}"])
    except Exception as err:
        # A bug or an input nobody foresaw (a file `apply -f` cannot load): an error line,
        # never a traceback that ends the console and the user's cluster with it.
        detail = " ".join(str(err).split())[:200] or "no detail"
        return ActionResult(
            errors=[f"error: podtui could not run {verb!r} ({type(err).__name__}: {detail})"]
        )


VERBS: dict[str, Verb] = {
    "get": navigation.get,
    "describe": navigation.describe,
    "logs": navigation.logs,
    "log": navigation.logs,
    "edit": verbs.edit,
    "create": verbs.create,
    "apply": verbs.apply,
    "delete": verbs.delete,
    "scale": verbs.scale,
    "cordon": verbs.cordon,
    "uncordon": verbs.cordon,
    "drain": disruption_verbs.drain,
    "drains": disruption_verbs.drains,
    "evict": verbs.evict,
    "inject": verbs.inject,
    "rollout": workload_verbs.rollout,
    "set": workload_verbs.set_,
    "chaos": disruption_verbs.chaos_verb,
    "record": disruption_verbs.record,
    "exec": k9s_views.exec_,
    "aliases": k9s_views.aliases,
    "alias": k9s_views.aliases,
    "ctx": k9s_views.contexts,
    "context": k9s_views.contexts,
    "contexts": k9s_views.contexts,
    "ns": navigation.ns,
    "namespace": navigation.ns,
    "theme": navigation.theme,
    "pause": navigation.clock,
    "resume": navigation.clock,
    "step": navigation.clock,
    "speed": navigation.clock,
    "help": navigation.show_help,
    "?": navigation.show_help,
    "q": navigation.quit_console,
    "q!": navigation.quit_console,
    "quit": navigation.quit_console,
    "exit": navigation.quit_console,
    "reloads": reloads,
    "explain": security_verbs.explain,
    "refused": security_verbs.refused,
    # Registered for real in Session.verbs while a lesson runs (podtui learn).
    "hint": lesson_verbs.no_lesson,
    "reveal": lesson_verbs.no_lesson,
    "drill": drill_verbs.drill,
}

__all__ = ["READ_ONLY_VERBS", "VERBS", "CommandError", "Console", "Parsed", "parse", "run_command"]
