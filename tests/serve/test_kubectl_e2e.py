"""The real kubectl (1.32) against `podtui serve`: the seed tutorial word for word, and the
verbs people use every day. Skipped where kubectl is not installed.

One server for the module, at 10x speed (no test reads an age); the tests run in order and
each leaves the cluster as the next expects.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from engine.api import errors
from engine.api.admission import UserInfo
from tests.engine.simulation import cluster_with
from tests.serve.kubectl import KUBECTL, REPO, Lines, serve

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

CLUSTER = REPO / "tests" / "serve" / "cluster"
PSP = (REPO / "sample_manifests" / "security" / "psp.yaml").read_text()

WEB = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: nginx
            image: nginx:1.27
    """
)

PRIVILEGED = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: root
    spec:
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
    """
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = serve([str(CLUSTER)], tmp_path_factory.mktemp("serve"))
    (server.workdir / "psp.yaml").write_text(PSP)
    (server.workdir / "web.yaml").write_text(WEB)
    (server.workdir / "pod.yaml").write_text(PRIVILEGED)
    editor = server.workdir / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/max: 8080/max: 9090/' \"$1\"\n")
    editor.chmod(0o755)
    try:
        # kubectl wait watches until the condition holds (a list, then a watch from its version).
        ready = server.kubectl(
            "wait", "--for=condition=Ready", "pod/hello", "--timeout=60s", timeout=90
        )
        available = server.kubectl(
            "wait", "--for=condition=Available", "deployment/shop", "--timeout=60s", timeout=90
        )
        assert ready.stdout == "pod/hello condition met\n", ready.stderr
        assert available.stdout == "deployment.apps/shop condition met\n", available.stderr
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


class TestSeedTutorial:
    """The four PSP commands of the seed tutorial, word for word."""

    def create(self, served):
        result = served.kubectl("create", "-f", "./psp.yaml")
        assert ok(result) == "podsecuritypolicy.extensions/permissive created\n"
        assert "Warning: extensions/v1beta1 PodSecurityPolicy is deprecated" in result.stderr

    def get(self, served):
        result = served.kubectl("get", "psp")
        # One group-version has the short name: kubectl does not warn that "psp" could
        # also match podsecuritypolicies.extensions (client-go restmapper/shortcut.go).
        assert "could also match" not in result.stderr
        out = ok(result)
        lines = out.splitlines()
        assert lines[0].split() == [
            "NAME",
            "PRIV",
            "CAPS",
            "SELINUX",
            "RUNASUSER",
            "FSGROUP",
            "SUPGROUP",
            "READONLYROOTFS",
            "VOLUMES",
        ]
        assert lines[2].split() == [
            "permissive",
            "false",
            "RunAsAny",
            "RunAsAny",
            "RunAsAny",
            "RunAsAny",
            "false",
            "*",
        ]

    def edit(self, served):
        result = served.kubectl(
            "edit", "psp", "permissive", env={"EDITOR": str(served.workdir / "editor.sh")}
        )
        assert ok(result) == "podsecuritypolicy.policy/permissive edited\n"
        ports = ok(served.kubectl("get", "psp", "permissive", "-o", "jsonpath={.spec.hostPorts}"))
        assert ports == '[{"max":9090,"min":8000}]'

    def delete(self, served):
        assert (
            ok(served.kubectl("delete", "psp", "permissive"))
            == 'podsecuritypolicy.policy "permissive" deleted\n'
        )

    def test_the_four_commands_in_order(self, served):
        # One test: the steps depend on each other, and pytest-xdist may split a module's
        # tests across workers (each with its own server).
        self.create(served)
        self.get(served)
        self.edit(served)
        self.delete(served)


def test_get_pods_prints_the_engine_table(served):
    out = ok(served.kubectl("get", "pods"))
    assert out.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert any(line.startswith("hello ") for line in out.splitlines())
    wide = ok(served.kubectl("get", "pods", "-o", "wide")).splitlines()[0].split()
    assert wide[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] and "NODE" in wide


def test_logs(served):
    assert ok(served.kubectl("logs", "hello")) == "Hello, Kubernetes!\n"


def _config_map(served, name: str) -> None:
    ok(served.kubectl("create", "configmap", name, "--from-literal=a=1"))


def test_get_watch_prints_a_change_as_it_happens(served):
    _config_map(served, "watched")
    watch = Lines(served.popen("get", "configmaps", "-w"))
    try:
        watch.wait_for(lambda line: line.startswith("watched "))
        ok(served.kubectl("delete", "configmap", "watched"))
        _config_map(served, "later")
        line = watch.wait_for(lambda line: line.startswith("later "))
        assert line.split()[:2] == ["later", "1"]
    finally:
        watch.stop()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("pod/hello", [r"Name:\s+hello\n", r"Status:\s+Running\n", r"\nEvents:\n"]),
        ("node/node-1", [r"Name:\s+node-1\n", r"\nNon-terminated Pods:", r"\nEvents:"]),
        ("deployment/shop", [r"Name:\s+shop\n", r"\nReplicas:\s+2 desired", r"\nEvents:\n"]),
    ],
)
def test_describe(served, target, expected):
    out = ok(served.kubectl("describe", target))
    for pattern in expected:
        assert re.search(pattern, out), pattern


def test_describe_pod_shows_its_events(served):
    out = ok(served.kubectl("describe", "pod", "hello"))
    assert "Successfully assigned default/hello to" in out


class TestDeploymentLifecycle:
    def apply_twice(self, served):
        assert ok(served.kubectl("apply", "-f", "web.yaml")) == "deployment.apps/web created\n"
        assert ok(served.kubectl("apply", "-f", "web.yaml")) == "deployment.apps/web unchanged\n"

    def server_side_apply_twice(self, served):
        for _ in range(2):
            out = ok(served.kubectl("apply", "--server-side", "-f", "web.yaml"))
            assert out == "deployment.apps/web serverside-applied\n"

    def server_side_apply_conflicts_with_a_scale_until_forced(self, served):
        ok(served.kubectl("scale", "deployment", "web", "--replicas=3"))
        result = served.kubectl("apply", "--server-side", "-f", "web.yaml")
        assert result.returncode == 1
        assert result.stderr.startswith(
            'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1 at '
        )
        assert ": .spec.replicas\n" in result.stderr
        out = ok(served.kubectl("apply", "--server-side", "--force-conflicts", "-f", "web.yaml"))
        assert out == "deployment.apps/web serverside-applied\n"

    def scale(self, served):
        assert (
            ok(served.kubectl("scale", "deployment", "web", "--replicas=3"))
            == "deployment.apps/web scaled\n"
        )
        replicas = ok(served.kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"))
        assert replicas == "3"

    def rollout_status(self, served):
        out = ok(served.kubectl("rollout", "status", "deployment/web", "--timeout=60s", timeout=90))
        assert out.splitlines()[-1] == 'deployment "web" successfully rolled out'

    def rollout_restart(self, served):
        assert (
            ok(served.kubectl("rollout", "restart", "deployment/web"))
            == "deployment.apps/web restarted\n"
        )
        out = ok(served.kubectl("rollout", "status", "deployment/web", "--timeout=60s", timeout=90))
        assert out.splitlines()[-1] == 'deployment "web" successfully rolled out'

    def rollout_undo(self, served):
        assert (
            ok(served.kubectl("rollout", "undo", "deployment/web"))
            == "deployment.apps/web rolled back\n"
        )
        annotations = ok(
            served.kubectl(
                "get", "deployment", "web", "-o", "jsonpath={.spec.template.metadata.annotations}"
            )
        )
        assert "restartedAt" not in annotations

    def delete(self, served):
        assert (
            ok(served.kubectl("delete", "deployment", "web")) == 'deployment.apps "web" deleted\n'
        )
        result = served.kubectl("get", "deployment", "web")
        assert result.returncode == 1
        assert 'deployments.apps "web" not found' in result.stderr

    def test_the_lifecycle_in_order(self, served):
        # One test: the steps depend on each other, and pytest-xdist may split a module's
        # tests across workers (each with its own server).
        self.apply_twice(served)
        self.server_side_apply_twice(served)
        self.server_side_apply_conflicts_with_a_scale_until_forced(served)
        self.scale(served)
        self.rollout_status(served)
        self.rollout_restart(served)
        self.rollout_undo(served)
        self.delete(served)


def test_cordon(served):
    assert ok(served.kubectl("cordon", "node-3")) == "node/node-3 cordoned\n"
    assert ok(served.kubectl("uncordon", "node-3")) == "node/node-3 uncordoned\n"


def test_drain_is_held_up_by_the_budget_until_its_timeout(served):
    # kubectl drain retries a 429 every 5 s (k8s.io/kubectl/pkg/drain/drain.go evictPods).
    node = ok(
        served.kubectl("get", "pods", "-l", "app=shop", "-o", "jsonpath={.items[0].spec.nodeName}")
    )
    result = served.kubectl("drain", node, "--ignore-daemonsets", "--timeout=4s", timeout=60)
    ok(served.kubectl("uncordon", node))
    assert result.returncode == 1
    assert f"node/{node} cordoned" in result.stdout
    assert (
        "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."
        in result.stderr
    )
    assert "global timeout reached: 4s" in result.stderr


def test_auth_can_i(served):
    assert ok(served.kubectl("auth", "can-i", "delete", "nodes")) == "yes\n"
    assert ok(served.kubectl("auth", "can-i", "create", "pods", "--as", "jane")) == "yes\n"
    refused = served.kubectl("auth", "can-i", "create", "pods", "-n", "kube-system", "--as", "jane")
    assert (refused.returncode, refused.stdout) == (1, "no\n")


def test_as_another_user_refused_by_rbac(served):
    result = served.kubectl("get", "pods", "-n", "kube-system", "--as", "jane")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" '
        'in API group "" in the namespace "kube-system"'
    )


def test_as_another_user_refused_by_pod_security_policy_with_the_sim_message(served):
    result = served.kubectl("create", "-f", "pod.yaml", "--as", "jane")
    assert result.returncode == 1
    # What `podtui sim` prints for the same request: the engine's refusal in kubectl's words.
    cluster = cluster_with("\n---\n".join(p.read_text() for p in sorted(CLUSTER.glob("*.yaml"))))
    import yaml

    with pytest.raises(errors.APIError) as raised:
        cluster.api.create(
            yaml.safe_load(PRIVILEGED), user=UserInfo("jane", ("system:authenticated",))
        )
    expected = raised.value.kubectl("creating", "pod.yaml")
    assert "PodSecurityPolicy: unable to admit pod" in expected
    assert result.stderr.strip() == expected


def test_without_the_token_kubectl_must_log_in(served):
    result = served.kubectl("get", "pods", "--token", "wrong")
    assert result.returncode == 1
    assert "error: You must be logged in to the server (Unauthorized)" in result.stderr


def test_logs_follow_streams(served):
    follow = Lines(served.popen("logs", "-f", "hello"))
    try:
        assert follow.wait_for(lambda line: bool(line)) == "Hello, Kubernetes!"
        assert follow.process.poll() is None  # still following
    finally:
        follow.stop()


def test_imperative_create_commands_send_protobuf_and_are_decoded(served):
    # kubectl's generators use typed clients, which send application/vnd.kubernetes.protobuf.
    assert ok(served.kubectl("create", "namespace", "team")) == "namespace/team created\n"
    out = ok(
        served.kubectl(
            "create", "deployment", "api", "--image=nginx:1.27", "--replicas=2", "-n", "team"
        )
    )
    assert out == "deployment.apps/api created\n"
    assert (
        ok(
            served.kubectl(
                "create", "secret", "generic", "token", "--from-literal=k=v", "-n", "team"
            )
        )
        == "secret/token created\n"
    )
    data = ok(served.kubectl("get", "secret", "token", "-n", "team", "-o", "jsonpath={.data.k}"))
    assert data == "dg=="  # base64 of "v"
    spec = ok(
        served.kubectl(
            "get",
            "deployment",
            "api",
            "-n",
            "team",
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
        )
    )
    assert spec == "2 nginx:1.27"
    ok(served.kubectl("delete", "namespace", "team", "--wait=false"))


def test_kinds_a_feature_package_registers_are_served_by_themselves(served):
    # Services (engine.network) register their kinds; discovery follows the registry.
    assert (
        ok(served.kubectl("expose", "deployment", "shop", "--port=80")) == "service/shop exposed\n"
    )
    out = ok(served.kubectl("get", "svc", "shop"))
    assert out.splitlines()[0].split() == [
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
    ]
    ok(served.kubectl("delete", "svc", "shop"))


TWINS = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: twins
    spec:
      containers:
      - name: app
        image: nginx:1.27
      - name: app
        image: nginx:1.27
    """
)


def test_invalid_pod_prints_what_the_sim_prints(served):
    # kubectl rebuilds `The Pod "twins" is invalid: <field>: <message>` from the Status's
    # details (kubectl pkg/cmd/util/helpers.go checkErr, over apimachinery
    # pkg/api/errors/errors.go NewInvalid): without kind, name and causes it would print
    # `The request is invalid: ...` instead.
    (served.workdir / "twins.yaml").write_text(TWINS)
    result = served.kubectl("create", "-f", "twins.yaml")
    assert result.returncode == 1
    import yaml

    cluster = cluster_with("\n---\n".join(p.read_text() for p in sorted(CLUSTER.glob("*.yaml"))))
    with pytest.raises(errors.InvalidError) as raised:
        cluster.api.create(yaml.safe_load(TWINS))
    expected = raised.value.kubectl("creating", "twins.yaml")
    assert expected == 'The Pod "twins" is invalid: spec.containers[1].name: Duplicate value: "app"'
    assert result.stderr.strip() == expected
