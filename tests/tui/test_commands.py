"""The `:` command line takes kubectl's verbs as a user types them, and the engine's
state afterwards is what kubectl would leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.app.app import PodtuiApp
from podtui.app.commandline import CommandError, parse
from podtui.app.screens.detail import DetailScreen
from podtui.app.screens.edit import EditScreen
from tests.tui.conftest import MANIFESTS, TERMINAL, enter_command, make_app, make_session

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""

PSP = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: permissive
spec:
  privileged: true
  seLinux:
    rule: RunAsAny
  supplementalGroups:
    rule: RunAsAny
  runAsUser:
    rule: RunAsAny
  fsGroup:
    rule: RunAsAny
  volumes:
  - '*'
"""


async def run(app: PodtuiApp, pilot, line: str) -> None:
    await enter_command(pilot, line)


def tutorial_app(tmp_path: Path, files: dict[str, str]) -> PodtuiApp:
    """A cluster from a folder holding web.yaml, with `files` in the current directory."""
    cluster_dir = tmp_path / "cluster"
    cluster_dir.mkdir()
    (cluster_dir / "web.yaml").write_text((MANIFESTS / "web.yaml").read_text())
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return PodtuiApp(make_session([cluster_dir], ticks=10), paused=True)


class TestParsing:
    def test_flags_take_values_with_or_without_equals(self) -> None:
        parsed = parse("delete pod web --grace-period=0 --force -n kube-system")
        assert parsed.verb == "delete"
        assert parsed.args == ["pod", "web"]
        assert parsed.flags == {"--grace-period": "0", "--force": True, "-n": "kube-system"}

    def test_a_leading_kubectl_is_allowed(self) -> None:
        assert parse("kubectl get po -A").flags == {"-A": True}

    def test_a_value_flag_without_value_is_refused(self) -> None:
        with pytest.raises(CommandError, match="flag needs an argument: -f"):
            parse("create -f")


class TestNavigation:
    @pytest.mark.parametrize(
        ("line", "kind"),
        [
            ("po", "Pod"),
            ("no", "Node"),
            ("ev", "Event"),
            ("get nodes", "Node"),
            ("cm", "ConfigMap"),
            ("psp", "PodSecurityPolicy"),
            ("pdb", "PodDisruptionBudget"),
            ("deploy", "Deployment"),
            ("sts", "StatefulSet"),
            ("ds", "DaemonSet"),
        ],
    )
    async def test_kubectl_names_and_short_names_switch_panes(self, line: str, kind: str) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, line)
            assert app.main_screen.kind == kind

    async def test_an_unknown_resource_is_refused_in_kubectls_words(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "get widgets")
            assert 'error: the server doesn\'t have a resource type "widgets"' in app.transcript
            assert app.main_screen.kind == "Pod"

    async def test_get_with_a_name_filters_to_it(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "get pods web")
            assert app.main_screen.table.visible_keys() == ["default/web"]

    async def test_get_all_namespaces(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "get cm -A")
            keys = app.main_screen.table.visible_keys()
            assert "kube-system/kube-root-ca.crt" in keys and "default/chatty-config" in keys

    async def test_describe_opens_the_describe_tab(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "describe pod/crasher")
            assert isinstance(app.screen, DetailScreen)
            assert "Reason:       CrashLoopBackOff" in str(
                app.screen.query_one("#describe-view").content
            )

    async def test_describe_of_a_missing_object_says_not_found(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "describe pod nope")
            assert 'Error from server (NotFound): pods "nope" not found' in app.transcript

    async def test_logs_shows_what_the_container_printed(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "logs chatty -c listener")
            assert isinstance(app.screen, DetailScreen)
            assert app.screen._log_lines == app.session.cluster.logs(
                "default", "chatty", "listener"
            )
            assert "listening" in app.screen._log_lines

    async def test_namespaces(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "ns kube-system")
            assert app.main_screen.namespace == "kube-system"
            await run(app, pilot, "ns all")
            assert app.main_screen.namespace is None
            await run(app, pilot, "ns nowhere")
            assert 'Error from server (NotFound): namespaces "nowhere" not found' in app.transcript


class TestTutorial:
    """The seed tutorial's commands, typed as they are written."""

    async def test_create_get_edit_delete_a_config_map(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = tutorial_app(tmp_path, {"cm.yaml": CONFIG_MAP})
        async with app.run_test(size=TERMINAL) as pilot:
            store = app.session.cluster.store
            await run(app, pilot, "create -f ./cm.yaml")
            assert "configmap/settings created" in app.transcript
            assert store.get("ConfigMap", "default", "settings")["data"] == {"mode": "fast"}

            await run(app, pilot, "create -f ./cm.yaml")
            assert (
                'Error from server (AlreadyExists): error when creating "./cm.yaml": '
                'configmaps "settings" already exists'
            ) in app.transcript

            await run(app, pilot, "get cm")
            assert "default/settings" in app.main_screen.table.visible_keys()

            await run(app, pilot, "edit cm settings")
            assert isinstance(app.screen, EditScreen)
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace("mode: fast", "mode: slow")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "configmap/settings edited" in app.transcript
            assert store.get("ConfigMap", "default", "settings")["data"] == {"mode": "slow"}

            await run(app, pilot, "delete cm settings")
            assert 'configmap "settings" deleted' in app.transcript
            assert store.get("ConfigMap", "default", "settings") is None
            assert (tmp_path / "cm.yaml").read_text() == CONFIG_MAP  # never written

    async def test_the_psp_tutorial(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = tutorial_app(tmp_path, {"psp.yaml": PSP})
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "create -f ./psp.yaml")
            assert "podsecuritypolicy.policy/permissive created" in app.transcript
            await run(app, pilot, "get psp")
            assert app.main_screen.table.visible_keys() == ["permissive"]
            await run(app, pilot, "edit psp permissive")
            editor = app.screen.query_one("#editor")
            editor.text = editor.text.replace("privileged: true", "privileged: false")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "podsecuritypolicy.policy/permissive edited" in app.transcript
            await run(app, pilot, "delete psp permissive")
            assert 'podsecuritypolicy.policy "permissive" deleted' in app.transcript

    async def test_paths_are_relative_to_the_first_path_folder_first(
        self, tmp_path: Path, monkeypatch
    ) -> None:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        monkeypatch.chdir(elsewhere)
        app = tutorial_app(tmp_path, {})
        (tmp_path / "cluster" / "extra").mkdir()
        (tmp_path / "cluster" / "extra" / "cm.yaml").write_text(CONFIG_MAP)
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "apply -f extra/cm.yaml")
            assert "configmap/settings created" in app.transcript
            await run(app, pilot, "apply -f extra/cm.yaml")
            assert "configmap/settings unchanged" in app.transcript

    async def test_a_missing_file_is_an_error(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = tutorial_app(tmp_path, {})
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "create -f ./nope.yaml")
            assert 'error: the path "./nope.yaml" does not exist' in app.transcript


class TestVerbs:
    async def test_delete_with_force_and_grace_period_0(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "delete pod web --grace-period=0 --force")
            assert 'pod "web" force deleted' in app.transcript
            assert app.session.cluster.store.get("Pod", "default", "web") is None

    async def test_delete_several_and_a_missing_one(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "delete pods hello nope")
            assert 'pod "hello" deleted' in app.transcript
            assert 'Error from server (NotFound): pods "nope" not found' in app.transcript

    async def test_cordon_and_uncordon(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            store = app.session.cluster.store
            await run(app, pilot, "cordon node-2")
            assert store.get("Node", "", "node-2")["spec"]["unschedulable"] is True
            await run(app, pilot, "cordon node-2")
            assert "node/node-2 already cordoned" in app.transcript
            await run(app, pilot, "uncordon node-2")
            assert not store.get("Node", "", "node-2")["spec"].get("unschedulable")
            await run(app, pilot, "cordon node-9")
            assert 'Error from server (NotFound): nodes "node-9" not found' in app.transcript

    async def test_drain_cordons_and_evicts(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            node_name = app.session.cluster.store.get("Pod", "default", "web")["spec"]["nodeName"]
            await run(app, pilot, f"drain {node_name} --ignore-daemonsets --force")
            assert app.session.cluster.store.get("Node", "", node_name)["spec"]["unschedulable"]
            assert f"node/{node_name} cordoned" in app.transcript
            app.advance(40)
            web = app.session.cluster.store.get("Pod", "default", "web")
            assert web is None or web["metadata"].get("deletionTimestamp")

    async def test_evict_goes_through_the_eviction_api(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "evict web")
            assert app.session.cluster.store.get("Pod", "default", "web")["metadata"][
                "deletionTimestamp"
            ]

    async def test_scale_of_a_missing_deployment_is_not_found(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "scale deployment/web --replicas=3")
            assert any('deployments.apps "web" not found' in line for line in app.transcript)
            await run(app, pilot, "scale deployment/web")
            assert 'error: required flag(s) "replicas" not set' in app.transcript

    async def test_inject_is_the_scenario_step(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "inject crash web --exit-code 3")
            app.advance(1)
            status = app.session.cluster.store.get("Pod", "default", "web")["status"]
            assert status["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 3

    async def test_clock_verbs(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            before = app.session.cluster.now
            await run(app, pilot, "step 5")
            assert app.session.cluster.now == before + 5
            await run(app, pilot, "speed 10")
            assert app.speed == 10
            await run(app, pilot, "resume")
            assert not app.paused
            await run(app, pilot, "pause")
            assert app.paused

    async def test_theme(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "theme nord")
            assert app.theme == "nord"
            await run(app, pilot, "theme nope")
            assert any(line.startswith('error: unknown theme "nope"') for line in app.transcript)

    async def test_an_unknown_verb(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "frobnicate pods")
            assert 'error: unknown command "frobnicate" for "kubectl"' in app.transcript

    async def test_q_quits(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "q")
        assert app.return_code == 0

    async def test_history_brings_back_the_last_command(self) -> None:
        app = make_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(app, pilot, "get no")
            await pilot.press(":", "up")
            assert app.main_screen.query_one("#command-line").value == "get no"


def test_the_session_reads_the_first_path_folder_as_base(tmp_path: Path) -> None:
    session = make_session([MANIFESTS])
    assert session.base_dir == MANIFESTS
