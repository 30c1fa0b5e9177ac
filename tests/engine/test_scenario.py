"""Scenario files: the whole DESIGN.md format is parsed; every mistake is FILE:LINE."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scenario import load_scenario

FULL = """\
- at: 10s
  apply: more/
- at: 20s
  delete: deployment/web
  cascade: foreground
- at: 25s
  evict: pod/web-0
- at: 30s
  cordon: node-2
- at: 35s
  uncordon: node-2
- at: 40s
  drain: {node: node-2, ignoreDaemonsets: true, deleteEmptydirData: false, force: false, timeout: 120s}
- at: 50s
  scale: {target: deployment/web, replicas: 5}
- at: 1m
  setImage: {target: deployment/web, container: app, image: nginx:1.27}
- at: 70s
  inject: {fault: crash, pod: web-0, container: app, exitCode: 1}
- at: 80
  inject: {fault: podKill, selector: app=web, count: 2}
"""


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "more").mkdir(exist_ok=True)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return str(path)


def problems(tmp_path: Path, text: str) -> list[str]:
    scenario, found = load_scenario(write(tmp_path, text))
    assert scenario is None or not found
    return [str(p).replace(str(tmp_path) + "/", "") for p in found]


def test_every_step_of_design_md_parses(tmp_path: Path) -> None:
    scenario, found = load_scenario(write(tmp_path, FULL))
    assert found == []
    assert scenario is not None
    assert [(s.at, s.action) for s in scenario.steps] == [
        (10, "apply"),
        (20, "delete"),
        (25, "evict"),
        (30, "cordon"),
        (35, "uncordon"),
        (40, "drain"),
        (50, "scale"),
        (60, "setImage"),
        (70, "inject"),
        (80, "inject"),
    ]
    assert scenario.steps[1].options == {"cascade": "foreground"}
    assert scenario.steps[5].value["timeout"] == "120s"


def test_steps_run_in_time_order_whatever_the_file_order(tmp_path: Path) -> None:
    scenario, _ = load_scenario(write(tmp_path, "- at: 30s\n  cordon: a\n- at: 10s\n  cordon: b\n"))
    assert scenario is not None
    assert [s.value for s in scenario.steps] == ["b", "a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- at: 10s\n  reboot: node-1\n",
            [
                'scenario.yaml:2: unknown scenario action "reboot" (known: apply, create, delete, evict, cordon, uncordon, drain, cancelDrain, scale, setImage, rolloutRestart, rolloutUndo, inject, exec)'
            ],
        ),
        (
            "- at: 10s\n",
            [
                "scenario.yaml:1: step has no action (one of: apply, create, delete, evict, cordon, uncordon, drain, cancelDrain, scale, setImage, rolloutRestart, rolloutUndo, inject, exec)"
            ],
        ),
        ("- delete: pod/x\n", ["scenario.yaml:1: step has no `at:` time"]),
        (
            "- at: soon\n  delete: pod/x\n",
            [
                'scenario.yaml:1: at: invalid duration "soon": use forms like 90s, 5m, 1h30m or plain seconds'
            ],
        ),
        (
            "- at: 1s\n  cordon: a\n  uncordon: a\n",
            ["scenario.yaml:3: a step takes exactly one action; this one has cordon, uncordon"],
        ),
        (
            "- at: 1s\n  delete: web\n",
            ['scenario.yaml:2: "web" must be KIND/NAME, e.g. deployment/web'],
        ),
        (
            "- at: 1s\n  delete: flux/web\n",
            ['scenario.yaml:2: the server doesn\'t have a resource type "flux"'],
        ),
        (
            "- at: 1s\n  delete: pod/x\n  cascade: sideways\n",
            [
                'scenario.yaml:3: invalid cascade value "sideways": must be one of background, foreground, orphan'
            ],
        ),
        (
            "- at: 1s\n  delete: pod/x\n  grace: 3\n",
            [
                'scenario.yaml:3: unknown field "grace" for a delete step (allowed here: namespace, gracePeriod, cascade, force, apiVersion)'
            ],
        ),
        (
            "- at: 1s\n  evict: deployment/web\n",
            ["scenario.yaml:2: evict takes a pod: `evict: pod/NAME`"],
        ),
        (
            "- at: 1s\n  inject: {fault: crash}\n",
            ["scenario.yaml:2: inject crash names no pod: give `pod: NAME` or `selector: app=web`"],
        ),
        (
            "- at: 1s\n  inject: {fault: meltdown, pod: x}\n",
            [
                'scenario.yaml:2: unknown fault "meltdown" (known: crash, oom, probeFail, imagePullFail, sandboxKill, nodeDown, nodeUp, podKill)'
            ],
        ),
        (
            "- at: 1s\n  inject: {fault: nodeDown}\n",
            ["scenario.yaml:2: inject nodeDown names no node: give `node: NAME`"],
        ),
        (
            "- at: 1s\n  scale: {target: deployment/web}\n",
            [
                "scenario.yaml:2: scale needs `replicas`: `scale: {target: deployment/web, replicas: 5}`"
            ],
        ),
        (
            "- at: 1s\n  scale: {target: deployment/web, replicas: many}\n",
            ["scenario.yaml:2: scale.replicas must be an integer"],
        ),
        (
            "- at: 1s\n  apply: nowhere/\n",
            [
                'scenario.yaml:2: the path "nowhere/" does not exist (paths are relative to the scenario file)'
            ],
        ),
        ("- at: 1s\n  cordon: ''\n", ["scenario.yaml:2: cordon names nothing: `cordon: node-2`"]),
        (
            "- at: 1s\n  rolloutUndo: deployment/web\n  toRevision: two\n",
            ["scenario.yaml:3: toRevision must be an integer"],
        ),
        (
            "- at: 1s\n  rolloutUndo: deployment/web\n  toRevision: -1\n",
            [
                "scenario.yaml:3: toRevision must not be negative (0, the default, is the previous revision)"
            ],
        ),
        (
            "- at: 1s\n  rolloutUndo: replicaset/web-1\n",
            [
                "scenario.yaml:2: rolloutUndo takes a deployment, statefulset, daemonset: "
                "`rolloutUndo: deployment/web` (optional `toRevision: 2`)"
            ],
        ),
        (
            "- at: 1s\n  rolloutRestart: web\n",
            ['scenario.yaml:2: "web" must be KIND/NAME, e.g. deployment/web'],
        ),
        (
            "- at: 1s\n  rolloutRestart: deployment/web\n  toRevision: 1\n",
            [
                'scenario.yaml:3: unknown field "toRevision" for a rolloutRestart step (allowed here: namespace)'
            ],
        ),
        (
            "- at: 1s\n  drain:\n    node: node-2\n    dryRun: maybe\n",
            [
                'scenario.yaml:4: Invalid dry-run value (maybe). Must be "none", "server", or "client".'
            ],
        ),
        (
            "- at: 1s\n  drain: {node: node-2, dryRun: true}\n",
            [
                'scenario.yaml:2: drain.dryRun must be "none", "client" or "server" '
                "(kubectl's --dry-run values)"
            ],
        ),
        (
            "- at: 1s\n  drain:\n    node: node-2\n    skipWaitForDeleteTimeout: 30s\n",
            ["scenario.yaml:4: drain.skipWaitForDeleteTimeout must be an integer"],
        ),
        (
            "- at: 1s\n  drain:\n    node: node-2\n    skipWaitForDeleteTimeout: -5\n",
            [
                "scenario.yaml:4: drain.skipWaitForDeleteTimeout must not be negative (seconds; 0 never skips)"
            ],
        ),
        (
            "at: 1s\n",
            ["scenario.yaml:1: a scenario must be a YAML list of steps (`- at: 10s` ...)"],
        ),
        (
            "- at: 1s\n  cancelDrain: {node: node-2}\n",
            [
                "scenario.yaml:2: cancelDrain takes the node's name: `cancelDrain: node-2` "
                "(stops the running drain of node-2)"
            ],
        ),
        (
            "- at: 1s\n  cancelDrain: node-2\n  force: true\n",
            ['scenario.yaml:3: unknown field "force" for a cancelDrain step'],
        ),
    ],
)
def test_a_bad_step_is_reported_with_its_line(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert problems(tmp_path, text) == expected


def test_every_bad_step_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(tmp_path, "- at: 1s\n  reboot: x\n- at: 2s\n  delete: web\n")
    assert len(found) == 2


def test_cancel_drain_names_the_node_whose_drain_stops(tmp_path: Path) -> None:
    scenario, found = load_scenario(
        write(tmp_path, "- at: 40s\n  drain: node-2\n- at: 5m\n  cancelDrain: node-2\n")
    )
    assert found == [] and scenario is not None
    assert [(s.at, s.action, s.value) for s in scenario.steps] == [
        (40, "drain", {"node": "node-2"}),
        (300, "cancelDrain", "node-2"),
    ]


def test_the_console_only_steps_parse(tmp_path: Path) -> None:
    """rolloutRestart, rolloutUndo with toRevision, and drain's dryRun and
    skipWaitForDeleteTimeout (kubectl rollout restart|undo --to-revision; kubectl drain
    --dry-run --skip-wait-for-delete-timeout)."""
    text = (
        "- at: 10s\n  rolloutRestart: deployment/web\n  namespace: shop\n"
        "- at: 20s\n  rolloutUndo: statefulset/db\n  toRevision: 2\n"
        "- at: 30s\n  drain: {node: node-2, dryRun: server, skipWaitForDeleteTimeout: 60}\n"
    )
    scenario, found = load_scenario(write(tmp_path, text))
    assert found == [] and scenario is not None
    assert [(s.action, s.value, s.options) for s in scenario.steps] == [
        ("rolloutRestart", "deployment/web", {"namespace": "shop"}),
        ("rolloutUndo", "statefulset/db", {"toRevision": 2}),
        ("drain", {"node": "node-2", "dryRun": "server", "skipWaitForDeleteTimeout": 60}, {}),
    ]
