"""Fuzzing the inputs (issue 10, item 14): manifests and scenario files that are random
YAML, valid YAML with wrong types and out-of-range numbers, deep nesting, aliases, control
characters and other encodings. `podtui validate`, `podtui sim` and the loader the console's
reloader uses never raise, never hang, and answer every problem with `FILE:LINE: message`.

Fast by default (a few seconds, the same examples every run). More examples, drawn at
random: `PODTUI_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz_inputs.py`.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.manifests.loader import load_text
from engine.manifests.yamldoc import MAX_FILE_BYTES
from podtui.cli import main
from podtui.reload.state import ManifestFolders

EXAMPLES = int(os.environ.get("PODTUI_FUZZ_EXAMPLES", "0"))
settings.register_profile(
    "podtui-fuzz",
    max_examples=EXAMPLES or 30,
    deadline=None,
    derandomize=not EXAMPLES,  # CI runs the same examples; a heavy run explores
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # capsys: read out after every example
    ],
)
FUZZ = settings.get_profile("podtui-fuzz")
# Seconds any one file may take to validate, simulate and reload: a hang fails the test.
HANG_SECONDS = 60

TEMPLATES = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "x"}},
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web",
            "labels": {"app": "web"},
            "annotations": {"behavior.podtui.io/app": "listenDelay=2s exitCode=3"},
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx",
                    "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                }
            ],
            "terminationGracePeriodSeconds": 5,
        },
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "nginx"}]},
            },
        },
    },
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 1,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "redis"}]},
            },
        },
    },
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "job"},
        "spec": {
            "completions": 1,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "j", "image": "busybox", "command": ["true"]}],
                }
            },
        },
    },
    {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "pdb"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "api"}}},
    },
    {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-a"},
        "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "ds"},
        "spec": {
            "selector": {"matchLabels": {"app": "ds"}},
            "template": {
                "metadata": {"labels": {"app": "ds"}},
                "spec": {"containers": [{"name": "ds", "image": "fluentd"}]},
            },
        },
    },
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}},
]

NASTY_SCALARS = st.one_of(
    st.sampled_from(
        [
            2**31,
            2**31 - 1,
            2**63,
            2**64,
            -(2**63) - 1,
            10**400,
            -1,
            0,
            2.5,
            2.0,
            1e308,
            float("nan"),
            float("inf"),
            -float("inf"),
            "",
            "-1",
            "9" * 5000,
            "1e400",
            "1e99999999999",
            "0." + "0" * 3000 + "1",
            "\ud800",
            "x\x00y",
            "\x1b[31m",
            "é漢🙂",
            "~",
            "y",
            "<<",
            "*a",
            None,
            True,
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    # values a field may well hold, so that mutated objects often stay valid and run
    st.sampled_from([1, 2, 3, 80, "a", "web", "nginx", "100m", "1Gi", "app"]),
    st.builds(dict, app=st.just("web")),  # a new dict each time: mutations must not loop
)
NASTY = st.recursive(
    NASTY_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4
        ),
    ),
    max_leaves=8,
)


@st.composite
def mutated_manifest(draw: st.DrawFn) -> object:
    """A valid object with a few fields replaced, removed or added."""
    obj = json.loads(json.dumps(draw(st.sampled_from(TEMPLATES))))
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(obj))
        path = draw(st.sampled_from(paths))
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        value = copy.deepcopy(draw(NASTY))  # never an object already in the tree
        if action == "replace" or not isinstance(parent, dict):
            parent[path[-1]] = value
        elif action == "delete":
            parent.pop(path[-1], None)
        else:
            parent[draw(st.text(min_size=1, max_size=12))] = value
    return obj


def _paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _dump(data: object, style: str) -> str:
    if style == "json":
        return json.dumps(data)
    return yaml.safe_dump(data, default_flow_style=style == "flow", allow_unicode=False)


def _nested(depth: int, style: str) -> str:
    if style == "block":
        body = "".join(f"{'  ' * (i + 1)}k:\n" for i in range(depth)) + "  " * (depth + 1) + "v\n"
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n" + body
    if style == "json":
        return (
            '{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + "[" * depth + "]" * depth + "}"
        )
    return "a: " + "{b: " * depth + "c" + "}" * depth + "\n"


def _aliases(levels: int, width: int) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "a0: &a0 [x, y]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + f"\ndata: {{k: *a{levels - 1}}}\n"


YAML_CHARS = st.sampled_from([*":-[]{},&*!|>'\"#%@?\n \t\\", "\x00", "\x7f", "\u2028", "a", "1"])
RANDOM_TEXT = st.one_of(
    st.text(alphabet=YAML_CHARS, max_size=80),
    st.text(max_size=80),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: r}\n", "- at: 1s\n"]),
        st.text(alphabet=YAML_CHARS, max_size=60),
    ),
)
TEXTS = st.one_of(
    RANDOM_TEXT,
    st.builds(_dump, mutated_manifest(), st.sampled_from(["block", "flow", "json"])),
    st.builds(_nested, st.integers(1, 3000), st.sampled_from(["block", "flow", "json"])),
    st.builds(_aliases, st.integers(2, 12), st.integers(1, 12)),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1"])


@st.composite
def manifest_file(draw: st.DrawFn) -> tuple[str, bytes]:
    text = draw(TEXTS)
    suffix = draw(st.sampled_from([".yaml", ".json"]))
    if text.lstrip().startswith("{") and draw(st.booleans()):
        suffix = ".json"
    encoding = draw(st.one_of(st.just("utf-8"), ENCODINGS))
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))
    return "m" + suffix, data


STEP_VALUES = st.one_of(
    NASTY,
    st.sampled_from(
        [
            "node-1",
            "pod/web",
            "deployment/api",
            {"target": "deployment/api", "replicas": 3},
            {"fault": "crash", "pod": "web", "exitCode": 1},
            {"fault": "podKill", "selector": "app=api", "count": 2},
            {"node": "node-1", "ignoreDaemonsets": True, "timeout": "30s"},
            {"target": "deployment/api", "container": "api", "image": "nginx:2"},
            "more/",
        ]
    ),
)
ACTIONS = st.sampled_from(
    ["apply", "delete", "evict", "cordon", "uncordon", "drain", "scale", "setImage", "inject", "x"]
)
GOOD_STEPS = [
    {"at": "1s", "cordon": "node-1"},
    {"at": "2s", "uncordon": "node-1"},
    {"at": "2s", "apply": "more/"},
    {"at": "3s", "inject": {"fault": "crash", "pod": "web", "exitCode": 2}},
    {"at": "4s", "inject": {"fault": "nodeDown", "node": "node-2"}},
    {"at": "5s", "delete": "pod/web", "gracePeriod": 0},
    {"at": "5s", "evict": "pod/web"},
    {"at": "6s", "drain": {"node": "node-3", "force": True, "timeout": "5s"}},
]
AT = st.one_of(st.sampled_from(["1s", "2s", "90s", "1m", 3, 0.5, "1h30m"]), NASTY)


@st.composite
def scenario_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(TEXTS).encode("utf-8", "surrogatepass")
    steps = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)):  # mostly steps that work, so that the sim runs
            steps.append(draw(st.sampled_from(GOOD_STEPS)))
        else:
            steps.append({"at": draw(AT), draw(ACTIONS): draw(STEP_VALUES)})
    if draw(st.integers(0, 3)) == 0:
        steps.append({"at": "2s", "delete": "pod/web", "gracePeriod": draw(NASTY)})
    return _dump(steps, draw(st.sampled_from(["block", "flow"]))).encode("utf-8", "surrogatepass")


GOOD_POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: a, image: nginx}]}\n"


def _small(data: bytes) -> bool:
    """Whether the file asks for a modest number of pods. A valid `replicas: 2147483647` is
    a cluster of two billion pods: simulating it is a question of the engine's cost, not of
    reading the file, so sim skips files whose replica or completion counts are in the
    thousands (every other number, however large, is simulated)."""
    counts = rb"(replicas|completions|parallelism|count)[\"']?\s*:\s*[\"']?[0-9]{4,}"
    return re.search(counts, data) is None


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail, rather than wait forever, when one input takes longer than `seconds`."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"an input took longer than {seconds}s: a hang")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_file_line(err: str, *names: str) -> None:
    """Every line names one of the files (`FILE:LINE: message`, or `FILE: ...` for a file
    that cannot be read at all), and no problem is podtui's own bug."""
    lines = err.splitlines()
    assert lines, "a refusal must say why"
    for line in lines:
        assert line.startswith(tuple(f"{name}:" for name in names)), line
        assert "this is a bug in podtui" not in line, line


class TestFuzzedManifests:
    @FUZZ
    @given(file=manifest_file())
    def test_validate_sim_and_the_reloader_answer_file_line(
        self, file: tuple[str, bytes], capsys: pytest.CaptureFixture[str]
    ) -> None:
        name, data = file
        capsys.readouterr()  # what an earlier, failing example left behind
        with tempfile.TemporaryDirectory(prefix="podtui-fuzz-") as tmp, no_hang():
            path = Path(tmp) / name
            path.write_bytes(data)
            code, out, err = run(capsys, "validate", str(path))
            event("refused" if code else "valid")
            if code == 0:
                assert out.startswith("ok: ") and err == ""
            if code == 0 and _small(data):
                event("valid, simulated")
                code, out, err = run(capsys, "sim", str(path), "--until", "3s", "-o", "json")
                assert code == 0, err
                assert json.loads(out)["kind"] == "List"
            else:
                assert code == 1 and out == ""
                assert_file_line(err, str(path))
            text = data.decode("utf-8", "replace")
            for problem in load_text(text, str(path)).problems:  # the reloader's loader
                assert str(problem).startswith(f"{path}:")
                assert "this is a bug in podtui" not in problem.message
            entry = ManifestFolders([Path(tmp)]).reload(Cluster(seed=0))
            for error in entry.errors if entry is not None else ():
                assert_file_line(error, str(path), "Error from server")


class TestFuzzedScenarios:
    @FUZZ
    @given(scenario=scenario_file())
    def test_validate_and_sim_answer_file_line(
        self, scenario: bytes, capsys: pytest.CaptureFixture[str]
    ) -> None:
        capsys.readouterr()  # what an earlier, failing example left behind
        with tempfile.TemporaryDirectory(prefix="podtui-fuzz-") as tmp, no_hang():
            root = Path(tmp)
            (root / "web.yaml").write_text(GOOD_POD)
            (root / "more").mkdir()
            (root / "more" / "cm.yaml").write_text(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: more}\n"
            )
            path = root / "s.yaml"
            path.write_bytes(scenario)
            args = [str(root / "web.yaml"), "--scenario", str(path)]
            code, out, err = run(capsys, "validate", *args)
            event("refused" if code else "valid, simulated")
            if code == 0:
                code, out, err = run(capsys, "sim", *args, "--until", "10s", "-o", "json")
                assert code == 0, err
                assert json.loads(out)["kind"] == "List"
            else:
                assert code == 1 and out == ""
                assert_file_line(err, str(path), str(root / "more"))


class TestFuzzedUserTextElsewhere:
    """The other places a user's text arrives: the editor's buffer, a keymap file, a request
    body to the served API. Each answers in its own form, never with a traceback."""

    @FUZZ
    @given(text=TEXTS)
    def test_the_editor_buffer_is_an_object_or_an_error_at_a_line(self, text: str) -> None:
        from podtui.app.screens.edit import read_buffer

        with no_hang():
            edited, error = read_buffer(text, 10)
        if error is None:
            event("read")
            json.dumps(edited)  # what the API server is given is JSON
        else:
            event("refused")
            message, line, _column = error
            assert "\n" not in message
            assert line is None or (line >= 10 and message.startswith(f"line {line + 1}"))

    @FUZZ
    @given(text=TEXTS, suffix=st.sampled_from([".yaml", ".toml"]), encoding=ENCODINGS)
    def test_a_keymap_file_loads_or_is_one_file_line_error(
        self, text: str, suffix: str, encoding: str
    ) -> None:
        from podtui.app.app import PodtuiApp
        from podtui.app.keymap import KeymapError, load_keymap

        with tempfile.TemporaryDirectory(prefix="podtui-fuzz-") as tmp, no_hang():
            path = Path(tmp) / f"keymap{suffix}"
            path.write_bytes(text.encode(encoding, "surrogatepass" if "utf" in encoding else "replace"))
            try:
                keymap = load_keymap(path, PodtuiApp.binding_ids())
            except KeymapError as err:
                event("refused")
                assert str(err).startswith(f"{path}:") and "\n" not in str(err)
            else:
                event("loaded")
                assert all(isinstance(keys, str) for keys in keymap.values())

    @FUZZ
    @given(
        text=TEXTS,
        content_type=st.sampled_from(
            ["application/json", "application/yaml", "application/merge-patch+json"]
        ),
    )
    def test_a_request_body_is_answered_with_a_status_never_a_server_error(
        self, text: str, content_type: str
    ) -> None:
        from tests.engine.simulation import cluster_with
        from tests.rest.helpers import Client

        client = _rest_client(Client, cluster_with)
        body = text.encode("utf-8", "surrogatepass")
        with no_hang():
            if content_type.startswith("application/merge"):
                path = "/api/v1/namespaces/default/configmaps/cm"
                response = client.request("PATCH", path, body, content_type=content_type)
            else:
                path = "/api/v1/namespaces/default/configmaps"
                response = client.request("POST", path, body, content_type=content_type)
        event(str(response.status))
        assert response.status < 500, response.body[:500]
        if response.status >= 400:
            status = response.json()
            assert status["kind"] == "Status" and status["code"] == response.status


_CLIENTS: list = []


def _rest_client(client_type, cluster_with):  # type: ignore[no-untyped-def]
    """One served cluster for every example (booting one per example is slow)."""
    if not _CLIENTS:
        _CLIENTS.append(
            client_type(
                cluster_with(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\n"
                )
            )
        )
    return _CLIENTS[0]


def test_the_file_size_limit_is_what_the_readme_says() -> None:
    assert MAX_FILE_BYTES == 3 * 1024 * 1024
