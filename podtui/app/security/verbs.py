"""`:explain` and `:refused` (no Textual here, like the rest of the command line).

    explain                       the refused pods (as `refused`)
    explain pod NAME [-n NS]      a refused pod (by the name it was refused under; a
                                  controller's pods: their generateName, `web-7d4b9c8f5-`)
                                  or a pod in the cluster
    explain deploy|rs|sts|ds|job NAME   the workload's newest refused pod, else the pod
                                  its controller would create now
    explain -f PATH [--as USER]   each Pod (or workload's pod) of a manifest file, as it
                                  would be requested

kubectl's own `explain` documents fields; podtui's explains PodSecurityPolicy's and Pod
Security Admission's decision on a pod.
"""

from __future__ import annotations

from engine.api import errors
from engine.api.admission import UserInfo
from engine.manifests.loader import load_paths
from engine.result import ActionResult
from podtui.app.commandline.parsing import (
    CommandError,
    Console,
    Parsed,
    kind_and_names,
    namespace_of,
)
from podtui.app.commandline.paths import resolve_path
from podtui.app.security.subjects import (
    WORKLOAD_KINDS,
    Subject,
    find_refusal,
    manifest_subject,
    pod_subject,
    refusal_subject,
    workload_subject,
)
from podtui.app.session import Session

USAGE = (
    "error: explain [pod NAME | deploy|rs|sts|ds|job NAME | -f PATH] [-n NS] [--as USER] "
    "(podtui explains PodSecurityPolicy and Pod Security Admission; kubectl explain's "
    "field documentation is not simulated)"
)


def refused(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    _console_call(console, "open_refused")
    return ActionResult()


def explain(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    user = _user(parsed, session)
    if isinstance(parsed.flags.get("-f"), str):
        subject = _from_file(str(parsed.flags["-f"]), parsed, session, user)
    elif not parsed.args:
        return refused(parsed, session, console)
    else:
        kind, names = kind_and_names(parsed, need_name=False)
        if not names:
            if kind != "Pod":
                raise CommandError(USAGE)
            return refused(parsed, session, console)
        subject = _from_name(kind, names[0], namespace_of(parsed, console), session, user)
    _console_call(console, "open_explain", subject)
    return ActionResult()


def _from_name(kind: str, name: str, namespace: str, session: Session, user: UserInfo) -> Subject:
    with session.lock:
        cluster = session.cluster
        if kind == "Pod":
            refusal = find_refusal(cluster, namespace, name)
            if refusal is not None:
                return refusal_subject(refusal)
            pod = cluster.store.get("Pod", namespace, name)
            if pod is None:
                raise CommandError(
                    errors.not_found("pods", name).kubectl()
                    + " (and PodSecurityPolicy refused no pod of that name)"
                )
            return pod_subject(cluster, pod, user)
        if kind not in WORKLOAD_KINDS:
            raise CommandError(USAGE)
        obj = cluster.store.get(kind, namespace, name)
        if obj is None:
            from podtui.app.commandline.parsing import resource_name

            raise CommandError(errors.not_found(resource_name(kind), name).kubectl())
        return workload_subject(cluster, kind, obj)


def _from_file(path: str, parsed: Parsed, session: Session, user: UserInfo) -> Subject:
    resolved = resolve_path(session, path)
    if not resolved.exists():
        raise CommandError(f'error: the path "{path}" does not exist')
    loaded = load_paths([str(resolved)], verb="check")  # a what-if: generateName is fine
    if not loaded.ok:
        raise CommandError("\n".join(str(p).replace(str(resolved), path) for p in loaded.problems))
    namespace = parsed.flags.get("-n")
    with session.lock:
        for manifest in loaded.manifests:
            if isinstance(namespace, str) and namespace:
                manifest.obj.setdefault("metadata", {})["namespace"] = namespace
            subject = manifest_subject(manifest.obj, path, user, session.cluster)
            if subject is not None:
                return subject
    raise CommandError(f'error: no Pod or workload with a pod template in "{path}"')


def _user(parsed: Parsed, session: Session) -> UserInfo:
    name = parsed.flags.get("--as")
    if not isinstance(name, str) or not name:
        return session.user
    groups = parsed.flags.get("--as-group")
    extra = (groups,) if isinstance(groups, str) and groups else ()
    return UserInfo(name, (*extra, "system:authenticated"))


def _console_call(console: Console, method: str, *args: object) -> None:
    call = getattr(console, method, None)
    if call is None:
        raise CommandError("error: the explain view is not available here")
    call(*args)
