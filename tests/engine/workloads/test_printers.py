"""kubectl get columns for the workload kinds (k/k pkg/printers/internalversion/printers.go)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.printers import printer_for, render_table

NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
CREATED = "2025-01-01T00:00:00Z"


def meta(name: str = "web", **extra) -> dict:
    return {"name": name, "creationTimestamp": CREATED, **extra}


TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}],
        "nodeSelector": {"disk": "ssd", "arch": "amd64"},
    },
}
SELECTOR = {"matchLabels": {"app": "web"}}


class TestColumns:
    @pytest.mark.parametrize(
        ("kind", "header", "wide"),
        [
            (
                "Deployment",
                ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
                ["CONTAINERS", "IMAGES", "SELECTOR"],
            ),
            (
                "ReplicaSet",
                ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
                ["CONTAINERS", "IMAGES", "SELECTOR"],
            ),
            ("StatefulSet", ["NAME", "READY", "AGE"], ["CONTAINERS", "IMAGES"]),
            (
                "DaemonSet",
                [
                    "NAME",
                    "DESIRED",
                    "CURRENT",
                    "READY",
                    "UP-TO-DATE",
                    "AVAILABLE",
                    "NODE SELECTOR",
                    "AGE",
                ],
                ["CONTAINERS", "IMAGES", "SELECTOR"],
            ),
            (
                "Job",
                ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
                ["CONTAINERS", "IMAGES", "SELECTOR"],
            ),
            (
                "PersistentVolumeClaim",
                [
                    "NAME",
                    "STATUS",
                    "VOLUME",
                    "CAPACITY",
                    "ACCESS MODES",
                    "STORAGECLASS",
                    "VOLUMEATTRIBUTESCLASS",
                    "AGE",
                ],
                ["VOLUMEMODE"],
            ),
        ],
    )
    def test_kubectls_columns(self, kind, header, wide) -> None:
        printer = printer_for(kind)
        assert [c.name for c in printer.columns if c.priority == 0] == header
        assert [c.name for c in printer.columns if c.priority == 1] == wide


class TestRows:
    def test_deployment(self) -> None:
        d = {
            "kind": "Deployment",
            "metadata": meta(),
            "spec": {"replicas": 3, "selector": SELECTOR, "template": TEMPLATE},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
        }
        assert printer_for("Deployment").row(d, NOW) == [
            "web",
            "2/3",
            "3",
            "2",
            "60m",
            "app,log",
            "nginx:1.27,busybox",
            "app=web",
        ]

    def test_replica_set(self) -> None:
        rs = {
            "kind": "ReplicaSet",
            "metadata": meta(),
            "spec": {"replicas": 3, "selector": SELECTOR, "template": TEMPLATE},
            "status": {"replicas": 2},
        }
        assert printer_for("ReplicaSet").row(rs, NOW)[:5] == ["web", "3", "2", "0", "60m"]

    def test_stateful_set(self) -> None:
        sts = {
            "kind": "StatefulSet",
            "metadata": meta(),
            "spec": {"replicas": 3, "template": TEMPLATE},
            "status": {"readyReplicas": 1},
        }
        assert printer_for("StatefulSet").row(sts, NOW) == [
            "web",
            "1/3",
            "60m",
            "app,log",
            "nginx:1.27,busybox",
        ]

    def test_daemon_set_node_selector_is_sorted(self) -> None:
        ds = {
            "kind": "DaemonSet",
            "metadata": meta(),
            "spec": {"selector": SELECTOR, "template": TEMPLATE},
            "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2},
        }
        row = printer_for("DaemonSet").row(ds, NOW)
        assert row[:8] == ["web", "3", "3", "2", "0", "0", "arch=amd64,disk=ssd", "60m"]

    @pytest.mark.parametrize(
        ("conditions", "deleting", "status"),
        [
            ([], False, "Running"),
            ([{"type": "Complete", "status": "True"}], False, "Complete"),
            (
                [{"type": "FailureTarget", "status": "True"}, {"type": "Failed", "status": "True"}],
                False,
                "Failed",
            ),
            ([{"type": "FailureTarget", "status": "True"}], False, "FailureTarget"),
            ([{"type": "Suspended", "status": "True"}], False, "Suspended"),
            ([], True, "Terminating"),
        ],
    )
    def test_job_status(self, conditions, deleting, status) -> None:
        extra = {"deletionTimestamp": CREATED} if deleting else {}
        job = {
            "kind": "Job",
            "metadata": meta(**extra),
            "spec": {"completions": 1, "template": TEMPLATE},
            "status": {"conditions": conditions},
        }
        assert printer_for("Job").row(job, NOW)[1] == status

    def test_job_duration_runs_until_completion(self) -> None:
        job = {
            "kind": "Job",
            "metadata": meta(),
            "spec": {"completions": 2, "template": TEMPLATE},
            "status": {
                "startTime": CREATED,
                "completionTime": "2025-01-01T00:02:05Z",
                "succeeded": 2,
            },
        }
        assert printer_for("Job").row(job, NOW)[1:4] == ["Running", "2/2", "2m5s"]

    def test_claim_shows_capacity_only_once_bound(self) -> None:
        claim = {
            "kind": "PersistentVolumeClaim",
            "metadata": meta("data-db-0"),
            "spec": {"storageClassName": "standard", "volumeMode": "Filesystem"},
            "status": {"phase": "Pending"},
        }
        assert printer_for("PersistentVolumeClaim").row(claim, NOW) == [
            "data-db-0",
            "Pending",
            "",
            "",
            "",
            "standard",
            "<unset>",
            "60m",
            "Filesystem",
        ]
        claim["spec"]["volumeName"] = "pvc-1"
        claim["status"] = {
            "phase": "Bound",
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "1Gi"},
        }
        assert printer_for("PersistentVolumeClaim").row(claim, NOW)[:5] == [
            "data-db-0",
            "Bound",
            "pvc-1",
            "1Gi",
            "RWO",
        ]

    def test_table_layout(self) -> None:
        d = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta(),
            "spec": {"replicas": 1, "selector": SELECTOR, "template": TEMPLATE},
            "status": {},
        }
        assert render_table("Deployment", [d], NOW, show_kind=True) == (
            "NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
            "deployment.apps/web   0/1     0            0           60m\n"
        )
