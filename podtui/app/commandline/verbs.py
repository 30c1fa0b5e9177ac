"""Verbs that change the cluster: create, apply, delete, scale, cordon, uncordon, evict,
inject. Each calls the engine action a key press and a scenario step call, and records it
in the session journal (`drain` is podtui.app.disruption.verbs, `rollout` and `set image`
podtui.app.workloads.verbs)."""

from __future__ import annotations

from engine.api.kinds import kind_info
from engine.manifests.loader import Manifest, load_paths
from engine.result import ActionResult
from engine.scenario import FAULTS, Step
from engine.steps import apply_manifests, create_manifests, run_step, set_namespace
from engine.timeutil import DurationError, parse_duration
from podtui.app.checkpoint import log as checkpoint_log
from podtui.app.commandline.parsing import (
    CommandError,
    Console,
    Parsed,
    get_object,
    kind_and_names,
    namespace_of,
)
from podtui.app.commandline.paths import resolve_path, using_note
from podtui.app.disruption import journal
from podtui.app.resources import plural
from podtui.app.session import Session
from podtui.backends.base import CLOCK
from podtui.backends.base import FAULTS as SIMULATED_FAULTS


def _load(
    parsed: Parsed, session: Session, console: Console, verb: str = "apply"
) -> list[Manifest]:
    path = parsed.flags.get("-f")
    if not isinstance(path, str) or not path:
        raise CommandError("error: must specify one of -f and -k")
    resolved = resolve_path(session, path)
    loaded = load_paths([str(resolved)], verb=verb)  # only apply refuses generateName
    if not loaded.ok:
        lines = []
        for problem in loaded.problems:
            text = str(problem).replace(str(resolved), path)
            if not resolved.exists():
                text = f'error: the path "{path}" does not exist'
            lines.append(text)
        raise CommandError("\n".join(lines))
    for manifest in loaded.manifests:
        manifest.file = manifest.file.replace(str(resolved), path, 1)
    # The scenario step's rule, so that the recorded `create`/`apply` step replays this.
    problems = set_namespace(loaded.manifests, _namespace_flag(parsed))
    if problems:
        raise CommandError("\n".join(problems))
    return loaded.manifests


def _namespace_flag(parsed: Parsed) -> str | None:
    namespace = parsed.flags.get("-n")
    return namespace if isinstance(namespace, str) and namespace else None


def _using(parsed: Parsed, session: Session) -> list[str]:
    path = str(parsed.flags.get("-f") or "")
    note = using_note(path, resolve_path(session, path)) if path else None
    return [note] if note else []


def create(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`create -f`: recorded as the scenario's `create` step, which runs the same engine
    function (no last-applied annotation, AlreadyExists for what exists)."""
    manifests = _load(parsed, session, console, verb="create")
    path = resolve_path(session, str(parsed.flags["-f"]))
    using = _using(parsed, session)
    if not session.backend.inline:
        result = _over_the_network(session, manifests, "create")
    else:
        with session.lock:
            journal.record_file(session, "create", path, _namespace_flag(parsed))
            if manifests:
                # recorded in the journal just now, which first ran what was due
                checkpoint_log.record_create(session, manifests, settled=True)
            result = create_manifests(session.backend.simulator(CLOCK), manifests, session.user)
    result.lines[:0] = using
    return result


def _over_the_network(session: Session, manifests: list[Manifest], verb: str) -> ActionResult:
    """`apply -f` / `create -f` on a real cluster: each object through the backend's
    apply (server-side), in file order; the results come as each answer does."""

    async def each() -> ActionResult:
        result = ActionResult()
        for manifest in manifests:
            result.extend(await session.backend.apply(manifest.obj))
        return result

    session.call(each())
    return ActionResult()


def apply(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    manifests = _load(parsed, session, console)
    path = resolve_path(session, str(parsed.flags["-f"]))
    if not session.backend.inline:
        result = _over_the_network(session, manifests, "apply")
    else:
        # In process: the engine's `kubectl apply -f` over the files (last-applied, each
        # refusal with its FILE), the function the scenario's `apply` step and hot reload run.
        with session.lock:
            journal.record_file(session, "apply", path, _namespace_flag(parsed))
            result = apply_manifests(session.backend.simulator(CLOCK), manifests, session.user)
    result.lines[:0] = _using(parsed, session)
    return result


def edit(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    kind, names = kind_and_names(parsed)
    namespace = namespace_of(parsed, console)
    with session.lock:
        obj = get_object(session, kind, namespace, names[0])
    console.open_editor(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
    return ActionResult()


def delete(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    if parsed.flags.get("-f"):
        manifests = _load(parsed, session, console, verb="delete")
        # kubectl addresses each object through its file's apiVersion (the URL's group
        # and version), which a legacy group's delete default and kubectl's line follow.
        targets = [
            (m.kind, m.name, m.namespace or namespace_of(parsed, console), m.api_version)
            for m in manifests
        ]
    else:
        kind, names = kind_and_names(parsed)
        targets = [(kind, name, namespace_of(parsed, console), "") for name in names]
    grace = parsed.flags.get("--grace-period")
    try:
        grace_period = int(grace) if isinstance(grace, str) else None
    except ValueError as err:
        raise CommandError(f'error: invalid argument "{grace}" for "--grace-period" flag') from err
    if parsed.flags.get("--now"):
        grace_period = 1
    force = bool(parsed.flags.get("--force"))
    cascade = parsed.flags.get("--cascade")
    result = ActionResult()
    for kind, name, namespace, api_version in targets:
        with session.lock:
            journal.record(
                session,
                "delete",
                f"{plural(kind)}/{name}",
                namespace=namespace,
                gracePeriod=grace_period,
                cascade=cascade if isinstance(cascade, str) and cascade != "background" else None,
                force=True if force else None,
                apiVersion=api_version if _addressed_apart(kind, api_version) else None,
            )
        result.extend(
            session.call(
                session.backend.delete(
                    f"{plural(kind)}/{name}",
                    namespace=namespace,
                    grace_period=grace_period,
                    cascade=cascade if isinstance(cascade, str) else "background",
                    force=force,
                    api_version=api_version,
                )
            )
        )
    return result


def _addressed_apart(kind: str, api_version: str) -> bool:
    """Whether a delete -f goes through another apiVersion than the kind's preferred one."""
    info = kind_info(kind)
    return bool(api_version) and info is not None and api_version != info.preferred_api_version


def _step(
    session: Session, action: str, value: object, options: dict | None = None
) -> ActionResult:
    """Run a scenario step now, on the simulator: the same engine action a scenario runs
    (what has no backend verb: injecting a fault, FAULTS)."""
    cluster = session.backend.simulator(SIMULATED_FAULTS)
    step = Step(cluster.now, action, value, options or {}, "<console>", 0, session.base_dir)
    with session.lock:
        journal.record(session, action, value, **(options or {}))
        return run_step(cluster, step, session.user)


def scale(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    replicas = parsed.flags.get("--replicas")
    if not isinstance(replicas, str):
        raise CommandError('error: required flag(s) "replicas" not set')
    try:
        count = int(replicas)
    except ValueError as err:
        raise CommandError(f'error: invalid argument "{replicas}" for "--replicas" flag') from err
    kind, names = kind_and_names(parsed)
    namespace = namespace_of(parsed, console)
    result = ActionResult()
    for name in names:
        target = f"{kind.lower()}/{name}"
        with session.lock:  # the scenario's `scale` step
            journal.record(
                session, "scale", {"target": target, "replicas": count, "namespace": namespace}
            )
        result.extend(session.call(session.backend.scale(target, count, namespace=namespace)))
    return result


def _nodes(parsed: Parsed) -> list[str]:
    names = [
        a.partition("/")[2] if a.startswith(("node/", "nodes/", "no/")) else a for a in parsed.args
    ]
    if not names:
        raise CommandError(f"error: USAGE: {parsed.verb} NODE [flags]")
    return names


def cordon(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    result = ActionResult()
    backend = session.backend
    verb = backend.cordon if parsed.verb == "cordon" else backend.uncordon
    for node in _nodes(parsed):
        with session.lock:
            journal.record(session, parsed.verb, node)
        result.extend(session.call(verb(node)))
    return result


def evict(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`evict POD`: the Eviction API, refused while a PDB allows no disruption (podtui's verb,
    the scenario's `evict` step)."""
    kind, names = kind_and_names(Parsed(parsed.verb, [_as_pod(a) for a in parsed.args]))
    if kind != "Pod":
        raise CommandError("error: only pods can be evicted")
    namespace = namespace_of(parsed, console)
    result = ActionResult()
    for name in names:
        with session.lock:  # the scenario's `evict` step
            journal.record(session, "evict", f"pod/{name}", namespace=namespace)
        result.extend(session.call(session.backend.evict(f"pod/{name}", namespace=namespace)))
    return result


def _as_pod(arg: str) -> str:
    return arg if "/" in arg else f"pod/{arg}"


def inject(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`inject FAULT TARGET`: the scenario's `inject` step (podtui's own verb)."""
    if not parsed.args or parsed.args[0] not in FAULTS:
        raise CommandError(f"error: inject FAULT TARGET, FAULT one of: {', '.join(FAULTS)}")
    fault = parsed.args[0]
    target = parsed.args[1] if len(parsed.args) > 1 else ""
    name = target.partition("/")[2] if "/" in target else target
    value: dict[str, object] = {"fault": fault, "namespace": namespace_of(parsed, console)}
    if fault in ("nodeDown", "nodeUp"):
        value["node"] = name
    elif isinstance(parsed.flags.get("-l"), str):
        value["selector"] = parsed.flags["-l"]
    else:
        value["pod"] = name
    for flag, key, convert in (
        ("-c", "container", str),
        ("--exit-code", "exitCode", int),
        ("--probe", "probe", str),
        ("--duration", "duration", str),
        ("--image", "image", str),
        ("--count", "count", int),
    ):
        raw = parsed.flags.get(flag)
        if isinstance(raw, str):
            try:
                value[key] = convert(raw)
            except ValueError as err:
                raise CommandError(f'error: invalid argument "{raw}" for "{flag}" flag') from err
    if isinstance(value.get("duration"), str):
        try:
            parse_duration(str(value["duration"]))
        except DurationError as err:
            raise CommandError(f"error: {err}") from err
    return _step(session, "inject", value)
