"""Record what a console session did and save it as a scenario file `podtui sim` replays.

The console calls the recorder next to every engine action it runs (a key, a `:` command,
the fault menu, chaos mode's kills); each becomes one timed step in DESIGN.md's format.
Replaying needs the same manifests and the same seed; the file's header says how.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from engine.disruption.drain import DrainOptions

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.disruption.chaos import ChaosMonkey


def format_seconds(seconds: float) -> str:
    """`40s`, `12.371s`: a step time parse_duration reads back exactly."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds, 3)!r}s"


def _inline(value: Any) -> str:
    """A YAML scalar or flow mapping on one line, keys in the order given."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.removesuffix("...").strip()


@dataclass
class RecordedStep:
    """One step: its time, the action and its value, and the action's sibling options."""

    at: float
    action: str
    value: Any
    options: dict[str, Any] = field(default_factory=dict)

    def to_yaml(self) -> str:
        lines = [f"- at: {format_seconds(self.at)}", f"  {self.action}: {_inline(self.value)}"]
        lines += [f"  {key}: {_inline(value)}" for key, value in self.options.items()]
        return "\n".join(lines)


class SessionRecorder:
    """The steps of a session, in the order they happened."""

    def __init__(self, cluster: Cluster, *, manifests: list[str] | None = None) -> None:
        self.cluster = cluster
        self.manifests = list(manifests or [])
        self.steps: list[RecordedStep] = []

    def record(self, action: str, value: Any, **options: Any) -> RecordedStep:
        """Record an action at the current simulated time (None options are left out)."""
        step = RecordedStep(
            self.cluster.clock.now,
            action,
            value,
            {k: v for k, v in options.items() if v is not None},
        )
        self.steps.append(step)
        return step

    # -- one method per scenario action ---------------------------------------------------------
    def apply(self, path: str, namespace: str | None = None) -> RecordedStep:
        return self.record("apply", str(Path(path).resolve()), namespace=namespace)

    def create(self, path: str, namespace: str | None = None) -> RecordedStep:
        return self.record("create", str(Path(path).resolve()), namespace=namespace)

    def delete(
        self,
        target: str,
        *,
        namespace: str = "default",
        grace_period: int | None = None,
        cascade: str = "background",
        force: bool = False,
    ) -> RecordedStep:
        return self.record(
            "delete",
            target,
            namespace=None if namespace == "default" else namespace,
            gracePeriod=grace_period,
            cascade=None if cascade == "background" else cascade,
            force=True if force else None,
        )

    def evict(self, pod: str, *, namespace: str = "default") -> RecordedStep:
        target = pod if "/" in pod else f"pod/{pod}"
        return self.record("evict", target, namespace=None if namespace == "default" else namespace)

    def cordon(self, node: str) -> RecordedStep:
        return self.record("cordon", node)

    def uncordon(self, node: str) -> RecordedStep:
        return self.record("uncordon", node)

    def drain(self, options: DrainOptions) -> RecordedStep:
        return self.record("drain", options.to_step())

    def scale(self, target: str, replicas: int, *, namespace: str = "default") -> RecordedStep:
        value: dict[str, Any] = {"target": target, "replicas": replicas}
        if namespace != "default":
            value["namespace"] = namespace
        return self.record("scale", value)

    def set_image(
        self, target: str, image: str, *, container: str | None = None, namespace: str = "default"
    ) -> RecordedStep:
        value: dict[str, Any] = {"target": target}
        if container:
            value["container"] = container
        value["image"] = image
        if namespace != "default":
            value["namespace"] = namespace
        return self.record("setImage", value)

    def rollout_restart(self, target: str, *, namespace: str = "default") -> RecordedStep:
        """`kubectl rollout restart KIND/NAME` as the rolloutRestart step."""
        return self.record(
            "rolloutRestart", target, namespace=None if namespace == "default" else namespace
        )

    def rollout_undo(
        self, target: str, *, to_revision: int = 0, namespace: str = "default"
    ) -> RecordedStep:
        """`kubectl rollout undo KIND/NAME [--to-revision=N]` as the rolloutUndo step."""
        return self.record(
            "rolloutUndo",
            target,
            namespace=None if namespace == "default" else namespace,
            toRevision=to_revision or None,
        )

    def inject(self, fault: str, **fields: Any) -> RecordedStep:
        """Fields in the scenario's names: pod, selector, namespace, container, exitCode
        (or engine.actions.inject's exit_code), probe, duration, image, node, count."""
        value: dict[str, Any] = {"fault": fault}
        for name, item in fields.items():
            key = {"exit_code": "exitCode"}.get(name, name)
            if item is None or (key == "namespace" and item == "default"):
                continue
            value[key] = (
                format_seconds(item)
                if key == "duration" and isinstance(item, int | float)
                else item
            )
        return self.record("inject", value)

    def follow_chaos(self, monkey: ChaosMonkey) -> None:
        """Record each of chaos mode's kills as the podKill step that replays it."""
        monkey.listen(lambda kill: self.inject("podKill", pod=kill.pod, namespace=kill.namespace))

    # -- saving -------------------------------------------------------------------------------
    def to_yaml(self, scenario_dir: str | Path = ".") -> str:
        """The scenario text; apply paths are made relative to `scenario_dir`."""
        base = Path(scenario_dir).resolve()
        header = [
            "# A podtui session, recorded.",
            f"# Replay: podtui sim {' '.join(self.manifests) or 'PATH'} --seed {self.cluster.seed} "
            "--scenario THIS_FILE",
        ]
        body = []
        for step in self.steps:
            if step.action in ("apply", "create"):
                step = RecordedStep(
                    step.at, step.action, os.path.relpath(step.value, base), step.options
                )
            body.append(step.to_yaml())
        if not body:
            return "\n".join(header) + "\n[]\n"
        return "\n".join(header + body) + "\n"

    def save(self, path: str | Path) -> Path:
        """Write the scenario next to where it will be replayed from."""
        target = Path(path)
        target.write_text(self.to_yaml(target.parent), encoding="utf-8")
        return target
