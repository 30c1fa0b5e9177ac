"""Scenario files: a YAML list of timed steps, each `at:` plus exactly one action.

The whole file is checked before anything runs: every problem is a `FILE:LINE: message`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.manifests.source import read_source
from engine.manifests.yamldoc import Document, Problem, parse_documents
from engine.timeutil import DurationError, parse_duration

ACTIONS = (
    "apply",
    "create",
    "delete",
    "evict",
    "cordon",
    "uncordon",
    "drain",
    "cancelDrain",
    "scale",
    "setImage",
    "rolloutRestart",
    "rolloutUndo",
    "inject",
    "exec",
)
FAULTS = (
    "crash",
    "oom",
    "probeFail",
    "imagePullFail",
    "sandboxKill",
    "nodeDown",
    "nodeUp",
    "podKill",
)
CASCADES = ("background", "foreground", "orphan")
PROBES = ("liveness", "readiness", "startup")

# Sibling keys each action allows next to `at` and the action itself.
STEP_OPTIONS: dict[str, dict[str, str]] = {
    "apply": {"namespace": "str"},
    "create": {"namespace": "str"},
    "delete": {
        "namespace": "str",
        "gracePeriod": "int",
        "cascade": "str",
        "force": "bool",
        "apiVersion": "str",
    },
    "evict": {"namespace": "str"},
    "cordon": {},
    "uncordon": {},
    "drain": {},
    "cancelDrain": {},
    "scale": {},
    "setImage": {},
    "rolloutRestart": {"namespace": "str"},
    "rolloutUndo": {"namespace": "str", "toRevision": "int"},
    "inject": {},
    "exec": {},
}
DRY_RUN = ("none", "client", "server")
ROLLOUT_KINDS = {
    # kubectl's rollbackers and restart patch (polymorphichelpers): the three controllers
    # with a pod template and a revision history.
    "rolloutRestart": ("Deployment", "StatefulSet", "DaemonSet"),
    "rolloutUndo": ("Deployment", "StatefulSet", "DaemonSet"),
}
MAPPING_FIELDS: dict[str, dict[str, str]] = {
    "drain": {
        "node": "str",
        "ignoreDaemonsets": "bool",
        "deleteEmptydirData": "bool",
        "force": "bool",
        "timeout": "duration",
        "gracePeriod": "int",
        "disableEviction": "bool",
        "podSelector": "str",
        "dryRun": "dryRun",
        "skipWaitForDeleteTimeout": "int",
    },
    "scale": {"target": "str", "replicas": "int", "namespace": "str"},
    "setImage": {"target": "str", "container": "str", "image": "str", "namespace": "str"},
    "inject": {
        "fault": "str",
        "pod": "str",
        "selector": "str",
        "namespace": "str",
        "container": "str",
        "exitCode": "int",
        "probe": "str",
        "duration": "duration",
        "image": "str",
        "node": "str",
        "count": "int",
    },
}
INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAPPING_FIELDS["exec"] = {"pod": "str", "container": "str", "namespace": "str", "command": "str"}
REQUIRED_FIELDS = {
    "exec": ("pod", "command"),
    "drain": ("node",),
    "scale": ("target", "replicas"),
    "setImage": ("target", "image"),
    "inject": ("fault",),
}


@dataclass
class Step:
    """One scenario step."""

    at: float
    action: str
    value: Any
    options: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int = 0
    base: Path = Path(".")

    def describe(self) -> str:
        return f"{self.action} {self.value}"


@dataclass
class Scenario:
    steps: list[Step]
    file: str


def _type_ok(value: Any, kind: str) -> bool:
    if kind in ("str", "dryRun"):
        return isinstance(value, str) and bool(value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "duration":
        try:
            parse_duration(value)
        except DurationError:
            return False
        return True
    return True


_TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "duration": "a duration such as 30s, 5m or 1h30m",
    "dryRun": '"none", "client" or "server" (kubectl\'s --dry-run values)',
}


def load_scenario(path: str) -> tuple[Scenario | None, list[Problem]]:
    """Parse and check a scenario file."""
    file = Path(path)
    text, problem = read_source(file, path)
    if text is None:
        return None, [problem]  # type: ignore[list-item]
    docs, problems = parse_documents(text, path)
    if problems:
        return None, problems
    if not docs:
        return Scenario([], path), []
    if len(docs) > 1:
        return None, [
            Problem(
                path, docs[1].line, "a scenario is one YAML list of steps, not several documents"
            )
        ]
    doc = docs[0]
    if not isinstance(doc.data, list):
        return None, [
            Problem(path, doc.line, "a scenario must be a YAML list of steps (`- at: 10s` ...)")
        ]
    steps: list[Step] = []
    for index, item in enumerate(doc.data):
        step, step_problems = _parse_step(item, index, doc, file.parent)
        problems.extend(step_problems)
        if step is not None:
            steps.append(step)
    if problems:
        return None, problems
    steps.sort(key=lambda s: s.at)
    return Scenario(steps, path), []


def _parse_step(
    item: Any, index: int, doc: Document, base: Path
) -> tuple[Step | None, list[Problem]]:
    file = doc.file

    def at_line(*path: Any) -> int:
        return doc.line_of((index, *path))

    if not isinstance(item, dict):
        return None, [
            Problem(file, at_line(), "a step must be a mapping with `at:` and one action")
        ]
    problems: list[Problem] = []
    if "at" not in item:
        problems.append(Problem(file, at_line(), "step has no `at:` time"))
        at = 0.0
    else:
        try:
            at = parse_duration(item["at"])
        except DurationError as err:
            problems.append(Problem(file, at_line("at"), f"at: {err}"))
            at = 0.0
    actions = [key for key in item if key in ACTIONS]
    unknown = [key for key in item if key != "at" and key not in ACTIONS]
    if not actions:
        names = ", ".join(ACTIONS)
        if unknown:
            key = unknown[0]
            problems.append(
                Problem(file, at_line(key), f'unknown scenario action "{key}" (known: {names})')
            )
        else:
            problems.append(Problem(file, at_line(), f"step has no action (one of: {names})"))
        return None, problems
    if len(actions) > 1:
        problems.append(
            Problem(
                file,
                at_line(actions[1]),
                f"a step takes exactly one action; this one has {', '.join(actions)}",
            )
        )
        return None, problems
    action = actions[0]
    allowed = STEP_OPTIONS[action]
    options: dict[str, Any] = {}
    for key in unknown:
        if key not in allowed:
            hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
            problems.append(
                Problem(file, at_line(key), f'unknown field "{key}" for a {action} step{hint}')
            )
        elif not _type_ok(item[key], allowed[key]):
            problems.append(
                Problem(file, at_line(key), f"{key} must be {_TYPE_WORDS[allowed[key]]}")
            )
        else:
            options[key] = item[key]
    problems.extend(_range_problems(item, "gracePeriod", doc, (index,)))
    value = item[action]
    problems.extend(_check_value(action, value, options, doc, (index, action), base))
    if "cascade" in options and options["cascade"] not in CASCADES:
        problems.append(
            Problem(
                file,
                at_line("cascade"),
                f'invalid cascade value "{options["cascade"]}": must be one of {", ".join(CASCADES)}',
            )
        )
    if action == "delete" and "apiVersion" in options and not problems:
        problems.extend(_check_api_version(value, options["apiVersion"], file, at_line("apiVersion")))
    if problems:
        return None, problems
    if action in ("drain",) and isinstance(value, str):
        value = {"node": value}
    return Step(at, action, value, options, file, at_line(), base), []


def _check_value(
    action: str, value: Any, options: dict, doc: Document, path: tuple, base: Path
) -> list[Problem]:
    file = doc.file
    line = doc.line_of(path)
    if action in MAPPING_FIELDS and not (action == "drain" and isinstance(value, str)):
        if not isinstance(value, dict):
            return [Problem(file, line, f"{action} takes a mapping: {_example(action)}")]
        problems: list[Problem] = []
        fields = MAPPING_FIELDS[action]
        for key, item in value.items():
            if key not in fields:
                problems.append(
                    Problem(
                        file,
                        doc.line_of((*path, key)),
                        f'unknown field "{key}" in {action} (known: {", ".join(fields)})',
                    )
                )
            elif not _type_ok(item, fields[key]):
                problems.append(
                    Problem(
                        file,
                        doc.line_of((*path, key)),
                        f"{action}.{key} must be {_TYPE_WORDS[fields[key]]}",
                    )
                )
        for key in REQUIRED_FIELDS.get(action, ()):
            if key not in value:
                problems.append(Problem(file, line, f"{action} needs `{key}`: {_example(action)}"))
        if action in ("scale", "setImage") and isinstance(value.get("target"), str):
            problems.extend(_check_target(value["target"], file, doc.line_of((*path, "target"))))
        if action == "scale" and _type_ok(value.get("replicas"), "int"):
            if value["replicas"] < 0:
                problems.append(
                    Problem(file, doc.line_of((*path, "replicas")), "replicas must not be negative")
                )
            elif value["replicas"] > INT32_MAX:
                # Scale's spec.replicas is an int32, as every controller's replicas.
                problems.append(
                    Problem(
                        file,
                        doc.line_of((*path, "replicas")),
                        f"replicas must be at most {INT32_MAX} (an int32, as spec.replicas is)",
                    )
                )
        for key in ("gracePeriod",):
            problems.extend(_range_problems(value, key, doc, path))
        if action == "inject":
            problems.extend(_check_inject(value, doc, path))
        if action == "drain":
            problems.extend(_check_drain(value, doc, path))
        return problems
    if action == "cancelDrain" and value is not None and not isinstance(value, str):
        return [Problem(file, line, f"cancelDrain takes the node's name: {_example(action)}")]
    if not isinstance(value, str) or not value.strip():
        return [Problem(file, line, f"{action} names nothing: {_example(action)}")]
    if action in ("apply", "create"):
        try:
            exists = (base / value).resolve().exists()
        except (OSError, ValueError):  # a NUL byte, a name too long...
            exists = False
        if not exists:
            return [
                Problem(
                    file,
                    line,
                    f"the path {json.dumps(value, ensure_ascii=False)} does not exist "
                    "(paths are relative to the scenario file)",
                )
            ]
        return []
    if action in ROLLOUT_KINDS:
        problems = _check_target(value, file, line)
        if not problems:
            problems.extend(_check_rollout(action, value, options, doc, path))
        return problems
    if action in ("delete", "evict"):
        problems = _check_target(value, file, line)
        if (
            action == "evict"
            and not problems
            and value.split("/", 1)[0].lower() not in ("pod", "pods", "po")
        ):
            problems.append(Problem(file, line, "evict takes a pod: `evict: pod/NAME`"))
        return problems
    return []


def _check_target(value: str, file: str, line: int) -> list[Problem]:
    from engine.api.kinds import resolve_resource
    from engine.api.resources import known_kind

    if "/" not in value:
        return [Problem(file, line, f'"{value}" must be KIND/NAME, e.g. deployment/web')]
    kind, _, name = value.partition("/")
    if not name:
        return [Problem(file, line, f'"{value}" names no object: KIND/NAME, e.g. deployment/web')]
    if resolve_resource(kind) is None and known_kind(kind) is None:
        return [Problem(file, line, f'the server doesn\'t have a resource type "{kind}"')]
    return []


def _check_api_version(target: str, api_version: str, file: str, line: int) -> list[Problem]:
    """A delete addressed through an apiVersion must name one that serves the kind."""
    from engine.api.kinds import resolve_resource

    info = resolve_resource(target.partition("/")[0])
    if info is None or api_version in info.api_versions or api_version in info.deprecated:
        return []
    return [
        Problem(
            file,
            line,
            f'no matches for kind "{info.kind}" in version "{api_version}" '
            f"(podtui serves {info.kind} as {', '.join(info.api_versions + tuple(info.deprecated))})",
        )
    ]


def _check_rollout(
    action: str, value: str, options: dict, doc: Document, path: tuple
) -> list[Problem]:
    """`rolloutRestart` / `rolloutUndo`: a controller with a revision history, and for an
    undo a revision that can exist (0, the default, is the previous one)."""
    from engine.api.resources import known_kind

    problems: list[Problem] = []
    kind = known_kind(value.partition("/")[0])
    kinds = ROLLOUT_KINDS[action]
    if kind is not None and kind not in kinds:
        names = ", ".join(k.lower() for k in kinds)
        problems.append(
            Problem(doc.file, doc.line_of(path), f"{action} takes a {names}: {_example(action)}")
        )
    revision = options.get("toRevision")
    if isinstance(revision, int) and revision < 0:
        problems.append(
            Problem(
                doc.file,
                doc.line_of((path[0], "toRevision")),
                "toRevision must not be negative (0, the default, is the previous revision)",
            )
        )
    return problems


def _check_drain(value: dict, doc: Document, path: tuple) -> list[Problem]:
    """drain's `dryRun` (kubectl's --dry-run values) and `skipWaitForDeleteTimeout`."""
    problems: list[Problem] = []
    dry_run = value.get("dryRun")
    if isinstance(dry_run, str) and dry_run not in DRY_RUN:
        problems.append(
            Problem(
                doc.file,
                doc.line_of((*path, "dryRun")),
                f'Invalid dry-run value ({dry_run}). Must be "none", "server", or "client".',
            )
        )
    skip = value.get("skipWaitForDeleteTimeout")
    if isinstance(skip, int) and not isinstance(skip, bool) and skip < 0:
        problems.append(
            Problem(
                doc.file,
                doc.line_of((*path, "skipWaitForDeleteTimeout")),
                "drain.skipWaitForDeleteTimeout must not be negative (seconds; 0 never skips)",
            )
        )
    return problems


def _check_inject(value: dict, doc: Document, path: tuple) -> list[Problem]:
    file = doc.file
    line = doc.line_of(path)
    fault = value.get("fault")
    if not isinstance(fault, str):
        return []
    if fault not in FAULTS:
        return [
            Problem(
                file,
                doc.line_of((*path, "fault")),
                f'unknown fault "{fault}" (known: {", ".join(FAULTS)})',
            )
        ]
    problems: list[Problem] = []
    if fault in ("crash", "oom", "probeFail", "sandboxKill", "podKill") and not (
        value.get("pod") or value.get("selector")
    ):
        problems.append(
            Problem(
                file, line, f"inject {fault} names no pod: give `pod: NAME` or `selector: app=web`"
            )
        )
    if fault in ("nodeDown", "nodeUp") and not value.get("node"):
        problems.append(Problem(file, line, f"inject {fault} names no node: give `node: NAME`"))
    if fault == "imagePullFail" and not (
        value.get("image") or value.get("pod") or value.get("selector")
    ):
        problems.append(
            Problem(
                file, line, "inject imagePullFail names nothing: give `image: REF` or `pod: NAME`"
            )
        )
    if fault == "probeFail":
        probe = value.get("probe", "liveness")
        if probe not in PROBES:
            problems.append(
                Problem(
                    file,
                    doc.line_of((*path, "probe")),
                    f'unknown probe "{probe}" (known: {", ".join(PROBES)})',
                )
            )
    if "selector" in value and isinstance(value["selector"], str):
        from engine.labels import parse_selector

        try:
            parse_selector(value["selector"])
        except ValueError as err:
            problems.append(
                Problem(file, doc.line_of((*path, "selector")), f"invalid selector: {err}")
            )
    if _type_ok(value.get("count"), "int") and not 1 <= value["count"] <= INT32_MAX:
        problems.append(
            Problem(
                file,
                doc.line_of((*path, "count")),
                f"count must be between 1 and {INT32_MAX}",
            )
        )
    if _type_ok(value.get("exitCode"), "int") and not 0 <= value["exitCode"] <= 255:
        # A process's exit status is one byte (128+N when signal N killed it).
        problems.append(
            Problem(
                file,
                doc.line_of((*path, "exitCode")),
                "exitCode must be between 0 and 255 (a process's exit status)",
            )
        )
    return problems


def _range_problems(value: dict, key: str, doc: Document, path: tuple) -> list[Problem]:
    """gracePeriod is DeleteOptions.gracePeriodSeconds, an int64 (kubectl: --grace-period)."""
    number = value.get(key)
    if _type_ok(number, "int") and not INT64_MIN <= number <= INT64_MAX:
        return [
            Problem(
                doc.file,
                doc.line_of((*path, key)),
                f"{key} must be between {INT64_MIN} and {INT64_MAX} (an int64)",
            )
        ]
    return []


def _example(action: str) -> str:
    return {
        "apply": "`apply: more-manifests/`",
        "create": "`create: more-manifests/`",
        "delete": "`delete: deployment/web`",
        "evict": "`evict: pod/web-0`",
        "cordon": "`cordon: node-2`",
        "uncordon": "`uncordon: node-2`",
        "drain": "`drain: {node: node-2, ignoreDaemonsets: true}`",
        "cancelDrain": "`cancelDrain: node-2` (stops the running drain of node-2)",
        "scale": "`scale: {target: deployment/web, replicas: 5}`",
        "setImage": "`setImage: {target: deployment/web, container: app, image: nginx:1.27}`",
        "rolloutRestart": "`rolloutRestart: deployment/web`",
        "rolloutUndo": "`rolloutUndo: deployment/web` (optional `toRevision: 2`)",
        "inject": "`inject: {fault: crash, pod: web-0}`",
        "exec": "`exec: {pod: web, container: app, command: cat /etc/hostname}`",
    }[action]
