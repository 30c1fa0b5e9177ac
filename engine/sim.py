"""`podtui sim`: load manifests and a scenario, play the cluster, return it for printing."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.api.admission import ADMIN, UserInfo
from engine.checkpoint.entries import Entry, apply_entry, run_entry, step_entry
from engine.checkpoint.fileformat import Checkpoint
from engine.checkpoint.replay import fingerprint, restore
from engine.cluster import Cluster
from engine.manifests.loader import LoadResult, Manifest, load_paths
from engine.manifests.yamldoc import Problem
from engine.output import sort_objects
from engine.scenario import Scenario, load_scenario
from engine.steps import has_step, set_reporter
from engine.timeutil import DEFAULT_START


@dataclass
class Inputs:
    """Everything a run needs, checked: manifests and the scenario."""

    manifests: list[Manifest] = field(default_factory=list)
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def load_inputs(paths: list[str], scenario_path: str | None = None) -> Inputs:
    """Parse and validate PATHs and the scenario (with the manifests its apply steps name)."""
    loaded: LoadResult = load_paths(paths)
    inputs = Inputs(loaded.manifests, None, list(loaded.problems), loaded.files, list(paths))
    if scenario_path is not None:
        scenario, problems = load_scenario(scenario_path)
        inputs.problems.extend(problems)
        inputs.scenario = scenario
        if scenario is not None:
            for step in scenario.steps:
                if not has_step(step.action):
                    inputs.problems.append(
                        Problem(
                            step.file, step.line, f"the {step.action} step is not simulated yet"
                        )
                    )
                if step.action in ("apply", "create"):
                    extra = load_paths([str(Path(step.base) / step.value)], verb=step.action)
                    inputs.problems.extend(extra.problems)
    return inputs


def format_at(seconds: float) -> str:
    """`[40s]`: the simulated time a step ran at."""
    return f"[{seconds:g}s]"


def simulate(
    inputs: Inputs,
    *,
    until: float = 60.0,
    seed: int = 0,
    start: datetime = DEFAULT_START,
    user: UserInfo = ADMIN,
    report: Callable[[str], None] = lambda line: None,
) -> Cluster:
    """Play the cluster from t=0 to `until`, running scenario steps at their times."""
    run = SimRun.start(inputs, seed=seed, start=start, user=user, report=report)
    run.advance(until)
    return run.cluster


class SimRun:
    """A `podtui sim` run that can stop and go on: a cluster and the changes it plays.

    The changes are checkpoint entries (engine.checkpoint): the PATHs applied at t=0, then
    the scenario's steps; `advance(until)` runs those due by `until`, each after running the
    cluster to its time, and prints their outcomes. A checkpoint of the run is the same
    entries plus the time reached; `resume` replays it silently and goes on printing.
    """

    def __init__(
        self,
        cluster: Cluster,
        entries: list[Entry],
        *,
        user: UserInfo = ADMIN,
        report: Callable[[str], None] = lambda line: None,
        paths: list[str] | None = None,
    ) -> None:
        self.cluster = cluster
        self.entries = entries
        self.next = 0
        self.user = user
        self.report = report
        self.paths = list(paths or [])
        self.default_nodes = True
        set_reporter(cluster, self._report_later)

    def _report_later(self, line: str) -> None:
        self.report(f"{format_at(self.cluster.now)} {line}")

    @classmethod
    def start(
        cls,
        inputs: Inputs,
        *,
        seed: int = 0,
        start: datetime = DEFAULT_START,
        user: UserInfo = ADMIN,
        report: Callable[[str], None] = lambda line: None,
    ) -> SimRun:
        """Boot the cluster; the manifests apply at the first `advance`."""
        cluster = Cluster(seed=seed, start=start)
        has_nodes = any(m.kind == "Node" for m in inputs.manifests)
        cluster.boot(default_nodes=not has_nodes)
        entries = [apply_entry(0.0, inputs.manifests, initial=True)]
        steps = inputs.scenario.steps if inputs.scenario else []
        entries.extend(step_entry(step) for step in steps)
        run = cls(cluster, entries, user=user, report=report, paths=inputs.paths)
        run.default_nodes = not has_nodes
        return run

    def advance(self, until: float) -> None:
        """Run the entries due by `until` at their times, then the cluster to `until`."""
        # The files at t=0 go in before the first tick, whatever `until` is.
        while self.next < len(self.entries) and (
            self.entries[self.next].at <= until or self.next == 0
        ):
            entry = self.entries[self.next]
            self.next += 1
            initial = bool(entry.data.get("initial"))
            if not initial:
                self.cluster.run_until(entry.at)
            outcome = run_entry(self.cluster, entry, self.user)
            prefix = "" if initial else f"{format_at(entry.at)} "
            for line in outcome.lines + outcome.errors:
                self.report(f"{prefix}{line}")
        self.cluster.run_until(until)

    # -- checkpoints ------------------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        """The run as it stands, with the scenario steps still to come."""
        cluster = self.cluster
        return Checkpoint(
            at=cluster.now,
            entries=list(self.entries),
            seed=cluster.seed,
            start=cluster.clock.start,
            step=cluster.clock.step,
            user=self.user,
            default_nodes=self.default_nodes,
            paths=self.paths,
            workdir=os.getcwd(),
            origin="sim",
            fingerprint=fingerprint(cluster),
            objects=sort_objects(cluster.objects()),
        )

    @classmethod
    def resume(
        cls,
        path: str,
        checkpoint: Checkpoint,
        *,
        report: Callable[[str], None] = lambda line: None,
    ) -> SimRun:
        """Replay a checkpoint to its time, silently; later lines go to `report`.

        Raises CheckpointError when the replay does not end on the saved cluster.
        """
        cluster = restore(path, checkpoint)
        run = cls(
            cluster,
            list(checkpoint.entries),
            user=checkpoint.user,
            report=report,
            paths=checkpoint.paths,
        )
        run.default_nodes = checkpoint.default_nodes
        run.next = len(checkpoint.done())
        return run
