"""The scenario's `create` step: `kubectl create -f`, which the console's `:create -f`
records, so a session that created objects replays to the same objects."""

from __future__ import annotations

from pathlib import Path

from engine.apply import LAST_APPLIED
from engine.sim import load_inputs, simulate

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""


def play(tmp_path: Path, scenario: str, until: float = 5) -> tuple[object, list[str]]:
    (tmp_path / "cluster").mkdir(exist_ok=True)
    (tmp_path / "extra").mkdir(exist_ok=True)
    (tmp_path / "extra" / "cm.yaml").write_text(CONFIG_MAP)
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario)
    inputs = load_inputs([str(tmp_path / "cluster")], str(path))
    assert not inputs.problems, [str(p) for p in inputs.problems]
    lines: list[str] = []
    return simulate(inputs, until=until, report=lines.append), lines


def test_create_creates_as_written_without_the_last_applied_annotation(tmp_path: Path) -> None:
    # kubectl create sends the object as it is; only apply (or create --save-config) adds
    # kubectl.kubernetes.io/last-applied-configuration (kubectl pkg/cmd/create/create.go).
    cluster, lines = play(tmp_path, "- at: 2s\n  create: extra/cm.yaml\n")
    created = cluster.store.get("ConfigMap", "default", "settings")
    assert created["data"] == {"mode": "fast"}
    assert LAST_APPLIED not in (created["metadata"].get("annotations") or {})
    assert "[2s] configmap/settings created" in lines


def test_create_of_an_existing_object_is_refused_with_already_exists(tmp_path: Path) -> None:
    _, lines = play(
        tmp_path, "- at: 1s\n  create: extra/cm.yaml\n- at: 2s\n  create: extra/cm.yaml\n"
    )
    assert any(
        line.startswith("[2s] Error from server (AlreadyExists): error when creating")
        and 'configmaps "settings" already exists' in line
        for line in lines
    ), lines


def test_create_takes_a_namespace_for_objects_without_one(tmp_path: Path) -> None:
    cluster, _ = play(tmp_path, "- at: 1s\n  create: extra/cm.yaml\n  namespace: kube-public\n")
    assert cluster.store.get("ConfigMap", "kube-public", "settings") is not None


def test_a_namespace_that_contradicts_the_object_is_refused_as_kubectl_does(
    tmp_path: Path,
) -> None:
    # cli-runtime pkg/resource/visitor.go (RequireNamespace): -n must match the object's own.
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "other.yaml").write_text(
        CONFIG_MAP.replace("name: settings", "name: other\n  namespace: kube-system")
    )
    cluster, lines = play(
        tmp_path, "- at: 1s\n  apply: extra/other.yaml\n  namespace: kube-public\n"
    )
    assert cluster.store.get("ConfigMap", "kube-system", "other") is None
    assert (
        '[1s] error: the namespace from the provided object "kube-system" does not match the '
        "namespace \"kube-public\". You must pass '--namespace=kube-system' to perform this "
        "operation."
    ) in lines


def test_a_create_step_naming_a_missing_path_is_a_file_line_problem(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("- at: 1s\n  create: nowhere.yaml\n")
    inputs = load_inputs([str(tmp_path)], str(path))
    assert [str(p) for p in inputs.problems] == [
        f'{path}:2: the path "nowhere.yaml" does not exist (paths are relative to the '
        "scenario file)"
    ]


def test_create_allows_generate_name_which_apply_refuses(tmp_path: Path) -> None:
    # kubectl create -f sends generateName to the server; kubectl apply refuses it
    # (apply.go: "from %s: cannot use generate name with apply").
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "gen.yaml").write_text(
        CONFIG_MAP.replace("name: settings", "generateName: settings-")
    )
    cluster, lines = play(tmp_path, "- at: 1s\n  create: extra/gen.yaml\n")
    created = [
        c["metadata"]["name"]
        for c in cluster.store.list("ConfigMap", "default")
        if c["metadata"]["name"].startswith("settings-")
    ]
    assert len(created) == 1 and len(created[0]) == len("settings-") + 5, created
    assert "[1s] configmap/" + created[0] + " created" in lines
