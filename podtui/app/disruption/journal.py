"""The console's session journal: every action that changed the cluster, as scenario steps.

Keys, `:` verbs, the fault menu and chaos mode's kills each call `record(session, ...)` just
before the engine action they run; `:record save FILE` writes them as a scenario that
`podtui sim PATH... --seed N --scenario FILE` replays to the same objects
(engine.disruption.recorder). Recording starts with the session, so nothing before the
first `:record` is missing from the story (`create -f` is the create step, `rollout
restart|undo` the rolloutRestart / rolloutUndo steps, a drain's --dry-run and
--skip-wait-for-delete-timeout are fields of the drain step). Actions that no scenario step
can express (`edit`, cancelling a drain) are listed at the top of the saved file instead,
so a replay that differs says why.

The journal is kept per session (a weak map), so the console's other parts need no
attribute on Session for it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.disruption.recorder import SessionRecorder, format_seconds
from engine.result import ActionResult
from engine.timeutil import DEFAULT_START
from podtui.app.checkpoint import log as checkpoint_log
from podtui.backends.base import RECORDING

if TYPE_CHECKING:
    from podtui.app.session import Session

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Unreplayable:
    """An action no scenario step can replay."""

    at: float
    what: str


class Journal:
    """One session's recorded steps and the actions it could not record."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.recorder = SessionRecorder(session.cluster, manifests=replay_paths(session))
        self.unreplayable: list[Unreplayable] = []

    @property
    def steps(self) -> int:
        return len(self.recorder.steps)

    def record(self, action: str, value: Any, **options: Any) -> None:
        """One scenario step at the current simulated time (`namespace: default` left out,
        as a scenario's default). Call it just before running the action: like `podtui
        sim` before each step, it first runs what earlier actions left due now."""
        cluster = self.session.cluster
        with self.session.lock:
            cluster.run_until(cluster.now)
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
            if value.get("namespace") == "default":
                value.pop("namespace")
        if options.get("namespace") == "default":
            options.pop("namespace")
        self.recorder.record(action, value, **options)
        # `create -f` gives the checkpoint log its own entry (the objects created).
        if action != "create":
            checkpoint_log.record_step(self.session, action, value, options)

    def note(self, what: str) -> None:
        """An action that changed the cluster but has no scenario step."""
        self.unreplayable.append(Unreplayable(self.session.cluster.now, what))

    # -- saving ------------------------------------------------------------------------------
    def to_yaml(self, scenario_dir: Path) -> str:
        lines = self.recorder.to_yaml(scenario_dir).splitlines()
        start = self.session.cluster.clock.start
        if start != DEFAULT_START and len(lines) > 1:
            lines[1] = lines[1].replace(
                " --scenario", f" --start-time {start.strftime('%Y-%m-%dT%H:%M:%SZ')} --scenario"
            )
        notes = [f"#   [{format_seconds(item.at)}] {item.what}" for item in self.unreplayable]
        if notes:
            notes.insert(0, "# Not replayed (no scenario step expresses them):")
        return "\n".join(lines[:2] + notes + lines[2:]) + "\n"

    def save(self, target: Path, *, overwrite: bool = False) -> ActionResult:
        """Write the scenario to `target`, never over a manifest and never into a folder
        podtui loads manifests from."""
        problem = refusal(self.session, target, overwrite=overwrite)
        if problem:
            return ActionResult(errors=[problem])
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.to_yaml(target.parent), encoding="utf-8")
        except OSError as err:
            return ActionResult(errors=[f"error: cannot write {target}: {err.strerror or err}"])
        lines = [f"recorded {self.steps} step(s) to {target}"]
        if self.unreplayable:
            lines.append(
                f"{len(self.unreplayable)} action(s) have no scenario step and are listed "
                "at the top of the file"
            )
        lines.append(self.recorder.to_yaml(target.parent).splitlines()[1].removeprefix("# "))
        return ActionResult(lines=lines)


def replay_paths(session: Session) -> list[str]:
    """What to pass `podtui sim` for the same manifests: the PATH folder when every manifest
    came from it, else the files themselves."""
    files = list(dict.fromkeys(getattr(session, "manifest_files", []) or []))
    base = session.base_dir
    if base.is_dir() and all(_inside(Path(f), base) for f in files):
        return [str(base)]
    return files


def refusal(session: Session, target: Path, *, overwrite: bool) -> str:
    """Why `target` must not be written (empty when it may)."""
    resolved = target.resolve()
    manifests = {Path(f).resolve() for f in getattr(session, "manifest_files", []) or []}
    if resolved in manifests:
        return f"error: {target} is one of your manifests; podtui never overwrites them"
    base = session.base_dir.resolve()
    if (
        session.base_dir.is_dir()
        and resolved.suffix in MANIFEST_SUFFIXES
        and _inside(resolved, base)
    ):
        return (
            f"error: {target} is inside {session.base_dir}, which podtui loads as manifests; "
            "save the scenario somewhere else"
        )
    if resolved.is_dir():
        return f"error: {target} is a directory"
    if resolved.exists() and not overwrite:
        return f"error: {target} exists (add --overwrite to replace it)"
    return ""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


_JOURNALS: weakref.WeakKeyDictionary[Session, Journal] = weakref.WeakKeyDictionary()


def journal_of(session: Session) -> Journal:
    """The session's journal (started on first use; the console starts it at mount)."""
    journal = _JOURNALS.get(session)
    if journal is None:
        journal = _JOURNALS[session] = Journal(session)
    return journal


def record(session: Session, action: str, value: Any, **options: Any) -> None:
    """Record the step the console is about to run (see Journal.record)."""
    if not session.has(RECORDING):  # a real cluster: nothing to replay it on
        return
    journal_of(session).record(action, value, **options)


def record_file(session: Session, action: str, path: Path, namespace: str | None) -> None:
    """Record `apply -f PATH` or `create -f PATH` as the scenario's `apply` or `create` step
    (the path is written relative to the saved scenario)."""
    if not session.has(RECORDING):
        return
    journal_of(session).record(action, str(path.resolve()), namespace=namespace)


def note(session: Session, what: str) -> None:
    """Note an action that changed the cluster but has no scenario step."""
    if not session.has(RECORDING):  # a real cluster: nothing to replay it on
        return
    journal_of(session).note(what)
