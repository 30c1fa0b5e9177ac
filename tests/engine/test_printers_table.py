"""render_table: kubectl's header, NAMESPACE / kind decoration and tabwriter spacing.

The expected tables were checked byte for byte against kubectl v1.32.4, fed the same
cells by a stub API server (server-side Table), so they pin kubectl's layout.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.printers import (
    Column,
    clean_cell,
    is_namespaced,
    print_row,
    printer_for,
    register_printer,
    render_table,
    tabwrite,
)
from engine.printers import registry as registry_module

NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)

PODS = [
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-0",
            "namespace": "default",
            "creationTimestamp": "2025-01-01T00:00:00Z",
        },
        "spec": {"containers": [{"name": "app"}], "nodeName": "node-1"},
        "status": {
            "phase": "Running",
            "podIPs": [{"ip": "10.244.1.5"}],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "coredns-7d9f8b6c5d-abcde",
            "namespace": "kube-system",
            "creationTimestamp": "2025-01-01T00:58:00Z",
        },
        "spec": {"containers": [{"name": "coredns"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "coredns",
                    "ready": False,
                    "restartCount": 12,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {
                        "terminated": {"exitCode": 1, "finishedAt": "2025-01-01T00:59:30Z"}
                    },
                }
            ],
        },
    },
]
EVENTS = [
    {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "web-0.1", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web-0", "fieldPath": "spec.containers{app}"},
        "reason": "BackOff",
        "type": "Warning",
        "count": 5,
        "message": "Back-off restarting failed container app\nsecond line",
        "firstTimestamp": "2025-01-01T00:10:00Z",
        "lastTimestamp": "2025-01-01T00:59:00Z",
        "source": {"component": "kubelet", "host": "node-1"},
    },
    {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "web-0.2", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web-0"},
        "reason": "Scheduled",
        "type": "Normal",
        "count": 1,
        "message": "Successfully assigned default/web-0 to node-1 \x1b[31m",
        "firstTimestamp": "2025-01-01T00:00:00Z",
        "lastTimestamp": "2025-01-01T00:00:00Z",
        "source": {"component": "default-scheduler"},
    },
]
NODES = [
    {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "node-1",
            "creationTimestamp": "2024-12-01T00:00:00Z",
            "labels": {"node-role.kubernetes.io/control-plane": ""},
        },
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}],
            "nodeInfo": {
                "kubeletVersion": "v1.32.0",
                "osImage": "Ubuntu 24.04 LTS",
                "kernelVersion": "6.8.0",
                "containerRuntimeVersion": "containerd://1.7.0",
            },
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-2", "creationTimestamp": "2024-12-31T23:00:00Z"},
        "spec": {},
        "status": {
            "conditions": [{"type": "Ready", "status": "Unknown"}],
            "nodeInfo": {"kubeletVersion": "v1.32.0"},
        },
    },
]


class TestRenderTable:
    """Whole tables as `kubectl get` prints them."""

    def test_pods_all_namespaces_puts_namespace_first(self) -> None:
        assert render_table("Pod", PODS, NOW, all_namespaces=True) == (
            "NAMESPACE     NAME                       READY   STATUS             RESTARTS       AGE\n"
            "default       web-0                      1/1     Running            0              60m\n"
            "kube-system   coredns-7d9f8b6c5d-abcde   0/1     CrashLoopBackOff   12 (30s ago)   2m\n"
        )

    def test_pods_wide_adds_priority_one_columns(self) -> None:
        assert render_table("Pod", PODS, NOW, wide=True, all_namespaces=True) == (
            "NAMESPACE     NAME                       READY   STATUS             RESTARTS       AGE"
            "   IP           NODE     NOMINATED NODE   READINESS GATES\n"
            "default       web-0                      1/1     Running            0              60m"
            "   10.244.1.5   node-1   <none>           <none>\n"
            "kube-system   coredns-7d9f8b6c5d-abcde   0/1     CrashLoopBackOff   12 (30s ago)   2m "
            "   <none>       <none>   <none>           <none>\n"
        )

    def test_single_namespace_has_no_namespace_column(self) -> None:
        assert render_table("Pod", PODS[:1], NOW) == (
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-0   1/1     Running   0          60m\n"
        )

    def test_nodes(self) -> None:
        assert render_table("Node", NODES, NOW) == (
            "NAME     STATUS                     ROLES           AGE    VERSION\n"
            "node-1   Ready,SchedulingDisabled   control-plane   31d    v1.32.0\n"
            "node-2   NotReady                   <none>          120m   v1.32.0\n"
        )

    def test_nodes_wide(self) -> None:
        assert render_table("Node", NODES, NOW, wide=True) == (
            "NAME     STATUS                     ROLES           AGE    VERSION   INTERNAL-IP    "
            "EXTERNAL-IP   OS-IMAGE           KERNEL-VERSION   CONTAINER-RUNTIME\n"
            "node-1   Ready,SchedulingDisabled   control-plane   31d    v1.32.0   192.168.1.10   "
            "<none>        Ubuntu 24.04 LTS   6.8.0            containerd://1.7.0\n"
            "node-2   NotReady                   <none>          120m   v1.32.0   <none>         "
            "<none>        <unknown>          <unknown>        <unknown>\n"
        )

    def test_cluster_scoped_kinds_never_get_a_namespace_column(self) -> None:
        assert render_table("Node", NODES, NOW, all_namespaces=True) == render_table(
            "Node", NODES, NOW
        )

    def test_events_cut_multiline_messages_and_escape_terminal_codes(self) -> None:
        assert render_table("Event", EVENTS, NOW, all_namespaces=True) == (
            "NAMESPACE   LAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n"
            "default     60s         Warning   BackOff     pod/web-0   "
            "Back-off restarting failed container app...\n"
            "default     60m         Normal    Scheduled   pod/web-0   "
            "Successfully assigned default/web-0 to node-1 ^[[31m\n"
        )

    def test_events_wide(self) -> None:
        assert render_table("Event", EVENTS, NOW, wide=True) == (
            "LAST SEEN   TYPE      REASON      OBJECT      SUBOBJECT              SOURCE              "
            "MESSAGE                                                FIRST SEEN   COUNT   NAME\n"
            "60s         Warning   BackOff     pod/web-0   spec.containers{app}   kubelet, node-1     "
            "Back-off restarting failed container app...            50m          5       web-0.1\n"
            "60m         Normal    Scheduled   pod/web-0                          default-scheduler   "
            "Successfully assigned default/web-0 to node-1 ^[[31m   60m          1       web-0.2\n"
        )

    def test_show_kind_prefixes_the_name_column(self) -> None:
        assert render_table("Node", NODES, NOW, show_kind=True) == (
            "NAME          STATUS                     ROLES           AGE    VERSION\n"
            "node/node-1   Ready,SchedulingDisabled   control-plane   31d    v1.32.0\n"
            "node/node-2   NotReady                   <none>          120m   v1.32.0\n"
        )
        assert render_table("Pod", PODS, NOW, all_namespaces=True, show_kind=True).splitlines()[
            1
        ] == (
            "default       pod/web-0                      1/1     Running            0              60m"
        )

    def test_show_kind_names_the_api_group(self) -> None:
        # A kind with no printer of its own (kubectl's default NAME / AGE table).
        widget = {
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "web", "creationTimestamp": "2025-01-01T00:00:00Z"},
        }
        assert render_table("Widget", [widget], NOW, show_kind=True).splitlines()[1] == (
            "widget.example.com/web   60m"
        )

    def test_no_objects_print_nothing(self) -> None:
        assert render_table("Pod", [], NOW, all_namespaces=True) == ""


class TestTabwriter:
    """Go text/tabwriter with minwidth 6, padding 3, pad ' ' (cli-runtime tabwriter.go)."""

    @pytest.mark.parametrize(
        ("lines", "expected"),
        [
            # A column is the widest cell plus 3, and never narrower than 6.
            (["A\tB", "abcdefgh\tc"], ["A          B", "abcdefgh   c"]),
            (["A\tB", "x\ty"], ["A     B", "x     y"]),
            (["ABC\tD", "xyz\ty"], ["ABC   D", "xyz   y"]),
            (["ABCD\tD", "x\ty"], ["ABCD   D", "x      y"]),
            # The last cell of a line is not padded, even when long.
            (["A\tB", "x\ta very long last cell"], ["A     B", "x     a very long last cell"]),
            # An empty last cell leaves the padding of the cell before it.
            (["A\tB\tC", "x\ty\t"], ["A     B     C", "x     y     "]),
            # Widths count characters, not bytes.
            (["N\tX", "ü-pod\ty"], ["N       X", "ü-pod   y"]),
            # A tab inside a cell starts a new cell, as it does for kubectl.
            (["A\tB", "x\ty\tz"], ["A     B", "x     y     z"]),
        ],
    )
    def test_column_widths(self, lines: list[str], expected: list[str]) -> None:
        assert tabwrite(lines) == expected

    def test_a_line_without_the_column_ends_its_block(self) -> None:
        # Go's tabwriter sizes a column over the run of adjacent lines that have it.
        assert tabwrite(["ab\tc", "x", "abcdefghij\tc"]) == ["ab    c", "x", "abcdefghij   c"]

    def test_a_line_with_more_cells_opens_a_nested_column(self) -> None:
        assert tabwrite(["a\tb", "a\tb\tc", "longer-cell\tx"]) == [
            "a             b",
            "a             b     c",
            "longer-cell   x",
        ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("plain", "plain"),
        ("first line\nsecond", "first line..."),
        ("carriage\rreturn", "carriage..."),
        ("form\ffeed", "form..."),
        ("\x1b[31mred", "^[[31mred"),
        ("", ""),
    ],
)
def test_cells_are_cut_at_line_breaks_and_escaped(cell: str, expected: str) -> None:
    assert clean_cell(cell) == expected


class TestRegistry:
    """Printers plug in by kind; kinds without one print NAME / AGE."""

    @pytest.fixture(autouse=True)
    def _isolated_registry(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(registry_module, "_PRINTERS", dict(registry_module._PRINTERS))
        monkeypatch.setattr(
            registry_module, "_CLUSTER_SCOPED", set(registry_module._CLUSTER_SCOPED)
        )

    def test_registered_printer_is_used_for_rows_and_tables(self) -> None:
        class WidgetPrinter:
            columns = [Column("NAME", format="name"), Column("SIZE"), Column("COLOUR", priority=1)]

            def row(self, obj: dict, now: datetime) -> list[str]:
                return [obj["metadata"]["name"], str(obj["spec"]["size"]), obj["spec"]["colour"]]

        register_printer("Widget", WidgetPrinter(), namespaced=False)
        widget = {
            "kind": "Widget",
            "metadata": {"name": "w", "namespace": "ns"},
            "spec": {"size": 3, "colour": "red"},
        }
        assert printer_for("Widget") is not None
        assert not is_namespaced("Widget")
        assert print_row(widget, NOW) == ["w", "3"]
        assert print_row(widget, NOW, wide=True) == ["w", "3", "red"]
        assert render_table("Widget", [widget], NOW, all_namespaces=True) == (
            "NAME   SIZE\nw      3\n"
        )

    def test_unknown_kind_prints_name_and_age(self) -> None:
        thing = {
            "kind": "Gadget",
            "metadata": {
                "name": "g",
                "namespace": "default",
                "creationTimestamp": "2025-01-01T00:59:00Z",
            },
        }
        assert printer_for("Gadget") is None
        assert is_namespaced("Gadget")
        assert print_row(thing, NOW) == ["g", "60s"]
        assert render_table("Gadget", [thing], NOW, all_namespaces=True) == (
            "NAMESPACE   NAME   AGE\ndefault     g      60s\n"
        )

    def test_built_in_kinds_and_their_scope(self) -> None:
        for kind in ("Pod", "Node", "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Event"):
            assert printer_for(kind) is not None, kind
        assert [is_namespaced(k) for k in ("Pod", "Event", "Node", "Namespace")] == [
            True,
            True,
            False,
            False,
        ]
