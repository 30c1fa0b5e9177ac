"""PodSecurityPolicy in the console: the PSP pane, the policies' admitted pods, the refused
pods and the explain view beside Pod Security Admission's verdicts, and the seed's
`create -f ./psp.yaml` workflow as typed. Each test checks the engine afterwards."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine.api.kinds import kind_info
from engine.printers import render_table
from engine.security import admitted_pods, psp_active, refused_pods
from podtui.app.app import PodtuiApp
from podtui.app.rows import row_key
from podtui.app.screens.detail import DetailScreen
from podtui.app.screens.edit import EditScreen
from podtui.app.security.explain_screen import ExplainScreen
from podtui.app.security.psp_detail import PspDetailScreen
from podtui.app.security.refused_screen import RefusedScreen
from podtui.app.security.verdict_views import PsaVerdictView, PspVerdictView
from podtui.app.widgets.header import ClockLine
from tests.tui.conftest import MANIFESTS, TERMINAL, enter_command, make_session

pytestmark = pytest.mark.skipif(
    kind_info("PodSecurityPolicy") is None, reason="no engine package simulates PSPs"
)

SECURITY = Path(__file__).parent / "security"
SEED_PSP = Path(__file__).parents[2] / "sample_manifests" / "security" / "psp.yaml"


def security_app(*, ticks: int = 30, readonly: bool = False) -> PodtuiApp:
    """The console over tests/tui/security: permissive and restricted, a pod in default, a
    Deployment whose pods restricted admits and one whose pods every policy refuses."""
    return PodtuiApp(make_session([SECURITY], ticks=ticks, readonly=readonly), paused=True)


async def run(pilot, line: str) -> None:
    await enter_command(pilot, line)


def header_text(app: PodtuiApp) -> str:
    return str(app.main_screen.query_one(ClockLine).render())


def failed_create_key(app: PodtuiApp) -> str:
    store = app.session.cluster.store
    (event,) = [e for e in store.list("Event", "psp-demo") if e["reason"] == "FailedCreate"]
    return row_key(event)


class TestThePspPane:
    async def test_it_has_kubectls_columns_and_strings(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("4")
            table = app.main_screen.table
            assert table.columns == (
                "NAME",
                "PRIV",
                "CAPS",
                "SELINUX",
                "RUNASUSER",
                "FSGROUP",
                "SUPGROUP",
                "READONLYROOTFS",
                "VOLUMES",
            )
            cluster = app.session.cluster
            printed = render_table(
                "PodSecurityPolicy", cluster.store.list("PodSecurityPolicy"), cluster.now_datetime()
            ).splitlines()[1:]
            shown = ["   ".join(table.get_row(k).cells) for k in table.visible_keys()]
            assert [line.split() for line in printed] == [line.split() for line in shown]

    async def test_the_header_says_while_psp_admission_is_on(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            assert "PSP admission on" in header_text(app)
            await run(pilot, "delete psp permissive restricted")
            assert not psp_active(app.session.cluster)
            assert "PSP admission on" not in header_text(app)


class TestAPolicysDetail:
    async def test_enter_on_a_policy_lists_the_pods_it_admitted(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("4")
            assert app.main_screen.table.move_cursor_to_key("restricted")
            await pilot.press("enter", "a")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PspDetailScreen)
            admitted = admitted_pods(app.session.cluster, "restricted")
            assert len(admitted) == 2
            assert screen.admitted_table.visible_keys() == sorted(row_key(p) for p in admitted)
            assert all(k.startswith("psp-demo/api-") for k in screen.admitted_table.visible_keys())

    async def test_the_list_follows_the_cluster_and_enter_opens_a_pod(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "describe psp permissive")
            await pilot.press("a")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PspDetailScreen)
            assert screen.admitted_table.visible_keys() == ["default/web"]
            with app.session.lock:
                app.session.cluster.api.create(copy.deepcopy(_pod("second")))
            app.advance(1)
            await pilot.pause()
            assert screen.admitted_table.visible_keys() == ["default/second", "default/web"]
            screen.admitted_table.focus()
            assert screen.admitted_table.move_cursor_to_key("default/web")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen) and app.screen.kind == "Pod"
            assert app.screen.object_name == "web"


class TestRefusedPods:
    async def test_x_on_the_psp_pane_lists_them_and_enter_explains(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("4", "x")
            await pilot.pause()
            assert isinstance(app.screen, RefusedScreen)
            (refusal,) = refused_pods(app.session.cluster)
            (key,) = app.screen.table.visible_keys()
            row = app.screen.table.get_row(key)
            assert row.cells[:4] == (
                "psp-demo",
                refusal.name,
                "system:serviceaccount:kube-system:replicaset-controller",
                str(refusal.count),
            )
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ExplainScreen)
            assert app.screen.subject.refusal is refusal

    async def test_a_failed_create_event_leads_to_the_explanation(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "ev -n psp-demo")
            assert app.main_screen.table.move_cursor_to_key(failed_create_key(app))
            await pilot.press("x")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExplainScreen)
            report = screen.explanation
            assert report is not None and report.psp_verdict == "refused"
            assert report.requester == "system:serviceaccount:kube-system:replicaset-controller"
            assert report.service_account == "system:serviceaccount:psp-demo:default"
            permissive, restricted = report.policies
            assert (permissive.name, permissive.usable, permissive.validates) == (
                "permissive",
                False,
                True,
            )
            assert restricted.service_account_may_use and not restricted.requester_may_use
            assert restricted.errors == [
                "spec.containers[0].securityContext.runAsUser: Invalid value: 0: running with "
                "the root UID is forbidden"
            ]

    @pytest.mark.parametrize(("pane", "kind"), [("2", "Deployment"), ("2", "ReplicaSet")])
    async def test_x_on_the_owning_workload_explains_its_refused_pod(
        self, pane: str, kind: str
    ) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(
                pilot, {"Deployment": "deploy -n psp-demo", "ReplicaSet": "rs -n psp-demo"}[kind]
            )
            table = app.main_screen.table
            key = next(k for k in table.visible_keys() if "runs-as-root" in k)
            assert table.move_cursor_to_key(key)
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ExplainScreen)
            assert app.screen.subject.refusal is not None
            assert app.screen.explanation.psp_verdict == "refused"

    async def test_the_explanation_follows_a_policy_edit(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "explain deploy runs-as-root -n psp-demo")
            screen = app.screen
            assert isinstance(screen, ExplainScreen)
            assert screen.explanation.psp_verdict == "refused"
            with app.session.lock:
                cluster = app.session.cluster
                policy = copy.deepcopy(cluster.store.get("PodSecurityPolicy", "", "restricted"))
                policy["spec"]["runAsUser"] = {"rule": "RunAsAny"}
                cluster.api.update(policy)
            app.advance(1)
            await pilot.pause()
            assert screen.explanation.psp_verdict == "admitted by PodSecurityPolicy restricted"
            assert "admitted by restricted" in str(screen.query_one("#explain-psp").border_title)


class TestExplain:
    async def test_psa_verdicts_sit_beside_psps(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "explain deploy runs-as-root -n psp-demo")
            screen = app.screen
            report = screen.explanation
            assert report.psa["warn"].level.level == "restricted" and not report.psa["warn"].allowed
            assert report.psa["enforce"].allowed
            assert screen.query_one(PspVerdictView).explanation is report
            assert screen.query_one(PsaVerdictView).explanation is report
            assert screen.query_one("#explain-psa").border_title == (
                "Pod Security Admission: allowed"
            )

    async def test_a_running_pod_is_explained_as_its_controller_creates_it(self) -> None:
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "po -n psp-demo")
            app.main_screen.table.move_cursor_to_key(app.main_screen.table.visible_keys()[0])
            await pilot.press("x")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExplainScreen)
            assert screen.subject.admitted_by == "restricted"
            assert screen.subject.user.name == (
                "system:serviceaccount:kube-system:replicaset-controller"
            )
            assert screen.explanation.admitted_by == "restricted"

    async def test_a_manifest_as_another_user(self, tmp_path: Path) -> None:
        pod = tmp_path / "root.yaml"
        pod.write_text(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: root\n  namespace: psp-demo\n"
            "spec:\n  containers:\n  - name: c\n    image: busybox:1.36\n"
            "    securityContext:\n      runAsUser: 0\n"
        )
        app = security_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, f"explain -f {pod}")
            assert app.screen.explanation.admitted_by == "permissive"  # the admin may use it
            await pilot.press("escape")
            await run(pilot, f"explain -f {pod} --as jane")
            report = app.screen.explanation
            assert report.requester == "jane" and report.psp_verdict == "refused"
            assert app.session.cluster.store.get("Pod", "psp-demo", "root") is None

    async def test_explain_alone_opens_the_refused_pods_and_a_bad_name_is_not_found(
        self,
    ) -> None:
        app = security_app(readonly=True)  # explaining writes nothing
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "explain")
            assert isinstance(app.screen, RefusedScreen)
            await pilot.press("escape")
            await run(pilot, "explain pod nope")
            assert any('pods "nope" not found' in line for line in app.transcript)

    async def test_without_policies_the_view_says_the_plugin_is_off(self) -> None:
        app = PodtuiApp(make_session([MANIFESTS], ticks=5), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "explain pod web")
            report = app.screen.explanation
            assert report.psp_verdict == "admitted (no PodSecurityPolicy exists)"
            assert app.screen.query_one("#explain-psp").border_title == "PodSecurityPolicy: off"


class TestTheSeedWorkflow:
    """`create -f ./psp.yaml`, `get psp`, `edit psp permissive`, `delete psp permissive`, as
    the seed's tutorial types them, with the seed's own psp.yaml."""

    async def test_create_get_edit_delete(self, tmp_path: Path, monkeypatch) -> None:
        cluster_dir = tmp_path / "cluster"
        cluster_dir.mkdir()
        (cluster_dir / "web.yaml").write_text((MANIFESTS / "web.yaml").read_text())
        (tmp_path / "psp.yaml").write_text(SEED_PSP.read_text())
        monkeypatch.chdir(tmp_path)
        app = PodtuiApp(make_session([cluster_dir], ticks=5), paused=True)
        async with app.run_test(size=TERMINAL) as pilot:
            store = app.session.cluster.store
            assert "PSP admission on" not in header_text(app)

            await run(pilot, "create -f ./psp.yaml")
            assert "podsecuritypolicy.extensions/permissive created" in app.transcript
            assert any("PodSecurityPolicy is deprecated" in line for line in app.transcript)
            policy = store.get("PodSecurityPolicy", "", "permissive")
            assert policy["spec"]["hostPorts"] == [{"min": 8000, "max": 8080}]
            assert "PSP admission on" in header_text(app)

            await run(pilot, "get psp")
            assert app.main_screen.kind == "PodSecurityPolicy"
            assert app.main_screen.table.visible_keys() == ["permissive"]

            await run(pilot, "edit psp permissive")
            assert isinstance(app.screen, EditScreen)
            editor = app.screen.query_one("#editor")
            assert "max: 8080" in editor.text
            editor.text = editor.text.replace("max: 8080", "max: 9090")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "podsecuritypolicy.policy/permissive edited" in app.transcript
            policy = store.get("PodSecurityPolicy", "", "permissive")
            assert policy["spec"]["hostPorts"] == [{"min": 8000, "max": 9090}]

            await run(pilot, "delete psp permissive")
            assert 'podsecuritypolicy.policy "permissive" deleted' in app.transcript
            assert store.get("PodSecurityPolicy", "", "permissive") is None
            assert "PSP admission on" not in header_text(app)
            assert (tmp_path / "psp.yaml").read_text() == SEED_PSP.read_text()  # never written


def _pod(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }
