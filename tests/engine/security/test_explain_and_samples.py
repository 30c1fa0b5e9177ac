"""The explain report, kubectl's tables for the security kinds, and the sample folder's story
as `podtui sim` tells it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from engine.api.admission import controller_user
from engine.api.errors import APIError
from engine.printers import render_table
from engine.security import explain, refused_pods
from engine.security.explain import changed_paths
from engine.sim import load_inputs, simulate

from .helpers import JANE, binding, cluster, container, create, pod, psp, use_role, user

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "sample_manifests" / "security"
NOW = datetime(2025, 1, 1, 0, 1, tzinfo=UTC)


def sample(relative: str) -> dict:
    return yaml.safe_load((SAMPLES / relative).read_text())


class TestExplain:
    def test_explain_lists_every_policy_who_may_use_it_and_what_failed(self):
        c = cluster()
        create(c, psp("open", privileged=True))
        create(c, psp("strict"))
        create(c, binding("jane-edit", "edit", [user("jane")], namespace="default"))
        create(c, use_role("psp:strict", ["strict"]))
        create(c, binding("jane-strict", "psp:strict", [user("jane")], namespace="default"))
        subject = pod("priv", containers=[container(securityContext={"privileged": True})])
        report = explain(c, subject, JANE)
        assert report.psp_verdict == "refused"
        assert report.message == (
            'pods "priv" is forbidden: PodSecurityPolicy: unable to admit pod: '
            "[spec.containers[0].securityContext.privileged: Invalid value: true: "
            "Privileged containers are not allowed]"
        )
        open_, strict = report.policies
        assert (open_.name, open_.usable, open_.validates) == ("open", False, True)
        assert (strict.name, strict.usable, strict.validates) == ("strict", True, False)
        assert strict.requester_reason.startswith('allowed by RoleBinding "default/jane-strict"')
        assert open_.service_account_reason == "no RBAC rule allows it"

    def test_explain_runs_the_earlier_plugins_without_side_effects(self):
        c = cluster()
        create(c, psp("p"))
        state = c.rng.getstate()
        report = explain(c, pod())
        assert c.rng.getstate() == state
        assert report.service_account == "system:serviceaccount:default:default"
        assert report.admitted_by == "p"
        assert c.store.get("Pod", "default", "web") is None

    def test_explain_shows_what_a_mutating_policy_would_set(self):
        c = cluster()
        create(c, psp("p", runAsUser={"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1000}]}))
        (report,) = explain(c, pod()).policies
        assert report.changes == ["spec.containers[0].securityContext"]

    def test_a_refused_pod_from_history_is_explained_as_the_plugin_saw_it(self):
        c = cluster()
        create(c, psp("p"))
        rs = controller_user("replicaset-controller")
        with pytest.raises(APIError):
            c.api.create(pod(), user=rs)
        (refusal,) = refused_pods(c)
        report = explain(c, refusal.pod, refusal.user, prepared=True)
        assert report.requester == "system:serviceaccount:kube-system:replicaset-controller"
        assert (
            report.message == 'pods "web" is forbidden: PodSecurityPolicy: unable to admit pod: []'
        )

    def test_psa_verdicts_sit_next_to_psp_verdicts(self):
        c = cluster()
        report = explain(c, pod(hostNetwork=True))
        assert report.psp_verdict == "admitted (no PodSecurityPolicy exists)"
        assert report.psa["enforce"].allowed
        assert report.psa_levels["baseline"].detail == "host namespaces (hostNetwork=true)"

    def test_changed_paths(self):
        before = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
        after = {"a": {"b": 2, "c": [1, 3]}, "e": 1}
        assert changed_paths(before, after) == ["a.b", "a.c[1]", "d", "e"]


class TestTables:
    def test_kubectl_get_psp(self):
        c = cluster()
        create(c, {**sample("psp.yaml")})
        create(c, sample("psp-restricted.yaml"))
        text = render_table("PodSecurityPolicy", c.store.list("PodSecurityPolicy"), NOW)
        assert text.splitlines() == [
            "NAME         PRIV    CAPS   SELINUX    RUNASUSER          FSGROUP     SUPGROUP    READONLYROOTFS   VOLUMES",
            "permissive   false          RunAsAny   RunAsAny           RunAsAny    RunAsAny    false            *",
            "restricted   false          RunAsAny   MustRunAsNonRoot   MustRunAs   MustRunAs   false            "
            "configMap,emptyDir,projected,secret,downwardAPI,persistentVolumeClaim",
        ]

    def test_kubectl_get_rolebindings_wide(self):
        c = cluster()
        create(
            c,
            binding(
                "mixed",
                "edit",
                [user("jane"), {"kind": "ServiceAccount", "name": "app"}],
                namespace="default",
            ),
        )
        text = render_table("RoleBinding", c.store.list("RoleBinding"), NOW, wide=True)
        assert text.splitlines() == [
            "NAME    ROLE               AGE   USERS   GROUPS   SERVICEACCOUNTS",
            "mixed   ClusterRole/edit   60s   jane             /app",
        ]

    def test_kubectl_get_clusterroles_has_created_at(self):
        c = cluster()
        create(c, use_role("psp:x", ["x"]))
        text = render_table("ClusterRole", c.store.list("ClusterRole"), NOW)
        assert text.splitlines() == ["NAME    CREATED AT", "psp:x   2025-01-01T00:00:00Z"]


class TestSampleFolder:
    def test_the_seed_policy_is_kept_byte_for_byte(self):
        assert (SAMPLES / "psp.yaml").read_text() == (
            "apiVersion: extensions/v1beta1\n"
            "kind: PodSecurityPolicy\n"
            "metadata:\n"
            "  name: permissive\n"
            "spec:\n"
            "  seLinux:\n"
            "    rule: RunAsAny\n"
            "  supplementalGroups:\n"
            "    rule: RunAsAny\n"
            "  runAsUser:\n"
            "    rule: RunAsAny\n"
            "  fsGroup:\n"
            "    rule: RunAsAny\n"
            "  hostPorts:\n"
            "  - min: 8000\n"
            "    max: 8080\n"
            "  volumes:\n"
            "  - '*'\n"
        )

    def test_sim_tells_the_story_on_stderr(self):
        lines: list[str] = []
        simulate(load_inputs([str(SAMPLES)]), until=5, report=lines.append)
        errors = [line for line in lines if line.startswith("Error from server")]
        assert [e.split('": ', 1)[1] for e in errors] == [
            'pods "host-path" is forbidden: violates PodSecurity "baseline:latest": '
            'hostPath volumes (volume "host")',
            'pods "host-port" is forbidden: PodSecurityPolicy: unable to admit pod: '
            "[spec.containers[0].hostPort: Invalid value: 9000: Host port 9000 is not allowed "
            "to be used. Allowed ports: [8000-8080] spec.containers[0].hostPort: Invalid value: "
            "9000: Host port 9000 is not allowed to be used. Allowed ports: []]",
            'pods "privileged" is forbidden: PodSecurityPolicy: unable to admit pod: '
            "[spec.containers[0].securityContext.privileged: Invalid value: true: Privileged "
            "containers are not allowed spec.containers[0].securityContext.privileged: Invalid "
            "value: true: Privileged containers are not allowed]",
        ]
        assert "podsecuritypolicy.extensions/permissive created" in lines
        assert (
            "Warning: policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+"
            in lines
        )

    def test_the_sample_pods_start_the_preset_is_injected_and_the_conflict_is_explained(self):
        c = simulate(load_inputs([str(ROOT / "sample_manifests")]), until=30)
        website = c.store.get("Pod", "default", "website")
        assert website["spec"]["containers"][0]["env"] == [{"name": "DB_PORT", "value": "6379"}]
        conflict = c.store.get("Pod", "default", "website-conflict")
        reasons = [e["reason"] for e in c.events.events_for(conflict)]
        assert "PodPresetConflict" in reasons
        for name in ("web", "website", "crasher"):
            assert c.store.get("Pod", "default", name)["status"]["phase"] in ("Running", "Pending")

    def test_a_deployment_in_psp_demo_would_be_refused_where_an_admin_pod_is_not(self):
        c = simulate(load_inputs([str(SAMPLES)]), until=1)
        root_pod = sample("refused/runs-as-root.yaml")
        assert explain(c, root_pod).admitted_by == "permissive"
        as_controller = explain(c, root_pod, controller_user("replicaset-controller"))
        assert as_controller.message.endswith(
            "[spec.containers[0].securityContext.runAsUser: Invalid value: 0: running with the "
            "root UID is forbidden]"
        )

    def test_the_deployment_in_psp_demo_gets_no_pod_and_a_failed_create(self):
        c = simulate(load_inputs([str(SAMPLES)]), until=20)
        failed = [
            e["message"] for e in c.store.list("Event", "psp-demo") if e["reason"] == "FailedCreate"
        ]
        assert failed and failed[0].startswith('Error creating: pods "runs-as-root-')
        assert failed[0].endswith(
            '-" is forbidden: PodSecurityPolicy: unable to admit pod: [spec.containers[0].'
            "securityContext.runAsUser: Invalid value: 0: running with the root UID is forbidden]"
        )
        pods = [p["metadata"]["name"] for p in c.store.list("Pod", "psp-demo")]
        assert pods == ["runs-as-root"]  # the admin's bare pod only
        (refusal,) = [r for r in refused_pods(c) if r.name.startswith("runs-as-root-")]
        assert refusal.user.name == "system:serviceaccount:kube-system:replicaset-controller"
