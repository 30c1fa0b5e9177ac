"""`:rollout restart|undo|history KIND/NAME` and `:set image KIND/NAME CONTAINER=IMAGE`.

Each calls the backend's workload verb (rollout_restart, rollout_undo, set_image; in
process the engine's engine.workloads.actions), the one a key in the Controllers pane
calls, and prints kubectl's lines. `set image`, `rollout restart` and `rollout undo` are the scenario's `setImage`,
`rolloutRestart` and `rolloutUndo` steps and are recorded as them.
"""

from __future__ import annotations

from engine.describe.writer import PrefixWriter, tabwrite
from engine.result import ActionResult
from engine.workloads.revisions import revision_sort_key
from podtui.app.commandline.parsing import (
    CommandError,
    Console,
    Parsed,
    get_object,
    kind_and_names,
    namespace_of,
)
from podtui.app.disruption import journal
from podtui.app.resources import type_name
from podtui.app.session import Session
from podtui.app.workloads.owners import revision

CHANGE_CAUSE = "kubernetes.io/change-cause"
ROLLOUT_USAGE = "error: rollout restart|undo|history (TYPE NAME | TYPE/NAME) [--to-revision=N]"


def rollout(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`rollout restart|undo|history TYPE/NAME`."""
    if not parsed.args:
        raise CommandError(ROLLOUT_USAGE)
    sub, rest = parsed.args[0], Parsed(parsed.verb, parsed.args[1:], parsed.flags)
    if sub == "history":
        return history(rest, session, console)
    if sub not in ("restart", "undo"):
        raise CommandError(f'error: unknown command "{sub}" for "kubectl rollout"')
    if session.readonly:
        raise CommandError(f'error: podtui is read-only (--readonly): "rollout {sub}" is disabled')
    kind, names = kind_and_names(rest)
    namespace = namespace_of(parsed, console)
    to_revision = _int_flag(parsed, "--to-revision", 0)
    result = ActionResult()
    backend = session.backend
    for name in names:
        target = f"{kind.lower()}/{name}"
        with session.lock:
            # The same step a scenario says (`rolloutRestart:` / `rolloutUndo:`), recorded
            # before it runs, as every other action; the journal logs it for checkpoints.
            if sub == "restart":
                journal.record(session, "rolloutRestart", target, namespace=namespace)
            else:
                journal.record(
                    session,
                    "rolloutUndo",
                    target,
                    namespace=namespace,
                    toRevision=to_revision or None,
                )
        if sub == "restart":
            verb = backend.rollout_restart(target, namespace=namespace)
        else:
            verb = backend.rollout_undo(target, to_revision=to_revision, namespace=namespace)
        result.extend(session.call(verb))
    return result


def history(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`rollout history TYPE/NAME [--revision=N]`: the revisions and their change-cause."""
    kind, names = kind_and_names(parsed)
    namespace = namespace_of(parsed, console)
    wanted = _int_flag(parsed, "--revision", 0)
    result = ActionResult()
    with session.lock:
        for name in names:
            obj = get_object(session, kind, namespace, name)
            revisions = _revisions(session, obj)
            if revisions is None:
                result.errors.append(f'error: no history viewer has been implemented for "{kind}"')
                continue
            head = f"{type_name(kind)}/{name}"
            if not revisions:
                result.lines.extend([f"{head} ", "No rollout history found."])
                continue
            if wanted:
                if wanted not in revisions:
                    result.errors.append("error: unable to find the specified revision")
                    continue
                from engine.workloads.describe import describe_pod_template

                w = PrefixWriter()
                describe_pod_template(w, revisions[wanted][1])
                result.lines.extend([f"{head} with revision #{wanted}", *w.text().splitlines()])
                continue
            rows = ["REVISION\tCHANGE-CAUSE"]
            rows += [f"{r}\t{revisions[r][0] or '<none>'}" for r in sorted(revisions)]
            result.lines.extend([f"{head} ", *tabwrite(rows)])
    return result


def _revisions(session: Session, obj: dict) -> dict[int, tuple[str, dict]] | None:
    """revision -> (change-cause, pod template), as kubectl's history viewers read them:
    a Deployment's ReplicaSets, a StatefulSet's or DaemonSet's ControllerRevisions."""
    kind = obj["kind"]
    found: dict[int, tuple[str, dict]] = {}
    if kind == "Deployment":
        for rs in _controlled(session, obj, "ReplicaSet"):
            number = revision(rs)
            if number:
                cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
                found[number] = (cause, (rs.get("spec") or {}).get("template") or {})
        return found
    if kind in ("StatefulSet", "DaemonSet"):
        from engine.workloads.revisions import template_of

        owned = sorted(_controlled(session, obj, "ControllerRevision"), key=revision_sort_key)
        for item in owned:
            cause = (item["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
            found[int(item.get("revision") or 0)] = (cause, template_of(item))
        return found
    return None


def _controlled(session: Session, owner: dict, kind: str) -> list[dict]:
    """The objects of a kind in the owner's namespace whose controller it is (by uid)."""
    meta = owner["metadata"]
    uid = meta.get("uid")
    return [
        obj
        for obj in session.objects(kind, meta.get("namespace") or "default")
        if any(
            ref.get("controller") and ref.get("uid") == uid
            for ref in (obj["metadata"].get("ownerReferences") or ())
        )
    ]


def set_(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`set image TYPE/NAME CONTAINER=IMAGE ...` (`*=IMAGE`: every container)."""
    if not parsed.args or parsed.args[0] != "image":
        raise CommandError(
            "error: podtui's set takes image: set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE"
        )
    words = parsed.args[1:]
    pairs = [w for w in words if "=" in w]
    targets = [w for w in words if "=" not in w]
    if not pairs:
        raise CommandError("error: at least one image update is required")
    kind, names = kind_and_names(Parsed(parsed.verb, targets, parsed.flags))
    namespace = namespace_of(parsed, console)
    result = ActionResult()
    for name in names:
        target = f"{kind.lower()}/{name}"
        updated: list[str] = []
        for pair in pairs:
            container, _, image = pair.partition("=")
            if not container or not image:
                raise CommandError(f'error: invalid image update "{pair}": CONTAINER=IMAGE')
            with session.lock:
                journal.record(
                    session,
                    "setImage",
                    {
                        "target": target,
                        "container": None if container == "*" else container,
                        "image": image,
                        "namespace": namespace,
                    },
                )
            done = session.call(
                session.backend.set_image(target, image, container=container, namespace=namespace)
            )
            result.errors.extend(done.errors)
            updated.extend(line for line in done.lines if line not in updated)
        result.lines.extend(updated)
    return result


def _int_flag(parsed: Parsed, flag: str, default: int) -> int:
    raw = parsed.flags.get(flag)
    if not isinstance(raw, str):
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise CommandError(f'error: invalid argument "{raw}" for "{flag}" flag') from err


__all__ = ["history", "rollout", "set_"]
