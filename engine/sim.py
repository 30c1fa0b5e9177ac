"""`podtui sim`: load manifests and a scenario, play the cluster, return it for printing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.api.admission import ADMIN, UserInfo
from engine.cluster import Cluster
from engine.manifests.loader import LoadResult, Manifest, load_paths
from engine.manifests.yamldoc import Problem
from engine.scenario import Scenario, load_scenario
from engine.steps import apply_manifests, has_step, run_step, set_reporter
from engine.timeutil import DEFAULT_START


@dataclass
class Inputs:
    """Everything a run needs, checked: manifests and the scenario."""

    manifests: list[Manifest] = field(default_factory=list)
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def load_inputs(paths: list[str], scenario_path: str | None = None) -> Inputs:
    """Parse and validate PATHs and the scenario (with the manifests its apply steps name)."""
    loaded: LoadResult = load_paths(paths)
    inputs = Inputs(loaded.manifests, None, list(loaded.problems), loaded.files)
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
                if step.action == "apply":
                    extra = load_paths([str(Path(step.base) / step.value)])
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
    cluster = Cluster(seed=seed, start=start)
    set_reporter(cluster, lambda line: report(f"{format_at(cluster.now)} {line}"))
    has_nodes = any(m.kind == "Node" for m in inputs.manifests)
    cluster.boot(default_nodes=not has_nodes)
    initial = apply_manifests(cluster, inputs.manifests, user)
    for line in initial.lines:
        report(line)
    for line in initial.errors:
        report(line)
    steps = inputs.scenario.steps if inputs.scenario else []
    for step in steps:
        if step.at > until:
            break
        cluster.run_until(step.at)
        outcome = run_step(cluster, step, user)
        for line in outcome.lines + outcome.errors:
            report(f"{format_at(step.at)} {line}")
    cluster.run_until(until)
    return cluster
